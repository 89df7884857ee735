//! Realistic letters from the two field cases of the domain notes:
//!
//! - [`Scenario::Pontianak`]: the Disdukcapil of Kota Pontianak and the Dinas Pendidikan dan
//!   Kebudayaan (May 2018, kabupaten/kota path: permission from the Wali Kota, draft consulted
//!   with the provincial office of Kalimantan Barat);
//! - [`Scenario::Kalsel`]: the Disdukcapil-KB of Provinsi Kalimantan Selatan and the DPMPTSP
//!   (April 2021, provincial path: the Sekda signs for the Governor to the Dirjen).
//!
//! Each sample is what Sepakat itself would issue: the [`LetterFacts`] the store would hold for
//! the application (offices, agency, the people who sign, the letters already numbered, the
//! approved and signed PKS, the recorded evaluation) and the [`IssueStamp`] of the letter (its
//! number, date, verification code and the facts a person typed in), put through the one
//! builder, [`build_context`]. A sample therefore never says what a real letter could not.
//!
//! Used for template previews, for trying an override directory, by the tests (snapshots of
//! every letter) and by the benchmark. Persons and numbers are invented; offices and rules are
//! the real ones.

use crate::build::{build_context, pks_parties};
use crate::context::LetterContext;
use crate::pks::PksParties;
use chrono::{DateTime, Days, Months, NaiveDate, Utc};
use sepakat_core::addendum::{PendingAddendum, ScopeChange};
use sepakat_core::application::{
    ConnectionType, Evaluation, EvaluationKind, EvaluationOutcome, EvaluationResult, Grant,
    GrantKind, GrantStatus, PksState, WorkflowRef,
};
use sepakat_core::elements::ElementCode;
use sepakat_core::letter::{
    AgencyFacts, AggregateFigure, CitedLetter, IssueStamp, LetterFacts, LetterInputs,
    LetterProblem, OfficeFacts, PersonFacts, PocResult, SignatoryInput, SignatoryKind, TeamMember,
    TestResult, UserLine,
};
use sepakat_core::request::{AccessMethod, DataType, PurposeKind, Request, RequestedElement};
use sepakat_core::{Application, Ownership, RegionCode};
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    Pontianak,
    Kalsel,
}

impl Scenario {
    pub const ALL: [Scenario; 2] = [Scenario::Pontianak, Scenario::Kalsel];

    /// The day the agency dates its request; every later letter is dated from it.
    pub fn start(self) -> NaiveDate {
        match self {
            Scenario::Pontianak => date(2018, 5, 4),
            Scenario::Kalsel => date(2021, 4, 5),
        }
    }

