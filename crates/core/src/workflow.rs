//! Workflows as data: the TOML model, its loader and its validator.
//!
//! A workflow file names its stages, the transitions between them (who may fire each, what it
//! requires, which letter it produces, what it does to PKS and grants) and the evaluation policy.
//! Loading checks everything a typo could break and reports every error with its file and line.

use crate::actor::Role;
use crate::request::{AccessMethod, DataType, RequestPolicy};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::ops::Range;
use toml::Spanned;

/// The letters Sepakat can produce: each is a template under `templates/letters/`.
pub const LETTERS: &[(&str, &str)] = &[
    (
        "surat_permohonan",
        "Surat permohonan pemanfaatan data kependudukan",
    ),
    (
        "surat_persetujuan_gubernur",
        "Surat Gubernur/Sekda kepada Dirjen Dukcapil",
    ),
    ("surat_izin_kepala_daerah", "Surat izin Bupati/Wali Kota"),
    ("pks", "Perjanjian Kerja Sama"),
    ("adendum_pks", "Adendum Perjanjian Kerja Sama"),
    (
        "berita_acara_konsultasi_pks",
        "Berita acara konsultasi draf PKS dengan Disdukcapil Provinsi",
    ),
    ("juknis", "Petunjuk teknis"),
    ("surat_spesifikasi_teknis", "Penyampaian spesifikasi teknis"),
    (
        "surat_pernyataan_jaringan",
        "Surat pernyataan jaringan tertutup dan aman",
    ),
    ("permohonan_user_id_uji", "Permohonan user ID uji coba"),
    ("laporan_uji_beban", "Laporan uji beban (stress test)"),
    ("berita_acara_poc", "Berita acara proof of concept"),
    ("permohonan_user_id_produksi", "Permohonan user ID produksi"),
    ("laporan_evaluasi", "Laporan evaluasi semester"),
    (
        "surat_pengakhiran_pks",
        "Surat pemberitahuan pengakhiran Perjanjian Kerja Sama",
    ),
    (
        "surat_jawaban_data_agregat",
        "Surat jawaban permohonan data agregat",
    ),
];

/// The letters the agency issues on its own letterhead: numbered in the agency's register
/// (`letter::register_of` says whose register numbers each letter).
pub use crate::letter::AGENCY_LETTERS;

pub fn issued_by_agency(letter: &str) -> bool {
    AGENCY_LETTERS.contains(&letter)
}

/// Documents that are uploaded rather than generated.
pub const DOCUMENTS: &[(&str, &str)] = &[
    ("persetujuan_dirjen", "Surat persetujuan Dirjen Dukcapil"),
    ("penolakan_dirjen", "Surat penolakan Dirjen Dukcapil"),
    (
        "persetujuan_menteri",
        "Persetujuan Menteri untuk elemen data yang dilindungi",
    ),
    (
        "spesifikasi_teknis",
        "Dokumen spesifikasi teknis lembaga pengguna",
    ),
    (
        "pernyataan_jaringan",
        "Surat pernyataan jaringan tertutup yang ditandatangani",
    ),
    ("laporan_uji_beban", "Laporan hasil uji beban"),
    (
        "berita_acara_poc",
        "Berita acara proof of concept yang ditandatangani",
    ),
    ("akta_badan_hukum", "Akta pendirian dan izin badan hukum"),
    ("laporan_semester", "Laporan semester lembaga pengguna"),
];

pub fn letter_title(name: &str) -> Option<&'static str> {
    LETTERS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

pub fn document_title(kind: &str) -> Option<&'static str> {
    DOCUMENTS.iter().find(|(n, _)| *n == kind).map(|(_, t)| *t)
}

/// The uploaded documents the core itself asks for in an individual-data workflow, whatever its
/// transitions require: the signed closed-network statement (the attestation rests on it), the
/// Minister's approval (protected elements) and the semester report (an evaluation pass). Such
/// a workflow must say who files each of them.
pub const CORE_DOCUMENTS: &[&str] = &[
    "pernyataan_jaringan",
    "persetujuan_menteri",
    "laporan_semester",
];

/// Who files what in a workflow version registered before files declared it (`[documents]`):
/// the rule the shipped files declare, so applications pinned to an older version are held to
/// it too. A file read from `workflows/` must declare its own table; this is only the meaning
/// of stored versions without one ([`Workflow::from_stored_toml`]).
const LEGACY_FILERS: &[(&str, &[Role])] = &[
    ("persetujuan_dirjen", &[Role::Central, Role::Coordinator]),
    ("penolakan_dirjen", &[Role::Central, Role::Coordinator]),
    ("persetujuan_menteri", &[Role::Central, Role::Coordinator]),
    ("spesifikasi_teknis", &[Role::AgencyHead, Role::Coordinator]),
    (
        "pernyataan_jaringan",
        &[Role::AgencyHead, Role::Coordinator],
    ),
    ("laporan_uji_beban", &[Role::AgencyHead, Role::Coordinator]),
    ("berita_acara_poc", &[Role::Coordinator, Role::AgencyHead]),
    ("akta_badan_hukum", &[Role::AgencyHead, Role::Coordinator]),
    ("laporan_semester", &[Role::AgencyHead, Role::Coordinator]),
];

/// Who files the signed scan of each letter (`signed:<letter>`) in a stored version whose
/// `[documents]` does not say: the rule the shipped files declare. The party that signs or sends
/// a letter files its scan: the agency its own letters; the office the letters it signs and the
/// ones the regional head sends it (the applicant never files the Governor's or the Bupati's
/// letter); Ditjen, too, the requests addressed to it.
const LEGACY_SIGNED_FILERS: &[(&str, &[Role])] = &[
    ("surat_permohonan", &[Role::AgencyHead, Role::Coordinator]),
    ("surat_persetujuan_gubernur", &[Role::Coordinator]),
    ("surat_izin_kepala_daerah", &[Role::Coordinator]),
    ("pks", &[Role::Coordinator, Role::AgencyHead]),
    ("adendum_pks", &[Role::Coordinator, Role::AgencyHead]),
    ("surat_pengakhiran_pks", &[Role::Coordinator]),
    ("berita_acara_konsultasi_pks", &[Role::Coordinator]),
    ("juknis", &[Role::Coordinator, Role::AgencyHead]),
    (
        "surat_spesifikasi_teknis",
        &[Role::AgencyHead, Role::Coordinator],
    ),
    (
        "surat_pernyataan_jaringan",
        &[Role::AgencyHead, Role::Coordinator],
    ),
    (
        "permohonan_user_id_uji",
        &[Role::Coordinator, Role::Central],
    ),
    ("laporan_uji_beban", &[Role::AgencyHead, Role::Coordinator]),
    ("berita_acara_poc", &[Role::Coordinator, Role::AgencyHead]),
    (
        "permohonan_user_id_produksi",
        &[Role::Coordinator, Role::Central],
    ),
    ("laporan_evaluasi", &[Role::Coordinator, Role::Central]),
    ("surat_jawaban_data_agregat", &[Role::Coordinator]),
];

