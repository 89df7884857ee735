//! Letters as records: which letters a stage issues, whose register numbers each, which facts a
//! person must supply before a letter can be issued, and the record of an issued letter.
//!
//! A letter is *prepared* (previewed as a draft that names every missing fact), *issued* before
//! it is signed (numbered, dated, its rendering context frozen), *signed* (the scan is filed
//! against that issued letter) and *verifiable* (its code opens a public page). The core decides
//! what may be issued and what is missing; the store numbers and freezes it in the command's
//! transaction; the letters crate builds and renders the context.

use crate::application::ConnectionType;
use crate::workflow::{Requirement, Workflow, letter_title};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Whose register gives a letter the number printed on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Register {
    /// The Disdukcapil office handling the application: letters its head signs.
    Office,
    /// The agency: letters on its own letterhead (request, specification, statement, report).
    Agency,
    /// The regional secretariat (*Sekretariat Daerah*): letters the Governor, Bupati or Wali
    /// Kota signs, or the Sekda on their behalf.
    RegionalSecretariat,
    /// The provincial Disdukcapil: a berita acara it signs and keeps.
    ProvincialOffice,
}

/// The letters the agency issues on its own letterhead.
pub const AGENCY_LETTERS: &[&str] = &[
    "surat_permohonan",
    "surat_spesifikasi_teknis",
    "surat_pernyataan_jaringan",
    "laporan_uji_beban",
];

/// The register that numbers `letter`.
pub fn register_of(letter: &str) -> Register {
    match letter {
        l if AGENCY_LETTERS.contains(&l) => Register::Agency,
        "surat_persetujuan_gubernur" | "surat_izin_kepala_daerah" => Register::RegionalSecretariat,
        "berita_acara_konsultasi_pks" => Register::ProvincialOffice,
        _ => Register::Office,
    }
}

/// Who signs a regional head's letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatoryKind {
    /// The Governor, Bupati or Wali Kota signs personally (no *a.n.*).
    Head,
    /// The regional secretary signs on the head's behalf (*a.n.*).
    RegionalSecretary,
}

/// The person who signs a regional head's letter, as printed under the signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatoryInput {
    pub kind: SignatoryKind,
    pub name: String,
    /// Civil servants' number: a Sekda has one, an elected head does not.
    #[serde(default)]
    pub nip: Option<String>,
    /// Rank (*pangkat/golongan*), printed under the name.
    #[serde(default)]
    pub rank: Option<String>,
}

/// A member of the agency's technical team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamMember {
    pub name: String,
    pub position: String,
    pub role: String,
}

/// A prospective user of the user ID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserLine {
    pub name: String,
    #[serde(default)]
    pub nip: Option<String>,
    pub position: String,
    pub ip_address: String,
}

/// One measured parameter of the stress test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestResult {
    pub parameter: String,
    pub target: String,
    pub result: String,
    pub passed: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// One scenario of the proof of concept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PocResult {
    pub scenario: String,
    pub result: String,
    pub passed: bool,
}

/// One figure of an aggregate-data reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AggregateFigure {
    pub description: String,
    pub count: u64,
}

/// The facts a person supplies when a letter is issued: what Sepakat does not otherwise hold
/// (who signed for the regional head, IP addresses, the technical team, test results, aggregate
/// figures). They are frozen with the letter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterInputs {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signatory: Option<SignatoryInput>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<ConnectionType>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ip_addresses: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub technical_team: Vec<TeamMember>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<UserLine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_name: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub test_results: Vec<TestResult>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub poc_results: Vec<PocResult>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aggregate: Vec<AggregateFigure>,
    /// Queries made in the evaluated period, when the office has the figure from Ditjen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_count: Option<u64>,
}

impl LetterInputs {
    pub fn is_empty(&self) -> bool {
        *self == LetterInputs::default()
    }