    /// The public address of the verification pages.
    fn verify_base(self) -> &'static str {
        match self {
            Scenario::Pontianak => "https://sepakat.disdukcapil.pontianak.go.id/verifikasi",
            Scenario::Kalsel => "https://sepakat.disdukcapilkb.kalselprov.go.id/verifikasi",
        }
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    // Only called with literal dates below.
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn days_after(d: NaiveDate, days: u64) -> NaiveDate {
    d.checked_add_days(Days::new(days)).unwrap_or(d)
}

/// Nine in the morning, Western Indonesia Time, of `d`.
fn morning(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(2, 0, 0).unwrap_or_default().and_utc()
}

/// Requested elements from (code, justification) pairs; the codes below are all in the
/// catalogue, and the tests count them, so a typo cannot pass unnoticed.
fn elements(list: &[(&str, &str)]) -> Vec<RequestedElement> {
    list.iter()
        .filter_map(|(code, why)| {
            Some(RequestedElement {
                code: ElementCode::parse(code).ok()?,
                justification: (*why).into(),
            })
        })
        .collect()
}

pub fn pontianak_request() -> Request {
    Request {
        purpose: "verifikasi dan validasi data peserta didik pada penerimaan peserta didik baru serta pendataan Dapodik".into(),
        purpose_kind: PurposeKind::PublicService,
        legal_basis: "Undang-Undang Nomor 24 Tahun 2013 dan Peraturan Menteri Dalam Negeri Nomor 61 Tahun 2015".into(),
        data_type: DataType::Individual,
        elements: elements(&[
            ("nik", "Kunci pemadanan identitas calon peserta didik"),
            ("nomor_kk", "Verifikasi domisili berdasarkan kartu keluarga pada sistem zonasi"),
            ("nama_lengkap", "Pencocokan nama peserta didik dengan ijazah dan rapor"),
            ("tanggal_lahir", "Verifikasi batas usia penerimaan peserta didik baru"),
            ("alamat_sekarang", "Penentuan jarak tempat tinggal ke sekolah (zonasi)"),
            ("nama_ibu", "Verifikasi hubungan peserta didik dengan orang tua/wali"),
        ]),
        access_method: Some(AccessMethod::WebPortal),
        data_balikan: vec!["Nomor Induk Siswa Nasional (NISN) yang dipadankan dengan NIK".into()],
        duration_months: 24,
    }
}

pub fn kalsel_request() -> Request {
    Request {
        purpose: "verifikasi identitas pemohon perizinan berusaha dan nonberusaha pada layanan perizinan terpadu satu pintu".into(),
        purpose_kind: PurposeKind::PublicService,
        legal_basis: "Undang-Undang Nomor 24 Tahun 2013 dan Peraturan Menteri Dalam Negeri Nomor 102 Tahun 2019".into(),
        data_type: DataType::Individual,
        elements: elements(&[
            ("nik", "Identitas tunggal pemohon izin"),
            ("nama_lengkap", "Kesesuaian nama pemohon dengan dokumen izin"),
            ("tempat_lahir", "Verifikasi identitas pemohon"),
            ("tanggal_lahir", "Verifikasi identitas pemohon"),
            ("jenis_kelamin", "Statistik gender pelaku usaha"),
            ("alamat_sekarang", "Alamat korespondensi penerbitan izin"),
            ("jenis_pekerjaan", "Profil pelaku usaha"),
        ]),
        access_method: Some(AccessMethod::WebPortal),
        data_balikan: vec![
            "Nomor Induk Berusaha (NIB) yang dipadankan dengan NIK".into(),
            "Nomor izin yang diterbitkan".into(),
        ],
        duration_months: 24,
    }
}

/// The PKS parties of the Pontianak case, as the builder names them.
pub fn pontianak_parties() -> PksParties {
    pks_parties(&facts(Scenario::Pontianak))
}

/// The PKS parties of the Kalimantan Selatan case, as the builder names them.
pub fn kalsel_parties() -> PksParties {
    pks_parties(&facts(Scenario::Kalsel))
}

/// The request of `scenario`.
pub fn request(scenario: Scenario) -> Request {
    match scenario {
        Scenario::Pontianak => pontianak_request(),
        Scenario::Kalsel => kalsel_request(),
    }
}

fn person(name: &str, position: &str, nip: &str, rank: &str, heads_office: bool) -> PersonFacts {
    PersonFacts {
        name: name.into(),
        position: Some(position.into()),
        nip: Some(nip.into()),
        rank: Some(rank.into()),
        heads_office,
    }
}

/// When each letter is dated: days after the request ([`Scenario::start`]), in the order the
/// pipeline issues them. The evaluation report comes last, after the first six-monthly
/// evaluation of the production user ID.
const TIMELINE: [(&str, u64); 13] = [
    ("surat_permohonan", 0),
    ("surat_jawaban_data_agregat", 7),
    ("surat_izin_kepala_daerah", 14),
    ("surat_persetujuan_gubernur", 14),
    ("berita_acara_konsultasi_pks", 38),
    ("pks", 45),
    ("juknis", 60),
    ("surat_spesifikasi_teknis", 67),
    ("surat_pernyataan_jaringan", 70),
    ("permohonan_user_id_uji", 74),
    ("laporan_uji_beban", 84),
    ("berita_acara_poc", 90),
    ("permohonan_user_id_produksi", 95),
];

/// The production user ID is granted this many days after it is requested.
const PRODUCTION_GRANTED_AFTER: u64 = 6;
/// The report is dated this many days after the evaluation's due date.
const REPORT_AFTER_DUE: u64 = 5;
/// The addendum follows the evaluation's findings: signed this many days after its due date.
const ADDENDUM_AFTER_DUE: u64 = 40;
/// The agreement is ended early this many days after the evaluation's due date.
const ENDED_AFTER_DUE: u64 = 75;

/// The date `letter` carries in `scenario`.
fn letter_date(scenario: Scenario, letter: &str) -> Option<NaiveDate> {
    let start = scenario.start();
    if letter == "laporan_evaluasi" {
        return Some(days_after(evaluation_due(scenario), REPORT_AFTER_DUE));
    }
    if letter == "adendum_pks" {
        return Some(days_after(evaluation_due(scenario), ADDENDUM_AFTER_DUE));
    }
    if letter == "surat_pengakhiran_pks" {
        return Some(days_after(evaluation_due(scenario), ENDED_AFTER_DUE));
    }
    TIMELINE
        .iter()
        .find(|(l, _)| *l == letter)
        .map(|(_, days)| days_after(start, *days))
}

/// The day the production user ID was granted: the anchor of the evaluation calendar.
fn production_granted(scenario: Scenario) -> NaiveDate {
    let requested = letter_date(scenario, "permohonan_user_id_produksi").unwrap_or_default();
    days_after(requested, PRODUCTION_GRANTED_AFTER)
}

/// The first periodic evaluation: six months after the production user ID.
fn evaluation_due(scenario: Scenario) -> NaiveDate {
    let anchor = production_granted(scenario);
    anchor.checked_add_months(Months::new(6)).unwrap_or(anchor)
}

/// The number each register gave `letter`, and the agency's own number on a two-party document.
fn numbers(scenario: Scenario, letter: &str) -> Option<(&'static str, Option<&'static str>)> {
    let n = match scenario {
        Scenario::Pontianak => match letter {
            "surat_permohonan" => ("420/1187/Disdikbud-A/2018", None),
            "surat_jawaban_data_agregat" => ("470/498/Dukcapil-C/2018", None),
            "surat_izin_kepala_daerah" => ("470/211/Pem/2018", None),
            "surat_persetujuan_gubernur" => ("470/212/Pem/2018", None),
            "berita_acara_konsultasi_pks" => ("470/455/Dukcapil-Prov/2018", None),
            "pks" => ("470/512/Dukcapil-C/2018", Some("420/1190/Disdikbud-A/2018")),
            "juknis" => ("470/601/Dukcapil-C/2018", Some("420/1302/Disdikbud-A/2018")),
            "surat_spesifikasi_teknis" => ("420/1355/Disdikbud-A/2018", None),
            "surat_pernyataan_jaringan" => ("420/1371/Disdikbud-A/2018", None),
            "permohonan_user_id_uji" => ("470/688/Dukcapil-C/2018", None),
            "laporan_uji_beban" => ("420/1460/Disdikbud-A/2018", None),
            "berita_acara_poc" => ("470/745/Dukcapil-C/2018", None),
            "permohonan_user_id_produksi" => ("470/760/Dukcapil-C/2018", None),
            "laporan_evaluasi" => ("470/96/Dukcapil-C/2019", None),
            "adendum_pks" => ("470/131/Dukcapil-C/2019", Some("420/214/Disdikbud-A/2019")),
            "surat_pengakhiran_pks" => ("470/164/Dukcapil-C/2019", None),
            _ => return None,
        },
        Scenario::Kalsel => match letter {
            "surat_permohonan" => ("503/214/DPMPTSP/2021", None),
            "surat_jawaban_data_agregat" => ("470/182/PIAK", None),
            "surat_izin_kepala_daerah" => ("470/0433/Pem", None),
            "surat_persetujuan_gubernur" => ("470/0434/Pem", None),
            "berita_acara_konsultasi_pks" => ("470/226/PIAK", None),
            "pks" => ("470/233/PIAK", Some("503/260/DPMPTSP/2021")),
            "juknis" => ("470/240/PIAK", Some("503/281/DPMPTSP/2021")),
            "surat_spesifikasi_teknis" => ("503/297/DPMPTSP/2021", None),
            "surat_pernyataan_jaringan" => ("503/305/DPMPTSP/2021", None),
            "permohonan_user_id_uji" => ("470/262/PIAK", None),
            "laporan_uji_beban" => ("503/341/DPMPTSP/2021", None),
            "berita_acara_poc" => ("470/298/PIAK", None),
            "permohonan_user_id_produksi" => ("470/305/PIAK", None),
            "laporan_evaluasi" => ("470/41/PIAK", None),
            "adendum_pks" => ("470/63/PIAK", Some("503/102/DPMPTSP/2022")),
            "surat_pengakhiran_pks" => ("470/88/PIAK", None),
            _ => return None,
        },
    };
    Some(n)
}

/// A verification code as the store makes them (ten characters without 0, O, 1, I or L),
/// derived from the scenario and the letter so the samples stay the same from run to run.
fn code(scenario: Scenario, letter: &str) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let digest = crate::sha256_hex(format!("{scenario:?}/{letter}").as_bytes());
    digest
        .as_bytes()
        .chunks(2)
        .take(10)
        .map(|pair| {
            let byte = u8::from_str_radix(std::str::from_utf8(pair).unwrap_or("0"), 16)
                .unwrap_or_default();
            ALPHABET[usize::from(byte) % ALPHABET.len()] as char
        })
        .collect()
}

