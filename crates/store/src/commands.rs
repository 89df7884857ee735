//! The write side: one transaction per command.

use crate::audit::GENESIS;
use crate::directory::{actor_from_row, actor_in, find_office, region_of};
use crate::entity::{accounts, agencies, applications, audit_events, letters, outbox};
use crate::idempotency::Keyed;
use crate::numbering::office_zone;
use crate::persist::{prepare, stage_notice};
use crate::recent::Recent;
use crate::workflows::workflow_in;
use crate::{Result, Store, StoreError, micros};
use chrono::{DateTime, Utc};
use sea_orm::{DatabaseTransaction, EntityTrait};
use sepakat_core::application::EventKind;
use sepakat_core::workflow::Workflow;
use sepakat_core::{Actor, Application, Command, Event, Ownership, Request, Role, machine};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;
use tracing::field;
use uuid::Uuid;

/// An application to start.
#[derive(Debug, Clone, Deserialize)]
pub struct NewApplication {
    /// Chosen by the caller to make a retried submission idempotent (a second one is a
    /// conflict); a fresh UUIDv7 when absent.
    pub id: Option<Uuid>,
    /// The workflow's name; the application is pinned to its current version.
    pub workflow: String,
    pub agency_id: Uuid,
    /// The handling Disdukcapil; default: the agency's own office.
    pub office_id: Option<Uuid>,
    pub request: Request,
}

/// A document whose bytes are already in the blob store, to put on file.
#[derive(Debug, Clone, Deserialize)]
pub struct NewDocument {
    /// `signed:<letter>` or a document kind.
    pub key: String,
    pub filename: String,
    pub sha256: String,
    pub content_type: Option<String>,
    pub size: Option<i64>,
    pub blob_path: Option<String>,
}

/// What a committed command did.
#[derive(Debug, Clone, Serialize)]
pub struct CommandOutcome {
    /// The new state (its `version` is the one the next command must expect).
    pub application: Application,
    /// The audit events appended, in order.
    pub events: Vec<audit_events::Model>,
    /// The letters numbered by this command.
    pub letters: Vec<letters::Model>,
    /// The notifications queued.
    pub outbox: Vec<outbox::Model>,
}

/// Refuses text PostgreSQL cannot store, with the same answer on SQLite.
fn check_nul(what: &str, v: &Value) -> Result<()> {
    let has_nul = match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(a) => return a.iter().try_for_each(|x| check_nul(what, x)),
        Value::Object(m) => {
            return m.iter().try_for_each(|(k, x)| {
                if k.contains('\0') {
                    return Err(StoreError::Invalid(format!(
                        "{what} contains a NUL character"
                    )));
                }
                check_nul(what, x)
            });
        }
        _ => false,
    };
    if has_nul {
        return Err(StoreError::Invalid(format!(
            "{what} contains a NUL character"
        )));
    }
    Ok(())
}

pub(crate) fn to_json<T: Serialize>(what: &str, v: &T) -> Result<Value> {
    let v = serde_json::to_value(v)
        .map_err(|e| StoreError::Invalid(format!("{what} cannot be serialized: {e}")))?;
    check_nul(what, &v)?;
    Ok(v)
}

/// Everything `persist` needs about one decided command.
pub(crate) struct Decided<'a> {
    pub(crate) workflow: &'a Workflow,
    /// `None` for a submission.
    pub(crate) before: Option<&'a Application>,
    pub(crate) after: &'a Application,
    pub(crate) events: &'a [Event],
    pub(crate) actor: &'a Actor,
    /// The account row the actor was built from: the write checks it is unchanged.
    pub(crate) account: Option<&'a accounts::Model>,
    pub(crate) now: DateTime<Utc>,
    pub(crate) document: Option<&'a NewDocument>,
    /// The letters `issue_letters` numbered for this command: each row is written with its
    /// `LetterIssued` event, once the application row exists.
    pub(crate) letters: &'a [letters::Model],
    pub(crate) prev_hash: String,
    pub(crate) prev_count: i64,
}

