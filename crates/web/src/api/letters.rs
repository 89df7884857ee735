//! The letters of an application: the context each letter is rendered from (built from the
//! store's data), the preview and archive endpoints, and the function the CLI renders with.
//!
//! A letter the application has been numbered for carries its number and date; any other letter
//! of the application's workflow renders as a draft (no number, today's date in the office's
//! time zone). Facts that Sepakat does not hold (IP addresses, test results, the names of elected
//! heads) print as dotted lines to be filled in by hand, never as invented values.

use crate::AppState;
use crate::api::{parse_id, visible};
use crate::auth::{Caller, store_err};
use crate::problem::{ApiError, ProblemItem};
use crate::views::LetterView;
use actix_web::{HttpResponse, web};
use chrono::{Datelike, NaiveDate, Utc};
use sepakat_core::Role;
use sepakat_letters::{
    Addressee, Issuer, LetterContext, LetterError, Letters, Official, Party, Region,
    default_recitals,
};
use sepakat_store::{Letter, Office, Store, StoreError};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::OnceLock;
use utoipa::IntoParams;
use uuid::Uuid;

pub use sepakat_letters::Format;

/// What a form leaves for the hand to fill in.
const BLANK: &str = "………………………………";
/// How a reference to a letter that has no number yet reads.
const UNNUMBERED: &str = "(belum bernomor)";
const DITJEN: &str = "Direktur Jenderal Kependudukan dan Pencatatan Sipil Kementerian Dalam Negeri";

/// Mounted in `/api/v1` by `api::scope`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/applications/{id}/letters/{letter}",
        web::get().to(preview),
    )
    .route(
        "/applications/{id}/letters/{letter}/archive",
        web::post().to(archive),
    )
    .route(
        "/applications/{id}/letters/{letter}/archive",
        web::get().to(archived),
    );
}

/// Why a letter cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum LetterBuildError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("`{name}` is not a letter of workflow {workflow}; its letters: {known}")]
    NotInWorkflow {
        name: String,
        workflow: String,
        known: String,
    },
    #[error(transparent)]
    Render(#[from] LetterError),
    #[error("application {application} has no issued letter {issue} of kind `{letter}`")]
    NoSuchIssue {
        application: Uuid,
        letter: String,
        issue: Uuid,
    },
}

static LETTERS: OnceLock<Letters> = OnceLock::new();

/// Loads the letter templates once per process: the embedded ones, overridden by the files of
/// `dir` (the operator's `templates/letters/`) when that folder exists.
pub fn init_letters(dir: &std::path::Path) -> Result<(), LetterError> {
    if LETTERS.get().is_none() {
        let built = if dir.is_dir() {
            Letters::with_overrides(dir)?
        } else {
            Letters::new()?
        };
        let _ = LETTERS.set(built);
    }
    Ok(())
}

/// The templates (the embedded ones when the server did not load any).
pub fn letters() -> Result<&'static Letters, LetterError> {
    if let Some(l) = LETTERS.get() {
        return Ok(l);
    }
    let built = Letters::new()?;
    Ok(LETTERS.get_or_init(|| built))
}

/// A context and the numbered letter row it was built for, if any.
pub struct BuiltLetter {
    pub context: LetterContext,
    pub row: Option<Letter>,
}

/// The region an office name ends with: `… Kota Pontianak` → `Kota Pontianak`.
pub(crate) fn region_of(name: &str) -> Option<String> {
    ["Kabupaten ", "Kota ", "Provinsi "]
        .iter()
        .filter_map(|k| name.rfind(k))
        .min()
        .map(|i| name[i..].trim().to_string())
}

pub(crate) fn head_title(region: &str) -> String {
    if let Some(rest) = region.strip_prefix("Provinsi ") {
        format!("Gubernur {rest}")
    } else if let Some(rest) = region.strip_prefix("Kabupaten ") {
        format!("Bupati {rest}")
    } else if let Some(rest) = region.strip_prefix("Kota ") {
        format!("Wali Kota {rest}")
    } else {
        format!("Kepala Daerah {region}")
    }
}

/// The letterhead of an office or agency: the government, then the office without its region.
fn kop(name: &str, fallback_region: &str) -> Vec<String> {
    match region_of(name) {
        Some(region) => {
            let office = name[..name.len() - region.len()]
                .trim()
                .trim_end_matches(',');
            vec![
                format!("PEMERINTAH {}", region.to_uppercase()),
                office.to_uppercase(),
            ]
        }
        None => vec![
            format!("PEMERINTAH {}", fallback_region.to_uppercase()),
            name.to_uppercase(),
        ],
    }
}

