//! "What happens next, and who does it", on the shipped workflows: the answer every page, the API
//! and the mails render.

mod common;

use chrono::Duration;
use common::*;
use sepakat_core::machine::Unmet;
use sepakat_core::next::next_step;
use sepakat_core::*;

fn missing(step: &sepakat_core::next::Step) -> Vec<(Unmet, Role)> {
    step.missing
        .iter()
        .map(|m| (m.unmet.clone(), m.by))
        .collect()
}

#[test]
fn a_new_request_waits_on_the_agency_heads_signed_letter_not_on_cancelling() {
    let w = kabkota_until(ordinary_request(), "permohonan");
    let head = agency_head();
    let next = next_step(&w.wf, &w.app, &head, w.now);
    assert!(!next.finished);
    // Forwarding and returning are the coordinator's; cancelling is not a way forward.
    let actions: Vec<&str> = next.steps.iter().map(|s| s.action.as_str()).collect();
    assert!(
        actions.contains(&"teruskan_ke_kepala_daerah"),
        "{actions:?}"
    );
    assert!(!actions.contains(&"batalkan_permohonan"), "{actions:?}");
    let forward = next
        .steps
        .iter()
        .find(|s| s.action == "teruskan_ke_kepala_daerah")
        .unwrap();
    assert_eq!(forward.roles, vec![Role::Coordinator]);
    // First the agency head signs the numbered request and uploads the scan.
    assert_eq!(
        missing(forward),
        vec![(
            Unmet::MissingSignedLetter {
                letter: "surat_permohonan".into()
            },
            Role::AgencyHead
        )]
    );
    assert_eq!(forward.acting_roles(), vec![Role::AgencyHead]);
    assert!(!forward.missing[0].message_id.is_empty());
    assert!(!forward.missing[0].message_en.is_empty());
    // What the head may do themself is still only cancelling.
    let yours: Vec<&str> = next.yours.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(yours, ["batalkan_permohonan"]);

    // Once the scan is on file the step is ready and the coordinator acts.
    let mut w = w;
    w.attach(&head, "signed:surat_permohonan");
    let next = next_step(&w.wf, &w.app, &city_coordinator(), w.now);
    let forward = next
        .steps
        .iter()
        .find(|s| s.action == "teruskan_ke_kepala_daerah")
        .unwrap();
    assert!(forward.ready());
    assert_eq!(forward.acting_roles(), vec![Role::Coordinator]);
    assert!(
        next.yours
            .iter()
            .any(|a| a.action == "teruskan_ke_kepala_daerah" && a.unmet.is_empty())
    );
}

#[test]
fn an_unattested_network_names_the_agencys_statement_then_the_coordinators_attestation() {
    // Kalimantan Selatan, 2021: access approved, no user ID, the network never attested.
    let w = kabkota_until(ordinary_request(), "jaringan_tertutup");
    let next = next_step(&w.wf, &w.app, &agency_head(), w.now);
    let verify = next
        .steps
        .iter()
        .find(|s| s.action == "verifikasi_jaringan_tertutup")
        .expect("the attestation step");
    let got = missing(verify);
    assert_eq!(
        got[..2],
        [
            (
                Unmet::MissingDocument {
                    kind: "pernyataan_jaringan".into()
                },
                Role::AgencyHead
            ),
            (Unmet::MissingAttestation, Role::Coordinator),
        ]
    );
    // The statement letter is the agency's own: issued on its letterhead by its head.
    assert!(got.contains(&(
        Unmet::LetterNotIssued {
            letter: "surat_pernyataan_jaringan".into()
        },
        Role::AgencyHead
    )));
    assert_eq!(verify.acting_roles(), vec![Role::AgencyHead]);
}

#[test]
fn a_withdrawn_attestation_asks_for_a_new_statement() {
    let mut w = kabkota_until(ordinary_request(), "user_id_uji");
    let coord = city_coordinator();
    let before = next_step(&w.wf, &w.app, &coord, w.now);
    let issue = before
        .steps
        .iter()
        .find(|s| s.action == "terbitkan_user_id_uji")
        .unwrap();
    assert!(
        !missing(issue)
            .iter()
            .any(|(u, _)| matches!(u, Unmet::MissingAttestation | Unmet::MissingDocument { .. })),
        "{:?}",
        missing(issue)
    );
    w.try_do(
        &coord,
        Command::WithdrawAttestation {
            reason: "Perangkat VPN diganti.".into(),
        },
    )
    .unwrap();
    let after = next_step(&w.wf, &w.app, &coord, w.now);
    let issue = after
        .steps
        .iter()
        .find(|s| s.action == "terbitkan_user_id_uji")
        .unwrap();
    assert_eq!(
        missing(issue)[..2],
        [
            (
                Unmet::MissingDocument {
                    kind: "pernyataan_jaringan".into()
                },
                Role::AgencyHead
            ),
            (Unmet::AttestationWithdrawn, Role::Coordinator),
        ]
    );
}

