//! National scale (#12): the reads of a national and of a provincial view over N applications,
//! on SQLite and PostgreSQL, through a real `sepakat serve` process, and the server's peak
//! memory.
//!
//! For each database and each N the bench:
//! 1. seeds a fresh database with `sepakat demo` (its applications were walked through real
//!    commands: realistic audit histories, letters, grants, evaluations);
//! 2. adds the directory a national view sees: 34 provinces, each with its provincial office
//!    and 12 kab/kota offices, and about 6,600 institutions (15 per office);
//! 3. clones the demo's applications up to N. Half the clones copy a demo application's whole
//!    history; the other half copy it as it stood after one of its earlier commands (the state
//!    folded by the core from that prefix of its audit log), so every stage the demo passes
//!    through is populated. Each clone belongs to a random institution of a random office of
//!    the same kind (provincial or kab/kota) and has every timestamp shifted back by 0 to 3
//!    years (an application with live access no further than its next evaluation, so the
//!    calendar finds it current, as it would in a database that has been running). Events keep
//!    their payloads and hashes: the hash chains of clones do not verify, which a read
//!    benchmark does not need. Letters and documents are not cloned (their numbers are
//!    unique); the application page is measured on a real demo application;
//! 4. rebuilds the read models (`application_waits`, `stage_visits`, `stage_stats`) from the
//!    clones with `Store::migrate`, timed;
//! 5. starts `sepakat serve`, waits until it is idle (its evaluation calendar sweeps once at
//!    start), signs in as `central` and as the Kalimantan Selatan provincial coordinator, and
//!    times each read sequentially: p50, p95 and max over `SEPAKAT_BENCH_REPS` requests (default
//!    50) after 5 warm-up requests.
//!
//! Run: `SEPAKAT_BENCH_N=10000,100000 cargo bench --bench national` (PostgreSQL on
//! 127.0.0.1:5432, as for the tests). `SEPAKAT_BENCH_N` defaults to 10000;
//! `SEPAKAT_BENCH_DB=sqlite` or `postgres` runs one database only.

#[path = "support/mod.rs"]
mod support;

use chrono::{DateTime, Duration as Days, NaiveDate, SecondsFormat, Utc};
use reqwest::{Client, StatusCode};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};
use sepakat_core::{Application, Event, EventKind, RegionCode};
use sepakat_store::entity::{
    agencies, application_elements, application_waits, applications, attestations, audit_events,
    evaluations, grants, offices, stage_stats, stage_visits,
};
use sepakat_store::testing::{Backend, TempDb};
use sepakat_store::{Store, StoreOptions};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use support::{demo, serve, token};
use uuid::Uuid;

const CENTRAL: (&str, &str) = ("ditjen@dukcapil.kemendagri.go.id", "ditjen-dukcapil");
/// The coordinator of the provincial office of Kalimantan Selatan (region 63).
const COORD: (&str, &str) = (
    "koordinator@disdukcapil.kalselprov.go.id",
    "kalsel-koordinator",
);

/// The 34 provinces' codes (Kemendagri).
const PROVINCES: [&str; 34] = [
    "11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34", "35", "36",
    "51", "52", "53", "61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76", "81", "82",
    "91", "92",
];
const KABKOTA_PER_PROVINCE: usize = 12;
const AGENCIES_PER_OFFICE: usize = 15;
const BATCH_APPS: usize = 1000;
const ROWS_PER_STATEMENT: usize = 500;

// ---------------------------------------------------------------------------------------------
// Generation

/// xorshift64*: a small seeded generator, so every run builds the same database.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn uuid(&mut self) -> Uuid {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&self.next().to_le_bytes());
        b[8..].copy_from_slice(&self.next().to_le_bytes());
        uuid::Builder::from_random_bytes(b).into_uuid()
    }
}

fn shift_ts(t: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    t - Days::days(days)
}

fn shift_date(d: NaiveDate, days: i64) -> NaiveDate {
    d - Days::days(days)
}