/// The title of a document key for messages: an uploaded kind's, or for `signed:<letter>` the
/// signed scan of that letter.
pub fn filing_title(key: &str) -> Option<String> {
    match key.strip_prefix("signed:") {
        Some(letter) => letter_title(letter).map(|t| format!("Pindaian bertanda tangan {t}")),
        None => document_title(key).map(str::to_string),
    }
}

/// Why a role may not file a document of some kind ([`Workflow::may_file`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum FilingRefusal {
    /// The workflow lets other roles file this kind: the party that signs it, or the office
    /// that receives it. A 403.
    #[error("only {} may file `{kind}`; role {role} may not", roles_en(.filers))]
    NotFiler {
        kind: String,
        role: Role,
        filers: Vec<Role>,
    },
    /// The workflow takes no document of this kind.
    #[error("the workflow takes no `{kind}` document")]
    NotInWorkflow { kind: String, accepted: Vec<String> },
    /// Not an uploaded document kind at all.
    #[error("unknown document kind `{kind}`")]
    UnknownKind { kind: String },
}

fn roles_en(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn roles_id(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.name_id())
        .collect::<Vec<_>>()
        .join(", ")
}

impl FilingRefusal {
    /// True when the actor's role is the reason (a 403), not the document asked for (a 422).
    pub fn is_permission(&self) -> bool {
        matches!(self, FilingRefusal::NotFiler { .. })
    }

    /// Formal Indonesian.
    pub fn message_id(&self) -> String {
        match self {
            FilingRefusal::NotFiler { kind, role, filers } => format!(
                "{} hanya dapat diunggah oleh {}; peran {} tidak berwenang mengunggahnya.",
                filing_title(kind).unwrap_or_else(|| kind.clone()),
                roles_id(filers),
                role.name_id()
            ),
            FilingRefusal::NotInWorkflow { kind, accepted } => format!(
                "{} tidak digunakan pada alur ini; dokumen yang dapat diunggah: {}.",
                filing_title(kind).unwrap_or_else(|| kind.clone()),
                if accepted.is_empty() {
                    "tidak ada".to_string()
                } else {
                    accepted.join(", ")
                }
            ),
            FilingRefusal::UnknownKind { kind } => {
                format!("Jenis dokumen `{kind}` tidak dikenal.")
            }
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            FilingRefusal::NotFiler { kind, role, filers } => format!(
                "Only {} may file the document `{kind}`; role {role} may not.",
                roles_en(filers)
            ),
            FilingRefusal::NotInWorkflow { kind, accepted } => format!(
                "This workflow takes no `{kind}` document; it takes: {}.",
                if accepted.is_empty() {
                    "none".to_string()
                } else {
                    accepted.join(", ")
                }
            ),
            FilingRefusal::UnknownKind { kind } => format!("Unknown document kind `{kind}`."),
        }
    }
}

/// What a transition needs before it may fire.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum Requirement {
    /// The signed scan of a generated letter is on file (`signed:<letter>`).
    Signed(String),
    /// An uploaded document of this kind is on file (`document:<kind>`).
    Document(String),
    /// A closed-network attestation is recorded and not withdrawn.
    Attestation,
    /// The current PKS draft has been approved in review.
    PksApproved,
    /// The Minister's approval is on record — needed only when the request holds protected elements.
    MinisterApproval,
    /// The actor must explain the action (returns and refusals).
    Comment,
    /// The calendar has announced the PKS's end (its first reminder, 180 days ahead): from then
    /// on a renewal may start (`term_ending`).
    TermEnding,
}

impl Requirement {
    fn parse(s: &str) -> Result<Self, String> {
        match s {
            "attestation" => return Ok(Requirement::Attestation),
            "pks_approved" => return Ok(Requirement::PksApproved),
            "minister_approval" => return Ok(Requirement::MinisterApproval),
            "comment" => return Ok(Requirement::Comment),
            "term_ending" => return Ok(Requirement::TermEnding),
            _ => {}
        }
        if let Some(letter) = s.strip_prefix("signed:") {
            return if letter_title(letter).is_some() {
                Ok(Requirement::Signed(letter.to_string()))
            } else {
                Err(format!(
                    "unknown letter `{letter}` in `{s}`; known letters: {}",
                    names(LETTERS)
                ))
            };
        }
        if let Some(kind) = s.strip_prefix("document:") {
            return if document_title(kind).is_some() {
                Ok(Requirement::Document(kind.to_string()))
            } else {
                Err(format!(
                    "unknown document kind `{kind}` in `{s}`; known kinds: {}",
                    names(DOCUMENTS)
                ))
            };
        }
        Err(format!(
            "unknown requirement `{s}`; use attestation, pks_approved, minister_approval, comment, \
             signed:<letter> or document:<kind>"
        ))
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Requirement::Signed(l) => write!(f, "signed:{l}"),
            Requirement::Document(k) => write!(f, "document:{k}"),
            Requirement::Attestation => f.write_str("attestation"),
            Requirement::PksApproved => f.write_str("pks_approved"),
            Requirement::MinisterApproval => f.write_str("minister_approval"),
            Requirement::Comment => f.write_str("comment"),
            Requirement::TermEnding => f.write_str("term_ending"),
        }
    }
}

fn names(list: &[(&str, &str)]) -> String {
    list.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
}

/// What a transition does besides moving the stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// A new PKS draft version, drafted by the actor.
    DraftPks,
    /// The reviewer sends the draft back (needs a comment).
    ReturnPks,
    /// The reviewer approves the current draft: never the person who drafted it (four-eyes).
    ApprovePks,
    /// The approved PKS is signed; needs the Minister's approval when protected elements are asked.
    SignPks,
    /// Test user ID: only behind a recorded, unwithdrawn closed-network attestation.
    IssueTestGrant,
    /// Production user ID: same gate; starts the six-monthly evaluation calendar.
    IssueProductionGrant,
    SuspendGrants,
    RestoreGrants,
    RevokeGrants,
    /// The renewal (perpanjangan) is signed: every live user ID runs on to the end of the new
    /// PKS, without a gap. Only with `sign_pks` in the same transition, which dates the new term.
    ExtendGrants,
    /// An addendum to the live agreement is proposed: the transition carries the whole new
    /// scope (`addendum`), checked as a request is.
    ProposeAddendum,
    /// The approved addendum is signed: its scope holds and every live user ID is re-scoped.
    /// Needs the Minister's approval when it adds a protected element.
    SignAddendum,
    /// The proposed addendum is dropped; the scope stays.
    DropAddendum,
}

