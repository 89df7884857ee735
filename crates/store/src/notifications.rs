//! Who is told: the outbox rows a command queues for whoever must act next, the parties of an
//! agreement whose term ends, and the evaluation calendar's reminders and escalations.

use crate::batch::Batch;
use crate::commands::Decided;
use crate::directory::actor_from_row;
use crate::entity::{accounts, audit_events, outbox};
use crate::evaluations::SYSTEM_ACCOUNT_ID;
use crate::named::Named;
use crate::{Result, Store};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
};
use sepakat_core::application::EventKind;
use sepakat_core::{Actor, Application, EvaluationKind, Ownership, Role};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use uuid::Uuid;

impl Store {
    /// Active accounts with one of `roles` whose scope covers the application (never the
    /// scheduler's own account), each with the actor it stands for.
    pub(crate) async fn audience<C: ConnectionTrait>(
        &self,
        db: &C,
        own: &Ownership,
        roles: &BTreeSet<Role>,
    ) -> Result<Vec<(accounts::Model, Actor)>> {
        let in_scope = crate::people::in_scope(own);
        let candidates = accounts::Entity::find()
            .filter(accounts::Column::Active.eq(true))
            .filter(accounts::Column::Id.ne(SYSTEM_ACCOUNT_ID))
            .filter(accounts::Column::Role.is_in(roles.iter().map(|r| Named(*r))))
            .filter(in_scope)
            .order_by_asc(accounts::Column::Email)
            .all(db)
            .await?;
        let mut out = Vec::with_capacity(candidates.len());
        for acc in candidates {
            let region = (acc.role == Role::Coordinator).then(|| own.office_region.clone());
            let Ok(recipient) = actor_from_row(&acc, region) else {
                tracing::warn!(account = %acc.id, "skipping an account with an inconsistent scope");
                continue;
            };
            if recipient.can_see(own) {
                out.push((acc, recipient));
            }
        }
        Ok(out)
    }

    /// Outbox rows for the accounts that can act from the new stage, within their scope, and
    /// the agency's heads; built, not inserted. A command that numbers no letter builds them
    /// before its write transaction (the audience read and the core's next step then hold no
    /// lock: SQLite has one writer), the others inside it.
    pub(crate) async fn stage_notifications<C: ConnectionTrait>(
        &self,
        db: &C,
        d: &Decided<'_>,
        trigger: Option<&audit_events::Model>,
    ) -> Result<Vec<outbox::Model>> {
        let app = d.after;
        let wf = d.workflow;
        let mut roles: BTreeSet<Role> = wf
            .transitions_from(&app.stage)
            .flat_map(|t| t.roles.iter().copied())
            .collect();
        roles.insert(Role::AgencyHead);
        let own = &app.ownership;
        let previous_stage = d.before.map(|b| b.stage.clone());
        let action = d.events.iter().rev().find_map(|e| match &e.kind {
            EventKind::Transitioned { action, .. } => Some(action.clone()),
            _ => None,
        });
        let template = if d.before.is_none() {
            "application_submitted"
        } else {
            "stage_changed"
        };
        let stage_title = wf.stage(&app.stage).map(|s| s.title.clone());
        // The core's next step, as the application page shows it: who does what on each way
        // forward. The steps are the application's, whoever reads them: decided once.
        let next = sepakat_core::next::next_step(wf, app, d.actor, d.now);
        let steps: Vec<Value> = next
            .steps
            .iter()
            .map(|s| {
                let who: Vec<&str> = s.acting_roles().iter().map(|r| r.name_id()).collect();
                // `doing` only when something is missing: a ready step is its title.
                let doing = (!s.ready()).then(|| s.doing_id());
                json!({"title": s.title, "who": who.join(" / "), "doing": doing})
            })
            .collect();
        let mut rows = Vec::new();
        for (acc, recipient) in self.audience(db, own, &roles).await? {
            let actions: Vec<&str> = wf
                .transitions_from(&app.stage)
                .filter(|t| t.roles.contains(&recipient.role))
                .map(|t| t.action.as_str())
                .collect();
            // What this recipient does now.
            let todo: Vec<String> = next
                .steps
                .iter()
                .filter(|s| s.acting_roles().contains(&recipient.role))
                .map(|s| s.doing_id())
                .collect();
            let payload = payload_for(
                app,
                recipient.role,
                json!({
                    "stage_title": stage_title,
                    "previous_stage": previous_stage,
                    "action": action,
                    "acted_by": d.actor.id,
                    "actions": actions,
                    "todo": todo,
                    "next": steps,
                    // The stage's target, as a day at the office.
                    "next_due_on": next.due_at.map(|d| app.local_date(d)),
                }),
            );
            rows.push(outbox_row(
                &acc,
                template,
                payload,
                app.id,
                trigger.map(|t| t.seq),
                d.now,
            ));
        }
        Ok(rows)
    }

