//! Calendar dates are the office's: in a WITA or WIT morning the UTC date is still the day
//! before, and the PKS signing day, the grant's validity and the evaluation dates follow the
//! office's clock (issue #14).

mod common;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use common::*;
use sepakat_core::application::{EventKind, GrantKind};
use sepakat_core::calendar::{self, OfficeZone};
use sepakat_core::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn at(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, day, h, min, 0).unwrap()
}

/// Runs `step` so that it happens exactly at `instant` (each step of a walk is a day later).
fn at_instant<T>(w: &mut Walk, instant: DateTime<Utc>, step: impl FnOnce(&mut Walk) -> T) -> T {
    w.now = instant - Duration::days(1);
    step(w)
}

#[test]
fn local_date_is_the_offices_day() {
    // 23:30 UTC on 31 August is 06:30 WIB on 1 September, 07:30 WITA, 08:30 WIT.
    let instant = at(2026, 8, 31, 23, 30);
    assert_eq!(
        calendar::local_date(instant, OfficeZone::WIB),
        d(2026, 9, 1)
    );
    assert_eq!(
        calendar::local_date(instant, OfficeZone::WITA),
        d(2026, 9, 1)
    );
    assert_eq!(
        calendar::local_date(instant, OfficeZone::WIT),
        d(2026, 9, 1)
    );
    // 16:30 UTC is 23:30 WIB (still 31 August) but 00:30 WITA and 01:30 WIT on 1 September.
    let evening = at(2026, 8, 31, 16, 30);
    assert_eq!(
        calendar::local_date(evening, OfficeZone::WIB),
        d(2026, 8, 31)
    );
    assert_eq!(
        calendar::local_date(evening, OfficeZone::WITA),
        d(2026, 9, 1)
    );
    assert_eq!(
        calendar::local_date(evening, OfficeZone::WIT),
        d(2026, 9, 1)
    );
    // Midnight local is the start of the day; a minute before is the day before.
    assert_eq!(
        calendar::local_date(at(2026, 8, 31, 15, 0), OfficeZone::WIT),
        d(2026, 9, 1)
    );
    assert_eq!(
        calendar::local_date(at(2026, 8, 31, 14, 59), OfficeZone::WIT),
        d(2026, 8, 31)
    );
    // An offset no office can have never panics: it counts as UTC.
    assert_eq!(
        calendar::local_date(evening, OfficeZone(i32::MAX)),
        d(2026, 8, 31)
    );
    assert_eq!(OfficeZone::default(), OfficeZone::WIB);
}

#[test]
fn ownership_without_a_zone_reads_as_wib() {
    let mut json = serde_json::to_value(city_ownership()).unwrap();
    assert_eq!(json["zone"], 420);
    json.as_object_mut().unwrap().remove("zone");
    let back: Ownership = serde_json::from_value(json).unwrap();
    assert_eq!(back.zone, OfficeZone::WIB);
}

/// A production user ID issued at 07:30 WITA on 1 September (23:30 UTC on 31 August).
fn production_issued_at(zone: OfficeZone, instant: DateTime<Utc>) -> Walk {
    let mut w = kabkota_until(ordinary_request(), "user_id_produksi");
    w.app.ownership.zone = zone;
    w.issue(&central(), "permohonan_user_id_produksi");
    at_instant(&mut w, instant, |w| {
        w.act(&central(), "terbitkan_user_id_produksi")
    });
    assert_eq!(w.app.stage, "akses_aktif");
    w
}

#[test]
fn a_production_id_issued_on_a_wita_morning_is_anchored_on_the_local_day() {
    let instant = at(2021, 8, 31, 23, 30);
    let w = production_issued_at(OfficeZone::WITA, instant);
    assert_eq!(w.app.evaluation_anchor, Some(d(2021, 9, 1)));
    // Six months from 1 September is 1 March, not 28 February (from 31 August).
    assert_eq!(w.app.periodic_due, Some(d(2022, 3, 1)));
    assert_eq!(w.app.next_evaluation_due, Some(d(2022, 3, 1)));
    let scheduled = w
        .log
        .iter()
        .rev()
        .find_map(|e| match &e.kind {
            EventKind::EvaluationsScheduled { anchor, first_due } => Some((*anchor, *first_due)),
            _ => None,
        })
        .expect("evaluations scheduled");
    assert_eq!(scheduled, (d(2021, 9, 1), d(2022, 3, 1)));
}

#[test]
fn the_same_instant_in_a_wib_evening_is_still_the_day_before() {
    // 16:30 UTC: 23:30 WIB on 31 August, 00:30 WITA on 1 September.
    let instant = at(2021, 8, 31, 16, 30);
    let wib = production_issued_at(OfficeZone::WIB, instant);
    assert_eq!(wib.app.evaluation_anchor, Some(d(2021, 8, 31)));
    assert_eq!(wib.app.periodic_due, Some(d(2022, 2, 28)));
    let wita = production_issued_at(OfficeZone::WITA, instant);
    assert_eq!(wita.app.evaluation_anchor, Some(d(2021, 9, 1)));
    assert_eq!(wita.app.periodic_due, Some(d(2022, 3, 1)));
}

