//! An accepted row as an application: its one `imported` event, the state it starts from, and
//! how the event folds into the application.

use super::{Accepted, ImportedAgreement};
use crate::application::{
    Application, Attestation, DocumentRef, Event, EventKind, Grant, MinisterApproval,
};
use crate::calendar::OfficeZone;
use crate::request::AccessMethod;
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::Deserialize;
use uuid::Uuid;

/// The application an accepted row becomes, and its one event, as `actor` imports it at
/// `now`: the base of the application (id, ownership, who and when) with the `imported` event
/// folded in, so the audit log rebuilds the same state.
pub fn start(
    accepted: &Accepted,
    actor: Uuid,
    now: DateTime<Utc>,
) -> Result<(Application, Vec<Event>), serde_json::Error> {
    let a = &accepted.agreement;
    let event = Event {
        at: now,
        actor,
        kind: EventKind::Imported {
            agreement: Box::new(a.clone()),
        },
    };
    let mut app = base(accepted, actor, now)?;
    app.evolve(&event);
    Ok((app, vec![event]))
}

/// An application with nothing on it yet, which `evolve` starts from. Read from its JSON form
/// so that what it leaves out takes the defaults an older stored state would take.
fn base(
    accepted: &Accepted,
    actor: Uuid,
    now: DateTime<Utc>,
) -> Result<Application, serde_json::Error> {
    let a = &accepted.agreement;
    Application::deserialize(serde_json::json!({
        "id": accepted.id,
        "workflow": a.workflow,
        "ownership": accepted.ownership,
        "request": a.request,
        "stage": a.stage,
        "version": 1,
        "submitted_by": actor,
        "submitted_at": now,
        "stage_entered_at": now,
        "documents": {},
        "attestation": null,
        "minister_approval": null,
        "pks": crate::application::PksState::default(),
        "grants": [],
        "evaluation_anchor": null,
        "next_evaluation_due": null,
    }))
}

/// The start of `day` on the office's clock, as an instant.
fn start_of(day: NaiveDate, zone: OfficeZone) -> DateTime<Utc> {
    let local = day.and_time(NaiveTime::MIN);
    let offset = chrono::FixedOffset::east_opt(zone.minutes().saturating_mul(60))
        .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!()));
    offset
        .from_local_datetime(&local)
        .single()
        .map_or_else(|| Utc.from_utc_datetime(&local), |t| t.with_timezone(&Utc))
}

/// Folds an `imported` event (called by `Application::evolve`).
pub(crate) fn fold(app: &mut Application, a: &ImportedAgreement, event: &Event) {
    app.workflow = a.workflow.clone();
    app.request = a.request.clone();
    app.stage = a.stage.clone();
    app.stage_entered_at = event.at;
    app.pks.signed_on = Some(a.pks.signed_on);
    app.pks.number = Some(a.pks.number.clone());
    app.attestation = Some(Attestation {
        details: a.attestation.clone(),
        statement_sha256: String::new(),
        recorded_by: event.actor,
        recorded_at: event.at,
        withdrawn: None,
    });
    app.minister_approval = a.minister_approval.as_ref().map(|r| MinisterApproval {
        reference: r.clone(),
        by: event.actor,
        at: event.at,
    });
    if let Some(scan) = &a.signed_pks {
        app.documents.insert(
            "signed:pks".into(),
            DocumentRef {
                sha256: scan.sha256.clone(),
                filename: scan.filename.clone(),
                at: event.at,
                of_letter: None,
            },
        );
    }
    let elements = a.request.element_codes();
    let method = a.request.access_method.unwrap_or(AccessMethod::WebPortal);
    app.grants = a
        .grants
        .iter()
        .map(|g| Grant {
            kind: g.kind,
            elements: elements.clone(),
            method,
            issued_at: start_of(g.issued_on, app.ownership.zone),
            valid_until: g.valid_until,
            status: g.status.clone(),
            held_by_evaluation: false,
        })
        .collect();
    app.evaluation_anchor = Some(a.calendar.anchor);
    app.periodic_due = Some(a.calendar.next_due);
    app.refresh_next_due();
}