    /// Whether the fact `need` stands for was given.
    pub fn gives(&self, need: Need) -> bool {
        match need {
            Need::Signatory => self.signatory.is_some(),
            Need::Network => self.network.is_some(),
            Need::IpAddresses => !self.ip_addresses.is_empty(),
            Need::TechnicalTeam => !self.technical_team.is_empty(),
            Need::Users => !self.users.is_empty(),
            Need::ApplicationName => self.application_name.is_some(),
            Need::Devices => !self.devices.is_empty(),
            Need::TestUserId => self.test_user_id.is_some(),
            Need::TestDate => self.test_date.is_some(),
            Need::Scenario => self.scenario.is_some(),
            Need::TestResults => !self.test_results.is_empty(),
            Need::PocResults => !self.poc_results.is_empty(),
            Need::Aggregate => !self.aggregate.is_empty(),
        }
    }
}

/// A fact a letter needs, supplied as an input when the letter is issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    Signatory,
    Network,
    IpAddresses,
    TechnicalTeam,
    Users,
    ApplicationName,
    Devices,
    TestUserId,
    TestDate,
    Scenario,
    TestResults,
    PocResults,
    Aggregate,
}

impl Need {
    /// Every fact, in the order forms list them.
    pub const ALL: [Need; 13] = [
        Need::Signatory,
        Need::Network,
        Need::IpAddresses,
        Need::TechnicalTeam,
        Need::Users,
        Need::ApplicationName,
        Need::Devices,
        Need::TestUserId,
        Need::TestDate,
        Need::Scenario,
        Need::TestResults,
        Need::PocResults,
        Need::Aggregate,
    ];

    /// The input's field name, as the API and the forms name it.
    pub fn field(self) -> &'static str {
        match self {
            Need::Signatory => "signatory",
            Need::Network => "network",
            Need::IpAddresses => "ip_addresses",
            Need::TechnicalTeam => "technical_team",
            Need::Users => "users",
            Need::ApplicationName => "application_name",
            Need::Devices => "devices",
            Need::TestUserId => "test_user_id",
            Need::TestDate => "test_date",
            Need::Scenario => "scenario",
            Need::TestResults => "test_results",
            Need::PocResults => "poc_results",
            Need::Aggregate => "aggregate",
        }
    }

    pub fn name_id(self) -> &'static str {
        match self {
            Need::Signatory => {
                "penanda tangan (kepala daerah atau Sekretaris Daerah a.n. kepala daerah) beserta namanya"
            }
            Need::Network => "jenis jaringan komunikasi data",
            Need::IpAddresses => "alamat IP lembaga pengguna",
            Need::TechnicalTeam => "susunan tim teknis lembaga pengguna",
            Need::Users => "daftar calon pengguna user ID beserta alamat IP",
            Need::ApplicationName => "nama aplikasi lembaga pengguna",
            Need::Devices => "daftar perangkat",
            Need::TestUserId => "user ID uji coba yang diuji",
            Need::TestDate => "tanggal pelaksanaan uji beban",
            Need::Scenario => "skenario uji beban",
            Need::TestResults => "hasil uji beban per parameter",
            Need::PocResults => "hasil proof of concept per skenario",
            Need::Aggregate => "angka data agregat yang disampaikan",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Need::Signatory => {
                "the signatory (the regional head, or the regional secretary on their behalf) and their name"
            }
            Need::Network => "the kind of data network",
            Need::IpAddresses => "the agency's IP addresses",
            Need::TechnicalTeam => "the agency's technical team",
            Need::Users => "the prospective user-ID holders with their IP addresses",
            Need::ApplicationName => "the agency's application name",
            Need::Devices => "the list of devices",
            Need::TestUserId => "the test user ID that was tested",
            Need::TestDate => "the date of the stress test",
            Need::Scenario => "the stress-test scenario",
            Need::TestResults => "the stress-test results per parameter",
            Need::PocResults => "the proof-of-concept results per scenario",
            Need::Aggregate => "the aggregate figures to send",
        }
    }
}

