//! The pages' edges without a browser: sign-in refusals, redirects, CSRF on forms.

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
    // A wrong password: said plainly, the e-mail kept.
    let res = client
        .post(app.url("/masuk"))
        .form(&[("email", KOORD_PTK.0), ("password", "salah"), ("next", "/")])
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

/// A client signed in through the sign-in form, following no redirects.
async fn signed_in(app: &TestApp, who: (&str, &str)) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    let res = client
        .post(app.url("/masuk"))
        .form(&[("email", who.0), ("password", who.1), ("next", "/")])
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
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
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