    /// Outbox rows for the agreement's term: the agency head and the office hear of its end
    /// ahead of time (`term_reminder`), and once its user IDs expired with it
    /// (`agreement_expired`, once per command however many user IDs expired).
    pub(crate) async fn queue_term_notifications(
        &self,
        txn: &DatabaseTransaction,
        d: &Decided<'_>,
        event_rows: &[audit_events::Model],
    ) -> Result<Vec<outbox::Model>> {
        let concerned = d.events.iter().any(|e| {
            matches!(
                e.kind,
                EventKind::TermReminded { .. } | EventKind::GrantExpired { .. }
            )
        });
        if !concerned {
            return Ok(Vec::new());
        }
        let app = d.after;
        let own = &app.ownership;
        let mut rows = Vec::new();
        let mut expired_told = false;
        // The agency head and the office: one query for every term event of the command.
        let roles = BTreeSet::from([Role::AgencyHead, Role::Coordinator]);
        let audience = self.audience(txn, own, &roles).await?;
        for (e, row) in d.events.iter().zip(event_rows) {
            let (template, ends_on, days_before) = match &e.kind {
                EventKind::TermReminded {
                    ends_on,
                    days_before,
                } => ("term_reminder", *ends_on, Some(*days_before)),
                EventKind::GrantExpired { kind } if !expired_told => {
                    expired_told = true;
                    let Some(grant) = d.before.and_then(|b| b.grant(*kind)) else {
                        continue;
                    };
                    ("agreement_expired", grant.valid_until, None)
                }
                _ => continue,
            };
            for (acc, recipient) in &audience {
                let payload = payload_for(
                    app,
                    recipient.role,
                    json!({
                        "term_ends_on": ends_on,
                        "days_before": days_before,
                        "days_left": (ends_on - app.local_date(d.now)).num_days(),
                    }),
                );
                rows.push(outbox_row(
                    acc,
                    template,
                    payload,
                    app.id,
                    Some(row.seq),
                    d.now,
                ));
            }
        }
        insert_outbox(txn, &rows).await?;
        Ok(rows)
    }

