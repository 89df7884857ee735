//! Who an application waits on (issue #14): the roles that can take its next steps now, as the
//! core says them, so inboxes list what is really waiting on each one. A request whose signed
//! letter is missing waits on the agency head as well; an overdue evaluation waits on the agency
//! for its report, then on the office; live access with nothing open, an optional addendum,
//! cancelling and ending wait on nobody.

mod common;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use common::*;
use sepakat_core::inbox::waiting_on;
use sepakat_core::*;

fn roles(w: &Walk) -> Vec<Role> {
    let mut r = waiting_on(&w.wf, &w.app);
    r.sort();
    r
}

fn sorted(mut r: Vec<Role>) -> Vec<Role> {
    r.sort();
    r
}

#[test]
fn a_request_waits_on_whoever_can_move_it_now() {
    let mut w = Walk::start(kabkota(), city_ownership(), ordinary_request());
    // The signed request letter is the agency's to upload (or the office's, on receipt); the
    // office may also return the request at once.
    assert_eq!(roles(&w), sorted(vec![Role::AgencyHead, Role::Coordinator]));
    w.attach(&agency_head(), "signed:surat_permohonan");
    assert_eq!(roles(&w), vec![Role::Coordinator]);
    // Returned for correction: only the agency head can resubmit.
    w.act(&city_coordinator(), "kembalikan_permohonan");
    assert_eq!(roles(&w), vec![Role::AgencyHead]);
}

#[test]
fn each_stage_waits_on_its_provider() {
    let w = kabkota_until(ordinary_request(), "persetujuan_dirjen");
    // Ditjen's letter: filed by Ditjen or by the office that receives it.
    assert_eq!(roles(&w), sorted(vec![Role::Central, Role::Coordinator]));
    let w = kabkota_until(ordinary_request(), "konsultasi_provinsi");
    assert_eq!(roles(&w), vec![Role::ProvincialReviewer]);
    let w = kabkota_until(ordinary_request(), "spesifikasi_teknis");
    assert!(roles(&w).contains(&Role::AgencyHead), "{:?}", roles(&w));
}

#[test]
fn live_access_waits_only_on_its_open_evaluations() {
    let mut w = kabkota_to_production(ordinary_request());
    // Nothing open: no inbox, though an addendum may be proposed and the agreement ended.
    assert!(roles(&w).is_empty(), "{:?}", roles(&w));
    // Past the first due date the calendar opens the evaluation: the agency owes its report.
    let due = w.app.periodic_due.unwrap();
    let day: NaiveDate = due + Duration::days(20);
    w.now = Utc.from_utc_datetime(&day.and_hms_opt(2, 0, 0).unwrap());
    w.try_do(&central(), Command::CheckEvaluations).unwrap();
    assert!(w.app.open_evaluations().next().is_some());
    assert_eq!(
        roles(&w),
        sorted(vec![Role::AgencyHead, Role::Coordinator]),
        "the semester report: the agency's, or the office's on receipt"
    );
    // With the report on file, the office (or Ditjen) records the outcome.
    w.attach(&agency_head(), "laporan_semester");
    assert_eq!(roles(&w), sorted(vec![Role::Coordinator, Role::Central]));
}

#[test]
fn ends_wait_on_nobody() {
    let mut w = kabkota_to_production(ordinary_request());
    w.act(&city_coordinator(), "akhiri_kerja_sama");
    assert!(roles(&w).is_empty());
    // An aggregate request waits on the office that answers it by letter.
    let mut req = ordinary_request();
    req.data_type = DataType::Aggregate;
    req.access_method = None;
    req.data_balikan.clear();
    req.duration_months = 1;
    let agg = Walk::start(agregat(), city_ownership(), req);
    assert!(
        roles(&agg).contains(&Role::Coordinator),
        "{:?}",
        roles(&agg)
    );
}