/// The facts a person must supply before `letter` can be issued.
pub fn needs(letter: &str) -> &'static [Need] {
    use Need::*;
    match letter {
        "surat_persetujuan_gubernur" | "surat_izin_kepala_daerah" => &[Signatory],
        "juknis" => &[IpAddresses, TechnicalTeam],
        "surat_spesifikasi_teknis" => &[
            ApplicationName,
            Network,
            IpAddresses,
            Devices,
            TechnicalTeam,
        ],
        "surat_pernyataan_jaringan" => &[Network, IpAddresses],
        "permohonan_user_id_uji" | "permohonan_user_id_produksi" => &[Users],
        "laporan_uji_beban" => &[TestUserId, TestDate, Scenario, TestResults],
        "berita_acara_poc" => &[PocResults],
        "surat_jawaban_data_agregat" => &[Aggregate],
        _ => &[],
    }
}

/// Something a letter cannot be issued without, or a supplied fact that is not usable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterProblem {
    /// The input or fact concerned, e.g. `ip_addresses[1]` or `office_head`.
    pub field: String,
    pub message_id: String,
    pub message_en: String,
}

impl LetterProblem {
    pub fn new(field: impl Into<String>, id: impl Into<String>, en: impl Into<String>) -> Self {
        LetterProblem {
            field: field.into(),
            message_id: id.into(),
            message_en: en.into(),
        }
    }

    fn missing(need: Need) -> Self {
        LetterProblem::new(
            need.field(),
            format!("Belum diisi: {}.", need.name_id()),
            format!("Missing: {}.", need.name_en()),
        )
    }
}

const MAX_TEXT: usize = 500;
const MAX_ROWS: usize = 100;

/// Every problem with the inputs of `letter`: each missing fact it needs, and each supplied
/// value that is blank, too long or malformed. Empty when the letter can be issued.
pub fn check_inputs(letter: &str, inputs: &LetterInputs) -> Vec<LetterProblem> {
    let mut out = Vec::new();
    let needs = needs(letter);
    for need in needs {
        let present = inputs.gives(*need);
        if !present {
            out.push(LetterProblem::missing(*need));
        }
    }
    let mut text = |field: String, value: &str| {
        if value.trim().is_empty() {
            out.push(LetterProblem::new(
                &field,
                format!("Isian `{field}` kosong."),
                format!("`{field}` is blank."),
            ));
        } else if value.chars().count() > MAX_TEXT || value.contains('\0') {
            out.push(LetterProblem::new(
                &field,
                format!("Isian `{field}` melebihi {MAX_TEXT} karakter atau memuat karakter yang tidak sah."),
                format!("`{field}` is longer than {MAX_TEXT} characters or holds a forbidden character."),
            ));
        }
    };
    if let Some(s) = &inputs.signatory {
        text("signatory.name".into(), &s.name);
        for (f, v) in [("signatory.nip", &s.nip), ("signatory.rank", &s.rank)] {
            if let Some(v) = v {
                text(f.into(), v);
            }
        }
    }
    for (i, ip) in inputs.ip_addresses.iter().enumerate() {
        text(format!("ip_addresses[{i}]"), ip);
    }
    for (i, m) in inputs.technical_team.iter().enumerate() {
        text(format!("technical_team[{i}].name"), &m.name);
        text(format!("technical_team[{i}].position"), &m.position);
        text(format!("technical_team[{i}].role"), &m.role);
    }
    for (i, u) in inputs.users.iter().enumerate() {
        text(format!("users[{i}].name"), &u.name);
        text(format!("users[{i}].position"), &u.position);
        text(format!("users[{i}].ip_address"), &u.ip_address);
        if let Some(nip) = &u.nip {
            text(format!("users[{i}].nip"), nip);
        }
    }
    for (f, v) in [
        ("application_name", &inputs.application_name),
        ("test_user_id", &inputs.test_user_id),
        ("scenario", &inputs.scenario),
    ] {
        if let Some(v) = v {
            text(f.into(), v);
        }
    }
    for (i, d) in inputs.devices.iter().enumerate() {
        text(format!("devices[{i}]"), d);
    }
    for (i, r) in inputs.test_results.iter().enumerate() {
        text(format!("test_results[{i}].parameter"), &r.parameter);
        text(format!("test_results[{i}].target"), &r.target);
        text(format!("test_results[{i}].result"), &r.result);
        if let Some(n) = &r.note {
            text(format!("test_results[{i}].note"), n);
        }
    }
    for (i, r) in inputs.poc_results.iter().enumerate() {
        text(format!("poc_results[{i}].scenario"), &r.scenario);
        text(format!("poc_results[{i}].result"), &r.result);
    }
    for (i, a) in inputs.aggregate.iter().enumerate() {
        text(format!("aggregate[{i}].description"), &a.description);
    }
    for ip in inputs
        .ip_addresses
        .iter()
        .enumerate()
        .map(|(i, ip)| (format!("ip_addresses[{i}]"), ip))
        .chain(
            inputs
                .users
                .iter()
                .enumerate()
                .map(|(i, u)| (format!("users[{i}].ip_address"), &u.ip_address)),
        )
    {
        let (field, value) = ip;
        if !value.trim().is_empty() && value.trim().parse::<std::net::IpAddr>().is_err() {
            out.push(LetterProblem::new(
                &field,
                format!("`{value}` bukan alamat IP yang sah (contoh: 10.12.3.4)."),
                format!("`{value}` is not a valid IP address (e.g. 10.12.3.4)."),
            ));
        }
    }
    let rows = [
        ("ip_addresses", inputs.ip_addresses.len()),
        ("technical_team", inputs.technical_team.len()),
        ("users", inputs.users.len()),
        ("devices", inputs.devices.len()),
        ("test_results", inputs.test_results.len()),
        ("poc_results", inputs.poc_results.len()),
        ("aggregate", inputs.aggregate.len()),
    ];
    for (field, n) in rows {
        if n > MAX_ROWS {
            out.push(LetterProblem::new(
                field,
                format!("Isian `{field}` melebihi {MAX_ROWS} baris."),
                format!("`{field}` has more than {MAX_ROWS} rows."),
            ));
        }
    }
    // Inputs that no fact of this letter uses are refused, so nothing typed is silently lost.
    let unused: Vec<&str> = Need::ALL
        .iter()
        .map(|n| (*n, inputs.gives(*n)))
        .filter(|(need, given)| *given && !needs.contains(need))
        .map(|(need, _)| need.field())
        .collect();
    for field in unused {
        out.push(LetterProblem::new(
            field,
            format!("Surat ini tidak memuat isian `{field}`; hapus isian tersebut."),
            format!("This letter has no `{field}`; leave it out."),
        ));
    }
    if inputs.access_count.is_some() && letter != "laporan_evaluasi" {
        out.push(LetterProblem::new(
            "access_count",
            "Surat ini tidak memuat isian `access_count`; hapus isian tersebut.",
            "This letter has no `access_count`; leave it out.",
        ));
    }
    out
}

