//! The evaluation calendar and the outbox against both databases: time moved across six
//! months opens, reminds, escalates and suspends exactly once, even with several sweepers at
//! once; outbox claims never overlap, failures back off, the last one is dead.

mod common;

use chrono::{DateTime, Duration, TimeDelta, TimeZone, Utc};
use common::*;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use sepakat_core::{Command, EvaluationKind, EvaluationOutcome};
use sepakat_store::entity::{audit_events, grants, outbox};
use sepakat_store::testing::Backend;
use sepakat_store::{Delivery, SYSTEM_ACCOUNT_ID};
use std::collections::BTreeSet;
use uuid::Uuid;

on_both_databases!(
    the_calendar_across_six_months,
    concurrent_sweeps_suspend_once,
    outbox_claims_never_overlap_and_failures_back_off,
);

fn noon(day: chrono::NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(5, 0, 0).unwrap())
}

async fn outbox_of(w: &World, app: Uuid, template: &str) -> Vec<outbox::Model> {
    outbox::Entity::find()
        .filter(outbox::Column::ApplicationId.eq(app))
        .filter(outbox::Column::Template.eq(template))
        .all(w.store.connection())
        .await
        .unwrap()
}

async fn events_named(w: &World, app: Uuid, kind: &str) -> usize {
    audit_events::Entity::find()
        .filter(audit_events::Column::ApplicationId.eq(app))
        .filter(audit_events::Column::Kind.eq(kind))
        .all(w.store.connection())
        .await
        .unwrap()
        .len()
}

async fn production_grant(w: &World, app: Uuid) -> grants::Model {
    grants::Entity::find()
        .filter(grants::Column::ApplicationId.eq(app))
        .filter(grants::Column::Kind.eq("production"))
        .one(w.store.connection())
        .await
        .unwrap()
        .expect("production grant")
}

