//! The lists of grants, evaluations due and the outbox on both databases: scoped by the
//! database (a coordinator never sees another office's rows), filtered, walked page by page
//! by cursor without a row missing or repeated, and the outbox's dead letters queued again in
//! bulk.

mod common;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::*;
use sea_orm::{ActiveValue::Set, EntityTrait};
use sepakat_core::{Actor, Role};
use sepakat_store::entity::{attestations, evaluations, grants, outbox};
use sepakat_store::testing::Backend;
use sepakat_store::{
    DueCursor, DueFilter, GrantCursor, GrantFilter, NewAccount, NewAgency, NewApplication,
    NewOffice, OutboxCursor, OutboxFilter, Placement, StoreError,
};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

on_both_databases!(
    grants_are_scoped_filtered_and_paged,
    evaluations_due_are_scoped_filtered_and_paged,
    outbox_is_paged_newest_first_and_dead_letters_are_retried_in_bulk,
);

/// The world of `common` (Kota Pontianak, province 61) plus a second kab/kota office in 61
/// (Kabupaten Mempawah) and one in province 63 (Kota Banjarmasin), each with an agency, its
/// head and a coordinator.
struct Places {
    w: World,
    /// (office, agency, agency head, coordinator) per place: Pontianak, Mempawah, Banjarmasin.
    places: Vec<(Uuid, Uuid, Uuid, Uuid)>,
    /// Every application, with the index of its place.
    apps: Vec<(Uuid, usize)>,
}

async fn places(backend: Backend) -> Places {
    let w = world(backend).await;
    let now = t0();
    let mut places = vec![(w.city.id, w.agency.id, w.head, w.coordinator)];
    for (region, name, n) in [
        ("61.04", "Kabupaten Mempawah", 1),
        ("63.71", "Kota Banjarmasin", 2),
    ] {
        let office = w
            .store
            .create_office(
                NewOffice {
                    name: format!("Disdukcapil {name}"),
                    region_code: region.into(),
                    place_name: name.into(),
                    address: String::new(),
                    letter_code: None,
                    letter_unit: format!("Dukcapil.{n}"),
                    letter_pattern: None,
                    utc_offset_minutes: None,
                },
                now,
            )
            .await
            .unwrap();
        let agency = w
            .store
            .create_agency(
                NewAgency {
                    name: format!("Dinas Pendidikan {name}"),
                    kind: None,
                    office_id: office.id,
                    address: String::new(),
                    letter_unit: None,
                },
                now,
            )
            .await
            .unwrap();
        let account = |email: String, role, office_id, agency_id| NewAccount {
            email,
            name: format!("{role:?} {name}"),
            nip: None,
            position: None,
            role,
            office_id,
            agency_id,
            province: None,
        };
        let head = w
            .store
            .create_account(
                account(
                    format!("kadis{n}@disdik.go.id"),
                    Role::AgencyHead,
                    None,
                    Some(agency.id),
                ),
                now,
            )
            .await
            .unwrap()
            .id;
        let coordinator = w
            .store
            .create_account(
                account(
                    format!("koordinator{n}@dukcapil.go.id"),
                    Role::Coordinator,
                    Some(office.id),
                    None,
                ),
                now,
            )
            .await
            .unwrap()
            .id;
        places.push((office.id, agency.id, head, coordinator));
    }
    // Pontianak 5 applications, Mempawah 3, Banjarmasin 2.
    let mut apps = Vec::new();
    for (place, count) in [(0usize, 5), (1, 3), (2, 2)] {
        for i in 0..count {
            let out = w
                .store
                .submit(
                    NewApplication {
                        id: None,
                        workflow: "pks-kabkota".into(),
                        agency_id: places[place].1,
                        office_id: None,
                        request: request(),
                    },
                    places[place].2,
                    now + Duration::minutes(i),
                )
                .await
                .unwrap();
            apps.push((out.application.id, place));
        }
    }
    Places { w, places, apps }
}

async fn actor(p: &Places, id: Uuid) -> Actor {
    p.w.store.actor(id).await.unwrap()
}

