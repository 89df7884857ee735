//! Importing agreements signed before Sepakat: one row of a CSV file per live agreement
//! (format: `docs/import/README.md`). Pure: the caller reads the file and the directory, this
//! module checks each row against the core's rules and builds the `imported` event that puts
//! the agreement in its workflow's live-access stage.
//!
//! A row is checked whole: every problem is reported, never only the first. The rules are the
//! core's own: the request policy of the workflow ([`check_request`]), the protected elements
//! and the Minister's approval, the PKS term, the attestation gate (an imported agreement's
//! attestation is recorded as imported), and the evaluation calendar ([`calendar`]), which
//! computes the next evaluation from the last one or from the production user ID's start.
//!
//! An imported application's id is derived from its office and PKS number, so importing the
//! same file (or the same agreement in another file) twice finds it already there.

use crate::actor::{Ownership, RegionCode};
use crate::application::{AttestationDetails, ConnectionType, GrantKind, GrantStatus, WorkflowRef};
use crate::calendar::OfficeZone;
use crate::request::{AccessMethod, PurposeKind, Request};
use crate::workflow::{Effect, Workflow};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

mod event;
mod problems;
mod row;

pub(crate) use event::fold;
pub use event::start;
pub use problems::{FileProblem, RowProblem};
pub use row::check_row;

/// The columns of an import file, in the template's order. Each is documented in
/// `docs/import/README.md`.
pub const COLUMNS: [&str; 19] = [
    "office",
    "agency",
    "workflow",
    "purpose",
    "purpose_kind",
    "legal_basis",
    "elements",
    "data_balikan",
    "access_method",
    "pks_number",
    "pks_signed_on",
    "pks_term_months",
    "minister_approval",
    "network",
    "network_provider",
    "technical_contact",
    "user_ids",
    "last_evaluation",
    "signed_pks_file",
];

/// The columns a row must fill.
pub const REQUIRED: [&str; 14] = [
    "office",
    "agency",
    "workflow",
    "purpose",
    "legal_basis",
    "elements",
    "data_balikan",
    "access_method",
    "pks_number",
    "pks_signed_on",
    "pks_term_months",
    "network",
    "network_provider",
    "user_ids",
];

/// Namespace of imported applications' ids (UUIDv5 of the office and the PKS number).
pub const ID_NAMESPACE: Uuid = Uuid::from_u128(0x5e9a_6a70_1a90_4e7d_8000_0000_0000_0015);

/// The file an agreement came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSource {
    /// SHA-256 of the file's bytes, as read.
    pub file_sha256: String,
    pub file_name: String,
    /// The row's line in the file (the header is line 1), as a spreadsheet numbers it.
    pub row: u64,
}

/// The signed PKS as it was signed before Sepakat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedPks {
    pub number: String,
    pub signed_on: NaiveDate,
    pub term_months: u16,
    /// The day the PKS ends: `signed_on` plus the term, clamped to the month's end.
    pub ends_on: NaiveDate,
}

/// One user ID as it stood when imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedGrant {
    pub kind: GrantKind,
    /// The user ID Ditjen issued.
    pub user_id: String,
    pub status: GrantStatus,
    /// The day it was issued, on the office's clock.
    pub issued_on: NaiveDate,
    /// The end of the PKS.
    pub valid_until: NaiveDate,
}

/// The evaluation calendar an imported agreement starts with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedCalendar {
    /// The production user ID's start: the anchor of the six-monthly calendar.
    pub anchor: NaiveDate,
    /// The last evaluation done before the import, when the office gave it.
    pub last_evaluation: Option<NaiveDate>,
    /// The next periodic due date: the first after the last evaluation, or after the anchor.
    pub next_due: NaiveDate,
}

/// The scanned signed PKS, when the row names one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedScan {
    pub sha256: String,
    pub filename: String,
    pub size: i64,
}

/// Everything the `imported` event records: enough for the fold to produce the live state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportedAgreement {
    pub source: ImportSource,
    pub workflow: WorkflowRef,
    /// The live-access stage (or the suspended stage, for a suspended production user ID).
    pub stage: String,
    pub request: Request,
    pub pks: ImportedPks,
    /// The closed-network attestation, recorded as imported (no statement on file).
    pub attestation: AttestationDetails,
    /// The reference of the Minister's approval (protected elements only).
    pub minister_approval: Option<String>,
    pub grants: Vec<ImportedGrant>,
    pub calendar: ImportedCalendar,
    pub signed_pks: Option<ImportedScan>,
}