fn office_issuer(office: &Office, region: &str) -> Issuer {
    Issuer {
        name: office.name.clone(),
        kop: kop(&office.name, region),
        address: office.address.clone(),
        city: office.place_name.clone(),
    }
}

fn blank_official(position: String, on_behalf_of: Option<String>) -> Official {
    Official {
        name: BLANK.into(),
        position,
        nip: None,
        rank: None,
        on_behalf_of,
    }
}

/// The official an account signs as; `head` is the full title of the office they sign for
/// ("Kepala Dinas … Kota Pontianak"). A position that is the start of that title ("Kepala
/// Dinas Kependudukan dan Pencatatan Sipil") is the head and signs with the full title; any
/// other position signs on the head's behalf (`a.n. Kepala Dinas …`).
fn account_official(a: &sepakat_store::Account, head: &str) -> Official {
    let raw = a.position.as_deref().unwrap_or("").trim();
    let is_head = a.heads_office || head.starts_with(raw);
    Official {
        name: a.name.clone(),
        position: if is_head { head } else { raw }.to_string(),
        nip: a.nip.clone(),
        rank: None,
        on_behalf_of: (!is_head).then(|| head.to_string()),
    }
}

/// The title an agency head signs with: the full title when the account holds its start
/// ("Kepala Dinas"), the position itself when it names the agency, else the position followed
/// by the agency ("Direktur" → "Direktur RSUD Ulin Banjarmasin").
fn agency_head_position(position: Option<&str>, agency: &str) -> String {
    let full = format!("Kepala {agency}");
    let raw = position.unwrap_or("").trim();
    if full.starts_with(raw) {
        full
    } else if raw.contains(agency) {
        raw.to_string()
    } else {
        format!("{raw} {agency}")
    }
}

fn connection_name(code: &str) -> String {
    match code {
        "vpn_agency_to_disdukcapil" => {
            "Virtual Private Network (VPN) dari lembaga pengguna ke Dinas Kependudukan dan Pencatatan Sipil".into()
        }
        "lan" => "jaringan lokal (LAN) dalam satu gedung".into(),
        "vpn_disdukcapil_to_central" => {
            "Virtual Private Network (VPN) Dinas Kependudukan dan Pencatatan Sipil ke pusat data Direktorat Jenderal Kependudukan dan Pencatatan Sipil".into()
        }
        other => other.replace('_', " "),
    }
}