/// The application as it stands once every letter is issued: the PKS approved and signed, the
/// user IDs granted, the first evaluation recorded.
fn application(scenario: Scenario) -> Application {
    let (workflow, source, region, request) = match scenario {
        Scenario::Pontianak => (
            "pks-kabkota",
            include_str!("../../../workflows/pks-kabkota.toml"),
            "61.71",
            pontianak_request(),
        ),
        Scenario::Kalsel => (
            "pks-provinsi",
            include_str!("../../../workflows/pks-provinsi.toml"),
            "63",
            kalsel_request(),
        ),
    };
    let tag: u128 = match scenario {
        Scenario::Pontianak => 0x6171_0000,
        Scenario::Kalsel => 0x6300_0000,
    };
    let id = |n: u128| Uuid::from_u128(tag + n);
    let start = scenario.start();
    let on = |letter: &str| letter_date(scenario, letter).unwrap_or(start);
    let granted = production_granted(scenario);
    let due = evaluation_due(scenario);
    let recorded = days_after(due, REPORT_AFTER_DUE - 1);
    let elements = request.elements.iter().map(|e| e.code).collect();
    let method = request.access_method.unwrap_or(AccessMethod::WebPortal);
    let valid_until = on("pks")
        .checked_add_months(Months::new(u32::from(request.duration_months)))
        .unwrap_or(start);
    let findings = match scenario {
        Scenario::Pontianak => {
            "Pemanfaatan data sesuai dengan tujuan dalam Perjanjian Kerja Sama.\n\
             Terdapat 3 (tiga) hari dengan jumlah akses melebihi kuota harian pada masa penerimaan peserta didik baru."
        }
        Scenario::Kalsel => {
            "Pemanfaatan data sesuai dengan tujuan dalam Perjanjian Kerja Sama.\n\
             Dua user ID dipakai dari satu komputer operator; setiap user ID wajib dipakai oleh pemiliknya sendiri."
        }
    };
    Application {
        id: id(1),
        workflow: WorkflowRef {
            name: workflow.into(),
            hash: crate::sha256_hex(source.as_bytes()),
        },
        ownership: Ownership {
            agency_id: id(2),
            office_id: id(3),
            office_region: RegionCode::parse(region).unwrap_or_else(|_| unreachable!()),
            zone: Default::default(),
        },
        request,
        stage: "akses_aktif".into(),
        version: 42,
        submitted_by: id(10),
        submitted_at: morning(start),
        stage_entered_at: morning(granted),
        documents: BTreeMap::new(),
        attestation: None,
        minister_approval: None,
        pks: PksState {
            version: 2,
            drafted_by: Some(id(11)),
            approved_version: Some(2),
            approved_by: Some(id(12)),
            signed_on: Some(on("pks")),
            articles: 15,
            sha256: None,
            number: None,
        },
        grants: vec![
            Grant {
                kind: GrantKind::Test,
                elements: Default::default(),
                method,
                issued_at: morning(days_after(on("permohonan_user_id_uji"), 3)),
                valid_until: on("permohonan_user_id_produksi"),
                status: GrantStatus::Expired,
                held_by_evaluation: false,
            },
            Grant {
                kind: GrantKind::Production,
                elements,
                method,
                issued_at: morning(granted),
                valid_until,
                status: GrantStatus::Active,
                held_by_evaluation: false,
            },
        ],
        evaluation_anchor: Some(granted),
        next_evaluation_due: due.checked_add_months(Months::new(6)),
        periodic_due: due.checked_add_months(Months::new(6)),
        evaluations: vec![Evaluation {
            kind: EvaluationKind::Periodic,
            due_on: due,
            opened_at: morning(due - Days::new(30)),
            reason: None,
            reminded: true,
            escalated: false,
            overdue: false,
            result: Some(EvaluationResult {
                outcome: EvaluationOutcome::PassWithFindings,
                findings: findings.into(),
                data_balikan_met: true,
                report_sha256: Some(crate::sha256_hex(b"laporan semester")),
                by: id(11),
                at: morning(recorded),
            }),
        }],
        letters: BTreeMap::new(),
        term_reminded: None,
        daily_quota: None,
        addendum: None,
        addenda: 0,
    }
}

