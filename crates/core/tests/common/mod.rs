//! Shared fixtures for the core's integration tests: the real workflow files and a cast of actors.
#![allow(dead_code)]

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use sepakat_core::application::AttestationDetails;
use sepakat_core::application::ConnectionType;
use sepakat_core::letter::{
    self, AggregateFigure, IssuedLetter, LetterInputs, PocResult, Register, SignatoryInput,
    SignatoryKind, TeamMember, TestResult, UserLine,
};
use sepakat_core::request::RequestedElement;
use sepakat_core::*;
use uuid::Uuid;

pub const KABKOTA: &str = include_str!("../../../../workflows/pks-kabkota.toml");
pub const PROVINSI: &str = include_str!("../../../../workflows/pks-provinsi.toml");
pub const AGREGAT: &str = include_str!("../../../../workflows/data-agregat.toml");

pub fn kabkota() -> Workflow {
    Workflow::from_toml("pks-kabkota.toml", KABKOTA).expect("pks-kabkota.toml is valid")
}
pub fn provinsi() -> Workflow {
    Workflow::from_toml("pks-provinsi.toml", PROVINSI).expect("pks-provinsi.toml is valid")
}
pub fn agregat() -> Workflow {
    Workflow::from_toml("data-agregat.toml", AGREGAT).expect("data-agregat.toml is valid")
}

/// A short PKS draft: what a coordinator submits with `draft_pks`.
pub fn sample_articles() -> Vec<pks::Article> {
    vec![
        pks::Article {
            number: 1,
            key: None,
            title: "Maksud dan Tujuan".into(),
            paragraphs: vec![pks::Paragraph::text(
                "Perjanjian ini menjadi pedoman pemanfaatan data kependudukan.",
            )],
        },
        pks::Article {
            number: 2,
            key: None,
            title: "Ruang Lingkup".into(),
            paragraphs: vec![pks::Paragraph::with_points(
                "Ruang lingkup meliputi:",
                vec!["pemanfaatan NIK;".into(), "pemadanan data.".into()],
            )],
        },
    ]
}

/// The command for `action` of `wf`: a draft carries the sample articles.
pub fn transition_command(wf: &Workflow, action: &str, comment: Option<&str>) -> Command {
    let draft = wf
        .transition(action)
        .is_some_and(|t| t.has(workflow::Effect::DraftPks));
    Command::Transition {
        action: action.into(),
        comment: comment.map(Into::into),
        pks: pks::PksInput {
            articles: draft.then(sample_articles),
            comments: Vec::new(),
        },
        addendum: None,
    }
}

pub const AGENCY: Uuid = Uuid::from_u128(0xA1);
pub const OTHER_AGENCY: Uuid = Uuid::from_u128(0xA2);
pub const CITY_OFFICE: Uuid = Uuid::from_u128(0x0F1);
pub const PROVINCE_OFFICE: Uuid = Uuid::from_u128(0x0F2);

/// Kota Pontianak (61.71) in Kalimantan Barat (61).
pub fn city_ownership() -> Ownership {
    Ownership {
        agency_id: AGENCY,
        office_id: CITY_OFFICE,
        office_region: RegionCode::parse("61.71").unwrap(),
        zone: calendar::OfficeZone::WIB,
    }
}

/// Kalimantan Selatan's provincial office (63).
pub fn province_ownership() -> Ownership {
    Ownership {
        agency_id: AGENCY,
        office_id: PROVINCE_OFFICE,
        office_region: RegionCode::parse("63").unwrap(),
        zone: calendar::OfficeZone::WITA,
    }
}

