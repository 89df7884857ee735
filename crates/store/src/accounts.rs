//! Managing accounts after they are created: disabling and re-enabling, resetting and changing
//! passwords, changing a role or scope, and the API tokens of an account. Each change is written
//! with its record in `account_events` in one transaction.
//!
//! Disabling an account or resetting its password ends every session and token it has at once
//! (the rows are deleted); a sign-in or token check also refuses a disabled account, so nothing
//! it held works a moment longer.

use crate::directory::{check_scope, no_nul};
use crate::entity::{account_events, accounts, sessions};
use crate::evaluations::SYSTEM_ACCOUNT_ID;
use crate::named::{ColumnName, Named};
use crate::{Result, Store, StoreError, micros};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder,
};
use sepakat_core::Role;
use serde_json::{Value, json};
use uuid::Uuid;

/// Who makes a change to an account, and through what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangedBy {
    /// `sepakat user …`: whoever runs it holds the database's password.
    CommandLine,
    /// A signed-in account through the JSON API.
    Api(Uuid),
    /// A signed-in account through the pages.
    Page(Uuid),
}

impl ChangedBy {
    fn actor(self) -> Option<Uuid> {
        match self {
            ChangedBy::CommandLine => None,
            ChangedBy::Api(id) | ChangedBy::Page(id) => Some(id),
        }
    }

    fn via(self) -> Via {
        match self {
            ChangedBy::CommandLine => Via::CommandLine,
            ChangedBy::Api(_) => Via::Api,
            ChangedBy::Page(_) => Via::Page,
        }
    }
}

/// Through what an account was changed, as `account_events.via` holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    CommandLine,
    Api,
    Page,
}

impl ColumnName for Via {
    const ALL: &'static [Self] = &[Via::CommandLine, Via::Api, Via::Page];
    const TYPE: &'static str = "Via";
    fn column_name(self) -> &'static str {
        match self {
            Via::CommandLine => "cli",
            Via::Api => "api",
            Via::Page => "page",
        }
    }
}

/// What changed, as `account_events.kind` holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountChange {
    Created,
    Enabled,
    Disabled,
    PasswordReset,
    PasswordChanged,
    RoleChanged,
    TokenRevoked,
}

impl ColumnName for AccountChange {
    const ALL: &'static [Self] = &[
        AccountChange::Created,
        AccountChange::Enabled,
        AccountChange::Disabled,
        AccountChange::PasswordReset,
        AccountChange::PasswordChanged,
        AccountChange::RoleChanged,
        AccountChange::TokenRevoked,
    ];
    const TYPE: &'static str = "AccountChange";
    fn column_name(self) -> &'static str {
        match self {
            AccountChange::Created => "created",
            AccountChange::Enabled => "enabled",
            AccountChange::Disabled => "disabled",
            AccountChange::PasswordReset => "password_reset",
            AccountChange::PasswordChanged => "password_changed",
            AccountChange::RoleChanged => "role_changed",
            AccountChange::TokenRevoked => "token_revoked",
        }
    }
}

/// The new role and scope of an account; the scope fields must be exactly those the role needs.
#[derive(Debug, Clone)]
pub struct RoleChange {
    pub role: Role,
    pub office_id: Option<Uuid>,
    pub agency_id: Option<Uuid>,
    pub province: Option<String>,
}