/// An office of the directory, as a row names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeRef {
    pub id: Uuid,
    pub region: RegionCode,
    pub zone: OfficeZone,
}

/// What the directory holds under an agency's id or name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgencyLookup {
    Found(Uuid),
    Unknown,
    /// Several agencies carry this name: give the id.
    Ambiguous(usize),
}

/// What became of the scanned PKS a row names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanLookup {
    Found(ImportedScan),
    Missing,
    Unreadable(String),
    /// The import cannot read files (an upload through the pages).
    NotAvailable,
}

/// What the caller knows that the core does not: the directory, the workflows, the files.
pub trait Directory {
    /// The office with this Kemendagri region code (`61.71`).
    fn office(&self, region_code: &str) -> Option<OfficeRef>;
    /// The agency with this id, or with this name (preferring one handled by `office`).
    fn agency(&self, key: &str, office: Option<Uuid>) -> AgencyLookup;
    /// The current version of the workflow with this name.
    fn workflow(&self, name: &str) -> Option<&Workflow>;
    /// The names of the workflows, for the message naming an unknown one.
    fn workflow_names(&self) -> Vec<String>;
    /// The scanned PKS at `path` (relative to the CSV's folder).
    fn scan(&self, path: &str) -> ScanLookup;
}

/// The header row, mapped to the known columns.
#[derive(Debug, Clone)]
pub struct Header {
    index: BTreeMap<&'static str, usize>,
    width: usize,
}

/// Reads the header row: every known column once, nothing else (a byte-order mark and spaces
/// around names are ignored, case too).
pub fn parse_header(cells: &[String]) -> Result<Header, Vec<FileProblem>> {
    let mut problems = Vec::new();
    let mut index = BTreeMap::new();
    if cells.iter().all(|c| c.trim().is_empty()) {
        return Err(vec![FileProblem::Empty]);
    }
    for (i, cell) in cells.iter().enumerate() {
        let name = cell
            .trim_start_matches('\u{feff}')
            .trim()
            .to_ascii_lowercase();
        match COLUMNS.iter().find(|c| **c == name) {
            Some(c) => {
                if index.insert(*c, i).is_some() {
                    problems.push(FileProblem::DuplicateColumn {
                        column: name.clone(),
                    });
                }
            }
            None => problems.push(FileProblem::UnknownColumn { column: name }),
        }
    }
    for c in COLUMNS {
        if !index.contains_key(c) {
            problems.push(FileProblem::MissingColumn { column: c.into() });
        }
    }
    if problems.is_empty() {
        Ok(Header {
            index,
            width: cells.len(),
        })
    } else {
        Err(problems)
    }
}

/// A row accepted: the application it becomes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Accepted {
    pub row: u64,
    pub id: Uuid,
    pub ownership: Ownership,
    pub agreement: ImportedAgreement,
}

/// A row refused, with every problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refused {
    pub row: u64,
    pub problems: Vec<RowProblem>,
}

/// The decision on a whole file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileCheck {
    pub accepted: Vec<Accepted>,
    pub refused: Vec<Refused>,
}

/// Checks every row of a file (`rows`: line number and cells) and builds the accepted ones.
/// Two rows naming the same office and PKS number are both refused.
pub fn check_file(
    file_sha256: &str,
    file_name: &str,
    header: &Header,
    rows: &[(u64, Vec<String>)],
    dir: &dyn Directory,
    now: DateTime<Utc>,
) -> FileCheck {
    let mut out = FileCheck::default();
    for (line, cells) in rows {
        let source = ImportSource {
            file_sha256: file_sha256.to_string(),
            file_name: file_name.to_string(),
            row: *line,
        };
        match check_row(source, header, cells, dir, now) {
            Ok(a) => out.accepted.push(a),
            Err(problems) => out.refused.push(Refused {
                row: *line,
                problems,
            }),
        }
    }
    let mut rows_of: BTreeMap<Uuid, Vec<u64>> = BTreeMap::new();
    for a in &out.accepted {
        rows_of.entry(a.id).or_default().push(a.row);
    }
    let twice: BTreeMap<u64, u64> = rows_of
        .values()
        .filter(|r| r.len() > 1)
        .flat_map(|r| {
            r.iter()
                .map(|&x| (x, *r.iter().find(|&&y| y != x).unwrap_or(&x)))
        })
        .collect();
    if !twice.is_empty() {
        let (dups, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut out.accepted)
            .into_iter()
            .partition(|a| twice.contains_key(&a.row));
        out.accepted = keep;
        for a in dups {
            out.refused.push(Refused {
                row: a.row,
                problems: vec![RowProblem::DuplicateAgreement {
                    other_row: twice[&a.row],
                }],
            });
        }
        out.refused.sort_by_key(|r| r.row);
    }
    out
}