pub fn agency_head() -> Actor {
    Actor::new(
        Uuid::from_u128(1),
        Role::AgencyHead,
        Scope::Agency { agency_id: AGENCY },
    )
    .unwrap()
}
pub fn other_agency_head() -> Actor {
    Actor::new(
        Uuid::from_u128(2),
        Role::AgencyHead,
        Scope::Agency {
            agency_id: OTHER_AGENCY,
        },
    )
    .unwrap()
}
pub fn coordinator(n: u128, office: Uuid, region: &str) -> Actor {
    Actor::new(
        Uuid::from_u128(100 + n),
        Role::Coordinator,
        Scope::Office {
            office_id: office,
            region: RegionCode::parse(region).unwrap(),
        },
    )
    .unwrap()
}
pub fn city_coordinator() -> Actor {
    coordinator(1, CITY_OFFICE, "61.71")
}
pub fn reviewer(province: &str) -> Actor {
    Actor::new(
        Uuid::from_u128(200),
        Role::ProvincialReviewer,
        Scope::Province {
            province: province.into(),
        },
    )
    .unwrap()
}
pub fn central() -> Actor {
    Actor::new(Uuid::from_u128(300), Role::Central, Scope::National).unwrap()
}
pub fn auditor() -> Actor {
    Actor::new(Uuid::from_u128(400), Role::Auditor, Scope::National).unwrap()
}

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2021, 4, 5, 9, 0, 0).unwrap()
}

pub fn el(code: &str, why: &str) -> RequestedElement {
    RequestedElement {
        code: ElementCode::parse(code).unwrap(),
        justification: why.into(),
    }
}

pub fn ordinary_request() -> Request {
    Request {
        purpose: "Verifikasi data peserta didik baru".into(),
        purpose_kind: PurposeKind::PublicService,
        legal_basis: "Permendagri 102/2019 jo. Permendagri 17/2023".into(),
        data_type: DataType::Individual,
        elements: vec![
            el("nik", "identitas peserta didik"),
            el("nama_lengkap", "pencocokan nama"),
            el("tanggal_lahir", "syarat usia"),
        ],
        access_method: Some(AccessMethod::WebPortal),
        data_balikan: vec!["Nomor induk siswa nasional (NISN) yang dipadankan dengan NIK".into()],
        duration_months: 24,
    }
}

pub fn security_request() -> Request {
    let mut r = ordinary_request();
    r.purpose = "Identifikasi dalam penegakan hukum".into();
    r.purpose_kind = PurposeKind::LawEnforcement;
    r.elements.push(el("sidik_jari", "identifikasi pelaku"));
    r
}

pub fn attestation_details() -> AttestationDetails {
    AttestationDetails {
        connection: ConnectionType::VpnAgencyToDisdukcapil,
        provider: "Diskominfo Kota Pontianak".into(),
        cost_borne_by: "Lembaga pengguna".into(),
        technical_contact: "Budi Santoso, 0812-0000-0000".into(),
    }
}

pub fn sha(n: u8) -> String {
    format!("{:064x}", n)
}

// ---- The store's part -------------------------------------------------------------------------

/// Plays the store's part in these pure tests, which have no database.
///
/// The core only *decides* that a letter is issued: `submit` and `apply` emit an
/// `EventKind::LetterProduced` intent. In production the store (`sepakat-store`, `issuing.rs`),
/// in the same DB transaction as the command, gives the letter the next number of its register,
/// dates it, freezes and renders it, replaces the intent by an `EventKind::LetterIssued` and
/// evolves the application with it. This function stands in for that numbering and nothing
/// more: each intent in `events` is replaced, in place, by a `LetterIssued` with a made-up but
/// plausible number (`seq` is the test's one register, shared by every kind of letter), the
/// intent's stage, the event's time and date, dummy 64-hex-digit hashes and a verification
/// code, and `app` is evolved with it. The numbers are not the store's real numbering.
pub fn store_issues_letters(app: &mut Application, events: &mut [Event], seq: &mut u32) {
    for e in events.iter_mut() {
        let EventKind::LetterProduced { letter, stage, .. } = &e.kind else {
            continue;
        };
        *seq += 1;
        let n = *seq;
        // The store dates a letter on the office's clock.
        let date = app.local_date(e.at);
        let year = date.year();
        let register = letter::register_of(letter);
        let number = match register {
            Register::Office => format!("400.12/{n}/TEST/{year}"),
            Register::Agency => format!("000.8/{n}/TEST-LU/{year}"),
            Register::RegionalSecretariat => format!("400.12/{n}/Setda-TEST/{year}"),
            Register::ProvincialOffice => format!("400.12/{n}/TEST-PROV/{year}"),
        };
        let hash = |kind: u64| format!("{:064x}", (kind << 32) | u64::from(n));
        e.kind = EventKind::LetterIssued {
            letter: IssuedLetter {
                id: Uuid::from_u128(0x1E77_E200_0000 + u128::from(n)),
                letter: letter.clone(),
                stage: stage.clone(),
                number,
                register,
                date,
                at: e.at,
                snapshot_sha256: hash(0x5A),
                html_sha256: hash(0x47),
                pdf_sha256: hash(0xDF),
                code: verification_code(n),
            },
        };
        app.evolve(e);
    }
}

