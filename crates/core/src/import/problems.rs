//! What can be wrong with an import file: each row's problems and the header's, with their
//! column and their messages in Indonesian and English.

use super::COLUMNS;
use crate::application::GrantKind;
use crate::calendar;
use crate::elements::ElementCode;
use crate::request::RequestProblem;
use crate::workflow::Level;
use chrono::NaiveDate;
use serde::Serialize;

/// One thing wrong with a row; a row gets all of them at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum RowProblem {
    /// A NUL character, which no database column can hold.
    NulCharacter {
        column: String,
    },
    CellCount {
        expected: usize,
        found: usize,
    },
    MissingCell {
        column: String,
    },
    UnknownOffice {
        office: String,
    },
    UnknownAgency {
        agency: String,
    },
    AmbiguousAgency {
        agency: String,
        count: usize,
    },
    UnknownWorkflow {
        workflow: String,
        known: Vec<String>,
    },
    /// An aggregate workflow has no PKS and no live access.
    NoLiveAccessStage {
        workflow: String,
    },
    WrongOfficeLevel {
        workflow: String,
        expected: Level,
    },
    BadElementEntry {
        entry: String,
    },
    UnknownElement {
        code: String,
    },
    /// A protected element with no reference to the Minister's approval.
    MissingMinisterApproval {
        codes: Vec<ElementCode>,
    },
    MinisterApprovalNotNeeded,
    BadPurposeKind {
        value: String,
    },
    BadAccessMethod {
        value: String,
    },
    BadNetwork {
        value: String,
    },
    BadDate {
        column: String,
        value: String,
    },
    DateInFuture {
        column: String,
        date: NaiveDate,
    },
    BadTerm {
        value: String,
    },
    /// The PKS's term ran out: not a live agreement.
    PksEnded {
        ends_on: NaiveDate,
    },
    BadUserIdEntry {
        entry: String,
    },
    BadUserIdKind {
        value: String,
    },
    BadUserIdStatus {
        value: String,
    },
    DuplicateUserIdKind {
        kind: GrantKind,
    },
    /// No production user ID that is active or suspended.
    NoLiveProductionId,
    /// A user ID issued before the PKS was signed.
    UserIdBeforePks {
        user_id: String,
        issued_on: NaiveDate,
        signed_on: NaiveDate,
    },
    /// The last evaluation lies before the production user ID's start.
    EvaluationBeforeProduction {
        date: NaiveDate,
        anchor: NaiveDate,
    },
    ScanMissing {
        path: String,
    },
    ScanUnreadable {
        path: String,
        why: String,
    },
    ScanNotAvailable {
        path: String,
    },
    /// Another row of the file holds the same office and PKS number.
    DuplicateAgreement {
        other_row: u64,
    },
    Request {
        request: RequestProblem,
    },
}

fn level_id(l: Level) -> &'static str {
    match l {
        Level::Provinsi => "provinsi",
        Level::Kabkota | Level::Any => "kabupaten/kota",
    }
}

fn kind_id(k: GrantKind) -> &'static str {
    match k {
        GrantKind::Test => "uji coba",
        GrantKind::Production => "produksi",
    }
}

fn kind_en(k: GrantKind) -> &'static str {
    match k {
        GrantKind::Test => "test",
        GrantKind::Production => "production",
    }
}

