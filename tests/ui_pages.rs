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
