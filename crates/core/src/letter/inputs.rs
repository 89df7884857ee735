//! The facts a person supplies when a letter is issued: what each letter needs, and every
//! problem with what was given.

use crate::application::ConnectionType;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

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
