//! The grants, evaluations-due and outbox lists over HTTP: `{items, total, next}` pages walked
//! by cursor, each caller's scope, the streamed grant export, the outbox's bulk retry, and a
//! 422 problem for every bad cursor, limit, state or number of days.

mod common;

use common::who::*;
use common::*;
use reqwest::StatusCode;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use sepakat_store::entity::outbox;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Walks a list `per_page` at a time; checks that the total holds and nothing repeats.
async fn walk(app: &TestApp, token: &str, path: &str, per_page: u32) -> Vec<Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    let mut after: Option<String> = None;
    let mut total = None;
    for _ in 0..1000 {
        let mut url = format!("{path}{sep}limit={per_page}");
        if let Some(a) = &after {
            url.push_str(&format!("&after={a}"));
        }
        let res = app.get(token, &url).await;
        assert_eq!(res.status(), StatusCode::OK, "{url}");
        let page: Value = res.json().await.unwrap();
        let got = page["items"].as_array().expect("items").clone();
        assert!(got.len() <= per_page as usize, "{url}");
        let t = page["total"].as_u64().expect("total");
        assert_eq!(
            *total.get_or_insert(t),
            t,
            "the total is the same on every page"
        );
        items.extend(got);
        match page["next"].as_str() {
            Some(n) => after = Some(n.to_string()),
            None => {
                assert_eq!(items.len() as u64, t, "{path}: total = rows walked");
                let ids: BTreeSet<String> = items
                    .iter()
                    .map(|i| i["id"].as_str().unwrap().to_string())
                    .collect();
                assert_eq!(ids.len(), items.len(), "{path}: a row repeated");
                return items;
            }
        }
    }
    panic!("{path}: the cursor never ended");
}

