//! The events that change an application, as they go into the audit log; the state is their
//! fold (`Application::evolve`).

use super::{
    AttestationDetails, EvaluationKind, EvaluationOutcome, GrantKind, WorkflowRef, is_false,
};
use crate::addendum::ScopeChange;
use crate::elements::ElementCode;
use crate::letter::{IssuedLetter, LetterInputs};
use crate::pks::{Article, ArticleComment};
use crate::request::{AccessMethod, Request};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use uuid::Uuid;

/// One thing that happened, as it goes into the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub at: DateTime<Utc>,
    pub actor: Uuid,
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    Submitted {
        workflow: WorkflowRef,
        stage: String,
        request: Request,
    },
    /// An agreement signed before Sepakat, imported from a file straight into its live-access
    /// stage (`import`): the source file's SHA-256 and row, and everything the live state holds.
    Imported {
        agreement: Box<crate::import::ImportedAgreement>,
    },
    Transitioned {
        action: String,
        from: String,
        to: String,
        comment: Option<String>,
    },
    /// A letter is to be issued: the core's decision, which the store turns into
    /// [`EventKind::LetterIssued`] in the same transaction (number, date, frozen context).
    /// Audit logs written before letters were issued ahead of signing hold this event as the
    /// record that a letter was numbered.
    LetterProduced {
        letter: String,
        stage: String,
        #[serde(default, skip_serializing_if = "LetterInputs::is_empty")]
        inputs: LetterInputs,
    },
    /// A letter was issued: numbered, dated, its context frozen and its files hashed.
    LetterIssued {
        letter: IssuedLetter,
    },
    DocumentAttached {
        key: String,
        sha256: String,
        filename: String,
        /// A signed scan: the issued letter it is the signed copy of.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        letter_id: Option<Uuid>,
    },
    AttestationRecorded {
        details: AttestationDetails,
        statement_sha256: String,
    },
    AttestationWithdrawn {
        reason: String,
    },
    MinisterApprovalRecorded {
        reference: String,
    },
    PksDrafted {
        version: u32,
        /// The text of this version (absent in logs written before drafts carried their text).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        articles: Vec<Article>,
    },
    PksReturned {
        version: u32,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        comments: Vec<ArticleComment>,
    },
    PksApproved {
        version: u32,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        comments: Vec<ArticleComment>,
    },
    PksSigned {
        version: u32,
        on: NaiveDate,
    },
    GrantIssued {
        kind: GrantKind,
        elements: BTreeSet<ElementCode>,
        method: AccessMethod,
        valid_until: NaiveDate,
    },
    GrantSuspended {
        kind: GrantKind,
        reason: String,
        /// Suspended by the evaluation calendar (a later pass restores it).
        #[serde(default, skip_serializing_if = "is_false")]
        evaluation: bool,
    },
    GrantRestored {
        kind: GrantKind,
    },
    GrantRevoked {
        kind: GrantKind,
        reason: String,
    },
    /// A renewal was signed: the user ID now runs to `valid_until`, the new PKS's end.
    GrantExtended {
        kind: GrantKind,
        valid_until: NaiveDate,
    },
    /// An addendum to the live agreement was proposed: the whole scope it would hold.
    AddendumProposed {
        change: ScopeChange,
    },
    /// The proposed addendum was dropped; the scope stays as it is.
    AddendumDropped {
        reason: Option<String>,
    },
    /// The addendum (draft `version`) was signed on `on`: its scope holds from then on.
    AddendumSigned {
        version: u32,
        on: NaiveDate,
        change: ScopeChange,
    },
    /// A signed addendum re-scoped the user ID to these elements and this method.
    GrantRescoped {
        kind: GrantKind,
        elements: BTreeSet<ElementCode>,
        method: AccessMethod,
    },
    /// The grant outlived its `valid_until` (the end of the PKS).
    GrantExpired {
        kind: GrantKind,
    },
    /// The periodic calendar runs from `anchor`; `first_due` is the next periodic due date
    /// (the first one at the production user ID, the following one after each outcome).
    EvaluationsScheduled {
        anchor: NaiveDate,
        first_due: NaiveDate,
    },
    EvaluationOpened {
        kind: EvaluationKind,
        due_on: NaiveDate,
        reason: Option<String>,
    },
    /// The parties were reminded that the agreement ends on `ends_on`, `days_before` days
    /// ahead: the time to prepare its renewal.
    TermReminded {
        ends_on: NaiveDate,
        days_before: u16,
    },
    /// The agency was reminded that the evaluation falls due.
    EvaluationReminded {
        kind: EvaluationKind,
        due_on: NaiveDate,
    },
    /// The due date passed without an outcome: escalated to the head of office.
    EvaluationEscalated {
        kind: EvaluationKind,
        due_on: NaiveDate,
    },
    /// The grace period passed without an outcome: the grants are suspended.
    EvaluationOverdue {
        kind: EvaluationKind,
        due_on: NaiveDate,
    },
    EvaluationRecorded {
        kind: EvaluationKind,
        due_on: NaiveDate,
        outcome: EvaluationOutcome,
        findings: String,
        data_balikan_met: bool,
        report_sha256: Option<String>,
    },
}

impl EventKind {
    /// The snake_case name of the event, as stored in the audit log's `kind` column.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Submitted { .. } => "submitted",
            EventKind::Imported { .. } => "imported",
            EventKind::Transitioned { .. } => "transitioned",
            EventKind::LetterProduced { .. } => "letter_produced",
            EventKind::LetterIssued { .. } => "letter_issued",
            EventKind::DocumentAttached { .. } => "document_attached",
            EventKind::AttestationRecorded { .. } => "attestation_recorded",
            EventKind::AttestationWithdrawn { .. } => "attestation_withdrawn",
            EventKind::MinisterApprovalRecorded { .. } => "minister_approval_recorded",
            EventKind::PksDrafted { .. } => "pks_drafted",
            EventKind::PksReturned { .. } => "pks_returned",
            EventKind::PksApproved { .. } => "pks_approved",
            EventKind::PksSigned { .. } => "pks_signed",
            EventKind::GrantIssued { .. } => "grant_issued",
            EventKind::GrantSuspended { .. } => "grant_suspended",
            EventKind::GrantRestored { .. } => "grant_restored",
            EventKind::GrantRevoked { .. } => "grant_revoked",
            EventKind::GrantExtended { .. } => "grant_extended",
            EventKind::AddendumProposed { .. } => "addendum_proposed",
            EventKind::AddendumDropped { .. } => "addendum_dropped",
            EventKind::AddendumSigned { .. } => "addendum_signed",
            EventKind::GrantRescoped { .. } => "grant_rescoped",
            EventKind::GrantExpired { .. } => "grant_expired",
            EventKind::EvaluationsScheduled { .. } => "evaluations_scheduled",
            EventKind::EvaluationOpened { .. } => "evaluation_opened",
            EventKind::TermReminded { .. } => "term_reminded",
            EventKind::EvaluationReminded { .. } => "evaluation_reminded",
            EventKind::EvaluationEscalated { .. } => "evaluation_escalated",
            EventKind::EvaluationOverdue { .. } => "evaluation_overdue",
            EventKind::EvaluationRecorded { .. } => "evaluation_recorded",
        }
    }
}
