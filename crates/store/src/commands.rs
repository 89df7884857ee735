//! The write side: one transaction per command.

use crate::audit::{GENESIS, event_hash};
use crate::directory::{actor_from_row, actor_in, find_office, region_of};
use crate::entity::{
    accounts, agencies, agency_letter_counters, applications, audit_events, letter_counters,
    letters, offices, outbox,
};
use crate::idempotency::Keyed;
use crate::workflows::workflow_in;
use crate::{FailPoint, Result, Store, StoreError, micros};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query, SelectStatement};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, JoinType,
    QueryFilter, QueryTrait,
};
use sepakat_core::application::EventKind;
use sepakat_core::calendar::{self, OfficeZone};
use sepakat_core::numbering::NumberPattern;
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

/// What this process last committed for an application: enough to decide the next command.
pub(crate) struct Recent {
    workflow_name: String,
    workflow_hash: String,
    version: i64,
    state: Application,
    last_event_hash: String,
    event_count: i64,
}

impl Recent {
    fn from_row(row: &applications::Model) -> Result<Recent> {
        Ok(Recent {
            workflow_name: row.workflow_name.clone(),
            workflow_hash: row.workflow_hash.clone(),
            version: row.version,
            state: Application::deserialize(&row.state).map_err(|e| {
                StoreError::corrupt(format!("state of application {}: {e}", row.id))
            })?,
            last_event_hash: row.last_event_hash.clone(),
            event_count: row.event_count,
        })
    }
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
        let (row, account) = self
            .load_for_command(application_id, actor_account_id)
            .await?;
        if row.version != expected_version {
            return Err(StoreError::Conflict {
                expected: expected_version,
                actual: row.version,
            });
        }
        let recent = self.recent_from_row(&row).await?;
        self.decide(&recent, &account, &command, micros(now))
            .await
            .map(|_| ())
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
            let (row, account) = self
                .load_for_command(application_id, actor_account_id)
                .await?;
            if row.version != expected_version {
                return Err(StoreError::Conflict {
                    expected: expected_version,
                    actual: row.version,
                });
            }
            let recent = self.recent_from_row(&row).await?;
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
        let prepared_early = if issues_letters {
            None
        } else {
            Some(prepare(&Decided {
                workflow: &workflow,
                before: Some(&recent.state),
                after: &after,
                events: &events,
                actor: &actor,
                account: Some(account),
                now,
                document,
                letters: &[],
                prev_hash: recent.last_event_hash.clone(),
                prev_count: recent.event_count,
            })?)
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
            let decided = Decided {
                workflow: &workflow,
                before: Some(&recent.state),
                after: &after,
                events: &events,
                actor: &actor,
                account: Some(account),
                now,
                document,
                letters: &letters,
                prev_hash: recent.last_event_hash.clone(),
                prev_count: recent.event_count,
            };
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

    /// The application as the row holds it. A state written before the office's zone was
    /// recorded on it takes the office's zone now, so its dates are the office's too.
    async fn recent_from_row(&self, row: &applications::Model) -> Result<Recent> {
        let mut recent = Recent::from_row(row)?;
        let has_zone = row
            .state
            .get("ownership")
            .is_some_and(|o| o.get("zone").is_some());
        if !has_zone {
            let office = find_office(&self.inner.db, recent.state.ownership.office_id).await?;
            recent.state.ownership.zone = office_zone(&office);
        }
        Ok(recent)
    }

    /// The application row and the acting account in one round trip.
    async fn load_for_command(
        &self,
        application_id: Uuid,
        account_id: Uuid,
    ) -> Result<(applications::Model, accounts::Model)> {
        let db = &self.inner.db;
        let mut q =
            applications::Entity::find_by_id(application_id).select_two_required(accounts::Entity);
        QueryTrait::query(&mut q).join(
            JoinType::InnerJoin,
            accounts::Entity,
            Expr::col((accounts::Entity, accounts::Column::Id)).eq(account_id),
        );
        let Some((row, account)) = q.one(db).await? else {
            // Say which of the two is missing (an unknown account first).
            actor_in(db, account_id).await?;
            return Err(StoreError::not_found("application", application_id));
        };
        if !account.active {
            return Err(StoreError::Invalid(format!(
                "account {} ({}) is deactivated and cannot act",
                account.id, account.email
            )));
        }
        let capacity = self.inner.recent_capacity;
        if let (true, Ok(mut seen)) = (capacity > 0, self.inner.accounts_seen.lock()) {
            if seen.len() >= capacity {
                seen.clear();
            }
            seen.insert(account.id, account.clone());
        }
        Ok((row, account))
    }

    fn recent_inputs(
        &self,
        application_id: Uuid,
        expected_version: i64,
        account_id: Uuid,
    ) -> Option<(Arc<Recent>, accounts::Model)> {
        let recent = self
            .inner
            .recent
            .lock()
            .ok()?
            .get(&application_id)
            .filter(|r| r.version == expected_version)?
            .clone();
        let account = self
            .inner
            .accounts_seen
            .lock()
            .ok()?
            .get(&account_id)?
            .clone();
        Some((recent, account))
    }

    fn remember(&self, outcome: &CommandOutcome) {
        let capacity = self.inner.recent_capacity;
        if capacity == 0 {
            return;
        }
        let app = &outcome.application;
        let Some(last) = outcome.events.last() else {
            return;
        };
        let recent = Recent {
            workflow_name: app.workflow.name.clone(),
            workflow_hash: app.workflow.hash.clone(),
            version: app.version,
            state: app.clone(),
            last_event_hash: last.hash.clone(),
            event_count: last.seq,
        };
        if let Ok(mut cache) = self.inner.recent.lock() {
            if cache.len() >= capacity {
                cache.clear();
            }
            cache.insert(app.id, Arc::new(recent));
        }
    }

    pub(crate) fn forget(&self, application_id: Uuid, account_id: Uuid) {
        if let Ok(mut cache) = self.inner.recent.lock() {
            cache.remove(&application_id);
        }
        self.forget_account(account_id);
    }

    pub(crate) fn forget_account(&self, account_id: Uuid) {
        if let Ok(mut seen) = self.inner.accounts_seen.lock() {
            seen.remove(&account_id);
        }
    }

    /// Writes one decided command inside `txn`: state row, events, letters, projections, outbox.
    async fn persist(
        &self,
        txn: &DatabaseTransaction,
        d: &Decided<'_>,
        prepared: Prepared,
    ) -> Result<CommandOutcome> {
        let app = d.after;
        let Prepared {
            state,
            event_rows,
            head: prev,
            event_count,
        } = prepared;

        // The state row: inserted, or updated only if nobody got there first.
        match d.before {
            None => {
                applications::Entity::insert(applications::ActiveModel {
                    id: Set(app.id),
                    workflow_name: Set(app.workflow.name.clone()),
                    workflow_hash: Set(app.workflow.hash.clone()),
                    agency_id: Set(app.ownership.agency_id),
                    office_id: Set(app.ownership.office_id),
                    stage: Set(app.stage.clone()),
                    version: Set(app.version),
                    state: Set(state),
                    submitted_by: Set(app.submitted_by),
                    submitted_at: Set(micros(app.submitted_at)),
                    stage_entered_at: Set(micros(app.stage_entered_at)),
                    next_evaluation_due: Set(app.next_evaluation_due),
                    last_event_hash: Set(prev.clone()),
                    event_count: Set(event_count),
                    updated_at: Set(d.now),
                })
                .exec_without_returning(txn)
                .await?;
            }
            Some(before) => {
                let mut update = applications::Entity::update_many();
                if let Some(acc) = d.account {
                    update = update.filter(Expr::exists(account_unchanged(acc)));
                }
                let updated = update
                    .col_expr(applications::Column::Stage, Expr::value(app.stage.clone()))
                    .col_expr(applications::Column::Version, Expr::value(app.version))
                    .col_expr(applications::Column::State, Expr::value(state))
                    .col_expr(
                        applications::Column::StageEnteredAt,
                        Expr::value(micros(app.stage_entered_at)),
                    )
                    .col_expr(
                        applications::Column::NextEvaluationDue,
                        Expr::value(app.next_evaluation_due),
                    )
                    .col_expr(
                        applications::Column::LastEventHash,
                        Expr::value(prev.clone()),
                    )
                    .col_expr(applications::Column::EventCount, Expr::value(event_count))
                    .col_expr(applications::Column::UpdatedAt, Expr::value(d.now))
                    .filter(applications::Column::Id.eq(app.id))
                    .filter(applications::Column::Version.eq(before.version))
                    .exec(txn)
                    .await?;
                if updated.rows_affected == 0 {
                    let actual = applications::Entity::find_by_id(app.id)
                        .one(txn)
                        .await?
                        .map_or(0, |r| r.version);
                    return Err(StoreError::Conflict {
                        expected: before.version,
                        actual,
                    });
                }
            }
        }

        if !event_rows.is_empty() {
            audit_events::Entity::insert_many(
                event_rows
                    .iter()
                    .cloned()
                    .map(audit_events::ActiveModel::from),
            )
            .exec_without_returning(txn)
            .await?;
        }
        self.check_fail_point(FailPoint::AfterEvents)?;

        // Letters, documents and the access projections, event by event.
        for (e, row) in d.events.iter().zip(&event_rows) {
            self.project(txn, app, e, row, d).await?;
        }

        // Who the application waits on now: the inboxes' read model. An upload or an opened
        // evaluation changes it as much as a new stage does.
        let stage_changed = d.before.is_none_or(|b| b.stage != app.stage);
        // (A new stage rewrites them anyway: the core is asked only when the stage stays.)
        let waits_changed = !stage_changed
            && d.before.is_some_and(|b| {
                sepakat_core::inbox::waiting_on(d.workflow, b)
                    != sepakat_core::inbox::waiting_on(d.workflow, app)
            });
        if stage_changed || waits_changed {
            crate::inbox::write_waits(txn, d.workflow, app).await?;
        }
        if stage_changed {
            // The stay it began, the one it ended, and every scope's counters (dashboards).
            let entering = event_rows
                .iter()
                .rev()
                .find(|r| matches!(r.kind.as_str(), "transitioned" | "submitted" | "imported"))
                .map_or(event_count, |r| r.seq);
            crate::stages::write_stage_move(txn, d.workflow, d.before, app, entering).await?;
        }

        // Notifications for whoever must act next; an agreement imported from before Sepakat
        // is news to nobody.
        let imported = event_rows.iter().any(|r| r.kind == "imported");
        let mut outbox_rows = if stage_changed && !imported {
            let trigger = event_rows
                .iter()
                .rev()
                .find(|r| r.kind == "transitioned" || r.kind == "submitted");
            self.queue_notifications(txn, d, trigger).await?
        } else {
            Vec::new()
        };
        if event_rows.iter().any(|r| r.kind.starts_with("evaluation_")) {
            outbox_rows.extend(
                self.queue_evaluation_notifications(txn, d, &event_rows)
                    .await?,
            );
        }
        if event_rows
            .iter()
            .any(|r| r.kind == "term_reminded" || r.kind == "grant_expired")
        {
            outbox_rows.extend(self.queue_term_notifications(txn, d, &event_rows).await?);
        }

        self.check_fail_point(FailPoint::BeforeCommit)?;
        Ok(CommandOutcome {
            application: app.clone(),
            events: event_rows,
            letters: Vec::new(),
            outbox: outbox_rows,
        })
    }
}

/// The rows a decided command will write, built before its transaction starts.
struct Prepared {
    state: Value,
    event_rows: Vec<audit_events::Model>,
    /// The chain's new head hash.
    head: String,
    event_count: i64,
}

/// Serializes the new state and chains the events onto the application's head.
fn prepare(d: &Decided<'_>) -> Result<Prepared> {
    let app = d.after;
    let state = to_json("application state", app)?;
    let mut event_rows = Vec::with_capacity(d.events.len());
    let mut prev = d.prev_hash.clone();
    for (i, e) in d.events.iter().enumerate() {
        let seq = d.prev_count + 1 + i as i64;
        let payload = to_json("event", &e.kind)?;
        let at = micros(e.at);
        let kind = e.kind.name().to_string();
        let hash = event_hash(app.id, seq, &kind, e.actor, at, &payload, &prev);
        event_rows.push(audit_events::Model {
            id: Uuid::now_v7(),
            application_id: app.id,
            seq,
            kind,
            actor_id: e.actor,
            at,
            payload,
            prev_hash: std::mem::replace(&mut prev, hash.clone()),
            hash,
        });
    }
    Ok(Prepared {
        state,
        event_count: d.prev_count + event_rows.len() as i64,
        event_rows,
        head: prev,
    })
}

/// `SELECT 1 FROM accounts WHERE` the account is still active with the same role and scope.
fn account_unchanged(acc: &accounts::Model) -> SelectStatement {
    let mut q = Query::select();
    q.expr(Expr::val(1))
        .from(accounts::Entity)
        .and_where(accounts::Column::Id.eq(acc.id))
        .and_where(accounts::Column::Active.eq(true))
        .and_where(accounts::Column::Role.eq(acc.role));
    q.and_where(match acc.office_id {
        Some(o) => accounts::Column::OfficeId.eq(o),
        None => accounts::Column::OfficeId.is_null(),
    });
    q.and_where(match acc.agency_id {
        Some(a) => accounts::Column::AgencyId.eq(a),
        None => accounts::Column::AgencyId.is_null(),
    });
    q.and_where(match &acc.province {
        Some(p) => accounts::Column::Province.eq(p.clone()),
        None => accounts::Column::Province.is_null(),
    });
    q
}

/// The office's time zone, as the core reads it.
pub(crate) fn office_zone(office: &offices::Model) -> OfficeZone {
    OfficeZone(office.utc_offset_minutes)
}

/// The date a letter carries, in the issuing office's time zone (the core's rule).
pub(crate) fn local_date(office: &offices::Model, at: DateTime<Utc>) -> NaiveDate {
    calendar::local_date(at, office_zone(office))
}

/// Takes the next number of the office's register for the letter's year, inside the command's
/// transaction. `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` is one statement on both
/// databases: on PostgreSQL the counter row stays locked until the transaction ends, so
/// concurrent commands of one office queue on it and a rolled-back command gives its number
/// back; on SQLite the write transaction already serialises them. Unique and gap-free.
pub(crate) async fn allocate_seq<C: ConnectionTrait>(
    db: &C,
    office_id: Uuid,
    year: i32,
) -> Result<i64> {
    use letter_counters::Column as C_;
    next_in_register(
        db,
        letter_counters::Entity,
        (C_::OfficeId, C_::Year, C_::LastSeq),
        office_id,
        year,
    )
    .await
}

/// The same for an agency's own register.
pub(crate) async fn allocate_agency_seq<C: ConnectionTrait>(
    db: &C,
    agency_id: Uuid,
    year: i32,
) -> Result<i64> {
    use agency_letter_counters::Column as C_;
    next_in_register(
        db,
        agency_letter_counters::Entity,
        (C_::AgencyId, C_::Year, C_::LastSeq),
        agency_id,
        year,
    )
    .await
}

/// Takes the next running number of a counter table keyed by (owner, year).
async fn next_in_register<C: ConnectionTrait, E: EntityTrait>(
    db: &C,
    table: E,
    (owner_col, year_col, last_col): (E::Column, E::Column, E::Column),
    owner: Uuid,
    year: i32,
) -> Result<i64> {
    let stmt = Query::insert()
        .into_table(table)
        .columns([owner_col, year_col, last_col])
        .values([owner.into(), year.into(), 1i64.into()])
        .map_err(StoreError::corrupt)?
        .on_conflict(
            OnConflict::columns([owner_col, year_col])
                .value(last_col, Expr::col((table, last_col)).add(1))
                .to_owned(),
        )
        .returning_col(last_col)
        .to_owned();
    let row = db
        .query_one(&stmt)
        .await?
        .ok_or_else(|| StoreError::corrupt("the letter counter returned no row"))?;
    Ok(row.try_get::<i64>("", "last_seq")?)
}

/// Formats running number `seq` with a register's stored pattern.
pub(crate) fn format_number(
    pattern: &str,
    code: &str,
    unit: &str,
    seq: i64,
    day: NaiveDate,
    whose: &str,
) -> Result<String> {
    let pattern =
        NumberPattern::parse(pattern).map_err(|e| StoreError::corrupt(format!("{whose}: {e}")))?;
    let seq = u32::try_from(seq)
        .map_err(|_| StoreError::corrupt(format!("the letter counter of {whose} overflowed")))?;
    Ok(pattern.format(code, seq, unit, day))
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
