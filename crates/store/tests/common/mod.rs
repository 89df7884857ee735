//! Fixtures for the store's tests: a fresh database per test and per backend, the real
//! kab/kota workflow, Kota Pontianak's office and a cast of accounts, the facts a person types
//! in when a letter is issued, and a walk along the standard path.
#![allow(dead_code)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use sepakat_core::application::{AttestationDetails, ConnectionType};
use sepakat_core::letter::{
    AggregateFigure, IssueStamp, LetterFacts, LetterInputs, LetterProblem, PocResult,
    SignatoryInput, SignatoryKind, TeamMember, TestResult, UserLine,
};
use sepakat_core::request::RequestedElement;
use sepakat_core::{
    AccessMethod, Application, Command, DataType, ElementCode, PurposeKind, Request, Role, pks,
};
use sepakat_store::testing::{Backend, FactsSealer, TempDb};
use sepakat_store::{
    CommandOutcome, LetterSealer, NewAccount, NewAgency, NewApplication, NewOffice, SealError,
    Sealed, Store,
};
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
    world_in_zone(backend, 420).await
}

/// [`world`] with the city office on another clock: 480 (WITA) or 540 (WIT) minutes ahead of
/// UTC instead of WIB's 420.
pub async fn world_in_zone(backend: Backend, utc_offset_minutes: i32) -> World {
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
                utc_offset_minutes: Some(utc_offset_minutes),
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

/// A transition; submitting a PKS draft (`ajukan_draf_pks`, or `ajukan_draf_perpanjangan` for
/// a renewal, in both workflows) carries a short draft of two articles.
fn transition(action: &str, comment: Option<String>) -> Command {
    let drafts = matches!(
        action,
        "ajukan_draf_pks" | "ajukan_draf_perpanjangan" | "ajukan_draf_adendum"
    );
    let articles = drafts.then(|| {
        vec![
            pks::Article {
                key: None,
                number: 1,
                title: "Maksud dan Tujuan".into(),
                paragraphs: vec![pks::Paragraph::text(
                    "Pedoman pemanfaatan data kependudukan.",
                )],
            },
            pks::Article {
                key: None,
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
        addendum: None,
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

// ---- The facts a person types in when a letter is issued --------------------------------------
// (The core's test helpers, `crates/core/tests/common/mod.rs`, cannot be imported here.)

fn team() -> Vec<TeamMember> {
    vec![
        TeamMember {
            name: "Rina Marlina, S.Kom.".into(),
            position: "Pranata Komputer Ahli Muda".into(),
            role: "Ketua tim teknis".into(),
        },
        TeamMember {
            name: "Agus Salim, S.T.".into(),
            position: "Kepala Subbagian Umum dan Kepegawaian".into(),
            role: "Anggota (jaringan dan perangkat)".into(),
        },
    ]
}

fn agency_ips() -> Vec<String> {
    vec!["10.61.71.10".into(), "10.61.71.11".into()]
}

fn users() -> Vec<UserLine> {
    vec![
        UserLine {
            name: "Rina Marlina, S.Kom.".into(),
            nip: Some("198705142010012003".into()),
            position: "Pranata Komputer Ahli Muda".into(),
            ip_address: "10.61.71.10".into(),
        },
        UserLine {
            name: "Dedi Kurniawan".into(),
            nip: None,
            position: "Operator PPDB (tenaga kontrak)".into(),
            ip_address: "10.61.71.11".into(),
        },
    ]
}

/// Who signs for the regional head: the Sekda on the Governor's behalf for the provincial
/// letter, the Wali Kota personally for the kab/kota permission.
pub fn sekda_on_behalf() -> SignatoryInput {
    SignatoryInput {
        kind: SignatoryKind::RegionalSecretary,
        name: "Drs. H. Syahrial Anwar, M.Si.".into(),
        nip: Some("196703121992031004".into()),
        rank: Some("Pembina Utama Madya (IV/d)".into()),
    }
}
pub fn wali_kota() -> SignatoryInput {
    SignatoryInput {
        kind: SignatoryKind::Head,
        name: "H. Muhammad Ridwan, S.E., M.M.".into(),
        nip: None,
        rank: None,
    }
}

/// Complete, realistic inputs for `letter`: every fact `letter::needs` names, nothing else.
pub fn complete_inputs(letter: &str) -> LetterInputs {
    let none = LetterInputs::default();
    match letter {
        "surat_persetujuan_gubernur" => LetterInputs {
            signatory: Some(sekda_on_behalf()),
            ..none
        },
        "surat_izin_kepala_daerah" => LetterInputs {
            signatory: Some(wali_kota()),
            ..none
        },
        "juknis" => LetterInputs {
            ip_addresses: agency_ips(),
            technical_team: team(),
            ..none
        },
        "surat_spesifikasi_teknis" => LetterInputs {
            application_name: Some("SIAP-PPDB Kota Pontianak".into()),
            network: Some(ConnectionType::VpnAgencyToDisdukcapil),
            ip_addresses: agency_ips(),
            devices: vec![
                "Server aplikasi Dell PowerEdge R740, 1 unit".into(),
                "Router VPN MikroTik CCR1036, 1 unit".into(),
                "Pembaca KTP-el, 2 unit".into(),
            ],
            technical_team: team(),
            ..none
        },
        "surat_pernyataan_jaringan" => LetterInputs {
            network: Some(ConnectionType::VpnAgencyToDisdukcapil),
            ip_addresses: agency_ips(),
            ..none
        },
        "permohonan_user_id_uji" | "permohonan_user_id_produksi" => LetterInputs {
            users: users(),
            ..none
        },
        "laporan_uji_beban" => LetterInputs {
            test_user_id: Some("UJI-6171-DISDIK-01".into()),
            test_date: NaiveDate::from_ymd_opt(2024, 6, 4),
            scenario: Some(
                "500 permintaan verifikasi NIK serentak selama 30 menit melalui portal web".into(),
            ),
            test_results: vec![
                TestResult {
                    parameter: "Waktu tanggap rata-rata".into(),
                    target: "paling lama 2 detik".into(),
                    result: "1,4 detik".into(),
                    passed: true,
                    note: None,
                },
                TestResult {
                    parameter: "Permintaan yang berhasil".into(),
                    target: "paling sedikit 99%".into(),
                    result: "99,8%".into(),
                    passed: true,
                    note: Some("Dua permintaan melewati batas waktu pada menit ke-12.".into()),
                },
            ],
            ..none
        },
        "berita_acara_poc" => LetterInputs {
            poc_results: vec![
                PocResult {
                    scenario: "Verifikasi NIK calon peserta didik melalui portal web".into(),
                    result: "Data tampil sesuai basis data kependudukan".into(),
                    passed: true,
                },
                PocResult {
                    scenario: "Pencarian dengan NIK yang tidak terdaftar".into(),
                    result: "Sistem menampilkan pesan data tidak ditemukan".into(),
                    passed: true,
                },
            ],
            ..none
        },
        "surat_jawaban_data_agregat" => LetterInputs {
            aggregate: vec![
                AggregateFigure {
                    description: "Jumlah penduduk Kota Pontianak (semester I 2024)".into(),
                    count: 672_440,
                },
                AggregateFigure {
                    description: "Penduduk usia 7 sampai 18 tahun".into(),
                    count: 128_915,
                },
            ],
            ..none
        },
        _ => none,
    }
}

/// Issues `letter` with complete inputs.
pub fn issue(letter: &str) -> Command {
    issue_with(letter, complete_inputs(letter))
}

pub fn issue_with(letter: &str, inputs: LetterInputs) -> Command {
    Command::IssueLetter {
        letter: letter.into(),
        inputs: Box::new(inputs),
    }
}

/// A sealer that, like the real one, cannot build a letter without facts only the store holds:
/// here the head of the Disdukcapil office (who signs) and their position. It names every one
/// missing; with them on record it seals as [`FactsSealer`] does.
#[derive(Debug, Clone, Copy)]
pub struct NeedsHeadOfOffice;

impl LetterSealer for NeedsHeadOfOffice {
    fn seal(
        &self,
        letter: &str,
        facts: &LetterFacts,
        stamp: &IssueStamp,
    ) -> Result<Sealed, SealError> {
        let mut missing = Vec::new();
        let head = facts.office_head.as_ref().filter(|p| p.heads_office);
        if head.is_none() {
            missing.push(LetterProblem::new(
                "office_head",
                "Kepala Dinas belum tercatat.",
                "No head of office on record.",
            ));
        }
        if head.and_then(|p| p.position.as_ref()).is_none() {
            missing.push(LetterProblem::new(
                "office_head.position",
                "Jabatan Kepala Dinas belum tercatat.",
                "The head of office's position is not on record.",
            ));
        }
        if !missing.is_empty() {
            return Err(SealError::Missing(missing));
        }
        FactsSealer.seal(letter, facts, stamp)
    }

    fn verify_url(&self, code: &str) -> String {
        FactsSealer.verify_url(code)
    }
}

/// Puts the head of the city office on record, with their position.
pub async fn head_of_office(w: &World) -> Uuid {
    let acc = w
        .store
        .create_account(
            NewAccount {
                email: "kepala@disdukcapil.pontianak.go.id".into(),
                name: "Kepala Disdukcapil Kota Pontianak".into(),
                nip: None,
                position: Some("Kepala Dinas".into()),
                role: Role::Coordinator,
                office_id: Some(w.city.id),
                agency_id: None,
                province: None,
            },
            t0(),
        )
        .await
        .unwrap();
    w.store.set_heads_office(acc.id, true, t0()).await.unwrap();
    acc.id
}

// ---- Walks ------------------------------------------------------------------------------------

/// A running application and a clock, so walking the pipeline reads like the pipeline.
pub struct Walk<'a> {
    pub w: &'a World,
    pub id: Uuid,
    pub version: i64,
    pub stage: String,
    /// The application as the last command left it.
    pub state: Application,
    /// How far along the standard walk `to` has come.
    pub step: usize,
    pub now: DateTime<Utc>,
    /// Every letter issued on the way, in order.
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
            state: out.application,
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
        self.state = out.application.clone();
        self.letters.extend(out.letters.iter().cloned());
        Ok(out)
    }

    pub async fn run(&mut self, who: Uuid, command: Command) -> CommandOutcome {
        let label = format!("{command:?}");
        self.try_do(who, command)
            .await
            .unwrap_or_else(|e| panic!("{label}: {e}"))
    }

    /// The standard path (the Pontianak case, with one returned draft). Every letter is issued
    /// before its signed scan is filed or its step recorded, the agency's own letters by the
    /// agency head; letters that need facts are issued with complete ones.
    fn steps(&self) -> Vec<(Uuid, Command)> {
        let w = self.w;
        vec![
            (w.head, attach("signed:surat_permohonan", 1)),
            (w.coordinator, go("teruskan_ke_kepala_daerah")),
            (w.coordinator, issue("surat_izin_kepala_daerah")),
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
            // The consultation's berita acara needs no facts: the step issues it.
            (w.reviewer, go("setujui_draf_pks")),
            (w.coordinator, issue("pks")),
            (w.coordinator, attach("signed:pks", 4)),
            (w.coordinator, go("catat_pks_ditandatangani")),
            (w.coordinator, issue("juknis")),
            (w.coordinator, attach("signed:juknis", 5)),
            (w.coordinator, go("catat_juknis_ditandatangani")),
            (w.head, issue("surat_spesifikasi_teknis")),
            (w.head, attach("spesifikasi_teknis", 6)),
            (w.head, go("ajukan_spesifikasi_teknis")),
            // The agency's own statement, issued and signed: what the attestation stands on.
            (w.head, issue("surat_pernyataan_jaringan")),
            (w.head, attach("signed:surat_pernyataan_jaringan", 7)),
            (w.coordinator, attestation()),
            (w.coordinator, go("verifikasi_jaringan_tertutup")),
            (w.coordinator, issue("permohonan_user_id_uji")),
            (w.coordinator, go("terbitkan_user_id_uji")),
            (w.head, issue("laporan_uji_beban")),
            (w.head, attach("signed:laporan_uji_beban", 8)),
            (w.coordinator, go("catat_uji_beban_berhasil")),
            (w.coordinator, issue("berita_acara_poc")),
            (w.coordinator, attach("signed:berita_acara_poc", 9)),
            (w.coordinator, go("catat_poc_berhasil")),
            (w.central, issue("permohonan_user_id_produksi")),
            (w.central, go("terbitkan_user_id_produksi")),
        ]
    }

    /// Runs the next step of the standard path. A letter the test already issued in this stage
    /// is not issued again.
    pub async fn next(&mut self) -> CommandOutcome {
        let steps = self.steps();
        loop {
            let Some((who, command)) = steps.get(self.step).cloned() else {
                panic!("the walk is over (at {})", self.stage);
            };
            self.step += 1;
            if let Command::IssueLetter { letter, .. } = &command
                && self.state.issued_in_stage(letter)
            {
                continue;
            }
            return self.run(who, command).await;
        }
    }

    /// Walks the standard path until the application enters `until`.
    pub async fn to(&mut self, until: &str) {
        let total = self.steps().len();
        while self.stage != until {
            assert!(self.step < total, "the walk never reached {until}");
            self.next().await;
        }
    }
}
