//! The renewal of a live agreement in real headless Chromium (issue #15): the Pontianak
//! coordinator starts it from the application page, drafts the new PKS in the editor, the
//! provincial reviewer approves it on the review page, and once the signed PKS is on file the
//! coordinator records it: the application is back in live access and its user ID runs on to the
//! new end, said in the history. Screenshots at 1280 and 390 px in `target/ui-screenshots/`.

mod common;
#[path = "browser/journey.rs"]
mod journey;
#[path = "browser/webdriver.rs"]
mod webdriver;

use common::who::*;
use common::*;
use journey::{shots, sign_in, sign_out};
use serde_json::Value;
use webdriver::Driver;

fn production_until(detail: &Value) -> String {
    detail["grants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["kind"] == "production")
        .map(|g| g["valid_until"].as_str().unwrap().to_string())
        .expect("a production user ID")
}

#[actix_rt::test]
async fn a_coordinator_renews_a_live_agreement_without_a_gap() {
    use sepakat_web::Clock;
    let clock = std::sync::Arc::new(sepakat_web::ManualClock::new(chrono::Utc::now()));
    let app = spawn_app_with_clock(Db::Sqlite, clock.clone()).await;
    let driver = Driver::start().await;
    let s = driver.session(1280, 1000).await;
    let dir = shots();
    let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let id = app.find(&coord, "akses_aktif").await;
    let before = production_until(&app.detail(&coord, &id).await);
    let page = app.url(&format!("/permohonan/{id}"));

    // 0. Today the renewal is not open, and not the next step.
    sign_in(&s, &app, KOORD_PTK).await;
    s.goto(&page).await;
    assert!(
        !s.text("[data-testid=next-step]")
            .await
            .contains("Mulai perpanjangan PKS"),
        "a renewal is not next while the PKS has years to run"
    );
    sign_out(&s).await;

    // 170 days before the end the calendar has announced it: the renewal opens.
    let end: chrono::NaiveDate = before.parse().unwrap();
    let day = end - chrono::Duration::days(170);
    clock.set(chrono::TimeZone::from_utc_datetime(
        &chrono::Utc,
        &day.and_hms_opt(2, 0, 0).unwrap(),
    ));
    app.store
        .run_evaluation_calendar(clock.now())
        .await
        .unwrap();
    let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;

    // 1. The coordinator starts the renewal from the live agreement's page.
    sign_in(&s, &app, KOORD_PTK).await;
    s.goto(&page).await;
    assert!(
        s.text("form[data-action=mulai_perpanjangan]")
            .await
            .contains("Mulai perpanjangan PKS")
    );
    s.screenshot(&dir, "renewal-01-live-agreement").await;
    s.click("form[data-action=mulai_perpanjangan] button.primary")
        .await;
    s.wait_for(r#"data-testid="stage">Perpanjangan: penyusunan draf PKS baru<"#)
        .await;

    // 2. The new PKS is drafted in the editor, from the current text.
    s.goto(&app.url(&format!("/permohonan/{id}/pks/sunting")))
        .await;
    s.click("[data-testid=submit-draft]").await;
    s.wait_for("Versi").await;
    s.goto(&page).await;
    s.wait_for(r#"data-testid="stage">Perpanjangan: konsultasi draf PKS baru"#)
        .await;
    sign_out(&s).await;

    // 3. The provincial reviewer reads and approves it on the review page.
    sign_in(&s, &app, REVIEWER_KALBAR).await;
    s.goto(&app.url(&format!("/permohonan/{id}/pks"))).await;
    s.screenshot(&dir, "renewal-02-reviewer").await;
    s.click("button[value=setujui_draf_perpanjangan]").await;
    s.wait_for(r#"data-testid="stage">Perpanjangan: penandatanganan PKS baru<"#)
        .await;
    sign_out(&s).await;

    // 4. The new PKS is numbered and its signed scan filed (over the API, as the office's
    //    scanner would); the coordinator records the signing on the page.
    app.issue(&coord, &id, "pks").await;
    app.attach(&coord, &id, "signed:pks").await;
    sign_in(&s, &app, KOORD_PTK).await;
    s.goto(&page).await;
    s.click("form[data-action=catat_perpanjangan_ditandatangani] button.primary")
        .await;
    s.wait_for(r#"data-testid="stage">Akses aktif"#).await;
    let after = production_until(&app.detail(&coord, &id).await);
    assert!(after > before, "the user ID runs on: {before} → {after}");
    let history = s.source().await;
    assert!(
        history.contains("diperpanjang bersama PKS perpanjangan"),
        "the history says the user ID was extended"
    );
    assert!(
        s.text("[data-testid=grants]").await.contains(&after[..4]),
        "the new end's year is shown"
    );
    s.screenshot(&dir, "renewal-03-extended-1280").await;
    s.close().await;

    // The same page on a phone: nothing wider than the screen.
    let phone = driver.session(390, 844).await;
    sign_in(&phone, &app, KOORD_PTK).await;
    phone.goto(&page).await;
    let widths = phone
        .eval("return [document.documentElement.scrollWidth, window.innerWidth]")
        .await;
    assert!(
        widths[0].as_i64().unwrap() <= widths[1].as_i64().unwrap(),
        "{widths}"
    );
    phone.screenshot(&dir, "renewal-03-extended-390").await;
    phone.close().await;
    app.stop().await;
}
