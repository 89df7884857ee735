//! The evaluation calendar, run for real: the scheduler's account, the sweep that sends
//! `Command::CheckEvaluations` to every application with an evaluation coming up, and the
//! queries behind `sepakat evaluations due` and the API.
//!
//! Safe with several server instances on one database: the sweep is an ordinary command, so
//! two instances sweeping one application race on its version; the loser reloads, and the
//! core, seeing the steps already recorded, has nothing left to do. No double reminder, no
//! double suspension.

use crate::entity::{accounts, applications, evaluations};
use crate::named::Named;
use crate::scope::{
    KeysetPage, MAX_PAGE, Placement, application_visible, encode_cursor, keyset, parse_cursor,
    placements_of, take_page,
};
use crate::{Result, Store, StoreError, micros};
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use sea_orm::DeriveValueType;
use sea_orm::sea_query::ValueTypeErr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, sea_query::OnConflict,
};
use sepakat_core::Role;
use sepakat_core::application::EvaluationKind;
use sepakat_core::{Actor, Command, EventKind, Scope};
use serde::Serialize;
use uuid::Uuid;

/// The account the scheduler acts as: national scope (role `central`), no password, so it
/// can never sign in. Its events in the audit log say the calendar did it.
pub const SYSTEM_ACCOUNT_ID: Uuid = Uuid::from_u128(0x5e9a_6a70_0000_4000_8000_0000_0000_0001);
pub const SYSTEM_ACCOUNT_EMAIL: &str = "penjadwal@sepakat.local";

/// How far ahead of a due date the sweep looks. Generous on purpose: the core decides what is
/// due from the workflow's own `reminder_days`; this only bounds the rows read.
const HORIZON_DAYS: u64 = 366;

/// The latest calendar day any office has reached at `now` (the WIT day): the sweep selects by
/// it, and the core decides each application on its own office's day.
fn latest_office_date(now: DateTime<Utc>) -> NaiveDate {
    sepakat_core::calendar::local_date(now, sepakat_core::calendar::OfficeZone::WIT)
}

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

/// What the sweep would do to one application (a dry run): the events the core decides, in
/// the order they would be recorded.
#[derive(Debug, Clone, Serialize)]
pub struct CalendarDecision {
    pub application_id: Uuid,
    pub agency: String,
    pub office: String,
    /// `evaluation_opened`, `evaluation_reminded`, `evaluation_escalated`,
    /// `evaluation_overdue`, `grant_suspended`, `grant_expired`, with their details.
    pub events: Vec<EventKind>,
}

/// A dry run of the sweep: what [`Store::run_evaluation_calendar`] would do as of a moment,
/// decided by the same core command on the same applications, with nothing written.
#[derive(Debug, Clone, Serialize)]
pub struct CalendarPlan {
    /// The day the sweep was decided for: the latest office's (WIT); each application is
    /// decided on its own office's day.
    pub as_of: NaiveDate,
    /// The counts a real sweep would report.
    pub report: CalendarReport,
    /// Every application where something would happen, by next due date.
    pub decisions: Vec<CalendarDecision>,
}

impl CalendarReport {
    /// Counts one application's events (by name) into the report.
    fn count<'a>(&mut self, kinds: impl Iterator<Item = &'a str>) {
        let mut any = false;
        for k in kinds {
            any = true;
            match k {
                "evaluation_opened" => self.opened += 1,
                "evaluation_reminded" => self.reminded += 1,
                "evaluation_escalated" => self.escalated += 1,
                "evaluation_overdue" => self.overdue += 1,
                "grant_suspended" => self.grants_suspended += 1,
                "grant_expired" => self.grants_expired += 1,
                _ => {}
            }
        }
        if any {
            self.changed += 1;
        }
    }
}

