//! Fixtures for the store's tests: a fresh database per test and per backend, the real
//! kab/kota workflow, Kota Pontianak's office and a cast of accounts.
#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use sepakat_core::application::{AttestationDetails, ConnectionType};
use sepakat_core::request::RequestedElement;
use sepakat_core::{AccessMethod, Command, DataType, ElementCode, PurposeKind, Request, Role, pks};
use sepakat_store::testing::{Backend, TempDb};
use sepakat_store::{CommandOutcome, NewAccount, NewAgency, NewApplication, NewOffice, Store};
use uuid::Uuid;

pub const KABKOTA: &str = include_str!("../../../../workflows/pks-kabkota.toml");

/// Generates `<name>::sqlite` and `<name>::postgres` tests that run `async fn <name>(Backend)`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                super::$name(sepakat_store::testing::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                super::$name(sepakat_store::testing::Backend::Postgres).await
            }
        }
    )*};
}

/// 3 June 2024, 10:00 WIB: every test's clock starts here.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 3, 3, 0, 0).unwrap()
}

pub struct World {
    pub db: TempDb,
    pub store: Store,
    pub city: sepakat_store::Office,
    pub province: sepakat_store::Office,
    pub agency: sepakat_store::Agency,
    pub head: Uuid,
    pub coordinator: Uuid,
    pub reviewer: Uuid,
    pub other_reviewer: Uuid,
    pub central: Uuid,
    pub auditor: Uuid,
    pub other_head: Uuid,
}

pub async fn world(backend: Backend) -> World {
    let db = TempDb::new(backend)
        .await
        .unwrap_or_else(|e| panic!("{backend}: {e}"));
    let store = db
        .store()
        .await
        .unwrap_or_else(|e| panic!("{backend}: {e}"));
    let now = t0();
    store
        .register_workflow("pks-kabkota.toml", KABKOTA, now)
        .await
        .unwrap();
    let province = store
        .create_office(
            NewOffice {
                name: "Disdukcapil Provinsi Kalimantan Barat".into(),
                region_code: "61".into(),
                place_name: "Pontianak".into(),
                address: "Jl. Ahmad Yani, Pontianak".into(),
                letter_code: None,
                letter_unit: "Dukcapil.1".into(),
                letter_pattern: None,
                utc_offset_minutes: None,
            },
            now,
        )
        .await
        .unwrap();
    let city = store
        .create_office(
            NewOffice {
                name: "Disdukcapil Kota Pontianak".into(),
                region_code: "61.71".into(),
                place_name: "Pontianak".into(),
                address: "Jl. Letjen Sutoyo, Pontianak".into(),
                letter_code: None,
                letter_unit: "Dukcapil.4".into(),
                letter_pattern: None,
                utc_offset_minutes: Some(420),
            },
            now,
        )
        .await
        .unwrap();
    let agency = store
        .create_agency(
            NewAgency {
                name: "Dinas Pendidikan dan Kebudayaan Kota Pontianak".into(),
                kind: None,
                office_id: city.id,
                address: String::new(),
                letter_unit: None,
            },
            now,
        )
        .await
        .unwrap();
    let other_agency = store
        .create_agency(
            NewAgency {
                name: "DPMPTSP Kota Pontianak".into(),
                kind: None,
                office_id: city.id,
                address: String::new(),
                letter_unit: None,
            },
            now,
        )
        .await
        .unwrap();
    let account = |email: &str, role: Role, office, agency, province: Option<&str>| NewAccount {
        email: email.into(),
        name: email.split('@').next().unwrap_or(email).into(),
        nip: Some("198001012005011001".into()),
        position: None,
        role,
        office_id: office,
        agency_id: agency,
        province: province.map(str::to_string),
    };
    let mut ids = Vec::new();
    for a in [
        account(
            "kadis@disdikbud.pontianak.go.id",
            Role::AgencyHead,
            None,
            Some(agency.id),
            None,
        ),
        account(
            "koordinator@dukcapil.pontianak.go.id",
            Role::Coordinator,
            Some(city.id),
            None,
            None,
        ),
        account(
            "peninjau@dukcapil.kalbarprov.go.id",
            Role::ProvincialReviewer,
            None,
            None,
            Some("61"),
        ),
        account(
            "peninjau@dukcapil.kalselprov.go.id",
            Role::ProvincialReviewer,
            None,
            None,
            Some("63"),
        ),
        account(
            "pejabat@dukcapil.kemendagri.go.id",
            Role::Central,
            None,
            None,
            None,
        ),
        account(
            "auditor@dukcapil.kemendagri.go.id",
            Role::Auditor,
            None,
            None,
            None,
        ),
        account(
            "kadis@dpmptsp.pontianak.go.id",
            Role::AgencyHead,
            None,
            Some(other_agency.id),
            None,
        ),
    ] {
        ids.push(store.create_account(a, now).await.unwrap().id);
    }
    World {
        db,
        store,
        city,
        province,
        agency,
        head: ids[0],
        coordinator: ids[1],
        reviewer: ids[2],
        other_reviewer: ids[3],
        central: ids[4],
        auditor: ids[5],
        other_head: ids[6],
    }
}