#[test]
fn the_calendar_escalates_on_the_offices_due_date() {
    let w0 = production_issued_at(OfficeZone::WITA, at(2021, 8, 31, 23, 30));
    let mut w = w0;
    let due = d(2022, 3, 1);
    // Ten days before: opened and reminded.
    let ev = at_instant(&mut w, at(2022, 2, 19, 9, 0), |w| {
        w.try_do(&central(), Command::CheckEvaluations).unwrap()
    });
    assert!(
        ev.iter()
            .any(|e| matches!(e.kind, EventKind::EvaluationOpened { due_on, .. } if due_on == due))
    );
    // 23:00 UTC on 28 February is 07:00 WITA on 1 March: the due date has come.
    let ev = at_instant(&mut w, at(2022, 2, 28, 23, 0), |w| {
        w.try_do(&central(), Command::CheckEvaluations).unwrap()
    });
    let names: Vec<_> = ev.iter().map(|e| e.kind.name()).collect();
    assert_eq!(names, ["evaluation_escalated"]);
}

#[test]
fn the_same_sweep_in_wib_waits_for_the_local_due_date() {
    let mut w = production_issued_at(OfficeZone::WIB, at(2021, 9, 1, 2, 0));
    assert_eq!(w.app.periodic_due, Some(d(2022, 3, 1)));
    at_instant(&mut w, at(2022, 2, 19, 9, 0), |w| {
        w.try_do(&central(), Command::CheckEvaluations).unwrap()
    });
    // 16:30 UTC on 28 February is 23:30 WIB: not yet due.
    let ev = at_instant(&mut w, at(2022, 2, 28, 16, 30), |w| {
        w.try_do(&central(), Command::CheckEvaluations).unwrap()
    });
    assert!(ev.is_empty(), "{ev:?}");
    // 17:00 UTC is midnight WIB on 1 March.
    let ev = at_instant(&mut w, at(2022, 2, 28, 17, 0), |w| {
        w.try_do(&central(), Command::CheckEvaluations).unwrap()
    });
    let names: Vec<_> = ev.iter().map(|e| e.kind.name()).collect();
    assert_eq!(names, ["evaluation_escalated"]);
}

#[test]
fn a_pks_signed_on_a_wit_morning_is_signed_on_the_local_day() {
    let mut w = kabkota_until(ordinary_request(), "penandatanganan_pks");
    w.app.ownership.zone = OfficeZone::WIT;
    // The PKS is issued at 08:30 WIT on 1 September (23:30 UTC on 31 August).
    at_instant(&mut w, at(2021, 8, 31, 23, 30), |w| {
        w.issue(&coord(), "pks")
    });
    assert_eq!(w.app.letters["pks"].date, d(2021, 9, 1));
    w.attach(&coord(), "signed:pks");
    // Recorded as signed at 00:30 WIT on 2 September (15:30 UTC on 1 September).
    at_instant(&mut w, at(2021, 9, 1, 15, 30), |w| {
        w.act(&coord(), "catat_pks_ditandatangani")
    });
    assert_eq!(w.app.pks.signed_on, Some(d(2021, 9, 2)));
    let duration = w.app.request.duration_months;
    let ends = w.app.pks.ends_on(duration).expect("signed");
    assert_eq!(
        ends,
        calendar::add_months_clamped(d(2021, 9, 2), duration.into())
    );
}

#[test]
fn an_incidental_evaluation_due_today_is_not_in_the_past_on_the_offices_day() {
    let mut w = production_issued_at(OfficeZone::WIT, at(2021, 9, 1, 3, 0));
    // 23:00 UTC on 9 October is 08:00 WIT on 10 October: the 10th is today, not tomorrow.
    let ok = at_instant(&mut w, at(2021, 10, 9, 23, 0), |w| {
        w.try_do(
            &central(),
            Command::OpenEvaluation {
                due_on: d(2021, 10, 10),
                reason: "Pengaduan masyarakat".into(),
            },
        )
    });
    assert!(ok.is_ok(), "{ok:?}");
    let refused = at_instant(&mut w, at(2021, 10, 9, 23, 0), |w| {
        w.try_do(
            &central(),
            Command::OpenEvaluation {
                due_on: d(2021, 10, 9),
                reason: "Pengaduan masyarakat".into(),
            },
        )
    });
    assert!(refused.is_err(), "9 October has passed in WIT");
    let grant = w.app.grant(GrantKind::Production).unwrap();
    assert!(grant.valid_until > d(2021, 10, 10));
}

fn coord() -> Actor {
    city_coordinator()
}