/// An evaluation due or overdue, for `sepakat evaluations due` and the dashboard.
#[derive(Debug, Clone, Serialize)]
pub struct DueEvaluation {
    /// The evaluation's id.
    pub id: Uuid,
    pub application_id: Uuid,
    pub agency_id: Uuid,
    pub office_id: Uuid,
    pub agency: String,
    pub office: String,
    pub kind: Named<EvaluationKind>,
    pub due_on: NaiveDate,
    /// One of [`DUE_STATES`].
    pub state: EvaluationState,
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
            role: Set(Named(Role::Central)),
            office_id: Set(None),
            agency_id: Set(None),
            province: Set(None),
            password_hash: Set(None),
            active: Set(true),
            heads_office: Set(false),
            rank: Set(None),
            must_change_password: Set(false),
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
        let rows = self.calendar_rows(latest_office_date(now)).await?;
        let mut report = CalendarReport {
            checked: rows.len(),
            ..Default::default()
        };
        for (id, version) in rows {
            match self.check_one(id, version, now).await {
                Ok(kinds) => report.count(kinds.iter().map(String::as_str)),
                Err(e) => {
                    report.failed += 1;
                    tracing::warn!(application_id = %id, error = %e, "evaluation calendar failed for an application");
                }
            }
        }
        Ok(report)
    }

    /// What [`Store::run_evaluation_calendar`] would do as of `now`, without writing: the same
    /// applications, the same core command (`CheckEvaluations` as the scheduler's account),
    /// every decision kept and none committed.
    #[tracing::instrument(skip(self), err)]
    pub async fn plan_evaluation_calendar(&self, now: DateTime<Utc>) -> Result<CalendarPlan> {
        let as_of = latest_office_date(now);
        let rows = self.calendar_rows(as_of).await?;
        let mut report = CalendarReport {
            checked: rows.len(),
            ..Default::default()
        };
        let mut decided = Vec::new();
        for (id, _) in rows {
            match self
                .decide_without_writing(id, &Command::CheckEvaluations, SYSTEM_ACCOUNT_ID, now)
                .await
            {
                Ok((_, events)) if events.is_empty() => {}
                Ok((_, events)) => {
                    let kinds: Vec<EventKind> = events.into_iter().map(|e| e.kind).collect();
                    report.count(kinds.iter().map(EventKind::name));
                    decided.push((id, kinds));
                }
                Err(e) => {
                    report.failed += 1;
                    tracing::warn!(application_id = %id, error = %e, "evaluation calendar (dry run) failed for an application");
                }
            }
        }
        let ids: Vec<Uuid> = decided.iter().map(|(id, _)| *id).collect();
        let placed = placements_of(&self.inner.db, &ids).await?;
        let decisions = decided
            .into_iter()
            .map(|(application_id, events)| {
                let p = placed.get(&application_id).cloned().unwrap_or_default();
                CalendarDecision {
                    application_id,
                    agency: p.agency,
                    office: p.office,
                    events,
                }
            })
            .collect();
        Ok(CalendarPlan {
            as_of,
            report,
            decisions,
        })
    }

    /// The applications the sweep as of `today` looks at, (id, version), by next due date.
    async fn calendar_rows(&self, today: NaiveDate) -> Result<Vec<(Uuid, i64)>> {
        let horizon = today
            .checked_add_days(Days::new(HORIZON_DAYS))
            .unwrap_or(NaiveDate::MAX);
        // Only (id, version), a page at a time: the sweep's memory stays bounded whatever the
        // number of live accesses (whole rows with their state took hundreds of MiB at 100,000).
        use applications::Column as A;
        let mut rows: Vec<(Uuid, i64)> = Vec::new();
        let mut after: Option<(NaiveDate, Uuid)> = None;
        loop {
            let q = applications::Entity::find()
                .select_only()
                .column(A::Id)
                .column(A::Version)
                .column(A::NextEvaluationDue)
                .filter(A::NextEvaluationDue.lte(horizon));
            let page: Vec<(Uuid, i64, Option<NaiveDate>)> =
                keyset(q, (A::NextEvaluationDue, A::Id), Order::Asc, after, 999)
                    .into_tuple()
                    .all(&self.inner.db)
                    .await?;
            let Some(&(last_id, _, Some(last_due))) = page.last() else {
                break;
            };
            after = Some((last_due, last_id));
            rows.extend(page.into_iter().map(|(id, version, _)| (id, version)));
        }
        Ok(rows)
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

    /// Evaluations not completed and due on or before `through`, oldest first: every page of
    /// [`Store::evaluations_due_page`] at national scope (the CLI's list).
    pub async fn evaluations_due(
        &self,
        today: NaiveDate,
        through: NaiveDate,
    ) -> Result<Vec<DueEvaluation>> {
        let filter = DueFilter {
            through,
            ..Default::default()
        };
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let (items, next) = self
                .due_rows(&Scope::National, &filter, today, after, MAX_PAGE)
                .await?;
            out.extend(items);
            match next {
                Some(c) => after = Some(c),
                None => return Ok(out),
            }
        }
    }

    /// One page of the evaluations due that `actor` may see, by (due date, id), `limit`
    /// (1..=500) after `after`, with how many match in all.
    #[tracing::instrument(skip(self, actor), err)]
    pub async fn evaluations_due_page(
        &self,
        actor: &Actor,
        filter: &DueFilter,
        today: NaiveDate,
        after: Option<DueCursor>,
        limit: u64,
    ) -> Result<KeysetPage<DueEvaluation, DueCursor>> {
        let total = due_query(&actor.scope, filter)?
            .count(&self.inner.db)
            .await?;
        let (items, next) = self
            .due_rows(&actor.scope, filter, today, after, limit)
            .await?;
        Ok(KeysetPage { items, total, next })
    }

    async fn due_rows(
        &self,
        scope: &Scope,
        filter: &DueFilter,
        today: NaiveDate,
        after: Option<DueCursor>,
        limit: u64,
    ) -> Result<(Vec<DueEvaluation>, Option<DueCursor>)> {
        use evaluations::Column as E;
        let db = &self.inner.db;
        let limit = limit.clamp(1, MAX_PAGE);
        let rows = keyset(
            due_query(scope, filter)?,
            (
                (evaluations::Entity, E::DueOn),
                (evaluations::Entity, E::Id),
            ),
            Order::Asc,
            after.map(|c| (c.due_on, c.id)),
            limit,
        )
        .all(db)
        .await?;
        let (rows, next) = take_page(rows, limit, |e| DueCursor {
            due_on: e.due_on,
            id: e.id,
        });
        let mut ids: Vec<Uuid> = rows.iter().map(|e| e.application_id).collect();
        ids.sort();
        ids.dedup();
        let placed = placements_of(db, &ids).await?;
        let items = rows
            .into_iter()
            .map(|ev| {
                let p = placed.get(&ev.application_id).cloned().unwrap_or_default();
                DueEvaluation {
                    id: ev.id,
                    application_id: ev.application_id,
                    agency_id: p.agency_id,
                    office_id: p.office_id,
                    agency: p.agency,
                    office: p.office,
                    kind: ev.kind,
                    days_late: (today - ev.due_on).num_days(),
                    due_on: ev.due_on,
                    state: ev.state,
                }
            })
            .collect();
        Ok((items, next))
    }
}