pub fn request() -> Request {
    let el = |code: &str, why: &str| RequestedElement {
        code: ElementCode::parse(code).unwrap(),
        justification: why.into(),
    };
    Request {
        purpose: "Verifikasi data peserta didik baru (PPDB) berbasis NIK".into(),
        purpose_kind: PurposeKind::PublicService,
        legal_basis: "Permendagri 17/2023; Permendikbud 1/2021".into(),
        data_type: DataType::Individual,
        elements: vec![
            el("nik", "Kunci pencocokan calon peserta didik"),
            el("nomor_kk", "Verifikasi zonasi berdasarkan kartu keluarga"),
            el("nama_lengkap", "Pencocokan identitas"),
        ],
        access_method: Some(AccessMethod::WebPortal),
        data_balikan: vec!["NISN dipadankan dengan NIK".into()],
        duration_months: 24,
    }
}

pub fn sha(n: u64) -> String {
    format!("{n:064x}")
}

pub fn attach(key: &str, n: u64) -> Command {
    Command::AttachDocument {
        key: key.into(),
        sha256: sha(n),
        filename: format!("{}.pdf", key.replace(':', "_")),
    }
}

pub fn go(action: &str) -> Command {
    transition(action, None)
}

pub fn go_with(action: &str, comment: &str) -> Command {
    transition(action, Some(comment.into()))
}

/// A transition; submitting a PKS draft (`ajukan_draf_pks` in both workflows) carries a short
/// draft of two articles.
fn transition(action: &str, comment: Option<String>) -> Command {
    let articles = (action == "ajukan_draf_pks").then(|| {
        vec![
            pks::Article {
                number: 1,
                title: "Maksud dan Tujuan".into(),
                paragraphs: vec![pks::Paragraph::text(
                    "Pedoman pemanfaatan data kependudukan.",
                )],
            },
            pks::Article {
                number: 2,
                title: "Ruang Lingkup".into(),
                paragraphs: vec![pks::Paragraph::text(
                    "Pemanfaatan NIK dan data kependudukan.",
                )],
            },
        ]
    });
    Command::Transition {
        action: action.into(),
        comment,
        pks: pks::PksInput {
            articles,
            comments: Vec::new(),
        },
    }
}

pub fn attestation() -> Command {
    Command::RecordAttestation {
        details: AttestationDetails {
            connection: ConnectionType::VpnAgencyToDisdukcapil,
            provider: "Diskominfo Kota Pontianak".into(),
            cost_borne_by: "Dinas Pendidikan dan Kebudayaan".into(),
            technical_contact: "Tim teknis Disdikbud, 0561-000000".into(),
        },
    }
}

