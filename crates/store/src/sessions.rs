//! Sessions, API tokens and idempotent answers: the web edge's small pieces of durable state.

use crate::directory::actor_from_row;
use crate::entity::{accounts, sessions};
use crate::named::ColumnName;
use crate::{Result, Store, micros};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, JoinType, QueryFilter, QuerySelect};
use sepakat_core::{Actor, Role};
use uuid::Uuid;

/// A live session or API token, its account, and who the account acts as.
#[derive(Debug, Clone)]
pub struct LiveSession {
    pub session: sessions::Model,
    pub account: accounts::Model,
    pub actor: Actor,
}

/// What a session row is, as `sessions.kind` holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// A signed-in browser: cookie, expiry, CSRF token.
    Browser,
    /// A bearer token for programs.
    ApiToken,
}

impl ColumnName for SessionKind {
    const ALL: &'static [Self] = &[SessionKind::Browser, SessionKind::ApiToken];
    const TYPE: &'static str = "SessionKind";
    fn column_name(self) -> &'static str {
        match self {
            SessionKind::Browser => "browser",
            SessionKind::ApiToken => "api_token",
        }
    }
}

impl Store {
    /// Records a session or token by the digest of its secret.
    pub async fn create_session(
        &self,
        account_id: Uuid,
        token_digest: &str,
        kind: SessionKind,
        csrf_token: Option<&str>,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        sessions::Entity::insert(sessions::ActiveModel {
            id: Set(Uuid::now_v7()),
            token_digest: Set(token_digest.to_string()),
            account_id: Set(account_id),
            kind: Set(kind.into()),
            csrf_token: Set(csrf_token.map(str::to_string)),
            created_at: Set(micros(now)),
            expires_at: Set(expires_at.map(micros)),
            last_used_at: Set(None),
        })
        .exec_without_returning(self.connection())
        .await?;
        Ok(())
    }

    /// The live session with this digest, its account and who the account acts as, in one
    /// query (every signed-in request asks); `None` when unknown or expired. The account may be
    /// deactivated: the caller decides what that means.
    pub async fn session(
        &self,
        token_digest: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<LiveSession>> {
        let by_account = sessions::Entity::belongs_to(accounts::Entity)
            .from(sessions::Column::AccountId)
            .to(accounts::Column::Id)
            .into();
        let Some((account, Some(session))) = accounts::Entity::find()
            .select_also(sessions::Entity)
            .join_rev(JoinType::InnerJoin, by_account)
            .filter(sessions::Column::TokenDigest.eq(token_digest))
            .one(self.connection())
            .await?
        else {
            return Ok(None);
        };
        if session.expires_at.is_some_and(|e| e <= now) {
            return Ok(None);
        }
        // A coordinator's scope names their office's region, which never changes (cached).
        let region = match (*account.role, account.office_id) {
            (Role::Coordinator, Some(office)) => Some(self.office_region(office).await?),
            _ => None,
        };
        let actor = actor_from_row(&account, region)?;
        Ok(Some(LiveSession {
            session,
            account,
            actor,
        }))
    }

    /// Ends a session or revokes a token.
    pub async fn delete_session(&self, token_digest: &str) -> Result<()> {
        sessions::Entity::delete_many()
            .filter(sessions::Column::TokenDigest.eq(token_digest))
            .exec(self.connection())
            .await?;
        Ok(())
    }

    /// Removes expired sessions and tokens (they already let no one in); returns how many. The
    /// server runs it once a day, so the table holds the live ones only.
    pub async fn purge_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64> {
        let res = sessions::Entity::delete_many()
            .filter(sessions::Column::ExpiresAt.lte(micros(now)))
            .exec(self.connection())
            .await?;
        Ok(res.rows_affected)
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        self.connection().ping().await?;
        Ok(())
    }
}
