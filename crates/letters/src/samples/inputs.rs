//! What a person types in when a sample letter is issued: the technical team, the addresses,
//! the test and proof-of-concept results, the signatory.

use super::{Scenario, letter_date};
use chrono::Days;
use sepakat_core::application::ConnectionType;
use sepakat_core::letter::{
    AggregateFigure, LetterInputs, PocResult, SignatoryInput, SignatoryKind, TeamMember,
    TestResult, UserLine,
};

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