/// Writes one change's record.
pub(crate) async fn record<C: ConnectionTrait>(
    db: &C,
    account_id: Uuid,
    by: ChangedBy,
    kind: AccountChange,
    payload: Value,
    now: DateTime<Utc>,
) -> Result<()> {
    account_events::Entity::insert(account_events::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account_id),
        actor_id: Set(by.actor()),
        via: Set(by.via().into()),
        kind: Set(kind.into()),
        payload: Set(payload),
        at: Set(micros(now)),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

async fn end_sessions<C: ConnectionTrait>(
    db: &C,
    account_id: Uuid,
    keep: Option<&str>,
) -> Result<u64> {
    let mut q = sessions::Entity::delete_many().filter(sessions::Column::AccountId.eq(account_id));
    if let Some(digest) = keep {
        q = q.filter(sessions::Column::TokenDigest.ne(digest));
    }
    Ok(q.exec(db).await?.rows_affected)
}

fn scope_of(a: &accounts::Model) -> Value {
    json!({"role": a.role, "office_id": a.office_id, "agency_id": a.agency_id, "province": a.province})
}

/// Whose password change it is: an admin's reset (a temporary password, every session ended)
/// or the holder's own (the session it came through kept).
enum PasswordChange<'a> {
    Reset,
    Own { keep: Option<&'a str> },
}

impl Store {
    /// The account, refusing the calendar's own account, which nobody manages.
    async fn managed_account<C: ConnectionTrait>(
        db: &C,
        account_id: Uuid,
    ) -> Result<accounts::Model> {
        if account_id == SYSTEM_ACCOUNT_ID {
            return Err(StoreError::Invalid(
                "the evaluation scheduler's account is managed by Sepakat itself".into(),
            ));
        }
        accounts::Entity::find_by_id(account_id)
            .one(db)
            .await?
            .ok_or_else(|| StoreError::not_found("account", account_id))
    }

    /// Runs `change` on a managed account inside one write transaction (the change and its
    /// record commit together), then drops the account from the command cache.
    async fn change_account(
        &self,
        account_id: Uuid,
        change: impl AsyncFnOnce(&DatabaseTransaction, accounts::Model) -> Result<accounts::Model>,
    ) -> Result<accounts::Model> {
        let w = self.begin_write().await?;
        let result = async {
            let account = Self::managed_account(&w.txn, account_id).await?;
            change(&w.txn, account).await
        }
        .await;
        let account = w.finish(result).await?;
        self.forget_account(account_id);
        Ok(account)
    }

    /// Every account people use (the scheduler's own account is left out), by e-mail.
    pub async fn managed_accounts(&self) -> Result<Vec<accounts::Model>> {
        Ok(accounts::Entity::find()
            .filter(accounts::Column::Id.ne(SYSTEM_ACCOUNT_ID))
            .order_by_asc(accounts::Column::Email)
            .all(&self.inner.db)
            .await?)
    }

    /// Disables (`active = false`) or re-enables an account. Disabling ends all its sessions and
    /// tokens at once. Nothing changes (and nothing is recorded) when it already is so.
    pub async fn set_account_enabled(
        &self,
        account_id: Uuid,
        enabled: bool,
        by: ChangedBy,
        now: DateTime<Utc>,
    ) -> Result<accounts::Model> {
        if !enabled && by.actor() == Some(account_id) {
            return Err(StoreError::Invalid(
                "an administrator cannot disable their own account: ask another administrator"
                    .into(),
            ));
        }
        self.change_account(account_id, async |txn, account| {
            let mut ended = 0;
            if !enabled {
                ended = end_sessions(txn, account_id, None).await?;
            }
            if account.active == enabled {
                return Ok(account);
            }
            let mut row: accounts::ActiveModel = account.into();
            row.active = Set(enabled);
            row.updated_at = Set(micros(now));
            let account = row.update(txn).await?;
            let (kind, payload) = if enabled {
                (AccountChange::Enabled, json!({}))
            } else {
                (AccountChange::Disabled, json!({"sessions_ended": ended}))
            };
            record(txn, account_id, by, kind, payload, now).await?;
            Ok(account)
        })
        .await
    }

    /// Sets a temporary password (its hash, computed by the caller) that must be changed at the
    /// next sign-in, and ends all the account's sessions and tokens.
    pub async fn reset_password(
        &self,
        account_id: Uuid,
        hash: String,
        by: ChangedBy,
        now: DateTime<Utc>,
    ) -> Result<accounts::Model> {
        self.store_password(account_id, hash, PasswordChange::Reset, by, now)
            .await
    }

    /// The account's own new password (its hash): clears a pending reset and ends every other
    /// session and token, keeping the one the change came through (`keep`, a digest).
    pub async fn change_own_password(
        &self,
        account_id: Uuid,
        hash: String,
        keep: Option<&str>,
        by: ChangedBy,
        now: DateTime<Utc>,
    ) -> Result<accounts::Model> {
        self.store_password(account_id, hash, PasswordChange::Own { keep }, by, now)
            .await
    }

    /// Writes a new password hash, ends the sessions the change ends, and records it.
    async fn store_password(
        &self,
        account_id: Uuid,
        hash: String,
        change: PasswordChange<'_>,
        by: ChangedBy,
        now: DateTime<Utc>,
    ) -> Result<accounts::Model> {
        let (keep, must_change, kind, ended_key) = match change {
            PasswordChange::Reset => (None, true, AccountChange::PasswordReset, "sessions_ended"),
            PasswordChange::Own { keep } => (
                keep,
                false,
                AccountChange::PasswordChanged,
                "other_sessions_ended",
            ),
        };
        self.change_account(account_id, async |txn, account| {
            let ended = end_sessions(txn, account_id, keep).await?;
            let mut row: accounts::ActiveModel = account.into();
            row.password_hash = Set(Some(hash));
            row.must_change_password = Set(must_change);
            row.updated_at = Set(micros(now));
            let account = row.update(txn).await?;
            record(txn, account_id, by, kind, json!({ ended_key: ended }), now).await?;
            Ok(account)
        })
        .await
    }

    /// Changes an account's role and scope (checked as at creation). A coordinator who headed an
    /// office no longer does once they are something else.
    pub async fn change_role(
        &self,
        account_id: Uuid,
        change: RoleChange,
        by: ChangedBy,
        now: DateTime<Utc>,
    ) -> Result<accounts::Model> {
        let province = change
            .province
            .as_deref()
            .map(str::trim)
            .map(str::to_string);
        check_scope(
            &self.inner.db,
            change.role,
            change.office_id,
            change.agency_id,
            province.as_deref(),
        )
        .await?;
        if by.actor() == Some(account_id) && change.role != Role::Admin {
            return Err(StoreError::Invalid(
                "an administrator cannot take away their own administrator role: ask another administrator"
                    .into(),
            ));
        }
        self.change_account(account_id, async |txn, account| {
            let before = scope_of(&account);
            let mut row: accounts::ActiveModel = account.into();
            row.role = Set(Named(change.role));
            row.office_id = Set(change.office_id);
            row.agency_id = Set(change.agency_id);
            row.province = Set(province.clone());
            if change.role != Role::Coordinator {
                row.heads_office = Set(false);
            }
            row.updated_at = Set(micros(now));
            let account = row.update(txn).await?;
            let after = scope_of(&account);
            if before != after {
                record(
                    txn,
                    account_id,
                    by,
                    AccountChange::RoleChanged,
                    json!({"from": before, "to": after}),
                    now,
                )
                .await?;
            }
            Ok(account)
        })
        .await
    }

    /// The account's API tokens that are still valid, newest first.
    pub async fn account_tokens(
        &self,
        account_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Vec<sessions::Model>> {
        let rows = sessions::Entity::find()
            .filter(sessions::Column::AccountId.eq(account_id))
            .filter(sessions::Column::Kind.eq("api_token"))
            .order_by_desc(sessions::Column::CreatedAt)
            .order_by_desc(sessions::Column::Id)
            .all(&self.inner.db)
            .await?;
        Ok(rows
            .into_iter()
            .filter(|s| s.expires_at.is_none_or(|e| e > now))
            .collect())
    }

    /// Revokes one API token of an account.
    pub async fn revoke_token(
        &self,
        account_id: Uuid,
        token_id: Uuid,
        by: ChangedBy,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let w = self.begin_write().await?;
        let result = async {
            let gone = sessions::Entity::delete_many()
                .filter(sessions::Column::Id.eq(token_id))
                .filter(sessions::Column::AccountId.eq(account_id))
                .filter(sessions::Column::Kind.eq("api_token"))
                .exec(&w.txn)
                .await?
                .rows_affected;
            if gone == 0 {
                return Err(StoreError::not_found("token", token_id));
            }
            record(
                &w.txn,
                account_id,
                by,
                AccountChange::TokenRevoked,
                json!({"token_id": token_id}),
                now,
            )
            .await
        }
        .await;
        w.finish(result).await
    }

    /// Every recorded change to an account, oldest first.
    pub async fn account_events(&self, account_id: Uuid) -> Result<Vec<account_events::Model>> {
        Ok(account_events::Entity::find()
            .filter(account_events::Column::AccountId.eq(account_id))
            .order_by_asc(account_events::Column::At)
            .order_by_asc(account_events::Column::Id)
            .all(&self.inner.db)
            .await?)
    }

    /// Stores a password hash (computed by the caller; the store never sees a password).
    pub async fn set_password_hash(
        &self,
        account_id: Uuid,
        hash: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut row: accounts::ActiveModel = self.account(account_id).await?.into();
        row.password_hash = Set(hash);
        row.updated_at = Set(micros(now));
        row.update(&self.inner.db).await?;
        self.forget_account(account_id);
        Ok(())
    }

    /// Marks a coordinator as the head of their office (Kepala Dinas), who receives the
    /// escalations of overdue evaluations; only a coordinator can head an office.
    pub async fn set_heads_office(
        &self,
        account_id: Uuid,
        heads: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let account = self.account(account_id).await?;
        if heads && account.role != Role::Coordinator {
            return Err(StoreError::Invalid(format!(
                "only a coordinator account can head a Disdukcapil office; {} is a {}",
                account.email, account.role
            )));
        }
        let mut row: accounts::ActiveModel = account.into();
        row.heads_office = Set(heads);
        row.updated_at = Set(micros(now));
        row.update(&self.inner.db).await?;
        self.forget_account(account_id);
        Ok(())
    }

    /// Records an account's rank (*pangkat/golongan*), printed under the name when they sign;
    /// blank removes it.
    pub async fn set_account_rank(
        &self,
        account_id: Uuid,
        rank: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let rank = rank.map(str::trim).filter(|r| !r.is_empty());
        if let Some(r) = rank {
            no_nul("rank", r)?;
            if r.chars().count() > 120 {
                return Err(StoreError::Invalid(format!(
                    "rank `{r}` is too long: give the pangkat and golongan, e.g. `Pembina Utama Muda (IV/c)`"
                )));
            }
        }
        let mut row: accounts::ActiveModel = self.account(account_id).await?.into();
        row.rank = Set(rank.map(str::to_string));
        row.updated_at = Set(micros(now));
        row.update(&self.inner.db).await?;
        self.forget_account(account_id);
        Ok(())
    }
}