/// Builds the context of `letter` for application `id` from the store; `today` dates a draft.
/// `issue` picks one numbered letter of that kind (an earlier evaluation report, say); without
/// it the latest is built, or a draft when none was numbered.
pub async fn build_context(
    store: &Store,
    id: Uuid,
    letter: &str,
    issue: Option<Uuid>,
    today: NaiveDate,
) -> Result<BuiltLetter, LetterBuildError> {
    let app = store.application(id).await?;
    let wf = store
        .workflow(&app.row.workflow_name, &app.row.workflow_hash)
        .await?;
    let known: Vec<&str> = wf.letters();
    if !known.contains(&letter) {
        return Err(LetterBuildError::NotInWorkflow {
            name: letter.into(),
            workflow: app.row.workflow_name.clone(),
            known: known.join(", "),
        });
    }
    let office = store.office(app.row.office_id).await?;
    let agency_row = store.agency(app.row.agency_id).await?;
    let offices = store.offices().await?;
    let accounts = store.accounts().await?;
    let rows = store.application_letters(id).await?;
    let attestations = store.application_detail(id).await?.attestations;
    let grants = store.application_grants(id).await?;
    let latest = |name: &str| rows.iter().rev().find(|r| r.letter == name).cloned();
    let row = match issue {
        None => latest(letter),
        Some(issue) => Some(
            rows.iter()
                .find(|r| r.id == issue && r.letter == letter)
                .cloned()
                .ok_or_else(|| LetterBuildError::NoSuchIssue {
                    application: id,
                    letter: letter.into(),
                    issue,
                })?,
        ),
    };
    let number_of = |name: &str| {
        latest(name)
            .map(|r| r.printed_number().to_string())
            .unwrap_or_else(|| UNNUMBERED.to_string())
    };
    let date = row.as_ref().map(|r| r.issued_on).unwrap_or(today);
    let date_of = |name: &str| latest(name).map(|r| r.issued_on).unwrap_or(date);

    let is_province = office.kind == "province";
    let region_name = region_of(&office.name).unwrap_or_else(|| office.place_name.clone());
    let provincial_office = offices
        .iter()
        .find(|o| o.kind == "province" && o.province_code == office.province_code);
    let province = provincial_office
        .and_then(|o| region_of(&o.name))
        .unwrap_or_else(|| region_name.clone());
    let province = province
        .strip_prefix("Provinsi ")
        .unwrap_or(&province)
        .to_string();
    let region = Region {
        name: region_name.clone(),
        head_title: head_title(&region_name),
        province: province.clone(),
    };

    let disdukcapil_head_title = format!("Kepala {}", office.name);
    // The head of office signs for Disdukcapil; without one on record, a coordinator does.
    let of_office = |a: &&sepakat_store::Account| {
        a.active && a.role == Role::Coordinator.as_str() && a.office_id == Some(office.id)
    };
    let coordinator = accounts
        .iter()
        .filter(of_office)
        .find(|a| a.heads_office)
        .or_else(|| accounts.iter().find(of_office));
    let disdukcapil = Party {
        name: office.name.clone(),
        address: office.address.clone(),
        head: coordinator
            .map(|a| account_official(a, &disdukcapil_head_title))
            .unwrap_or_else(|| blank_official(disdukcapil_head_title.clone(), None)),
    };
    let agency_head_title = format!("Kepala {}", agency_row.name);
    let agency_head = accounts.iter().find(|a| {
        a.active && a.role == Role::AgencyHead.as_str() && a.agency_id == Some(agency_row.id)
    });
    let agency = Party {
        name: agency_row.name.clone(),
        address: if agency_row.address.trim().is_empty() {
            office.place_name.clone()
        } else {
            agency_row.address.clone()
        },
        head: agency_head
            .map(|a| Official {
                name: a.name.clone(),
                position: agency_head_position(a.position.as_deref(), &agency_row.name),
                nip: a.nip.clone(),
                rank: None,
                on_behalf_of: None,
            })
            .unwrap_or_else(|| blank_official(agency_head_title.clone(), None)),
    };
    let agency_issuer = Issuer {
        name: agency.name.clone(),
        kop: kop(&agency.name, &region_name),
        address: agency.address.clone(),
        city: office.place_name.clone(),
    };
    let disdukcapil_issuer = office_issuer(&office, &region_name);
    let head_issuer = Issuer {
        name: region.head_title.clone(),
        kop: vec![region.head_title.to_uppercase()],
        address: office.place_name.clone(),
        city: office.place_name.clone(),
    };
    let to_disdukcapil = Addressee {
        title: disdukcapil
            .head
            .on_behalf_of
            .clone()
            .unwrap_or_else(|| disdukcapil_head_title.clone()),
        via: None,
        place: office.place_name.clone(),
    };
    let to_agency = Addressee {
        title: agency.head.position.clone(),
        via: None,
        place: office.place_name.clone(),
    };
    let to_dirjen = Addressee {
        title: DITJEN.into(),
        via: None,
        place: "Jakarta".into(),
    };
    // Copies: a kab/kota letter to the city's and the provincial Disdukcapil; a provincial one
    // to Ditjen Dukcapil.
    let default_tembusan = if is_province {
        vec![format!("{DITJEN} di Jakarta")]
    } else {
        let mut t = vec![disdukcapil_head_title.clone()];
        if let Some(p) = provincial_office {
            t.push(format!("Kepala {}", p.name));
        }
        t
    };
    let parties = crate::api::pks::parties(&office, &agency_row);
    let request = &app.state.request;

    let mut ctx = LetterContext {
        issuer: agency_issuer.clone(),
        number: row.as_ref().map(|r| r.printed_number().to_string()),
        // The other party numbers its copy itself; Sepakat does not hold that number, so a
        // numbered two-party document leaves it to be written in.
        counterpart_number: row.as_ref().map(|_| BLANK.to_string()),
        date,
        nature: "Biasa".into(),
        attachment: "-".into(),
        subject: sepakat_core::workflow::letter_title(letter)
            .unwrap_or(letter)
            .to_string(),
        addressee: to_disdukcapil.clone(),
        signatory: agency.head.clone(),
        disdukcapil: disdukcapil.clone(),
        agency: agency.clone(),
        region: region.clone(),
        purpose: String::new(),
        legal_basis: String::new(),
        elements: Vec::new(),
        access_method: None,
        data_balikan: Vec::new(),
        duration_months: 0,
        daily_quota: Some(parties.daily_quota),
        recitals: Vec::new(),
        articles: Vec::new(),
        tembusan: default_tembusan.clone(),
        extra: BTreeMap::new(),
    };
    ctx.apply_request(request);

    let attestation = attestations.iter().rev().find(|a| a.withdrawn_at.is_none());
    let ips = json!([BLANK]);
    let mut team = Vec::new();
    if let Some(a) = attestation {
        team.push(json!({"nama": a.technical_contact, "jabatan": agency.name, "peran": "Kontak teknis lembaga pengguna"}));
    }
    if let Some(c) = coordinator {
        team.push(json!({
            "nama": c.name,
            "jabatan": format!("{}, {}", c.position.clone().unwrap_or_default(), office.name),
            "peran": "Pendamping teknis PIHAK PERTAMA"
        }));
    }
    if team.is_empty() {
        team.push(json!({"nama": BLANK, "jabatan": BLANK, "peran": BLANK}));
    }
    let jaringan = attestation
        .map(|a| connection_name(&a.connection))
        .unwrap_or_else(|| BLANK.into());
    let users = json!([{"nama": BLANK, "nip": BLANK, "jabatan": BLANK, "alamat_ip": BLANK}]);
    let pks_refs = json!({
        "nomor_pks": number_of("pks"),
        "tanggal_pks": app.state.pks.signed_on.unwrap_or_else(|| date_of("pks")),
    });
    let mut extra: BTreeMap<String, Value> = BTreeMap::new();
    let mut put = |pairs: Value| {
        if let Value::Object(map) = pairs {
            extra.extend(map);
        }
    };

    match letter {
        "surat_permohonan" => {
            ctx.nature = "Segera".into();
            ctx.attachment = "1 (satu) berkas".into();
            ctx.subject = "Permohonan Pemanfaatan Data Kependudukan".into();
            ctx.addressee = Addressee {
                title: region.head_title.clone(),
                via: Some(disdukcapil_head_title.clone()),
                place: office.place_name.clone(),
            };
        }
        "surat_persetujuan_gubernur" | "surat_izin_kepala_daerah" => {
            ctx.issuer = head_issuer.clone();
            put(json!({
                "nomor_surat_permohonan": number_of("surat_permohonan"),
                "tanggal_surat_permohonan": date_of("surat_permohonan"),
            }));
            if letter == "surat_persetujuan_gubernur" {
                ctx.signatory =
                    blank_official("Sekretaris Daerah".into(), Some(region.head_title.clone()));
                ctx.subject = "Permohonan Persetujuan Pemberian Hak Akses Data Kependudukan".into();
                ctx.addressee = to_dirjen.clone();
                ctx.attachment = "1 (satu) berkas".into();
                ctx.tembusan = vec![agency.head.position.clone(), disdukcapil_head_title.clone()];
            } else {
                ctx.signatory = blank_official(region.head_title.clone(), None);
                ctx.subject = "Izin Pemanfaatan Data Kependudukan".into();
                ctx.addressee = to_agency.clone();
                let mut t = vec![format!("{DITJEN} di Jakarta")];
                t.extend(default_tembusan.iter().cloned());
                ctx.tembusan = t;
            }
        }
        "pks" => {
            ctx.issuer = disdukcapil_issuer.clone();
            ctx.subject = "Pemanfaatan Nomor Induk Kependudukan, Data Kependudukan dan Kartu Tanda Penduduk Elektronik".into();
            ctx.signatory = disdukcapil.head.clone();
            ctx.date = app.state.pks.signed_on.unwrap_or(date);
            ctx.recitals = default_recitals(request, &parties);
            // The text is the current draft: once approved and signed, the approved version.
            ctx.articles = crate::api::pks::current_draft(store, &app).await?.1;
            ctx.tembusan = Vec::new();
        }
        "berita_acara_konsultasi_pks" => {
            let reviewer = accounts.iter().find(|a| {
                a.active
                    && a.role == Role::ProvincialReviewer.as_str()
                    && a.province.as_deref() == Some(office.province_code.as_str())
            });
            if let Some(p) = provincial_office {
                ctx.issuer = office_issuer(p, &format!("Provinsi {province}"));
                let head = format!("Kepala {}", p.name);
                ctx.signatory = reviewer
                    .map(|a| account_official(a, &head))
                    .unwrap_or_else(|| blank_official(head.clone(), None));
                put(json!({"tempat": format!("Kantor {}", p.name)}));
            } else {
                ctx.issuer = disdukcapil_issuer.clone();
                ctx.signatory = disdukcapil.head.clone();
                put(json!({"tempat": format!("Kantor {}", office.name)}));
            }
            ctx.subject = "Pemanfaatan Nomor Induk Kependudukan, Data Kependudukan dan Kartu Tanda Penduduk Elektronik".into();
            ctx.tembusan = vec![agency.head.position.clone()];
            let pks = &app.state.pks;
            let approved = pks.current_is_approved();
            put(json!({
                "hasil": [
                    format!("Rancangan Perjanjian Kerja Sama versi ke-{} telah dibahas pasal demi pasal bersama PARA PIHAK.", pks.version.max(1)),
                    format!("Elemen data yang dimohon sebanyak {} elemen telah diperiksa kesesuaiannya dengan tujuan pemanfaatan.", request.elements.len()),
                    "Ketentuan larangan memberikan data kepada pihak lain dicantumkan dalam pasal kerahasiaan.".to_string(),
                    "Kewajiban data balikan dan laporan evaluasi setiap 6 (enam) bulan dicantumkan beserta sanksinya.".to_string(),
                ],
                "kesimpulan": if approved { "dapat ditandatangani oleh PARA PIHAK" } else { "perlu diperbaiki sebelum ditandatangani oleh PARA PIHAK" },
            }));
        }
        "juknis" => {
            ctx.issuer = disdukcapil_issuer.clone();
            ctx.subject = "Pemanfaatan Nomor Induk Kependudukan, Data Kependudukan dan Kartu Tanda Penduduk Elektronik".into();
            ctx.signatory = disdukcapil.head.clone();
            ctx.tembusan = Vec::new();
            put(pks_refs.clone());
            put(json!({
                "alamat_ip": ips,
                "jam_layanan": "hari Senin sampai dengan Jumat pukul 08.00 sampai dengan 16.00 waktu setempat",
                "tim_teknis": team,
            }));
        }
        "surat_spesifikasi_teknis" => {
            ctx.subject = "Penyampaian Spesifikasi Teknis".into();
            ctx.attachment = "1 (satu) berkas".into();
            ctx.tembusan = Vec::new();
            put(pks_refs.clone());
            put(json!({
                "nomor_juknis": number_of("juknis"),
                "tentang": "Pemanfaatan Data Kependudukan",
                "aplikasi": BLANK,
                "jaringan": jaringan,
                "alamat_ip": ips,
                "perangkat": [BLANK],
                "tim_teknis": team,
            }));
        }
        "surat_pernyataan_jaringan" => {
            ctx.subject = "Surat Pernyataan Jaringan Komunikasi Data Tertutup dan Aman".into();
            ctx.tembusan = vec![disdukcapil_head_title.clone()];
            put(json!({"jenis_jaringan": jaringan, "alamat_ip": ips}));
        }
        "permohonan_user_id_uji" | "permohonan_user_id_produksi" => {
            let production = letter == "permohonan_user_id_produksi";
            ctx.issuer = disdukcapil_issuer.clone();
            ctx.signatory = disdukcapil.head.clone();
            ctx.addressee = to_dirjen.clone();
            ctx.attachment = "1 (satu) berkas".into();
            ctx.tembusan = vec![region.head_title.clone(), agency.head.position.clone()];
            ctx.subject = format!(
                "Permohonan User ID {} bagi {}",
                if production { "Produksi" } else { "Uji Coba" },
                agency.name
            );
            put(pks_refs.clone());
            put(json!({
                "nomor_juknis": number_of("juknis"),
                "nomor_pernyataan_jaringan": number_of("surat_pernyataan_jaringan"),
                "nomor_berita_acara_poc": number_of("berita_acara_poc"),
                "tanggal_berita_acara_poc": date_of("berita_acara_poc"),
                "pengguna": users,
            }));
        }
        "laporan_uji_beban" => {
            ctx.subject = "Laporan Hasil Uji Beban (Stress Test)".into();
            ctx.tembusan = Vec::new();
            let test_grant = grants.iter().find(|g| g.kind == "test");
            put(pks_refs.clone());
            put(json!({
                "user_id_uji": test_grant.map(|g| g.id.to_string()).unwrap_or_else(|| BLANK.into()),
                "tanggal_uji": date,
                "lokasi": format!("kantor {}", agency.name),
                "skenario": BLANK,
                "hasil_uji": [{"parameter": BLANK, "target": BLANK, "hasil": BLANK, "keterangan": BLANK}],
                "kesimpulan": if row.is_some() {
                    "aplikasi dan jaringan dinyatakan siap untuk pelaksanaan proof of concept."
                } else {
                    BLANK
                },
            }));
        }
        "berita_acara_poc" => {
            ctx.issuer = disdukcapil_issuer.clone();
            ctx.signatory = disdukcapil.head.clone();
            ctx.subject = "Berita Acara Proof of Concept".into();
            ctx.tembusan = vec![region.head_title.clone()];
            put(pks_refs.clone());
            put(json!({
                "tempat": format!("Kantor {}", office.name),
                "nomor_laporan_uji_beban": number_of("laporan_uji_beban"),
                "hasil_poc": [{"skenario": BLANK, "hasil": BLANK}],
                "kesimpulan": if row.is_some() { "berhasil" } else { BLANK },
            }));
        }
        "laporan_evaluasi" => {
            ctx.issuer = disdukcapil_issuer.clone();
            ctx.signatory = disdukcapil.head.clone();
            ctx.subject =
                "Laporan Hasil Monitoring dan Evaluasi Pemanfaatan Data Kependudukan".into();
            ctx.addressee = Addressee {
                title: region.head_title.clone(),
                via: None,
                place: office.place_name.clone(),
            };
            ctx.tembusan = vec![format!("{DITJEN} di Jakarta"), agency.head.position.clone()];
            put(pks_refs.clone());
            put(evaluation_report(
                &app.state,
                wf.evaluation.interval_months,
                row.as_ref().map(|r| r.issued_at),
                grants.iter().filter(|g| g.status == "active").count(),
            ));
        }
        "surat_jawaban_data_agregat" => {
            ctx.issuer = disdukcapil_issuer.clone();
            ctx.signatory = disdukcapil.head.clone();
            ctx.subject = "Penyampaian Data Agregat Kependudukan".into();
            ctx.addressee = to_agency.clone();
            ctx.tembusan = vec![region.head_title.clone()];
            let semester = if date.month() <= 6 { "I" } else { "II" };
            // The figures themselves are not held by Sepakat: the template's table stays
            // unfilled and rendering fails loudly, naming `extra.data_agregat`.
            put(json!({
                "nomor_surat_permohonan": number_of("surat_permohonan"),
                "tanggal_surat_permohonan": date_of("surat_permohonan"),
                "semester_dkb": format!("{semester} Tahun {}", date.year()),
            }));
        }
        _ => {}
    }
    ctx.extra = extra;
    Ok(BuiltLetter { context: ctx, row })
}