/// Inserts an attestation and the two grants (test and production) of every application;
/// some share an issue time so that the id breaks ties. Returns grant id → (application,
/// status, valid until).
async fn insert_grants(p: &Places) -> BTreeMap<Uuid, (Uuid, String, NaiveDate)> {
    let db = p.w.store.connection();
    let mut out = BTreeMap::new();
    let statuses = ["active", "suspended", "revoked", "expired"];
    for (n, (app, _)) in p.apps.iter().enumerate() {
        let att = Uuid::new_v4();
        attestations::Entity::insert(attestations::ActiveModel {
            id: Set(att),
            application_id: Set(*app),
            connection: Set("vpn_agency_to_disdukcapil".parse().unwrap()),
            provider: Set("Diskominfo".into()),
            cost_borne_by: Set("Dinas".into()),
            technical_contact: Set("Tim teknis".into()),
            statement_sha256: Set(sha(n as u64)),
            recorded_by: Set(p.w.coordinator),
            recorded_at: Set(t0()),
            withdrawn_by: Set(None),
            withdrawn_at: Set(None),
            withdrawal_reason: Set(None),
        })
        .exec_without_returning(db)
        .await
        .unwrap();
        for (k, kind) in ["test", "production"].into_iter().enumerate() {
            let id = Uuid::new_v4();
            let status = if kind == "test" {
                "expired"
            } else {
                statuses[n % 3]
            };
            // Pairs of applications share an issue time.
            let issued_at = t0() + Duration::hours((n / 2) as i64) + Duration::minutes(k as i64);
            let valid_until =
                NaiveDate::from_ymd_opt(2024, 7, 1).unwrap() + Duration::days(n as i64 * 30);
            grants::Entity::insert(grants::ActiveModel {
                id: Set(id),
                application_id: Set(*app),
                attestation_id: Set(att),
                kind: Set(kind.parse().unwrap()),
                elements: Set(serde_json::json!(["nik", "nama_lengkap"])),
                method: Set("web_portal".into()),
                issued_at: Set(issued_at),
                valid_until: Set(valid_until),
                status: Set(status.parse().unwrap()),
                status_reason: Set(None),
                updated_at: Set(issued_at),
            })
            .exec_without_returning(db)
            .await
            .unwrap();
            out.insert(id, (*app, status.to_string(), valid_until));
        }
    }
    out
}

/// Every grant `actor` sees through `filter`, walked `per_page` at a time; checks the totals,
/// the order and that no page repeats a row.
async fn walk_grants(p: &Places, actor: &Actor, filter: &GrantFilter, per_page: u64) -> Vec<Uuid> {
    let mut seen = Vec::new();
    let mut keys: Vec<(DateTime<Utc>, Uuid)> = Vec::new();
    let mut after: Option<GrantCursor> = None;
    let mut total = None;
    loop {
        let page =
            p.w.store
                .grants_page(actor, filter, after, per_page)
                .await
                .unwrap();
        assert!(page.items.len() as u64 <= per_page);
        assert_eq!(*total.get_or_insert(page.total), page.total);
        for l in &page.items {
            seen.push(l.grant.id);
            keys.push((l.grant.issued_at, l.grant.id));
        }
        // The cursor goes through its text form, as a client sends it back.
        after = match page.next {
            Some(c) => Some(GrantCursor::parse(&c.encode()).unwrap()),
            None => break,
        };
    }
    let unique: BTreeSet<Uuid> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "a grant repeated across pages");
    assert!(
        keys.windows(2).all(|w| w[0] < w[1]),
        "(issued_at, id) order"
    );
    assert_eq!(total.unwrap(), seen.len() as u64, "total = rows walked");
    seen
}

