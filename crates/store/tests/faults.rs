//! The store under faults: audit verification racing live commands.

mod common;

use chrono::Duration;
use common::*;
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
