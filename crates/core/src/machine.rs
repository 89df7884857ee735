//! The state machine: `submit` starts an application, `apply` decides what a command does.
//!
//! Both are pure. They either return the events to record or a `Rejection` listing every unmet
//! requirement at once, so the person acting can fix them all in one go.

use crate::actor::{Actor, Ownership, Role};
use crate::addendum::{self, AddendumProblem, ScopeChange};
use crate::application::{
    Application, AttestationDetails, EvaluationKind, EvaluationOutcome, Event, EventKind,
    GrantKind, GrantStatus, WorkflowRef,
};
use crate::calendar;
use crate::evaluation::{self, HoldReason};
use crate::letter::{self, LetterInputs, LetterProblem};
use crate::pks::{self, PksInput, PksProblem};
use crate::request::{Request, RequestProblem, check_request};
use crate::workflow::{
    Effect, FilingRefusal, Level, Requirement, Transition, Workflow, document_title, letter_title,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// What someone asks the application to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    /// Fire a workflow transition.
    Transition {
        action: String,
        comment: Option<String>,
        /// The articles of a new PKS draft, or comments on the current draft's articles.
        #[serde(default, skip_serializing_if = "PksInput::is_empty")]
        pks: PksInput,
        /// The whole scope an addendum proposes (only with `propose_addendum`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        addendum: Option<ScopeChange>,
    },
    /// Issue a letter due in the current stage, before it is signed: the store numbers it in
    /// its register, dates it and freezes its content. `inputs` are the facts the letter needs
    /// that Sepakat does not otherwise hold (`letter::needs`).
    IssueLetter {
        letter: String,
        #[serde(default)]
        inputs: Box<LetterInputs>,
    },
    /// Put a document on file: `signed:<letter>` for a signed letter, or a document kind.
    AttachDocument {
        key: String,
        sha256: String,
        filename: String,
    },
    /// Record the closed-network attestation; the signed statement must be on file.
    RecordAttestation { details: AttestationDetails },
    /// Withdraw it: every grant that depended on it is suspended.
    WithdrawAttestation { reason: String },
    /// Record the Minister's approval for protected elements; the letter must be on file.
    RecordMinisterApproval { reference: String },
    /// Run the evaluation calendar as of now: open, remind, escalate, suspend when overdue.
    /// The scheduler sends it; doing it again the same day changes nothing.
    CheckEvaluations,
    /// Open an incidental evaluation of a live access, due on `due_on`.
    OpenEvaluation { due_on: NaiveDate, reason: String },
    /// Record the outcome of an open evaluation: `fail` suspends the grants, a pass restores
    /// what the calendar suspended. A pass needs the agency's semester report (`laporan_semester`)
    /// uploaded since the evaluation opened and the data balikan obligations met.
    RecordEvaluation {
        kind: EvaluationKind,
        due_on: NaiveDate,
        outcome: EvaluationOutcome,
        findings: String,
        data_balikan_met: bool,
        /// Queries made in the period, when the office has the figure: printed in the report.
        #[serde(default)]
        access_count: Option<u64>,
    },
}

/// One reason a command cannot be carried out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Unmet {
    UnknownAction {
        action: String,
        available: Vec<String>,
    },
    WrongStage {
        current: String,
        expected: Vec<String>,
    },
    RoleNotAllowed {
        role: Role,
        allowed: Vec<Role>,
    },
    ReadOnlyRole {
        role: Role,
    },
    OutOfJurisdiction,
    /// A renewal is signed after the agreement's user IDs have all ended: nothing to extend.
    NothingToExtend,
    /// A renewal starts only once the calendar has announced the PKS's end (180 days ahead).
    RenewalNotOpen {
        ends_on: Option<NaiveDate>,
    },
    /// An addendum is already proposed and not yet signed or dropped.
    AddendumPending,
    /// No addendum is proposed: there is nothing to sign.
    NoAddendum,
    /// What is wrong with the proposed scope, or a scope given to a step that proposes none.
    Addendum {
        problem: AddendumProblem,
    },
    WrongOfficeLevel {
        expected: Level,
    },
    FourEyes {
        version: u32,
    },
    MissingSignedLetter {
        letter: String,
    },
    /// The letter is not one the current stage issues.
    LetterNotDue {
        letter: String,
        due: Vec<String>,
    },
    /// The letter was already issued in this stage: its number stands.
    LetterAlreadyIssued {
        letter: String,
        number: String,
    },
    /// The letter must be issued (numbered) before it is signed or its step recorded.
    LetterNotIssued {
        letter: String,
    },
    /// A fact the letter needs is missing or unusable.
    Letter {
        problem: LetterProblem,
    },
    MissingDocument {
        kind: String,
    },
    UnknownDocumentKind {
        key: String,
    },
    MissingAttestation,
    AttestationWithdrawn,
    /// A new attestation needs a closed-network statement filed after the last withdrawal.
    StatementBeforeWithdrawal {
        withdrawn_on: NaiveDate,
    },
    AttestationAlreadyRecorded,
    MissingMinisterApproval,
    MinisterApprovalNotNeeded,
    PksNotDrafted,
    PksNotApproved,
    CommentRequired,
    MissingField {
        field: String,
    },
    NoAccessMethod,
    Request {
        problem: RequestProblem,
    },
    Pks {
        problem: PksProblem,
    },
    /// Evaluations need a live production user ID.
    NoLiveAccess,
    NoOpenEvaluation {
        kind: EvaluationKind,
        due_on: NaiveDate,
    },
    EvaluationAlreadyOpen {
        due_on: NaiveDate,
    },
    DueDateInPast {
        due_on: NaiveDate,
    },
    /// A pass needs the agency's semester report uploaded since the evaluation opened.
    MissingSemesterReport,
    /// A plain pass is impossible while data balikan is owed.
    DataBalikanNotMet,
    /// The workflow lets other roles file this document kind (`[documents]`).
    NotDocumentFiler {
        kind: String,
        role: Role,
        filers: Vec<Role>,
    },
    /// The workflow takes no document of this kind.
    DocumentNotInWorkflow {
        kind: String,
        accepted: Vec<String>,
    },
    /// A manual restore while an evaluation holds the access (overdue, or failed): only a
    /// passing evaluation with the agency's semester report lifts it.
    HeldByEvaluation {
        kind: EvaluationKind,
        due_on: NaiveDate,
        reason: HoldReason,
    },
}

