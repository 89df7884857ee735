//! Who an application waits on: the core's answer, which the store records with every command
//! that changes it, so an inbox is an indexed query rather than the core run over every row.
//!
//! An application waits on whoever can take its next steps ([`crate::next::steps`]): for a step
//! that still lacks something, every role that may provide the first thing it lacks (each role
//! the workflow lets file a missing document or signed scan); for a step that lacks nothing, the
//! roles that take it. So a request whose signed letter is not uploaded waits on the agency head,
//! and an overdue evaluation waits on the agency (its semester report) even in live access.
//! Ending the application (a refusal, the applicant's cancellation, ending the agreement),
//! suspending access and optional ways (an addendum) never count as waiting: an agency head is
//! not waited on because "Batalkan permohonan" is open to them. Concluding it is a way on,
//! though: an aggregate-data request waits on the office that answers it. A stage without a
//! target (`sla_days`), such as live access, waits on nobody for its transitions; only its open
//! evaluations put it in an inbox.

use crate::actor::Role;
use crate::application::Application;
use crate::machine::Unmet;
use crate::next::{RECORD_EVALUATION, Step};
use crate::workflow::Workflow;
use chrono::{DateTime, TimeDelta, Utc};

/// The roles `app` (of `workflow`) waits on now, in the order its steps name them.
pub fn waiting_on(workflow: &Workflow, app: &Application) -> Vec<Role> {
    let Some(stage) = workflow.stage(&app.stage) else {
        return Vec::new();
    };
    if stage.terminal {
        return Vec::new();
    }
    let mut roles = Vec::new();
    for step in crate::next::steps(workflow, app) {
        if step.action != RECORD_EVALUATION && stage.sla_days.is_none() {
            continue;
        }
        for r in acting(workflow, &step) {
            if !roles.contains(&r) {
                roles.push(r);
            }
        }
    }
    roles
}

/// Who can take `step` on now: whoever may provide the first thing it lacks, or its own roles.
fn acting(workflow: &Workflow, step: &Step) -> Vec<Role> {
    let Some(first) = step.missing.first() else {
        return step.roles.clone();
    };
    let key = match &first.unmet {
        Unmet::MissingDocument { kind } => Some(kind.clone()),
        Unmet::MissingSignedLetter { letter } => Some(format!("signed:{letter}")),
        _ => None,
    };
    match key.map(|k| workflow.filers(&k).to_vec()) {
        Some(filers) if !filers.is_empty() => filers,
        _ => vec![first.by],
    }
}

/// Whether `t` moves an application on rather than ending it or holding it back: every
/// transition but the destructive ones (refusals, cancellations, suspending or ending access),
/// including one that concludes the application (an aggregate request answered). An optional
/// way (proposing an addendum) is nobody's pending work either.
pub fn moves_on(workflow: &Workflow, t: &crate::workflow::Transition) -> bool {
    workflow.stage(&t.to).is_some() && !t.destructive && !t.optional
}

/// When the stage's target runs out for an application that entered it at `entered_at`.
pub fn stage_due(
    workflow: &Workflow,
    stage: &str,
    entered_at: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let days = workflow.stage(stage)?.sla_days?;
    entered_at.checked_add_signed(TimeDelta::days(i64::from(days)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kabkota() -> Workflow {
        let src = include_str!("../../../workflows/pks-kabkota.toml");
        Workflow::from_toml("pks-kabkota.toml", src).expect("the shipped workflow loads")
    }

    #[test]
    fn the_stage_target_counts_from_entry() {
        let wf = kabkota();
        let at = DateTime::parse_from_rfc3339("2026-03-01T02:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            stage_due(&wf, "permohonan", at).map(|d| d.to_rfc3339()),
            Some("2026-03-08T02:00:00+00:00".to_string())
        );
        assert_eq!(stage_due(&wf, "akses_aktif", at), None);
    }
}
