//! The public verification page of issued letters, in real headless Chromium against a real
//! server over the demo database: a visitor with no account types the code printed on a letter,
//! sees what the letter says it is, and checks a PDF against it. Screenshots go to
//! `target/ui-screenshots/` (20–24).

mod common;
#[path = "browser/journey.rs"]
mod journey;
#[path = "browser/webdriver.rs"]
mod webdriver;

use common::who::*;
use common::*;
use journey::shots;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use sepakat_store::entity::letters;
use serde_json::Value;
use std::path::{Path, PathBuf};
use uuid::Uuid;
use webdriver::{Driver, Session};

/// The test server takes uploads of at most 64 KiB; a letter whose PDF fits.
const FITS: u64 = 60 * 1024;

/// A demo letter a Kota Pontianak coordinator can fetch, whose PDF fits the upload limit:
/// preferably one signed on someone's behalf (*a.n.*), so the page shows that line too.
async fn a_demo_letter(app: &TestApp, coord: &str) -> letters::Model {
    let list: Value = app
        .get(coord, "/api/v1/applications?limit=100")
        .await
        .json()
        .await
        .unwrap();
    let visible: Vec<Uuid> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["id"].as_str()?.parse().ok())
        .collect();
    assert!(!visible.is_empty(), "{list}");
    let all = letters::Entity::find()
        .filter(letters::Column::Snapshot.is_not_null())
        .filter(letters::Column::ApplicationId.is_in(visible))
        .order_by_asc(letters::Column::IssuedAt)
        .all(app.store.connection())
        .await
        .unwrap();
    let fits = |l: &&letters::Model| {
        let sha = l.pdf_sha256.as_deref().unwrap();
        std::fs::metadata(app.blobs.join(&sha[..2]).join(sha)).is_ok_and(|m| m.len() <= FITS)
    };
    let on_behalf = |l: &&letters::Model| snapshot(l)["signatory"]["on_behalf_of"].is_string();
    all.iter()
        .filter(fits)
        .find(on_behalf)
        .or_else(|| all.iter().find(fits))
        .cloned()
        .unwrap_or_else(|| panic!("no issued demo letter with a PDF under {FITS} bytes"))
}

fn snapshot(l: &letters::Model) -> Value {
    serde_json::from_str(l.snapshot.as_deref().unwrap()).unwrap()
}

/// A PDF that is no issued letter, and its SHA-256 (`sha256sum`).
const OTHER_PDF: &[u8] = b"%PDF-1.4\n% bukan surat yang diterbitkan\n%%EOF\n";
const OTHER_SHA256: &str = "dfee59f998e654c3b2782dfeb84a377018c3835938c04c1e8b5970cddbd0b11b";

fn temp_pdf(name: &str, bytes: &[u8]) -> PathBuf {
    let path = std::env::temp_dir().join(format!("{name}-{}.pdf", Uuid::new_v4().simple()));
    std::fs::write(&path, bytes).unwrap();
    path
}

async fn upload(s: &Session, file: &Path) {
    s.choose_file("#file", file).await;
    s.click("#pdf-form button").await;
}

/// Nothing wider than the screen.
async fn fits_the_screen(s: &Session) {
    let widths = s
        .eval("return [document.documentElement.scrollWidth, window.innerWidth]")
        .await;
    let (page, screen) = (widths[0].as_i64().unwrap(), widths[1].as_i64().unwrap());
    assert!(
        page <= screen,
        "page is {page}px wide on a {screen}px screen"
    );
}