/// A code in the store's alphabet (no 0/O, 1/I/L), ten characters, different for each `n`.
fn verification_code(n: u32) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut x = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1 << 60;
    (0..10)
        .map(|_| {
            let c = ALPHABET[(x % ALPHABET.len() as u64) as usize] as char;
            x /= ALPHABET.len() as u64;
            c
        })
        .collect()
}

/// The events as the store records them: intents replaced by issued letters (see
/// [`store_issues_letters`]). Panics when a `LetterProduced` is left in `events`.
pub fn issued_letters(events: &[Event]) -> Vec<&IssuedLetter> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::LetterIssued { letter } => Some(letter),
            EventKind::LetterProduced { letter, .. } => {
                panic!("intent for {letter} left in the log: the store replaces it")
            }
            _ => None,
        })
        .collect()
}

// ---- The facts a person types in when a letter is issued --------------------------------------

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
            test_date: NaiveDate::from_ymd_opt(2021, 9, 14),
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
                    description: "Jumlah penduduk Kota Pontianak (semester I 2021)".into(),
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

pub fn issue_command(letter: &str) -> Command {
    Command::IssueLetter {
        letter: letter.into(),
        inputs: Box::new(complete_inputs(letter)),
    }
}

// ---- Walks ------------------------------------------------------------------------------------

/// A running application plus its clock: each step moves time forward by a day. Its log holds
/// the events as the store records them (letters issued, see [`store_issues_letters`]).
pub struct Walk {
    pub wf: Workflow,
    pub app: Application,
    pub now: DateTime<Utc>,
    pub log: Vec<Event>,
    /// The stand-in register's last number.
    pub seq: u32,
}

impl Walk {
    pub fn start(wf: Workflow, ownership: Ownership, request: Request) -> Walk {
        let (mut app, mut log) = submit(
            &wf,
            Uuid::from_u128(0xAB),
            ownership,
            request,
            &agency_head(),
            t0(),
        )
        .expect("submit");
        let mut seq = 0;
        store_issues_letters(&mut app, &mut log, &mut seq);
        Walk {
            wf,
            app,
            now: t0(),
            log,
            seq,
        }
    }

    /// Executes `command` a day later, then plays the store's part: the events returned are the
    /// ones recorded, with every letter intent issued.
    pub fn try_do(&mut self, actor: &Actor, command: Command) -> Result<Vec<Event>, Rejection> {
        self.now += Duration::days(1);
        let (mut next, mut events) = execute(&self.wf, &self.app, &command, actor, self.now)?;
        store_issues_letters(&mut next, &mut events, &mut self.seq);
        self.app = next;
        self.log.extend(events.clone());
        Ok(events)
    }

    pub fn act(&mut self, actor: &Actor, action: &str) -> Vec<Event> {
        self.act_with(actor, action, Some("catatan"))
    }

    pub fn act_with(&mut self, actor: &Actor, action: &str, comment: Option<&str>) -> Vec<Event> {
        let stage = self.app.stage.clone();
        let command = transition_command(&self.wf, action, comment);
        self.try_do(actor, command)
            .unwrap_or_else(|r| panic!("{action} at {stage} refused: {r}"))
    }

