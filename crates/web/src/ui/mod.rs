//! The web pages for coordinators, agency heads and provincial reviewers: server-rendered
//! handlebars from `templates/ui/`, in Bahasa Indonesia with an English switch. Forms carry a
//! CSRF token; every refusal is shown beside its field, and what was typed is kept.

mod i18n;
mod labels;
mod next;
mod svg;
mod viewer;

use crate::AppState;
use crate::auth::SESSION_COOKIE;
use crate::problem::{ApiError, ProblemItem};
use crate::security::{new_secret, secret_digest};
use actix_web::ResponseError;
use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use handlebars::Handlebars;
use sepakat_core::elements::CATALOGUE;
use sepakat_core::machine::{Unmet, available_actions};
use sepakat_core::request::{AccessMethod, DataType, PurposeKind, RequestedElement};
use sepakat_core::workflow::{DOCUMENTS, LETTERS, letter_title};
use sepakat_core::{Command, ElementCode, Request, Role, Scope};
use sepakat_store::{NewApplication, StoreError};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use uuid::Uuid;
use viewer::{Viewer, viewer};

const LANG_COOKIE: &str = "sepakat_lang";

/// The page templates embedded in the binary: every `templates/ui/*.hbs`, listed by `build.rs`
/// so that a new page is embedded without being listed by hand.
pub const EMBEDDED_PAGES: &[sepakat_templates::Embedded] =
    include!(concat!(env!("OUT_DIR"), "/page_templates.rs"));

/// The page templates as the server renders them: the embedded ones, each replaced by the
/// operator's file of the same name (`templates/ui/<name>.hbs`, by the rule of every template
/// set, `sepakat_templates::overrides`). Loaded once when the server starts.
pub struct Pages {
    hb: Handlebars<'static>,
    /// Each template's source as registered, for the Content-Security-Policy's hashes.
    sources: Vec<(String, String)>,
}

impl Pages {
    pub fn load(dir: &std::path::Path) -> Result<Pages, sepakat_templates::OverrideError> {
        let found = sepakat_templates::overrides(dir, EMBEDDED_PAGES)?;
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        let mut sources = Vec::with_capacity(EMBEDDED_PAGES.len());
        for (name, embedded) in EMBEDDED_PAGES {
            let (path, source) = match found.iter().find(|o| o.name == *name) {
                Some(o) => (o.path.clone(), o.source.clone()),
                None => (
                    format!("templates/ui/{name}.hbs").into(),
                    embedded.to_string(),
                ),
            };
            hb.register_template_string(name, &source).map_err(|e| {
                sepakat_templates::OverrideError {
                    path,
                    message: format!("does not parse: {e}"),
                }
            })?;
            sources.push((name.to_string(), source));
        }
        Ok(Pages { hb, sources })
    }

    /// Every page template's name and source, as rendered.
    pub fn sources(&self) -> impl Iterator<Item = (&str, &str)> {
        self.sources.iter().map(|(n, s)| (n.as_str(), s.as_str()))
    }
}

/// Mounted after the API: the pages take every other address, so an unknown one or a refusal
/// answers a page in the layout rather than problem+json.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("")
            .wrap_fn(|req, srv| {
                let res = srv.call(req);
                async move { error_page(res.await?).await }
            })
            .route("/", web::get().to(inbox))
            .route("/masuk", web::get().to(sign_in::sign_in_page))
            .route("/masuk", web::post().to(sign_in::sign_in))
            .route("/keluar", web::post().to(sign_in::sign_out))
            .route("/bahasa", web::get().to(sign_in::language))
            .route("/permohonan", web::get().to(list::list))
            .route("/permohonan/baru", web::get().to(new_request::new_page))
            .route("/permohonan/baru", web::post().to(new_request::new_submit))
            .route("/permohonan/{id}", web::get().to(detail::detail))
            .route("/permohonan/{id}/tindakan", web::post().to(act))
            .route("/permohonan/{id}/adendum", web::get().to(addendum::form))
            .route("/permohonan/{id}/adendum", web::post().to(addendum::submit))
            .route("/permohonan/{id}/atestasi", web::post().to(attest))
            .route(
                "/permohonan/{id}/surat/{letter}",
                web::post().to(issue::issue),
            )
            .route("/permohonan/{id}/evaluasi", web::post().to(evaluate))
            .route("/dasbor", web::get().to(dashboard::dashboard))
            .route("/impor", web::get().to(import::form))
            .route("/impor", web::post().to(import::submit))
            .route("/akun", web::get().to(accounts::list))
            .route("/akun/sandi", web::get().to(accounts::password_page))
            .route("/akun/sandi", web::post().to(accounts::password_submit))
            .route("/akun/{id}", web::get().to(accounts::detail))
            .route("/akun/{id}/{action}", web::post().to(accounts::act))
            .route("/alur/{name}", web::get().to(workflow_page))
            .configure(pks::routes)
            .configure(verify::routes)
            .default_service(web::to(|| async {
                Err::<HttpResponse, _>(ApiError::NoRoute)
            })),
    );
}