async fn the_calendar_across_six_months(backend: Backend) {
    let w = world(backend).await;
    let kadis = head_of_office(&w).await;
    // The scheduler's account exists (created by migrate) and can never sign in.
    let system = w.store.account(SYSTEM_ACCOUNT_ID).await.unwrap();
    assert!(system.password_hash.is_none());

    let mut walk = Walk::start(&w).await;
    walk.to("akses_aktif").await;
    let app = w.store.application(walk.id).await.unwrap();
    let due = app.state.periodic_due.unwrap();

    // A month after production: nothing to do.
    let r = w
        .store
        .run_evaluation_calendar(walk.now + Duration::days(30))
        .await
        .unwrap();
    assert_eq!((r.checked, r.changed), (1, 0));
    assert_eq!(
        w.store.application(walk.id).await.unwrap().row.version,
        walk.version,
        "nothing due: no write"
    );

    // Two weeks before: opened, and the agency head reminded.
    let r = w
        .store
        .run_evaluation_calendar(noon(due - Duration::days(14)))
        .await
        .unwrap();
    assert_eq!((r.opened, r.reminded, r.escalated), (1, 1, 0));
    let reminders = outbox_of(&w, walk.id, "evaluation_reminder").await;
    assert_eq!(
        reminders
            .iter()
            .map(|m| m.recipient_account_id.unwrap())
            .collect::<Vec<_>>(),
        [w.head]
    );
    let ev = w.store.application_evaluations(walk.id).await.unwrap();
    assert_eq!(ev.len(), 1);
    assert_eq!((ev[0].state.as_str(), ev[0].due_on), ("open", due));
    assert!(ev[0].reminded_at.is_some());

    // The due date: escalated to the head of office only (not every coordinator).
    let r = w.store.run_evaluation_calendar(noon(due)).await.unwrap();
    assert_eq!(r.escalated, 1);
    let esc = outbox_of(&w, walk.id, "evaluation_escalated").await;
    assert_eq!(esc.len(), 1);
    assert_eq!(esc[0].recipient_account_id, Some(kadis));
    assert_eq!(
        production_grant(&w, walk.id).await.status.as_str(),
        "active"
    );

    // Past the 30-day grace period: overdue, grants suspended, agency and office told.
    let r = w
        .store
        .run_evaluation_calendar(noon(due + Duration::days(31)))
        .await
        .unwrap();
    assert_eq!((r.overdue, r.grants_suspended), (1, 1));
    let g = production_grant(&w, walk.id).await;
    assert_eq!(g.status.as_str(), "suspended");
    assert!(g.status_reason.unwrap().contains("masa tenggang"));
    let told: BTreeSet<Uuid> = outbox_of(&w, walk.id, "evaluation_overdue")
        .await
        .into_iter()
        .filter_map(|m| m.recipient_account_id)
        .collect();
    assert_eq!(told, BTreeSet::from([w.head, w.coordinator, kadis]));
    assert!(
        !told.contains(&SYSTEM_ACCOUNT_ID),
        "the scheduler mails nobody in its own name"
    );
    let ev = &w.store.application_evaluations(walk.id).await.unwrap()[0];
    assert_eq!(ev.state.as_str(), "overdue");
    let due_list = w
        .store
        .evaluations_due(due + Duration::days(31), due + Duration::days(31))
        .await
        .unwrap();
    assert_eq!(due_list.len(), 1);
    assert_eq!(due_list[0].days_late, 31);
    assert_eq!(due_list[0].state.as_str(), "overdue");

    // The agency reports; the coordinator records a pass: access restored, next date set.
    let now = w.store.application(walk.id).await.unwrap().row.version;
    walk.version = now;
    walk.now = noon(due + Duration::days(33));
    walk.run(w.head, attach("laporan_semester", 20)).await;
    let out = walk
        .run(
            w.coordinator,
            Command::RecordEvaluation {
                kind: EvaluationKind::Periodic,
                due_on: due,
                outcome: EvaluationOutcome::Pass,
                findings: "Laporan semester diterima; data balikan NISN telah dikirim.".into(),
                data_balikan_met: true,
                access_count: Some(1_250),
            },
        )
        .await;
    // The evaluation report is issued in the same transaction, the access count frozen in it.
    let [report] = &out.letters[..] else {
        panic!("one report: {:?}", out.letters);
    };
    assert_eq!(report.letter, "laporan_evaluasi");
    assert_eq!(report.register.as_deref(), Some("office"));
    let snapshot: serde_json::Value =
        serde_json::from_str(report.snapshot.as_deref().expect("frozen")).unwrap();
    assert_eq!(snapshot["stamp"]["inputs"]["access_count"], 1_250);
    assert_eq!(snapshot["stamp"]["number"], report.number.as_str());
    assert_eq!(
        production_grant(&w, walk.id).await.status.as_str(),
        "active"
    );
    let evs = w.store.application_evaluations(walk.id).await.unwrap();
    assert_eq!(evs.len(), 2, "the next periodic evaluation is scheduled");
    assert_eq!(evs[0].state.as_str(), "completed");
    assert_eq!(evs[0].outcome.as_deref(), Some("pass"));
    assert_eq!(evs[0].data_balikan_met, Some(true));
    assert_eq!(evs[0].report_sha256.as_deref(), Some(sha(20).as_str()));
    assert_eq!(evs[1].state.as_str(), "scheduled");
    assert_eq!(
        Some(evs[1].due_on),
        w.store
            .application(walk.id)
            .await
            .unwrap()
            .row
            .next_evaluation_due
    );
    // The agency head, the coordinator and the head of office.
    assert_eq!(outbox_of(&w, walk.id, "evaluation_recorded").await.len(), 3);
    assert!(w.store.verify_audit().await.unwrap().is_ok());
}

