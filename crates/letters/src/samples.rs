//! Realistic contexts for every letter, from the two field cases of the domain notes:
//!
//! - [`Scenario::Pontianak`]: the Disdukcapil of Kota Pontianak and the Dinas Pendidikan dan
//!   Kebudayaan (May 2018, kabupaten/kota path: permission from the Wali Kota, draft consulted
//!   with the provincial office of Kalimantan Barat);
//! - [`Scenario::Kalsel`]: the Disdukcapil-KB of Provinsi Kalimantan Selatan and the DPMPTSP
//!   (April 2021, provincial path: the Sekda signs for the Governor to the Dirjen).
//!
//! Used for template previews, for trying an override directory, by the tests and by the
//! benchmark. Persons and numbers are invented; offices and rules are the real ones.

use crate::context::*;
use crate::pks::{PksParties, default_articles, default_recitals};
use chrono::NaiveDate;
use sepakat_core::elements::ElementCode;
use sepakat_core::request::{AccessMethod, DataType, PurposeKind, Request, RequestedElement};
use serde_json::{Value, json};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    Pontianak,
    Kalsel,
}

impl Scenario {
    pub const ALL: [Scenario; 2] = [Scenario::Pontianak, Scenario::Kalsel];
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    // Only called with literal dates below.
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn official(name: &str, position: &str, nip: Option<&str>, rank: Option<&str>) -> Official {
    Official {
        name: name.into(),
        position: position.into(),
        nip: nip.map(Into::into),
        rank: rank.map(Into::into),
        on_behalf_of: None,
    }
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

pub fn pontianak_parties() -> PksParties {
    PksParties {
        first: "Dinas Kependudukan dan Pencatatan Sipil Kota Pontianak".into(),
        second: "Dinas Pendidikan dan Kebudayaan Kota Pontianak".into(),
        region_head: "Wali Kota Pontianak".into(),
        city: "Pontianak".into(),
        daily_quota: 1000,
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

pub fn kalsel_parties() -> PksParties {
    PksParties {
        first: "Dinas Kependudukan, Pencatatan Sipil dan Keluarga Berencana Provinsi Kalimantan Selatan".into(),
        second: "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Provinsi Kalimantan Selatan".into(),
        region_head: "Gubernur Kalimantan Selatan".into(),
        city: "Banjarbaru".into(),
        daily_quota: 500,
    }
}

struct Cast {
    disdukcapil_issuer: Issuer,
    agency_issuer: Issuer,
    head_issuer: Issuer,
    province_issuer: Issuer,
    kominfo_issuer: Issuer,
    region_head: Official,
    province_head: Official,
    kominfo_head: Official,
    dirjen: Addressee,
    base: LetterContext,
    parties: PksParties,
    numbers: [&'static str; 8],
}

fn cast(scenario: Scenario) -> Cast {
    match scenario {
        Scenario::Pontianak => {
            let disdukcapil = Party {
                name: "Dinas Kependudukan dan Pencatatan Sipil Kota Pontianak".into(),
                address: "Jalan Letnan Jenderal Sutoyo Nomor 1, Pontianak".into(),
                head: official(
                    "Drs. H. Hendra Saputra, M.Si.",
                    "Kepala Dinas Kependudukan dan Pencatatan Sipil Kota Pontianak",
                    Some("19680412 199303 1 007"),
                    Some("Pembina Utama Muda (IV/c)"),
                ),
            };
            let agency = Party {
                name: "Dinas Pendidikan dan Kebudayaan Kota Pontianak".into(),
                address: "Jalan Letnan Jenderal Sutoyo Nomor 13, Pontianak".into(),
                head: official(
                    "Dra. Hj. Nurhayati Ramli, M.Pd.",
                    "Kepala Dinas Pendidikan dan Kebudayaan Kota Pontianak",
                    Some("19650821 198903 2 004"),
                    Some("Pembina Utama Muda (IV/c)"),
                ),
            };
            let request = pontianak_request();
            let parties = pontianak_parties();
            let mut base = LetterContext {
                issuer: Issuer {
                    name: agency.name.clone(),
                    kop: vec!["PEMERINTAH KOTA PONTIANAK".into(), "DINAS PENDIDIKAN DAN KEBUDAYAAN".into()],
                    address: "Jalan Letnan Jenderal Sutoyo Nomor 13 Pontianak 78121, Telepon (0561) 734578, Laman disdikbud.pontianak.go.id".into(),
                    city: "Pontianak".into(),
                },
                number: Some("420/1187/Disdikbud-A/2018".into()),
                counterpart_number: None,
                date: date(2018, 5, 4),
                nature: "Biasa".into(),
                attachment: "1 (satu) berkas".into(),
                subject: "Permohonan Pemanfaatan Data Kependudukan".into(),
                addressee: Addressee {
                    title: "Wali Kota Pontianak".into(),
                    via: Some("Kepala Dinas Kependudukan dan Pencatatan Sipil Kota Pontianak".into()),
                    place: "Pontianak".into(),
                },
                signatory: agency.head.clone(),
                disdukcapil,
                agency,
                region: Region {
                    name: "Kota Pontianak".into(),
                    head_title: "Wali Kota Pontianak".into(),
                    province: "Kalimantan Barat".into(),
                },
                purpose: String::new(),
                legal_basis: String::new(),
                elements: Vec::new(),
                access_method: None,
                data_balikan: Vec::new(),
                duration_months: 0,
                daily_quota: Some(parties.daily_quota),
                recitals: Vec::new(),
                articles: Vec::new(),
                verification: None,
                tembusan: vec![
                    "Kepala Dinas Kependudukan dan Pencatatan Sipil Kota Pontianak".into(),
                    "Kepala Dinas Kependudukan dan Pencatatan Sipil Provinsi Kalimantan Barat".into(),
                ],
                extra: BTreeMap::new(),
            };
            base.apply_request(&request);
            Cast {
                disdukcapil_issuer: Issuer {
                    name: base.disdukcapil.name.clone(),
                    kop: vec!["PEMERINTAH KOTA PONTIANAK".into(), "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL".into()],
                    address: "Jalan Letnan Jenderal Sutoyo Nomor 1 Pontianak 78121, Telepon (0561) 733511, Laman disdukcapil.pontianak.go.id".into(),
                    city: "Pontianak".into(),
                },
                agency_issuer: base.issuer.clone(),
                head_issuer: Issuer {
                    name: "Wali Kota Pontianak".into(),
                    kop: vec!["WALI KOTA PONTIANAK".into()],
                    address: "Jalan Rahadi Usman Nomor 3 Pontianak 78111".into(),
                    city: "Pontianak".into(),
                },
                province_issuer: Issuer {
                    name: "Dinas Kependudukan dan Pencatatan Sipil Provinsi Kalimantan Barat".into(),
                    kop: vec!["PEMERINTAH PROVINSI KALIMANTAN BARAT".into(), "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL".into()],
                    address: "Jalan Sutan Syahrir Nomor 1 Pontianak 78116".into(),
                    city: "Pontianak".into(),
                },
                kominfo_issuer: Issuer {
                    name: "Dinas Komunikasi dan Informatika Kota Pontianak".into(),
                    kop: vec!["PEMERINTAH KOTA PONTIANAK".into(), "DINAS KOMUNIKASI DAN INFORMATIKA".into()],
                    address: "Jalan Rahadi Usman Nomor 3 Pontianak 78111, Laman diskominfo.pontianak.go.id".into(),
                    city: "Pontianak".into(),
                },
                region_head: official("Ir. H. Sutarmidji, M.Hum.", "Wali Kota Pontianak", None, None),
                province_head: official(
                    "Drs. Kartius, M.Si.",
                    "Kepala Dinas Kependudukan dan Pencatatan Sipil Provinsi Kalimantan Barat",
                    Some("19660305 198703 1 010"),
                    Some("Pembina Utama Muda (IV/c)"),
                ),
                kominfo_head: official(
                    "Rizal Fahmi, S.Kom., M.T.",
                    "Kepala Dinas Komunikasi dan Informatika Kota Pontianak",
                    Some("19750918 200003 1 003"),
                    Some("Pembina Tingkat I (IV/b)"),
                ),
                dirjen: Addressee {
                    title: "Direktur Jenderal Kependudukan dan Pencatatan Sipil Kementerian Dalam Negeri".into(),
                    via: None,
                    place: "Jakarta".into(),
                },
                base,
                parties,
                numbers: [
                    "420/1187/Disdikbud-A/2018",
                    "470/512/Dukcapil-C/2018",
                    "420/1190/Disdikbud-A/2018",
                    "470/601/Dukcapil-C/2018",
                    "555/88/Diskominfo/2018",
                    "470/191/PIAK",
                    "470/702/Dukcapil-C/2018",
                    "470/455/Dukcapil-Prov/2018",
                ],
            }
        }
        Scenario::Kalsel => {
            let disdukcapil = Party {
                name: "Dinas Kependudukan, Pencatatan Sipil dan Keluarga Berencana Provinsi Kalimantan Selatan".into(),
                address: "Jalan Dharma Praja II Kawasan Perkantoran Pemerintah Provinsi Kalimantan Selatan, Banjarbaru".into(),
                head: official(
                    "Dr. H. Muhammad Rizal Fauzi, S.STP., M.Si.",
                    "Kepala Dinas Kependudukan, Pencatatan Sipil dan Keluarga Berencana Provinsi Kalimantan Selatan",
                    Some("19780214 199712 1 001"),
                    Some("Pembina Utama Muda (IV/c)"),
                ),
            };
            let agency = Party {
                name: "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Provinsi Kalimantan Selatan".into(),
                address: "Jalan Bhayangkara Nomor 2 Kawasan Perkantoran Pemerintah Provinsi Kalimantan Selatan, Banjarbaru".into(),
                head: official(
                    "Ir. Hj. Ratna Sari Dewi, M.T.",
                    "Kepala Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Provinsi Kalimantan Selatan",
                    Some("19690503 199503 2 002"),
                    Some("Pembina Utama Muda (IV/c)"),
                ),
            };
            let request = kalsel_request();
            let parties = kalsel_parties();
            let mut base = LetterContext {
                issuer: Issuer {
                    name: agency.name.clone(),
                    kop: vec![
                        "PEMERINTAH PROVINSI KALIMANTAN SELATAN".into(),
                        "DINAS PENANAMAN MODAL DAN PELAYANAN TERPADU SATU PINTU".into(),
                    ],
                    address: "Jalan Bhayangkara Nomor 2 Banjarbaru 70732, Telepon (0511) 6749344, Laman dpmptsp.kalselprov.go.id".into(),
                    city: "Banjarbaru".into(),
                },
                number: Some("503/214/DPMPTSP/2021".into()),
                counterpart_number: None,
                date: date(2021, 4, 5),
                nature: "Segera".into(),
                attachment: "1 (satu) berkas".into(),
                subject: "Permohonan Pemanfaatan Data Kependudukan".into(),
                addressee: Addressee {
                    title: "Gubernur Kalimantan Selatan".into(),
                    via: Some("Kepala Dinas Kependudukan, Pencatatan Sipil dan Keluarga Berencana Provinsi Kalimantan Selatan".into()),
                    place: "Banjarbaru".into(),
                },
                signatory: agency.head.clone(),
                disdukcapil,
                agency,
                region: Region {
                    name: "Provinsi Kalimantan Selatan".into(),
                    head_title: "Gubernur Kalimantan Selatan".into(),
                    province: "Kalimantan Selatan".into(),
                },
                purpose: String::new(),
                legal_basis: String::new(),
                elements: Vec::new(),
                access_method: None,
                data_balikan: Vec::new(),
                duration_months: 0,
                daily_quota: Some(parties.daily_quota),
                recitals: Vec::new(),
                articles: Vec::new(),
                verification: None,
                tembusan: vec![
                    "Sekretaris Daerah Provinsi Kalimantan Selatan".into(),
                    "Kepala Dinas Kependudukan, Pencatatan Sipil dan Keluarga Berencana Provinsi Kalimantan Selatan".into(),
                ],
                extra: BTreeMap::new(),
            };
            base.apply_request(&request);
            let mut sekda = official(
                "Ir. H. Roy Rizali Anwar, M.T.",
                "Sekretaris Daerah",
                Some("19660712 199203 1 009"),
                Some("Pembina Utama (IV/e)"),
            );
            sekda.on_behalf_of = Some("Gubernur Kalimantan Selatan".into());
            Cast {
                disdukcapil_issuer: Issuer {
                    name: base.disdukcapil.name.clone(),
                    kop: vec![
                        "PEMERINTAH PROVINSI KALIMANTAN SELATAN".into(),
                        "DINAS KEPENDUDUKAN, PENCATATAN SIPIL DAN KELUARGA BERENCANA".into(),
                    ],
                    address: "Jalan Dharma Praja II Banjarbaru 70732, Telepon (0511) 6749188, Laman disdukcapilkb.kalselprov.go.id".into(),
                    city: "Banjarbaru".into(),
                },
                agency_issuer: base.issuer.clone(),
                head_issuer: Issuer {
                    name: "Gubernur Kalimantan Selatan".into(),
                    kop: vec!["GUBERNUR KALIMANTAN SELATAN".into()],
                    address: "Jalan Dharma Praja I Kawasan Perkantoran Pemerintah Provinsi Kalimantan Selatan, Banjarbaru 70732".into(),
                    city: "Banjarbaru".into(),
                },
                province_issuer: Issuer {
                    name: base.disdukcapil.name.clone(),
                    kop: vec![
                        "PEMERINTAH PROVINSI KALIMANTAN SELATAN".into(),
                        "DINAS KEPENDUDUKAN, PENCATATAN SIPIL DAN KELUARGA BERENCANA".into(),
                    ],
                    address: "Jalan Dharma Praja II Banjarbaru 70732".into(),
                    city: "Banjarbaru".into(),
                },
                kominfo_issuer: Issuer {
                    name: "Dinas Komunikasi dan Informatika Provinsi Kalimantan Selatan".into(),
                    kop: vec![
                        "PEMERINTAH PROVINSI KALIMANTAN SELATAN".into(),
                        "DINAS KOMUNIKASI DAN INFORMATIKA".into(),
                    ],
                    address: "Jalan Dharma Praja Kawasan Perkantoran Pemerintah Provinsi Kalimantan Selatan, Banjarbaru 70732".into(),
                    city: "Banjarbaru".into(),
                },
                region_head: sekda,
                province_head: official(
                    "Dr. H. Muhammad Rizal Fauzi, S.STP., M.Si.",
                    "Kepala Dinas Kependudukan, Pencatatan Sipil dan Keluarga Berencana Provinsi Kalimantan Selatan",
                    Some("19780214 199712 1 001"),
                    Some("Pembina Utama Muda (IV/c)"),
                ),
                kominfo_head: official(
                    "Muhammad Muslim, S.Pd., M.Kes.",
                    "Kepala Dinas Komunikasi dan Informatika Provinsi Kalimantan Selatan",
                    Some("19700101 199303 1 011"),
                    Some("Pembina Utama Muda (IV/c)"),
                ),
                dirjen: Addressee {
                    title: "Direktur Jenderal Kependudukan dan Pencatatan Sipil Kementerian Dalam Negeri".into(),
                    via: None,
                    place: "Jakarta".into(),
                },
                base,
                parties,
                numbers: [
                    "503/214/DPMPTSP/2021",
                    "470/191/PIAK",
                    "503/260/DPMPTSP/2021",
                    "470/233/PIAK",
                    "555/57/Diskominfo/2021",
                    "470/240/PIAK",
                    "470/298/PIAK",
                    "470/305/PIAK",
                ],
            }
        }
    }
}

fn extra(pairs: Value) -> BTreeMap<String, Value> {
    match pairs {
        Value::Object(map) => map.into_iter().collect(),
        _ => BTreeMap::new(),
    }
}

/// The context for `letter` in `scenario`; `None` for a name that is no letter.
pub fn context(scenario: Scenario, letter: &str) -> Option<LetterContext> {
    let c = cast(scenario);
    let [
        n_permohonan,
        n_pks1,
        n_pks2,
        n_juknis,
        n_jaringan,
        n_user,
        n_poc,
        n_eval,
    ] = c.numbers;
    let mut ctx = c.base.clone();
    let request = match scenario {
        Scenario::Pontianak => pontianak_request(),
        Scenario::Kalsel => kalsel_request(),
    };
    let d = ctx.date;
    let later = |days: u64| d.checked_add_days(chrono::Days::new(days)).unwrap_or(d);
    let to_disdukcapil = Addressee {
        title: ctx.disdukcapil.head.position.clone(),
        via: None,
        place: c.disdukcapil_issuer.city.clone(),
    };
    let to_agency = Addressee {
        title: ctx.agency.head.position.clone(),
        via: None,
        place: c.agency_issuer.city.clone(),
    };
    let ips = json!(["10.61.12.20", "10.61.12.21"]);
    let team = json!([
        {"nama": "Andi Pratama, S.Kom.", "jabatan": "Pranata Komputer Ahli Muda, ".to_string() + &ctx.agency.name, "peran": "Koordinator teknis"},
        {"nama": "Siti Rahmawati, S.T.", "jabatan": "Analis Sistem Informasi, ".to_string() + &ctx.agency.name, "peran": "Administrator aplikasi dan user ID"},
        {"nama": "Yusuf Hidayat, A.Md.", "jabatan": "Pengelola Jaringan, ".to_string() + &c.kominfo_issuer.name, "peran": "Pengelola jaringan tertutup"},
        {"nama": "Dewi Lestari, S.Kom.", "jabatan": "Pranata Komputer Ahli Pertama, ".to_string() + &ctx.disdukcapil.name, "peran": "Pendamping teknis PIHAK PERTAMA"}
    ]);
    match letter {
        "surat_permohonan" => {}
        "surat_persetujuan_gubernur" | "surat_izin_kepala_daerah" => {
            ctx.issuer = c.head_issuer.clone();
            ctx.signatory = c.region_head.clone();
            ctx.number = Some(n_pks1.into());
            ctx.date = later(14);
            ctx.extra = extra(json!({
                "nomor_surat_permohonan": n_permohonan,
                "tanggal_surat_permohonan": d,
            }));
            if letter == "surat_persetujuan_gubernur" {
                ctx.subject = "Permohonan Persetujuan Pemberian Hak Akses Data Kependudukan".into();
                ctx.addressee = c.dirjen.clone();
                ctx.attachment = "1 (satu) berkas".into();
                ctx.tembusan = vec![
                    ctx.agency.head.position.clone(),
                    ctx.disdukcapil.head.position.clone(),
                ];
            } else {
                ctx.subject = "Izin Pemanfaatan Data Kependudukan".into();
                ctx.addressee = to_agency.clone();
                ctx.attachment = "-".into();
                ctx.tembusan = vec![
                    "Direktur Jenderal Kependudukan dan Pencatatan Sipil Kementerian Dalam Negeri di Jakarta".into(),
                    ctx.disdukcapil.head.position.clone(),
                    format!("Kepala Dinas Kependudukan dan Pencatatan Sipil Provinsi {}", ctx.region.province),
                ];
            }
        }
        "pks" => {
            ctx.issuer = c.disdukcapil_issuer.clone();
            ctx.subject = "Pemanfaatan Nomor Induk Kependudukan, Data Kependudukan dan Kartu Tanda Penduduk Elektronik".into();
            ctx.number = Some(n_pks1.into());
            ctx.counterpart_number = Some(n_pks2.into());
            ctx.date = later(45);
            ctx.signatory = ctx.disdukcapil.head.clone();
            ctx.recitals = default_recitals(&request, &c.parties);
            ctx.articles = default_articles(&request, &c.parties);
            ctx.tembusan = Vec::new();
        }
        "berita_acara_konsultasi_pks" => {
            ctx.issuer = c.province_issuer.clone();
            ctx.signatory = c.province_head.clone();
            ctx.subject = "Pemanfaatan Nomor Induk Kependudukan, Data Kependudukan dan Kartu Tanda Penduduk Elektronik".into();
            ctx.number = Some(n_eval.into());
            ctx.date = later(38);
            ctx.tembusan = vec![ctx.agency.head.position.clone()];
            ctx.extra = extra(json!({
                "tempat": format!("Kantor {}", c.province_issuer.name),
                "hasil": [
                    "Rancangan Perjanjian Kerja Sama telah dibahas pasal demi pasal bersama PARA PIHAK.",
                    "Elemen data yang dimohon telah sesuai dengan kebutuhan dan tidak memuat data pribadi yang dilindungi.",
                    "Ketentuan larangan memberikan data kepada organisasi perangkat daerah lain dipertegas dalam pasal kerahasiaan.",
                    "Kewajiban data balikan dan laporan semester dicantumkan beserta sanksinya."
                ],
                "kesimpulan": "dapat ditandatangani oleh PARA PIHAK"
            }));
        }
        "juknis" => {
            ctx.issuer = c.disdukcapil_issuer.clone();
            ctx.subject = "Pemanfaatan Nomor Induk Kependudukan, Data Kependudukan dan Kartu Tanda Penduduk Elektronik".into();
            ctx.number = Some(n_juknis.into());
            ctx.counterpart_number = Some("420/1302/Disdikbud-A/2018".into());
            ctx.date = later(60);
            ctx.signatory = ctx.disdukcapil.head.clone();
            ctx.tembusan = Vec::new();
            ctx.extra = extra(json!({
                "nomor_pks": n_pks1,
                "tanggal_pks": later(45),
                "alamat_ip": ips,
                "jam_layanan": "hari Senin sampai dengan Jumat pukul 07.30 sampai dengan 16.00 waktu setempat",
                "tim_teknis": team,
            }));
        }
        "surat_spesifikasi_teknis" => {
            ctx.number = Some("420/1355/Disdikbud-A/2018".into());
            ctx.date = later(67);
            ctx.subject = "Penyampaian Spesifikasi Teknis".into();
            ctx.addressee = to_disdukcapil;
            ctx.tembusan = Vec::new();
            ctx.extra = extra(json!({
                "nomor_pks": n_pks1,
                "nomor_juknis": n_juknis,
                "tentang": "Pemanfaatan Data Kependudukan",
                "aplikasi": "Sistem Informasi Penerimaan Peserta Didik Baru (berbasis web, server di ruang server Diskominfo)",
                "jaringan": "Virtual Private Network (VPN) IPSec site-to-site ke jaringan Disdukcapil",
                "alamat_ip": ips,
                "perangkat": ["2 (dua) unit komputer operator", "1 (satu) unit router VPN", "1 (satu) unit firewall"],
                "tim_teknis": team,
            }));
        }
        "surat_pernyataan_jaringan" => {
            ctx.issuer = c.kominfo_issuer.clone();
            ctx.signatory = c.kominfo_head.clone();
            ctx.number = Some(n_jaringan.into());
            ctx.date = later(70);
            ctx.subject = "Surat Pernyataan Jaringan Komunikasi Data Tertutup dan Aman".into();
            ctx.tembusan = vec![ctx.disdukcapil.head.position.clone()];
            ctx.extra = extra(json!({
                "jenis_jaringan": "Virtual Private Network (VPN) IPSec site-to-site",
                "alamat_ip": ips,
            }));
        }
        "permohonan_user_id_uji" | "permohonan_user_id_produksi" => {
            ctx.issuer = c.disdukcapil_issuer.clone();
            ctx.signatory = ctx.disdukcapil.head.clone();
            ctx.addressee = c.dirjen.clone();
            ctx.attachment = "1 (satu) berkas".into();
            ctx.tembusan = vec![
                ctx.region.head_title.clone(),
                ctx.agency.head.position.clone(),
            ];
            let production = letter == "permohonan_user_id_produksi";
            ctx.number = Some(if production { n_poc } else { n_user }.into());
            ctx.date = later(if production { 95 } else { 74 });
            ctx.subject = format!(
                "Permohonan User ID {} bagi {}",
                if production { "Produksi" } else { "Uji Coba" },
                ctx.agency.name
            );
            ctx.extra = extra(json!({
                "nomor_pks": n_pks1,
                "tanggal_pks": later(45),
                "nomor_juknis": n_juknis,
                "nomor_pernyataan_jaringan": n_jaringan,
                "nomor_berita_acara_poc": "470/745/Dukcapil-C/2018",
                "tanggal_berita_acara_poc": later(90),
                "pengguna": [
                    {"nama": "Andi Pratama, S.Kom.", "nip": "19880310 201101 1 002", "jabatan": "Pranata Komputer Ahli Muda", "alamat_ip": "10.61.12.20"},
                    {"nama": "Rina Marlina, S.Pd.", "nip": "19900707 201503 2 001", "jabatan": "Verifikator Data", "alamat_ip": "10.61.12.21"}
                ],
            }));
        }
        "laporan_uji_beban" => {
            ctx.number = Some("420/1460/Disdikbud-A/2018".into());
            ctx.date = later(84);
            ctx.subject = "Laporan Hasil Uji Beban (Stress Test)".into();
            ctx.addressee = to_disdukcapil;
            ctx.attachment = "-".into();
            ctx.tembusan = Vec::new();
            ctx.extra = extra(json!({
                "user_id_uji": "UJI-DISDIKBUD-01",
                "nomor_pks": n_pks1,
                "tanggal_uji": later(82),
                "lokasi": format!("ruang server {}", c.kominfo_issuer.name),
                "skenario": "50 pengguna bersamaan selama 30 menit",
                "hasil_uji": [
                    {"parameter": "Permintaan per menit", "target": "300", "hasil": "342", "keterangan": "Memenuhi"},
                    {"parameter": "Waktu tanggap rata-rata", "target": "≤ 2 detik", "hasil": "1,3 detik", "keterangan": "Memenuhi"},
                    {"parameter": "Tingkat galat", "target": "≤ 1%", "hasil": "0,2%", "keterangan": "Memenuhi"},
                    {"parameter": "Ketersediaan VPN", "target": "100%", "hasil": "100%", "keterangan": "Tidak ada pemutusan"}
                ],
                "kesimpulan": "aplikasi dan jaringan dinyatakan siap untuk pelaksanaan proof of concept."
            }));
        }
        "berita_acara_poc" => {
            ctx.issuer = c.disdukcapil_issuer.clone();
            ctx.signatory = ctx.disdukcapil.head.clone();
            ctx.number = Some("470/745/Dukcapil-C/2018".into());
            ctx.date = later(90);
            ctx.subject = "Berita Acara Proof of Concept".into();
            ctx.tembusan = vec![ctx.region.head_title.clone()];
            ctx.extra = extra(json!({
                "tempat": format!("Kantor {}", ctx.disdukcapil.name),
                "nomor_pks": n_pks1,
                "nomor_laporan_uji_beban": "420/1460/Disdikbud-A/2018",
                "hasil_poc": [
                    {"skenario": "Pencarian data berdasarkan NIK", "hasil": "Berhasil"},
                    {"skenario": "Pemadanan nama dan tanggal lahir", "hasil": "Berhasil"},
                    {"skenario": "Akses dari alamat IP tidak terdaftar", "hasil": "Ditolak (sesuai harapan)"},
                    {"skenario": "Pencatatan log akses", "hasil": "Tercatat lengkap"}
                ],
                "kesimpulan": "berhasil"
            }));
        }
        "laporan_evaluasi" => {
            ctx.issuer = c.disdukcapil_issuer.clone();
            ctx.signatory = ctx.disdukcapil.head.clone();
            ctx.number = Some(n_eval.into());
            ctx.date = later(240);
            ctx.subject =
                "Laporan Hasil Monitoring dan Evaluasi Pemanfaatan Data Kependudukan".into();
            ctx.addressee = Addressee {
                title: ctx.region.head_title.clone(),
                via: None,
                place: c.head_issuer.city.clone(),
            };
            ctx.attachment = "-".into();
            ctx.tembusan = vec![
                "Direktur Jenderal Kependudukan dan Pencatatan Sipil Kementerian Dalam Negeri di Jakarta".into(),
                ctx.agency.head.position.clone(),
            ];
            ctx.extra = extra(json!({
                "nomor_pks": n_pks1,
                "jenis_evaluasi": "Semester II Tahun 2018",
                "periode": "1 Juli 2018 sampai dengan 31 Desember 2018",
                "jumlah_akses": 48215,
                "jumlah_user": 2,
                "status_laporan": "disampaikan tepat waktu",
                "status_data_balikan": "telah disampaikan untuk 12.430 peserta didik",
                "hasil": "memenuhi dengan catatan",
                "temuan": [
                    "Pemanfaatan data sesuai dengan tujuan dalam Perjanjian Kerja Sama.",
                    "Terdapat 3 (tiga) hari dengan jumlah akses melebihi kuota harian pada masa penerimaan peserta didik baru."
                ],
                "rekomendasi": [
                    "Pengaturan jadwal verifikasi agar jumlah akses tidak melebihi kuota harian.",
                    "Penggantian kata sandi seluruh user ID pada awal semester berikutnya."
                ]
            }));
        }
        "surat_jawaban_data_agregat" => {
            ctx.issuer = c.disdukcapil_issuer.clone();
            ctx.signatory = ctx.disdukcapil.head.clone();
            ctx.number = Some(n_user.into());
            ctx.date = later(7);
            ctx.subject = "Penyampaian Data Agregat Kependudukan".into();
            ctx.addressee = to_agency;
            ctx.attachment = "-".into();
            ctx.purpose = "perencanaan kebutuhan daya tampung sekolah".into();
            ctx.access_method = None;
            ctx.data_balikan = Vec::new();
            ctx.tembusan = vec![ctx.region.head_title.clone()];
            ctx.extra = extra(json!({
                "nomor_surat_permohonan": n_permohonan,
                "tanggal_surat_permohonan": d,
                "semester_dkb": "I Tahun 2018",
                "data_agregat": [
                    {"uraian": "Penduduk usia 7–12 tahun", "jumlah": 61240},
                    {"uraian": "Penduduk usia 13–15 tahun", "jumlah": 29875},
                    {"uraian": "Penduduk usia 16–18 tahun", "jumlah": 28410},
                    {"uraian": "Jumlah penduduk seluruhnya", "jumlah": 665280}
                ]
            }));
        }
        _ => return None,
    }
    Some(ctx)
}
