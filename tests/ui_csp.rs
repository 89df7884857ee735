//! The pages under their Content-Security-Policy, in headless Chromium: every page a person
//! opens renders and its scripts work (the request form's protected elements, the upload), and
//! the browser reports no refusal; an inline script that is not the page's own does not run.

mod common;
#[path = "browser/webdriver.rs"]
mod webdriver;

use common::who::*;
use common::*;
use webdriver::{Driver, Session};

async fn no_csp_refusal(s: &Session, page: &str) {
    let refused: Vec<String> = s
        .console()
        .await
        .into_iter()
        .filter(|m| m.contains("Content Security Policy") || m.contains("Content-Security-Policy"))
        .collect();
    assert!(
        refused.is_empty(),
        "{page}: the browser refused {refused:#?}"
    );
}

#[actix_rt::test]
async fn pages_work_under_their_content_security_policy() {
    let app = spawn_app(Db::Sqlite).await;
    let driver = Driver::start().await;
    let s = driver.session(1280, 1000).await;

    s.goto(&app.url("/masuk")).await;
    s.wait_for("id=\"password\"").await;
    no_csp_refusal(&s, "/masuk").await;
    s.type_into("#email", HEAD_DINKES_PTK.0).await;
    s.type_into("#password", HEAD_DINKES_PTK.1).await;
    s.click("button[type=submit].primary").await;
    s.wait_for("data-testid=\"who\"").await;
    no_csp_refusal(&s, "/ (inbox)").await;

    // The request form's script: a law-enforcement purpose opens the protected elements.
    s.goto(&app.url("/permohonan/baru")).await;
    assert_eq!(
        s.property("input[value=sidik_jari]", "disabled").await,
        true
    );
    s.select("#purpose_kind", "law_enforcement").await;
    assert_eq!(
        s.property("input[value=sidik_jari]", "disabled").await,
        false,
        "the form's script ran"
    );
    no_csp_refusal(&s, "/permohonan/baru").await;

    // The upload script (fetch with the CSRF header from the form's data attributes).
    let head = app.token(HEAD_DINKES_PTK.0, HEAD_DINKES_PTK.1).await;
    let res = app
        .post(
            &head,
            "/api/v1/applications",
            ordinary_request("pks-kabkota"),
        )
        .await;
    let id = res.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    s.goto(&app.url(&format!("/permohonan/{id}"))).await;
    s.wait_for("id=\"upload-form\"").await;
    no_csp_refusal(&s, "/permohonan/{id}").await;
    let scan = std::env::temp_dir().join(format!("csp-{}.pdf", uuid::Uuid::new_v4().simple()));
    std::fs::write(&scan, b"%PDF-1.4\n% surat bertanda tangan\n%%EOF\n").unwrap();
    s.select("#key", "signed:surat_permohonan").await;
    s.choose_file("#file", &scan).await;
    s.click("#upload-form button").await;
    s.wait_for(scan.file_name().unwrap().to_str().unwrap())
        .await;
    assert!(
        s.current_url().await.contains("done=1"),
        "the upload script went on to the page"
    );
    no_csp_refusal(&s, "upload").await;

    for page in [
        "/permohonan",
        "/alur/pks-kabkota",
        "/api/docs",
        "/verifikasi",
        "/tidak-ada",
    ] {
        s.goto(&app.url(page)).await;
        s.wait_for("</body>").await;
        no_csp_refusal(&s, page).await;
    }
    // A coordinator's dashboard.
    s.click("header form button").await;
    s.wait_for("id=\"password\"").await;
    s.type_into("#email", KOORD_KALSEL.0).await;
    s.type_into("#password", KOORD_KALSEL.1).await;
    s.click("button[type=submit].primary").await;
    s.wait_for("data-testid=\"who\"").await;
    s.goto(&app.url("/dasbor")).await;
    s.wait_for("</body>").await;
    no_csp_refusal(&s, "/dasbor").await;

    // The policy is enforced: an inline script slipped into the page does not run, and the
    // browser says so.
    let ran = s
        .eval(
            "var e = document.createElement('script'); e.textContent = 'window.__injected = 1';\
             document.body.appendChild(e); return window.__injected === 1;",
        )
        .await;
    assert_eq!(ran, false, "an injected inline script ran");
    let refused = s.console().await;
    assert!(
        refused
            .iter()
            .any(|m| m.contains("Content Security Policy")),
        "the refusal is reported: {refused:?}"
    );
    s.close().await;
    app.stop().await;
}
