//! The renewal (perpanjangan) of a live agreement (issue #15): it opens when the calendar
//! announces the PKS's end (180 days ahead), not before, and is not "next" before then; a new
//! PKS version is drafted, reviewed and signed while the user IDs stay live; the signed renewal
//! extends them to the new PKS's end without a gap, and the term's reminders start again. A
//! renewal signed after the end has nothing left to extend.

mod common;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use common::*;
use sepakat_core::application::{EventKind, GrantKind, GrantStatus};
use sepakat_core::machine::Unmet;
use sepakat_core::*;

/// Moves the walk's clock so that its next step happens on `day` (09:00 UTC).
fn on(w: &mut Walk, day: NaiveDate) {
    w.now = Utc.from_utc_datetime(&day.and_hms_opt(9, 0, 0).unwrap()) - Duration::days(1);
}

/// The calendar's sweep on `day`: among the rest, it announces the PKS's end 180 days ahead,
/// which opens the renewal.
fn sweep(w: &mut Walk, day: NaiveDate) -> Vec<EventKind> {
    on(w, day);
    w.try_do(&central(), Command::CheckEvaluations)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

fn production(w: &Walk) -> GrantStatus {
    w.app.grant(GrantKind::Production).unwrap().status.clone()
}

/// Drafts, reviews and signs the renewal of a kab/kota agreement; returns the signing's events.
fn renew_kabkota(w: &mut Walk) -> Vec<EventKind> {
    let coord = city_coordinator();
    w.act(&coord, "mulai_perpanjangan");
    assert_eq!(w.app.stage, "perpanjangan_pks");
    let version = w.app.pks.version;
    w.act(&coord, "ajukan_draf_perpanjangan");
    assert_eq!(w.app.pks.version, version + 1, "a new PKS version");
    w.act(&reviewer("61"), "kembalikan_draf_perpanjangan");
    w.act(&coord, "ajukan_draf_perpanjangan");
    w.act(&reviewer("61"), "setujui_draf_perpanjangan");
    assert_eq!(w.app.stage, "penandatanganan_perpanjangan");
    // The old PKS's signed scan does not sign the renewal: the new PKS is issued and signed.
    let refused = w
        .transition(&coord, "catat_perpanjangan_ditandatangani")
        .unwrap_err();
    assert!(
        refused
            .unmet
            .iter()
            .any(|u| matches!(u, Unmet::LetterNotIssued { letter } if letter == "pks")),
        "{refused}"
    );
    w.issue(&coord, "pks");
    w.attach(&coord, "signed:pks");
    w.act(&coord, "catat_perpanjangan_ditandatangani")
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

#[test]
fn a_signed_renewal_extends_the_user_ids_without_a_gap() {
    let mut w = kabkota_to_production(ordinary_request());
    let old_end = w.app.term_ends_on().unwrap();
    let old_number = w.app.letters["pks"].number.clone();
    sweep(&mut w, old_end - Duration::days(100));
    // (The sweep also suspended the user ID for the evaluations nobody recorded here.)
    let status = production(&w);
    let events = renew_kabkota(&mut w);
    let signed_on = w.app.pks.signed_on.unwrap();
    let new_end = calendar::add_months_clamped(signed_on, 24);
    assert_eq!(w.app.stage, "akses_aktif");
    assert!(
        events
            .iter()
            .any(|e| matches!(e, EventKind::PksSigned { .. }))
    );
    assert!(
        events.contains(&EventKind::GrantExtended {
            kind: GrantKind::Production,
            valid_until: new_end
        }),
        "{events:?}"
    );
    assert!(new_end > old_end);
    // The renewal changes no status: the user ID runs on, now to the new end.
    assert_eq!(production(&w), status);
    assert_eq!(
        w.app.grant(GrantKind::Production).unwrap().valid_until,
        new_end
    );
    assert_eq!(w.app.term_ends_on(), Some(new_end));
    assert_ne!(
        w.app.letters["pks"].number, old_number,
        "the renewal is a new PKS"
    );
    // The old end passes without the grants expiring; the new term is reminded of again.
    on(&mut w, old_end + Duration::days(1));
    let sweep = w.try_do(&central(), Command::CheckEvaluations).unwrap();
    assert!(
        sweep
            .iter()
            .all(|e| !matches!(e.kind, EventKind::GrantExpired { .. })),
        "{sweep:?}"
    );
    assert_eq!(
        evaluation::term_reminder_due(&w.app, new_end - Duration::days(180)).map(|r| r.ends_on),
        Some(new_end)
    );
}

#[test]
fn the_renewal_opens_when_the_calendar_announces_the_end() {
    let mut w = kabkota_to_production(ordinary_request());
    let end = w.app.term_ends_on().unwrap();
    let coord = city_coordinator();
    // Right after the production user ID: refused, saying from when, and not "next".
    let refused = w.transition(&coord, "mulai_perpanjangan").unwrap_err();
    assert_eq!(
        refused.unmet,
        [Unmet::RenewalNotOpen { ends_on: Some(end) }]
    );
    assert!(
        refused.unmet[0].message_id().contains(&format!(
            "180 hari sebelum PKS berakhir pada {}",
            calendar::date_id(end)
        )),
        "the date the Indonesian way: {}",
        refused.unmet[0].message_id()
    );
    let next = next::next_step(&w.wf, &w.app, &coord, w.now);
    assert!(
        next.steps.iter().all(|s| s.action != "mulai_perpanjangan"),
        "{:?}",
        next.steps
    );
    // 181 days ahead the calendar says nothing yet; 180 days ahead it announces the end.
    sweep(&mut w, end - Duration::days(181));
    assert!(!w.app.renewal_open());
    sweep(&mut w, end - Duration::days(180));
    assert!(w.app.renewal_open());
    let next = next::next_step(&w.wf, &w.app, &coord, w.now);
    assert!(
        next.steps.iter().any(|s| s.action == "mulai_perpanjangan"),
        "{:?}",
        next.steps
    );
    w.act(&coord, "mulai_perpanjangan");
    assert_eq!(w.app.stage, "perpanjangan_pks");
}

#[test]
fn evaluations_go_on_during_a_renewal() {
    let mut w = kabkota_to_production(ordinary_request());
    let end = w.app.term_ends_on().unwrap();
    let due = w.app.periodic_due.unwrap();
    // The sweep 180 days before the end finds the first evaluation long overdue: suspended.
    sweep(&mut w, end - Duration::days(180));
    assert!(matches!(production(&w), GrantStatus::Suspended { .. }));
    let coord = city_coordinator();
    w.act(&coord, "mulai_perpanjangan");
    // The agency reports and the office records a pass during the renewal: access is back.
    w.attach(&agency_head(), "laporan_semester");
    w.try_do(
        &coord,
        Command::RecordEvaluation {
            kind: EvaluationKind::Periodic,
            due_on: due,
            outcome: EvaluationOutcome::Pass,
            findings: "Laporan semester diterima.".into(),
            data_balikan_met: true,
            access_count: None,
        },
    )
    .unwrap();
    assert_eq!(production(&w), GrantStatus::Active);
    assert_eq!(w.app.stage, "perpanjangan_pks");
}

#[test]
fn a_renewal_signed_after_the_end_has_nothing_to_extend() {
    let mut w = kabkota_to_production(ordinary_request());
    let end = w.app.term_ends_on().unwrap();
    let coord = city_coordinator();
    sweep(&mut w, end - Duration::days(10));
    w.act(&coord, "mulai_perpanjangan");
    w.act(&coord, "ajukan_draf_perpanjangan");
    w.act(&reviewer("61"), "setujui_draf_perpanjangan");
    w.issue(&coord, "pks");
    w.attach(&coord, "signed:pks");
    on(&mut w, end + Duration::days(1));
    w.try_do(&central(), Command::CheckEvaluations).unwrap();
    assert_eq!(
        w.app.term_ends_on(),
        None,
        "the user IDs expired with the old PKS"
    );
    let refused = w
        .transition(&coord, "catat_perpanjangan_ditandatangani")
        .unwrap_err();
    assert_eq!(refused.unmet, [Unmet::NothingToExtend]);
    assert!(
        refused.unmet[0]
            .message_id()
            .contains("permohonan kerja sama yang baru")
    );
    // The office can end it, with its reason.
    w.act(&coord, "akhiri_kerja_sama");
    assert_eq!(w.app.stage, "diakhiri");
}

#[test]
fn a_cancelled_renewal_returns_to_live_access_and_the_old_end_holds() {
    let mut w = kabkota_to_production(ordinary_request());
    let end = w.app.term_ends_on().unwrap();
    let coord = city_coordinator();
    sweep(&mut w, end - Duration::days(90));
    w.act(&coord, "mulai_perpanjangan");
    w.act(&coord, "ajukan_draf_perpanjangan");
    assert!(w.transition(&coord, "batalkan_perpanjangan").is_ok());
    assert_eq!(w.app.stage, "akses_aktif");
    assert_eq!(w.app.term_ends_on(), Some(end));
}

#[test]
fn only_the_office_starts_a_renewal_and_a_drafter_never_approves_it() {
    let mut w = kabkota_to_production(ordinary_request());
    let refused = w
        .transition(&agency_head(), "mulai_perpanjangan")
        .unwrap_err();
    assert!(refused.is_forbidden(), "{refused}");
    // Four eyes in the provincial workflow, where a coordinator reviews: not the drafter.
    let mut p = Walk::start(provinsi(), province_ownership(), ordinary_request());
    p.app.stage = "perpanjangan_pks".into();
    let drafter = coordinator(7, PROVINCE_OFFICE, "63");
    p.act(&drafter, "ajukan_draf_perpanjangan");
    let refused = p
        .transition(&drafter, "setujui_draf_perpanjangan")
        .unwrap_err();
    assert!(
        refused
            .unmet
            .iter()
            .any(|u| matches!(u, Unmet::FourEyes { .. })),
        "{refused}"
    );
}

#[test]
fn either_party_ends_the_agreement_early_with_its_reason() {
    for who in [agency_head(), city_coordinator()] {
        let mut w = kabkota_to_production(ordinary_request());
        let refused = w
            .try_do(&who, transition_command(&w.wf, "akhiri_kerja_sama", None))
            .unwrap_err();
        assert_eq!(
            refused.unmet,
            [Unmet::CommentRequired],
            "the reason is asked"
        );
        w.act_with(
            &who,
            "akhiri_kerja_sama",
            Some("Layanan dialihkan ke sistem provinsi"),
        );
        assert_eq!(w.app.stage, "diakhiri");
        let production = w.app.grant(GrantKind::Production).unwrap();
        assert_eq!(
            production.status,
            GrantStatus::Revoked {
                reason: "Layanan dialihkan ke sistem provinsi".into()
            },
            "the reason is on the revoked user ID"
        );
        assert_eq!(w.app.term_ends_on(), None);
    }
}
