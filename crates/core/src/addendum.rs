//! The addendum (*adendum*) to a live PKS: a change of the agreement's scope — its data
//! elements, its access method or its daily quota — proposed by the office or the agency,
//! then drafted, reviewed article by article and signed like the PKS itself. When it is signed
//! the live user IDs are re-scoped to it.
//!
//! The same rules hold as for a request: every element known and justified, protected elements
//! only for state security or law enforcement, a method the workflow offers. A protected
//! element the agreement did not already hold needs the Minister's approval recorded after the
//! proposal ([`Application::addendum_needs_minister`]).

use crate::application::Application;
use crate::elements::ElementCode;
use crate::pks::DAILY_QUOTA;
use crate::request::{
    AccessMethod, Request, RequestPolicy, RequestProblem, RequestedElement, check_request,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use uuid::Uuid;

/// The most queries per day an agreement may allow: a hundred times the standard quota.
pub const MAX_DAILY_QUOTA: u32 = 100 * DAILY_QUOTA;

/// An agreement's scope: what an addendum proposes, whole (not as a difference), so that the
/// signed addendum states the scope that holds from then on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeChange {
    pub elements: Vec<RequestedElement>,
    pub access_method: AccessMethod,
    /// Most queries per day.
    pub daily_quota: u32,
}

impl ScopeChange {
    /// The scope an application holds now.
    pub fn current(app: &Application) -> Option<ScopeChange> {
        Some(ScopeChange {
            elements: app.request.elements.clone(),
            access_method: app.request.access_method?,
            daily_quota: app.daily_quota(),
        })
    }

    pub fn element_codes(&self) -> BTreeSet<ElementCode> {
        self.elements.iter().map(|e| e.code).collect()
    }

    /// The request as this scope amends it: the purpose, parties and term stay.
    pub fn amend(&self, request: &Request) -> Request {
        Request {
            elements: self.elements.clone(),
            access_method: Some(self.access_method),
            ..request.clone()
        }
    }
}

/// A proposed addendum, pending until it is signed or dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingAddendum {
    pub change: ScopeChange,
    pub proposed_by: Uuid,
    pub proposed_at: DateTime<Utc>,
    /// The PKS draft version when it was proposed: a later version is the addendum's text.
    pub base_version: u32,
}

/// What an addendum would change, for the letter and the pages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScopeDiff {
    pub added: Vec<ElementCode>,
    pub removed: Vec<ElementCode>,
    pub method: Option<(AccessMethod, AccessMethod)>,
    pub quota: Option<(u32, u32)>,
}

impl ScopeDiff {
    pub fn is_empty(&self) -> bool {
        *self == ScopeDiff::default()
    }
}

/// The difference between the current scope and `change`.
pub fn diff(current: &ScopeChange, change: &ScopeChange) -> ScopeDiff {
    let (old, new) = (current.element_codes(), change.element_codes());
    ScopeDiff {
        added: new.difference(&old).copied().collect(),
        removed: old.difference(&new).copied().collect(),
        method: (current.access_method != change.access_method)
            .then_some((current.access_method, change.access_method)),
        quota: (current.daily_quota != change.daily_quota)
            .then_some((current.daily_quota, change.daily_quota)),
    }
}

/// Why an addendum cannot be proposed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AddendumProblem {
    /// The elements or method break the request rules.
    Request {
        problem: RequestProblem,
    },
    DailyQuotaOutOfRange {
        max: u32,
    },
    /// The proposal is the scope the agreement already has.
    ChangesNothing,
    /// A scope was given to a step that proposes no addendum.
    NotAProposal,
}

impl AddendumProblem {
    pub fn message_id(&self) -> String {
        match self {
            AddendumProblem::Request { problem } => problem.message_id(),
            AddendumProblem::DailyQuotaOutOfRange { max } => {
                format!("Batas akses harian harus antara 1 dan {max} kali per hari.")
            }
            AddendumProblem::ChangesNothing => {
                "Usulan adendum sama dengan ruang lingkup yang berlaku: ubah elemen data, metode akses atau batas akses harian."
                    .into()
            }
            AddendumProblem::NotAProposal => {
                "Ruang lingkup baru hanya dapat diberikan pada langkah pengusulan adendum.".into()
            }
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            AddendumProblem::Request { problem } => problem.message_en(),
            AddendumProblem::DailyQuotaOutOfRange { max } => {
                format!("The daily quota must be between 1 and {max} queries a day.")
            }
            AddendumProblem::ChangesNothing => {
                "The proposal is the scope already in force: change the elements, the access method or the daily quota."
                    .into()
            }
            AddendumProblem::NotAProposal => {
                "A new scope is given only with the step that proposes an addendum.".into()
            }
        }
    }

    /// The input field the problem belongs to.
    pub fn field(&self) -> String {
        match self {
            AddendumProblem::Request { problem } => format!("addendum.{}", problem.field()),
            AddendumProblem::DailyQuotaOutOfRange { .. } => "addendum.daily_quota".into(),
            AddendumProblem::ChangesNothing | AddendumProblem::NotAProposal => "addendum".into(),
        }
    }
}

/// Every problem of proposing `change` to `app` under `policy`.
pub fn check(
    app: &Application,
    policy: &RequestPolicy,
    change: &ScopeChange,
) -> Vec<AddendumProblem> {
    let mut out: Vec<AddendumProblem> = match check_request(&change.amend(&app.request), policy) {
        Ok(()) => Vec::new(),
        Err(problems) => problems
            .into_iter()
            .map(|problem| AddendumProblem::Request { problem })
            .collect(),
    };
    if change.daily_quota == 0 || change.daily_quota > MAX_DAILY_QUOTA {
        out.push(AddendumProblem::DailyQuotaOutOfRange {
            max: MAX_DAILY_QUOTA,
        });
    }
    // A new justification alone changes no scope: the user IDs would stay as they are.
    if let Some(current) = ScopeChange::current(app)
        && diff(&current, change).is_empty()
    {
        out.push(AddendumProblem::ChangesNothing);
    }
    out
}
