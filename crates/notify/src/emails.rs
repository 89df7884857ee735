//! The messages' templates: `templates/emails/<name>.hbs`, embedded in the binary, each
//! overridable by a file of the same name in the operator's folder.
//!
//! A template renders to the whole message: a first line `Subjek: …` (the subject), a blank
//! line, then the plain-text body. Handlebars runs in strict mode, so a field the template
//! names but the message lacks is an error naming it, never a silent blank.

use crate::NotifyError;
use handlebars::Handlebars;
use sepakat_templates::{Part, TemplateError, TemplateSet};
use serde_json::Value;
use std::path::Path;

/// Every template, by the outbox row's `template` name.
pub const TEMPLATES: &[sepakat_templates::Embedded] = &[
    (
        "application_submitted",
        include_str!("../../../templates/emails/application_submitted.hbs"),
    ),
    (
        "stage_changed",
        include_str!("../../../templates/emails/stage_changed.hbs"),
    ),
    (
        "evaluation_opened",
        include_str!("../../../templates/emails/evaluation_opened.hbs"),
    ),
    (
        "evaluation_reminder",
        include_str!("../../../templates/emails/evaluation_reminder.hbs"),
    ),
    (
        "evaluation_escalated",
        include_str!("../../../templates/emails/evaluation_escalated.hbs"),
    ),
    (
        "evaluation_overdue",
        include_str!("../../../templates/emails/evaluation_overdue.hbs"),
    ),
    (
        "evaluation_recorded",
        include_str!("../../../templates/emails/evaluation_recorded.hbs"),
    ),
    (
        "term_reminder",
        include_str!("../../../templates/emails/term_reminder.hbs"),
    ),
    (
        "agreement_expired",
        include_str!("../../../templates/emails/agreement_expired.hbs"),
    ),
];

const SUBJECT_PREFIX: &str = "Subjek:";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedEmail {
    pub subject: String,
    pub body: String,
}

pub struct EmailTemplates {
    set: TemplateSet,
}

impl EmailTemplates {
    /// The embedded templates.
    pub fn new() -> Result<Self, NotifyError> {
        EmailTemplates::load(None)
    }

    /// The embedded templates, with `dir/<name>.hbs` taking the place of each one it holds, by
    /// the rule every template set follows (`sepakat_templates::overrides`).
    pub fn with_overrides(dir: &Path) -> Result<Self, NotifyError> {
        EmailTemplates::load(Some(dir))
    }

    fn load(dir: Option<&Path>) -> Result<Self, NotifyError> {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        // Plain text: nothing to escape for a browser.
        hb.register_escape_fn(handlebars::no_escape);
        let part = Part {
            embedded: TEMPLATES,
            overrides: dir,
            origin: "templates/emails",
        };
        let set = TemplateSet::load(hb, &[part]).map_err(|e| match e {
            TemplateError::Override(e) => NotifyError::Override {
                path: e.path,
                message: e.message,
            },
            TemplateError::Parse { name, message, .. } => NotifyError::Template {
                name: name.to_string(),
                message,
            },
        })?;
        Ok(EmailTemplates { set })
    }

    pub fn render(&self, name: &str, ctx: &Value) -> Result<RenderedEmail, NotifyError> {
        let err = |message: String| NotifyError::Template {
            name: name.to_string(),
            message,
        };
        if !self.set.has(name) {
            return Err(err("no such template".into()));
        }
        let text = self.set.render(name, ctx).map_err(|e| err(e.to_string()))?;
        let text = text.trim_start();
        let (first, body) = text.split_once('\n').unwrap_or((text, ""));
        let subject = first
            .strip_prefix(SUBJECT_PREFIX)
            .ok_or_else(|| err(format!("the first line must start with `{SUBJECT_PREFIX}`")))?
            .trim();
        // Header injection is impossible: the subject is one line, whatever the values held.
        let subject: String = subject.chars().filter(|c| !c.is_control()).collect();
        if subject.is_empty() {
            return Err(err("the subject is empty".into()));
        }
        Ok(RenderedEmail {
            subject,
            body: body.trim_start_matches(['\r', '\n']).trim_end().to_string() + "\n",
        })
    }
}