/// Shifts every timestamp and date found in a JSON document `days` back.
fn shift_json(v: &mut Value, days: i64) {
    match v {
        Value::String(s) => {
            if s.len() == 10 {
                if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                    *s = shift_date(d, days).format("%Y-%m-%d").to_string();
                }
            } else if s.len() >= 20
                && s.as_bytes().get(10) == Some(&b'T')
                && let Ok(t) = DateTime::parse_from_rfc3339(s)
            {
                *s = shift_ts(t.with_timezone(&Utc), days)
                    .to_rfc3339_opts(SecondsFormat::AutoSi, true);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| shift_json(x, days)),
        Value::Object(o) => o.values_mut().for_each(|x| shift_json(x, days)),
        _ => {}
    }
}

/// One demo application as it stood at some point of its history: the rows a clone copies.
struct Template {
    row: applications::Model,
    office_kind: String,
    events: Vec<audit_events::Model>,
    elements: Vec<application_elements::Model>,
    attestations: Vec<attestations::Model>,
    grants: Vec<grants::Model>,
    evaluations: Vec<evaluations::Model>,
    /// Most days a clone may be shifted back.
    max_shift_days: i64,
}

struct Source {
    row: applications::Model,
    events: Vec<audit_events::Model>,
    elements: Vec<application_elements::Model>,
    attestations: Vec<attestations::Model>,
    grants: Vec<grants::Model>,
    evaluations: Vec<evaluations::Model>,
}

fn event_of(e: &audit_events::Model) -> Event {
    Event {
        at: e.at,
        actor: e.actor_id,
        kind: serde_json::from_value::<EventKind>(e.payload.clone()).expect("event payload"),
    }
}

fn max_shift(state: &Application, today: NaiveDate) -> i64 {
    const THREE_YEARS: i64 = 3 * 365;
    match state.next_evaluation_due {
        Some(due) => (due - today).num_days().clamp(0, THREE_YEARS),
        None => THREE_YEARS,
    }
}

