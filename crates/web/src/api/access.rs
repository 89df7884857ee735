//! Access grants (user IDs), the evaluations due, and the outbox's dead letters.
//!
//! Grants and evaluations are read within the caller's scope like applications: a grant of
//! an application the caller cannot see does not exist for them. The outbox is for admins.

use crate::AppState;
use crate::api::visible_rows;
use crate::auth::{Caller, store_err};
use crate::problem::{ApiError, ProblemItem};
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Days, NaiveDate, Utc};
use sepakat_core::Role;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Mounted in `/api/v1` by `api::scope`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/grants", web::get().to(grants))
        .route("/grants/export", web::get().to(export))
        .route("/evaluations/due", web::get().to(evaluations_due))
        .route("/outbox", web::get().to(outbox))
        .route("/outbox/{id}/retry", web::post().to(retry));
}

/// One user ID and what it may reach, with the names an operator needs.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantRecord {
    pub id: Uuid,
    pub application_id: Uuid,
    pub agency: String,
    pub office: String,
    /// `test` or `production`.
    pub kind: String,
    /// `uji` (test environment) or `produksi`.
    pub environment: String,
    /// The approved data-element codes.
    pub elements: Vec<String>,
    /// `web_portal`, `card_reader` or `web_service`.
    pub method: String,
    pub issued_at: DateTime<Utc>,
    pub valid_until: NaiveDate,
    /// `active`, `suspended`, `revoked` or `expired`.
    pub status: String,
    pub status_reason: Option<String>,
    /// The closed-network attestation the grant stands on.
    pub attestation_id: Uuid,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GrantQuery {
    /// Only grants in this state (`active`, `suspended`, `revoked`, `expired`).
    pub status: Option<String>,
    pub application: Option<Uuid>,
}

const STATES: [&str; 4] = ["active", "suspended", "revoked", "expired"];

async fn visible_grants(
    state: &AppState,
    caller: &Caller,
    status: Option<&str>,
    application: Option<Uuid>,
) -> Result<Vec<GrantRecord>, ApiError> {
    if let Some(s) = status.filter(|s| !STATES.contains(s)) {
        return Err(ApiError::invalid(
            format!(
                "unknown grant status `{s}`: use one of {}",
                STATES.join(", ")
            ),
            vec![ApiError::field(
                "status",
                "unknown_status",
                format!("use one of {}", STATES.join(", ")),
                format!(
                    "Status hak akses `{s}` tidak dikenal; gunakan {}.",
                    STATES.join(", ")
                ),
            )],
        ));
    }
    let mut rows = visible_rows(state, &caller.actor).await?;
    if let Some(a) = application {
        rows.retain(|r| r.id == a);
    }
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let grants = state.store.grants_of(&ids).await.map_err(store_err)?;
    let agencies: HashMap<Uuid, String> = state
        .store
        .agencies(None)
        .await
        .map_err(store_err)?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let offices: HashMap<Uuid, String> = state
        .store
        .offices()
        .await
        .map_err(store_err)?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let apps: HashMap<Uuid, (Uuid, Uuid)> = rows
        .iter()
        .map(|r| (r.id, (r.agency_id, r.office_id)))
        .collect();
    Ok(grants
        .into_iter()
        .filter(|g| status.is_none_or(|s| g.status == s))
        .map(|g| {
            let (agency, office) = apps.get(&g.application_id).copied().unwrap_or_default();
            GrantRecord {
                id: g.id,
                application_id: g.application_id,
                agency: agencies.get(&agency).cloned().unwrap_or_default(),
                office: offices.get(&office).cloned().unwrap_or_default(),
                environment: if g.kind == "test" { "uji" } else { "produksi" }.into(),
                kind: g.kind,
                elements: serde_json::from_value(g.elements).unwrap_or_default(),
                method: g.method,
                issued_at: g.issued_at,
                valid_until: g.valid_until,
                status: g.status,
                status_reason: g.status_reason,
                attestation_id: g.attestation_id,
            }
        })
        .collect())
}

/// The grants (user IDs) of the applications the caller may see.
#[utoipa::path(get, path = "/api/v1/grants", tag = "access", params(GrantQuery),
    responses((status = 200, body = [GrantRecord]), (status = 422, body = crate::problem::Problem)))]
pub async fn grants(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<GrantQuery>,
) -> Result<web::Json<Vec<GrantRecord>>, ApiError> {
    Ok(web::Json(
        visible_grants(&state, &caller, q.status.as_deref(), q.application).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// `csv` (default) or `json`.
    pub format: Option<String>,
}

/// The active grants, for the office that opens user IDs: CSV (one row per grant, element
/// codes separated by `;`) or JSON.
#[utoipa::path(get, path = "/api/v1/grants/export", tag = "access", params(ExportQuery),
    responses((status = 200, description = "text/csv or application/json"), (status = 422, body = crate::problem::Problem)))]
pub async fn export(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let active = visible_grants(&state, &caller, Some("active"), None).await?;
    let today = state.clock.now().date_naive();
    match q.format.as_deref().unwrap_or("csv") {
        "json" => Ok(HttpResponse::Ok()
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"hak-akses-aktif-{today}.json\""),
            ))
            .json(active)),
        "csv" => Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"hak-akses-aktif-{today}.csv\""),
            ))
            .body(grants_csv(&active))),
        other => Err(ApiError::invalid(
            format!("unknown export format `{other}`: use csv or json"),
            vec![ApiError::field(
                "format",
                "unknown_format",
                "use csv or json",
                format!("Format `{other}` tidak dikenal; gunakan csv atau json."),
            )],
        )),
    }
}

