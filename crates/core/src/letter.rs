//! Letters as records: which letters a stage issues, whose register numbers each, which facts a
//! person must supply before a letter can be issued, and the record of an issued letter.
//!
//! A letter is *prepared* (previewed as a draft that names every missing fact), *issued* before
//! it is signed (numbered, dated, its rendering context frozen), *signed* (the scan is filed
//! against that issued letter) and *verifiable* (its code opens a public page). The core decides
//! what may be issued and what is missing; the store numbers and freezes it in the command's
//! transaction; the letters crate builds and renders the context.

use crate::workflow::{Requirement, Workflow, letter_title};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

mod inputs;
#[cfg(test)]
mod tests;

pub use inputs::{
    AggregateFigure, LetterInputs, LetterProblem, Need, PocResult, SignatoryInput, SignatoryKind,
    TeamMember, TestResult, UserLine, check_inputs, needs,
};

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