async fn grants_are_scoped_filtered_and_paged(backend: Backend) {
    let p = places(backend).await;
    let all = insert_grants(&p).await;
    let place_of: BTreeMap<Uuid, usize> = p.apps.iter().copied().collect();
    let grants_at = |places: &[usize]| -> BTreeSet<Uuid> {
        all.iter()
            .filter(|(_, (app, _, _))| places.contains(&place_of[app]))
            .map(|(id, _)| *id)
            .collect()
    };
    let none = GrantFilter::default();
    let set = |v: Vec<Uuid>| v.into_iter().collect::<BTreeSet<_>>();

    // Each coordinator sees their office's grants, and only those, however it is paged.
    for (place, (_, _, head, coordinator)) in p.places.iter().enumerate() {
        let coord = actor(&p, *coordinator).await;
        for per_page in [1, 3, 500] {
            assert_eq!(
                set(walk_grants(&p, &coord, &none, per_page).await),
                grants_at(&[place]),
                "coordinator of place {place}, {per_page} a page"
            );
        }
        let head = actor(&p, *head).await;
        assert_eq!(
            set(walk_grants(&p, &head, &none, 2).await),
            grants_at(&[place])
        );
    }
    // The provincial reviewers: the kab/kota applications of their province.
    let reviewer = actor(&p, p.w.reviewer).await;
    assert_eq!(
        set(walk_grants(&p, &reviewer, &none, 4).await),
        grants_at(&[0, 1])
    );
    let other = actor(&p, p.w.other_reviewer).await;
    assert_eq!(
        set(walk_grants(&p, &other, &none, 4).await),
        grants_at(&[2])
    );
    let central = actor(&p, p.w.central).await;
    assert_eq!(
        set(walk_grants(&p, &central, &none, 7).await),
        grants_at(&[0, 1, 2])
    );

    // Narrowing by place never widens a scope.
    let at = |placement: Placement| GrantFilter {
        placement,
        ..Default::default()
    };
    let office_b = at(Placement {
        office_id: Some(p.places[1].0),
        ..Default::default()
    });
    assert_eq!(
        set(walk_grants(&p, &central, &office_b, 2).await),
        grants_at(&[1])
    );
    let coord_a = actor(&p, p.w.coordinator).await;
    assert!(walk_grants(&p, &coord_a, &office_b, 2).await.is_empty());
    let kalsel = at(Placement {
        province: Some("63".into()),
        ..Default::default()
    });
    assert_eq!(
        set(walk_grants(&p, &central, &kalsel, 2).await),
        grants_at(&[2])
    );
    assert!(walk_grants(&p, &reviewer, &kalsel, 2).await.is_empty());
    let agency_c = at(Placement {
        agency_id: Some(p.places[2].1),
        ..Default::default()
    });
    assert_eq!(
        set(walk_grants(&p, &central, &agency_c, 2).await),
        grants_at(&[2])
    );

    // By status, by application, and active grants ending by a day.
    let active = GrantFilter {
        status: Some("active".into()),
        ..Default::default()
    };
    let want: BTreeSet<Uuid> = all
        .iter()
        .filter(|(_, (_, s, _))| s == "active")
        .map(|(id, _)| *id)
        .collect();
    assert!(!want.is_empty());
    assert_eq!(set(walk_grants(&p, &central, &active, 2).await), want);
    let first_app = p.apps[0].0;
    let one = GrantFilter {
        application_id: Some(first_app),
        ..Default::default()
    };
    assert_eq!(walk_grants(&p, &central, &one, 1).await.len(), 2);
    let by = NaiveDate::from_ymd_opt(2024, 9, 30).unwrap();
    let ending = GrantFilter {
        ending_by: Some(by),
        ..Default::default()
    };
    let want: BTreeSet<Uuid> = all
        .iter()
        .filter(|(_, (_, s, until))| s == "active" && *until <= by)
        .map(|(id, _)| *id)
        .collect();
    assert!(!want.is_empty());
    assert_eq!(set(walk_grants(&p, &central, &ending, 1).await), want);

    // The names come with the page.
    let page =
        p.w.store
            .grants_page(&central, &office_b, None, 50)
            .await
            .unwrap();
    assert!(page.next.is_none());
    for l in &page.items {
        assert_eq!(l.placed.office, "Disdukcapil Kabupaten Mempawah");
        assert_eq!(l.placed.agency, "Dinas Pendidikan Kabupaten Mempawah");
        assert_eq!(l.placed.office_id, p.places[1].0);
    }

    // Wrong inputs are refused, not panicked on.
    let bad = GrantFilter {
        status: Some("hilang".into()),
        ..Default::default()
    };
    assert!(matches!(
        p.w.store.grants_page(&central, &bad, None, 10).await,
        Err(StoreError::Invalid(_))
    ));
    for cursor in [
        "",
        "g",
        "e1.00000000000000000000000000000000",
        "g1.x",
        "g9223372036854775807.00000000000000000000000000000000",
    ] {
        assert!(
            matches!(GrantCursor::parse(cursor), Err(StoreError::Invalid(_))),
            "{cursor:?}"
        );
    }
    // A limit out of range is clamped by the store (the API refuses it first).
    assert_eq!(
        p.w.store
            .grants_page(&central, &none, None, 0)
            .await
            .unwrap()
            .items
            .len(),
        1
    );
}