/// What the store holds for the application of `scenario` once all its letters are issued:
/// every letter of the sample can cite the ones before it.
pub fn facts(scenario: Scenario) -> LetterFacts {
    let cited = sepakat_core::workflow::LETTERS
        .iter()
        .filter_map(|(letter, _)| {
            let (number, _) = numbers(scenario, letter)?;
            let date = letter_date(scenario, letter)?;
            Some((
                letter.to_string(),
                CitedLetter {
                    number: number.into(),
                    date,
                },
            ))
        })
        .collect();
    let application = application(scenario);
    match scenario {
        Scenario::Pontianak => LetterFacts {
            application,
            office: OfficeFacts {
                name: "Dinas Kependudukan dan Pencatatan Sipil Kota Pontianak".into(),
                is_province: false,
                place_name: "Pontianak".into(),
                address:
                    "Jalan Letnan Jenderal Sutoyo Nomor 1 Pontianak 78121, Telepon (0561) 733511"
                        .into(),
                logo_svg: None,
            },
            provincial_office: Some(OfficeFacts {
                name: "Dinas Kependudukan dan Pencatatan Sipil Provinsi Kalimantan Barat".into(),
                is_province: true,
                place_name: "Pontianak".into(),
                address: "Jalan Sutan Syahrir Nomor 1 Pontianak 78116".into(),
                logo_svg: None,
            }),
            agency: AgencyFacts {
                name: "Dinas Pendidikan dan Kebudayaan Kota Pontianak".into(),
                address:
                    "Jalan Letnan Jenderal Sutoyo Nomor 13 Pontianak 78121, Telepon (0561) 734578"
                        .into(),
            },
            office_head: Some(person(
                "Drs. H. Hendra Saputra, M.Si.",
                "Kepala Dinas",
                "19680412 199303 1 007",
                "Pembina Utama Muda (IV/c)",
                true,
            )),
            agency_head: Some(person(
                "Dra. Hj. Nurhayati Ramli, M.Pd.",
                "Kepala Dinas",
                "19650821 198903 2 004",
                "Pembina Utama Muda (IV/c)",
                true,
            )),
            provincial_reviewer: Some(person(
                "Drs. Kartius, M.Si.",
                "Kepala Dinas",
                "19660305 198703 1 010",
                "Pembina Utama Muda (IV/c)",
                true,
            )),
            cited,
            pks_articles: Vec::new(),
        },
        Scenario::Kalsel => {
            let office = OfficeFacts {
                name: "Dinas Kependudukan, Pencatatan Sipil dan Keluarga Berencana Provinsi Kalimantan Selatan".into(),
                is_province: true,
                place_name: "Banjarbaru".into(),
                address: "Jalan Dharma Praja II Kawasan Perkantoran Pemerintah Provinsi Kalimantan Selatan, Banjarbaru 70732".into(),
                logo_svg: None,
            };
            LetterFacts {
                application,
                provincial_office: Some(office.clone()),
                office,
                agency: AgencyFacts {
                    name: "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Provinsi Kalimantan Selatan".into(),
                    address: "Jalan Bhayangkara Nomor 2 Kawasan Perkantoran Pemerintah Provinsi Kalimantan Selatan, Banjarbaru 70732".into(),
                },
                office_head: Some(person(
                    "Dr. H. Muhammad Rizal Fauzi, S.STP., M.Si.",
                    "Kepala Dinas",
                    "19780214 199712 1 001",
                    "Pembina Utama Muda (IV/c)",
                    true,
                )),
                agency_head: Some(person(
                    "Ir. Hj. Ratna Sari Dewi, M.T.",
                    "Kepala Dinas",
                    "19690503 199503 2 002",
                    "Pembina Utama Muda (IV/c)",
                    true,
                )),
                // A provincial office reviews its own draft: the head of the division signs
                // the berita acara on the head of office's behalf.
                provincial_reviewer: Some(person(
                    "Hj. Siti Aminah, S.H., M.H.",
                    "Kepala Bidang Pemanfaatan Data dan Inovasi Pelayanan",
                    "19760822 200003 2 004",
                    "Pembina (IV/a)",
                    false,
                )),
                cited,
                pks_articles: Vec::new(),
            }
        }
    }
}

