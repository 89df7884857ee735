//! One workflow transition: what it still lacks for an actor (`transition_unmet`), the events
//! it records when nothing is lacking, and the actions an actor may take now.

use super::{Unmet, blank, role_check, scope_checks};
use crate::actor::Actor;
use crate::addendum::ScopeChange;
use crate::application::{Application, EventKind, GrantKind, GrantStatus};
use crate::calendar;
use crate::evaluation;
use crate::letter::{self, LetterInputs};
use crate::pks::{self, PksInput, PksProblem};
use crate::workflow::{Effect, Requirement, Transition, Workflow};
use chrono::{DateTime, Utc};
use serde::Serialize;

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
pub(super) fn pks_unmet(app: &Application, t: &Transition, input: &PksInput) -> Vec<PksProblem> {
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
pub(super) struct StepInput<'a> {
    pub comment: Option<String>,
    pub pks: &'a PksInput,
    pub addendum: Option<&'a ScopeChange>,
}

pub(super) fn transition_events(
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
