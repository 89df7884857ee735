//! The stage read models: `stage_visits` (every stay of every application in a stage) and
//! `stage_stats` (counters per scope that a dashboard adds up), both written in the command's
//! transaction whenever an application changes stage. What is counted is the core's decision
//! (`core::stats`); this module only writes, rebuilds, checks and reads the rows.
//!
//! A command appends its counter changes to `stage_stat_deltas` rather than updating the shared
//! counter rows, which would stay locked until it commits (see migration 15);
//! `Store::fold_stage_stats` moves them into `stage_stats`, and every read adds the deltas not
//! yet folded. A delta row carries the keys of the scopes it counts in (migration 18), so a
//! stage change writes one row per counter change, not one per change and scope; the rows have
//! no index beside their integer key (migration 17), as a read scans the few seconds' worth the
//! fold leaves.

use crate::batch::Batch;
use crate::entity::{stage_stat_deltas, stage_stats, stage_visits};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use sepakat_core::stats::{Measure, Tally, move_tallies};
use sepakat_core::workflow::Workflow;
use sepakat_core::{Application, Scope};
use std::collections::BTreeMap;
use uuid::Uuid;

mod rebuild;
pub use rebuild::StageProjectionReport;

/// The `stage_stats.scope` key that holds what an actor of this scope sees.
pub fn scope_key(scope: &Scope) -> String {
    match scope {
        Scope::National => "*".into(),
        Scope::Province { province } => format!("p:{province}"),
        Scope::Office { office_id, .. } => format!("o:{office_id}"),
        Scope::Agency { agency_id } => format!("a:{agency_id}"),
    }
}

/// The keys of the scopes an application is counted in beside the national one: its office, its
/// agency and, for a kab/kota office, its province (where the provincial reviewer sees it). A
/// counter delta carries them, so one row counts in every scope (see `fold_stage_stats`).
struct CountedIn {
    office: String,
    agency: String,
    province: Option<String>,
}

impl CountedIn {
    fn of(app: &Application) -> Self {
        let region = &app.ownership.office_region;
        CountedIn {
            office: format!("o:{}", app.ownership.office_id),
            agency: format!("a:{}", app.ownership.agency_id),
            province: (!region.is_province()).then(|| format!("p:{}", region.province())),
        }
    }

    fn of_delta(d: &stage_stat_deltas::Model) -> Self {
        CountedIn {
            office: d.office_scope.clone(),
            agency: d.agency_scope.clone(),
            province: d.province_scope.clone(),
        }
    }

    /// Every scope key, the national one first.
    fn keys(self) -> Vec<String> {
        let mut out = vec!["*".to_string(), self.office, self.agency];
        out.extend(self.province);
        out
    }
}

/// Every scope an application is counted in.
fn scopes_of(app: &Application) -> Vec<String> {
    CountedIn::of(app).keys()
}

/// The deltas not yet folded that count in the scope with this key.
pub(crate) fn deltas_counted_in(scope_key: &str) -> Condition {
    use stage_stat_deltas::Column as D;
    if scope_key == "*" {
        return Condition::all();
    }
    Condition::any()
        .add(D::OfficeScope.eq(scope_key))
        .add(D::AgencyScope.eq(scope_key))
        .add(D::ProvinceScope.eq(scope_key))
}