/// The facts of an evaluation report. A numbered report is the evaluation whose outcome was
/// recorded with it (the same command, so the closest recording time); a draft reports the
/// earliest open evaluation. What Sepakat does not hold (the access count) stays blank.
fn evaluation_report(
    app: &sepakat_core::Application,
    interval_months: u32,
    issued_at: Option<chrono::DateTime<Utc>>,
    active_user_ids: usize,
) -> Value {
    use sepakat_core::application::{EvaluationKind, EvaluationOutcome};
    use sepakat_letters::indonesian::format_date;
    let evaluation = match issued_at {
        Some(at) => app
            .evaluations
            .iter()
            .filter_map(|e| e.result.as_ref().map(|r| (e, (r.at - at).abs())))
            .min_by_key(|(_, distance)| *distance)
            .map(|(e, _)| e),
        None => app.open_evaluations().min_by_key(|e| e.due_on),
    };
    let Some(e) = evaluation else {
        return json!({
            "jenis_evaluasi": BLANK, "periode": BLANK, "jumlah_akses": null,
            "jumlah_user": active_user_ids, "status_laporan": BLANK,
            "status_data_balikan": BLANK, "hasil": BLANK, "temuan": [BLANK], "rekomendasi": [BLANK],
        });
    };
    // The period runs from the previous evaluation (or the production user ID) to the due date.
    let previous = app
        .evaluations
        .iter()
        .filter(|p| p.due_on < e.due_on && p.result.is_some())
        .map(|p| p.due_on)
        .max()
        .or(app.evaluation_anchor);
    let since = match e.kind {
        EvaluationKind::Periodic => {
            let start = e.due_on - chrono::Months::new(interval_months);
            previous.map_or(start, |p| p.max(start))
        }
        EvaluationKind::Incidental => previous.unwrap_or(e.due_on),
    };
    let jenis = match e.kind {
        EvaluationKind::Periodic => format!(
            "Semester {} Tahun {}",
            if e.due_on.month() <= 6 { "I" } else { "II" },
            e.due_on.year()
        ),
        EvaluationKind::Incidental => match &e.reason {
            Some(reason) => format!("insidental ({reason})"),
            None => "insidental".to_string(),
        },
    };
    let periode = format!(
        "{} sampai dengan {}",
        format_date(since),
        format_date(e.due_on)
    );
    let Some(result) = &e.result else {
        return json!({
            "jenis_evaluasi": jenis, "periode": periode, "jumlah_akses": null,
            "jumlah_user": active_user_ids, "status_laporan": BLANK,
            "status_data_balikan": BLANK, "hasil": BLANK, "temuan": [BLANK], "rekomendasi": [BLANK],
        });
    };
    let temuan: Vec<String> = result
        .findings
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            sepakat_letters::indonesian::capitalize_first(l.trim_start_matches(['-', '*', ' ']))
        })
        .collect();
    let (hasil, rekomendasi) = match result.outcome {
        EvaluationOutcome::Pass => (
            "memenuhi",
            "Pemanfaatan data kependudukan dapat dilanjutkan sesuai dengan Perjanjian Kerja Sama.",
        ),
        EvaluationOutcome::PassWithFindings => (
            "memenuhi dengan catatan",
            "Pemanfaatan data kependudukan dapat dilanjutkan dengan kewajiban menindaklanjuti temuan di atas sebelum evaluasi berikutnya.",
        ),
        EvaluationOutcome::Fail => (
            "tidak memenuhi",
            "Hak akses lembaga pengguna ditangguhkan sampai dengan hasil evaluasi berikutnya dinyatakan memenuhi.",
        ),
    };
    json!({
        "jenis_evaluasi": jenis,
        "periode": periode,
        "jumlah_akses": null,
        "jumlah_user": active_user_ids,
        "status_laporan": if result.report_sha256.is_some() { "telah disampaikan" } else { "belum disampaikan" },
        "status_data_balikan": if result.data_balikan_met { "telah dipenuhi" } else { "belum dipenuhi" },
        "hasil": hasil,
        "temuan": if temuan.is_empty() { vec!["Tidak terdapat temuan.".to_string()] } else { temuan },
        "rekomendasi": [rekomendasi],
    })
}

