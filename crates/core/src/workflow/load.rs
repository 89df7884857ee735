//! Reading a workflow file: the TOML as written, and the validator that turns it into a
//! [`Workflow`] or reports every error with its file, line and what to change.

use super::documents::{LETTERS, letter_title};
use super::error::{WorkflowError, WorkflowErrors};
use super::raw::{
    MAX_SLA_DAYS, RawEvaluation, RawHeader, RawStage, RawSubmission, RawTransition, RawWorkflow,
};
use super::{
    Effect, EvaluationPolicy, Requirement, Stage, Submission, Transition, Workflow, names,
};
use crate::actor::Role;
use crate::request::{AccessMethod, DataType};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::ops::Range;
use toml::Spanned;

mod filers;

impl Workflow {
    /// Parses and validates a workflow file. `file` is only used in error messages.
    pub fn from_toml(file: &str, source: &str) -> Result<Workflow, WorkflowErrors> {
        Self::parse(file, source, false)
    }

    /// Parses a version kept in the store. A version registered before files declared who files
    /// each document (`[documents]`) is read with the rule the shipped files declare; anything
    /// else is checked as [`Workflow::from_toml`] does.
    pub fn from_stored_toml(file: &str, source: &str) -> Result<Workflow, WorkflowErrors> {
        Self::parse(file, source, true)
    }

    fn parse(file: &str, source: &str, stored: bool) -> Result<Workflow, WorkflowErrors> {
        let raw: RawWorkflow = toml::from_str(source).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            WorkflowErrors(vec![WorkflowError::at(
                file,
                source,
                span,
                e.message().trim().to_string(),
                "fix the TOML syntax or field at this place; see workflows/README.md for the format",
            )])
        })?;
        Validator {
            file,
            source,
            errors: Vec::new(),
            stored,
        }
        .validate(raw, source)
    }
}

struct Validator<'a> {
    file: &'a str,
    source: &'a str,
    errors: Vec<WorkflowError>,
    /// A version read back from the store: it may predate `[documents]`.
    stored: bool,
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        && s.as_bytes()[0].is_ascii_lowercase()
}

impl<'a> Validator<'a> {
    fn err(&mut self, span: Range<usize>, message: String, hint: impl Into<String>) {
        self.errors.push(WorkflowError::at(
            self.file,
            self.source,
            span,
            message,
            hint,
        ));
    }

    fn roles(&mut self, list: &[Spanned<String>], whose: &str) -> Vec<Role> {
        if list.is_empty() {
            // No span for an empty array we could point at more precisely than the owner.
        }
        let mut roles = Vec::new();
        for r in list {
            match r.get_ref().parse::<Role>() {
                Ok(role) if roles.contains(&role) => self.err(
                    r.span(),
                    format!("role `{role}` is listed twice in {whose}"),
                    "list each role once",
                ),
                Ok(role) => roles.push(role),
                Err(e) => self.err(r.span(), e.to_string(), "correct the role name"),
            }
        }
        roles
    }

    fn letter(&mut self, l: &Option<Spanned<String>>) -> Option<String> {
        let l = l.as_ref()?;
        if letter_title(l.get_ref()).is_none() {
            self.err(
                l.span(),
                format!("unknown letter `{}`", l.get_ref()),
                format!("use one of the letter templates: {}", names(LETTERS)),
            );
            return None;
        }
        Some(l.get_ref().clone())
    }

    fn validate(mut self, raw: RawWorkflow, source: &str) -> Result<Workflow, WorkflowErrors> {
        let h = &raw.workflow;
        let methods = self.header(h);
        let (stages, stage_spans) = self.stages(&raw.stage);
        let submission = self.submission(&raw.submission, &stage_spans);
        let mut actions = BTreeSet::new();
        let transitions: Vec<Transition> = raw
            .transition
            .iter()
            .map(|t| self.transition(t, h.data_type, &stages, &stage_spans, &mut actions))
            .collect();
        if stage_spans.contains_key(&submission.stage) {
            self.reachability(&submission, &stages, &stage_spans, &transitions);
        }
        let evaluation = self.evaluation(raw.evaluation.as_ref(), h.data_type);

        let produced: Vec<&str> = submission
            .letter
            .iter()
            .chain(transitions.iter().filter_map(|t| t.letter.as_ref()))
            .chain(evaluation.letter.iter())
            .map(String::as_str)
            .collect();
        let documents = self.documents(&raw, h.data_type, &transitions, &produced);

        if !self.errors.is_empty() {
            self.errors.sort_by_key(|e| (e.line, e.column));
            return Err(WorkflowErrors(self.errors));
        }
        Ok(Workflow {
            name: h.name.get_ref().clone(),
            title: h.title.clone(),
            hash: hex::encode(Sha256::digest(source.as_bytes())),
            level: h.level,
            data_type: h.data_type,
            allowed_methods: methods,
            max_duration_months: *h.max_duration_months.get_ref(),
            submission,
            evaluation,
            stages,
            transitions,
            documents,
        })
    }