/// The id of the application an agreement becomes: the same office and PKS number always give
/// the same id, whichever file and row they come from.
pub fn application_id(office_id: Uuid, pks_number: &str) -> Uuid {
    let number: String = pks_number
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase();
    Uuid::new_v5(&ID_NAMESPACE, format!("{office_id}\n{number}").as_bytes())
}

/// `YYYY-MM-DD` or `DD/MM/YYYY` (also `D/M/YYYY`).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return (s.len() == 10).then_some(d);
    }
    let parts: Vec<&str> = s.split('/').collect();
    if let [d, m, y] = parts[..]
        && y.len() == 4
        && (1..=2).contains(&d.len())
        && (1..=2).contains(&m.len())
    {
        return NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    }
    None
}

fn parse_purpose_kind(s: &str) -> Option<PurposeKind> {
    match s.trim().to_ascii_lowercase().as_str() {
        "" | "public_service" | "pelayanan_publik" => Some(PurposeKind::PublicService),
        "state_security" | "keamanan_negara" => Some(PurposeKind::StateSecurity),
        "law_enforcement" | "penegakan_hukum" => Some(PurposeKind::LawEnforcement),
        _ => None,
    }
}

fn parse_method(s: &str) -> Option<AccessMethod> {
    let s = s.trim().to_ascii_lowercase();
    AccessMethod::ALL.into_iter().find(|m| m.as_str() == s)
}

fn parse_network(s: &str) -> Option<ConnectionType> {
    match s.trim().to_ascii_lowercase().as_str() {
        "vpn_agency_to_disdukcapil" => Some(ConnectionType::VpnAgencyToDisdukcapil),
        "lan" => Some(ConnectionType::Lan),
        "vpn_disdukcapil_to_central" => Some(ConnectionType::VpnDisdukcapilToCentral),
        _ => None,
    }
}

fn parse_kind(s: &str) -> Option<GrantKind> {
    match s.trim().to_ascii_lowercase().as_str() {
        "production" | "produksi" => Some(GrantKind::Production),
        "test" | "uji" | "uji_coba" => Some(GrantKind::Test),
        _ => None,
    }
}

/// The status words of the template; the reason of a suspension or revocation says it
/// predates Sepakat.
fn parse_status(s: &str) -> Option<GrantStatus> {
    match s.trim().to_ascii_lowercase().as_str() {
        "active" | "aktif" => Some(GrantStatus::Active),
        "suspended" | "ditangguhkan" => Some(GrantStatus::Suspended {
            reason: "Ditangguhkan sebelum kerja sama diimpor ke Sepakat".into(),
        }),
        "revoked" | "dicabut" => Some(GrantStatus::Revoked {
            reason: "Dicabut sebelum kerja sama diimpor ke Sepakat".into(),
        }),
        "expired" | "berakhir" => Some(GrantStatus::Expired),
        _ => None,
    }
}

/// `a;b; c` → `["a", "b", "c"]`, empty entries dropped.
fn entries(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(';').map(str::trim).filter(|e| !e.is_empty())
}

/// The live-access stage of a workflow: where its production user ID is issued to. `None`
/// when it issues none (aggregate data).
pub fn live_stage(workflow: &Workflow) -> Option<&str> {
    workflow
        .transitions
        .iter()
        .find(|t| t.has(Effect::IssueProductionGrant))
        .map(|t| t.to.as_str())
}

/// The stage a live access moves to when its grants are suspended by hand.
pub fn suspended_stage(workflow: &Workflow) -> Option<&str> {
    let live = live_stage(workflow)?;
    workflow
        .transitions_from(live)
        .find(|t| t.has(Effect::SuspendGrants))
        .map(|t| t.to.as_str())
}
