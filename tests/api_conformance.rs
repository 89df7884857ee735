//! OpenAPI conformance: a representative walk of the API (successes and refusals, on SQLite and
//! PostgreSQL) whose every answer is checked against the committed `docs/openapi.json` — the
//! status is documented for the operation, the content type is one the answer documents, and a
//! JSON body matches its schema. Drift between the code and the document fails here.
//!
//! The validator covers the JSON Schema that utoipa emits (OpenAPI 3.1): `$ref`, `type` (one or
//! a list, `null` included), `properties`, `required`, `additionalProperties`, `items`, `enum`,
//! `const`, `oneOf`, `anyOf`, `allOf`, `minimum`, `maximum` and the `format`s `uuid`, `date`,
//! `date-time`, `int32` and `int64`.

mod common;

use common::who::*;
use common::*;
use reqwest::Method;
use serde_json::{Value, json};

/// A JSON Schema check of `value` against `schema`; problems are pushed as `at: what`.
fn validate(doc: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    check(doc, schema, value, at, true, out)
}

/// `$ref` resolved.
fn resolve<'d>(doc: &'d Value, schema: &'d Value) -> &'d Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => resolve(
            doc,
            &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        ),
        None => schema,
    }
}

/// The property names a schema documents, through `allOf` and `$ref`.
fn documented(doc: &Value, schema: &Value, names: &mut Vec<String>) {
    let schema = resolve(doc, schema);
    if let Some(p) = schema.get("properties").and_then(Value::as_object) {
        names.extend(p.keys().cloned());
    }
    for part in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        documented(doc, part, names);
    }
}