/// The demo's applications, whole and as they stood after each earlier command that moved
/// them to another stage (the core folds the prefix of the audit log).
fn templates(
    sources: Vec<Source>,
    kinds: &HashMap<Uuid, String>,
    today: NaiveDate,
) -> (Vec<Template>, Vec<Template>) {
    let mut whole = Vec::new();
    let mut partial = Vec::new();
    for s in sources {
        let final_state: Application =
            serde_json::from_value(s.row.state.clone()).expect("demo state");
        let kind = kinds[&s.row.office_id].clone();
        // The initial state: what `submit` builds, before any event is folded.
        let first = event_of(&s.events[0]);
        let EventKind::Submitted {
            workflow,
            stage,
            request,
        } = first.kind.clone()
        else {
            panic!("the first event of {} is not a submission", s.row.id)
        };
        let mut init = final_state.clone();
        init.workflow = workflow;
        init.stage = stage;
        init.request = request;
        init.version = 1;
        init.submitted_at = first.at;
        init.stage_entered_at = first.at;
        init.documents = Default::default();
        init.attestation = None;
        init.minister_approval = None;
        init.pks = Default::default();
        init.grants = Vec::new();
        init.evaluation_anchor = None;
        init.next_evaluation_due = None;
        init.periodic_due = None;
        init.evaluations = Vec::new();
        init.letters = Default::default();
        // Commands: runs of events with the same time and actor.
        let mut cuts = Vec::new();
        for i in 0..s.events.len() {
            let ends = s
                .events
                .get(i + 1)
                .is_none_or(|n| n.at != s.events[i].at || n.actor_id != s.events[i].actor_id);
            if ends {
                cuts.push(i + 1);
            }
        }
        let mut state = init;
        let mut folded = 0;
        let mut version = 0;
        let mut moved = false;
        let mut prefixes = Vec::new();
        for &cut in &cuts {
            for e in &s.events[folded..cut] {
                moved |= e.kind == "transitioned" || e.kind == "submitted";
                state.evolve(&event_of(e));
            }
            folded = cut;
            version += 1;
            state.version = version;
            if moved && cut < s.events.len() {
                prefixes.push((cut, state.clone()));
            }
            moved = false;
        }
        // The fold of the whole log must be the stored state, or the prefixes are not trusted.
        let mut a = serde_json::to_value(&state).unwrap();
        let mut b = s.row.state.clone();
        a["version"] = json!(0);
        b["version"] = json!(0);
        if a != b {
            eprintln!(
                "note: folding the log of demo application {} does not give its stored state; only its whole history is cloned",
                s.row.id
            );
            prefixes.clear();
        }
        for (cut, st) in prefixes {
            let last = s.events[cut - 1].at;
            let mut row = s.row.clone();
            row.stage = st.stage.clone();
            row.version = st.version;
            row.state = serde_json::to_value(&st).unwrap();
            row.stage_entered_at = st.stage_entered_at;
            row.next_evaluation_due = st.next_evaluation_due;
            row.last_event_hash = s.events[cut - 1].hash.clone();
            row.event_count = cut as i64;
            row.updated_at = last;
            partial.push(Template {
                max_shift_days: max_shift(&st, today),
                row,
                office_kind: kind.clone(),
                events: s.events[..cut].to_vec(),
                elements: s.elements.clone(),
                attestations: s
                    .attestations
                    .iter()
                    .filter(|a| a.recorded_at <= last)
                    .cloned()
                    .collect(),
                grants: s
                    .grants
                    .iter()
                    .filter(|g| g.issued_at <= last)
                    .cloned()
                    .collect(),
                evaluations: s
                    .evaluations
                    .iter()
                    .filter(|e| e.created_at <= last)
                    .cloned()
                    .collect(),
            });
        }
        whole.push(Template {
            max_shift_days: max_shift(&final_state, today),
            row: s.row,
            office_kind: kind,
            events: s.events,
            elements: s.elements,
            attestations: s.attestations,
            grants: s.grants,
            evaluations: s.evaluations,
        });
    }
    (whole, partial)
}

async fn load_sources(db: &DatabaseConnection) -> Vec<Source> {
    let mut out = Vec::new();
    for row in applications::Entity::find()
        .order_by_asc(applications::Column::Id)
        .all(db)
        .await
        .unwrap()
    {
        let id = row.id;
        out.push(Source {
            events: audit_events::Entity::find()
                .filter(audit_events::Column::ApplicationId.eq(id))
                .order_by_asc(audit_events::Column::Seq)
                .all(db)
                .await
                .unwrap(),
            elements: application_elements::Entity::find()
                .filter(application_elements::Column::ApplicationId.eq(id))
                .all(db)
                .await
                .unwrap(),
            attestations: attestations::Entity::find()
                .filter(attestations::Column::ApplicationId.eq(id))
                .all(db)
                .await
                .unwrap(),
            grants: grants::Entity::find()
                .filter(grants::Column::ApplicationId.eq(id))
                .all(db)
                .await
                .unwrap(),
            evaluations: evaluations::Entity::find()
                .filter(evaluations::Column::ApplicationId.eq(id))
                .all(db)
                .await
                .unwrap(),
            row,
        });
    }
    out
}

