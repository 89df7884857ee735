//! Workflows as data: the TOML model, its loader and its validator.
//!
//! A workflow file names its stages, the transitions between them (who may fire each, what it
//! requires, which letter it produces, what it does to PKS and grants) and the evaluation policy.
//! Loading checks everything a typo could break and reports every error with its file and line.
//!
//! The model is here; the letters and documents a workflow may name, and who files each, are in
//! `documents`; reading and validating a file is `load`.

use crate::actor::Role;
use crate::request::{AccessMethod, DataType, RequestPolicy};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

mod documents;
mod error;
mod load;
mod raw;
#[cfg(test)]
mod tests;

pub use documents::{
    AGENCY_LETTERS, CORE_DOCUMENTS, DOCUMENTS, FilingRefusal, LETTERS, document_title,
    filing_title, issued_by_agency, letter_title,
};
pub use error::{WorkflowError, WorkflowErrors};
pub use raw::MAX_SLA_DAYS;

/// What a transition needs before it may fire.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum Requirement {
    /// The signed scan of a generated letter is on file (`signed:<letter>`).
    Signed(String),
    /// An uploaded document of this kind is on file (`document:<kind>`).
    Document(String),
    /// A closed-network attestation is recorded and not withdrawn.
    Attestation,
    /// The current PKS draft has been approved in review.
    PksApproved,
    /// The Minister's approval is on record — needed only when the request holds protected elements.
    MinisterApproval,
    /// The actor must explain the action (returns and refusals).
    Comment,
    /// The calendar has announced the PKS's end (its first reminder, 180 days ahead): from then
    /// on a renewal may start (`term_ending`).
    TermEnding,
}

impl Requirement {
    fn parse(s: &str) -> Result<Self, String> {
        match s {
            "attestation" => return Ok(Requirement::Attestation),
            "pks_approved" => return Ok(Requirement::PksApproved),
            "minister_approval" => return Ok(Requirement::MinisterApproval),
            "comment" => return Ok(Requirement::Comment),
            "term_ending" => return Ok(Requirement::TermEnding),
            _ => {}
        }
        if let Some(letter) = s.strip_prefix("signed:") {
            return if letter_title(letter).is_some() {
                Ok(Requirement::Signed(letter.to_string()))
            } else {
                Err(format!(
                    "unknown letter `{letter}` in `{s}`; known letters: {}",
                    names(LETTERS)
                ))
            };
        }
        if let Some(kind) = s.strip_prefix("document:") {
            return if document_title(kind).is_some() {
                Ok(Requirement::Document(kind.to_string()))
            } else {
                Err(format!(
                    "unknown document kind `{kind}` in `{s}`; known kinds: {}",
                    names(DOCUMENTS)
                ))
            };
        }
        Err(format!(
            "unknown requirement `{s}`; use attestation, pks_approved, minister_approval, comment, \
             signed:<letter> or document:<kind>"
        ))
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Requirement::Signed(l) => write!(f, "signed:{l}"),
            Requirement::Document(k) => write!(f, "document:{k}"),
            Requirement::Attestation => f.write_str("attestation"),
            Requirement::PksApproved => f.write_str("pks_approved"),
            Requirement::MinisterApproval => f.write_str("minister_approval"),
            Requirement::Comment => f.write_str("comment"),
            Requirement::TermEnding => f.write_str("term_ending"),
        }
    }
}

fn names(list: &[(&str, &str)]) -> String {
    list.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
}

/// What a transition does besides moving the stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// A new PKS draft version, drafted by the actor.
    DraftPks,
    /// The reviewer sends the draft back (needs a comment).
    ReturnPks,
    /// The reviewer approves the current draft: never the person who drafted it (four-eyes).
    ApprovePks,
    /// The approved PKS is signed; needs the Minister's approval when protected elements are asked.
    SignPks,
    /// Test user ID: only behind a recorded, unwithdrawn closed-network attestation.
    IssueTestGrant,
    /// Production user ID: same gate; starts the six-monthly evaluation calendar.
    IssueProductionGrant,
    SuspendGrants,
    RestoreGrants,
    RevokeGrants,
    /// The renewal (perpanjangan) is signed: every live user ID runs on to the end of the new
    /// PKS, without a gap. Only with `sign_pks` in the same transition, which dates the new term.
    ExtendGrants,
    /// An addendum to the live agreement is proposed: the transition carries the whole new
    /// scope (`addendum`), checked as a request is.
    ProposeAddendum,
    /// The approved addendum is signed: its scope holds and every live user ID is re-scoped.
    /// Needs the Minister's approval when it adds a protected element.
    SignAddendum,
    /// The proposed addendum is dropped; the scope stays.
    DropAddendum,
}