/// `closed`: an object may not have properties the schema does not document (off for the
/// parts of an `allOf`, which is checked as a whole).
fn check(
    doc: &Value,
    schema: &Value,
    value: &Value,
    at: &str,
    closed: bool,
    out: &mut Vec<String>,
) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/components/schemas/");
        let target = &doc["components"]["schemas"][name];
        if target.is_null() {
            out.push(format!("{at}: unresolved {r}"));
            return;
        }
        return check(doc, target, value, at, closed, out);
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for s in all {
            check(doc, s, value, at, false, out);
        }
        if closed && let Some(object) = value.as_object() {
            let mut names = Vec::new();
            documented(doc, schema, &mut names);
            for k in object.keys().filter(|k| !names.contains(k)) {
                out.push(format!("{at}: `{k}` is not a documented property"));
            }
        }
    }
    if let Some(one) = schema.get("oneOf").and_then(Value::as_array) {
        let passing = one
            .iter()
            .filter(|s| {
                let mut o = Vec::new();
                validate(doc, s, value, at, &mut o);
                o.is_empty()
            })
            .count();
        if passing != 1 {
            out.push(format!(
                "{at}: matches {passing} of oneOf, not exactly one: {value}"
            ));
        }
    }
    if let Some(any) = schema.get("anyOf").and_then(Value::as_array) {
        let passing = any.iter().any(|s| {
            let mut o = Vec::new();
            validate(doc, s, value, at, &mut o);
            o.is_empty()
        });
        if !passing {
            out.push(format!("{at}: matches none of anyOf: {value}"));
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        out.push(format!("{at}: {value} is not one of {allowed:?}"));
    }
    if let Some(c) = schema.get("const")
        && c != value
    {
        out.push(format!("{at}: {value} is not {c}"));
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let nullable = schema.get("nullable") == Some(&Value::Bool(true));
    if !types.is_empty() {
        let fits = types.iter().any(|t| match *t {
            "null" => value.is_null(),
            "string" => value.is_string(),
            "boolean" => value.is_boolean(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            _ => true,
        }) || (nullable && value.is_null());
        if !fits {
            out.push(format!("{at}: {value} is not of type {types:?}"));
            return;
        }
    }
    if let Some(n) = value.as_f64() {
        if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
            && n < min
        {
            out.push(format!("{at}: {n} is below the minimum {min}"));
        }
        if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
            && n > max
        {
            out.push(format!("{at}: {n} is above the maximum {max}"));
        }
    }
    if let (Some(format), Some(s)) = (schema.get("format").and_then(Value::as_str), value.as_str())
    {
        let ok = match format {
            "uuid" => uuid::Uuid::parse_str(s).is_ok(),
            "date" => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
            "date-time" => chrono::DateTime::parse_from_rfc3339(s).is_ok(),
            _ => true,
        };
        if !ok {
            out.push(format!("{at}: `{s}` is not a {format}"));
        }
    }
    if let (Some("int32"), Some(n)) = (schema.get("format").and_then(Value::as_str), value.as_i64())
        && i32::try_from(n).is_err()
    {
        out.push(format!("{at}: {n} is not an int32"));
    }
    if let Some(items) = schema.get("items")
        && let Some(values) = value.as_array()
    {
        for (i, v) in values.iter().enumerate() {
            validate(doc, items, v, &format!("{at}[{i}]"), out);
        }
    }
    if let Some(object) = value.as_object() {
        let properties = schema.get("properties").and_then(Value::as_object);
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for r in required.iter().filter_map(Value::as_str) {
                if !object.contains_key(r) {
                    out.push(format!("{at}: required `{r}` is missing"));
                }
            }
        }
        for (k, v) in object {
            match properties.and_then(|p| p.get(k)) {
                Some(s) => validate(doc, s, v, &format!("{at}.{k}"), out),
                None => match schema.get("additionalProperties") {
                    Some(s @ Value::Object(_)) => validate(doc, s, v, &format!("{at}.{k}"), out),
                    Some(Value::Bool(true)) => {}
                    // Undocumented properties of a documented object are drift too, unless the
                    // schema is free-form (no properties at all) or a part of an `allOf`.
                    _ => {
                        if closed && properties.is_some() && schema.get("allOf").is_none() {
                            out.push(format!("{at}: `{k}` is not a documented property"));
                        }
                    }
                },
            }
        }
    }
}

/// The document's path template for a concrete address: a literal segment beats a parameter.
fn template<'d>(doc: &'d Value, path: &str) -> Option<&'d str> {
    let segments: Vec<&str> = path.split('/').collect();
    let mut best: Option<(&str, usize)> = None;
    for t in doc["paths"].as_object()?.keys() {
        let ts: Vec<&str> = t.split('/').collect();
        if ts.len() != segments.len() {
            continue;
        }
        let mut literal = 0;
        let fits = ts.iter().zip(&segments).all(|(t, s)| {
            if t == s {
                literal += 1;
                true
            } else {
                t.starts_with('{') && !s.is_empty()
            }
        });
        if fits && best.is_none_or(|(_, l)| literal > l) {
            best = Some((t.as_str(), literal));
        }
    }
    best.map(|(t, _)| t)
}

/// Checks one answer against the document; returns what does not conform.
fn conforms(
    doc: &Value,
    method: &Method,
    path: &str,
    status: u16,
    ct: &str,
    body: &str,
) -> Vec<String> {
    let what = format!("{method} {path} → {status}");
    let bare = path.split('?').next().unwrap();
    let Some(t) = template(doc, bare) else {
        return vec![format!("{what}: the path is not documented")];
    };
    let op = &doc["paths"][t][method.as_str().to_lowercase()];
    if op.is_null() {
        return vec![format!("{what}: the method is not documented at {t}")];
    }
    let response = match op["responses"].get(status.to_string()) {
        Some(r) => r,
        None => match op["responses"].get("default") {
            Some(r) => r,
            None => return vec![format!("{what}: status {status} is not documented for {t}")],
        },
    };
    let media = ct.split(';').next().unwrap_or("").trim();
    let Some(content) = response["content"].as_object() else {
        return if body.is_empty() {
            Vec::new()
        } else {
            vec![format!(
                "{what}: a `{media}` body where the document has none"
            )]
        };
    };
    let Some(declared) = content.get(media) else {
        return vec![format!(
            "{what}: content type `{media}` is not documented (documented: {:?})",
            content.keys().collect::<Vec<_>>()
        )];
    };
    if !(media == "application/json" || media.ends_with("+json")) {
        return Vec::new();
    }
    let value: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => return vec![format!("{what}: not JSON ({e})")],
    };
    let mut out = Vec::new();
    if let Some(schema) = declared.get("schema") {
        validate(doc, schema, &value, &what, &mut out);
    }
    out
}

