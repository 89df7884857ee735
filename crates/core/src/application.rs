//! An application's state and the events that change it. State is a fold over events, so the
//! audit log alone can rebuild it.

use crate::actor::Ownership;
use crate::calendar;
use crate::elements::ElementCode;
use crate::request::{AccessMethod, Request};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// Which version of which workflow an application runs on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowRef {
    pub name: String,
    pub hash: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionType {
    /// VPN from the agency to Disdukcapil (the agency bears the cost).
    VpnAgencyToDisdukcapil,
    /// LAN, for an agency in the same building.
    Lan,
    /// Disdukcapil's own VPN to the central data warehouse (Disdukcapil's budget).
    VpnDisdukcapilToCentral,
}

/// The closed-and-secure network statement, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttestationDetails {
    pub connection: ConnectionType,
    /// Diskominfo or the third-party provider who built the link and signs the statement.
    pub provider: String,
    pub cost_borne_by: String,
    pub technical_contact: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attestation {
    pub details: AttestationDetails,
    /// SHA-256 of the signed statement document on file.
    pub statement_sha256: String,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
    pub withdrawn: Option<Withdrawal>,
}

impl Attestation {
    pub fn is_active(&self) -> bool {
        self.withdrawn.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawal {
    pub reason: String,
    pub by: Uuid,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantKind {
    Test,
    Production,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum GrantStatus {
    Active,
    Suspended { reason: String },
    Revoked { reason: String },
    Expired,
}

/// A user ID and the access it carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub kind: GrantKind,
    pub elements: BTreeSet<ElementCode>,
    pub method: AccessMethod,
    pub issued_at: DateTime<Utc>,
    pub valid_until: NaiveDate,
    pub status: GrantStatus,
}

/// The PKS draft's review state; the articles themselves live with the letters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PksState {
    /// 0 until the first draft.
    pub version: u32,
    pub drafted_by: Option<Uuid>,
    pub approved_version: Option<u32>,
    pub approved_by: Option<Uuid>,
    pub signed_on: Option<NaiveDate>,
}

impl PksState {
    pub fn current_is_approved(&self) -> bool {
        self.version > 0 && self.approved_version == Some(self.version)
    }

    /// The day the PKS ends: the signing date plus the agreed duration.
    pub fn ends_on(&self, duration_months: u16) -> Option<NaiveDate> {
        self.signed_on
            .map(|d| calendar::add_months_clamped(d, duration_months.into()))
    }
}

/// A document on file, by kind (`signed:<letter>` or a document kind).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRef {
    pub sha256: String,
    pub filename: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinisterApproval {
    pub reference: String,
    pub by: Uuid,
    pub at: DateTime<Utc>,
}

/// Everything the core needs to decide the next step for one application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub id: Uuid,
    pub workflow: WorkflowRef,
    pub ownership: Ownership,
    pub request: Request,
    pub stage: String,
    /// Incremented by every command; the store uses it for optimistic concurrency.
    pub version: i64,
    pub submitted_by: Uuid,
    pub submitted_at: DateTime<Utc>,
    pub stage_entered_at: DateTime<Utc>,
    pub documents: BTreeMap<String, DocumentRef>,
    pub attestation: Option<Attestation>,
    pub minister_approval: Option<MinisterApproval>,
    pub pks: PksState,
    pub grants: Vec<Grant>,
    /// The production user ID's date: the anchor of the six-monthly calendar.
    pub evaluation_anchor: Option<NaiveDate>,
    pub next_evaluation_due: Option<NaiveDate>,
}

impl Application {
    pub fn has_document(&self, key: &str) -> bool {
        self.documents.contains_key(key)
    }

    pub fn attestation_active(&self) -> bool {
        self.attestation
            .as_ref()
            .is_some_and(Attestation::is_active)
    }

    pub fn grant(&self, kind: GrantKind) -> Option<&Grant> {
        self.grants.iter().find(|g| g.kind == kind)
    }

    fn grant_mut(&mut self, kind: GrantKind) -> Option<&mut Grant> {
        self.grants.iter_mut().find(|g| g.kind == kind)
    }

