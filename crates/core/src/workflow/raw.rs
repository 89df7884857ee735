//! A workflow file as written: the TOML's tables with every name's place in the file, before
//! anything is checked.

use super::{Effect, Level};
use crate::request::{AccessMethod, DataType};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEvaluation {
    pub interval_months: u32,
    pub grace_days: u32,
    pub reminder_days: u32,
    pub letter: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorkflow {
    pub workflow: RawHeader,
    pub submission: RawSubmission,
    pub evaluation: Option<RawEvaluation>,
    #[serde(default)]
    pub stage: Vec<RawStage>,
    #[serde(default)]
    pub transition: Vec<RawTransition>,
    /// Document kind → the roles that may file it.
    pub documents: Option<Spanned<RawFilers>>,
}

/// `[documents]` as written: each kind with its roles, every name with its place in the file.
pub type RawFilers = BTreeMap<Spanned<String>, Spanned<Vec<Spanned<String>>>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHeader {
    pub name: Spanned<String>,
    pub title: String,
    pub level: Level,
    pub data_type: DataType,
    pub allowed_methods: Option<Spanned<Vec<AccessMethod>>>,
    pub max_duration_months: Spanned<u16>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSubmission {
    pub stage: Spanned<String>,
    pub roles: Vec<Spanned<String>>,
    pub letter: Option<Spanned<String>>,
}

/// The longest stage target a workflow may set. The dashboard counts waits past their target from
/// counters kept per entry day for this long (`stats::OPEN_EXACT_DAYS`), so the count is exact.
pub const MAX_SLA_DAYS: u32 = 180;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStage {
    pub name: Spanned<String>,
    pub title: String,
    pub sla_days: Option<u32>,
    #[serde(default)]
    pub terminal: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTransition {
    pub action: Spanned<String>,
    pub title: String,
    pub from: Vec<Spanned<String>>,
    pub to: Spanned<String>,
    pub roles: Vec<Spanned<String>>,
    #[serde(default)]
    pub requires: Vec<Spanned<String>>,
    pub letter: Option<Spanned<String>>,
    #[serde(default)]
    pub effects: Vec<Spanned<Effect>>,
    #[serde(default)]
    pub destructive: bool,
    #[serde(default)]
    pub optional: bool,
}
