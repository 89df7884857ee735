//! The black-box harness: a real server on a free port over a fresh database (SQLite or
//! PostgreSQL), filled by `sepakat demo` exactly as a newcomer would.
#![allow(dead_code)]

use reqwest::{Client, Response, StatusCode};
use sepakat_store::Store;
use sepakat_store::testing::{Backend, TempDb};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

pub use sepakat_store::testing::Backend as Db;

pub mod smtp;

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub store: Store,
    pub db: Option<TempDb>,
    pub blobs: PathBuf,
    pub handle: actix_web::dev::ServerHandle,
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Starts a server on a fresh database filled by `sepakat demo`.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with_clock(backend, Arc::new(sepakat_web::SystemClock)).await
}

/// The same, with the server's "now" taken from `clock` (tests move it instead of sleeping).
pub async fn spawn_app_with_clock(backend: Backend, clock: Arc<dyn sepakat_web::Clock>) -> TestApp {
    let db = TempDb::new(backend).await.expect("temporary database");
    let blobs =
        std::env::temp_dir().join(format!("sepakat-blobs-{}", uuid::Uuid::new_v4().simple()));
    let out = Command::new(env!("CARGO_BIN_EXE_sepakat"))
        .arg("demo")
        .env("DATABASE_URL", db.url())
        .env("SEPAKAT_BLOBS", &blobs)
        .env("SEPAKAT_WORKFLOWS", repo().join("workflows"))
        .output()
        .expect("run sepakat demo");
    assert!(
        out.status.success(),
        "sepakat demo failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = Store::connect(db.url())
        .await
        .expect("open the test database");
    store
        .register_workflow_dir(&repo().join("workflows"), chrono::Utc::now())
        .await
        .unwrap();
    let config = sepakat_web::config::ServeConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: db.url().to_string(),
        blobs: blobs.clone(),
        workers: 2,
        max_upload_bytes: 64 * 1024,
        ..Default::default()
    };
    let app = sepakat_web::Application::build(config, store.clone(), clock).expect("bind");
    let handle = app.server.handle();
    actix_rt::spawn(app.server);
    TestApp {
        base: format!("http://127.0.0.1:{}", app.port),
        client: Client::builder().cookie_store(true).build().unwrap(),
        store,
        db: Some(db),
        blobs,
        handle,
    }
}

