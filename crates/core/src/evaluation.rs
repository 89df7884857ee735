//! Evaluations (monev) of a live access: what the calendar does on a given day, and what an
//! opened or recorded evaluation changes. Pure: `machine::apply` turns these into events.
//!
//! The life of one evaluation, for the workflow's `[evaluation]` policy:
//!
//! | when | what happens |
//! | --- | --- |
//! | `reminder_days` before the due date | the periodic evaluation is opened; the agency is reminded |
//! | on the due date, no outcome yet | escalated to the head of the Disdukcapil office |
//! | `grace_days` after the due date | overdue: every active grant is suspended |
//! | outcome recorded | `fail` suspends the active grants; a pass restores the grants the calendar suspended and schedules the next periodic date |
//!
//! While an evaluation is overdue, or the latest outcome recorded is a fail, the evaluation
//! holds the access ([`hold`]): no manual restore re-activates a grant, whoever suspended it.
//! Only a passing evaluation, recorded with the agency's semester report, lifts the hold. A
//! grant the calendar suspended and the office then suspended by hand too (`suspend_grants`)
//! is the office's to restore once the hold is lifted; the pass does not restore it.
//!
//! The calendar also expires every grant whose `valid_until` (the end of the PKS) has passed;
//! once no access is live it has nothing more to do.

use crate::application::{
    Application, EvaluationKind, EvaluationOutcome, EventKind, GrantStatus, TermReminder,
};
use crate::calendar::{self, DueState, due_state};
use crate::workflow::Workflow;
use chrono::NaiveDate;
use serde::Serialize;

/// Why an evaluation holds a live access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldReason {
    /// Past its grace period, no outcome recorded.
    Overdue,
    /// Recorded as failed, and no pass recorded since.
    Failed,
}

/// The evaluation holding an access: while it stands, a manual restore (`restore_grants`) is
/// refused. Only a passing evaluation with the agency's semester report lifts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Hold {
    pub kind: EvaluationKind,
    pub due_on: NaiveDate,
    pub reason: HoldReason,
}

/// The evaluation that holds `app`'s access, if any: the earliest open evaluation past its
/// grace period, or else the latest recorded outcome when it is a fail.
pub fn hold(app: &Application) -> Option<Hold> {
    if let Some(e) = app
        .open_evaluations()
        .filter(|e| e.overdue)
        .min_by_key(|e| e.due_on)
    {
        return Some(Hold {
            kind: e.kind,
            due_on: e.due_on,
            reason: HoldReason::Overdue,
        });
    }
    app.evaluations
        .iter()
        .filter_map(|e| e.result.as_ref().map(|r| (e, r)))
        .max_by_key(|(_, r)| r.at)
        .filter(|(_, r)| !r.outcome.passed())
        .map(|(e, _)| Hold {
            kind: e.kind,
            due_on: e.due_on,
            reason: HoldReason::Failed,
        })
}

/// How many days before the agreement ends its parties are reminded: time to prepare the
/// renewal (perpanjangan), which goes through a new PKS.
pub const TERM_REMINDER_DAYS: [u16; 3] = [180, 90, 30];

/// The reminder of the agreement's end due on `today`, if any: the tightest of
/// [`TERM_REMINDER_DAYS`] that `today` has reached and that was not sent yet for this end date.
/// One reminder per run: an agreement found 20 days before its end hears once, not three
/// times. A new end date (a renewal) starts the reminders again.
pub fn term_reminder_due(app: &Application, today: NaiveDate) -> Option<TermReminder> {
    let ends_on = app.term_ends_on()?;
    let left = (ends_on - today).num_days();
    if left < 0 {
        return None;
    }
    let days_before = TERM_REMINDER_DAYS
        .into_iter()
        .filter(|d| left <= i64::from(*d))
        .min()?;
    let sent = app
        .term_reminded
        .filter(|r| r.ends_on == ends_on)
        .is_some_and(|r| r.days_before <= days_before);
    (!sent).then_some(TermReminder {
        ends_on,
        days_before,
    })
}