impl RowProblem {
    /// The column the problem belongs to (empty for the row as a whole).
    pub fn column(&self) -> &str {
        match self {
            RowProblem::CellCount { .. } | RowProblem::DuplicateAgreement { .. } => "",
            RowProblem::MissingCell { column }
            | RowProblem::NulCharacter { column }
            | RowProblem::BadDate { column, .. }
            | RowProblem::DateInFuture { column, .. } => column,
            RowProblem::UnknownOffice { .. } | RowProblem::WrongOfficeLevel { .. } => "office",
            RowProblem::UnknownAgency { .. } | RowProblem::AmbiguousAgency { .. } => "agency",
            RowProblem::UnknownWorkflow { .. } | RowProblem::NoLiveAccessStage { .. } => "workflow",
            RowProblem::BadElementEntry { .. } | RowProblem::UnknownElement { .. } => "elements",
            RowProblem::MissingMinisterApproval { .. } | RowProblem::MinisterApprovalNotNeeded => {
                "minister_approval"
            }
            RowProblem::BadPurposeKind { .. } => "purpose_kind",
            RowProblem::BadAccessMethod { .. } => "access_method",
            RowProblem::BadNetwork { .. } => "network",
            RowProblem::BadTerm { .. } => "pks_term_months",
            RowProblem::PksEnded { .. } => "pks_signed_on",
            RowProblem::BadUserIdEntry { .. }
            | RowProblem::BadUserIdKind { .. }
            | RowProblem::BadUserIdStatus { .. }
            | RowProblem::DuplicateUserIdKind { .. }
            | RowProblem::NoLiveProductionId
            | RowProblem::UserIdBeforePks { .. } => "user_ids",
            RowProblem::EvaluationBeforeProduction { .. } => "last_evaluation",
            RowProblem::ScanMissing { .. }
            | RowProblem::ScanUnreadable { .. }
            | RowProblem::ScanNotAvailable { .. } => "signed_pks_file",
            RowProblem::Request { request } => match request {
                RequestProblem::MissingPurpose => "purpose",
                RequestProblem::MissingLegalBasis => "legal_basis",
                RequestProblem::NoElements
                | RequestProblem::DuplicateElement { .. }
                | RequestProblem::MissingJustification { .. }
                | RequestProblem::ProtectedElement { .. } => "elements",
                RequestProblem::MissingDataBalikan => "data_balikan",
                RequestProblem::MissingAccessMethod
                | RequestProblem::MethodNotAllowed { .. }
                | RequestProblem::MethodForAggregate => "access_method",
                RequestProblem::WrongDataType { .. } => "workflow",
                RequestProblem::DurationOutOfRange { .. } => "pks_term_months",
            },
        }
    }