    /// `[workflow]`: its name, the access methods its data type allows, a duration. Returns the
    /// methods allowed.
    fn header(&mut self, h: &RawHeader) -> Vec<AccessMethod> {
        if !valid_name(h.name.get_ref()) {
            self.err(
                h.name.span(),
                format!(
                    "workflow name `{}` is not a valid identifier",
                    h.name.get_ref()
                ),
                "use lowercase letters, digits, `_` or `-`, starting with a letter",
            );
        }
        let no_methods = Vec::new();
        let methods = h
            .allowed_methods
            .as_ref()
            .map_or(&no_methods, |m| m.get_ref());
        let methods_span = h
            .allowed_methods
            .as_ref()
            .map_or(h.name.span(), |m| m.span());
        match h.data_type {
            DataType::Individual if methods.is_empty() => self.err(
                methods_span.clone(),
                "an individual-data workflow must allow at least one access method".into(),
                "set allowed_methods, e.g. [\"web_portal\"]",
            ),
            DataType::Aggregate if !methods.is_empty() => self.err(
                methods_span.clone(),
                "an aggregate-data workflow answers by letter and allows no access method".into(),
                "remove allowed_methods",
            ),
            _ => {}
        }
        let dup_method = methods
            .iter()
            .enumerate()
            .any(|(i, m)| methods[..i].contains(m));
        if dup_method {
            self.err(
                methods_span.clone(),
                "an access method is listed twice".into(),
                "list each method once",
            );
        }
        if *h.max_duration_months.get_ref() == 0 {
            self.err(
                h.max_duration_months.span(),
                "max_duration_months must be at least 1".into(),
                "e.g. 60",
            );
        }
        methods.clone()
    }

    /// `[[stage]]`: unique valid names, targets in range, at least one end. Returns the stages
    /// and where each name stands in the file.
    fn stages(&mut self, raw: &[RawStage]) -> (Vec<Stage>, BTreeMap<String, Range<usize>>) {
        let mut stages: Vec<Stage> = Vec::new();
        let mut stage_spans: BTreeMap<String, Range<usize>> = BTreeMap::new();
        for s in raw {
            let name = s.name.get_ref();
            if !valid_name(name) {
                self.err(
                    s.name.span(),
                    format!("stage name `{name}` is not a valid identifier"),
                    "use lowercase letters, digits, `_` or `-`, starting with a letter",
                );
            }
            if stage_spans.contains_key(name) {
                self.err(
                    s.name.span(),
                    format!("duplicate stage `{name}`"),
                    "rename one of the stages",
                );
                continue;
            }
            stage_spans.insert(name.clone(), s.name.span());
            if let Some(days) = s.sla_days.filter(|d| !(1..=MAX_SLA_DAYS).contains(d)) {
                self.err(
                    s.name.span(),
                    format!("stage `{name}` has sla_days = {days}, outside 1..={MAX_SLA_DAYS}"),
                    "set a target of at most half a year, or leave sla_days out for a stage without one",
                );
            }
            stages.push(Stage {
                name: name.clone(),
                title: s.title.clone(),
                sla_days: s.sla_days,
                terminal: s.terminal,
            });
        }
        if stages.is_empty() {
            self.err(
                0..0,
                "the workflow has no stages".into(),
                "add [[stage]] tables",
            );
        }
        if !stages.iter().any(|s| s.terminal) && !stages.is_empty() {
            self.err(
                0..0,
                "the workflow has no terminal stage".into(),
                "mark the end stages with `terminal = true`",
            );
        }
        (stages, stage_spans)
    }

    /// `[submission]`: a declared stage, at least one role.
    fn submission(
        &mut self,
        raw: &RawSubmission,
        stage_spans: &BTreeMap<String, Range<usize>>,
    ) -> Submission {
        let sub_stage = &raw.stage;
        if !stage_spans.contains_key(sub_stage.get_ref()) {
            self.err(
                sub_stage.span(),
                format!("unknown stage `{}` in [submission]", sub_stage.get_ref()),
                "name a stage declared with [[stage]]",
            );
        }
        let sub_roles = self.roles(&raw.roles, "[submission]");
        if sub_roles.is_empty() {
            self.err(
                sub_stage.span(),
                "[submission] names no role".into(),
                "set roles = [\"agency_head\"]",
            );
        }
        Submission {
            stage: sub_stage.get_ref().clone(),
            roles: sub_roles,
            letter: self.letter(&raw.letter),
        }
    }