/// The walk's client: sends, checks and keeps every problem found.
struct Walk<'a> {
    app: &'a TestApp,
    doc: Value,
    problems: Vec<String>,
    checked: usize,
}

impl Walk<'_> {
    async fn send(
        &mut self,
        token: Option<&str>,
        method: Method,
        path: &str,
        body: Option<(&str, Vec<u8>)>,
    ) -> (u16, Value) {
        let mut req = self.app.client.request(method.clone(), self.app.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some((ct, bytes)) = body {
            req = req.header("content-type", ct).body(bytes);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let ct = res
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let text = String::from_utf8_lossy(&res.bytes().await.unwrap()).to_string();
        self.problems
            .extend(conforms(&self.doc, &method, path, status, &ct, &text));
        self.checked += 1;
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&mut self, token: &str, path: &str) -> (u16, Value) {
        self.send(Some(token), Method::GET, path, None).await
    }

    async fn post(&mut self, token: &str, path: &str, body: Value) -> (u16, Value) {
        self.send(
            Some(token),
            Method::POST,
            path,
            Some(("application/json", body.to_string().into_bytes())),
        )
        .await
    }

    async fn upload(&mut self, token: &str, id: &str, key: &str, version: i64, file: &[u8]) -> u16 {
        let boundary = "sepakat-uji";
        let mut body = Vec::new();
        for (name, value) in [
            ("key", key.to_string()),
            ("expected_version", version.to_string()),
        ] {
            body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").bytes());
        }
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"berkas.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").bytes());
        body.extend_from_slice(file);
        body.extend(format!("\r\n--{boundary}--\r\n").bytes());
        let ct = format!("multipart/form-data; boundary={boundary}");
        self.send(
            Some(token),
            Method::POST,
            &format!("/api/v1/applications/{id}/documents"),
            Some((&ct, body)),
        )
        .await
        .0
    }
}

