//! `sepakat audit verify` from the command line over a demo database: the hash chains, the
//! issued letters with their files, and the inbox read model, each reported, and a break in any
//! of them making the command fail.

use sea_orm::{ConnectionTrait, Database};
use std::process::{Command, Output};

fn sepakat(db: &str, blobs: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sepakat"))
        .args(args)
        .env("DATABASE_URL", db)
        .env("SEPAKAT_BLOBS", blobs)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run sepakat")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[actix_rt::test]
async fn audit_verify_checks_chains_letters_and_the_inbox_read_model() {
    let dir = std::env::temp_dir().join(format!("sepakat-audit-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}?mode=rwc", dir.join("s.db").display());
    let blobs = dir.join("blobs");
    let out = sepakat(&db, &blobs, &["demo"]);
    assert!(out.status.success(), "{}", text(&out));

    let out = sepakat(&db, &blobs, &["audit", "verify"]);
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("inbox read model: matches"), "{said}");

    // An application that no longer waits on anyone, as far as the read model says.
    let conn = Database::connect(&db).await.unwrap();
    conn.execute_unprepared(
        "DELETE FROM application_waits WHERE application_id = (SELECT application_id FROM application_waits LIMIT 1)",
    )
    .await
    .unwrap();
    conn.close().await.unwrap();
    let out = sepakat(&db, &blobs, &["audit", "verify"]);
    let said = text(&out);
    assert!(!out.status.success(), "a broken read model passed: {said}");
    assert!(said.contains("but its stage waits on"), "{said}");
    std::fs::remove_dir_all(&dir).ok();
}