/// A page path's error as a page: what went wrong in the reader's language and a way back.
/// `/api/` paths that end up here (outside `/api/v1`) keep their problem+json.
async fn error_page(res: ServiceResponse) -> Result<ServiceResponse, actix_web::Error> {
    let Some(err) = res.response().error() else {
        return Ok(res);
    };
    // `/api/` answers keep their problem+json; a `Viewer`'s redirect is not a failure.
    if res.request().path().starts_with("/api/") || res.status().is_redirection() {
        return Ok(res);
    }
    let req = res.request().clone();
    let lang = lang(&req);
    let status = res.status();
    let (heading, message) = if status == actix_web::http::StatusCode::NOT_FOUND {
        (
            i18n::word(&lang, "not_found"),
            i18n::word(&lang, "not_found_help").to_string(),
        )
    } else {
        let message = match err.as_error::<ApiError>() {
            Some(e) => problem_text(e, &lang),
            None => i18n::word(&lang, "unreadable_request").to_string(),
        };
        (i18n::word(&lang, "request_failed"), message)
    };
    let v = match req.app_data::<web::Data<AppState>>() {
        Some(state) => viewer(state, &req).await.ok().flatten(),
        None => None,
    };
    let mut html = page(
        &req,
        v.as_ref(),
        "galat",
        heading,
        json!({"message": message}),
    )?;
    *html.status_mut() = status;
    Ok(res.into_response(html))
}

fn lang(req: &HttpRequest) -> String {
    match req.cookie(LANG_COOKIE) {
        Some(c) if c.value() == "en" => "en".into(),
        _ => "id".into(),
    }
}

fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_string()))
        .finish()
}

fn page(
    req: &HttpRequest,
    viewer: Option<&Viewer>,
    template: &str,
    title: &str,
    mut data: Value,
) -> Result<HttpResponse, ApiError> {
    let lang = lang(req);
    let obj = data
        .as_object_mut()
        .ok_or_else(|| ApiError::Internal("page data must be an object".into()))?;
    obj.insert("lang".into(), json!(lang));
    obj.insert("t".into(), Value::Object(i18n::all(&lang)));
    obj.insert("title".into(), json!(title));
    obj.insert("path".into(), json!(req.uri().to_string()));
    obj.insert(
        "me".into(),
        match viewer {
            Some(v) => json!({
                "name": v.account.name, "role": v.actor.role.as_str(), "role_name": role_name(v.actor.role, &lang),
                "unit": v.unit, "csrf": v.csrf,
                "is_agency_head": v.actor.role == Role::AgencyHead,
                "sees_dashboard": !matches!(v.actor.role, Role::AgencyHead),
                "is_admin": v.actor.role == Role::Admin,
            }),
            None => Value::Null,
        },
    );
    let pages = &req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal("the pages run without their state".into()))?
        .pages;
    let body = pages
        .hb
        .render(template, &data)
        .map_err(|e| ApiError::Internal(format!("page {template}: {e}")))?;
    let full = pages
        .hb
        .render("layout", &json!({"lang": lang, "t": data["t"], "title": title, "me": data["me"], "path": data["path"], "body": body}))
        .map_err(|e| ApiError::Internal(format!("layout: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(full))
}

fn role_name(role: Role, lang: &str) -> String {
    if lang == "en" {
        match role {
            Role::AgencyHead => "Agency head",
            Role::Coordinator => "Disdukcapil coordinator",
            Role::ProvincialReviewer => "Provincial reviewer",
            Role::Central => "Ditjen Dukcapil",
            Role::Auditor => "Auditor",
            Role::Admin => "Administrator",
        }
        .into()
    } else {
        role.name_id().into()
    }
}

fn unmet_text(u: &Unmet, lang: &str) -> String {
    if lang == "en" {
        u.message_en()
    } else {
        u.message_id()
    }
}

fn item_text(i: &ProblemItem, lang: &str) -> String {
    if lang == "en" {
        i.message.clone()
    } else {
        i.message_id.clone()
    }
}

mod accounts;
mod addendum;
mod dashboard;
mod detail;
mod import;
mod issue;
mod list;
mod new_request;
mod pks;
mod sign_in;
mod verify;

use detail::render_detail;

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Only same-origin relative paths, so `next` cannot send anyone elsewhere: one leading `/`,
/// then printable ASCII without whitespace, control characters or backslashes (browsers drop
/// tabs and newlines and read a backslash as `/`, so `/\t/evil.example` would be `//evil.example`).
/// Anything else is `/`.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') =>
        {
            n.to_string()
        }
        _ => "/".into(),
    }
}