/// The facts `letter` is built from: an addendum is issued while it is pending (Pontianak adds
/// the father's name and a higher quota for the admission season; Kalimantan Selatan moves from
/// the web portal to a web service), the notice of an early end once the agreement is ended.
fn facts_for(scenario: Scenario, letter: &str) -> LetterFacts {
    let mut facts = facts(scenario);
    if letter == "adendum_pks" {
        let app = &mut facts.application;
        let mut change = ScopeChange::current(app).unwrap_or_else(|| unreachable!());
        match scenario {
            Scenario::Pontianak => {
                change.elements.extend(elements(&[(
                    "nama_ayah",
                    "Verifikasi hubungan peserta didik dengan ayah kandung pada jalur afirmasi",
                )]));
                change.daily_quota = 2_500;
            }
            Scenario::Kalsel => change.access_method = AccessMethod::WebService,
        }
        let proposed = letter_date(scenario, letter).unwrap_or_default() - Days::new(30);
        app.addendum = Some(PendingAddendum {
            change,
            proposed_by: app.submitted_by,
            proposed_at: morning(proposed),
            base_version: app.pks.version,
        });
        app.pks.version += 1;
        app.pks.approved_version = Some(app.pks.version);
    }
    if letter == "surat_pengakhiran_pks" {
        // Ended early by the agency: Pontianak's school admission moved to the provincial
        // system; Kalimantan Selatan's licensing moved to the national OSS.
        let reason = match scenario {
            Scenario::Pontianak => {
                "Layanan penerimaan peserta didik baru dialihkan ke sistem yang dikelola Pemerintah Provinsi Kalimantan Barat"
            }
            Scenario::Kalsel => {
                "Layanan perizinan berusaha seluruhnya dilaksanakan melalui sistem OSS yang dikelola Kementerian Investasi"
            }
        };
        let app = &mut facts.application;
        app.stage = "diakhiri".into();
        for g in app
            .grants
            .iter_mut()
            .filter(|g| g.status == GrantStatus::Active)
        {
            g.status = GrantStatus::Revoked {
                reason: reason.into(),
            };
        }
    }
    facts
}

