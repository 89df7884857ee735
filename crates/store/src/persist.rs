//! Writing one decided command: the state row, the chained events, the projections and the
//! outbox, all inside the command's transaction.

use crate::audit::event_hash;
use crate::batch::Batch;
use crate::commands::{CommandOutcome, Decided, to_json};
use crate::entity::{accounts, applications, audit_events, outbox};
use crate::notifications::push_outbox;
use crate::{FailPoint, Result, Store, StoreError, micros};
use sea_orm::sea_query::{Expr, Query, SelectStatement};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use sepakat_core::EventKind;
use serde_json::Value;
use uuid::Uuid;

impl Store {
    /// Writes one decided command inside `txn`: state row, events, letters, projections, outbox.
    pub(crate) async fn persist(
        &self,
        txn: &DatabaseTransaction,
        d: &Decided<'_>,
        prepared: Prepared,
    ) -> Result<CommandOutcome> {
        let app = d.after;
        let Prepared {
            state,
            event_rows,
            head: prev,
            event_count,
            notifications,
        } = prepared;

        // The state row: inserted, or updated only if nobody got there first.
        match d.before {
            None => {
                applications::Entity::insert(applications::ActiveModel {
                    id: Set(app.id),
                    workflow_name: Set(app.workflow.name.clone()),
                    workflow_hash: Set(app.workflow.hash.clone()),
                    agency_id: Set(app.ownership.agency_id),
                    office_id: Set(app.ownership.office_id),
                    stage: Set(app.stage.clone()),
                    version: Set(app.version),
                    state: Set(state),
                    submitted_by: Set(app.submitted_by),
                    submitted_at: Set(micros(app.submitted_at)),
                    stage_entered_at: Set(micros(app.stage_entered_at)),
                    next_evaluation_due: Set(app.next_evaluation_due),
                    last_event_hash: Set(prev.clone()),
                    event_count: Set(event_count),
                    updated_at: Set(d.now),
                })
                .exec_without_returning(txn)
                .await?;
            }
            Some(before) => {
                let mut update = applications::Entity::update_many();
                if let Some(acc) = d.account {
                    update = update.filter(Expr::exists(account_unchanged(acc)));
                }
                let updated = update
                    .col_expr(applications::Column::Stage, Expr::value(app.stage.clone()))
                    .col_expr(applications::Column::Version, Expr::value(app.version))
                    .col_expr(applications::Column::State, Expr::value(state))
                    .col_expr(
                        applications::Column::StageEnteredAt,
                        Expr::value(micros(app.stage_entered_at)),
                    )
                    .col_expr(
                        applications::Column::NextEvaluationDue,
                        Expr::value(app.next_evaluation_due),
                    )
                    .col_expr(
                        applications::Column::LastEventHash,
                        Expr::value(prev.clone()),
                    )
                    .col_expr(applications::Column::EventCount, Expr::value(event_count))
                    .col_expr(applications::Column::UpdatedAt, Expr::value(d.now))
                    .filter(applications::Column::Id.eq(app.id))
                    .filter(applications::Column::Version.eq(before.version))
                    .exec(txn)
                    .await?;
                if updated.rows_affected == 0 {
                    let actual = applications::Entity::find_by_id(app.id)
                        .one(txn)
                        .await?
                        .map_or(0, |r| r.version);
                    return Err(StoreError::Conflict {
                        expected: before.version,
                        actual,
                    });
                }
            }
        }

        // The events and the read models go in one batch, sent after the projections that
        // read or write on their own (no table refers to an audit event, and those projections
        // read none of these rows): on SQLite, one round trip while the write lock is held.
        let mut batch = Batch::for_db(txn);

        // Who the application waits on now: the inboxes' read model. An upload or an opened
        // evaluation changes it as much as a new stage does. First in the batch, so that on
        // PostgreSQL its delete goes alone and every insert after it in one statement.
        let stage_changed = d.before.is_none_or(|b| b.stage != app.stage);
        // (A new stage rewrites them anyway: the core is asked only when the stage stays.)
        let waits_changed = !stage_changed
            && d.before.is_some_and(|b| {
                sepakat_core::inbox::waiting_on(d.workflow, b)
                    != sepakat_core::inbox::waiting_on(d.workflow, app)
            });
        if stage_changed || waits_changed {
            crate::inbox::push_waits(&mut batch, d.workflow, app);
        }

        if !event_rows.is_empty() {
            batch.push(audit_events::Entity::insert_many(
                event_rows
                    .iter()
                    .cloned()
                    .map(audit_events::ActiveModel::from),
            ));
        }
        self.check_fail_point(FailPoint::AfterEvents)?;

        // Letters, documents and the access projections, event by event.
        for (e, row) in d.events.iter().zip(&event_rows) {
            self.project(txn, app, e, row, d).await?;
        }

        if stage_changed {
            // The stay it began, the one it ended, and every scope's counters (dashboards).
            let entering = d
                .events
                .iter()
                .zip(&event_rows)
                .rev()
                .find(|(e, _)| {
                    matches!(
                        e.kind,
                        EventKind::Transitioned { .. }
                            | EventKind::Submitted { .. }
                            | EventKind::Imported { .. }
                    )
                })
                .map_or(event_count, |(_, r)| r.seq);
            crate::stages::push_stage_move(&mut batch, d.workflow, d.before, app, entering);
        }

        // Notifications for whoever must act next, unless built before the transaction.
        let mut outbox_rows = match notifications {
            Some(rows) => rows,
            None => match stage_notice(d, &event_rows) {
                Some(trigger) => self.stage_notifications(txn, d, trigger).await?,
                None => Vec::new(),
            },
        };
        push_outbox(&mut batch, &outbox_rows);
        batch.run(txn).await?;
        // Each answers nothing, without a query, when no event of the command concerns it.
        outbox_rows.extend(
            self.queue_evaluation_notifications(txn, d, &event_rows)
                .await?,
        );
        outbox_rows.extend(self.queue_term_notifications(txn, d, &event_rows).await?);

        self.check_fail_point(FailPoint::BeforeCommit)?;
        Ok(CommandOutcome {
            application: app.clone(),
            events: event_rows,
            letters: Vec::new(),
            outbox: outbox_rows,
        })
    }
}