    /// Folds one event into the state. Events come from `apply` (or the audit log), so they
    /// are trusted here; nothing is re-checked.
    pub fn evolve(&mut self, event: &Event) {
        match &event.kind {
            EventKind::Submitted { .. } | EventKind::LetterProduced { .. } => {}
            EventKind::Transitioned { to, .. } => {
                if *to != self.stage {
                    self.stage_entered_at = event.at;
                }
                self.stage = to.clone();
            }
            EventKind::DocumentAttached {
                key,
                sha256,
                filename,
            } => {
                self.documents.insert(
                    key.clone(),
                    DocumentRef {
                        sha256: sha256.clone(),
                        filename: filename.clone(),
                        at: event.at,
                    },
                );
            }
            EventKind::AttestationRecorded {
                details,
                statement_sha256,
            } => {
                self.attestation = Some(Attestation {
                    details: details.clone(),
                    statement_sha256: statement_sha256.clone(),
                    recorded_by: event.actor,
                    recorded_at: event.at,
                    withdrawn: None,
                });
            }
            EventKind::AttestationWithdrawn { reason } => {
                if let Some(a) = self.attestation.as_mut() {
                    a.withdrawn = Some(Withdrawal {
                        reason: reason.clone(),
                        by: event.actor,
                        at: event.at,
                    });
                }
            }
            EventKind::MinisterApprovalRecorded { reference } => {
                self.minister_approval = Some(MinisterApproval {
                    reference: reference.clone(),
                    by: event.actor,
                    at: event.at,
                });
            }
            EventKind::PksDrafted { version } => {
                self.pks.version = *version;
                self.pks.drafted_by = Some(event.actor);
            }
            EventKind::PksReturned { .. } => {}
            EventKind::PksApproved { version } => {
                self.pks.approved_version = Some(*version);
                self.pks.approved_by = Some(event.actor);
            }
            EventKind::PksSigned { on, .. } => self.pks.signed_on = Some(*on),
            EventKind::GrantIssued {
                kind,
                elements,
                method,
                valid_until,
            } => {
                self.grants.retain(|g| g.kind != *kind);
                self.grants.push(Grant {
                    kind: *kind,
                    elements: elements.clone(),
                    method: *method,
                    issued_at: event.at,
                    valid_until: *valid_until,
                    status: GrantStatus::Active,
                });
            }
            EventKind::GrantSuspended { kind, reason } => {
                if let Some(g) = self.grant_mut(*kind) {
                    g.status = GrantStatus::Suspended {
                        reason: reason.clone(),
                    };
                }
            }
            EventKind::GrantRestored { kind } => {
                if let Some(g) = self.grant_mut(*kind) {
                    g.status = GrantStatus::Active;
                }
            }
            EventKind::GrantRevoked { kind, reason } => {
                if let Some(g) = self.grant_mut(*kind) {
                    g.status = GrantStatus::Revoked {
                        reason: reason.clone(),
                    };
                }
            }
            EventKind::EvaluationsScheduled { anchor, first_due } => {
                self.evaluation_anchor = Some(*anchor);
                self.next_evaluation_due = Some(*first_due);
            }
        }
    }
}

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
    Transitioned {
        action: String,
        from: String,
        to: String,
        comment: Option<String>,
    },
    /// A stage's letter is due: the store numbers it, the letters crate renders it.
    LetterProduced {
        letter: String,
        stage: String,
    },
    DocumentAttached {
        key: String,
        sha256: String,
        filename: String,
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
    },
    PksReturned {
        version: u32,
    },
    PksApproved {
        version: u32,
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
    },
    GrantRestored {
        kind: GrantKind,
    },
    GrantRevoked {
        kind: GrantKind,
        reason: String,
    },
    EvaluationsScheduled {
        anchor: NaiveDate,
        first_due: NaiveDate,
    },
}

impl EventKind {
    /// The snake_case name of the event, as stored in the audit log's `kind` column.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Submitted { .. } => "submitted",
            EventKind::Transitioned { .. } => "transitioned",
            EventKind::LetterProduced { .. } => "letter_produced",
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
            EventKind::EvaluationsScheduled { .. } => "evaluations_scheduled",
        }
    }
}
