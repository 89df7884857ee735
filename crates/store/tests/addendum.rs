//! The addendum of a live agreement against both databases (issue #15): a refused proposal
//! writes nothing; a signed addendum numbers its own letter in the office's register (with the
//! agency's counterpart number), freezes it, re-scopes the grant rows and the
//! application's element rows in the same transaction, and every read model stays true.

mod common;

use common::*;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use sepakat_core::addendum::ScopeChange;
use sepakat_core::{AccessMethod, Command, ElementCode, RequestedElement};
use sepakat_store::entity::{application_elements, audit_events, grants, letters};
use sepakat_store::testing::Backend;

on_both_databases!(a_signed_addendum_rescopes_the_rows_in_its_transaction,);

fn propose(change: ScopeChange) -> Command {
    Command::Transition {
        action: "usulkan_adendum".into(),
        comment: Some("Perluasan layanan ke penyaluran bantuan".into()),
        pks: Default::default(),
        addendum: Some(change),
    }
}

async fn a_signed_addendum_rescopes_the_rows_in_its_transaction(backend: Backend) {
    let w = world(backend).await;
    let mut walk = Walk::start(&w).await;
    walk.to("akses_aktif").await;
    let db = w.store.connection();
    let events_before = audit_events::Entity::find()
        .filter(audit_events::Column::ApplicationId.eq(walk.id))
        .all(db)
        .await
        .unwrap()
        .len();

    // A proposal that changes nothing is refused and leaves no trace.
    let same = ScopeChange::current(&walk.state).unwrap();
    let refused = walk.try_do(w.head, propose(same.clone())).await;
    assert!(refused.is_err());
    let events_after = audit_events::Entity::find()
        .filter(audit_events::Column::ApplicationId.eq(walk.id))
        .all(db)
        .await
        .unwrap()
        .len();
    assert_eq!(events_before, events_after);

    let mut change = same;
    change.elements.retain(|e| e.code.as_str() != "nomor_kk");
    change.elements.push(RequestedElement {
        code: ElementCode::parse("alamat_sekarang").unwrap(),
        justification: "Penyaluran bantuan ke alamat domisili".into(),
    });
    change.access_method = AccessMethod::CardReader;
    change.daily_quota = 3_000;
    walk.run(w.head, propose(change)).await;
    assert_eq!(walk.stage, "adendum_pks");
    walk.run(w.coordinator, go("ajukan_draf_adendum")).await;
    walk.run(w.reviewer, go("setujui_draf_adendum")).await;
    walk.run(w.coordinator, issue("adendum_pks")).await;
    walk.run(w.head, attach("signed:adendum_pks", 70)).await;
    walk.run(w.coordinator, go("catat_adendum_ditandatangani"))
        .await;
    assert_eq!(walk.stage, "akses_aktif");
    assert_eq!(walk.state.daily_quota(), 3_000);

    let production = grants::Entity::find()
        .filter(grants::Column::ApplicationId.eq(walk.id))
        .filter(grants::Column::Kind.eq("production"))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(production.method, "card_reader");
    let elements: Vec<String> = serde_json::from_value(production.elements.clone()).unwrap();
    assert!(
        elements.contains(&"alamat_sekarang".to_string()),
        "{elements:?}"
    );
    assert!(!elements.contains(&"nomor_kk".to_string()), "{elements:?}");

    let rows = application_elements::Entity::find()
        .filter(application_elements::Column::ApplicationId.eq(walk.id))
        .all(db)
        .await
        .unwrap();
    let codes: Vec<&str> = rows.iter().map(|r| r.element_code.as_str()).collect();
    assert!(
        codes.contains(&"alamat_sekarang") && !codes.contains(&"nomor_kk"),
        "{codes:?}"
    );
    assert!(rows.iter().all(|r| r.approved_at.is_some()));
    // An element kept keeps the day it was first approved.
    let nik = rows.iter().find(|r| r.element_code == "nik").unwrap();
    let added = rows
        .iter()
        .find(|r| r.element_code == "alamat_sekarang")
        .unwrap();
    assert!(nik.approved_at < added.approved_at);

    let addendum = letters::Entity::find()
        .filter(letters::Column::ApplicationId.eq(walk.id))
        .filter(letters::Column::Letter.eq("adendum_pks"))
        .one(db)
        .await
        .unwrap()
        .expect("the addendum is a numbered letter");
    assert!(!addendum.number.is_empty());
    assert!(
        addendum.counterpart_number().is_some(),
        "a two-party document"
    );
    let pks = letters::Entity::find()
        .filter(letters::Column::ApplicationId.eq(walk.id))
        .filter(letters::Column::Letter.eq("pks"))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(addendum.number, pks.number);
    // Frozen at issue (the test sealer keeps the stamp; the server's renders the text).
    let snapshot = addendum.snapshot.clone().expect("frozen at issue");
    assert!(snapshot.contains(&addendum.number), "{snapshot}");

    let audit = w.store.verify_audit().await.unwrap();
    assert!(audit.broken.is_empty(), "{:?}", audit.broken);
    let stages = w.store.check_stage_projections(walk.now).await.unwrap();
    assert!(
        stages.is_true(),
        "visits {:?}, stats {:?}",
        stages.visits_differ,
        stages.stats_differ
    );
    assert_eq!(w.store.check_waits().await.unwrap(), vec![]);
}