/// The agency's technical team.
fn team(scenario: Scenario) -> Vec<TeamMember> {
    let (agency, kominfo, office) = match scenario {
        Scenario::Pontianak => (
            "Dinas Pendidikan dan Kebudayaan Kota Pontianak",
            "Dinas Komunikasi dan Informatika Kota Pontianak",
            "Dinas Kependudukan dan Pencatatan Sipil Kota Pontianak",
        ),
        Scenario::Kalsel => (
            "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Provinsi Kalimantan Selatan",
            "Dinas Komunikasi dan Informatika Provinsi Kalimantan Selatan",
            "Dinas Kependudukan, Pencatatan Sipil dan Keluarga Berencana Provinsi Kalimantan Selatan",
        ),
    };
    let member = |name: &str, position: &str, at: &str, role: &str| TeamMember {
        name: name.into(),
        position: format!("{position}, {at}"),
        role: role.into(),
    };
    vec![
        member(
            "Andi Pratama, S.Kom.",
            "Pranata Komputer Ahli Muda",
            agency,
            "Koordinator teknis",
        ),
        member(
            "Siti Rahmawati, S.T.",
            "Analis Sistem Informasi",
            agency,
            "Administrator aplikasi dan user ID",
        ),
        member(
            "Yusuf Hidayat, A.Md.",
            "Pengelola Jaringan",
            kominfo,
            "Pengelola jaringan tertutup",
        ),
        member(
            "Dewi Lestari, S.Kom.",
            "Pranata Komputer Ahli Pertama",
            office,
            "Pendamping teknis PIHAK PERTAMA",
        ),
    ]
}

fn ip_addresses(scenario: Scenario) -> Vec<String> {
    match scenario {
        Scenario::Pontianak => vec!["10.61.12.20".into(), "10.61.12.21".into()],
        Scenario::Kalsel => vec!["10.63.4.20".into(), "10.63.4.21".into()],
    }
}