fn ids(items: &[Value]) -> BTreeSet<String> {
    items
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

async fn lists_are_paged_scoped_and_streamed(db: Db) {
    let app = spawn_app(db).await;
    let central = app.token(CENTRAL.0, CENTRAL.1).await;
    let koord_ptk = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let koord_kalsel = app.token(KOORD_KALSEL.0, KOORD_KALSEL.1).await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;

    // Grants: the national list page by page; each coordinator sees their office's only.
    let all = walk(&app, &central, "/api/v1/grants", 1).await;
    assert!(!all.is_empty(), "the demo has live grants");
    assert_eq!(
        ids(&all),
        ids(&walk(&app, &central, "/api/v1/grants", 500).await)
    );
    let ptk = walk(&app, &koord_ptk, "/api/v1/grants", 2).await;
    let kalsel = walk(&app, &koord_kalsel, "/api/v1/grants", 2).await;
    assert!(ids(&ptk).is_disjoint(&ids(&kalsel)));
    assert!(ids(&ptk).is_subset(&ids(&all)) && ids(&kalsel).is_subset(&ids(&all)));
    for g in &ptk {
        assert!(g["office"].as_str().unwrap().contains("Pontianak"), "{g}");
        assert!(
            g["elements"]
                .as_array()
                .unwrap()
                .iter()
                .all(Value::is_string)
        );
    }
    for g in &kalsel {
        assert!(
            g["office"].as_str().unwrap().contains("Kalimantan Selatan"),
            "{g}"
        );
    }
    // A filter narrows and never widens: Kalsel's office asked of Pontianak's coordinator.
    let kalsel_office = kalsel
        .first()
        .or(all.first())
        .map(|g| g["office_id"].as_str().unwrap().to_string())
        .unwrap();
    let mine_there = walk(
        &app,
        &koord_ptk,
        &format!("/api/v1/grants?office={kalsel_office}"),
        5,
    )
    .await;
    assert!(ids(&mine_there).is_subset(&ids(&ptk)));
    let active = walk(&app, &central, "/api/v1/grants?status=active", 3).await;
    assert!(active.iter().all(|g| g["status"] == "active"));
    let ending = walk(&app, &central, "/api/v1/grants?ending_within_days=3660", 3).await;
    assert_eq!(
        ids(&ending),
        ids(&active),
        "every active grant ends within ten years"
    );

    // The export streams the active grants: the header, then one row each.
    let res = app.get(&central, "/api/v1/grants/export").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = res.text().await.unwrap();
    let mut lines = csv.split("\r\n");
    assert_eq!(
        lines.next().unwrap(),
        "grant_id,application_id,agency,office,kind,environment,elements,method,issued_at,valid_until,status,attestation_id"
    );
    let rows: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
    assert_eq!(rows.len(), active.len(), "{csv}");
    let exported: BTreeSet<String> = rows
        .iter()
        .map(|r| r.split(',').next().unwrap().to_string())
        .collect();
    assert_eq!(exported, ids(&active));
    assert!(rows.iter().all(|r| r.contains(",active,")));
    let json_export: Value = app
        .get(&central, "/api/v1/grants/export?format=json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ids(json_export.as_array().unwrap()), ids(&active));
    // Nothing to export is a header alone, or an empty array.
    let nobody = uuid::Uuid::new_v4();
    let empty = app
        .get(
            &central,
            &format!("/api/v1/grants/export?application={nobody}"),
        )
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(empty.matches("\r\n").count(), 1, "{empty}");
    let empty: Value = app
        .get(
            &central,
            &format!("/api/v1/grants/export?format=json&application={nobody}"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(empty, json!([]));
    let ptk_export = app
        .get(&koord_ptk, "/api/v1/grants/export")
        .await
        .text()
        .await
        .unwrap();
    for g in &kalsel {
        assert!(!ptk_export.contains(g["id"].as_str().unwrap()));
    }

    // Evaluations due: paged, earliest first, scoped.
    let due = walk(&app, &central, "/api/v1/evaluations/due?within_days=366", 1).await;
    assert!(!due.is_empty(), "the demo has evaluations due");
    let days: Vec<&str> = due.iter().map(|d| d["due_on"].as_str().unwrap()).collect();
    assert!(days.windows(2).all(|w| w[0] <= w[1]));
    let ptk_due = walk(
        &app,
        &koord_ptk,
        "/api/v1/evaluations/due?within_days=366",
        2,
    )
    .await;
    let kalsel_due = walk(
        &app,
        &koord_kalsel,
        "/api/v1/evaluations/due?within_days=366",
        2,
    )
    .await;
    assert!(ids(&ptk_due).is_disjoint(&ids(&kalsel_due)));
    assert!(ids(&ptk_due).is_subset(&ids(&due)));
    for state in ["scheduled", "open", "overdue"] {
        let some = walk(
            &app,
            &central,
            &format!("/api/v1/evaluations/due?within_days=366&state={state}"),
            2,
        )
        .await;
        assert!(some.iter().all(|d| d["state"] == state));
    }

    // The outbox: newest first, filtered, and dead letters queued again in bulk.
    let pending = walk(&app, &admin, "/api/v1/outbox?state=pending", 3).await;
    let sent = walk(&app, &admin, "/api/v1/outbox?state=sent", 3).await;
    let rows = [pending, sent].concat();
    assert!(rows.len() >= 2, "the demo queued notifications");
    let victim = rows[0]["recipient_email"].as_str().unwrap().to_string();
    outbox::Entity::update_many()
        .col_expr(outbox::Column::State, Expr::value("dead"))
        .filter(outbox::Column::State.ne("dead"))
        .exec(app.store.connection())
        .await
        .unwrap();
    let dead = walk(&app, &admin, "/api/v1/outbox", 2).await;
    assert_eq!(dead.len(), rows.len(), "dead is the default state");
    let times: Vec<&str> = dead
        .iter()
        .map(|m| m["created_at"].as_str().unwrap())
        .collect();
    let parsed: Vec<chrono::DateTime<chrono::Utc>> =
        times.iter().map(|t| t.parse().unwrap()).collect();
    assert!(parsed.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let to_victim = walk(
        &app,
        &admin,
        &format!("/api/v1/outbox?recipient={}", victim.to_uppercase()),
        2,
    )
    .await;
    assert!(!to_victim.is_empty());
    assert!(to_victim.iter().all(|m| m["recipient_email"] == victim));

    let retried = app
        .post(
            &admin,
            "/api/v1/outbox/retry",
            json!({"state": "dead", "recipient": victim}),
        )
        .await;
    assert_eq!(retried.status(), StatusCode::OK);
    let body: Value = retried.json().await.unwrap();
    assert_eq!(body["requeued"], to_victim.len());
    let retried: Value = app
        .post(&admin, "/api/v1/outbox/retry", json!({"state": "dead"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(retried["requeued"], dead.len() - to_victim.len());
    let left: Value = app
        .get(&admin, "/api/v1/outbox")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(left["total"], 0);
    assert_eq!(
        app.post(&central, "/api/v1/outbox/retry", json!({"state": "dead"}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&central, "/api/v1/outbox").await.status(),
        StatusCode::FORBIDDEN
    );
    app.stop().await;
}

on_both_databases!(lists_are_paged_scoped_and_streamed);

/// Every bad cursor, limit, state, number of days and filter is a 422 problem naming the
/// field, in English and Indonesian; nothing panics.
#[actix_rt::test]
async fn bad_list_inputs_are_422_problems() {
    let app = spawn_app(Db::Sqlite).await;
    let central = app.token(CENTRAL.0, CENTRAL.1).await;
    let admin = app.token(ADMIN.0, ADMIN.1).await;
    let page: Value = app
        .get(&central, "/api/v1/grants?limit=1")
        .await
        .json()
        .await
        .unwrap();
    let grant_cursor = page["next"]
        .as_str()
        .unwrap_or("g0.00000000000000000000000000000000");
    let cases: Vec<(&str, String, &str)> = vec![
        (&central, "/api/v1/grants?after=banyak".into(), "after"),
        (&central, "/api/v1/grants?after=g1.zz".into(), "after"),
        (
            &central,
            "/api/v1/grants?after=g99999999999999999999.0".into(),
            "after",
        ),
        (&central, "/api/v1/grants?limit=0".into(), "limit"),
        (&central, "/api/v1/grants?limit=501".into(), "limit"),
        (&central, "/api/v1/grants?limit=banyak".into(), "limit"),
        (&central, "/api/v1/grants?limit=-1".into(), "limit"),
        (&central, "/api/v1/grants?status=hilang".into(), "status"),
        (
            &central,
            "/api/v1/grants?ending_within_days=-3".into(),
            "ending_within_days",
        ),
        (
            &central,
            "/api/v1/grants?ending_within_days=99999".into(),
            "ending_within_days",
        ),
        (&central, "/api/v1/grants?province=6".into(), "province"),
        (
            &central,
            "/api/v1/grants/export?format=xlsx".into(),
            "format",
        ),
        (
            &central,
            "/api/v1/grants/export?ending_within_days=x".into(),
            "ending_within_days",
        ),
        (
            &central,
            "/api/v1/evaluations/due?within_days=367".into(),
            "within_days",
        ),
        (
            &central,
            "/api/v1/evaluations/due?within_days=-1".into(),
            "within_days",
        ),
        (
            &central,
            "/api/v1/evaluations/due?within_days=tiga".into(),
            "within_days",
        ),
        (
            &central,
            "/api/v1/evaluations/due?state=completed".into(),
            "state",
        ),
        (
            &central,
            format!("/api/v1/evaluations/due?after={grant_cursor}"),
            "after",
        ),
        (
            &central,
            "/api/v1/evaluations/due?limit=100000".into(),
            "limit",
        ),
        (&admin, "/api/v1/outbox?state=lost".into(), "state"),
        (
            &admin,
            format!("/api/v1/outbox?after={grant_cursor}"),
            "after",
        ),
        (&admin, "/api/v1/outbox?limit=0".into(), "limit"),
    ];
    for (token, path, field) in cases {
        let res = app.get(token, &path).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert_eq!(
            res.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
        let p: Value = res.json().await.unwrap();
        assert_eq!(p["errors"][0]["field"], field, "{path}: {p}");
        assert!(!p["detail"].as_str().unwrap().is_empty(), "{path}");
        assert!(
            !p["errors"][0]["message_id"].as_str().unwrap().is_empty(),
            "{path}"
        );
    }
    for body in [json!({}), json!({"state": "sent"}), json!({"state": null})] {
        let res = app.post(&admin, "/api/v1/outbox/retry", body.clone()).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let p: Value = res.json().await.unwrap();
        assert_eq!(p["errors"][0]["field"], "state", "{p}");
    }
    app.stop().await;
}

/// "Ending within N days" counts from today at the viewer's office (#14): at 07:30 WITA it is
/// already the next day in Banjarmasin while UTC's date is still the day before, and a grant
/// ending on the window's last local day is in it. The evaluations-due window counts the same
/// way.
#[actix_rt::test]
async fn the_windows_count_from_the_viewers_day() {
    use chrono::{Duration, NaiveDate};
    let clock = std::sync::Arc::new(sepakat_web::ManualClock::new(chrono::Utc::now()));
    let app = spawn_app_with_clock(Db::Sqlite, clock.clone()).await;
    let koord = app.token(KOORD_KALSEL.0, KOORD_KALSEL.1).await;
    let active = walk(&app, &koord, "/api/v1/grants?status=active", 50).await;
    let grant = active.first().expect("Kalsel has an active grant");
    let valid_until: NaiveDate = grant["valid_until"].as_str().unwrap().parse().unwrap();
    let office: uuid::Uuid = grant["office_id"].as_str().unwrap().parse().unwrap();
    let offset = app.store.office(office).await.unwrap().utc_offset_minutes;
    assert_eq!(offset, 480, "Kalimantan Selatan is on WITA");
    // 07:30 at the office on the window's first day, 30 days before the grant ends.
    let first_day = valid_until - Duration::days(30);
    let morning = first_day.and_hms_opt(7, 30, 0).unwrap().and_utc() - Duration::minutes(480);
    assert_eq!(
        morning.date_naive(),
        first_day - Duration::days(1),
        "UTC is a day behind"
    );
    clock.set(morning);
    // Signed in on the day (a token signed in today would have expired by then).
    let koord = app.token(KOORD_KALSEL.0, KOORD_KALSEL.1).await;
    let ending = walk(&app, &koord, "/api/v1/grants?ending_within_days=30", 50).await;
    assert!(
        ending.iter().any(|g| g["id"] == grant["id"]),
        "a grant ending on {valid_until} ends within 30 days of {first_day}"
    );
    // A day earlier at the office, it is outside the window.
    clock.set(morning - Duration::days(1));
    let koord = app.token(KOORD_KALSEL.0, KOORD_KALSEL.1).await;
    let ending = walk(&app, &koord, "/api/v1/grants?ending_within_days=30", 50).await;
    assert!(ending.iter().all(|g| g["id"] != grant["id"]));
    app.stop().await;
}