async fn a_visitor_verifies_a_letter_and_a_pdf(backend: Db) {
    let app = spawn_app(backend).await;
    let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let letter = a_demo_letter(&app, &coord).await;
    let snap = snapshot(&letter);
    let code = letter.verification_code.clone().unwrap();
    let recorded = letter.pdf_sha256.clone().unwrap();
    let app_before = app.store.application(letter.application_id).await.unwrap();

    // The coordinator fetches the issued PDF through the API: exactly the recorded bytes.
    let res = app
        .get(
            &coord,
            &format!(
                "/api/v1/applications/{}/letters/{}?format=pdf&issue={}",
                letter.application_id, letter.letter, letter.id
            ),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let pdf = res.bytes().await.unwrap().to_vec();
    // The blob store hands out only bytes that hash to their key: the same bytes.
    let kept = sepakat_web::blobs::BlobStore::new(&app.blobs)
        .get(&recorded)
        .unwrap()
        .expect("the issued PDF is in the blob store");
    assert_eq!(kept, pdf, "the API serves the issued PDF");
    let real = temp_pdf("surat-asli", &pdf);
    let other = temp_pdf("surat-lain", OTHER_PDF);

    let driver = Driver::start().await;
    let s = driver.session(1280, 1000).await;
    let dir = shots();

    // 1. No sign-in: the code typed as a person reads it off paper (lower case, with the dash).
    s.goto(&app.url("/verifikasi")).await;
    assert_eq!(s.text("h1").await, "Verifikasi surat");
    s.type_into(
        "#kode",
        &format!("{}-{}", code[..5].to_lowercase(), code[5..].to_lowercase()),
    )
    .await;
    s.click("[data-testid=code-form] button").await;
    s.wait_for("data-testid=\"number\"").await;
    assert_eq!(
        s.current_url().await,
        app.url(&format!("/verifikasi/{code}"))
    );
    assert_eq!(s.text("h1").await, "Surat terverifikasi");
    let number = snap["number"].as_str().unwrap();
    assert_eq!(number, letter.printed_number());
    assert_eq!(s.text("[data-testid=number]").await, number);
    assert_eq!(
        s.text("[data-testid=issuer]").await,
        snap["issuer"]["name"].as_str().unwrap()
    );
    assert_eq!(
        s.text("[data-testid=subject]").await,
        snap["subject"].as_str().unwrap()
    );
    let signatory = s.text("[data-testid=signatory]").await;
    for part in ["name", "position", "on_behalf_of"] {
        if let Some(v) = snap["signatory"][part].as_str() {
            assert!(signatory.contains(v), "{part} `{v}` in `{signatory}`");
        }
    }
    assert_eq!(s.text("[data-testid=sha256]").await, recorded);
    assert_eq!(
        s.text("[data-testid=code]").await,
        format!("{}-{}", &code[..5], &code[5..])
    );
    // Nothing else: no application id, no other person of the letter.
    let page = s.source().await;
    assert!(!page.contains(&letter.application_id.to_string()));
    assert!(!page.contains(&letter.id.to_string()));
    for person in ["disdukcapil", "agency"] {
        let head = snap[person]["head"]["name"].as_str().unwrap_or_default();
        let signer = snap["signatory"]["name"].as_str().unwrap_or_default();
        if !head.is_empty() && head != signer {
            assert!(!page.contains(head), "{person} head `{head}` shown");
        }
    }
    s.screenshot(&dir, "20-verify-letter").await;

    // 2. A PDF that is not the letter: does not match, both hashes side by side.
    upload(&s, &other).await;
    s.wait_for("data-testid=\"result\"").await;
    assert_eq!(s.text("[data-testid=verdict]").await, "Tidak cocok");
    assert_eq!(s.text("[data-testid=recorded-hash]").await, recorded);
    assert_eq!(s.text("[data-testid=uploaded-hash]").await, OTHER_SHA256);
    s.eval("document.getElementById('h-check').scrollIntoView()")
        .await;
    s.screenshot(&dir, "21-verify-mismatch").await;

    // 3. The issued PDF: matches.
    upload(&s, &real).await;
    s.wait_for("data-matches=\"true\"").await;
    assert_eq!(s.text("[data-testid=verdict]").await, "Cocok");
    assert_eq!(s.text("[data-testid=uploaded-hash]").await, recorded);
    s.eval("document.getElementById('h-check').scrollIntoView()")
        .await;
    s.screenshot(&dir, "22-verify-match").await;

    // 4. A code no letter carries, and one that is no code at all: the not-found page.
    s.goto(&app.url("/verifikasi/ZZZZZ-ZZZZZ")).await;
    assert_eq!(s.text("h1").await, "Kode verifikasi tidak ditemukan");
    assert!(
        s.text("[data-testid=not-found]")
            .await
            .contains("Tidak ada surat yang diterbitkan dengan kode tersebut")
    );
    assert_eq!(s.text("[data-testid=typed-code]").await, "ZZZZZ-ZZZZZ");
    assert_eq!(s.count("#kode").await, 1, "the form to try again");
    s.screenshot(&dir, "23-verify-unknown").await;
    s.goto(&app.url("/verifikasi?kode=bukan-kode")).await;
    assert_eq!(s.text("h1").await, "Kode verifikasi tidak ditemukan");
    // In English on the switch.
    s.goto(&app.url(&format!("/verifikasi/{code}"))).await;
    s.click("header a[lang=en]").await;
    s.wait_for("Verified letter").await;
    assert!(
        s.text("[data-testid=letter]")
            .await
            .contains("Issuing office")
    );
    s.close().await;

    // 5. On a phone, from the QR code: the letter and a matching PDF, nothing off the screen.
    let phone = driver.session(390, 844).await;
    phone.goto(&app.url(&format!("/verifikasi/{code}"))).await;
    phone.wait_for("data-testid=\"sha256\"").await;
    fits_the_screen(&phone).await;
    upload(&phone, &real).await;
    phone.wait_for("data-matches=\"true\"").await;
    fits_the_screen(&phone).await;
    phone
        .eval("document.querySelector('[data-testid=result]').scrollIntoView()")
        .await;
    phone.screenshot(&dir, "24-phone-verify-match").await;
    phone.close().await;

    // The answers over plain HTTP: the status codes, the security headers, and an oversized
    // file refused by the upload limit.
    let anon = reqwest::Client::new();
    let res = anon
        .get(app.url(&format!("/verifikasi/{code}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-store"),
    ] {
        assert_eq!(res.headers()[name], value, "{name}");
    }
    assert!(
        res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    let res = anon
        .get(app.url("/verifikasi/ZZZZZZZZZZ"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let big = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(vec![b'%'; 200 * 1024]).file_name("besar.pdf"),
    );
    let res = anon
        .post(app.url(&format!("/verifikasi/{code}")))
        .multipart(big)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.text().await.unwrap().contains("Berkas terlalu besar"));

    // Anonymous visits left no trace on the application: same version, same audit chain.
    let app_after = app.store.application(letter.application_id).await.unwrap();
    assert_eq!(app_after.row.version, app_before.row.version);
    assert_eq!(app_after.row.event_count, app_before.row.event_count);
    assert_eq!(
        app_after.row.last_event_hash,
        app_before.row.last_event_hash
    );
    assert!(app.store.verify_audit().await.unwrap().is_ok());

    std::fs::remove_file(real).ok();
    std::fs::remove_file(other).ok();
    app.stop().await;
}

on_both_databases!(a_visitor_verifies_a_letter_and_a_pdf);
