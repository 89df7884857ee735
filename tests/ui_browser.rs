//! The pages, driven in real headless Chromium (through chromedriver) as each kind of user
//! would use them. Every journey saves screenshots under `target/ui-screenshots/` so a reader
//! can see what the user saw.

mod common;
#[path = "browser/journey.rs"]
mod journey;
#[path = "browser/webdriver.rs"]
mod webdriver;

use common::who::*;
use common::*;
use journey::{shots, sign_in, sign_out};
use webdriver::Driver;

#[actix_rt::test]
async fn request_advance_and_pks_review_journeys() {
    let app = spawn_app(Db::Sqlite).await;
    let driver = Driver::start().await;
    let s = driver.session(1280, 1000).await;
    let dir = shots();

    // 1. An agency head: protected elements are shown disabled with the reason; a bad request is
    //    refused with every error beside its field and nothing typed lost; then a valid one.
    sign_in(&s, &app, HEAD_DINKES_PTK).await;
    assert!(
        s.text("[data-testid=who]")
            .await
            .contains("Kepala lembaga pengguna")
    );
    s.goto(&app.url("/permohonan/baru")).await;
    assert_eq!(
        s.property("input[value=sidik_jari]", "disabled").await,
        true
    );
    assert!(
        s.text("#why-protected-sidik_jari")
            .await
            .contains("Pasal 84 ayat (1)")
    );
    s.type_into("#purpose", "Verifikasi sasaran vaksinasi")
        .await;
    s.type_into("#legal_basis", "Permendagri 102/2019").await;
    s.click("input[value=nik]").await;
    s.click("input[value=nama_lengkap]").await;
    s.type_into("#why_nama_lengkap", "Pencocokan nama").await;
    s.screenshot(&dir, "01-agency-new-request").await;
    s.click("form button.primary").await;
    s.wait_for(r#"<p class="alert" role="alert">"#).await;
    let page = s.source().await;
    assert!(
        page.contains("Alasan kebutuhan elemen data NIK wajib diisi"),
        "justification error shown"
    );
    assert!(
        page.contains("Data balikan yang akan diberikan wajib dicantumkan"),
        "data balikan error shown"
    );
    assert_eq!(
        s.property("#purpose", "value").await,
        "Verifikasi sasaran vaksinasi",
        "typed text kept"
    );
    assert_eq!(
        s.property("#why_nama_lengkap", "value").await,
        "Pencocokan nama"
    );
    s.screenshot(&dir, "02-agency-request-refused").await;
    // A state-security purpose opens the protected elements, marked with the Minister's approval.
    s.select("#purpose_kind", "law_enforcement").await;
    assert_eq!(
        s.property("input[value=sidik_jari]", "disabled").await,
        false
    );
    s.select("#purpose_kind", "public_service").await;
    s.type_into("#why_nik", "Identitas sasaran").await;
    s.type_into(
        "#data_balikan",
        "Nomor registrasi vaksinasi dipadankan dengan NIK",
    )
    .await;
    s.click("form button.primary").await;
    s.wait_for("data-testid=\"stage\"").await;
    assert!(
        s.text("[data-testid=stage]")
            .await
            .contains("Verifikasi permohonan oleh Disdukcapil")
    );
    let id = s
        .current_url()
        .await
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    s.screenshot(&dir, "03-agency-request-submitted").await;
    // The agency head uploads the signed request letter.
    let scan = std::env::temp_dir().join(format!("surat-{}.pdf", uuid::Uuid::new_v4().simple()));
    std::fs::write(
        &scan,
        b"%PDF-1.4\n% surat permohonan bertanda tangan\n%%EOF\n",
    )
    .unwrap();
    s.select("#key", "signed:surat_permohonan").await;
    s.choose_file("#file", &scan).await;
    s.click("#upload-form button").await;
    s.wait_for(scan.file_name().unwrap().to_str().unwrap())
        .await;
    sign_out(&s).await;

    // 2. The coordinator finds it in the inbox and advances it; the letters carry numbers.
    sign_in(&s, &app, KOORD_PTK).await;
    s.wait_for(&id).await;
    s.screenshot(&dir, "04-coordinator-inbox").await;
    s.goto(&app.url(&format!("/permohonan/{id}"))).await;
    s.type_into("#c-teruskan_ke_kepala_daerah", "Berkas lengkap")
        .await;
    s.click("form[data-action=teruskan_ke_kepala_daerah] button")
        .await;
    s.wait_for(r#"data-testid="stage">Menunggu izin Bupati/Wali Kota<"#)
        .await;
    let page = s.source().await;
    assert!(
        page.contains("/Dinkes/"),
        "the request letter carries the agency's own number"
    );
    // The next step is blocked until the Wali Kota's signed permission is on file: said plainly.
    assert!(page.contains("Surat izin Bupati/Wali Kota belum diterbitkan (diberi nomor)"));
    s.screenshot(&dir, "05-coordinator-advanced").await;
    sign_out(&s).await;

    // 3. The provincial reviewer returns a demo PKS draft with a comment on an article, the
    //    coordinator revises that article, the reviewer sees the change and approves.
    let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let draft = app.find(&coord, "konsultasi_provinsi").await;
    sign_in(&s, &app, REVIEWER_KALBAR).await;
    s.goto(&app.url(&format!("/permohonan/{draft}/pks"))).await;
    // The demo draft is already version 2: the article revised after the province's first
    // comment shows both texts side by side, the comment beside it.
    let page = s.source().await;
    assert!(page.contains("Versi 2"), "the versions are listed");
    assert!(
        s.text("[data-testid=article-6]")
            .await
            .contains("dugaan kebocoran data"),
        "the earlier comment stands beside its article"
    );
    assert_eq!(
        s.count("[data-testid=article-6] ins").await,
        1,
        "the added text is marked"
    );
    s.type_into(
        "#pasal_3",
        "Kuota harian perlu disesuaikan dengan kebutuhan",
    )
    .await;
    s.screenshot(&dir, "06-reviewer-pks-draft").await;
    s.click("button[value=kembalikan_draf_pks]").await;
    s.wait_for(r#"data-testid="stage">Penyusunan draf PKS<"#)
        .await;
    sign_out(&s).await;
    sign_in(&s, &app, KOORD_PTK).await;
    s.goto(&app.url(&format!("/permohonan/{draft}/pks/sunting")))
        .await;
    assert!(
        s.text("[data-testid=edit-article-3]")
            .await
            .contains("Kuota harian perlu disesuaikan"),
        "the editor shows the comment to answer beside its article"
    );
    // A blank title is refused beside its article, and what was typed stays.
    s.eval("document.getElementById('judul_3').value = ''")
        .await;
    s.eval("document.getElementById('isi_3').value += ' Kuota harian 500 akses.'")
        .await;
    s.click("[data-testid=submit-draft]").await;
    s.wait_for("Pasal 3 belum berjudul").await;
    assert!(
        s.property("#isi_3", "value")
            .await
            .as_str()
            .unwrap()
            .ends_with("Kuota harian 500 akses.")
    );
    s.type_into("#judul_3", "Ruang Lingkup").await;
    s.screenshot(&dir, "06b-coordinator-revises-pks").await;
    s.click("[data-testid=submit-draft]").await;
    s.wait_for("Versi 3").await;
    sign_out(&s).await;
    sign_in(&s, &app, REVIEWER_KALBAR).await;
    s.goto(&app.url(&format!("/permohonan/{draft}/pks"))).await;
    assert!(
        s.text("[data-testid=article-3] ins")
            .await
            .contains("Kuota harian 500 akses."),
        "the revision is marked"
    );
    s.click("button[value=setujui_draf_pks]").await;
    s.wait_for(r#"data-testid="stage">Penandatanganan PKS<"#)
        .await;
    s.screenshot(&dir, "07-reviewer-approved").await;
    s.close().await;
    app.stop().await;
}

#[actix_rt::test]
async fn dashboard_shows_the_kalsel_case_and_pages_fit_a_phone() {
    let app = spawn_app(Db::Sqlite).await;
    let driver = Driver::start().await;
    let s = driver.session(1280, 1000).await;
    let dir = shots();
    sign_in(&s, &app, KOORD_KALSEL).await;
    s.goto(&app.url("/dasbor")).await;
    // DPMPTSP and Disnakertrans: access approved, no user ID, network not attested.
    assert!(
        s.text("[data-testid=blocked]").await.starts_with('2'),
        "{}",
        s.text("[data-testid=blocked]").await
    );
    s.screenshot(&dir, "08-dashboard").await;
    s.click("[data-testid=blocked]").await;
    s.wait_for("data-testid=\"applications\"").await;
    let list = s.text("[data-testid=applications]").await;
    assert!(
        list.contains("Penanaman Modal") && list.contains("Tenaga Kerja"),
        "{list}"
    );
    assert_eq!(s.count("[data-testid=applications] tbody tr").await, 2);
    s.screenshot(&dir, "09-blocked-list").await;
    // The English switch.
    s.click("header a[lang=en]").await;
    s.wait_for("Waiting on you").await;
    s.close().await;

    let phone = driver.session(390, 844).await;
    sign_in(&phone, &app, KOORD_KALSEL).await;
    let coord = app.token(KOORD_KALSEL.0, KOORD_KALSEL.1).await;
    let id = app.find(&coord, "jaringan_tertutup").await;
    phone.goto(&app.url(&format!("/permohonan/{id}"))).await;
    assert!(
        phone
            .text("[data-testid=no-attestation]")
            .await
            .contains("User ID tidak dapat diterbitkan")
    );
    phone.screenshot(&dir, "10-phone-application").await;
    // An attestation sent half-filled: each gap is said beside its field, on a phone too.
    phone.type_into("#provider", "PT Telkom Indonesia").await;
    phone.click("#attestation-form button.primary").await;
    phone.wait_for("id=\"err-cost_borne_by\"").await;
    assert_eq!(
        phone.text("#err-technical_contact").await,
        "Kontak teknis wajib diisi."
    );
    assert_eq!(
        phone.property("#provider", "value").await,
        "PT Telkom Indonesia"
    );
    phone
        .eval("document.getElementById('attestation-form').scrollIntoView()")
        .await;
    phone
        .screenshot(&dir, "10b-phone-attestation-refused")
        .await;
    // Nothing wider than the screen.
    let widths = phone
        .eval("return [document.documentElement.scrollWidth, window.innerWidth]")
        .await;
    let (page, screen) = (widths[0].as_i64().unwrap(), widths[1].as_i64().unwrap());
    assert_eq!(screen, 390, "emulated phone width");
    assert!(
        page <= screen,
        "page is {page}px wide on a {screen}px phone"
    );
    // The dashboard on a phone: the funnel's words stay body-sized and nothing is wider than
    // the screen; each stage's count links to its list.
    phone.goto(&app.url("/dasbor")).await;
    phone.wait_for("data-testid=\"funnel\"").await;
    let smallest = phone
        .eval(
            "return Math.min(...[...document.querySelectorAll('.funnel li a, .funnel li span')]\
             .map(e => parseFloat(getComputedStyle(e).fontSize)))",
        )
        .await;
    assert!(
        smallest.as_f64().unwrap() >= 13.0,
        "funnel text {smallest}px on a phone"
    );
    let widths = phone
        .eval("return [document.documentElement.scrollWidth, window.innerWidth]")
        .await;
    assert!(widths[0].as_i64().unwrap() <= 390, "dashboard {widths}");
    phone.screenshot(&dir, "10c-phone-dashboard").await;
    phone
        .eval(
            "[...document.querySelectorAll('.funnel li a.count')]\
             .find(a => a.textContent.trim() !== '0').click()",
        )
        .await;
    phone.wait_for("data-testid=\"applications\"").await;
    phone.close().await;
    app.stop().await;
}

#[actix_rt::test]
async fn a_coordinator_records_an_overdue_evaluation_and_access_comes_back() {
    use sepakat_web::Clock;
    let clock = std::sync::Arc::new(sepakat_web::ManualClock::new(chrono::Utc::now()));
    let app = spawn_app_with_clock(Db::Sqlite, clock.clone()).await;
    let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let id = app.find(&coord, "akses_aktif").await;
    let due: chrono::NaiveDate = app.detail(&coord, &id).await["next_evaluation_due"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    // The calendar as the server runs it, 40 days after the due date: overdue, suspended.
    let at = chrono::TimeZone::from_utc_datetime(
        &chrono::Utc,
        &(due + chrono::Duration::days(40))
            .and_hms_opt(2, 0, 0)
            .unwrap(),
    );
    clock.set(at);
    let r = app
        .store
        .run_evaluation_calendar(clock.now())
        .await
        .unwrap();
    assert!(r.grants_suspended >= 1, "{r:?}");
    clock.advance(chrono::Duration::days(1));
    // Months after the first sign-in its API token has expired (90 days): sign in again.
    let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    app.attach(&coord, &id, "laporan_semester").await;

    let driver = Driver::start().await;
    let s = driver.session(1280, 1000).await;
    let dir = shots();
    sign_in(&s, &app, KOORD_PTK).await;
    s.goto(&app.url(&format!("/permohonan/{id}#evaluasi")))
        .await;
    assert!(
        s.text("[data-testid=evaluations]")
            .await
            .contains("terlambat — akses ditangguhkan")
    );
    s.screenshot(&dir, "11-evaluation-overdue").await;
    s.type_into(
        "#findings-0",
        "Laporan semester terlambat; data balikan NIB telah dikirim.",
    )
    .await;
    s.click("[data-testid=record-evaluation] input[name=data_balikan_met]")
        .await;
    s.click("[data-testid=record-evaluation] button.primary")
        .await;
    s.wait_for("role=\"status\"").await;
    let table = s.text("[data-testid=evaluations]").await;
    assert!(
        table.contains("selesai") && table.contains("lulus"),
        "{table}"
    );
    let grants: serde_json::Value = app
        .get(
            &coord,
            &format!("/api/v1/grants?application={id}&status=active"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        grants["items"].as_array().unwrap().len(),
        1,
        "access restored"
    );
    s.screenshot(&dir, "12-evaluation-recorded").await;

    // The history reads in words on Pontianak's clock, and a letter's preview opens beside the
    // page, signed in with the page's session.
    let timeline = s.text("section[aria-labelledby=h-timeline]").await;
    assert!(
        timeline.contains("Hasil evaluasi semesteran") && timeline.contains(" WIB"),
        "{timeline}"
    );
    s.eval("document.getElementById('h-timeline').scrollIntoView()")
        .await;
    s.screenshot(&dir, "13-application-timeline").await;
    s.eval("document.getElementById('h-letters').scrollIntoView()")
        .await;
    s.screenshot(&dir, "14-application-letters").await;
    let page = s.windows().await[0].clone();
    s.click("tr[data-letter=pks] a[target=_blank]").await;
    let mut windows = s.windows().await;
    for _ in 0..50 {
        if windows.len() > 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        windows = s.windows().await;
    }
    let preview = windows.iter().find(|w| **w != page).expect("a new tab");
    s.switch_to(preview).await;
    s.wait_for("PERJANJIAN KERJA SAMA").await;
    s.screenshot(&dir, "15-letter-preview").await;
    s.switch_to(&page).await;

    // An address that leads nowhere answers a page with the way back.
    s.goto(&app.url(&format!("/permohonan/{}", uuid::Uuid::new_v4())))
        .await;
    assert_eq!(s.text("h1").await, "Halaman tidak ditemukan");
    s.screenshot(&dir, "16-not-found").await;
    s.click("main a[href='/']").await;
    s.wait_for("data-testid=\"who\"").await;
    s.close().await;
    app.stop().await;
}
