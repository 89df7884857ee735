//! Shared fixtures for the core's integration tests: the real workflow files and a cast of actors.
#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use sepakat_core::application::AttestationDetails;
use sepakat_core::application::ConnectionType;
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
    }
}

/// Kalimantan Selatan's provincial office (63).
pub fn province_ownership() -> Ownership {
    Ownership {
        agency_id: AGENCY,
        office_id: PROVINCE_OFFICE,
        office_region: RegionCode::parse("63").unwrap(),
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

/// A running application plus its clock: each step moves time forward by a day.
pub struct Walk {
    pub wf: Workflow,
    pub app: Application,
    pub now: DateTime<Utc>,
    pub log: Vec<Event>,
}

impl Walk {
    pub fn start(wf: Workflow, ownership: Ownership, request: Request) -> Walk {
        let (app, log) = submit(
            &wf,
            Uuid::from_u128(0xAB),
            ownership,
            request,
            &agency_head(),
            t0(),
        )
        .expect("submit");
        Walk {
            wf,
            app,
            now: t0(),
            log,
        }
    }

    pub fn try_do(&mut self, actor: &Actor, command: Command) -> Result<Vec<Event>, Rejection> {
        self.now += Duration::days(1);
        let (next, events) = execute(&self.wf, &self.app, &command, actor, self.now)?;
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
}

/// Walks a kab/kota application from request to production and returns it.
pub fn kabkota_to_production(request: Request) -> Walk {
    let coord = city_coordinator();
    let head = agency_head();
    let mut w = Walk::start(kabkota(), city_ownership(), request);
    assert_eq!(w.app.stage, "permohonan");
    w.attach(&head, "signed:surat_permohonan");
    w.act(&coord, "teruskan_ke_kepala_daerah");
    w.attach(&coord, "signed:surat_izin_kepala_daerah");
    w.act(&coord, "catat_izin_kepala_daerah");
    w.attach(&coord, "persetujuan_dirjen");
    w.act(&central(), "catat_persetujuan_dirjen");
    w.act(&coord, "ajukan_draf_pks");
    w.act(&reviewer("61"), "kembalikan_draf_pks");
    w.act(&coord, "ajukan_draf_pks");
    assert_eq!(w.app.pks.version, 2);
    w.act(&reviewer("61"), "setujui_draf_pks");
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
    w.act(&coord, "catat_pks_ditandatangani");
    w.attach(&coord, "signed:juknis");
    w.act(&coord, "catat_juknis_ditandatangani");
    w.attach(&head, "spesifikasi_teknis");
    w.act(&head, "ajukan_spesifikasi_teknis");
    w.attach(&head, "pernyataan_jaringan");
    w.try_do(
        &coord,
        Command::RecordAttestation {
            details: attestation_details(),
        },
    )
    .unwrap();
    w.act(&coord, "verifikasi_jaringan_tertutup");
    w.act(&coord, "terbitkan_user_id_uji");
    w.attach(&head, "laporan_uji_beban");
    w.act(&coord, "catat_uji_beban_berhasil");
    w.attach(&coord, "signed:berita_acara_poc");
    w.act(&coord, "catat_poc_berhasil");
    w.act(&central(), "terbitkan_user_id_produksi");
    w
}
