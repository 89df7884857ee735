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
use sepakat_core::letter::{IssuedLetter, LetterInputs};
use sepakat_core::{Command, Role, Unmet};
use sepakat_store::entity::{
    agency_letter_counters, applications, attestations, audit_events, documents, grants,
    letter_counters, letters, offices, outbox, register_counters,
};
use sepakat_store::testing::{Backend, FactsSealer};
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
    issuing_without_facts_is_refused_and_takes_no_number,
    regional_head_letters_are_numbered_by_the_regional_secretariat,
    consultation_minutes_take_the_provincial_number,
    pks_carries_the_agency_counterpart_number,
    letter_issued_events_carry_number_and_hashes,
    signed_scans_are_filed_against_their_issue,
    verification_codes_are_stored_and_unique,
    audit_verify_checks_issued_letters,
    letterhead_logo_and_rank_reach_the_letters,
    expired_sessions_are_purged_and_live_ones_kept,
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

/// The running number a register last gave in 2024: an office's, an agency's, or a register
/// named by key (`setda:<region>`).
async fn office_seq(w: &World, office_id: Uuid) -> Option<i64> {
    letter_counters::Entity::find()
        .filter(letter_counters::Column::OfficeId.eq(office_id))
        .filter(letter_counters::Column::Year.eq(2024))
        .one(w.store.connection())
        .await
        .unwrap()
        .map(|c| c.last_seq)
}

async fn agency_seq(w: &World, agency_id: Uuid) -> Option<i64> {
    agency_letter_counters::Entity::find()
        .filter(agency_letter_counters::Column::AgencyId.eq(agency_id))
        .filter(agency_letter_counters::Column::Year.eq(2024))
        .one(w.store.connection())
        .await
        .unwrap()
        .map(|c| c.last_seq)
}

async fn register_seq(w: &World, key: &str) -> Option<i64> {
    register_counters::Entity::find()
        .filter(register_counters::Column::Register.eq(key))
        .filter(register_counters::Column::Year.eq(2024))
        .one(w.store.connection())
        .await
        .unwrap()
        .map(|c| c.last_seq)
}

/// The fields named by the letter problems of a refusal, in order.
fn letter_fields(unmet: &[Unmet]) -> Vec<&str> {
    unmet
        .iter()
        .map(|u| match u {
            Unmet::Letter { problem } => problem.field.as_str(),
            other => panic!("expected only letter problems, got {other:?}"),
        })
        .collect()
}

