//! Importing agreements signed before Sepakat from a CSV file (`sepakat import agreements`,
//! format in `docs/import/README.md`).
//!
//! The store reads the file and the directory; the core (`sepakat_core::import`) checks every
//! row and builds its `imported` event. A file is imported **all or nothing**: when any row is
//! refused, nothing is written and the report lists every refused row with all its problems.
//! Otherwise every new agreement is written in **one transaction**, each exactly as a
//! submission is written (state row, hash-chained audit event, projections, the inbox and the
//! stage read models), so `audit verify` and the projection checks hold after an import.
//!
//! Importing twice changes nothing: an imported application's id comes from its office and PKS
//! number (`sepakat_core::import::application_id`), so a row already imported, from this file
//! or another, is reported as such and skipped.

use crate::directory::actor_in;
use crate::entity::{
    agencies, applications, audit_events, documents, evaluations, grants, offices,
};
use crate::named::Named;
use crate::{Result, Store, StoreError, micros};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect,
};
use sepakat_core::application::EvaluationKind;
use sepakat_core::application::{Event, GrantStatus};
use sepakat_core::calendar::OfficeZone;
use sepakat_core::import::{
    self, AgencyLookup, Directory, FileProblem, ImportSource, ImportedAgreement, OfficeRef,
    Refused, ScanLookup,
};
use sepakat_core::machine::{Rejection, Unmet};
use sepakat_core::{EventKind, RegionCode, Role, Workflow};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use uuid::Uuid;

/// A file to import.
#[derive(Debug, Clone)]
pub struct ImportFile<'a> {
    /// The file's name, as recorded with each agreement.
    pub name: String,
    pub bytes: &'a [u8],
}

/// A row that becomes (or, in a dry run, would become) an application.
#[derive(Debug, Clone, Serialize)]
pub struct Planned {
    pub row: u64,
    pub application_id: Uuid,
    pub agency: String,
    pub office: String,
    pub workflow: String,
    pub stage: String,
    pub pks_number: String,
    pub pks_signed_on: NaiveDate,
    pub pks_ends_on: NaiveDate,
    /// The user IDs, as `kind:user_id:status`.
    pub user_ids: Vec<String>,
    pub next_evaluation: NaiveDate,
    /// The next evaluation's date has already passed: the calendar opens it at its next sweep.
    pub evaluation_overdue: bool,
}

/// A row whose agreement is already in the database.
#[derive(Debug, Clone, Serialize)]
pub struct AlreadyImported {
    pub row: u64,
    pub application_id: Uuid,
    /// Where it was imported from (absent if its first event cannot be read).
    pub imported_from: Option<ImportSource>,
}

/// What an import did, or would do.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub file_name: String,
    pub file_sha256: String,
    /// Agreement rows read (blank lines are skipped).
    pub rows: usize,
    /// Problems with the file itself (its header); the rows were not read.
    pub file_problems: Vec<FileProblem>,
    pub refused: Vec<Refused>,
    pub already_imported: Vec<AlreadyImported>,
    /// The applications created; in a dry run, or when a row is refused, those that would be.
    pub created: Vec<Planned>,
    /// Whether anything was written.
    pub written: bool,
    pub dry_run: bool,
}

impl ImportReport {
    /// Nothing was imported because the file or a row was refused.
    pub fn is_refused(&self) -> bool {
        !self.file_problems.is_empty() || !self.refused.is_empty()
    }
}

/// The directory and the workflows as the core's check reads them, loaded once per file.
struct Loaded<'a> {
    offices: HashMap<String, OfficeRef>,
    office_names: HashMap<Uuid, String>,
    agencies_by_id: HashMap<Uuid, (String, Uuid)>,
    /// Lower-cased, trimmed name → (id, office).
    agencies_by_name: HashMap<String, Vec<(Uuid, Uuid)>>,
    workflows: BTreeMap<String, Arc<Workflow>>,
    scans: &'a (dyn Fn(&str) -> ScanLookup + Sync),
}