impl Effect {
    pub fn issues_grant(self) -> bool {
        matches!(self, Effect::IssueTestGrant | Effect::IssueProductionGrant)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Handled by the provincial Disdukcapil; approval signed by the Governor or Sekda.
    Provinsi,
    /// Handled by a kab/kota Disdukcapil; permission from the Bupati/Wali Kota; PKS consulted with the province.
    Kabkota,
    /// Any Disdukcapil (aggregate requests are answered by whichever office holds the data).
    Any,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stage {
    pub name: String,
    pub title: String,
    /// Days the stage should take (service-level target); `None` for terminal stages.
    pub sla_days: Option<u32>,
    pub terminal: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transition {
    pub action: String,
    pub title: String,
    pub from: Vec<String>,
    pub to: String,
    pub roles: Vec<Role>,
    pub requires: Vec<Requirement>,
    pub letter: Option<String>,
    pub effects: Vec<Effect>,
    /// The action ends or takes something away (rejects, cancels, ends the agreement, suspends
    /// access): pages draw it apart from the others and ask for confirmation first.
    pub destructive: bool,
    /// A way the parties may take at any time (an addendum), never a step the application
    /// waits on: it is in nobody's inbox and never "next".
    pub optional: bool,
}

impl Transition {
    pub fn has(&self, e: Effect) -> bool {
        self.effects.contains(&e)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Submission {
    pub stage: String,
    pub roles: Vec<Role>,
    pub letter: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvaluationPolicy {
    pub interval_months: u32,
    /// Days after the due date before an evaluation is overdue (and grants are suspended).
    pub grace_days: u32,
    /// Days before the due date when reminders go out.
    pub reminder_days: u32,
    /// The report letter numbered when an outcome is recorded (`laporan_evaluasi`).
    pub letter: Option<String>,
}

/// A loaded, validated workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Workflow {
    pub name: String,
    pub title: String,
    /// SHA-256 of the file's bytes: an application stays pinned to the version it started on.
    pub hash: String,
    pub level: Level,
    pub data_type: DataType,
    pub allowed_methods: Vec<AccessMethod>,
    pub max_duration_months: u16,
    pub submission: Submission,
    pub evaluation: EvaluationPolicy,
    pub stages: Vec<Stage>,
    pub transitions: Vec<Transition>,
    /// Who may file each uploaded document kind (`[documents]`), the first role being the one
    /// the next-step box names. A kind not listed is not filed in this workflow.
    pub documents: BTreeMap<String, Vec<Role>>,
}

impl Workflow {
    pub fn stage(&self, name: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.name == name)
    }

    pub fn transition(&self, action: &str) -> Option<&Transition> {
        self.transitions.iter().find(|t| t.action == action)
    }

    /// The transitions that leave `stage`.
    pub fn transitions_from<'a>(
        &'a self,
        stage: &'a str,
    ) -> impl Iterator<Item = &'a Transition> + 'a {
        self.transitions
            .iter()
            .filter(move |t| t.from.iter().any(|f| f == stage))
    }

    /// Every letter the workflow produces, each once, in pipeline order: the submission's, the
    /// transitions', then the evaluation report.
    pub fn letters(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        let all = self
            .submission
            .letter
            .iter()
            .chain(self.transitions.iter().filter_map(|t| t.letter.as_ref()))
            .chain(self.evaluation.letter.iter());
        for name in all {
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
        names
    }

    pub fn request_policy(&self) -> RequestPolicy {
        RequestPolicy {
            data_type: self.data_type,
            allowed_methods: self.allowed_methods.clone(),
            max_duration_months: self.max_duration_months,
        }
    }

    /// The roles that may file a document of `kind`; empty when the workflow takes none.
    pub fn filers(&self, kind: &str) -> &[Role] {
        self.documents.get(kind).map_or(&[], Vec::as_slice)
    }

    /// The role that provides a document of `kind`: the first the workflow names.
    pub fn document_filer(&self, kind: &str) -> Option<Role> {
        self.filers(kind).first().copied()
    }

    /// Whether `role` may file an uploaded document of `kind`, or the signed scan of a letter
    /// (`signed:<letter>`). Read-only roles (auditor, admin) are never filers: a document is
    /// filed by whoever vouches for it, never by an administrator on their behalf.
    pub fn may_file(&self, kind: &str, role: Role) -> Result<(), FilingRefusal> {
        if filing_title(kind).is_none() {
            return Err(FilingRefusal::UnknownKind {
                kind: kind.to_string(),
            });
        }
        let filers = self.filers(kind);
        if filers.is_empty() {
            return Err(FilingRefusal::NotInWorkflow {
                kind: kind.to_string(),
                accepted: self.documents.keys().cloned().collect(),
            });
        }
        if filers.contains(&role) {
            Ok(())
        } else {
            Err(FilingRefusal::NotFiler {
                kind: kind.to_string(),
                role,
                filers: filers.to_vec(),
            })
        }
    }

    /// Parses and validates a workflow file. `file` is only used in error messages.
    pub fn from_toml(file: &str, source: &str) -> Result<Workflow, WorkflowErrors> {
        Self::parse(file, source, false)
    }

    /// Parses a version kept in the store. A version registered before files declared who files
    /// each document (`[documents]`) is read with the rule the shipped files declare; anything
    /// else is checked as [`Workflow::from_toml`] does.
    pub fn from_stored_toml(file: &str, source: &str) -> Result<Workflow, WorkflowErrors> {
        Self::parse(file, source, true)
    }

    fn parse(file: &str, source: &str, stored: bool) -> Result<Workflow, WorkflowErrors> {
        let raw: RawWorkflow = toml::from_str(source).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            WorkflowErrors(vec![WorkflowError::at(
                file,
                source,
                span,
                e.message().trim().to_string(),
                "fix the TOML syntax or field at this place; see workflows/README.md for the format",
            )])
        })?;
        Validator {
            file,
            source,
            errors: Vec::new(),
            stored,
        }
        .validate(raw, source)
    }
}

/// One problem in a workflow file, with where it is and what to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub hint: String,
}

impl WorkflowError {
    fn at(
        file: &str,
        source: &str,
        span: Range<usize>,
        message: String,
        hint: impl Into<String>,
    ) -> Self {
        let (line, column) = line_col(source, span.start);
        WorkflowError {
            file: file.to_string(),
            line,
            column,
            message,
            hint: hint.into(),
        }
    }
}

impl fmt::Display for WorkflowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: error: {}\n  help: {}",
            self.file, self.line, self.column, self.message, self.hint
        )
    }
}

