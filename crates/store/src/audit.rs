//! The tamper-evident audit log.
//!
//! # One chain per application
//!
//! Every event row stores `hash = SHA-256(canonical(application_id, seq, kind, actor, at,
//! payload, prev_hash))`, where `prev_hash` is the hash of the application's previous event (64
//! zeros for its first). The chain is *per application*, not global, because:
//!
//! - commands on different applications never contend for a shared chain head, so writers on
//!   PostgreSQL only ever wait for each other when they touch the same application (or take a
//!   letter number from the same office);
//! - the question an auditor asks is about one application's history, and a per-application
//!   chain answers it (and names the first broken event) without reading anything else;
//! - the application row already is the unit of optimistic concurrency, so it stores the chain's
//!   head hash and event count in the same version-checked UPDATE. Removing the newest events —
//!   which no chain link could reveal — shows up as a head or count mismatch.
//!
//! What it does not catch: someone who deletes an application row together with all its events,
//! or who recomputes every hash after an edit (there is no secret key). The chain makes
//! accidental or careless tampering visible; export the heads elsewhere to anchor them further.
//!
//! # Canonical form
//!
//! The hash input is a JSON object with keys sorted at every level and no whitespace; `at` is
//! RFC 3339 UTC with exactly six fractional digits (the store truncates times to microseconds,
//! PostgreSQL's precision). The payload is read back from the database (`jsonb` may reorder
//! keys), so the form depends on the JSON value only, never on how a database printed it.
//!
//! # Issued letters
//!
//! An issued letter is frozen: its rendering context (`letters.snapshot`) and the SHA-256 of
//! that text, of the HTML and of the PDF sit in its row, and its `letter_issued` event carries
//! the number and the same hashes inside the chain. [`Store::verify_letters`] checks that the
//! three agree: the snapshot still hashes to what is recorded, the row's number and hashes are
//! the event's, and (given the blob store) the files still hash to what is recorded. Editing a
//! row leaves the chain intact, so only this cross-check reveals it.

use crate::entity::{applications, audit_events};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt;
use uuid::Uuid;

mod letters;
pub use letters::{BlobReader, LetterBreak, LetterForm, LetterProblem, LetterReport};

/// `prev_hash` of an application's first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of one event, as stored in `audit_events.hash`.
pub fn event_hash(
    application_id: Uuid,
    seq: i64,
    kind: &str,
    actor: Uuid,
    at: DateTime<Utc>,
    payload: &Value,
    prev_hash: &str,
) -> String {
    let doc = json!({
        "application_id": application_id.to_string(),
        "seq": seq,
        "kind": kind,
        "actor": actor.to_string(),
        "at": at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        "payload": payload,
        "prev_hash": prev_hash,
    });
    let mut canonical = String::from("sepakat-audit-v1\n");
    write_canonical(&doc, &mut canonical);
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

fn row_hash(e: &audit_events::Model, seq: i64) -> String {
    event_hash(
        e.application_id,
        seq,
        &e.kind,
        e.actor_id,
        e.at,
        &e.payload,
        &e.prev_hash,
    )
}

/// JSON with object keys sorted at every level, whatever map type serde_json was built with.
pub fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(&map[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// What is wrong with the first broken event of an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum AuditProblem {
    /// The row's content no longer matches its hash.
    Edited,
    /// The row hashes correctly only under another sequence number: rows were renumbered.
    Reordered { originally: i64 },
    /// Events are missing before this one (it is not the next number of the chain).
    Missing { expected_seq: i64 },
    /// The row is intact but does not link to the event before it.
    BrokenLink,
    /// The newest events are gone: the application records more than the log holds.
    Truncated { recorded: i64, found: i64 },
    /// The log holds more events, or another newest event, than the application records.
    HeadMismatch { recorded_count: i64, found: i64 },
}

/// The first broken event of one application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditBreak {
    pub application_id: Uuid,
    /// The sequence number of the first event that fails (for `Truncated`: the first missing one).
    pub seq: i64,
    /// The row, when one exists at that place.
    pub event_id: Option<Uuid>,
    pub kind: Option<String>,
    #[serde(flatten)]
    pub problem: AuditProblem,
}

impl fmt::Display for AuditBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "application {}: event #{}",
            self.application_id, self.seq
        )?;
        if let (Some(id), Some(kind)) = (&self.event_id, &self.kind) {
            write!(f, " ({kind}, id {id})")?;
        }
        match &self.problem {
            AuditProblem::Edited => {
                write!(f, " was edited: its content no longer matches its hash")
            }
            AuditProblem::Reordered { originally } => write!(
                f,
                " was reordered: the row was written as event #{originally}"
            ),
            AuditProblem::Missing { expected_seq } => {
                write!(f, " follows a gap: event #{expected_seq} was removed")
            }
            AuditProblem::BrokenLink => write!(
                f,
                " does not link to the event before it: an event was removed, inserted or replaced"
            ),
            AuditProblem::Truncated { recorded, found } => write!(
                f,
                " was removed: the application records {recorded} events, the log holds {found}"
            ),
            AuditProblem::HeadMismatch {
                recorded_count,
                found,
            } => write!(
                f,
                " is not the head the application records ({recorded_count} events recorded, {found} found): events were added or replaced"
            ),
        }
    }
}

