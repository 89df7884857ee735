//! The store against both databases: every scenario runs once on a fresh SQLite file and once
//! on a fresh PostgreSQL database (`<scenario>::sqlite`, `<scenario>::postgres`).

mod common;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use common::*;
use migration::{Migrator, MigratorTrait};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter,
};
use sepakat_core::{Command, Role, Unmet};
use sepakat_store::entity::{
    applications, attestations, audit_events, grants, letter_counters, letters, outbox,
};
use sepakat_store::testing::Backend;
use sepakat_store::{
    ApplicationFilter, AuditProblem, FailPoint, NewAccount, NewApplication, NewDocument, NewOffice,
    StoreError, StoreOptions,
};
use std::collections::BTreeSet;
use uuid::Uuid;

on_both_databases!(
    full_walk_to_production_and_evaluation,
    concurrent_commands_have_one_winner,
    concurrent_letter_numbers_are_unique_and_gap_free,
    injected_failure_leaves_no_trace,
    audit_verify_names_the_first_broken_event,
    migrations_run_twice_harmlessly,
    database_refuses_a_grant_without_attestation,
    refused_commands_write_nothing,
    directory_input_is_validated,
    two_stores_on_one_database_stay_consistent,
);

fn rejected(e: StoreError) -> Vec<Unmet> {
    match e {
        StoreError::Rejected(r) => r.unmet,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

async fn count<E>(w: &World) -> u64
where
    E: EntityTrait,
    E::Model: Sync,
{
    E::find().count(w.store.connection()).await.unwrap()
}

async fn recipients(w: &World, app: Uuid, event_seq: i64) -> BTreeSet<Uuid> {
    outbox::Entity::find()
        .filter(outbox::Column::ApplicationId.eq(app))
        .filter(outbox::Column::EventSeq.eq(event_seq))
        .all(w.store.connection())
        .await
        .unwrap()
        .into_iter()
        .filter_map(|m| m.recipient_account_id)
        .collect()
}

async fn full_walk_to_production_and_evaluation(backend: Backend) {
    let w = world(backend).await;
    let mut walk = Walk::start(&w).await;

    // Submission: the request letter is numbered in the city office's register; the
    // coordinator (who acts next) and the agency head are notified.
    let first = w.store.application_detail(walk.id).await.unwrap();
    assert_eq!(first.application.row.stage, "permohonan");
    assert_eq!(first.application.row.version, 1);
    assert_eq!(first.events.len(), 2);
    assert_eq!(walk.letters.len(), 1);
    assert_eq!(walk.letters[0].number, "400.12/1/Dukcapil.4/VI/2024");
    assert_eq!(walk.letters[0].letter, "surat_permohonan");
    // The request is the agency's own letter: it carries the agency's number (its unit from
    // the agency's initials), and the office registers it on receipt.
    assert_eq!(
        walk.letters[0].agency_number.as_deref(),
        Some("400.12/1/DPK/VI/2024")
    );
    assert_eq!(walk.letters[0].printed_number(), "400.12/1/DPK/VI/2024");
    assert_eq!(first.elements.len(), 3);
    assert_eq!(
        recipients(&w, walk.id, 1).await,
        BTreeSet::from([w.head, w.coordinator])
    );
    let mail = &w.store.application_outbox(walk.id).await.unwrap()[0];
    assert_eq!(mail.state, "pending");
    assert_eq!(mail.template, "application_submitted");
    assert!(mail.message_id.starts_with('<') && mail.message_id.ends_with("@sepakat>"));

    // Through the regional head and Ditjen to the provincial consultation.
    walk.to("konsultasi_provinsi").await;
    let seq = w.store.application(walk.id).await.unwrap().row.event_count;
    let transition_seq = w
        .store
        .application_events(walk.id)
        .await
        .unwrap()
        .into_iter()
        .rev()
        .find(|e| e.kind == "transitioned")
        .unwrap()
        .seq;
    assert!(transition_seq <= seq);
    let notified = recipients(&w, walk.id, transition_seq).await;
    assert!(
        notified.contains(&w.reviewer),
        "the Kalbar reviewer must review"
    );
    assert!(
        !notified.contains(&w.other_reviewer),
        "not Kalsel's reviewer"
    );
    assert!(
        !notified.contains(&w.other_head),
        "not another agency's head"
    );

    // Only a reviewer of the province may approve, never the coordinator who drafted.
    let e = walk
        .try_do(w.coordinator, go("setujui_draf_pks"))
        .await
        .unwrap_err();
    let unmet = rejected(e);
    assert!(
        unmet
            .iter()
            .any(|u| matches!(u, Unmet::RoleNotAllowed { .. })),
        "{unmet:?}"
    );
    assert!(
        unmet
            .iter()
            .any(|u| matches!(u, Unmet::FourEyes { version: 1 })),
        "{unmet:?}"
    );
    let e = walk
        .try_do(w.other_reviewer, go("setujui_draf_pks"))
        .await
        .unwrap_err();
    assert_eq!(rejected(e), vec![Unmet::OutOfJurisdiction]);
    let e = walk
        .try_do(w.auditor, go("setujui_draf_pks"))
        .await
        .unwrap_err();
    assert!(rejected(e).contains(&Unmet::ReadOnlyRole {
        role: Role::Auditor
    }));

    // No user ID before the closed-network attestation.
    walk.to("jaringan_tertutup").await;
    let version = walk.version;
    let e = walk
        .try_do(w.coordinator, go("verifikasi_jaringan_tertutup"))
        .await
        .unwrap_err();
    assert!(rejected(e).contains(&Unmet::MissingAttestation));
    assert_eq!(walk.version, version);

    walk.to("akses_aktif").await;
    let d = w.store.application_detail(walk.id).await.unwrap();
    let app = &d.application;
    assert_eq!(app.row.stage, "akses_aktif");
    assert_eq!(app.state.stage, "akses_aktif");
    assert_eq!(app.row.version, app.state.version);
    assert_eq!(app.row.event_count, d.events.len() as i64);
    assert_eq!(app.row.last_event_hash, d.events.last().unwrap().hash);
    assert_eq!(
        d.events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=d.events.len() as i64).collect::<Vec<_>>()
    );
    assert_eq!(d.events[0].kind, "submitted");

    // Eleven letters, numbered 1..=11 in the city's 2024 register, each tied to its event.
    assert_eq!(d.letters.len(), 11);
    assert_eq!(
        d.letters.iter().map(|l| l.seq).collect::<Vec<_>>(),
        (1..=11).collect::<Vec<_>>()
    );
    for l in &d.letters {
        assert_eq!(l.office_id, w.city.id);
        assert_eq!(l.year, 2024);
        assert_eq!(l.number, format!("400.12/{}/Dukcapil.4/VI/2024", l.seq));
        let ev = &d.events[(l.event_seq - 1) as usize];
        assert_eq!(ev.kind, "letter_produced");
        assert_eq!(ev.payload["letter"], l.letter.as_str());
    }
    assert_eq!(
        d.letters.last().unwrap().letter,
        "permohonan_user_id_produksi"
    );
    // The agency's letters are numbered 1, 2, … in its own register as well; the office's
    // letters carry no agency number.
    let agency_letters: Vec<_> = d.letters.iter().filter(|l| l.agency_id.is_some()).collect();
    assert_eq!(
        agency_letters
            .iter()
            .map(|l| l.letter.as_str())
            .collect::<Vec<_>>(),
        [
            "surat_permohonan",
            "surat_spesifikasi_teknis",
            "surat_pernyataan_jaringan",
            "laporan_uji_beban"
        ]
    );
    for (i, l) in agency_letters.iter().enumerate() {
        assert_eq!(l.agency_id, Some(app.row.agency_id));
        assert_eq!(l.agency_seq, Some(i as i64 + 1));
        assert_eq!(
            l.agency_number.as_deref(),
            Some(format!("400.12/{}/DPK/VI/2024", i + 1).as_str())
        );
    }
    assert!(
        d.letters
            .iter()
            .filter(|l| l.agency_id.is_none())
            .all(|l| l.agency_number.is_none() && l.printed_number() == l.number)
    );
    assert_eq!(d.documents.len(), 9);

    // The test user ID was replaced by the production one, both standing on the attestation.
    assert_eq!(d.attestations.len(), 1);
    let att = &d.attestations[0];
    assert!(att.withdrawn_at.is_none());
    assert_eq!(att.statement_sha256, sha(7));
    let by_kind = |k: &str| d.grants.iter().find(|g| g.kind == k).unwrap();
    assert_eq!(by_kind("test").status, "revoked");
    assert_eq!(by_kind("production").status, "active");
    assert!(d.grants.iter().all(|g| g.attestation_id == att.id));
    assert_eq!(
        by_kind("production").elements,
        serde_json::json!(["nomor_kk", "nik", "nama_lengkap"])
    );
    assert!(d.elements.iter().all(|e| e.approved_at.is_some()));

    // Six-monthly evaluation calendar from the production user ID's date.
    let due = app.state.next_evaluation_due.expect("evaluation scheduled");
    assert_eq!(app.row.next_evaluation_due, Some(due));
    assert_eq!(due, NaiveDate::from_ymd_opt(2024, 12, 4).unwrap());
    assert_eq!(d.evaluations.len(), 1);
    assert_eq!(d.evaluations[0].due_on, due);
    assert_eq!(d.evaluations[0].kind, "periodic");
    assert_eq!(d.evaluations[0].state, "scheduled");

    // The dashboard's queries.
    let page = |f: ApplicationFilter| {
        let store = w.store.clone();
        async move { store.list_applications(&f).await.unwrap() }
    };
    let by_stage = page(ApplicationFilter {
        stage: Some("akses_aktif".into()),
        ..Default::default()
    })
    .await;
    assert_eq!((by_stage.total, by_stage.items[0].id), (1, walk.id));
    let reviewer = w.store.actor(w.reviewer).await.unwrap();
    let other = w.store.actor(w.other_reviewer).await.unwrap();
    let head = w.store.actor(w.other_head).await.unwrap();
    assert_eq!(
        page(ApplicationFilter::visible_to(&reviewer)).await.total,
        1
    );
    assert_eq!(page(ApplicationFilter::visible_to(&other)).await.total, 0);
    assert_eq!(page(ApplicationFilter::visible_to(&head)).await.total, 0);
    let overdue = |day| ApplicationFilter {
        evaluation_due_before: Some(day),
        ..Default::default()
    };
    assert_eq!(page(overdue(due)).await.total, 0);
    assert_eq!(page(overdue(due + Duration::days(1))).await.total, 1);

    // Withdrawing the attestation suspends the live grant, in the same transaction.
    walk.run(
        w.coordinator,
        Command::WithdrawAttestation {
            reason: "VPN diputus penyedia".into(),
        },
    )
    .await;
    let grants = w.store.application_grants(walk.id).await.unwrap();
    let production = grants.iter().find(|g| g.kind == "production").unwrap();
    assert_eq!(production.status, "suspended");
    let att = attestations::Entity::find_by_id(att.id)
        .one(w.store.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        att.withdrawal_reason.as_deref(),
        Some("VPN diputus penyedia")
    );

    let report = w.store.verify_audit().await.unwrap();
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.applications, 1);
}