#[test]
fn the_stage_target_dates_the_wait_and_ended_applications_have_no_next_step() {
    let mut w = kabkota_until(ordinary_request(), "permohonan");
    let sla = w.wf.stage("permohonan").unwrap().sla_days.unwrap();
    let due = w.app.stage_entered_at + Duration::days(i64::from(sla));
    let on_time = next_step(&w.wf, &w.app, &city_coordinator(), due);
    assert_eq!(on_time.due_at, Some(due));
    assert!(!on_time.overdue);
    let late = next_step(
        &w.wf,
        &w.app,
        &city_coordinator(),
        due + Duration::minutes(1),
    );
    assert!(late.overdue);

    w.act_with(&agency_head(), "batalkan_permohonan", Some("Tidak jadi."));
    let ended = next_step(&w.wf, &w.app, &agency_head(), w.now);
    assert!(ended.finished);
    assert!(ended.steps.is_empty());
    assert_eq!(ended.due_at, None);
    assert!(!ended.overdue);
}

#[test]
fn the_ministers_approval_is_central_work() {
    let mut w = kabkota_until(security_request(), "user_id_uji");
    // Protected elements, and the Minister's approval not (yet) on record.
    w.app.minister_approval = None;
    let next = next_step(&w.wf, &w.app, &city_coordinator(), w.now);
    let issue = next
        .steps
        .iter()
        .find(|s| s.action == "terbitkan_user_id_uji")
        .unwrap();
    assert!(
        missing(issue).contains(&(Unmet::MissingMinisterApproval, Role::Central)),
        "{:?}",
        missing(issue)
    );
}

#[test]
fn an_aggregate_request_waits_on_the_office_that_answers_it() {
    // Kota Pontianak's Bappeda asks for population counts: answering by letter concludes the
    // request, and it is the office's next step (the refusal and the cancellation are not).
    let mut req = ordinary_request();
    req.data_type = DataType::Aggregate;
    req.access_method = None;
    req.data_balikan.clear();
    req.duration_months = 1;
    let w = Walk::start(agregat(), city_ownership(), req);
    let next = next_step(&w.wf, &w.app, &agency_head(), w.now);
    let actions: Vec<&str> = next.steps.iter().map(|s| s.action.as_str()).collect();
    assert_eq!(actions, ["jawab_dengan_surat"]);
    assert_eq!(next.steps[0].roles, vec![Role::Coordinator]);
    assert!(next.due_at.is_some(), "the answer has a target date");
}

#[test]
fn live_access_never_names_its_suspension_as_the_next_step() {
    let w = kabkota_to_production(ordinary_request());
    assert_eq!(w.app.stage, "akses_aktif");
    let next = next_step(&w.wf, &w.app, &city_coordinator(), w.now);
    let actions: Vec<&str> = next.steps.iter().map(|s| s.action.as_str()).collect();
    assert!(!actions.contains(&"tangguhkan_akses"), "{actions:?}");
    // Suspending stays the coordinator's to do, as an action, not as what comes next.
    assert!(next.yours.iter().any(|a| a.action == "tangguhkan_akses"));
}

#[test]
fn an_overdue_evaluation_asks_for_the_semester_report_then_the_offices_record() {
    // Kota Pontianak's DPMPTSP, 2018: no semester report, the calendar suspends the user ID.
    let mut w = kabkota_to_production(ordinary_request());
    let due = w
        .app
        .periodic_due
        .expect("the first evaluation is scheduled");
    w.now = (due + Duration::days(40))
        .and_hms_opt(2, 0, 0)
        .unwrap()
        .and_utc();
    let coord = city_coordinator();
    w.try_do(&coord, Command::CheckEvaluations)
        .expect("the calendar runs");
    assert!(w.app.open_evaluations().any(|e| e.overdue));
    let next = next_step(&w.wf, &w.app, &agency_head(), w.now);
    let first = &next.steps[0];
    assert_eq!(first.action, sepakat_core::next::RECORD_EVALUATION);
    assert_eq!(first.roles, vec![Role::Coordinator, Role::Central]);
    assert_eq!(
        missing(first),
        vec![(
            Unmet::MissingDocument {
                kind: "laporan_semester".into()
            },
            Role::AgencyHead
        )]
    );
    assert_eq!(first.acting_roles(), vec![Role::AgencyHead]);
    assert!(first.title.contains("evaluasi"), "{}", first.title);
    // Once the report is on file, the office records the outcome.
    w.attach(&agency_head(), "laporan_semester");
    let next = next_step(&w.wf, &w.app, &coord, w.now);
    assert!(next.steps[0].ready());
    assert_eq!(
        next.steps[0].acting_roles(),
        vec![Role::Coordinator, Role::Central]
    );
}
