//! Bad input never gets a 5xx: a corpus of broken requests with their expected status and
//! problem type; idempotent replays; the sign-in limit; the OpenAPI document.

mod common;

use common::who::*;
use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn bad_request_corpus(db: Db) {
    let app = spawn_app(db).await;
    let head = app.token(HEAD_DINKES_PTK.0, HEAD_DINKES_PTK.1).await;
    let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let id = app.find(&coord, "konsultasi_provinsi").await;
    let valid = ordinary_request("pks-kabkota");
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = valid.clone();
        f(&mut v);
        v.to_string()
    };
    let json_ct = "application/json";
    // (method, path, content type, body, status, problem type)
    let corpus: Vec<(Method, String, &str, String, u16, &str)> = vec![
        (
            Method::POST,
            "/api/v1/applications".into(),
            json_ct,
            "{".into(),
            400,
            "bad-request",
        ),
        (
            Method::POST,
            "/api/v1/applications".into(),
            json_ct,
            "".into(),
            400,
            "bad-request",
        ),
        (
            Method::POST,
            "/api/v1/applications".into(),
            json_ct,
            "[]".into(),
            422,
            "invalid-request",
        ),
        (
            Method::POST,
            "/api/v1/applications".into(),
            "text/plain",
            valid.to_string(),
            415,
            "unsupported-media-type",
        ),
        (
            Method::POST,
            "/api/v1/applications".into(),
            json_ct,
            with(&|v| v["colour"] = json!("merah")),
            422,
            "invalid-request",
        ),
        (
            Method::POST,
            "/api/v1/applications".into(),
            json_ct,
            with(&|v| v["duration_months"] = json!("dua tahun")),
            422,
            "invalid-request",
        ),
        (
            Method::POST,
            "/api/v1/applications".into(),
            json_ct,
            with(&|v| v["duration_months"] = json!(-1)),
            422,
            "invalid-request",
        ),
        (
            Method::POST,
            "/api/v1/applications".into(),
            json_ct,
            with(&|v| v["access_method"] = json!("fax")),
            422,
            "invalid-request",
        ),
        (
            Method::POST,
            "/api/v1/applications".into(),
            json_ct,
            with(&|v| v["elements"][0]["code"] = json!("golongan_sepatu")),
            422,
            "invalid-request",
        ),
        (
            Method::POST,
            "/api/v1/applications".into(),
            json_ct,
            with(&|v| v["workflow"] = json!("tidak-ada")),
            404,
            "not-found",
        ),
        (
            Method::POST,
            "/api/v1/applications".into(),
            json_ct,
            with(&|v| v["purpose"] = json!("nul\u{0}byte")),
            422,
            "invalid-request",
        ),
        (
            Method::POST,
            "/api/v1/applications".into(),
            json_ct,
            format!("{{\"workflow\": \"{}\"}}", "x".repeat(300_000)),
            413,
            "payload-too-large",
        ),
        (
            Method::GET,
            "/api/v1/applications/not-a-uuid".into(),
            "",
            String::new(),
            400,
            "bad-request",
        ),
        (
            Method::GET,
            "/api/v1/applications/not-a-uuid/pks".into(),
            "",
            String::new(),
            400,
            "bad-request",
        ),
        (
            Method::GET,
            "/api/v1/applications/not-a-uuid/letters/pks".into(),
            "",
            String::new(),
            400,
            "bad-request",
        ),
        (
            Method::POST,
            "/api/v1/applications/not-a-uuid/letters/pks/archive".into(),
            "",
            String::new(),
            400,
            "bad-request",
        ),
        (
            Method::GET,
            format!("/api/v1/applications/{id}/documents/not-a-uuid"),
            "",
            String::new(),
            400,
            "bad-request",
        ),
        (
            Method::GET,
            format!("/api/v1/applications/{}", uuid::Uuid::new_v4()),
            "",
            String::new(),
            404,
            "not-found",
        ),
        (
            Method::GET,
            "/api/v1/applications?limit=banyak".into(),
            "",
            String::new(),
            400,
            "bad-request",
        ),
        (
            Method::GET,
            "/api/v1/applications?sort=asc".into(),
            "",
            String::new(),
            400,
            "bad-request",
        ),
        (
            Method::GET,
            "/api/v1/workflows/tidak-ada".into(),
            "",
            String::new(),
            404,
            "not-found",
        ),
        (
            Method::GET,
            "/api/v1/nowhere".into(),
            "",
            String::new(),
            404,
            "not-found",
        ),
        (
            Method::DELETE,
            "/api/v1/applications".into(),
            "",
            String::new(),
            405,
            "method-not-allowed",
        ),
        (
            Method::POST,
            format!("/api/v1/applications/{id}/transitions"),
            json_ct,
            json!({"action": "setujui_draf_pks"}).to_string(),
            422,
            "invalid-request",
        ),
        (
            Method::POST,
            format!("/api/v1/applications/{id}/transitions"),
            json_ct,
            json!({"action": "terbang", "expected_version": 1}).to_string(),
            409,
            "conflict",
        ),
        (
            Method::POST,
            format!("/api/v1/applications/{id}/commands"),
            json_ct,
            json!({"expected_version": 1, "command": {"command": "hack"}}).to_string(),
            422,
            "invalid-request",
        ),
        (
            Method::POST,
            format!("/api/v1/applications/{id}/documents"),
            "multipart/form-data; boundary=xyz",
            "--xyz\r\nbroken".into(),
            400,
            "bad-request",
        ),
        (
            Method::POST,
            format!("/api/v1/applications/{id}/documents"),
            json_ct,
            "{}".into(),
            400,
            "bad-request",
        ),
    ];
    for (method, path, ct, body, status, kind) in corpus {
        let mut req = app
            .client
            .request(method.clone(), app.url(&path))
            .bearer_auth(&head);
        if !ct.is_empty() {
            req = req.header("content-type", ct);
        }
        let res = req.body(body.clone()).send().await.unwrap();
        let got = res.status().as_u16();
        let content_type = res
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let text = res.text().await.unwrap();
        let short = &body[..body.len().min(80)];
        assert_eq!(got, status, "{method} {path} {short}: {text}");
        assert_eq!(content_type, "application/problem+json", "{method} {path}");
        let problem: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            problem["type"],
            format!("/problems/{kind}"),
            "{method} {path}: {text}"
        );
        assert_eq!(problem["status"], status);
        assert!(problem["detail"].as_str().is_some_and(|d| !d.is_empty()));
        assert!(problem["detail_id"].as_str().is_some_and(|d| !d.is_empty()));
    }
    // A request that breaks every rule at once names each problem.
    let mut bad = valid.clone();
    bad["elements"] = json!([
        {"code": "nik", "justification": ""},
        {"code": "sidik_jari", "justification": "verifikasi"},
        {"code": "iris_mata", "justification": "verifikasi"}
    ]);
    bad["data_balikan"] = json!([]);
    let res = app.post(&head, "/api/v1/applications", bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = res.json().await.unwrap();
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "elements.nik",
            "elements.sidik_jari",
            "elements.iris_mata",
            "data_balikan"
        ]
    );
    assert!(
        problem["errors"][1]["message_id"]
            .as_str()
            .unwrap()
            .contains("Pasal 84")
    );
    // An oversized upload and one that is not a PDF/PNG/JPEG.
    let v = app.detail(&coord, &id).await["version"].as_i64().unwrap();
    let res = app
        .upload_bytes(&coord, &id, "spesifikasi_teknis", v, vec![b'%'; 200 * 1024])
        .await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let res = app
        .upload_bytes(
            &coord,
            &id,
            "spesifikasi_teknis",
            v,
            b"<html><script>alert(1)</script>".to_vec(),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let res = app
        .upload_bytes(&coord, &id, "surat_cinta", v, b"%PDF-1.4".to_vec())
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Nothing above changed the application.
    assert_eq!(
        app.detail(&coord, &id).await["version"].as_i64().unwrap(),
        v
    );
    app.stop().await;
}
on_both_databases!(bad_request_corpus);