async fn concurrent_commands_have_one_winner(backend: Backend) {
    let w = world(backend).await;
    let walk = Walk::start(&w).await;
    let version = walk.version;
    let mut tasks = Vec::new();
    for i in 0..32u64 {
        let store = w.store.clone();
        let (id, who) = (walk.id, w.coordinator);
        tasks.push(tokio::spawn(async move {
            store
                .execute(
                    id,
                    version,
                    attach("spesifikasi_teknis", 100 + i),
                    who,
                    t0() + Duration::minutes(1),
                )
                .await
        }));
    }
    let mut won = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(out) => {
                won += 1;
                assert_eq!(out.application.version, version + 1);
            }
            Err(StoreError::Conflict { expected, actual }) => {
                assert_eq!((expected, actual), (version, version + 1));
            }
            Err(other) => panic!("{backend}: expected a conflict, got {other}"),
        }
    }
    assert_eq!(won, 1, "{backend}: exactly one command may win");
    let app = w.store.application(walk.id).await.unwrap();
    assert_eq!(app.row.version, version + 1);
    assert_eq!(app.row.event_count, 3);
    assert_eq!(
        w.store.application_documents(walk.id).await.unwrap().len(),
        1
    );

    // Again through a store that remembers nothing, so every command reads before it writes.
    let cold =
        w.db.store_with(StoreOptions {
            max_connections: Some(8),
            recent_capacity: 0,
            ..StoreOptions::default()
        })
        .await
        .unwrap();
    let version = version + 1;
    let mut tasks = Vec::new();
    for i in 0..32u64 {
        let store = cold.clone();
        let (id, who) = (walk.id, w.coordinator);
        tasks.push(tokio::spawn(async move {
            let comment = format!("kembalikan #{i}");
            store
                .execute(
                    id,
                    version,
                    go_with("kembalikan_permohonan", &comment),
                    who,
                    t0(),
                )
                .await
        }));
    }
    let mut won = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => won += 1,
            Err(StoreError::Conflict { expected, actual }) => {
                assert_eq!((expected, actual), (version, version + 1));
            }
            Err(other) => panic!("{backend}: expected a conflict, got {other}"),
        }
    }
    assert_eq!(
        won, 1,
        "{backend}: exactly one command may win (reading first)"
    );
    let app = cold.application(walk.id).await.unwrap();
    assert_eq!(app.row.version, version + 1);
    assert_eq!(app.row.stage, "perbaikan_permohonan");
    assert!(w.store.verify_audit().await.unwrap().is_ok());
    cold.close().await.unwrap();
}

