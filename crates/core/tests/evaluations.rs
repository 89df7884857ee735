//! The evaluation calendar and evaluation outcomes on a live access: open, remind, escalate,
//! suspend when overdue; fail suspends, a later pass restores; the attestation gate holds.

mod common;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use common::*;
use sepakat_core::application::{EventKind, GrantKind, GrantStatus};
use sepakat_core::machine::Unmet;
use sepakat_core::*;

/// The calendar as the scheduler runs it, on `day` (09:00 UTC).
fn check_on(w: &mut Walk, day: NaiveDate) -> Vec<EventKind> {
    w.now = Utc.from_utc_datetime(&day.and_hms_opt(9, 0, 0).unwrap()) - Duration::days(1);
    w.try_do(&central(), Command::CheckEvaluations)
        .expect("the calendar is never refused for central")
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

fn names(events: &[EventKind]) -> Vec<&'static str> {
    events.iter().map(EventKind::name).collect()
}

fn record(outcome: EvaluationOutcome, data_balikan_met: bool, due_on: NaiveDate) -> Command {
    Command::RecordEvaluation {
        kind: EvaluationKind::Periodic,
        due_on,
        outcome,
        findings: "Pemanfaatan sesuai PKS.".into(),
        data_balikan_met,
        access_count: None,
    }
}

fn production_status(w: &Walk) -> GrantStatus {
    w.app.grant(GrantKind::Production).unwrap().status.clone()
}

#[test]
fn the_calendar_opens_reminds_escalates_then_suspends_each_once() {
    let mut w = kabkota_to_production(ordinary_request());
    let due = w
        .app
        .periodic_due
        .expect("first periodic evaluation scheduled");
    assert_eq!(w.app.next_evaluation_due, Some(due));
    let policy = w.wf.evaluation.clone();

    // Well before the reminder window: nothing.
    assert!(check_on(&mut w, due - Duration::days(30)).is_empty());
    // The reminder window opens the evaluation and reminds the agency, once.
    let ev = check_on(&mut w, due - Duration::days(policy.reminder_days.into()));
    assert_eq!(names(&ev), ["evaluation_opened", "evaluation_reminded"]);
    assert!(
        check_on(&mut w, due - Duration::days(3)).is_empty(),
        "no second reminder"
    );
    // On the due date: escalated to the head of office, once.
    assert_eq!(names(&check_on(&mut w, due)), ["evaluation_escalated"]);
    assert!(check_on(&mut w, due + Duration::days(5)).is_empty());
    assert_eq!(production_status(&w), GrantStatus::Active, "grace period");
    // Last day of grace: still active. The day after: overdue, grants suspended.
    assert!(check_on(&mut w, due + Duration::days(policy.grace_days.into())).is_empty());
    let ev = check_on(
        &mut w,
        due + Duration::days(i64::from(policy.grace_days) + 1),
    );
    assert_eq!(names(&ev), ["evaluation_overdue", "grant_suspended"]);
    assert!(matches!(
        production_status(&w),
        GrantStatus::Suspended { .. }
    ));
    assert!(
        w.app
            .grant(GrantKind::Production)
            .unwrap()
            .held_by_evaluation
    );
    assert!(
        check_on(&mut w, due + Duration::days(90)).is_empty(),
        "no double suspension"
    );
    // The overdue evaluation is still the one due.
    assert_eq!(w.app.next_evaluation_due, Some(due));
}

#[test]
fn a_sweep_long_after_the_due_date_does_every_step_at_once() {
    let mut w = kabkota_to_production(ordinary_request());
    let due = w.app.periodic_due.unwrap();
    let ev = check_on(&mut w, due + Duration::days(100));
    assert_eq!(
        names(&ev),
        [
            "evaluation_opened",
            "evaluation_reminded",
            "evaluation_escalated",
            "evaluation_overdue",
            "grant_suspended"
        ]
    );
}

