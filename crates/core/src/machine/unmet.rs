//! Why a command is refused: every unmet requirement, each with its message in Indonesian and
//! English, gathered into one `Rejection` so the person acting can fix them all in one go.

use crate::actor::Role;
use crate::addendum::AddendumProblem;
use crate::application::EvaluationKind;
use crate::evaluation::{self, HoldReason};
use crate::letter::{self, LetterProblem};
use crate::pks::PksProblem;
use crate::request::RequestProblem;
use crate::workflow::{FilingRefusal, Level, document_title, letter_title};
use chrono::NaiveDate;
use serde::Serialize;

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
    /// `Ok` when nothing is unmet; otherwise the rejection, each reason listed once.
    pub(super) fn check(mut unmet: Vec<Unmet>) -> Result<(), Rejection> {
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
