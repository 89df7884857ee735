//! Building the stage projections from the audit log where they are missing, and checking
//! them against it (`sepakat projections check`).

use super::{CountedIn, StatKey, add_tallies, scopes_of, stat_key, stays, upsert_stats};
use crate::entity::{applications, audit_events, stage_stat_deltas, stage_stats, stage_visits};
use crate::queries::{ApplicationPages, state_of};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use sepakat_core::EventKind;
use sepakat_core::stats::{Measure, visit_tallies};
use sepakat_core::workflow::Workflow;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// The stays an application's audit log records, oldest first: (entering event's seq, stage,
/// entered).
fn visits_from_log(events: &[audit_events::Model]) -> Result<Vec<stage_visits::Model>> {
    let mut out: Vec<stage_visits::Model> = Vec::new();
    for row in events {
        let kind: EventKind = serde_json::from_value(row.payload.clone()).map_err(|e| {
            StoreError::corrupt(format!(
                "event #{} of application {}: {e}",
                row.seq, row.application_id
            ))
        })?;
        let (workflow_name, stage) = match &kind {
            EventKind::Submitted {
                workflow, stage, ..
            } => (workflow.name.clone(), stage.clone()),
            EventKind::Imported { agreement } => {
                (agreement.workflow.name.clone(), agreement.stage.clone())
            }
            EventKind::Transitioned { to, .. } => match out.last() {
                Some(last) => (last.workflow_name.clone(), to.clone()),
                None => {
                    return Err(StoreError::corrupt(format!(
                        "application {} moved before it was submitted",
                        row.application_id
                    )));
                }
            },
            _ => continue,
        };
        out.push(stage_visits::Model {
            application_id: row.application_id,
            seq: row.seq,
            workflow_name,
            stage,
            entered_at: row.at,
        });
    }
    Ok(out)
}

/// What the checks found wrong in the stage projections; empty when they are true.
#[derive(Debug, Default, Clone)]
pub struct StageProjectionReport {
    pub applications: u64,
    /// Applications whose recorded stays differ from their audit log.
    pub visits_differ: Vec<Uuid>,
    /// Counters that differ from the stays: (scope, measure, workflow, stage, value, recorded,
    /// expected).
    pub stats_differ: Vec<(String, String, String, String, i64, i64, i64)>,
}

impl StageProjectionReport {
    pub fn is_true(&self) -> bool {
        self.visits_differ.is_empty() && self.stats_differ.is_empty()
    }
}

impl Store {
    /// Walks every application in pages of 500, with its audit log and its recorded stays.
    async fn walk_stays(
        &self,
        mut each: impl FnMut(
            &applications::Model,
            &Workflow,
            Vec<stage_visits::Model>,
            Vec<stage_visits::Model>,
        ) -> Result<()>,
    ) -> Result<u64> {
        let db = &self.inner.db;
        let mut pages = ApplicationPages::new(500);
        let mut seen = 0;
        while let Some(page) = pages.next(db).await? {
            let ids: Vec<Uuid> = page.iter().map(|r| r.id).collect();
            let mut logs: HashMap<Uuid, Vec<audit_events::Model>> = HashMap::new();
            for e in audit_events::Entity::find()
                .filter(audit_events::Column::ApplicationId.is_in(ids.clone()))
                .filter(audit_events::Column::Kind.is_in(["submitted", "imported", "transitioned"]))
                .order_by_asc(audit_events::Column::ApplicationId)
                .order_by_asc(audit_events::Column::Seq)
                .all(db)
                .await?
            {
                logs.entry(e.application_id).or_default().push(e);
            }
            let mut recorded: HashMap<Uuid, Vec<stage_visits::Model>> = HashMap::new();
            for v in stage_visits::Entity::find()
                .filter(stage_visits::Column::ApplicationId.is_in(ids))
                .order_by_asc(stage_visits::Column::ApplicationId)
                .order_by_asc(stage_visits::Column::Seq)
                .all(db)
                .await?
            {
                recorded.entry(v.application_id).or_default().push(v);
            }
            for row in &page {
                seen += 1;
                let wf = self
                    .workflow(&row.workflow_name, &row.workflow_hash)
                    .await?;
                let from_log = visits_from_log(&logs.remove(&row.id).unwrap_or_default())?;
                each(
                    row,
                    &wf,
                    from_log,
                    recorded.remove(&row.id).unwrap_or_default(),
                )?;
            }
        }
        Ok(seen)
    }

