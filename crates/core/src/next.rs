//! What happens next on an application, and who does it: the one answer the application page,
//! the API's `next` block, the inbox and the mails render, so no page works it out for itself.
//!
//! An application waits in its stage until one of the stage's onward transitions fires (ending
//! it or holding it back — a refusal, a cancellation, a suspension — is always possible and is
//! not "next"; concluding it, as an answered aggregate request, is). For each onward
//! transition the answer names the roles that fire it and, in order, what is still missing and
//! which role provides it: the agency signs and uploads its own letters and documents, the
//! Disdukcapil office its letters and the closed-network attestation, Ditjen Dukcapil its
//! approvals. The stage's target date comes from the workflow (`sla_days`).

use crate::actor::{Actor, Role, Scope};
use crate::application::Application;
use crate::machine::{AvailableAction, Unmet, available_actions, transition_unmet};
use crate::workflow::{Transition, Workflow, issued_by_agency};
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

/// The answer for one application, and what one actor may do on it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextStep {
    pub stage: String,
    pub stage_title: String,
    /// True when the application has ended: nothing is next.
    pub finished: bool,
    /// When the stage's target runs out; `None` for a stage without a target.
    pub due_at: Option<DateTime<Utc>>,
    pub overdue: bool,
    /// The ways forward from the stage, in the workflow's order.
    pub steps: Vec<Step>,
    /// The actions the actor asking may take now (ending ones included), with what blocks each.
    pub yours: Vec<AvailableAction>,
}

/// One way forward: the transition, who fires it, and what is still missing first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub action: String,
    pub title: String,
    pub to: String,
    /// The roles that may take this step once nothing is missing.
    pub roles: Vec<Role>,
    /// What must be provided before, in the order it is done; empty when the step is ready.
    pub missing: Vec<Missing>,
}

impl Step {
    pub fn ready(&self) -> bool {
        self.missing.is_empty()
    }

    /// What the acting roles do now, in formal Indonesian: the first missing thing as a task,
    /// or the step itself when nothing is missing.
    pub fn doing_id(&self) -> String {
        self.missing
            .first()
            .map_or_else(|| self.title.clone(), |m| m.task_id.clone())
    }

    /// [`Step::doing_id`] in English (the step's title stays the workflow's Indonesian).
    pub fn doing_en(&self) -> String {
        self.missing
            .first()
            .map_or_else(|| self.title.clone(), |m| m.task_en.clone())
    }

    /// The roles that act next on this step: the providers of the first missing thing, or the
    /// step's own roles when nothing is missing.
    pub fn acting_roles(&self) -> Vec<Role> {
        match self.missing.first() {
            Some(m) => vec![m.by],
            None => self.roles.clone(),
        }
    }
}

/// One thing a step still needs, and the role that provides it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missing {
    pub unmet: Unmet,
    pub by: Role,
    /// Formal Indonesian, then English: what is missing.
    pub message_id: String,
    pub message_en: String,
    /// The same, said as the task of the role that provides it ("Tanda tangani …, lalu unggah
    /// pindaiannya"), rather than the refusal's "… belum diunggah".
    pub task_id: String,
    pub task_en: String,
}

/// What happens next on `app` (of `workflow`), as of `now`, and what `actor` may do.
pub fn next_step(
    workflow: &Workflow,
    app: &Application,
    actor: &Actor,
    now: DateTime<Utc>,
) -> NextStep {
    let stage = workflow.stage(&app.stage);
    let finished = stage.is_none_or(|s| s.terminal);
    let due_at = if finished {
        None
    } else {
        crate::inbox::stage_due(workflow, &app.stage, app.stage_entered_at)
    };
    let steps = if finished {
        Vec::new()
    } else {
        steps(workflow, app)
    };
    NextStep {
        stage: app.stage.clone(),
        stage_title: stage.map_or_else(|| app.stage.clone(), |s| s.title.clone()),
        finished,
        due_at,
        overdue: due_at.is_some_and(|d| now > d),
        steps,
        yours: available_actions(workflow, app, actor),
    }
}

/// The ways forward from `app`'s stage, whoever asks: an open evaluation first (while it is
/// overdue the user ID stays suspended), then each transition that moves the application on.
pub fn steps(workflow: &Workflow, app: &Application) -> Vec<Step> {
    evaluation_steps(workflow, app)
        .chain(
            workflow
                .transitions_from(&app.stage)
                .filter(|t| crate::inbox::moves_on(workflow, t))
                .map(|t| step(workflow, app, t))
                // A renewal is not next before the calendar opens it (180 days ahead).
                .filter(|s| {
                    !s.missing
                        .iter()
                        .any(|m| matches!(m.unmet, Unmet::RenewalNotOpen { .. }))
                }),
        )
        .collect()
}

