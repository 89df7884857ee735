//! Sepakat's domain, pure: no I/O, no async, no database or HTTP types.
//!
//! - [`workflow`]: workflows as data, loaded from TOML and validated;
//! - [`machine`]: `submit` and `apply`, the state machine;
//! - [`application`]: an application's state and its events;
//! - [`request`] and [`elements`]: what may be asked for (the 31 elements, the protected five);
//! - [`actor`]: roles and jurisdiction;
//! - [`calendar`]: the six-monthly evaluation calendar;
//! - [`evaluation`]: what the calendar and a recorded outcome do to a live access;
//! - [`diagram`]: the pipeline as Mermaid or Graphviz text;
//! - [`addendum`]: a live agreement's change of scope, proposed, reviewed and signed;
//! - [`pks`]: the PKS as structured articles, their checks and the diff between versions;
//! - [`password`]: the password rule every account's new password must pass;
//! - [`inbox`]: which roles a stage waits on, and when its target runs out;
//! - [`letter`]: letters as records: registers, the facts a letter needs, issued letters;
//! - [`import`]: agreements signed before Sepakat, checked row by row into their live stage;
//! - [`stats`]: what dashboards count: measured stages, the attestation block, day buckets.

pub mod actor;
pub mod addendum;
pub mod application;
pub mod calendar;
pub mod diagram;
pub mod elements;
pub mod evaluation;
pub mod import;
pub mod inbox;
pub mod letter;
pub mod machine;
pub mod next;
pub mod numbering;
pub mod password;
pub mod pks;
pub mod request;
pub mod stats;
pub mod workflow;

pub use actor::{Actor, Ownership, RegionCode, Role, Scope};
pub use application::{
    Application, EvaluationKind, EvaluationOutcome, Event, EventKind, GrantKind, GrantStatus,
};
pub use elements::{CATALOGUE, ElementCode};
pub use machine::{
    AvailableAction, Command, Rejection, Unmet, apply, available_actions, execute, submit,
};
pub use request::{AccessMethod, DataType, PurposeKind, Request, RequestedElement};
pub use workflow::{Workflow, WorkflowError, WorkflowErrors};