impl TestApp {
    pub async fn stop(mut self) {
        self.handle.stop(true).await;
        self.store.close().await.ok();
        if let Some(db) = self.db.take() {
            db.remove().await.ok();
        }
        std::fs::remove_dir_all(&self.blobs).ok();
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A bearer token for a demo account.
    pub async fn token(&self, email: &str, password: &str) -> String {
        let res = self
            .client
            .post(self.url("/api/v1/auth/token"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED, "sign-in as {email}");
        res.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn get(&self, token: &str, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn detail(&self, token: &str, id: &str) -> Value {
        let res = self.get(token, &format!("/api/v1/applications/{id}")).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }

    /// Fires an action and expects success; returns the new state.
    pub async fn act(&self, token: &str, id: &str, action: &str) -> Value {
        let version = self.detail(token, id).await["version"].as_i64().unwrap();
        let res = self
            .post(
                token,
                &format!("/api/v1/applications/{id}/transitions"),
                json!({"action": action, "comment": "Sesuai berkas.", "expected_version": version}),
            )
            .await;
        let status = res.status();
        let body: Value = res.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{action}: {body}");
        body
    }

    /// Uploads a small PDF under `key`.
    pub async fn upload(&self, token: &str, id: &str, key: &str) -> Response {
        let version = self.detail(token, id).await["version"].as_i64().unwrap();
        self.upload_bytes(
            token,
            id,
            key,
            version,
            format!("%PDF-1.4\n% {key}\n%%EOF\n").into_bytes(),
        )
        .await
    }

    pub async fn upload_bytes(
        &self,
        token: &str,
        id: &str,
        key: &str,
        version: i64,
        bytes: Vec<u8>,
    ) -> Response {
        let form = reqwest::multipart::Form::new()
            .text("key", key.to_string())
            .text("expected_version", version.to_string())
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes)
                    .file_name(format!("{}.pdf", key.replace(':', "-"))),
            );
        self.client
            .post(self.url(&format!("/api/v1/applications/{id}/documents")))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .unwrap()
    }

    pub async fn attach(&self, token: &str, id: &str, key: &str) {
        let res = self.upload(token, id, key).await;
        let status = res.status();
        assert_eq!(
            status,
            StatusCode::OK,
            "upload {key}: {}",
            res.text().await.unwrap()
        );
    }

    /// Issues (numbers) `letter` through the API, with the facts a clerk would type in.
    pub async fn issue(&self, token: &str, id: &str, letter: &str) -> Value {
        let res = self
            .command(
                token,
                id,
                json!({"command": "issue_letter", "letter": letter, "inputs": letter_inputs(letter)}),
            )
            .await;
        let status = res.status();
        let body: Value = res.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "issue {letter}: {body}");
        body["letters"][0].clone()
    }

    pub async fn command(&self, token: &str, id: &str, command: Value) -> Response {
        let version = self.detail(token, id).await["version"].as_i64().unwrap();
        self.post(
            token,
            &format!("/api/v1/applications/{id}/commands"),
            json!({"expected_version": version, "command": command}),
        )
        .await
    }

    /// The first application of the caller's list in `stage`.
    pub async fn find(&self, token: &str, stage: &str) -> String {
        let list: Value = self
            .get(token, &format!("/api/v1/applications?stage={stage}"))
            .await
            .json()
            .await
            .unwrap();
        list["items"][0]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no application at {stage}: {list}"))
            .to_string()
    }
}

/// Demo accounts (see `src/demo.rs`).
pub mod who {
    pub const KOORD_KALSEL: (&str, &str) = (
        "koordinator@disdukcapil.kalselprov.go.id",
        "kalsel-koordinator",
    );
    pub const REVIU_KALSEL: (&str, &str) = ("reviu@disdukcapil.kalselprov.go.id", "kalsel-reviu");
    pub const KOORD_PTK: (&str, &str) = (
        "koordinator@disdukcapil.pontianak.go.id",
        "pontianak-koordinator",
    );
    pub const REVIEWER_KALBAR: (&str, &str) =
        ("peninjau@disdukcapil.kalbarprov.go.id", "kalbar-peninjau");
    pub const CENTRAL: (&str, &str) = ("ditjen@dukcapil.kemendagri.go.id", "ditjen-dukcapil");
    pub const HEAD_DPMPTSP_KALSEL: (&str, &str) =
        ("kepala@dpmptsp.kalselprov.go.id", "dpmptsp-kalsel");
    pub const HEAD_DISNAKER_KALSEL: (&str, &str) = (
        "kepala@disnakertrans.kalselprov.go.id",
        "disnakertrans-kalsel",
    );
    pub const HEAD_DISDIK_PTK: (&str, &str) =
        ("kepala@disdikbud.pontianak.go.id", "disdikbud-pontianak");
    pub const HEAD_DINKES_PTK: (&str, &str) = ("kepala@dinkes.pontianak.go.id", "dinkes-pontianak");
    pub const AUDITOR: (&str, &str) = ("auditor@itjen.kemendagri.go.id", "auditor-itjen");
    pub const ADMIN: (&str, &str) = ("admin@sepakat.local", "admin-sepakat");
}

pub fn ordinary_request(workflow: &str) -> Value {
    json!({
        "workflow": workflow,
        "purpose": "Verifikasi data penerima layanan",
        "purpose_kind": "public_service",
        "legal_basis": "Permendagri 102/2019 jo. Permendagri 17/2023",
        "data_type": "individual",
        "elements": [
            {"code": "nik", "justification": "Identitas penerima layanan"},
            {"code": "nama_lengkap", "justification": "Pencocokan nama"}
        ],
        "access_method": "web_portal",
        "data_balikan": ["Nomor layanan dipadankan dengan NIK"],
        "duration_months": 24
    })
}

/// Runs an async test body on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both_databases {
    ($name:ident) => {
        mod $name {
            #[actix_rt::test]
            async fn sqlite() {
                super::$name($crate::common::Db::Sqlite).await
            }
            #[actix_rt::test]
            async fn postgres() {
                super::$name($crate::common::Db::Postgres).await
            }
        }
    };
}

/// The facts each letter needs when it is issued, as a clerk would type them in.
pub fn letter_inputs(letter: &str) -> Value {
    let team = json!([{"name": "Andi Pratama, S.Kom.", "position": "Pranata Komputer", "role": "Koordinator teknis"}]);
    let ips = json!(["10.61.12.20", "10.61.12.21"]);
    match letter {
        "surat_persetujuan_gubernur" => {
            json!({"signatory": {"kind": "regional_secretary", "name": "Ir. H. Roy Rizali Anwar, M.T.", "nip": "196709171993031012"}})
        }
        "surat_izin_kepala_daerah" => {
            json!({"signatory": {"kind": "head", "name": "Edi Rusdi Kamtono"}})
        }
        "juknis" => json!({"ip_addresses": ips, "technical_team": team}),
        "surat_spesifikasi_teknis" => json!({
            "application_name": "Sistem Informasi Pelayanan Terpadu", "network": "vpn_agency_to_disdukcapil",
            "ip_addresses": ips, "devices": ["1 (satu) unit server aplikasi"], "technical_team": team,
        }),
        "surat_pernyataan_jaringan" => {
            json!({"network": "vpn_agency_to_disdukcapil", "ip_addresses": ips})
        }
        "permohonan_user_id_uji" | "permohonan_user_id_produksi" => json!({"users": [
            {"name": "Andi Pratama, S.Kom.", "nip": "198804122011011003", "position": "Pranata Komputer", "ip_address": "10.61.12.20"}
        ]}),
        "laporan_uji_beban" => json!({
            "test_user_id": "UJI-0001", "test_date": "2026-03-10", "scenario": "100 permintaan serentak selama 30 menit",
            "test_results": [{"parameter": "Waktu tanggap rata-rata", "target": "≤ 2 detik", "result": "1,2 detik", "passed": true}],
        }),
        "berita_acara_poc" => {
            json!({"poc_results": [{"scenario": "Verifikasi NIK", "result": "Sesuai", "passed": true}]})
        }
        "surat_jawaban_data_agregat" => {
            json!({"aggregate": [{"description": "Jumlah penduduk", "count": 665000}]})
        }
        _ => json!({}),
    }
}