/// What the sealer froze for a letter (`FactsSealer`: the letter, its stamp, office, agency).
fn snapshot(l: &letters::Model) -> serde_json::Value {
    serde_json::from_str(l.snapshot.as_deref().expect("a frozen letter")).unwrap()
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

    // Submission: the request letter is issued in the agency's register and registered in the
    // city office's; the coordinator (who acts next) and the agency head are notified.
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
    assert_eq!(walk.letters[0].register.as_deref(), Some("agency"));
    assert_eq!(first.events[1].kind, "letter_issued");
    assert_eq!(first.elements.len(), 3);
    assert_eq!(
        recipients(&w, walk.id, 1).await,
        BTreeSet::from([w.head, w.coordinator])
    );
    let mail = &w.store.application_outbox(walk.id).await.unwrap()[0];
    assert_eq!(mail.state.as_str(), "pending");
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

    // Eleven letters, registered 1..=11 in the city's 2024 register, each issued (numbered,
    // dated, frozen) by its own `letter_issued` event.
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
        assert_eq!(ev.kind, "letter_issued");
        assert_eq!(ev.payload["letter"]["letter"], l.letter.as_str());
        assert_eq!(ev.payload["letter"]["id"], l.id.to_string());
        assert_eq!(ev.payload["letter"]["number"], l.printed_number());
        assert!(l.is_frozen(), "{} was not frozen", l.letter);
    }
    // Whose register prints each number.
    assert_eq!(
        d.letters
            .iter()
            .map(|l| (l.letter.as_str(), l.register.as_deref().unwrap()))
            .collect::<Vec<_>>(),
        [
            ("surat_permohonan", "agency"),
            ("surat_izin_kepala_daerah", "regional_secretariat"),
            ("berita_acara_konsultasi_pks", "provincial_office"),
            ("pks", "office"),
            ("juknis", "office"),
            ("surat_spesifikasi_teknis", "agency"),
            ("surat_pernyataan_jaringan", "agency"),
            ("permohonan_user_id_uji", "office"),
            ("laporan_uji_beban", "agency"),
            ("berita_acara_poc", "office"),
            ("permohonan_user_id_produksi", "office"),
        ]
    );
    // The agency's register numbers its four letters and its side of the PKS and of the juknis,
    // 1, 2, … in order; its own letters print its number, the two-party documents the office's
    // with the agency's as the counterpart number.
    let agency_letters: Vec<_> = d.letters.iter().filter(|l| l.agency_id.is_some()).collect();
    assert_eq!(
        agency_letters
            .iter()
            .map(|l| l.letter.as_str())
            .collect::<Vec<_>>(),
        [
            "surat_permohonan",
            "pks",
            "juknis",
            "surat_spesifikasi_teknis",
            "surat_pernyataan_jaringan",
            "laporan_uji_beban"
        ]
    );
    for (i, l) in agency_letters.iter().enumerate() {
        let agency_number = format!("400.12/{}/DPK/VI/2024", i + 1);
        assert_eq!(l.agency_id, Some(app.row.agency_id));
        assert_eq!(l.agency_seq, Some(i as i64 + 1));
        assert_eq!(l.agency_number.as_deref(), Some(agency_number.as_str()));
        if l.register.as_deref() == Some("agency") {
            assert_eq!(l.printed_number(), agency_number);
            assert_eq!(l.counterpart_number(), None);
        } else {
            assert_eq!(l.printed_number(), l.number);
            assert_eq!(l.counterpart_number(), Some(agency_number.as_str()));
        }
    }
    // The office's other letters carry no agency number; the regional head's and the
    // consultation's print the number of the register that keeps them.
    for l in d.letters.iter().filter(|l| l.agency_id.is_none()) {
        assert!(l.agency_number.is_none() && l.counterpart_number().is_none());
        let printed = match l.letter.as_str() {
            "surat_izin_kepala_daerah" => "400.12/1/Setda/VI/2024".to_string(),
            "berita_acara_konsultasi_pks" => "400.12/1/Dukcapil.1/VI/2024".to_string(),
            _ => l.number.clone(),
        };
        assert_eq!(l.printed_number(), printed, "{}", l.letter);
    }
    assert_eq!(d.documents.len(), 9);
    // Every signed scan is filed against the issue it is the signed copy of; other documents
    // are no letter's.
    for doc in &d.documents {
        let expected = doc
            .key
            .strip_prefix("signed:")
            .map(|letter| d.letters.iter().find(|l| l.letter == letter).unwrap().id);
        assert_eq!(doc.letter_id, expected, "{}", doc.key);
    }

    // The test user ID was replaced by the production one, both standing on the attestation.
    assert_eq!(d.attestations.len(), 1);
    let att = &d.attestations[0];
    assert!(att.withdrawn_at.is_none());
    assert_eq!(att.statement_sha256, sha(7));
    let by_kind = |k: &str| d.grants.iter().find(|g| g.kind.as_str() == k).unwrap();
    assert_eq!(by_kind("test").status.as_str(), "revoked");
    assert_eq!(by_kind("production").status.as_str(), "active");
    assert!(d.grants.iter().all(|g| g.attestation_id == att.id));
    assert_eq!(
        by_kind("production").elements,
        serde_json::json!(["nomor_kk", "nik", "nama_lengkap"])
    );
    assert!(d.elements.iter().all(|e| e.approved_at.is_some()));

    // Six-monthly evaluation calendar from the production user ID's date in the office's time
    // zone: one step an hour from t0 issues it on 4 June after 17:00 UTC, already 5 June in
    // Pontianak (WIB).
    let due = app.state.next_evaluation_due.expect("evaluation scheduled");
    assert_eq!(app.row.next_evaluation_due, Some(due));
    assert_eq!(due, NaiveDate::from_ymd_opt(2024, 12, 5).unwrap());
    assert_eq!(d.evaluations.len(), 1);
    assert_eq!(d.evaluations[0].due_on, due);
    assert_eq!(d.evaluations[0].kind.as_str(), "periodic");
    assert_eq!(d.evaluations[0].state.as_str(), "scheduled");

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
    // Overdue by the core's rule (`calendar::is_overdue`): from the day after the workflow's
    // grace period, on the office's clock (Pontianak, WIB), whatever the UTC date says.
    let policy = w
        .store
        .workflow(&app.row.workflow_name, &app.row.workflow_hash)
        .await
        .unwrap()
        .evaluation
        .clone();
    let first_overdue_day = due + Duration::days(i64::from(policy.grace_days) + 1);
    assert!(sepakat_core::calendar::is_overdue(
        due,
        first_overdue_day,
        &policy
    ));
    assert!(!sepakat_core::calendar::is_overdue(
        due,
        first_overdue_day - Duration::days(1),
        &policy
    ));
    let wib_midnight =
        first_overdue_day.and_time(chrono::NaiveTime::MIN).and_utc() - Duration::hours(7);
    let overdue_at = |at| ApplicationFilter {
        evaluation_overdue_at: Some(at),
        ..Default::default()
    };
    assert_eq!(
        page(overdue_at(wib_midnight - Duration::seconds(1)))
            .await
            .total,
        0,
        "the last evening of grace in Pontianak"
    );
    assert_eq!(page(overdue_at(wib_midnight)).await.total, 1);
    // Moved to WITA (UTC+8), the office's day turns an hour earlier, and so does the overdue,
    // while the other offices stay on WIB.
    let zone = |minutes: i32| {
        offices::Entity::update_many()
            .col_expr(offices::Column::UtcOffsetMinutes, Expr::value(minutes))
            .filter(offices::Column::Id.eq(app.row.office_id))
            .exec(w.store.connection())
    };
    zone(480).await.unwrap();
    let wita_midnight = wib_midnight - Duration::hours(1);
    for (at, total) in [
        (wita_midnight - Duration::seconds(1), 0),
        (wita_midnight, 1),
        (wib_midnight, 1),
    ] {
        assert_eq!(page(overdue_at(at)).await.total, total, "{at}");
    }
    zone(420).await.unwrap();

    // Withdrawing the attestation suspends the live grant, in the same transaction.
    walk.run(
        w.coordinator,
        Command::WithdrawAttestation {
            reason: "VPN diputus penyedia".into(),
        },
    )
    .await;
    let grants = w.store.application_grants(walk.id).await.unwrap();
    let production = grants
        .iter()
        .find(|g| g.kind == sepakat_core::application::GrantKind::Production)
        .unwrap();
    assert_eq!(production.status.as_str(), "suspended");
    let att = attestations::Entity::find_by_id(att.id)
        .one(w.store.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        att.withdrawal_reason.as_deref(),
        Some("VPN diputus penyedia")
    );
    // The statement the withdrawn attestation stood on does not attest the network again, and
    // the refusal writes nothing; a statement filed since does.
    let version = walk.version;
    let refused = walk.try_do(w.coordinator, attestation()).await.unwrap_err();
    assert!(
        matches!(
            rejected(refused)[..],
            [Unmet::StatementBeforeWithdrawal { .. }]
        ),
        "the old statement"
    );
    assert_eq!(walk.version, version);
    walk.run(w.head, attach("pernyataan_jaringan", 90)).await;
    walk.run(w.coordinator, attestation()).await;
    assert!(walk.state.attestation_active());

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
    let mut apps = Vec::new();
    for t in tasks {
        let out = t.await.unwrap();
        assert_eq!(out.letters.len(), 1);
        apps.push((out.application.id, out.application.version));
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

    // Issuing, not only submitting: 24 applications reach the Wali Kota's permission.
    for (id, version) in apps.iter_mut().take(24) {
        let out = w
            .store
            .execute(
                *id,
                *version,
                attach("signed:surat_permohonan", 1),
                w.head,
                t0(),
            )
            .await
            .unwrap();
        let out = w
            .store
            .execute(
                *id,
                out.application.version,
                go("teruskan_ke_kepala_daerah"),
                w.coordinator,
                t0(),
            )
            .await
            .unwrap();
        *version = out.application.version;
    }
    // Twelve issue it at once, while twelve others fail to at the same moment: through a
    // second store (another server process) whose letters cannot be built without a head of
    // office, after they took their numbers inside their transactions.
    let strict = w.db.store().await.unwrap();
    strict.set_letter_sealer(std::sync::Arc::new(NeedsHeadOfOffice));
    let mut tasks = Vec::new();
    for (i, &(id, version)) in apps.iter().take(24).enumerate() {
        let store = if i % 2 == 0 {
            w.store.clone()
        } else {
            strict.clone()
        };
        let who = w.coordinator;
        tasks.push(tokio::spawn(async move {
            let at = t0() + Duration::minutes(i as i64);
            store
                .execute(id, version, issue("surat_izin_kepala_daerah"), who, at)
                .await
        }));
    }
    let (mut office_seqs, mut setda_seqs, mut refused) = (Vec::new(), Vec::new(), 0);
    for (i, t) in tasks.into_iter().enumerate() {
        match t.await.unwrap() {
            Ok(out) => {
                assert_eq!(i % 2, 0, "{backend}: issued without a head of office");
                let [l] = &out.letters[..] else {
                    panic!("{backend}: one letter: {:?}", out.letters)
                };
                office_seqs.push(l.seq);
                setda_seqs.push(l.printed_seq.unwrap());
                assert_eq!(
                    l.printed_number(),
                    format!("400.12/{}/Setda/VI/2024", l.printed_seq.unwrap())
                );
            }
            Err(StoreError::Rejected(r)) => {
                assert_eq!(i % 2, 1, "{backend}: {r}");
                refused += 1;
            }
            Err(other) => panic!("{backend}: {other}"),
        }
    }
    office_seqs.sort();
    setda_seqs.sort();
    assert_eq!(refused, 12);
    assert_eq!(
        office_seqs,
        (65..=76).collect::<Vec<_>>(),
        "{backend}: the office's register goes on from 64, no gap left by the refused"
    );
    assert_eq!(
        setda_seqs,
        (1..=12).collect::<Vec<_>>(),
        "{backend}: no duplicate, no gap in the regional secretariat's register"
    );
    assert_eq!(office_seq(&w, w.city.id).await, Some(76));
    assert_eq!(register_seq(&w, "setda:61.71").await, Some(12));
    assert_eq!(count::<letters::Entity>(&w).await, 76);
    strict.close().await.unwrap();

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
        assert_eq!(
            count::<agency_letter_counters::Entity>(&w).await,
            0,
            "{point:?}"
        );
        assert_eq!(count::<outbox::Entity>(&w).await, 0, "{point:?}");
    }
    w.store.set_fail_point(None);
    let mut walk = Walk::start(&w).await;
    assert_eq!(
        walk.letters[0].seq, 1,
        "the failed submissions took no number"
    );
    assert_eq!(walk.letters[0].agency_seq, Some(1));
    walk.to("izin_kepala_daerah").await;

    // Issuing a letter fails after its events: no number is taken, in either register.
    let before = w.store.application_detail(walk.id).await.unwrap();
    let outbox_before = count::<outbox::Entity>(&w).await;
    for point in [FailPoint::AfterEvents, FailPoint::BeforeCommit] {
        w.store.set_fail_point(Some(point));
        let e = walk
            .try_do(w.coordinator, issue("surat_izin_kepala_daerah"))
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Storage(_)), "{e}");
        let after = w.store.application_detail(walk.id).await.unwrap();
        assert_eq!(after.application.row, before.application.row, "{point:?}");
        assert_eq!(after.events, before.events);
        assert_eq!(after.letters, before.letters);
        assert_eq!(count::<outbox::Entity>(&w).await, outbox_before);
        assert_eq!(office_seq(&w, w.city.id).await, Some(1), "{point:?}");
        assert_eq!(count::<register_counters::Entity>(&w).await, 0, "{point:?}");
    }
    w.store.set_fail_point(None);
    let out = walk.next().await;
    assert_eq!(out.letters[0].letter, "surat_izin_kepala_daerah");
    assert_eq!(
        (out.letters[0].seq, out.letters[0].printed_seq),
        (2, Some(1))
    );
    walk.next().await; // its signed scan

    // A command with a stage change and notifications fails after its events.
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
        assert_eq!(after.documents, before.documents);
        assert_eq!(count::<outbox::Entity>(&w).await, outbox_before);
    }
    w.store.set_fail_point(None);
    let out = walk.next().await;
    assert_eq!(walk.stage, "persetujuan_dirjen");
    assert!(
        out.letters.is_empty(),
        "issued before it was signed: not again"
    );

    // A step that issues its letter, changes stage and notifies: the consultation's berita
    // acara, numbered by the province and registered by the city, fails after its events.
    walk.to("konsultasi_provinsi").await;
    walk.next().await; // returned with a note
    walk.next().await; // submitted again
    assert_eq!(walk.stage, "konsultasi_provinsi");
    let before = w.store.application_detail(walk.id).await.unwrap();
    let outbox_before = count::<outbox::Entity>(&w).await;
    for point in [FailPoint::AfterEvents, FailPoint::BeforeCommit] {
        w.store.set_fail_point(Some(point));
        let e = walk
            .try_do(w.reviewer, go("setujui_draf_pks"))
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Storage(_)), "{e}");
        let after = w.store.application_detail(walk.id).await.unwrap();
        assert_eq!(after.application.row, before.application.row, "{point:?}");
        assert_eq!(after.events, before.events);
        assert_eq!(after.letters, before.letters);
        assert_eq!(count::<outbox::Entity>(&w).await, outbox_before);
        assert_eq!(office_seq(&w, w.city.id).await, Some(2), "{point:?}");
        assert_eq!(office_seq(&w, w.province.id).await, None, "{point:?}");
    }
    w.store.set_fail_point(None);
    let out = walk.next().await;
    assert_eq!(walk.stage, "penandatanganan_pks");
    let l = &out.letters[0];
    assert_eq!(l.letter, "berita_acara_konsultasi_pks");
    assert_eq!((l.seq, l.printed_seq), (3, Some(1)));
    assert!(w.store.verify_audit().await.unwrap().is_ok());
}