async fn every_answer_conforms_to_the_openapi_document(db: Db) {
    let app = spawn_app(db).await;
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join("docs/openapi.json")).unwrap())
            .unwrap();
    let mut w = Walk {
        app: &app,
        doc,
        problems: Vec::new(),
        checked: 0,
    };
    let head = app.token(HEAD_DINKES_PTK.0, HEAD_DINKES_PTK.1).await;
    let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let central = app.token(CENTRAL.0, CENTRAL.1).await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;

    // Public and catalogue.
    w.send(None, Method::GET, "/healthz", None).await;
    w.send(None, Method::GET, "/api/v1/data-elements", None)
        .await;
    let creds = |p: &str| {
        Some((
            "application/json",
            json!({"email": HEAD_DINKES_PTK.0, "password": p})
                .to_string()
                .into_bytes(),
        ))
    };
    w.send(
        None,
        Method::POST,
        "/api/v1/auth/login",
        creds(HEAD_DINKES_PTK.1),
    )
    .await;
    w.send(
        None,
        Method::POST,
        "/api/v1/auth/token",
        creds(HEAD_DINKES_PTK.1),
    )
    .await;
    w.send(None, Method::POST, "/api/v1/auth/login", creds("salah"))
        .await;
    w.send(
        None,
        Method::POST,
        "/api/v1/auth/login",
        Some(("application/json", b"{".to_vec())),
    )
    .await;
    w.send(
        None,
        Method::POST,
        "/api/v1/auth/login",
        Some(("text/plain", b"x".to_vec())),
    )
    .await;
    w.send(None, Method::GET, "/api/v1/me", None).await;
    w.get(&head, "/api/v1/me").await;
    w.get(&head, "/api/v1/workflows").await;
    w.get(&head, "/api/v1/workflows/pks-kabkota").await;
    w.get(&head, "/api/v1/workflows/tidak-ada").await;
    w.get(&head, "/api/v1/offices").await;
    w.get(&head, "/api/v1/agencies").await;

    // Applications: submit, list, detail, and their refusals.
    let (status, created) = w
        .post(
            &head,
            "/api/v1/applications",
            ordinary_request("pks-kabkota"),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let new_id = created["id"].as_str().unwrap().to_string();
    let mut bad = ordinary_request("pks-kabkota");
    bad["elements"][0]["justification"] = json!("");
    bad["purpose"] = json!("nul\u{0}");
    w.post(&head, "/api/v1/applications", bad).await;
    w.send(
        Some(&head),
        Method::POST,
        "/api/v1/applications",
        Some(("application/json", b"[".to_vec())),
    )
    .await;
    w.send(
        Some(&head),
        Method::POST,
        "/api/v1/applications",
        Some(("text/plain", b"{}".to_vec())),
    )
    .await;
    w.send(
        Some(&head),
        Method::POST,
        "/api/v1/applications",
        Some((
            "application/json",
            format!("{{\"purpose\": \"{}\"}}", "x".repeat(300_000)).into_bytes(),
        )),
    )
    .await;
    w.get(&head, "/api/v1/applications").await;
    w.get(&coord, "/api/v1/applications?waiting_on_me=true&limit=2")
        .await;
    w.get(&coord, "/api/v1/applications?limit=501").await;
    w.get(&coord, "/api/v1/applications?offset=10").await;
    w.get(&coord, "/api/v1/applications?sort=asc").await;
    w.get(&coord, "/api/v1/applications?stage=a%00").await;
    w.get(&head, &format!("/api/v1/applications/{new_id}"))
        .await;
    w.get(&head, "/api/v1/applications/bukan-uuid").await;
    w.get(
        &head,
        &format!("/api/v1/applications/{}", uuid::Uuid::new_v4()),
    )
    .await;

    // Documents, transitions and commands on the new application.
    assert_eq!(
        w.upload(
            &head,
            &new_id,
            "signed:surat_permohonan",
            1,
            b"%PDF-1.4\n%%EOF\n"
        )
        .await,
        200
    );
    w.upload(&head, &new_id, "surat_cinta", 2, b"%PDF-1.4\n%%EOF\n")
        .await;
    w.upload(&head, &new_id, "pernyataan_jaringan", 2, b"<html>")
        .await;
    let (_, detail) = w
        .get(&head, &format!("/api/v1/applications/{new_id}"))
        .await;
    let version = detail["version"].as_i64().unwrap();
    let document = detail["documents"][0]["id"].as_str().unwrap().to_string();
    w.get(
        &head,
        &format!("/api/v1/applications/{new_id}/documents/{document}"),
    )
    .await;
    w.get(
        &head,
        &format!(
            "/api/v1/applications/{new_id}/documents/{}",
            uuid::Uuid::new_v4()
        ),
    )
    .await;
    let transitions = format!("/api/v1/applications/{new_id}/transitions");
    w.post(
        &coord,
        &transitions,
        json!({"action": "teruskan_ke_kepala_daerah", "expected_version": version - 1}),
    )
    .await;
    w.post(
        &coord,
        &transitions,
        json!({"action": "terbang", "expected_version": version}),
    )
    .await;
    w.post(
        &head,
        &transitions,
        json!({"action": "teruskan_ke_kepala_daerah", "expected_version": version}),
    )
    .await;
    let (status, done) = w
        .post(
            &coord,
            &transitions,
            json!({"action": "teruskan_ke_kepala_daerah", "expected_version": version}),
        )
        .await;
    assert_eq!(status, 200, "{done}");
    let commands = format!("/api/v1/applications/{new_id}/commands");
    let version = done["version"].as_i64().unwrap();
    w.post(&coord, &commands, json!({"expected_version": version, "command": {"command": "record_attestation",
        "details": {"connection": "lan", "provider": "Diskominfo", "cost_borne_by": "Dinas", "technical_contact": "Andi"}}})).await;
    w.post(&coord, &commands, json!({"expected_version": version, "command": {"command": "attach_document", "key": "x", "sha256": "x", "filename": "x"}})).await;
    w.post(
        &coord,
        &commands,
        json!({"expected_version": version, "command": {"command": "hack"}}),
    )
    .await;
    w.get(
        &head,
        &format!("/api/v1/applications/{new_id}/letters/surat_permohonan"),
    )
    .await;
    w.get(
        &head,
        &format!("/api/v1/applications/{new_id}/letters/surat_permohonan?format=pdf"),
    )
    .await;
    w.get(
        &head,
        &format!("/api/v1/applications/{new_id}/letters/surat_permohonan?format=doc"),
    )
    .await;
    w.get(
        &head,
        &format!("/api/v1/applications/{new_id}/letters/tidak_ada"),
    )
    .await;
    w.get(
        &head,
        &format!("/api/v1/applications/{new_id}/letters/surat_permohonan/archive"),
    )
    .await;

    // An application with access granted: its grants, letters and PKS.
    let live = app.find(&central, "akses_aktif").await;
    w.get(&central, &format!("/api/v1/applications/{live}"))
        .await;
    w.get(&central, &format!("/api/v1/applications/{live}/pks"))
        .await;
    w.get(&central, &format!("/api/v1/applications/{live}/pks/diff"))
        .await;
    w.get(
        &central,
        &format!("/api/v1/applications/{live}/letters/pks"),
    )
    .await;
    w.send(
        Some(&central),
        Method::POST,
        &format!("/api/v1/applications/{live}/letters/pks/archive"),
        None,
    )
    .await;
    w.get(
        &central,
        &format!("/api/v1/applications/{live}/letters/pks/archive"),
    )
    .await;

    // Grants, evaluations due and the outbox, with their refusals.
    w.get(&central, "/api/v1/grants?limit=2").await;
    w.get(&central, "/api/v1/grants?limit=501").await;
    w.get(&central, "/api/v1/grants?status=lenyap").await;
    w.get(&central, "/api/v1/grants/export").await;
    w.get(&central, "/api/v1/grants/export?format=csv").await;
    w.get(&central, "/api/v1/evaluations/due?within_days=366")
        .await;
    w.get(&central, "/api/v1/evaluations/due?within_days=367")
        .await;
    w.get(&admin, "/api/v1/outbox?state=pending&limit=3").await;
    w.get(&central, "/api/v1/outbox").await;
    w.post(&admin, "/api/v1/outbox/retry", json!({"state": "dead"}))
        .await;
    w.send(
        Some(&admin),
        Method::POST,
        &format!("/api/v1/outbox/{}/retry", uuid::Uuid::new_v4()),
        None,
    )
    .await;

    assert!(
        w.checked >= 60,
        "a representative walk: {} answers",
        w.checked
    );
    assert!(
        w.problems.is_empty(),
        "{} answers do not conform to docs/openapi.json:\n{}",
        w.problems.len(),
        w.problems.join("\n")
    );
    app.stop().await;
}
on_both_databases!(every_answer_conforms_to_the_openapi_document);

