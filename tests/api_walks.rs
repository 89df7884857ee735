//! One application walked through each workflow over HTTP by the right people, with the
//! attestation gate refusing the user ID before the network statement is recorded.

mod common;

use common::who::*;
use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn attestation() -> Value {
    json!({"command": "record_attestation", "details": {
        "connection": "vpn_agency_to_disdukcapil",
        "provider": "Diskominfo Kota Pontianak",
        "cost_borne_by": "Lembaga pengguna",
        "technical_contact": "Tim teknis Disdikbud"
    }})
}

async fn submit(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.post(token, "/api/v1/applications", body).await;
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn kabkota_walk(db: Db) {
    let app = spawn_app(db).await;
    let head = app.token(HEAD_DINKES_PTK.0, HEAD_DINKES_PTK.1).await;
    let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let reviewer = app.token(REVIEWER_KALBAR.0, REVIEWER_KALBAR.1).await;
    let central = app.token(CENTRAL.0, CENTRAL.1).await;

    let created = submit(&app, &head, ordinary_request("pks-kabkota")).await;
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["stage"], "permohonan");
    assert_eq!(created["letters"][0]["letter"], "surat_permohonan");
    // The request is the agency's letter: its own number, registered by the office.
    assert!(
        created["letters"][0]["number"]
            .as_str()
            .unwrap()
            .contains("/Dinkes/"),
        "{created}"
    );
    assert!(
        created["letters"][0]["register_number"]
            .as_str()
            .unwrap()
            .contains("/Dukcapil.4/")
    );

    // What happens next: the head signs and uploads the numbered request, then the coordinator
    // forwards it; cancelling is not a way forward.
    let next_of = |v: &Value| -> Value {
        v["next"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["action"] == "teruskan_ke_kepala_daerah")
            .cloned()
            .unwrap_or_else(|| panic!("no forward step in {}", v["next"]))
    };
    let seen: Value = app
        .get(&head, &format!("/api/v1/applications/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let step = next_of(&seen);
    assert_eq!(step["acting_roles"], json!(["agency_head"]), "{step}");
    assert_eq!(step["roles"], json!(["coordinator"]));
    assert_eq!(step["missing"][0]["unmet"]["code"], "missing_signed_letter");
    assert_eq!(step["missing"][0]["by"], "agency_head");
    assert!(
        step["people"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["email"] == HEAD_DINKES_PTK.0),
        "{step}"
    );
    assert!(seen["next"]["due_at"].is_string(), "{}", seen["next"]);
    assert!(
        !seen["next"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["action"] == "batalkan_permohonan")
    );
    app.attach(&head, &id, "signed:surat_permohonan").await;
    let seen: Value = app
        .get(&coord, &format!("/api/v1/applications/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let step = next_of(&seen);
    assert_eq!(step["ready"], true);
    assert_eq!(step["acting_roles"], json!(["coordinator"]));
    assert!(
        step["people"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["email"] == KOORD_PTK.0),
        "{step}"
    );
    // It now waits on the coordinator.
    let waiting: Value = app
        .get(&coord, "/api/v1/applications?waiting_on_me=true&limit=500")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        waiting["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == id.as_str()),
        "{waiting}"
    );
    app.act(&coord, &id, "teruskan_ke_kepala_daerah").await;
    app.issue(&coord, &id, "surat_izin_kepala_daerah").await;
    app.attach(&coord, &id, "signed:surat_izin_kepala_daerah")
        .await;
    app.act(&coord, &id, "catat_izin_kepala_daerah").await;
    app.attach(&central, &id, "persetujuan_dirjen").await;
    app.act(&central, &id, "catat_persetujuan_dirjen").await;
    // Before the first draft the PKS is the default articles built from the request.
    let pks_path = format!("/api/v1/applications/{id}/pks");
    let before: Value = app.get(&coord, &pks_path).await.json().await.unwrap();
    assert_eq!(before["current_version"], Value::Null);
    let defaults = before["current"].as_array().unwrap().clone();
    assert!(defaults.len() >= 14, "{before}");
    assert_eq!(defaults[5]["title"], "Kerahasiaan");
    // Submitting from a plain button drafts version 1 with that text.
    app.act(&coord, &id, "ajukan_draf_pks").await;
    let v1: Value = app.get(&head, &pks_path).await.json().await.unwrap();
    assert_eq!(v1["current_version"], 1);
    assert_eq!(
        v1["versions"][0]["articles"],
        Value::Array(defaults.clone())
    );

    // The reviewer returns it with comments on single articles; a comment on an article the
    // draft does not have is refused with the reason, and nothing changes.
    let transitions = format!("/api/v1/applications/{id}/transitions");
    let version = app.detail(&reviewer, &id).await["version"]
        .as_i64()
        .unwrap();
    let res = app
        .post(
            &reviewer,
            &transitions,
            json!({"action": "kembalikan_draf_pks", "expected_version": version,
                   "article_comments": [{"article": 99, "text": "?"}]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["errors"][0]["code"], "pks", "{problem}");
    let res = app
        .post(
            &reviewer,
            &transitions,
            json!({"action": "kembalikan_draf_pks", "expected_version": version,
                   "article_comments": [
                       {"article": 3, "text": "Kuota harian diturunkan menjadi 500 akses."},
                       {"article": 6, "text": "Tambahkan larangan menyimpan data."}]}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let returned: Value = app.get(&coord, &pks_path).await.json().await.unwrap();
    let comments = returned["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[0]["article"], 3);
    assert_eq!(comments[0]["version"], 1);
    assert_eq!(comments[0]["review"], "returned");

    // The coordinator revises the two articles and submits version 2.
    let mut revised = defaults.clone();
    revised[5]["paragraphs"]
        .as_array_mut()
        .unwrap()
        .push(json!({"text": "PIHAK KEDUA dilarang menyimpan data kependudukan yang diakses.", "points": []}));
    let quota = revised[2].to_string().replace("1.000", "500");
    revised[2] = serde_json::from_str(&quota).unwrap();
    // A draft with a blank title is refused, naming the article.
    let mut broken = revised.clone();
    broken[1]["title"] = json!(" ");
    let version = app.detail(&coord, &id).await["version"].as_i64().unwrap();
    let res = app
        .post(
            &coord,
            &transitions,
            json!({"action": "ajukan_draf_pks", "expected_version": version, "articles": broken}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = res.json().await.unwrap();
    assert!(
        problem.to_string().contains("Pasal 2 belum berjudul"),
        "{problem}"
    );
    let res = app
        .post(
            &coord,
            &transitions,
            json!({"action": "ajukan_draf_pks", "expected_version": version, "articles": revised}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );

    // The agency sees the two versions side by side: only articles 3 and 6 changed.
    let diff: Value = app
        .get(&head, &format!("{pks_path}/diff"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (diff["from"].as_u64(), diff["to"].as_u64()),
        (Some(1), Some(2))
    );
    let changed: Vec<u64> = diff["articles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["change"] != "same")
        .map(|a| a["number"].as_u64().unwrap())
        .collect();
    assert_eq!(changed, [3, 6], "{diff}");
    let marked_new: Vec<&str> = diff["articles"][2]["new"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|line| line.as_array().unwrap())
        .filter(|s| s["changed"] == true)
        .map(|s| s["text"].as_str().unwrap())
        .collect();
    assert!(
        marked_new.iter().any(|t| t.contains("500")),
        "{marked_new:?}"
    );
    let res = app
        .get(&head, &format!("{pks_path}/diff?from=1&to=7"))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    app.act(&reviewer, &id, "setujui_draf_pks").await;
    let approved: Value = app.get(&coord, &pks_path).await.json().await.unwrap();
    assert_eq!(approved["approved_version"], 2);
    assert_eq!(approved["versions"][1]["approved"], true);
    // The PKS letter prints the approved version's text.
    let letter = app
        .get(&head, &format!("/api/v1/applications/{id}/letters/pks"))
        .await
        .text()
        .await
        .unwrap();
    assert!(letter.contains("PIHAK KEDUA dilarang menyimpan data kependudukan yang diakses."));
    assert!(letter.contains("500"));
    app.issue(&coord, &id, "pks").await;
    app.attach(&coord, &id, "signed:pks").await;
    app.act(&coord, &id, "catat_pks_ditandatangani").await;
    app.issue(&coord, &id, "juknis").await;
    app.attach(&coord, &id, "signed:juknis").await;
    app.act(&coord, &id, "catat_juknis_ditandatangani").await;
    app.attach(&head, &id, "spesifikasi_teknis").await;
    app.issue(&head, &id, "surat_spesifikasi_teknis").await;
    // The issued specification letter, as printed now: it must never change afterwards.
    let spec_path = format!("/api/v1/applications/{id}/letters/surat_spesifikasi_teknis");
    let mut spec_issued = Vec::new();
    for format in ["html", "pdf"] {
        let res = app
            .get(&coord, &format!("{spec_path}?format={format}"))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        spec_issued.push(res.bytes().await.unwrap());
    }
    app.act(&head, &id, "ajukan_spesifikasi_teknis").await;

    // The gate: no verification, no user ID, before the network statement is on record.
    let detail = app.detail(&coord, &id).await;
    let v = detail["version"].as_i64().unwrap();
    let res = app
        .post(
            &coord,
            &format!("/api/v1/applications/{id}/transitions"),
            json!({"action": "verifikasi_jaringan_tertutup", "expected_version": v}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/requirements-unmet");
    assert_eq!(problem["errors"][0]["code"], "missing_attestation");
    assert!(
        problem["errors"][0]["message_id"]
            .as_str()
            .unwrap()
            .contains("jaringan tertutup")
    );
    // Recording it needs the signed statement on file first.
    let res = app.command(&coord, &id, attestation()).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["errors"][0]["code"], "missing_document");

    app.attach(&head, &id, "pernyataan_jaringan").await;
    let res = app.command(&coord, &id, attestation()).await;
    assert_eq!(res.status(), StatusCode::OK);
    app.issue(&head, &id, "surat_pernyataan_jaringan").await;
    app.act(&coord, &id, "verifikasi_jaringan_tertutup").await;
    app.issue(&coord, &id, "permohonan_user_id_uji").await;
    let after = app.act(&central, &id, "terbitkan_user_id_uji").await;
    assert_eq!(after["grants"][0]["kind"], "test");
    app.issue(&head, &id, "laporan_uji_beban").await;
    app.attach(&head, &id, "signed:laporan_uji_beban").await;
    app.act(&coord, &id, "catat_uji_beban_berhasil").await;
    app.issue(&coord, &id, "berita_acara_poc").await;
    app.attach(&coord, &id, "signed:berita_acara_poc").await;
    app.act(&coord, &id, "catat_poc_berhasil").await;
    app.issue(&coord, &id, "permohonan_user_id_produksi").await;
    let live = app.act(&central, &id, "terbitkan_user_id_produksi").await;
    assert_eq!(live["stage"], "akses_aktif");
    // An attestation, grants and four more letters later, the specification letter is
    // byte-identical, and its PDF hashes to what was recorded when it was issued.
    for (format, before) in ["html", "pdf"].iter().zip(&spec_issued) {
        let now = app
            .get(&coord, &format!("{spec_path}?format={format}"))
            .await
            .bytes()
            .await
            .unwrap();
        assert_eq!(&now, before, "the issued {format} changed");
    }
    let recorded = app
        .store
        .application_letters(id.parse().unwrap())
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.letter == "surat_spesifikasi_teknis")
        .unwrap();
    assert_eq!(
        recorded.pdf_sha256.as_deref(),
        Some(sepakat_letters::sha256_hex(&spec_issued[1]).as_str())
    );
    assert!(
        live["next_evaluation_due"].is_string(),
        "evaluations scheduled: {live}"
    );
    let production = live["grants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["kind"] == "production")
        .expect("production grant");
    assert_eq!(production["status"], "active");
    // The command's answer carries only what it added: the grant it issued, no old history.
    let added: Vec<&str> = live["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        added.contains(&"grant_issued") && !added.contains(&"submitted"),
        "{added:?}"
    );
    // The request for the production user ID was issued ahead of the step: not again.
    assert_eq!(live["letters"], json!([]));
    let full = app.detail(&head, &id).await;
    assert!(full["timeline"].as_array().unwrap().len() > 40);
    // The uploaded statement downloads back byte for byte.
    let doc = full["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["key"] == "pernyataan_jaringan")
        .unwrap();
    let res = app
        .get(
            &head,
            &format!(
                "/api/v1/applications/{id}/documents/{}",
                doc["id"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(
        res.bytes().await.unwrap().as_ref(),
        b"%PDF-1.4\n% pernyataan_jaringan\n%%EOF\n"
    );
    // And the audit chain of everything above verifies.
    assert!(app.store.verify_audit().await.unwrap().is_ok());
    app.stop().await;
}
on_both_databases!(kabkota_walk);

async fn provincial_walk(db: Db) {
    let app = spawn_app(db).await;
    let head = app
        .token(HEAD_DISNAKER_KALSEL.0, HEAD_DISNAKER_KALSEL.1)
        .await;
    let coord = app.token(KOORD_KALSEL.0, KOORD_KALSEL.1).await;
    let coord2 = app.token(REVIU_KALSEL.0, REVIU_KALSEL.1).await;
    let central = app.token(CENTRAL.0, CENTRAL.1).await;
    // The provincial workflow does not offer web services (Kalimantan Selatan stopped them).
    let mut body = ordinary_request("pks-provinsi");
    body["access_method"] = json!("web_service");
    let res = app.post(&head, "/api/v1/applications", body.clone()).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["errors"][0]["code"], "method_not_allowed");
    assert_eq!(problem["errors"][0]["field"], "access_method");
    body["access_method"] = json!("card_reader");
    let id = submit(&app, &head, body).await["id"]
        .as_str()
        .unwrap()
        .to_string();

    app.attach(&head, &id, "signed:surat_permohonan").await;
    app.act(&coord, &id, "teruskan_ke_gubernur").await;
    app.issue(&coord, &id, "surat_persetujuan_gubernur").await;
    app.attach(&coord, &id, "signed:surat_persetujuan_gubernur")
        .await;
    app.act(&coord, &id, "catat_surat_gubernur").await;
    app.attach(&central, &id, "persetujuan_dirjen").await;
    app.act(&central, &id, "catat_persetujuan_dirjen").await;
    app.act(&coord, &id, "ajukan_draf_pks").await;
    // Four-eyes: the drafter's approval is refused, someone else's is taken.
    let v = app.detail(&coord, &id).await["version"].as_i64().unwrap();
    let res = app
        .post(
            &coord,
            &format!("/api/v1/applications/{id}/transitions"),
            json!({"action": "setujui_draf_pks", "expected_version": v}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.json::<Value>().await.unwrap()["errors"][0]["code"],
        "four_eyes"
    );
    app.act(&coord2, &id, "setujui_draf_pks").await;
    app.issue(&coord, &id, "pks").await;
    app.attach(&coord, &id, "signed:pks").await;
    app.act(&coord, &id, "catat_pks_ditandatangani").await;
    app.issue(&coord, &id, "juknis").await;
    app.attach(&coord, &id, "signed:juknis").await;
    app.act(&coord, &id, "catat_juknis_ditandatangani").await;
    app.attach(&head, &id, "spesifikasi_teknis").await;
    app.issue(&head, &id, "surat_spesifikasi_teknis").await;
    app.act(&head, &id, "ajukan_spesifikasi_teknis").await;
    app.attach(&head, &id, "pernyataan_jaringan").await;
    assert_eq!(
        app.command(&coord, &id, attestation()).await.status(),
        StatusCode::OK
    );
    app.issue(&head, &id, "surat_pernyataan_jaringan").await;
    app.act(&coord, &id, "verifikasi_jaringan_tertutup").await;
    app.issue(&coord, &id, "permohonan_user_id_uji").await;
    app.act(&central, &id, "terbitkan_user_id_uji").await;
    app.issue(&head, &id, "laporan_uji_beban").await;
    app.attach(&head, &id, "signed:laporan_uji_beban").await;
    app.act(&coord, &id, "catat_uji_beban_berhasil").await;
    app.issue(&coord, &id, "berita_acara_poc").await;
    app.attach(&coord, &id, "signed:berita_acara_poc").await;
    app.act(&coord, &id, "catat_poc_berhasil").await;
    app.issue(&coord, &id, "permohonan_user_id_produksi").await;
    let live = app.act(&central, &id, "terbitkan_user_id_produksi").await;
    assert_eq!(live["stage"], "akses_aktif");
    // Withdrawing the attestation suspends the live grant.
    let res = app
        .command(
            &coord,
            &id,
            json!({"command": "withdraw_attestation", "reason": "VPN diputus penyedia"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let after: Value = res.json().await.unwrap();
    let production = after["grants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["kind"] == "production")
        .unwrap();
    assert_eq!(production["status"], "suspended");
    app.stop().await;
}
on_both_databases!(provincial_walk);

/// The aggregate-data path ends with a printable reply: the coordinator types the figures in,
/// the reply is issued with them, and the step records it.
async fn aggregate_reply(db: Db) {
    let app = spawn_app(db).await;
    let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let list: Value = app
        .get(
            &coord,
            "/api/v1/applications?workflow=data-agregat&stage=permohonan",
        )
        .await
        .json()
        .await
        .unwrap();
    let id = list["items"][0]["id"]
        .as_str()
        .expect("an aggregate request")
        .to_string();
    // Without the figures the step is refused, saying to issue the reply first.
    let version = app.detail(&coord, &id).await["version"].as_i64().unwrap();
    let res = app
        .post(
            &coord,
            &format!("/api/v1/applications/{id}/transitions"),
            json!({"action": "jawab_dengan_surat", "expected_version": version}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(
        problem["errors"][0]["code"], "letter_not_issued",
        "{problem}"
    );
    let issued = app.issue(&coord, &id, "surat_jawaban_data_agregat").await;
    assert!(issued["number"].as_str().unwrap().starts_with("400.12/"));
    let done = app.act(&coord, &id, "jawab_dengan_surat").await;
    assert_eq!(done["stage"], "dijawab");
    let html = app
        .get(
            &coord,
            &format!("/api/v1/applications/{id}/letters/surat_jawaban_data_agregat"),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Jumlah penduduk") && html.contains("665.000"),
        "figures missing"
    );
    assert!(html.contains(issued["number"].as_str().unwrap()));
    app.stop().await;
}

on_both_databases!(aggregate_reply);