fn check_csrf(v: &Viewer, sent: &str) -> Result<(), ApiError> {
    if !v.csrf.is_empty() && v.csrf == sent {
        Ok(())
    } else {
        Err(ApiError::Forbidden {
            items: vec![ApiError::field(
                "csrf",
                "csrf_token_missing",
                "The form is stale; reload the page.",
                "Formulir kedaluwarsa; muat ulang halaman.",
            )],
        })
    }
}

// ---- Lists -------------------------------------------------------------------------------------

struct Names {
    agencies: HashMap<Uuid, String>,
    offices: HashMap<Uuid, String>,
    /// Each office's time zone, by office id: the day its dates are read on.
    zones: HashMap<Uuid, sepakat_core::calendar::OfficeZone>,
}

/// The agency and office names of these applications only (a page's worth), never the whole
/// directory.
async fn names(state: &AppState, ids: &[Uuid]) -> Result<Names, ApiError> {
    let placed = state.store.placements(ids).await?;
    let mut names = Names {
        agencies: HashMap::new(),
        offices: HashMap::new(),
        zones: HashMap::new(),
    };
    for p in placed.into_values() {
        names.zones.insert(p.office_id, p.zone);
        names.agencies.insert(p.agency_id, p.agency);
        names.offices.insert(p.office_id, p.office);
    }
    Ok(names)
}

/// A row of a list: agency, stage, days in stage against the stage's target.
async fn row(
    state: &AppState,
    names: &Names,
    a: &sepakat_store::entity::applications::Model,
    now: DateTime<Utc>,
) -> Result<Value, ApiError> {
    let wf = state
        .store
        .workflow(&a.workflow_name, &a.workflow_hash)
        .await?;
    let stage = wf.stage(&a.stage);
    let days = (now - a.stage_entered_at).num_days().max(0);
    let sla = stage.and_then(|s| s.sla_days);
    // The core's rule, on the office's day: the same answer as the lists' `overdue` filter.
    let zone = names.zones.get(&a.office_id).copied().unwrap_or_default();
    let today = sepakat_core::calendar::local_date(now, zone);
    let evaluation_overdue = a
        .next_evaluation_due
        .is_some_and(|d| sepakat_core::calendar::is_overdue(d, today, &wf.evaluation));
    Ok(json!({
        "id": a.id,
        "agency": names.agencies.get(&a.agency_id).cloned().unwrap_or_default(),
        "office": names.offices.get(&a.office_id).cloned().unwrap_or_default(),
        "workflow": wf.title,
        "stage": a.stage,
        "stage_title": stage.map(|s| s.title.clone()).unwrap_or_else(|| a.stage.clone()),
        "terminal": stage.is_some_and(|s| s.terminal),
        "days": days,
        "sla": sla,
        "late": sla.is_some_and(|s| days > i64::from(s)),
        "evaluation_overdue": evaluation_overdue,
        "next_evaluation_due": a.next_evaluation_due.map(sepakat_letters::indonesian::format_date),
    }))
}

#[derive(Deserialize)]
struct InboxQuery {
    /// The `next` cursor of the previous page.
    after: Option<String>,
}

/// What waits on the viewer, 50 at a time, from the inbox read model.
async fn inbox(
    state: web::Data<AppState>,
    req: HttpRequest,
    v: Viewer,
    q: web::Query<InboxQuery>,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let after = q
        .after
        .as_deref()
        .map(sepakat_store::InboxCursor::parse)
        .transpose()?;
    let waiting = state
        .store
        .inbox(&v.actor, &sepakat_store::InboxFilter::default(), after, 50)
        .await?;
    let ids: Vec<Uuid> = waiting.items.iter().map(|a| a.id).collect();
    let names = names(&state, &ids).await?;
    let mut rows = Vec::new();
    for a in &waiting.items {
        rows.push(row(&state, &names, a, now).await?);
    }
    let title = i18n::word(&lang(&req), "inbox");
    page(
        &req,
        Some(&v),
        "kotak_masuk",
        title,
        json!({"rows": rows, "total": waiting.total, "next": waiting.next.map(|c| format!("/?after={}", c.encode()))}),
    )
}