/// Every problem found in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowErrors(pub Vec<WorkflowError>);

impl fmt::Display for WorkflowErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for WorkflowErrors {}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

// ---- The file as written -------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvaluation {
    interval_months: u32,
    grace_days: u32,
    reminder_days: u32,
    letter: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorkflow {
    workflow: RawHeader,
    submission: RawSubmission,
    evaluation: Option<RawEvaluation>,
    #[serde(default)]
    stage: Vec<RawStage>,
    #[serde(default)]
    transition: Vec<RawTransition>,
    /// Document kind → the roles that may file it.
    documents: Option<Spanned<RawFilers>>,
}

/// `[documents]` as written: each kind with its roles, every name with its place in the file.
type RawFilers = BTreeMap<Spanned<String>, Spanned<Vec<Spanned<String>>>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    name: Spanned<String>,
    title: String,
    level: Level,
    data_type: DataType,
    allowed_methods: Option<Spanned<Vec<AccessMethod>>>,
    max_duration_months: Spanned<u16>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSubmission {
    stage: Spanned<String>,
    roles: Vec<Spanned<String>>,
    letter: Option<Spanned<String>>,
}

/// The longest stage target a workflow may set. The dashboard counts waits past their target from
/// counters kept per entry day for this long (`stats::OPEN_EXACT_DAYS`), so the count is exact.
pub const MAX_SLA_DAYS: u32 = 180;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStage {
    name: Spanned<String>,
    title: String,
    sla_days: Option<u32>,
    #[serde(default)]
    terminal: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTransition {
    action: Spanned<String>,
    title: String,
    from: Vec<Spanned<String>>,
    to: Spanned<String>,
    roles: Vec<Spanned<String>>,
    #[serde(default)]
    requires: Vec<Spanned<String>>,
    letter: Option<Spanned<String>>,
    #[serde(default)]
    effects: Vec<Spanned<Effect>>,
    #[serde(default)]
    destructive: bool,
    #[serde(default)]
    optional: bool,
}

struct Validator<'a> {
    file: &'a str,
    source: &'a str,
    errors: Vec<WorkflowError>,
    /// A version read back from the store: it may predate `[documents]`.
    stored: bool,
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        && s.as_bytes()[0].is_ascii_lowercase()
}

impl<'a> Validator<'a> {
    fn err(&mut self, span: Range<usize>, message: String, hint: impl Into<String>) {
        self.errors.push(WorkflowError::at(
            self.file,
            self.source,
            span,
            message,
            hint,
        ));
    }

    fn roles(&mut self, list: &[Spanned<String>], whose: &str) -> Vec<Role> {
        if list.is_empty() {
            // No span for an empty array we could point at more precisely than the owner.
        }
        let mut roles = Vec::new();
        for r in list {
            match r.get_ref().parse::<Role>() {
                Ok(role) if roles.contains(&role) => self.err(
                    r.span(),
                    format!("role `{role}` is listed twice in {whose}"),
                    "list each role once",
                ),
                Ok(role) => roles.push(role),
                Err(e) => self.err(r.span(), e.to_string(), "correct the role name"),
            }
        }
        roles
    }

    fn letter(&mut self, l: &Option<Spanned<String>>) -> Option<String> {
        let l = l.as_ref()?;
        if letter_title(l.get_ref()).is_none() {
            self.err(
                l.span(),
                format!("unknown letter `{}`", l.get_ref()),
                format!("use one of the letter templates: {}", names(LETTERS)),
            );
            return None;
        }
        Some(l.get_ref().clone())
    }

