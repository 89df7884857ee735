//! The notification outbox, for admins: the messages by state, application and recipient,
//! newest first and paged, and the retry of dead ones, one or all that match.

use super::access::{bad_field, cursor, one_of, page_limit, shown};
use crate::AppState;
use crate::auth::Caller;
use crate::problem::{ApiError, ProblemItem};
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use sepakat_core::Role;
use sepakat_store::{OUTBOX_STATES, OutboxCursor, OutboxFilter, OutboxState};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Mounted in `/api/v1` by `api::scope`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/outbox", web::get().to(outbox))
        .route("/outbox/retry", web::post().to(retry_all))
        .route("/outbox/{id}/retry", web::post().to(retry));
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

/// One page of the outbox, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxList {
    pub items: Vec<OutboxView>,
    /// How many match in all.
    pub total: u64,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OutboxQuery {
    /// `dead` (default), `pending` or `sent`.
    pub state: Option<String>,
    pub application: Option<Uuid>,
    /// The recipient's e-mail address (case does not matter).
    pub recipient: Option<String>,
    /// The `next` of the previous page.
    pub after: Option<String>,
    /// 1..=500, default 50.
    #[param(value_type = Option<u32>)]
    pub limit: Option<String>,
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

/// The notification outbox (admins), newest first, a page at a time: dead letters by default,
/// each with its last error.
#[utoipa::path(get, path = "/api/v1/outbox", tag = "operations", params(OutboxQuery),
    responses((status = 200, body = OutboxList), (status = 403, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
pub async fn outbox(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<OutboxQuery>,
) -> Result<web::Json<OutboxList>, ApiError> {
    admin_only(&caller)?;
    let q = q.into_inner();
    let wanted = q.state.unwrap_or_else(|| "dead".into());
    one_of(
        "state",
        "outbox state",
        &wanted,
        &OUTBOX_STATES.map(OutboxState::as_str),
    )?;
    let limit = page_limit(q.limit.as_deref())?;
    let after = cursor(q.after.as_deref(), OutboxCursor::parse)?;
    let page = state
        .store
        .outbox_page(
            &OutboxFilter {
                state: Some(wanted),
                application_id: q.application,
                recipient: q.recipient,
            },
            after,
            limit,
        )
        .await?;
    Ok(web::Json(OutboxList {
        items: page
            .items
            .into_iter()
            .map(|r| OutboxView {
                id: r.id,
                application_id: r.application_id,
                recipient_email: r.recipient_email,
                template: r.template,
                state: r.state.to_string(),
                attempts: r.attempts,
                next_attempt_at: r.next_attempt_at,
                message_id: r.message_id,
                created_at: r.created_at,
                sent_at: r.sent_at,
                last_error: r.last_error,
            })
            .collect(),
        total: page.total,
        next: page.next.map(|c| c.encode()),
    }))
}

/// Which dead messages to queue again.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryFilter {
    /// Must be `dead`: only dead messages are queued again.
    pub state: Option<String>,
    /// Only this application's messages.
    pub application: Option<Uuid>,
    /// Only messages to this e-mail address (case does not matter).
    pub recipient: Option<String>,
}

/// How many messages went back in the queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct Requeued {
    pub requeued: u64,
}

/// Puts every dead message matching the filter back in the queue at once (admins), after the
/// mail setup is fixed: `{"state": "dead"}` for all of them, narrowed by `application` and
/// `recipient`.
#[utoipa::path(post, path = "/api/v1/outbox/retry", tag = "operations", request_body = RetryFilter,
    responses((status = 200, body = Requeued), (status = 403, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
pub async fn retry_all(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<RetryFilter>,
) -> Result<web::Json<Requeued>, ApiError> {
    admin_only(&caller)?;
    let body = body.into_inner();
    match body.state.as_deref() {
        Some("dead") => {}
        other => {
            let got = other.map(shown).unwrap_or_else(|| "nothing".into());
            return Err(bad_field(
                "state",
                "state_must_be_dead",
                format!(
                    "only dead messages are queued again: send \"state\": \"dead\" (got {got})"
                ),
                format!(
                    "Hanya pesan yang gagal (dead) yang dapat dikirim ulang: kirim \"state\": \"dead\" (diterima {got})."
                ),
            ));
        }
    }
    let requeued = state
        .store
        .requeue_dead_outbox(
            &OutboxFilter {
                state: body.state,
                application_id: body.application,
                recipient: body.recipient,
            },
            state.clock.now(),
        )
        .await?;
    tracing::info!(requeued, admin = %caller.actor.id, "dead outbox messages queued again");
    Ok(web::Json(Requeued { requeued }))
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
    if state.store.requeue_outbox(id.into_inner(), now).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound {
            what: "dead outbox message",
        })
    }
}