/// An issued letter: numbered, dated and frozen. What the store recorded when it issued it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedLetter {
    pub id: Uuid,
    pub letter: String,
    /// The stage it was issued in.
    pub stage: String,
    /// The number printed on the letter (from the register of [`register_of`]).
    pub number: String,
    pub register: Register,
    /// The date it carries, on the issuing office's clock.
    pub date: NaiveDate,
    pub at: DateTime<Utc>,
    /// SHA-256 of the frozen rendering context, of the HTML and of the PDF.
    pub snapshot_sha256: String,
    pub html_sha256: String,
    pub pdf_sha256: String,
    /// The short code that opens the public verification page.
    pub code: String,
}

/// A two-party document (the PKS, the juknis) carries the other party's number too, from its
/// own register.
pub fn counterpart_register(letter: &str) -> Option<Register> {
    matches!(letter, "pks" | "adendum_pks" | "juknis").then_some(Register::Agency)
}

/// An office as its letters show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeFacts {
    pub name: String,
    pub is_province: bool,
    /// The town letters are written in.
    pub place_name: String,
    pub address: String,
    /// The letterhead's logo, an SVG document; `None` prints the letterhead without one.
    #[serde(default)]
    pub logo_svg: Option<String>,
}

/// The user institution as its letters show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyFacts {
    pub name: String,
    pub address: String,
}

/// A person on record who signs for an office or an agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonFacts {
    pub name: String,
    pub position: Option<String>,
    pub nip: Option<String>,
    pub rank: Option<String>,
    /// Heads the office (signs without *a.n.*).
    pub heads_office: bool,
}

