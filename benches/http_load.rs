//! HTTP load: transitions per second and latency through the whole server (a separate
//! `sepakat serve` process), at 8 and 64 concurrent clients, on SQLite and PostgreSQL, beside
//! the raw-SQL baseline of the store benchmark on the same database in the same run, and the
//! server's peak memory.
//!
//! Run: `cargo bench --bench http_load` (PostgreSQL on 127.0.0.1:5432, as for the tests).
//! `SEPAKAT_BENCH_SECS` sets each phase's length (default 8).

#[path = "support/mod.rs"]
mod support;

use reqwest::Client;
use sepakat_store::testing::{Backend, RawApp, TempDb, raw_baseline};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::token;

const COORD: (&str, &str) = (
    "koordinator@disdukcapil.kalselprov.go.id",
    "kalsel-koordinator",
);
const HEAD: (&str, &str) = ("kepala@dpmptsp.kalselprov.go.id", "dpmptsp-kalsel");

/// A new provincial application with its signed request letter on file; returns (id, version).
async fn prepare(client: &Client, base: &str, head: &str) -> (String, i64) {
    let body = support::request("Uji beban");
    let app: Value = client
        .post(format!("{base}/api/v1/applications"))
        .bearer_auth(head)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = app["id"].as_str().expect("created").to_string();
    let form = reqwest::multipart::Form::new()
        .text("key", "signed:surat_permohonan")
        .text("expected_version", app["version"].to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"%PDF-1.4 bench".to_vec()).file_name("surat.pdf"),
        );
    let after: Value = client
        .post(format!("{base}/api/v1/applications/{id}/documents"))
        .bearer_auth(head)
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (id, after["version"].as_i64().expect("uploaded"))
}

struct Figures {
    per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
}

/// Each client owns an application and moves it back and forth: the coordinator returns the
/// request, the agency head resubmits it — two real transitions through the whole stack.
async fn load(base: &str, clients: usize, secs: Duration) -> Figures {
    let client = Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .unwrap();
    let coord = token(&client, base, COORD).await;
    let head = token(&client, base, HEAD).await;
    let mut apps = Vec::new();
    for _ in 0..clients {
        apps.push(prepare(&client, base, &head).await);
    }
    let deadline = Instant::now() + secs;
    let mut tasks = Vec::new();
    for (id, mut version) in apps {
        let (client, base, coord, head) = (
            client.clone(),
            base.to_string(),
            coord.clone(),
            head.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut back = true;
            while Instant::now() < deadline {
                let (token, action) = if back { (&coord, "kembalikan_permohonan") } else { (&head, "ajukan_ulang_permohonan") };
                let started = Instant::now();
                let res = client
                    .post(format!("{base}/api/v1/applications/{id}/transitions"))
                    .bearer_auth(token)
                    .json(&json!({"action": action, "comment": "uji beban", "expected_version": version}))
                    .send()
                    .await
                    .expect("request");
                let ok = res.status().is_success();
                let _ = res.bytes().await;
                assert!(ok, "{action} failed under load");
                latencies.push(started.elapsed());
                version += 1;
                back = !back;
            }
            latencies
        }));
    }
    let started = Instant::now();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64().max(secs.as_secs_f64());
    all.sort();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
    };
    Figures {
        per_sec: all.len() as f64 / elapsed,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
    }
}

fn main() {
    let secs = Duration::from_secs(
        std::env::var("SEPAKAT_BENCH_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(8),
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut rows = Vec::new();
    rt.block_on(async {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let db = TempDb::new(backend).await.expect("database");
            let blobs = std::env::temp_dir().join(format!("sepakat-bench-{}", uuid::Uuid::new_v4().simple()));
            support::demo(&db, &blobs);
            let server = support::serve(&db, &blobs, &blobs.with_extension("log")).await;
            let store = sepakat_store::Store::connect(db.url()).await.unwrap();
            for clients in [8, 64] {
                let http = load(&server.base, clients, secs).await;
                // The raw baseline writes to eight demo applications the load did not touch.
                let mut raw_apps = Vec::new();
                for a in store.list_applications(&Default::default()).await.unwrap().items.iter().rev().take(8) {
                    raw_apps.push(RawApp::load(&store, a.id).await.unwrap());
                }
                let raw = raw_baseline(&store, &raw_apps, 8, secs).await.expect("raw baseline") as f64 / secs.as_secs_f64();
                println!(
                    "{backend:<8} clients={clients:<3} http {:>7.0} transitions/s  p50 {:>6.2} ms  p99 {:>6.2} ms   raw SQL {:>7.0}/s   ratio {:.2}",
                    http.per_sec,
                    http.p50_ms,
                    http.p99_ms,
                    raw,
                    http.per_sec / raw
                );
                rows.push((backend, clients, http, raw));
            }
            let peak = server.peak_mib();
            println!("{backend:<8} server peak memory (VmHWM) {peak:.1} MiB");
            drop(server);
            store.close().await.ok();
            db.remove().await.ok();
            std::fs::remove_dir_all(&blobs).ok();
            std::fs::remove_file(blobs.with_extension("log")).ok();
        }
    });
    println!(
        "\n| database | clients | transitions/s | p50 ms | p99 ms | raw SQL/s (8 writers) | ratio |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for (b, c, h, raw) in rows {
        println!(
            "| {b} | {c} | {:.0} | {:.2} | {:.2} | {:.0} | {:.2} |",
            h.per_sec,
            h.p50_ms,
            h.p99_ms,
            raw,
            h.per_sec / raw
        );
    }
}