async fn idempotent_replay(db: Db) {
    let app = spawn_app(db).await;
    let head = app.token(HEAD_DINKES_PTK.0, HEAD_DINKES_PTK.1).await;
    let before: Value = app
        .get(&head, "/api/v1/applications")
        .await
        .json()
        .await
        .unwrap();
    let send = |body: Value, key: &str| {
        app.client
            .post(app.url("/api/v1/applications"))
            .bearer_auth(&head)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
    };
    let first = send(ordinary_request("pks-kabkota"), "kunci-1")
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.unwrap();
    let again = send(ordinary_request("pks-kabkota"), "kunci-1")
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(
        again.json::<Value>().await.unwrap(),
        first,
        "the first answer, replayed"
    );
    let mut other = ordinary_request("pks-kabkota");
    other["purpose"] = json!("Tujuan lain");
    let reused = send(other, "kunci-1").await.unwrap();
    assert_eq!(reused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reused.json::<Value>().await.unwrap()["type"],
        "/problems/idempotency-key-reused"
    );
    let after: Value = app
        .get(&head, "/api/v1/applications")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        after["total"].as_u64().unwrap(),
        before["total"].as_u64().unwrap() + 1,
        "created once"
    );
    // Transitions too: a retried action does not act twice.
    let id = first["id"].as_str().unwrap();
    app.attach(&head, id, "signed:surat_permohonan").await;
    let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let v = app.detail(&coord, id).await["version"].as_i64().unwrap();
    let act = || {
        app.client
            .post(app.url(&format!("/api/v1/applications/{id}/transitions")))
            .bearer_auth(&coord)
            .header("Idempotency-Key", "teruskan-1")
            .json(&json!({"action": "teruskan_ke_kepala_daerah", "expected_version": v}))
            .send()
    };
    let a = act().await.unwrap();
    assert_eq!(a.status(), StatusCode::OK);
    let b = act().await.unwrap();
    assert_eq!(b.status(), StatusCode::OK, "replayed, not a 409");
    assert_eq!(
        app.detail(&coord, id).await["version"].as_i64().unwrap(),
        v + 1
    );
    app.stop().await;
}
on_both_databases!(idempotent_replay);

