//! What the HTTP benchmarks share: a demo database and a real `sepakat serve` process, its
//! memory and CPU read from `/proc`, and a bearer token. Each bench includes this module with
//! `#[path = "support/mod.rs"] mod support;` and uses what it needs.
#![allow(dead_code)] // each bench binary uses a different part of it

use reqwest::Client;
use sepakat_store::testing::TempDb;
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `sepakat serve` process, killed when dropped.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn status_kb(&self, field: &str) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    }

    /// Peak resident memory of the server process (VmHWM), in MiB.
    pub fn peak_mib(&self) -> f64 {
        self.status_kb("VmHWM:") / 1024.0
    }

    /// Resident memory of the server process now (VmRSS), in MiB.
    pub fn rss_mib(&self) -> f64 {
        self.status_kb("VmRSS:") / 1024.0
    }

    /// CPU time used so far, in clock ticks (utime + stime).
    fn cpu_ticks(&self) -> u64 {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap_or_default();
        // Fields after the command name in parentheses; utime and stime are the 14th and 15th.
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let f: Vec<&str> = rest.split_whitespace().collect();
        let n = |i: usize| f.get(i).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0);
        n(11) + n(12)
    }

    /// Waits until the server has used (almost) no CPU for three seconds in a row: its
    /// background work at start (the evaluation calendar's sweep, the outbox) is done.
    pub async fn wait_idle(&self, limit: Duration) -> Duration {
        let started = Instant::now();
        let mut last = self.cpu_ticks();
        let mut quiet = 0;
        while started.elapsed() < limit {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let now = self.cpu_ticks();
            if now.saturating_sub(last) <= 3 {
                quiet += 1;
                if quiet >= 3 {
                    break;
                }
            } else {
                quiet = 0;
            }
            last = now;
        }
        started.elapsed()
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Fills `db` with the demo scenarios (`sepakat demo`).
pub fn demo(db: &TempDb, blobs: &Path) {
    let exe = env!("CARGO_BIN_EXE_sepakat");
    let repo = env!("CARGO_MANIFEST_DIR");
    let demo = Command::new(exe)
        .arg("demo")
        .env("DATABASE_URL", db.url())
        .env("SEPAKAT_BLOBS", blobs)
        .env("SEPAKAT_WORKFLOWS", format!("{repo}/workflows"))
        .output()
        .expect("sepakat demo");
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
}

/// Starts `sepakat serve` on `db` with the repository's workflows and templates, its log in
/// `log`, and waits (up to a minute) until it answers `/healthz`.
pub async fn serve(db: &TempDb, blobs: &Path, log: &Path) -> Server {
    let exe = env!("CARGO_BIN_EXE_sepakat");
    let repo = env!("CARGO_MANIFEST_DIR");
    let port = free_port();
    let child = Command::new(exe)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", db.url())
        .env("SEPAKAT_BLOBS", blobs)
        .env("SEPAKAT_WORKFLOWS", format!("{repo}/workflows"))
        .env("SEPAKAT_TEMPLATES", format!("{repo}/templates"))
        .env("SEPAKAT_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).expect("server log"))
        .spawn()
        .expect("sepakat serve");
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let client = Client::new();
    for _ in 0..600 {
        if client
            .get(format!("{}/healthz", server.base))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the server did not come up: {}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

/// A bearer token for a demo account.
pub async fn token(client: &Client, base: &str, (email, password): (&str, &str)) -> String {
    let r: Value = client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["token"].as_str().expect("token").to_string()
}

/// The body of a new provincial request from the Kalimantan Selatan demo agency; submitting it
/// issues its request letter (`surat_permohonan`).
pub fn request(purpose: &str) -> Value {
    json!({
        "workflow": "pks-provinsi",
        "purpose": purpose,
        "purpose_kind": "public_service",
        "legal_basis": "Permendagri 102/2019",
        "data_type": "individual",
        "elements": [{"code": "nik", "justification": "uji"}],
        "access_method": "web_portal",
        "data_balikan": ["NIB"],
        "duration_months": 24
    })
}