/// Offices and institutions for 34 provinces; returns every office (with its institutions) by kind.
async fn directory(
    db: &DatabaseConnection,
    rng: &mut Rng,
) -> HashMap<String, Vec<(offices::Model, Vec<Uuid>)>> {
    let existing = offices::Entity::find().all(db).await.unwrap();
    let model_office = existing[0].clone();
    let model_agency = agencies::Entity::find().one(db).await.unwrap().unwrap();
    let taken: Vec<String> = existing.iter().map(|o| o.region_code.clone()).collect();
    let now = Utc::now();
    let mut new_offices = Vec::new();
    for p in PROVINCES {
        let mut codes = vec![p.to_string()];
        codes.extend((1..=KABKOTA_PER_PROVINCE).map(|k| format!("{p}.{k:02}")));
        for code in codes {
            if taken.contains(&code) {
                continue;
            }
            let province = !code.contains('.');
            new_offices.push(offices::Model {
                id: rng.uuid(),
                name: if province {
                    format!("Dinas Kependudukan dan Pencatatan Sipil Provinsi {code}")
                } else {
                    format!("Dinas Kependudukan dan Pencatatan Sipil Kabupaten/Kota {code}")
                },
                kind: if province {
                    sepakat_store::OfficeKind::Province
                } else {
                    sepakat_store::OfficeKind::Kabkota
                },
                region_code: code.clone(),
                province_code: p.to_string(),
                place_name: format!("Ibu kota {code}"),
                address: format!("Jalan Merdeka {code}"),
                letter_code: model_office.letter_code.clone(),
                letter_unit: "Dukcapil".into(),
                letter_pattern: model_office.letter_pattern.clone(),
                utc_offset_minutes: 420,
                logo_svg: None,
                created_at: now,
            });
        }
    }
    let all_offices: Vec<offices::Model> = existing
        .iter()
        .cloned()
        .chain(new_offices.iter().cloned())
        .collect();
    let txn = db.begin().await.unwrap();
    for chunk in new_offices.chunks(ROWS_PER_STATEMENT) {
        offices::Entity::insert_many(chunk.iter().cloned().map(offices::ActiveModel::from))
            .exec_without_returning(&txn)
            .await
            .unwrap();
    }
    let mut new_agencies = Vec::new();
    for o in &all_offices {
        for k in 1..=AGENCIES_PER_OFFICE {
            new_agencies.push(agencies::Model {
                id: rng.uuid(),
                name: format!("Instansi Pengguna {k:02} wilayah {}", o.region_code),
                kind: model_agency.kind.clone(),
                office_id: o.id,
                address: String::new(),
                created_at: now,
                letter_code: model_agency.letter_code.clone(),
                letter_unit: format!("IP{k:02}"),
                letter_pattern: model_agency.letter_pattern.clone(),
            });
        }
    }
    for chunk in new_agencies.chunks(ROWS_PER_STATEMENT) {
        agencies::Entity::insert_many(chunk.iter().cloned().map(agencies::ActiveModel::from))
            .exec_without_returning(&txn)
            .await
            .unwrap();
    }
    txn.commit().await.unwrap();
    let all_agencies = agencies::Entity::find().all(db).await.unwrap();
    let mut by_office: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for a in all_agencies {
        by_office.entry(a.office_id).or_default().push(a.id);
    }
    let mut out: HashMap<String, Vec<(offices::Model, Vec<Uuid>)>> = HashMap::new();
    for o in all_offices {
        let mut ids = by_office.remove(&o.id).unwrap_or_default();
        ids.sort();
        out.entry(o.kind.to_string()).or_default().push((o, ids));
    }
    for v in out.values_mut() {
        v.sort_by_key(|(o, _)| o.region_code.clone());
    }
    out
}

#[derive(Default)]
struct Batch {
    apps: Vec<applications::Model>,
    events: Vec<audit_events::Model>,
    elements: Vec<application_elements::Model>,
    attestations: Vec<attestations::Model>,
    grants: Vec<grants::Model>,
    evaluations: Vec<evaluations::Model>,
}

impl Batch {
    async fn flush(&mut self, db: &DatabaseConnection) {
        let txn = db.begin().await.unwrap();
        macro_rules! put {
            ($rows:expr, $entity:ident) => {
                for chunk in $rows.chunks(ROWS_PER_STATEMENT) {
                    $entity::Entity::insert_many(
                        chunk.iter().cloned().map($entity::ActiveModel::from),
                    )
                    .exec_without_returning(&txn)
                    .await
                    .unwrap();
                }
                $rows.clear();
            };
        }
        put!(self.apps, applications);
        put!(self.events, audit_events);
        put!(self.elements, application_elements);
        put!(self.attestations, attestations);
        put!(self.grants, grants);
        put!(self.evaluations, evaluations);
        txn.commit().await.unwrap();
    }
}