    /// Writes the stays and counters of every application when the projections are empty (a
    /// database that predates them): stays from the audit log, counters from the stays.
    /// Returns how many applications were read.
    pub(crate) async fn rebuild_stage_projections_if_empty(&self) -> Result<u64> {
        let db = &self.inner.db;
        if stage_visits::Entity::find().count(db).await? > 0
            || applications::Entity::find().count(db).await? == 0
        {
            return Ok(0);
        }
        let mut visits = Vec::new();
        let mut deltas = BTreeMap::new();
        let seen = self
            .walk_stays(|row, wf, from_log, _| {
                let app = state_of(row)?;
                let scopes = scopes_of(&app);
                for v in stays(&from_log) {
                    let t = visit_tallies(wf, &v.stage, v.entered_at, v.left_at);
                    add_tallies(&mut deltas, &scopes, &row.workflow_name, &t);
                }
                visits.extend(from_log);
                Ok(())
            })
            .await?;
        let txn = sea_orm::TransactionTrait::begin(db).await?;
        let mut rows = visits.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<stage_visits::ActiveModel> =
                rows.by_ref().take(500).map(Into::into).collect();
            stage_visits::Entity::insert_many(chunk)
                .exec_without_returning(&txn)
                .await?;
        }
        stage_stats::Entity::delete_many().exec(&txn).await?;
        stage_stat_deltas::Entity::delete_many().exec(&txn).await?;
        upsert_stats(&txn, deltas).await?;
        txn.commit().await?;
        Ok(seen)
    }
    /// Compares the stays with every application's audit log and the counters with the stays,
    /// the `open` counters by their slot on `now`'s day (see `roll_open_stats`).
    pub async fn check_stage_projections(
        &self,
        now: DateTime<Utc>,
    ) -> Result<StageProjectionReport> {
        use sepakat_core::stats::{epoch_day, open_slot};
        let today = epoch_day(now);
        let slot = |measure: &str, value: i64| {
            if measure == Measure::Open.as_str() {
                open_slot(value, today)
            } else {
                value
            }
        };
        let mut report = StageProjectionReport::default();
        let mut expected: BTreeMap<StatKey, i64> = BTreeMap::new();
        report.applications = self
            .walk_stays(|row, wf, from_log, recorded| {
                let app = state_of(row)?;
                let scopes = scopes_of(&app);
                for v in stays(&from_log) {
                    let t = visit_tallies(wf, &v.stage, v.entered_at, v.left_at);
                    add_tallies(&mut expected, &scopes, &row.workflow_name, &t);
                }
                if from_log != recorded {
                    report.visits_differ.push(row.id);
                }
                Ok(())
            })
            .await?;
        let mut recorded: BTreeMap<(String, String, String, String, i64), i64> = BTreeMap::new();
        let mut after: Option<stage_stats::Model> = None;
        loop {
            use stage_stats::Column as S;
            let mut q = stage_stats::Entity::find()
                .order_by_asc(S::Scope)
                .order_by_asc(S::Measure)
                .order_by_asc(S::WorkflowName)
                .order_by_asc(S::Stage)
                .order_by_asc(S::Value);
            if let Some(a) = &after {
                q = q.filter(stat_key().gt(Expr::tuple([
                    Expr::value(a.scope.clone()),
                    Expr::value(a.measure.clone()),
                    Expr::value(a.workflow_name.clone()),
                    Expr::value(a.stage.clone()),
                    Expr::value(a.value),
                ])));
            }
            let page = q.limit(1000).all(&self.inner.db).await?;
            let Some(last) = page.last().cloned() else {
                break;
            };
            for r in page {
                let value = slot(&r.measure, r.value);
                *recorded
                    .entry((r.scope, r.measure, r.workflow_name, r.stage, value))
                    .or_default() += r.n;
            }
            after = Some(last);
        }
        for d in stage_stat_deltas::Entity::find()
            .all(&self.inner.db)
            .await?
        {
            let value = slot(&d.measure, d.value);
            for scope in CountedIn::of_delta(&d).keys() {
                let (measure, workflow, stage) =
                    (d.measure.clone(), d.workflow_name.clone(), d.stage.clone());
                *recorded
                    .entry((scope, measure, workflow, stage, value))
                    .or_default() += d.n;
            }
        }
        recorded.retain(|_, n| *n != 0);
        let mut slotted: BTreeMap<(String, String, String, String, i64), i64> = BTreeMap::new();
        for ((s, m, w, st, v), n) in expected {
            *slotted
                .entry((s, m.to_string(), w, st, slot(m, v)))
                .or_default() += n;
        }
        slotted.retain(|_, n| *n != 0);
        let expected = slotted;
        for (k, &want) in &expected {
            let got = recorded.get(k).copied().unwrap_or(0);
            if got != want {
                let (s, m, w, st, v) = k.clone();
                report.stats_differ.push((s, m, w, st, v, got, want));
            }
        }
        for (k, &got) in &recorded {
            if !expected.contains_key(k) {
                let (s, m, w, st, v) = k.clone();
                report.stats_differ.push((s, m, w, st, v, got, 0));
            }
        }
        Ok(report)
    }
}