/// A letter already numbered for the application, as later letters cite it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitedLetter {
    pub number: String,
    pub date: NaiveDate,
}

/// Everything a letter is built from besides the stamp of its issue: the application's state
/// and what the store holds about the offices, the agency and the people who sign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LetterFacts {
    pub application: crate::Application,
    pub office: OfficeFacts,
    /// The provincial Disdukcapil of the office's province (the office itself for a province).
    pub provincial_office: Option<OfficeFacts>,
    pub agency: AgencyFacts,
    /// The head of the Disdukcapil office, or the coordinator who signs on their behalf.
    pub office_head: Option<PersonFacts>,
    pub agency_head: Option<PersonFacts>,
    /// The provincial reviewer who signs a consultation's berita acara.
    pub provincial_reviewer: Option<PersonFacts>,
    /// The latest numbered letter of each kind.
    pub cited: std::collections::BTreeMap<String, CitedLetter>,
    /// The text of the current PKS draft.
    pub pks_articles: Vec<crate::pks::Article>,
}

/// What issuing gives a letter: its number, date, verification code and the facts typed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueStamp {
    pub number: String,
    /// The other party's number on a two-party document.
    pub counterpart_number: Option<String>,
    pub date: NaiveDate,
    pub code: String,
    /// The public address of the verification page for this code.
    pub verify_url: String,
    pub inputs: LetterInputs,
}

/// The letters an application may issue in its current stage: the letter each transition out of
/// the stage produces, and each letter whose signed copy one of them requires.
pub fn due_letters<'w>(workflow: &'w Workflow, stage: &'w str) -> Vec<&'w str> {
    let mut out: Vec<&str> = Vec::new();
    for t in workflow.transitions_from(stage) {
        let signed = t.requires.iter().filter_map(|r| match r {
            Requirement::Signed(l) => Some(l.as_str()),
            _ => None,
        });
        for l in t.letter.as_deref().into_iter().chain(signed) {
            if !out.contains(&l) {
                out.push(l);
            }
        }
    }
    out
}

/// The letters that may be issued ahead of their step (`issue_letter`): the due ones, except a
/// letter that only a destructive step produces and that needs no typed-in facts (the notice
/// that ends an agreement). The step issues that one itself; issued ahead it would announce an
/// end nobody has decided.
pub fn issuable_ahead<'w>(workflow: &'w Workflow, stage: &'w str) -> Vec<&'w str> {
    due_letters(workflow, stage)
        .into_iter()
        .filter(|l| !(needs(l).is_empty() && issued_by_an_end_only(workflow, l)))
        .collect()
}

/// `letter` is produced only by destructive steps and no step asks for its signed copy: it
/// exists once something has ended, so it is never read or issued ahead.
pub fn issued_by_an_end_only(workflow: &Workflow, letter: &str) -> bool {
    let mut produced = false;
    for t in &workflow.transitions {
        if t.requires
            .contains(&Requirement::Signed(letter.to_string()))
        {
            return false;
        }
        if t.letter.as_deref() == Some(letter) {
            if !t.destructive {
                return false;
            }
            produced = true;
        }
    }
    produced
}

/// Who may issue `letter` at `stage`: the agency alone for the letters of its own register;
/// otherwise the roles that fire the steps producing it or requiring its signed copy.
pub fn issuers(workflow: &Workflow, stage: &str, letter: &str) -> Vec<crate::Role> {
    if register_of(letter) == Register::Agency {
        return vec![crate::Role::AgencyHead];
    }
    let mut roles = Vec::new();
    for t in workflow.transitions_from(stage) {
        let produces = t.letter.as_deref() == Some(letter)
            || t.requires
                .contains(&Requirement::Signed(letter.to_string()));
        if produces {
            for r in &t.roles {
                if !roles.contains(r) {
                    roles.push(*r);
                }
            }
        }
    }
    roles
}

