//! `sepakat demo`: fills an empty database with the picture the field reports paint.
//!
//! Kalimantan Selatan (April 2021): the provincial Disdukcapil with DPMPTSP and Disnakertrans,
//! whose access was approved but who have no user ID because their network is not attested.
//! Kota Pontianak (May 2018): the city Disdukcapil with the Dinas Pendidikan dan Kebudayaan and
//! the DPMPTSP, whose PKS drafts were consulted with the Kalimantan Barat province and signed.
//! More agencies sit at every other stage, and some evaluations are overdue.

mod directory;
mod kalimantan_selatan;
mod kota_pontianak;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Duration, Utc};
use sepakat_core::application::{AttestationDetails, ConnectionType};
use sepakat_core::letter::{
    LetterInputs, PocResult, SignatoryInput, SignatoryKind, TeamMember, TestResult, UserLine,
};
use sepakat_core::pks::{ArticleComment, Paragraph, PksInput};
use sepakat_core::request::{AccessMethod, DataType, PurposeKind, RequestedElement};
use sepakat_core::{Command, ElementCode, Request, Role};
use sepakat_store::{NewAccount, NewAgency, NewApplication, NewDocument, NewOffice, Store};
use sepakat_web::api::pks;
use sepakat_web::blobs::BlobStore;
use sepakat_web::security::hash_password;
use std::collections::BTreeMap;
use uuid::Uuid;

/// The accounts the demo creates, printed for a newcomer to sign in with.
pub struct DemoAccount {
    pub email: &'static str,
    pub password: &'static str,
    pub role: Role,
    pub who: String,
}

struct Demo<'a> {
    store: &'a Store,
    blobs: BlobStore,
    accounts: BTreeMap<&'static str, Uuid>,
    now: DateTime<Utc>,
}