#[test]
fn a_pass_restores_what_the_calendar_suspended_and_schedules_the_next_date() {
    let mut w = kabkota_to_production(ordinary_request());
    let anchor = w.app.evaluation_anchor.unwrap();
    let due = w.app.periodic_due.unwrap();
    check_on(&mut w, due + Duration::days(45));
    assert!(matches!(
        production_status(&w),
        GrantStatus::Suspended { .. }
    ));

    // A pass needs this period's semester report.
    let coord = city_coordinator();
    let refused = w
        .try_do(&coord, record(EvaluationOutcome::Pass, true, due))
        .unwrap_err();
    assert!(
        refused.unmet.contains(&Unmet::MissingSemesterReport),
        "{refused:?}"
    );
    w.attach(&agency_head(), "laporan_semester");
    // Data balikan owed: a plain pass is impossible, pass with findings is fine.
    let refused = w
        .try_do(&coord, record(EvaluationOutcome::Pass, false, due))
        .unwrap_err();
    assert_eq!(refused.unmet, vec![Unmet::DataBalikanNotMet]);
    let ev = w
        .try_do(
            &coord,
            record(EvaluationOutcome::PassWithFindings, false, due),
        )
        .unwrap();
    let kinds: Vec<_> = ev.iter().map(|e| e.kind.name()).collect();
    assert_eq!(
        kinds,
        [
            "evaluation_recorded",
            "letter_issued",
            "grant_restored",
            "evaluations_scheduled"
        ]
    );
    // The report is the letter the workflow's [evaluation] names, numbered with the outcome
    // (the store issues the core's intent in the same transaction).
    let report = issued_letters(&ev);
    assert_eq!(report.len(), 1);
    assert_eq!(report[0].letter, "laporan_evaluasi");
    assert_eq!(report[0].stage, "akses_aktif");
    assert_eq!(w.app.letters["laporan_evaluasi"], *report[0]);
    assert_eq!(production_status(&w), GrantStatus::Active);
    let next = calendar::nth_due(anchor, 6, 2);
    assert_eq!(w.app.periodic_due, Some(next));
    assert_eq!(w.app.next_evaluation_due, Some(next));
    // Recorded once: a second outcome for the same evaluation is refused.
    let again = w
        .try_do(&coord, record(EvaluationOutcome::Fail, true, due))
        .unwrap_err();
    assert!(again.unmet.contains(&Unmet::NoOpenEvaluation {
        kind: EvaluationKind::Periodic,
        due_on: due
    }));
}

#[test]
fn a_fail_suspends_and_a_later_incidental_pass_restores() {
    let mut w = kabkota_to_production(ordinary_request());
    let due = w.app.periodic_due.unwrap();
    check_on(&mut w, due - Duration::days(1));
    let coord = city_coordinator();
    w.try_do(&coord, record(EvaluationOutcome::Fail, false, due))
        .unwrap();
    assert!(matches!(
        production_status(&w),
        GrantStatus::Suspended { .. }
    ));

    // Re-evaluation: an incidental evaluation, opened by Disdukcapil.
    let today = w.now.date_naive();
    let re_due = today + Duration::days(14);
    let blank = w
        .try_do(
            &coord,
            Command::OpenEvaluation {
                due_on: re_due,
                reason: " ".into(),
            },
        )
        .unwrap_err();
    assert!(blank.unmet.contains(&Unmet::CommentRequired));
    w.try_do(
        &coord,
        Command::OpenEvaluation {
            due_on: re_due,
            reason: "Evaluasi ulang setelah perbaikan".into(),
        },
    )
    .unwrap();
    assert_eq!(w.app.next_evaluation_due, Some(re_due));
    w.attach(&agency_head(), "laporan_semester");
    w.try_do(
        &coord,
        Command::RecordEvaluation {
            kind: EvaluationKind::Incidental,
            due_on: re_due,
            outcome: EvaluationOutcome::Pass,
            findings: "Temuan sebelumnya telah ditindaklanjuti.".into(),
            data_balikan_met: true,
            access_count: Some(12_500),
        },
    )
    .unwrap();
    assert_eq!(production_status(&w), GrantStatus::Active);
}

#[test]
fn a_pass_never_restores_without_an_active_attestation_nor_a_manual_suspension() {
    let mut w = kabkota_to_production(ordinary_request());
    let due = w.app.periodic_due.unwrap();
    check_on(&mut w, due + Duration::days(45));
    let coord = city_coordinator();
    // The network statement is withdrawn meanwhile.
    w.try_do(
        &coord,
        Command::WithdrawAttestation {
            reason: "VPN diputus".into(),
        },
    )
    .unwrap();
    w.attach(&agency_head(), "laporan_semester");
    let ev = w
        .try_do(&coord, record(EvaluationOutcome::Pass, true, due))
        .unwrap();
    assert!(ev.iter().all(|e| e.kind.name() != "grant_restored"));
    assert!(matches!(
        production_status(&w),
        GrantStatus::Suspended { .. }
    ));

    // A suspension by hand is not the calendar's to lift.
    let mut w = kabkota_to_production(ordinary_request());
    w.act(&coord, "tangguhkan_akses");
    let due = w.app.periodic_due.unwrap();
    check_on(&mut w, due - Duration::days(1));
    w.attach(&agency_head(), "laporan_semester");
    let ev = w
        .try_do(&coord, record(EvaluationOutcome::Pass, true, due))
        .unwrap();
    assert!(ev.iter().all(|e| e.kind.name() != "grant_restored"));
    assert!(matches!(
        production_status(&w),
        GrantStatus::Suspended { .. }
    ));
}