fn clone_into(
    t: &Template,
    office: &offices::Model,
    agency: Uuid,
    days: i64,
    rng: &mut Rng,
    batch: &mut Batch,
) {
    let id = rng.uuid();
    let mut state = t.row.state.clone();
    shift_json(&mut state, days);
    state["id"] = json!(id);
    state["ownership"] = json!({
        "agency_id": agency,
        "office_id": office.id,
        "office_region": RegionCode::parse(&office.region_code).unwrap(),
    });
    let r = &t.row;
    batch.apps.push(applications::Model {
        id,
        workflow_name: r.workflow_name.clone(),
        workflow_hash: r.workflow_hash.clone(),
        agency_id: agency,
        office_id: office.id,
        stage: r.stage.clone(),
        version: r.version,
        state,
        submitted_by: r.submitted_by,
        submitted_at: shift_ts(r.submitted_at, days),
        stage_entered_at: shift_ts(r.stage_entered_at, days),
        next_evaluation_due: r.next_evaluation_due.map(|d| shift_date(d, days)),
        last_event_hash: r.last_event_hash.clone(),
        event_count: r.event_count,
        updated_at: shift_ts(r.updated_at, days),
    });
    for e in &t.events {
        let mut payload = e.payload.clone();
        shift_json(&mut payload, days);
        batch.events.push(audit_events::Model {
            id: rng.uuid(),
            application_id: id,
            at: shift_ts(e.at, days),
            payload,
            ..e.clone()
        });
    }
    for el in &t.elements {
        batch.elements.push(application_elements::Model {
            application_id: id,
            approved_at: el.approved_at.map(|t| shift_ts(t, days)),
            ..el.clone()
        });
    }
    let mut attestation_ids = HashMap::new();
    for a in &t.attestations {
        let new = rng.uuid();
        attestation_ids.insert(a.id, new);
        batch.attestations.push(attestations::Model {
            id: new,
            application_id: id,
            recorded_at: shift_ts(a.recorded_at, days),
            withdrawn_at: a.withdrawn_at.map(|t| shift_ts(t, days)),
            ..a.clone()
        });
    }
    for g in &t.grants {
        let mut elements = g.elements.clone();
        shift_json(&mut elements, days);
        batch.grants.push(grants::Model {
            id: rng.uuid(),
            application_id: id,
            attestation_id: attestation_ids
                .get(&g.attestation_id)
                .copied()
                .unwrap_or(g.attestation_id),
            elements,
            issued_at: shift_ts(g.issued_at, days),
            valid_until: shift_date(g.valid_until, days),
            updated_at: shift_ts(g.updated_at, days),
            ..g.clone()
        });
    }
    for e in &t.evaluations {
        batch.evaluations.push(evaluations::Model {
            id: rng.uuid(),
            application_id: id,
            due_on: shift_date(e.due_on, days),
            recorded_at: e.recorded_at.map(|t| shift_ts(t, days)),
            created_at: shift_ts(e.created_at, days),
            reminded_at: e.reminded_at.map(|t| shift_ts(t, days)),
            escalated_at: e.escalated_at.map(|t| shift_ts(t, days)),
            overdue_at: e.overdue_at.map(|t| shift_ts(t, days)),
            ..e.clone()
        });
    }
}

struct Generated {
    applications: u64,
    events: u64,
    offices: usize,
    agencies: usize,
    coordinator_office_apps: u64,
    generate: Duration,
    rebuild: Duration,
    /// A demo application both roles may open (the longest history in Kalimantan Selatan).
    page_id: Uuid,
}

