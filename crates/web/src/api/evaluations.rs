//! The evaluations due and overdue within the caller's scope, oldest first and paged: what the
//! six-monthly calendar asks of each agency next.

use super::access::{cursor, days, one_of, page_limit, province_code};
use crate::AppState;
use crate::auth::Caller;
use crate::problem::ApiError;
use actix_web::web;
use chrono::{Days, NaiveDate};
use sepakat_core::calendar::DUE_SOON_DAYS;
use sepakat_store::{DUE_STATES, DueCursor, DueFilter, EvaluationState, Placement};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The farthest `within_days` looks ahead.
const MAX_WITHIN_DAYS: u64 = 366;

/// Mounted in `/api/v1` by `api::scope`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/evaluations/due", web::get().to(evaluations_due));
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DueEvaluationView {
    /// The evaluation's id.
    pub id: Uuid,
    pub application_id: Uuid,
    pub agency_id: Uuid,
    pub agency: String,
    pub office_id: Uuid,
    pub office: String,
    /// `periodic` or `incidental`.
    pub kind: String,
    pub due_on: NaiveDate,
    /// `scheduled`, `open` or `overdue` (grants suspended).
    pub state: String,
    /// Days past the due date; negative while days remain.
    pub days_late: i64,
}

/// One page of evaluations due, earliest due first.
#[derive(Debug, Serialize, ToSchema)]
pub struct DueList {
    pub items: Vec<DueEvaluationView>,
    /// How many match in all.
    pub total: u64,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DueQuery {
    /// Include evaluations falling due within this many days (default 30, 0..=366), counted
    /// from today at the caller's office (WIB for the national roles); overdue ones are always
    /// included.
    #[param(value_type = Option<u32>)]
    pub within_days: Option<String>,
    /// `scheduled`, `open` or `overdue`.
    pub state: Option<String>,
    pub agency: Option<Uuid>,
    pub office: Option<Uuid>,
    /// Two-digit province code: applications handled by an office of this province.
    pub province: Option<String>,
    /// The `next` of the previous page.
    pub after: Option<String>,
    /// 1..=500, default 50.
    #[param(value_type = Option<u32>)]
    pub limit: Option<String>,
}

/// Evaluations due (within `within_days`) or overdue, of the applications the caller may see,
/// earliest due first, a page at a time.
#[utoipa::path(get, path = "/api/v1/evaluations/due", tag = "access", params(DueQuery),
    responses((status = 200, body = DueList), (status = 422, body = crate::problem::Problem)))]
pub async fn evaluations_due(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<DueQuery>,
) -> Result<web::Json<DueList>, ApiError> {
    let q = q.into_inner();
    let within = days(
        "within_days",
        q.within_days.as_deref(),
        Some(DUE_SOON_DAYS),
        MAX_WITHIN_DAYS,
    )?
    .unwrap_or(DUE_SOON_DAYS);
    if let Some(s) = q.state.as_deref() {
        one_of(
            "state",
            "evaluation state",
            s,
            &DUE_STATES.map(EvaluationState::as_str),
        )?;
    }
    let limit = page_limit(q.limit.as_deref())?;
    let after = cursor(q.after.as_deref(), DueCursor::parse)?;
    let today = super::access::viewer_today(&state, &caller.actor).await?;
    let filter = DueFilter {
        through: today
            .checked_add_days(Days::new(within))
            .unwrap_or(NaiveDate::MAX),
        state: q.state,
        placement: Placement {
            agency_id: q.agency,
            office_id: q.office,
            province: province_code(q.province.as_deref())?,
        },
    };
    let page = state
        .store
        .evaluations_due_page(&caller.actor, &filter, today, after, limit)
        .await?;
    Ok(web::Json(DueList {
        items: page
            .items
            .into_iter()
            .map(|d| DueEvaluationView {
                id: d.id,
                application_id: d.application_id,
                agency_id: d.agency_id,
                agency: d.agency,
                office_id: d.office_id,
                office: d.office,
                kind: d.kind.to_string(),
                due_on: d.due_on,
                state: d.state.to_string(),
                days_late: d.days_late,
            })
            .collect(),
        total: page.total,
        next: page.next.map(|c| c.encode()),
    }))
}