/// Submits the standard request as the agency head.
pub async fn submit(w: &World, now: DateTime<Utc>) -> CommandOutcome {
    w.store
        .submit(
            NewApplication {
                id: None,
                workflow: "pks-kabkota".into(),
                agency_id: w.agency.id,
                office_id: None,
                request: request(),
            },
            w.head,
            now,
        )
        .await
        .expect("submit")
}

/// A running application and a clock, so walking the pipeline reads like the pipeline.
pub struct Walk<'a> {
    pub w: &'a World,
    pub id: Uuid,
    pub version: i64,
    pub stage: String,
    /// How far along the standard walk `to` has come.
    pub step: usize,
    pub now: DateTime<Utc>,
    pub letters: Vec<sepakat_store::Letter>,
}

impl<'a> Walk<'a> {
    pub async fn start(w: &'a World) -> Walk<'a> {
        let out = submit(w, t0()).await;
        Walk {
            w,
            id: out.application.id,
            version: out.application.version,
            stage: out.application.stage.clone(),
            step: 0,
            now: t0(),
            letters: out.letters,
        }
    }

    pub async fn try_do(
        &mut self,
        who: Uuid,
        command: Command,
    ) -> Result<CommandOutcome, sepakat_store::StoreError> {
        self.now += Duration::hours(1);
        let out = self
            .w
            .store
            .execute(self.id, self.version, command, who, self.now)
            .await?;
        self.version = out.application.version;
        self.stage = out.application.stage.clone();
        self.letters.extend(out.letters.iter().cloned());
        Ok(out)
    }

    pub async fn run(&mut self, who: Uuid, command: Command) -> CommandOutcome {
        let label = format!("{command:?}");
        self.try_do(who, command)
            .await
            .unwrap_or_else(|e| panic!("{label}: {e}"))
    }

    /// Walks the standard path (the Pontianak case, with one returned draft) until the
    /// application enters `until`.
    pub async fn to(&mut self, until: &str) {
        let w = self.w;
        let steps: Vec<(Uuid, Command)> = vec![
            (w.head, attach("signed:surat_permohonan", 1)),
            (w.coordinator, go("teruskan_ke_kepala_daerah")),
            (w.coordinator, attach("signed:surat_izin_kepala_daerah", 2)),
            (w.coordinator, go("catat_izin_kepala_daerah")),
            (w.coordinator, attach("persetujuan_dirjen", 3)),
            (w.coordinator, go("catat_persetujuan_dirjen")),
            (w.coordinator, go("ajukan_draf_pks")),
            (
                w.reviewer,
                go_with(
                    "kembalikan_draf_pks",
                    "Pasal 7: kuota akses harian belum dicantumkan",
                ),
            ),
            (w.coordinator, go("ajukan_draf_pks")),
            (w.reviewer, go("setujui_draf_pks")),
            (w.coordinator, attach("signed:pks", 4)),
            (w.coordinator, go("catat_pks_ditandatangani")),
            (w.coordinator, attach("signed:juknis", 5)),
            (w.coordinator, go("catat_juknis_ditandatangani")),
            (w.head, attach("spesifikasi_teknis", 6)),
            (w.head, go("ajukan_spesifikasi_teknis")),
            (w.coordinator, attach("pernyataan_jaringan", 7)),
            (w.coordinator, attestation()),
            (w.coordinator, go("verifikasi_jaringan_tertutup")),
            (w.coordinator, go("terbitkan_user_id_uji")),
            (w.coordinator, attach("laporan_uji_beban", 8)),
            (w.coordinator, go("catat_uji_beban_berhasil")),
            (w.coordinator, attach("signed:berita_acara_poc", 9)),
            (w.coordinator, go("catat_poc_berhasil")),
            (w.central, go("terbitkan_user_id_produksi")),
        ];
        for (who, command) in steps.into_iter().skip(self.step) {
            if self.stage == until {
                return;
            }
            self.run(who, command).await;
            self.step += 1;
        }
        assert_eq!(self.stage, until, "the walk never reached {until}");
    }
}