impl Effect {
    pub fn issues_grant(self) -> bool {
        matches!(self, Effect::IssueTestGrant | Effect::IssueProductionGrant)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Handled by the provincial Disdukcapil; approval signed by the Governor or Sekda.
    Provinsi,
    /// Handled by a kab/kota Disdukcapil; permission from the Bupati/Wali Kota; PKS consulted with the province.
    Kabkota,
    /// Any Disdukcapil (aggregate requests are answered by whichever office holds the data).
    Any,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stage {
    pub name: String,
    pub title: String,
    /// Days the stage should take (service-level target); `None` for terminal stages.
    pub sla_days: Option<u32>,
    pub terminal: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transition {
    pub action: String,
    pub title: String,
    pub from: Vec<String>,
    pub to: String,
    pub roles: Vec<Role>,
    pub requires: Vec<Requirement>,
    pub letter: Option<String>,
    pub effects: Vec<Effect>,
    /// The action ends or takes something away (rejects, cancels, ends the agreement, suspends
    /// access): pages draw it apart from the others and ask for confirmation first.
    pub destructive: bool,
    /// A way the parties may take at any time (an addendum), never a step the application
    /// waits on: it is in nobody's inbox and never "next".
    pub optional: bool,
}

impl Transition {
    pub fn has(&self, e: Effect) -> bool {
        self.effects.contains(&e)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Submission {
    pub stage: String,
    pub roles: Vec<Role>,
    pub letter: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvaluationPolicy {
    pub interval_months: u32,
    /// Days after the due date before an evaluation is overdue (and grants are suspended).
    pub grace_days: u32,
    /// Days before the due date when reminders go out.
    pub reminder_days: u32,
    /// The report letter numbered when an outcome is recorded (`laporan_evaluasi`).
    pub letter: Option<String>,
}

/// A loaded, validated workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Workflow {
    pub name: String,
    pub title: String,
    /// SHA-256 of the file's bytes: an application stays pinned to the version it started on.
    pub hash: String,
    pub level: Level,
    pub data_type: DataType,
    pub allowed_methods: Vec<AccessMethod>,
    pub max_duration_months: u16,
    pub submission: Submission,
    pub evaluation: EvaluationPolicy,
    pub stages: Vec<Stage>,
    pub transitions: Vec<Transition>,
    /// Who may file each uploaded document kind (`[documents]`), the first role being the one
    /// the next-step box names. A kind not listed is not filed in this workflow.
    pub documents: BTreeMap<String, Vec<Role>>,
}

impl Workflow {
    pub fn stage(&self, name: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.name == name)
    }

    pub fn transition(&self, action: &str) -> Option<&Transition> {
        self.transitions.iter().find(|t| t.action == action)
    }

    /// The transitions that leave `stage`.
    pub fn transitions_from<'a>(
        &'a self,
        stage: &'a str,
    ) -> impl Iterator<Item = &'a Transition> + 'a {
        self.transitions
            .iter()
            .filter(move |t| t.from.iter().any(|f| f == stage))
    }

    /// Every letter the workflow produces, each once, in pipeline order: the submission's, the
    /// transitions', then the evaluation report.
    pub fn letters(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        let all = self
            .submission
            .letter
            .iter()
            .chain(self.transitions.iter().filter_map(|t| t.letter.as_ref()))
            .chain(self.evaluation.letter.iter());
        for name in all {
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
        names
    }

    pub fn request_policy(&self) -> RequestPolicy {
        RequestPolicy {
            data_type: self.data_type,
            allowed_methods: self.allowed_methods.clone(),
            max_duration_months: self.max_duration_months,
        }
    }

    /// The roles that may file a document of `kind`; empty when the workflow takes none.
    pub fn filers(&self, kind: &str) -> &[Role] {
        self.documents.get(kind).map_or(&[], Vec::as_slice)
    }

    /// The role that provides a document of `kind`: the first the workflow names.
    pub fn document_filer(&self, kind: &str) -> Option<Role> {
        self.filers(kind).first().copied()
    }

    /// Whether `role` may file an uploaded document of `kind`, or the signed scan of a letter
    /// (`signed:<letter>`). Read-only roles (auditor, admin) are never filers: a document is
    /// filed by whoever vouches for it, never by an administrator on their behalf.
    pub fn may_file(&self, kind: &str, role: Role) -> Result<(), FilingRefusal> {
        if filing_title(kind).is_none() {
            return Err(FilingRefusal::UnknownKind {
                kind: kind.to_string(),
            });
        }
        let filers = self.filers(kind);
        if filers.is_empty() {
            return Err(FilingRefusal::NotInWorkflow {
                kind: kind.to_string(),
                accepted: self.documents.keys().cloned().collect(),
            });
        }
        if filers.contains(&role) {
            Ok(())
        } else {
            Err(FilingRefusal::NotFiler {
                kind: kind.to_string(),
                role,
                filers: filers.to_vec(),
            })
        }
    }
}