async fn generate(db: &TempDb, n: usize) -> Generated {
    let store = Store::connect_with(
        db.url(),
        StoreOptions {
            max_connections: Some(4),
            ..StoreOptions::default()
        },
    )
    .await
    .unwrap();
    let conn = store.connection().clone();
    let mut rng = Rng(0x05e9_a4a7_2026_0012);
    let started = Instant::now();
    let dir = directory(&conn, &mut rng).await;
    let kinds: HashMap<Uuid, String> = dir
        .values()
        .flatten()
        .map(|(o, _)| (o.id, o.kind.to_string()))
        .collect();
    let kalsel = dir["province"]
        .iter()
        .find(|(o, _)| o.region_code == "63")
        .map(|(o, _)| o.id)
        .expect("the demo's Kalimantan Selatan office");
    let sources = load_sources(&conn).await;
    let page_id = sources
        .iter()
        .filter(|s| s.row.office_id == kalsel)
        .max_by_key(|s| s.row.event_count)
        .map(|s| s.row.id)
        .unwrap();
    let demo_apps = sources.len();
    let today = Utc::now().date_naive();
    let (whole, partial) = templates(sources, &kinds, today);
    println!(
        "  templates: {} whole histories, {} earlier points of them",
        whole.len(),
        partial.len()
    );
    let mut batch = Batch::default();
    let mut events = 0u64;
    let clones = n.saturating_sub(demo_apps);
    for i in 0..clones {
        let t = if partial.is_empty() || rng.below(2) == 0 {
            &whole[rng.below(whole.len() as u64) as usize]
        } else {
            &partial[rng.below(partial.len() as u64) as usize]
        };
        let offices = &dir[&t.office_kind];
        let (office, agencies) = &offices[rng.below(offices.len() as u64) as usize];
        let agency = agencies[rng.below(agencies.len() as u64) as usize];
        let days = rng.below(t.max_shift_days as u64 + 1) as i64;
        events += t.events.len() as u64;
        clone_into(t, office, agency, days, &mut rng, &mut batch);
        if batch.apps.len() >= BATCH_APPS {
            batch.flush(&conn).await;
        }
        if (i + 1) % 20_000 == 0 {
            println!(
                "  {} clones, {} events, {:.0} s",
                i + 1,
                events,
                started.elapsed().as_secs_f64()
            );
        }
    }
    batch.flush(&conn).await;
    let generate = started.elapsed();
    // The read models, rebuilt from the clones as the migration does for an existing database.
    let started = Instant::now();
    application_waits::Entity::delete_many()
        .exec(&conn)
        .await
        .unwrap();
    stage_visits::Entity::delete_many()
        .exec(&conn)
        .await
        .unwrap();
    stage_stats::Entity::delete_many()
        .exec(&conn)
        .await
        .unwrap();
    store.migrate().await.expect("rebuild the read models");
    let rebuild = started.elapsed();
    if db.backend() == Backend::Postgres {
        // Autovacuum would analyze the new rows soon after a load this size; do it now.
        conn.execute_unprepared("ANALYZE").await.unwrap();
    }
    let total_events = audit_events::Entity::find().count(&conn).await.unwrap();
    let total_apps = applications::Entity::find().count(&conn).await.unwrap();
    let offices_n = dir.values().map(Vec::len).sum();
    let agencies_n = dir.values().flatten().map(|(_, a)| a.len()).sum();
    let coordinator_office_apps = applications::Entity::find()
        .filter(applications::Column::OfficeId.eq(kalsel))
        .count(&conn)
        .await
        .unwrap();
    store.close().await.ok();
    Generated {
        applications: total_apps,
        events: total_events,
        offices: offices_n,
        agencies: agencies_n,
        coordinator_office_apps,
        generate,
        rebuild,
        page_id,
    }
}

// ---------------------------------------------------------------------------------------------
// Measuring