    pub fn attach(&mut self, actor: &Actor, key: &str) {
        let n = self.log.len() as u8;
        self.try_do(
            actor,
            Command::AttachDocument {
                key: key.into(),
                sha256: sha(n),
                filename: format!("{key}.pdf"),
            },
        )
        .unwrap_or_else(|r| panic!("attach {key} refused: {r}"));
    }

    pub fn transition(&mut self, actor: &Actor, action: &str) -> Result<Vec<Event>, Rejection> {
        let command = transition_command(&self.wf, action, Some("catatan"));
        self.try_do(actor, command)
    }

    /// Issues `letter` with `inputs`.
    pub fn try_issue(
        &mut self,
        actor: &Actor,
        letter: &str,
        inputs: LetterInputs,
    ) -> Result<Vec<Event>, Rejection> {
        self.try_do(
            actor,
            Command::IssueLetter {
                letter: letter.into(),
                inputs: Box::new(inputs),
            },
        )
    }

    /// Issues `letter` with complete inputs and returns it as the store numbered it.
    pub fn issue(&mut self, actor: &Actor, letter: &str) -> IssuedLetter {
        let stage = self.app.stage.clone();
        self.try_issue(actor, letter, complete_inputs(letter))
            .unwrap_or_else(|r| panic!("issuing {letter} at {stage} refused: {r}"));
        let issued = self.app.letters[letter].clone();
        assert!(self.app.issued_in_stage(letter));
        issued
    }
}

/// Walks a kab/kota application from request to production and returns it.
pub fn kabkota_to_production(request: Request) -> Walk {
    kabkota_until(request, "akses_aktif")
}

/// Walks a kab/kota application along the happy path until it enters `stop`. Letters that need
/// facts are issued with them before they are signed or their step is recorded; every signed
/// scan is filed after its letter is issued.
pub fn kabkota_until(request: Request, stop: &str) -> Walk {
    let coord = city_coordinator();
    let head = agency_head();
    let mut w = Walk::start(kabkota(), city_ownership(), request);
    macro_rules! step {
        ($e:expr) => {
            $e;
            if w.app.stage == stop {
                return w;
            }
        };
    }
    assert_eq!(w.app.stage, "permohonan");
    // The request was numbered at submission (in the agency's register): its scan is filed
    // against that issue.
    assert!(w.app.issued_in_stage("surat_permohonan"));
    if w.app.stage == stop {
        return w;
    }
    w.attach(&head, "signed:surat_permohonan");
    step!(w.act(&coord, "teruskan_ke_kepala_daerah"));
    // The Wali Kota's permission: issued with who signs it, then signed.
    w.issue(&coord, "surat_izin_kepala_daerah");
    w.attach(&coord, "signed:surat_izin_kepala_daerah");
    step!(w.act(&coord, "catat_izin_kepala_daerah"));
    w.attach(&coord, "persetujuan_dirjen");
    step!(w.act(&central(), "catat_persetujuan_dirjen"));
    step!(w.act(&coord, "ajukan_draf_pks"));
    step!(w.act(&reviewer("61"), "kembalikan_draf_pks"));
    step!(w.act(&coord, "ajukan_draf_pks"));
    assert_eq!(w.app.pks.version, 2);
    // The consultation's berita acara needs no facts: the step issues it.
    step!(w.act(&reviewer("61"), "setujui_draf_pks"));
    w.issue(&coord, "pks");
    w.attach(&coord, "signed:pks");
    if w.app.request.needs_minister_approval() {
        w.attach(&central(), "persetujuan_menteri");
        w.try_do(
            &central(),
            Command::RecordMinisterApproval {
                reference: "Persetujuan Menteri No. X".into(),
            },
        )
        .unwrap();
    }
    step!(w.act(&coord, "catat_pks_ditandatangani"));
    w.issue(&coord, "juknis");
    w.attach(&coord, "signed:juknis");
    step!(w.act(&coord, "catat_juknis_ditandatangani"));
    w.issue(&head, "surat_spesifikasi_teknis");
    w.attach(&head, "spesifikasi_teknis");
    step!(w.act(&head, "ajukan_spesifikasi_teknis"));
    // The agency's own statement, issued on its letterhead and signed, is the statement the
    // attestation stands on.
    w.issue(&head, "surat_pernyataan_jaringan");
    w.attach(&head, "signed:surat_pernyataan_jaringan");
    w.try_do(
        &coord,
        Command::RecordAttestation {
            details: attestation_details(),
        },
    )
    .unwrap();
    step!(w.act(&coord, "verifikasi_jaringan_tertutup"));
    w.issue(&coord, "permohonan_user_id_uji");
    step!(w.act(&coord, "terbitkan_user_id_uji"));
    w.issue(&head, "laporan_uji_beban");
    w.attach(&head, "signed:laporan_uji_beban");
    step!(w.act(&coord, "catat_uji_beban_berhasil"));
    w.issue(&coord, "berita_acara_poc");
    w.attach(&coord, "signed:berita_acara_poc");
    step!(w.act(&coord, "catat_poc_berhasil"));
    w.issue(&central(), "permohonan_user_id_produksi");
    w.act(&central(), "terbitkan_user_id_produksi");
    assert_eq!(w.app.stage, stop, "the happy path never entered {stop}");
    w
}