async fn audit_verify_names_the_first_broken_event(backend: Backend) {
    let w = world(backend).await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        let mut walk = Walk::start(&w).await;
        walk.to("persetujuan_dirjen").await; // 2 + 5 commands: 7 events
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
        kind: Set("production".parse().unwrap()),
        elements: Set(serde_json::json!(["nik"])),
        method: Set("web_portal".into()),
        issued_at: Set(t0()),
        valid_until: Set(NaiveDate::from_ymd_opt(2026, 6, 3).unwrap()),
        status: Set("active".parse().unwrap()),
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
        connection: Set("lan".parse().unwrap()),
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
    // Issuing: a letter of another stage, the agency's letter by the office, the same letter
    // twice in a stage, a letter without its facts.
    let e = walk
        .try_do(w.coordinator, issue("surat_izin_kepala_daerah"))
        .await
        .unwrap_err();
    assert!(
        matches!(&rejected(e)[..], [Unmet::LetterNotDue { due, .. }] if due == &["surat_permohonan"]),
    );
    let e = walk
        .try_do(w.coordinator, issue("surat_permohonan"))
        .await
        .unwrap_err();
    let unmet = rejected(e);
    assert!(
        unmet
            .iter()
            .any(|u| matches!(u, Unmet::RoleNotAllowed { .. })),
        "{unmet:?}"
    );
    let e = walk
        .try_do(w.head, issue("surat_permohonan"))
        .await
        .unwrap_err();
    assert_eq!(
        rejected(e),
        vec![Unmet::LetterAlreadyIssued {
            letter: "surat_permohonan".into(),
            number: "400.12/1/DPK/VI/2024".into(),
        }]
    );
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
        .set_account_enabled(
            w.coordinator,
            false,
            sepakat_store::ChangedBy::CommandLine,
            t0(),
        )
        .await
        .unwrap();
    let e = walk
        .try_do(w.coordinator, go_with("kembalikan_permohonan", "lengkapi"))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e}");
    store
        .set_account_enabled(
            w.coordinator,
            true,
            sepakat_store::ChangedBy::CommandLine,
            t0(),
        )
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
    assert_eq!(count::<letters::Entity>(&w).await, 1);
    assert_eq!(office_seq(&w, w.city.id).await, Some(1));
    assert_eq!(agency_seq(&w, w.agency.id).await, Some(1));

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
    assert_eq!(docs[0].letter_id, Some(walk.letters[0].id));
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
    assert_eq!(kalsel.kind.as_str(), "province");
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
            issue("surat_izin_kepala_daerah"),
            w.coordinator,
            t0(),
        )
        .await
        .unwrap();
    let out = w
        .store
        .execute(
            walk.id,
            out.application.version,
            attach("signed:surat_izin_kepala_daerah", 3),
            w.coordinator,
            t0(),
        )
        .await
        .unwrap();
    other
        .set_account_enabled(
            w.coordinator,
            false,
            sepakat_store::ChangedBy::CommandLine,
            t0(),
        )
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

