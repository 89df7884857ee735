//! What issuing a letter costs, side by side with rendering it alone.
//!
//! `cargo bench --bench issue_letters` (PostgreSQL must be running, as for the tests).
//! Environment: `SEPAKAT_BENCH_N` (letters per phase, default 60), `SEPAKAT_BENCH_BACKENDS`
//! (`sqlite,postgres`).
//!
//! A submission issues the agency's request letter inside its transaction. Three phases, each
//! run twice and alternated so drift on a shared machine hits all of them:
//! - **issue**: `Store::submit` with the server's sealer: the number from two registers, the
//!   frozen context, the HTML and the PDF rendered, both hashed and written to the blob store;
//! - **submit, no render**: the same command with the store's facts-only sealer (numbering, the
//!   frozen facts and their hash, no rendering): the command's own cost;
//! - **render alone**: building the same letter's context and rendering its HTML and PDF, no
//!   database;
//! - **render + keep**: the same, then writing both files to the blob store as issuing does
//!   (each write fsynced), which shows where issuing's cost goes.
//!
//! Issuing's own cost is the first minus the second; next to the third it shows what the record
//! adds to a render.

use chrono::{TimeZone, Utc};
use sepakat_core::Role;
use sepakat_core::letter::LetterInputs;
use sepakat_store::testing::{Backend, FactsSealer, TempDb};
use sepakat_store::{NewAccount, NewAgency, NewApplication, NewOffice, Store};
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

const KABKOTA: &str = include_str!("../workflows/pks-kabkota.toml");

struct Setup {
    store: Store,
    agency: Uuid,
    head: Uuid,
}

fn request() -> sepakat_core::Request {
    serde_json::from_value(serde_json::json!({
        "purpose": "Verifikasi data peserta didik baru berbasis NIK",
        "purpose_kind": "public_service",
        "legal_basis": "Permendagri 102/2019 jo. Permendagri 17/2023",
        "data_type": "individual",
        "elements": [
            {"code": "nik", "justification": "Kunci pencocokan"},
            {"code": "nama_lengkap", "justification": "Pencocokan identitas"}
        ],
        "access_method": "web_portal",
        "data_balikan": ["NISN dipadankan dengan NIK"],
        "duration_months": 24
    }))
    .expect("a valid request")
}

async fn setup(db: &TempDb) -> Setup {
    let store = db.store().await.expect("store");
    let now = Utc.with_ymd_and_hms(2024, 6, 3, 3, 0, 0).unwrap();
    store
        .register_workflow("pks-kabkota.toml", KABKOTA, now)
        .await
        .expect("workflow");
    let office = store
        .create_office(
            NewOffice {
                name: "Dinas Kependudukan dan Pencatatan Sipil Kota Pontianak".into(),
                region_code: "61.71".into(),
                place_name: "Pontianak".into(),
                address: "Jalan Letjen Sutoyo, Pontianak".into(),
                letter_code: None,
                letter_unit: "Dukcapil.4".into(),
                letter_pattern: None,
                utc_offset_minutes: None,
            },
            now,
        )
        .await
        .expect("office");
    let agency = store
        .create_agency(
            NewAgency {
                name: "Dinas Pendidikan dan Kebudayaan Kota Pontianak".into(),
                kind: None,
                office_id: office.id,
                address: "Jalan Letjen Sutoyo, Pontianak".into(),
                letter_unit: None,
            },
            now,
        )
        .await
        .expect("agency");
    let head = store
        .create_account(
            NewAccount {
                email: "kadis@disdikbud.go.id".into(),
                name: "Drs. Syahrul Amin".into(),
                nip: Some("196805121994031007".into()),
                position: Some("Kepala Dinas".into()),
                role: Role::AgencyHead,
                office_id: None,
                agency_id: Some(agency.id),
                province: None,
            },
            now,
        )
        .await
        .expect("head")
        .id;
    Setup {
        store,
        agency: agency.id,
        head,
    }
}