/// One step of a walk: who does what.
enum Step {
    Attach(&'static str, &'static str),
    /// Issue (number) a letter before it is signed, with the facts it needs.
    Issue(&'static str, &'static str),
    Act(&'static str, &'static str),
    Attest(&'static str),
    /// The reviewer returns the PKS draft with a comment on one article.
    ReturnPks(&'static str, u32, &'static str),
    /// The coordinator submits a revised draft: a paragraph added to one article.
    RevisePks(&'static str, u32, &'static str),
}

use Step::{Act, Attach, Attest, Issue, ReturnPks, RevisePks};

const HEAD: &str = "head";
const COORD: &str = "coord";
const COORD2: &str = "coord2";
const REVIEWER: &str = "reviewer";
const CENTRAL: &str = "central";

/// The pipeline from request to live access, step by step. The two paths differ only in the
/// regional head's letter (Governor/Sekda or Bupati/Wali Kota) and in who reviews the PKS draft
/// (a second provincial coordinator, or the provincial reviewer).
fn script(provincial: bool) -> Vec<Step> {
    let (forward, head_letter, signed_head_letter, record) = if provincial {
        (
            "teruskan_ke_gubernur",
            "surat_persetujuan_gubernur",
            "signed:surat_persetujuan_gubernur",
            "catat_surat_gubernur",
        )
    } else {
        (
            "teruskan_ke_kepala_daerah",
            "surat_izin_kepala_daerah",
            "signed:surat_izin_kepala_daerah",
            "catat_izin_kepala_daerah",
        )
    };
    let reviewer = if provincial { COORD2 } else { REVIEWER };
    // Kota Pontianak's drafts were discussed article by article with the province: the first
    // draft comes back with a comment on the confidentiality article and is revised.
    let consultation = if provincial {
        Vec::new()
    } else {
        vec![
            ReturnPks(
                REVIEWER,
                6,
                "Mohon ditambahkan kewajiban PIHAK KEDUA melaporkan dugaan kebocoran data kepada PIHAK PERTAMA.",
            ),
            RevisePks(
                COORD,
                6,
                "PIHAK KEDUA wajib melaporkan setiap dugaan kebocoran atau penyalahgunaan data kependudukan kepada PIHAK PERTAMA paling lambat 1 x 24 (satu kali dua puluh empat) jam sejak diketahui.",
            ),
        ]
    };
    let steps = vec![
        Attach(HEAD, "signed:surat_permohonan"),
        Act(COORD, forward),
        Issue(COORD, head_letter),
        Attach(COORD, signed_head_letter),
        Act(COORD, record),
        Attach(CENTRAL, "persetujuan_dirjen"),
        Act(CENTRAL, "catat_persetujuan_dirjen"),
        Act(COORD, "ajukan_draf_pks"),
    ];
    let rest = vec![
        Act(reviewer, "setujui_draf_pks"),
        Issue(COORD, "pks"),
        Attach(COORD, "signed:pks"),
        Act(COORD, "catat_pks_ditandatangani"),
        Issue(COORD, "juknis"),
        Attach(COORD, "signed:juknis"),
        Act(COORD, "catat_juknis_ditandatangani"),
        Attach(HEAD, "spesifikasi_teknis"),
        Issue(HEAD, "surat_spesifikasi_teknis"),
        Act(HEAD, "ajukan_spesifikasi_teknis"),
        Issue(HEAD, "surat_pernyataan_jaringan"),
        Attach(HEAD, "signed:surat_pernyataan_jaringan"),
        Attest(COORD),
        Act(COORD, "verifikasi_jaringan_tertutup"),
        Issue(COORD, "permohonan_user_id_uji"),
        Act(CENTRAL, "terbitkan_user_id_uji"),
        Issue(HEAD, "laporan_uji_beban"),
        Attach(HEAD, "signed:laporan_uji_beban"),
        Act(COORD, "catat_uji_beban_berhasil"),
        Issue(COORD, "berita_acara_poc"),
        Attach(COORD, "signed:berita_acara_poc"),
        Act(COORD, "catat_poc_berhasil"),
        Issue(COORD, "permohonan_user_id_produksi"),
        Act(CENTRAL, "terbitkan_user_id_produksi"),
    ];
    steps.into_iter().chain(consultation).chain(rest).collect()
}

/// The facts a person types in when issuing each letter, as an agency and an office would.
fn letter_inputs(letter: &str) -> LetterInputs {
    let team = vec![
        TeamMember {
            name: "Andi Pratama, S.Kom.".into(),
            position: "Pranata Komputer Ahli Muda".into(),
            role: "Koordinator teknis".into(),
        },
        TeamMember {
            name: "Siti Rahmawati, S.T.".into(),
            position: "Analis Sistem Informasi".into(),
            role: "Administrator aplikasi dan user ID".into(),
        },
    ];
    let ips = vec!["10.61.12.20".to_string(), "10.61.12.21".to_string()];
    let users = vec![
        UserLine {
            name: "Andi Pratama, S.Kom.".into(),
            nip: Some("198804122011011003".into()),
            position: "Pranata Komputer Ahli Muda".into(),
            ip_address: "10.61.12.20".into(),
        },
        UserLine {
            name: "Rina Marlina, A.Md.".into(),
            nip: Some("199103052015032002".into()),
            position: "Pengelola Layanan Operasional".into(),
            ip_address: "10.61.12.21".into(),
        },
    ];
    match letter {
        "surat_persetujuan_gubernur" => LetterInputs {
            signatory: Some(SignatoryInput {
                kind: SignatoryKind::RegionalSecretary,
                name: "Ir. H. Roy Rizali Anwar, M.T.".into(),
                nip: Some("196709171993031012".into()),
                rank: Some("Pembina Utama Madya (IV/d)".into()),
            }),
            ..Default::default()
        },
        "surat_izin_kepala_daerah" => LetterInputs {
            signatory: Some(SignatoryInput {
                kind: SignatoryKind::Head,
                name: "Edi Rusdi Kamtono".into(),
                nip: None,
                rank: None,
            }),
            ..Default::default()
        },
        "juknis" => LetterInputs {
            ip_addresses: ips,
            technical_team: team,
            ..Default::default()
        },
        "surat_spesifikasi_teknis" => LetterInputs {
            application_name: Some("Sistem Informasi Pelayanan Terpadu".into()),
            network: Some(ConnectionType::VpnAgencyToDisdukcapil),
            ip_addresses: ips,
            devices: vec![
                "1 (satu) unit server aplikasi".into(),
                "2 (dua) unit komputer operator".into(),
            ],
            technical_team: team,
            ..Default::default()
        },
        "surat_pernyataan_jaringan" => LetterInputs {
            network: Some(ConnectionType::VpnAgencyToDisdukcapil),
            ip_addresses: ips,
            ..Default::default()
        },
        "permohonan_user_id_uji" | "permohonan_user_id_produksi" => LetterInputs {
            users,
            ..Default::default()
        },
        "laporan_uji_beban" => LetterInputs {
            test_user_id: Some("UJI-0001".into()),
            test_date: chrono::NaiveDate::from_ymd_opt(2026, 3, 10),
            scenario: Some("100 permintaan verifikasi NIK serentak selama 30 menit".into()),
            test_results: vec![
                TestResult {
                    parameter: "Waktu tanggap rata-rata".into(),
                    target: "≤ 2 detik".into(),
                    result: "1,2 detik".into(),
                    passed: true,
                    note: None,
                },
                TestResult {
                    parameter: "Permintaan gagal".into(),
                    target: "≤ 1%".into(),
                    result: "0,2%".into(),
                    passed: true,
                    note: None,
                },
            ],
            ..Default::default()
        },
        "berita_acara_poc" => LetterInputs {
            poc_results: vec![
                PocResult {
                    scenario: "Verifikasi NIK pemohon layanan".into(),
                    result: "Data sesuai dengan database kependudukan".into(),
                    passed: true,
                },
                PocResult {
                    scenario: "Penolakan NIK yang tidak terdaftar".into(),
                    result: "Ditolak dengan pesan yang benar".into(),
                    passed: true,
                },
            ],
            ..Default::default()
        },
        _ => LetterInputs::default(),
    }
}

fn el(code: &str, why: &str) -> RequestedElement {
    RequestedElement {
        code: ElementCode::parse(code).expect("catalogue code"),
        justification: why.into(),
    }
}

fn request(
    purpose: &str,
    balikan: &str,
    method: AccessMethod,
    elements: Vec<RequestedElement>,
) -> Request {
    Request {
        purpose: purpose.into(),
        purpose_kind: PurposeKind::PublicService,
        legal_basis: "UU 24/2013 Pasal 58 dan 79; Permendagri 102/2019 jo. Permendagri 17/2023"
            .into(),
        data_type: DataType::Individual,
        elements,
        access_method: Some(method),
        data_balikan: vec![balikan.into()],
        duration_months: 24,
    }
}

fn basic_elements() -> Vec<RequestedElement> {
    vec![
        el("nik", "Memastikan identitas pemohon layanan"),
        el("nama_lengkap", "Mencocokkan nama pada berkas permohonan"),
        el("tanggal_lahir", "Memverifikasi usia pemohon"),
        el("alamat_sekarang", "Memastikan domisili pemohon"),
    ]
}

impl Demo<'_> {
    fn tick(&mut self, days: i64) -> DateTime<Utc> {
        self.now += Duration::days(days);
        self.now
    }