/// Today in the office's time zone (the date a draft carries).
pub async fn office_today(store: &Store, application: Uuid) -> Result<NaiveDate, StoreError> {
    let app = store.application(application).await?;
    let office = store.office(app.row.office_id).await?;
    let now = Utc::now() + chrono::TimeDelta::minutes(i64::from(office.utc_offset_minutes));
    Ok(now.date_naive())
}

/// Renders `letter` of application `id` in `format` (the CLI's entry point).
pub async fn render(
    store: &Store,
    id: Uuid,
    letter: &str,
    format: Format,
) -> Result<Vec<u8>, LetterBuildError> {
    let today = office_today(store, id).await?;
    let built = build_context(store, id, letter, None, today).await?;
    Ok(letters()?.render(letter, &built.context, format)?)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// `html` (default) or `pdf`.
    pub format: Option<String>,
    /// The id of one issued letter of this kind (from the application's `letters`), to render
    /// an earlier one; default: the latest.
    pub issue: Option<Uuid>,
}

fn build_err(e: LetterBuildError) -> ApiError {
    match e {
        LetterBuildError::Store(e) => store_err(e),
        LetterBuildError::NotInWorkflow { .. } | LetterBuildError::NoSuchIssue { .. } => {
            ApiError::NotFound { what: "letter" }
        }
        LetterBuildError::Render(e) => render_err(e),
    }
}

