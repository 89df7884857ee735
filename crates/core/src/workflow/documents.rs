//! The letters and documents a workflow may name, their titles, and who may file each.

use crate::actor::Role;
use serde::Serialize;

/// The letters Sepakat can produce: each is a template under `templates/letters/`.
pub const LETTERS: &[(&str, &str)] = &[
    (
        "surat_permohonan",
        "Surat permohonan pemanfaatan data kependudukan",
    ),
    (
        "surat_persetujuan_gubernur",
        "Surat Gubernur/Sekda kepada Dirjen Dukcapil",
    ),
    ("surat_izin_kepala_daerah", "Surat izin Bupati/Wali Kota"),
    ("pks", "Perjanjian Kerja Sama"),
    ("adendum_pks", "Adendum Perjanjian Kerja Sama"),
    (
        "berita_acara_konsultasi_pks",
        "Berita acara konsultasi draf PKS dengan Disdukcapil Provinsi",
    ),
    ("juknis", "Petunjuk teknis"),
    ("surat_spesifikasi_teknis", "Penyampaian spesifikasi teknis"),
    (
        "surat_pernyataan_jaringan",
        "Surat pernyataan jaringan tertutup dan aman",
    ),
    ("permohonan_user_id_uji", "Permohonan user ID uji coba"),
    ("laporan_uji_beban", "Laporan uji beban (stress test)"),
    ("berita_acara_poc", "Berita acara proof of concept"),
    ("permohonan_user_id_produksi", "Permohonan user ID produksi"),
    ("laporan_evaluasi", "Laporan evaluasi semester"),
    (
        "surat_pengakhiran_pks",
        "Surat pemberitahuan pengakhiran Perjanjian Kerja Sama",
    ),
    (
        "surat_jawaban_data_agregat",
        "Surat jawaban permohonan data agregat",
    ),
];

/// The letters the agency issues on its own letterhead: numbered in the agency's register
/// (`letter::register_of` says whose register numbers each letter).
pub use crate::letter::AGENCY_LETTERS;

pub fn issued_by_agency(letter: &str) -> bool {
    AGENCY_LETTERS.contains(&letter)
}

/// Documents that are uploaded rather than generated.
pub const DOCUMENTS: &[(&str, &str)] = &[
    ("persetujuan_dirjen", "Surat persetujuan Dirjen Dukcapil"),
    ("penolakan_dirjen", "Surat penolakan Dirjen Dukcapil"),
    (
        "persetujuan_menteri",
        "Persetujuan Menteri untuk elemen data yang dilindungi",
    ),
    (
        "spesifikasi_teknis",
        "Dokumen spesifikasi teknis lembaga pengguna",
    ),
    (
        "pernyataan_jaringan",
        "Surat pernyataan jaringan tertutup yang ditandatangani",
    ),
    ("laporan_uji_beban", "Laporan hasil uji beban"),
    (
        "berita_acara_poc",
        "Berita acara proof of concept yang ditandatangani",
    ),
    ("akta_badan_hukum", "Akta pendirian dan izin badan hukum"),
    ("laporan_semester", "Laporan semester lembaga pengguna"),
];

pub fn letter_title(name: &str) -> Option<&'static str> {
    LETTERS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

pub fn document_title(kind: &str) -> Option<&'static str> {
    DOCUMENTS.iter().find(|(n, _)| *n == kind).map(|(_, t)| *t)
}

/// The uploaded documents the core itself asks for in an individual-data workflow, whatever its
/// transitions require: the signed closed-network statement (the attestation rests on it), the
/// Minister's approval (protected elements) and the semester report (an evaluation pass). Such
/// a workflow must say who files each of them.
pub const CORE_DOCUMENTS: &[&str] = &[
    "pernyataan_jaringan",
    "persetujuan_menteri",
    "laporan_semester",
];

/// Who files what in a workflow version registered before files declared it (`[documents]`):
/// the rule the shipped files declare, so applications pinned to an older version are held to
/// it too. A file read from `workflows/` must declare its own table; this is only the meaning
/// of stored versions without one ([`Workflow::from_stored_toml`]).
pub(super) const LEGACY_FILERS: &[(&str, &[Role])] = &[
    ("persetujuan_dirjen", &[Role::Central, Role::Coordinator]),
    ("penolakan_dirjen", &[Role::Central, Role::Coordinator]),
    ("persetujuan_menteri", &[Role::Central, Role::Coordinator]),
    ("spesifikasi_teknis", &[Role::AgencyHead, Role::Coordinator]),
    (
        "pernyataan_jaringan",
        &[Role::AgencyHead, Role::Coordinator],
    ),
    ("laporan_uji_beban", &[Role::AgencyHead, Role::Coordinator]),
    ("berita_acara_poc", &[Role::Coordinator, Role::AgencyHead]),
    ("akta_badan_hukum", &[Role::AgencyHead, Role::Coordinator]),
    ("laporan_semester", &[Role::AgencyHead, Role::Coordinator]),
];

