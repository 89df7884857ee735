//! The outbox dispatcher: claim due rows, render each from its template, send, record.

use crate::emails::EmailTemplates;
use crate::mailer::{Mailer, Outgoing};
use crate::{NotifyError, NotifySettings};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use sepakat_core::{Role, Workflow};
use sepakat_store::{Delivery, OutboxMessage, Store};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// Rows claimed at a time.
const BATCH: u64 = 10;

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DispatchReport {
    pub claimed: usize,
    pub sent: usize,
    pub retried: usize,
    pub dead: usize,
}

pub struct Dispatcher {
    store: Store,
    mailer: Mailer,
    templates: EmailTemplates,
    settings: NotifySettings,
}

impl Dispatcher {
    pub fn new(
        store: Store,
        mailer: Mailer,
        templates: EmailTemplates,
        settings: NotifySettings,
    ) -> Self {
        Dispatcher {
            store,
            mailer,
            templates,
            settings,
        }
    }

    /// The dispatcher `sepakat serve` runs: mailer and templates from the settings and the
    /// templates folder (`<templates>/emails`).
    pub fn from_settings(
        store: Store,
        settings: NotifySettings,
        templates_dir: &std::path::Path,
    ) -> Result<Self, NotifyError> {
        let mailer = Mailer::from_settings(&settings)?;
        let templates = EmailTemplates::with_overrides(&templates_dir.join("emails"))?;
        Ok(Dispatcher::new(store, mailer, templates, settings))
    }

    /// How long claimed rows stay ours: long enough to try every row of a batch even if each
    /// attempt runs into the SMTP timeout, so no other instance claims one meanwhile. A
    /// dispatcher that dies holds its rows no longer than this.
    fn lease(&self) -> TimeDelta {
        let timeout = i64::try_from(self.settings.smtp_timeout_secs.max(1)).unwrap_or(60);
        TimeDelta::seconds(timeout.saturating_mul(BATCH as i64).saturating_add(5))
    }

    /// Delivers everything due at `now`, batch after batch, until nothing due is left.
    pub async fn run_once(&self, now: DateTime<Utc>) -> Result<DispatchReport, NotifyError> {
        let mut report = DispatchReport::default();
        let mut names = Names::default();
        loop {
            let rows = self.store.claim_outbox(now, BATCH, self.lease()).await?;
            if rows.is_empty() {
                return Ok(report);
            }
            report.claimed += rows.len();
            let mut failures = 0;
            for row in &rows {
                let result = match self.build(row, &mut names).await {
                    Ok(out) => self.mailer.send(&out).await,
                    Err(e) => Err(e.to_string()),
                };
                if let Err(e) = &result {
                    tracing::warn!(outbox_id = %row.id, to = %row.recipient_email, error = %e, "delivery failed");
                    failures += 1;
                }
                let delivery = self
                    .store
                    .record_delivery(
                        row.id,
                        row.attempts,
                        now,
                        result.as_ref().err().map(String::as_str),
                        &self.settings.retry_policy(),
                    )
                    .await?;
                match delivery {
                    Delivery::Sent => report.sent += 1,
                    Delivery::Retry(_) => report.retried += 1,
                    Delivery::Dead => {
                        tracing::error!(outbox_id = %row.id, to = %row.recipient_email, "message is dead after its last attempt");
                        report.dead += 1;
                    }
                }
            }
            if failures == rows.len() {
                // The SMTP server is likely down: leave the rest for the next round.
                return Ok(report);
            }
        }
    }