impl Store {
    /// Starts an application on the current version of `new.workflow`.
    pub async fn submit(
        &self,
        new: NewApplication,
        actor_account_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<CommandOutcome> {
        self.submit_keyed(new, actor_account_id, now, None).await
    }

    /// [`Store::submit`], recording `keyed` in the same transaction (see [`crate::idempotency`]).
    #[tracing::instrument(skip_all, err, fields(application_id = field::Empty, workflow = %new.workflow))]
    pub async fn submit_keyed(
        &self,
        new: NewApplication,
        actor_account_id: Uuid,
        now: DateTime<Utc>,
        keyed: Option<Keyed>,
    ) -> Result<CommandOutcome> {
        let now = micros(now);
        let db = &self.inner.db;
        let actor = actor_in(db, actor_account_id).await?;
        let workflow = self.current_workflow(&new.workflow).await?;
        let agency = agencies::Entity::find_by_id(new.agency_id)
            .one(db)
            .await?
            .ok_or_else(|| StoreError::not_found("agency", new.agency_id))?;
        let office = find_office(db, new.office_id.unwrap_or(agency.office_id)).await?;
        let id = new.id.unwrap_or_else(Uuid::now_v7);
        tracing::Span::current().record("application_id", field::display(id));
        let ownership = Ownership {
            agency_id: agency.id,
            office_id: office.id,
            office_region: region_of(&office)?,
            zone: office_zone(&office),
        };
        let (mut app, mut events) =
            machine::submit(&workflow, id, ownership, new.request, &actor, now)?;

        if let Some(existing) = applications::Entity::find_by_id(id).one(db).await? {
            return Err(StoreError::Conflict {
                expected: 0,
                actual: existing.version,
            });
        }
        let w = self.begin_write().await?;
        let result = async {
            let letters = self.issue_letters(&w.txn, &mut app, &mut events, 1).await?;
            let decided = Decided {
                workflow: &workflow,
                before: None,
                after: &app,
                events: &events,
                actor: &actor,
                account: None,
                now,
                document: None,
                letters: &letters,
                prev_hash: GENESIS.to_string(),
                prev_count: 0,
            };
            let prepared = prepare(&decided)?;
            let mut outcome = self.persist(&w.txn, &decided, prepared).await?;
            outcome.letters = letters;
            if let Some(keyed) = &keyed {
                crate::idempotency::record(&w.txn, keyed, &outcome, now).await?;
            }
            Ok::<_, StoreError>(outcome)
        }
        .await;
        // Two simultaneous submissions with one id: the loser trips the primary key.
        let result = match result {
            Err(e) if e.is_unique_violation() => Err(StoreError::Conflict {
                expected: 0,
                actual: 1,
            }),
            other => other,
        };
        let outcome = w.finish(result).await?;
        self.remember(&outcome);
        Ok(outcome)
    }

    /// Writes an imported application inside `txn` as a submission is written: state row,
    /// hash-chained audit event, projections, inbox and stage read models (`crate::import`).
    pub(crate) async fn persist_imported(
        &self,
        txn: &DatabaseTransaction,
        workflow: &Workflow,
        app: &Application,
        events: &[Event],
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<CommandOutcome> {
        let decided = Decided {
            workflow,
            before: None,
            after: app,
            events,
            actor,
            account: None,
            now,
            document: None,
            letters: &[],
            prev_hash: GENESIS.to_string(),
            prev_count: 0,
        };
        let prepared = prepare(&decided)?;
        self.persist(txn, &decided, prepared).await
    }

    /// Runs a core command against the application at `expected_version`.
    pub async fn execute(
        &self,
        application_id: Uuid,
        expected_version: i64,
        command: Command,
        actor_account_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<CommandOutcome> {
        self.execute_keyed(
            application_id,
            expected_version,
            command,
            actor_account_id,
            now,
            None,
        )
        .await
    }

    /// [`Store::execute`], recording `keyed` in the same transaction (see [`crate::idempotency`]).
    #[tracing::instrument(skip(self, command, now, keyed), err, fields(command = command_name(&command)))]
    pub async fn execute_keyed(
        &self,
        application_id: Uuid,
        expected_version: i64,
        command: Command,
        actor_account_id: Uuid,
        now: DateTime<Utc>,
        keyed: Option<Keyed>,
    ) -> Result<CommandOutcome> {
        self.run(
            application_id,
            expected_version,
            command,
            None,
            actor_account_id,
            now,
            keyed.as_ref(),
        )
        .await
    }

    /// Puts a document on file (`Command::AttachDocument`) with its blob-store metadata.
    pub async fn attach_document(
        &self,
        application_id: Uuid,
        expected_version: i64,
        document: NewDocument,
        actor_account_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<CommandOutcome> {
        self.attach_document_keyed(
            application_id,
            expected_version,
            document,
            actor_account_id,
            now,
            None,
        )
        .await
    }

    /// [`Store::attach_document`], recording `keyed` in the same transaction.
    #[tracing::instrument(skip(self, document, now, keyed), err, fields(key = %document.key))]
    pub async fn attach_document_keyed(
        &self,
        application_id: Uuid,
        expected_version: i64,
        document: NewDocument,
        actor_account_id: Uuid,
        now: DateTime<Utc>,
        keyed: Option<Keyed>,
    ) -> Result<CommandOutcome> {
        let command = attach_command(&document)?;
        self.run(
            application_id,
            expected_version,
            command,
            Some(document),
            actor_account_id,
            now,
            keyed.as_ref(),
        )
        .await
    }

    /// Whether [`Store::attach_document`] would accept `document` now, decided exactly as it
    /// decides, writing nothing. An upload asks this before it writes the file, so a refused
    /// upload (wrong version, wrong stage, a letter not yet issued) leaves no blob behind.
    pub async fn check_attach_document(
        &self,
        application_id: Uuid,
        expected_version: i64,
        document: &NewDocument,
        actor_account_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let command = attach_command(document)?;
        let (recent, account) = self
            .load_at_version(application_id, expected_version, actor_account_id)
            .await?;
        self.decide(&recent, &account, &command, micros(now))
            .await
            .map(|_| ())
    }

    /// The application as its row holds it, if still at the version the caller expects (a
    /// conflict otherwise), and the acting account.
    async fn load_at_version(
        &self,
        application_id: Uuid,
        expected_version: i64,
        account_id: Uuid,
    ) -> Result<(Recent, accounts::Model)> {
        let (row, account) = self.load_for_command(application_id, account_id).await?;
        if row.version != expected_version {
            return Err(StoreError::Conflict {
                expected: expected_version,
                actual: row.version,
            });
        }
        Ok((self.recent_from_row(&row).await?, account))
    }

    #[allow(clippy::too_many_arguments)]
    async fn run(
        &self,
        application_id: Uuid,
        expected_version: i64,
        command: Command,
        document: Option<NewDocument>,
        actor_account_id: Uuid,
        now: DateTime<Utc>,
        keyed: Option<&Keyed>,
    ) -> Result<CommandOutcome> {
        let now = micros(now);
        let document = document.as_ref();
        // Everything up to the decision happens before the write transaction: the
        // version-checked UPDATE in `persist` guarantees the decision was made on the state
        // that is still current when it commits (any change in between bumps the version and
        // turns this command into a conflict), so reading and deciding need no lock, and
        // SQLite's single writer holds its lock only for the writes themselves.
        //
        // The same guarantee lets this process skip the read when it wrote the application
        // last, at the version the caller expects, and has seen the account: the UPDATE also
        // checks that the account is still active with the same role and scope. Only a commit
        // is taken from that shortcut; anything else is decided again from a fresh read.
        if let Some((recent, account)) =
            self.recent_inputs(application_id, expected_version, actor_account_id)
        {
            let attempt = self
                .decide_and_write(&recent, &account, &command, document, now, keyed)
                .await;
            if let Ok(outcome) = attempt {
                return Ok(outcome);
            }
            self.forget(application_id, actor_account_id);
        }
        let mut attempts = 0;
        loop {
            attempts += 1;
            let (recent, account) = self
                .load_at_version(application_id, expected_version, actor_account_id)
                .await?;
            match self
                .decide_and_write(&recent, &account, &command, document, now, keyed)
                .await
            {
                // Same version, yet the guarded UPDATE matched nothing: the account changed
                // between the read and the write. Decide again with the account as it is now.
                Err(StoreError::Conflict { actual, .. })
                    if actual == expected_version && attempts < 3 =>
                {
                    self.forget(application_id, actor_account_id);
                }
                other => return other,
            }
        }
    }

    /// What `command` would record on the application now, decided exactly as
    /// [`Store::execute`] decides it, without writing anything (a dry run: the events are the
    /// core's, before the store numbers any letter). Returns the state before, and the events.
    pub(crate) async fn decide_without_writing(
        &self,
        application_id: Uuid,
        command: &Command,
        actor_account_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(Application, Vec<Event>)> {
        let (row, account) = self
            .load_for_command(application_id, actor_account_id)
            .await?;
        let recent = self.recent_from_row(&row).await?;
        let (_, _, _, events) = self.decide(&recent, &account, command, micros(now)).await?;
        Ok((recent.state, events))
    }

    /// The core's decision on `recent` for `account`: the workflow, the actor, the state after
    /// and the events.
    async fn decide(
        &self,
        recent: &Recent,
        account: &accounts::Model,
        command: &Command,
        now: DateTime<Utc>,
    ) -> Result<(Arc<Workflow>, Actor, Application, Vec<Event>)> {
        let region = match account.office_id {
            Some(office_id) if account.role == Role::Coordinator => {
                Some(self.office_region(office_id).await?)
            }
            _ => None,
        };
        let actor = actor_from_row(account, region)?;
        let workflow = workflow_in(
            self,
            &self.inner.db,
            &recent.workflow_name,
            &recent.workflow_hash,
        )
        .await?;
        let (after, events) = machine::execute(&workflow, &recent.state, command, &actor, now)?;
        Ok((workflow, actor, after, events))
    }

    /// Decides `command` on `recent` for `account`, then writes it in one transaction.
    async fn decide_and_write(
        &self,
        recent: &Recent,
        account: &accounts::Model,
        command: &Command,
        document: Option<&NewDocument>,
        now: DateTime<Utc>,
        keyed: Option<&Keyed>,
    ) -> Result<CommandOutcome> {
        let (workflow, actor, mut after, mut events) =
            self.decide(recent, account, command, now).await?;
        if events.is_empty() {
            // Nothing to record (the calendar found nothing due): no write, no new version.
            return Ok(CommandOutcome {
                application: recent.state.clone(),
                events: Vec::new(),
                letters: Vec::new(),
                outbox: Vec::new(),
            });
        }
        let issues_letters = events
            .iter()
            .any(|e| matches!(e.kind, EventKind::LetterProduced { .. }));
        // The same decision twice: before the transaction when no letter is numbered (the rows
        // are then prepared outside the write lock), and inside it with the numbered letters.
        macro_rules! decided {
            ($letters:expr) => {
                Decided {
                    workflow: &workflow,
                    before: Some(&recent.state),
                    after: &after,
                    events: &events,
                    actor: &actor,
                    account: Some(account),
                    now,
                    document,
                    letters: $letters,
                    prev_hash: recent.last_event_hash.clone(),
                    prev_count: recent.event_count,
                }
            };
        }
        let prepared_early = if issues_letters {
            None
        } else {
            let d = decided!(&[]);
            let mut p = prepare(&d)?;
            if let Some(trigger) = stage_notice(&d, &p.event_rows) {
                p.notifications = Some(
                    self.stage_notifications(&self.inner.db, &d, trigger)
                        .await?,
                );
            }
            Some(p)
        };
        let w = self.begin_write().await?;
        let result = async {
            // Letters are numbered inside the transaction, so their events are chained there.
            let letters = if issues_letters {
                self.issue_letters(&w.txn, &mut after, &mut events, recent.event_count + 1)
                    .await?
            } else {
                Vec::new()
            };
            let decided = decided!(&letters);
            let prepared = match prepared_early {
                Some(p) => p,
                None => prepare(&decided)?,
            };
            let mut outcome = self.persist(&w.txn, &decided, prepared).await?;
            outcome.letters = letters;
            if let Some(keyed) = keyed {
                crate::idempotency::record(&w.txn, keyed, &outcome, now).await?;
            }
            Ok::<_, StoreError>(outcome)
        }
        .await;
        let outcome = w.finish(result).await?;
        self.remember(&outcome);
        Ok(outcome)
    }
}

fn command_name(c: &Command) -> String {
    match c {
        Command::Transition { action, .. } => format!("transition:{action}"),
        Command::AttachDocument { key, .. } => format!("attach_document:{key}"),
        Command::RecordAttestation { .. } => "record_attestation".into(),
        Command::WithdrawAttestation { .. } => "withdraw_attestation".into(),
        Command::RecordMinisterApproval { .. } => "record_minister_approval".into(),
        Command::CheckEvaluations => "check_evaluations".into(),
        Command::OpenEvaluation { .. } => "open_evaluation".into(),
        Command::RecordEvaluation { .. } => "record_evaluation".into(),
        Command::IssueLetter { letter, .. } => format!("issue_letter:{letter}"),
    }
}

/// The core's command for filing `document`, after the checks of its blob-store metadata.
fn attach_command(document: &NewDocument) -> Result<Command> {
    if document.size.is_some_and(|s| s < 0) {
        return Err(StoreError::Invalid(
            "document size cannot be negative".into(),
        ));
    }
    for (field, v) in [
        ("content_type", &document.content_type),
        ("blob_path", &document.blob_path),
    ] {
        if v.as_deref().is_some_and(|s| s.contains('\0')) {
            return Err(StoreError::Invalid(format!(
                "{field} contains a NUL character"
            )));
        }
    }
    Ok(Command::AttachDocument {
        key: document.key.clone(),
        sha256: document.sha256.to_ascii_lowercase(),
        filename: document.filename.clone(),
    })
}