/// The outcome of walking every chain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    pub applications: u64,
    pub events: u64,
    /// The first broken event of each application whose chain does not verify.
    pub broken: Vec<AuditBreak>,
}

impl AuditReport {
    pub fn is_ok(&self) -> bool {
        self.broken.is_empty()
    }
}

impl fmt::Display for AuditReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in &self.broken {
            writeln!(f, "BROKEN {b}")?;
        }
        if self.is_ok() {
            write!(
                f,
                "audit log verified: {} applications, {} events, every chain intact",
                self.applications, self.events
            )
        } else {
            write!(
                f,
                "audit log NOT verified: {} of {} applications have a broken chain ({} events read)",
                self.broken.len(),
                self.applications,
                self.events
            )
        }
    }
}

/// Checks one application's events (ordered by seq) against its row; the first break, if any.
pub(crate) fn verify_chain(
    app: &applications::Model,
    events: &[audit_events::Model],
) -> Option<AuditBreak> {
    let brk = |seq: i64, e: Option<&audit_events::Model>, problem| AuditBreak {
        application_id: app.id,
        seq,
        event_id: e.map(|e| e.id),
        kind: e.map(|e| e.kind.clone()),
        problem,
    };
    let found = events.len() as i64;
    let mut prev = GENESIS.to_string();
    for (i, e) in events.iter().enumerate() {
        let expected_seq = i as i64 + 1;
        if e.hash != row_hash(e, e.seq) {
            // Renumbered rows still hash correctly under the number they were written with.
            let originally =
                (1..=found.max(app.event_count)).find(|&s| s != e.seq && e.hash == row_hash(e, s));
            let problem = match originally {
                Some(originally) => AuditProblem::Reordered { originally },
                None => AuditProblem::Edited,
            };
            return Some(brk(e.seq, Some(e), problem));
        }
        if e.seq != expected_seq {
            return Some(brk(e.seq, Some(e), AuditProblem::Missing { expected_seq }));
        }
        if e.prev_hash != prev {
            return Some(brk(e.seq, Some(e), AuditProblem::BrokenLink));
        }
        prev = e.hash.clone();
    }
    if found < app.event_count {
        return Some(brk(
            found + 1,
            None,
            AuditProblem::Truncated {
                recorded: app.event_count,
                found,
            },
        ));
    }
    if found > app.event_count || prev != app.last_event_hash {
        let last = events.last();
        return Some(brk(
            last.map_or(0, |e| e.seq),
            last,
            AuditProblem::HeadMismatch {
                recorded_count: app.event_count,
                found,
            },
        ));
    }
    None
}

/// Applications whose chains one snapshot reads.
const VERIFY_PAGE: u64 = 100;

impl Store {
    /// Walks every application's audit chain; the report names the first broken event of each.
    ///
    /// A page of applications is read together with all their events in one read transaction
    /// (REPEATABLE READ on PostgreSQL; on SQLite every read of a transaction shares one
    /// snapshot). A command commits its events and the head it records on the application row
    /// together, so a command committing meanwhile is seen whole or not at all: verifying while
    /// the server works reports no false break, and an event added behind the head's back is
    /// still one.
    #[tracing::instrument(skip(self), err)]
    pub async fn verify_audit(&self) -> Result<AuditReport> {
        let mut report = AuditReport::default();
        let mut after: Option<Uuid> = None;
        loop {
            let (apps, mut events) = self.chains_in_snapshot(after, None).await?;
            let Some(last) = apps.last() else { break };
            after = Some(last.id);
            for app in &apps {
                let events = events.remove(&app.id).unwrap_or_default();
                report.applications += 1;
                report.events += events.len() as u64;
                if let Some(b) = verify_chain(app, &events) {
                    report.broken.push(b);
                }
            }
        }
        Ok(report)
    }