fn render_err(e: LetterError) -> ApiError {
    match e {
        LetterError::UnknownLetter { .. } => ApiError::NotFound { what: "letter" },
        LetterError::MissingField { ref field, .. } => ApiError::invalid(
            e.to_string(),
            vec![ProblemItem {
                code: "letter_field_missing".into(),
                field: Some(field.clone()),
                message: format!(
                    "The letter needs `{field}`, which Sepakat does not hold for this application."
                ),
                message_id: format!(
                    "Surat memerlukan isian `{field}` yang belum tersedia untuk permohonan ini."
                ),
            }],
        ),
        other => ApiError::Internal(other.to_string()),
    }
}

async fn render_blocking(
    letter: String,
    ctx: LetterContext,
    format: Format,
) -> Result<Vec<u8>, ApiError> {
    web::block(move || -> Result<Vec<u8>, LetterError> { letters()?.render(&letter, &ctx, format) })
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(render_err)
}

/// Preview a letter of the application: a numbered letter with its number and date, any other
/// letter of its workflow as a draft without a number.
#[utoipa::path(get, path = "/api/v1/applications/{id}/letters/{letter}", tag = "letters",
    params(("id" = Uuid, Path), ("letter" = String, Path, description = "A letter of the application's workflow, e.g. `pks`"), FormatQuery),
    responses(
        (status = 200, description = "The letter as HTML (`text/html`) or PDF (`application/pdf`)"),
        (status = 400, body = crate::problem::Problem, description = "Unknown format"),
        (status = 404, body = crate::problem::Problem, description = "No such application in the caller's scope, or no such letter in its workflow"),
        (status = 422, body = crate::problem::Problem, description = "The letter needs a fact Sepakat does not hold")))]