/// A stand-in actor of `role` with the application's own jurisdiction, so that only what the
/// application lacks (not who asks) is left unmet.
fn stand_in(app: &Application, role: Role) -> Actor {
    let o = &app.ownership;
    let scope = match role.scope_kind() {
        crate::actor::ScopeKind::Agency => Scope::Agency {
            agency_id: o.agency_id,
        },
        crate::actor::ScopeKind::Office => Scope::Office {
            office_id: o.office_id,
            region: o.office_region.clone(),
        },
        crate::actor::ScopeKind::Province => Scope::Province {
            province: o.office_region.province().to_string(),
        },
        crate::actor::ScopeKind::National => Scope::National,
    };
    Actor {
        id: Uuid::nil(),
        role,
        scope,
    }
}

fn step(workflow: &Workflow, app: &Application, t: &Transition) -> Step {
    let unmet = match t.roles.first() {
        Some(&role) => transition_unmet(app, t, &stand_in(app, role), Some("-")),
        None => Vec::new(),
    };
    let mut missing = Vec::new();
    for u in unmet {
        match &u {
            // Who asks, and the comment given when acting, are not things to provide.
            Unmet::RoleNotAllowed { .. }
            | Unmet::ReadOnlyRole { .. }
            | Unmet::OutOfJurisdiction
            | Unmet::WrongOfficeLevel { .. }
            | Unmet::FourEyes { .. }
            | Unmet::CommentRequired
            | Unmet::WrongStage { .. } => {}
            // The attestation rests on the agency's signed statement: that comes first.
            Unmet::MissingAttestation | Unmet::AttestationWithdrawn => {
                if !has_fresh_statement(app) {
                    let statement = Unmet::MissingDocument {
                        kind: "pernyataan_jaringan".into(),
                    };
                    let by = workflow
                        .document_filer("pernyataan_jaringan")
                        .unwrap_or(Role::AgencyHead);
                    missing.push(described(statement, by));
                }
                missing.push(described(u, Role::Coordinator));
            }
            // An overdue evaluation holds the access: the agency's semester report for it comes
            // first, then the office records the evaluation; no manual restore before that.
            Unmet::HeldByEvaluation { kind, due_on, .. } => {
                let report_owed = app
                    .evaluation(*kind, *due_on)
                    .filter(|e| e.is_open())
                    .is_some_and(|e| {
                        app.documents
                            .get("laporan_semester")
                            .is_none_or(|d| d.at < e.opened_at)
                    });
                if report_owed {
                    let report = Unmet::MissingDocument {
                        kind: "laporan_semester".into(),
                    };
                    let by = provider(workflow, &report, t);
                    missing.push(described(report, by));
                }
                missing.push(described(u, Role::Coordinator));
            }
            _ => {
                let by = provider(workflow, &u, t);
                missing.push(described(u, by));
            }
        }
    }
    Step {
        action: t.action.clone(),
        title: t.title.clone(),
        to: t.to.clone(),
        roles: t.roles.clone(),
        missing,
    }
}

/// The action name of the step "record the evaluation" (a command, not a transition).
pub const RECORD_EVALUATION: &str = "catat_evaluasi";

/// One step per open evaluation: the agency's semester report for it (unless filed since it
/// opened), then the office (or Ditjen Dukcapil) records the outcome.
fn evaluation_steps<'a>(
    workflow: &'a Workflow,
    app: &'a Application,
) -> impl Iterator<Item = Step> + 'a {
    app.open_evaluations().map(move |e| {
        let report_owed = app
            .documents
            .get("laporan_semester")
            .is_none_or(|d| d.at < e.opened_at);
        let missing = if report_owed {
            let report = Unmet::MissingDocument {
                kind: "laporan_semester".into(),
            };
            let by = workflow
                .document_filer("laporan_semester")
                .unwrap_or(Role::AgencyHead);
            vec![described(report, by)]
        } else {
            Vec::new()
        };
        Step {
            action: RECORD_EVALUATION.into(),
            title: format!(
                "Catat hasil evaluasi {} yang jatuh tempo {}",
                crate::evaluation::kind_id(e.kind),
                crate::calendar::date_id(e.due_on)
            ),
            to: app.stage.clone(),
            roles: vec![Role::Coordinator, Role::Central],
            missing,
        }
    })
}