    fn validate(mut self, raw: RawWorkflow, source: &str) -> Result<Workflow, WorkflowErrors> {
        let h = &raw.workflow;
        if !valid_name(h.name.get_ref()) {
            self.err(
                h.name.span(),
                format!(
                    "workflow name `{}` is not a valid identifier",
                    h.name.get_ref()
                ),
                "use lowercase letters, digits, `_` or `-`, starting with a letter",
            );
        }
        let no_methods = Vec::new();
        let methods = h
            .allowed_methods
            .as_ref()
            .map_or(&no_methods, |m| m.get_ref());
        let methods_span = h
            .allowed_methods
            .as_ref()
            .map_or(h.name.span(), |m| m.span());
        match h.data_type {
            DataType::Individual if methods.is_empty() => self.err(
                methods_span.clone(),
                "an individual-data workflow must allow at least one access method".into(),
                "set allowed_methods, e.g. [\"web_portal\"]",
            ),
            DataType::Aggregate if !methods.is_empty() => self.err(
                methods_span.clone(),
                "an aggregate-data workflow answers by letter and allows no access method".into(),
                "remove allowed_methods",
            ),
            _ => {}
        }
        let dup_method = methods
            .iter()
            .enumerate()
            .any(|(i, m)| methods[..i].contains(m));
        if dup_method {
            self.err(
                methods_span.clone(),
                "an access method is listed twice".into(),
                "list each method once",
            );
        }
        if *h.max_duration_months.get_ref() == 0 {
            self.err(
                h.max_duration_months.span(),
                "max_duration_months must be at least 1".into(),
                "e.g. 60",
            );
        }

        // Stages: unique names.
        let mut stages: Vec<Stage> = Vec::new();
        let mut stage_spans: BTreeMap<String, Range<usize>> = BTreeMap::new();
        for s in &raw.stage {
            let name = s.name.get_ref();
            if !valid_name(name) {
                self.err(
                    s.name.span(),
                    format!("stage name `{name}` is not a valid identifier"),
                    "use lowercase letters, digits, `_` or `-`, starting with a letter",
                );
            }
            if stage_spans.contains_key(name) {
                self.err(
                    s.name.span(),
                    format!("duplicate stage `{name}`"),
                    "rename one of the stages",
                );
                continue;
            }
            stage_spans.insert(name.clone(), s.name.span());
            if let Some(days) = s.sla_days.filter(|d| !(1..=MAX_SLA_DAYS).contains(d)) {
                self.err(
                    s.name.span(),
                    format!("stage `{name}` has sla_days = {days}, outside 1..={MAX_SLA_DAYS}"),
                    "set a target of at most half a year, or leave sla_days out for a stage without one",
                );
            }
            stages.push(Stage {
                name: name.clone(),
                title: s.title.clone(),
                sla_days: s.sla_days,
                terminal: s.terminal,
            });
        }
        if stages.is_empty() {
            self.err(
                0..0,
                "the workflow has no stages".into(),
                "add [[stage]] tables",
            );
        }
        if !stages.iter().any(|s| s.terminal) && !stages.is_empty() {
            self.err(
                0..0,
                "the workflow has no terminal stage".into(),
                "mark the end stages with `terminal = true`",
            );
        }
        let known = |n: &str| stage_spans.contains_key(n);

        let sub_stage = &raw.submission.stage;
        if !known(sub_stage.get_ref()) {
            self.err(
                sub_stage.span(),
                format!("unknown stage `{}` in [submission]", sub_stage.get_ref()),
                "name a stage declared with [[stage]]",
            );
        }
        let sub_roles = self.roles(&raw.submission.roles, "[submission]");
        if sub_roles.is_empty() {
            self.err(
                sub_stage.span(),
                "[submission] names no role".into(),
                "set roles = [\"agency_head\"]",
            );
        }
        let submission = Submission {
            stage: sub_stage.get_ref().clone(),
            roles: sub_roles,
            letter: self.letter(&raw.submission.letter),
        };

        // Transitions.
        let mut transitions = Vec::new();
        let mut actions: BTreeSet<String> = BTreeSet::new();
        for t in &raw.transition {
            let action = t.action.get_ref();
            if !valid_name(action) {
                self.err(
                    t.action.span(),
                    format!("action name `{action}` is not a valid identifier"),
                    "use lowercase letters, digits, `_` or `-`, starting with a letter",
                );
            }
            if !actions.insert(action.clone()) {
                self.err(
                    t.action.span(),
                    format!("duplicate action `{action}`"),
                    "give each transition its own action name (one action may leave several stages via `from`)",
                );
            }
            let mut from = Vec::new();
            if t.from.is_empty() {
                self.err(
                    t.action.span(),
                    format!("transition `{action}` has an empty `from`"),
                    "list the stages it leaves",
                );
            }
            for f in &t.from {
                if !known(f.get_ref()) {
                    self.err(
                        f.span(),
                        format!("unknown stage `{}` in `from` of `{action}`", f.get_ref()),
                        "name a declared stage",
                    );
                } else if stages.iter().any(|s| &s.name == f.get_ref() && s.terminal) {
                    self.err(
                        f.span(),
                        format!("transition `{action}` leaves terminal stage `{}`", f.get_ref()),
                        "a terminal stage has no way out: remove it from `from` or drop `terminal = true`",
                    );
                } else if from.contains(f.get_ref()) {
                    self.err(
                        f.span(),
                        format!("stage `{}` is listed twice in `from`", f.get_ref()),
                        "list it once",
                    );
                } else {
                    from.push(f.get_ref().clone());
                }
            }
            if !known(t.to.get_ref()) {
                self.err(
                    t.to.span(),
                    format!("unknown stage `{}` in `to` of `{action}`", t.to.get_ref()),
                    "name a declared stage",
                );
            }
            let roles = self.roles(&t.roles, &format!("transition `{action}`"));
            if t.roles.is_empty() {
                self.err(
                    t.action.span(),
                    format!("transition `{action}` names no role"),
                    "set roles = [...]",
                );
            }
            for r in &roles {
                if matches!(r, Role::Auditor | Role::Admin) {
                    let span = t
                        .roles
                        .iter()
                        .find(|s| s.get_ref() == r.as_str())
                        .map_or(0..0, |s| s.span());
                    self.err(
                        span,
                        format!("role `{r}` only reads applications and cannot fire `{action}`"),
                        "remove it",
                    );
                }
            }
            let mut requires = Vec::new();
            for r in &t.requires {
                match Requirement::parse(r.get_ref()) {
                    Ok(req) if requires.contains(&req) => self.err(
                        r.span(),
                        format!("requirement `{req}` is listed twice"),
                        "list it once",
                    ),
                    Ok(req) => requires.push(req),
                    Err(msg) => self.err(r.span(), msg, "correct the requirement"),
                }
            }
            let mut effects: Vec<Effect> = Vec::new();
            for e in &t.effects {
                if effects.contains(e.get_ref()) {
                    self.err(e.span(), "an effect is listed twice".into(), "list it once");
                } else {
                    effects.push(*e.get_ref());
                }
            }
            // The attestation gate is enforced by the core whatever the file says; a file that
            // forgets it would still mislead its readers, so say so.
            if effects.iter().any(|e| e.issues_grant())
                && !requires.contains(&Requirement::Attestation)
            {
                self.err(
                    t.action.span(),
                    format!("transition `{action}` issues a user ID but does not require the closed-network attestation"),
                    "add \"attestation\" to `requires`",
                );
            }
            if effects.contains(&Effect::ReturnPks) && !requires.contains(&Requirement::Comment) {
                self.err(
                    t.action.span(),
                    format!("`{action}` returns a PKS draft without a comment"),
                    "add \"comment\" to `requires`",
                );
            }
            if effects.contains(&Effect::SignPks) && !requires.contains(&Requirement::PksApproved) {
                self.err(
                    t.action.span(),
                    format!("`{action}` signs a PKS that need not be approved"),
                    "add \"pks_approved\" to `requires`",
                );
            }
            if effects.contains(&Effect::ExtendGrants) && !effects.contains(&Effect::SignPks) {
                self.err(
                    t.action.span(),
                    format!("`{action}` extends the user IDs without signing a new PKS"),
                    "add \"sign_pks\" to `effects` before \"extend_grants\": the new PKS dates the new term",
                );
            }
            if effects.contains(&Effect::SignAddendum) {
                if !requires.contains(&Requirement::PksApproved) {
                    self.err(
                        t.action.span(),
                        format!("`{action}` signs an addendum that need not be approved"),
                        "add \"pks_approved\" to `requires`",
                    );
                }
                if effects.contains(&Effect::SignPks) {
                    self.err(
                        t.action.span(),
                        format!("`{action}` signs a PKS and an addendum in one step"),
                        "keep \"sign_addendum\" and \"sign_pks\" on separate transitions: an addendum does not start a new term",
                    );
                }
            }
            if h.data_type == DataType::Aggregate && !effects.is_empty() {
                self.err(
                    t.action.span(),
                    format!(
                        "`{action}` has effects, but aggregate requests have no PKS and no user ID"
                    ),
                    "remove `effects` from this transition",
                );
            }
            let letter = self.letter(&t.letter);
            transitions.push(Transition {
                action: action.clone(),
                title: t.title.clone(),
                from,
                to: t.to.get_ref().clone(),
                roles,
                requires,
                letter,
                effects,
                destructive: t.destructive,
                optional: t.optional,
            });
        }

        // Reachability from the submission stage, and dead ends.
        if known(&submission.stage) {
            let mut reached: BTreeSet<&str> = BTreeSet::new();
            let mut queue = VecDeque::from([submission.stage.as_str()]);
            while let Some(s) = queue.pop_front() {
                if reached.insert(s) {
                    for t in transitions.iter().filter(|t| t.from.iter().any(|f| f == s)) {
                        queue.push_back(t.to.as_str());
                    }
                }
            }
            for s in &stages {
                let span = stage_spans[&s.name].clone();
                if !reached.contains(s.name.as_str()) {
                    self.err(
                        span.clone(),
                        format!(
                            "stage `{}` cannot be reached from the submission stage `{}`",
                            s.name, submission.stage
                        ),
                        "add a transition into it, or remove the stage",
                    );
                }
                let leaves = transitions.iter().any(|t| t.from.contains(&s.name));
                if !s.terminal && !leaves {
                    self.err(
                        span,
                        format!("stage `{}` is a dead end: it is not terminal and no transition leaves it", s.name),
                        "add a transition out of it, or mark it `terminal = true`",
                    );
                }
            }
        }
        if raw.evaluation.is_none() && h.data_type == DataType::Individual {
            self.err(
                0..0,
                "an individual-data workflow needs an [evaluation] table".into(),
                "add [evaluation] interval_months = 6, grace_days = 30, reminder_days = 14",
            );
        }
        if let Some(ev) = &raw.evaluation
            && ev.interval_months == 0
        {
            self.err(
                0..0,
                "[evaluation] interval_months must be at least 1".into(),
                "the domain's rule is 6",
            );
        }
        let evaluation = match &raw.evaluation {
            Some(ev) => EvaluationPolicy {
                interval_months: ev.interval_months,
                grace_days: ev.grace_days,
                reminder_days: ev.reminder_days,
                letter: self.letter(&ev.letter),
            },
            None => EvaluationPolicy {
                interval_months: 6,
                grace_days: 30,
                reminder_days: 14,
                letter: None,
            },
        };

        let produced: Vec<&str> = submission
            .letter
            .iter()
            .chain(transitions.iter().filter_map(|t| t.letter.as_ref()))
            .chain(evaluation.letter.iter())
            .map(String::as_str)
            .collect();
        let documents = self.documents(&raw, h.data_type, &transitions, &produced);

        if !self.errors.is_empty() {
            self.errors.sort_by_key(|e| (e.line, e.column));
            return Err(WorkflowErrors(self.errors));
        }
        Ok(Workflow {
            name: h.name.get_ref().clone(),
            title: h.title.clone(),
            hash: hex::encode(Sha256::digest(source.as_bytes())),
            level: h.level,
            data_type: h.data_type,
            allowed_methods: methods.clone(),
            max_duration_months: *h.max_duration_months.get_ref(),
            submission,
            evaluation,
            stages,
            transitions,
            documents,
        })
    }