    /// One `[[transition]]`: a new valid action between declared stages, fired by roles that
    /// write, with its requirements and effects each listed once and consistent.
    fn transition(
        &mut self,
        t: &RawTransition,
        data_type: DataType,
        stages: &[Stage],
        stage_spans: &BTreeMap<String, Range<usize>>,
        actions: &mut BTreeSet<String>,
    ) -> Transition {
        let action = t.action.get_ref();
        if !valid_name(action) {
            self.err(
                t.action.span(),
                format!("action name `{action}` is not a valid identifier"),
                "use lowercase letters, digits, `_` or `-`, starting with a letter",
            );
        }
        if !actions.insert(action.clone()) {
            self.err(
                t.action.span(),
                format!("duplicate action `{action}`"),
                "give each transition its own action name (one action may leave several stages via `from`)",
            );
        }
        let mut from = Vec::new();
        if t.from.is_empty() {
            self.err(
                t.action.span(),
                format!("transition `{action}` has an empty `from`"),
                "list the stages it leaves",
            );
        }
        for f in &t.from {
            if !stage_spans.contains_key(f.get_ref()) {
                self.err(
                    f.span(),
                    format!("unknown stage `{}` in `from` of `{action}`", f.get_ref()),
                    "name a declared stage",
                );
            } else if stages.iter().any(|s| &s.name == f.get_ref() && s.terminal) {
                self.err(
                    f.span(),
                    format!("transition `{action}` leaves terminal stage `{}`", f.get_ref()),
                    "a terminal stage has no way out: remove it from `from` or drop `terminal = true`",
                );
            } else if from.contains(f.get_ref()) {
                self.err(
                    f.span(),
                    format!("stage `{}` is listed twice in `from`", f.get_ref()),
                    "list it once",
                );
            } else {
                from.push(f.get_ref().clone());
            }
        }
        if !stage_spans.contains_key(t.to.get_ref()) {
            self.err(
                t.to.span(),
                format!("unknown stage `{}` in `to` of `{action}`", t.to.get_ref()),
                "name a declared stage",
            );
        }
        let roles = self.roles(&t.roles, &format!("transition `{action}`"));
        if t.roles.is_empty() {
            self.err(
                t.action.span(),
                format!("transition `{action}` names no role"),
                "set roles = [...]",
            );
        }
        for r in &roles {
            if matches!(r, Role::Auditor | Role::Admin) {
                let span = t
                    .roles
                    .iter()
                    .find(|s| s.get_ref() == r.as_str())
                    .map_or(0..0, |s| s.span());
                self.err(
                    span,
                    format!("role `{r}` only reads applications and cannot fire `{action}`"),
                    "remove it",
                );
            }
        }
        let mut requires = Vec::new();
        for r in &t.requires {
            match Requirement::parse(r.get_ref()) {
                Ok(req) if requires.contains(&req) => self.err(
                    r.span(),
                    format!("requirement `{req}` is listed twice"),
                    "list it once",
                ),
                Ok(req) => requires.push(req),
                Err(msg) => self.err(r.span(), msg, "correct the requirement"),
            }
        }
        let mut effects: Vec<Effect> = Vec::new();
        for e in &t.effects {
            if effects.contains(e.get_ref()) {
                self.err(e.span(), "an effect is listed twice".into(), "list it once");
            } else {
                effects.push(*e.get_ref());
            }
        }
        self.consistency(t, &requires, &effects, data_type);
        let letter = self.letter(&t.letter);
        Transition {
            action: action.clone(),
            title: t.title.clone(),
            from,
            to: t.to.get_ref().clone(),
            roles,
            requires,
            letter,
            effects,
            destructive: t.destructive,
            optional: t.optional,
        }
    }