// ---- One application ---------------------------------------------------------------------------

#[derive(Default, Deserialize)]
struct DetailQuery {
    error: Option<String>,
    done: Option<String>,
}

async fn load_visible(
    state: &AppState,
    v: &Viewer,
    id: &str,
) -> Result<sepakat_store::StoredApplication, ApiError> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::NotFound {
        what: "application",
    })?;
    let stored = state.store.application(id).await?;
    if v.actor.can_see(&stored.state.ownership) {
        Ok(stored)
    } else {
        Err(ApiError::NotFound {
            what: "application",
        })
    }
}

/// A refused form shown again: what was typed, and each problem beside its field (`form` for
/// those of no field). The new-request and the attestation forms both use it.
#[derive(Default)]
struct Refused {
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
}

impl Refused {
    fn value(&self, field: &str) -> String {
        self.values.get(field).cloned().unwrap_or_default()
    }

    /// One more problem with `field`; several read one after the other.
    fn add(&mut self, field: String, text: String) {
        self.errors
            .entry(field)
            .and_modify(|e| {
                e.push(' ');
                e.push_str(&text)
            })
            .or_insert(text);
    }
}

#[derive(Deserialize)]
struct ActForm {
    csrf: String,
    action: String,
    comment: Option<String>,
    expected_version: i64,
    /// The box a destructive action's form asks to tick ("ya").
    confirm: Option<String>,
}

fn problem_text(e: &ApiError, lang: &str) -> String {
    let p = e.problem();
    let details: Vec<String> = p.errors.iter().map(|i| item_text(i, lang)).collect();
    let head = if lang == "en" { p.detail } else { p.detail_id };
    if details.is_empty() {
        head
    } else {
        format!("{head} {}", details.join(" "))
    }
}

/// Runs a form's command on application `id`: the page to answer with (done, or a failure
/// that is not the core's), or the core's rejection for the form to show beside its fields.
async fn run_form_command(
    state: &AppState,
    req: &HttpRequest,
    v: &Viewer,
    id: &str,
    expected_version: i64,
    command: Command,
) -> Result<Result<HttpResponse, sepakat_core::Rejection>, ApiError> {
    let application = crate::api::parse_id(id)?;
    let result = state
        .store
        .execute(
            application,
            expected_version,
            command,
            v.account.id,
            state.clock.now(),
        )
        .await
        .map(|_| ());
    match result {
        Err(StoreError::Rejected(r)) => Ok(Err(r)),
        other => after_command(state, req, v, id, other).await.map(Ok),
    }
}

async fn after_command(
    state: &AppState,
    req: &HttpRequest,
    v: &Viewer,
    id: &str,
    result: Result<(), StoreError>,
) -> Result<HttpResponse, ApiError> {
    let lang = lang(req);
    match result {
        Ok(()) => Ok(redirect(&format!("/permohonan/{id}?done=1"))),
        Err(e) => {
            let stale = matches!(e, StoreError::Conflict { .. });
            let err = ApiError::from(e);
            if matches!(err, ApiError::Internal(_)) {
                return Err(err);
            }
            let message = if stale {
                i18n::word(&lang, "stale").to_string()
            } else {
                problem_text(&err, &lang)
            };
            let stored = load_visible(state, v, id).await?;
            let mut res = render_detail(
                state,
                req,
                v,
                stored,
                Some(message),
                false,
                &Refused::default(),
            )
            .await?;
            *res.status_mut() = err
                .problem()
                .status
                .try_into()
                .unwrap_or(actix_web::http::StatusCode::UNPROCESSABLE_ENTITY);
            Ok(res)
        }
    }
}

