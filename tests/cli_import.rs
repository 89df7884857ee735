//! `sepakat import agreements FILE.csv` over a demo database, as an office runs it: the shipped
//! example goes in (its dry run first writes nothing), importing it again changes nothing, and a
//! bad file is refused with its line numbers and every problem, writing nothing.

use sea_orm::{EntityTrait, PaginatorTrait};
use sepakat_store::entity::{applications, audit_events, documents, grants, outbox};
use sepakat_store::testing::{Backend, TempDb};
use std::path::Path;
use std::process::{Command, Output};

fn sepakat(db: &str, blobs: &Path, args: &[&str]) -> Output {
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

async fn footprint(store: &sepakat_store::Store) -> [u64; 5] {
    let db = store.connection();
    [
        applications::Entity::find().count(db).await.unwrap(),
        audit_events::Entity::find().count(db).await.unwrap(),
        grants::Entity::find().count(db).await.unwrap(),
        documents::Entity::find().count(db).await.unwrap(),
        outbox::Entity::find().count(db).await.unwrap(),
    ]
}

const EXAMPLE: &str = "docs/import/agreements-example.csv";

async fn import_the_example_once_and_refuse_a_bad_file(backend: Backend) {
    let db = TempDb::new(backend).await.expect("temporary database");
    let url = db.url().to_string();
    let dir = std::env::temp_dir().join(format!("sepakat-cli-import-{}", uuid::Uuid::new_v4()));
    let blobs = dir.join("blobs");
    let out = sepakat(&url, &blobs, &["demo"]);
    assert!(out.status.success(), "{}", text(&out));
    let store = sepakat_store::Store::connect(&url).await.unwrap();
    let before = footprint(&store).await;

    // The dry run lists the three agreements and writes nothing.
    let out = sepakat(
        &url,
        &blobs,
        &["import", "agreements", EXAMPLE, "--dry-run"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains("Akan dibuat / would be created: 3"), "{said}");
    assert!(said.contains("400.12/031/Dukcapil.4/II/2025"), "{said}");
    assert_eq!(footprint(&store).await, before);

    // The import: three applications, one event each, the scanned PKS kept, no mail.
    let out = sepakat(&url, &blobs, &["import", "agreements", EXAMPLE, "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["written"], true);
    let created = report["created"].as_array().unwrap();
    let rows: Vec<u64> = created.iter().map(|c| c["row"].as_u64().unwrap()).collect();
    assert_eq!(rows, [2, 3, 4]);
    assert_eq!(created[2]["stage"], "akses_ditangguhkan");
    let after = footprint(&store).await;
    assert_eq!(after[0], before[0] + 3);
    assert_eq!(after[1], before[1] + 3);
    assert_eq!(after[2], before[2] + 5, "five user IDs");
    assert_eq!(after[3], before[3] + 1, "the scanned PKS");
    assert_eq!(after[4], before[4], "no mail");
    let sha = report["created"][0]["application_id"].as_str().unwrap();
    assert!(!sha.is_empty());
    let scan = std::fs::read("docs/import/scans/pks-dinkes-2025.pdf").unwrap();
    let scan_sha = sepakat_letters::sha256_hex(&scan);
    assert!(
        blobs.join(&scan_sha[..2]).join(&scan_sha).exists(),
        "the scan is in the blob store"
    );

    // The audit chains and the read models agree with the log.
    let out = sepakat(&url, &blobs, &["audit", "verify"]);
    assert!(out.status.success(), "{}", text(&out));

    // Importing again changes nothing.
    let out = sepakat(&url, &blobs, &["import", "agreements", EXAMPLE]);
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains("Sudah diimpor, dilewati / already imported, skipped: 3"),
        "{said}"
    );
    assert!(said.contains("No new agreement: nothing changed"), "{said}");
    assert_eq!(footprint(&store).await, after);

    // A bad file: every refused row by its line, every problem, nothing written.
    std::fs::create_dir_all(&dir).unwrap();
    let example = std::fs::read_to_string(EXAMPLE).unwrap();
    let header = example.lines().next().unwrap();
    let bad = format!(
        "{header}\n\
         61.71,Dinas Kesehatan Kota Pontianak,pks-kabkota,Verifikasi,,Permendagri 102/2019,nik:identitas,NIK,web_portal,400.12/500/Dukcapil.4/II/2025,2025-02-17,60,,lan,Diskominfo,,production:A-01:active:2025-04-14,,\n\
         61.71,Dinas Pariwisata Kota Pontianak,pks-kabkota,Promosi,,Perda,\"nik:identitas;warna_mata:promosi;sidik_jari:verifikasi\",Data kunjungan,web_portal,400.12/501/Dukcapil.4/II/2025,2025-02-17,60,,lan,Diskominfo,,production:B-01:active:2025-04-14,,\n\
         99.99,Dinas Kesehatan Kota Pontianak,pks-kesehatan,Verifikasi,,Permendagri 102/2019,nik:identitas,NIK,web_portal,400.12/502/Dukcapil.4/II/2025,17 Februari 2025,60,,lan,Diskominfo,,production:C-01:active:2025-04-14,,\n"
    );
    let bad_file = dir.join("bad.csv");
    std::fs::write(&bad_file, bad).unwrap();
    let out = sepakat(
        &url,
        &blobs,
        &["import", "agreements", bad_file.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let said = text(&out);
    for expected in [
        "Ditolak / refused: 2 baris/rows",
        "baris/row 3:",
        "[agency] Lembaga pengguna `Dinas Pariwisata Kota Pontianak` tidak terdaftar",
        "[elements] Elemen data `warna_mata` tidak dikenal",
        "[minister_approval] Elemen data Sidik jari termasuk data pribadi yang dilindungi",
        "baris/row 4:",
        "[office] Disdukcapil dengan kode wilayah `99.99` tidak terdaftar",
        "[workflow] Alur `pks-kesehatan` tidak dikenal",
        "[pks_signed_on] Tanggal `17 Februari 2025`",
        "Nothing was written",
    ] {
        assert!(said.contains(expected), "missing {expected:?} in:\n{said}");
    }
    assert!(!said.contains("baris/row 2:"), "row 2 is fine: {said}");
    assert_eq!(footprint(&store).await, after);

    // The same with --dry-run --json: the refused rows and their problems, as data.
    let out = sepakat(
        &url,
        &blobs,
        &[
            "import",
            "agreements",
            bad_file.to_str().unwrap(),
            "--dry-run",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let refused: Vec<u64> = report["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["row"].as_u64().unwrap())
        .collect();
    assert_eq!(refused, [3, 4]);
    assert_eq!(report["refused"][1]["problems"][0]["column"], "office");
    assert!(
        report["refused"][1]["problems"][0]["message_en"]
            .as_str()
            .unwrap()
            .contains("99.99")
    );
    assert_eq!(footprint(&store).await, after);

    store.close().await.ok();
    std::fs::remove_dir_all(&dir).ok();
}

#[actix_rt::test]
async fn import_on_sqlite() {
    import_the_example_once_and_refuse_a_bad_file(Backend::Sqlite).await
}

#[actix_rt::test]
async fn import_on_postgres() {
    import_the_example_once_and_refuse_a_bad_file(Backend::Postgres).await
}