async fn submit(s: &Setup) -> Uuid {
    let out = s
        .store
        .submit(
            NewApplication {
                id: None,
                workflow: "pks-kabkota".into(),
                agency_id: s.agency,
                office_id: None,
                request: request(),
            },
            s.head,
            Utc::now(),
        )
        .await
        .expect("submit");
    out.application.id
}

fn per_letter(total: Duration, n: usize) -> f64 {
    total.as_secs_f64() * 1000.0 / n as f64
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: usize = std::env::var("SEPAKAT_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let backends = std::env::var("SEPAKAT_BENCH_BACKENDS").unwrap_or("sqlite,postgres".into());
    let blobs_dir = std::env::temp_dir().join(format!("sepakat-bench-blobs-{}", Uuid::new_v4()));
    let templates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/letters");
    println!(
        "| database | issue (ms/letter) | submit, no render (ms) | issuing's own cost (ms) | render alone (ms) | render + keep files (ms) | issue / render |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for name in backends.split(',') {
        let backend = match name.trim() {
            "sqlite" => Backend::Sqlite,
            "postgres" => Backend::Postgres,
            other => panic!("unknown backend {other}: use sqlite or postgres"),
        };
        let db = TempDb::new(backend).await.expect("database");
        let s = setup(&db).await;
        let letters = sepakat_web::api::letters::load_letters(&templates).expect("templates");
        let real = || {
            sepakat_web::api::letters::install_sealer(
                &s.store,
                letters.clone(),
                sepakat_web::blobs::BlobStore::new(&blobs_dir),
                "https://sepakat.example.go.id",
            )
        };
        // One warm-up letter each way (fonts, templates, the pool).
        real();
        let sample = submit(&s).await;
        let facts = s
            .store
            .letter_facts(&s.store.application(sample).await.expect("app").state)
            .await
            .expect("facts");
        let today = Utc::now().date_naive();
        let keep = sepakat_web::blobs::BlobStore::new(blobs_dir.join("keep"));
        let (mut issue, mut plain, mut render, mut kept) = (
            Duration::ZERO,
            Duration::ZERO,
            Duration::ZERO,
            Duration::ZERO,
        );
        for _round in 0..2 {
            real();
            let t = Instant::now();
            for _ in 0..n {
                submit(&s).await;
            }
            issue += t.elapsed();

            s.store.set_letter_sealer(Arc::new(FactsSealer));
            let t = Instant::now();
            for _ in 0..n {
                submit(&s).await;
            }
            plain += t.elapsed();

            let t = Instant::now();
            for _ in 0..n {
                let ctx = sepakat_letters::build_context(
                    "surat_permohonan",
                    &facts,
                    None,
                    &LetterInputs::default(),
                    today,
                )
                .expect("context");
                letters.render_html("surat_permohonan", &ctx).expect("html");
                letters.render_pdf("surat_permohonan", &ctx).expect("pdf");
            }
            render += t.elapsed();

            let t = Instant::now();
            for i in 0..n {
                let mut ctx = sepakat_letters::build_context(
                    "surat_permohonan",
                    &facts,
                    None,
                    &LetterInputs::default(),
                    today,
                )
                .expect("context");
                // A different number each time, so every file is new to the blob store.
                ctx.number = Some(format!("400.12/{i}/{}/BENCH/2026", Uuid::new_v4()));
                let html = letters.render_html("surat_permohonan", &ctx).expect("html");
                let pdf = letters.render_pdf("surat_permohonan", &ctx).expect("pdf");
                keep.put(html.as_bytes()).expect("html kept");
                keep.put(&pdf).expect("pdf kept");
            }
            kept += t.elapsed();
        }
        let (i, p, r, k) = (
            per_letter(issue, 2 * n),
            per_letter(plain, 2 * n),
            per_letter(render, 2 * n),
            per_letter(kept, 2 * n),
        );
        println!(
            "| {name} | {i:.1} | {p:.1} | {:.1} | {r:.1} | {k:.1} | {:.2} |",
            i - p,
            i / r
        );
        s.store.close().await.ok();
        db.remove().await.ok();
    }
    std::fs::remove_dir_all(&blobs_dir).ok();
}