impl From<FilingRefusal> for Unmet {
    fn from(r: FilingRefusal) -> Self {
        match r {
            FilingRefusal::NotFiler { kind, role, filers } => {
                Unmet::NotDocumentFiler { kind, role, filers }
            }
            FilingRefusal::NotInWorkflow { kind, accepted } => {
                Unmet::DocumentNotInWorkflow { kind, accepted }
            }
            FilingRefusal::UnknownKind { kind } => Unmet::UnknownDocumentKind { key: kind },
        }
    }
}

impl Unmet {
    /// The refusal of [`Workflow::may_file`] this is, if it is one.
    fn filing(&self) -> Option<FilingRefusal> {
        match self {
            Unmet::NotDocumentFiler { kind, role, filers } => Some(FilingRefusal::NotFiler {
                kind: kind.clone(),
                role: *role,
                filers: filers.clone(),
            }),
            Unmet::DocumentNotInWorkflow { kind, accepted } => Some(FilingRefusal::NotInWorkflow {
                kind: kind.clone(),
                accepted: accepted.clone(),
            }),
            _ => None,
        }
    }

    pub fn message_id(&self) -> String {
        match self {
            Unmet::UnknownAction { action, available } => format!(
                "Tindakan `{action}` tidak dikenal pada alur ini. Tindakan yang tersedia: {}.",
                available.join(", ")
            ),
            Unmet::WrongStage { current, expected } => format!(
                "Permohonan sedang berada pada tahap `{current}`; tindakan ini hanya dapat dilakukan pada tahap {}.",
                expected.join(", ")
            ),
            Unmet::RoleNotAllowed { role, allowed } => format!(
                "Peran {} tidak berwenang melakukan tindakan ini; yang berwenang: {}.",
                role.name_id(),
                allowed.iter().map(|r| r.name_id()).collect::<Vec<_>>().join(", ")
            ),
            Unmet::ReadOnlyRole { role } => format!("Peran {} hanya dapat membaca.", role.name_id()),
            Unmet::OutOfJurisdiction => "Permohonan ini berada di luar wilayah kewenangan Anda.".into(),
            Unmet::RenewalNotOpen { ends_on: Some(end) } => format!(
                "Perpanjangan dapat dimulai sejak 180 hari sebelum PKS berakhir pada {end}, \
                 saat pengingat masa berlaku PKS dikirim.",
                end = crate::calendar::date_id(*end)
            ),
            Unmet::RenewalNotOpen { ends_on: None } => {
                "Tidak ada PKS yang masih berlaku untuk diperpanjang.".into()
            }
            Unmet::AddendumPending => "Adendum yang diusulkan sebelumnya belum ditandatangani atau dibatalkan; \
                 selesaikan atau batalkan adendum tersebut terlebih dahulu.".into(),
            Unmet::NoAddendum => "Tidak ada usulan adendum yang dapat ditandatangani.".into(),
            Unmet::Addendum { problem } => problem.message_id(),
            Unmet::NothingToExtend => "Tidak ada user ID yang masih berlaku untuk diperpanjang: PKS telah berakhir. \
                 Akhiri kerja sama ini dan ajukan permohonan kerja sama yang baru.".into(),
            Unmet::WrongOfficeLevel { expected } => format!(
                "Alur ini untuk Disdukcapil {}; pilih Disdukcapil yang sesuai.",
                match expected {
                    Level::Provinsi => "provinsi",
                    Level::Kabkota | Level::Any => "kabupaten/kota",
                }
            ),
            Unmet::FourEyes { version } => format!(
                "Anda menyusun draf PKS versi {version}; persetujuan harus diberikan oleh orang lain (prinsip empat mata)."
            ),
            Unmet::MissingSignedLetter { letter } => format!(
                "Pindaian {} yang telah ditandatangani belum diunggah.",
                letter_title(letter).unwrap_or(letter)
            ),
            Unmet::LetterNotDue { letter, due } => format!(
                "{} tidak diterbitkan pada tahap ini; surat yang dapat diterbitkan sekarang: {}.",
                letter::title(letter),
                if due.is_empty() { "tidak ada".to_string() } else { due.join(", ") }
            ),
            Unmet::LetterAlreadyIssued { letter, number } => format!(
                "{} sudah diterbitkan dengan nomor {number}; nomor tersebut tetap berlaku.",
                letter::title(letter)
            ),
            Unmet::LetterNotIssued { letter } => format!(
                "{} belum diterbitkan (diberi nomor); terbitkan surat tersebut beserta isiannya sebelum ditandatangani dan dicatat.",
                letter::title(letter)
            ),
            Unmet::Letter { problem } => problem.message_id.clone(),
            Unmet::MissingDocument { kind } => {
                format!("Dokumen {} belum diunggah.", document_title(kind).unwrap_or(kind))
            }
            Unmet::UnknownDocumentKind { key } => format!("Jenis dokumen `{key}` tidak dikenal."),
            Unmet::MissingAttestation => {
                "Surat pernyataan jaringan tertutup dan aman belum dicatat; user ID dan hak akses tidak dapat diterbitkan sebelumnya.".into()
            }
            Unmet::AttestationWithdrawn => {
                "Pernyataan jaringan tertutup telah dicabut; catat pernyataan baru terlebih dahulu.".into()
            }
            Unmet::AttestationAlreadyRecorded => "Pernyataan jaringan tertutup yang berlaku sudah tercatat.".into(),
            Unmet::StatementBeforeWithdrawal { withdrawn_on } => format!(
                "Pernyataan jaringan tertutup dicabut pada {}; unggah surat pernyataan baru yang ditandatangani setelah pencabutan itu, \
                 bukan pernyataan lama.",
                crate::calendar::date_id(*withdrawn_on)
            ),
            Unmet::MissingMinisterApproval => {
                "Permohonan memuat elemen data yang dilindungi; persetujuan Menteri belum tercatat.".into()
            }
            Unmet::MinisterApprovalNotNeeded => {
                "Permohonan tidak memuat elemen data yang dilindungi; persetujuan Menteri tidak diperlukan.".into()
            }
            Unmet::PksNotDrafted => "Draf PKS belum disusun.".into(),
            Unmet::PksNotApproved => "Draf PKS versi terakhir belum disetujui.".into(),
            Unmet::CommentRequired => "Tindakan ini wajib disertai catatan/alasan.".into(),
            Unmet::MissingField { field } => format!("Isian `{field}` wajib diisi."),
            Unmet::NoAccessMethod => "Permohonan tidak menyebutkan metode akses.".into(),
            Unmet::Request { problem } => problem.message_id(),
            Unmet::Pks { problem } => problem.message_id(),
            Unmet::NoLiveAccess => {
                "Evaluasi hanya dapat dilakukan atas akses yang berjalan (user ID produksi telah diterbitkan dan belum dicabut).".into()
            }
            Unmet::NoOpenEvaluation { kind, due_on } => format!(
                "Tidak ada evaluasi {} yang terbuka dengan tanggal jatuh tempo {due_on}.",
                evaluation::kind_id(*kind),
                due_on = crate::calendar::date_id(*due_on)
            ),
            Unmet::EvaluationAlreadyOpen { due_on } => format!(
                "Evaluasi insidental dengan tanggal jatuh tempo {due_on} sudah dibuka.",
                due_on = crate::calendar::date_id(*due_on)
            ),
            Unmet::DueDateInPast { due_on } => format!(
                "Tanggal jatuh tempo {due_on} sudah lewat; pilih hari ini atau tanggal sesudahnya.",
                due_on = crate::calendar::date_id(*due_on)
            ),
            Unmet::MissingSemesterReport => {
                "Laporan semester lembaga pengguna untuk periode ini belum diunggah; unggah laporan tersebut sebelum mencatat hasil lulus.".into()
            }
            Unmet::NotDocumentFiler { .. } | Unmet::DocumentNotInWorkflow { .. } => {
                self.filing().map(|r| r.message_id()).unwrap_or_default()
            }
            Unmet::DataBalikanNotMet => {
                "Kewajiban data balikan belum dipenuhi: hasil evaluasi paling tinggi \"lulus dengan temuan\".".into()
            }
            Unmet::HeldByEvaluation { kind, due_on, reason: HoldReason::Overdue } => format!(
                "Akses tidak dapat dipulihkan secara manual karena evaluasi {} yang jatuh tempo {due_on} telah melewati masa tenggang tanpa hasil. \
                 Lembaga pengguna harus terlebih dahulu mengunggah laporan semester (laporan_semester), kemudian Disdukcapil mencatat hasil evaluasi tersebut \
                 dengan hasil \"lulus\" atau \"lulus dengan temuan\"; setelah itu akses dapat dipulihkan.",
                evaluation::kind_id(*kind),
                due_on = crate::calendar::date_id(*due_on)
            ),
            Unmet::HeldByEvaluation { kind, due_on, reason: HoldReason::Failed } => format!(
                "Akses tidak dapat dipulihkan secara manual karena hasil evaluasi {} yang jatuh tempo {due_on} tidak memenuhi. \
                 Disdukcapil harus terlebih dahulu membuka evaluasi ulang (evaluasi insidental), lembaga pengguna mengunggah laporan semester (laporan_semester) \
                 setelah evaluasi tersebut dibuka, dan hasilnya dicatat \"lulus\" atau \"lulus dengan temuan\"; setelah itu akses dapat dipulihkan.",
                evaluation::kind_id(*kind),
                due_on = crate::calendar::date_id(*due_on)
            ),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            Unmet::UnknownAction { action, available } => {
                format!("Unknown action `{action}` in this workflow; available: {}.", available.join(", "))
            }
            Unmet::WrongStage { current, expected } => format!(
                "The application is at stage `{current}`; this action is only possible at {}.",
                expected.join(", ")
            ),
            Unmet::RoleNotAllowed { role, allowed } => format!(
                "Role {role} may not do this; allowed: {}.",
                allowed.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
            ),
            Unmet::ReadOnlyRole { role } => format!("Role {role} is read-only."),
            Unmet::OutOfJurisdiction => "This application is outside your jurisdiction.".into(),
            Unmet::RenewalNotOpen { ends_on: Some(end) } => format!(
                "A renewal can start from 180 days before the PKS ends on {end}, when the \
                 reminder of its end is sent."
            ),
            Unmet::RenewalNotOpen { ends_on: None } => {
                "There is no PKS still in force to renew.".into()
            }
            Unmet::AddendumPending => "An addendum proposed earlier is neither signed nor dropped: \
                 finish or drop it first.".into(),
            Unmet::NoAddendum => "No addendum is proposed: there is nothing to sign.".into(),
            Unmet::Addendum { problem } => problem.message_en(),
            Unmet::NothingToExtend => "No user ID is still valid to extend: the PKS has ended. \
                 End this agreement and submit a new request.".into(),
            Unmet::WrongOfficeLevel { expected } => {
                format!("This workflow is for a {expected:?} Disdukcapil; choose the matching office.")
            }
            Unmet::FourEyes { version } => format!(
                "You drafted PKS version {version}; someone else must approve it (four-eyes rule)."
            ),
            Unmet::MissingSignedLetter { letter } => format!("Upload the signed scan of letter `{letter}` first."),
            Unmet::LetterNotDue { letter, due } => format!(
                "Letter `{letter}` is not issued at this stage; letters that can be issued now: {}.",
                if due.is_empty() { "none".to_string() } else { due.join(", ") }
            ),
            Unmet::LetterAlreadyIssued { letter, number } => {
                format!("Letter `{letter}` was already issued as {number}; that number stands.")
            }
            Unmet::LetterNotIssued { letter } => format!(
                "Issue letter `{letter}` (with its facts) first: it is numbered before it is signed and recorded."
            ),
            Unmet::Letter { problem } => problem.message_en.clone(),
            Unmet::MissingDocument { kind } => format!("Upload the document `{kind}` first."),
            Unmet::UnknownDocumentKind { key } => {
                format!("Unknown document kind `{key}`: use signed:<letter> or a kind from GET /api/v1/workflows.")
            }
            Unmet::MissingAttestation => {
                "No closed-network attestation is recorded: no user ID or access grant before it.".into()
            }
            Unmet::AttestationWithdrawn => {
                "The closed-network attestation was withdrawn: record a new one first.".into()
            }
            Unmet::AttestationAlreadyRecorded => "An active closed-network attestation is already recorded.".into(),
            Unmet::StatementBeforeWithdrawal { withdrawn_on } => format!(
                "The closed-network attestation was withdrawn on {withdrawn_on}: upload a new statement signed since, not the old one."
            ),
            Unmet::MissingMinisterApproval => {
                "The request includes protected data elements: record the Minister's approval first.".into()
            }
            Unmet::MinisterApprovalNotNeeded => {
                "The request has no protected data element: no Minister's approval is needed.".into()
            }
            Unmet::PksNotDrafted => "No PKS draft exists yet.".into(),
            Unmet::PksNotApproved => "The latest PKS draft is not approved yet.".into(),
            Unmet::CommentRequired => "This action needs a comment giving the reason.".into(),
            Unmet::MissingField { field } => format!("Field `{field}` is required."),
            Unmet::NoAccessMethod => "The request names no access method.".into(),
            Unmet::Request { problem } => problem.message_en(),
            Unmet::Pks { problem } => problem.message_en(),
            Unmet::NoLiveAccess => {
                "Evaluations apply to live access only (a production user ID issued and not revoked).".into()
            }
            Unmet::NoOpenEvaluation { kind, due_on } => format!(
                "No open {} evaluation is due on {due_on}.",
                kind.as_str()
            ),
            Unmet::EvaluationAlreadyOpen { due_on } => {
                format!("An incidental evaluation due on {due_on} is already open.")
            }
            Unmet::DueDateInPast { due_on } => {
                format!("The due date {due_on} has passed: choose today or a later date.")
            }
            Unmet::MissingSemesterReport => {
                "Upload the agency's semester report (laporan_semester) for this period before recording a pass.".into()
            }
            Unmet::NotDocumentFiler { .. } | Unmet::DocumentNotInWorkflow { .. } => {
                self.filing().map(|r| r.message_en()).unwrap_or_default()
            }
            Unmet::DataBalikanNotMet => {
                "The data balikan obligations are not met: the best possible outcome is pass_with_findings.".into()
            }
            Unmet::HeldByEvaluation { kind, due_on, reason: HoldReason::Overdue } => format!(
                "Access cannot be restored by hand: the {} evaluation due on {due_on} is past its grace period with no outcome. \
                 First the agency uploads its semester report (laporan_semester), then Disdukcapil records that evaluation \
                 as pass or pass_with_findings; access can be restored after that.",
                kind.as_str()
            ),
            Unmet::HeldByEvaluation { kind, due_on, reason: HoldReason::Failed } => format!(
                "Access cannot be restored by hand: the {} evaluation due on {due_on} failed. \
                 First Disdukcapil opens a re-evaluation (an incidental evaluation), the agency uploads its semester report \
                 (laporan_semester) after it opens, and its outcome is recorded as pass or pass_with_findings; access can be restored after that.",
                kind.as_str()
            ),
        }
    }

