//! Who an application waits on: the core's answer, which the store records with every stage
//! change so an inbox is an indexed query rather than the core run over every row.
//!
//! A stage waits on the roles that move the application on from it: the roles of its
//! transitions that are not destructive (`moves_on`). Ending the application (a refusal, the
//! applicant's cancellation, ending the agreement) or suspending its access is always possible
//! and never counts as waiting: an agency head is not waited on because "Batalkan permohonan" is
//! open to them. Concluding it is a way on, though: an aggregate-data request waits on the office
//! that answers it. A stage without a target (`sla_days`), such as live access, waits on nobody.

use crate::actor::Role;
use crate::workflow::Workflow;
use chrono::{DateTime, TimeDelta, Utc};

/// The roles `stage` of `workflow` waits on, in the order the workflow names them.
pub fn waiting_roles(workflow: &Workflow, stage: &str) -> Vec<Role> {
    let Some(s) = workflow.stage(stage) else {
        return Vec::new();
    };
    if s.terminal || s.sla_days.is_none() {
        return Vec::new();
    }
    let mut roles = Vec::new();
    for t in workflow.transitions_from(stage) {
        if moves_on(workflow, t) {
            for r in &t.roles {
                if !roles.contains(r) {
                    roles.push(*r);
                }
            }
        }
    }
    roles
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
    fn cancelling_never_makes_a_stage_wait_on_the_applicant() {
        let wf = kabkota();
        // The coordinator forwards or returns the request; the agency head may only cancel it.
        assert_eq!(waiting_roles(&wf, "permohonan"), vec![Role::Coordinator]);
        // A returned request waits on the agency head, who resubmits it.
        assert_eq!(
            waiting_roles(&wf, "perbaikan_permohonan"),
            vec![Role::AgencyHead]
        );
        assert_eq!(
            waiting_roles(&wf, "persetujuan_dirjen"),
            vec![Role::Coordinator, Role::Central]
        );
        assert_eq!(
            waiting_roles(&wf, "konsultasi_provinsi"),
            vec![Role::ProvincialReviewer]
        );
        assert_eq!(
            waiting_roles(&wf, "spesifikasi_teknis"),
            vec![Role::AgencyHead]
        );
    }

    #[test]
    fn live_access_and_end_states_wait_on_nobody() {
        let wf = kabkota();
        for stage in [
            "akses_aktif",
            "ditolak",
            "dibatalkan",
            "diakhiri",
            "no_such_stage",
        ] {
            assert!(waiting_roles(&wf, stage).is_empty(), "{stage}");
        }
        // A suspension waits on whoever restores access, not on whoever may end it.
        assert_eq!(
            waiting_roles(&wf, "akses_ditangguhkan"),
            vec![Role::Coordinator, Role::Central]
        );
    }

    #[test]
    fn an_aggregate_request_waits_on_the_office_that_answers_it() {
        let src = include_str!("../../../workflows/data-agregat.toml");
        let wf = Workflow::from_toml("data-agregat.toml", src).expect("the shipped workflow loads");
        // Answering ends the request in `dijawab`, but it is the way on, not a refusal.
        assert_eq!(waiting_roles(&wf, "permohonan"), vec![Role::Coordinator]);
        assert!(waiting_roles(&wf, "dijawab").is_empty());
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
