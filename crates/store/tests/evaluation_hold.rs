//! The six-monthly control against both databases (issue #14): the field report's bypass —
//! the calendar suspends an overdue grant, the office suspends and then restores by hand — is
//! refused, and nothing is written; the grant comes back only after a passing evaluation with
//! the semester report. And the calendar's dry run decides what a sweep would do without
//! writing anything.

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::*;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use sepakat_core::application::{EventKind, GrantKind};
use sepakat_core::evaluation::HoldReason;
use sepakat_core::{Command, EvaluationKind, EvaluationOutcome, Unmet};
use sepakat_store::StoreError;
use sepakat_store::entity::{audit_events, evaluations, grants, outbox};
use sepakat_store::testing::Backend;
use uuid::Uuid;

on_both_databases!(
    a_manual_restore_never_undoes_the_calendar,
    the_dry_run_decides_the_sweep_and_writes_nothing,
);

fn at(day: chrono::NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(5, 0, 0).unwrap())
}

async fn production_status(w: &World, app: Uuid) -> String {
    grants::Entity::find()
        .filter(grants::Column::ApplicationId.eq(app))
        .filter(grants::Column::Kind.eq("production"))
        .one(w.store.connection())
        .await
        .unwrap()
        .expect("production grant")
        .status
        .to_string()
}

/// Everything a sweep could write: audit events, evaluation rows, grant rows, mail.
async fn footprint(w: &World) -> (u64, Vec<evaluations::Model>, Vec<grants::Model>, u64) {
    let db = w.store.connection();
    (
        audit_events::Entity::find().count(db).await.unwrap(),
        evaluations::Entity::find().all(db).await.unwrap(),
        grants::Entity::find().all(db).await.unwrap(),
        outbox::Entity::find().count(db).await.unwrap(),
    )
}

async fn a_manual_restore_never_undoes_the_calendar(backend: Backend) {
    let w = world(backend).await;
    let mut walk = Walk::start(&w).await;
    walk.to("akses_aktif").await;
    let due = walk.state.periodic_due.unwrap();

    // The calendar: past the grace period, the grant is suspended.
    let r = w
        .store
        .run_evaluation_calendar(at(due + Duration::days(31)))
        .await
        .unwrap();
    assert_eq!((r.overdue, r.grants_suspended), (1, 1));
    assert_eq!(production_status(&w, walk.id).await, "suspended");

    // The office suspends by hand, then restores: refused, saying what must happen first.
    let app = w.store.application(walk.id).await.unwrap();
    walk.version = app.row.version;
    walk.state = app.state;
    walk.now = at(due + Duration::days(32));
    walk.run(
        w.coordinator,
        go_with("tangguhkan_akses", "Evaluasi semester belum dilaksanakan"),
    )
    .await;
    assert_eq!(walk.stage, "akses_ditangguhkan");
    let version = walk.version;
    let events_before = footprint(&w).await.0;
    let err = walk
        .try_do(
            w.coordinator,
            go_with("pulihkan_akses", "Lembaga sudah berjanji melapor"),
        )
        .await
        .unwrap_err();
    let StoreError::Rejected(rejection) = &err else {
        panic!("not a rejection: {err}");
    };
    assert_eq!(
        rejection.unmet,
        vec![Unmet::HeldByEvaluation {
            kind: EvaluationKind::Periodic,
            due_on: due,
            reason: HoldReason::Overdue,
        }]
    );
    assert!(!rejection.is_forbidden());
    let said = err.to_string();
    assert!(said.contains("laporan_semester"), "{said}");
    assert!(
        rejection.unmet[0].message_id().contains("laporan semester"),
        "{}",
        rejection.unmet[0].message_id()
    );
    // Nothing was written: same version, same stage, the grant still suspended.
    let app = w.store.application(walk.id).await.unwrap();
    assert_eq!(app.row.version, version);
    assert_eq!(app.state.stage, "akses_ditangguhkan");
    assert_eq!(footprint(&w).await.0, events_before);
    assert_eq!(production_status(&w, walk.id).await, "suspended");
    // Central is refused the same way.
    assert!(
        walk.try_do(w.central, go_with("pulihkan_akses", "Dipulihkan pusat"))
            .await
            .is_err()
    );

    // The next sweep changes nothing, and the grant stays suspended.
    let r = w
        .store
        .run_evaluation_calendar(at(due + Duration::days(60)))
        .await
        .unwrap();
    assert_eq!(r.changed, 0);
    assert_eq!(production_status(&w, walk.id).await, "suspended");

    // The agency reports, the office records a pass: the evaluation's hold is lifted. The
    // office had suspended by hand as well, so the grant comes back with its own restore.
    walk.now = at(due + Duration::days(61));
    walk.run(w.head, attach("laporan_semester", 40)).await;
    let out = walk
        .run(
            w.coordinator,
            Command::RecordEvaluation {
                kind: EvaluationKind::Periodic,
                due_on: due,
                outcome: EvaluationOutcome::Pass,
                findings: "Laporan semester diterima terlambat; data balikan lengkap.".into(),
                data_balikan_met: true,
                access_count: None,
            },
        )
        .await;
    assert!(
        out.events.iter().all(|e| e.kind != "grant_restored"),
        "the pass does not lift the office's own suspension"
    );
    assert_eq!(production_status(&w, walk.id).await, "suspended");
    let out = walk
        .run(
            w.coordinator,
            go_with("pulihkan_akses", "Evaluasi semester lulus"),
        )
        .await;
    assert!(out.events.iter().any(|e| e.kind == "grant_restored"));
    assert_eq!(production_status(&w, walk.id).await, "active");
    assert_eq!(walk.stage, "akses_aktif");
    assert!(w.store.verify_audit().await.unwrap().is_ok());
}