/// What the calendar does to `app` on `today`; empty when nothing is due. Running it twice on
/// the same day gives nothing the second time: every step is recorded on the evaluation.
pub fn calendar_events(workflow: &Workflow, app: &Application, today: NaiveDate) -> Vec<EventKind> {
    let terminal = workflow.stage(&app.stage).is_none_or(|s| s.terminal);
    if terminal {
        return Vec::new();
    }
    let policy = &workflow.evaluation;
    let mut out = Vec::new();
    // Each step is folded into a working copy so the next one sees it (an evaluation opened
    // today can be reminded today).
    let mut state = app.clone();
    let ended: Vec<_> = state
        .grants
        .iter()
        .filter(|g| {
            matches!(
                g.status,
                GrantStatus::Active | GrantStatus::Suspended { .. }
            ) && today > g.valid_until
        })
        .map(|g| g.kind)
        .collect();
    for kind in ended {
        push(&mut state, EventKind::GrantExpired { kind }, &mut out);
    }
    if !state.access_live() {
        return out;
    }
    if let Some(TermReminder {
        ends_on,
        days_before,
    }) = term_reminder_due(&state, today)
    {
        push(
            &mut state,
            EventKind::TermReminded {
                ends_on,
                days_before,
            },
            &mut out,
        );
    }

    if let Some(due) = state.periodic_due {
        let opened = state.evaluation(EvaluationKind::Periodic, due).is_some();
        if !opened && due_state(due, today, policy) != DueState::Upcoming {
            push(
                &mut state,
                EventKind::EvaluationOpened {
                    kind: EvaluationKind::Periodic,
                    due_on: due,
                    reason: None,
                },
                &mut out,
            );
        }
    }

    let open: Vec<(EvaluationKind, NaiveDate)> = state
        .open_evaluations()
        .map(|e| (e.kind, e.due_on))
        .collect();
    for (kind, due_on) in open {
        let Some(e) = state.evaluation(kind, due_on).cloned() else {
            continue;
        };
        let stage = due_state(due_on, today, policy);
        if stage != DueState::Upcoming && !e.reminded {
            push(
                &mut state,
                EventKind::EvaluationReminded { kind, due_on },
                &mut out,
            );
        }
        if matches!(stage, DueState::Due | DueState::Overdue) && !e.escalated {
            push(
                &mut state,
                EventKind::EvaluationEscalated { kind, due_on },
                &mut out,
            );
        }
        if stage == DueState::Overdue && !e.overdue {
            push(
                &mut state,
                EventKind::EvaluationOverdue { kind, due_on },
                &mut out,
            );
            for g in suspend_active(&state, &overdue_reason(kind, due_on)) {
                push(&mut state, g, &mut out);
            }
        }
    }
    out
}

/// The events of recording `outcome` for the open evaluation (`kind`, `due_on`).
pub fn outcome_events(
    workflow: &Workflow,
    app: &Application,
    kind: EvaluationKind,
    due_on: NaiveDate,
    outcome: EvaluationOutcome,
) -> Vec<EventKind> {
    let mut out = Vec::new();
    if outcome.passed() {
        // Restore only what the calendar suspended, never without a live attestation, and
        // never while another evaluation is still overdue: that one holds the access too.
        let other_overdue = app
            .open_evaluations()
            .any(|e| e.overdue && !(e.kind == kind && e.due_on == due_on));
        if app.attestation_active() && !other_overdue {
            for g in app.grants.iter().filter(|g| {
                g.held_by_evaluation && matches!(g.status, GrantStatus::Suspended { .. })
            }) {
                out.push(EventKind::GrantRestored { kind: g.kind });
            }
        }
    } else {
        out.extend(suspend_active(
            app,
            &format!(
                "Hasil evaluasi {} (jatuh tempo {due_on}): tidak memenuhi",
                kind_id(kind),
                due_on = crate::calendar::date_id(due_on)
            ),
        ));
    }
    if let (EvaluationKind::Periodic, Some(anchor)) = (kind, app.evaluation_anchor) {
        out.push(EventKind::EvaluationsScheduled {
            anchor,
            first_due: calendar::next_due_after(
                anchor,
                workflow.evaluation.interval_months,
                due_on,
            ),
        });
    }
    out
}

fn push(state: &mut Application, kind: EventKind, out: &mut Vec<EventKind>) {
    state.evolve(&crate::Event {
        at: state.stage_entered_at,
        actor: state.submitted_by,
        kind: kind.clone(),
    });
    out.push(kind);
}

fn suspend_active(app: &Application, reason: &str) -> Vec<EventKind> {
    app.grants
        .iter()
        .filter(|g| g.status == GrantStatus::Active)
        .map(|g| EventKind::GrantSuspended {
            kind: g.kind,
            reason: reason.to_string(),
            evaluation: true,
        })
        .collect()
}

fn overdue_reason(kind: EvaluationKind, due_on: NaiveDate) -> String {
    format!(
        "Evaluasi {} yang jatuh tempo {due_on} belum dilaksanakan melewati masa tenggang",
        kind_id(kind),
        due_on = crate::calendar::date_id(due_on)
    )
}

/// The kind's name in Indonesian.
pub fn kind_id(kind: EvaluationKind) -> &'static str {
    match kind {
        EvaluationKind::Periodic => "semesteran",
        EvaluationKind::Incidental => "insidental",
    }
}