// ---- Issuing letters --------------------------------------------------------------------------

/// A letter whose facts are missing is refused with every one of them named, whether a person
/// left them out or the store lacks them when the letter is built, and takes no number: the next
/// letter issued gets the number the refused one would have had.
async fn issuing_without_facts_is_refused_and_takes_no_number(backend: Backend) {
    let w = world(backend).await;
    let mut walk = Walk::start(&w).await;
    walk.to("spesifikasi_teknis").await;
    // The office registered five letters so far; the agency's register gave three numbers (its
    // request, its side of the PKS and of the juknis).
    assert_eq!(office_seq(&w, w.city.id).await, Some(5));
    assert_eq!(agency_seq(&w, w.agency.id).await, Some(3));
    let events = count::<audit_events::Entity>(&w).await;
    let letter_rows = count::<letters::Entity>(&w).await;
    let (id, version) = (walk.id, walk.version);
    let unchanged = || async {
        assert_eq!(office_seq(&w, w.city.id).await, Some(5));
        assert_eq!(agency_seq(&w, w.agency.id).await, Some(3));
        assert_eq!(count::<audit_events::Entity>(&w).await, events);
        assert_eq!(count::<letters::Entity>(&w).await, letter_rows);
        let row = w.store.application(id).await.unwrap().row;
        assert_eq!(row.version, version);
    };

    // No facts at all: every fact the letter needs is named.
    let e = walk
        .try_do(
            w.head,
            issue_with("surat_spesifikasi_teknis", LetterInputs::default()),
        )
        .await
        .unwrap_err();
    assert_eq!(
        letter_fields(&rejected(e)),
        [
            "application_name",
            "network",
            "ip_addresses",
            "devices",
            "technical_team"
        ]
    );
    unchanged().await;
    // Some of them: the others are named.
    let partial = LetterInputs {
        application_name: Some("SIAP-PPDB Kota Pontianak".into()),
        network: Some(sepakat_core::application::ConnectionType::VpnAgencyToDisdukcapil),
        ..LetterInputs::default()
    };
    let e = walk
        .try_do(w.head, issue_with("surat_spesifikasi_teknis", partial))
        .await
        .unwrap_err();
    assert_eq!(
        letter_fields(&rejected(e)),
        ["ip_addresses", "devices", "technical_team"]
    );
    unchanged().await;

    // Every fact typed in, but the letter cannot be built from what the store holds (no head
    // of office to sign it): refused with both missing facts, after numbers were taken inside
    // the transaction, so those numbers go back.
    w.store
        .set_letter_sealer(std::sync::Arc::new(NeedsHeadOfOffice));
    let e = walk
        .try_do(w.head, issue("surat_spesifikasi_teknis"))
        .await
        .unwrap_err();
    assert_eq!(
        letter_fields(&rejected(e)),
        ["office_head", "office_head.position"]
    );
    unchanged().await;

    // With the head of office on record the letter is issued, with the numbers the refused
    // attempts would have had, in the office's register and in the agency's.
    head_of_office(&w).await;
    let out = walk.run(w.head, issue("surat_spesifikasi_teknis")).await;
    let [l] = &out.letters[..] else {
        panic!("one letter: {:?}", out.letters)
    };
    assert_eq!((l.seq, l.agency_seq), (6, Some(4)));
    assert_eq!(l.number, "400.12/6/Dukcapil.4/VI/2024");
    assert_eq!(l.printed_number(), "400.12/4/DPK/VI/2024");
    assert_eq!(office_seq(&w, w.city.id).await, Some(6));
    assert_eq!(agency_seq(&w, w.agency.id).await, Some(4));
    // The facts typed in are frozen with it.
    assert_eq!(
        snapshot(l)["stamp"]["inputs"],
        serde_json::to_value(complete_inputs("surat_spesifikasi_teknis")).unwrap()
    );
}

