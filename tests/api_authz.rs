//! Who sees and touches what: every role against every application endpoint, on their own
//! scope and on someone else's. Reads outside one's scope are 404 (no existence leak); actions
//! on a visible application that one's role may not take are 403.

mod common;

use common::who::*;
use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Ids of demo applications: one at the Kalsel province office, one at Kota Pontianak.
async fn fixtures(app: &TestApp) -> (String, String) {
    let central = app.token(CENTRAL.0, CENTRAL.1).await;
    let list: Value = app
        .get(&central, "/api/v1/applications?limit=100")
        .await
        .json()
        .await
        .unwrap();
    let mut kalsel = None;
    let mut pontianak = None;
    let offices: Value = app
        .get(&central, "/api/v1/offices")
        .await
        .json()
        .await
        .unwrap();
    let office_of = |region: &str| {
        offices
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["region_code"] == region)
            .unwrap()["id"]
            .clone()
    };
    for a in list["items"].as_array().unwrap() {
        if a["stage"] == "jaringan_tertutup" && a["office_id"] == office_of("63") {
            kalsel = Some(a["id"].as_str().unwrap().to_string());
        }
        if a["stage"] == "konsultasi_provinsi" && a["office_id"] == office_of("61.71") {
            pontianak = Some(a["id"].as_str().unwrap().to_string());
        }
    }
    (
        kalsel.expect("Kalsel application blocked on the network"),
        pontianak.expect("Pontianak draft in consultation"),
    )
}