/// A signed closed-network statement filed after the last withdrawal, if any.
fn has_fresh_statement(app: &Application) -> bool {
    let withdrawn_at = app
        .attestation
        .as_ref()
        .and_then(|a| a.withdrawn.as_ref())
        .map(|w| w.at);
    ["signed:surat_pernyataan_jaringan", "pernyataan_jaringan"]
        .iter()
        .filter_map(|k| app.documents.get(*k))
        .any(|d| withdrawn_at.is_none_or(|w| d.at > w))
}

/// The role that provides what `u` lacks.
fn provider(workflow: &Workflow, u: &Unmet, t: &Transition) -> Role {
    let step_role = t.roles.first().copied().unwrap_or(Role::Coordinator);
    match u {
        // The signed scan is filed by the role the workflow names first (`[documents]`).
        Unmet::MissingSignedLetter { letter } => workflow
            .document_filer(&format!("signed:{letter}"))
            .unwrap_or(step_role),
        Unmet::LetterNotIssued { letter } => {
            if issued_by_agency(letter) {
                Role::AgencyHead
            } else {
                step_role
            }
        }
        // The role the workflow names first among those who may file it (`[documents]`).
        Unmet::MissingDocument { kind } => workflow.document_filer(kind).unwrap_or(step_role),
        Unmet::MissingMinisterApproval => Role::Central,
        _ => step_role,
    }
}

fn described(unmet: Unmet, by: Role) -> Missing {
    let (message_id, message_en) = (unmet.message_id(), unmet.message_en());
    let (task_id, task_en) =
        task(&unmet).unwrap_or_else(|| (message_id.clone(), message_en.clone()));
    Missing {
        message_id,
        message_en,
        task_id,
        task_en,
        unmet,
        by,
    }
}

/// A missing scan or document as the task of whoever provides it, in Indonesian and English;
/// `None` for what reads well as it is.
fn task(unmet: &Unmet) -> Option<(String, String)> {
    use crate::workflow::{document_title, letter_title};
    match unmet {
        Unmet::MissingSignedLetter { letter } => {
            let title = letter_title(letter).unwrap_or(letter);
            Some((
                format!("Tanda tangani {title}, lalu unggah pindaiannya pada bagian Dokumen."),
                format!("Sign “{title}” and upload its scan under Documents."),
            ))
        }
        Unmet::MissingDocument { kind } => {
            let title = document_title(kind).unwrap_or(kind);
            Some((
                format!("Unggah {title} pada bagian Dokumen."),
                format!("Upload “{title}” under Documents."),
            ))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::actor::Role;
    use crate::machine::Unmet;
    use crate::workflow::{DOCUMENTS, Workflow};

    #[test]
    fn a_missing_scan_or_document_reads_as_a_task() {
        let scan = super::described(
            Unmet::MissingSignedLetter {
                letter: "surat_permohonan".into(),
            },
            Role::AgencyHead,
        );
        assert_eq!(
            scan.task_id,
            "Tanda tangani Surat permohonan pemanfaatan data kependudukan, lalu unggah pindaiannya pada bagian Dokumen."
        );
        assert_ne!(scan.task_id, scan.message_id);
        let report = super::described(
            Unmet::MissingDocument {
                kind: "laporan_semester".into(),
            },
            Role::AgencyHead,
        );
        assert!(report.task_en.starts_with("Upload "), "{}", report.task_en);
        // Anything else is said as it is.
        let attestation = super::described(Unmet::MissingAttestation, Role::Coordinator);
        assert_eq!(attestation.task_id, attestation.message_id);
    }

    #[test]
    fn every_uploaded_document_has_a_filer_in_the_pks_workflows() {
        for (file, src) in [
            (
                "pks-kabkota.toml",
                include_str!("../../../workflows/pks-kabkota.toml"),
            ),
            (
                "pks-provinsi.toml",
                include_str!("../../../workflows/pks-provinsi.toml"),
            ),
        ] {
            let wf = Workflow::from_toml(file, src).expect("the shipped workflow loads");
            for (kind, _) in DOCUMENTS {
                assert!(wf.document_filer(kind).is_some(), "{file}: {kind}");
            }
            assert_eq!(wf.document_filer("surat_cinta"), None);
            assert_eq!(
                wf.document_filer("persetujuan_menteri"),
                Some(Role::Central),
                "the applicant never files the authority's approval"
            );
            assert_eq!(
                wf.document_filer("spesifikasi_teknis"),
                Some(Role::AgencyHead)
            );
            assert_eq!(
                wf.document_filer("berita_acara_poc"),
                Some(Role::Coordinator)
            );
        }
    }
}
