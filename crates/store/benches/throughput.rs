//! Durable commands per second through the store, next to the raw SQL that is the least any
//! command must do (one transaction: the version-checked state UPDATE and one event INSERT),
//! on the same database, in the same process, at 1 and 8 concurrent writers.
//!
//! `cargo bench -p sepakat-store` (PostgreSQL must be running; see `sepakat_store::testing`).
//! Environment: `SEPAKAT_BENCH_SECS` (seconds per measured phase, default 3),
//! `SEPAKAT_BENCH_BACKENDS` (`sqlite,postgres`).
//!
//! Every writer owns its application, so nobody conflicts: this measures throughput, not
//! contention. The store's command for the comparison is `RecordMinisterApproval`: the state
//! row and one audit event (with its hash chain), exactly what the raw transaction writes, plus
//! everything the store does around it (account and application read, the core's decision,
//! serialization, hashing). Shown beside it: `AttachDocument`, which also writes the document's
//! row, and the same command through a store that remembers nothing between commands
//! (`recent_capacity: 0`), so it reads the application and the account before every write. On SQLite both paths serialise writers
//! in-process and start with `BEGIN IMMEDIATE`, as the store does; on PostgreSQL both run
//! READ COMMITTED transactions on the same pool. Both sides are measured twice, alternately, and
//! summed, so drift on a shared machine hits both.

use chrono::{TimeZone, Utc};
use sepakat_core::{Command, Role};
use sepakat_store::testing::{Backend, RawApp, TempDb, raw_baseline};
use sepakat_store::{NewAccount, NewAgency, NewApplication, NewOffice, Store, StoreOptions};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use uuid::Uuid;

const KABKOTA: &str = include_str!("../../../workflows/pks-kabkota.toml");
const MAX_WRITERS: usize = 8;

struct Setup {
    store: Store,
    /// A second store on the same database that remembers nothing: every command reads first.
    cold: Store,
    coordinator: Uuid,
    store_apps: Vec<(Uuid, i64)>,
    raw_apps: Vec<RawApp>,
}

fn request() -> sepakat_core::Request {
    serde_json::from_value(serde_json::json!({
        "purpose": "Verifikasi data peserta didik baru berbasis NIK",
        "purpose_kind": "law_enforcement",
        "legal_basis": "Permendagri 17/2023",
        "data_type": "individual",
        "elements": [
            {"code": "nik", "justification": "Kunci pencocokan"},
            {"code": "nama_lengkap", "justification": "Pencocokan identitas"},
            {"code": "sidik_jari", "justification": "Identifikasi forensik"}
        ],
        "access_method": "web_portal",
        "data_balikan": ["NISN dipadankan dengan NIK"],
        "duration_months": 24
    }))
    .expect("a valid request")
}

