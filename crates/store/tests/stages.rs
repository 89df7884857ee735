//! The stage read models on both databases: every stage change records the stay it ended and
//! the one it began, and adds to the counters of every scope the application is seen in; the
//! application list is a keyset-paged query whose filters the database answers.

mod common;

use chrono::Duration;
use common::*;
use sea_orm::EntityTrait;
use sepakat_core::stats::{Measure, epoch_day};
use sepakat_core::{Role, Scope};
use sepakat_store::entity::{stage_stat_deltas, stage_stats, stage_visits};
use sepakat_store::{ApplicationFilter, StoreError};
use std::collections::BTreeSet;
use uuid::Uuid;

on_both_databases!(
    stays_and_counters_follow_every_stage_change,
    folds_racing_commands_keep_every_counter_exact,
    old_waits_merge_into_blocks_and_every_figure_stays_exact,
    the_list_pages_by_cursor_and_filters_in_the_database,
    pending_deltas_are_folded_when_their_table_changes_shape,
);

fn get(rows: &[(String, String, i64, i64)], wf: &str, stage: &str, value: i64) -> i64 {
    rows.iter()
        .filter(|r| r.0 == wf && r.1 == stage && r.2 == value)
        .map(|r| r.3)
        .sum()
}

async fn stays_and_counters_follow_every_stage_change(backend: sepakat_store::testing::Backend) {
    let w = world(backend).await;
    let store = &w.store;
    let a = submit(&w, t0()).await.application.id;
    let b = submit(&w, t0() + Duration::minutes(1)).await.application.id;
    let c = submit(&w, t0() + Duration::minutes(2)).await.application.id;
    // `a` is returned for correction after 3 days; `c` is cancelled after one.
    store
        .execute(
            a,
            1,
            go_with("kembalikan_permohonan", "Lengkapi dasar hukum."),
            w.coordinator,
            t0() + Duration::days(3),
        )
        .await
        .unwrap();
    store
        .execute(
            c,
            1,
            go_with("batalkan_permohonan", "Tidak jadi."),
            w.head,
            t0() + Duration::days(1),
        )
        .await
        .unwrap();

    // The stays of `a`: in the request 3 days, returned since.
    let stays: Vec<(String, bool)> = store
        .stage_visits(a)
        .await
        .unwrap()
        .into_iter()
        .map(|v| (v.stage, v.left_at.is_some()))
        .collect();
    assert_eq!(
        stays,
        [
            ("permohonan".to_string(), true),
            ("perbaikan_permohonan".to_string(), false),
        ]
    );

    assert_eq!(
        store.stage_visits(b).await.unwrap().len(),
        1,
        "b never moved"
    );

    // National counters: one in the request now (b), one returned (a), one cancelled (c);
    // stays of 3 days (a) and under a day (c) ended; the open waits began on t0's day (b) and 3 days
    // later (a). A cancelled application is counted but waits on nobody.
    let national = Scope::National;
    let now = store.stage_stats(&national, Measure::Now).await.unwrap();
    assert_eq!(get(&now, "pks-kabkota", "permohonan", 0), 1);
    assert_eq!(get(&now, "pks-kabkota", "perbaikan_permohonan", 0), 1);
    assert_eq!(get(&now, "pks-kabkota", "dibatalkan", 0), 1);
    let spent = store.stage_stats(&national, Measure::Spent).await.unwrap();
    assert_eq!(get(&spent, "pks-kabkota", "permohonan", 3), 1);
    // `c` came in two minutes after t0: 23 hours and 58 minutes is day 0.
    assert_eq!(get(&spent, "pks-kabkota", "permohonan", 0), 1);
    assert_eq!(spent.len(), 2, "{spent:?}");
    let open = store.stage_stats(&national, Measure::Open).await.unwrap();
    assert_eq!(get(&open, "pks-kabkota", "permohonan", epoch_day(t0())), 1);
    assert_eq!(
        get(
            &open,
            "pks-kabkota",
            "perbaikan_permohonan",
            epoch_day(t0() + Duration::days(3))
        ),
        1
    );
    assert_eq!(open.len(), 2, "{open:?}");

    // Each scope sees its own: the city's office and agency see all three, the province sees
    // its kab/kota applications, another agency none.
    let coordinator = store.actor(w.coordinator).await.unwrap();
    let head = store.actor(w.head).await.unwrap();
    let reviewer = store.actor(w.reviewer).await.unwrap();
    for actor in [&coordinator, &head, &reviewer] {
        let rows = store.stage_stats(&actor.scope, Measure::Now).await.unwrap();
        assert_eq!(
            get(&rows, "pks-kabkota", "permohonan", 0),
            1,
            "{:?}",
            actor.scope
        );
        assert_eq!(
            get(&rows, "pks-kabkota", "dibatalkan", 0),
            1,
            "{:?}",
            actor.scope
        );
    }
    let other = Scope::Agency {
        agency_id: Uuid::new_v4(),
    };
    assert!(
        store
            .stage_stats(&other, Measure::Now)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(reviewer.role, Role::ProvincialReviewer);

    // The projections are what the audit log says; tampered, the check names the difference;
    // emptied, a migration writes them again the same.
    let check = store
        .check_stage_projections(t0() + Duration::days(30))
        .await
        .unwrap();
    assert!(check.is_true(), "{check:?}");
    assert_eq!(check.applications, 3);

    // The commands appended their changes; folded into the counters, every figure reads the same
    // and nothing is left to fold.
    let pending = stage_stat_deltas::Entity::find()
        .all(store.connection())
        .await
        .unwrap();
    assert!(!pending.is_empty(), "commands append deltas");
    // Every scope's figures: a delta row counts in each scope whose key it carries.
    let scopes = [
        national.clone(),
        coordinator.scope.clone(),
        head.scope.clone(),
        reviewer.scope.clone(),
        other.clone(),
    ];
    let figures = || async {
        let mut all = Vec::new();
        for scope in &scopes {
            for measure in Measure::ALL {
                all.push(store.stage_stats(scope, measure).await.unwrap());
            }
        }
        all
    };
    let before_fold = figures().await;
    assert_eq!(
        store.fold_stage_stats().await.unwrap(),
        pending.len() as u64
    );
    assert_eq!(store.fold_stage_stats().await.unwrap(), 0);
    let after_fold = figures().await;
    assert_eq!(before_fold, after_fold);
    assert!(
        store
            .check_stage_projections(t0() + Duration::days(30))
            .await
            .unwrap()
            .is_true()
    );
    let snapshot = |store: &sepakat_store::Store| {
        let db = store.connection().clone();
        async move {
            let stays: BTreeSet<String> = stage_visits::Entity::find()
                .all(&db)
                .await
                .unwrap()
                .into_iter()
                .map(|v| format!("{v:?}"))
                .collect();
            let stats: BTreeSet<String> = stage_stats::Entity::find()
                .all(&db)
                .await
                .unwrap()
                .into_iter()
                .filter(|s| s.n != 0)
                .map(|s| format!("{s:?}"))
                .collect();
            (stays, stats)
        }
    };
    let before = snapshot(store).await;
    stage_stats::Entity::update_many()
        .col_expr(stage_stats::Column::N, sea_orm::sea_query::Expr::value(7))
        .filter(sea_orm::ColumnTrait::eq(&stage_stats::Column::Scope, "*"))
        .exec(store.connection())
        .await
        .unwrap();
    let tampered = store
        .check_stage_projections(t0() + Duration::days(30))
        .await
        .unwrap();
    assert!(!tampered.is_true());
    assert!(tampered.stats_differ.iter().all(|d| d.0 == "*"));
    stage_visits::Entity::delete_many()
        .exec(store.connection())
        .await
        .unwrap();
    assert_eq!(
        store
            .check_stage_projections(t0() + Duration::days(30))
            .await
            .unwrap()
            .visits_differ
            .len(),
        3
    );
    store.migrate().await.unwrap();
    assert_eq!(snapshot(store).await, before, "rebuilt from the audit log");
    assert!(
        store
            .check_stage_projections(t0() + Duration::days(30))
            .await
            .unwrap()
            .is_true()
    );
}

use sea_orm::QueryFilter;

/// Commands on many applications at once while two folds run in a loop (two servers): no delta
/// is lost or counted twice, and the list total (read from the counters) stays right.
async fn folds_racing_commands_keep_every_counter_exact(backend: sepakat_store::testing::Backend) {
    let w = world(backend).await;
    let store = &w.store;
    let mut ids = Vec::new();
    for i in 0..12 {
        ids.push(submit(&w, t0() + Duration::minutes(i)).await.application.id);
    }
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let folders: Vec<_> = (0..2)
        .map(|_| {
            let (store, done) = (store.clone(), done.clone());
            tokio::spawn(async move {
                let mut folded = 0;
                while !done.load(std::sync::atomic::Ordering::SeqCst) {
                    folded += store.fold_stage_stats().await.unwrap();
                    tokio::task::yield_now().await;
                }
                folded
            })
        })
        .collect();
    let movers: Vec<_> = ids
        .iter()
        .map(|&id| {
            let (store, coordinator, head) = (store.clone(), w.coordinator, w.head);
            tokio::spawn(async move {
                let at = t0() + Duration::days(2);
                store
                    .execute(
                        id,
                        1,
                        go_with("kembalikan_permohonan", "Lengkapi."),
                        coordinator,
                        at,
                    )
                    .await
                    .unwrap();
                store
                    .execute(
                        id,
                        2,
                        go_with("batalkan_permohonan", "Tidak jadi."),
                        head,
                        at + Duration::days(1),
                    )
                    .await
                    .unwrap();
            })
        })
        .collect();
    for m in movers {
        m.await.unwrap();
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    for f in folders {
        f.await.unwrap();
    }
    let check = store
        .check_stage_projections(t0() + Duration::days(30))
        .await
        .unwrap();
    assert!(check.is_true(), "{check:?}");
    store.fold_stage_stats().await.unwrap();
    assert!(
        store
            .check_stage_projections(t0() + Duration::days(30))
            .await
            .unwrap()
            .is_true()
    );
    let now = store
        .stage_stats(&Scope::National, Measure::Now)
        .await
        .unwrap();
    assert_eq!(get(&now, "pks-kabkota", "dibatalkan", 0), 12);
    assert_eq!(get(&now, "pks-kabkota", "permohonan", 0), 0);
    assert_eq!(get(&now, "pks-kabkota", "perbaikan_permohonan", 0), 0);
    let spent = store
        .stage_stats(&Scope::National, Measure::Spent)
        .await
        .unwrap();
    assert_eq!(get(&spent, "pks-kabkota", "perbaikan_permohonan", 1), 12);
    let coordinator = store.actor(w.coordinator).await.unwrap();
    let page = store
        .list_applications(&ApplicationFilter {
            stage: Some("dibatalkan".into()),
            workflow: Some("pks-kabkota".into()),
            ..ApplicationFilter::visible_to(&coordinator)
        })
        .await
        .unwrap();
    assert_eq!(page.total, 12);
}

async fn the_list_pages_by_cursor_and_filters_in_the_database(
    backend: sepakat_store::testing::Backend,
) {
    let w = world(backend).await;
    let store = &w.store;
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(submit(&w, t0() + Duration::minutes(i)).await.application.id);
    }
    let coordinator = store.actor(w.coordinator).await.unwrap();

    // Seven, three at a time, most recently changed first, each once.
    let mut filter = ApplicationFilter::visible_to(&coordinator);
    filter.limit = Some(3);
    let mut seen = Vec::new();
    loop {
        let page = store.list_applications(&filter).await.unwrap();
        assert_eq!(page.total, 7);
        assert!(page.items.len() <= 3);
        seen.extend(page.items.iter().map(|r| r.id));
        match page.next {
            Some(next) => filter.after = Some(next),
            None => break,
        }
    }
    let mut newest_first = ids.clone();
    newest_first.reverse();
    assert_eq!(seen, newest_first);

    // The total read from the stage counters equals the one counted over the rows.
    for f in [
        ApplicationFilter::default(),
        ApplicationFilter::visible_to(&coordinator),
        ApplicationFilter {
            stage: Some("permohonan".into()),
            workflow: Some("pks-kabkota".into()),
            ..ApplicationFilter::visible_to(&coordinator)
        },
        ApplicationFilter {
            stage: Some("dibatalkan".into()),
            ..ApplicationFilter::default()
        },
    ] {
        assert_eq!(
            store.list_applications(&f).await.unwrap().total,
            store.count_applications(&f).await.unwrap(),
            "{f:?}"
        );
    }

    // A cursor of another list, or none at all, is refused with a clear error.
    for bad in ["x", "g1.00000000000000000000000000000000", "a1.nope"] {
        let f = ApplicationFilter {
            after: Some(bad.into()),
            ..ApplicationFilter::default()
        };
        assert!(matches!(
            store.list_applications(&f).await,
            Err(StoreError::Invalid(_))
        ));
    }

    // Past target: the request stage's 7 days ran out before day 9 began, not before day 3.
    let late = |at| ApplicationFilter {
        past_target_at: Some(at),
        ..ApplicationFilter::default()
    };
    assert_eq!(
        store
            .count_applications(&late(t0() + Duration::days(3)))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .count_applications(&late(t0() + Duration::days(9)))
            .await
            .unwrap(),
        7
    );

    // Search by the agency's name, in any case; `%` is a literal character.
    let search = |text: &str| ApplicationFilter {
        search: Some(text.into()),
        ..ApplicationFilter::default()
    };
    let name = w.agency.name.to_uppercase();
    let part: String = name.chars().skip(2).take(6).collect();
    assert_eq!(store.count_applications(&search(&part)).await.unwrap(), 7);
    assert_eq!(store.count_applications(&search("%")).await.unwrap(), 0);

    // Nothing waits on the attestation yet; one walked to the closed-network stage does.
    let blocked = ApplicationFilter {
        blocked_on_attestation: true,
        ..ApplicationFilter::default()
    };
    assert_eq!(store.count_applications(&blocked).await.unwrap(), 0);
    let mut walk = Walk::start(&w).await;
    walk.to("jaringan_tertutup").await;
    let found = store.list_applications(&blocked).await.unwrap();
    assert_eq!(
        found.items.iter().map(|r| r.id).collect::<Vec<_>>(),
        [walk.id]
    );
    // And the funnel counts it there.
    let now = store
        .stage_stats(&Scope::National, Measure::Now)
        .await
        .unwrap();
    assert_eq!(get(&now, "pks-kabkota", "jaringan_tertutup", 0), 1);
    assert!(
        store
            .check_stage_projections(t0() + Duration::days(30))
            .await
            .unwrap()
            .is_true()
    );
}

/// The daily roll-up merges the `open` counters of waits older than half a year into four-week
/// blocks: the rows stay few, the waits read the same, and a wait that ends after its row was
/// merged (its delta lands on its own day) still leaves the figures exact.
async fn old_waits_merge_into_blocks_and_every_figure_stays_exact(
    backend: sepakat_store::testing::Backend,
) {
    use sepakat_core::stats::{OPEN_BLOCK_DAYS, OPEN_EXACT_DAYS, open_slot};
    let w = world(backend).await;
    let store = &w.store;
    // Waits that began 10 days, and 200 to 259 days, before "today" (one every other day).
    let today = t0() + Duration::days(400);
    submit(&w, today - Duration::days(10)).await;
    let mut old = Vec::new();
    for age in (200..260).step_by(2) {
        old.push(submit(&w, today - Duration::days(age)).await.application.id);
    }
    store.fold_stage_stats().await.unwrap();
    let national = Scope::National;
    let before = store.open_waits(&national, today).await.unwrap();
    let rows = || async {
        stage_stats::Entity::find()
            .filter(sea_orm::ColumnTrait::eq(&stage_stats::Column::Scope, "*"))
            .filter(sea_orm::ColumnTrait::eq(
                &stage_stats::Column::Measure,
                "open",
            ))
            .all(store.connection())
            .await
            .unwrap()
    };
    assert_eq!(
        rows().await.len(),
        31,
        "one row per entry day before the roll-up"
    );

    assert!(store.roll_open_stats(today).await.unwrap() > 0);
    let after = rows().await;
    assert!(
        after.len() <= 1 + 60 / OPEN_BLOCK_DAYS as usize + 2,
        "{after:?}"
    );
    let today_day = epoch_day(today);
    for r in &after {
        assert_eq!(open_slot(r.value, today_day), r.value, "{r:?}");
    }
    assert_eq!(store.open_waits(&national, today).await.unwrap(), before);
    assert_eq!(
        before.iter().map(|r| r.3).sum::<i64>(),
        31,
        "every wait still counted"
    );
    assert_eq!(
        get(
            &before,
            "pks-kabkota",
            "permohonan",
            epoch_day(today - Duration::days(10))
        ),
        1,
        "a recent wait keeps its day"
    );
    assert!(
        store
            .check_stage_projections(today)
            .await
            .unwrap()
            .is_true()
    );

    // An old wait ends after the roll-up: its delta is on its own day, the count in its block.
    store
        .execute(
            old[0],
            1,
            go_with("batalkan_permohonan", "Tidak jadi."),
            w.head,
            today,
        )
        .await
        .unwrap();
    for fold in [false, true] {
        if fold {
            store.fold_stage_stats().await.unwrap();
        }
        let waits = store.open_waits(&national, today).await.unwrap();
        assert_eq!(waits.iter().map(|r| r.3).sum::<i64>(), 30, "fold {fold}");
        assert!(waits.iter().all(|r| r.3 > 0));
        assert!(
            store
                .check_stage_projections(today)
                .await
                .unwrap()
                .is_true()
        );
    }
    // The next day's roll-up merges the negative row and drops what counts nothing.
    store
        .roll_open_stats(today + Duration::days(1))
        .await
        .unwrap();
    assert!(rows().await.iter().all(|r| r.n > 0));
    assert_eq!(
        store
            .open_waits(&national, today + Duration::days(1))
            .await
            .unwrap()
            .iter()
            .map(|r| r.3)
            .sum::<i64>(),
        30
    );
    assert!(
        store
            .check_stage_projections(today + Duration::days(1))
            .await
            .unwrap()
            .is_true()
    );
    // Within half a year nothing is merged.
    const { assert!(OPEN_EXACT_DAYS >= 180) };
}

/// Migration 18 replaces the delta table, one row per change and scope, with one row per change
/// carrying its scopes' keys. Either way, the deltas not yet folded are first added to the
/// counters, so no figure changes.
async fn pending_deltas_are_folded_when_their_table_changes_shape(
    backend: sepakat_store::testing::Backend,
) {
    use migration::{Migrator, MigratorTrait};
    use sea_orm::ConnectionTrait;
    let db = sepakat_store::testing::TempDb::new(backend).await.unwrap();
    let store = db.store().await.unwrap();
    let conn = store.connection();
    let counters = || async {
        let mut rows: Vec<(String, String, i64)> = stage_stats::Entity::find()
            .all(conn)
            .await
            .unwrap()
            .into_iter()
            .map(|s| (s.scope, s.stage, s.n))
            .collect();
        rows.sort();
        rows
    };
    let run = |sql: &'static str| async move { conn.execute_unprepared(sql).await.unwrap() };
    run(
        "INSERT INTO stage_stats (scope, measure, workflow_name, stage, value, n) \
         VALUES ('o:1', 'now', 'wf', 'a', 0, 5)",
    )
    .await;

    // Down to migration 17's table, holding two deltas of one counter and one of another.
    Migrator::down(conn, Some(1)).await.unwrap();
    run(
        "INSERT INTO stage_stat_deltas (id, scope, measure, workflow_name, stage, value, n) \
         VALUES ('00000000-0000-0000-0000-000000000001', 'o:1', 'now', 'wf', 'a', 0, 2), \
                ('00000000-0000-0000-0000-000000000002', 'o:1', 'now', 'wf', 'a', 0, -1), \
                ('00000000-0000-0000-0000-000000000003', '*', 'now', 'wf', 'b', 0, 1)",
    )
    .await;
    Migrator::up(conn, None).await.unwrap();
    let expected = [("*", "b", 1), ("o:1", "a", 6)].map(|(s, st, n)| (s.into(), st.into(), n));
    assert_eq!(counters().await, expected);
    assert!(
        stage_stat_deltas::Entity::find()
            .all(conn)
            .await
            .unwrap()
            .is_empty()
    );

    // And back: a delta of a kab/kota application counts in four scopes, a provincial one in
    // three.
    run("INSERT INTO stage_stat_deltas \
         (office_scope, agency_scope, province_scope, measure, workflow_name, stage, value, n) \
         VALUES ('o:1', 'a:2', 'p:63', 'now', 'wf', 'a', 0, 1), \
                ('o:3', 'a:4', NULL, 'now', 'wf', 'b', 0, 1)")
    .await;
    Migrator::down(conn, Some(1)).await.unwrap();
    let expected = [
        ("*", "a", 1),
        ("*", "b", 2),
        ("a:2", "a", 1),
        ("a:4", "b", 1),
        ("o:1", "a", 7),
        ("o:3", "b", 1),
        ("p:63", "a", 1),
    ]
    .map(|(s, st, n)| (s.into(), st.into(), n));
    assert_eq!(counters().await, expected);
    Migrator::up(conn, None).await.unwrap();
    store.close().await.unwrap();
    db.remove().await.ok();
}