async fn concurrent_sweeps_suspend_once(backend: Backend) {
    let w = world(backend).await;
    let mut walk = Walk::start(&w).await;
    walk.to("akses_aktif").await;
    let due = w
        .store
        .application(walk.id)
        .await
        .unwrap()
        .state
        .periodic_due
        .unwrap();
    // A second server instance on the same database.
    let other = w.db.store().await.unwrap();
    let at = noon(due + Duration::days(60));
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = if i % 2 == 0 {
            w.store.clone()
        } else {
            other.clone()
        };
        tasks.push(tokio::spawn(async move {
            store.run_evaluation_calendar(at).await
        }));
    }
    let mut failed = 0;
    for t in tasks {
        failed += t.await.unwrap().unwrap().failed;
    }
    assert_eq!(failed, 0);
    for (kind, n) in [
        ("evaluation_opened", 1),
        ("evaluation_reminded", 1),
        ("evaluation_escalated", 1),
        ("evaluation_overdue", 1),
        ("grant_suspended", 1),
    ] {
        assert_eq!(events_named(&w, walk.id, kind).await, n, "{kind}");
    }
    assert_eq!(outbox_of(&w, walk.id, "evaluation_reminder").await.len(), 1);
    assert!(w.store.verify_audit().await.unwrap().is_ok());
    other.close().await.unwrap();
}

async fn outbox_claims_never_overlap_and_failures_back_off(backend: Backend) {
    let w = world(backend).await;
    let mut walk = Walk::start(&w).await;
    walk.to("akses_aktif").await;
    let pending = w.store.outbox_counts().await.unwrap().pending;
    assert!(
        pending >= 20,
        "a walk queues mail at every stage ({pending})"
    );

    // Two dispatchers (two server instances) claim at once: every row once, no row twice.
    let other = w.db.store().await.unwrap();
    let now = walk.now + Duration::minutes(1);
    let lease = TimeDelta::minutes(5);
    let mut tasks = Vec::new();
    for i in 0..6 {
        let store = if i % 2 == 0 {
            w.store.clone()
        } else {
            other.clone()
        };
        tasks.push(tokio::spawn(async move {
            store.claim_outbox(now, 7, lease).await
        }));
    }
    let mut seen = BTreeSet::new();
    let mut total = 0;
    for t in tasks {
        for row in t.await.unwrap().unwrap() {
            total += 1;
            assert!(seen.insert(row.id), "row {} claimed twice", row.id);
        }
    }
    assert_eq!(total as u64, pending.min(42));
    // Leased rows are not claimed again before the lease ends...
    let again = w.store.claim_outbox(now, 100, lease).await.unwrap();
    assert!(again.iter().all(|r| !seen.contains(&r.id)));
    // ...and come back after it (a dispatcher that died mid-send loses nothing).
    let later = w
        .store
        .claim_outbox(now + Duration::minutes(6), 500, lease)
        .await
        .unwrap();
    assert!(seen.iter().all(|id| later.iter().any(|r| r.id == *id)));

    // Failures back off exponentially, then the row is dead; a sent row stays sent.
    let row = later[0].clone();
    let backoff = sepakat_store::RetryPolicy {
        max_attempts: 3,
        first_wait: TimeDelta::seconds(30),
        max_wait: TimeDelta::hours(1),
    };
    let t = now + Duration::minutes(10);
    let d1 = w
        .store
        .record_delivery(row.id, 0, t, Some("SMTP: connection refused"), &backoff)
        .await
        .unwrap();
    assert_eq!(d1, Delivery::Retry(t + TimeDelta::seconds(30)));
    let d2 = w
        .store
        .record_delivery(row.id, 1, t, Some("SMTP: connection refused"), &backoff)
        .await
        .unwrap();
    assert_eq!(d2, Delivery::Retry(t + TimeDelta::seconds(60)));
    let d3 = w
        .store
        .record_delivery(row.id, 2, t, Some("SMTP: connection refused"), &backoff)
        .await
        .unwrap();
    assert_eq!(d3, Delivery::Dead);
    let dead = w.store.outbox_in_state("dead", 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].attempts, 3);
    assert_eq!(
        dead[0].last_error.as_deref(),
        Some("SMTP: connection refused")
    );
    assert!(w.store.requeue_outbox(row.id, t).await.unwrap());
    assert!(
        !w.store.requeue_outbox(row.id, t).await.unwrap(),
        "only a dead row"
    );
    let sent = later[1].clone();
    assert_eq!(
        w.store
            .record_delivery(sent.id, 0, t, None, &backoff)
            .await
            .unwrap(),
        Delivery::Sent
    );
    let counts = w.store.outbox_counts().await.unwrap();
    assert_eq!((counts.sent, counts.dead), (1, 0));
    other.close().await.unwrap();
}