/// The regional head's letter prints the number of the regional secretariat's register
/// (`setda:<region>`), gap-free and apart from the office's register, which registers it all
/// the same.
async fn regional_head_letters_are_numbered_by_the_regional_secretariat(backend: Backend) {
    let w = world(backend).await;
    let mut walks = Vec::new();
    for _ in 0..3 {
        let mut walk = Walk::start(&w).await;
        walk.to("izin_kepala_daerah").await;
        walks.push(walk);
    }
    assert_eq!(office_seq(&w, w.city.id).await, Some(3));

    // Refused while it is built: neither register moves.
    w.store
        .set_letter_sealer(std::sync::Arc::new(NeedsHeadOfOffice));
    let e = walks[0]
        .try_do(w.coordinator, issue("surat_izin_kepala_daerah"))
        .await
        .unwrap_err();
    assert_eq!(letter_fields(&rejected(e)).len(), 2);
    assert_eq!(count::<register_counters::Entity>(&w).await, 0);
    assert_eq!(office_seq(&w, w.city.id).await, Some(3));
    w.store.set_letter_sealer(std::sync::Arc::new(FactsSealer));

    // Three permissions, with an office letter (another application's request) after each.
    let mut issued = Vec::new();
    for walk in walks.iter_mut() {
        let out = walk
            .run(w.coordinator, issue("surat_izin_kepala_daerah"))
            .await;
        issued.push(out.letters[0].clone());
        submit(&w, walk.now).await;
    }
    for (i, l) in issued.iter().enumerate() {
        let setda = i as i64 + 1;
        let office = 4 + 2 * i as i64;
        assert_eq!(l.letter, "surat_izin_kepala_daerah");
        assert_eq!(l.register.as_deref(), Some("regional_secretariat"));
        assert_eq!(l.printed_register.as_deref(), Some("setda:61.71"));
        assert_eq!(l.printed_seq, Some(setda));
        assert_eq!(l.printed_number(), format!("400.12/{setda}/Setda/VI/2024"));
        // The office registers it in its own register.
        assert_eq!((l.office_id, l.year, l.seq), (w.city.id, 2024, office));
        assert_eq!(l.number, format!("400.12/{office}/Dukcapil.4/VI/2024"));
        assert!(l.agency_id.is_none() && l.counterpart_number().is_none());
        // The number printed and who signs are frozen with the letter.
        let snap = snapshot(l);
        assert_eq!(snap["stamp"]["number"], l.printed_number());
        assert_eq!(
            snap["stamp"]["inputs"]["signatory"]["name"],
            wali_kota().name
        );
    }
    let registers = register_counters::Entity::find()
        .all(w.store.connection())
        .await
        .unwrap();
    assert_eq!(
        registers
            .iter()
            .map(|r| (r.register.as_str(), r.year, r.last_seq))
            .collect::<Vec<_>>(),
        [("setda:61.71", 2024, 3)]
    );
    assert_eq!(office_seq(&w, w.city.id).await, Some(9));

    // Recording the signed permission does not number it again.
    walks[0].next().await; // its signed scan
    let out = walks[0].next().await;
    assert_eq!(walks[0].stage, "persetujuan_dirjen");
    assert!(out.letters.is_empty());
    assert_eq!(register_seq(&w, "setda:61.71").await, Some(3));

    // The database keeps a printed number from being given twice in its register.
    let mut twice: letters::ActiveModel = issued[1].clone().into();
    twice.printed_seq = Set(Some(1));
    assert!(twice.update(w.store.connection()).await.is_err());
}

/// The berita acara of a kab/kota application's consultation is the provincial office's: it
/// takes the province's next number, and the city registers it.
async fn consultation_minutes_take_the_provincial_number(backend: Backend) {
    let w = world(backend).await;
    for i in 0..2i64 {
        let mut walk = Walk::start(&w).await;
        walk.to("penandatanganan_pks").await;
        let l = walk
            .letters
            .iter()
            .find(|l| l.letter == "berita_acara_konsultasi_pks")
            .unwrap();
        let province = i + 1;
        assert_eq!(l.register.as_deref(), Some("provincial_office"));
        assert_eq!(
            l.printed_register,
            Some(format!("office:{}", w.province.id))
        );
        assert_eq!(l.printed_seq, Some(province));
        assert_eq!(
            l.printed_number(),
            format!("400.12/{province}/Dukcapil.1/VI/2024")
        );
        // The city registers it: the third letter of each application.
        let city = 3 + 3 * i;
        assert_eq!((l.office_id, l.seq), (w.city.id, city));
        assert_eq!(l.number, format!("400.12/{city}/Dukcapil.4/VI/2024"));
        assert_eq!(snapshot(l)["stamp"]["number"], l.printed_number());
        let ev = &w.store.application_events(walk.id).await.unwrap()[(l.event_seq - 1) as usize];
        assert_eq!(ev.payload["letter"]["number"], l.printed_number());
        assert_eq!(ev.payload["letter"]["register"], "provincial_office");
    }
    // The province's register moved for these two letters only, the city's for all six.
    assert_eq!(office_seq(&w, w.province.id).await, Some(2));
    assert_eq!(office_seq(&w, w.city.id).await, Some(6));
}

/// The PKS and the juknis are two-party documents: the office's number is printed, and the
/// agency's register gives the counterpart number.
async fn pks_carries_the_agency_counterpart_number(backend: Backend) {
    let w = world(backend).await;
    let mut walk = Walk::start(&w).await;
    walk.to("penandatanganan_pks").await;
    let out = walk.run(w.coordinator, issue("pks")).await;
    let [pks] = &out.letters[..] else {
        panic!("one letter: {:?}", out.letters)
    };
    assert_eq!(pks.letter, "pks");
    assert_eq!(pks.register.as_deref(), Some("office"));
    assert_eq!(pks.number, "400.12/4/Dukcapil.4/VI/2024");
    assert_eq!(pks.printed_number(), pks.number);
    // The agency's second number (after its request).
    assert_eq!(
        (pks.agency_id, pks.agency_seq),
        (Some(w.agency.id), Some(2))
    );
    assert_eq!(pks.agency_number.as_deref(), Some("400.12/2/DPK/VI/2024"));
    assert_eq!(pks.counterpart_number(), Some("400.12/2/DPK/VI/2024"));
    assert_eq!(agency_seq(&w, w.agency.id).await, Some(2));
    // Both numbers are frozen with the letter.
    let snap = snapshot(pks);
    assert_eq!(snap["stamp"]["number"], pks.number.as_str());
    assert_eq!(snap["stamp"]["counterpart_number"], "400.12/2/DPK/VI/2024");

    // Recording the signed PKS numbers nothing; the juknis takes the agency's next number.
    let issued = walk.letters.len();
    walk.to("juknis").await;
    assert_eq!(walk.letters.len(), issued);
    walk.to("spesifikasi_teknis").await;
    let juknis = walk.letters.last().unwrap();
    assert_eq!(juknis.letter, "juknis");
    assert_eq!(juknis.number, "400.12/5/Dukcapil.4/VI/2024");
    assert_eq!(juknis.agency_seq, Some(3));
    assert_eq!(juknis.counterpart_number(), Some("400.12/3/DPK/VI/2024"));
    assert_eq!(
        snapshot(juknis)["stamp"]["counterpart_number"],
        "400.12/3/DPK/VI/2024"
    );
    // The application's other letters carry no counterpart.
    let d = w.store.application_detail(walk.id).await.unwrap();
    assert_eq!(
        d.letters
            .iter()
            .filter(|l| l.counterpart_number().is_some())
            .map(|l| l.letter.as_str())
            .collect::<Vec<_>>(),
        ["pks", "juknis"]
    );
}