#[test]
fn evaluations_need_live_access_and_the_right_people() {
    // Before production: nothing to evaluate, and the calendar does nothing.
    let mut w = Walk::start(kabkota(), city_ownership(), ordinary_request());
    let coord = city_coordinator();
    let today = w.now.date_naive();
    let r = w
        .try_do(
            &coord,
            Command::OpenEvaluation {
                due_on: today + Duration::days(10),
                reason: "Insidental".into(),
            },
        )
        .unwrap_err();
    assert!(r.unmet.contains(&Unmet::NoLiveAccess));
    assert!(
        w.try_do(&central(), Command::CheckEvaluations)
            .unwrap()
            .is_empty()
    );

    let mut w = kabkota_to_production(ordinary_request());
    let due = w.app.periodic_due.unwrap();
    check_on(&mut w, due);
    // An agency head cannot record its own evaluation; another office's coordinator cannot either.
    let r = w
        .try_do(&agency_head(), record(EvaluationOutcome::Pass, true, due))
        .unwrap_err();
    assert!(r.is_forbidden());
    let other = coordinator(9, PROVINCE_OFFICE, "63");
    let r = w
        .try_do(&other, record(EvaluationOutcome::Fail, true, due))
        .unwrap_err();
    assert!(r.unmet.contains(&Unmet::OutOfJurisdiction));
    let r = w.try_do(&auditor(), Command::CheckEvaluations).unwrap_err();
    assert!(r.is_forbidden());
    // Due dates in the past are refused for incidental evaluations.
    let today = w.now.date_naive();
    let r = w
        .try_do(
            &coord,
            Command::OpenEvaluation {
                due_on: today - Duration::days(1),
                reason: "Insidental".into(),
            },
        )
        .unwrap_err();
    assert!(matches!(r.unmet[0], Unmet::DueDateInPast { .. }));
}

#[test]
fn after_the_cooperation_ends_the_calendar_is_silent() {
    let mut w = kabkota_to_production(ordinary_request());
    let due = w.app.periodic_due.unwrap();
    w.act(&city_coordinator(), "akhiri_kerja_sama");
    assert_eq!(w.app.next_evaluation_due, None);
    assert!(check_on(&mut w, due + Duration::days(100)).is_empty());
}

#[test]
fn the_state_rebuilt_from_the_log_matches_after_evaluations() {
    let mut w = kabkota_to_production(ordinary_request());
    let due = w.app.periodic_due.unwrap();
    check_on(&mut w, due + Duration::days(40));
    w.attach(&agency_head(), "laporan_semester");
    w.try_do(
        &city_coordinator(),
        record(EvaluationOutcome::Pass, true, due),
    )
    .unwrap();
    let mut rebuilt: Option<Application> = None;
    for e in &w.log {
        match rebuilt.as_mut() {
            None => {
                let EventKind::Submitted { .. } = &e.kind else {
                    panic!("the log starts with the submission")
                };
                let (app, _) = submit(
                    &w.wf,
                    w.app.id,
                    w.app.ownership.clone(),
                    w.app.request.clone(),
                    &agency_head(),
                    e.at,
                )
                .unwrap();
                rebuilt = Some(app);
            }
            Some(a) => a.evolve(e),
        }
    }
    let mut rebuilt = rebuilt.unwrap();
    rebuilt.version = w.app.version;
    assert_eq!(rebuilt, w.app);
}

#[test]
fn grants_expire_when_the_pks_ends_and_the_calendar_falls_silent() {
    let mut w = kabkota_to_production(ordinary_request());
    let until = w.app.grant(GrantKind::Production).unwrap().valid_until;
    // Keep the evaluations up to date until then.
    while let Some(due) = w.app.periodic_due.filter(|d| *d <= until) {
        check_on(&mut w, due - Duration::days(1));
        w.attach(&agency_head(), "laporan_semester");
        w.try_do(
            &city_coordinator(),
            record(EvaluationOutcome::Pass, true, due),
        )
        .unwrap();
    }
    assert!(
        check_on(&mut w, until)
            .iter()
            .all(|e| e.name() != "grant_expired")
    );
    let ev = check_on(&mut w, until + Duration::days(1));
    assert_eq!(names(&ev), ["grant_expired"]);
    assert_eq!(production_status(&w), GrantStatus::Expired);
    assert_eq!(w.app.next_evaluation_due, None);
    assert!(check_on(&mut w, until + Duration::days(400)).is_empty());
}
