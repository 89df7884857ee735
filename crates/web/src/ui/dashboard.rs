//! The dashboard (`/dasbor`), from the stage counters of the viewer's scope and counts that use
//! the list's own filters.

use super::{Viewer, i18n, lang, page};
use crate::AppState;
use crate::problem::ApiError;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;
use std::collections::HashMap;

/// The dashboard, from the read models: the funnel and the days per stage from the stage
/// counters of the viewer's scope (a few hundred rows), the other figures as counts the
/// database answers from an index. Every figure links to the list it counts.
pub(super) async fn dashboard(
    state: web::Data<AppState>,
    req: HttpRequest,
    v: Viewer,
) -> Result<HttpResponse, ApiError> {
    use sepakat_core::stats::{Measure, attestation_stages, days_bucket, epoch_day, quantile};
    let lang = lang(&req);
    let now = state.clock.now();
    // The windows count from today at the viewer's office; the day buckets of the waits are
    // UTC days, as the counters were written.
    let today = crate::api::access::viewer_today(&state, &v.actor).await?;
    let today_day = epoch_day(now);
    let store = &state.store;
    let in_stage = store.stage_stats(&v.actor.scope, Measure::Now).await?;
    let open = store.open_waits(&v.actor.scope, now).await?;
    let spent = store.stage_stats(&v.actor.scope, Measure::Spent).await?;
    // Each measure's rows by (workflow, stage), read once, so no stage filters the whole list.
    let (in_stage, open, spent) = (by_stage(&in_stage), by_stage(&open), by_stage(&spent));
    let count =
        |wf: &str, stage: &str| -> i64 { of(&in_stage, wf, stage).iter().map(|r| r.1).sum() };
    let (mut blocked, mut late, mut total) = (0, 0, 0);
    let mut workflows = Vec::new();
    for wf in store.current_workflows().await? {
        let name = wf.name.clone();
        let attestation = attestation_stages(&wf);
        let counts: Vec<(&sepakat_core::workflow::Stage, i64)> = wf
            .stages
            .iter()
            .map(|s| (s, count(&name, &s.name)))
            .collect();
        let in_workflow: i64 = counts.iter().map(|(_, n)| n).sum();
        if in_workflow == 0 {
            continue;
        }
        total += in_workflow;
        let widest = counts.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
        let mut stages = Vec::new();
        for (s, n) in counts {
            if attestation.contains(&s.name) {
                blocked += n;
            }
            // Current waits, by the day they began, and ended stays, by their length.
            let mut histogram: Vec<(i64, u64)> = Vec::new();
            let mut past_target = 0;
            for &(began, n) in of(&open, &name, &s.name) {
                let waited = today_day - began;
                histogram.push((days_bucket(waited), n.max(0) as u64));
                if s.sla_days.is_some_and(|sla| waited > i64::from(sla)) {
                    past_target += n;
                }
            }
            late += past_target;
            histogram.extend(
                of(&spent, &name, &s.name)
                    .iter()
                    .map(|&(bucket, n)| (bucket, n.max(0) as u64)),
            );
            let link = format!(
                "/permohonan?{}",
                serde_urlencoded::to_string([
                    ("workflow", name.as_str()),
                    ("stage", s.name.as_str())
                ])
                .unwrap_or_default()
            );
            stages.push(json!({
                "title": s.title, "count": n, "max": widest, "link": link,
                "terminal": s.terminal,
                "sla": s.sla_days,
                // Strings, so that zero days still prints ("–" when nothing was measured).
                "median": quantile(&histogram, 0.5).map_or("–".into(), |d| d.to_string()),
                "p90": quantile(&histogram, 0.9).map_or("–".into(), |d| d.to_string()),
                "past_target": past_target,
            }));
        }
        workflows
            .push(json!({"name": name, "title": wf.title, "total": in_workflow, "stages": stages}));
    }
    // Counts on indexes, each with the same filter as the list it links to.
    let scoped = sepakat_store::ApplicationFilter::visible_to(&v.actor);
    let counted = |f: sepakat_store::ApplicationFilter| async move {
        store.count_applications(&f).await.map_err(ApiError::from)
    };
    let overdue = counted(sepakat_store::ApplicationFilter {
        evaluation_overdue_at: Some(now),
        ..scoped.clone()
    })
    .await?;
    let due = counted(sepakat_store::ApplicationFilter {
        evaluation_due_before: Some(sepakat_core::calendar::due_soon_before(today)),
        ..scoped.clone()
    })
    .await?;
    let ending = counted(sepakat_store::ApplicationFilter {
        grant_ending_by: Some(sepakat_core::calendar::ending_soon_by(today)),
        ..scoped.clone()
    })
    .await?;
    let data = json!({
        "workflows": workflows, "total": total,
        "blocked": blocked, "late": late, "due": due, "overdue": overdue, "ending": ending,
    });
    page(
        &req,
        Some(&v),
        "dasbor",
        i18n::word(lang, "dashboard"),
        data,
    )
}

/// One measure's counter rows, (value, n), by workflow and stage.
type ByStage<'a> = HashMap<&'a str, HashMap<&'a str, Vec<(i64, i64)>>>;

fn by_stage(rows: &[(String, String, i64, i64)]) -> ByStage<'_> {
    let mut out = ByStage::new();
    for (wf, stage, value, n) in rows {
        out.entry(wf.as_str())
            .or_default()
            .entry(stage.as_str())
            .or_default()
            .push((*value, *n));
    }
    out
}

/// The rows of one stage; none when it has no counter.
fn of<'a>(rows: &'a ByStage<'_>, wf: &str, stage: &str) -> &'a [(i64, i64)] {
    rows.get(wf)
        .and_then(|stages| stages.get(stage))
        .map_or(&[], Vec::as_slice)
}
