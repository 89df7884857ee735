//! Letters rendered from the demo data through the API and the CLI: every numbered letter as
//! HTML and PDF, drafts without a number, scope, archiving, and hostile values kept as text.

mod common;

use common::who::*;
use common::*;
use reqwest::StatusCode;
use sepakat_store::ApplicationFilter;
use serde_json::{Value, json};
use std::process::Command;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('=', "&#x3D;")
}

fn letter_path(id: impl std::fmt::Display, letter: &str) -> String {
    format!("/api/v1/applications/{id}/letters/{letter}")
}

async fn every_numbered_letter_renders(db: Db) {
    let app = spawn_app(db).await;
    let central = app.token(CENTRAL.0, CENTRAL.1).await;
    let coord_ptk = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let head_disdik = app.token(HEAD_DISDIK_PTK.0, HEAD_DISDIK_PTK.1).await;

    let filter = ApplicationFilter {
        limit: Some(500),
        ..ApplicationFilter::default()
    };
    let apps = app.store.list_applications(&filter).await.unwrap().items;
    let mut rendered = 0;
    let mut reports = 0;
    let mut workflows = std::collections::BTreeSet::new();
    for row in &apps {
        let agency = app.store.agency(row.agency_id).await.unwrap();
        let letters = app.store.application_letters(row.id).await.unwrap();
        for l in &letters {
            let number = l.printed_number();
            // The agency's own letters carry the agency's number, never the office's.
            if sepakat_core::workflow::issued_by_agency(&l.letter) {
                assert_eq!(l.agency_id, Some(agency.id), "{}", l.letter);
                assert!(
                    number.contains(&format!("/{}/", agency.letter_unit)),
                    "{}: {number} is not in {}'s register",
                    l.letter,
                    agency.name
                );
            } else if l.register.as_deref() == Some("regional_secretariat") {
                // The regional head's letters take the regional secretariat's register.
                assert!(number.contains("/Setda/"), "{}: {number}", l.letter);
                assert_ne!(number, l.number, "{}", l.letter);
            } else if l.register.as_deref() != Some("provincial_office") {
                assert_eq!(number, l.number, "{}", l.letter);
            }
            // Each issue by its id: a letter produced more than once (an evaluation report per
            // evaluation) renders each time with its own number.
            let path = letter_path(row.id, &l.letter);
            let res = app
                .get(&central, &format!("{path}?format=html&issue={}", l.id))
                .await;
            assert_eq!(res.status(), StatusCode::OK, "{} of {}", l.letter, row.id);
            assert_eq!(
                res.headers()["content-type"],
                "text/html; charset=utf-8",
                "{}",
                l.letter
            );
            assert_eq!(res.headers()["x-letter-number"], number);
            let html = res.text().await.unwrap();
            assert!(
                html.contains(&escape(number)),
                "{}: number {number} missing",
                l.letter,
            );
            if l.letter == "laporan_evaluasi" {
                // The report states the outcome recorded with it, in words.
                assert!(html.contains("Hasil evaluasi"), "{html}");
                assert!(
                    ["memenuhi", "memenuhi dengan catatan", "tidak memenuhi"]
                        .iter()
                        .any(|o| html.contains(&format!("<td>{o}</td>"))),
                    "no outcome in the report"
                );
                assert!(html.contains("Semester") || html.contains("insidental"));
                reports += 1;
            }
            assert!(
                html.contains(&escape(&agency.name)),
                "{}: agency {} missing",
                l.letter,
                agency.name
            );
            assert!(!html.contains("draf — belum bernomor"), "{}", l.letter);

            let res = app
                .get(&central, &format!("{path}?format=pdf&issue={}", l.id))
                .await;
            assert_eq!(res.status(), StatusCode::OK, "{} as PDF", l.letter);
            assert_eq!(res.headers()["content-type"], "application/pdf");
            let pdf = res.bytes().await.unwrap();
            assert!(pdf.starts_with(b"%PDF"), "{} is no PDF", l.letter);
            rendered += 1;
            workflows.insert(row.workflow_name.clone());
        }
    }
    assert!(rendered >= 20, "only {rendered} letters rendered");
    assert!(
        reports >= 2,
        "RSUD Ulin's two evaluation reports were not both rendered"
    );
    // An issue of another letter, or of another application, is not found.
    let any = app.store.application_letters(apps[0].id).await.unwrap();
    let res = app
        .get(
            &central,
            &format!(
                "{}?issue={}",
                letter_path(apps[1].id, &any[0].letter),
                any[0].id
            ),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(workflows.contains("pks-provinsi") && workflows.contains("pks-kabkota"));

    // A Kalimantan Selatan application is out of Pontianak's scope and of another agency's.
    let kalsel = apps
        .iter()
        .find(|r| r.workflow_name == "pks-provinsi" && r.stage == "akses_aktif")
        .expect("a live Kalsel application");
    for token in [&coord_ptk, &head_disdik] {
        let res = app
            .get(token, &letter_path(kalsel.id, "surat_permohonan"))
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }

    // A bad format, a name that is no letter, and a letter of another workflow.
    let res = app
        .get(
            &central,
            &format!("{}?format=docx", letter_path(kalsel.id, "pks")),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    for name in ["nope", "surat_izin_kepala_daerah"] {
        let res = app.get(&central, &letter_path(kalsel.id, name)).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{name}");
    }

    // A letter the application has not reached yet is a draft without a number.
    let fresh = apps
        .iter()
        .find(|r| r.workflow_name == "pks-provinsi" && r.stage == "permohonan")
        .expect("a fresh provincial application");
    let numbers: Vec<String> = app
        .store
        .application_letters(fresh.id)
        .await
        .unwrap()
        .into_iter()
        .flat_map(|l| [l.printed_number().to_string(), l.number])
        .collect();
    assert!(!numbers.is_empty());
    // A PKS under review reads as a draft: no number, nothing of the register.
    for format in ["html", "pdf"] {
        let res = app
            .get(
                &central,
                &format!("{}?format={format}", letter_path(fresh.id, "pks")),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers().get("x-letter-number").is_none());
        let body = res.bytes().await.unwrap();
        if format == "html" {
            let html = String::from_utf8(body.to_vec()).unwrap();
            assert!(html.contains("belum bernomor"), "draft marker missing");
            assert!(!html.contains("/Disdukcapil-KB/"), "a draft shows a number");
            for n in &numbers {
                assert!(!html.contains(n.as_str()));
            }
        } else {
            assert!(body.starts_with(b"%PDF"));
        }
    }

    // The aggregate-data answer needs figures Sepakat does not hold: a 422 naming the field,
    // never a letter with a silent blank.
    let agregat = apps
        .iter()
        .find(|r| r.workflow_name == "data-agregat")
        .expect("an aggregate-data application");
    let res = app
        .get(
            &central,
            &letter_path(agregat.id, "surat_jawaban_data_agregat"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["errors"][0]["code"], "letter_fact_missing");
    assert_eq!(problem["errors"][0]["field"], "aggregate");

    // The CLI renders the same letter to a file.
    let db_url = app.db.as_ref().unwrap().url().to_string();
    let render_cli = |application: uuid::Uuid,
                      letter: &str,
                      format: &str,
                      out: &std::path::Path,
                      extra: &[&std::ffi::OsStr]| {
        Command::new(env!("CARGO_BIN_EXE_sepakat"))
            .args(["letters", "render", "--application"])
            .arg(application.to_string())
            .args(["--letter", letter, "--format", format, "--out"])
            .arg(out)
            .args(extra)
            .env("DATABASE_URL", &db_url)
            .output()
            .unwrap()
    };
    let out = std::env::temp_dir().join(format!("sepakat-letter-{}.html", uuid::Uuid::new_v4()));
    let l = &app.store.application_letters(kalsel.id).await.unwrap()[0];
    let run = render_cli(kalsel.id, &l.letter, "html", &out, &[]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let html = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_file(&out).ok();
    assert!(html.contains(&escape(l.printed_number())));
    let pdf_out = out.with_extension("pdf");
    let run = render_cli(kalsel.id, "pks", "pdf", &pdf_out, &[]);
    assert!(run.status.success());
    let pdf = std::fs::read(&pdf_out).unwrap();
    std::fs::remove_file(&pdf_out).ok();
    assert!(pdf.starts_with(b"%PDF"));
    // The CLI renders with the operator's templates, as the server does: a draft PKS of the
    // fresh application comes from `--templates`' `letters/pks.hbs`.
    let templates = std::env::temp_dir().join(format!("sepakat-tpl-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(templates.join("letters")).unwrap();
    std::fs::write(
        templates.join("letters/pks.hbs"),
        "{{#> layout doc_title=\"PKS\" page_footer=\"none\"}}<p>PKS kantor sendiri</p>{{/layout}}",
    )
    .unwrap();
    let with_templates = [std::ffi::OsStr::new("--templates"), templates.as_os_str()];
    let run = render_cli(fresh.id, "pks", "html", &out, &with_templates);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let html = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_file(&out).ok();
    assert!(html.contains("PKS kantor sendiri"), "{html}");
    // A misspelt override is refused by name, before anything is written.
    std::fs::write(templates.join("letters/pks_draf.hbs"), "x").unwrap();
    let run = render_cli(fresh.id, "pks", "html", &out, &with_templates);
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("pks_draf.hbs") && stderr.contains("no template is called `pks_draf`"),
        "{stderr}"
    );
    assert!(!out.exists());
    std::fs::remove_dir_all(&templates).ok();

    // An unknown letter is a clear error, not a file.
    let run = render_cli(kalsel.id, "nope", "pdf", &pdf_out, &[]);
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("`nope` is not a letter"));
    assert!(!pdf_out.exists());

    app.stop().await;
}
on_both_databases!(every_numbered_letter_renders);

async fn archive_and_hostile_values(db: Db) {
    let app = spawn_app(db).await;
    let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let coord_kalsel = app.token(KOORD_KALSEL.0, KOORD_KALSEL.1).await;
    let head = app.token(HEAD_DISDIK_PTK.0, HEAD_DISDIK_PTK.1).await;

    // A hostile purpose stays text in the letter numbered at submission.
    let mut body = ordinary_request("pks-kabkota");
    body["purpose"] = json!("Verifikasi <script>alert(1)</script> data {{x}} penerima layanan");
    let res = app.post(&head, "/api/v1/applications", body).await;
    let status = res.status();
    let created: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let number = created["letters"][0]["number"]
        .as_str()
        .unwrap()
        .to_string();
    let res = app.get(&head, &letter_path(&id, "surat_permohonan")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains(&number));
    assert!(!html.contains("<script>"), "script tag came through");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("{{x}}"), "handlebars syntax was interpreted");
    let res = app
        .get(
            &head,
            &format!("{}?format=pdf", letter_path(&id, "surat_permohonan")),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.bytes().await.unwrap().starts_with(b"%PDF"));

    // Only coordinators and Ditjen archive; an agency head may not.
    let archive = format!("{}/archive", letter_path(&id, "surat_permohonan"));
    let res = app.post(&head, &archive, json!({})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Out of scope: Kalsel's coordinator does not see a Pontianak application.
    let res = app.post(&coord_kalsel, &archive, json!({})).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Issuing kept the PDF: it downloads at once, with the hash recorded on the letter.
    let res = app.get(&coord, &archive).await;
    assert_eq!(res.status(), StatusCode::OK);
    let sha = res.headers()["x-content-sha256"]
        .to_str()
        .unwrap()
        .to_string();
    let issued = app
        .store
        .application_letters(id.parse().unwrap())
        .await
        .unwrap();
    let request_letter = issued
        .iter()
        .find(|l| l.letter == "surat_permohonan")
        .unwrap();
    assert_eq!(Some(sha.as_str()), request_letter.pdf_sha256.as_deref());
    // A letter the application has not reached has no number to archive.
    let res = app
        .post(
            &coord,
            &format!("{}/archive", letter_path(&id, "pks")),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["errors"][0]["code"], "letter_not_numbered");

    let res = app.post(&coord, &archive, json!({})).await;
    let status = res.status();
    let archived: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{archived}");
    assert_eq!(archived["number"], number.as_str());
    let sha = archived["document_sha256"].as_str().unwrap().to_string();
    assert_eq!(sha.len(), 64);
    let row = app
        .store
        .letter(archived["id"].as_str().unwrap().parse().unwrap())
        .await
        .unwrap();
    assert_eq!(row.document_sha256.as_deref(), Some(sha.as_str()));

    // The archived PDF downloads back, and its bytes hash to the recorded SHA-256.
    let res = app.get(&head, &archive).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["x-content-sha256"], sha.as_str());
    let pdf = res.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let scratch = std::env::temp_dir().join(format!("sepakat-sha-{}", uuid::Uuid::new_v4()));
    let recomputed = sepakat_web::blobs::BlobStore::new(&scratch)
        .put(&pdf)
        .unwrap();
    std::fs::remove_dir_all(&scratch).ok();
    assert_eq!(recomputed, sha);
    // The endpoints are documented.
    let doc: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let letters = &doc["paths"]["/api/v1/applications/{id}/letters/{letter}"];
    assert!(letters.get("get").is_some(), "preview undocumented");
    let archive_doc = &doc["paths"]["/api/v1/applications/{id}/letters/{letter}/archive"];
    assert!(archive_doc.get("post").is_some() && archive_doc.get("get").is_some());

    // The detail lists the letter with its SHA-256.
    let detail = app.detail(&head, &id).await;
    assert_eq!(detail["letters"][0]["document_sha256"], sha.as_str());

    app.stop().await;
}
on_both_databases!(archive_and_hostile_values);

/// An office that registers a logo and a head whose rank is recorded: the next letter the
/// office issues carries both, in its HTML and its PDF, while a letter issued before keeps the
/// letterhead it was issued with.
async fn a_logo_and_a_rank_reach_the_next_issued_letter(db: Db) {
    let app = spawn_app(db).await;
    let central = app.token(CENTRAL.0, CENTRAL.1).await;
    let coord = app.token(KOORD_KALSEL.0, KOORD_KALSEL.1).await;
    let head = app
        .token(HEAD_DPMPTSP_KALSEL.0, HEAD_DPMPTSP_KALSEL.1)
        .await;
    // The demo leaves DPMPTSP Kalimantan Selatan at the closed-network check: take it to the
    // request for a test user ID, a letter on the office's letterhead signed by its head.
    let id = app.find(&head, "jaringan_tertutup").await;
    app.attach(&head, &id, "signed:surat_pernyataan_jaringan")
        .await;
    let res = app
        .command(
            &coord,
            &id,
            json!({"command": "record_attestation", "details": {
                "connection": "vpn_agency_to_disdukcapil",
                "provider": "Diskominfo Provinsi Kalimantan Selatan",
                "cost_borne_by": "Lembaga pengguna",
                "technical_contact": "Tim teknis DPMPTSP"
            }}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    app.act(&coord, &id, "verifikasi_jaringan_tertutup").await;
    let uuid: uuid::Uuid = id.parse().unwrap();
    let office = app.store.application(uuid).await.unwrap().row.office_id;
    let before = app.store.application_letters(uuid).await.unwrap();
    let earlier = before.first().expect("a letter issued at submission");

    let logo = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 40 48\"><path d=\"M4 4h32v24c0 10-16 18-16 18S4 38 4 28z\" fill=\"#1b5e20\"/></svg>\n";
    app.store
        .set_office_logo(office, Some(logo.as_bytes()))
        .await
        .unwrap();
    let rank = "Pembina Tingkat I (IV/b)";
    for a in app.store.accounts().await.unwrap() {
        if a.office_id == Some(office) && a.role == sepakat_core::Role::Coordinator {
            app.store
                .set_account_rank(a.id, Some(rank), chrono::Utc::now())
                .await
                .unwrap();
        }
    }

    let issued = app.issue(&coord, &id, "permohonan_user_id_uji").await;
    let issue = issued["id"].as_str().expect("the issued letter's id");
    let path = letter_path(&id, "permohonan_user_id_uji");
    let res = app
        .get(&central, &format!("{path}?format=html&issue={issue}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(logo);
    assert!(
        html.contains(&format!(
            "<img class=\"logo\" src=\"data:image/svg+xml;base64,{encoded}\""
        )),
        "no logo on the letterhead"
    );
    assert!(html.contains(&escape(rank)), "no rank under the name");
    let res = app
        .get(&central, &format!("{path}?format=pdf&issue={issue}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.bytes().await.unwrap().starts_with(b"%PDF"));

    // The letter issued before the logo existed is served as it was issued.
    let res = app
        .get(
            &central,
            &format!(
                "{}?format=html&issue={}",
                letter_path(&id, &earlier.letter),
                earlier.id
            ),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(!res.text().await.unwrap().contains("class=\"logo\""));
    app.stop().await;
}
on_both_databases!(a_logo_and_a_rank_reach_the_next_issued_letter);

/// A draft is dated on the office's day by the core's calendar, on the server's clock: at 23:30
/// on 31 August in the office's zone the PKS draft still says 31 August, and half an hour later
/// 1 September, while UTC's date is still 31 August (#14).
#[actix_rt::test]
async fn a_draft_is_dated_on_the_offices_day() {
    use chrono::{Duration, NaiveDate};
    use sepakat_letters::indonesian::{date_in_words, day_name};
    let clock = std::sync::Arc::new(sepakat_web::ManualClock::new(chrono::Utc::now()));
    let app = spawn_app_with_clock(Db::Sqlite, clock.clone()).await;
    let filter = ApplicationFilter {
        limit: Some(500),
        ..ApplicationFilter::default()
    };
    let apps = app.store.list_applications(&filter).await.unwrap().items;
    let fresh = apps
        .iter()
        .find(|r| r.workflow_name == "pks-provinsi" && r.stage == "permohonan")
        .expect("a fresh provincial application");
    let offset = app
        .store
        .office(fresh.office_id)
        .await
        .unwrap()
        .utc_offset_minutes;
    let last = NaiveDate::from_ymd_opt(2031, 8, 31).unwrap();
    let local_midnight = (last + Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        - Duration::minutes(i64::from(offset));
    for (at, day) in [
        (local_midnight - Duration::minutes(30), last),
        (
            local_midnight + Duration::minutes(30),
            last + Duration::days(1),
        ),
    ] {
        clock.set(at);
        assert_eq!(at.date_naive(), last, "UTC's date is still 31 August");
        let central = app.token(CENTRAL.0, CENTRAL.1).await;
        let res = app.get(&central, &letter_path(fresh.id, "pks")).await;
        assert_eq!(res.status(), StatusCode::OK);
        let html = res.text().await.unwrap();
        let said = format!("Pada hari ini {} {}", day_name(day), date_in_words(day));
        assert!(html.contains(&said), "at {at}: `{said}` missing");
    }
    app.stop().await;
}