pub async fn preview(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    query: web::Query<FormatQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, letter) = path.into_inner();
    let id = parse_id(&id)?;
    let format: Format = query
        .format
        .as_deref()
        .unwrap_or("html")
        .parse()
        .map_err(ApiError::bad_request)?;
    visible(&state, &caller, id).await?;
    let today = office_today(&state.store, id).await.map_err(store_err)?;
    let built = build_context(&state.store, id, &letter, query.issue, today)
        .await
        .map_err(build_err)?;
    let number = built.row.as_ref().map(|r| r.printed_number().to_string());
    let bytes = render_blocking(letter.clone(), built.context, format).await?;
    let mut res = HttpResponse::Ok();
    res.content_type(format.content_type()).insert_header((
        "Content-Disposition",
        format!("inline; filename=\"{letter}.{}\"", format.extension()),
    ));
    if let Some(n) = number {
        res.insert_header(("X-Letter-Number", n));
    }
    Ok(res.body(bytes))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IssueQuery {
    /// The id of one issued letter of this kind; default: the latest.
    pub issue: Option<Uuid>,
}

/// Archive a numbered letter: render it to PDF, keep the PDF in the blob store and record its
/// SHA-256 on the letter. Disdukcapil coordinators and Ditjen Dukcapil, within their scope.
#[utoipa::path(post, path = "/api/v1/applications/{id}/letters/{letter}/archive", tag = "letters",
    params(("id" = Uuid, Path), ("letter" = String, Path), IssueQuery),
    responses(
        (status = 200, body = LetterView, description = "The letter with its number and the SHA-256 of the archived PDF"),
        (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem, description = "The letter has no number yet, or needs a fact Sepakat does not hold")))]
