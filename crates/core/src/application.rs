//! An application's state and the events that change it. State is a fold over events, so the
//! audit log alone can rebuild it.

use crate::actor::Ownership;
use crate::addendum::PendingAddendum;
use crate::calendar;
use crate::elements::ElementCode;
use crate::letter::IssuedLetter;
use crate::pks;
use crate::request::{AccessMethod, Request};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

mod event;
mod fold;

pub use event::{Event, EventKind};

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
    /// Suspended by the evaluation calendar (overdue or failed), so a later pass restores it;
    /// a suspension by hand (also one after the calendar's) is not lifted by an evaluation, and
    /// no restore by hand lifts the calendar's while the evaluation is overdue or failed
    /// (`evaluation::hold`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub held_by_evaluation: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvaluationKind {
    /// Every `interval_months` after the production user ID.
    Periodic,
    /// Opened by Disdukcapil at any time.
    Incidental,
}

impl EvaluationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EvaluationKind::Periodic => "periodic",
            EvaluationKind::Incidental => "incidental",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvaluationOutcome {
    Pass,
    PassWithFindings,
    /// Suspends the agency's grants until a later evaluation passes.
    Fail,
}

impl EvaluationOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            EvaluationOutcome::Pass => "pass",
            EvaluationOutcome::PassWithFindings => "pass_with_findings",
            EvaluationOutcome::Fail => "fail",
        }
    }

    pub fn passed(self) -> bool {
        self != EvaluationOutcome::Fail
    }
}

/// One evaluation (monev) of a live access, from opening to its recorded outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    pub kind: EvaluationKind,
    pub due_on: NaiveDate,
    pub opened_at: DateTime<Utc>,
    /// Why an incidental evaluation was opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The agency was reminded before the due date.
    pub reminded: bool,
    /// Past the due date: escalated to the head of the Disdukcapil office.
    pub escalated: bool,
    /// Past the grace period: the grants were suspended.
    pub overdue: bool,
    pub result: Option<EvaluationResult>,
}

