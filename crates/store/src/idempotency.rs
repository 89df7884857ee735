//! `Idempotency-Key`: the record of a keyed command, written in the command's own transaction.
//!
//! A client that lost its connection retries with the same key and must get the first answer.
//! So the key's record (who, which key, the request's fingerprint and the answer) is inserted
//! by the transaction that writes the command's effects: it exists exactly when they do, after
//! a crash too. A duplicate that races the first request loses on the application's version
//! (or on the key's primary key) and finds the record of the winner.
//!
//! The answer is kept in the same transaction when the caller can build it from the
//! [`CommandOutcome`] alone ([`Keyed::with_answer`]). Otherwise the record says which
//! application the command committed and the status it answers ([`KeyRecord::Committed`]),
//! and the caller keeps the answer right after the commit ([`Store::keep_idempotent_answer`]).

use crate::entity::idempotency_keys;
use crate::{CommandOutcome, Result, Store, StoreError, micros};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;
use std::sync::Arc;
use uuid::Uuid;

/// `status` of a record whose answer is not kept yet.
const COMMITTED: i32 = 0;

/// An answer as the client receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptAnswer {
    pub status: u16,
    pub body: String,
}

type AnswerFn = Arc<dyn Fn(&CommandOutcome) -> Option<KeptAnswer> + Send + Sync>;

/// A command sent with an `Idempotency-Key`.
#[derive(Clone)]
pub struct Keyed {
    pub account_id: Uuid,
    pub key: String,
    /// What identifies the request (method, path, body): the same key with another request
    /// is refused.
    pub request_hash: String,
    /// The status of a success, kept until the answer is.
    pub status: u16,
    answer: Option<AnswerFn>,
}

impl std::fmt::Debug for Keyed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyed")
            .field("account_id", &self.account_id)
            .field("key", &self.key)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl Keyed {
    pub fn new(account_id: Uuid, key: impl Into<String>, request_hash: impl Into<String>) -> Self {
        Keyed {
            account_id,
            key: key.into(),
            request_hash: request_hash.into(),
            status: 200,
            answer: None,
        }
    }

    /// The status a success answers (200 unless set).
    pub fn answering(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// Builds the answer from the outcome inside the transaction, so it is kept with the
    /// effects; `None` leaves it to [`Store::keep_idempotent_answer`].
    pub fn with_answer(
        mut self,
        answer: impl Fn(&CommandOutcome) -> Option<KeptAnswer> + Send + Sync + 'static,
    ) -> Self {
        self.answer = Some(Arc::new(answer));
        self
    }
}

/// What a key holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyRecord {
    /// The answer given, to replay byte for byte.
    Answered {
        request_hash: String,
        status: u16,
        body: String,
    },
    /// The command committed but its answer is not kept: the first request is building it,
    /// or its process died in between.
    Committed {
        request_hash: String,
        application_id: Uuid,
        status: u16,
        at: DateTime<Utc>,
    },
}

impl KeyRecord {
    pub fn request_hash(&self) -> &str {
        match self {
            KeyRecord::Answered { request_hash, .. }
            | KeyRecord::Committed { request_hash, .. } => request_hash,
        }
    }

    fn from_row(row: idempotency_keys::Model) -> Result<KeyRecord> {
        if row.status != COMMITTED {
            return Ok(KeyRecord::Answered {
                request_hash: row.request_hash,
                status: u16::try_from(row.status).unwrap_or(200),
                body: row.body,
            });
        }
        let v: serde_json::Value = serde_json::from_str(&row.body)
            .map_err(|e| StoreError::corrupt(format!("idempotency record {}: {e}", row.key)))?;
        let application_id = v["application_id"]
            .as_str()
            .and_then(|s| Uuid::parse_str(s).ok())
            .ok_or_else(|| {
                StoreError::corrupt(format!(
                    "idempotency record {} names no application",
                    row.key
                ))
            })?;
        Ok(KeyRecord::Committed {
            request_hash: row.request_hash,
            application_id,
            status: v["status"]
                .as_u64()
                .and_then(|s| u16::try_from(s).ok())
                .unwrap_or(200),
            at: row.created_at,
        })
    }
}

/// Inserts the key's record inside the command's transaction. The key already taken (by a
/// request that committed first) refuses the whole command.
pub(crate) async fn record<C: ConnectionTrait>(
    txn: &C,
    keyed: &Keyed,
    outcome: &CommandOutcome,
    now: DateTime<Utc>,
) -> Result<()> {
    let (status, body) = match keyed.answer.as_ref().and_then(|f| f(outcome)) {
        Some(a) => (i32::from(a.status), a.body),
        None => (
            COMMITTED,
            json!({"application_id": outcome.application.id, "status": keyed.status}).to_string(),
        ),
    };
    let inserted = idempotency_keys::Entity::insert(idempotency_keys::ActiveModel {
        account_id: Set(keyed.account_id),
        key: Set(keyed.key.clone()),
        request_hash: Set(keyed.request_hash.clone()),
        status: Set(status),
        body: Set(body),
        created_at: Set(micros(now)),
    })
    .exec_without_returning(txn)
    .await
    .map_err(|e| {
        StoreError::from_insert(e, || {
            format!(
                "Idempotency-Key `{}` was already used by a request that took effect",
                keyed.key
            )
        })
    });
    inserted.map(|_| ())
}

impl Store {
    /// What (`account_id`, `key`) holds, if anything.
    pub async fn idempotency_record(
        &self,
        account_id: Uuid,
        key: &str,
    ) -> Result<Option<KeyRecord>> {
        idempotency_keys::Entity::find_by_id((account_id, key.to_string()))
            .one(self.connection())
            .await?
            .map(KeyRecord::from_row)
            .transpose()
    }

    /// Keeps the answer of a committed command whose record holds none yet; true if it did.
    /// An answer already kept is never replaced.
    pub async fn keep_idempotent_answer(
        &self,
        account_id: Uuid,
        key: &str,
        status: u16,
        body: &str,
    ) -> Result<bool> {
        let res = idempotency_keys::Entity::update_many()
            .col_expr(
                idempotency_keys::Column::Status,
                Expr::value(i32::from(status)),
            )
            .col_expr(
                idempotency_keys::Column::Body,
                Expr::value(body.to_string()),
            )
            .filter(idempotency_keys::Column::AccountId.eq(account_id))
            .filter(idempotency_keys::Column::Key.eq(key.to_string()))
            .filter(idempotency_keys::Column::Status.eq(COMMITTED))
            .exec(self.connection())
            .await?;
        Ok(res.rows_affected > 0)
    }
}