#[actix_rt::test]
async fn sign_in_is_rate_limited_per_account() {
    let app = spawn_app(Db::Sqlite).await;
    let login = |password: &str| {
        app.client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"email": KOORD_PTK.0, "password": password}))
            .send()
    };
    for _ in 0..5 {
        let res = login("salah").await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let res = login(KOORD_PTK.1).await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "locked even with the right password"
    );
    assert!(res.headers().contains_key("retry-after"));
    app.stop().await;
}

#[actix_rt::test]
async fn session_cookie_needs_the_csrf_header_for_writes() {
    let app = spawn_app(Db::Sqlite).await;
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": HEAD_DINKES_PTK.0, "password": HEAD_DINKES_PTK.1}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let csrf = res.json::<Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_string();
    // Reads work with the cookie alone.
    assert_eq!(
        app.client
            .get(app.url("/api/v1/me"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let post = |csrf: Option<&str>| {
        let mut r = app
            .client
            .post(app.url("/api/v1/applications"))
            .json(&ordinary_request("pks-kabkota"));
        if let Some(c) = csrf {
            r = r.header("X-CSRF-Token", c);
        }
        r.send()
    };
    assert_eq!(post(None).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(
        post(Some("palsu")).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(Some(&csrf)).await.unwrap().status(),
        StatusCode::CREATED
    );
    // Signing out ends the session.
    let out = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .header("X-CSRF-Token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.client
            .get(app.url("/api/v1/me"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    app.stop().await;
}

#[actix_rt::test]
async fn openapi_document_describes_every_route_the_server_answers() {
    let app = spawn_app(Db::Sqlite).await;
    let doc: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/applications",
        "/api/v1/applications/{id}",
        "/api/v1/applications/{id}/transitions",
        "/api/v1/applications/{id}/commands",
        "/api/v1/applications/{id}/documents",
        "/api/v1/applications/{id}/documents/{document_id}",
        "/api/v1/data-elements",
        "/api/v1/workflows",
        "/api/v1/workflows/{name}",
        "/api/v1/agencies",
        "/api/v1/offices",
        "/api/v1/auth/login",
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/grants",
        "/api/v1/grants/export",
        "/api/v1/evaluations/due",
        "/api/v1/outbox",
        "/api/v1/outbox/{id}/retry",
    ] {
        assert!(
            paths.contains_key(p),
            "{p} missing from the OpenAPI document"
        );
    }
    // Every documented GET without parameters answers (not 404) for a signed-in user; the
    // outbox and the accounts are the admin's.
    let token = app.token(CENTRAL.0, CENTRAL.1).await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    for (path, item) in paths {
        if item.get("get").is_some() && !path.contains('{') {
            let who = if path == "/api/v1/outbox" || path.starts_with("/api/v1/accounts") {
                &admin
            } else {
                &token
            };
            let status = app.get(who, path).await.status();
            assert_eq!(status, StatusCode::OK, "{path}");
        }
    }
    // The application view has every property the schema lists.
    let schema = &doc["components"]["schemas"]["ApplicationView"];
    let id = app.find(&token, "akses_aktif").await;
    let view = app.detail(&token, &id).await;
    // `#[serde(flatten)]` shows as allOf: gather the properties of every part, following refs.
    let mut names = Vec::new();
    let parts: Vec<&Value> = match schema.get("allOf") {
        Some(all) => all.as_array().unwrap().iter().collect(),
        None => vec![schema],
    };
    for part in parts {
        let part = match part.get("$ref").and_then(Value::as_str) {
            Some(r) => &doc["components"]["schemas"][r.rsplit('/').next().unwrap()],
            None => part,
        };
        names.extend(part["properties"].as_object().unwrap().keys().cloned());
    }
    assert!(names.len() > 15, "{names:?}");
    for name in &names {
        assert!(
            view.get(name).is_some(),
            "ApplicationView.{name} not in the answer"
        );
    }
    for name in ["id", "stage", "version", "workflow"] {
        assert!(view.get(name).is_some(), "flattened summary field {name}");
    }
    let html = app
        .client
        .get(app.url("/api/docs"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("/api/v1/applications/{id}/transitions"));
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("sepakat_http_requests_total"));
    // The demo queued mail that no server has sent: the backlog is counted from the database.
    let pending = metrics
        .lines()
        .find_map(|l| l.strip_prefix("sepakat_outbox_messages{state=\"pending\"} "))
        .expect("the outbox gauge");
    assert!(pending.parse::<u64>().unwrap() > 0, "{metrics}");
    assert!(metrics.contains("sepakat_outbox_messages{state=\"dead\"} 0\n"));
    app.stop().await;
}
