//! One row of an import file checked against the core's rules, section by section (the
//! directory, the workflow, the request, the dates, the network, the user IDs, the scan), every
//! problem gathered, and built into the agreement it becomes.

use super::{
    Accepted, AgencyLookup, COLUMNS, Directory, Header, ImportSource, ImportedAgreement,
    ImportedCalendar, ImportedGrant, ImportedPks, ImportedScan, OfficeRef, REQUIRED, RowProblem,
    ScanLookup, application_id, entries, live_stage, parse_date, parse_kind, parse_method,
    parse_network, parse_purpose_kind, parse_status, suspended_stage,
};
use crate::actor::Ownership;
use crate::application::{AttestationDetails, ConnectionType, GrantKind, GrantStatus, WorkflowRef};
use crate::calendar::{self, OfficeZone};
use crate::elements::ElementCode;
use crate::request::{
    DataType, PurposeKind, Request, RequestProblem, RequestedElement, check_request,
};
use crate::workflow::{Level, Workflow};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeSet;
use uuid::Uuid;

/// Checks one row and builds what it becomes; every problem at once.
pub fn check_row(
    source: ImportSource,
    header: &Header,
    cells: &[String],
    dir: &dyn Directory,
    now: DateTime<Utc>,
) -> Result<Accepted, Vec<RowProblem>> {
    if cells.len() != header.width {
        return Err(vec![RowProblem::CellCount {
            expected: header.width,
            found: cells.len(),
        }]);
    }
    let mut row = Row {
        header,
        cells,
        problems: Vec::new(),
    };
    row.cells_present();
    let (office, agency) = row.directory(dir);
    let zone = office.as_ref().map_or(OfficeZone::default(), |o| o.zone);
    let today = calendar::local_date(now, zone);
    let workflow = row.workflow(dir, office.as_ref());
    let (request, term) = row.request(workflow);
    let minister = row.minister_approval(&request);
    let signed_on = row.date("pks_signed_on", today);
    let last_evaluation = row.date("last_evaluation", today);
    let ends_on = match (signed_on, term) {
        (Some(s), Some(t)) => {
            let end = calendar::add_months_clamped(s, t.into());
            if today > end {
                row.problems.push(RowProblem::PksEnded { ends_on: end });
            }
            Some(end)
        }
        _ => None,
    };
    let network = row.network();
    let mut grants = row.user_ids(today, signed_on, ends_on);
    let production = row.production(&grants, last_evaluation);
    let signed_pks = row.scan(dir);

    if !row.problems.is_empty() {
        return Err(row.problems);
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
    let pks_number = row.cell("pks_number").to_string();
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
            provider: row.cell("network_provider").into(),
            cost_borne_by: cost_borne_by.into(),
            technical_contact: row.cell("technical_contact").into(),
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

/// A row being checked: its cells by column, and every problem found so far.
struct Row<'a> {
    header: &'a Header,
    cells: &'a [String],
    problems: Vec<RowProblem>,
}

impl<'a> Row<'a> {
    /// The trimmed cell of `column` (empty when the file has no such column).
    fn cell(&self, column: &str) -> &'a str {
        let cells = self.cells;
        self.header
            .index
            .get(column)
            .and_then(|&i| cells.get(i))
            .map_or("", |s| s.trim())
    }

    /// Whether the required `column` was found empty.
    fn missing(&self, column: &str) -> bool {
        self.problems.contains(&RowProblem::MissingCell {
            column: column.into(),
        })
    }

    /// No cell holds a NUL; every required cell is filled.
    fn cells_present(&mut self) {
        for c in COLUMNS {
            if self.cell(c).contains('\0') {
                self.problems
                    .push(RowProblem::NulCharacter { column: c.into() });
            }
        }
        for c in REQUIRED {
            if self.cell(c).is_empty() {
                self.problems
                    .push(RowProblem::MissingCell { column: c.into() });
            }
        }
    }

    /// The office and the agency, found in the directory.
    fn directory(&mut self, dir: &dyn Directory) -> (Option<OfficeRef>, Option<Uuid>) {
        let office = match self.cell("office") {
            "" => None,
            code => {
                let found = dir.office(code);
                if found.is_none() {
                    self.problems.push(RowProblem::UnknownOffice {
                        office: code.into(),
                    });
                }
                found
            }
        };
        let agency = match self.cell("agency") {
            "" => None,
            key => match dir.agency(key, office.as_ref().map(|o| o.id)) {
                AgencyLookup::Found(id) => Some(id),
                AgencyLookup::Unknown => {
                    self.problems
                        .push(RowProblem::UnknownAgency { agency: key.into() });
                    None
                }
                AgencyLookup::Ambiguous(count) => {
                    self.problems.push(RowProblem::AmbiguousAgency {
                        agency: key.into(),
                        count,
                    });
                    None
                }
            },
        };
        (office, agency)
    }

    /// The workflow, if it has a live-access stage and fits the office's level.
    fn workflow<'d>(
        &mut self,
        dir: &'d dyn Directory,
        office: Option<&OfficeRef>,
    ) -> Option<&'d Workflow> {
        let name = self.cell("workflow");
        if name.is_empty() {
            return None;
        }
        let found = dir.workflow(name);
        match found {
            None => self.problems.push(RowProblem::UnknownWorkflow {
                workflow: name.into(),
                known: dir.workflow_names(),
            }),
            Some(w) if w.data_type != DataType::Individual || live_stage(w).is_none() => {
                self.problems.push(RowProblem::NoLiveAccessStage {
                    workflow: name.into(),
                })
            }
            Some(w) => {
                if let Some(o) = office {
                    let province = o.region.is_province();
                    let wrong = match w.level {
                        Level::Provinsi => !province,
                        Level::Kabkota => province,
                        Level::Any => false,
                    };
                    if wrong {
                        self.problems.push(RowProblem::WrongOfficeLevel {
                            workflow: name.into(),
                            expected: w.level,
                        });
                    }
                }
            }
        }
        found.filter(|w| w.data_type == DataType::Individual && live_stage(w).is_some())
    }

    /// The request as the agreement granted it, checked against the workflow's policy, and
    /// the PKS term in months.
    fn request(&mut self, workflow: Option<&Workflow>) -> (Request, Option<u16>) {
        let kind = self.cell("purpose_kind");
        let purpose_kind = parse_purpose_kind(kind).unwrap_or_else(|| {
            self.problems
                .push(RowProblem::BadPurposeKind { value: kind.into() });
            PurposeKind::PublicService
        });
        let mut elements = Vec::new();
        for entry in entries(self.cell("elements")) {
            let Some((code, why)) = entry.split_once(':') else {
                self.problems.push(RowProblem::BadElementEntry {
                    entry: entry.into(),
                });
                continue;
            };
            match ElementCode::parse(code) {
                Ok(code) => elements.push(RequestedElement {
                    code,
                    justification: why.trim().to_string(),
                }),
                Err(_) => self.problems.push(RowProblem::UnknownElement {
                    code: code.trim().into(),
                }),
            }
        }
        let method = match self.cell("access_method") {
            "" => None,
            m => {
                let found = parse_method(m);
                if found.is_none() {
                    self.problems
                        .push(RowProblem::BadAccessMethod { value: m.into() });
                }
                found
            }
        };
        let term = match self.cell("pks_term_months") {
            "" => None,
            t => match t.parse::<u16>() {
                Ok(n) => Some(n),
                Err(_) => {
                    self.problems.push(RowProblem::BadTerm { value: t.into() });
                    None
                }
            },
        };
        let request = Request {
            purpose: self.cell("purpose").into(),
            purpose_kind,
            legal_basis: self.cell("legal_basis").into(),
            data_type: DataType::Individual,
            elements,
            access_method: method,
            data_balikan: entries(self.cell("data_balikan"))
                .map(String::from)
                .collect(),
            duration_months: term.unwrap_or(0),
        };
        if let Some(w) = workflow
            && let Err(found) = check_request(&request, &w.request_policy())
        {
            for problem in found {
                // The cell's own problem is already reported.
                let already = match &problem {
                    RequestProblem::MissingPurpose => self.missing("purpose"),
                    RequestProblem::MissingLegalBasis => self.missing("legal_basis"),
                    RequestProblem::NoElements => {
                        self.missing("elements")
                            || self.problems.iter().any(|p| {
                                matches!(
                                    p,
                                    RowProblem::UnknownElement { .. }
                                        | RowProblem::BadElementEntry { .. }
                                )
                            })
                    }
                    RequestProblem::MissingDataBalikan => self.missing("data_balikan"),
                    RequestProblem::MissingAccessMethod => true,
                    RequestProblem::DurationOutOfRange { .. } => term.is_none(),
                    _ => false,
                };
                if !already {
                    self.problems.push(RowProblem::Request { request: problem });
                }
            }
        }
        (request, term)
    }

    /// The Minister's approval: given exactly when a protected element is granted.
    fn minister_approval(&mut self, request: &Request) -> Option<String> {
        let minister = Some(self.cell("minister_approval"))
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
            (None, false) => self
                .problems
                .push(RowProblem::MissingMinisterApproval { codes: protected }),
            (Some(_), true) => self.problems.push(RowProblem::MinisterApprovalNotNeeded),
            _ => {}
        }
        minister
    }

    /// The date in `column`, if it is one and not after `today`.
    fn date(&mut self, column: &str, today: NaiveDate) -> Option<NaiveDate> {
        let v = self.cell(column);
        if v.is_empty() {
            return None;
        }
        self.past_date(column, v, today)
    }

    /// `value` read as a date of `column`, if it is one and not after `today`.
    fn past_date(&mut self, column: &str, value: &str, today: NaiveDate) -> Option<NaiveDate> {
        match parse_date(value) {
            Some(d) if d > today => {
                self.problems.push(RowProblem::DateInFuture {
                    column: column.into(),
                    date: d,
                });
                None
            }
            Some(d) => Some(d),
            None => {
                self.problems.push(RowProblem::BadDate {
                    column: column.into(),
                    value: value.into(),
                });
                None
            }
        }
    }

    /// The closed network the attestation recorded.
    fn network(&mut self) -> Option<ConnectionType> {
        match self.cell("network") {
            "" => None,
            n => {
                let found = parse_network(n);
                if found.is_none() {
                    self.problems
                        .push(RowProblem::BadNetwork { value: n.into() });
                }
                found
            }
        }
    }

    /// The user IDs (`kind:user_id:status:issued_on`, one of each kind), valid until the PKS
    /// ends.
    fn user_ids(
        &mut self,
        today: NaiveDate,
        signed_on: Option<NaiveDate>,
        ends_on: Option<NaiveDate>,
    ) -> Vec<ImportedGrant> {
        let mut grants: Vec<ImportedGrant> = Vec::new();
        for entry in entries(self.cell("user_ids")) {
            let parts: Vec<&str> = entry.split(':').map(str::trim).collect();
            let [kind, user_id, status, issued] = parts[..] else {
                self.problems.push(RowProblem::BadUserIdEntry {
                    entry: entry.into(),
                });
                continue;
            };
            if user_id.is_empty() {
                self.problems.push(RowProblem::BadUserIdEntry {
                    entry: entry.into(),
                });
            }
            let kind = parse_kind(kind).or_else(|| {
                self.problems
                    .push(RowProblem::BadUserIdKind { value: kind.into() });
                None
            });
            let status = parse_status(status).or_else(|| {
                self.problems.push(RowProblem::BadUserIdStatus {
                    value: status.into(),
                });
                None
            });
            let issued_on = self.past_date("user_ids", issued, today);
            if let (Some(i), Some(s)) = (issued_on, signed_on)
                && i < s
            {
                self.problems.push(RowProblem::UserIdBeforePks {
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
                if !self.problems.contains(&dup) {
                    self.problems.push(dup);
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
        grants
    }

    /// The live production user ID the evaluation calendar counts from; the last evaluation
    /// cannot be older than it.
    fn production(
        &mut self,
        grants: &[ImportedGrant],
        last_evaluation: Option<NaiveDate>,
    ) -> Option<ImportedGrant> {
        let production = grants
            .iter()
            .find(|g| {
                g.kind == GrantKind::Production
                    && matches!(
                        g.status,
                        GrantStatus::Active | GrantStatus::Suspended { .. }
                    )
            })
            .cloned();
        let entries_ok = !self.problems.iter().any(|p| {
            matches!(
                p,
                RowProblem::BadUserIdEntry { .. }
                    | RowProblem::BadUserIdKind { .. }
                    | RowProblem::BadUserIdStatus { .. }
            ) || matches!(p, RowProblem::BadDate { column, .. } | RowProblem::DateInFuture { column, .. } if column == "user_ids")
        });
        if production.is_none() && entries_ok && !self.missing("user_ids") {
            self.problems.push(RowProblem::NoLiveProductionId);
        }
        if let (Some(p), Some(last)) = (&production, last_evaluation)
            && last < p.issued_on
        {
            self.problems.push(RowProblem::EvaluationBeforeProduction {
                date: last,
                anchor: p.issued_on,
            });
        }
        production
    }

    /// The scanned signed PKS, read through the directory.
    fn scan(&mut self, dir: &dyn Directory) -> Option<ImportedScan> {
        match self.cell("signed_pks_file") {
            "" => None,
            path => match dir.scan(path) {
                ScanLookup::Found(scan) => Some(scan),
                ScanLookup::Missing => {
                    self.problems
                        .push(RowProblem::ScanMissing { path: path.into() });
                    None
                }
                ScanLookup::Unreadable(why) => {
                    self.problems.push(RowProblem::ScanUnreadable {
                        path: path.into(),
                        why,
                    });
                    None
                }
                ScanLookup::NotAvailable => {
                    self.problems
                        .push(RowProblem::ScanNotAvailable { path: path.into() });
                    None
                }
            },
        }
    }
}