async fn concurrent_letter_numbers_are_unique_and_gap_free(backend: Backend) {
    let w = world(backend).await;
    let w = std::sync::Arc::new(w);
    let mut tasks = Vec::new();
    for i in 0..64 {
        let w = w.clone();
        tasks.push(tokio::spawn(async move {
            submit(&w, t0() + Duration::seconds(i)).await
        }));
    }
    let mut seqs = Vec::new();
    let mut agency_seqs = Vec::new();
    let mut numbers = BTreeSet::new();
    for t in tasks {
        let out = t.await.unwrap();
        assert_eq!(out.letters.len(), 1);
        seqs.push(out.letters[0].seq);
        agency_seqs.push(out.letters[0].agency_seq.unwrap());
        numbers.insert(out.letters[0].number.clone());
    }
    seqs.sort();
    agency_seqs.sort();
    assert_eq!(
        seqs,
        (1..=64).collect::<Vec<_>>(),
        "{backend}: no duplicate, no gap"
    );
    // The agency's register too: every request is the agency's letter.
    assert_eq!(
        agency_seqs,
        (1..=64).collect::<Vec<_>>(),
        "{backend}: no duplicate, no gap in the agency's register"
    );
    assert_eq!(numbers.len(), 64);
    let counter = letter_counters::Entity::find()
        .one(w.store.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((counter.year, counter.last_seq), (2024, 64));
    assert_eq!(count::<letters::Entity>(&w).await, 64);

    // 17:30 UTC on New Year's Eve is already 1 January in Pontianak (WIB): a new register.
    let new_year = Utc.with_ymd_and_hms(2024, 12, 31, 17, 30, 0).unwrap();
    let out = submit(&w, new_year).await;
    assert_eq!(out.letters[0].number, "400.12/1/Dukcapil.4/I/2025");
    assert_eq!(
        out.letters[0].agency_number.as_deref(),
        Some("400.12/1/DPK/I/2025")
    );
    assert_eq!(
        out.letters[0].issued_on,
        NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()
    );
}

async fn injected_failure_leaves_no_trace(backend: Backend) {
    let w = world(backend).await;
    for point in [FailPoint::AfterEvents, FailPoint::BeforeCommit] {
        w.store.set_fail_point(Some(point));
        let e = w
            .store
            .submit(
                NewApplication {
                    id: None,
                    workflow: "pks-kabkota".into(),
                    agency_id: w.agency.id,
                    office_id: None,
                    request: request(),
                },
                w.head,
                t0(),
            )
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Storage(_)), "{e}");
        assert_eq!(count::<applications::Entity>(&w).await, 0, "{point:?}");
        assert_eq!(count::<audit_events::Entity>(&w).await, 0, "{point:?}");
        assert_eq!(count::<letters::Entity>(&w).await, 0, "{point:?}");
        assert_eq!(count::<letter_counters::Entity>(&w).await, 0, "{point:?}");
        assert_eq!(count::<outbox::Entity>(&w).await, 0, "{point:?}");
    }
    w.store.set_fail_point(None);
    let mut walk = Walk::start(&w).await;
    assert_eq!(
        walk.letters[0].seq, 1,
        "the failed submissions took no number"
    );
    walk.run(w.head, attach("signed:surat_permohonan", 1)).await;
    walk.run(w.coordinator, go("teruskan_ke_kepala_daerah"))
        .await;
    walk.run(w.coordinator, attach("signed:surat_izin_kepala_daerah", 2))
        .await;

    // A command with a letter, a stage change and notifications fails after its events.
    let before = w.store.application_detail(walk.id).await.unwrap();
    let outbox_before = count::<outbox::Entity>(&w).await;
    for point in [FailPoint::AfterEvents, FailPoint::BeforeCommit] {
        w.store.set_fail_point(Some(point));
        let e = walk
            .try_do(w.coordinator, go("catat_izin_kepala_daerah"))
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Storage(_)), "{e}");
        let after = w.store.application_detail(walk.id).await.unwrap();
        assert_eq!(after.application.row, before.application.row, "{point:?}");
        assert_eq!(after.events, before.events);
        assert_eq!(after.letters, before.letters);
        assert_eq!(count::<outbox::Entity>(&w).await, outbox_before);
        let counter = letter_counters::Entity::find()
            .one(w.store.connection())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(counter.last_seq, 1);
    }
    w.store.set_fail_point(None);
    let out = walk
        .run(w.coordinator, go("catat_izin_kepala_daerah"))
        .await;
    assert_eq!(out.letters[0].seq, 2);
    assert!(w.store.verify_audit().await.unwrap().is_ok());
}