#[test]
fn the_validator_finds_drift() {
    let doc = json!({"components": {"schemas": {
        "Grant": {"type": "object", "required": ["elements"], "properties": {
            "elements": {"type": "array", "items": {"type": "string"}},
            "status": {"type": "string", "enum": ["active", "revoked"]},
            "until": {"type": ["string", "null"], "format": "date"}}}}}});
    let check = |v: Value| {
        let mut out = Vec::new();
        validate(
            &doc,
            &json!({"$ref": "#/components/schemas/Grant"}),
            &v,
            "grant",
            &mut out,
        );
        out
    };
    assert!(check(json!({"elements": ["nik"], "status": "active", "until": null})).is_empty());
    assert!(check(json!({"elements": ["nik"], "until": "2026-01-31"})).is_empty());
    assert_eq!(
        check(json!({"elements": {"nik": true}})).len(),
        1,
        "an object for an array"
    );
    assert_eq!(check(json!({})).len(), 1, "required missing");
    assert_eq!(
        check(json!({"elements": [], "status": "lenyap"})).len(),
        1,
        "not in the enum"
    );
    assert_eq!(
        check(json!({"elements": [], "until": "31-01-2026"})).len(),
        1,
        "not a date"
    );
    assert_eq!(
        check(json!({"elements": [], "colour": "merah"})).len(),
        1,
        "undocumented property"
    );
}
