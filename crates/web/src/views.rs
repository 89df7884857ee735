//! What the API answers: JSON shapes documented in the OpenAPI document.

use crate::problem::ProblemItem;
use chrono::{DateTime, NaiveDate, Utc};
use sepakat_core::machine::AvailableAction;
use sepakat_store::entity::{
    accounts, agencies, applications, attestations, audit_events, documents, evaluations, grants,
    letters, offices,
};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    /// agency_head, coordinator, provincial_reviewer, central, auditor or admin.
    pub role: String,
    pub nip: Option<String>,
    pub position: Option<String>,
    pub office_id: Option<Uuid>,
    pub agency_id: Option<Uuid>,
    pub province: Option<String>,
}

impl From<&accounts::Model> for AccountView {
    fn from(a: &accounts::Model) -> Self {
        AccountView {
            id: a.id,
            email: a.email.clone(),
            name: a.name.clone(),
            role: a.role.to_string(),
            nip: a.nip.clone(),
            position: a.position.clone(),
            office_id: a.office_id,
            agency_id: a.agency_id,
            province: a.province.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OfficeView {
    pub id: Uuid,
    pub name: String,
    /// `province` or `kabkota`.
    pub kind: String,
    pub region_code: String,
    pub province_code: String,
    pub place_name: String,
}

impl From<&offices::Model> for OfficeView {
    fn from(o: &offices::Model) -> Self {
        OfficeView {
            id: o.id,
            name: o.name.clone(),
            kind: o.kind.to_string(),
            region_code: o.region_code.clone(),
            province_code: o.province_code.clone(),
            place_name: o.place_name.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyView {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub office_id: Uuid,
}

impl From<&agencies::Model> for AgencyView {
    fn from(a: &agencies::Model) -> Self {
        AgencyView {
            id: a.id,
            name: a.name.clone(),
            kind: a.kind.clone(),
            office_id: a.office_id,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DataElementView {
    pub no: u8,
    /// The letter of UU 24/2013 Art. 58(2).
    pub letter: &'static str,
    pub code: &'static str,
    pub name_id: &'static str,
    pub name_en: &'static str,
    /// `allowed`, or `protected` (Art. 84(1): only for state security or law enforcement, with the Minister's approval).
    pub category: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkflowSummary {
    pub name: String,
    pub title: String,
    pub hash: String,
    pub level: String,
    pub data_type: String,
    pub allowed_methods: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkflowDetail {
    #[serde(flatten)]
    pub summary: WorkflowSummary,
    /// Stages, transitions, requirements, letters and evaluation policy, as loaded.
    #[schema(value_type = Object)]
    pub definition: Value,
    /// The pipeline as Mermaid text.
    pub diagram_mermaid: String,
    /// The pipeline as Graphviz DOT.
    pub diagram_dot: String,
}

/// An action the caller may take now, and what still blocks it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionView {
    pub action: String,
    pub title: String,
    pub to: String,
    /// True when nothing blocks it.
    pub ready: bool,
    pub unmet: Vec<ProblemItem>,
}

impl From<&AvailableAction> for ActionView {
    fn from(a: &AvailableAction) -> Self {
        ActionView {
            action: a.action.clone(),
            title: a.title.clone(),
            to: a.to.clone(),
            ready: a.unmet.is_empty(),
            unmet: a.unmet.iter().map(ProblemItem::from_unmet).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationSummary {
    pub id: Uuid,
    pub workflow: String,
    pub agency_id: Uuid,
    pub office_id: Uuid,
    pub stage: String,
    pub stage_title: Option<String>,
    pub version: i64,
    pub submitted_at: DateTime<Utc>,
    pub stage_entered_at: DateTime<Utc>,
    pub next_evaluation_due: Option<NaiveDate>,
}

impl ApplicationSummary {
    pub fn new(row: &applications::ListRow, stage_title: Option<String>) -> Self {
        ApplicationSummary {
            id: row.id,
            workflow: row.workflow_name.clone(),
            agency_id: row.agency_id,
            office_id: row.office_id,
            stage: row.stage.clone(),
            stage_title,
            version: row.version,
            submitted_at: row.submitted_at,
            stage_entered_at: row.stage_entered_at,
            next_evaluation_due: row.next_evaluation_due,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationList {
    pub items: Vec<ApplicationSummary>,
    pub total: u64,
    pub limit: u64,
    /// The cursor of the next page (pass it as `after`); absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEntry {
    pub seq: i64,
    pub kind: String,
    pub actor_id: Uuid,
    pub at: DateTime<Utc>,
    #[schema(value_type = Object)]
    pub payload: Value,
}

impl From<&audit_events::Model> for TimelineEntry {
    fn from(e: &audit_events::Model) -> Self {
        TimelineEntry {
            seq: e.seq,
            kind: e.kind.clone(),
            actor_id: e.actor_id,
            at: e.at,
            payload: e.payload.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentView {
    pub id: Uuid,
    pub key: String,
    pub filename: String,
    pub content_type: Option<String>,
    pub size: Option<i64>,
    pub sha256: String,
    /// The account that filed it.
    pub uploaded_by: Uuid,
    pub uploaded_at: DateTime<Utc>,
    /// Who filed it: name, e-mail and role of that account (null only if the account is gone).
    pub uploader: Option<crate::next::PersonView>,
}

impl DocumentView {
    /// The document with its uploader, looked up in `people` (`Store::people_by_id`).
    pub fn with_uploader(
        d: &documents::Model,
        people: &std::collections::HashMap<Uuid, sepakat_store::Person>,
    ) -> Self {
        DocumentView {
            uploader: people.get(&d.uploaded_by).map(|p| crate::next::PersonView {
                role: p.role,
                name: p.name.clone(),
                email: p.email.clone(),
            }),
            ..DocumentView::from(d)
        }
    }
}

impl From<&documents::Model> for DocumentView {
    fn from(d: &documents::Model) -> Self {
        DocumentView {
            id: d.id,
            key: d.key.clone(),
            filename: d.filename.clone(),
            content_type: d.content_type.clone(),
            size: d.size,
            sha256: d.sha256.clone(),
            uploaded_by: d.uploaded_by,
            uploaded_at: d.uploaded_at,
            uploader: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LetterView {
    pub id: Uuid,
    pub letter: String,
    pub stage: String,
    /// The number printed on the letter, from its issuer's register.
    pub number: String,
    /// The number in the Disdukcapil office's register: `number` itself for the office's own
    /// letters; for a letter the agency issues (on its letterhead, with its own number), the
    /// office's registration of it on receipt.
    pub register_number: String,
    pub issued_on: NaiveDate,
    pub document_sha256: Option<String>,
}

impl From<&letters::Model> for LetterView {
    fn from(l: &letters::Model) -> Self {
        LetterView {
            id: l.id,
            letter: l.letter.clone(),
            stage: l.stage.clone(),
            number: l.printed_number().to_string(),
            register_number: l.number.clone(),
            issued_on: l.issued_on,
            document_sha256: l.document_sha256.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GrantView {
    pub id: Uuid,
    /// `test` or `production`.
    pub kind: String,
    /// The approved data-element codes.
    pub elements: Vec<String>,
    /// `web_portal`, `card_reader` or `web_service`.
    pub method: String,
    pub valid_until: NaiveDate,
    /// `active`, `suspended`, `revoked` or `expired`.
    pub status: String,
    pub status_reason: Option<String>,
}

impl From<&grants::Model> for GrantView {
    fn from(g: &grants::Model) -> Self {
        GrantView {
            id: g.id,
            kind: g.kind.to_string(),
            elements: serde_json::from_value(g.elements.clone()).unwrap_or_default(),
            method: g.method.clone(),
            valid_until: g.valid_until,
            status: g.status.to_string(),
            status_reason: g.status_reason.clone(),
        }
    }
}

/// One evaluation (monev) of a live access.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvaluationView {
    pub id: Uuid,
    /// `periodic` or `incidental`.
    pub kind: String,
    pub due_on: NaiveDate,
    /// `scheduled` (the next periodic date), `open`, `overdue` (grants suspended) or `completed`.
    pub state: String,
    pub reason: Option<String>,
    /// `pass`, `pass_with_findings` or `fail`, once recorded.
    pub outcome: Option<String>,
    pub findings: Option<String>,
    pub data_balikan_met: Option<bool>,
    pub report_sha256: Option<String>,
    pub reminded_at: Option<DateTime<Utc>>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub overdue_at: Option<DateTime<Utc>>,
    pub recorded_at: Option<DateTime<Utc>>,
}

impl From<&evaluations::Model> for EvaluationView {
    fn from(e: &evaluations::Model) -> Self {
        EvaluationView {
            id: e.id,
            kind: e.kind.to_string(),
            due_on: e.due_on,
            state: e.state.to_string(),
            reason: e.reason.clone(),
            outcome: e.outcome.clone(),
            findings: e.findings.clone(),
            data_balikan_met: e.data_balikan_met,
            report_sha256: e.report_sha256.clone(),
            reminded_at: e.reminded_at,
            escalated_at: e.escalated_at,
            overdue_at: e.overdue_at,
            recorded_at: e.recorded_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttestationView {
    pub id: Uuid,
    pub connection: String,
    pub provider: String,
    pub cost_borne_by: String,
    pub technical_contact: String,
    pub statement_sha256: String,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawal_reason: Option<String>,
}

impl From<&attestations::Model> for AttestationView {
    fn from(a: &attestations::Model) -> Self {
        AttestationView {
            id: a.id,
            connection: a.connection.to_string(),
            provider: a.provider.clone(),
            cost_borne_by: a.cost_borne_by.clone(),
            technical_contact: a.technical_contact.clone(),
            statement_sha256: a.statement_sha256.clone(),
            recorded_by: a.recorded_by,
            recorded_at: a.recorded_at,
            withdrawn_at: a.withdrawn_at,
            withdrawal_reason: a.withdrawal_reason.clone(),
        }
    }
}

/// One application with everything its page needs.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationView {
    #[serde(flatten)]
    pub summary: ApplicationSummary,
    pub workflow_hash: String,
    /// The request as submitted: purpose, legal basis, elements with justification, method, data balikan.
    #[schema(value_type = Object)]
    pub request: Value,
    /// Most queries a day the agreement allows (the standard 1,000 unless an addendum changed it).
    pub daily_quota: u32,
    /// The addendum proposed and not yet signed or dropped: `change` is the whole scope it
    /// proposes (`elements` with `code` and `justification`, `access_method`, `daily_quota`),
    /// with `proposed_by`, `proposed_at` and `base_version` (the PKS draft version then).
    #[schema(value_type = Option<Object>)]
    pub addendum: Option<Value>,
    /// What happens next and who does it: each way forward, its acting roles and people, what
    /// is still missing and who provides it, and the stage's target date.
    pub next: crate::next::NextView,
    /// What the caller may do now, each with its unmet requirements.
    pub allowed_actions: Vec<ActionView>,
    pub documents: Vec<DocumentView>,
    pub letters: Vec<LetterView>,
    pub attestations: Vec<AttestationView>,
    pub grants: Vec<GrantView>,
    pub evaluations: Vec<EvaluationView>,
    pub timeline: Vec<TimelineEntry>,
}

/// A grant as the command left it.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantState {
    /// `test` or `production`.
    pub kind: String,
    /// `active`, `suspended`, `revoked` or `expired`.
    pub status: String,
    pub valid_until: NaiveDate,
}

/// The answer to a transition or command: the new state and what this command added.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommandResult {
    #[serde(flatten)]
    pub summary: ApplicationSummary,
    pub allowed_actions: Vec<ActionView>,
    pub grants: Vec<GrantState>,
    pub attestation_active: bool,
    /// The audit events this command appended.
    pub events: Vec<TimelineEntry>,
    /// The letters this command numbered.
    pub letters: Vec<LetterView>,
}

/// The state name of a grant status, as the API and the grants table spell it.
pub fn grant_status_name(s: &sepakat_core::GrantStatus) -> String {
    sepakat_store::GrantState::of(s).to_string()
}
