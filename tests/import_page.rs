//! The import page (`/impor`) over a demo database: an administrator uploads the shipped
//! example, sees what would be created, confirms, and the agreements are there; the same file
//! again changes nothing; a bad file is refused row by row with nothing written; a coordinator
//! may not import.

mod common;

use common::*;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use sea_orm::{EntityTrait, PaginatorTrait};
use sepakat_store::entity::applications;

fn csrf_of(page: &str) -> String {
    page.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string()
}

/// The value of the hidden input `name` on a page (hex, ids and names: nothing escaped).
fn hidden(page: &str, name: &str) -> String {
    page.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default()
        .to_string()
}

async fn signed_in(app: &TestApp, email: &str, password: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    let form = client
        .get(app.url("/masuk"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let res = client
        .post(app.url("/masuk"))
        .form(&[
            ("email", email),
            ("password", password),
            ("next", "/"),
            ("csrf", &csrf_of(&form)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{email} signs in");
    client
}

async fn upload(app: &TestApp, client: &reqwest::Client, csv: &str) -> (StatusCode, String) {
    let page = client
        .get(app.url("/impor"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let form = Form::new().text("csrf", csrf_of(&page)).part(
        "file",
        Part::bytes(csv.as_bytes().to_vec())
            .file_name("pks-lama.csv")
            .mime_str("text/csv")
            .unwrap(),
    );
    let res = client
        .post(app.url("/impor"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

async fn applications(app: &TestApp) -> u64 {
    applications::Entity::find()
        .count(app.store.connection())
        .await
        .unwrap()
}

async fn preview_confirm_and_refuse(db: Db) {
    let app = spawn_app(db).await;
    let admin = signed_in(&app, "admin@sepakat.local", "admin-sepakat").await;
    let before = applications(&app).await;
    let example = std::fs::read_to_string(repo().join("docs/import/agreements-example.csv"))
        .unwrap()
        // Scans cannot be read from an upload: the page imports the rows without them.
        .replace("scans/pks-dinkes-2025.pdf", "");

    // The preview lists the three agreements and records nothing.
    let (status, page) = upload(&app, &admin, &example).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("data-testid=\"import-created\""), "{page}");
    assert!(page.contains("400.12/031/Dukcapil.4/II/2025"), "{page}");
    assert!(page.contains("data-testid=\"import-confirm\""), "{page}");
    assert_eq!(applications(&app).await, before);

    // Confirming imports them.
    let form = Form::new()
        .text("csrf", csrf_of(&page))
        .text("confirm", "1")
        .text("sha256", hidden(&page, "sha256"))
        .text("file_name", hidden(&page, "file_name"))
        .text("csv_hex", hidden(&page, "csv_hex"));
    let res = admin
        .post(app.url("/impor"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let done = res.text().await.unwrap();
    assert!(done.contains("data-testid=\"import-done\""), "{done}");
    assert_eq!(applications(&app).await, before + 3);

    // The same file again: already imported, nothing to confirm, nothing changes.
    let (_, again) = upload(&app, &admin, &example).await;
    assert!(again.contains("data-testid=\"import-already\""), "{again}");
    assert!(!again.contains("data-testid=\"import-confirm\""), "{again}");
    assert_eq!(applications(&app).await, before + 3);

    // A file with a refused row: listed with its line and problems, no confirmation offered.
    let header = example.lines().next().unwrap();
    let bad = format!(
        "{header}\n61.71,Dinas Pariwisata Kota Pontianak,pks-kabkota,Promosi,,Perda,nik:identitas,Data,web_portal,400.12/900/Dukcapil.4/II/2025,2025-02-17,60,,lan,Diskominfo,,production:W-01:active:2025-04-14,,\n"
    );
    let (_, refused) = upload(&app, &admin, &bad).await;
    assert!(
        refused.contains("data-testid=\"import-refused\""),
        "{refused}"
    );
    assert!(refused.contains("<td>2</td>"), "{refused}");
    assert!(
        refused.contains("Dinas Pariwisata Kota Pontianak"),
        "{refused}"
    );
    assert!(!refused.contains("data-testid=\"import-confirm\""));
    assert_eq!(applications(&app).await, before + 3);

    // A confirmation whose file was changed after the preview is refused.
    let form = Form::new()
        .text("csrf", csrf_of(&page))
        .text("confirm", "1")
        .text("sha256", hidden(&page, "sha256"))
        .text("file_name", "x.csv")
        .text(
            "csv_hex",
            bad.bytes().map(|b| format!("{b:02x}")).collect::<String>(),
        );
    let res = admin
        .post(app.url("/impor"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let changed = res.text().await.unwrap();
    assert!(
        changed.contains("data-testid=\"import-error\""),
        "{changed}"
    );
    assert_eq!(applications(&app).await, before + 3);

    // A coordinator may not import.
    let coordinator = signed_in(
        &app,
        "koordinator@disdukcapil.pontianak.go.id",
        "pontianak-koordinator",
    )
    .await;
    let res = coordinator.get(app.url("/impor")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    app.stop().await;
}

#[actix_rt::test]
async fn import_page_on_sqlite() {
    preview_confirm_and_refuse(Db::Sqlite).await
}

#[actix_rt::test]
async fn import_page_on_postgres() {
    preview_confirm_and_refuse(Db::Postgres).await
}
