//! The application list (`/permohonan`): one indexed, keyset-paged query per page, filtered by the
//! database, with names read for the page's rows only.

use super::{Viewer, i18n, lang, names, page, row};
use crate::AppState;
use crate::problem::ApiError;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use sepakat_core::calendar;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

#[derive(Deserialize, Serialize, Default, Clone)]
pub(super) struct ListQuery {
    #[serde(default, skip_serializing_if = "is_blank")]
    stage: Option<String>,
    #[serde(default, skip_serializing_if = "is_blank")]
    workflow: Option<String>,
    #[serde(default, skip_serializing_if = "is_blank")]
    agency: Option<String>,
    #[serde(default, skip_serializing_if = "is_blank")]
    office: Option<String>,
    #[serde(default, skip_serializing_if = "is_blank")]
    overdue: Option<String>,
    #[serde(default, skip_serializing_if = "is_blank")]
    blocked: Option<String>,
    #[serde(default, skip_serializing_if = "is_blank")]
    late: Option<String>,
    #[serde(default, skip_serializing_if = "is_blank")]
    due: Option<String>,
    #[serde(default, skip_serializing_if = "is_blank")]
    ending: Option<String>,
    #[serde(default, skip_serializing_if = "is_blank")]
    q: Option<String>,
    #[serde(default, skip_serializing_if = "is_blank")]
    after: Option<String>,
}

/// Midnight (UTC) that began `now`'s day.
fn start_of_day(now: DateTime<Utc>) -> DateTime<Utc> {
    now.date_naive().and_time(chrono::NaiveTime::MIN).and_utc()
}

fn is_blank(s: &Option<String>) -> bool {
    s.as_deref().is_none_or(|s| s.trim().is_empty())
}

/// A list filter's id parameter: blank is "all"; anything else must be an id.
fn id_param(raw: &Option<String>, what: &str) -> Result<Option<Uuid>, ApiError> {
    match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Uuid::parse_str(s)
            .map(Some)
            .map_err(|_| ApiError::bad_request(format!("`{what}` must be an id from the list"))),
    }
}

/// Applications in the viewer's scope, 50 at a time, most recently changed first: one indexed
/// query per page, filtered by the database.
pub(super) async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    v: Viewer,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let q = q.into_inner();
    let mut filter = sepakat_store::ApplicationFilter::visible_to(&v.actor);
    let blank = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    filter.stage = blank(&q.stage);
    filter.workflow = blank(&q.workflow);
    if let Some(a) = id_param(&q.agency, "agency")? {
        // Never wider than the viewer's scope: another agency's id finds nothing.
        if filter.agency_id.is_some_and(|own| own != a) {
            filter.agency_id = Some(Uuid::nil());
        } else {
            filter.agency_id = Some(a);
        }
    }
    if let Some(o) = id_param(&q.office, "office")? {
        if filter.office_id.is_some_and(|own| own != o) {
            filter.office_id = Some(Uuid::nil());
        } else {
            filter.office_id = Some(o);
        }
    }
    // Overdue by the core's rule: each workflow's grace period, each office's day.
    filter.evaluation_overdue_at = q.overdue.is_some().then_some(now);
    if q.due.is_some() || q.ending.is_some() {
        // The windows count from today at the viewer's office, as the dashboard's figures do.
        let today = crate::api::access::viewer_today(&state, &v.actor).await?;
        if q.due.is_some() {
            // Due soon (the core's window), or already past.
            filter.evaluation_due_before = Some(calendar::due_soon_before(today));
        }
        filter.grant_ending_by = q.ending.is_some().then(|| calendar::ending_soon_by(today));
    }
    filter.blocked_on_attestation = q.blocked.is_some();
    // Past target by calendar day, as the dashboard counts it: the target ran out before today.
    filter.past_target_at = q.late.is_some().then(|| start_of_day(now));
    filter.search = blank(&q.q);
    filter.after = blank(&q.after);
    filter.limit = Some(50);
    let page_of = state.store.list_applications(&filter).await?;
    let ids: Vec<Uuid> = page_of.items.iter().map(|a| a.id).collect();
    let names = names(&state, &ids).await?;
    let mut rows = Vec::new();
    for a in &page_of.items {
        rows.push(row(&state, &names, a, now).await?);
    }
    // The stage and workflow choices come from the workflows, not from the rows.
    let mut stages = Vec::new();
    let mut workflows = Vec::new();
    for wf in state.store.current_workflows().await? {
        workflows.push(json!({"name": wf.name, "title": wf.title, "selected": filter.workflow.as_deref() == Some(wf.name.as_str())}));
        for s in &wf.stages {
            if !stages.iter().any(|x: &Value| x["name"] == s.name.as_str()) {
                stages.push(json!({"name": s.name, "title": s.title, "selected": filter.stage.as_deref() == Some(s.name.as_str())}));
            }
        }
    }
    let next = page_of.next.map(|c| {
        let params = ListQuery {
            after: Some(c),
            ..q.clone()
        };
        format!(
            "/permohonan?{}",
            serde_urlencoded::to_string(&params).unwrap_or_default()
        )
    });
    let title = i18n::word(lang(&req), "applications");
    page(
        &req,
        Some(&v),
        "daftar",
        title,
        json!({"rows": rows, "total": page_of.total, "next": next, "stages": stages, "workflows": workflows,
               "agency": q.agency.clone().unwrap_or_default(), "office": q.office.clone().unwrap_or_default(),
               "q": q.q.clone().unwrap_or_default(), "overdue": q.overdue.is_some(), "blocked": q.blocked.is_some(), "late": q.late.is_some()}),
    )
}