async fn audit_verify_names_the_first_broken_event(backend: Backend) {
    let w = world(backend).await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        let mut walk = Walk::start(&w).await;
        walk.to("persetujuan_dirjen").await; // 2 + 4 commands: 7 events
        ids.push(walk.id);
    }
    let [edited, truncated, gap, reordered, intact] = ids[..] else {
        unreachable!()
    };
    let db = w.store.connection();
    let ev = |app: Uuid, seq: i64| {
        audit_events::Entity::find()
            .filter(audit_events::Column::ApplicationId.eq(app))
            .filter(audit_events::Column::Seq.eq(seq))
    };
    assert!(w.store.verify_audit().await.unwrap().is_ok());

    // Edit: a comment slipped into event #3.
    let row = ev(edited, 3).one(db).await.unwrap().unwrap();
    let mut payload = row.payload.clone();
    payload["filename"] = "palsu.pdf".into();
    let mut am: audit_events::ActiveModel = row.into();
    am.payload = Set(payload);
    am.update(db).await.unwrap();
    // Remove the newest event.
    let last = ev(truncated, 7).one(db).await.unwrap().unwrap();
    audit_events::Entity::delete_by_id(last.id)
        .exec(db)
        .await
        .unwrap();
    // Remove one from the middle.
    let middle = ev(gap, 4).one(db).await.unwrap().unwrap();
    audit_events::Entity::delete_by_id(middle.id)
        .exec(db)
        .await
        .unwrap();
    // Swap #5 and #6.
    for (from, to) in [(5, -1), (6, 5), (-1, 6)] {
        audit_events::Entity::update_many()
            .col_expr(audit_events::Column::Seq, Expr::value(to))
            .filter(audit_events::Column::ApplicationId.eq(reordered))
            .filter(audit_events::Column::Seq.eq(from))
            .exec(db)
            .await
            .unwrap();
    }

    let report = w.store.verify_audit().await.unwrap();
    assert!(!report.is_ok());
    assert_eq!(report.applications, 5);
    let problem = |app: Uuid| {
        report
            .broken
            .iter()
            .find(|b| b.application_id == app)
            .map(|b| (b.seq, b.problem.clone()))
    };
    assert_eq!(problem(edited), Some((3, AuditProblem::Edited)));
    assert_eq!(
        problem(truncated),
        Some((
            7,
            AuditProblem::Truncated {
                recorded: 7,
                found: 6
            }
        ))
    );
    assert_eq!(
        problem(gap),
        Some((5, AuditProblem::Missing { expected_seq: 4 }))
    );
    assert_eq!(
        problem(reordered),
        Some((5, AuditProblem::Reordered { originally: 6 }))
    );
    assert_eq!(problem(intact), None);
    let text = report.to_string();
    assert!(
        text.contains(&format!("application {edited}: event #3")),
        "{text}"
    );
    assert!(text.contains("was edited"), "{text}");
    assert!(text.contains("NOT verified"), "{text}");
    assert_eq!(
        w.store.verify_application_audit(intact).await.unwrap(),
        None
    );

    // Appending a forged event after the head is caught too.
    let mut forged = ev(intact, 7).one(db).await.unwrap().unwrap();
    forged.id = Uuid::new_v4();
    forged.seq = 8;
    forged.prev_hash = forged.hash.clone();
    forged.hash = sepakat_store::audit::event_hash(
        forged.application_id,
        8,
        &forged.kind,
        forged.actor_id,
        forged.at,
        &forged.payload,
        &forged.prev_hash,
    );
    audit_events::Entity::insert(audit_events::ActiveModel::from(forged))
        .exec_without_returning(db)
        .await
        .unwrap();
    let b = w
        .store
        .verify_application_audit(intact)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(b.seq, 8);
    assert!(matches!(b.problem, AuditProblem::HeadMismatch { .. }));
}

