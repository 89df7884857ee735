//! The inbox read model on both databases: who an application waits on (the core's answer) is
//! written by every command that changes it, and an inbox is a paged range of it.

mod common;

use chrono::Duration;
use common::*;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use sepakat_store::entity::application_waits;
use sepakat_store::{InboxCursor, InboxFilter, StoreError};
use std::collections::BTreeSet;
use uuid::Uuid;

on_both_databases!(inbox_is_paged_by_role_and_scope_and_follows_the_stage);

async fn inbox_is_paged_by_role_and_scope_and_follows_the_stage(
    backend: sepakat_store::testing::Backend,
) {
    let w = world(backend).await;
    let store = &w.store;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(submit(&w, t0() + Duration::minutes(i)).await.application.id);
    }
    let coordinator = store.actor(w.coordinator).await.unwrap();
    let head = store.actor(w.head).await.unwrap();
    let reviewer = store.actor(w.reviewer).await.unwrap();
    let all = InboxFilter::default();

    // Five requests wait on the coordinator: two at a time, oldest first, each once.
    let mut seen = Vec::new();
    let mut after: Option<InboxCursor> = None;
    loop {
        let page = store.inbox(&coordinator, &all, after, 2).await.unwrap();
        assert_eq!(page.total, 5);
        assert!(page.items.len() <= 2);
        seen.extend(page.items.iter().map(|r| r.id));
        // The cursor goes through its text form, as a client sends it back.
        after = match page.next {
            Some(c) => Some(InboxCursor::parse(&c.encode()).unwrap()),
            None => break,
        };
    }
    assert_eq!(seen, ids, "every request once, in the order they came in");

    // The signed request letters are the agency head's to upload, so all five wait on them too
    // (cancelling would not count); the province reviews no request.
    assert_eq!(store.inbox(&head, &all, None, 50).await.unwrap().total, 5);
    assert_eq!(
        store.inbox(&reviewer, &all, None, 50).await.unwrap().total,
        0
    );
    // Once a letter's scan is on file, that request waits on the office alone: an upload
    // rewrites the read model as a new stage does.
    for (n, id) in ids[..2].iter().enumerate() {
        store
            .execute(
                *id,
                1,
                attach("signed:surat_permohonan", 11 + n as u64),
                w.head,
                t0() + Duration::minutes(30),
            )
            .await
            .unwrap();
    }
    let mine = store.inbox(&head, &all, None, 50).await.unwrap();
    assert!(!mine.items.iter().any(|r| r.id == ids[0] || r.id == ids[1]));
    assert_eq!(mine.total, 3);

    // Returned for correction, the first request waits on its agency head instead.
    store
        .execute(
            ids[0],
            2,
            go_with("kembalikan_permohonan", "Lengkapi dasar hukum."),
            w.coordinator,
            t0() + Duration::hours(1),
        )
        .await
        .unwrap();
    let mine = store.inbox(&head, &all, None, 50).await.unwrap();
    assert!(mine.items.iter().any(|r| r.id == ids[0]));
    assert_eq!(
        mine.total, 4,
        "the returned request and the three unsigned ones"
    );
    assert_eq!(
        store
            .inbox(&coordinator, &all, None, 50)
            .await
            .unwrap()
            .total,
        4
    );
    let at_stage = InboxFilter {
        stage: Some("perbaikan_permohonan".into()),
        ..Default::default()
    };
    assert_eq!(
        store.inbox(&head, &at_stage, None, 50).await.unwrap().total,
        1
    );
    // Its one wait row was replaced: the new role, stage and time, nothing left over.
    let rows = application_waits::Entity::find()
        .filter(application_waits::Column::ApplicationId.eq(ids[0]))
        .all(store.connection())
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(*rows[0].role, sepakat_core::Role::AgencyHead);
    assert_eq!(rows[0].stage, "perbaikan_permohonan");
    assert_eq!(rows[0].entered_at, t0() + Duration::hours(1));
    let other_agency = InboxFilter {
        agency_id: Some(Uuid::new_v4()),
        ..Default::default()
    };
    assert_eq!(
        store
            .inbox(&head, &other_agency, None, 50)
            .await
            .unwrap()
            .total,
        0
    );

    // The projection equals what the core says of every stage; emptied, a migration writes it
    // again the same.
    assert!(store.check_waits().await.unwrap().is_empty());
    let before: BTreeSet<(Uuid, sepakat_core::Role)> = application_waits::Entity::find()
        .all(store.connection())
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.application_id, *r.role))
        .collect();
    application_waits::Entity::delete_many()
        .exec(store.connection())
        .await
        .unwrap();
    assert_eq!(store.check_waits().await.unwrap().len(), 5);
    store.migrate().await.unwrap();
    let after_rebuild: BTreeSet<(Uuid, sepakat_core::Role)> = application_waits::Entity::find()
        .all(store.connection())
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.application_id, *r.role))
        .collect();
    assert_eq!(before, after_rebuild);

    // A cursor that is not one is refused, saying what to send.
    let err = InboxCursor::parse("9223372036854775808.x").unwrap_err();
    assert!(matches!(err, StoreError::Invalid(m) if m.contains("next")));
}
