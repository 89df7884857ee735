//! The JSON API under `/api/v1`.

pub mod access;
pub mod accounts;
pub mod applications;
pub mod catalogue;
pub mod documents;
pub mod evaluations;
pub mod letters;
pub mod outbox;
pub mod pks;

use crate::AppState;
use crate::auth::{self, Caller};
use crate::blobs::sniff_media_type;
use crate::idempotency::{self, Answer};
use crate::problem::{ApiError, ProblemItem};
use crate::views::*;
use actix_multipart::Multipart;
use actix_web::dev::Payload;
use actix_web::error::JsonPayloadError;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use sepakat_core::addendum::ScopeChange;
use sepakat_core::diagram;
use sepakat_core::elements::{CATALOGUE, Category};
use sepakat_core::machine::available_actions;
use sepakat_core::pks::{Article, ArticleComment, PksInput};
use sepakat_core::request::{AccessMethod, DataType, PurposeKind, RequestedElement};
use sepakat_core::{Actor, Command, Request};
use sepakat_store::{ApplicationFilter, StoredApplication};
use sepakat_store::{CommandOutcome, KeptAnswer, Keyed, NewApplication, NewDocument};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::future::Future;
use std::pin::Pin;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub fn scope() -> actix_web::Scope {
    web::scope("/api/v1")
        .route("/auth/login", web::post().to(auth::login))
        .route("/auth/token", web::post().to(auth::token))
        .route("/auth/logout", web::post().to(auth::logout))
        .route("/me", web::get().to(auth::me))
        .route("/data-elements", web::get().to(catalogue::data_elements))
        .route("/workflows", web::get().to(catalogue::workflows))
        .route("/workflows/{name}", web::get().to(catalogue::workflow))
        .route("/offices", web::get().to(catalogue::offices))
        .route("/agencies", web::get().to(catalogue::agencies))
        .route("/applications", web::post().to(applications::submit))
        .route("/applications", web::get().to(applications::list))
        .route("/applications/{id}", web::get().to(applications::detail))
        .route(
            "/applications/{id}/transitions",
            web::post().to(applications::transition),
        )
        .route(
            "/applications/{id}/commands",
            web::post().to(applications::command),
        )
        .route(
            "/applications/{id}/documents",
            web::post().to(documents::upload),
        )
        .route(
            "/applications/{id}/documents/{document_id}",
            web::get().to(documents::download),
        )
        .configure(letters::routes)
        .configure(pks::routes)
        .configure(access::routes)
        .configure(evaluations::routes)
        .configure(outbox::routes)
        .configure(accounts::routes)
}

/// JSON body errors: broken syntax is a 400; valid JSON of the wrong shape is a 422 that says which field.
pub fn json_error(err: JsonPayloadError) -> ApiError {
    match err {
        JsonPayloadError::OverflowKnownLength { limit, .. }
        | JsonPayloadError::Overflow { limit } => ApiError::PayloadTooLarge { limit },
        JsonPayloadError::ContentType => ApiError::UnsupportedMediaType {
            detail: "Send the body as JSON with `Content-Type: application/json`.".into(),
        },
        JsonPayloadError::Deserialize(e) if e.is_data() => ApiError::invalid(
            format!("The JSON does not match what this endpoint expects: {e}"),
            vec![ProblemItem {
                code: "invalid_field".into(),
                field: None,
                message: e.to_string(),
                message_id: format!("Isian tidak sesuai: {e}"),
            }],
        ),
        other => ApiError::bad_request(format!("The body is not valid JSON: {other}")),
    }
}

/// Whether the server is up and reaches its database.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `degraded`.
    #[schema(value_type = String, example = "ok")]
    pub status: &'static str,
    /// `ok` or `unreachable`.
    #[schema(value_type = String, example = "ok")]
    pub database: &'static str,
}

/// Liveness and database reachability.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, body = Health, description = "Up"),
        (status = 503, body = Health, description = "Up, but the database is unreachable")))]
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    match state.store.ping().await {
        Ok(()) => HttpResponse::Ok().json(Health {
            status: "ok",
            database: "ok",
        }),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            HttpResponse::ServiceUnavailable().json(Health {
                status: "degraded",
                database: "unreachable",
            })
        }
    }
}

/// Prometheus metrics, for the peers and the token the settings allow (`crate::metrics`).
pub async fn metrics(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    crate::metrics::may_read(&req, &state.config)?;
    let mut body = state.metrics.render();
    // The mail backlog is the first sign of an SMTP outage; a database that does not answer
    // leaves it out rather than failing the scrape of the HTTP figures.
    match state.store.outbox_counts().await {
        Ok(counts) => body.push_str(&crate::metrics::render_outbox(&counts)),
        Err(e) => tracing::warn!(error = %e, "outbox counts left out of /metrics"),
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(body))
}

