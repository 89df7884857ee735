//! Notifications against a real SMTP server (aiosmtpd in its own process): the right people get
//! the right subject; an SMTP server that goes down loses nothing and duplicates nothing; a
//! killed `sepakat serve` delivers its pending mail after a restart; and six months later the
//! evaluation calendar reminds, suspends and mails.

mod common;

use chrono::{Duration, TimeZone, Utc};
use common::smtp::SmtpSink;
use common::who::*;
use common::*;
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use sepakat_notify::{Dispatcher, EmailTemplates, Mailer, NotifySettings};
use sepakat_store::entity::outbox;
use sepakat_web::{Clock, ManualClock};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration as StdDuration;

fn dispatcher(app: &TestApp, smtp_url: &str) -> Dispatcher {
    let settings = NotifySettings {
        smtp_url: Some(smtp_url.to_string()),
        public_url: "https://sepakat.example.go.id".into(),
        outbox_backoff_secs: 60,
        outbox_max_attempts: 8,
        smtp_timeout_secs: 5,
        ..NotifySettings::default()
    };
    Dispatcher::new(
        app.store.clone(),
        Mailer::from_settings(&settings).unwrap(),
        EmailTemplates::new().unwrap(),
        settings,
    )
}

async fn outbox_rows(app: &TestApp) -> Vec<outbox::Model> {
    outbox::Entity::find()
        .all(app.store.connection())
        .await
        .unwrap()
}

fn to(m: &Value) -> String {
    m["rcpt_tos"][0].as_str().unwrap_or_default().to_string()
}