/// Who files the signed scan of each letter (`signed:<letter>`) in a stored version whose
/// `[documents]` does not say: the rule the shipped files declare. The party that signs or sends
/// a letter files its scan: the agency its own letters; the office the letters it signs and the
/// ones the regional head sends it (the applicant never files the Governor's or the Bupati's
/// letter); Ditjen, too, the requests addressed to it.
pub(super) const LEGACY_SIGNED_FILERS: &[(&str, &[Role])] = &[
    ("surat_permohonan", &[Role::AgencyHead, Role::Coordinator]),
    ("surat_persetujuan_gubernur", &[Role::Coordinator]),
    ("surat_izin_kepala_daerah", &[Role::Coordinator]),
    ("pks", &[Role::Coordinator, Role::AgencyHead]),
    ("adendum_pks", &[Role::Coordinator, Role::AgencyHead]),
    ("surat_pengakhiran_pks", &[Role::Coordinator]),
    ("berita_acara_konsultasi_pks", &[Role::Coordinator]),
    ("juknis", &[Role::Coordinator, Role::AgencyHead]),
    (
        "surat_spesifikasi_teknis",
        &[Role::AgencyHead, Role::Coordinator],
    ),
    (
        "surat_pernyataan_jaringan",
        &[Role::AgencyHead, Role::Coordinator],
    ),
    (
        "permohonan_user_id_uji",
        &[Role::Coordinator, Role::Central],
    ),
    ("laporan_uji_beban", &[Role::AgencyHead, Role::Coordinator]),
    ("berita_acara_poc", &[Role::Coordinator, Role::AgencyHead]),
    (
        "permohonan_user_id_produksi",
        &[Role::Coordinator, Role::Central],
    ),
    ("laporan_evaluasi", &[Role::Coordinator, Role::Central]),
    ("surat_jawaban_data_agregat", &[Role::Coordinator]),
];

/// The title of a document key for messages: an uploaded kind's, or for `signed:<letter>` the
/// signed scan of that letter.
pub fn filing_title(key: &str) -> Option<String> {
    match key.strip_prefix("signed:") {
        Some(letter) => letter_title(letter).map(|t| format!("Pindaian bertanda tangan {t}")),
        None => document_title(key).map(str::to_string),
    }
}

/// Why a role may not file a document of some kind ([`Workflow::may_file`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum FilingRefusal {
    /// The workflow lets other roles file this kind: the party that signs it, or the office
    /// that receives it. A 403.
    #[error("only {} may file `{kind}`; role {role} may not", roles_en(.filers))]
    NotFiler {
        kind: String,
        role: Role,
        filers: Vec<Role>,
    },
    /// The workflow takes no document of this kind.
    #[error("the workflow takes no `{kind}` document")]
    NotInWorkflow { kind: String, accepted: Vec<String> },
    /// Not an uploaded document kind at all.
    #[error("unknown document kind `{kind}`")]
    UnknownKind { kind: String },
}

fn roles_en(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn roles_id(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.name_id())
        .collect::<Vec<_>>()
        .join(", ")
}

impl FilingRefusal {
    /// True when the actor's role is the reason (a 403), not the document asked for (a 422).
    pub fn is_permission(&self) -> bool {
        matches!(self, FilingRefusal::NotFiler { .. })
    }

    /// Formal Indonesian.
    pub fn message_id(&self) -> String {
        match self {
            FilingRefusal::NotFiler { kind, role, filers } => format!(
                "{} hanya dapat diunggah oleh {}; peran {} tidak berwenang mengunggahnya.",
                filing_title(kind).unwrap_or_else(|| kind.clone()),
                roles_id(filers),
                role.name_id()
            ),
            FilingRefusal::NotInWorkflow { kind, accepted } => format!(
                "{} tidak digunakan pada alur ini; dokumen yang dapat diunggah: {}.",
                filing_title(kind).unwrap_or_else(|| kind.clone()),
                if accepted.is_empty() {
                    "tidak ada".to_string()
                } else {
                    accepted.join(", ")
                }
            ),
            FilingRefusal::UnknownKind { kind } => {
                format!("Jenis dokumen `{kind}` tidak dikenal.")
            }
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            FilingRefusal::NotFiler { kind, role, filers } => format!(
                "Only {} may file the document `{kind}`; role {role} may not.",
                roles_en(filers)
            ),
            FilingRefusal::NotInWorkflow { kind, accepted } => format!(
                "This workflow takes no `{kind}` document; it takes: {}.",
                if accepted.is_empty() {
                    "none".to_string()
                } else {
                    accepted.join(", ")
                }
            ),
            FilingRefusal::UnknownKind { kind } => format!("Unknown document kind `{kind}`."),
        }
    }
}