pub async fn archive(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    query: web::Query<IssueQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, letter) = path.into_inner();
    let id = parse_id(&id)?;
    visible(&state, &caller, id).await?;
    if !matches!(caller.actor.role, Role::Coordinator | Role::Central) {
        return Err(ApiError::Forbidden {
            items: vec![ProblemItem {
                code: "role_not_allowed".into(),
                field: None,
                message: "Only a Disdukcapil coordinator or Ditjen Dukcapil archives letters."
                    .into(),
                message_id:
                    "Hanya koordinator Disdukcapil atau Ditjen Dukcapil yang mengarsipkan surat."
                        .into(),
            }],
        });
    }
    let today = office_today(&state.store, id).await.map_err(store_err)?;
    let built = build_context(&state.store, id, &letter, query.issue, today)
        .await
        .map_err(build_err)?;
    let Some(row) = built.row else {
        return Err(ApiError::invalid(
            format!(
                "Letter `{letter}` has no number yet: it is numbered when its stage produces it."
            ),
            vec![ProblemItem {
                code: "letter_not_numbered".into(),
                field: Some("letter".into()),
                message: format!("Letter `{letter}` has not been numbered yet."),
                message_id: format!("Surat `{letter}` belum bernomor."),
            }],
        ));
    };
    let pdf = render_blocking(letter.clone(), built.context, Format::Pdf).await?;
    let blobs = state.blobs.clone();
    let sha256 = web::block(move || blobs.put(&pdf))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::Internal(format!("blob store: {e}")))?;
    let updated = state
        .store
        .set_letter_document(row.id, &sha256)
        .await
        .map_err(store_err)?;
    Ok(HttpResponse::Ok().json(LetterView::from(&updated)))
}

/// Download the archived PDF of a letter.
#[utoipa::path(get, path = "/api/v1/applications/{id}/letters/{letter}/archive", tag = "letters",
    params(("id" = Uuid, Path), ("letter" = String, Path), IssueQuery),
    responses(
        (status = 200, description = "The archived PDF; `X-Content-SHA256` is its SHA-256"),
        (status = 404, body = crate::problem::Problem, description = "No such application in scope, or the letter is not archived")))]
pub async fn archived(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    query: web::Query<IssueQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, letter) = path.into_inner();
    let id = parse_id(&id)?;
    visible(&state, &caller, id).await?;
    let rows = state
        .store
        .application_letters(id)
        .await
        .map_err(store_err)?;
    let sha = rows
        .iter()
        .rev()
        .find(|r| r.letter == letter && query.issue.is_none_or(|issue| r.id == issue))
        .and_then(|r| r.document_sha256.clone())
        .ok_or(ApiError::NotFound {
            what: "archived letter",
        })?;
    let blobs = state.blobs.clone();
    let key = sha.clone();
    let bytes = web::block(move || blobs.get(&key))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::Internal(format!("blob store: {e}")))?
        .ok_or(ApiError::NotFound {
            what: "archived letter file",
        })?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{letter}.pdf\""),
        ))
        .insert_header(("X-Content-SHA256", sha))
        .body(bytes))
}
