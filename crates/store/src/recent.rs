//! What this process last committed per application, so that the next command on it can be
//! decided without reading the row again (the version check still guards the write).

use crate::commands::CommandOutcome;
use crate::directory::{actor_in, find_office};
use crate::entity::{accounts, applications};
use crate::numbering::office_zone;
use crate::{Result, Store, StoreError};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{EntityTrait, JoinType, QueryTrait};
use sepakat_core::Application;
use std::sync::Arc;
use uuid::Uuid;

/// What this process last committed for an application: enough to decide the next command.
pub(crate) struct Recent {
    pub(crate) workflow_name: String,
    pub(crate) workflow_hash: String,
    pub(crate) version: i64,
    pub(crate) state: Application,
    pub(crate) last_event_hash: String,
    pub(crate) event_count: i64,
}

impl Recent {
    fn from_row(row: &applications::Model) -> Result<Recent> {
        Ok(Recent {
            workflow_name: row.workflow_name.clone(),
            workflow_hash: row.workflow_hash.clone(),
            version: row.version,
            state: crate::queries::state_of(row)?,
            last_event_hash: row.last_event_hash.clone(),
            event_count: row.event_count,
        })
    }
}

impl Store {
    /// The application as the row holds it. A state written before the office's zone was
    /// recorded on it takes the office's zone now, so its dates are the office's too.
    pub(crate) async fn recent_from_row(&self, row: &applications::Model) -> Result<Recent> {
        let mut recent = Recent::from_row(row)?;
        let has_zone = row
            .state
            .get("ownership")
            .is_some_and(|o| o.get("zone").is_some());
        if !has_zone {
            let office = find_office(&self.inner.db, recent.state.ownership.office_id).await?;
            recent.state.ownership.zone = office_zone(&office);
        }
        Ok(recent)
    }

    /// The application row and the acting account in one round trip.
    pub(crate) async fn load_for_command(
        &self,
        application_id: Uuid,
        account_id: Uuid,
    ) -> Result<(applications::Model, accounts::Model)> {
        let db = &self.inner.db;
        let mut q =
            applications::Entity::find_by_id(application_id).select_two_required(accounts::Entity);
        QueryTrait::query(&mut q).join(
            JoinType::InnerJoin,
            accounts::Entity,
            Expr::col((accounts::Entity, accounts::Column::Id)).eq(account_id),
        );
        let Some((row, account)) = q.one(db).await? else {
            // Say which of the two is missing (an unknown account first).
            actor_in(db, account_id).await?;
            return Err(StoreError::not_found("application", application_id));
        };
        if !account.active {
            return Err(StoreError::Invalid(format!(
                "account {} ({}) is deactivated and cannot act",
                account.id, account.email
            )));
        }
        let capacity = self.inner.recent_capacity;
        if let (true, Ok(mut seen)) = (capacity > 0, self.inner.accounts_seen.lock()) {
            if seen.len() >= capacity {
                seen.clear();
            }
            seen.insert(account.id, account.clone());
        }
        Ok((row, account))
    }

    pub(crate) fn recent_inputs(
        &self,
        application_id: Uuid,
        expected_version: i64,
        account_id: Uuid,
    ) -> Option<(Arc<Recent>, accounts::Model)> {
        let recent = self
            .inner
            .recent
            .lock()
            .ok()?
            .get(&application_id)
            .filter(|r| r.version == expected_version)?
            .clone();
        let account = self
            .inner
            .accounts_seen
            .lock()
            .ok()?
            .get(&account_id)?
            .clone();
        Some((recent, account))
    }

    pub(crate) fn remember(&self, outcome: &CommandOutcome) {
        let capacity = self.inner.recent_capacity;
        if capacity == 0 {
            return;
        }
        let app = &outcome.application;
        let Some(last) = outcome.events.last() else {
            return;
        };
        let recent = Recent {
            workflow_name: app.workflow.name.clone(),
            workflow_hash: app.workflow.hash.clone(),
            version: app.version,
            state: app.clone(),
            last_event_hash: last.hash.clone(),
            event_count: last.seq,
        };
        if let Ok(mut cache) = self.inner.recent.lock() {
            if cache.len() >= capacity {
                cache.clear();
            }
            cache.insert(app.id, Arc::new(recent));
        }
    }

    pub(crate) fn forget(&self, application_id: Uuid, account_id: Uuid) {
        if let Ok(mut cache) = self.inner.recent.lock() {
            cache.remove(&application_id);
        }
        self.forget_account(account_id);
    }

    pub(crate) fn forget_account(&self, account_id: Uuid) {
        if let Ok(mut seen) = self.inner.accounts_seen.lock() {
            seen.remove(&account_id);
        }
    }
}