    fn account(&self, key: &str) -> Result<Uuid> {
        self.accounts
            .get(key)
            .copied()
            .with_context(|| format!("demo account {key} missing"))
    }

    /// A small PDF standing in for a scanned, signed document.
    fn put_pdf(&self, title: &str) -> Result<(String, i64)> {
        let body = format!("%PDF-1.4\n% Sepakat demo: {title}\n%%EOF\n");
        let sha = self
            .blobs
            .put(body.as_bytes())
            .context("writing a demo document to the blob store")?;
        Ok((sha, body.len() as i64))
    }

    /// Submits an application and walks it through the first `steps` steps of `script`.
    async fn walk(
        &mut self,
        workflow: &str,
        agency: Uuid,
        cast: &BTreeMap<&'static str, Uuid>,
        request: Request,
        script: &[Step],
        steps: usize,
    ) -> Result<Uuid> {
        let at = self.tick(1);
        let head = cast[HEAD];
        let new = NewApplication {
            id: None,
            workflow: workflow.into(),
            agency_id: agency,
            office_id: None,
            request,
        };
        let outcome = self
            .store
            .submit(new, head, at)
            .await
            .with_context(|| format!("demo submission to {workflow}"))?;
        let id = outcome.application.id;
        let mut version = outcome.application.version;
        for step in script.iter().take(steps) {
            let at = self.tick(3);
            let result = match step {
                Attach(who, key) => {
                    let (sha256, size) = self.put_pdf(key)?;
                    let doc = NewDocument {
                        key: (*key).into(),
                        filename: format!("{}.pdf", key.replace(':', "-")),
                        sha256: sha256.clone(),
                        content_type: Some("application/pdf".into()),
                        size: Some(size),
                        blob_path: Some(format!("{}/{}", &sha256[..2], sha256)),
                    };
                    self.store
                        .attach_document(id, version, doc, cast[who], at)
                        .await
                }
                Issue(who, letter) => {
                    let command = Command::IssueLetter {
                        letter: (*letter).into(),
                        inputs: Box::new(letter_inputs(letter)),
                    };
                    self.store
                        .execute(id, version, command, cast[who], at)
                        .await
                }
                Act(who, action) => {
                    let command = Command::Transition {
                        action: (*action).into(),
                        comment: Some("Sesuai berkas.".into()),
                        pks: PksInput::default(),
                        addendum: None,
                    };
                    let app = self.store.application(id).await?;
                    let command = pks::complete(self.store, &app, command).await?;
                    self.store
                        .execute(id, version, command, cast[who], at)
                        .await
                }
                ReturnPks(who, article, text) => {
                    let command = Command::Transition {
                        action: "kembalikan_draf_pks".into(),
                        comment: Some("Draf perlu diperbaiki sesuai catatan per pasal.".into()),
                        pks: PksInput {
                            articles: None,
                            comments: vec![ArticleComment {
                                article: *article,
                                text: (*text).into(),
                            }],
                        },
                        addendum: None,
                    };
                    self.store
                        .execute(id, version, command, cast[who], at)
                        .await
                }
                RevisePks(who, article, text) => {
                    let app = self.store.application(id).await?;
                    let (_, mut articles) = pks::current_draft(self.store, &app).await?;
                    let target = articles
                        .get_mut(*article as usize - 1)
                        .with_context(|| format!("the draft has no article {article}"))?;
                    target.paragraphs.push(Paragraph::text(*text));
                    let command = Command::Transition {
                        action: "ajukan_draf_pks".into(),
                        comment: Some(
                            "Draf diperbaiki sesuai catatan Disdukcapil Provinsi.".into(),
                        ),
                        pks: PksInput {
                            articles: Some(articles),
                            comments: Vec::new(),
                        },
                        addendum: None,
                    };
                    self.store
                        .execute(id, version, command, cast[who], at)
                        .await
                }
                Attest(who) => {
                    let details = AttestationDetails {
                        connection: ConnectionType::VpnAgencyToDisdukcapil,
                        provider: "Dinas Komunikasi dan Informatika".into(),
                        cost_borne_by: "Lembaga pengguna".into(),
                        technical_contact: "Tim teknis lembaga pengguna".into(),
                    };
                    self.store
                        .execute(
                            id,
                            version,
                            Command::RecordAttestation { details },
                            cast[who],
                            at,
                        )
                        .await
                }
            };
            version = result.context("demo walk step")?.application.version;
        }
        Ok(id)
    }
}

