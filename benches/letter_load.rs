//! Memory under letter load (#13): a real `sepakat serve` renders PDF letters round after round,
//! and the server's resident memory after each round and its peak show whether typst's
//! memoisation cache and the allocator stay bounded.
//!
//! The bench seeds a database with `sepakat demo`, signs in as `central`, and finds every letter
//! of every demo application that is still a draft: a draft is rendered by typst on each
//! request (an issued letter is served from its kept file, which costs no rendering). It then
//! runs `SEPAKAT_BENCH_ROUNDS` rounds (default 6) of `SEPAKAT_BENCH_N` rendered PDFs (default
//! 80) from 8 concurrent clients. Every other PDF is a new letter: an agency head submits a new
//! application, which issues its request letter with a number and date of its own, so typst
//! never saw that document before (the case that grows a memoisation cache). The others are
//! draft previews, walked in turn. After each round the bench prints the server's resident
//! memory (VmRSS) and its peak so far (VmHWM).
//!
//! Run: `cargo bench --bench letter_load`. `SEPAKAT_BENCH_DB=postgres` runs it on PostgreSQL
//! (127.0.0.1:5432, as for the tests) instead of SQLite; rendering does not touch the database
//! beyond reading the facts, so the default is SQLite.

#[path = "support/mod.rs"]
mod support;

use reqwest::Client;
use sepakat_store::testing::{Backend, TempDb};
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

const CENTRAL: (&str, &str) = ("ditjen@dukcapil.kemendagri.go.id", "ditjen-dukcapil");
const HEAD: (&str, &str) = ("kepala@dpmptsp.kalselprov.go.id", "dpmptsp-kalsel");
const CLIENTS: usize = 8;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Every string under a `letter` key anywhere in a workflow definition.
fn letters_in(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                match (k.as_str(), v) {
                    ("letter", Value::String(s)) => {
                        out.insert(s.clone());
                    }
                    _ => letters_in(v, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| letters_in(v, out)),
        _ => {}
    }
}

async fn get_json(client: &Client, url: &str, bearer: &str) -> Value {
    client
        .get(url)
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The draft letters of the demo's applications, as preview URLs without the format.
async fn drafts(client: &Client, base: &str, bearer: &str) -> Vec<String> {
    let list = get_json(
        client,
        &format!("{base}/api/v1/applications?limit=200"),
        bearer,
    )
    .await;
    let apps = list["items"].as_array().expect("applications").clone();
    let mut letters_of = std::collections::HashMap::new();
    let mut urls = Vec::new();
    for app in apps {
        let (id, workflow) = (
            app["id"].as_str().unwrap(),
            app["workflow"].as_str().unwrap(),
        );
        if !letters_of.contains_key(workflow) {
            let wf = get_json(
                client,
                &format!("{base}/api/v1/workflows/{workflow}"),
                bearer,
            )
            .await;
            let mut set = BTreeSet::new();
            letters_in(&wf["definition"], &mut set);
            letters_of.insert(workflow.to_string(), set);
        }
        for letter in &letters_of[workflow] {
            let url = format!("{base}/api/v1/applications/{id}/letters/{letter}");
            // HTML is enough to learn whether it is a draft (no number) and can be prepared.
            let res = client.get(&url).bearer_auth(bearer).send().await.unwrap();
            if res.status().is_success() && !res.headers().contains_key("x-letter-number") {
                urls.push(url);
            }
        }
    }
    urls
}

fn main() {
    let rounds = env_usize("SEPAKAT_BENCH_ROUNDS", 6);
    let per_round = env_usize("SEPAKAT_BENCH_N", 80);
    let backend = match std::env::var("SEPAKAT_BENCH_DB").as_deref() {
        Ok("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let db = TempDb::new(backend).await.expect("database");
        let blobs =
            std::env::temp_dir().join(format!("sepakat-bench-{}", uuid::Uuid::new_v4().simple()));
        let log = blobs.with_extension("log");
        support::demo(&db, &blobs);
        let server = support::serve(&db, &blobs, &log).await;
        server.wait_idle(std::time::Duration::from_secs(60)).await;
        let client = Client::builder()
            .pool_max_idle_per_host(CLIENTS)
            .build()
            .unwrap();
        let bearer = support::token(&client, &server.base, CENTRAL).await;
        let head = support::token(&client, &server.base, HEAD).await;
        let urls = Arc::new(drafts(&client, &server.base, &bearer).await);
        assert!(!urls.is_empty(), "the demo has draft letters");
        println!(
            "{backend}: {} draft letters; before the first PDF: RSS {:.1} MiB, peak {:.1} MiB\n",
            urls.len(),
            server.rss_mib(),
            server.peak_mib()
        );
        println!("| round | PDFs so far | PDFs/s | RSS after (MiB) | peak so far (MiB) |");
        println!("| ---: | ---: | ---: | ---: | ---: |");
        let next = Arc::new(AtomicUsize::new(0));
        for round in 1..=rounds {
            let started = Instant::now();
            let end = round * per_round;
            let mut tasks = Vec::new();
            for _ in 0..CLIENTS {
                let (client, bearer, head, urls, next) = (
                    client.clone(),
                    bearer.clone(),
                    head.clone(),
                    urls.clone(),
                    next.clone(),
                );
                let base = server.base.clone();
                tasks.push(tokio::spawn(async move {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= end {
                            break;
                        }
                        if i % 2 == 0 {
                            let res = client
                                .post(format!("{base}/api/v1/applications"))
                                .bearer_auth(&head)
                                .json(&support::request(&format!("Uji beban surat nomor {i}")))
                                .send()
                                .await
                                .unwrap();
                            let status = res.status();
                            let body = res.text().await.unwrap();
                            assert!(status.is_success(), "submit: {status} {body}");
                        } else {
                            let url = format!("{}?format=pdf", urls[(i / 2) % urls.len()]);
                            let res = client.get(&url).bearer_auth(&bearer).send().await.unwrap();
                            let status = res.status();
                            let body = res.bytes().await.unwrap();
                            assert!(
                                status.is_success() && body.starts_with(b"%PDF"),
                                "{url}: {status}"
                            );
                        }
                    }
                }));
            }
            for t in tasks {
                t.await.unwrap();
            }
            // Each client took one index past the end: the next round starts at the end.
            next.store(end, Ordering::Relaxed);
            println!(
                "| {round} | {end} | {:.0} | {:.1} | {:.1} |",
                per_round as f64 / started.elapsed().as_secs_f64(),
                server.rss_mib(),
                server.peak_mib()
            );
        }
        let warnings = std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("WARN") || l.contains("ERROR"))
            .count();
        println!("\n{warnings} warnings or errors in the server log");
        drop(server);
        db.remove().await.ok();
        std::fs::remove_dir_all(&blobs).ok();
        std::fs::remove_file(&log).ok();
    });
}
