//! The addendum of a live agreement in real headless Chromium (issue #15): the Pontianak
//! coordinator proposes it from the application page on its own form (the scope in force prefilled; a
//! proposal without its reason comes back beside the field and records nothing), the
//! coordinator drafts the addendum's text in the editor (the addendum's articles, not the old
//! PKS), the provincial reviewer approves it, and once its signed scan is on file the
//! coordinator records it: the user ID carries the new elements and quota, the history says so,
//! and the issued letter reads as an addendum to the numbered PKS. Over the API, a proposal is
//! refused field by field. Screenshots at 1280 and 390 px in `target/ui-screenshots/`.

mod common;
#[path = "browser/journey.rs"]
mod journey;
#[path = "browser/webdriver.rs"]
mod webdriver;

use common::who::*;
use common::*;
use journey::{shots, sign_in, sign_out};
use reqwest::StatusCode;
use serde_json::{Value, json};
use webdriver::Driver;

fn production(detail: &Value) -> Value {
    detail["grants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["kind"] == "production")
        .cloned()
        .expect("a production user ID")
}

#[actix_rt::test]
async fn a_coordinator_proposes_an_addendum_and_the_user_id_follows_it_once_signed() {
    let app = spawn_app(Db::Sqlite).await;
    let driver = Driver::start().await;
    let s = driver.session(1280, 1000).await;
    let dir = shots();
    let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let id = app.find(&coord, "akses_aktif").await;
    let before = production(&app.detail(&coord, &id).await);
    let page = app.url(&format!("/permohonan/{id}"));
    let form = app.url(&format!("/permohonan/{id}/adendum"));

    // 0. Over the API a proposal is checked as a request is, each problem by its field.
    let version = app.detail(&coord, &id).await["version"].as_i64().unwrap();
    let res = app
        .post(
            &coord,
            &format!("/api/v1/applications/{id}/transitions"),
            json!({
                "action": "usulkan_adendum", "comment": "Perluasan", "expected_version": version,
                "addendum": {"elements": [{"code": "sidik_jari", "justification": "x"}],
                             "access_method": "web_portal", "daily_quota": 0}
            }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = res.json().await.unwrap();
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert!(
        fields.contains(&"addendum.elements.sidik_jari")
            && fields.contains(&"addendum.daily_quota"),
        "{problem}"
    );
    assert_eq!(
        app.detail(&coord, &id).await["version"].as_i64().unwrap(),
        version,
        "nothing was recorded"
    );

    // 1. The coordinator opens the proposal from the live agreement's page (the agency head
    //    may too: both parties propose).
    sign_in(&s, &app, KOORD_PTK).await;
    s.goto(&page).await;
    s.click("[data-testid=propose-addendum]").await;
    s.wait_for("data-testid=\"scope-in-force\"").await;
    assert!(
        s.property("input[name=element][value=nik]", "checked")
            .await
            .as_bool()
            .unwrap(),
        "the scope in force is prefilled"
    );
    s.click("input[name=element][value=nama_ayah]").await;
    s.type_into(
        "#why_nama_ayah",
        "Verifikasi hubungan peserta didik dengan ayah pada jalur afirmasi",
    )
    .await;
    s.eval("document.getElementById('daily_quota').value = '2500'; return 0")
        .await;
    // Without its reason it comes back, the ticked element kept.
    s.eval("document.getElementById('comment').removeAttribute('required'); return 0")
        .await;
    s.click("[data-testid=addendum-submit]").await;
    s.wait_for("id=\"err-comment\"").await;
    assert!(
        s.property("input[name=element][value=nama_ayah]", "checked")
            .await
            .as_bool()
            .unwrap()
    );
    s.type_into("#comment", "Jalur afirmasi PPDB memerlukan data ayah")
        .await;
    s.screenshot(&dir, "addendum-01-proposal").await;
    s.click("[data-testid=addendum-submit]").await;
    s.wait_for(r#"data-testid="stage">Adendum: penyusunan draf adendum PKS<"#)
        .await;
    assert!(s.text("[data-testid=addendum]").await.contains("Nama ayah"));

    // 2. The coordinator drafts the addendum's text: its own articles, not the old PKS.
    s.goto(&app.url(&format!("/permohonan/{id}/pks/sunting")))
        .await;
    let editor = s.source().await;
    assert!(
        editor.contains("Perubahan Elemen Data"),
        "the addendum's articles"
    );
    assert!(editor.contains("Perubahan Batas Akses Harian"));
    s.click("[data-testid=submit-draft]").await;
    s.wait_for("Versi").await;
    sign_out(&s).await;

    // 3. The provincial reviewer approves it on the review page.
    sign_in(&s, &app, REVIEWER_KALBAR).await;
    s.goto(&app.url(&format!("/permohonan/{id}/pks"))).await;
    s.click("button[value=setujui_draf_adendum]").await;
    s.wait_for(r#"data-testid="stage">Adendum: penandatanganan adendum PKS<"#)
        .await;
    sign_out(&s).await;

    // 4. The addendum is numbered and its signed scan filed; the coordinator records it.
    let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let letter = app.issue(&coord, &id, "adendum_pks").await;
    app.attach(&coord, &id, "signed:adendum_pks").await;
    sign_in(&s, &app, KOORD_PTK).await;
    s.goto(&page).await;
    s.click("form[data-action=catat_adendum_ditandatangani] button.primary")
        .await;
    s.wait_for(r#"data-testid="stage">Akses aktif"#).await;
    let detail = app.detail(&coord, &id).await;
    let after = production(&detail);
    assert_eq!(
        after["valid_until"], before["valid_until"],
        "the term stays"
    );
    assert!(
        after["elements"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e == "nama_ayah"),
        "{after}"
    );
    assert_eq!(detail["daily_quota"], 2500);
    assert!(detail["addendum"].is_null());
    assert_eq!(s.text("[data-testid=daily-quota]").await, "2500");
    assert!(s.source().await.contains("mengikuti adendum"));
    s.screenshot(&dir, "addendum-02-signed-1280").await;

    // The issued letter reads as an addendum to the numbered PKS.
    let html = app
        .get(
            &coord,
            &format!("/api/v1/applications/{id}/letters/adendum_pks?format=html"),
        )
        .await
        .text()
        .await
        .unwrap();
    let pks_number = detail["letters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["letter"] == "pks")
        .and_then(|l| l["number"].as_str())
        .expect("the PKS is numbered")
        .to_string();
    assert!(html.contains("ADENDUM KESATU"), "{html}");
    assert!(html.contains(&pks_number), "it cites the PKS it amends");
    assert!(html.contains(letter["number"].as_str().unwrap()));
    assert!(html.contains("Nama ayah"));
    s.close().await;

    // The form on a phone: nothing wider than the screen.
    let phone = driver.session(390, 844).await;
    sign_in(&phone, &app, KOORD_PTK).await;
    phone.goto(&form).await;
    let widths = phone
        .eval("return [document.documentElement.scrollWidth, window.innerWidth]")
        .await;
    assert!(
        widths[0].as_i64().unwrap() <= widths[1].as_i64().unwrap(),
        "{widths}"
    );
    phone.screenshot(&dir, "addendum-03-form-390").await;
    phone.close().await;
    app.stop().await;
}