/// A client signed in through the sign-in form (a session cookie), following no redirects.
async fn session(base: &str, (email, password): (&str, &str)) -> Client {
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    // The sign-in form's CSRF token comes with the form (and its cookie).
    let form = client
        .get(format!("{base}/masuk"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = form
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("the sign-in form has a CSRF token")
        .to_string();
    let res = client
        .post(format!("{base}/masuk"))
        .form(&[
            ("email", email),
            ("password", password),
            ("next", "/"),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{email} signs in");
    client
}

struct Timing {
    p50: f64,
    p95: f64,
    max: f64,
    kib: f64,
}

async fn time(
    client: &Client,
    url: &str,
    bearer: Option<&str>,
    reps: usize,
) -> Result<Timing, String> {
    let mut times = Vec::with_capacity(reps);
    let mut bytes = 0usize;
    for i in 0..reps + 5 {
        let mut req = client.get(url);
        if let Some(t) = bearer {
            req = req.bearer_auth(t);
        }
        let started = Instant::now();
        let res = req.send().await.map_err(|e| e.to_string())?;
        let status = res.status();
        let body = res.bytes().await.map_err(|e| e.to_string())?;
        let elapsed = started.elapsed();
        if status != StatusCode::OK {
            return Err(format!(
                "{status}: {}",
                String::from_utf8_lossy(&body[..body.len().min(300)])
            ));
        }
        if i >= 5 {
            times.push(elapsed.as_secs_f64() * 1000.0);
            bytes = body.len();
        }
    }
    times.sort_by(f64::total_cmp);
    let rank = |p: f64| times[((p * times.len() as f64).ceil() as usize).clamp(1, times.len()) - 1];
    Ok(Timing {
        p50: rank(0.50),
        p95: rank(0.95),
        max: *times.last().unwrap(),
        kib: bytes as f64 / 1024.0,
    })
}

/// The URL of the page `depth` pages into the list (or the last one), following `next`.
async fn deep_url(client: &Client, base: &str, bearer: &str, depth: usize) -> (String, usize) {
    let mut url = format!("{base}/api/v1/applications?limit=50");
    let mut reached = 0;
    for _ in 0..depth {
        let page: Value = client
            .get(&url)
            .bearer_auth(bearer)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let Some(next) = page["next"].as_str() else {
            break;
        };
        url = format!("{base}/api/v1/applications?limit=50&after={next}");
        reached += 1;
    }
    (url, reached)
}

struct Row {
    role: &'static str,
    what: String,
    result: Result<Timing, String>,
}

async fn measure(
    base: &str,
    who: (&str, &str),
    role: &'static str,
    page_id: Uuid,
    reps: usize,
) -> Vec<Row> {
    let api = Client::new();
    let bearer = token(&api, base, who).await;
    let ui = session(base, who).await;
    let (deep, reached) = deep_url(&api, base, &bearer, 20).await;
    let mut out = Vec::new();
    let api_reads = [
        (
            "inbox `GET /api/v1/applications?waiting_on_me=true`".to_string(),
            format!("{base}/api/v1/applications?waiting_on_me=true"),
        ),
        (
            "list, first page `GET /api/v1/applications?limit=50`".to_string(),
            format!("{base}/api/v1/applications?limit=50"),
        ),
        (
            format!("list, page {} by cursor (`after=`)", reached + 1),
            deep,
        ),
        (
            "`GET /api/v1/evaluations/due`".to_string(),
            format!("{base}/api/v1/evaluations/due"),
        ),
        (
            "`GET /api/v1/grants`".to_string(),
            format!("{base}/api/v1/grants"),
        ),
        (
            "application `GET /api/v1/applications/{id}`".to_string(),
            format!("{base}/api/v1/applications/{page_id}"),
        ),
    ];
    for (what, url) in api_reads {
        let result = time(&api, &url, Some(&bearer), reps).await;
        out.push(Row { role, what, result });
    }
    let pages = [
        ("inbox page `GET /`", "/".to_string()),
        ("dashboard `GET /dasbor`", "/dasbor".to_string()),
        ("list page `GET /permohonan`", "/permohonan".to_string()),
        (
            "application page `GET /permohonan/{id}`",
            format!("/permohonan/{page_id}"),
        ),
    ];
    for (what, path) in pages {
        let result = time(&ui, &format!("{base}{path}"), None, reps).await;
        out.push(Row {
            role,
            what: what.to_string(),
            result,
        });
    }
    out
}

fn main() {
    let ns: Vec<usize> = std::env::var("SEPAKAT_BENCH_N")
        .unwrap_or_else(|_| "10000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let reps: usize = std::env::var("SEPAKAT_BENCH_REPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50);
    let only = std::env::var("SEPAKAT_BENCH_DB").unwrap_or_default();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut report = String::new();
    rt.block_on(async {
        for &n in &ns {
            for backend in [Backend::Sqlite, Backend::Postgres] {
                if !only.is_empty() && only != backend.to_string() {
                    continue;
                }
                println!("== {backend}, N = {n}");
                let db = TempDb::new(backend).await.expect("database");
                let blobs = std::env::temp_dir()
                    .join(format!("sepakat-national-{}", Uuid::new_v4().simple()));
                let started = Instant::now();
                demo(&db, &blobs);
                let seeded = started.elapsed();
                let g = generate(&db, n).await;
                println!(
                    "  demo {:.1} s; generated {} applications, {} audit events, {} offices, {} institutions in {:.1} s; read models rebuilt in {:.1} s",
                    seeded.as_secs_f64(),
                    g.applications,
                    g.events,
                    g.offices,
                    g.agencies,
                    g.generate.as_secs_f64(),
                    g.rebuild.as_secs_f64()
                );
                let log = blobs.join("serve.log");
                std::fs::create_dir_all(&blobs).ok();
                let server = serve(&db, &blobs, &log).await;
                let idle = server.wait_idle(Duration::from_secs(900)).await;
                let peak_start = server.peak_mib();
                println!(
                    "  server idle {:.1} s after start (evaluation calendar sweep); peak RSS so far {:.1} MiB",
                    idle.as_secs_f64(),
                    peak_start
                );
                let mut rows = measure(&server.base, CENTRAL, "central", g.page_id, reps).await;
                rows.extend(measure(&server.base, COORD, "koordinator Kalsel", g.page_id, reps).await);
                let peak = server.peak_mib();
                let warnings = std::fs::read_to_string(&log)
                    .unwrap_or_default()
                    .lines()
                    .filter(|l| l.contains("WARN") || l.contains("ERROR"))
                    .count();
                drop(server);
                let mut t = String::new();
                t += &format!(
                    "\n### {backend}, {} applications, {} audit events\n\n",
                    g.applications, g.events
                );
                t += &format!(
                    "Generated in {:.0} s ({} offices, {} institutions; {} applications in the Kalimantan Selatan provincial office); read models rebuilt in {:.1} s. Server idle {:.0} s after start; peak RSS {:.1} MiB before the reads, **{:.1} MiB** after them. {} warnings in the server log.\n\n",
                    g.generate.as_secs_f64(),
                    g.offices,
                    g.agencies,
                    g.coordinator_office_apps,
                    g.rebuild.as_secs_f64(),
                    idle.as_secs_f64(),
                    peak_start,
                    peak,
                    warnings
                );
                t += "| role | request | p50 ms | p95 ms | max ms | body KiB |\n| --- | --- | ---: | ---: | ---: | ---: |\n";
                for r in &rows {
                    match &r.result {
                        Ok(x) => {
                            t += &format!(
                                "| {} | {} | {:.1} | {:.1} | {:.1} | {:.1} |\n",
                                r.role, r.what, x.p50, x.p95, x.max, x.kib
                            )
                        }
                        Err(e) => {
                            t += &format!(
                                "| {} | {} | failed: {} | | | |\n",
                                r.role,
                                r.what,
                                e.replace('|', "/").replace('\n', " ")
                            )
                        }
                    }
                }
                println!("{t}");
                report += &t;
                db.remove().await.ok();
                std::fs::remove_dir_all(&blobs).ok();
            }
        }
    });
    println!("\n---- all runs ----\n{report}");
}