async fn setup(db: &TempDb) -> Setup {
    let store = db
        .store_with(StoreOptions {
            max_connections: Some(MAX_WRITERS as u32 + 2),
            ..StoreOptions::default()
        })
        .await
        .expect("store");
    let now = Utc.with_ymd_and_hms(2024, 6, 3, 3, 0, 0).unwrap();
    store
        .register_workflow("pks-kabkota.toml", KABKOTA, now)
        .await
        .expect("workflow");
    let office = store
        .create_office(
            NewOffice {
                name: "Disdukcapil Kota Pontianak".into(),
                region_code: "61.71".into(),
                place_name: "Pontianak".into(),
                address: String::new(),
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
                name: "Disdikbud".into(),
                kind: None,
                office_id: office.id,
                address: String::new(),
                letter_unit: None,
            },
            now,
        )
        .await
        .expect("agency");
    let account = |email: &str, role, office_id, agency_id| NewAccount {
        email: email.into(),
        name: email.into(),
        nip: None,
        position: None,
        role,
        office_id,
        agency_id,
        province: None,
    };
    let head = store
        .create_account(
            account("kadis@x.go.id", Role::AgencyHead, None, Some(agency.id)),
            now,
        )
        .await
        .expect("head")
        .id;
    let coordinator = store
        .create_account(
            account(
                "koordinator@x.go.id",
                Role::Coordinator,
                Some(office.id),
                None,
            ),
            now,
        )
        .await
        .expect("coordinator")
        .id;
    let mut apps = Vec::new();
    for _ in 0..2 * MAX_WRITERS {
        let out = store
            .submit(
                NewApplication {
                    id: None,
                    workflow: "pks-kabkota".into(),
                    agency_id: agency.id,
                    office_id: None,
                    request: request(),
                },
                head,
                now,
            )
            .await
            .expect("submit");
        // The Minister's letter on file, so `RecordMinisterApproval` may be recorded (again).
        let out = store
            .execute(
                out.application.id,
                out.application.version,
                Command::AttachDocument {
                    key: "persetujuan_menteri".into(),
                    sha256: format!("{:064x}", 1),
                    filename: "persetujuan-menteri.pdf".into(),
                },
                coordinator,
                now,
            )
            .await
            .expect("attach");
        apps.push(out.application);
    }
    let mut raw_apps = Vec::new();
    for a in apps.split_off(MAX_WRITERS) {
        raw_apps.push(RawApp::load(&store, a.id).await.expect("raw app"));
    }
    let store_apps = apps.into_iter().map(|a| (a.id, a.version)).collect();
    let cold = Store::connect_with(
        db.url(),
        StoreOptions {
            max_connections: Some(MAX_WRITERS as u32 + 2),
            recent_capacity: 0,
            ..StoreOptions::default()
        },
    )
    .await
    .expect("cold store");
    Setup {
        store,
        cold,
        coordinator,
        store_apps,
        raw_apps,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum StoreCommand {
    /// `RecordMinisterApproval`: the state row and one audit event, like the raw transaction.
    EventOnly,
    /// `AttachDocument`: the same plus the document's row.
    WithDocument,
}

/// Commands through the store for `secs`; returns commands done.
async fn run_store(
    s: &Setup,
    store: &Store,
    what: StoreCommand,
    writers: usize,
    secs: Duration,
    counter: &Arc<AtomicU64>,
) -> u64 {
    let deadline = Instant::now() + secs;
    let mut tasks = Vec::new();
    for &(id, version) in s.store_apps.iter().take(writers) {
        let store = store.clone();
        let who = s.coordinator;
        let counter = counter.clone();
        tasks.push(tokio::spawn(async move {
            let mut version = store
                .application(id)
                .await
                .map(|a| a.row.version)
                .unwrap_or(version);
            let mut done = 0u64;
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let cmd = match what {
                    StoreCommand::EventOnly => Command::RecordMinisterApproval {
                        reference: format!("B-{n}/MENDAGRI/2024"),
                    },
                    StoreCommand::WithDocument => Command::AttachDocument {
                        key: "spesifikasi_teknis".into(),
                        sha256: format!("{n:064x}"),
                        filename: "spesifikasi-teknis.pdf".into(),
                    },
                };
                let out = store
                    .execute(id, version, cmd, who, Utc::now())
                    .await
                    .expect("store command");
                version = out.application.version;
                done += 1;
            }
            done
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.expect("writer");
    }
    total
}

/// The raw equivalent, shared with the HTTP benchmark: `sepakat_store::testing::raw_baseline`.
async fn run_raw(s: &Setup, writers: usize, secs: Duration) -> u64 {
    raw_baseline(&s.store, &s.raw_apps, writers, secs)
        .await
        .expect("raw baseline")
}

struct Row {
    backend: Backend,
    writers: usize,
    store: f64,
    with_document: f64,
    cold: f64,
    raw: f64,
}

fn main() {
    let secs = std::env::var("SEPAKAT_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(3.0);
    let phase = Duration::from_secs_f64(secs);
    let backends: Vec<Backend> = std::env::var("SEPAKAT_BENCH_BACKENDS")
        .unwrap_or_else(|_| "sqlite,postgres".into())
        .split(',')
        .filter_map(|b| match b.trim() {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" => Some(Backend::Postgres),
            _ => None,
        })
        .collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut rows = Vec::new();
    rt.block_on(async {
        for backend in backends {
            let db = TempDb::new(backend).await.unwrap_or_else(|e| panic!("{e}"));
            let s = setup(&db).await;
            let counter = Arc::new(AtomicU64::new(1));
            let (warm, cold) = (&s.store, &s.cold);
            // Warm-up: connections, caches, the file's first pages.
            let w = Duration::from_millis(300);
            run_store(&s, warm, StoreCommand::EventOnly, MAX_WRITERS, w, &counter).await;
            run_raw(&s, MAX_WRITERS, w).await;
            for writers in [1, MAX_WRITERS] {
                let (mut store_n, mut doc_n, mut cold_n, mut raw_n) = (0, 0, 0, 0);
                for _ in 0..2 {
                    raw_n += run_raw(&s, writers, phase).await;
                    store_n +=
                        run_store(&s, warm, StoreCommand::EventOnly, writers, phase, &counter)
                            .await;
                    doc_n += run_store(
                        &s,
                        warm,
                        StoreCommand::WithDocument,
                        writers,
                        phase,
                        &counter,
                    )
                    .await;
                    cold_n +=
                        run_store(&s, cold, StoreCommand::EventOnly, writers, phase, &counter)
                            .await;
                }
                let t = 2.0 * phase.as_secs_f64();
                let row = Row {
                    backend,
                    writers,
                    store: store_n as f64 / t,
                    with_document: doc_n as f64 / t,
                    cold: cold_n as f64 / t,
                    raw: raw_n as f64 / t,
                };
                println!(
                    "{:<8} writers={:<2} store {:>6.0} cmd/s  raw SQL {:>6.0} cmd/s  ratio {:.2}   \
                     (+ document row: {:>6.0}, {:.2}; reading first: {:>6.0}, {:.2})",
                    row.backend,
                    row.writers,
                    row.store,
                    row.raw,
                    row.store / row.raw,
                    row.with_document,
                    row.with_document / row.raw,
                    row.cold,
                    row.cold / row.raw,
                );
                rows.push(row);
            }
            let report = s.store.verify_audit().await.expect("verify");
            // The raw path writes placeholder hashes on purpose; the store's own chains must hold.
            let store_ids: Vec<Uuid> = s.store_apps.iter().map(|(id, _)| *id).collect();
            assert!(
                report
                    .broken
                    .iter()
                    .all(|b| !store_ids.contains(&b.application_id)),
                "the store's chains must verify"
            );
            s.store.close().await.expect("close");
            s.cold.close().await.expect("close");
            db.remove().await.expect("drop database");
        }
    });
    println!();
    println!(
        "| database | writers | store (cmd/s) | raw SQL (cmd/s) | ratio | store + document row (cmd/s) | ratio | store reading first (cmd/s) | ratio |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for r in &rows {
        println!(
            "| {} | {} | {:.0} | {:.0} | **{:.2}** | {:.0} | {:.2} | {:.0} | {:.2} |",
            r.backend,
            r.writers,
            r.store,
            r.raw,
            r.store / r.raw,
            r.with_document,
            r.with_document / r.raw,
            r.cold,
            r.cold / r.raw
        );
    }
}