async fn authorization_matrix(db: Db) {
    let app = spawn_app(db).await;
    let (kalsel, pontianak) = fixtures(&app).await;
    // (account, sees Kalsel app, sees Pontianak app)
    let cases = [
        (HEAD_DPMPTSP_KALSEL, false, false),
        (HEAD_DINKES_PTK, false, true),
        (KOORD_KALSEL, true, false),
        (KOORD_PTK, false, true),
        (REVIEWER_KALBAR, false, true),
        (CENTRAL, true, true),
        (AUDITOR, true, true),
        (ADMIN, true, true),
    ];
    // Which of them owns the Kalsel one? DPMPTSP or Disnakertrans: find out from central's view.
    let central = app.token(CENTRAL.0, CENTRAL.1).await;
    let k = app.detail(&central, &kalsel).await;
    let dpmptsp_owns_kalsel = {
        let head = app
            .token(HEAD_DPMPTSP_KALSEL.0, HEAD_DPMPTSP_KALSEL.1)
            .await;
        app.get(&head, &format!("/api/v1/applications/{kalsel}"))
            .await
            .status()
            == StatusCode::OK
    };
    let kalsel_version = k["version"].as_i64().unwrap();
    for ((email, password), sees_kalsel, sees_pontianak) in cases {
        let sees_kalsel = sees_kalsel || (email == HEAD_DPMPTSP_KALSEL.0 && dpmptsp_owns_kalsel);
        let token = app.token(email, password).await;
        for (id, sees) in [(&kalsel, sees_kalsel), (&pontianak, sees_pontianak)] {
            let expect_read = if sees {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            };
            let res = app.get(&token, &format!("/api/v1/applications/{id}")).await;
            assert_eq!(res.status(), expect_read, "{email} reading {id}");
            let docs: Value = app.detail(&central, id).await["documents"].clone();
            let doc = docs[0]["id"].as_str().unwrap();
            let res = app
                .get(
                    &token,
                    &format!("/api/v1/applications/{id}/documents/{doc}"),
                )
                .await;
            assert_eq!(res.status(), expect_read, "{email} downloading from {id}");
            // An action nobody but a coordinator/central may take, or none at all: never 200.
            let version = app.detail(&central, id).await["version"].as_i64().unwrap();
            let res = app.post(&token, &format!("/api/v1/applications/{id}/transitions"), json!({"action": "tangguhkan_akses", "comment": "uji", "expected_version": version})).await;
            let status = res.status();
            if sees {
                assert!(
                    status == StatusCode::FORBIDDEN || status == StatusCode::UNPROCESSABLE_ENTITY,
                    "{email} acting on a visible {id}: {status}"
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::NOT_FOUND,
                    "{email} acting on an invisible {id}"
                );
            }
            let res = app
                .upload_bytes(
                    &token,
                    id,
                    "spesifikasi_teknis",
                    version,
                    b"%PDF-1.4 x".to_vec(),
                )
                .await;
            let status = res.status();
            match (sees, email) {
                (false, _) => assert_eq!(
                    status,
                    StatusCode::NOT_FOUND,
                    "{email} uploading to an invisible {id}"
                ),
                // The agency's technical specification is filed by the agency or the office
                // that received it (the workflow's `[documents]`), not by Ditjen.
                (true, e)
                    if e == AUDITOR.0
                        || e == ADMIN.0
                        || e == REVIEWER_KALBAR.0
                        || e == CENTRAL.0 =>
                {
                    assert_eq!(status, StatusCode::FORBIDDEN, "{email} uploading to {id}")
                }
                (true, _) => assert_eq!(status, StatusCode::OK, "{email} uploading to {id}"),
            }
            // Every other route under one application answers an invisible one exactly as one
            // that does not exist, and never as missing for a caller who may see it.
            let routes = [
                ("GET", "pks".to_string()),
                ("GET", "pks/diff?from=1&to=2".to_string()),
                ("GET", "letters/surat_permohonan".to_string()),
                ("GET", "letters/surat_permohonan/archive".to_string()),
                ("POST", "letters/surat_permohonan/archive".to_string()),
                ("POST", "commands".to_string()),
            ];
            for (method, route) in routes {
                let path = format!("/api/v1/applications/{id}/{route}");
                let res = if method == "GET" {
                    app.get(&token, &path).await
                } else {
                    let body = json!({"expected_version": version, "command": {"command": "check_evaluations"}});
                    app.post(&token, &path, body).await
                };
                let status = res.status();
                let problem: Value = res.json().await.unwrap_or(Value::Null);
                let no_such_application = status == StatusCode::NOT_FOUND
                    && problem["detail"]
                        .as_str()
                        .is_some_and(|d| d.starts_with("No application "));
                assert_eq!(
                    no_such_application, !sees,
                    "{email}: {method} {path} answered {status} {problem}"
                );
            }
        }
        // Lists never leak: every listed application is readable by the caller.
        let list: Value = app
            .get(&token, "/api/v1/applications?limit=500")
            .await
            .json()
            .await
            .unwrap();
        for a in list["items"].as_array().unwrap() {
            let res = app
                .get(
                    &token,
                    &format!("/api/v1/applications/{}", a["id"].as_str().unwrap()),
                )
                .await;
            assert_eq!(
                res.status(),
                StatusCode::OK,
                "{email} lists what it cannot read"
            );
        }
        let listed: Vec<&str> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            listed.contains(&kalsel.as_str()),
            sees_kalsel,
            "{email} list vs Kalsel"
        );
        assert_eq!(
            listed.contains(&pontianak.as_str()),
            sees_pontianak,
            "{email} list vs Pontianak"
        );
    }
    // The auditor reads all but changes nothing: a 403 that says so.
    let auditor = app.token(AUDITOR.0, AUDITOR.1).await;
    let res = app.post(&auditor, &format!("/api/v1/applications/{kalsel}/transitions"), json!({"action": "verifikasi_jaringan_tertutup", "expected_version": kalsel_version + 1})).await;
    // (the version moved with the uploads above; a read-only role is refused before anything else)
    assert!(matches!(
        res.status(),
        StatusCode::FORBIDDEN | StatusCode::CONFLICT
    ));
    // Submitting for another agency is refused.
    let head = app.token(HEAD_DINKES_PTK.0, HEAD_DINKES_PTK.1).await;
    let agencies: Value = app
        .get(&central, "/api/v1/agencies")
        .await
        .json()
        .await
        .unwrap();
    let other = agencies
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["name"]
                .as_str()
                .unwrap()
                .contains("Tenaga Kerja dan Transmigrasi Provinsi")
        })
        .unwrap()["id"]
        .clone();
    let mut body = ordinary_request("pks-kabkota");
    body["agency_id"] = other;
    let res = app.post(&head, "/api/v1/applications", body).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // An agency head sees only their own agency in the directory.
    let mine: Value = app
        .get(&head, "/api/v1/agencies")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine.as_array().unwrap().len(), 1);
    // Without a token: 401 everywhere but health and the documents of the API.
    for path in [
        "/api/v1/applications",
        "/api/v1/me",
        "/api/v1/offices",
        "/api/v1/workflows",
    ] {
        assert_eq!(
            app.client.get(app.url(path)).send().await.unwrap().status(),
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
    app.stop().await;
}
on_both_databases!(authorization_matrix);