async fn migrations_run_twice_harmlessly(backend: Backend) {
    // `world` already migrated once and wrote data.
    let w = world(backend).await;
    assert_eq!(w.store.migrate().await.unwrap(), 0);
    assert_eq!(w.store.migrate().await.unwrap(), 0);
    assert!(w.store.pending_migrations().await.unwrap().is_empty());
    Walk::start(&w).await;
    assert_eq!(count::<applications::Entity>(&w).await, 1);

    // And the way down works on a fresh database, then up again.
    let db = sepakat_store::testing::TempDb::new(backend).await.unwrap();
    let store = db.store().await.unwrap();
    Migrator::down(store.connection(), None).await.unwrap();
    let all = Migrator::migrations().len();
    assert_eq!(store.pending_migrations().await.unwrap().len(), all);
    assert_eq!(store.migrate().await.unwrap(), all);
    store.close().await.unwrap();
}

async fn database_refuses_a_grant_without_attestation(backend: Backend) {
    let w = world(backend).await;
    let a = Walk::start(&w).await;
    let b = Walk::start(&w).await;
    let db = w.store.connection();
    let grant = |attestation_id: Uuid| grants::ActiveModel {
        id: Set(Uuid::new_v4()),
        application_id: Set(a.id),
        attestation_id: Set(attestation_id),
        kind: Set("production".into()),
        elements: Set(serde_json::json!(["nik"])),
        method: Set("web_portal".into()),
        issued_at: Set(t0()),
        valid_until: Set(NaiveDate::from_ymd_opt(2026, 6, 3).unwrap()),
        status: Set("active".into()),
        status_reason: Set(None),
        updated_at: Set(t0()),
    };
    // No such attestation.
    assert!(
        grants::Entity::insert(grant(Uuid::new_v4()))
            .exec_without_returning(db)
            .await
            .is_err()
    );
    // An attestation, but of another application.
    let other = attestations::ActiveModel {
        id: Set(Uuid::new_v4()),
        application_id: Set(b.id),
        connection: Set("lan".into()),
        provider: Set("Diskominfo".into()),
        cost_borne_by: Set("Disdukcapil".into()),
        technical_contact: Set("-".into()),
        statement_sha256: Set(sha(1)),
        recorded_by: Set(w.coordinator),
        recorded_at: Set(t0()),
        withdrawn_by: Set(None),
        withdrawn_at: Set(None),
        withdrawal_reason: Set(None),
    };
    let other_id = other.id.clone().unwrap();
    attestations::Entity::insert(other)
        .exec_without_returning(db)
        .await
        .unwrap();
    assert!(
        grants::Entity::insert(grant(other_id))
            .exec_without_returning(db)
            .await
            .is_err()
    );
    // No attestation at all.
    let null = db
        .execute_unprepared(&format!(
            "INSERT INTO grants (id, application_id, attestation_id, kind, elements, method, issued_at, valid_until, status, updated_at) \
             VALUES ('{}', '{}', NULL, 'production', '[]', 'web_portal', '2024-06-03 03:00:00+00:00', '2026-06-03', 'active', '2024-06-03 03:00:00+00:00')",
            Uuid::new_v4(),
            a.id
        ))
        .await;
    assert!(null.is_err());
    assert_eq!(count::<grants::Entity>(&w).await, 0);
}