/// Each `letter_issued` event carries the letter's number, register, date, code and the hashes
/// of what was frozen, so the audit chain holds them; the chain still verifies, and a number
/// changed in the log is caught.
async fn letter_issued_events_carry_number_and_hashes(backend: Backend) {
    use sha2::{Digest, Sha256};
    let w = world(backend).await;
    let mut walk = Walk::start(&w).await;
    walk.to("spesifikasi_teknis").await;
    let d = w.store.application_detail(walk.id).await.unwrap();
    assert_eq!(d.letters.len(), 5);
    assert!(
        d.events.iter().all(|e| e.kind != "letter_produced"),
        "every intent is replaced by its issue"
    );
    for l in &d.letters {
        let ev = &d.events[(l.event_seq - 1) as usize];
        assert_eq!((ev.seq, ev.kind.as_str()), (l.event_seq, "letter_issued"));
        let issued: IssuedLetter = serde_json::from_value(ev.payload["letter"].clone()).unwrap();
        assert_eq!(issued.id, l.id);
        assert_eq!(issued.letter, l.letter);
        assert_eq!(issued.stage, l.stage);
        assert_eq!(issued.number, l.printed_number());
        assert_eq!(
            serde_json::to_value(issued.register).unwrap(),
            l.register.as_deref().unwrap()
        );
        assert_eq!(issued.date, l.issued_on);
        assert_eq!(issued.at, l.issued_at);
        assert_eq!(Some(&issued.code), l.verification_code.as_ref());
        assert_eq!(Some(&issued.snapshot_sha256), l.snapshot_sha256.as_ref());
        assert_eq!(Some(&issued.html_sha256), l.html_sha256.as_ref());
        assert_eq!(Some(&issued.pdf_sha256), l.pdf_sha256.as_ref());
        assert_eq!(l.document_sha256, l.pdf_sha256);
        // The snapshot hash is the hash of the text frozen in the row.
        let frozen = l.snapshot.as_deref().unwrap();
        assert_eq!(
            issued.snapshot_sha256,
            hex::encode(Sha256::digest(frozen.as_bytes()))
        );
        // The application's state holds the same record.
        assert_eq!(d.application.state.letters[&l.letter], issued);
    }
    let report = w.store.verify_audit().await.unwrap();
    assert!(report.is_ok(), "{report}");
    assert_eq!(
        w.store.verify_application_audit(walk.id).await.unwrap(),
        None
    );

    // A number rewritten in the log breaks the chain at that event.
    let permission = &d.letters[1];
    assert_eq!(permission.letter, "surat_izin_kepala_daerah");
    let db = w.store.connection();
    let row = audit_events::Entity::find()
        .filter(audit_events::Column::ApplicationId.eq(walk.id))
        .filter(audit_events::Column::Seq.eq(permission.event_seq))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let mut payload = row.payload.clone();
    payload["letter"]["number"] = "400.12/99/Setda/VI/2024".into();
    let mut am: audit_events::ActiveModel = row.into();
    am.payload = Set(payload);
    am.update(db).await.unwrap();
    let broken = w
        .store
        .verify_application_audit(walk.id)
        .await
        .unwrap()
        .expect("the edit is caught");
    assert_eq!(
        (broken.seq, broken.problem),
        (permission.event_seq, AuditProblem::Edited)
    );
}

/// A signed scan is filed against the issued letter it is the signed copy of: never before the
/// letter is issued, and a scan of an earlier issue does not stand for a new one.
async fn signed_scans_are_filed_against_their_issue(backend: Backend) {
    let w = world(backend).await;
    let mut walk = Walk::start(&w).await;
    let first = walk.letters[0].clone();
    let id = walk.id;
    let scans = |key: &'static str| {
        let db = w.store.connection().clone();
        async move {
            let mut docs = documents::Entity::find()
                .filter(documents::Column::ApplicationId.eq(id))
                .filter(documents::Column::Key.eq(key))
                .all(&db)
                .await
                .unwrap();
            docs.sort_by_key(|d| d.event_seq);
            docs.into_iter().map(|d| d.letter_id).collect::<Vec<_>>()
        }
    };
    let out = walk
        .run(w.head, attach("signed:surat_permohonan", 11))
        .await;
    assert_eq!(
        out.events[0].payload["letter_id"],
        first.id.to_string(),
        "the event names the issue"
    );
    assert_eq!(scans("signed:surat_permohonan").await, [Some(first.id)]);

    // Sent back for repair: the agency head issues the request again (the office may not),
    // and the scan of the first issue no longer stands for it.
    walk.run(
        w.coordinator,
        go_with("kembalikan_permohonan", "Dasar hukum belum lengkap"),
    )
    .await;
    let e = walk
        .try_do(w.coordinator, issue("surat_permohonan"))
        .await
        .unwrap_err();
    assert!(
        rejected(e)
            .iter()
            .any(|u| matches!(u, Unmet::RoleNotAllowed { .. }))
    );
    let out = walk.run(w.head, issue("surat_permohonan")).await;
    let second = out.letters[0].clone();
    assert_ne!(second.id, first.id);
    assert_eq!((second.seq, second.agency_seq), (2, Some(2)));
    let e = walk
        .try_do(w.head, go("ajukan_ulang_permohonan"))
        .await
        .unwrap_err();
    assert_eq!(
        rejected(e),
        vec![Unmet::MissingSignedLetter {
            letter: "surat_permohonan".into()
        }]
    );
    walk.run(w.head, attach("signed:surat_permohonan", 12))
        .await;
    assert_eq!(
        scans("signed:surat_permohonan").await,
        [Some(first.id), Some(second.id)]
    );
    walk.run(w.head, go("ajukan_ulang_permohonan")).await;
    walk.run(w.coordinator, go("teruskan_ke_kepala_daerah"))
        .await;

    // No scan of a letter not yet issued, and nothing filed for the attempt.
    let e = walk
        .try_do(w.coordinator, attach("signed:surat_izin_kepala_daerah", 13))
        .await
        .unwrap_err();
    assert_eq!(
        rejected(e),
        vec![Unmet::LetterNotIssued {
            letter: "surat_izin_kepala_daerah".into()
        }]
    );
    assert!(scans("signed:surat_izin_kepala_daerah").await.is_empty());
    let out = walk
        .run(w.coordinator, issue("surat_izin_kepala_daerah"))
        .await;
    let permission = out.letters[0].id;
    walk.run(w.coordinator, attach("signed:surat_izin_kepala_daerah", 13))
        .await;
    assert_eq!(
        scans("signed:surat_izin_kepala_daerah").await,
        [Some(permission)]
    );
    // A document that is no letter's scan names none.
    walk.run(w.coordinator, go("catat_izin_kepala_daerah"))
        .await;
    walk.run(w.coordinator, attach("persetujuan_dirjen", 14))
        .await;
    assert_eq!(scans("persetujuan_dirjen").await, [None]);
}