    /// Walks one application's audit chain (read in one snapshot, as [`Store::verify_audit`]).
    #[tracing::instrument(skip(self), err)]
    pub async fn verify_application_audit(
        &self,
        application_id: Uuid,
    ) -> Result<Option<AuditBreak>> {
        let (apps, mut events) = self.chains_in_snapshot(None, Some(application_id)).await?;
        let app = apps
            .first()
            .ok_or_else(|| StoreError::not_found("application", application_id))?;
        let events = events.remove(&app.id).unwrap_or_default();
        Ok(verify_chain(app, &events))
    }

    /// The next page of application rows after `after` (or the one application `only`) and
    /// their events in `seq` order, all read in one snapshot.
    async fn chains_in_snapshot(
        &self,
        after: Option<Uuid>,
        only: Option<Uuid>,
    ) -> Result<(
        Vec<applications::Model>,
        HashMap<Uuid, Vec<audit_events::Model>>,
    )> {
        let txn = self.begin_snapshot().await?;
        let read = async {
            let mut q = applications::Entity::find()
                .order_by_asc(applications::Column::Id)
                .limit(VERIFY_PAGE);
            if let Some(a) = after {
                q = q.filter(applications::Column::Id.gt(a));
            }
            if let Some(id) = only {
                q = q.filter(applications::Column::Id.eq(id));
            }
            let apps = q.all(&txn).await?;
            let mut events: HashMap<Uuid, Vec<audit_events::Model>> = HashMap::new();
            if !apps.is_empty() {
                let rows = audit_events::Entity::find()
                    .filter(audit_events::Column::ApplicationId.is_in(apps.iter().map(|a| a.id)))
                    .order_by_asc(audit_events::Column::ApplicationId)
                    .order_by_asc(audit_events::Column::Seq)
                    .all(&txn)
                    .await?;
                for e in rows {
                    events.entry(e.application_id).or_default().push(e);
                }
            }
            Ok::<_, StoreError>((apps, events))
        }
        .await;
        // Read only: ending it either way changes nothing.
        if let Err(e) = txn.rollback().await {
            tracing::debug!(error = %e, "ending the read snapshot failed");
        }
        read
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_form_sorts_keys_at_every_level() {
        let v: Value =
            serde_json::from_str(r#"{"b":1,"a":{"z":[{"y":2,"x":"é\n"}],"c":null}}"#).unwrap();
        let mut s = String::new();
        write_canonical(&v, &mut s);
        assert_eq!(s, r#"{"a":{"c":null,"z":[{"x":"é\n","y":2}]},"b":1}"#);
    }

    #[test]
    fn hash_depends_on_every_field() {
        let id = Uuid::from_u128(1);
        let actor = Uuid::from_u128(2);
        let at = DateTime::parse_from_rfc3339("2024-06-03T10:00:00.123456Z")
            .unwrap()
            .with_timezone(&Utc);
        let p = json!({"type": "x"});
        let base = event_hash(id, 1, "k", actor, at, &p, GENESIS);
        assert_eq!(base.len(), 64);
        assert_ne!(
            base,
            event_hash(Uuid::from_u128(3), 1, "k", actor, at, &p, GENESIS)
        );
        assert_ne!(base, event_hash(id, 2, "k", actor, at, &p, GENESIS));
        assert_ne!(base, event_hash(id, 1, "j", actor, at, &p, GENESIS));
        assert_ne!(base, event_hash(id, 1, "k", id, at, &p, GENESIS));
        assert_ne!(
            base,
            event_hash(
                id,
                1,
                "k",
                actor,
                at + chrono::TimeDelta::microseconds(1),
                &p,
                GENESIS
            )
        );
        assert_ne!(
            base,
            event_hash(id, 1, "k", actor, at, &json!({"type": "y"}), GENESIS)
        );
        assert_ne!(base, event_hash(id, 1, "k", actor, at, &p, &base));
        // Key order in the payload does not matter.
        let a: Value = serde_json::from_str(r#"{"a":1,"b":2}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"b":2,"a":1}"#).unwrap();
        assert_eq!(
            event_hash(id, 1, "k", actor, at, &a, GENESIS),
            event_hash(id, 1, "k", actor, at, &b, GENESIS)
        );
    }
}