    /// True when the actor can do nothing about it by fixing data (a 403 rather than a 422).
    pub fn is_permission(&self) -> bool {
        matches!(
            self,
            Unmet::RoleNotAllowed { .. }
                | Unmet::ReadOnlyRole { .. }
                | Unmet::OutOfJurisdiction
                | Unmet::NotDocumentFiler { .. }
        )
    }
}

/// A refused command, with every reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("command refused: {}", .unmet.iter().map(Unmet::message_en).collect::<Vec<_>>().join(" "))]
pub struct Rejection {
    pub unmet: Vec<Unmet>,
}

impl Rejection {
    fn from(mut unmet: Vec<Unmet>) -> Result<(), Rejection> {
        let mut seen = Vec::new();
        unmet.retain(|u| {
            if seen.contains(u) {
                false
            } else {
                seen.push(u.clone());
                true
            }
        });
        if unmet.is_empty() {
            Ok(())
        } else {
            Err(Rejection { unmet })
        }
    }

    /// The actor may not do this at all (role, jurisdiction, read-only): a 403 whatever else
    /// is unmet; the other reasons are still listed.
    pub fn is_forbidden(&self) -> bool {
        self.unmet.iter().any(Unmet::is_permission)
    }
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

fn scope_checks(actor: &Actor, owner: &Ownership, unmet: &mut Vec<Unmet>) {
    if !actor.may_write() {
        unmet.push(Unmet::ReadOnlyRole { role: actor.role });
    } else if !actor.can_see(owner) {
        unmet.push(Unmet::OutOfJurisdiction);
    }
}

fn role_check(actor: &Actor, allowed: &[Role], unmet: &mut Vec<Unmet>) {
    if actor.may_write() && !allowed.contains(&actor.role) {
        unmet.push(Unmet::RoleNotAllowed {
            role: actor.role,
            allowed: allowed.to_vec(),
        });
    }
}

/// Starts an application: checks the request against the workflow's policy and the submitter's scope.
pub fn submit(
    workflow: &Workflow,
    id: Uuid,
    ownership: Ownership,
    request: Request,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(Application, Vec<Event>), Rejection> {
    let mut unmet = Vec::new();
    role_check(actor, &workflow.submission.roles, &mut unmet);
    scope_checks(actor, &ownership, &mut unmet);
    let office_is_province = ownership.office_region.is_province();
    match workflow.level {
        Level::Provinsi if !office_is_province => unmet.push(Unmet::WrongOfficeLevel {
            expected: Level::Provinsi,
        }),
        Level::Kabkota if office_is_province => unmet.push(Unmet::WrongOfficeLevel {
            expected: Level::Kabkota,
        }),
        _ => {}
    }
    if let Err(problems) = check_request(&request, &workflow.request_policy()) {
        unmet.extend(
            problems
                .into_iter()
                .map(|problem| Unmet::Request { problem }),
        );
    }
    Rejection::from(unmet)?;

    let wf = WorkflowRef {
        name: workflow.name.clone(),
        hash: workflow.hash.clone(),
    };
    let mut events = vec![Event {
        at: now,
        actor: actor.id,
        kind: EventKind::Submitted {
            workflow: wf.clone(),
            stage: workflow.submission.stage.clone(),
            request: request.clone(),
        },
    }];
    if let Some(letter) = &workflow.submission.letter {
        events.push(Event {
            at: now,
            actor: actor.id,
            kind: EventKind::LetterProduced {
                letter: letter.clone(),
                stage: workflow.submission.stage.clone(),
                inputs: LetterInputs::default(),
            },
        });
    }
    let app = Application {
        id,
        workflow: wf,
        ownership,
        request,
        stage: workflow.submission.stage.clone(),
        version: 1,
        submitted_by: actor.id,
        submitted_at: now,
        stage_entered_at: now,
        documents: BTreeMap::new(),
        attestation: None,
        minister_approval: None,
        pks: Default::default(),
        grants: Vec::new(),
        evaluation_anchor: None,
        next_evaluation_due: None,
        periodic_due: None,
        evaluations: Vec::new(),
        letters: BTreeMap::new(),
        term_reminded: None,
        daily_quota: None,
        addendum: None,
        addenda: 0,
    };
    Ok((app, events))
}

/// Decides a command: the events to record, or every reason it cannot be done.
pub fn apply(
    workflow: &Workflow,
    app: &Application,
    command: &Command,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<Event>, Rejection> {
    let ev = |kind| Event {
        at: now,
        actor: actor.id,
        kind,
    };
    let terminal = workflow.stage(&app.stage).is_none_or(|s| s.terminal);
    let mut unmet = Vec::new();
    match command {
        Command::Transition {
            action,
            comment,
            pks: pks_input,
            addendum,
        } => {
            let Some(t) = workflow.transition(action) else {
                let available = workflow
                    .transitions_from(&app.stage)
                    .map(|t| t.action.clone())
                    .collect();
                return Err(Rejection {
                    unmet: vec![Unmet::UnknownAction {
                        action: action.clone(),
                        available,
                    }],
                });
            };
            let has_comments = pks_input.comments.iter().any(|c| !blank(&c.text));
            unmet = transition_unmet(app, t, actor, comment.as_deref())
                .into_iter()
                // Comments on articles are the reason a draft is returned, as much as a
                // general comment is.
                .filter(|u| {
                    !(has_comments && *u == Unmet::CommentRequired && t.has(Effect::ReturnPks))
                })
                .collect();
            unmet.extend(
                pks_unmet(app, t, pks_input)
                    .into_iter()
                    .map(|problem| Unmet::Pks { problem }),
            );
            match (addendum, t.has(Effect::ProposeAddendum)) {
                (Some(change), true) => unmet.extend(
                    addendum::check(app, &workflow.request_policy(), change)
                        .into_iter()
                        .map(|problem| Unmet::Addendum { problem }),
                ),
                (None, true) => unmet.push(Unmet::MissingField {
                    field: "addendum".into(),
                }),
                (Some(_), false) => unmet.push(Unmet::Addendum {
                    problem: AddendumProblem::NotAProposal,
                }),
                (None, false) => {}
            }
            Rejection::from(unmet)?;
            let input = StepInput {
                comment: comment.clone(),
                pks: pks_input,
                addendum: addendum.as_ref(),
            };
            Ok(transition_events(workflow, app, t, input, now)
                .into_iter()
                .map(ev)
                .collect())
        }
        Command::AttachDocument {
            key,
            sha256,
            filename,
        } => {
            scope_checks(actor, &app.ownership, &mut unmet);
            let signed_letter = key.strip_prefix("signed:");
            let known = match signed_letter {
                Some(letter) => letter_title(letter).is_some(),
                None => document_title(key).is_some(),
            };
            if !known {
                unmet.push(Unmet::UnknownDocumentKind { key: key.clone() });
            }
            // Who files an uploaded document or a letter's signed scan is the workflow's to say
            // (`[documents]`): the party that signs or sends it, or the office that receives it.
            if known
                && actor.may_write()
                && let Err(refusal) = workflow.may_file(key, actor.role)
            {
                unmet.push(Unmet::from(refusal));
            }
            // A signed scan is the signed copy of an issued letter: never of a draft.
            let letter_id = match signed_letter.filter(|_| known) {
                Some(letter) => match app.letters.get(letter) {
                    Some(issued) => Some(issued.id),
                    None => {
                        unmet.push(Unmet::LetterNotIssued {
                            letter: letter.to_string(),
                        });
                        None
                    }
                },
                None => None,
            };
            if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                unmet.push(Unmet::MissingField {
                    field: "sha256".into(),
                });
            }
            if blank(filename) {
                unmet.push(Unmet::MissingField {
                    field: "filename".into(),
                });
            }
            if terminal {
                unmet.push(Unmet::WrongStage {
                    current: app.stage.clone(),
                    expected: vec!["(tahap yang belum selesai)".into()],
                });
            }
            Rejection::from(unmet)?;
            Ok(vec![ev(EventKind::DocumentAttached {
                key: key.clone(),
                sha256: sha256.clone(),
                filename: filename.clone(),
                letter_id,
            })])
        }
        Command::IssueLetter { letter, inputs } => {
            let due = letter::issuable_ahead(workflow, &app.stage);
            let roles = letter::issuers(workflow, &app.stage, letter);
            if !due.contains(&letter.as_str()) {
                unmet.push(Unmet::LetterNotDue {
                    letter: letter.clone(),
                    due: due.iter().map(|l| l.to_string()).collect(),
                });
            } else {
                role_check(actor, &roles, &mut unmet);
            }
            scope_checks(actor, &app.ownership, &mut unmet);
            if app.issued_in_stage(letter) {
                unmet.push(Unmet::LetterAlreadyIssued {
                    letter: letter.clone(),
                    number: app.letters[letter].number.clone(),
                });
            }
            unmet.extend(
                letter::check_inputs(letter, inputs)
                    .into_iter()
                    .map(|problem| Unmet::Letter { problem }),
            );
            Rejection::from(unmet)?;
            Ok(vec![ev(EventKind::LetterProduced {
                letter: letter.clone(),
                stage: app.stage.clone(),
                inputs: (**inputs).clone(),
            })])
        }
        Command::RecordAttestation { details } => {
            role_check(actor, &Role::CONTROLLERS, &mut unmet);
            scope_checks(actor, &app.ownership, &mut unmet);
            if app.attestation_active() {
                unmet.push(Unmet::AttestationAlreadyRecorded);
            }
            for (field, value) in [
                ("provider", &details.provider),
                ("cost_borne_by", &details.cost_borne_by),
                ("technical_contact", &details.technical_contact),
            ] {
                if blank(value) {
                    unmet.push(Unmet::MissingField {
                        field: field.into(),
                    });
                }
            }
            // The statement: the agency's own issued and signed letter, or one the provider
            // wrote on its letterhead.
            // The newest of the two, so a statement filed after a withdrawal is the one cited.
            let own = app
                .has_signed("surat_pernyataan_jaringan")
                .then(|| app.documents.get("signed:surat_pernyataan_jaringan"))
                .flatten();
            let statement = own
                .into_iter()
                .chain(app.documents.get("pernyataan_jaringan"))
                .max_by_key(|d| d.at);
            // After a withdrawal the network is attested anew: on a statement filed since, never
            // on the one the withdrawn attestation stood on.
            let withdrawn_at = app
                .attestation
                .as_ref()
                .and_then(|a| a.withdrawn.as_ref())
                .map(|w| w.at);
            let statement = statement.filter(|d| withdrawn_at.is_none_or(|w| d.at > w));
            if statement.is_none() {
                unmet.push(match withdrawn_at {
                    Some(at) => Unmet::StatementBeforeWithdrawal {
                        withdrawn_on: app.local_date(at),
                    },
                    None => Unmet::MissingDocument {
                        kind: "pernyataan_jaringan".into(),
                    },
                });
            }
            if terminal {
                unmet.push(Unmet::WrongStage {
                    current: app.stage.clone(),
                    expected: vec!["(tahap yang belum selesai)".into()],
                });
            }
            Rejection::from(unmet)?;
            let statement_sha256 = statement.map(|d| d.sha256.clone()).unwrap_or_default();
            Ok(vec![ev(EventKind::AttestationRecorded {
                details: details.clone(),
                statement_sha256,
            })])
        }
        Command::WithdrawAttestation { reason } => {
            role_check(actor, &Role::CONTROLLERS, &mut unmet);
            scope_checks(actor, &app.ownership, &mut unmet);
            if !app.attestation_active() {
                unmet.push(Unmet::MissingAttestation);
            }
            if blank(reason) {
                unmet.push(Unmet::CommentRequired);
            }
            Rejection::from(unmet)?;
            let mut events = vec![ev(EventKind::AttestationWithdrawn {
                reason: reason.clone(),
            })];
            // Every live grant stood on this attestation.
            for g in app
                .grants
                .iter()
                .filter(|g| g.status == GrantStatus::Active)
            {
                events.push(ev(EventKind::GrantSuspended {
                    kind: g.kind,
                    reason: format!("Pernyataan jaringan tertutup dicabut: {reason}"),
                    evaluation: false,
                }));
            }
            Ok(events)
        }
        Command::RecordMinisterApproval { reference } => {
            role_check(actor, &[Role::Central, Role::Coordinator], &mut unmet);
            scope_checks(actor, &app.ownership, &mut unmet);
            let for_addendum = app.addendum_needs_minister();
            if !app.request.needs_minister_approval() && !for_addendum {
                unmet.push(Unmet::MinisterApprovalNotNeeded);
            }
            // For an addendum's new protected element, the Minister's letter about it: one
            // filed since the proposal.
            let letter_on_file = app.documents.get("persetujuan_menteri").is_some_and(|d| {
                !for_addendum || app.addendum.as_ref().is_some_and(|a| d.at >= a.proposed_at)
            });
            if !letter_on_file {
                unmet.push(Unmet::MissingDocument {
                    kind: "persetujuan_menteri".into(),
                });
            }
            if blank(reference) {
                unmet.push(Unmet::MissingField {
                    field: "reference".into(),
                });
            }
            Rejection::from(unmet)?;
            Ok(vec![ev(EventKind::MinisterApprovalRecorded {
                reference: reference.clone(),
            })])
        }
        Command::CheckEvaluations => {
            role_check(actor, &Role::CONTROLLERS, &mut unmet);
            scope_checks(actor, &app.ownership, &mut unmet);
            Rejection::from(unmet)?;
            let today = app.local_date(now);
            Ok(evaluation::calendar_events(workflow, app, today)
                .into_iter()
                .map(ev)
                .collect())
        }
        Command::OpenEvaluation { due_on, reason } => {
            role_check(actor, &Role::CONTROLLERS, &mut unmet);
            scope_checks(actor, &app.ownership, &mut unmet);
            if terminal || !app.access_live() {
                unmet.push(Unmet::NoLiveAccess);
            }
            if *due_on < app.local_date(now) {
                unmet.push(Unmet::DueDateInPast { due_on: *due_on });
            }
            if app
                .evaluation(EvaluationKind::Incidental, *due_on)
                .is_some()
            {
                unmet.push(Unmet::EvaluationAlreadyOpen { due_on: *due_on });
            }
            if blank(reason) {
                unmet.push(Unmet::CommentRequired);
            }
            Rejection::from(unmet)?;
            Ok(vec![ev(EventKind::EvaluationOpened {
                kind: EvaluationKind::Incidental,
                due_on: *due_on,
                reason: Some(reason.clone()),
            })])
        }
        Command::RecordEvaluation {
            kind,
            due_on,
            outcome,
            findings,
            data_balikan_met,
            access_count,
        } => {
            role_check(actor, &Role::CONTROLLERS, &mut unmet);
            scope_checks(actor, &app.ownership, &mut unmet);
            let open = app.evaluation(*kind, *due_on).filter(|e| e.is_open());
            if open.is_none() {
                unmet.push(Unmet::NoOpenEvaluation {
                    kind: *kind,
                    due_on: *due_on,
                });
            }
            if terminal || !app.access_live() {
                unmet.push(Unmet::NoLiveAccess);
            }
            if blank(findings) {
                unmet.push(Unmet::MissingField {
                    field: "findings".into(),
                });
            }
            // The semester report of this period: uploaded since the evaluation opened.
            let report = app
                .documents
                .get("laporan_semester")
                .filter(|d| open.is_some_and(|e| d.at >= e.opened_at));
            if outcome.passed() && report.is_none() {
                unmet.push(Unmet::MissingSemesterReport);
            }
            if *outcome == EvaluationOutcome::Pass && !data_balikan_met {
                unmet.push(Unmet::DataBalikanNotMet);
            }
            Rejection::from(unmet)?;
            let mut events = vec![EventKind::EvaluationRecorded {
                kind: *kind,
                due_on: *due_on,
                outcome: *outcome,
                findings: findings.clone(),
                data_balikan_met: *data_balikan_met,
                report_sha256: report.map(|d| d.sha256.clone()),
            }];
            // The report of this evaluation is numbered with the outcome it reports.
            if let Some(letter) = &workflow.evaluation.letter {
                events.push(EventKind::LetterProduced {
                    letter: letter.clone(),
                    stage: app.stage.clone(),
                    inputs: LetterInputs {
                        access_count: *access_count,
                        ..Default::default()
                    },
                });
            }
            events.extend(evaluation::outcome_events(
                workflow, app, *kind, *due_on, *outcome,
            ));
            Ok(events.into_iter().map(ev).collect())
        }
    }
}

/// Applies the events of a command to a copy of the application and bumps its version.
pub fn execute(
    workflow: &Workflow,
    app: &Application,
    command: &Command,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(Application, Vec<Event>), Rejection> {
    let events = apply(workflow, app, command, actor, now)?;
    let mut next = app.clone();
    for e in &events {
        next.evolve(e);
    }
    next.version += 1;
    Ok((next, events))
}

/// Every reason `t` cannot fire now for `actor` (empty when it can).
pub fn transition_unmet(
    app: &Application,
    t: &Transition,
    actor: &Actor,
    comment: Option<&str>,
) -> Vec<Unmet> {
    let mut unmet = Vec::new();
    if !t.from.contains(&app.stage) {
        unmet.push(Unmet::WrongStage {
            current: app.stage.clone(),
            expected: t.from.clone(),
        });
    }
    role_check(actor, &t.roles, &mut unmet);
    scope_checks(actor, &app.ownership, &mut unmet);

    let needs_minister = app.request.needs_minister_approval();
    let require = |r: &Requirement, unmet: &mut Vec<Unmet>| match r {
        // The signed copy of the issued letter; a letter never issued must be issued first
        // (a signed scan filed before letters were issued ahead of signing still counts).
        Requirement::Signed(letter) => {
            // The step's own letter is signed in this stage: the scan of an earlier issue (the
            // first PKS, when its renewal is signed) does not sign the one this step records.
            let earlier_issue =
                t.letter.as_deref() == Some(letter.as_str()) && !app.issued_in_stage(letter);
            if earlier_issue && app.letters.contains_key(letter) {
                unmet.push(Unmet::LetterNotIssued {
                    letter: letter.clone(),
                });
            } else if !app.has_signed(letter) {
                unmet.push(if app.letters.contains_key(letter) {
                    Unmet::MissingSignedLetter {
                        letter: letter.clone(),
                    }
                } else {
                    Unmet::LetterNotIssued {
                        letter: letter.clone(),
                    }
                });
            }
        }
        Requirement::Document(kind) => {
            if !app.has_document(kind) {
                unmet.push(Unmet::MissingDocument { kind: kind.clone() });
            }
        }
        Requirement::Attestation => match &app.attestation {
            None => unmet.push(Unmet::MissingAttestation),
            Some(a) if !a.is_active() => unmet.push(Unmet::AttestationWithdrawn),
            Some(_) => {}
        },
        Requirement::PksApproved => {
            if app.pks.version == 0 {
                unmet.push(Unmet::PksNotDrafted);
            } else if !app.pks.current_is_approved() {
                unmet.push(Unmet::PksNotApproved);
            }
        }
        Requirement::MinisterApproval => {
            if needs_minister && app.minister_approval.is_none() {
                unmet.push(Unmet::MissingMinisterApproval);
            }
        }
        Requirement::Comment => {
            if comment.is_none_or(blank) {
                unmet.push(Unmet::CommentRequired);
            }
        }
        Requirement::TermEnding => {
            if !app.renewal_open() {
                unmet.push(Unmet::RenewalNotOpen {
                    ends_on: app.term_ends_on(),
                });
            }
        }
    };
    for r in &t.requires {
        require(r, &mut unmet);
    }
    // A letter that needs facts only a person can give is issued on its own, before the step.
    if let Some(l) = &t.letter
        && !letter::needs(l).is_empty()
        && !app.issued_in_stage(l)
    {
        let issued = Unmet::LetterNotIssued { letter: l.clone() };
        if !unmet.contains(&issued) {
            unmet.push(issued);
        }
    }
    // Gates the core holds whatever the workflow file says.
    for e in &t.effects {
        match e {
            Effect::IssueTestGrant | Effect::IssueProductionGrant | Effect::RestoreGrants => {
                require(&Requirement::Attestation, &mut unmet);
                require(&Requirement::MinisterApproval, &mut unmet);
                if app.request.access_method.is_none() && e.issues_grant() {
                    unmet.push(Unmet::NoAccessMethod);
                }
                // The six-monthly control: a grant held by an overdue or failed evaluation
                // comes back only through a recorded passing evaluation, never by hand.
                if *e == Effect::RestoreGrants
                    && let Some(h) = evaluation::hold(app)
                {
                    unmet.push(Unmet::HeldByEvaluation {
                        kind: h.kind,
                        due_on: h.due_on,
                        reason: h.reason,
                    });
                }
            }
            Effect::SignPks => {
                require(&Requirement::PksApproved, &mut unmet);
                require(&Requirement::MinisterApproval, &mut unmet);
            }
            Effect::ApprovePks | Effect::ReturnPks => {
                if app.pks.version == 0 {
                    unmet.push(Unmet::PksNotDrafted);
                } else if *e == Effect::ApprovePks && app.pks.drafted_by == Some(actor.id) {
                    unmet.push(Unmet::FourEyes {
                        version: app.pks.version,
                    });
                }
            }
            Effect::ExtendGrants => {
                if app.term_ends_on().is_none() {
                    unmet.push(Unmet::NothingToExtend);
                }
            }
            Effect::ProposeAddendum => {
                if !app.access_live() {
                    unmet.push(Unmet::NoLiveAccess);
                }
                if app.addendum.is_some() {
                    unmet.push(Unmet::AddendumPending);
                }
            }
            Effect::SignAddendum => match &app.addendum {
                None => unmet.push(Unmet::NoAddendum),
                Some(a) => {
                    // The addendum's own text: a version drafted since it was proposed.
                    if app.pks.version <= a.base_version {
                        unmet.push(Unmet::PksNotDrafted);
                    } else {
                        require(&Requirement::PksApproved, &mut unmet);
                    }
                    if app.addendum_needs_minister() {
                        unmet.push(Unmet::MissingMinisterApproval);
                    }
                }
            },
            Effect::DraftPks
            | Effect::SuspendGrants
            | Effect::RevokeGrants
            | Effect::DropAddendum => {}
        }
    }
    let mut deduped: Vec<Unmet> = Vec::new();
    for u in unmet {
        if !deduped.contains(&u) {
            deduped.push(u);
        }
    }
    deduped
}

/// What is wrong with the PKS part of a transition: a draft needs its articles, checked; a
/// review may comment on the current draft's articles; nothing else carries either.
fn pks_unmet(app: &Application, t: &Transition, input: &PksInput) -> Vec<PksProblem> {
    let mut out = Vec::new();
    match &input.articles {
        Some(articles) if t.has(Effect::DraftPks) => out.extend(pks::check_articles(articles)),
        None if t.has(Effect::DraftPks) => out.push(PksProblem::NoArticles),
        Some(_) => out.push(PksProblem::NotADraft),
        None => {}
    }
    if !input.comments.is_empty() {
        if t.has(Effect::ReturnPks) || t.has(Effect::ApprovePks) {
            out.extend(pks::check_comments(&input.comments, app.pks.articles));
        } else {
            out.push(PksProblem::NotAReview);
        }
    }
    out
}

/// What a person gave with a transition.
struct StepInput<'a> {
    comment: Option<String>,
    pks: &'a PksInput,
    addendum: Option<&'a ScopeChange>,
}

fn transition_events(
    workflow: &Workflow,
    app: &Application,
    t: &Transition,
    input: StepInput<'_>,
    now: DateTime<Utc>,
) -> Vec<EventKind> {
    let StepInput {
        comment,
        pks: pks_input,
        addendum,
    } = input;
    let today = app.local_date(now);
    let mut out = vec![EventKind::Transitioned {
        action: t.action.clone(),
        from: app.stage.clone(),
        to: t.to.clone(),
        comment: comment.clone(),
    }];
    // The step's letter, unless it was issued ahead of signing in this stage.
    if let Some(letter) = t.letter.as_ref().filter(|l| !app.issued_in_stage(l)) {
        out.push(EventKind::LetterProduced {
            letter: letter.clone(),
            stage: app.stage.clone(),
            inputs: LetterInputs::default(),
        });
    }
    let reason = comment.filter(|c| !blank(c));
    for e in &t.effects {
        match e {
            Effect::DraftPks => out.push(EventKind::PksDrafted {
                version: app.pks.version + 1,
                articles: pks_input.articles.clone().unwrap_or_default(),
            }),
            Effect::ReturnPks => out.push(EventKind::PksReturned {
                version: app.pks.version,
                comments: pks_input.comments.clone(),
            }),
            Effect::ApprovePks => out.push(EventKind::PksApproved {
                version: app.pks.version,
                comments: pks_input.comments.clone(),
            }),
            Effect::SignPks => out.push(EventKind::PksSigned {
                version: app.pks.version,
                on: today,
            }),
            Effect::IssueTestGrant | Effect::IssueProductionGrant => {
                let kind = if *e == Effect::IssueTestGrant {
                    GrantKind::Test
                } else {
                    GrantKind::Production
                };
                let duration = app.request.duration_months;
                let valid_until = app
                    .pks
                    .ends_on(duration)
                    .unwrap_or_else(|| calendar::add_months_clamped(today, duration.into()));
                if kind == GrantKind::Production
                    && let Some(test) = app.grant(GrantKind::Test)
                    && !matches!(test.status, GrantStatus::Revoked { .. })
                {
                    out.push(EventKind::GrantRevoked {
                        kind: GrantKind::Test,
                        reason: "Diganti oleh user ID produksi".into(),
                    });
                }
                out.push(EventKind::GrantIssued {
                    kind,
                    elements: app.request.element_codes(),
                    // transition_unmet refused a grant without a method.
                    method: app
                        .request
                        .access_method
                        .unwrap_or(crate::request::AccessMethod::WebPortal),
                    valid_until,
                });
                if kind == GrantKind::Production {
                    let interval = workflow.evaluation.interval_months;
                    out.push(EventKind::EvaluationsScheduled {
                        anchor: today,
                        first_due: calendar::nth_due(today, interval, 1),
                    });
                }
            }
            Effect::SuspendGrants => {
                // The active grants, and those the calendar holds: suspended by hand as well,
                // they are the office's to restore, after the evaluation has passed.
                for g in app.grants.iter().filter(|g| {
                    g.status == GrantStatus::Active
                        || (g.held_by_evaluation
                            && matches!(g.status, GrantStatus::Suspended { .. }))
                }) {
                    out.push(EventKind::GrantSuspended {
                        kind: g.kind,
                        reason: reason.clone().unwrap_or_else(|| t.title.clone()),
                        evaluation: false,
                    });
                }
            }
            Effect::RestoreGrants => {
                for g in app
                    .grants
                    .iter()
                    .filter(|g| matches!(g.status, GrantStatus::Suspended { .. }))
                {
                    out.push(EventKind::GrantRestored { kind: g.kind });
                }
            }
            Effect::RevokeGrants => {
                for g in app.grants.iter().filter(|g| {
                    matches!(
                        g.status,
                        GrantStatus::Active | GrantStatus::Suspended { .. }
                    )
                }) {
                    out.push(EventKind::GrantRevoked {
                        kind: g.kind,
                        reason: reason.clone().unwrap_or_else(|| t.title.clone()),
                    });
                }
            }
            Effect::ExtendGrants => {
                // The renewal's PKS is signed today (`sign_pks` comes first): its term runs
                // from today for the agreed duration, so the user IDs go on without a gap.
                let valid_until =
                    calendar::add_months_clamped(today, app.request.duration_months.into());
                for g in app.grants.iter().filter(|g| {
                    matches!(
                        g.status,
                        GrantStatus::Active | GrantStatus::Suspended { .. }
                    ) && g.valid_until < valid_until
                }) {
                    out.push(EventKind::GrantExtended {
                        kind: g.kind,
                        valid_until,
                    });
                }
            }
            Effect::ProposeAddendum => {
                if let Some(change) = addendum {
                    out.push(EventKind::AddendumProposed {
                        change: change.clone(),
                    });
                }
            }
            Effect::SignAddendum => {
                if let Some(a) = &app.addendum {
                    out.push(EventKind::AddendumSigned {
                        version: app.pks.version,
                        on: today,
                        change: a.change.clone(),
                    });
                    // Every live user ID now carries the signed scope; suspended ones stay so.
                    for g in app.grants.iter().filter(|g| {
                        matches!(
                            g.status,
                            GrantStatus::Active | GrantStatus::Suspended { .. }
                        )
                    }) {
                        out.push(EventKind::GrantRescoped {
                            kind: g.kind,
                            elements: a.change.element_codes(),
                            method: a.change.access_method,
                        });
                    }
                }
            }
            Effect::DropAddendum => {
                if app.addendum.is_some() {
                    out.push(EventKind::AddendumDropped {
                        reason: reason.clone(),
                    });
                }
            }
        }
    }
    out
}

/// An action the actor could take from the application's current stage, with what still blocks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AvailableAction {
    pub action: String,
    pub title: String,
    pub to: String,
    pub unmet: Vec<Unmet>,
}

/// The transitions leaving the current stage that this actor's role may fire, each with the
/// requirements still unmet (a comment is not counted: it is given when acting).
pub fn available_actions(
    workflow: &Workflow,
    app: &Application,
    actor: &Actor,
) -> Vec<AvailableAction> {
    if !actor.may_write() || !actor.can_see(&app.ownership) {
        return Vec::new();
    }
    workflow
        .transitions_from(&app.stage)
        .filter(|t| t.roles.contains(&actor.role))
        .map(|t| AvailableAction {
            action: t.action.clone(),
            title: t.title.clone(),
            to: t.to.clone(),
            unmet: transition_unmet(app, t, actor, Some("-"))
                .into_iter()
                .filter(|u| *u != Unmet::CommentRequired)
                .collect(),
        })
        .collect()
}
