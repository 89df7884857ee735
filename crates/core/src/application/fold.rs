//! The fold: how each event changes an application's state. Replaying an application's events
//! from its submission through `evolve` gives the state the store holds.

use super::{
    Application, Attestation, DocumentRef, Evaluation, EvaluationResult, Event, EventKind, Grant,
    GrantStatus, MinisterApproval, TermReminder, Withdrawal,
};
use crate::addendum::PendingAddendum;
use crate::pks;

impl Application {
    /// Folds one event into the state. Events come from `apply` (or the audit log), so they
    /// are trusted here; nothing is re-checked.
    pub fn evolve(&mut self, event: &Event) {
        match &event.kind {
            EventKind::Submitted { .. } | EventKind::LetterProduced { .. } => {}
            EventKind::Imported { agreement } => crate::import::fold(self, agreement, event),
            EventKind::LetterIssued { letter } => {
                self.letters.insert(letter.letter.clone(), letter.clone());
            }
            EventKind::Transitioned { to, .. } => {
                if *to != self.stage {
                    self.stage_entered_at = event.at;
                }
                self.stage = to.clone();
            }
            EventKind::DocumentAttached {
                key,
                sha256,
                filename,
                letter_id,
            } => {
                self.documents.insert(
                    key.clone(),
                    DocumentRef {
                        sha256: sha256.clone(),
                        filename: filename.clone(),
                        at: event.at,
                        of_letter: *letter_id,
                    },
                );
            }
            EventKind::AttestationRecorded {
                details,
                statement_sha256,
            } => {
                self.attestation = Some(Attestation {
                    details: details.clone(),
                    statement_sha256: statement_sha256.clone(),
                    recorded_by: event.actor,
                    recorded_at: event.at,
                    withdrawn: None,
                });
            }
            EventKind::AttestationWithdrawn { reason } => {
                if let Some(a) = self.attestation.as_mut() {
                    a.withdrawn = Some(Withdrawal {
                        reason: reason.clone(),
                        by: event.actor,
                        at: event.at,
                    });
                }
            }
            EventKind::MinisterApprovalRecorded { reference } => {
                self.minister_approval = Some(MinisterApproval {
                    reference: reference.clone(),
                    by: event.actor,
                    at: event.at,
                });
            }
            EventKind::PksDrafted { version, articles } => {
                self.pks.version = *version;
                self.pks.drafted_by = Some(event.actor);
                self.pks.articles = articles.len() as u32;
                self.pks.sha256 = (!articles.is_empty()).then(|| pks::articles_sha256(articles));
            }
            EventKind::PksReturned { .. } => {}
            EventKind::PksApproved { version, .. } => {
                self.pks.approved_version = Some(*version);
                self.pks.approved_by = Some(event.actor);
            }
            EventKind::PksSigned { on, .. } => self.pks.signed_on = Some(*on),
            EventKind::GrantIssued {
                kind,
                elements,
                method,
                valid_until,
            } => {
                self.grants.retain(|g| g.kind != *kind);
                self.grants.push(Grant {
                    kind: *kind,
                    elements: elements.clone(),
                    method: *method,
                    issued_at: event.at,
                    valid_until: *valid_until,
                    status: GrantStatus::Active,
                    held_by_evaluation: false,
                });
                self.refresh_next_due();
            }
            EventKind::GrantSuspended {
                kind,
                reason,
                evaluation,
            } => {
                if let Some(g) = self.grant_mut(*kind) {
                    g.status = GrantStatus::Suspended {
                        reason: reason.clone(),
                    };
                    g.held_by_evaluation = *evaluation;
                }
            }
            EventKind::GrantRestored { kind } => {
                if let Some(g) = self.grant_mut(*kind) {
                    g.status = GrantStatus::Active;
                    g.held_by_evaluation = false;
                }
            }
            EventKind::GrantRevoked { kind, reason } => {
                if let Some(g) = self.grant_mut(*kind) {
                    g.status = GrantStatus::Revoked {
                        reason: reason.clone(),
                    };
                    g.held_by_evaluation = false;
                }
                self.refresh_next_due();
            }
            EventKind::GrantExtended { kind, valid_until } => {
                if let Some(g) = self.grant_mut(*kind) {
                    g.valid_until = *valid_until;
                }
            }
            EventKind::AddendumProposed { change } => {
                self.addendum = Some(PendingAddendum {
                    change: change.clone(),
                    proposed_by: event.actor,
                    proposed_at: event.at,
                    base_version: self.pks.version,
                });
            }
            EventKind::AddendumDropped { .. } => self.addendum = None,
            EventKind::AddendumSigned { change, .. } => {
                self.request = change.amend(&self.request);
                self.daily_quota =
                    (change.daily_quota != pks::DAILY_QUOTA).then_some(change.daily_quota);
                self.addendum = None;
                self.addenda += 1;
            }
            EventKind::GrantRescoped {
                kind,
                elements,
                method,
            } => {
                if let Some(g) = self.grant_mut(*kind) {
                    g.elements = elements.clone();
                    g.method = *method;
                }
            }
            EventKind::TermReminded {
                ends_on,
                days_before,
            } => {
                self.term_reminded = Some(TermReminder {
                    ends_on: *ends_on,
                    days_before: *days_before,
                });
            }
            EventKind::GrantExpired { kind } => {
                if let Some(g) = self.grant_mut(*kind) {
                    g.status = GrantStatus::Expired;
                    g.held_by_evaluation = false;
                }
                self.refresh_next_due();
            }
            EventKind::EvaluationsScheduled { anchor, first_due } => {
                self.evaluation_anchor = Some(*anchor);
                self.periodic_due = Some(*first_due);
                self.refresh_next_due();
            }
            EventKind::EvaluationOpened {
                kind,
                due_on,
                reason,
            } => {
                self.evaluations.push(Evaluation {
                    kind: *kind,
                    due_on: *due_on,
                    opened_at: event.at,
                    reason: reason.clone(),
                    reminded: false,
                    escalated: false,
                    overdue: false,
                    result: None,
                });
                self.refresh_next_due();
            }
            EventKind::EvaluationReminded { kind, due_on } => {
                if let Some(e) = self.evaluation_mut(*kind, *due_on) {
                    e.reminded = true;
                }
            }
            EventKind::EvaluationEscalated { kind, due_on } => {
                if let Some(e) = self.evaluation_mut(*kind, *due_on) {
                    e.escalated = true;
                }
            }
            EventKind::EvaluationOverdue { kind, due_on } => {
                if let Some(e) = self.evaluation_mut(*kind, *due_on) {
                    e.overdue = true;
                }
            }
            EventKind::EvaluationRecorded {
                kind,
                due_on,
                outcome,
                findings,
                data_balikan_met,
                report_sha256,
            } => {
                let result = EvaluationResult {
                    outcome: *outcome,
                    findings: findings.clone(),
                    data_balikan_met: *data_balikan_met,
                    report_sha256: report_sha256.clone(),
                    by: event.actor,
                    at: event.at,
                };
                if let Some(e) = self.evaluation_mut(*kind, *due_on) {
                    e.result = Some(result);
                }
                self.refresh_next_due();
            }
        }
    }
}