pub(crate) async fn view(
    state: &AppState,
    caller: &Caller,
    stored: StoredApplication,
) -> Result<ApplicationView, ApiError> {
    let wf = state
        .store
        .workflow(&stored.row.workflow_name, &stored.row.workflow_hash)
        .await?;
    let detail = state.store.application_detail(stored.row.id).await?;
    let (next, _) = crate::next::next_view(state, &wf, &stored.state, &caller.actor).await?;
    let actions = available_actions(&wf, &stored.state, &caller.actor);
    let uploaders = state
        .store
        .people_by_id(detail.documents.iter().map(|d| d.uploaded_by))
        .await?;
    Ok(ApplicationView {
        next,
        summary: ApplicationSummary::new(
            &(&stored.row).into(),
            wf.stage(&stored.row.stage).map(|s| s.title.clone()),
        ),
        workflow_hash: stored.row.workflow_hash.clone(),
        request: serde_json::to_value(&stored.state.request)
            .map_err(|e| ApiError::Internal(e.to_string()))?,
        daily_quota: stored.state.daily_quota(),
        addendum: stored
            .state
            .addendum
            .as_ref()
            .map(serde_json::to_value)
            .transpose()
            .map_err(|e| ApiError::Internal(e.to_string()))?,
        allowed_actions: actions.iter().map(ActionView::from).collect(),
        documents: detail
            .documents
            .iter()
            .map(|d| DocumentView::with_uploader(d, &uploaders))
            .collect(),
        letters: detail.letters.iter().map(LetterView::from).collect(),
        attestations: detail
            .attestations
            .iter()
            .map(AttestationView::from)
            .collect(),
        grants: detail.grants.iter().map(GrantView::from).collect(),
        evaluations: detail
            .evaluations
            .iter()
            .map(EvaluationView::from)
            .collect(),
        timeline: detail.events.iter().map(TimelineEntry::from).collect(),
    })
}

/// The application named by the path's `{id}`, loaded for a caller who may see it: the
/// prologue every `/applications/{id}/…` handler shares. The caller is authenticated first
/// (401); an id that is not a UUID is a 400; an application outside the caller's scope is
/// "not found", exactly like one that does not exist, so its existence does not leak.
pub struct VisibleApplication {
    pub caller: Caller,
    pub stored: StoredApplication,
}

impl VisibleApplication {
    pub fn id(&self) -> Uuid {
        self.stored.row.id
    }
}

impl FromRequest for VisibleApplication {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let caller = Caller::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let caller = caller.await?;
            let id = parse_id(req.match_info().query("id"))?;
            let state = auth::app_state(&req)?;
            let stored = visible_to(&state, &caller.actor, id).await?;
            Ok(VisibleApplication { caller, stored })
        })
    }
}

/// The application, if `actor` may see it; otherwise "not found" (no existence leak).
pub(crate) async fn visible_to(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
) -> Result<StoredApplication, ApiError> {
    let stored = state.store.application(id).await?;
    if actor.can_see(&stored.state.ownership) {
        Ok(stored)
    } else {
        Err(ApiError::NotFound {
            what: "application",
        })
    }
}

/// A serde enum's name (`snake_case`), as the API spells it.
pub(crate) fn snake<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

pub(crate) fn parse_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| {
        ApiError::bad_request(format!("`{raw}` is not a valid application id (a UUID)"))
    })
}

/// What one command did, kept small so its cost does not grow with the application's history:
/// the new state's summary, what the caller may do next, the grants, and only the events and
/// letters this command added. `GET /api/v1/applications/{id}` has the whole picture.
pub(crate) async fn run_command(
    state: &AppState,
    caller: &Caller,
    stored: &StoredApplication,
    version: i64,
    command: Command,
    keyed: Option<Keyed>,
) -> Result<Answer, ApiError> {
    // The workflow the application is pinned to, so a keyed command's answer is built (and
    // kept) inside its transaction exactly as it is built here after the commit.
    let wf = state
        .store
        .workflow(&stored.row.workflow_name, &stored.row.workflow_hash)
        .await?;
    let keyed = keyed.map(|k| {
        let (wf, actor) = (wf.clone(), caller.actor.clone());
        k.with_answer(move |outcome| {
            command_answer(&wf, &actor, outcome)
                .ok()
                .map(|a| KeptAnswer {
                    status: a.status.as_u16(),
                    body: a.body.to_string(),
                })
        })
    });
    let outcome = state
        .store
        .execute_keyed(
            stored.row.id,
            version,
            command,
            caller.account.id,
            state.clock.now(),
            keyed,
        )
        .await?;
    command_answer(&wf, &caller.actor, &outcome)
}

/// What a command answers: built from its outcome alone.
fn command_answer(
    wf: &sepakat_core::Workflow,
    actor: &sepakat_core::Actor,
    outcome: &CommandOutcome,
) -> Result<Answer, ApiError> {
    let app = &outcome.application;
    let summary = ApplicationSummary {
        id: app.id,
        workflow: app.workflow.name.clone(),
        agency_id: app.ownership.agency_id,
        office_id: app.ownership.office_id,
        stage: app.stage.clone(),
        stage_title: wf.stage(&app.stage).map(|s| s.title.clone()),
        version: app.version,
        submitted_at: app.submitted_at,
        stage_entered_at: app.stage_entered_at,
        next_evaluation_due: app.next_evaluation_due,
    };
    Answer::ok(CommandResult {
        summary,
        allowed_actions: available_actions(wf, app, actor)
            .iter()
            .map(ActionView::from)
            .collect(),
        grants: app
            .grants
            .iter()
            .map(|g| GrantState {
                kind: snake(&g.kind),
                status: grant_status_name(&g.status),
                valid_until: g.valid_until,
            })
            .collect(),
        attestation_active: app.attestation_active(),
        events: outcome.events.iter().map(TimelineEntry::from).collect(),
        letters: outcome.letters.iter().map(LetterView::from).collect(),
    })
}
