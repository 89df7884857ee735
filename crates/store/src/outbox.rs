//! The notification outbox, from the dispatcher's side: claim what is due, then mark each
//! row sent, or failed (retried with backoff, dead after the last attempt).
//!
//! A claim is a lease: inside one short transaction the due rows are selected (on PostgreSQL
//! `FOR UPDATE SKIP LOCKED`, so two instances never pick the same row; on SQLite the write
//! transaction already admits one claimer at a time) and their `next_attempt_at` is pushed past
//! the lease. A dispatcher that dies mid-send loses nothing: the lease runs out and the row is
//! claimed again, with the same Message-ID, so a receiver can tell a redelivery.

use crate::entity::outbox;
use crate::scope::{KeysetPage, MAX_PAGE, encode_cursor, keyset, parse_cursor, take_page};
use crate::{Result, Store, StoreError, micros};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::DeriveValueType;
use sea_orm::sea_query::ValueTypeErr;
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, DbBackend, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use uuid::Uuid;

/// What the dispatcher reports back about one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// Will be tried again at the given time.
    Retry(DateTime<Utc>),
    /// The last attempt failed: the row is dead (visible to admins, retried only by hand).
    Dead,
}

/// When a message that failed is tried again, and when it is given up (dead).
///
/// The wait after the `n`-th failed attempt is `first_wait * 2^(n-1)`, capped at `max_wait`;
/// after `max_attempts` attempts in all the message is dead. The defaults of `sepakat serve`
/// (30 s doubling, capped at one hour, 80 attempts) keep a message alive through about three
/// days of SMTP outage: see [`RetryPolicy::span`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included, before the message is dead (at least 1).
    pub max_attempts: i32,
    /// The wait after the first failure (at least one second).
    pub first_wait: TimeDelta,
    /// The longest wait between two attempts (never shorter than `first_wait`).
    pub max_wait: TimeDelta,
}

impl RetryPolicy {
    /// The wait before the next attempt, after `failures` failed attempts (1 for the first).
    pub fn wait_after(&self, failures: i32) -> TimeDelta {
        let first = self.first_wait.max(TimeDelta::seconds(1));
        let cap = self.max_wait.max(first);
        let exp = u32::try_from(failures.saturating_sub(1))
            .unwrap_or(0)
            .min(30);
        first.checked_mul(1 << exp).unwrap_or(cap).min(cap)
    }

    /// Whether a message that has failed `attempts` times is dead.
    pub fn gives_up_after(&self, attempts: i32) -> bool {
        attempts >= self.max_attempts.max(1)
    }

    /// From the first attempt to the last: the longest outage a message outlives.
    pub fn span(&self) -> TimeDelta {
        (1..self.max_attempts.max(1))
            .map(|n| self.wait_after(n))
            .fold(TimeDelta::zero(), |a, w| a.checked_add(&w).unwrap_or(a))
    }
}

/// Counts by state, for `/metrics` and the admin view.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct OutboxCounts {
    pub pending: u64,
    pub sent: u64,
    pub dead: u64,
}