async fn evaluations_due_are_scoped_filtered_and_paged(backend: Backend) {
    let p = places(backend).await;
    let db = p.w.store.connection();
    let today = NaiveDate::from_ymd_opt(2025, 1, 10).unwrap();
    // Per application: a completed evaluation long ago, and one open, scheduled or overdue
    // around today; two share a due day so that the id breaks the tie.
    let states = ["scheduled", "open", "overdue"];
    let mut due: BTreeMap<Uuid, (usize, NaiveDate, &str)> = BTreeMap::new();
    for (n, (app, place)) in p.apps.iter().enumerate() {
        for (kind, due_on, state) in [
            ("periodic", today - Duration::days(200), "completed"),
            (
                "incidental",
                today + Duration::days(((n / 2) as i64) * 15 - 20),
                states[n % 3],
            ),
        ] {
            let id = Uuid::new_v4();
            evaluations::Entity::insert(evaluations::ActiveModel {
                id: Set(id),
                application_id: Set(*app),
                due_on: Set(due_on),
                kind: Set(kind.parse().unwrap()),
                state: Set(state.parse().unwrap()),
                outcome: Set(None),
                findings: Set(None),
                report_sha256: Set(None),
                recorded_by: Set(None),
                recorded_at: Set(None),
                created_at: Set(t0()),
                reason: Set(None),
                data_balikan_met: Set(None),
                reminded_at: Set(None),
                escalated_at: Set(None),
                overdue_at: Set(None),
            })
            .exec_without_returning(db)
            .await
            .unwrap();
            if state != "completed" {
                due.insert(id, (*place, due_on, state));
            }
        }
    }
    let walk = |actor: Actor, filter: DueFilter, per_page: u64| {
        let store = p.w.store.clone();
        async move {
            let mut seen = Vec::new();
            let mut keys = Vec::new();
            let mut after: Option<DueCursor> = None;
            let mut total = None;
            loop {
                let page = store
                    .evaluations_due_page(&actor, &filter, today, after, per_page)
                    .await
                    .unwrap();
                assert_eq!(*total.get_or_insert(page.total), page.total);
                for d in &page.items {
                    assert_eq!(d.days_late, (today - d.due_on).num_days());
                    assert!(!d.agency.is_empty() && !d.office.is_empty());
                    seen.push(d.id);
                    keys.push((d.due_on, d.id));
                }
                after = match page.next {
                    Some(c) => Some(DueCursor::parse(&c.encode()).unwrap()),
                    None => break,
                };
            }
            assert!(keys.windows(2).all(|w| w[0] < w[1]), "(due_on, id) order");
            assert_eq!(total.unwrap(), seen.len() as u64);
            seen.into_iter().collect::<BTreeSet<Uuid>>()
        }
    };
    let want = |places: &[usize], through: NaiveDate, state: Option<&str>| -> BTreeSet<Uuid> {
        due.iter()
            .filter(|(_, (pl, d, s))| {
                places.contains(pl) && *d <= through && state.is_none_or(|x| x == *s)
            })
            .map(|(id, _)| *id)
            .collect()
    };
    let through = today + Duration::days(30);
    let within = |state: Option<&str>, placement: Placement| DueFilter {
        through,
        state: state.map(str::to_string),
        placement,
    };

    // A coordinator sees their office's, never another's; completed ones never show.
    for (place, (_, _, _, coordinator)) in p.places.iter().enumerate() {
        let coord = actor(&p, *coordinator).await;
        for per_page in [1, 2, 50] {
            assert_eq!(
                walk(coord.clone(), within(None, Placement::default()), per_page).await,
                want(&[place], through, None),
                "place {place}"
            );
        }
    }
    let central = actor(&p, p.w.central).await;
    let everything = walk(central.clone(), within(None, Placement::default()), 3).await;
    assert_eq!(everything, want(&[0, 1, 2], through, None));
    assert!(
        everything.len() < due.len(),
        "some fall due later than 30 days"
    );
    let reviewer = actor(&p, p.w.reviewer).await;
    assert_eq!(
        walk(reviewer, within(None, Placement::default()), 2).await,
        want(&[0, 1], through, None)
    );
    // By state and place; overdue ones are listed whatever the horizon.
    assert_eq!(
        walk(
            central.clone(),
            within(Some("overdue"), Placement::default()),
            1
        )
        .await,
        want(&[0, 1, 2], through, Some("overdue"))
    );
    let narrow = DueFilter {
        through: today,
        ..Default::default()
    };
    assert_eq!(
        walk(central.clone(), narrow, 2).await,
        want(&[0, 1, 2], today, None)
    );
    let mempawah = Placement {
        office_id: Some(p.places[1].0),
        ..Default::default()
    };
    assert_eq!(
        walk(central.clone(), within(None, mempawah), 2).await,
        want(&[1], through, None)
    );
    let coord_a = actor(&p, p.w.coordinator).await;
    let kalsel = Placement {
        province: Some("63".into()),
        ..Default::default()
    };
    assert!(walk(coord_a, within(None, kalsel), 2).await.is_empty());

    // The CLI's whole list is the national walk.
    let cli: BTreeSet<Uuid> =
        p.w.store
            .evaluations_due(today, through)
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.id)
            .collect();
    assert_eq!(cli, everything);

    assert!(matches!(
        p.w.store
            .evaluations_due_page(
                &central,
                &within(Some("completed"), Placement::default()),
                today,
                None,
                10
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
    for cursor in [
        "g1.00000000000000000000000000000000",
        "e",
        "e99999999999.00000000000000000000000000000000",
    ] {
        assert!(matches!(
            DueCursor::parse(cursor),
            Err(StoreError::Invalid(_))
        ));
    }
}

async fn outbox_is_paged_newest_first_and_dead_letters_are_retried_in_bulk(backend: Backend) {
    let p = places(backend).await;
    let db = p.w.store.connection();
    // The submissions queued their own mails; these are the ones the test counts on.
    let (app_a, app_b) = (p.apps[0].0, p.apps[5].0);
    let mut dead: Vec<(Uuid, Uuid, &str)> = Vec::new();
    for n in 0..14u32 {
        let (app, to, state) = match n % 7 {
            0..=3 => (app_a, "kadis@disdik.go.id", "dead"),
            4 => (app_b, "kadis@disdik.go.id", "dead"),
            5 => (app_b, "koordinator@dukcapil.go.id", "dead"),
            _ => (app_a, "kadis@disdik.go.id", "sent"),
        };
        let id = Uuid::new_v4();
        // Pairs share a creation time so that the id breaks the tie.
        let at = t0() + Duration::days(30) + Duration::minutes(i64::from(n / 2));
        outbox::Entity::insert(outbox::ActiveModel {
            id: Set(id),
            application_id: Set(Some(app)),
            event_seq: Set(None),
            recipient_account_id: Set(None),
            recipient_email: Set(to.into()),
            template: Set("evaluation_reminder".into()),
            payload: Set(serde_json::json!({})),
            state: Set(state.parse().unwrap()),
            attempts: Set(8),
            next_attempt_at: Set(at),
            message_id: Set(format!("<{id}@sepakat.test>")),
            created_at: Set(at),
            sent_at: Set(None),
            last_error: Set(Some("SMTP down".into())),
        })
        .exec_without_returning(db)
        .await
        .unwrap();
        if state == "dead" {
            dead.push((id, app, to));
        }
    }
    let walk = |filter: OutboxFilter, per_page: u64| {
        let store = p.w.store.clone();
        async move {
            let mut seen = Vec::new();
            let mut keys = Vec::new();
            let mut after: Option<OutboxCursor> = None;
            loop {
                let page = store.outbox_page(&filter, after, per_page).await.unwrap();
                for m in &page.items {
                    seen.push(m.id);
                    keys.push((m.created_at, m.id));
                }
                after = match page.next {
                    Some(c) => Some(OutboxCursor::parse(&c.encode()).unwrap()),
                    None => {
                        assert_eq!(page.total, seen.len() as u64);
                        break;
                    }
                };
            }
            assert!(keys.windows(2).all(|w| w[0] > w[1]), "newest first");
            seen
        }
    };
    let dead_only = |application_id, recipient: Option<&str>| OutboxFilter {
        state: Some("dead".into()),
        application_id,
        recipient: recipient.map(str::to_string),
    };
    let ids = |v: Vec<Uuid>| v.into_iter().collect::<BTreeSet<_>>();
    let want = |app: Option<Uuid>, to: Option<&str>| -> BTreeSet<Uuid> {
        dead.iter()
            .filter(|(_, a, t)| app.is_none_or(|x| x == *a) && to.is_none_or(|x| x == *t))
            .map(|(id, _, _)| *id)
            .collect()
    };
    for per_page in [1, 5, 500] {
        assert_eq!(
            ids(walk(dead_only(None, None), per_page).await),
            want(None, None)
        );
    }
    assert_eq!(
        ids(walk(dead_only(Some(app_b), None), 2).await),
        want(Some(app_b), None)
    );
    // The recipient is compared without regard to case or spaces.
    assert_eq!(
        ids(walk(dead_only(None, Some(" Koordinator@Dukcapil.go.id")), 2).await),
        want(None, Some("koordinator@dukcapil.go.id"))
    );
    let sent = OutboxFilter {
        state: Some("sent".into()),
        application_id: Some(app_a),
        recipient: None,
    };
    assert_eq!(walk(sent, 3).await.len(), 2);

    // Bulk retry: by recipient, then by application, then the rest; a second time finds none.
    let now = t0() + Duration::days(40);
    let store = &p.w.store;
    let n = store
        .requeue_dead_outbox(&dead_only(None, Some("KOORDINATOR@dukcapil.go.id")), now)
        .await
        .unwrap();
    assert_eq!(
        n,
        want(None, Some("koordinator@dukcapil.go.id")).len() as u64
    );
    let n = store
        .requeue_dead_outbox(&dead_only(Some(app_b), None), now)
        .await
        .unwrap();
    assert_eq!(
        n,
        (want(Some(app_b), None).len()
            - want(Some(app_b), Some("koordinator@dukcapil.go.id")).len()) as u64
    );
    let rest = store
        .requeue_dead_outbox(&OutboxFilter::default(), now)
        .await
        .unwrap();
    assert_eq!(rest, want(Some(app_a), None).len() as u64);
    assert_eq!(
        store
            .requeue_dead_outbox(&OutboxFilter::default(), now)
            .await
            .unwrap(),
        0
    );
    assert_eq!(walk(dead_only(None, None), 5).await.len(), 0);
    for (id, _, _) in &dead {
        let row = outbox::Entity::find_by_id(*id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((row.state.as_str(), row.attempts), ("pending", 0));
        assert_eq!(row.next_attempt_at, now);
    }
    // Sent messages are never queued again, and only `dead` may be asked for.
    assert!(matches!(
        store
            .requeue_dead_outbox(
                &OutboxFilter {
                    state: Some("sent".into()),
                    ..Default::default()
                },
                now
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store
            .outbox_page(
                &OutboxFilter {
                    state: Some("lost".into()),
                    ..Default::default()
                },
                None,
                10
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
}