async fn refused_commands_write_nothing(backend: Backend) {
    let w = world(backend).await;
    let mut walk = Walk::start(&w).await;
    let events = || async { count::<audit_events::Entity>(&w).await };
    let n = events().await;
    let store = &w.store;

    let stale = store
        .execute(
            walk.id,
            walk.version - 1,
            go("teruskan_ke_kepala_daerah"),
            w.coordinator,
            t0(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            stale,
            StoreError::Conflict {
                expected: 0,
                actual: 1
            }
        ),
        "{stale}"
    );
    let missing = store
        .execute(
            Uuid::new_v4(),
            1,
            go("teruskan_ke_kepala_daerah"),
            w.coordinator,
            t0(),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        missing,
        StoreError::NotFound {
            entity: "application",
            ..
        }
    ));
    let nobody = store
        .execute(
            walk.id,
            1,
            go("teruskan_ke_kepala_daerah"),
            Uuid::new_v4(),
            t0(),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        nobody,
        StoreError::NotFound {
            entity: "account",
            ..
        }
    ));
    let e = walk
        .try_do(w.coordinator, go("teruskan_ke_kepala_daerah"))
        .await
        .unwrap_err();
    assert!(rejected(e).contains(&Unmet::MissingSignedLetter {
        letter: "surat_permohonan".into()
    }));
    let e = walk.try_do(w.coordinator, go("terbang")).await.unwrap_err();
    assert!(matches!(rejected(e)[..], [Unmet::UnknownAction { .. }]));
    // Text PostgreSQL cannot hold is refused the same way on both databases.
    let e = walk
        .try_do(w.coordinator, go_with("kembalikan_permohonan", "nul\0byte"))
        .await
        .unwrap_err();
    assert!(
        matches!(e, StoreError::Invalid(ref m) if m.contains("NUL")),
        "{e}"
    );
    // A deactivated account cannot act.
    store
        .set_account_active(w.coordinator, false, t0())
        .await
        .unwrap();
    let e = walk
        .try_do(w.coordinator, go_with("kembalikan_permohonan", "lengkapi"))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e}");
    store
        .set_account_active(w.coordinator, true, t0())
        .await
        .unwrap();
    // The same application id twice.
    let again = store
        .submit(
            NewApplication {
                id: Some(walk.id),
                workflow: "pks-kabkota".into(),
                agency_id: w.agency.id,
                office_id: None,
                request: request(),
            },
            w.head,
            t0(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            again,
            StoreError::Conflict {
                expected: 0,
                actual: 1
            }
        ),
        "{again}"
    );
    // Another agency's head cannot submit for this agency.
    let e = store
        .submit(
            NewApplication {
                id: None,
                workflow: "pks-kabkota".into(),
                agency_id: w.agency.id,
                office_id: None,
                request: request(),
            },
            w.other_head,
            t0(),
        )
        .await
        .unwrap_err();
    assert_eq!(rejected(e), vec![Unmet::OutOfJurisdiction]);
    // A kab/kota workflow at the provincial office.
    let e = store
        .submit(
            NewApplication {
                id: None,
                workflow: "pks-kabkota".into(),
                agency_id: w.agency.id,
                office_id: Some(w.province.id),
                request: request(),
            },
            w.head,
            t0(),
        )
        .await
        .unwrap_err();
    assert!(
        rejected(e)
            .iter()
            .any(|u| matches!(u, Unmet::WrongOfficeLevel { .. }))
    );
    let e = store
        .submit(
            NewApplication {
                id: None,
                workflow: "tidak-ada".into(),
                agency_id: w.agency.id,
                office_id: None,
                request: request(),
            },
            w.head,
            t0(),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        StoreError::NotFound {
            entity: "workflow",
            ..
        }
    ));
    assert_eq!(events().await, n, "refused commands leave no event");
    assert_eq!(count::<applications::Entity>(&w).await, 1);

    // And the application still moves on from where it was.
    let out = store
        .attach_document(
            walk.id,
            walk.version,
            NewDocument {
                key: "signed:surat_permohonan".into(),
                filename: "permohonan.pdf".into(),
                sha256: sha(42).to_uppercase(),
                content_type: Some("application/pdf".into()),
                size: Some(123_456),
                blob_path: Some("blobs/ab/cd".into()),
            },
            w.head,
            t0(),
        )
        .await
        .unwrap();
    walk.version = out.application.version;
    let docs = store.application_documents(walk.id).await.unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].sha256, sha(42));
    assert_eq!(docs[0].size, Some(123_456));
    assert_eq!(docs[0].content_type.as_deref(), Some("application/pdf"));
    walk.run(w.coordinator, go("teruskan_ke_kepala_daerah"))
        .await;
    let letter = store
        .set_letter_document(walk.letters[0].id, &sha(7))
        .await
        .unwrap();
    assert_eq!(letter.document_sha256, Some(sha(7)));
    assert!(
        store
            .set_letter_document(walk.letters[0].id, "zz")
            .await
            .is_err()
    );
}

