//! The agreement's term against both databases (issue #15): the calendar queues the 180-, 90-
//! and 30-day reminders of the PKS's end to the agency head and the office, each once; a signed
//! renewal numbers a new PKS and moves the grant rows' end without a gap; an agreement that
//! ends unrenewed expires its user IDs and tells both parties once. Every read model stays true.

mod common;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use common::*;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use sepakat_store::Store;
use sepakat_store::entity::{grants, letters, outbox};
use sepakat_store::testing::Backend;
use uuid::Uuid;

on_both_databases!(
    the_term_is_reminded_and_a_signed_renewal_extends_the_grants,
    an_unrenewed_agreement_expires_and_says_so_once,
);

fn at(day: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(5, 0, 0).unwrap())
}

async fn mail(store: &Store, app: Uuid, template: &str) -> Vec<outbox::Model> {
    outbox::Entity::find()
        .filter(outbox::Column::ApplicationId.eq(app))
        .filter(outbox::Column::Template.eq(template))
        // Without an order PostgreSQL may return rows in any order; tests slice "the later ones".
        .order_by_asc(outbox::Column::EventSeq)
        .order_by_asc(outbox::Column::CreatedAt)
        .all(store.connection())
        .await
        .unwrap()
}

async fn grant_rows(store: &Store, app: Uuid) -> Vec<grants::Model> {
    grants::Entity::find()
        .filter(grants::Column::ApplicationId.eq(app))
        .all(store.connection())
        .await
        .unwrap()
}

async fn consistent(store: &Store, now: DateTime<Utc>) {
    let audit = store.verify_audit().await.unwrap();
    assert!(audit.broken.is_empty(), "{:?}", audit.broken);
    let stages = store.check_stage_projections(now).await.unwrap();
    assert!(
        stages.is_true(),
        "visits {:?}, stats {:?}",
        stages.visits_differ,
        stages.stats_differ
    );
    assert_eq!(store.check_waits().await.unwrap(), vec![]);
}

async fn the_term_is_reminded_and_a_signed_renewal_extends_the_grants(backend: Backend) {
    let w = world(backend).await;
    let mut walk = Walk::start(&w).await;
    walk.to("akses_aktif").await;
    let end = walk.state.term_ends_on().expect("live");

    // 180 days ahead: one reminder to the agency head and one to the office, and not twice.
    for day in [end - Duration::days(180), end - Duration::days(179)] {
        w.store.run_evaluation_calendar(at(day)).await.unwrap();
    }
    let reminders = mail(&w.store, walk.id, "term_reminder").await;
    let to: Vec<Option<Uuid>> = reminders.iter().map(|m| m.recipient_account_id).collect();
    assert!(to.contains(&Some(w.head)), "{to:?}");
    assert!(to.contains(&Some(w.coordinator)), "{to:?}");
    assert_eq!(reminders.len(), to.len());
    let sent = reminders.len();
    assert!(
        reminders
            .iter()
            .all(|m| m.payload["days_left"] == 180 && m.payload["term_ends_on"] == end.to_string())
    );

    // The office renews 100 days before the end. (The calendar has suspended the user ID for
    // the evaluations nobody recorded in this test; a renewal extends it all the same.)
    let status_before = grant_rows(&w.store, walk.id)
        .await
        .into_iter()
        .find(|g| g.kind == sepakat_core::application::GrantKind::Production)
        .unwrap()
        .status;
    let app = w.store.application(walk.id).await.unwrap();
    walk.version = app.row.version;
    walk.state = app.state;
    walk.now = at(end - Duration::days(100));
    walk.run(w.coordinator, go("mulai_perpanjangan")).await;
    walk.run(w.coordinator, go("ajukan_draf_perpanjangan"))
        .await;
    walk.run(w.reviewer, go("setujui_draf_perpanjangan")).await;
    assert_eq!(walk.stage, "penandatanganan_perpanjangan");
    walk.run(w.coordinator, issue("pks")).await;
    walk.run(w.coordinator, attach("signed:pks", 60)).await;
    walk.run(w.coordinator, go("catat_perpanjangan_ditandatangani"))
        .await;
    assert_eq!(walk.stage, "akses_aktif");
    let signed_on = walk.state.pks.signed_on.unwrap();
    let new_end = sepakat_core::calendar::add_months_clamped(signed_on, 24);
    let rows = grant_rows(&w.store, walk.id).await;
    let production = rows
        .iter()
        .find(|g| g.kind == sepakat_core::application::GrantKind::Production)
        .unwrap();
    assert_eq!(
        production.status, status_before,
        "the renewal changes no status"
    );
    assert_eq!(production.valid_until, new_end);
    let pks: Vec<_> = letters::Entity::find()
        .filter(letters::Column::ApplicationId.eq(walk.id))
        .filter(letters::Column::Letter.eq("pks"))
        .all(w.store.connection())
        .await
        .unwrap();
    assert_eq!(pks.len(), 2, "the first PKS and its renewal");
    assert_ne!(pks[0].number, pks[1].number);

    // The old end passes: nothing expires, no end-of-agreement mail.
    w.store
        .run_evaluation_calendar(at(end + Duration::days(1)))
        .await
        .unwrap();
    assert!(
        mail(&w.store, walk.id, "agreement_expired")
            .await
            .is_empty()
    );
    let production = grant_rows(&w.store, walk.id)
        .await
        .into_iter()
        .find(|g| g.kind == sepakat_core::application::GrantKind::Production)
        .unwrap();
    assert_ne!(production.status, sepakat_store::GrantState::Expired);
    assert_eq!(production.valid_until, new_end);
    // The new term is reminded of in its turn.
    w.store
        .run_evaluation_calendar(at(new_end - Duration::days(90)))
        .await
        .unwrap();
    let reminders = mail(&w.store, walk.id, "term_reminder").await;
    assert!(reminders.len() > sent);
    assert!(
        reminders[sent..]
            .iter()
            .all(|m| m.payload["term_ends_on"] == new_end.to_string())
    );
    consistent(&w.store, at(new_end - Duration::days(90))).await;
}

async fn an_unrenewed_agreement_expires_and_says_so_once(backend: Backend) {
    let w = world(backend).await;
    let mut walk = Walk::start(&w).await;
    walk.to("akses_aktif").await;
    let end = walk.state.term_ends_on().unwrap();
    // Found late: a single 30-day reminder, then the end.
    w.store
        .run_evaluation_calendar(at(end - Duration::days(20)))
        .await
        .unwrap();
    let reminders = mail(&w.store, walk.id, "term_reminder").await;
    assert!(!reminders.is_empty());
    assert!(reminders.iter().all(|m| m.payload["days_before"] == 30));
    for day in [end + Duration::days(1), end + Duration::days(2)] {
        w.store.run_evaluation_calendar(at(day)).await.unwrap();
    }
    let ended = mail(&w.store, walk.id, "agreement_expired").await;
    let to: Vec<Option<Uuid>> = ended.iter().map(|m| m.recipient_account_id).collect();
    assert!(
        to.contains(&Some(w.head)) && to.contains(&Some(w.coordinator)),
        "{to:?}"
    );
    let mut unique = to.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), to.len(), "each party hears once");
    assert!(
        grant_rows(&w.store, walk.id)
            .await
            .iter()
            .filter(|g| g.kind == sepakat_core::application::GrantKind::Production)
            .all(|g| g.status == sepakat_store::GrantState::Expired)
    );
    consistent(&w.store, at(end + Duration::days(2))).await;
}