    /// What a transition's requirements and effects must say together: a user ID only behind
    /// the attestation, a PKS returned with a comment, signed only when approved, and so on.
    fn consistency(
        &mut self,
        t: &RawTransition,
        requires: &[Requirement],
        effects: &[Effect],
        data_type: DataType,
    ) {
        let action = t.action.get_ref();
        // The attestation gate is enforced by the core whatever the file says; a file that
        // forgets it would still mislead its readers, so say so.
        if effects.iter().any(|e| e.issues_grant()) && !requires.contains(&Requirement::Attestation)
        {
            self.err(
                t.action.span(),
                format!("transition `{action}` issues a user ID but does not require the closed-network attestation"),
                "add \"attestation\" to `requires`",
            );
        }
        if effects.contains(&Effect::ReturnPks) && !requires.contains(&Requirement::Comment) {
            self.err(
                t.action.span(),
                format!("`{action}` returns a PKS draft without a comment"),
                "add \"comment\" to `requires`",
            );
        }
        if effects.contains(&Effect::SignPks) && !requires.contains(&Requirement::PksApproved) {
            self.err(
                t.action.span(),
                format!("`{action}` signs a PKS that need not be approved"),
                "add \"pks_approved\" to `requires`",
            );
        }
        if effects.contains(&Effect::ExtendGrants) && !effects.contains(&Effect::SignPks) {
            self.err(
                t.action.span(),
                format!("`{action}` extends the user IDs without signing a new PKS"),
                "add \"sign_pks\" to `effects` before \"extend_grants\": the new PKS dates the new term",
            );
        }
        if effects.contains(&Effect::SignAddendum) {
            if !requires.contains(&Requirement::PksApproved) {
                self.err(
                    t.action.span(),
                    format!("`{action}` signs an addendum that need not be approved"),
                    "add \"pks_approved\" to `requires`",
                );
            }
            if effects.contains(&Effect::SignPks) {
                self.err(
                    t.action.span(),
                    format!("`{action}` signs a PKS and an addendum in one step"),
                    "keep \"sign_addendum\" and \"sign_pks\" on separate transitions: an addendum does not start a new term",
                );
            }
        }
        if data_type == DataType::Aggregate && !effects.is_empty() {
            self.err(
                t.action.span(),
                format!(
                    "`{action}` has effects, but aggregate requests have no PKS and no user ID"
                ),
                "remove `effects` from this transition",
            );
        }
    }

    /// Every stage is reached from the submission stage, and none but the terminal ones is a
    /// dead end.
    fn reachability(
        &mut self,
        submission: &Submission,
        stages: &[Stage],
        stage_spans: &BTreeMap<String, Range<usize>>,
        transitions: &[Transition],
    ) {
        let mut reached: BTreeSet<&str> = BTreeSet::new();
        let mut queue = VecDeque::from([submission.stage.as_str()]);
        while let Some(s) = queue.pop_front() {
            if reached.insert(s) {
                for t in transitions.iter().filter(|t| t.from.iter().any(|f| f == s)) {
                    queue.push_back(t.to.as_str());
                }
            }
        }
        for s in stages {
            let span = stage_spans[&s.name].clone();
            if !reached.contains(s.name.as_str()) {
                self.err(
                    span.clone(),
                    format!(
                        "stage `{}` cannot be reached from the submission stage `{}`",
                        s.name, submission.stage
                    ),
                    "add a transition into it, or remove the stage",
                );
            }
            let leaves = transitions.iter().any(|t| t.from.contains(&s.name));
            if !s.terminal && !leaves {
                self.err(
                    span,
                    format!(
                        "stage `{}` is a dead end: it is not terminal and no transition leaves it",
                        s.name
                    ),
                    "add a transition out of it, or mark it `terminal = true`",
                );
            }
        }
    }

    /// `[evaluation]`: required for individual data, a positive interval; the domain's defaults
    /// otherwise.
    fn evaluation(&mut self, raw: Option<&RawEvaluation>, data_type: DataType) -> EvaluationPolicy {
        if raw.is_none() && data_type == DataType::Individual {
            self.err(
                0..0,
                "an individual-data workflow needs an [evaluation] table".into(),
                "add [evaluation] interval_months = 6, grace_days = 30, reminder_days = 14",
            );
        }
        if let Some(ev) = raw
            && ev.interval_months == 0
        {
            self.err(
                0..0,
                "[evaluation] interval_months must be at least 1".into(),
                "the domain's rule is 6",
            );
        }
        match raw {
            Some(ev) => EvaluationPolicy {
                interval_months: ev.interval_months,
                grace_days: ev.grace_days,
                reminder_days: ev.reminder_days,
                letter: self.letter(&ev.letter),
            },
            None => EvaluationPolicy {
                interval_months: 6,
                grace_days: 30,
                reminder_days: 14,
                letter: None,
            },
        }
    }
}