/// Where an evaluation is, as `evaluations.state` holds it: `scheduled` (the next periodic
/// date), `open`, `overdue` (past its grace period; the grants are suspended) or `completed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, DeriveValueType)]
#[sea_orm(value_type = "String")]
#[serde(rename_all = "snake_case")]
pub enum EvaluationState {
    Scheduled,
    Open,
    Overdue,
    Completed,
}

impl EvaluationState {
    pub const ALL: [EvaluationState; 4] = [
        EvaluationState::Scheduled,
        EvaluationState::Open,
        EvaluationState::Overdue,
        EvaluationState::Completed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EvaluationState::Scheduled => "scheduled",
            EvaluationState::Open => "open",
            EvaluationState::Overdue => "overdue",
            EvaluationState::Completed => "completed",
        }
    }
}

impl std::fmt::Display for EvaluationState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `pad`, not `write_str`: the CLI lines these up in columns (`{:<10}`).
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for EvaluationState {
    type Err = ValueTypeErr;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        EvaluationState::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or(ValueTypeErr)
    }
}

/// The states of an evaluation not yet completed.
pub const DUE_STATES: [EvaluationState; 3] = [
    EvaluationState::Scheduled,
    EvaluationState::Open,
    EvaluationState::Overdue,
];

/// Narrowing the evaluations due; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct DueFilter {
    /// Due on or before this day (overdue ones included).
    pub through: NaiveDate,
    /// One of [`DUE_STATES`].
    pub state: Option<String>,
    pub placement: Placement,
}

/// Where the next page of evaluations due starts: after this (due_on, id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueCursor {
    pub due_on: NaiveDate,
    pub id: Uuid,
}

impl DueCursor {
    pub fn encode(&self) -> String {
        encode_cursor('e', i64::from(self.due_on.num_days_from_ce()), self.id)
    }

    pub fn parse(s: &str) -> Result<Self> {
        let (days, id) = parse_cursor('e', s)?;
        let due_on = i32::try_from(days)
            .ok()
            .and_then(NaiveDate::from_num_days_from_ce_opt)
            .ok_or_else(|| {
                StoreError::Invalid(format!(
                    "`{}` is not a cursor of this list: pass the `next` value of the previous page",
                    s.chars().take(80).collect::<String>()
                ))
            })?;
        Ok(DueCursor { due_on, id })
    }
}

fn due_query(scope: &Scope, filter: &DueFilter) -> Result<Select<evaluations::Entity>> {
    use evaluations::Column as E;
    // `state <> 'completed'` as written is the predicate of the partial index
    // `idx_evaluations_pending_due` (migration 14): keep it, even with a state filter.
    let mut q = evaluations::Entity::find()
        .filter(E::State.ne(EvaluationState::Completed))
        .filter(E::DueOn.lte(filter.through))
        .filter(application_visible(
            (evaluations::Entity, E::ApplicationId),
            scope,
            &filter.placement,
        ));
    if let Some(s) = &filter.state {
        let state = s
            .parse::<EvaluationState>()
            .ok()
            .filter(|state| DUE_STATES.contains(state))
            .ok_or_else(|| {
                StoreError::Invalid(format!(
                    "unknown evaluation state `{}`: use one of {}",
                    s.chars().take(40).collect::<String>(),
                    DUE_STATES.map(EvaluationState::as_str).join(", ")
                ))
            })?;
        q = q.filter(E::State.eq(state));
    }
    Ok(q)
}