impl Directory for Loaded<'_> {
    fn office(&self, region_code: &str) -> Option<OfficeRef> {
        self.offices.get(region_code.trim()).cloned()
    }

    fn agency(&self, key: &str, office: Option<Uuid>) -> AgencyLookup {
        if let Ok(id) = key.trim().parse::<Uuid>() {
            return match self.agencies_by_id.get(&id) {
                Some(_) => AgencyLookup::Found(id),
                None => AgencyLookup::Unknown,
            };
        }
        let Some(all) = self.agencies_by_name.get(&name_key(key)) else {
            return AgencyLookup::Unknown;
        };
        let of_office: Vec<_> = all.iter().filter(|(_, o)| Some(*o) == office).collect();
        match (of_office.as_slice(), all.as_slice()) {
            ([(id, _)], _) | ([], [(id, _)]) => AgencyLookup::Found(*id),
            ([], many) => AgencyLookup::Ambiguous(many.len()),
            (many, _) => AgencyLookup::Ambiguous(many.len()),
        }
    }

    fn workflow(&self, name: &str) -> Option<&Workflow> {
        self.workflows.get(name.trim()).map(|w| w.as_ref())
    }

    fn workflow_names(&self) -> Vec<String> {
        self.workflows.keys().cloned().collect()
    }

    fn scan(&self, path: &str) -> ScanLookup {
        (self.scans)(path)
    }
}

fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A CSV file read: the header's cells, then each row's line and cells.
pub type CsvRows = (Vec<String>, Vec<(u64, Vec<String>)>);

/// The rows of a CSV file: the header's cells, then each row's line and cells. Blank rows are
/// skipped. The separator is a comma, or a semicolon when the header holds no comma (what a
/// spreadsheet set to Indonesian writes).
pub fn read_csv(bytes: &[u8]) -> std::result::Result<CsvRows, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "berkas bukan teks UTF-8 (bita ke-{}); simpan sebagai \"CSV UTF-8\" / the file is not UTF-8 text (byte {}): save it as \"CSV UTF-8\"",
            e.valid_up_to() + 1,
            e.valid_up_to() + 1
        )
    })?;
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if !first_line.contains(',') && first_line.contains(';') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut header = None;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            format!("berkas CSV tidak dapat dibaca / the CSV file cannot be read: {e}")
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let cells: Vec<String> = record.iter().map(String::from).collect();
        if header.is_none() {
            header = Some(cells);
            continue;
        }
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows.push((line, cells));
    }
    Ok((header.unwrap_or_default(), rows))
}