async fn act(
    state: web::Data<AppState>,
    req: HttpRequest,
    v: Viewer,
    id: web::Path<String>,
    form: web::Form<ActForm>,
) -> Result<HttpResponse, ApiError> {
    check_csrf(&v, &form.csrf)?;
    let stored = load_visible(&state, &v, &id).await?;
    let wf = state
        .store
        .workflow(&stored.row.workflow_name, &stored.row.workflow_hash)
        .await?;
    if decided_on_pks_page(&wf, &form.action) {
        // Approving or returning a draft happens where its articles are read, not here.
        return Ok(redirect(&format!("/permohonan/{id}/pks")));
    }
    if addendum::proposes_addendum(&wf, &form.action) {
        // A proposal carries its whole scope: it is made on the addendum page.
        return Ok(redirect(&format!("/permohonan/{id}/adendum")));
    }
    if wf.transition(&form.action).is_some_and(|t| t.destructive)
        && form.confirm.as_deref() != Some("ya")
    {
        // Nothing runs until the box above a destructive action's button is ticked.
        let message = i18n::word(&lang(&req), "confirm_missing").to_string();
        let mut res = render_detail(
            &state,
            &req,
            &v,
            stored,
            Some(message),
            false,
            &Refused::default(),
        )
        .await?;
        *res.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(res);
    }
    let comment = form.comment.clone().filter(|c| !c.trim().is_empty());
    // A draft submitted from the plain button is the current draft.
    let command = crate::api::pks::complete(
        &state.store,
        &stored,
        Command::Transition {
            action: form.action.clone(),
            comment,
            pks: Default::default(),
            addendum: None,
        },
    )
    .await?;
    let result = state
        .store
        .execute(
            stored.row.id,
            form.expected_version,
            command,
            v.account.id,
            state.clock.now(),
        )
        .await
        .map(|_| ());
    after_command(&state, &req, &v, &id, result).await
}

/// Whether `action` approves or returns a PKS draft: a decision the reviewer takes on the PKS
/// review page, after reading the articles, never from the application page's buttons.
fn decided_on_pks_page(wf: &sepakat_core::Workflow, action: &str) -> bool {
    use sepakat_core::workflow::Effect::{ApprovePks, ReturnPks};
    wf.transition(action)
        .is_some_and(|t| t.has(ApprovePks) || t.has(ReturnPks))
}

#[derive(Deserialize)]
struct AttestForm {
    csrf: String,
    expected_version: i64,
    connection: sepakat_core::application::ConnectionType,
    provider: String,
    cost_borne_by: String,
    technical_contact: String,
}

async fn attest(
    state: web::Data<AppState>,
    req: HttpRequest,
    v: Viewer,
    id: web::Path<String>,
    form: web::Form<AttestForm>,
) -> Result<HttpResponse, ApiError> {
    check_csrf(&v, &form.csrf)?;
    let stored = load_visible(&state, &v, &id).await?;
    let form = form.into_inner();
    let lang = lang(&req);
    let mut refused = Refused {
        values: HashMap::from([
            ("connection".into(), labels::code(form.connection)),
            ("provider".into(), form.provider.clone()),
            ("cost_borne_by".into(), form.cost_borne_by.clone()),
            ("technical_contact".into(), form.technical_contact.clone()),
        ]),
        errors: HashMap::new(),
    };
    let details = sepakat_core::application::AttestationDetails {
        connection: form.connection,
        provider: form.provider,
        cost_borne_by: form.cost_borne_by,
        technical_contact: form.technical_contact,
    };
    let rejection = match run_form_command(
        &state,
        &req,
        &v,
        &id,
        form.expected_version,
        Command::RecordAttestation { details },
    )
    .await?
    {
        Ok(page) => return Ok(page),
        Err(r) => r,
    };
    for u in &rejection.unmet {
        match u {
            // The form's fields carry the API's names, which are also the words' keys.
            Unmet::MissingField { field } => {
                let text = format!(
                    "{} {}.",
                    i18n::word(&lang, field),
                    i18n::word(&lang, "required")
                );
                refused.add(field.clone(), text);
            }
            other => refused.add("form".into(), unmet_text(other, &lang)),
        }
    }
    let summary = i18n::word(&lang, "fix_attestation").to_string();
    let mut res = render_detail(&state, &req, &v, stored, Some(summary), false, &refused).await?;
    *res.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(res)
}

fn evaluation_kind_name(kind: &str, lang: &str) -> &'static str {
    match (kind, lang) {
        ("incidental", "en") => "incidental",
        ("incidental", _) => "insidental",
        (_, "en") => "six-monthly",
        _ => "semesteran",
    }
}

fn evaluation_state_name(state: &str, lang: &str) -> String {
    let (id, en) = match state {
        "scheduled" => ("dijadwalkan", "scheduled"),
        "open" => ("berjalan", "open"),
        "overdue" => (
            "terlambat — akses ditangguhkan",
            "overdue — access suspended",
        ),
        "completed" => ("selesai", "completed"),
        other => (other, other),
    };
    if lang == "en" { en } else { id }.to_string()
}

