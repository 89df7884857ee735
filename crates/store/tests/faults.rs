//! The store under faults: audit verification racing live commands, and PostgreSQL dropping
//! every connection of the pool.

mod common;

use chrono::Duration;
use common::*;
use sea_orm::{ConnectionTrait, Database};
use sepakat_store::testing::Backend;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

on_both_databases!(verify_while_commands_append_reports_no_break);

/// `sepakat audit verify` next to a working server: commands keep appending events to several
/// applications while the chains are verified again and again. Every report must be clean: a
/// chain and the head its application records are read in one snapshot.
async fn verify_while_commands_append_reports_no_break(backend: Backend) {
    let w = world(backend).await;
    let mut apps = Vec::new();
    for i in 0..4 {
        let out = submit(&w, t0() + Duration::minutes(i)).await;
        apps.push((out.application.id, out.application.version));
    }
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for (n, (id, version)) in apps.into_iter().enumerate() {
        let (store, stop, who) = (w.store.clone(), stop.clone(), w.coordinator);
        writers.push(tokio::spawn(async move {
            let mut version = version;
            let mut written = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let doc = attach("spesifikasi_teknis", 1000 * n as u64 + written);
                let at = t0() + Duration::hours(1) + Duration::seconds(written as i64);
                let out = store
                    .execute(id, version, doc, who, at)
                    .await
                    .unwrap_or_else(|e| panic!("writer {n}: {e}"));
                version = out.application.version;
                written += 1;
            }
            written
        }));
    }
    let mut runs = 0;
    let started = std::time::Instant::now();
    while runs < 40 || started.elapsed() < std::time::Duration::from_secs(3) {
        let report = w.store.verify_audit().await.unwrap();
        assert!(report.is_ok(), "{backend}, run {runs}: {report}");
        assert_eq!(report.applications, 4);
        runs += 1;
        if runs >= 400 {
            break;
        }
    }
    stop.store(true, Ordering::Relaxed);
    let mut written = 0;
    for t in writers {
        written += t.await.unwrap();
    }
    assert!(
        written >= 8,
        "{backend}: the writers should have raced the verification ({written} commands)"
    );
    // And each chain alone, after the fact.
    let report = w.store.verify_audit().await.unwrap();
    assert!(report.is_ok(), "{report}");
}

/// PostgreSQL terminates every connection of the server's pool (a database restart, an
/// administrator's `pg_terminate_backend`): the next reads and commands must not fail.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn terminated_connections_are_replaced_on_postgres() {
    let w = world(Backend::Postgres).await;
    let walk = submit(&w, t0()).await;
    let id = walk.application.id;
    // Fill the pool: several connections, all recently used.
    let mut reads = Vec::new();
    for _ in 0..8 {
        let store = w.store.clone();
        reads.push(tokio::spawn(async move {
            store.application(id).await.map(|_| ())
        }));
    }
    for r in reads {
        r.await.unwrap().unwrap();
    }
    let admin = Database::connect(w.db.url()).await.unwrap();
    let killed = admin
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        ))
        .await
        .unwrap();
    assert!(!killed.is_empty(), "the pool's connections were terminated");
    // Every following request works, reads and a command alike.
    for i in 0..12 {
        w.store
            .application(id)
            .await
            .unwrap_or_else(|e| panic!("read {i} after the restart: {e}"));
    }
    let out = w
        .store
        .execute(
            id,
            walk.application.version,
            attach("spesifikasi_teknis", 7),
            w.coordinator,
            t0() + Duration::hours(1),
        )
        .await
        .expect("a command after the restart");
    assert_eq!(out.application.version, walk.application.version + 1);
    admin.close().await.unwrap();
}

/// PostgreSQL terminates the pool's connections again and again while reads and commands are
/// under way: a request either succeeds or fails as `is_unavailable` (the API's 503 with
/// Retry-After), never as another storage failure (a 500). Issue #13, item 13.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn connections_lost_mid_query_are_unavailable_not_failures() {
    let w = world(Backend::Postgres).await;
    let walk = submit(&w, t0()).await;
    let id = walk.application.id;
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for n in 0..4u64 {
        let (store, stop, who) = (w.store.clone(), stop.clone(), w.coordinator);
        workers.push(tokio::spawn(async move {
            let (mut ok, mut unavailable) = (0u64, 0u64);
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let result = if n == 0 {
                    match store.application(id).await {
                        Ok(app) => store
                            .execute(
                                id,
                                app.state.version,
                                attach("spesifikasi_teknis", 10_000 + i),
                                who,
                                t0() + Duration::hours(1) + Duration::seconds(i as i64),
                            )
                            .await
                            .map(|_| ()),
                        Err(e) => Err(e),
                    }
                } else {
                    store.application(id).await.map(|_| ())
                };
                match result {
                    Ok(()) => ok += 1,
                    Err(e) if e.is_unavailable() => unavailable += 1,
                    // A command racing its own retry may be stale; never a storage failure.
                    Err(sepakat_store::StoreError::Conflict { .. }) => {}
                    Err(e) => panic!("worker {n}, request {i}: {e:?}"),
                }
            }
            (ok, unavailable)
        }));
    }
    let admin = Database::connect(w.db.url()).await.unwrap();
    for _ in 0..10 {
        tokio::time::sleep(std::time::Duration::from_millis(60)).await;
        admin
            .query_all_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = current_database() AND pid <> pg_backend_pid()",
            ))
            .await
            .ok();
    }
    stop.store(true, Ordering::Relaxed);
    let (mut ok, mut unavailable) = (0, 0);
    for t in workers {
        let (o, u) = t.await.unwrap();
        ok += o;
        unavailable += u;
    }
    assert!(
        ok > 0,
        "requests kept succeeding ({unavailable} unavailable)"
    );
    // The pool recovers: the next requests work.
    w.store
        .application(id)
        .await
        .expect("a read after the faults");
    admin.close().await.ok();
}