impl Store {
    /// Imports the agreements of a CSV file as `by` (an admin or central account) at `now`:
    /// all or nothing, in one transaction; with `dry_run`, decides everything and writes
    /// nothing. `scans` resolves a row's `signed_pks_file` (relative to the CSV's folder).
    /// A refused file is an `Ok` report listing every problem, with nothing written.
    #[tracing::instrument(skip_all, err, fields(file = %file.name, dry_run))]
    pub async fn import_agreements(
        &self,
        file: ImportFile<'_>,
        scans: &(dyn Fn(&str) -> ScanLookup + Sync),
        by: Uuid,
        now: DateTime<Utc>,
        dry_run: bool,
    ) -> Result<ImportReport> {
        let now = micros(now);
        let db = &self.inner.db;
        let actor = actor_in(db, by).await?;
        if !matches!(actor.role, Role::Admin | Role::Central) {
            return Err(StoreError::Rejected(Rejection {
                unmet: vec![Unmet::RoleNotAllowed {
                    role: actor.role,
                    allowed: vec![Role::Admin, Role::Central],
                }],
            }));
        }
        let file_sha256 = hex::encode(Sha256::digest(file.bytes));
        let mut report = ImportReport {
            file_name: file.name.clone(),
            file_sha256: file_sha256.clone(),
            rows: 0,
            file_problems: Vec::new(),
            refused: Vec::new(),
            already_imported: Vec::new(),
            created: Vec::new(),
            written: false,
            dry_run,
        };
        let (header, rows) = read_csv(file.bytes).map_err(StoreError::Invalid)?;
        report.rows = rows.len();
        let header = match import::parse_header(&header) {
            Ok(h) => h,
            Err(problems) => {
                report.file_problems = problems;
                return Ok(report);
            }
        };
        if rows.is_empty() {
            report.file_problems.push(FileProblem::NoRows);
            return Ok(report);
        }
        let loaded = self.load_directory(scans).await?;
        let check = import::check_file(&file_sha256, &file.name, &header, &rows, &loaded, now);
        report.refused = check.refused;

        // Already in the database: skipped, whatever file brought them.
        let ids: Vec<Uuid> = check.accepted.iter().map(|a| a.id).collect();
        let mut existing = std::collections::HashSet::new();
        for chunk in ids.chunks(500) {
            let found: Vec<Uuid> = applications::Entity::find()
                .select_only()
                .column(applications::Column::Id)
                .filter(applications::Column::Id.is_in(chunk.to_vec()))
                .into_tuple()
                .all(db)
                .await?;
            existing.extend(found);
        }
        let mut sources = HashMap::new();
        if !existing.is_empty() {
            let found: Vec<audit_events::Model> = audit_events::Entity::find()
                .filter(audit_events::Column::ApplicationId.is_in(existing.iter().copied()))
                .filter(audit_events::Column::Kind.eq("imported"))
                .all(db)
                .await?;
            for e in found {
                if let Ok(EventKind::Imported { agreement }) = serde_json::from_value(e.payload) {
                    sources.insert(e.application_id, agreement.source);
                }
            }
        }
        let (already, new): (Vec<_>, Vec<_>) = check
            .accepted
            .into_iter()
            .partition(|a| existing.contains(&a.id));
        report.already_imported = already
            .into_iter()
            .map(|a| AlreadyImported {
                row: a.row,
                application_id: a.id,
                imported_from: sources.remove(&a.id),
            })
            .collect();
        report.created = new.iter().map(|a| planned(&loaded, a, now)).collect();
        if report.is_refused() || dry_run || new.is_empty() {
            return Ok(report);
        }

        let mut decided = Vec::with_capacity(new.len());
        for a in &new {
            let workflow = loaded
                .workflows
                .get(&a.agreement.workflow.name)
                .cloned()
                .ok_or_else(|| StoreError::not_found("workflow", &a.agreement.workflow.name))?;
            let (app, events) = import::start(a, actor.id, now)
                .map_err(|e| StoreError::corrupt(format!("imported application: {e}")))?;
            decided.push((workflow, app, events));
        }
        let w = self.begin_write().await?;
        let result = async {
            for (workflow, app, events) in &decided {
                self.persist_imported(&w.txn, workflow, app, events, &actor, now)
                    .await?;
            }
            Ok::<_, StoreError>(())
        }
        .await;
        // Another import of the same agreement committed first: nothing of this one is kept.
        let result = match result {
            Err(e) if e.is_unique_violation() => Err(StoreError::Invalid(
                "another import of the same agreements ran at the same time; nothing from this file was written: run the import again to see what is left".into(),
            )),
            other => other,
        };
        w.finish(result).await?;
        report.written = true;
        Ok(report)
    }

    async fn load_directory<'a>(
        &self,
        scans: &'a (dyn Fn(&str) -> ScanLookup + Sync),
    ) -> Result<Loaded<'a>> {
        let db = &self.inner.db;
        let mut loaded = Loaded {
            offices: HashMap::new(),
            office_names: HashMap::new(),
            agencies_by_id: HashMap::new(),
            agencies_by_name: HashMap::new(),
            workflows: BTreeMap::new(),
            scans,
        };
        for o in offices::Entity::find().all(db).await? {
            let region = RegionCode::parse(&o.region_code)
                .map_err(|e| StoreError::corrupt(format!("office {}: {e}", o.id)))?;
            loaded.office_names.insert(o.id, o.name.clone());
            loaded.offices.insert(
                o.region_code.clone(),
                OfficeRef {
                    id: o.id,
                    region,
                    zone: OfficeZone(o.utc_offset_minutes),
                },
            );
        }
        let rows: Vec<(Uuid, String, Uuid)> = agencies::Entity::find()
            .select_only()
            .column(agencies::Column::Id)
            .column(agencies::Column::Name)
            .column(agencies::Column::OfficeId)
            .into_tuple()
            .all(db)
            .await?;
        for (id, name, office) in rows {
            loaded
                .agencies_by_name
                .entry(name_key(&name))
                .or_default()
                .push((id, office));
            loaded.agencies_by_id.insert(id, (name, office));
        }
        for w in self.current_workflows().await? {
            loaded.workflows.insert(w.name.clone(), w);
        }
        Ok(loaded)
    }
}