#[actix_rt::test]
async fn the_people_who_must_act_get_the_right_subject() {
    let app = spawn_app(Db::Sqlite).await;
    let sink = SmtpSink::start();
    let d = dispatcher(&app, &sink.url());
    // What the demo queued goes out first.
    let first = d.run_once(Utc::now()).await.unwrap();
    assert!(first.sent > 20, "{first:?}");
    let before = sink.wait_for(first.sent, StdDuration::from_secs(10)).len();
    assert_eq!(before, first.sent);

    // An agency head in Pontianak submits: the city coordinators and the head hear of it.
    let head = app.token(HEAD_DINKES_PTK.0, HEAD_DINKES_PTK.1).await;
    let res = app
        .post(
            &head,
            "/api/v1/applications",
            ordinary_request("pks-kabkota"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let report = d.run_once(Utc::now()).await.unwrap();
    assert_eq!(report.sent, report.claimed);
    let all = sink.wait_for(before + report.sent, StdDuration::from_secs(10));
    let new: Vec<&Value> = all[before..].iter().collect();
    let recipients: BTreeSet<String> = new.iter().map(|m| to(m)).collect();
    assert!(recipients.contains(KOORD_PTK.0), "{recipients:?}");
    assert!(recipients.contains(HEAD_DINKES_PTK.0), "{recipients:?}");
    assert!(
        !recipients.iter().any(|r| r.contains("kalselprov")),
        "nobody outside the jurisdiction: {recipients:?}"
    );
    let to_coordinator = new.iter().find(|m| to(m) == KOORD_PTK.0).unwrap();
    assert_eq!(
        to_coordinator["subject"],
        "Permohonan baru pemanfaatan data kependudukan — Dinas Kesehatan Kota Pontianak"
    );
    let body = &to_coordinator["body"]
        .as_str()
        .unwrap()
        .replace("\r\n", "\n");
    assert!(body.contains("Yth. Sri Wahyuni, S.E.,"), "{body}");
    assert!(
        body.contains("Teruskan permohonan kepada Bupati/Wali Kota"),
        "{body}"
    );
    assert!(
        body.contains(&format!("https://sepakat.example.go.id/permohonan/{id}")),
        "{body}"
    );
    // The core's next step, as on the page (issue #14): the coordinator reads that the
    // agency signs and uploads first; the agency head reads it as its own task, and cancelling
    // is never offered as what awaits it.
    let signs = "Tanda tangani Surat permohonan pemanfaatan data kependudukan, lalu unggah pindaiannya pada bagian Dokumen.";
    assert!(
        body.contains(&format!(
            "- Teruskan permohonan kepada Bupati/Wali Kota — Kepala lembaga pengguna: {signs}"
        )),
        "{body}"
    );
    assert!(
        body.contains("- Kembalikan permohonan untuk diperbaiki — Koordinator Disdukcapil\n"),
        "a ready step is its title: {body}"
    );
    let to_head = new.iter().find(|m| to(m) == HEAD_DINKES_PTK.0).unwrap();
    let head_body = &to_head["body"].as_str().unwrap().replace("\r\n", "\n");
    assert!(
        head_body.contains(&format!("Tindakan yang menunggu Saudara:\n- {signs}")),
        "{head_body}"
    );
    assert!(!head_body.contains("Batalkan permohonan"), "{head_body}");
    assert_eq!(to_coordinator["from"], "Sepakat <sepakat@localhost>");
    // One Message-ID per outbox row, as stored.
    let row = outbox_rows(&app)
        .await
        .into_iter()
        .find(|r| {
            r.recipient_email == KOORD_PTK.0
                && r.application_id.map(|a| a.to_string()) == Some(id.clone())
        })
        .unwrap();
    assert_eq!(
        to_coordinator["message_id"].as_str().unwrap(),
        row.message_id
    );
    assert_eq!(row.state.as_str(), "sent");
    app.stop().await;
}

#[actix_rt::test]
async fn smtp_down_then_up_every_message_arrives_once() {
    let app = spawn_app(Db::Postgres).await;
    let mut sink = SmtpSink::start();
    sink.down();
    let d = dispatcher(&app, &sink.url());
    let mut now = Utc::now();
    let queued = outbox_rows(&app).await.len();
    assert!(queued > 20);
    // Down: nothing is lost, everything claimed waits for a retry.
    let r = d.run_once(now).await.unwrap();
    assert!(
        r.claimed > 0 && r.sent == 0 && r.retried == r.claimed,
        "{r:?}"
    );
    let waiting = outbox_rows(&app).await;
    assert!(waiting.iter().all(|m| m.state.as_str() == "pending"));
    assert!(
        waiting
            .iter()
            .filter(|m| m.attempts == 1)
            .all(|m| m.last_error.as_deref().is_some_and(|e| e.contains("SMTP"))),
        "the error is kept"
    );
    // Up again: rounds until nothing is due, the clock moving past each backoff.
    sink.up();
    for _ in 0..20 {
        now += Duration::minutes(10);
        if d.run_once(now).await.unwrap().claimed == 0 {
            break;
        }
    }
    let rows = outbox_rows(&app).await;
    assert!(
        rows.iter().all(|m| m.state.as_str() == "sent"),
        "every row delivered"
    );
    let got = sink.wait_for(rows.len(), StdDuration::from_secs(10));
    assert_eq!(got.len(), rows.len(), "each message once");
    let ids: BTreeSet<&str> = got
        .iter()
        .map(|m| m["message_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), rows.len(), "no duplicate Message-ID");
    let stored: BTreeSet<&str> = rows.iter().map(|m| m.message_id.as_str()).collect();
    assert_eq!(ids, stored);
    app.stop().await;
}

/// `sepakat serve` as a process, on a free port.
fn serve(db: &str, blobs: &std::path::Path, smtp: &str) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sepakat"))
        .arg("serve")
        .env("DATABASE_URL", db)
        .env("SEPAKAT_LISTEN", "127.0.0.1:0")
        .env("SEPAKAT_BLOBS", blobs)
        .env("SEPAKAT_WORKFLOWS", repo().join("workflows"))
        .env("SEPAKAT_TEMPLATES", repo().join("templates"))
        .env("SMTP_URL", smtp)
        .env("SEPAKAT_OUTBOX_INTERVAL_SECS", "1")
        .env("SEPAKAT_OUTBOX_BACKOFF_SECS", "1")
        .env("SEPAKAT_SMTP_TIMEOUT_SECS", "1")
        .env("SEPAKAT_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start sepakat serve");
    // It says where it listens once it is up; the rest of its output is drained.
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert!(line.contains("listening on http://127.0.0.1:"), "{line}");
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    child
}

#[actix_rt::test]
async fn a_killed_server_delivers_its_pending_mail_after_restart() {
    let app = spawn_app(Db::Sqlite).await;
    let db = app.db.as_ref().unwrap().url().to_string();
    let queued = outbox_rows(&app).await.len();
    let mut sink = SmtpSink::start();
    sink.down();
    // The first server finds the SMTP server down, retries, and is killed.
    let mut first = serve(&db, &app.blobs, &sink.url());
    let deadline = std::time::Instant::now() + StdDuration::from_secs(30);
    while !outbox_rows(&app).await.iter().any(|m| m.attempts > 0) {
        assert!(
            std::time::Instant::now() < deadline,
            "the dispatcher never tried"
        );
        actix_rt::time::sleep(StdDuration::from_millis(200)).await;
    }
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(
        outbox_rows(&app)
            .await
            .iter()
            .all(|m| m.state.as_str() == "pending")
    );

    // SMTP back, a new server: every pending message arrives, none twice (the new server's
    // calendar may queue a few more of its own: they count too).
    sink.up();
    let mut second = serve(&db, &app.blobs, &sink.url());
    let deadline = std::time::Instant::now() + StdDuration::from_secs(90);
    loop {
        let rows = outbox_rows(&app).await;
        if rows.len() >= queued && rows.iter().all(|m| m.state.as_str() == "sent") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "pending mail was not delivered after the restart"
        );
        actix_rt::time::sleep(StdDuration::from_millis(250)).await;
    }
    second.kill().unwrap();
    second.wait().unwrap();
    let rows = outbox_rows(&app).await;
    let got = sink.wait_for(rows.len(), StdDuration::from_secs(10));
    assert_eq!(got.len(), rows.len());
    let ids: BTreeSet<&str> = got
        .iter()
        .map(|m| m["message_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), rows.len(), "no message twice");
    assert!(
        outbox_rows(&app)
            .await
            .iter()
            .all(|m| m.state.as_str() == "sent")
    );
    app.stop().await;
}

#[actix_rt::test]
async fn six_months_later_the_calendar_reminds_suspends_and_mails() {
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let app = spawn_app_with_clock(Db::Sqlite, clock.clone()).await;
    let sink = SmtpSink::start();
    let d = dispatcher(&app, &sink.url());
    d.run_once(clock.now()).await.unwrap();
    let before = sink.messages().len();

    // Kota Pontianak's DPMPTSP has live access; find its next evaluation.
    let koord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let id = app.find(&koord, "akses_aktif").await;
    let detail = app.detail(&koord, &id).await;
    let due: chrono::NaiveDate = detail["next_evaluation_due"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let at = |day: chrono::NaiveDate| Utc.from_utc_datetime(&day.and_hms_opt(2, 0, 0).unwrap());

    // Past the grace period: the calendar opens, reminds, escalates and suspends.
    clock.set(at(due + Duration::days(31)));
    let r = app
        .store
        .run_evaluation_calendar(clock.now())
        .await
        .unwrap();
    assert!(r.overdue >= 1 && r.grants_suspended >= 1, "{r:?}");
    // Months later the first sign-in's token has expired (90 days): the coordinator signs in again.
    let koord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let list: Value = app
        .get(
            &koord,
            &format!("/api/v1/grants?application={id}&status=suspended"),
        )
        .await
        .json()
        .await
        .unwrap();
    let grants = list["items"].as_array().unwrap();
    assert_eq!(grants.len(), 1, "{grants:?}");
    assert_eq!(grants[0]["kind"], "production");
    let export = app
        .get(&koord, "/api/v1/grants/export")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !export.contains(&id),
        "a suspended grant is not exported as active"
    );

    d.run_once(clock.now()).await.unwrap();
    let mails = sink.wait_for(before + 3, StdDuration::from_secs(10));
    let new = &mails[before..];
    let subjects: Vec<(String, String)> = new
        .iter()
        .map(|m| (to(m), m["subject"].as_str().unwrap().to_string()))
        .collect();
    let head = "kepala@dpmptsp.pontianak.go.id";
    assert!(
        subjects
            .iter()
            .any(|(t, s)| t == head && s.starts_with("Pengingat evaluasi semesteran")),
        "{subjects:?}"
    );
    assert!(
        subjects
            .iter()
            .any(|(t, s)| t == "kepala@disdukcapil.pontianak.go.id"
                && s.contains("melewati jatuh tempo")),
        "escalated to the head of office: {subjects:?}"
    );
    assert!(
        subjects
            .iter()
            .any(|(t, s)| t == head && s.contains("ditangguhkan — evaluasi terlambat")),
        "{subjects:?}"
    );

    // The agency reports, the coordinator records a pass: access is back, and said so.
    clock.set(at(due + Duration::days(33)));
    // The coordinator puts the agency's semester report on file.
    app.attach(&koord, &id, "laporan_semester").await;
    let res = app
        .command(
            &koord,
            &id,
            json!({"command": "record_evaluation", "kind": "periodic", "due_on": due,
                   "outcome": "pass_with_findings", "findings": "Laporan semester terlambat 33 hari.",
                   "data_balikan_met": true}),
        )
        .await;
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    let list: Value = app
        .get(
            &koord,
            &format!("/api/v1/grants?application={id}&status=active"),
        )
        .await
        .json()
        .await
        .unwrap();
    let grants = list["items"].as_array().unwrap();
    assert_eq!(grants.len(), 1);
    let detail = app.detail(&koord, &id).await;
    let evs = detail["evaluations"].as_array().unwrap();
    assert_eq!(evs[0]["state"], "completed");
    assert_eq!(evs[0]["outcome"], "pass_with_findings");
    d.run_once(clock.now()).await.unwrap();
    let after = sink.wait_for(mails.len() + 1, StdDuration::from_secs(10));
    assert!(
        after[mails.len()..].iter().any(|m| to(m) == head
            && m["subject"]
                .as_str()
                .unwrap()
                .contains("lulus dengan temuan")),
        "{:?}",
        &after[mails.len()..]
    );
    app.stop().await;
}

/// The agreement's term on the calendar (issue #15): 180, 90 and 30 days before the PKS ends
/// the agency head and the office are mailed to prepare the renewal, each reminder once; the
/// day after the end, the user IDs expire and both hear that the agreement has ended.
#[actix_rt::test]
async fn the_end_of_the_agreement_is_announced_ahead_and_when_it_comes() {
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let app = spawn_app_with_clock(Db::Sqlite, clock.clone()).await;
    let sink = SmtpSink::start();
    let d = dispatcher(&app, &sink.url());
    d.run_once(clock.now()).await.unwrap();
    let mut seen = sink.messages().len();

    let koord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let id = app.find(&koord, "akses_aktif").await;
    let list: Value = app
        .get(&koord, &format!("/api/v1/grants?application={id}"))
        .await
        .json()
        .await
        .unwrap();
    let ends: chrono::NaiveDate = list["items"][0]["valid_until"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    // 02:00 UTC is 09:00 in Pontianak (WIB): the office's day is the UTC day.
    let at = |day: chrono::NaiveDate| Utc.from_utc_datetime(&day.and_hms_opt(2, 0, 0).unwrap());
    let head = "kepala@dpmptsp.pontianak.go.id";
    let mut sweep = async |day: chrono::NaiveDate| -> Vec<(String, String, String)> {
        clock.set(at(day));
        app.store
            .run_evaluation_calendar(clock.now())
            .await
            .unwrap();
        let sent = d.run_once(clock.now()).await.unwrap().sent;
        let all = sink.wait_for(seen + sent, StdDuration::from_secs(10));
        let new: Vec<_> = all[seen..]
            .iter()
            .map(|m| {
                (
                    to(m),
                    m["subject"].as_str().unwrap().to_string(),
                    m["body"].as_str().unwrap_or_default().to_string(),
                )
            })
            .filter(|(_, s, _)| s.starts_with("PKS dengan"))
            .collect();
        seen = all.len();
        new
    };
    for days in [180, 90, 30] {
        let mails = sweep(ends - Duration::days(days)).await;
        let to_head: Vec<_> = mails.iter().filter(|(t, _, _)| t == head).collect();
        assert_eq!(to_head.len(), 1, "{days} days before: {mails:?}");
        let (_, subject, body) = to_head[0];
        assert!(subject.contains("siapkan perpanjangan"), "{subject}");
        assert!(body.contains(&format!("sisa {days} hari")), "{body}");
        assert!(
            mails
                .iter()
                .any(|(t, _, _)| t.ends_with("@disdukcapil.pontianak.go.id")),
            "the office hears too: {mails:?}"
        );
        assert!(
            sweep(ends - Duration::days(days - 1)).await.is_empty(),
            "{days}: once"
        );
    }
    let ended = sweep(ends + Duration::days(1)).await;
    assert!(
        ended
            .iter()
            .any(|(t, s, _)| t == head && s.contains("telah berakhir")),
        "{ended:?}"
    );
    // Months later the first sign-in's token has expired: the coordinator signs in again.
    let koord = app.token(KOORD_PTK.0, KOORD_PTK.1).await;
    let detail = app.detail(&koord, &id).await;
    assert!(
        detail["grants"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| g["kind"] == "production")
            .all(|g| g["status"] == "expired"),
        "{}",
        detail["grants"]
    );
    app.stop().await;
}