impl Store {
    /// Claims up to `limit` rows due at `now` for `lease`; returns them with their attempt count
    /// as it was before this attempt.
    #[tracing::instrument(skip(self), err)]
    pub async fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        limit: u64,
        lease: TimeDelta,
    ) -> Result<Vec<outbox::Model>> {
        let now = micros(now);
        let w = self.begin_write().await?;
        let result = async {
            let mut q = outbox::Entity::find()
                .filter(outbox::Column::State.eq(OutboxState::Pending))
                .filter(outbox::Column::NextAttemptAt.lte(now))
                .order_by_asc(outbox::Column::NextAttemptAt)
                .order_by_asc(outbox::Column::Id)
                .limit(limit);
            if self.backend() == DbBackend::Postgres {
                q = q.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
            }
            let rows = q.all(&w.txn).await?;
            if !rows.is_empty() {
                outbox::Entity::update_many()
                    .col_expr(outbox::Column::NextAttemptAt, Expr::value(now + lease))
                    .filter(outbox::Column::Id.is_in(rows.iter().map(|r| r.id)))
                    .exec(&w.txn)
                    .await?;
            }
            Ok(rows)
        }
        .await;
        w.finish(result).await
    }

    /// Records the outcome of one delivery attempt of `id`.
    ///
    /// `attempts_before` is the count the claim returned; the `policy` says when a failed row
    /// is tried again and when it is dead.
    pub async fn record_delivery(
        &self,
        id: Uuid,
        attempts_before: i32,
        now: DateTime<Utc>,
        error: Option<&str>,
        policy: &RetryPolicy,
    ) -> Result<Delivery> {
        let now = micros(now);
        let attempts = attempts_before.saturating_add(1);
        let (delivery, update) = match error {
            None => (
                Delivery::Sent,
                outbox::Entity::update_many()
                    .col_expr(outbox::Column::State, Expr::value(OutboxState::Sent))
                    .col_expr(outbox::Column::SentAt, Expr::value(now))
                    .col_expr(
                        outbox::Column::LastError,
                        Expr::value(Option::<String>::None),
                    ),
            ),
            Some(err) => {
                let err: String = err.replace('\0', "").chars().take(2000).collect();
                if policy.gives_up_after(attempts) {
                    (
                        Delivery::Dead,
                        outbox::Entity::update_many()
                            .col_expr(outbox::Column::State, Expr::value(OutboxState::Dead))
                            .col_expr(outbox::Column::LastError, Expr::value(err)),
                    )
                } else {
                    let next = now + policy.wait_after(attempts);
                    (
                        Delivery::Retry(next),
                        outbox::Entity::update_many()
                            .col_expr(outbox::Column::NextAttemptAt, Expr::value(next))
                            .col_expr(outbox::Column::LastError, Expr::value(err)),
                    )
                }
            }
        };
        update
            .col_expr(outbox::Column::Attempts, Expr::value(attempts))
            .filter(outbox::Column::Id.eq(id))
            .filter(outbox::Column::State.eq(OutboxState::Pending))
            .exec(&self.inner.db)
            .await?;
        Ok(delivery)
    }

    /// Rows in `state` (`pending`, `sent`, `dead`), newest first.
    pub async fn outbox_in_state(&self, state: &str, limit: u64) -> Result<Vec<outbox::Model>> {
        Ok(outbox::Entity::find()
            .filter(outbox::Column::State.eq(state))
            .order_by_desc(outbox::Column::CreatedAt)
            .order_by_desc(outbox::Column::Id)
            .limit(limit)
            .all(&self.inner.db)
            .await?)
    }

    /// How many messages are in each state: `/metrics` shows the pending and dead ones.
    pub async fn outbox_counts(&self) -> Result<OutboxCounts> {
        let count = |state: OutboxState| {
            outbox::Entity::find()
                .filter(outbox::Column::State.eq(state))
                .count(&self.inner.db)
        };
        Ok(OutboxCounts {
            pending: count(OutboxState::Pending).await?,
            sent: count(OutboxState::Sent).await?,
            dead: count(OutboxState::Dead).await?,
        })
    }

    /// Puts a dead row back in the queue (an admin's retry after fixing the mail setup).
    pub async fn requeue_outbox(&self, id: Uuid, now: DateTime<Utc>) -> Result<bool> {
        let done = outbox::Entity::update_many()
            .col_expr(outbox::Column::State, Expr::value(OutboxState::Pending))
            .col_expr(outbox::Column::Attempts, Expr::value(0))
            .col_expr(outbox::Column::NextAttemptAt, Expr::value(micros(now)))
            .filter(outbox::Column::Id.eq(id))
            .filter(outbox::Column::State.eq(OutboxState::Dead))
            .exec(&self.inner.db)
            .await?;
        Ok(done.rows_affected == 1)
    }

    /// One page of the outbox, newest first, `limit` (1..=500) after `after`, with how many
    /// match in all.
    #[tracing::instrument(skip(self), err)]
    pub async fn outbox_page(
        &self,
        filter: &OutboxFilter,
        after: Option<OutboxCursor>,
        limit: u64,
    ) -> Result<KeysetPage<outbox::Model, OutboxCursor>> {
        use outbox::Column as O;
        let db = &self.inner.db;
        let limit = limit.clamp(1, MAX_PAGE);
        let total = outbox_query(filter)?.count(db).await?;
        let rows = keyset(
            outbox_query(filter)?,
            ((outbox::Entity, O::CreatedAt), (outbox::Entity, O::Id)),
            Order::Desc,
            after.map(|c| (c.created_at, c.id)),
            limit,
        )
        .all(db)
        .await?;
        let (items, next) = take_page(rows, limit, |m| OutboxCursor {
            created_at: m.created_at,
            id: m.id,
        });
        Ok(KeysetPage { items, total, next })
    }

    /// Puts every dead row matching `filter` back in the queue in one `UPDATE` (an admin's
    /// retry after a long mail outage); returns how many. The filter's state must be `dead`
    /// (or unset).
    #[tracing::instrument(skip(self), err)]
    pub async fn requeue_dead_outbox(
        &self,
        filter: &OutboxFilter,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        use outbox::Column as O;
        if filter
            .state
            .as_deref()
            .is_some_and(|s| s != OutboxState::Dead.as_str())
        {
            return Err(StoreError::Invalid(
                "only dead messages can be queued again: use state `dead`".into(),
            ));
        }
        let mut update = outbox::Entity::update_many()
            .col_expr(O::State, Expr::value(OutboxState::Pending))
            .col_expr(O::Attempts, Expr::value(0))
            .col_expr(O::NextAttemptAt, Expr::value(micros(now)))
            .filter(O::State.eq(OutboxState::Dead));
        if let Some(a) = filter.application_id {
            update = update.filter(O::ApplicationId.eq(a));
        }
        if let Some(r) = &filter.recipient {
            update = update.filter(O::RecipientEmail.eq(normal_email(r)));
        }
        Ok(update.exec(&self.inner.db).await?.rows_affected)
    }
}