type StatKey = (String, &'static str, String, String, i64);

/// Adds `tallies` of an application of `workflow` in `scopes` to `into`, merged by key.
fn add_tallies(
    into: &mut BTreeMap<StatKey, i64>,
    scopes: &[String],
    workflow: &str,
    tallies: &[Tally],
) {
    for scope in scopes {
        for t in tallies {
            let key = (
                scope.clone(),
                t.measure.as_str(),
                workflow.to_string(),
                t.stage.clone(),
                t.value,
            );
            *into.entry(key).or_default() += t.delta;
        }
    }
}

/// A counter row's key, (scope, measure, workflow, stage, value), as one SQL tuple.
fn stat_key() -> Expr {
    use stage_stats::Column as S;
    Expr::tuple([
        Expr::col(S::Scope),
        Expr::col(S::Measure),
        Expr::col(S::WorkflowName),
        Expr::col(S::Stage),
        Expr::col(S::Value),
    ])
}

/// Adds the merged deltas to the counters in one statement per 500 rows (an upsert: a new key
/// starts at its delta). Each key appears once per statement, as PostgreSQL requires.
async fn upsert_stats<C: ConnectionTrait>(db: &C, deltas: BTreeMap<StatKey, i64>) -> Result<()> {
    let rows: Vec<stage_stats::ActiveModel> = deltas
        .into_iter()
        .filter(|(_, n)| *n != 0)
        .map(
            |((scope, measure, workflow_name, stage, value), n)| stage_stats::ActiveModel {
                scope: Set(scope),
                measure: Set(measure.to_string()),
                workflow_name: Set(workflow_name),
                stage: Set(stage),
                value: Set(value),
                n: Set(n),
            },
        )
        .collect();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(500).collect();
        use stage_stats::Column as S;
        stage_stats::Entity::insert_many(chunk)
            .on_conflict(
                OnConflict::columns([S::Scope, S::Measure, S::WorkflowName, S::Stage, S::Value])
                    .value(S::N, Expr::cust("stage_stats.n + excluded.n"))
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Records a stage change in the command's batch: the previous stay ends, a new one begins
/// (entered by the audit event `seq`), and every scope's counters follow.
pub(crate) fn push_stage_move(
    batch: &mut Batch,
    workflow: &Workflow,
    before: Option<&Application>,
    app: &Application,
    seq: i64,
) {
    // As the audit log stores it, so a rebuild from the log gives the same rows.
    let at = crate::micros(app.stage_entered_at);
    batch.push(stage_visits::Entity::insert(stage_visits::ActiveModel {
        application_id: Set(app.id),
        seq: Set(seq),
        workflow_name: Set(app.workflow.name.clone()),
        stage: Set(app.stage.clone()),
        entered_at: Set(at),
    }));
    let left = before.map(|b| (b.stage.as_str(), crate::micros(b.stage_entered_at)));
    let tallies = move_tallies(workflow, left, &app.stage, at);
    push_deltas(batch, app, &tallies);
}

/// Appends the tallies as new rows (one statement), each carrying the application's scope keys:
/// nothing another command writes is locked, so concurrent stage changes of one office do not
/// wait on each other's commits.
fn push_deltas(batch: &mut Batch, app: &Application, tallies: &[Tally]) {
    let mut merged: BTreeMap<(&'static str, &str, i64), i64> = BTreeMap::new();
    for t in tallies {
        *merged
            .entry((t.measure.as_str(), t.stage.as_str(), t.value))
            .or_default() += t.delta;
    }
    let counted = CountedIn::of(app);
    let rows: Vec<stage_stat_deltas::ActiveModel> = merged
        .into_iter()
        .filter(|(_, n)| *n != 0)
        .map(
            |((measure, stage, value), n)| stage_stat_deltas::ActiveModel {
                id: NotSet,
                office_scope: Set(counted.office.clone()),
                agency_scope: Set(counted.agency.clone()),
                province_scope: Set(counted.province.clone()),
                measure: Set(measure.to_string()),
                workflow_name: Set(app.workflow.name.clone()),
                stage: Set(stage.to_string()),
                value: Set(value),
                n: Set(n),
            },
        )
        .collect();
    if !rows.is_empty() {
        batch.push(stage_stat_deltas::Entity::insert_many(rows));
    }
}

/// How many deltas one fold moves per transaction.
const FOLD_BATCH: u64 = 5_000;

/// One stay of an application in a stage.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StageStay {
    pub stage: String,
    pub entered_at: DateTime<Utc>,
    /// When the next stay began; `None` while the application is still in the stage.
    pub left_at: Option<DateTime<Utc>>,
}

/// The stays of one application's visit rows (ordered by seq): each ends when the next begins.
fn stays(rows: &[stage_visits::Model]) -> Vec<StageStay> {
    rows.iter()
        .enumerate()
        .map(|(i, v)| StageStay {
            stage: v.stage.clone(),
            entered_at: v.entered_at,
            left_at: rows.get(i + 1).map(|n| n.entered_at),
        })
        .collect()
}

impl Store {
    /// Moves the appended counter deltas into `stage_stats`, a batch per transaction, until none
    /// is left; returns how many were folded. Each batch is deleted with `RETURNING` and added
    /// from exactly what was deleted, so two folds at once (two servers) never count a delta
    /// twice, and a delta committed meanwhile waits for the next fold.
    pub async fn fold_stage_stats(&self) -> Result<u64> {
        let mut folded = 0;
        loop {
            // Through the write gate, as commands write: on SQLite a fold then waits its turn
            // instead of sleeping in the busy handler while it holds up every command.
            let w = self.begin_write().await?;
            let txn = &w.txn;
            use sea_orm::QueryTrait;
            use stage_stat_deltas::Column as D;
            let batch = stage_stat_deltas::Entity::find()
                .select_only()
                .column(D::Id)
                .limit(FOLD_BATCH)
                .into_query();
            let taken = stage_stat_deltas::Entity::delete_many()
                .filter(D::Id.in_subquery(batch))
                .exec_with_returning(txn)
                .await?;
            let n = taken.len() as u64;
            let mut deltas: BTreeMap<StatKey, i64> = BTreeMap::new();
            for d in taken {
                let Some(measure) = Measure::parse(&d.measure) else {
                    return Err(StoreError::corrupt(format!(
                        "stage counter delta {} has unknown measure `{}`",
                        d.id, d.measure
                    )));
                };
                for scope in CountedIn::of_delta(&d).keys() {
                    let (workflow, stage) = (d.workflow_name.clone(), d.stage.clone());
                    *deltas
                        .entry((scope, measure.as_str(), workflow, stage, d.value))
                        .or_default() += d.n;
                }
            }
            upsert_stats(txn, deltas).await?;
            w.finish(Ok(())).await?;
            folded += n;
            if n < FOLD_BATCH {
                return Ok(folded);
            }
        }
    }

    /// Keeps the `open` counters few: rows of waits older than `OPEN_EXACT_DAYS` on `today` are
    /// merged into their four-week block (`core::stats::open_slot`), and rows counting nothing
    /// are dropped. Run once a day (the server does it at start and when the date changes).
    /// Like the fold, it re-adds exactly the rows it deleted, in one transaction, so commands and
    /// folds may run meanwhile. Returns how many rows it took.
    pub async fn roll_open_stats(&self, today: DateTime<Utc>) -> Result<u64> {
        use sea_orm::QueryTrait;
        use sepakat_core::stats::{OPEN_BLOCK_DAYS, OPEN_EXACT_DAYS, epoch_day, open_slot};
        use stage_stats::Column as S;
        let today = epoch_day(today);
        let mut rolled = 0;
        // In batches, so the first roll-up of a national database (hundreds of thousands of
        // rows) holds a batch in memory, not the table. A merged row lands on its block's first
        // day, which no longer matches, and a row counting nothing is not written back, so the
        // loop ends.
        loop {
            let w = self.begin_write().await?;
            let txn = &w.txn;
            let batch = stage_stats::Entity::find()
                .select_only()
                .column(S::Scope)
                .column(S::Measure)
                .column(S::WorkflowName)
                .column(S::Stage)
                .column(S::Value)
                .filter(S::Measure.eq(Measure::Open.as_str()))
                .filter(
                    sea_orm::Condition::any().add(S::N.eq(0)).add(
                        sea_orm::Condition::all()
                            .add(S::Value.lt(today - OPEN_EXACT_DAYS))
                            .add(Expr::col(S::Value).modulo(OPEN_BLOCK_DAYS).ne(0)),
                    ),
                )
                .limit(FOLD_BATCH)
                .into_query();
            let taken = stage_stats::Entity::delete_many()
                .filter(stat_key().in_subquery(batch))
                .exec_with_returning(txn)
                .await?;
            let n = taken.len() as u64;
            let mut merged: BTreeMap<StatKey, i64> = BTreeMap::new();
            for r in taken {
                let slot = open_slot(r.value, today);
                *merged
                    .entry((
                        r.scope,
                        Measure::Open.as_str(),
                        r.workflow_name,
                        r.stage,
                        slot,
                    ))
                    .or_default() += r.n;
            }
            upsert_stats(txn, merged).await?;
            if n < FOLD_BATCH {
                // A block the merged rows emptied (their waits ended) counts nothing either.
                stage_stats::Entity::delete_many()
                    .filter(S::Measure.eq(Measure::Open.as_str()))
                    .filter(S::N.eq(0))
                    .exec(txn)
                    .await?;
            }
            w.finish(Ok(())).await?;
            rolled += n;
            if n < FOLD_BATCH {
                return Ok(rolled);
            }
        }
    }

    /// The current waits of one scope in measured stages: (workflow, stage, day the waits began,
    /// n), n > 0, by their slot on `now`'s day (`core::stats::open_slot`: the exact day for the
    /// last half year, the first day of a four-week block before), whether rolled up yet or not.
    pub async fn open_waits(
        &self,
        scope: &Scope,
        now: DateTime<Utc>,
    ) -> Result<Vec<(String, String, i64, i64)>> {
        use sepakat_core::stats::{epoch_day, open_slot};
        let today = epoch_day(now);
        let mut merged: BTreeMap<(String, String, i64), i64> = BTreeMap::new();
        for (w, st, v, n) in self.stage_stats(scope, Measure::Open).await? {
            *merged.entry((w, st, open_slot(v, today))).or_default() += n;
        }
        Ok(merged
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|((w, st, v), n)| (w, st, v, n))
            .collect())
    }

    /// The counters of one scope and measure: (workflow, stage, value, n), n ≠ 0, the deltas not
    /// yet folded included. An `open` row may be negative until the daily roll-up merges it
    /// into its block: read current waits with `open_waits`.
    pub async fn stage_stats(
        &self,
        scope: &Scope,
        measure: Measure,
    ) -> Result<Vec<(String, String, i64, i64)>> {
        use stage_stats::Column as S;
        let key = scope_key(scope);
        let rows: Vec<(String, String, i64, i64)> = stage_stats::Entity::find()
            .select_only()
            .column(S::WorkflowName)
            .column(S::Stage)
            .column(S::Value)
            .column(S::N)
            .filter(S::Scope.eq(key.clone()))
            .filter(S::Measure.eq(measure.as_str()))
            .filter(S::N.ne(0))
            .into_tuple()
            .all(&self.inner.db)
            .await?;
        use stage_stat_deltas::Column as D;
        let pending: Vec<(String, String, i64, i64)> = stage_stat_deltas::Entity::find()
            .select_only()
            .column(D::WorkflowName)
            .column(D::Stage)
            .column(D::Value)
            .column(D::N)
            .filter(deltas_counted_in(&key))
            .filter(D::Measure.eq(measure.as_str()))
            .into_tuple()
            .all(&self.inner.db)
            .await?;
        if pending.is_empty() {
            return Ok(rows);
        }
        let mut merged: BTreeMap<(String, String, i64), i64> = BTreeMap::new();
        for (w, st, v, n) in rows.into_iter().chain(pending) {
            *merged.entry((w, st, v)).or_default() += n;
        }
        Ok(merged
            .into_iter()
            .filter(|(_, n)| *n != 0)
            .map(|((w, st, v), n)| (w, st, v, n))
            .collect())
    }

    /// The total of a filter that is one scope, a workflow and a stage at most, read from the
    /// stage counters (a few rows) instead of counted over every application of the scope on
    /// every page; `None` for any other filter.
    pub(crate) async fn total_from_counters(
        &self,
        filter: &crate::ApplicationFilter,
    ) -> Result<Option<u64>> {
        let simple = filter.evaluation_due_before.is_none()
            && filter.evaluation_overdue_at.is_none()
            && filter.past_target_at.is_none()
            && !filter.blocked_on_attestation
            && filter.grant_ending_by.is_none()
            && filter.search.as_deref().is_none_or(|s| s.trim().is_empty());
        let scopes = [
            filter.agency_id.map(|a| format!("a:{a}")),
            filter.office_id.map(|o| format!("o:{o}")),
            filter.province.as_ref().map(|p| format!("p:{p}")),
        ];
        let mut set = scopes.into_iter().flatten();
        let scope = set.next().unwrap_or_else(|| "*".to_string());
        if !simple || set.next().is_some() {
            return Ok(None);
        }
        // The counters and the deltas not yet folded into them (see `crate::stages`).
        let now = sepakat_core::stats::Measure::Now.as_str();
        use crate::entity::{stage_stat_deltas as deltas, stage_stats as stats};
        let mut q = stats::Entity::find()
            .select_only()
            .column(stats::Column::N)
            .filter(stats::Column::Scope.eq(scope.clone()))
            .filter(stats::Column::Measure.eq(now));
        let mut d = deltas::Entity::find()
            .select_only()
            .column(deltas::Column::N)
            .filter(deltas_counted_in(&scope))
            .filter(deltas::Column::Measure.eq(now));
        if let Some(wf) = &filter.workflow {
            q = q.filter(stats::Column::WorkflowName.eq(wf.clone()));
            d = d.filter(deltas::Column::WorkflowName.eq(wf.clone()));
        }
        if let Some(stage) = &filter.stage {
            q = q.filter(stats::Column::Stage.eq(stage.clone()));
            d = d.filter(deltas::Column::Stage.eq(stage.clone()));
        }
        let counts: Vec<i64> = q.into_tuple().all(&self.inner.db).await?;
        let pending: Vec<i64> = d.into_tuple().all(&self.inner.db).await?;
        let total: i64 = counts.into_iter().chain(pending).sum();
        Ok(Some(Ord::max(total, 0) as u64))
    }

    /// One application's stays, oldest first, each ended by the next.
    pub async fn stage_visits(&self, application_id: Uuid) -> Result<Vec<StageStay>> {
        let rows = stage_visits::Entity::find()
            .filter(stage_visits::Column::ApplicationId.eq(application_id))
            .order_by_asc(stage_visits::Column::Seq)
            .all(&self.inner.db)
            .await?;
        Ok(stays(&rows))
    }
}
