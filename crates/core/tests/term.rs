//! The agreement's term on the calendar (issue #15): reminders 180, 90 and 30 days before the
//! PKS ends, each once; one reminder, not three, for an agreement found late; none once the
//! term is over, when the grants expire.

mod common;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use common::*;
use sepakat_core::application::{EventKind, GrantKind, GrantStatus, TermReminder};
use sepakat_core::evaluation::{TERM_REMINDER_DAYS, term_reminder_due};
use sepakat_core::*;

/// The calendar as the scheduler runs it on `day`; only the term's events.
fn term_events_on(w: &mut Walk, day: NaiveDate) -> Vec<EventKind> {
    w.now = Utc.from_utc_datetime(&day.and_hms_opt(9, 0, 0).unwrap()) - Duration::days(1);
    w.try_do(&central(), Command::CheckEvaluations)
        .expect("the calendar is never refused for central")
        .into_iter()
        .map(|e| e.kind)
        .filter(|k| {
            matches!(
                k,
                EventKind::TermReminded { .. } | EventKind::GrantExpired { .. }
            )
        })
        .collect()
}

fn reminded(ends_on: NaiveDate, days_before: u16) -> EventKind {
    EventKind::TermReminded {
        ends_on,
        days_before,
    }
}

#[test]
fn the_parties_hear_180_90_and_30_days_before_the_end_each_once() {
    let mut w = kabkota_to_production(ordinary_request());
    let ends = w.app.term_ends_on().expect("a live agreement has an end");
    assert_eq!(
        ends,
        w.app.grant(GrantKind::Production).unwrap().valid_until
    );
    assert!(term_events_on(&mut w, ends - Duration::days(181)).is_empty());
    for days in TERM_REMINDER_DAYS {
        let day = ends - Duration::days(days.into());
        assert_eq!(
            term_events_on(&mut w, day),
            [reminded(ends, days)],
            "{days} days before"
        );
        assert!(
            term_events_on(&mut w, day + Duration::days(1)).is_empty(),
            "{days}: not twice"
        );
    }
    assert_eq!(
        w.app.term_reminded,
        Some(TermReminder {
            ends_on: ends,
            days_before: 30
        })
    );
    assert!(
        term_events_on(&mut w, ends).is_empty(),
        "the last day: nothing new"
    );
    // The day after the end the grants expire, and no reminder follows.
    let after = term_events_on(&mut w, ends + Duration::days(1));
    assert!(
        after
            .iter()
            .all(|e| matches!(e, EventKind::GrantExpired { .. })),
        "{after:?}"
    );
    assert_eq!(
        w.app.grant(GrantKind::Production).unwrap().status,
        GrantStatus::Expired
    );
    assert_eq!(w.app.term_ends_on(), None);
    assert!(term_events_on(&mut w, ends + Duration::days(2)).is_empty());
}

#[test]
fn an_agreement_found_late_hears_once_with_the_tightest_reminder() {
    let mut w = kabkota_to_production(ordinary_request());
    let ends = w.app.term_ends_on().unwrap();
    // A sweep that ran last 20 days before the end sends the 30-day reminder only.
    assert_eq!(
        term_events_on(&mut w, ends - Duration::days(20)),
        [reminded(ends, 30)]
    );
    assert!(term_events_on(&mut w, ends - Duration::days(10)).is_empty());
}

#[test]
fn a_later_end_date_starts_the_reminders_again() {
    let w = kabkota_to_production(ordinary_request());
    let ends = w.app.term_ends_on().unwrap();
    let mut app = w.app.clone();
    app.term_reminded = Some(TermReminder {
        ends_on: ends,
        days_before: 30,
    });
    assert_eq!(term_reminder_due(&app, ends - Duration::days(10)), None);
    // The grants now run two more years (a renewal): the 180-day reminder is due again then.
    let renewed = ends + Duration::days(730);
    for g in &mut app.grants {
        g.valid_until = renewed;
    }
    assert_eq!(term_reminder_due(&app, ends), None, "two years ahead");
    assert_eq!(
        term_reminder_due(&app, renewed - Duration::days(170)),
        Some(TermReminder {
            ends_on: renewed,
            days_before: 180
        })
    );
}

#[test]
fn an_agreement_ended_early_has_no_term_to_remind_of() {
    let mut w = kabkota_to_production(ordinary_request());
    let ends = w.app.term_ends_on().unwrap();
    w.act(&city_coordinator(), "akhiri_kerja_sama");
    assert_eq!(w.app.term_ends_on(), None);
    assert!(term_events_on(&mut w, ends - Duration::days(30)).is_empty());
}