async fn the_dry_run_decides_the_sweep_and_writes_nothing(backend: Backend) {
    let w = world(backend).await;
    let mut walk = Walk::start(&w).await;
    walk.to("akses_aktif").await;
    let due = walk.state.periodic_due.unwrap();
    let version = w.store.application(walk.id).await.unwrap().row.version;
    let before = footprint(&w).await;

    // Next month: nothing would happen.
    let plan = w
        .store
        .plan_evaluation_calendar(walk.now + Duration::days(30))
        .await
        .unwrap();
    assert_eq!((plan.report.checked, plan.report.changed), (1, 0));
    assert!(plan.decisions.is_empty());

    // Past the grace period: the whole sequence, ending with the suspension.
    let as_of = due + Duration::days(31);
    let plan = w.store.plan_evaluation_calendar(at(as_of)).await.unwrap();
    assert_eq!(plan.as_of, as_of);
    assert_eq!(
        (
            plan.report.opened,
            plan.report.overdue,
            plan.report.grants_suspended,
            plan.report.failed
        ),
        (1, 1, 1, 0)
    );
    let [d] = &plan.decisions[..] else {
        panic!("one application: {:?}", plan.decisions);
    };
    assert_eq!(d.application_id, walk.id);
    assert_eq!(d.agency, w.agency.name);
    let names: Vec<&str> = d.events.iter().map(EventKind::name).collect();
    assert_eq!(
        names,
        [
            "evaluation_opened",
            "evaluation_reminded",
            "evaluation_escalated",
            "evaluation_overdue",
            "grant_suspended"
        ]
    );
    assert!(d.events.iter().any(|e| matches!(
        e,
        EventKind::GrantSuspended {
            kind: GrantKind::Production,
            evaluation: true,
            ..
        }
    )));
    // Nothing written: no event, no evaluation, no grant change, no mail, same version.
    assert_eq!(footprint(&w).await, before);
    assert_eq!(
        w.store.application(walk.id).await.unwrap().row.version,
        version
    );

    // The real sweep on that day does exactly what the plan said.
    let report = w.store.run_evaluation_calendar(at(as_of)).await.unwrap();
    assert_eq!(report, plan.report);
    // And a second plan for the same day finds nothing left to do.
    let again = w.store.plan_evaluation_calendar(at(as_of)).await.unwrap();
    assert_eq!(again.report.changed, 0);
}
