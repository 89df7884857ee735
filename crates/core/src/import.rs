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
use crate::calendar::{self, OfficeZone};
use crate::elements::ElementCode;
use crate::request::{
    AccessMethod, DataType, PurposeKind, Request, RequestProblem, RequestedElement, check_request,
};
use crate::workflow::{Effect, Level, Workflow};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

mod event;
mod problems;

pub(crate) use event::fold;
pub use event::start;
pub use problems::{FileProblem, RowProblem};

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

/// Checks one row and builds what it becomes; every problem at once.
pub fn check_row(
    source: ImportSource,
    header: &Header,
    cells: &[String],
    dir: &dyn Directory,
    now: DateTime<Utc>,
) -> Result<Accepted, Vec<RowProblem>> {
    let mut problems = Vec::new();
    if cells.len() != header.width {
        problems.push(RowProblem::CellCount {
            expected: header.width,
            found: cells.len(),
        });
        return Err(problems);
    }
    let cell = |c: &str| -> &str {
        header
            .index
            .get(c)
            .and_then(|&i| cells.get(i))
            .map_or("", |s| s.trim())
    };
    for c in COLUMNS {
        if cell(c).contains('\0') {
            problems.push(RowProblem::NulCharacter { column: c.into() });
        }
    }
    for c in REQUIRED {
        if cell(c).is_empty() {
            problems.push(RowProblem::MissingCell { column: c.into() });
        }
    }
    let missing = |c: &str, problems: &Vec<RowProblem>| {
        problems.contains(&RowProblem::MissingCell { column: c.into() })
    };

    // The directory.
    let office = match cell("office") {
        "" => None,
        code => {
            let found = dir.office(code);
            if found.is_none() {
                problems.push(RowProblem::UnknownOffice {
                    office: code.into(),
                });
            }
            found
        }
    };
    let agency = match cell("agency") {
        "" => None,
        key => match dir.agency(key, office.as_ref().map(|o| o.id)) {
            AgencyLookup::Found(id) => Some(id),
            AgencyLookup::Unknown => {
                problems.push(RowProblem::UnknownAgency { agency: key.into() });
                None
            }
            AgencyLookup::Ambiguous(count) => {
                problems.push(RowProblem::AmbiguousAgency {
                    agency: key.into(),
                    count,
                });
                None
            }
        },
    };
    let zone = office.as_ref().map_or(OfficeZone::default(), |o| o.zone);
    let today = calendar::local_date(now, zone);

    // The workflow, and its live-access stage.
    let workflow = match cell("workflow") {
        "" => None,
        name => {
            let found = dir.workflow(name);
            match found {
                None => problems.push(RowProblem::UnknownWorkflow {
                    workflow: name.into(),
                    known: dir.workflow_names(),
                }),
                Some(w) if w.data_type != DataType::Individual || live_stage(w).is_none() => {
                    problems.push(RowProblem::NoLiveAccessStage {
                        workflow: name.into(),
                    })
                }
                Some(w) => {
                    if let Some(o) = &office {
                        let province = o.region.is_province();
                        let wrong = match w.level {
                            Level::Provinsi => !province,
                            Level::Kabkota => province,
                            Level::Any => false,
                        };
                        if wrong {
                            problems.push(RowProblem::WrongOfficeLevel {
                                workflow: name.into(),
                                expected: w.level,
                            });
                        }
                    }
                }
            }
            found.filter(|w| w.data_type == DataType::Individual && live_stage(w).is_some())
        }
    };

    // The request.
    let purpose_kind = parse_purpose_kind(cell("purpose_kind")).unwrap_or_else(|| {
        problems.push(RowProblem::BadPurposeKind {
            value: cell("purpose_kind").into(),
        });
        PurposeKind::PublicService
    });
    let mut elements = Vec::new();
    for entry in entries(cell("elements")) {
        let Some((code, why)) = entry.split_once(':') else {
            problems.push(RowProblem::BadElementEntry {
                entry: entry.into(),
            });
            continue;
        };
        match ElementCode::parse(code) {
            Ok(code) => elements.push(RequestedElement {
                code,
                justification: why.trim().to_string(),
            }),
            Err(_) => problems.push(RowProblem::UnknownElement {
                code: code.trim().into(),
            }),
        }
    }
    let method = match cell("access_method") {
        "" => None,
        m => {
            let found = parse_method(m);
            if found.is_none() {
                problems.push(RowProblem::BadAccessMethod { value: m.into() });
            }
            found
        }
    };
    let term = match cell("pks_term_months") {
        "" => None,
        t => match t.parse::<u16>() {
            Ok(n) => Some(n),
            Err(_) => {
                problems.push(RowProblem::BadTerm { value: t.into() });
                None
            }
        },
    };
    let request = Request {
        purpose: cell("purpose").into(),
        purpose_kind,
        legal_basis: cell("legal_basis").into(),
        data_type: DataType::Individual,
        elements,
        access_method: method,
        data_balikan: entries(cell("data_balikan")).map(String::from).collect(),
        duration_months: term.unwrap_or(0),
    };
    if let Some(w) = workflow
        && let Err(found) = check_request(&request, &w.request_policy())
    {
        for problem in found {
            // The cell's own problem is already reported.
            let already = match &problem {
                RequestProblem::MissingPurpose => missing("purpose", &problems),
                RequestProblem::MissingLegalBasis => missing("legal_basis", &problems),
                RequestProblem::NoElements => {
                    missing("elements", &problems)
                        || problems.iter().any(|p| {
                            matches!(
                                p,
                                RowProblem::UnknownElement { .. }
                                    | RowProblem::BadElementEntry { .. }
                            )
                        })
                }
                RequestProblem::MissingDataBalikan => missing("data_balikan", &problems),
                RequestProblem::MissingAccessMethod => true,
                RequestProblem::DurationOutOfRange { .. } => term.is_none(),
                _ => false,
            };
            if !already {
                problems.push(RowProblem::Request { request: problem });
            }
        }
    }
    let minister = Some(cell("minister_approval"))
        .filter(|s| !s.is_empty())
        .map(String::from);
    let protected: Vec<ElementCode> = request
        .elements
        .iter()
        .map(|e| e.code)
        .filter(|c| c.is_protected())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    match (&minister, protected.is_empty()) {
        (None, false) => problems.push(RowProblem::MissingMinisterApproval { codes: protected }),
        (Some(_), true) => problems.push(RowProblem::MinisterApprovalNotNeeded),
        _ => {}
    }

    // Dates.
    let date = |column: &str, problems: &mut Vec<RowProblem>| -> Option<NaiveDate> {
        let v = cell(column);
        if v.is_empty() {
            return None;
        }
        match parse_date(v) {
            Some(d) if d > today => {
                problems.push(RowProblem::DateInFuture {
                    column: column.into(),
                    date: d,
                });
                None
            }
            Some(d) => Some(d),
            None => {
                problems.push(RowProblem::BadDate {
                    column: column.into(),
                    value: v.into(),
                });
                None
            }
        }
    };
    let signed_on = date("pks_signed_on", &mut problems);
    let last_evaluation = date("last_evaluation", &mut problems);
    let ends_on = match (signed_on, term) {
        (Some(s), Some(t)) => {
            let end = calendar::add_months_clamped(s, t.into());
            if today > end {
                problems.push(RowProblem::PksEnded { ends_on: end });
            }
            Some(end)
        }
        _ => None,
    };

    // The closed network.
    let network = match cell("network") {
        "" => None,
        n => {
            let found = parse_network(n);
            if found.is_none() {
                problems.push(RowProblem::BadNetwork { value: n.into() });
            }
            found
        }
    };

    // The user IDs.
    let mut grants: Vec<ImportedGrant> = Vec::new();
    for entry in entries(cell("user_ids")) {
        let parts: Vec<&str> = entry.split(':').map(str::trim).collect();
        let [kind, user_id, status, issued] = parts[..] else {
            problems.push(RowProblem::BadUserIdEntry {
                entry: entry.into(),
            });
            continue;
        };
        if user_id.is_empty() {
            problems.push(RowProblem::BadUserIdEntry {
                entry: entry.into(),
            });
        }
        let kind = parse_kind(kind).or_else(|| {
            problems.push(RowProblem::BadUserIdKind { value: kind.into() });
            None
        });
        let status = parse_status(status).or_else(|| {
            problems.push(RowProblem::BadUserIdStatus {
                value: status.into(),
            });
            None
        });
        let issued_on = match parse_date(issued) {
            Some(d) if d > today => {
                problems.push(RowProblem::DateInFuture {
                    column: "user_ids".into(),
                    date: d,
                });
                None
            }
            Some(d) => Some(d),
            None => {
                problems.push(RowProblem::BadDate {
                    column: "user_ids".into(),
                    value: issued.into(),
                });
                None
            }
        };
        if let (Some(i), Some(s)) = (issued_on, signed_on)
            && i < s
        {
            problems.push(RowProblem::UserIdBeforePks {
                user_id: user_id.into(),
                issued_on: i,
                signed_on: s,
            });
        }
        let (Some(kind), Some(status), Some(issued_on)) = (kind, status, issued_on) else {
            continue;
        };
        if grants.iter().any(|g| g.kind == kind) {
            let dup = RowProblem::DuplicateUserIdKind { kind };
            if !problems.contains(&dup) {
                problems.push(dup);
            }
            continue;
        }
        grants.push(ImportedGrant {
            kind,
            user_id: user_id.into(),
            status,
            issued_on,
            valid_until: ends_on.unwrap_or(issued_on),
        });
    }
    let production = grants.iter().find(|g| {
        g.kind == GrantKind::Production
            && matches!(
                g.status,
                GrantStatus::Active | GrantStatus::Suspended { .. }
            )
    });
    let entries_ok = !problems.iter().any(|p| {
        matches!(
            p,
            RowProblem::BadUserIdEntry { .. }
                | RowProblem::BadUserIdKind { .. }
                | RowProblem::BadUserIdStatus { .. }
        ) || matches!(p, RowProblem::BadDate { column, .. } | RowProblem::DateInFuture { column, .. } if column == "user_ids")
    });
    if production.is_none() && entries_ok && !missing("user_ids", &problems) {
        problems.push(RowProblem::NoLiveProductionId);
    }
    if let (Some(p), Some(last)) = (production, last_evaluation)
        && last < p.issued_on
    {
        problems.push(RowProblem::EvaluationBeforeProduction {
            date: last,
            anchor: p.issued_on,
        });
    }

    // The scanned PKS.
    let signed_pks = match cell("signed_pks_file") {
        "" => None,
        path => match dir.scan(path) {
            ScanLookup::Found(scan) => Some(scan),
            ScanLookup::Missing => {
                problems.push(RowProblem::ScanMissing { path: path.into() });
                None
            }
            ScanLookup::Unreadable(why) => {
                problems.push(RowProblem::ScanUnreadable {
                    path: path.into(),
                    why,
                });
                None
            }
            ScanLookup::NotAvailable => {
                problems.push(RowProblem::ScanNotAvailable { path: path.into() });
                None
            }
        },
    };

    if !problems.is_empty() {
        return Err(problems);
    }
    // Every value below was checked above; a `None` here would have left a problem.
    let (
        Some(office),
        Some(agency_id),
        Some(workflow),
        Some(signed_on),
        Some(term),
        Some(ends_on),
        Some(network),
        Some(production),
    ) = (
        office, agency, workflow, signed_on, term, ends_on, network, production,
    )
    else {
        return Err(vec![RowProblem::MissingCell {
            column: String::new(),
        }]);
    };
    let live = live_stage(workflow).unwrap_or_default();
    let stage = match production.status {
        GrantStatus::Suspended { .. } => suspended_stage(workflow).unwrap_or(live),
        _ => live,
    };
    let anchor = production.issued_on;
    let interval = workflow.evaluation.interval_months;
    let next_due = calendar::next_due_after(anchor, interval, last_evaluation.unwrap_or(anchor));
    let pks_number = cell("pks_number").to_string();
    let id = application_id(office.id, &pks_number);
    let cost_borne_by = match network {
        ConnectionType::VpnDisdukcapilToCentral => "Disdukcapil",
        _ => "Lembaga pengguna",
    };
    grants.sort_by_key(|g| g.kind);
    let agreement = ImportedAgreement {
        source: source.clone(),
        workflow: WorkflowRef {
            name: workflow.name.clone(),
            hash: workflow.hash.clone(),
        },
        stage: stage.to_string(),
        request,
        pks: ImportedPks {
            number: pks_number,
            signed_on,
            term_months: term,
            ends_on,
        },
        attestation: AttestationDetails {
            connection: network,
            provider: cell("network_provider").into(),
            cost_borne_by: cost_borne_by.into(),
            technical_contact: cell("technical_contact").into(),
        },
        minister_approval: minister,
        grants,
        calendar: ImportedCalendar {
            anchor,
            last_evaluation,
            next_due,
        },
        signed_pks,
    };
    Ok(Accepted {
        row: source.row,
        id,
        ownership: Ownership {
            agency_id,
            office_id: office.id,
            office_region: office.region,
            zone,
        },
        agreement,
    })
}