    /// `[documents]`: every kind known, every role one that writes, each listed once, no kind
    /// without a filer; and a filer for every document the workflow or the core asks for.
    fn documents(
        &mut self,
        raw: &RawWorkflow,
        data_type: DataType,
        transitions: &[Transition],
        produced: &[&str],
    ) -> BTreeMap<String, Vec<Role>> {
        let mut documents: BTreeMap<String, Vec<Role>> = BTreeMap::new();
        // A stored version that does not say who files a letter's signed scan (it predates
        // `signed:` keys) is read with the shipped rule.
        let legacy_signed = |documents: &mut BTreeMap<String, Vec<Role>>| {
            for (letter, roles) in LEGACY_SIGNED_FILERS {
                if produced.contains(letter) {
                    documents
                        .entry(format!("signed:{letter}"))
                        .or_insert_with(|| roles.to_vec());
                }
            }
        };
        let Some(table) = &raw.documents else {
            if self.stored {
                for (kind, roles) in LEGACY_FILERS {
                    documents.insert(kind.to_string(), roles.to_vec());
                }
                legacy_signed(&mut documents);
            } else {
                self.err(
                    0..0,
                    "the workflow does not say who may file its uploaded documents".into(),
                    "add a [documents] table naming, for each document kind, the roles that may \
                     file it, e.g. persetujuan_dirjen = [\"central\"]; see workflows/README.md",
                );
            }
            return documents;
        };
        for (kind, roles) in table.get_ref() {
            let name = kind.get_ref();
            if let Some(letter) = name.strip_prefix("signed:") {
                if letter_title(letter).is_none() {
                    self.err(
                        kind.span(),
                        format!("unknown letter `{letter}` in [documents] `{name}`"),
                        format!("use one of the letters: {}", names(LETTERS)),
                    );
                    continue;
                }
                if !produced.contains(&letter) {
                    self.err(
                        kind.span(),
                        format!("[documents] `{name}`: the workflow issues no `{letter}`"),
                        "remove the line: only the letters the workflow issues are signed and filed",
                    );
                    continue;
                }
            } else if document_title(name).is_none() {
                self.err(
                    kind.span(),
                    format!("unknown document kind `{name}` in [documents]"),
                    format!(
                        "use one of the document kinds: {}, or signed:<letter> for a letter's signed scan",
                        names(DOCUMENTS)
                    ),
                );
                continue;
            }
            let whose = format!("[documents] `{name}`");
            let mut filers = self.roles(roles.get_ref(), &whose);
            for r in roles.get_ref() {
                if let Ok(role) = r.get_ref().parse::<Role>()
                    && matches!(role, Role::Auditor | Role::Admin)
                {
                    self.err(
                        r.span(),
                        format!("role `{role}` only reads applications and cannot file `{name}`"),
                        "remove it: a document is filed by the party that signs it or the office \
                         that receives it, never by an administrator on their behalf",
                    );
                }
            }
            filers.retain(|r| !matches!(r, Role::Auditor | Role::Admin));
            if roles.get_ref().is_empty() {
                self.err(
                    roles.span(),
                    format!("document `{name}` names no role that may file it"),
                    format!(
                        "list who files it, e.g. {name} = [\"agency_head\"], or remove the line \
                         if the workflow takes no such document"
                    ),
                );
            }
            if !filers.is_empty() {
                documents.insert(name.clone(), filers);
            }
        }
        // Every document asked for must have someone to file it, or the application is stuck.
        let declared = |k: &str| table.get_ref().keys().any(|key| key.get_ref() == k);
        // And so must the signed scan of every letter the workflow issues.
        if self.stored {
            legacy_signed(&mut documents);
        } else {
            for letter in produced {
                let key = format!("signed:{letter}");
                if !declared(&key) && !self.errors.iter().any(|e| e.message.contains(&key)) {
                    self.err(
                        table.span(),
                        format!(
                            "[documents] does not say who files `{key}`, the signed scan of a letter the workflow issues"
                        ),
                        format!(
                            "add \"{key}\" = [\"<role>\"]: the party that signs or sends the letter, or the office that receives it"
                        ),
                    );
                }
            }
        }
        for t in transitions {
            for r in &t.requires {
                if let Requirement::Document(kind) = r
                    && !declared(kind)
                {
                    let span = raw
                        .transition
                        .iter()
                        .find(|rt| rt.action.get_ref() == &t.action)
                        .and_then(|rt| rt.requires.iter().find(|q| q.get_ref() == &r.to_string()))
                        .map_or(0..0, |q| q.span());
                    self.err(
                        span,
                        format!(
                            "`{}` requires document `{kind}`, but [documents] names no role that may file it",
                            t.action
                        ),
                        format!("add {kind} = [\"<role>\"] to [documents]"),
                    );
                }
            }
        }
        if data_type == DataType::Individual {
            for kind in CORE_DOCUMENTS {
                if !declared(kind) {
                    self.err(
                        table.span(),
                        format!(
                            "[documents] names no role that may file `{kind}`, which an individual-data workflow needs"
                        ),
                        format!(
                            "add {kind} = [\"<role>\"]: the core asks for it (closed-network \
                             statement, Minister's approval, semester report)"
                        ),
                    );
                }
            }
        }
        documents
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: &[(&str, &str)] = &[
        (
            "pks-kabkota.toml",
            include_str!("../../../workflows/pks-kabkota.toml"),
        ),
        (
            "pks-provinsi.toml",
            include_str!("../../../workflows/pks-provinsi.toml"),
        ),
        (
            "data-agregat.toml",
            include_str!("../../../workflows/data-agregat.toml"),
        ),
    ];

    fn shipped(file: &str) -> Workflow {
        let (_, src) = SHIPPED.iter().find(|(f, _)| *f == file).unwrap();
        Workflow::from_toml(file, src).unwrap()
    }

    /// Who may file what in the PKS workflows, kind by kind.
    fn expected_filers(kind: &str) -> &'static [Role] {
        match kind {
            "persetujuan_dirjen" | "penolakan_dirjen" | "persetujuan_menteri" => {
                &[Role::Central, Role::Coordinator]
            }
            "berita_acara_poc" => &[Role::Coordinator, Role::AgencyHead],
            _ => &[Role::AgencyHead, Role::Coordinator],
        }
    }

