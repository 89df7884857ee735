//! The pages without a browser: sign-in refusals, redirects, CSRF on forms, what the pages say
//! and in which words, error pages.

mod common;

use common::who::*;
use common::*;
use reqwest::StatusCode;

#[actix_rt::test]
async fn sign_in_refusals_redirects_and_csrf() {
    let app = spawn_app(Db::Sqlite).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    // Pages need a session: back to the sign-in page, remembering where one was going.
    let res = client.get(app.url("/permohonan")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/masuk?next=/permohonan");
    let (_, form) = page_of(&app, &client, "/masuk").await;
    let csrf = csrf_of(&form);
    // A wrong password: said plainly, the e-mail kept.
    let res = client
        .post(app.url("/masuk"))
        .form(&[
            ("email", KOORD_PTK.0),
            ("password", "salah"),
            ("next", "/"),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page.contains("Surel atau kata sandi salah") && page.contains(KOORD_PTK.0));
    // `next` never leads off the site.
    let res = client
        .post(app.url("/masuk"))
        .form(&[
            ("email", KOORD_PTK.0),
            ("password", KOORD_PTK.1),
            ("next", "//evil.example"),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/");
    // A form without its CSRF token changes nothing.
    let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let id = app.find(&coord, "izin_kepala_daerah").await;
    let before = app.detail(&coord, &id).await["version"].as_i64().unwrap();
    let res = client
        .post(app.url(&format!("/permohonan/{id}/tindakan")))
        .form(&[
            ("csrf", "palsu"),
            ("action", "catat_izin_kepala_daerah"),
            ("expected_version", &before.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.detail(&coord, &id).await["version"].as_i64().unwrap(),
        before
    );
    // Someone else's application is not found, not forbidden.
    let kalsel = app.token(KOORD_KALSEL.0, KOORD_KALSEL.1).await;
    let other = app.find(&kalsel, "jaringan_tertutup").await;
    let res = client
        .get(app.url(&format!("/permohonan/{other}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // The workflow page draws the pipeline.
    let page = client
        .get(app.url("/alur/pks-kabkota"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<svg") && page.contains("Konsultasi draf PKS dengan Disdukcapil Provinsi")
    );
    app.stop().await;
}

async fn page_of(app: &TestApp, client: &reqwest::Client, path: &str) -> (StatusCode, String) {
    let res = client.get(app.url(path)).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

/// The CSRF token of the first form on a page.
fn csrf_of(page: &str) -> String {
    page.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string()
}

/// The part of a page from the heading `id` to the next section.
fn section<'a>(page: &'a str, id: &str) -> &'a str {
    let from = page
        .split(&format!("id=\"{id}\""))
        .nth(1)
        .unwrap_or_default();
    from.split("</section>").next().unwrap_or_default()
}

/// A client signed in through the sign-in form, following no redirects.
async fn signed_in(app: &TestApp, who: (&str, &str)) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    let (_, form) = page_of(app, &client, "/masuk").await;
    let res = client
        .post(app.url("/masuk"))
        .form(&[
            ("email", who.0),
            ("password", who.1),
            ("next", "/"),
            ("csrf", &csrf_of(&form)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{} signs in", who.0);
    client
}

#[actix_rt::test]
async fn the_pks_pages_show_each_role_only_what_it_may_do() {
    let app = spawn_app(Db::Sqlite).await;
    let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    // The demo's Dinkes draft is at version 2, revised after the province's comment.
    let draft = app.find(&coord, "konsultasi_provinsi").await;

    // The agency head reads the versions and the change, but has no review form or editor.
    let head = signed_in(&app, HEAD_DINKES_PTK).await;
    let (status, page) = page_of(&app, &head, &format!("/permohonan/{draft}/pks")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Versi 2") && page.contains("<ins>"), "{page}");
    assert!(page.contains("Mohon ditambahkan kewajiban PIHAK KEDUA melaporkan dugaan kebocoran"));
    assert!(!page.contains("name=\"pasal_1\"") && !page.contains("data-testid=\"edit-pks\""));
    let (status, _) = page_of(&app, &head, &format!("/permohonan/{draft}/pks/sunting")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "no editor for the agency");
    // An earlier version is shown on request.
    let (_, v1) = page_of(&app, &head, &format!("/permohonan/{draft}/pks?versi=1")).await;
    assert!(v1.contains("aria-current=\"page\">Versi 1") && !v1.contains("<ins>"));

    // The reviewer gets a comment box per article and the two decisions.
    let reviewer = signed_in(&app, REVIEWER_KALBAR).await;
    let (_, page) = page_of(&app, &reviewer, &format!("/permohonan/{draft}/pks")).await;
    assert!(page.contains("name=\"pasal_1\"") && page.contains("value=\"setujui_draf_pks\""));
    // A comment on an article the draft does not have is refused on the page, the typed
    // comment kept, the application unchanged.
    let before = app.detail(&coord, &draft).await["version"]
        .as_i64()
        .unwrap();
    let csrf = csrf_of(&page);
    let res = reviewer
        .post(app.url(&format!("/permohonan/{draft}/pks/reviu")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("expected_version", &before.to_string()),
            ("action", "kembalikan_draf_pks"),
            ("pasal_99", "Pasal yang tidak ada"),
            ("pasal_2", "Catatan yang tetap tertulis"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page.contains("Tidak ada Pasal 99"), "{page}");
    assert!(page.contains("Catatan yang tetap tertulis"));
    assert_eq!(
        app.detail(&coord, &draft).await["version"]
            .as_i64()
            .unwrap(),
        before
    );
    // The reviewer cannot draft.
    let (status, _) = page_of(&app, &reviewer, &format!("/permohonan/{draft}/pks/sunting")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // The application page sends the reviewer to the draft instead of offering the decision,
    // and a decision posted from it is not taken: the draft is approved only where it is read.
    let (_, page) = page_of(&app, &reviewer, &format!("/permohonan/{draft}")).await;
    assert!(page.contains("data-testid=\"decide-on-pks\""), "{page}");
    assert!(
        !page.contains("name=\"action\" value=\"setujui_draf_pks\""),
        "no approve button on the application page"
    );
    let res = reviewer
        .post(app.url(&format!("/permohonan/{draft}/tindakan")))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("expected_version", &before.to_string()),
            ("action", "setujui_draf_pks"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"],
        format!("/permohonan/{draft}/pks").as_str()
    );
    assert_eq!(
        app.detail(&coord, &draft).await["version"]
            .as_i64()
            .unwrap(),
        before,
        "nothing approved"
    );
    app.stop().await;
}

/// The coordinator's editor deletes Pasal 1 and inserts an article before Penutup: the keys
/// come back with the form, and every reference, in the next version and in the printed PKS,
/// names the article it named before by its new number.
#[actix_rt::test]
async fn the_editor_inserts_before_penutup_and_references_follow_the_articles() {
    use sepakat_core::pks::{Article, body_to_text};
    let app = spawn_app(Db::Sqlite).await;
    let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let draft = app.find(&coord, "konsultasi_provinsi").await;
    // The province returns version 2 with a comment on Penutup.
    let reviewer = signed_in(&app, REVIEWER_KALBAR).await;
    let (_, page) = page_of(&app, &reviewer, &format!("/permohonan/{draft}/pks")).await;
    let version = app.detail(&coord, &draft).await["version"]
        .as_i64()
        .unwrap();
    let res = reviewer
        .post(app.url(&format!("/permohonan/{draft}/pks/reviu")))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("expected_version", &version.to_string()),
            ("action", "kembalikan_draf_pks"),
            (
                "pasal_15",
                "Sisipkan pasal sanksi administratif sebelum Penutup.",
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // The editor shows each article's key and how to refer to it.
    let client = signed_in(&app, KOORD_PTK).await;
    let editor = format!("/permohonan/{draft}/pks/sunting");
    let (status, page) = page_of(&app, &client, &editor).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("name=\"kunci_6\" value=\"kerahasiaan\""),
        "{page}"
    );
    assert!(page.contains("data-testid=\"reference-6\">[[pasal:kerahasiaan]]</code>"));
    assert!(page.contains("melanggar ketentuan [[pasal:kerahasiaan]], hak akses"));
    let pks_path = format!("/api/v1/applications/{draft}/pks");
    let before: serde_json::Value = app.get(&coord, &pks_path).await.json().await.unwrap();
    let articles: Vec<Article> = serde_json::from_value(before["current"].clone()).unwrap();
    assert_eq!(articles.len(), 15);
    let version = app.detail(&coord, &draft).await["version"]
        .as_i64()
        .unwrap();
    // The form as the editor posts it: Pasal 1 emptied, a new article given number 15.
    let submit = |new_text: &str| {
        let mut form: Vec<(String, String)> = vec![
            ("csrf".into(), csrf_of(&page)),
            ("expected_version".into(), version.to_string()),
            ("comment".into(), String::new()),
        ];
        for a in &articles {
            let n = a.number;
            let deleted = n == 1;
            form.extend([
                (
                    format!("judul_{n}"),
                    if deleted {
                        String::new()
                    } else {
                        a.title.clone()
                    },
                ),
                (
                    format!("isi_{n}"),
                    if deleted {
                        String::new()
                    } else {
                        body_to_text(&a.paragraphs)
                    },
                ),
                (format!("kunci_{n}"), a.key.clone().unwrap_or_default()),
                (format!("asal_{n}"), n.to_string()),
                (format!("urutan_{n}"), n.to_string()),
            ]);
        }
        form.extend([
            ("judul_16".into(), "Sanksi Administratif".into()),
            ("isi_16".into(), new_text.to_string()),
            ("urutan_16".into(), "15".into()),
        ]);
        client.post(app.url(&editor)).form(&form).send()
    };
    // A reference to no article is refused beside the article that holds it.
    let res = submit("Lihat [[pasal:tidak_ada]].").await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("Pasal 14 merujuk [[pasal:tidak_ada]]"),
        "{page}"
    );
    assert_eq!(
        app.detail(&coord, &draft).await["version"]
            .as_i64()
            .unwrap(),
        version
    );
    let res = submit(
        "Pelanggaran atas [[pasal:kerahasiaan]] dikenai sanksi sebagaimana dimaksud dalam [[pasal:sanksi]].",
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // Version 3: Pengertian gone, the new article before Penutup, every other key kept.
    let after: serde_json::Value = app.get(&coord, &pks_path).await.json().await.unwrap();
    assert_eq!(after["current_version"], 3);
    let v3: Vec<Article> = serde_json::from_value(after["current"].clone()).unwrap();
    let titles: Vec<_> = v3.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(titles.len(), 15);
    assert_eq!(titles[4], "Kerahasiaan");
    assert_eq!(titles[9], "Sanksi");
    assert_eq!(titles[13..], ["Sanksi Administratif", "Penutup"]);
    assert_eq!(v3[13].key.as_deref(), Some("sanksi_administratif"));
    let keys = |list: &[Article]| {
        list.iter()
            .filter_map(|a| a.key.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(keys(&v3[..13]), keys(&articles[1..14]));
    // The printed PKS and the review page read the new numbers.
    let letter = app
        .get(&coord, &format!("/api/v1/applications/{draft}/letters/pks"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        letter.contains("melanggar ketentuan Pasal 5, hak akses"),
        "{letter}"
    );
    assert!(
        letter.contains(
            "Pelanggaran atas Pasal 5 dikenai sanksi sebagaimana dimaksud dalam Pasal 10."
        )
    );
    assert!(!letter.contains("[[pasal:"));
    let (_, review) = page_of(&app, &client, &format!("/permohonan/{draft}/pks")).await;
    assert!(!review.contains("[[pasal:"), "{review}");
    app.stop().await;
}

/// RSUD Ulin (Banjarmasin, WITA) has the longest history of the demo: every event of its audit
/// log reads as a sentence, documents and letters by their titles, times on the office clock.
#[actix_rt::test]
async fn the_application_page_reads_in_words_on_the_office_clock() {
    let app = spawn_app(Db::Sqlite).await;
    let coord = app.token(KOORD_KALSEL.0, KOORD_KALSEL.1).await;
    let id = app.find(&coord, "akses_aktif").await;
    let detail = app.detail(&coord, &id).await;
    let client = signed_in(&app, KOORD_KALSEL).await;
    let (status, page) = page_of(&app, &client, &format!("/permohonan/{id}")).await;
    assert_eq!(status, StatusCode::OK);

    // One row per audit event, none left as its stored kind.
    let events = detail["timeline"].as_array().unwrap();
    let timeline = section(&page, "h-timeline");
    assert_eq!(
        timeline.matches("<tr>").count(),
        events.len() + 1,
        "{timeline}"
    );
    for e in events {
        let kind = e["kind"].as_str().unwrap();
        assert!(
            !timeline.contains(kind) && !timeline.contains(&kind.replace('_', " ")),
            "`{kind}` is shown raw: {timeline}"
        );
    }
    let documents = section(&page, "h-docs").split("<form").next().unwrap();
    assert!(
        !timeline.contains("signed:") && !documents.contains("signed:"),
        "document keys read as titles: {documents}"
    );
    assert!(
        documents.contains("Laporan semester lembaga pengguna: <a"),
        "{documents}"
    );
    for words in [
        "Permohonan diajukan",
        "Surat diterbitkan: Surat permohonan pemanfaatan data kependudukan",
        "Unggah dokumen: Surat permohonan pemanfaatan data kependudukan (ditandatangani)",
        "Draf PKS versi 1 disusun",
        "User ID uji coba diterbitkan: ",
        "User ID produksi diterbitkan",
        "Hasil evaluasi semesteran (jatuh tempo ",
    ] {
        assert!(timeline.contains(words), "{words}: {timeline}");
    }
    // The first event at Banjarmasin's time, not UTC.
    let first: chrono::DateTime<chrono::Utc> = events[0]["at"].as_str().unwrap().parse().unwrap();
    let wita = (first + chrono::Duration::hours(8))
        .format("%d-%m-%Y %H:%M WITA")
        .to_string();
    assert!(timeline.contains(&wita), "{wita}: {timeline}");
    // User IDs in words; no raw codes anywhere on the Indonesian page.
    let grants = section(&page, "h-grants");
    assert!(
        grants.contains("User ID produksi · ")
            && grants.contains("<strong>aktif</strong> · berlaku s.d. "),
        "{grants}"
    );
    for raw in ["production", "web_portal", ">active<", ">test<"] {
        assert!(!page.contains(raw), "{raw} is shown raw");
    }

    // Every letter, numbered or draft, opens as HTML with the page's session, each issued one
    // as itself (both semester reports, not the latest twice); one as PDF.
    let letters = section(&page, "h-letters");
    let hrefs: Vec<String> = letters
        .split("href=\"")
        .skip(1)
        .filter_map(|r| r.split('"').next())
        // As handlebars escapes an attribute.
        .map(|h| h.replace("&amp;", "&").replace("&#x3D;", "="))
        .filter(|h| h.ends_with("format=html"))
        .collect();
    let issued = detail["letters"].as_array().unwrap().len();
    assert!(hrefs.len() >= issued, "{letters}");
    assert!(letters.contains("target=\"_blank\"") && letters.contains(">Pratinjau<"));
    let mut numbers = std::collections::BTreeSet::new();
    for href in &hrefs {
        let res = client.get(app.url(href)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{href}");
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        if let Some(n) = res.headers().get("x-letter-number") {
            numbers.insert(n.to_str().unwrap().to_string());
        }
    }
    assert_eq!(numbers.len(), issued, "{numbers:?}");
    let pdf = client
        .get(app.url(&hrefs[0].replace("format=html", "format=pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));

    // In English the same history reads in English.
    let (status, _) = page_of(&app, &client, "/bahasa?lang=en&next=/").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = page_of(&app, &client, &format!("/permohonan/{id}")).await;
    let timeline = section(&page, "h-timeline");
    assert!(
        timeline.contains("Request submitted")
            && timeline.contains("Letter issued: Surat permohonan")
            && timeline.contains("Production user ID issued")
            && !timeline.contains("Surat diterbitkan"),
        "{timeline}"
    );
    assert!(section(&page, "h-letters").contains(">Preview<"));

    // A page of no one office: the reader's office clock, WIB for Ditjen in Jakarta.
    let (_, workflow) = page_of(&app, &client, "/alur/pks-provinsi").await;
    assert!(
        workflow.contains("<h2>Version</h2>"),
        "in the reader's language"
    );
    assert!(
        workflow.contains(" WITA)") && !workflow.contains(" WIB)"),
        "{workflow}"
    );
    let central = signed_in(&app, CENTRAL).await;
    let (_, workflow) = page_of(&app, &central, "/alur/pks-provinsi").await;
    assert!(workflow.contains(" WIB)"), "{workflow}");
    app.stop().await;
}

/// Unknown addresses and applications out of sight answer a page in the reader's language; the
/// API keeps problem+json.
#[actix_rt::test]
async fn not_found_is_a_page_and_the_api_keeps_problem_json() {
    let app = spawn_app(Db::Sqlite).await;
    let client = signed_in(&app, KOORD_PTK).await;
    let elsewhere = app
        .find(
            &app.token(KOORD_KALSEL.0, KOORD_KALSEL.1).await,
            "jaringan_tertutup",
        )
        .await;
    for path in [
        format!("/permohonan/{}", uuid::Uuid::new_v4()),
        format!("/permohonan/{elsewhere}"),
        "/tidak-ada".to_string(),
        "/permohonan/bukan-uuid".to_string(),
    ] {
        let res = client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
        let page = res.text().await.unwrap();
        assert!(
            page.contains("<h1>Halaman tidak ditemukan</h1>")
                && page.contains("href=\"/\">Kembali ke halaman awal")
                && page.contains("data-testid=\"who\""),
            "{path}: {page}"
        );
    }
    for path in [
        "/api/v1/tidak-ada".to_string(),
        "/api/tidak-ada".to_string(),
        format!("/api/v1/applications/{}", uuid::Uuid::new_v4()),
    ] {
        let res = client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            res.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
    }
    page_of(&app, &client, "/bahasa?lang=en&next=/").await;
    let (status, page) = page_of(&app, &client, "/tidak-ada").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("<h1>Page not found</h1>"), "{page}");
    app.stop().await;
}

/// A refused attestation: each problem beside its field in words, what was typed kept.
#[actix_rt::test]
async fn the_attestation_form_shows_each_refusal_beside_its_field() {
    let app = spawn_app(Db::Sqlite).await;
    let coord = app.token(KOORD_KALSEL.0, KOORD_KALSEL.1).await;
    let id = app.find(&coord, "jaringan_tertutup").await;
    let client = signed_in(&app, KOORD_KALSEL).await;
    let send = |lang: &'static str| {
        let (client, app, id, coord) = (client.clone(), &app, id.clone(), &coord);
        async move {
            page_of(app, &client, &format!("/bahasa?lang={lang}&next=/")).await;
            let (_, page) = page_of(app, &client, &format!("/permohonan/{id}")).await;
            let version = app.detail(coord, &id).await["version"].to_string();
            let res = client
                .post(app.url(&format!("/permohonan/{id}/atestasi")))
                .form(&[
                    ("csrf", csrf_of(&page).as_str()),
                    ("expected_version", version.as_str()),
                    ("connection", "lan"),
                    ("provider", "PT Telkom Indonesia"),
                    ("cost_borne_by", " "),
                    ("technical_contact", ""),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
            res.text().await.unwrap()
        }
    };
    let page = send("id").await;
    let form = section(&page, "h-att");
    assert!(page.contains("Pernyataan belum dapat dicatat. Perbaiki isian yang ditandai."));
    assert!(
        form.contains("id=\"err-cost_borne_by\">Biaya ditanggung oleh wajib diisi.</p>")
            && form.contains("id=\"err-technical_contact\">Kontak teknis wajib diisi.</p>")
            && !form.contains("id=\"err-provider\""),
        "{form}"
    );
    assert!(
        form.contains("id=\"err-attestation\">Dokumen Surat pernyataan jaringan tertutup"),
        "a problem of no field is said in the form: {form}"
    );
    assert!(
        form.contains("value=\"PT Telkom Indonesia\""),
        "typed text kept"
    );
    assert!(
        form.contains("<option value=\"lan\" selected>"),
        "choice kept"
    );
    assert!(!page.contains("`cost_borne_by`") && !page.contains("`technical_contact`"));
    let page = send("en").await;
    let form = section(&page, "h-att");
    assert!(
        form.contains("id=\"err-cost_borne_by\">Cost borne by is required.</p>"),
        "{form}"
    );
    app.stop().await;
}

#[actix_rt::test]
async fn a_letter_is_issued_from_the_page_before_it_is_signed() {
    let app = spawn_app(Db::Sqlite).await;
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
    let created: serde_json::Value = res.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    app.attach(&head, &id, "signed:surat_permohonan").await;
    app.act(&coord, &id, "teruskan_ke_kepala_daerah").await;

    let client = signed_in(&app, KOORD_PTK).await;
    let (_, page) = page_of(&app, &client, &format!("/permohonan/{id}")).await;
    // The Wali Kota's permission is due: the page offers to issue it, asking who signs.
    assert!(
        page.contains("data-issue=\"surat_izin_kepala_daerah\"")
            && page.contains("name=\"signatory_name\""),
        "no issue form"
    );
    let version = app.detail(&coord, &id).await["version"].to_string();
    let post = |name: &'static str| {
        let (client, app, id, page, version) = (
            client.clone(),
            &app,
            id.clone(),
            page.clone(),
            version.clone(),
        );
        async move {
            client
                .post(app.url(&format!("/permohonan/{id}/surat/surat_izin_kepala_daerah")))
                .form(&[
                    ("csrf", csrf_of(&page).as_str()),
                    ("expected_version", version.as_str()),
                    ("signatory_kind", "head"),
                    ("signatory_name", name),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    // Without the signatory's name: refused beside the field, nothing numbered.
    let res = post("  ").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = res.text().await.unwrap();
    assert!(
        refused.contains("Surat belum dapat diterbitkan") && refused.contains("kosong"),
        "refusal not shown"
    );
    let letters = app.detail(&coord, &id).await["letters"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(letters, 1, "a refused letter took a number");
    // With it: numbered in the regional secretariat's register, with a verification code.
    let res = post("Edi Rusdi Kamtono").await;
    assert!(
        res.status().is_success() || res.status().is_redirection(),
        "{}",
        res.status()
    );
    let (_, page) = page_of(&app, &client, &format!("/permohonan/{id}")).await;
    let letters = section(&page, "h-letters");
    assert!(letters.contains("/Setda/"), "{letters}");
    assert!(letters.contains("Kode verifikasi"), "{letters}");
    assert!(
        !letters.contains("data-issue=\"surat_izin_kepala_daerah\""),
        "offered twice"
    );
    // The issued letter prints the Wali Kota by name and its own number.
    let html = app
        .get(
            &coord,
            &format!("/api/v1/applications/{id}/letters/surat_izin_kepala_daerah"),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Edi Rusdi Kamtono") && html.contains("/Setda/"));
    assert!(!html.contains("……"), "a placeholder was printed");
    app.stop().await;
}

/// Kalimantan Selatan, 2021: the page of an application stuck before the closed-network
/// attestation tells everyone that the agency head must upload the signed statement first, then
/// the coordinator records the attestation, and by when the stage is due.
#[actix_rt::test]
async fn the_application_page_starts_with_the_next_step_and_who_takes_it() {
    let app = spawn_app(Db::Sqlite).await;
    let coord = app.token(KOORD_KALSEL.0, KOORD_KALSEL.1).await;
    let id = app.find(&coord, "jaringan_tertutup").await;
    let client = signed_in(&app, KOORD_KALSEL).await;
    let (status, page) = page_of(&app, &client, &format!("/permohonan/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let next = section(&page, "h-next");
    assert!(next.contains("Langkah berikutnya"), "{next}");
    assert!(next.contains("Kepala lembaga pengguna"), "{next}");
    assert!(
        next.contains("Surat pernyataan jaringan tertutup yang ditandatangani"),
        "{next}"
    );
    assert!(next.contains("Koordinator Disdukcapil"), "{next}");
    assert!(next.contains("data-testid=\"next-due\""), "{next}");
    // The box comes before the actions.
    let (box_at, actions_at) = (
        page.find("id=\"h-next\"").unwrap(),
        page.find("id=\"h-actions\"").unwrap(),
    );
    assert!(box_at < actions_at);
}

/// Cancelling is drawn apart from the other actions and runs only once its box is ticked: an
/// untick POST changes nothing and says what to do.
#[actix_rt::test]
async fn a_destructive_action_asks_for_confirmation_first() {
    let app = spawn_app(Db::Sqlite).await;
    let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let draft = app.find(&coord, "konsultasi_provinsi").await;
    let head = signed_in(&app, HEAD_DINKES_PTK).await;
    let (_, page) = page_of(&app, &head, &format!("/permohonan/{draft}")).await;
    let form = page
        .split("data-action=\"batalkan_permohonan\"")
        .nth(1)
        .and_then(|f| f.split("</form>").next())
        .unwrap_or_else(|| panic!("no cancel form: {page}"));
    assert!(
        page.contains("class=\"card destructive\" data-action=\"batalkan_permohonan\""),
        "drawn apart"
    );
    assert!(form.contains("class=\"danger\""), "{form}");
    // The upload form offers the head only what the workflow lets the agency file.
    assert!(page.contains("value=\"signed:surat_permohonan\""));
    assert!(!page.contains("value=\"signed:surat_izin_kepala_daerah\""));
    assert!(!page.contains("value=\"persetujuan_dirjen\""));
    assert!(
        form.contains("name=\"confirm\" value=\"ya\" required"),
        "{form}"
    );
    let version = app.detail(&coord, &draft).await["version"]
        .as_i64()
        .unwrap();
    let post = |confirm: Option<&'static str>| {
        let mut fields = vec![
            ("csrf", csrf_of(&page)),
            ("expected_version", version.to_string()),
            ("action", "batalkan_permohonan".to_string()),
            ("comment", "Tidak jadi.".to_string()),
        ];
        if let Some(c) = confirm {
            fields.push(("confirm", c.to_string()));
        }
        head.post(app.url(&format!("/permohonan/{draft}/tindakan")))
            .form(&fields)
            .send()
    };
    let res = post(None).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("kotak konfirmasi"));
    assert_eq!(
        app.detail(&coord, &draft).await["stage"].as_str().unwrap(),
        "konsultasi_provinsi",
        "not cancelled"
    );
    let res = post(Some("ya")).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.detail(&coord, &draft).await["stage"].as_str().unwrap(),
        "dibatalkan"
    );
    app.stop().await;
}

/// "Overdue" is the core's one answer (`calendar::is_overdue`): the API's `overdue` filter, the
/// list page's filter and badge and the dashboard's count agree, from the first day after the
/// workflow's grace period on the office's clock (Pontianak, WIB), not on UTC's day (#14).
#[actix_rt::test]
async fn overdue_is_one_answer_in_the_api_the_list_and_the_dashboard() {
    use chrono::{Duration, NaiveDate, NaiveTime};
    let clock = std::sync::Arc::new(sepakat_web::ManualClock::new(chrono::Utc::now()));
    let app = spawn_app_with_clock(Db::Sqlite, clock.clone()).await;
    let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let id = app.find(&coord, "akses_aktif").await;
    let detail = app.detail(&coord, &id).await;
    let due: NaiveDate = detail["next_evaluation_due"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let workflow: serde_json::Value = app
        .get(
            &coord,
            &format!("/api/v1/workflows/{}", detail["workflow"].as_str().unwrap()),
        )
        .await
        .json()
        .await
        .unwrap();
    let grace = workflow["definition"]["evaluation"]["grace_days"]
        .as_i64()
        .unwrap();
    let first_overdue_day = due + Duration::days(grace + 1);
    let wib_midnight = first_overdue_day.and_time(NaiveTime::MIN).and_utc() - Duration::hours(7);
    for (at, overdue) in [
        (wib_midnight - Duration::seconds(1), false),
        (wib_midnight, true),
    ] {
        clock.set(at);
        let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
        let listed: serde_json::Value = app
            .get(&coord, "/api/v1/applications?overdue=true&limit=500")
            .await
            .json()
            .await
            .unwrap();
        let in_api = listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == id.as_str());
        assert_eq!(in_api, overdue, "API at {at}");
        let client = signed_in(&app, KOORD_PTK).await;
        let (status, page) = page_of(&app, &client, "/permohonan?overdue=1").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(page.contains(&id), overdue, "list page at {at}");
        if overdue {
            assert!(
                page.contains("<span class=\"badge warn\">Terlambat</span>"),
                "the row's badge says so too"
            );
        }
        let (_, dashboard) = page_of(&app, &client, "/dasbor").await;
        let count = format!(
            "data-testid=\"overdue\"><div class=\"stat late\">{}</div>",
            listed["total"]
        );
        assert!(dashboard.contains(&count), "dashboard at {at}: {count}");
    }
    app.stop().await;
}

/// The upload form is offered by what the workflow lets a role file (`[documents]`), not by a
/// role named in the page: the coordinator files documents here, the provincial reviewer and
/// the auditor file nothing and get no form (#14).
#[actix_rt::test]
async fn the_upload_form_follows_what_the_workflow_lets_a_role_file() {
    let app = spawn_app(Db::Sqlite).await;
    let coord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let id = app.find(&coord, "akses_aktif").await;
    for (who, offered) in [
        (KOORD_PTK, true),
        (REVIEWER_KALBAR, false),
        (AUDITOR, false),
    ] {
        let client = signed_in(&app, who).await;
        let (status, page) = page_of(&app, &client, &format!("/permohonan/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{}", who.0);
        assert_eq!(page.contains("id=\"upload-form\""), offered, "{}", who.0);
    }
    app.stop().await;
}