/// Every issued letter has its verification code, stored with it and in its event, unique
/// across the database.
async fn verification_codes_are_stored_and_unique(backend: Backend) {
    let w = world(backend).await;
    let mut walk = Walk::start(&w).await;
    walk.to("akses_aktif").await;
    for i in 0..5 {
        submit(&w, t0() + Duration::minutes(i)).await;
    }
    let db = w.store.connection();
    let all = letters::Entity::find().all(db).await.unwrap();
    assert_eq!(all.len(), 16);
    let events = w.store.application_events(walk.id).await.unwrap();
    let mut codes = BTreeSet::new();
    for l in &all {
        let code = l.verification_code.as_deref().expect("a code");
        assert_eq!(
            sepakat_store::issuing::normalize_code(code).as_deref(),
            Some(code),
            "a code as it would be typed back"
        );
        assert!(codes.insert(code.to_string()), "{code} given twice");
        let stamp = &snapshot(l)["stamp"];
        assert_eq!(stamp["code"], code);
        assert_eq!(
            stamp["verify_url"],
            format!("http://127.0.0.1/verifikasi/{code}")
        );
        if l.application_id == walk.id {
            let ev = &events[(l.event_seq - 1) as usize];
            assert_eq!(ev.payload["letter"]["code"], code);
        }
        // The code finds its letter.
        let found = letters::Entity::find()
            .filter(letters::Column::VerificationCode.eq(code))
            .all(db)
            .await
            .unwrap();
        assert_eq!(found.iter().map(|f| f.id).collect::<Vec<_>>(), [l.id]);
    }
    // The database refuses a code already given.
    let mut copy: letters::ActiveModel = all[1].clone().into();
    copy.verification_code = Set(all[0].verification_code.clone());
    assert!(copy.update(db).await.is_err());
}

/// `audit verify` checks each issued letter too: a frozen snapshot edited in its row, or a
/// number changed in the row, leaves every hash chain intact, and only the cross-check of the
/// row against its hash and its `letter_issued` event reveals it. With the blob store, each
/// file must be there and hash to what is recorded.
async fn audit_verify_checks_issued_letters(backend: Backend) {
    use sepakat_store::audit::{LetterForm, LetterProblem};
    use sha2::{Digest, Sha256};
    use std::collections::HashMap;
    let w = world(backend).await;
    let mut walk = Walk::start(&w).await;
    walk.to("spesifikasi_teknis").await;
    let mut other = Walk::start(&w).await;
    other.to("persetujuan_dirjen").await;
    let db = w.store.connection();
    let all = letters::Entity::find().all(db).await.unwrap();
    assert!(all.len() >= 7, "{} letters", all.len());

    // Intact: without files, and with every file in a blob store.
    let report = w.store.verify_letters(None).await.unwrap();
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.letters, all.len() as u64);
    assert!(!report.files_checked);
    assert!(report.to_string().contains("files NOT checked"), "{report}");
    // The test sealer keeps no files; its HTML and PDF hashes are the snapshot's.
    let mut blobs: HashMap<String, Vec<u8>> = all
        .iter()
        .map(|l| {
            let bytes = l.snapshot.clone().unwrap().into_bytes();
            (hex::encode(Sha256::digest(&bytes)), bytes)
        })
        .collect();
    let read = |b: &HashMap<String, Vec<u8>>| {
        let b = b.clone();
        move |sha: &str| -> std::io::Result<Option<Vec<u8>>> { Ok(b.get(sha).cloned()) }
    };
    let report = w.store.verify_letters(Some(&read(&blobs))).await.unwrap();
    assert!(report.is_ok(), "{report}");
    assert!(report.files_checked);

    let d = w.store.application_detail(walk.id).await.unwrap();
    let (edited, renumbered) = (&d.letters[0], &d.letters[1]);
    assert_eq!(renumbered.letter, "surat_izin_kepala_daerah");
    let original_number = renumbered.printed_number().to_string();

    // A snapshot edited in the row: one word of the frozen context changed.
    let mut am: letters::ActiveModel = edited.clone().into();
    let tampered = edited.snapshot.clone().unwrap().replacen("\"", "\" ", 1);
    assert_ne!(Some(&tampered), edited.snapshot.as_ref());
    am.snapshot = Set(Some(tampered.clone()));
    am.update(db).await.unwrap();
    // The number of another letter rewritten in its row (the register that printed it).
    let mut am: letters::ActiveModel = renumbered.clone().into();
    am.printed_number = Set(Some("400.12/99/Setda/VI/2024".into()));
    am.update(db).await.unwrap();
    // One file gone from the blob store, another replaced by other bytes.
    let gone = other.letters[0].pdf_sha256.clone().unwrap();
    blobs.remove(&gone);
    let swapped = other.letters[1].html_sha256.clone().unwrap();
    blobs.insert(swapped.clone(), b"<html>palsu</html>".to_vec());

    // The hash chains know nothing of it.
    assert!(w.store.verify_audit().await.unwrap().is_ok());

    let report = w.store.verify_letters(None).await.unwrap();
    assert!(!report.is_ok());
    let mut found: Vec<_> = report
        .broken
        .iter()
        .map(|b| (b.letter_id, b.number.clone(), b.problem.clone()))
        .collect();
    found.sort_by_key(|f| f.0);
    let mut expected = vec![
        (
            edited.id,
            edited.printed_number().to_string(),
            LetterProblem::SnapshotEdited {
                recorded: edited.snapshot_sha256.clone().unwrap(),
                found: hex::encode(Sha256::digest(tampered.as_bytes())),
            },
        ),
        (
            renumbered.id,
            "400.12/99/Setda/VI/2024".to_string(),
            LetterProblem::DiffersFromEvent {
                field: "number",
                row: "400.12/99/Setda/VI/2024".into(),
                event: original_number.clone(),
            },
        ),
    ];
    expected.sort_by_key(|f| f.0);
    assert_eq!(found, expected, "{report}");
    let text = report.to_string();
    assert!(
        text.contains(&format!(
            "letter {} {}",
            edited.letter,
            edited.printed_number()
        )) && text.contains("frozen content was edited"),
        "{text}"
    );
    assert!(
        text.contains("letter surat_izin_kepala_daerah 400.12/99/Setda/VI/2024")
            && text.contains(&format!(
                "the row's number `400.12/99/Setda/VI/2024` is not the `{original_number}`"
            )),
        "{text}"
    );
    assert!(text.contains("2 of"), "{text}");

    // With the files: the missing and the replaced one are named too.
    let report = w.store.verify_letters(Some(&read(&blobs))).await.unwrap();
    let file_problems: Vec<_> = report
        .broken
        .iter()
        .filter_map(|b| match &b.problem {
            LetterProblem::FileMissing { form, sha256 } => {
                Some((b.letter_id, *form, sha256.clone(), "missing"))
            }
            LetterProblem::FileUnreadable { form, sha256, .. } => {
                Some((b.letter_id, *form, sha256.clone(), "unreadable"))
            }
            _ => None,
        })
        .collect();
    assert!(
        file_problems.contains(&(
            other.letters[0].id,
            LetterForm::Pdf,
            gone.clone(),
            "missing"
        )),
        "{report}"
    );
    assert!(
        file_problems.contains(&(
            other.letters[1].id,
            LetterForm::Html,
            swapped.clone(),
            "unreadable"
        )),
        "{report}"
    );
}