    /// The message of one row: its template rendered over the row's payload and the names
    /// behind its ids.
    async fn build(&self, row: &OutboxMessage, names: &mut Names) -> Result<Outgoing, NotifyError> {
        let ctx = self.context(row, names).await?;
        let email = self.templates.render(&row.template, &ctx)?;
        Ok(Outgoing {
            to_name: ctx["recipient"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            to_email: row.recipient_email.clone(),
            subject: email.subject,
            body: email.body,
            message_id: row.message_id.clone(),
        })
    }

    async fn context(&self, row: &OutboxMessage, names: &mut Names) -> Result<Value, NotifyError> {
        let p = &row.payload;
        let id = |k: &str| p[k].as_str().and_then(|s| s.parse::<Uuid>().ok());
        let agency = match id("agency_id") {
            Some(a) => names.agency(&self.store, a).await?,
            None => String::new(),
        };
        let office = match id("office_id") {
            Some(o) => names.office(&self.store, o).await?,
            None => String::new(),
        };
        let recipient_name = match row.recipient_account_id {
            Some(a) => names.account(&self.store, a).await?,
            None => row.recipient_email.clone(),
        };
        let role = p["recipient_role"]
            .as_str()
            .and_then(|r| r.parse::<Role>().ok())
            .map(Role::name_id)
            .unwrap_or_default();
        let workflow = match row.application_id {
            Some(app) => names.workflow(&self.store, app).await?,
            None => None,
        };
        let stage = p["stage"].as_str().unwrap_or_default();
        let title_of = |stage: &str| {
            workflow
                .as_ref()
                .and_then(|w| w.stage(stage))
                .map(|s| s.title.clone())
        };
        let actions: Vec<String> = p["actions"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(|action| {
                        workflow
                            .as_ref()
                            .and_then(|w| w.transition(action))
                            .map(|t| t.title.clone())
                            .unwrap_or_else(|| action.to_string())
                    })
                    .collect()
            })
            .unwrap_or_default();
        let due = p["due_on"]
            .as_str()
            .and_then(|d| d.parse::<NaiveDate>().ok())
            .map(sepakat_letters::indonesian::format_date);
        let kind = match p["evaluation_kind"].as_str() {
            Some("incidental") => "insidental",
            _ => "semesteran",
        };
        let outcome = p["outcome"].as_str().map(|o| match o {
            "pass" => "lulus",
            "pass_with_findings" => "lulus dengan temuan",
            _ => "tidak lulus",
        });
        let term_ends = p["term_ends_on"]
            .as_str()
            .and_then(|d| d.parse::<NaiveDate>().ok())
            .map(sepakat_letters::indonesian::format_date);
        // What the recipient does now, as the core said when the row was queued (`todo`); a
        // row queued before it was recorded falls back to the titles of its actions.
        let todo: Vec<String> = match p["todo"].as_array() {
            Some(items) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            None => actions.clone(),
        };
        let next_due = p["next_due_on"]
            .as_str()
            .and_then(|d| d.parse::<NaiveDate>().ok())
            .map(sepakat_letters::indonesian::format_date);
        let url = match row.application_id {
            Some(app) => format!(
                "{}/permohonan/{app}",
                self.settings.public_url.trim_end_matches('/')
            ),
            None => self.settings.public_url.clone(),
        };
        Ok(json!({
            "recipient": { "name": recipient_name, "role": role },
            "application": {
                "id": row.application_id,
                "url": url,
                "agency": agency,
                "office": office,
                "workflow": p["workflow"],
                "stage": stage,
                "stage_title": title_of(stage).or_else(|| p["stage_title"].as_str().map(str::to_owned)).unwrap_or_else(|| stage.to_string()),
            },
            "previous_stage_title": p["previous_stage"].as_str().and_then(|s| title_of(s).or(Some(s.to_string()))),
            "actions": actions,
            "todo": todo,
            "next": p["next"].as_array().cloned().unwrap_or_default(),
            "next_due": next_due,
            "evaluation": {
                "kind": kind,
                "due_on": due,
                "grace_days": p["grace_days"],
                "outcome": outcome,
                "findings": p["findings"],
                "reason": p["reason"],
                "suspended": p["suspended"].as_bool().unwrap_or(false),
            },
            "term": {
                "ends_on": term_ends,
                "days_left": p["days_left"],
            },
        }))
    }
}

/// Names looked up once per round.
#[derive(Default)]
struct Names {
    agencies: HashMap<Uuid, String>,
    offices: HashMap<Uuid, String>,
    accounts: HashMap<Uuid, String>,
    workflows: HashMap<Uuid, Option<Arc<Workflow>>>,
}

impl Names {
    async fn agency(&mut self, store: &Store, id: Uuid) -> Result<String, NotifyError> {
        if let Some(n) = self.agencies.get(&id) {
            return Ok(n.clone());
        }
        let n = store.agency(id).await?.name;
        self.agencies.insert(id, n.clone());
        Ok(n)
    }

    async fn office(&mut self, store: &Store, id: Uuid) -> Result<String, NotifyError> {
        if let Some(n) = self.offices.get(&id) {
            return Ok(n.clone());
        }
        let n = store.office(id).await?.name;
        self.offices.insert(id, n.clone());
        Ok(n)
    }

    async fn account(&mut self, store: &Store, id: Uuid) -> Result<String, NotifyError> {
        if let Some(n) = self.accounts.get(&id) {
            return Ok(n.clone());
        }
        let n = store.account(id).await?.name;
        self.accounts.insert(id, n.clone());
        Ok(n)
    }

    async fn workflow(
        &mut self,
        store: &Store,
        app: Uuid,
    ) -> Result<Option<Arc<Workflow>>, NotifyError> {
        if let Some(w) = self.workflows.get(&app) {
            return Ok(w.clone());
        }
        let row = store.application(app).await?.row;
        let w = store
            .workflow(&row.workflow_name, &row.workflow_hash)
            .await
            .ok();
        self.workflows.insert(app, w.clone());
        Ok(w)
    }
}