/// RFC 4180 CSV. A cell that a spreadsheet would run as a formula is prefixed with `'`.
pub fn grants_csv(grants: &[GrantRecord]) -> String {
    let mut out = String::from(
        "grant_id,application_id,agency,office,kind,environment,elements,method,issued_at,valid_until,status,attestation_id\r\n",
    );
    for g in grants {
        let cells = [
            g.id.to_string(),
            g.application_id.to_string(),
            g.agency.clone(),
            g.office.clone(),
            g.kind.clone(),
            g.environment.clone(),
            g.elements.join(";"),
            g.method.clone(),
            g.issued_at.to_rfc3339(),
            g.valid_until.to_string(),
            g.status.clone(),
            g.attestation_id.to_string(),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

fn csv_cell(v: &str) -> String {
    let v = if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{v}")
    } else {
        v.to_string()
    };
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DueEvaluationView {
    pub application_id: Uuid,
    pub agency: String,
    pub office: String,
    /// `periodic` or `incidental`.
    pub kind: String,
    pub due_on: NaiveDate,
    /// `scheduled`, `open` or `overdue` (grants suspended).
    pub state: String,
    /// Days past the due date; negative while days remain.
    pub days_late: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DueQuery {
    /// Include evaluations falling due within this many days (default 30, at most 366).
    pub within_days: Option<u64>,
}

/// Evaluations due (within `within_days`) or overdue, of the applications the caller may see.
#[utoipa::path(get, path = "/api/v1/evaluations/due", tag = "access", params(DueQuery),
    responses((status = 200, body = [DueEvaluationView])))]
pub async fn evaluations_due(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<DueQuery>,
) -> Result<web::Json<Vec<DueEvaluationView>>, ApiError> {
    let today = state.clock.now().date_naive();
    let through = today
        .checked_add_days(Days::new(q.within_days.unwrap_or(30).min(366)))
        .unwrap_or(today);
    let visible: std::collections::HashSet<Uuid> = visible_rows(&state, &caller.actor)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    let due = state
        .store
        .evaluations_due(today, through)
        .await
        .map_err(store_err)?;
    Ok(web::Json(
        due.into_iter()
            .filter(|d| visible.contains(&d.application_id))
            .map(|d| DueEvaluationView {
                application_id: d.application_id,
                agency: d.agency,
                office: d.office,
                kind: d.kind,
                due_on: d.due_on,
                state: d.state,
                days_late: d.days_late,
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxView {
    pub id: Uuid,
    pub application_id: Option<Uuid>,
    pub recipient_email: String,
    pub template: String,
    /// `pending`, `sent` or `dead`.
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub message_id: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OutboxQuery {
    /// `dead` (default), `pending` or `sent`.
    pub state: Option<String>,
}

fn admin_only(caller: &Caller) -> Result<(), ApiError> {
    if caller.actor.role == Role::Admin {
        return Ok(());
    }
    Err(ApiError::Forbidden {
        items: vec![ProblemItem {
            code: "role_not_allowed".into(),
            field: None,
            message: "Only an admin may see and retry the notification outbox.".into(),
            message_id:
                "Hanya administrator yang dapat melihat dan mengirim ulang antrean notifikasi."
                    .into(),
        }],
    })
}

/// The notification outbox by state (admins): dead letters by default, each with its last error.
#[utoipa::path(get, path = "/api/v1/outbox", tag = "operations", params(OutboxQuery),
    responses((status = 200, body = [OutboxView]), (status = 403, body = crate::problem::Problem)))]
pub async fn outbox(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<OutboxQuery>,
) -> Result<web::Json<Vec<OutboxView>>, ApiError> {
    admin_only(&caller)?;
    let wanted = q.state.as_deref().unwrap_or("dead");
    if !["pending", "sent", "dead"].contains(&wanted) {
        return Err(ApiError::invalid(
            format!("unknown outbox state `{wanted}`: use pending, sent or dead"),
            Vec::new(),
        ));
    }
    let rows = state
        .store
        .outbox_in_state(wanted, 500)
        .await
        .map_err(store_err)?;
    Ok(web::Json(
        rows.into_iter()
            .map(|r| OutboxView {
                id: r.id,
                application_id: r.application_id,
                recipient_email: r.recipient_email,
                template: r.template,
                state: r.state,
                attempts: r.attempts,
                next_attempt_at: r.next_attempt_at,
                message_id: r.message_id,
                created_at: r.created_at,
                sent_at: r.sent_at,
                last_error: r.last_error,
            })
            .collect(),
    ))
}

/// Puts a dead message back in the queue (admins), after the mail setup is fixed.
#[utoipa::path(post, path = "/api/v1/outbox/{id}/retry", tag = "operations", params(("id" = Uuid, Path)),
    responses((status = 204, description = "Queued again"), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem)))]
pub async fn retry(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    admin_only(&caller)?;
    let now = state.clock.now();
    if state
        .store
        .requeue_outbox(id.into_inner(), now)
        .await
        .map_err(store_err)?
    {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound {
            what: "dead outbox message",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("-1"), "'-1");
    }
}