/// The facts a person types in when `letter` is issued: complete for every fact the letter
/// needs (`sepakat_core::letter::needs`), and nothing else.
pub fn inputs(scenario: Scenario, letter: &str) -> LetterInputs {
    let pontianak = scenario == Scenario::Pontianak;
    let ips = ip_addresses(scenario);
    let network = Some(ConnectionType::VpnAgencyToDisdukcapil);
    match letter {
        "surat_persetujuan_gubernur" | "surat_izin_kepala_daerah" => LetterInputs {
            signatory: Some(if pontianak {
                SignatoryInput {
                    kind: SignatoryKind::Head,
                    name: "Ir. H. Sutarmidji, M.Hum.".into(),
                    nip: None,
                    rank: None,
                }
            } else {
                SignatoryInput {
                    kind: SignatoryKind::RegionalSecretary,
                    name: "Ir. H. Roy Rizali Anwar, M.T.".into(),
                    nip: Some("19660712 199203 1 009".into()),
                    rank: Some("Pembina Utama (IV/e)".into()),
                }
            }),
            ..Default::default()
        },
        "juknis" => LetterInputs {
            ip_addresses: ips,
            technical_team: team(scenario),
            ..Default::default()
        },
        "surat_spesifikasi_teknis" => LetterInputs {
            application_name: Some(if pontianak {
                "Sistem Informasi Penerimaan Peserta Didik Baru (berbasis web, server di ruang server Diskominfo)".into()
            } else {
                "Sistem Informasi Perizinan Terpadu Satu Pintu (SIPTSP) Provinsi Kalimantan Selatan"
                    .into()
            }),
            network,
            ip_addresses: ips,
            devices: vec![
                "2 (dua) unit komputer operator".into(),
                "1 (satu) unit router VPN".into(),
                "1 (satu) unit firewall".into(),
            ],
            technical_team: team(scenario),
            ..Default::default()
        },
        "surat_pernyataan_jaringan" => LetterInputs {
            network,
            ip_addresses: ips,
            ..Default::default()
        },
        "permohonan_user_id_uji" | "permohonan_user_id_produksi" => LetterInputs {
            users: vec![
                UserLine {
                    name: "Andi Pratama, S.Kom.".into(),
                    nip: Some("19880310 201101 1 002".into()),
                    position: "Pranata Komputer Ahli Muda".into(),
                    ip_address: ips[0].clone(),
                },
                UserLine {
                    name: if pontianak {
                        "Rina Marlina, S.Pd.".into()
                    } else {
                        "Ahmad Fauzan, S.E.".into()
                    },
                    nip: Some("19900707 201503 2 001".into()),
                    position: "Verifikator Data".into(),
                    ip_address: ips[1].clone(),
                },
            ],
            ..Default::default()
        },
        "laporan_uji_beban" => {
            let result =
                |parameter: &str, target: &str, result: &str, note: Option<&str>| TestResult {
                    parameter: parameter.into(),
                    target: target.into(),
                    result: result.into(),
                    passed: true,
                    note: note.map(Into::into),
                };
            LetterInputs {
                test_user_id: Some(if pontianak {
                    "UJI-DISDIKBUD-01".into()
                } else {
                    "UJI-DPMPTSP-01".into()
                }),
                test_date: letter_date(scenario, "laporan_uji_beban").map(|d| d - Days::new(2)),
                scenario: Some("50 pengguna bersamaan selama 30 menit".into()),
                test_results: vec![
                    result("Permintaan per menit", "300", "342", None),
                    result("Waktu tanggap rata-rata", "≤ 2 detik", "1,3 detik", None),
                    result("Tingkat galat", "≤ 1%", "0,2%", None),
                    result(
                        "Ketersediaan VPN",
                        "100%",
                        "100%",
                        Some("Tidak ada pemutusan"),
                    ),
                ],
                ..Default::default()
            }
        }
        "berita_acara_poc" => {
            let poc = |scenario: &str, result: &str| PocResult {
                scenario: scenario.into(),
                result: result.into(),
                passed: true,
            };
            LetterInputs {
                poc_results: vec![
                    poc("Pencarian data berdasarkan NIK", "Berhasil"),
                    poc("Pemadanan nama dan tanggal lahir", "Berhasil"),
                    poc(
                        "Akses dari alamat IP tidak terdaftar",
                        "Ditolak (sesuai harapan)",
                    ),
                    poc("Pencatatan log akses", "Tercatat lengkap"),
                ],
                ..Default::default()
            }
        }
        "surat_jawaban_data_agregat" => {
            let figure = |description: &str, count: u64| AggregateFigure {
                description: description.into(),
                count,
            };
            LetterInputs {
                aggregate: if pontianak {
                    vec![
                        figure("Penduduk usia 7–12 tahun", 61_240),
                        figure("Penduduk usia 13–15 tahun", 29_875),
                        figure("Penduduk usia 16–18 tahun", 28_410),
                        figure("Jumlah penduduk seluruhnya", 665_280),
                    ]
                } else {
                    vec![
                        figure("Penduduk usia 17 tahun ke atas", 3_021_455),
                        figure("Penduduk berusaha sendiri", 512_630),
                        figure("Jumlah penduduk seluruhnya", 4_122_576),
                    ]
                },
                ..Default::default()
            }
        }
        "laporan_evaluasi" => LetterInputs {
            access_count: Some(if pontianak { 48_215 } else { 21_904 }),
            ..Default::default()
        },
        _ => LetterInputs::default(),
    }
}