impl Evaluation {
    pub fn is_open(&self) -> bool {
        self.result.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationResult {
    pub outcome: EvaluationOutcome,
    pub findings: String,
    /// Whether the return-data (data balikan) obligations were met this period.
    pub data_balikan_met: bool,
    /// SHA-256 of the agency's semester report on file, when one was.
    pub report_sha256: Option<String>,
    pub by: Uuid,
    pub at: DateTime<Utc>,
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
    /// How many articles the current version has (0 for a version drafted without its text).
    #[serde(default)]
    pub articles: u32,
    /// SHA-256 of the current version's articles: what an approval and a signature refer to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// The number of a PKS signed before Sepakat and imported (`import`); a PKS signed here
    /// carries its number on its issued letter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
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
    /// For a signed scan (`signed:<letter>`): the issued letter it is the signed copy of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of_letter: Option<Uuid>,
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
    /// The earliest due date among the open evaluations and the next periodic one; `None`
    /// once no access is live. Derived by `evolve`, kept on the row for the due-date index.
    pub next_evaluation_due: Option<NaiveDate>,
    /// The next periodic due date (the one in progress until its outcome is recorded).
    #[serde(default)]
    pub periodic_due: Option<NaiveDate>,
    /// Every evaluation opened, oldest first.
    #[serde(default)]
    pub evaluations: Vec<Evaluation>,
    /// The latest issued letter of each kind.
    #[serde(default)]
    pub letters: BTreeMap<String, IssuedLetter>,
    /// The tightest reminder sent so far of the agreement's end (see
    /// [`crate::evaluation::term_reminder_due`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term_reminded: Option<TermReminder>,
    /// The daily quota an addendum agreed; `None` is the standard [`pks::DAILY_QUOTA`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_quota: Option<u32>,
    /// The addendum proposed and not yet signed or dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addendum: Option<PendingAddendum>,
    /// How many addenda were signed: the next one is numbered after them.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub addenda: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A reminder that the agreement ends on `ends_on`, sent `days_before` (180, 90 or 30) days
/// ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermReminder {
    pub ends_on: NaiveDate,
    pub days_before: u16,
}

impl Application {
    /// The calendar day of `at` at the office that handles the application.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        crate::calendar::local_date(at, self.ownership.zone)
    }

    pub fn has_document(&self, key: &str) -> bool {
        self.documents.contains_key(key)
    }

    /// `letter` was issued since the application entered its current stage.
    pub fn issued_in_stage(&self, letter: &str) -> bool {
        self.letters
            .get(letter)
            .is_some_and(|l| l.stage == self.stage && l.at >= self.stage_entered_at)
    }

    /// The signed scan of the issued `letter` is on file. An application issued before letters
    /// were issued ahead of signing has no record of it: any signed scan counts there.
    pub fn has_signed(&self, letter: &str) -> bool {
        let Some(doc) = self.documents.get(&format!("signed:{letter}")) else {
            return false;
        };
        match self.letters.get(letter) {
            Some(issued) => doc.of_letter == Some(issued.id),
            None => true,
        }
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

    /// The last day of the agreement's term: the latest `valid_until` of the user IDs still
    /// live (active or suspended). `None` once no user ID is live.
    pub fn term_ends_on(&self) -> Option<NaiveDate> {
        self.grants
            .iter()
            .filter(|g| {
                matches!(
                    g.status,
                    GrantStatus::Active | GrantStatus::Suspended { .. }
                )
            })
            .map(|g| g.valid_until)
            .max()
    }

    /// A renewal may start: the calendar has announced the end of the current term (the
    /// first reminder, [`crate::evaluation::TERM_REMINDER_DAYS`] ahead).
    pub fn renewal_open(&self) -> bool {
        self.term_ends_on()
            .is_some_and(|end| self.term_reminded.is_some_and(|r| r.ends_on == end))
    }

    /// Most queries a day the agreement allows.
    pub fn daily_quota(&self) -> u32 {
        self.daily_quota.unwrap_or(pks::DAILY_QUOTA)
    }

    /// The pending addendum adds a protected element the agreement did not hold, and the
    /// Minister's approval of it is not on record: one recorded before the proposal approved
    /// the old scope, not this one.
    pub fn addendum_needs_minister(&self) -> bool {
        let Some(a) = &self.addendum else {
            return false;
        };
        let held = self.request.element_codes();
        let adds_protected = a
            .change
            .elements
            .iter()
            .any(|e| e.code.is_protected() && !held.contains(&e.code));
        adds_protected
            && self
                .minister_approval
                .as_ref()
                .is_none_or(|m| m.at < a.proposed_at)
    }

    /// The production user ID is live (active, or suspended and restorable).
    pub fn access_live(&self) -> bool {
        self.grant(GrantKind::Production).is_some_and(|g| {
            matches!(
                g.status,
                GrantStatus::Active | GrantStatus::Suspended { .. }
            )
        })
    }

    pub fn evaluation(&self, kind: EvaluationKind, due_on: NaiveDate) -> Option<&Evaluation> {
        self.evaluations
            .iter()
            .find(|e| e.kind == kind && e.due_on == due_on)
    }

    fn evaluation_mut(
        &mut self,
        kind: EvaluationKind,
        due_on: NaiveDate,
    ) -> Option<&mut Evaluation> {
        self.evaluations
            .iter_mut()
            .find(|e| e.kind == kind && e.due_on == due_on)
    }

    pub fn open_evaluations(&self) -> impl Iterator<Item = &Evaluation> {
        self.evaluations.iter().filter(|e| e.is_open())
    }

    pub(crate) fn refresh_next_due(&mut self) {
        self.next_evaluation_due = if self.access_live() {
            self.open_evaluations()
                .map(|e| e.due_on)
                .chain(self.periodic_due)
                .min()
        } else {
            None
        };
    }
}