/// Creates the demo picture; refuses a database that already holds offices.
pub async fn run(store: &Store, blobs: BlobStore, now: DateTime<Utc>) -> Result<Vec<DemoAccount>> {
    if !store.offices().await?.is_empty() {
        bail!(
            "the database already holds data; `sepakat demo` only fills an empty one (use a new DATABASE_URL or delete sepakat.db)"
        );
    }
    // Start 15 months back so the live grants have evaluations due and overdue.
    let mut demo = Demo {
        store,
        blobs,
        accounts: BTreeMap::new(),
        now: now - Duration::days(460),
    };
    let offices = directory::offices(&demo).await?;
    let agencies = directory::agencies(&demo, &offices).await?;
    let printed = directory::people(&mut demo, &offices, &agencies).await?;
    let (ulin, ulin_cast) = kalimantan_selatan::walks(&mut demo, &agencies).await?;
    kota_pontianak::walks(&mut demo, &agencies).await?;
    // RSUD Ulin reports every semester: its past evaluations are on record and the next one
    // is upcoming. Kota Pontianak's DPMPTSP has not reported: the server's evaluation
    // calendar finds it overdue at its first run and suspends its user ID (the April 2021
    // story of access revoked for missing semester reports).
    demo.evaluate_every_semester(ulin, &ulin_cast, now).await?;
    Ok(printed)
}