const LOGO: &str = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 40 48\"><path d=\"M4 4h32v24c0 10-16 18-16 18S4 38 4 28z\" fill=\"#1b5e20\"/></svg>\n";

/// An office's logo and a signatory's rank are facts of the letters: checked when they are
/// recorded, read into the facts, frozen with each letter issued afterwards.
async fn letterhead_logo_and_rank_reach_the_letters(backend: Backend) {
    let w = world(backend).await;
    let store = &w.store;
    for (bad, why) in [
        (
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
            "<script>",
        ),
        ("\u{89}PNG\r\n", "root element"),
        ("<html><body>x</body></html>", "root element"),
        (
            "<svg><rect onload=\"alert(1)\" width=\"1\" height=\"1\"/></svg>",
            "event-handler",
        ),
        (
            "<svg><image href=\"https://example.com/x.png\"/></svg>",
            "outside the document",
        ),
        (
            "<!DOCTYPE svg [<!ENTITY x \"y\">]><svg>&x;</svg>",
            "entities",
        ),
    ] {
        let e = store
            .set_office_logo(w.city.id, Some(bad.as_bytes()))
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Invalid(_)), "{bad}: {e}");
        let msg = e.to_string();
        assert!(
            msg.contains("must be an SVG document") && msg.contains(why),
            "{bad}: {msg}"
        );
    }
    // A picture's bytes are not text.
    let e = store
        .set_office_logo(w.city.id, Some(b"\x89PNG\r\n\x1a\n"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("not UTF-8"), "{e}");
    let big = format!("<svg>{}</svg>", " ".repeat(sepakat_store::MAX_LOGO_BYTES));
    assert!(
        store
            .set_office_logo(w.city.id, Some(big.as_bytes()))
            .await
            .is_err()
    );
    assert_eq!(store.office(w.city.id).await.unwrap().logo_svg, None);

    store
        .set_office_logo(w.city.id, Some(LOGO.as_bytes()))
        .await
        .unwrap();
    let head = head_of_office(&w).await;
    store
        .set_account_rank(head, Some(" Pembina Utama Muda (IV/c) "), t0())
        .await
        .unwrap();
    assert!(
        store
            .set_account_rank(head, Some(&"IV/c ".repeat(40)), t0())
            .await
            .is_err()
    );

    let walk = Walk::start(&w).await;
    let facts = store.letter_facts(&walk.state).await.unwrap();
    assert_eq!(facts.office.logo_svg.as_deref(), Some(LOGO));
    let office_head = facts.office_head.expect("the head is on record");
    assert_eq!(
        office_head.rank.as_deref(),
        Some("Pembina Utama Muda (IV/c)")
    );
    assert_eq!(
        facts.provincial_office.and_then(|p| p.logo_svg),
        None,
        "only the office that registered a logo has one"
    );
    // The letter issued on submission froze the office with its logo.
    let row = letters::Entity::find()
        .filter(letters::Column::ApplicationId.eq(walk.id))
        .one(store.connection())
        .await
        .unwrap()
        .expect("the request letter");
    assert_eq!(snapshot(&row)["office"]["logo_svg"], LOGO);

    // Removing them is possible; letters issued later print none.
    store.set_office_logo(w.city.id, None).await.unwrap();
    store
        .set_account_rank(head, Some("  "), t0())
        .await
        .unwrap();
    let facts = store.letter_facts(&walk.state).await.unwrap();
    assert_eq!(facts.office.logo_svg, None);
    assert_eq!(facts.office_head.unwrap().rank, None);
}

/// The daily upkeep removes sessions and tokens that have expired, and only those.
async fn expired_sessions_are_purged_and_live_ones_kept(backend: Backend) {
    use sepakat_store::sessions::SessionKind;
    let w = world(backend).await;
    let s = &w.store;
    let day = chrono::Duration::days(1);
    s.create_session(
        w.head,
        "expired",
        SessionKind::Browser,
        Some("c"),
        Some(t0() - day),
        t0() - day * 2,
    )
    .await
    .unwrap();
    s.create_session(
        w.head,
        "live",
        SessionKind::Browser,
        Some("c"),
        Some(t0() + day),
        t0(),
    )
    .await
    .unwrap();
    s.create_session(w.head, "token", SessionKind::ApiToken, None, None, t0())
        .await
        .unwrap();
    assert_eq!(s.purge_expired_sessions(t0()).await.unwrap(), 1);
    let live = s.session("live", t0()).await.unwrap().unwrap();
    assert_eq!(live.session.kind, SessionKind::Browser);
    let token = s.session("token", t0()).await.unwrap().unwrap();
    assert_eq!(token.session.kind, SessionKind::ApiToken);
    assert_eq!(s.purge_expired_sessions(t0()).await.unwrap(), 0);
    assert_eq!(s.purge_expired_sessions(t0() + day * 2).await.unwrap(), 1);
    assert!(s.session("token", t0() + day * 2).await.unwrap().is_some());
}
