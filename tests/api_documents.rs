//! Who may file which document, over HTTP (issue #13): the workflow's `[documents]` table,
//! checked by the core. The applicant cannot file the authority's answer (403, nothing stored,
//! Ditjen's step keeps waiting); the rightful role can; the API and the application page name
//! the uploader of every document.

mod common;

use common::who::*;
use common::*;
use reqwest::StatusCode;
use serde_json::Value;
use std::path::Path;

/// Every file under `dir`, however deep.
fn files_under(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .filter_map(Result::ok)
            .map(|e| {
                let p = e.path();
                if p.is_dir() { files_under(&p) } else { 1 }
            })
            .sum()
    })
}

fn ditjen_step(detail: &Value) -> Value {
    detail["next"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["action"] == "catat_persetujuan_dirjen")
        .cloned()
        .unwrap_or_else(|| panic!("no Ditjen step in {}", detail["next"]))
}

async fn the_applicant_cannot_file_the_authoritys_documents(db: Db) {
    let app = spawn_app(db).await;
    let head = app.token(HEAD_DINKES_PTK.0, HEAD_DINKES_PTK.1).await;
    let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let central = app.token(CENTRAL.0, CENTRAL.1).await;

    let res = app
        .post(
            &head,
            "/api/v1/applications",
            ordinary_request("pks-kabkota"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    app.attach(&head, &id, "signed:surat_permohonan").await;
    app.act(&coord, &id, "teruskan_ke_kepala_daerah").await;
    app.issue(&coord, &id, "surat_izin_kepala_daerah").await;
    app.attach(&coord, &id, "signed:surat_izin_kepala_daerah")
        .await;
    let before = app.act(&coord, &id, "catat_izin_kepala_daerah").await;
    assert_eq!(before["stage"], "persetujuan_dirjen");
    let version = before["version"].as_i64().unwrap();
    let blobs = files_under(&app.blobs);

    // The agency head tries to file Ditjen's and the Minister's answers: 403, nothing stored.
    for kind in [
        "persetujuan_dirjen",
        "penolakan_dirjen",
        "persetujuan_menteri",
    ] {
        let res = app
            .upload_bytes(
                &head,
                &id,
                kind,
                version,
                format!("%PDF-1.4\n% forged {kind}\n%%EOF\n").into_bytes(),
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{kind}");
        assert_eq!(
            res.headers()["content-type"],
            "application/problem+json",
            "{kind}"
        );
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["status"], 403, "{problem}");
        let error = &problem["errors"][0];
        assert_eq!(error["code"], "not_document_filer", "{problem}");
        assert!(
            error["message_id"]
                .as_str()
                .unwrap()
                .contains("tidak berwenang mengunggahnya"),
            "{problem}"
        );
        assert!(
            error["message"].as_str().unwrap().contains("may not"),
            "{problem}"
        );
    }
    assert_eq!(files_under(&app.blobs), blobs, "no blob was written");
    let after = app.detail(&central, &id).await;
    assert_nothing_filed(
        &after,
        version,
        &["persetujuan_dirjen", "persetujuan_menteri"],
    );
    // Ditjen's step still waits on Ditjen's approval, from Ditjen.
    let step = ditjen_step(&after);
    assert_eq!(step["ready"], false, "{step}");
    assert_eq!(step["missing"][0]["by"], "central", "{step}");

    // Ditjen files it: the step is ready, and the document names who filed it.
    app.attach(&central, &id, "persetujuan_dirjen").await;
    let filed = app.detail(&head, &id).await;
    assert_eq!(ditjen_step(&filed)["ready"], true);
    let doc = filed["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["key"] == "persetujuan_dirjen")
        .cloned()
        .unwrap();
    assert_eq!(doc["uploader"]["email"], CENTRAL.0, "{doc}");
    assert_eq!(doc["uploader"]["role"], "central", "{doc}");
    assert!(!doc["uploader"]["name"].as_str().unwrap().is_empty());
    let request = filed["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["key"] == "signed:surat_permohonan")
        .cloned()
        .unwrap();
    assert_eq!(request["uploader"]["email"], HEAD_DINKES_PTK.0, "{request}");
    assert_eq!(request["uploader"]["role"], "agency_head");

    // The agency's own papers stay the agency's (or the office's) to file.
    app.attach(&head, &id, "akta_badan_hukum").await;
    app.attach(&coord, &id, "akta_badan_hukum").await;
    let res = app.upload(&central, &id, "akta_badan_hukum").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    app.stop().await;
}

on_both_databases!(the_applicant_cannot_file_the_authoritys_documents);

/// The application page says who uploaded every document, in both languages, and offers the
/// upload form only the kinds the viewer may file.
async fn the_page_shows_the_uploader(db: Db) {
    let app = spawn_app(db).await;
    let head = app.token(HEAD_DINKES_PTK.0, HEAD_DINKES_PTK.1).await;
    let res = app
        .post(
            &head,
            "/api/v1/applications",
            ordinary_request("pks-kabkota"),
        )
        .await;
    let created: Value = res.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    app.attach(&head, &id, "signed:surat_permohonan").await;
    let name = app.detail(&head, &id).await["documents"][0]["uploader"]["name"]
        .as_str()
        .unwrap()
        .to_string();

    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let form = client
        .get(app.url("/masuk"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = form
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    let res = client
        .post(app.url("/masuk"))
        .form(&[
            ("email", HEAD_DINKES_PTK.0),
            ("password", HEAD_DINKES_PTK.1),
            ("next", "/"),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success() || res.status().is_redirection());
    let page = client
        .get(app.url(&format!("/permohonan/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let docs = page
        .split("data-testid=\"documents\"")
        .nth(1)
        .and_then(|r| r.split("</ul>").next())
        .unwrap();
    assert!(
        docs.contains(&format!("Diunggah oleh {name} (")),
        "the uploader is named: {docs}"
    );
    // The upload form offers the head the agency's documents, never the authority's.
    let kinds = page
        .split("id=\"key\"")
        .nth(1)
        .and_then(|r| r.split("</select>").next())
        .unwrap();
    assert!(kinds.contains("value=\"spesifikasi_teknis\""), "{kinds}");
    assert!(!kinds.contains("value=\"persetujuan_dirjen\""), "{kinds}");
    assert!(!kinds.contains("value=\"persetujuan_menteri\""), "{kinds}");
    // In English too.
    let page = client
        .get(app.url(&format!("/bahasa?lang=en&next=/permohonan/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("Uploaded by {name} (")),
        "English page"
    );
    app.stop().await;
}

on_both_databases!(the_page_shows_the_uploader);

/// The signed scan of a letter the regional head signs (the Governor's letter to Ditjen, the
/// Bupati's or Wali Kota's permission) is the office's to file, never the applicant's: the
/// agency head gets 403 and nothing is stored, and the authority's step stays waiting; the
/// coordinator files it (issue #13).
async fn the_applicant_cannot_file_the_regional_heads_signed_letter(db: Db) {
    let app = spawn_app(db).await;
    for (workflow, head, coord, forward, letter) in [
        (
            "pks-kabkota",
            HEAD_DINKES_PTK,
            KOORD_PTK,
            "teruskan_ke_kepala_daerah",
            "surat_izin_kepala_daerah",
        ),
        (
            "pks-provinsi",
            HEAD_DISNAKER_KALSEL,
            KOORD_KALSEL,
            "teruskan_ke_gubernur",
            "surat_persetujuan_gubernur",
        ),
    ] {
        let head = app.token(head.0, head.1).await;
        let coord = app.token(coord.0, coord.1).await;
        let res = app
            .post(&head, "/api/v1/applications", ordinary_request(workflow))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "{workflow}");
        let created: Value = res.json().await.unwrap();
        let id = created["id"].as_str().unwrap().to_string();
        app.attach(&head, &id, "signed:surat_permohonan").await;
        app.act(&coord, &id, forward).await;
        app.issue(&coord, &id, letter).await;
        let version = app.detail(&coord, &id).await["version"].as_i64().unwrap();
        let blobs = files_under(&app.blobs);
        let key = format!("signed:{letter}");
        let res = app
            .upload_bytes(
                &head,
                &id,
                &key,
                version,
                format!("%PDF-1.4\n% forged {key}\n%%EOF\n").into_bytes(),
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{key}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(
            problem["errors"][0]["code"], "not_document_filer",
            "{problem}"
        );
        assert_eq!(files_under(&app.blobs), blobs, "{key}: no blob was written");
        assert_nothing_filed(&app.detail(&coord, &id).await, version, &[&key]);
        // The office files it, and the document names the coordinator.
        app.attach(&coord, &id, &key).await;
        let filed = app.detail(&head, &id).await;
        let doc = filed["documents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["key"] == key.as_str())
            .cloned()
            .unwrap();
        assert_eq!(doc["uploader"]["role"], "coordinator", "{doc}");
    }
    app.stop().await;
}

on_both_databases!(the_applicant_cannot_file_the_regional_heads_signed_letter);

/// After a refused upload: the application is still at `version` and holds none of `keys`.
fn assert_nothing_filed(detail: &Value, version: i64, keys: &[&str]) {
    assert_eq!(
        detail["version"].as_i64(),
        Some(version),
        "nothing recorded"
    );
    let documents = detail["documents"].as_array().unwrap();
    assert!(
        documents
            .iter()
            .all(|d| keys.iter().all(|k| d["key"] != *k)),
        "{}",
        detail["documents"]
    );
}

/// An upload the command would refuse writes no file: the server decides before it stores the
/// bytes. A stale version (409) and the signed scan of a letter not yet issued (422) leave the
/// blob folder as it was; the same upload, once allowed, stores one file (issue #13).
async fn a_refused_upload_writes_no_file(db: Db) {
    let app = spawn_app(db).await;
    let head = app.token(HEAD_DINKES_PTK.0, HEAD_DINKES_PTK.1).await;
    let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let res = app
        .post(
            &head,
            "/api/v1/applications",
            ordinary_request("pks-kabkota"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    app.attach(&head, &id, "signed:surat_permohonan").await;
    app.act(&coord, &id, "teruskan_ke_kepala_daerah").await;
    let version = app.detail(&coord, &id).await["version"].as_i64().unwrap();
    let key = "signed:surat_izin_kepala_daerah";
    let scan = |tag: &str| format!("%PDF-1.4\n% {tag} {id}\n%%EOF\n").into_bytes();
    let blobs = files_under(&app.blobs);

    let stale = app
        .upload_bytes(&coord, &id, key, version - 1, scan("stale"))
        .await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    assert_eq!(files_under(&app.blobs), blobs, "stale version: no blob");

    let early = app
        .upload_bytes(&coord, &id, key, version, scan("early"))
        .await;
    assert_eq!(early.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = early.json().await.unwrap();
    assert_eq!(
        problem["errors"][0]["code"], "letter_not_issued",
        "{problem}"
    );
    assert_eq!(files_under(&app.blobs), blobs, "letter not issued: no blob");
    assert_nothing_filed(&app.detail(&coord, &id).await, version, &[key]);

    app.issue(&coord, &id, "surat_izin_kepala_daerah").await;
    let blobs = files_under(&app.blobs);
    let version = app.detail(&coord, &id).await["version"].as_i64().unwrap();
    let filed = app
        .upload_bytes(&coord, &id, key, version, scan("signed"))
        .await;
    assert_eq!(filed.status(), StatusCode::OK);
    assert_eq!(
        files_under(&app.blobs),
        blobs + 1,
        "the accepted scan is stored"
    );
    app.stop().await;
}

on_both_databases!(a_refused_upload_writes_no_file);