/// Who plays each part of a walk: the agency's head and the office's coordinator, with the
/// second provincial coordinator, the provincial reviewer and Ditjen.
fn cast(demo: &Demo, head: &str, coord: &str) -> Result<BTreeMap<&'static str, Uuid>> {
    Ok(BTreeMap::from([
        (HEAD, demo.account(head)?),
        (COORD, demo.account(coord)?),
        (COORD2, demo.account("koord2_kalsel")?),
        (REVIEWER, demo.account("reviewer_kalbar")?),
        (CENTRAL, demo.account("central")?),
    ]))
}

/// Where action `name` is in `script`: a walk stops just before or after it.
fn step_index(name: &str, script: &[Step]) -> usize {
    script
        .iter()
        .position(|s| matches!(s, Act(_, a) if *a == name))
        .expect("the demo's scripts hold every action they stop at")
}

impl Demo<'_> {
    /// Opens, reports and passes each periodic evaluation of `id` that fell due before `now`.
    async fn evaluate_every_semester(
        &mut self,
        id: Uuid,
        cast: &BTreeMap<&'static str, Uuid>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        loop {
            let app = self.store.application(id).await?;
            let Some(due) = app.state.periodic_due else {
                return Ok(());
            };
            let at = |days_before: i64| {
                due.and_hms_opt(2, 0, 0)
                    .map(|t| t.and_utc() - Duration::days(days_before))
                    .unwrap_or(now)
            };
            if at(3) >= now {
                return Ok(());
            }
            let mut version = app.row.version;
            let opened = self
                .store
                .execute(id, version, Command::CheckEvaluations, cast[COORD], at(14))
                .await
                .context("demo evaluation calendar")?;
            version = opened.application.version;
            let (sha256, size) = self.put_pdf("laporan_semester")?;
            let doc = NewDocument {
                key: "laporan_semester".into(),
                filename: "laporan-semester.pdf".into(),
                sha256: sha256.clone(),
                content_type: Some("application/pdf".into()),
                size: Some(size),
                blob_path: Some(format!("{}/{}", &sha256[..2], sha256)),
            };
            version = self
                .store
                .attach_document(id, version, doc, cast[HEAD], at(5))
                .await
                .context("demo semester report")?
                .application
                .version;
            self.store
                .execute(
                    id,
                    version,
                    Command::RecordEvaluation {
                        kind: sepakat_core::EvaluationKind::Periodic,
                        due_on: due,
                        outcome: sepakat_core::EvaluationOutcome::Pass,
                        findings: "Pemanfaatan data sesuai PKS; laporan semester dan data balikan nomor rekam medis telah disampaikan.".into(),
                        data_balikan_met: true,
                        access_count: Some(18_240),
                    },
                    cast[COORD],
                    at(3),
                )
                .await
                .context("demo evaluation outcome")?;
        }
    }
}
