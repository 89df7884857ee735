//! The HTTP surface, hardened: security headers on every answer; every input problem a 4xx
//! problem+json (NUL and other control characters, huge numbers), never a 500 or a dropped
//! connection; 405 for a method the API does not serve; `/metrics` only for the allowed peers
//! or the metrics token.

mod common;

use common::who::*;
use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;

/// The answer's status, content type and body as JSON (or null).
async fn answer(res: reqwest::Response) -> (u16, String, Value, reqwest::header::HeaderMap) {
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let ct = headers
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let text = res.text().await.unwrap();
    (
        status,
        ct,
        serde_json::from_str(&text).unwrap_or(Value::Null),
        headers,
    )
}

/// One bad request and its answer: (token, method, path, content type, body, status, problem
/// type, field named).
type Case<'a> = (
    &'a str,
    Method,
    String,
    &'a str,
    String,
    u16,
    &'a str,
    &'a str,
);

/// Every bad input is a 4xx problem+json naming what is wrong, on routes with and without
/// sign-in, on both databases (PostgreSQL refuses NUL in text: that was a 500).
async fn bad_characters_and_huge_numbers_are_4xx_problems(db: Db) {
    let app = spawn_app(db).await;
    let head = app.token(HEAD_DINKES_PTK.0, HEAD_DINKES_PTK.1).await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let id = app.find(&coord, "konsultasi_provinsi").await;
    let mut nul_request = ordinary_request("pks-kabkota");
    nul_request["workflow"] = json!("pks-kabkota\u{0}");
    let mut escape_request = ordinary_request("pks-kabkota");
    escape_request["elements"][1]["justification"] = json!("merah \u{1b}[31m");
    let none = "";
    let json_ct = "application/json";
    let form_ct = "application/x-www-form-urlencoded";
    let corpus: Vec<Case> = vec![
        // NUL in the sign-in e-mail: API and page, no sign-in needed.
        (
            none,
            Method::POST,
            "/api/v1/auth/login".into(),
            json_ct,
            json!({"email": "kepala\u{0}@dinkes.pontianak.go.id", "password": "x"}).to_string(),
            422,
            "invalid-request",
            "email",
        ),
        (
            none,
            Method::POST,
            "/api/v1/auth/token".into(),
            json_ct,
            json!({"email": "\u{0}", "password": "x"}).to_string(),
            422,
            "invalid-request",
            "email",
        ),
        (
            none,
            Method::POST,
            "/masuk".into(),
            form_ct,
            "email=kepala%00%40dinkes.pontianak.go.id&password=x".into(),
            422,
            "invalid-request",
            "email",
        ),
        // NUL in list filters.
        (
            &head,
            Method::GET,
            "/api/v1/applications?stage=konsultasi%00".into(),
            none,
            String::new(),
            422,
            "invalid-request",
            "stage",
        ),
        (
            &head,
            Method::GET,
            "/api/v1/applications?workflow=pks-kabkota%00&waiting_on_me=true".into(),
            none,
            String::new(),
            422,
            "invalid-request",
            "workflow",
        ),
        (
            &head,
            Method::GET,
            "/api/v1/applications?province=6%001".into(),
            none,
            String::new(),
            422,
            "invalid-request",
            "province",
        ),
        (
            &admin,
            Method::GET,
            "/api/v1/outbox?recipient=a%00b".into(),
            none,
            String::new(),
            422,
            "invalid-request",
            "recipient",
        ),
        (
            &head,
            Method::GET,
            "/api/v1/grants?status=active%00".into(),
            none,
            String::new(),
            422,
            "invalid-request",
            "status",
        ),
        (
            &head,
            Method::GET,
            "/permohonan?stage=%00".into(),
            none,
            String::new(),
            422,
            "invalid-request",
            "stage",
        ),
        (
            none,
            Method::GET,
            "/verifikasi?code=%00".into(),
            none,
            String::new(),
            422,
            "invalid-request",
            "code",
        ),
        // NUL in a workflow name: in the path and in the body.
        (
            &head,
            Method::GET,
            "/api/v1/workflows/pks-kabkota%00".into(),
            none,
            String::new(),
            400,
            "bad-request",
            "",
        ),
        (
            none,
            Method::GET,
            "/alur/pks%00".into(),
            none,
            String::new(),
            400,
            "bad-request",
            "",
        ),
        (
            &head,
            Method::POST,
            "/api/v1/applications".into(),
            json_ct,
            nul_request.to_string(),
            422,
            "invalid-request",
            "workflow",
        ),
        // Other control characters, anywhere.
        (
            &head,
            Method::POST,
            "/api/v1/applications".into(),
            json_ct,
            escape_request.to_string(),
            422,
            "invalid-request",
            "elements[1].justification",
        ),
        (
            none,
            Method::GET,
            "/bahasa?lang=en&next=/%01/evil.example".into(),
            none,
            String::new(),
            422,
            "invalid-request",
            "next",
        ),
        (
            &coord,
            Method::POST,
            format!("/api/v1/applications/{id}/transitions"),
            json_ct,
            json!({"action": "setujui_draf_pks", "comment": "bel\u{7}", "expected_version": 1})
                .to_string(),
            422,
            "invalid-request",
            "comment",
        ),
        // Huge numbers: refused as out of range, in the query and in bodies.
        (
            &head,
            Method::GET,
            "/api/v1/applications?offset=9223372036854775808".into(),
            none,
            String::new(),
            422,
            "invalid-request",
            "offset",
        ),
        (
            &head,
            Method::GET,
            "/api/v1/applications?limit=9223372036854775808".into(),
            none,
            String::new(),
            422,
            "invalid-request",
            "limit",
        ),
        (
            &head,
            Method::GET,
            "/api/v1/applications?limit=99999999999999999999999".into(),
            none,
            String::new(),
            400,
            "bad-request",
            "",
        ),
        (
            &head,
            Method::GET,
            "/api/v1/grants?limit=9223372036854775808".into(),
            none,
            String::new(),
            422,
            "invalid-request",
            "limit",
        ),
        (
            &head,
            Method::GET,
            "/api/v1/evaluations/due?within_days=9223372036854775808".into(),
            none,
            String::new(),
            422,
            "invalid-request",
            "within_days",
        ),
        (
            &head,
            Method::GET,
            "/api/v1/grants?ending_within_days=18446744073709551616".into(),
            none,
            String::new(),
            422,
            "invalid-request",
            "ending_within_days",
        ),
        (
            &head,
            Method::GET,
            "/api/v1/applications?after=99999999999999999999.x".into(),
            none,
            String::new(),
            422,
            "invalid-request",
            "",
        ),
        (
            &coord,
            Method::POST,
            format!("/api/v1/applications/{id}/transitions"),
            json_ct,
            json!({"action": "setujui_draf_pks", "expected_version": 9223372036854775808u64})
                .to_string(),
            422,
            "invalid-request",
            "",
        ),
        (
            &head,
            Method::POST,
            "/api/v1/applications".into(),
            json_ct,
            ordinary_request("pks-kabkota")
                .to_string()
                .replace("\"duration_months\":24", "\"duration_months\":1e300"),
            422,
            "invalid-request",
            "",
        ),
    ];
    for (token, method, path, ct, body, status, kind, field) in corpus {
        let mut req = app.client.request(method.clone(), app.url(&path));
        if !token.is_empty() {
            req = req.bearer_auth(token);
        }
        if !ct.is_empty() {
            req = req.header("content-type", ct);
        }
        let res = req.body(body.clone()).send().await;
        let res = res.unwrap_or_else(|e| panic!("{method} {path}: the connection dropped: {e}"));
        let (got, content_type, problem, _) = answer(res).await;
        assert_eq!(got, status, "{method} {path} {body}: {problem}");
        if kind == "page" {
            // A page's own refusal is a page.
            assert!(content_type.starts_with("text/html"), "{method} {path}");
            continue;
        }
        assert_eq!(content_type, "application/problem+json", "{method} {path}");
        assert_eq!(
            problem["type"],
            format!("/problems/{kind}"),
            "{method} {path}: {problem}"
        );
        assert!(problem["detail_id"].as_str().is_some_and(|d| !d.is_empty()));
        if !field.is_empty() {
            let named: Vec<&str> = problem["errors"]
                .as_array()
                .map(|e| e.iter().filter_map(|i| i["field"].as_str()).collect())
                .unwrap_or_default();
            assert!(
                named.contains(&field),
                "{method} {path}: {field} not named in {problem}"
            );
        }
    }
    // Tabs and line breaks are text like any other.
    let mut multi_line = ordinary_request("pks-kabkota");
    multi_line["purpose"] = json!("Baris pertama\r\nbaris kedua\tkolom");
    let res = app.post(&head, "/api/v1/applications", multi_line).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    // The server is still there, and nothing was changed by the refused requests.
    assert_eq!(
        app.client
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    app.stop().await;
}
on_both_databases!(bad_characters_and_huge_numbers_are_4xx_problems);

/// A method the API does not serve at an address it serves is 405 with `Allow`, not 404.
async fn unsupported_methods_are_405(db: Db) {
    let app = spawn_app(db).await;
    let head = app.token(HEAD_DINKES_PTK.0, HEAD_DINKES_PTK.1).await;
    for (method, path, allow) in [
        ("TRACE", "/api/v1/applications", "GET, POST"),
        ("DELETE", "/api/v1/applications", "GET, POST"),
        ("TRACE", "/healthz", "GET"),
        ("PUT", "/api/v1/workflows/pks-kabkota", "GET"),
        ("PATCH", "/api/v1/outbox/retry", "POST"),
    ] {
        let res = app
            .client
            .request(
                Method::from_bytes(method.as_bytes()).unwrap(),
                app.url(path),
            )
            .bearer_auth(&head)
            .send()
            .await
            .unwrap();
        let (status, ct, problem, headers) = answer(res).await;
        assert_eq!(status, 405, "{method} {path}: {problem}");
        assert_eq!(ct, "application/problem+json");
        assert_eq!(headers["allow"], allow, "{method} {path}");
        assert_eq!(problem["type"], "/problems/method-not-allowed");
    }
    // An address nobody serves is still 404.
    let res = app
        .client
        .request(
            Method::from_bytes(b"TRACE").unwrap(),
            app.url("/api/v1/nowhere"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}
on_both_databases!(unsupported_methods_are_405);

fn csp(headers: &reqwest::header::HeaderMap) -> String {
    headers
        .get("content-security-policy")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// The inline `<script>` and `<style>` texts and `style` attributes of a served page.
fn inline_code(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for tag in ["script", "style"] {
        let mut rest = html;
        while let Some(at) = rest.find(&format!("<{tag}")) {
            let after = &rest[at + tag.len() + 1..];
            let Some(gt) = after.find('>') else { break };
            let body = &after[gt + 1..];
            let end = body.find(&format!("</{tag}>")).unwrap_or(body.len());
            if !after[..gt].contains("src=") {
                out.push(body[..end].to_string());
            }
            rest = &body[end..];
        }
    }
    let mut rest = html;
    while let Some(at) = rest.find(" style=\"") {
        let value = &rest[at + 8..];
        let end = value.find('"').unwrap();
        out.push(value[..end].to_string());
        rest = &value[end..];
    }
    out
}

/// Every answer carries the browser security headers: pages, letter previews, the API and
/// errors; signed-in answers are never stored.
async fn security_headers_on_every_answer(db: Db) {
    let app = spawn_app(db).await;
    let head = app.token(HEAD_DINKES_PTK.0, HEAD_DINKES_PTK.1).await;
    let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let id = app.find(&coord, "konsultasi_provinsi").await;
    let common = |what: &str, h: &reqwest::header::HeaderMap| {
        let policy = csp(h);
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{what}: {policy}"
        );
        assert!(policy.contains("default-src 'none'"), "{what}: {policy}");
        assert!(
            !policy.contains("script-src 'unsafe-inline'") && !policy.contains("'unsafe-eval'"),
            "{what}: {policy}"
        );
        assert_eq!(h["x-frame-options"], "DENY", "{what}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
        assert_eq!(h["referrer-policy"], "same-origin", "{what}");
    };
    let no_store = |what: &str, h: &reqwest::header::HeaderMap| {
        assert_eq!(
            h.get("cache-control").map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "{what}"
        );
    };
    // Public answers: JSON, the API docs, an error, a refused input. (Pages are not among them:
    // every page is rendered no-store, the sign-in page with the visitor's own CSRF token too.)
    for path in [
        "/healthz",
        "/api/docs",
        "/api/openapi.json",
        "/api/v1/nowhere",
        "/verifikasi?code=%00",
    ] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        let h = res.headers().clone();
        common(path, &h);
        assert!(
            h.get("cache-control").is_none_or(|v| v != "no-store"),
            "{path} is public"
        );
        let html = res.text().await.unwrap();
        if h["content-type"].to_str().unwrap().starts_with("text/html") {
            // The page's inline code is allowed by hash, and nothing else is.
            let policy = csp(&h);
            assert!(!policy.contains("unsafe-inline"), "{path}: {policy}");
            for code in inline_code(&html) {
                let source = sepakat_web::headers::hash_source(&code);
                assert!(
                    policy.contains(&source),
                    "{path}: inline `{code}` is not allowed by {policy}"
                );
            }
        }
    }
    // Signed-in answers: API with a bearer token, a page and its upload script with the
    // session cookie, a letter preview.
    for (what, path) in [
        ("list", "/api/v1/applications".to_string()),
        ("detail", format!("/api/v1/applications/{id}")),
        (
            "404",
            "/api/v1/applications/00000000-0000-0000-0000-000000000000".to_string(),
        ),
    ] {
        let h = app.get(&coord, &path).await.headers().clone();
        common(what, &h);
        no_store(what, &h);
    }
    let letter = app
        .get(
            &coord,
            &format!("/api/v1/applications/{id}/letters/surat_permohonan"),
        )
        .await;
    assert_eq!(letter.status(), StatusCode::OK);
    let h = letter.headers().clone();
    common("letter", &h);
    no_store("letter", &h);
    let policy = csp(&h);
    assert!(
        !policy.contains("script-src"),
        "a letter runs no script: {policy}"
    );
    assert!(policy.contains("img-src data:"), "{policy}");
    // Signing in sets a cookie: that answer is not stored either, nor the pages after it.
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": HEAD_DINKES_PTK.0, "password": HEAD_DINKES_PTK.1}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    no_store("login", res.headers());
    // Any application the agency head sees (the demo's Dinkes Pontianak requests).
    let mine: serde_json::Value = app
        .get(&head, "/api/v1/applications?limit=1")
        .await
        .json()
        .await
        .unwrap();
    let id = mine["items"][0]["id"]
        .as_str()
        .expect("an application")
        .to_string();
    let res = app
        .client
        .get(app.url(&format!("/permohonan/{id}")))
        .send()
        .await
        .unwrap();
    let h = res.headers().clone();
    common("page", &h);
    no_store("page", &h);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("id=\"upload-form\""),
        "the detail page with its upload script"
    );
    for code in inline_code(&html) {
        assert!(
            csp(&h).contains(&sepakat_web::headers::hash_source(&code)),
            "inline `{code}` refused"
        );
    }
    app.stop().await;
}
on_both_databases!(security_headers_on_every_answer);

/// A server on a fresh SQLite database with `tweak` applied to the defaults.
async fn spawn_with(tweak: impl FnOnce(&mut sepakat_web::config::ServeConfig)) -> TestApp {
    use sepakat_store::testing::TempDb;
    let db = TempDb::new(Db::Sqlite).await.expect("temporary database");
    let blobs =
        std::env::temp_dir().join(format!("sepakat-blobs-{}", uuid::Uuid::new_v4().simple()));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sepakat"))
        .arg("migrate")
        .env("DATABASE_URL", db.url())
        .output()
        .expect("run sepakat migrate");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = sepakat_store::Store::connect(db.url()).await.unwrap();
    let mut config = sepakat_web::config::ServeConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: db.url().to_string(),
        blobs: blobs.clone(),
        workers: 1,
        ..Default::default()
    };
    tweak(&mut config);
    let app =
        sepakat_web::Application::build(config, store.clone(), Arc::new(sepakat_web::SystemClock))
            .unwrap();
    let handle = app.server.handle();
    actix_rt::spawn(app.server);
    TestApp {
        base: format!("http://127.0.0.1:{}", app.port),
        client: reqwest::Client::new(),
        store,
        db: Some(db),
        blobs,
        handle,
    }
}

/// `/metrics` answers this machine by default, never a request relayed by a proxy, and
/// elsewhere only the metrics token.
#[actix_rt::test]
async fn metrics_are_for_allowed_peers_or_the_token() {
    let metrics = |app: &TestApp, token: Option<&str>, relayed: bool| {
        let mut req = app.client.get(app.url("/metrics"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if relayed {
            req = req.header("X-Forwarded-For", "203.0.113.9");
        }
        req.send()
    };
    // Defaults: 127.0.0.1 and ::1 only, no token.
    let app = spawn_with(|_| {}).await;
    let res = metrics(&app, None, false).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("sepakat_http_requests_total")
    );
    let (status, ct, problem, _) = answer(metrics(&app, None, true).await.unwrap()).await;
    assert_eq!(
        (status, ct.as_str()),
        (403, "application/problem+json"),
        "relayed by a proxy: {problem}"
    );
    assert_eq!(problem["errors"][0]["code"], "metrics_not_allowed");
    app.stop().await;
    // No peer allowed, a token set: the peer alone is refused; the token works, also relayed.
    let secret = "rahasia-metrik-0123456789";
    let app = spawn_with(|c| {
        c.metrics_peers = "".parse().unwrap();
        c.metrics_token = Some(secret.into());
    })
    .await;
    assert_eq!(
        metrics(&app, None, false).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        metrics(&app, Some("salah-salah-salah-salah"), false)
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        metrics(&app, Some(secret), false).await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        metrics(&app, Some(secret), true).await.unwrap().status(),
        StatusCode::OK
    );
    app.stop().await;
    // The settings are documented with their defaults, and the token's value is never shown.
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_sepakat"))
        .args(["serve", "--help"])
        .env("SEPAKAT_METRICS_TOKEN", secret)
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("--metrics-peers") && help.contains("[default: 127.0.0.1,::1]"),
        "{help}"
    );
    assert!(
        help.contains("--metrics-token") && help.contains("SEPAKAT_METRICS_TOKEN"),
        "{help}"
    );
    assert!(!help.contains(secret), "the token is printed by --help");
}
