//! The state machine: `submit` starts an application, `apply` decides what a command does.
//!
//! Both are pure. They either return the events to record or a `Rejection` listing every unmet
//! requirement at once, so the person acting can fix them all in one go.

use crate::actor::{Actor, Ownership, Role};
use crate::addendum::{self, AddendumProblem, ScopeChange};
use crate::application::{
    Application, AttestationDetails, EvaluationKind, EvaluationOutcome, Event, EventKind,
    GrantStatus, WorkflowRef,
};
use crate::evaluation::{self};
use crate::letter::{self, LetterInputs};
use crate::pks::PksInput;
use crate::request::{Request, check_request};
use crate::workflow::{Effect, Level, Workflow, document_title, letter_title};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

mod transition;
mod unmet;
pub use transition::{AvailableAction, available_actions, transition_unmet};
use transition::{StepInput, pks_unmet, transition_events};
pub use unmet::{Rejection, Unmet};

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
    Rejection::check(unmet)?;

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
            Rejection::check(unmet)?;
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
            Rejection::check(unmet)?;
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
            Rejection::check(unmet)?;
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
            Rejection::check(unmet)?;
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
            Rejection::check(unmet)?;
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
            Rejection::check(unmet)?;
            Ok(vec![ev(EventKind::MinisterApprovalRecorded {
                reference: reference.clone(),
            })])
        }
        Command::CheckEvaluations => {
            role_check(actor, &Role::CONTROLLERS, &mut unmet);
            scope_checks(actor, &app.ownership, &mut unmet);
            Rejection::check(unmet)?;
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
            Rejection::check(unmet)?;
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
            Rejection::check(unmet)?;
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
