//! The OpenAPI document, generated from the handlers' annotations, and a docs page that needs
//! nothing from the internet.

use crate::{api, auth, problem, views};
use actix_web::HttpResponse;
use serde_json::{Value, json};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Sepakat API", description = "Population-data agreements (PKS): applications, documents, letters, grants and evaluations. \
        Errors are RFC 9457 problem+json with `detail` (English) and `detail_id` (Bahasa Indonesia)."),
    paths(
        api::healthz, auth::login, auth::token, auth::logout, auth::me,
        api::catalogue::data_elements, api::catalogue::workflows, api::catalogue::workflow, api::catalogue::offices, api::catalogue::agencies,
        api::applications::submit, api::applications::list, api::applications::detail, api::applications::transition, api::applications::command, api::documents::upload, api::documents::download,
        api::letters::preview, api::letters::archive, api::letters::archived,
        api::pks::overview, api::pks::compare,
        api::access::grants, api::access::export, api::evaluations::evaluations_due,
        api::outbox::outbox, api::outbox::retry, api::outbox::retry_all,
        api::accounts::list, api::accounts::one, api::accounts::events, api::accounts::disable,
        api::accounts::enable, api::accounts::reset_password, api::accounts::set_role,
        api::accounts::tokens, api::accounts::revoke_token, api::accounts::my_tokens,
        api::accounts::revoke_my_token, api::accounts::change_password,
    ),
    components(schemas(
        problem::Problem, problem::ProblemItem, api::Health, auth::Credentials, auth::SignedIn, auth::ApiToken,
        views::AccountView, views::OfficeView, views::AgencyView, views::DataElementView, views::WorkflowSummary,
        views::WorkflowDetail, views::ActionView, views::ApplicationSummary, views::ApplicationList, views::ApplicationView,
        api::accounts::ManagedAccount, api::accounts::AccountEvent, api::accounts::TokenView,
        api::accounts::RoleBody, api::accounts::PasswordReset, api::accounts::PasswordChange,
        crate::next::NextView, crate::next::NextStepView, crate::next::MissingView, crate::next::PersonView,
        views::TimelineEntry, views::DocumentView, views::LetterView, views::GrantView, views::AttestationView, views::CommandResult, views::GrantState,
        api::applications::SubmitBody, api::applications::ElementRequest, api::applications::TransitionBody, api::applications::CommandBody,
        views::EvaluationView, api::access::GrantRecord, api::evaluations::DueEvaluationView, api::outbox::OutboxView,
        api::access::GrantList, api::evaluations::DueList, api::outbox::OutboxList, api::outbox::RetryFilter, api::outbox::Requeued,
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

/// The operations anyone may call without signing in.
const PUBLIC: &[&str] = &[
    "/healthz",
    "/api/v1/data-elements",
    "/api/v1/auth/login",
    "/api/v1/auth/token",
];

const PROBLEM_JSON: &str = "application/problem+json";

fn problem_response(description: &str) -> Value {
    json!({"description": description,
           "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}})
}

/// The values of a serde enum, by serializing each one.
fn names<T: serde::Serialize>(all: &[T]) -> Vec<Value> {
    all.iter()
        .filter_map(|v| serde_json::to_value(v).ok())
        .collect()
}

/// What the annotations cannot say on their own, added to the generated document by `json`:
/// - every problem answer is `application/problem+json`;
/// - the answers every operation of a kind can give (400, 401, 403, 404, 413, 415, 422, 503), so a
///   client and a conformance check know them;
/// - the operations that need no sign-in say so (`security: []`);
/// - the values the API accepts as enums: the commands, the attestation's `connection`, the
///   document keys of an upload and the letters.
fn refine(doc: &mut Value) {
    use sepakat_core::application::{ConnectionType, EvaluationKind, EvaluationOutcome};
    let connections = {
        use ConnectionType::*;
        let all = [VpnAgencyToDisdukcapil, Lan, VpnDisdukcapilToCentral];
        // A new connection type fails to compile here until it is documented.
        for c in all {
            match c {
                VpnAgencyToDisdukcapil | Lan | VpnDisdukcapilToCentral => {}
            }
        }
        names(&all)
    };
    let kinds = {
        use EvaluationKind::*;
        for k in [Periodic, Incidental] {
            match k {
                Periodic | Incidental => {}
            }
        }
        names(&[Periodic, Incidental])
    };
    let outcomes = {
        use EvaluationOutcome::*;
        for o in [Pass, PassWithFindings, Fail] {
            match o {
                Pass | PassWithFindings | Fail => {}
            }
        }
        names(&[Pass, PassWithFindings, Fail])
    };
    let letters: Vec<Value> = sepakat_core::workflow::LETTERS
        .iter()
        .map(|(name, _)| json!(name))
        .collect();
    let mut document_keys: Vec<Value> = sepakat_core::workflow::DOCUMENTS
        .iter()
        .map(|(key, _)| json!(key))
        .collect();
    document_keys.extend(
        sepakat_core::workflow::LETTERS
            .iter()
            .map(|(name, _)| json!(format!("signed:{name}"))),
    );
    let command = |name: &str, mut properties: Value, required: &[&str]| {
        properties["command"] = json!({"type": "string", "enum": [name]});
        let mut all = vec!["command"];
        all.extend_from_slice(required);
        json!({"type": "object", "title": name, "required": all, "properties": properties,
               "additionalProperties": false})
    };
    let text = json!({"type": "string"});
    let date = json!({"type": "string", "format": "date"});
    let schemas = &mut doc["components"]["schemas"];
    schemas["ConnectionType"] = json!({"type": "string", "enum": connections,
        "description": "How the agency reaches the population data: `vpn_agency_to_disdukcapil` (a VPN from the agency to Disdukcapil, at the agency's cost), `lan` (the same building) or `vpn_disdukcapil_to_central` (Disdukcapil's own VPN to the central data warehouse)."});
    schemas["AttestationDetails"] = json!({"type": "object",
        "description": "The closed-and-secure network statement. The signed statement must be on file first: `signed:surat_pernyataan_jaringan` or `pernyataan_jaringan`.",
        "required": ["connection", "provider", "cost_borne_by", "technical_contact"],
        "additionalProperties": false,
        "properties": {
            "connection": {"$ref": "#/components/schemas/ConnectionType"},
            "provider": {"type": "string", "description": "Diskominfo or the third-party provider who built the link and signs the statement."},
            "cost_borne_by": text, "technical_contact": text}});
    schemas["LetterName"] = json!({"type": "string", "enum": letters,
        "description": "A letter Sepakat produces; each workflow issues some of them."});
    schemas["DocumentKey"] = json!({"type": "string", "enum": document_keys,
        "description": "What a document on file is: an uploaded document kind, or `signed:<letter>`, the signed scan of an issued letter."});
    schemas["UploadForm"] = json!({"type": "object", "required": ["key", "expected_version", "file"],
        "properties": {
            "key": {"$ref": "#/components/schemas/DocumentKey"},
            "expected_version": {"type": "integer", "format": "int64", "description": "The version the uploader saw; a stale one is a 409."},
            "file": {"type": "string", "format": "binary", "description": "PDF, PNG or JPEG, checked by its content."}}});
    schemas["Command"] = json!({
        "description": "One command; `command` says which.",
        "oneOf": [
            command("record_attestation", json!({"details": {"$ref": "#/components/schemas/AttestationDetails"}}), &["details"]),
            command("withdraw_attestation", json!({"reason": text}), &["reason"]),
            command("record_minister_approval", json!({"reference": text}), &["reference"]),
            command("open_evaluation", json!({"due_on": date, "reason": text}), &["due_on", "reason"]),
            command("record_evaluation", json!({
                "kind": {"type": "string", "enum": kinds},
                "due_on": date,
                "outcome": {"type": "string", "enum": outcomes},
                "findings": text,
                "data_balikan_met": {"type": "boolean"},
                "access_count": {"type": ["integer", "null"], "format": "int64", "minimum": 0}}),
                &["kind", "due_on", "outcome", "findings", "data_balikan_met"]),
            command("issue_letter", json!({
                "letter": {"$ref": "#/components/schemas/LetterName"},
                "inputs": {"type": "object", "description": "The facts the letter needs (see CommandBody); a 422 names each one missing."}}),
                &["letter"]),
            command("check_evaluations", json!({}), &[]),
        ],
        "discriminator": {"propertyName": "command"}});
    if schemas["CommandBody"]["properties"]
        .get("command")
        .is_some()
    {
        let description = schemas["CommandBody"]["properties"]["command"]["description"].clone();
        schemas["CommandBody"]["properties"]["command"] = json!({"allOf": [{"$ref": "#/components/schemas/Command"}], "description": description});
    }
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            refine_operation(path, method, op);
        }
    }
}

fn refine_operation(path: &str, method: &str, op: &mut Value) {
    let public = PUBLIC.contains(&path);
    if public {
        op["security"] = json!([]);
    }
    let params = op["parameters"].as_array().cloned().unwrap_or_default();
    let query = params.iter().any(|p| p["in"] == "query");
    let in_path = path.contains('{');
    let body_types: Vec<String> = op["requestBody"]["content"]
        .as_object()
        .map(|c| c.keys().cloned().collect())
        .unwrap_or_default();
    if body_types.iter().any(|t| t == "multipart/form-data") {
        op["requestBody"]["content"]["multipart/form-data"]["schema"] =
            json!({"$ref": "#/components/schemas/UploadForm"});
    }
    let body = !body_types.is_empty();
    let binary = |types: &[&str]| {
        let mut content = serde_json::Map::new();
        for t in types {
            content.insert(
                (*t).into(),
                json!({"schema": {"type": "string", "format": "binary"}}),
            );
        }
        Value::Object(content)
    };
    // Answers that are not JSON, or JSON built by hand: their content, which the annotations
    // leave out.
    let content = match (method, path) {
        ("get", "/api/v1/applications/{id}/letters/{letter}") => {
            Some(binary(&["text/html", "application/pdf"]))
        }
        ("get", "/api/v1/applications/{id}/letters/{letter}/archive") => {
            Some(binary(&["application/pdf"]))
        }
        ("get", "/api/v1/applications/{id}/documents/{document_id}") => {
            Some(binary(&["application/pdf", "image/png", "image/jpeg"]))
        }
        ("get", "/api/v1/applications/{id}/pks" | "/api/v1/applications/{id}/pks/diff") => {
            Some(json!({"application/json": {"schema": {"type": "object"}}}))
        }
        _ => None,
    };
    if let Some(content) = content
        && op["responses"]["200"].is_object()
        && op["responses"]["200"].get("content").is_none()
    {
        op["responses"]["200"]["content"] = content;
    }
    let Some(responses) = op["responses"].as_object_mut() else {
        return;
    };
    // Problems are application/problem+json, not application/json.
    for response in responses.values_mut() {
        if let Some(content) = response["content"].as_object_mut()
            && content
                .get("application/json")
                .is_some_and(|c| c["schema"]["$ref"] == "#/components/schemas/Problem")
            && let Some(c) = content.remove("application/json")
        {
            content.insert(PROBLEM_JSON.into(), c);
        }
    }
    let mut add = |status: &str, description: &str| {
        responses
            .entry(status.to_string())
            .or_insert_with(|| problem_response(description));
        if responses[status]["description"] == "" {
            responses[status]["description"] = json!(description);
        }
    };
    if in_path || query || body {
        add(
            "400",
            "The request cannot be read: an identifier in the path is not a UUID, the query string has an unknown or unreadable parameter, or the body is not valid JSON (or a broken multipart form).",
        );
    }
    if !public {
        add(
            "401",
            "Sign-in required: send `Authorization: Bearer <token>` or the session cookie.",
        );
    }
    if !public && method != "get" {
        add(
            "403",
            "The caller's role or jurisdiction does not allow this, or a cookie-authenticated write came without its `X-CSRF-Token`.",
        );
    }
    if in_path {
        add(
            "404",
            "Nothing with this identifier is visible to the caller.",
        );
    }
    if body {
        add("413", "The body is larger than the server accepts.");
        add(
            "415",
            "The body is not of the media type this operation reads (`application/json`, or PDF, PNG or JPEG for an upload).",
        );
    }
    if query || body {
        add(
            "422",
            "A field is invalid (out of range, unknown value, or holding a control character): every problem is listed in `errors`.",
        );
    }
    // Any operation that reads the database: a connection lost under it (a database restart)
    // answers 503 with `Retry-After`, and nothing was done.
    add(
        "503",
        "The database is momentarily unreachable (for instance restarting); nothing was done. Send the same request again after `Retry-After` seconds.",
    );
    for (status, response) in responses.iter_mut() {
        if response["description"] == "" {
            response["description"] = json!(match status.as_str() {
                "200" | "201" => "Done",
                "204" => "Done; no content",
                "409" => "The application changed meanwhile: reload it and try again.",
                "422" =>
                    "Requirements unmet or fields invalid: every problem is listed in `errors`.",
                "429" => "Too many failed sign-ins: wait for `Retry-After` seconds.",
                _ => "",
            });
        }
    }
}

/// The OpenAPI document as served and committed (`docs/openapi.json`): generated from the
/// annotations, then refined (`refine`).
pub fn json() -> String {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    refine(&mut doc);
    serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".into())
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

/// The docs page's only style; the Content-Security-Policy allows it by its hash
/// (`headers::InlineCode`).
pub const DOCS_STYLE: &str = "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}\
    code{background:#f3f3f3;padding:0 .2em}h2{margin-top:2rem;border-bottom:1px solid #ddd}.m{font-weight:bold;display:inline-block;width:4.5em}</style>";

/// A plain, browsable list of the endpoints (no external scripts: these offices may be offline).
pub async fn docs_page() -> HttpResponse {
    let doc = ApiDoc::openapi();
    let mut body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>Sepakat API</title>{DOCS_STYLE}</head><body>",
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

/// The addresses the API serves outside the document (the document itself, its page, metrics).
const UNDOCUMENTED: &[(&str, &[&str])] = &[
    ("/api/openapi.json", &["GET"]),
    ("/api/docs", &["GET"]),
    ("/metrics", &["GET"]),
];

/// The methods the API serves at `path` (a concrete address), from the OpenAPI document; `None`
/// when the API serves nothing there.
pub fn methods_at(path: &str) -> Option<Vec<&'static str>> {
    use std::sync::OnceLock;
    type Routes = Vec<(Vec<String>, Vec<&'static str>)>;
    static ROUTES: OnceLock<Routes> = OnceLock::new();
    let routes = ROUTES.get_or_init(|| {
        let doc = ApiDoc::openapi();
        let mut routes: Routes = doc
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter_map(|(m, on)| on.then_some(m))
                .collect();
                (template.split('/').map(str::to_string).collect(), methods)
            })
            .collect();
        routes.extend(
            UNDOCUMENTED
                .iter()
                .map(|(p, m)| (p.split('/').map(str::to_string).collect(), m.to_vec())),
        );
        routes
    });
    let segments: Vec<&str> = path.split('/').collect();
    let mut methods: Vec<&'static str> = Vec::new();
    for (template, ms) in routes {
        let matches = template.len() == segments.len()
            && template
                .iter()
                .zip(&segments)
                .all(|(t, s)| t == s || (t.starts_with('{') && t.ends_with('}') && !s.is_empty()));
        if matches {
            for m in ms {
                if !methods.contains(m) {
                    methods.push(m);
                }
            }
        }
    }
    (!methods.is_empty()).then_some(methods)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_refined() {
        let doc: Value = serde_json::from_str(&json()).unwrap();
        assert_eq!(doc["paths"]["/healthz"]["get"]["security"], json!([]));
        let submit = &doc["paths"]["/api/v1/applications"]["post"]["responses"];
        for status in ["400", "401", "403", "413", "415", "422"] {
            assert!(
                submit[status]["content"][PROBLEM_JSON].is_object(),
                "{status}: {submit}"
            );
        }
        assert!(submit["422"]["content"]["application/json"].is_null());
        let connection = &doc["components"]["schemas"]["ConnectionType"]["enum"];
        assert_eq!(
            connection,
            &json!([
                "vpn_agency_to_disdukcapil",
                "lan",
                "vpn_disdukcapil_to_central"
            ])
        );
        let keys = doc["components"]["schemas"]["DocumentKey"]["enum"]
            .as_array()
            .unwrap();
        for key in [
            "pernyataan_jaringan",
            "persetujuan_menteri",
            "laporan_semester",
            "signed:surat_permohonan",
        ] {
            assert!(keys.contains(&json!(key)), "{key}");
        }
        assert_eq!(
            doc["components"]["schemas"]["GrantView"]["properties"]["elements"]["type"],
            "array"
        );
    }

    #[test]
    fn methods_are_known_by_address() {
        assert_eq!(
            methods_at("/api/v1/applications"),
            Some(vec!["GET", "POST"])
        );
        assert_eq!(
            methods_at("/api/v1/applications/0/transitions"),
            Some(vec!["POST"])
        );
        assert_eq!(methods_at("/api/v1/nowhere"), None);
        assert_eq!(methods_at("/metrics"), Some(vec!["GET"]));
    }
}