fn planned(loaded: &Loaded<'_>, a: &import::Accepted, now: DateTime<Utc>) -> Planned {
    let g = &a.agreement;
    let today = sepakat_core::calendar::local_date(now, a.ownership.zone);
    Planned {
        row: a.row,
        application_id: a.id,
        agency: loaded
            .agencies_by_id
            .get(&a.ownership.agency_id)
            .map(|(n, _)| n.clone())
            .unwrap_or_default(),
        office: loaded
            .office_names
            .get(&a.ownership.office_id)
            .cloned()
            .unwrap_or_default(),
        workflow: g.workflow.name.clone(),
        stage: g.stage.clone(),
        pks_number: g.pks.number.clone(),
        pks_signed_on: g.pks.signed_on,
        pks_ends_on: g.pks.ends_on,
        user_ids: g
            .grants
            .iter()
            .map(|u| {
                format!(
                    "{}:{}:{}",
                    Named(u.kind).as_str(),
                    u.user_id,
                    crate::GrantState::of(&u.status)
                )
            })
            .collect(),
        next_evaluation: g.calendar.next_due,
        evaluation_overdue: g.calendar.next_due < today,
    }
}

/// The status reason the `grants` table keeps.
fn status_reason(s: &GrantStatus) -> Option<String> {
    match s {
        GrantStatus::Suspended { reason } | GrantStatus::Revoked { reason } => Some(reason.clone()),
        GrantStatus::Expired => Some("Masa berlaku PKS berakhir".into()),
        GrantStatus::Active => None,
    }
}

/// Writes the projections of an `imported` event, as the events of a whole pipeline would
/// have: the requested elements, the attestation (recorded as imported), the grants with
/// their status, the scheduled periodic evaluation and the signed PKS on file.
pub(crate) async fn project(
    txn: &DatabaseTransaction,
    app_id: Uuid,
    a: &ImportedAgreement,
    e: &Event,
    row: &audit_events::Model,
) -> Result<()> {
    let at = row.at;
    crate::projections::insert_elements(txn, app_id, &a.request.elements, |_| Some(at)).await?;
    // Recorded as imported: no statement on file.
    let attestation_id =
        crate::projections::insert_attestation(txn, app_id, &a.attestation, "", e.actor, at)
            .await?;
    let codes = serde_json::to_value(a.request.element_codes()).map_err(StoreError::corrupt)?;
    let method = a
        .request
        .access_method
        .map_or("web_portal", |m| m.as_str())
        .to_string();
    let grant_rows: Vec<_> = a
        .grants
        .iter()
        .map(|g| grants::ActiveModel {
            id: Set(Uuid::now_v7()),
            application_id: Set(app_id),
            attestation_id: Set(attestation_id),
            kind: Set(Named(g.kind)),
            elements: Set(codes.clone()),
            method: Set(method.clone()),
            issued_at: Set(at),
            valid_until: Set(g.valid_until),
            status: Set(crate::GrantState::of(&g.status)),
            status_reason: Set(status_reason(&g.status)),
            updated_at: Set(at),
        })
        .collect();
    if !grant_rows.is_empty() {
        grants::Entity::insert_many(grant_rows)
            .exec_without_returning(txn)
            .await?;
    }
    evaluations::Entity::insert(evaluations::ActiveModel::new(
        app_id,
        EvaluationKind::Periodic,
        a.calendar.next_due,
        crate::evaluations::EvaluationState::Scheduled,
        None,
        at,
    ))
    .exec_without_returning(txn)
    .await?;
    if let Some(scan) = &a.signed_pks {
        let sha = scan.sha256.to_ascii_lowercase();
        let is_pdf = scan.filename.to_ascii_lowercase().ends_with(".pdf");
        documents::Entity::insert(documents::ActiveModel {
            id: Set(Uuid::now_v7()),
            application_id: Set(app_id),
            key: Set("signed:pks".into()),
            filename: Set(scan.filename.clone()),
            content_type: Set(is_pdf.then(|| "application/pdf".to_string())),
            size: Set(Some(scan.size)),
            blob_path: Set(sha.get(..2).map(|p| format!("{p}/{sha}"))),
            sha256: Set(sha),
            uploaded_by: Set(e.actor),
            uploaded_at: Set(at),
            event_seq: Set(row.seq),
            letter_id: Set(None),
        })
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}