/// The roles that archive an application's issued letters (keep the PDF and record its
/// SHA-256): those that control the access (`Role::CONTROLLERS`: a Disdukcapil coordinator or
/// Ditjen Dukcapil), within their scope. Whoever sees the application previews its letters;
/// who issues one is [`issuers`]; who files a signed scan is the workflow's `[documents]`
/// (`Workflow::may_file`).
pub const ARCHIVED_BY: [crate::Role; 2] = crate::Role::CONTROLLERS;

/// Why `actor` may not archive letters, if they may not: the one check the API and the pages
/// ask (the scope is checked where the application is read).
pub fn archive_unmet(actor: &crate::Actor) -> Option<crate::Unmet> {
    (!ARCHIVED_BY.contains(&actor.role)).then(|| crate::Unmet::RoleNotAllowed {
        role: actor.role,
        allowed: ARCHIVED_BY.to_vec(),
    })
}

/// The title of a letter for messages.
pub fn title(letter: &str) -> &str {
    letter_title(letter).unwrap_or(letter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_coordinators_and_ditjen_archive_letters() {
        use crate::{Actor, Role, Scope, Unmet};
        let actor = |role| Actor {
            id: Uuid::nil(),
            role,
            scope: Scope::National,
        };
        for role in [Role::Coordinator, Role::Central] {
            assert_eq!(archive_unmet(&actor(role)), None, "{role:?}");
        }
        for role in [
            Role::AgencyHead,
            Role::ProvincialReviewer,
            Role::Auditor,
            Role::Admin,
        ] {
            let unmet = archive_unmet(&actor(role));
            assert!(
                matches!(unmet, Some(Unmet::RoleNotAllowed { role: r, ref allowed }) if r == role && allowed == &ARCHIVED_BY),
                "{role:?}: {unmet:?}"
            );
            assert!(unmet.is_some_and(|u| u.is_permission()));
        }
    }

    #[test]
    fn registers_follow_who_signs() {
        assert_eq!(register_of("surat_permohonan"), Register::Agency);
        assert_eq!(register_of("laporan_uji_beban"), Register::Agency);
        assert_eq!(
            register_of("surat_izin_kepala_daerah"),
            Register::RegionalSecretariat
        );
        assert_eq!(
            register_of("surat_persetujuan_gubernur"),
            Register::RegionalSecretariat
        );
        assert_eq!(
            register_of("berita_acara_konsultasi_pks"),
            Register::ProvincialOffice
        );
        assert_eq!(register_of("pks"), Register::Office);
    }

    #[test]
    fn every_missing_fact_is_named() {
        let problems = check_inputs("laporan_uji_beban", &LetterInputs::default());
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            ["test_user_id", "test_date", "scenario", "test_results"]
        );
        assert!(problems[0].message_id.starts_with("Belum diisi"));
        assert!(check_inputs("pks", &LetterInputs::default()).is_empty());
    }

    #[test]
    fn bad_values_are_refused_with_their_place() {
        let inputs = LetterInputs {
            network: Some(ConnectionType::Lan),
            ip_addresses: vec!["10.0.0.1".into(), "300.1.1.1".into(), " ".into()],
            aggregate: vec![AggregateFigure {
                description: "Jumlah penduduk".into(),
                count: 10,
            }],
            ..Default::default()
        };
        let problems = check_inputs("surat_pernyataan_jaringan", &inputs);
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["ip_addresses[2]", "ip_addresses[1]", "aggregate"]);
    }

    #[test]
    fn inputs_round_trip_and_refuse_unknown_fields() {
        let inputs = LetterInputs {
            aggregate: vec![AggregateFigure {
                description: "Jumlah penduduk".into(),
                count: 665_000,
            }],
            ..Default::default()
        };
        // The core has no JSON dependency; TOML goes through the same serde model.
        let text = toml::to_string(&inputs).unwrap();
        assert!(
            !text.contains("signatory"),
            "empty inputs are left out: {text}"
        );
        let back: LetterInputs = toml::from_str(&text).unwrap();
        assert_eq!(back, inputs);
        assert!(toml::from_str::<LetterInputs>("figures = 3").is_err());
    }

    /// Every input filled in, each value usable.
    fn every_input() -> LetterInputs {
        LetterInputs {
            signatory: Some(SignatoryInput {
                kind: SignatoryKind::RegionalSecretary,
                name: "Drs. H. Syahrial Anwar, M.Si.".into(),
                nip: Some("196703121992031004".into()),
                rank: Some("Pembina Utama Madya (IV/d)".into()),
            }),
            network: Some(ConnectionType::VpnAgencyToDisdukcapil),
            ip_addresses: vec!["10.61.71.10".into()],
            technical_team: vec![TeamMember {
                name: "Rina Marlina, S.Kom.".into(),
                position: "Pranata Komputer Ahli Muda".into(),
                role: "Ketua tim teknis".into(),
            }],
            users: vec![UserLine {
                name: "Rina Marlina, S.Kom.".into(),
                nip: Some("198705142010012003".into()),
                position: "Pranata Komputer Ahli Muda".into(),
                ip_address: "10.61.71.10".into(),
            }],
            application_name: Some("SIAP-PPDB Kota Pontianak".into()),
            devices: vec!["Pembaca KTP-el, 2 unit".into()],
            test_user_id: Some("UJI-6171-DISDIK-01".into()),
            test_date: NaiveDate::from_ymd_opt(2021, 9, 14),
            scenario: Some("500 permintaan verifikasi NIK serentak".into()),
            test_results: vec![TestResult {
                parameter: "Waktu tanggap rata-rata".into(),
                target: "paling lama 2 detik".into(),
                result: "1,4 detik".into(),
                passed: true,
                note: None,
            }],
            poc_results: vec![PocResult {
                scenario: "Verifikasi NIK melalui portal web".into(),
                result: "Sesuai".into(),
                passed: true,
            }],
            aggregate: vec![AggregateFigure {
                description: "Jumlah penduduk".into(),
                count: 672_440,
            }],
            access_count: Some(1_250),
        }
    }

    #[test]
    fn each_need_is_an_input_field_some_letter_asks_for() {
        use Need::*;
        let all = [
            Signatory,
            Network,
            IpAddresses,
            TechnicalTeam,
            Users,
            ApplicationName,
            Devices,
            TestUserId,
            TestDate,
            Scenario,
            TestResults,
            PocResults,
            Aggregate,
        ];
        // Exhaustive on purpose: a new fact does not compile until it is listed above.
        for n in all {
            match n {
                Signatory | Network | IpAddresses | TechnicalTeam | Users | ApplicationName
                | Devices | TestUserId | TestDate | Scenario | TestResults | PocResults
                | Aggregate => {}
            }
        }
        let full = toml::Value::try_from(every_input()).unwrap();
        let keys: Vec<&str> = full
            .as_table()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        for n in all {
            assert!(
                keys.contains(&n.field()),
                "{n:?}: `{}` is no input",
                n.field()
            );
            assert!(!n.name_id().is_empty() && !n.name_en().is_empty());
            assert!(
                crate::workflow::LETTERS
                    .iter()
                    .any(|(l, _)| needs(l).contains(&n)),
                "{n:?} is needed by no letter"
            );
        }
        // A letter without facts refuses every input by its field name: nothing is lost.
        let fields: Vec<String> = check_inputs("pks", &every_input())
            .into_iter()
            .map(|p| p.field)
            .collect();
        let mut expected: Vec<&str> = all.iter().map(|n| n.field()).collect();
        expected.push("access_count");
        assert_eq!(fields, expected);
    }

    #[test]
    fn due_letters_of_a_stage_list_step_letters_and_signed_ones_once() {
        let wf = crate::Workflow::from_toml(
            "pks-kabkota.toml",
            include_str!("../../../workflows/pks-kabkota.toml"),
        )
        .unwrap();
        assert_eq!(
            due_letters(&wf, "izin_kepala_daerah"),
            ["surat_izin_kepala_daerah"]
        );
        // Required signed without being a step's letter: still due.
        assert_eq!(due_letters(&wf, "permohonan"), ["surat_permohonan"]);
        assert!(due_letters(&wf, "persetujuan_dirjen").is_empty());
        assert!(due_letters(&wf, "no_such_stage").is_empty());
    }
}
