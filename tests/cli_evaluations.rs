//! `sepakat evaluations due|run --as-of DATE [--dry-run]` over a demo database, as an office
//! runs them: the dry run shows what a later sweep would do (a suspension to come) and writes
//! nothing; a real run refuses another day than today; a bad date is refused plainly.

use chrono::{Days, NaiveDate, Utc};
use sea_orm::{EntityTrait, PaginatorTrait};
use sepakat_store::entity::{applications, audit_events, evaluations, grants, outbox};
use sepakat_store::testing::{Backend, TempDb};
use std::process::{Command, Output};

fn sepakat(db: &str, blobs: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sepakat"))
        .args(args)
        .env("DATABASE_URL", db)
        .env("SEPAKAT_BLOBS", blobs)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run sepakat")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Everything a sweep could write.
async fn footprint(
    store: &sepakat_store::Store,
) -> (
    u64,
    Vec<applications::Model>,
    Vec<evaluations::Model>,
    Vec<grants::Model>,
    u64,
) {
    let db = store.connection();
    (
        audit_events::Entity::find().count(db).await.unwrap(),
        applications::Entity::find().all(db).await.unwrap(),
        evaluations::Entity::find().all(db).await.unwrap(),
        grants::Entity::find().all(db).await.unwrap(),
        outbox::Entity::find().count(db).await.unwrap(),
    )
}

const SUSPENDED: &str = "user ID produksi ditangguhkan / production user ID suspended";

async fn as_of_and_dry_run(backend: Backend) {
    let db = TempDb::new(backend).await.expect("temporary database");
    let url = db.url().to_string();
    let blobs = std::env::temp_dir().join(format!("sepakat-cli-eval-{}", uuid::Uuid::new_v4()));
    let out = sepakat(&url, &blobs, &["demo"]);
    assert!(out.status.success(), "{}", text(&out));
    let store = sepakat_store::Store::connect(&url).await.unwrap();
    let today = Utc::now().date_naive();
    let day = |n: u64| today.checked_add_days(Days::new(n)).unwrap().to_string();

    // Bad dates are refused plainly, by both commands.
    for bad in ["2027-13-01", "1-3-2027", "besok", "2027-02-30"] {
        for cmd in [
            vec!["evaluations", "run", "--dry-run", "--as-of", bad],
            vec!["evaluations", "due", "--as-of", bad],
        ] {
            let out = sepakat(&url, &blobs, &cmd);
            assert!(!out.status.success(), "{bad} accepted: {}", text(&out));
            assert!(
                text(&out).contains("--as-of expects a date like 2027-03-01"),
                "{}",
                text(&out)
            );
        }
    }

    let before = footprint(&store).await;

    // Today's dry run: what the server's next sweep would do now.
    let now_plan = sepakat(&url, &blobs, &["evaluations", "run", "--dry-run"]);
    assert!(now_plan.status.success(), "{}", text(&now_plan));
    let now_plan = stdout(&now_plan);
    assert!(now_plan.contains("nothing is written"), "{now_plan}");
    let suspended_now = now_plan.matches(SUSPENDED).count();

    // Eight months on, every live access whose evaluation nobody records is overdue: the dry
    // run names the suspensions to come, application by application.
    let later = day(240);
    let out = sepakat(
        &url,
        &blobs,
        &["evaluations", "run", "--as-of", &later, "--dry-run"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let plan = stdout(&out);
    assert!(plan.contains(&format!("as of {later}")), "{plan}");
    assert!(
        plan.matches(SUSPENDED).count() > suspended_now,
        "no future suspension shown (today {suspended_now}):\n{plan}"
    );
    assert!(plan.contains("becomes overdue"), "{plan}");
    assert!(plan.contains("Ringkasan / summary"), "{plan}");

    // The same as JSON: the suspended applications, each with its events.
    let out = sepakat(
        &url,
        &blobs,
        &[
            "evaluations",
            "run",
            "--as-of",
            &later,
            "--dry-run",
            "--json",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["as_of"], later.as_str());
    let suspended: Vec<&serde_json::Value> = json["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            d["events"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["type"] == "grant_suspended")
        })
        .collect();
    assert!(!suspended.is_empty(), "{json}");
    assert_eq!(
        json["report"]["grants_suspended"].as_u64().unwrap() as usize,
        plan.matches(SUSPENDED).count()
    );
    for d in &suspended {
        assert!(
            plan.contains(d["application_id"].as_str().unwrap()),
            "{d} missing from the list"
        );
    }

    // Nothing was written by any of it.
    assert_eq!(footprint(&store).await, before, "a dry run wrote something");

    // A real run refuses any other day than today, and writes nothing either.
    for (other, why) in [
        (day(30), "before their grace period"),
        (
            today.checked_sub_days(Days::new(1)).unwrap().to_string(),
            "back-date",
        ),
    ] {
        let out = sepakat(&url, &blobs, &["evaluations", "run", "--as-of", &other]);
        assert!(!out.status.success(), "{other}: {}", text(&out));
        let said = text(&out);
        assert!(said.contains(why) && said.contains("--dry-run"), "{said}");
    }
    assert_eq!(footprint(&store).await, before);

    // `due --as-of`: the window and the days late count from that day.
    let out = sepakat(
        &url,
        &blobs,
        &[
            "evaluations",
            "due",
            "--as-of",
            &later,
            "--within-days",
            "0",
            "--json",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let due: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let later_day: NaiveDate = later.parse().unwrap();
    let listed = due.as_array().unwrap();
    assert!(!listed.is_empty());
    for e in listed {
        let on: NaiveDate = e["due_on"].as_str().unwrap().parse().unwrap();
        assert!(on <= later_day);
        assert_eq!(
            e["days_late"].as_i64().unwrap(),
            (later_day - on).num_days()
        );
    }

    // Today's real run does what today's dry run said it would.
    let out = sepakat(&url, &blobs, &["evaluations", "run", "--as-of", &day(0)]);
    assert!(out.status.success(), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["grants_suspended"].as_u64().unwrap() as usize,
        suspended_now
    );
    store.close().await.ok();
    std::fs::remove_dir_all(&blobs).ok();
}

#[actix_rt::test]
async fn as_of_and_dry_run_on_sqlite() {
    as_of_and_dry_run(Backend::Sqlite).await
}

#[actix_rt::test]
async fn as_of_and_dry_run_on_postgres() {
    as_of_and_dry_run(Backend::Postgres).await
}