/// Where a message is, as `outbox.state` holds it: waiting to be sent (again), sent, or given
/// up on after the retries (dead; an admin queues it again).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, DeriveValueType)]
#[sea_orm(value_type = "String")]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    Pending,
    Sent,
    Dead,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Sent => "sent",
            OutboxState::Dead => "dead",
        }
    }
}

impl std::fmt::Display for OutboxState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for OutboxState {
    type Err = ValueTypeErr;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        OUTBOX_STATES
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or(ValueTypeErr)
    }
}

/// The states of an outbox row.
pub const OUTBOX_STATES: [OutboxState; 3] =
    [OutboxState::Pending, OutboxState::Sent, OutboxState::Dead];

/// Narrowing the outbox; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct OutboxFilter {
    /// One of [`OUTBOX_STATES`]; every state when unset.
    pub state: Option<String>,
    pub application_id: Option<Uuid>,
    /// The recipient's e-mail address (compared ignoring case).
    pub recipient: Option<String>,
}

/// Where the next page of the outbox starts: after this (created_at, id), newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxCursor {
    pub created_at: DateTime<Utc>,
    pub id: Uuid,
}

impl OutboxCursor {
    pub fn encode(&self) -> String {
        encode_cursor('o', self.created_at.timestamp_micros(), self.id)
    }

    pub fn parse(s: &str) -> Result<Self> {
        let (micros, id) = parse_cursor('o', s)?;
        let created_at = DateTime::from_timestamp_micros(micros).ok_or_else(|| {
            StoreError::Invalid(format!(
                "`{}` is not a cursor of this list: pass the `next` value of the previous page",
                s.chars().take(80).collect::<String>()
            ))
        })?;
        Ok(OutboxCursor { created_at, id })
    }
}

/// Account e-mails are kept trimmed and in lower case, and so is every outbox recipient.
fn normal_email(s: &str) -> String {
    s.trim().to_lowercase()
}

fn outbox_query(filter: &OutboxFilter) -> Result<Select<outbox::Entity>> {
    use outbox::Column as O;
    let mut q = outbox::Entity::find();
    if let Some(s) = &filter.state {
        let state = s.parse::<OutboxState>().map_err(|_| {
            StoreError::Invalid(format!(
                "unknown outbox state `{}`: use one of {}",
                s.chars().take(40).collect::<String>(),
                OUTBOX_STATES.map(OutboxState::as_str).join(", ")
            ))
        })?;
        q = q.filter(O::State.eq(state));
    }
    if let Some(a) = filter.application_id {
        q = q.filter(O::ApplicationId.eq(a));
    }
    if let Some(r) = &filter.recipient {
        q = q.filter(O::RecipientEmail.eq(normal_email(r)));
    }
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_cap() {
        let p = RetryPolicy {
            max_attempts: 10,
            first_wait: TimeDelta::seconds(30),
            max_wait: TimeDelta::minutes(5),
        };
        let waits: Vec<i64> = (1..=6).map(|n| p.wait_after(n).num_seconds()).collect();
        assert_eq!(waits, [30, 60, 120, 240, 300, 300]);
        assert_eq!(p.wait_after(i32::MAX), TimeDelta::minutes(5));
        assert_eq!(p.wait_after(0), TimeDelta::seconds(30));
        assert!(!p.gives_up_after(9));
        assert!(p.gives_up_after(10));
        // 30 + 60 + 120 + 240 + 5 × 300 seconds between ten attempts.
        assert_eq!(p.span(), TimeDelta::seconds(30 + 60 + 120 + 240 + 5 * 300));
    }

    #[test]
    fn nonsense_settings_still_retry_sanely() {
        let p = RetryPolicy {
            max_attempts: 0,
            first_wait: TimeDelta::zero(),
            max_wait: TimeDelta::seconds(-5),
        };
        assert_eq!(p.wait_after(1), TimeDelta::seconds(1));
        assert_eq!(p.wait_after(40), TimeDelta::seconds(1));
        assert!(p.gives_up_after(1));
        assert_eq!(p.span(), TimeDelta::zero());
    }
}