async fn directory_input_is_validated(backend: Backend) {
    let w = world(backend).await;
    let store = &w.store;
    let office = |region: &str, pattern: Option<&str>| NewOffice {
        name: "Disdukcapil".into(),
        region_code: region.into(),
        place_name: "Banjarmasin".into(),
        address: String::new(),
        letter_code: None,
        letter_unit: "Dukcapil".into(),
        letter_pattern: pattern.map(str::to_string),
        utc_offset_minutes: Some(480),
    };
    for (region, pattern) in [
        ("6", None),
        ("63.7", None),
        ("63", Some("{code}/{unit}")),
        ("61", None),
    ] {
        let e = store
            .create_office(office(region, pattern), t0())
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Invalid(_)), "{region}: {e}");
    }
    let kalsel = store
        .create_office(office("63", Some("470/{seq}/PIAK/{year}")), t0())
        .await
        .unwrap();
    assert_eq!(kalsel.kind, "province");
    assert_eq!(kalsel.letter_code, "400.12");
    let account = |role, office_id, agency_id, province: Option<&str>| NewAccount {
        email: "x@dukcapil.go.id".into(),
        name: "X".into(),
        nip: None,
        position: None,
        role,
        office_id,
        agency_id,
        province: province.map(str::to_string),
    };
    for bad in [
        account(Role::Coordinator, None, None, None),
        account(Role::AgencyHead, Some(kalsel.id), None, None),
        account(Role::ProvincialReviewer, None, None, Some("63.71")),
        account(Role::Central, None, Some(w.agency.id), None),
        NewAccount {
            email: "bukan-email".into(),
            ..account(Role::Central, None, None, None)
        },
        NewAccount {
            email: "koordinator@dukcapil.pontianak.go.id".into(),
            ..account(Role::Central, None, None, None)
        },
    ] {
        let e = store.create_account(bad, t0()).await.unwrap_err();
        assert!(matches!(e, StoreError::Invalid(_)), "{e}");
    }
    let e = store
        .create_account(
            account(Role::Coordinator, Some(Uuid::new_v4()), None, None),
            t0(),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        StoreError::NotFound {
            entity: "office",
            ..
        }
    ));
    let c = store
        .create_account(
            account(Role::Coordinator, Some(kalsel.id), None, None),
            t0(),
        )
        .await
        .unwrap();
    let actor = store.actor(c.id).await.unwrap();
    assert_eq!(actor.role, Role::Coordinator);
    assert!(
        store
            .account_by_email(" X@Dukcapil.go.id ")
            .await
            .unwrap()
            .is_some()
    );
    store
        .set_password_hash(c.id, Some("$argon2id$...".into()), t0())
        .await
        .unwrap();
    assert!(store.account(c.id).await.unwrap().password_hash.is_some());
    let e = store
        .register_workflow("broken.toml", "[workflow]\nname = 1", t0())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("broken.toml:"), "{e}");
    assert_eq!(store.workflow_versions().await.unwrap().len(), 1);
}