    pub fn message_id(&self) -> String {
        match self {
            RowProblem::NulCharacter { column } => format!(
                "Kolom `{column}` memuat karakter NUL; simpan ulang berkas sebagai CSV UTF-8."
            ),
            RowProblem::CellCount { expected, found } => format!(
                "Baris ini memuat {found} kolom, sedangkan kepala berkas memuat {expected} kolom; periksa pemisah (koma) dan tanda petik."
            ),
            RowProblem::MissingCell { column } => format!("Kolom `{column}` wajib diisi."),
            RowProblem::UnknownOffice { office } => format!(
                "Disdukcapil dengan kode wilayah `{office}` tidak terdaftar; gunakan kode wilayah Kemendagri yang tercantum pada `sepakat office list`."
            ),
            RowProblem::UnknownAgency { agency } => format!(
                "Lembaga pengguna `{agency}` tidak terdaftar; gunakan id atau nama persis seperti pada `sepakat agency list`, atau daftarkan lembaga tersebut terlebih dahulu."
            ),
            RowProblem::AmbiguousAgency { agency, count } => format!(
                "Terdapat {count} lembaga pengguna bernama `{agency}`; gunakan id lembaga dari `sepakat agency list`."
            ),
            RowProblem::UnknownWorkflow { workflow, known } => format!(
                "Alur `{workflow}` tidak dikenal; alur yang tersedia: {}.",
                known.join(", ")
            ),
            RowProblem::NoLiveAccessStage { workflow } => format!(
                "Alur `{workflow}` tidak memiliki tahap akses aktif (data agregat tidak memerlukan PKS); pilih alur PKS data perseorangan."
            ),
            RowProblem::WrongOfficeLevel { workflow, expected } => format!(
                "Alur `{workflow}` ditangani oleh Disdukcapil {}; sesuaikan kolom `office` atau `workflow`.",
                level_id(*expected)
            ),
            RowProblem::BadElementEntry { entry } => format!(
                "Isian elemen data `{entry}` tidak sesuai format `kode:alasan`; pisahkan setiap elemen dengan titik koma."
            ),
            RowProblem::UnknownElement { code } => format!(
                "Elemen data `{code}` tidak dikenal; gunakan kode elemen (misalnya `nik`) atau huruf Pasal 58 ayat (2) (`a` sampai `ee`)."
            ),
            RowProblem::MissingMinisterApproval { codes } => format!(
                "Elemen data {} termasuk data pribadi yang dilindungi (Pasal 84 ayat (1) UU 24/2013); nomor persetujuan Menteri wajib dicantumkan pada kolom `minister_approval`.",
                codes.iter().map(|c| c.element().name_id).collect::<Vec<_>>().join(", ")
            ),
            RowProblem::MinisterApprovalNotNeeded => {
                "Tidak ada elemen data yang dilindungi; kolom `minister_approval` harus dikosongkan.".into()
            }
            RowProblem::BadPurposeKind { value } => format!(
                "Jenis tujuan `{value}` tidak dikenal; gunakan public_service, state_security atau law_enforcement."
            ),
            RowProblem::BadAccessMethod { value } => format!(
                "Metode akses `{value}` tidak dikenal; gunakan web_portal, card_reader atau web_service."
            ),
            RowProblem::BadNetwork { value } => format!(
                "Jenis jaringan `{value}` tidak dikenal; gunakan vpn_agency_to_disdukcapil, lan atau vpn_disdukcapil_to_central."
            ),
            RowProblem::BadDate { column, value } => format!(
                "Tanggal `{value}` pada kolom `{column}` tidak dapat dibaca; gunakan format TTTT-BB-HH (2024-03-01) atau HH/BB/TTTT (01/03/2024)."
            ),
            RowProblem::DateInFuture { column, date } => format!(
                "Tanggal {date} pada kolom `{column}` belum terjadi; data yang diimpor hanya kerja sama yang telah berjalan.",
                date = calendar::date_id(*date)
            ),
            RowProblem::BadTerm { value } => format!(
                "Jangka waktu `{value}` bukan bilangan bulat jumlah bulan (misalnya 24)."
            ),
            RowProblem::PksEnded { ends_on } => format!(
                "PKS telah berakhir pada {ends_on}; hanya kerja sama yang masih berlaku yang dapat diimpor.",
                ends_on = calendar::date_id(*ends_on)
            ),
            RowProblem::BadUserIdEntry { entry } => format!(
                "Isian user ID `{entry}` tidak sesuai format `jenis:user_id:status:tanggal_terbit`; pisahkan setiap user ID dengan titik koma."
            ),
            RowProblem::BadUserIdKind { value } => format!(
                "Jenis user ID `{value}` tidak dikenal; gunakan production (produksi) atau test (uji)."
            ),
            RowProblem::BadUserIdStatus { value } => format!(
                "Status user ID `{value}` tidak dikenal; gunakan active (aktif), suspended (ditangguhkan), revoked (dicabut) atau expired (berakhir)."
            ),
            RowProblem::DuplicateUserIdKind { kind } => format!(
                "User ID {} dicantumkan lebih dari sekali; setiap kerja sama memiliki satu user ID uji coba dan satu user ID produksi.",
                kind_id(*kind)
            ),
            RowProblem::NoLiveProductionId => {
                "Tidak ada user ID produksi yang aktif atau ditangguhkan; hanya kerja sama dengan akses yang berjalan yang dapat diimpor.".into()
            }
            RowProblem::UserIdBeforePks { user_id, issued_on, signed_on } => format!(
                "User ID `{user_id}` diterbitkan pada {issued_on}, sebelum PKS ditandatangani pada {signed_on}.",
                issued_on = calendar::date_id(*issued_on),
                signed_on = calendar::date_id(*signed_on)
            ),
            RowProblem::EvaluationBeforeProduction { date, anchor } => format!(
                "Evaluasi terakhir pada {date} mendahului penerbitan user ID produksi pada {anchor}.",
                date = calendar::date_id(*date),
                anchor = calendar::date_id(*anchor)
            ),
            RowProblem::ScanMissing { path } => format!(
                "Berkas pindaian PKS `{path}` tidak ditemukan; path dihitung dari folder berkas CSV."
            ),
            RowProblem::ScanUnreadable { path, why } => {
                format!("Berkas pindaian PKS `{path}` tidak dapat dibaca: {why}.")
            }
            RowProblem::ScanNotAvailable { path } => format!(
                "Berkas pindaian PKS `{path}` tidak dapat dibaca pada unggahan ini; kosongkan kolom `signed_pks_file` atau impor melalui perintah `sepakat import agreements`."
            ),
            RowProblem::DuplicateAgreement { other_row } => format!(
                "PKS dengan nomor dan Disdukcapil yang sama juga tercantum pada baris {other_row}."
            ),
            RowProblem::Request { request } => request.message_id(),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            RowProblem::NulCharacter { column } => format!(
                "Column `{column}` holds a NUL character: save the file again as CSV UTF-8."
            ),
            RowProblem::CellCount { expected, found } => format!(
                "This row has {found} cells where the header has {expected}: check the commas and quotes."
            ),
            RowProblem::MissingCell { column } => format!("Column `{column}` is required."),
            RowProblem::UnknownOffice { office } => format!(
                "No Disdukcapil office has region code `{office}`: use a Kemendagri code listed by `sepakat office list`."
            ),
            RowProblem::UnknownAgency { agency } => format!(
                "No agency `{agency}`: give its id or its exact name as `sepakat agency list` shows it, or register it first."
            ),
            RowProblem::AmbiguousAgency { agency, count } => format!(
                "{count} agencies are named `{agency}`: give the agency's id from `sepakat agency list`."
            ),
            RowProblem::UnknownWorkflow { workflow, known } => format!(
                "Unknown workflow `{workflow}`; known: {}.",
                known.join(", ")
            ),
            RowProblem::NoLiveAccessStage { workflow } => format!(
                "Workflow `{workflow}` has no live-access stage (aggregate data needs no PKS): pick an individual-data PKS workflow."
            ),
            RowProblem::WrongOfficeLevel { workflow, expected } => format!(
                "Workflow `{workflow}` is handled by a {expected:?} Disdukcapil: fix the `office` or the `workflow` column."
            ),
            RowProblem::BadElementEntry { entry } => format!(
                "Element entry `{entry}` is not `code:justification`; separate elements with semicolons."
            ),
            RowProblem::UnknownElement { code } => format!(
                "Unknown data element `{code}`: use an element code (e.g. `nik`) or an Art. 58(2) letter (`a`..`ee`)."
            ),
            RowProblem::MissingMinisterApproval { codes } => format!(
                "Protected data elements ({}, Art. 84(1) UU 24/2013) need the reference of the Minister's approval in `minister_approval`.",
                codes.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
            ),
            RowProblem::MinisterApprovalNotNeeded => {
                "No protected data element is listed: leave `minister_approval` empty.".into()
            }
            RowProblem::BadPurposeKind { value } => format!(
                "Unknown purpose kind `{value}`: use public_service, state_security or law_enforcement."
            ),
            RowProblem::BadAccessMethod { value } => format!(
                "Unknown access method `{value}`: use web_portal, card_reader or web_service."
            ),
            RowProblem::BadNetwork { value } => format!(
                "Unknown network `{value}`: use vpn_agency_to_disdukcapil, lan or vpn_disdukcapil_to_central."
            ),
            RowProblem::BadDate { column, value } => format!(
                "Date `{value}` in `{column}` cannot be read: write it as YYYY-MM-DD (2024-03-01) or DD/MM/YYYY (01/03/2024)."
            ),
            RowProblem::DateInFuture { column, date } => format!(
                "Date {date} in `{column}` is in the future: only agreements already running are imported."
            ),
            RowProblem::BadTerm { value } => {
                format!("Term `{value}` is not a whole number of months (e.g. 24).")
            }
            RowProblem::PksEnded { ends_on } => format!(
                "The PKS ended on {ends_on}: only agreements still in force are imported."
            ),
            RowProblem::BadUserIdEntry { entry } => format!(
                "User-ID entry `{entry}` is not `kind:user_id:status:issued_on`; separate user IDs with semicolons."
            ),
            RowProblem::BadUserIdKind { value } => {
                format!("Unknown user-ID kind `{value}`: use production or test.")
            }
            RowProblem::BadUserIdStatus { value } => format!(
                "Unknown user-ID status `{value}`: use active, suspended, revoked or expired."
            ),
            RowProblem::DuplicateUserIdKind { kind } => format!(
                "More than one {} user ID: an agreement has one test and one production user ID.",
                kind_en(*kind)
            ),
            RowProblem::NoLiveProductionId => {
                "No production user ID is active or suspended: only agreements with live access are imported.".into()
            }
            RowProblem::UserIdBeforePks { user_id, issued_on, signed_on } => format!(
                "User ID `{user_id}` was issued on {issued_on}, before the PKS was signed on {signed_on}."
            ),
            RowProblem::EvaluationBeforeProduction { date, anchor } => format!(
                "The last evaluation ({date}) is before the production user ID started ({anchor})."
            ),
            RowProblem::ScanMissing { path } => format!(
                "Scanned PKS `{path}` not found: the path is relative to the CSV file's folder."
            ),
            RowProblem::ScanUnreadable { path, why } => {
                format!("Scanned PKS `{path}` cannot be read: {why}.")
            }
            RowProblem::ScanNotAvailable { path } => format!(
                "Scanned PKS `{path}` cannot be read from an upload: leave `signed_pks_file` empty or import with `sepakat import agreements`."
            ),
            RowProblem::DuplicateAgreement { other_row } => format!(
                "Row {other_row} holds the same office and PKS number."
            ),
            RowProblem::Request { request } => request.message_en(),
        }
    }
}