/// The stamp `letter` is issued with in `scenario`; `None` for a name that is no letter.
pub fn stamp(scenario: Scenario, letter: &str) -> Option<IssueStamp> {
    let (number, counterpart) = numbers(scenario, letter)?;
    let code = code(scenario, letter);
    Some(IssueStamp {
        number: number.into(),
        counterpart_number: counterpart.map(Into::into),
        date: letter_date(scenario, letter)?,
        verify_url: format!("{}/{code}", scenario.verify_base()),
        code,
        inputs: inputs(scenario, letter),
    })
}

/// The context `letter` is issued with in `scenario`, from the builder; the facts it would
/// still need if the sample were incomplete.
pub fn try_context(
    scenario: Scenario,
    letter: &str,
) -> Option<Result<LetterContext, Vec<LetterProblem>>> {
    let stamp = stamp(scenario, letter)?;
    Some(build_context(
        letter,
        &facts_for(scenario, letter),
        Some(&stamp),
        &stamp.inputs,
        stamp.date,
    ))
}

/// The context of the issued `letter` in `scenario`; `None` for a name that is no letter.
pub fn context(scenario: Scenario, letter: &str) -> Option<LetterContext> {
    try_context(scenario, letter)?.ok()
}

/// The same letter as a draft: today's date, no number, no verification.
pub fn draft_context(scenario: Scenario, letter: &str) -> Option<LetterContext> {
    let date = letter_date(scenario, letter)?;
    build_context(
        letter,
        &facts_for(scenario, letter),
        None,
        &inputs(scenario, letter),
        date,
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sample_is_built_by_the_builder_without_a_missing_fact() {
        for scenario in Scenario::ALL {
            for (letter, _) in sepakat_core::workflow::LETTERS {
                let built = try_context(scenario, letter)
                    .unwrap_or_else(|| panic!("{scenario:?}: no stamp for {letter}"));
                if let Err(problems) = built {
                    panic!("{scenario:?} {letter}: {problems:#?}");
                }
                assert!(
                    sepakat_core::letter::check_inputs(letter, &inputs(scenario, letter))
                        .is_empty(),
                    "{scenario:?} {letter}: the inputs are exactly what the letter needs"
                );
                let draft = draft_context(scenario, letter).unwrap();
                assert!(draft.number.is_none() && draft.verification.is_none());
            }
            assert!(context(scenario, "kop").is_none());
        }
    }

    #[test]
    fn requests_name_only_catalogue_elements() {
        assert_eq!(pontianak_request().elements.len(), 6);
        assert_eq!(kalsel_request().elements.len(), 7);
    }

    #[test]
    fn codes_look_like_the_stores_and_stay_put() {
        let a = code(Scenario::Pontianak, "pks");
        assert_eq!(a.len(), 10);
        assert!(!a.contains(['0', 'O', '1', 'I', 'L']));
        assert_eq!(a, code(Scenario::Pontianak, "pks"));
        assert_ne!(a, code(Scenario::Kalsel, "pks"));
    }

    #[test]
    fn letters_are_dated_in_the_order_they_are_issued() {
        for scenario in Scenario::ALL {
            let mut last = scenario.start();
            for (letter, _) in TIMELINE {
                let d = letter_date(scenario, letter).unwrap();
                assert!(d >= last, "{letter}");
                last = d;
            }
            assert!(letter_date(scenario, "laporan_evaluasi").unwrap() > last);
        }
    }
}