    #[test]
    fn may_file_every_kind_by_every_role_in_the_pks_workflows() {
        for file in ["pks-kabkota.toml", "pks-provinsi.toml"] {
            let wf = shipped(file);
            for (kind, _) in DOCUMENTS {
                let filers = expected_filers(kind);
                assert_eq!(wf.filers(kind), filers, "{file}: {kind}");
                for role in Role::ALL.iter() {
                    let got = wf.may_file(kind, *role);
                    if filers.contains(role) {
                        assert_eq!(got, Ok(()), "{file}: {role} files {kind}");
                    } else {
                        let refusal = got.unwrap_err();
                        assert_eq!(
                            refusal,
                            FilingRefusal::NotFiler {
                                kind: kind.to_string(),
                                role: *role,
                                filers: filers.to_vec(),
                            },
                            "{file}: {role} files {kind}"
                        );
                        assert!(refusal.is_permission());
                    }
                }
            }
        }
    }

    #[test]
    fn the_applicant_never_files_the_authoritys_answer_and_nobody_files_as_admin() {
        for (file, _) in SHIPPED {
            let wf = shipped(file);
            for kind in [
                "persetujuan_dirjen",
                "penolakan_dirjen",
                "persetujuan_menteri",
            ] {
                assert!(
                    wf.may_file(kind, Role::AgencyHead).is_err(),
                    "{file}: {kind}"
                );
            }
            for (kind, _) in DOCUMENTS {
                for role in [Role::Admin, Role::Auditor] {
                    assert!(
                        wf.may_file(kind, role).is_err(),
                        "{file}: {role} files {kind}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_aggregate_workflow_takes_only_the_deed() {
        let wf = shipped("data-agregat.toml");
        assert_eq!(wf.may_file("akta_badan_hukum", Role::AgencyHead), Ok(()));
        let refusal = wf
            .may_file("persetujuan_dirjen", Role::Central)
            .unwrap_err();
        assert_eq!(
            refusal,
            FilingRefusal::NotInWorkflow {
                kind: "persetujuan_dirjen".into(),
                accepted: vec![
                    "akta_badan_hukum".into(),
                    "signed:surat_jawaban_data_agregat".into(),
                    "signed:surat_permohonan".into(),
                ],
            }
        );
        assert!(!refusal.is_permission(), "a wrong kind is a 422, not a 403");
        assert_eq!(
            wf.may_file("surat_cinta", Role::AgencyHead),
            Err(FilingRefusal::UnknownKind {
                kind: "surat_cinta".into()
            })
        );
        assert!(
            matches!(
                wf.may_file("signed:pks", Role::Coordinator),
                Err(FilingRefusal::NotInWorkflow { .. })
            ),
            "the aggregate workflow issues no PKS"
        );
        assert_eq!(
            wf.may_file("signed:surat_cinta", Role::Coordinator),
            Err(FilingRefusal::UnknownKind {
                kind: "signed:surat_cinta".into()
            })
        );
        assert_eq!(
            wf.may_file("signed:surat_jawaban_data_agregat", Role::AgencyHead),
            Err(FilingRefusal::NotFiler {
                kind: "signed:surat_jawaban_data_agregat".into(),
                role: Role::AgencyHead,
                filers: vec![Role::Coordinator],
            }),
            "the office's answer is the office's to file"
        );
    }

    #[test]
    fn a_signed_scan_is_filed_by_whoever_signs_or_sends_the_letter() {
        for (file, _) in SHIPPED {
            let wf = shipped(file);
            // Every letter the workflow issues says who files its signed scan, as the legacy
            // rule for stored versions does.
            for letter in wf.letters() {
                let key = format!("signed:{letter}");
                let legacy = LEGACY_SIGNED_FILERS
                    .iter()
                    .find(|(l, _)| *l == letter)
                    .map(|(_, r)| r.to_vec());
                assert_eq!(
                    Some(wf.filers(&key).to_vec()),
                    legacy,
                    "{file}: {key} as the shipped rule says"
                );
                for role in [Role::Admin, Role::Auditor, Role::ProvincialReviewer] {
                    assert!(wf.may_file(&key, role).is_err(), "{file}: {role} {key}");
                }
            }
            assert_eq!(
                wf.may_file("signed:surat_permohonan", Role::AgencyHead),
                Ok(()),
                "{file}: the agency files its own request"
            );
        }
        for (file, letter) in [
            ("pks-kabkota.toml", "surat_izin_kepala_daerah"),
            ("pks-provinsi.toml", "surat_persetujuan_gubernur"),
        ] {
            let wf = shipped(file);
            let key = format!("signed:{letter}");
            let refusal = wf.may_file(&key, Role::AgencyHead).unwrap_err();
            assert!(refusal.is_permission(), "{file}: {refusal}");
            assert_eq!(
                refusal,
                FilingRefusal::NotFiler {
                    kind: key.clone(),
                    role: Role::AgencyHead,
                    filers: vec![Role::Coordinator],
                }
            );
            assert!(
                refusal
                    .message_id()
                    .starts_with("Pindaian bertanda tangan Surat"),
                "{}",
                refusal.message_id()
            );
            assert_eq!(wf.may_file(&key, Role::Coordinator), Ok(()));
            assert!(wf.may_file(&key, Role::Central).is_err());
            assert_eq!(wf.document_filer(&key), Some(Role::Coordinator));
        }
    }

    #[test]
    fn a_file_must_say_who_files_each_letters_signed_scan() {
        let (_, src) = SHIPPED[0];
        let line = "\"signed:surat_izin_kepala_daerah\" = [\"coordinator\"]\n";
        assert!(src.contains(line));
        let without = src.replace(line, "");
        let errors = Workflow::from_toml("x.toml", &without).unwrap_err();
        assert_eq!(errors.0.len(), 1, "{errors}");
        assert!(
            errors.0[0]
                .message
                .contains("`signed:surat_izin_kepala_daerah`"),
            "{errors}"
        );
        // A version stored before signed scans were listed is read with the shipped rule.
        let stored = Workflow::from_stored_toml("x.toml", &without).unwrap();
        assert_eq!(stored.documents, shipped("pks-kabkota.toml").documents);
        // A letter the workflow does not issue, or does not exist, is refused.
        let extra = src.replace(
            "[documents]\n",
            "[documents]\n\"signed:surat_persetujuan_gubernur\" = [\"coordinator\"]\n\"signed:surat_cinta\" = [\"coordinator\"]\n",
        );
        let errors = Workflow::from_toml("x.toml", &extra).unwrap_err();
        assert_eq!(errors.0.len(), 2, "{errors}");
        assert!(
            errors
                .to_string()
                .contains("issues no `surat_persetujuan_gubernur`")
        );
        assert!(errors.to_string().contains("unknown letter `surat_cinta`"));
    }

    #[test]
    fn refusals_say_who_may_in_indonesian_and_english() {
        let wf = shipped("pks-kabkota.toml");
        let r = wf
            .may_file("persetujuan_dirjen", Role::AgencyHead)
            .unwrap_err();
        assert_eq!(
            r.message_id(),
            "Surat persetujuan Dirjen Dukcapil hanya dapat diunggah oleh Ditjen Dukcapil, \
             Koordinator Disdukcapil; peran Kepala lembaga pengguna tidak berwenang mengunggahnya."
        );
        assert!(
            r.message_en()
                .contains("Only central, coordinator may file")
        );
        assert!(r.message_en().contains("role agency_head may not"));
        assert!(r.to_string().contains("agency_head"));
        let r = shipped("data-agregat.toml")
            .may_file("laporan_semester", Role::AgencyHead)
            .unwrap_err();
        assert!(r.message_id().contains("tidak digunakan pada alur ini"));
        assert!(r.message_en().contains("takes no `laporan_semester`"));
    }

    #[test]
    fn a_stored_version_from_before_the_documents_table_is_read_with_the_shipped_rule() {
        let (_, src) = SHIPPED[0];
        let start = src.find("[documents]").unwrap();
        let end = start + src[start..].find("\n\n").unwrap();
        let old = format!("{}{}", &src[..start], &src[end..]);
        let errors = Workflow::from_toml("old.toml", &old).unwrap_err();
        assert_eq!(errors.0.len(), 1, "{errors}");
        assert!(errors.0[0].message.contains("who may file"), "{errors}");
        let stored = Workflow::from_stored_toml("old.toml", &old).unwrap();
        assert_eq!(stored.documents, shipped("pks-kabkota.toml").documents);
        // A stored version is otherwise checked as a file is.
        assert!(Workflow::from_stored_toml("bad.toml", "[workflow]").is_err());
    }

    #[test]
    fn line_and_column_of_offsets() {
        let s = "a = 1\nbb = 2\n";
        assert_eq!(line_col(s, 0), (1, 1));
        assert_eq!(line_col(s, 6), (2, 1));
        assert_eq!(line_col(s, 8), (2, 3));
        assert_eq!(line_col(s, 999), (3, 1));
    }

    #[test]
    fn requirement_parsing() {
        assert_eq!(
            Requirement::parse("attestation"),
            Ok(Requirement::Attestation)
        );
        assert_eq!(
            Requirement::parse("signed:pks"),
            Ok(Requirement::Signed("pks".into()))
        );
        assert_eq!(
            Requirement::parse("document:spesifikasi_teknis"),
            Ok(Requirement::Document("spesifikasi_teknis".into()))
        );
        assert!(
            Requirement::parse("signed:surat_cinta")
                .unwrap_err()
                .contains("unknown letter")
        );
        assert!(
            Requirement::parse("document:ktp")
                .unwrap_err()
                .contains("unknown document kind")
        );
        assert!(
            Requirement::parse("approval")
                .unwrap_err()
                .contains("unknown requirement")
        );
        for r in [
            "attestation",
            "pks_approved",
            "minister_approval",
            "comment",
            "signed:juknis",
            "document:laporan_uji_beban",
        ] {
            assert_eq!(Requirement::parse(r).unwrap().to_string(), r);
        }
    }
}