/// What is wrong with the file as a whole (its header).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum FileProblem {
    Empty,
    UnknownColumn { column: String },
    MissingColumn { column: String },
    DuplicateColumn { column: String },
    NoRows,
}

impl FileProblem {
    pub fn message_id(&self) -> String {
        match self {
            FileProblem::Empty => {
                "Berkas kosong; gunakan templat docs/import/agreements-template.csv.".into()
            }
            FileProblem::UnknownColumn { column } => format!(
                "Kolom `{column}` tidak dikenal; nama kolom yang berlaku: {}.",
                COLUMNS.join(", ")
            ),
            FileProblem::MissingColumn { column } => {
                format!("Kolom `{column}` tidak ada pada baris kepala berkas.")
            }
            FileProblem::DuplicateColumn { column } => {
                format!("Kolom `{column}` muncul lebih dari sekali pada baris kepala.")
            }
            FileProblem::NoRows => "Berkas tidak memuat satu baris kerja sama pun.".into(),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            FileProblem::Empty => {
                "The file is empty: start from docs/import/agreements-template.csv.".into()
            }
            FileProblem::UnknownColumn { column } => format!(
                "Unknown column `{column}`; the columns are: {}.",
                COLUMNS.join(", ")
            ),
            FileProblem::MissingColumn { column } => {
                format!("Column `{column}` is missing from the header row.")
            }
            FileProblem::DuplicateColumn { column } => {
                format!("Column `{column}` appears more than once in the header row.")
            }
            FileProblem::NoRows => "The file holds no agreement row.".into(),
        }
    }
}