/// The provincial office's coordinator `n` (Kalimantan Selatan, 63).
pub fn province_coordinator(n: u128) -> Actor {
    coordinator(n, PROVINCE_OFFICE, "63")
}

/// Walks a provincial application from request to production along the happy path: the
/// second coordinator approves the first one's draft (four eyes).
pub fn province_to_production() -> Walk {
    let (coord, coord2, head) = (
        province_coordinator(1),
        province_coordinator(2),
        agency_head(),
    );
    let mut w = Walk::start(provinsi(), province_ownership(), ordinary_request());
    w.attach(&head, "signed:surat_permohonan");
    w.act(&coord, "teruskan_ke_gubernur");
    w.issue(&coord, "surat_persetujuan_gubernur");
    w.attach(&coord, "signed:surat_persetujuan_gubernur");
    w.act(&coord, "catat_surat_gubernur");
    w.attach(&central(), "persetujuan_dirjen");
    w.act(&central(), "catat_persetujuan_dirjen");
    w.act(&coord, "ajukan_draf_pks");
    w.act(&coord2, "setujui_draf_pks");
    w.issue(&coord, "pks");
    w.attach(&coord, "signed:pks");
    w.act(&coord, "catat_pks_ditandatangani");
    w.issue(&coord, "juknis");
    w.attach(&coord, "signed:juknis");
    w.act(&coord, "catat_juknis_ditandatangani");
    w.issue(&head, "surat_spesifikasi_teknis");
    w.attach(&head, "spesifikasi_teknis");
    w.act(&head, "ajukan_spesifikasi_teknis");
    w.issue(&head, "surat_pernyataan_jaringan");
    w.attach(&head, "signed:surat_pernyataan_jaringan");
    w.try_do(
        &coord,
        Command::RecordAttestation {
            details: attestation_details(),
        },
    )
    .unwrap();
    w.act(&coord, "verifikasi_jaringan_tertutup");
    w.issue(&central(), "permohonan_user_id_uji");
    w.act(&central(), "terbitkan_user_id_uji");
    w.issue(&head, "laporan_uji_beban");
    w.attach(&head, "signed:laporan_uji_beban");
    w.act(&coord, "catat_uji_beban_berhasil");
    w.issue(&coord, "berita_acara_poc");
    w.attach(&coord, "signed:berita_acara_poc");
    w.act(&coord, "catat_poc_berhasil");
    w.issue(&central(), "permohonan_user_id_produksi");
    w.act(&central(), "terbitkan_user_id_produksi");
    assert_eq!(w.app.stage, "akses_aktif");
    w
}
