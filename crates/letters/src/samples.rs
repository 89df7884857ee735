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
use sepakat_core::application::GrantStatus;
use sepakat_core::elements::ElementCode;
use sepakat_core::letter::{
    AgencyFacts, CitedLetter, IssueStamp, LetterFacts, LetterProblem, OfficeFacts, PersonFacts,
};
use sepakat_core::request::{AccessMethod, DataType, PurposeKind, Request, RequestedElement};

mod application;
mod inputs;
#[cfg(test)]
mod tests;

use application::application;
pub use inputs::inputs;

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