fn outcome_name(outcome: &str, lang: &str) -> String {
    let (id, en) = match outcome {
        "pass" => ("lulus", "pass"),
        "pass_with_findings" => ("lulus dengan temuan", "pass with findings"),
        "fail" => (
            "tidak lulus — akses ditangguhkan",
            "fail — access suspended",
        ),
        other => (other, other),
    };
    if lang == "en" { en } else { id }.to_string()
}

#[derive(Deserialize)]
struct EvaluationForm {
    csrf: String,
    expected_version: i64,
    /// `record` an outcome, or `open` an incidental evaluation.
    op: String,
    kind: Option<sepakat_core::EvaluationKind>,
    due_on: String,
    outcome: Option<sepakat_core::EvaluationOutcome>,
    findings: Option<String>,
    data_balikan_met: Option<String>,
    /// Queries made in the period, printed in the report when given.
    access_count: Option<String>,
    reason: Option<String>,
}

async fn evaluate(
    state: web::Data<AppState>,
    req: HttpRequest,
    v: Viewer,
    id: web::Path<String>,
    form: web::Form<EvaluationForm>,
) -> Result<HttpResponse, ApiError> {
    check_csrf(&v, &form.csrf)?;
    let stored = load_visible(&state, &v, &id).await?;
    let form = form.into_inner();
    let lang = lang(&req);
    let Ok(due_on) = form.due_on.trim().parse::<chrono::NaiveDate>() else {
        let message = if lang == "en" {
            "Give the due date as a date (YYYY-MM-DD)."
        } else {
            "Isi tanggal jatuh tempo dengan tanggal yang sah (TTTT-BB-HH)."
        };
        let mut res = render_detail(
            &state,
            &req,
            &v,
            stored,
            Some(message.into()),
            false,
            &Refused::default(),
        )
        .await?;
        *res.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(res);
    };
    let access_count = form
        .access_count
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::parse::<u64>)
        .transpose()
        .map_err(|_| ApiError::bad_request("access_count is a whole number of queries"))?;
    let command = match (form.op.as_str(), form.kind, form.outcome) {
        ("record", Some(kind), Some(outcome)) => Command::RecordEvaluation {
            kind,
            due_on,
            outcome,
            findings: form.findings.unwrap_or_default(),
            data_balikan_met: form.data_balikan_met.is_some_and(|v| v == "true"),
            access_count,
        },
        ("open", _, _) => Command::OpenEvaluation {
            due_on,
            reason: form.reason.unwrap_or_default(),
        },
        _ => {
            return Err(ApiError::bad_request(
                "op is `record` (with kind and outcome) or `open`",
            ));
        }
    };
    let result = state
        .store
        .execute(
            stored.row.id,
            form.expected_version,
            command,
            v.account.id,
            state.clock.now(),
        )
        .await
        .map(|_| ());
    after_command(&state, &req, &v, &id, result).await
}

// ---- Dashboard and workflows -------------------------------------------------------------------

async fn workflow_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    v: Viewer,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let wf = state.store.current_workflow(&name).await?;
    let versions: Vec<Value> = state
        .store
        .workflow_versions()
        .await?
        .into_iter()
        .filter(|w| w.name == wf.name)
        .map(|w| json!({"hash": &w.hash[..12], "loaded_at": labels::local_time(w.loaded_at, v.utc_offset_minutes), "current": w.hash == wf.hash}))
        .collect();
    let transitions: Vec<Value> = wf
        .transitions
        .iter()
        .map(|t| {
            json!({"title": t.title, "from": t.from.iter().map(|f| wf.stage(f).map(|s| s.title.clone()).unwrap_or_default()).collect::<Vec<_>>().join(", "),
                   "to": wf.stage(&t.to).map(|s| s.title.clone()).unwrap_or_default(),
                   "roles": t.roles.iter().map(|r| r.name_id()).collect::<Vec<_>>().join(", "),
                   "letter": t.letter.as_deref().and_then(sepakat_core::workflow::letter_title)})
        })
        .collect();
    let first = wf.submission.stage.clone();
    let data = json!({
        "name": wf.name, "wf_title": wf.title, "hash": &wf.hash[..12], "versions": versions,
        "picture": svg::stepper(&wf, &first, &wf.title, &[]), "transitions": transitions,
        "mermaid": sepakat_core::diagram::render(&wf, sepakat_core::diagram::Format::Mermaid),
    });
    page(&req, Some(&v), "alur", &wf.title, data)
}
