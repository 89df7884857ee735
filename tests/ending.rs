//! Ending a live agreement early over the API, on both databases (issue #15): the notice of the
//! end cannot be issued ahead of the decision; ending it with a reason revokes the user IDs and
//! numbers the office's notice in the same step, which cites the PKS and the reason as it was
//! issued; the history keeps it and the audit chain holds.

mod common;

use common::who::*;
use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases!(ending_an_agreement_revokes_its_user_ids_and_numbers_its_notice);

async fn ending_an_agreement_revokes_its_user_ids_and_numbers_its_notice(db: Db) {
    let app = spawn_app(db).await;
    let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let id = app.find(&coord, "akses_aktif").await;

    // Not ahead of the decision.
    let res = app
        .command(
            &coord,
            &id,
            json!({"command": "issue_letter", "letter": "surat_pengakhiran_pks", "inputs": {}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = res.json().await.unwrap();
    assert!(problem.to_string().contains("letter_not_due"), "{problem}");

    // A reason is required.
    let version = app.detail(&coord, &id).await["version"].as_i64().unwrap();
    let path = format!("/api/v1/applications/{id}/transitions");
    let res = app
        .post(
            &coord,
            &path,
            json!({"action": "akhiri_kerja_sama", "expected_version": version}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let reason = "Layanan perizinan dialihkan seluruhnya ke sistem OSS nasional";
    let res = app
        .post(
            &coord,
            &path,
            json!({"action": "akhiri_kerja_sama", "comment": reason, "expected_version": version}),
        )
        .await;
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    let detail = app.detail(&coord, &id).await;
    assert_eq!(detail["stage"], "diakhiri");
    assert!(
        detail["grants"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["status"] == "revoked" || g["status"] == "expired"),
        "{}",
        detail["grants"]
    );
    let letters = detail["letters"].as_array().unwrap();
    let notice = letters
        .iter()
        .find(|l| l["letter"] == "surat_pengakhiran_pks")
        .expect("the notice is numbered by the step");
    let pks = letters
        .iter()
        .find(|l| l["letter"] == "pks")
        .expect("the PKS was numbered");
    let html = app
        .get(
            &coord,
            &format!("/api/v1/applications/{id}/letters/surat_pengakhiran_pks?format=html"),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(notice["number"].as_str().unwrap()));
    assert!(
        html.contains(pks["number"].as_str().unwrap()),
        "it cites the PKS"
    );
    assert!(
        html.contains("layanan perizinan dialihkan seluruhnya ke sistem OSS nasional"),
        "it gives the reason as recorded: {html}"
    );
    assert!(html.contains("dicabut"));

    // The history keeps the end and the audit chain holds.
    assert!(
        detail["timeline"].to_string().contains(reason),
        "{}",
        detail["timeline"]
    );
    let audit = app.store.verify_audit().await.unwrap();
    assert!(audit.broken.is_empty(), "{:?}", audit.broken);
    app.stop().await;
}
