//! The evaluation calendar, run for real: the scheduler's account, the sweep that sends
//! `Command::CheckEvaluations` to every application with an evaluation coming up, and the
//! queries behind `sepakat evaluations due` and the API.
//!
//! Safe with several server instances on one database: the sweep is an ordinary command, so
//! two instances sweeping one application race on its version; the loser reloads, and the
//! core, seeing the steps already recorded, has nothing left to do. No double reminder, no
//! double suspension.

use crate::entity::{accounts, agencies, applications, evaluations, offices};
use crate::{Result, Store, StoreError, micros};
use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::OnConflict,
};
use sepakat_core::Command;
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// The account the scheduler acts as: national scope (role `central`), no password, so it
/// can never sign in. Its events in the audit log say the calendar did it.
pub const SYSTEM_ACCOUNT_ID: Uuid = Uuid::from_u128(0x5e9a_6a70_0000_4000_8000_0000_0000_0001);
pub const SYSTEM_ACCOUNT_EMAIL: &str = "penjadwal@sepakat.local";

/// How far ahead of a due date the sweep looks. Generous on purpose: the core decides what is
/// due from the workflow's own `reminder_days`; this only bounds the rows read.
const HORIZON_DAYS: u64 = 366;

/// What one sweep did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct CalendarReport {
    /// Applications looked at.
    pub checked: usize,
    /// Applications where something happened (events recorded).
    pub changed: usize,
    pub opened: usize,
    pub reminded: usize,
    pub escalated: usize,
    pub overdue: usize,
    pub grants_suspended: usize,
    /// Grants past the end of their PKS.
    pub grants_expired: usize,
    /// Applications that could not be swept this time (logged; the next sweep tries again).
    pub failed: usize,
}

/// An evaluation due or overdue, for `sepakat evaluations due` and the dashboard.
#[derive(Debug, Clone, Serialize)]
pub struct DueEvaluation {
    pub application_id: Uuid,
    pub agency: String,
    pub office: String,
    pub kind: String,
    pub due_on: NaiveDate,
    /// `scheduled`, `open` or `overdue`.
    pub state: String,
    /// Days past the due date (negative: days left).
    pub days_late: i64,
}

impl Store {
    /// Creates the scheduler's account if it is missing (part of `migrate`).
    pub(crate) async fn ensure_system_account(&self) -> Result<()> {
        let now = micros(Utc::now());
        accounts::Entity::insert(accounts::ActiveModel {
            id: Set(SYSTEM_ACCOUNT_ID),
            email: Set(SYSTEM_ACCOUNT_EMAIL.into()),
            name: Set("Penjadwal Sepakat (otomatis)".into()),
            nip: Set(None),
            position: Set(Some("Penjadwal evaluasi otomatis".into())),
            role: Set("central".into()),
            office_id: Set(None),
            agency_id: Set(None),
            province: Set(None),
            password_hash: Set(None),
            active: Set(true),
            heads_office: Set(false),
            rank: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::column(accounts::Column::Id)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&self.inner.db)
        .await?;
        Ok(())
    }

    /// Runs the evaluation calendar as of `now` for every application with an evaluation in
    /// sight: opens, reminds, escalates and suspends as the workflow's policy says.
    #[tracing::instrument(skip(self), err)]
    pub async fn run_evaluation_calendar(&self, now: DateTime<Utc>) -> Result<CalendarReport> {
        let today = now.date_naive();
        let horizon = today
            .checked_add_days(Days::new(HORIZON_DAYS))
            .unwrap_or(NaiveDate::MAX);
        let rows = applications::Entity::find()
            .filter(applications::Column::NextEvaluationDue.lte(horizon))
            .order_by_asc(applications::Column::NextEvaluationDue)
            .all(&self.inner.db)
            .await?;
        let mut report = CalendarReport {
            checked: rows.len(),
            ..Default::default()
        };
        for row in rows {
            match self.check_one(row.id, row.version, now).await {
                Ok(kinds) => {
                    if !kinds.is_empty() {
                        report.changed += 1;
                    }
                    for k in kinds {
                        match k.as_str() {
                            "evaluation_opened" => report.opened += 1,
                            "evaluation_reminded" => report.reminded += 1,
                            "evaluation_escalated" => report.escalated += 1,
                            "evaluation_overdue" => report.overdue += 1,
                            "grant_suspended" => report.grants_suspended += 1,
                            "grant_expired" => report.grants_expired += 1,
                            _ => {}
                        }
                    }
                }
                Err(e) => {
                    report.failed += 1;
                    tracing::warn!(application_id = %row.id, error = %e, "evaluation calendar failed for an application");
                }
            }
        }
        Ok(report)
    }

    /// One application's sweep; a conflict (someone else wrote it meanwhile) is retried on
    /// the fresh version a few times.
    async fn check_one(
        &self,
        id: Uuid,
        mut version: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<String>> {
        for _ in 0..4 {
            match self
                .execute(
                    id,
                    version,
                    Command::CheckEvaluations,
                    SYSTEM_ACCOUNT_ID,
                    now,
                )
                .await
            {
                Ok(outcome) => return Ok(outcome.events.into_iter().map(|e| e.kind).collect()),
                Err(StoreError::Conflict { actual, .. }) => version = actual,
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Conflict {
            expected: version,
            actual: version,
        })
    }

    /// The evaluations of one application, by due date.
    pub async fn application_evaluations(
        &self,
        application_id: Uuid,
    ) -> Result<Vec<evaluations::Model>> {
        Ok(evaluations::Entity::find()
            .filter(evaluations::Column::ApplicationId.eq(application_id))
            .order_by_asc(evaluations::Column::DueOn)
            .all(&self.inner.db)
            .await?)
    }

    /// Evaluations not completed and due on or before `through`, oldest first.
    pub async fn evaluations_due(
        &self,
        today: NaiveDate,
        through: NaiveDate,
    ) -> Result<Vec<DueEvaluation>> {
        let rows = evaluations::Entity::find()
            .filter(evaluations::Column::State.ne("completed"))
            .filter(evaluations::Column::DueOn.lte(through))
            .order_by_asc(evaluations::Column::DueOn)
            .all(&self.inner.db)
            .await?;
        let ids: Vec<Uuid> = rows.iter().map(|e| e.application_id).collect();
        let apps: HashMap<Uuid, applications::Model> = applications::Entity::find()
            .filter(applications::Column::Id.is_in(ids))
            .all(&self.inner.db)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
        let agencies: HashMap<Uuid, String> = agencies::Entity::find()
            .all(&self.inner.db)
            .await?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect();
        let offices: HashMap<Uuid, String> = offices::Entity::find()
            .all(&self.inner.db)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        Ok(rows
            .into_iter()
            .filter_map(|ev| {
                let app = apps.get(&ev.application_id)?;
                Some(DueEvaluation {
                    application_id: ev.application_id,
                    agency: agencies.get(&app.agency_id).cloned().unwrap_or_default(),
                    office: offices.get(&app.office_id).cloned().unwrap_or_default(),
                    kind: ev.kind,
                    due_on: ev.due_on,
                    state: ev.state,
                    days_late: (today - ev.due_on).num_days(),
                })
            })
            .collect())
    }
}
