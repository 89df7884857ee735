//! The web pages for coordinators, agency heads and provincial reviewers: server-rendered
//! handlebars from `templates/ui/`, in Bahasa Indonesia with an English switch. Forms carry a
//! CSRF token; every refusal is shown beside its field, and what was typed is kept.

mod i18n;
mod labels;
mod next;
mod svg;
mod timeline;
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
use i18n::Lang;
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
pub type Pages = sepakat_templates::TemplateSet;

/// Loads the pages (HTML-escaped, strict: a missing field is an error, not an empty string).
pub fn load_pages(dir: &std::path::Path) -> Result<Pages, sepakat_templates::TemplateError> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    let part = sepakat_templates::Part {
        embedded: EMBEDDED_PAGES,
        overrides: Some(dir),
        origin: "templates/ui",
    };
    Pages::load(hb, &[part])
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
            i18n::word(lang, "not_found"),
            i18n::word(lang, "not_found_help").to_string(),
        )
    } else {
        let message = match err.as_error::<ApiError>() {
            Some(e) => problem_text(e, lang),
            None => i18n::word(lang, "unreadable_request").to_string(),
        };
        (i18n::word(lang, "request_failed"), message)
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

fn lang(req: &HttpRequest) -> Lang {
    match req.cookie(LANG_COOKIE) {
        Some(c) if c.value() == "en" => Lang::En,
        _ => Lang::Id,
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
    obj.insert("t".into(), Value::Object(i18n::all(lang)));
    obj.insert("title".into(), json!(title));
    obj.insert("path".into(), json!(req.uri().to_string()));
    obj.insert(
        "me".into(),
        match viewer {
            Some(v) => json!({
                "name": v.account.name, "role": v.actor.role.as_str(), "role_name": role_name(v.actor.role, lang),
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
        .render(template, &data)
        .map_err(|e| ApiError::Internal(format!("page {template}: {e}")))?;
    let full = pages
        .render("layout", &json!({"lang": lang, "t": data["t"], "title": title, "me": data["me"], "path": data["path"], "body": body}))
        .map_err(|e| ApiError::Internal(format!("layout: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(full))
}

fn role_name(role: Role, lang: Lang) -> String {
    if lang == Lang::En {
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

fn unmet_text(u: &Unmet, lang: Lang) -> String {
    if lang == Lang::En {
        u.message_en()
    } else {
        u.message_id()
    }
}

fn item_text(i: &ProblemItem, lang: Lang) -> String {
    if lang == Lang::En {
        i.message.clone()
    } else {
        i.message_id.clone()
    }
}

mod accounts;
mod actions;
mod addendum;
mod dashboard;
mod detail;
mod import;
mod inbox;
mod issue;
mod list;
mod new_request;
mod pks;
mod sign_in;
mod verify;
mod workflow;

use actions::{
    act, attest, decided_on_pks_page, evaluate, evaluation_kind_name, evaluation_state_name,
    outcome_name, run_form_command,
};
use detail::render_detail;
use inbox::{inbox, names, row};
use workflow::workflow_page;

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

// ---- One application ---------------------------------------------------------------------------

#[derive(Default, Deserialize)]
struct DetailQuery {
    error: Option<String>,
    done: Option<String>,
}

/// The application of a page's path, if the viewer may see it. On the pages an id that is not a
/// UUID is simply a page that does not exist.
async fn load_visible(
    state: &AppState,
    v: &Viewer,
    id: &str,
) -> Result<sepakat_store::StoredApplication, ApiError> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::NotFound {
        what: "application",
    })?;
    crate::api::visible_to(state, &v.actor, id).await
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

fn problem_text(e: &ApiError, lang: Lang) -> String {
    let p = e.problem();
    let details: Vec<String> = p.errors.iter().map(|i| item_text(i, lang)).collect();
    let head = if lang == Lang::En {
        p.detail
    } else {
        p.detail_id
    };
    if details.is_empty() {
        head
    } else {
        format!("{head} {}", details.join(" "))
    }
}