/// The rows a decided command will write, built before its transaction starts.
pub(crate) struct Prepared {
    pub(crate) state: Value,
    pub(crate) event_rows: Vec<audit_events::Model>,
    /// The chain's new head hash.
    pub(crate) head: String,
    pub(crate) event_count: i64,
    /// The stage change's notifications, when built before the transaction.
    pub(crate) notifications: Option<Vec<outbox::Model>>,
}

/// Whether the command's events tell of a stage change that notifies whoever must act next,
/// and the event that triggered it. An agreement imported from before Sepakat is news to
/// nobody.
pub(crate) fn stage_notice<'r>(
    d: &Decided<'_>,
    event_rows: &'r [audit_events::Model],
) -> Option<Option<&'r audit_events::Model>> {
    let stage_changed = d.before.is_none_or(|b| b.stage != d.after.stage);
    let imported = d
        .events
        .iter()
        .any(|e| matches!(e.kind, EventKind::Imported { .. }));
    (stage_changed && !imported).then(|| {
        d.events
            .iter()
            .zip(event_rows)
            .rev()
            .find(|(e, _)| {
                matches!(
                    e.kind,
                    EventKind::Transitioned { .. } | EventKind::Submitted { .. }
                )
            })
            .map(|(_, r)| r)
    })
}

/// Serializes the new state and chains the events onto the application's head.
pub(crate) fn prepare(d: &Decided<'_>) -> Result<Prepared> {
    let app = d.after;
    let state = to_json("application state", app)?;
    let mut event_rows = Vec::with_capacity(d.events.len());
    let mut prev = d.prev_hash.clone();
    for (i, e) in d.events.iter().enumerate() {
        let seq = d.prev_count + 1 + i as i64;
        let payload = to_json("event", &e.kind)?;
        let at = micros(e.at);
        let kind = e.kind.name().to_string();
        let hash = event_hash(app.id, seq, &kind, e.actor, at, &payload, &prev);
        event_rows.push(audit_events::Model {
            id: Uuid::now_v7(),
            application_id: app.id,
            seq,
            kind,
            actor_id: e.actor,
            at,
            payload,
            prev_hash: std::mem::replace(&mut prev, hash.clone()),
            hash,
        });
    }
    Ok(Prepared {
        state,
        event_count: d.prev_count + event_rows.len() as i64,
        event_rows,
        head: prev,
        notifications: None,
    })
}

/// `SELECT 1 FROM accounts WHERE` the account is still active with the same role and scope.
fn account_unchanged(acc: &accounts::Model) -> SelectStatement {
    let mut q = Query::select();
    q.expr(Expr::val(1))
        .from(accounts::Entity)
        .and_where(accounts::Column::Id.eq(acc.id))
        .and_where(accounts::Column::Active.eq(true))
        .and_where(accounts::Column::Role.eq(acc.role));
    q.and_where(match acc.office_id {
        Some(o) => accounts::Column::OfficeId.eq(o),
        None => accounts::Column::OfficeId.is_null(),
    });
    q.and_where(match acc.agency_id {
        Some(a) => accounts::Column::AgencyId.eq(a),
        None => accounts::Column::AgencyId.is_null(),
    });
    q.and_where(match &acc.province {
        Some(p) => accounts::Column::Province.eq(p.clone()),
        None => accounts::Column::Province.is_null(),
    });
    q
}