    /// Outbox rows for the evaluation steps among the command's events: the agency is
    /// reminded, the head of office hears of an escalation, both of a suspension, the agency
    /// of an outcome or an incidental evaluation opened.
    pub(crate) async fn queue_evaluation_notifications(
        &self,
        txn: &DatabaseTransaction,
        d: &Decided<'_>,
        event_rows: &[audit_events::Model],
    ) -> Result<Vec<outbox::Model>> {
        let app = d.after;
        let own = &app.ownership;
        let policy = &d.workflow.evaluation;
        let mut rows = Vec::new();
        for (e, row) in d.events.iter().zip(event_rows) {
            let (template, kind, due_on, outcome, roles): (_, _, _, _, &[Role]) = match &e.kind {
                EventKind::EvaluationOpened {
                    kind: kind @ EvaluationKind::Incidental,
                    due_on,
                    ..
                } => ("evaluation_opened", kind, due_on, None, &[Role::AgencyHead]),
                EventKind::EvaluationReminded { kind, due_on } => (
                    "evaluation_reminder",
                    kind,
                    due_on,
                    None,
                    &[Role::AgencyHead],
                ),
                EventKind::EvaluationEscalated { kind, due_on } => (
                    "evaluation_escalated",
                    kind,
                    due_on,
                    None,
                    &[Role::Coordinator],
                ),
                EventKind::EvaluationOverdue { kind, due_on } => (
                    "evaluation_overdue",
                    kind,
                    due_on,
                    None,
                    &[Role::AgencyHead, Role::Coordinator],
                ),
                EventKind::EvaluationRecorded {
                    kind,
                    due_on,
                    outcome,
                    ..
                } => (
                    "evaluation_recorded",
                    kind,
                    due_on,
                    Some(*outcome),
                    &[Role::AgencyHead, Role::Coordinator],
                ),
                _ => continue,
            };
            let mut audience = self
                .audience(txn, own, &roles.iter().copied().collect::<BTreeSet<Role>>())
                .await?;
            if matches!(e.kind, EventKind::EvaluationEscalated { .. }) {
                // To the head of office; to every coordinator when no head is on record.
                if audience.iter().any(|(a, _)| a.heads_office) {
                    audience.retain(|(a, _)| a.heads_office);
                }
            }
            let evaluation = app.evaluation(*kind, *due_on);
            for (acc, recipient) in audience {
                let payload = payload_for(
                    app,
                    recipient.role,
                    json!({
                        "evaluation_kind": kind,
                        "due_on": due_on,
                        "reason": evaluation.and_then(|e| e.reason.clone()),
                        "outcome": outcome,
                        "findings": evaluation.and_then(|e| e.result.as_ref()).map(|r| r.findings.clone()),
                        "grace_days": policy.grace_days,
                        "suspended": app.grants.iter().any(|g| g.held_by_evaluation),
                    }),
                );
                rows.push(outbox_row(
                    &acc,
                    template,
                    payload,
                    app.id,
                    Some(row.seq),
                    d.now,
                ));
            }
        }
        insert_outbox(txn, &rows).await?;
        Ok(rows)
    }
}

/// A mail's payload: what every mail says of its application and recipient, and `extra`.
fn payload_for(app: &Application, recipient_role: Role, extra: Value) -> Value {
    let mut payload = json!({
        "application_id": app.id,
        "workflow": app.workflow.name,
        "stage": app.stage,
        "agency_id": app.ownership.agency_id,
        "office_id": app.ownership.office_id,
        "recipient_role": recipient_role,
    });
    if let (Value::Object(p), Value::Object(extra)) = (&mut payload, extra) {
        p.extend(extra);
    }
    payload
}

pub(crate) fn outbox_row(
    acc: &accounts::Model,
    template: &str,
    payload: Value,
    application_id: Uuid,
    event_seq: Option<i64>,
    now: DateTime<Utc>,
) -> outbox::Model {
    let id = Uuid::now_v7();
    outbox::Model {
        id,
        application_id: Some(application_id),
        event_seq,
        recipient_account_id: Some(acc.id),
        recipient_email: acc.email.clone(),
        template: template.to_string(),
        payload,
        state: crate::outbox::OutboxState::Pending,
        attempts: 0,
        next_attempt_at: now,
        message_id: format!("<{id}@sepakat>"),
        created_at: now,
        sent_at: None,
        last_error: None,
    }
}

pub(crate) async fn insert_outbox(txn: &DatabaseTransaction, rows: &[outbox::Model]) -> Result<()> {
    let mut batch = Batch::for_db(txn);
    push_outbox(&mut batch, rows);
    batch.run(txn).await
}

pub(crate) fn push_outbox(batch: &mut Batch, rows: &[outbox::Model]) {
    if !rows.is_empty() {
        batch.push(outbox::Entity::insert_many(
            rows.iter().cloned().map(outbox::ActiveModel::from),
        ));
    }
}
