//! The OpenAPI document, generated from the handlers' annotations, and a docs page that needs
//! nothing from the internet.

use crate::{api, auth, problem, views};
use actix_web::HttpResponse;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Sepakat API", description = "Population-data agreements (PKS): applications, documents, letters, grants and evaluations. \
        Errors are RFC 9457 problem+json with `detail` (English) and `detail_id` (Bahasa Indonesia)."),
    paths(
        api::healthz, auth::login, auth::token, auth::logout, auth::me,
        api::data_elements, api::workflows, api::workflow, api::offices, api::agencies,
        api::submit, api::list, api::detail, api::transition, api::command, api::upload, api::download,
        api::letters::preview, api::letters::archive, api::letters::archived,
        api::pks::overview, api::pks::compare,
        api::access::grants, api::access::export, api::access::evaluations_due,
        api::access::outbox, api::access::retry, api::access::retry_all,
    ),
    components(schemas(
        problem::Problem, problem::ProblemItem, auth::Credentials, auth::SignedIn, auth::ApiToken,
        views::AccountView, views::OfficeView, views::AgencyView, views::DataElementView, views::WorkflowSummary,
        views::WorkflowDetail, views::ActionView, views::ApplicationSummary, views::ApplicationList, views::ApplicationView,
        views::TimelineEntry, views::DocumentView, views::LetterView, views::GrantView, views::AttestationView, views::CommandResult, views::GrantState,
        api::SubmitBody, api::ElementRequest, api::TransitionBody, api::CommandBody,
        views::EvaluationView, api::access::GrantRecord, api::access::DueEvaluationView, api::access::OutboxView,
        api::access::GrantList, api::access::DueList, api::access::OutboxList, api::access::RetryFilter, api::access::Requeued,
    )),
    modifiers(&BearerAuth),
    security(("bearer" = []), ("session" = [])),
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::SESSION_COOKIE,
            ))),
        );
    }
}

pub fn json() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".into())
}

pub async fn document() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(json())
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A plain, browsable list of the endpoints (no external scripts: these offices may be offline).
pub async fn docs_page() -> HttpResponse {
    let doc = ApiDoc::openapi();
    let mut body = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>Sepakat API</title><style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}\
         code{background:#f3f3f3;padding:0 .2em}h2{margin-top:2rem;border-bottom:1px solid #ddd}.m{font-weight:bold;display:inline-block;width:4.5em}</style></head><body>",
    );
    body.push_str(&format!("<h1>{}</h1><p>{}</p><p>The machine-readable document: <a href=\"/api/openapi.json\">/api/openapi.json</a>.</p>",
        esc(&doc.info.title), esc(doc.info.description.as_deref().unwrap_or(""))));
    for (path, item) in doc.paths.paths.iter() {
        let ops = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("DELETE", &item.delete),
        ];
        for (method, op) in ops {
            if let Some(op) = op {
                body.push_str(&format!(
                    "<h2><span class=\"m\">{method}</span><code>{}</code></h2><p>{}</p>",
                    esc(path),
                    esc(op
                        .description
                        .as_deref()
                        .or(op.summary.as_deref())
                        .unwrap_or(""))
                ));
                let codes: Vec<String> = op.responses.responses.keys().map(|k| esc(k)).collect();
                body.push_str(&format!("<p>Responses: {}</p>", codes.join(", ")));
            }
        }
    }
    body.push_str("</body></html>");
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body)
}