#[tokio::test]
async fn unsupported_urls_are_refused_with_the_fix() {
    let e = sepakat_store::Store::connect("mysql://root:pw@localhost/x")
        .await
        .unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("sqlite://") && msg.contains("postgres://"),
        "{msg}"
    );
    assert!(!msg.contains("pw@"), "{msg}");
}

#[tokio::test]
async fn in_memory_sqlite_works() {
    let store = sepakat_store::Store::connect("sqlite::memory:")
        .await
        .unwrap();
    assert_eq!(store.migrate().await.unwrap(), Migrator::migrations().len());
    assert!(store.verify_audit().await.unwrap().is_ok());
}

/// Two processes (two stores) on one database: what one remembers never overrides what the
/// other committed.
async fn two_stores_on_one_database_stay_consistent(backend: Backend) {
    let w = world(backend).await;
    let other = w.db.store().await.unwrap();
    let mut walk = Walk::start(&w).await;
    walk.run(w.head, attach("signed:surat_permohonan", 1)).await;
    let v = walk.version;

    // The other process moves the application on.
    let out = other
        .execute(
            walk.id,
            v,
            attach("signed:surat_permohonan", 2),
            w.coordinator,
            t0(),
        )
        .await
        .unwrap();
    assert_eq!(out.application.version, v + 1);
    // This process last wrote version v: a command based on v is a conflict, not a second advance.
    let e = w
        .store
        .execute(
            walk.id,
            v,
            go("teruskan_ke_kepala_daerah"),
            w.coordinator,
            t0(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, StoreError::Conflict { expected, actual } if expected == v && actual == v + 1),
        "{e}"
    );
    // Based on the current version it goes through, decided on the other process's state.
    let out = w
        .store
        .execute(
            walk.id,
            v + 1,
            go("teruskan_ke_kepala_daerah"),
            w.coordinator,
            t0(),
        )
        .await
        .unwrap();
    assert_eq!(
        out.application.documents["signed:surat_permohonan"].sha256,
        sha(2)
    );

    // An account deactivated by the other process cannot act here, even right after acting.
    let v = out.application.version;
    let out = w
        .store
        .execute(
            walk.id,
            v,
            attach("signed:surat_izin_kepala_daerah", 3),
            w.coordinator,
            t0(),
        )
        .await
        .unwrap();
    other
        .set_account_active(w.coordinator, false, t0())
        .await
        .unwrap();
    let e = w
        .store
        .execute(
            walk.id,
            out.application.version,
            go("catat_izin_kepala_daerah"),
            w.coordinator,
            t0(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, StoreError::Invalid(ref m) if m.contains("deactivated")),
        "{e}"
    );
    assert_eq!(
        w.store.application(walk.id).await.unwrap().row.version,
        out.application.version
    );
    assert!(w.store.verify_audit().await.unwrap().is_ok());
    other.close().await.unwrap();
}
