//! The addendum (adendum) of a live agreement (issue #15): either party proposes the whole new
//! scope, checked as a request is; the addendum is drafted, reviewed article by article (four
//! eyes) and signed like the PKS; once signed, the request, the daily quota and every live user
//! ID carry the new scope, and the term stays. A protected element the agreement did not hold
//! needs the Minister's approval recorded after the proposal. Proposing is optional: a live
//! agreement never waits on it.

mod common;

use common::*;
use sepakat_core::addendum::{AddendumProblem, ScopeChange};
use sepakat_core::application::{EventKind, GrantKind, GrantStatus};
use sepakat_core::machine::Unmet;
use sepakat_core::request::RequestProblem;
use sepakat_core::*;

fn propose_command(change: Option<ScopeChange>) -> Command {
    Command::Transition {
        action: "usulkan_adendum".into(),
        comment: Some("Perluasan layanan verifikasi".into()),
        pks: Default::default(),
        addendum: change,
    }
}

/// The live scope with one more element, card readers instead of the web portal, and a higher
/// daily quota.
fn wider_scope(w: &Walk) -> ScopeChange {
    let mut change = ScopeChange::current(&w.app).expect("an individual-data agreement");
    change.elements.push(el(
        "alamat_sekarang",
        "penyaluran bantuan ke alamat domisili",
    ));
    change.access_method = AccessMethod::CardReader;
    change.daily_quota = 2_500;
    change
}

fn codes(list: &[&str]) -> std::collections::BTreeSet<ElementCode> {
    list.iter()
        .map(|c| ElementCode::parse(c).unwrap())
        .collect()
}

#[test]
fn a_signed_addendum_rescopes_the_user_ids_and_keeps_the_term() {
    let mut w = kabkota_to_production(ordinary_request());
    let end = w.app.term_ends_on().unwrap();
    let signed_on = w.app.pks.signed_on;
    let head = agency_head();
    let coord = city_coordinator();
    let change = wider_scope(&w);

    let events = w
        .try_do(&head, propose_command(Some(change.clone())))
        .unwrap();
    assert!(
        events
            .iter()
            .any(|e| matches!(&e.kind, EventKind::AddendumProposed { change: c } if *c == change))
    );
    assert_eq!(w.app.stage, "adendum_pks");
    let pending = w.app.addendum.clone().expect("pending");
    assert_eq!(pending.proposed_by, head.id);
    // Nothing changes before it is signed.
    assert_eq!(
        w.app.grant(GrantKind::Production).unwrap().elements,
        codes(&["nik", "nama_lengkap", "tanggal_lahir"])
    );

    // The old PKS text was approved; the addendum's own text is drafted and reviewed.
    let version = w.app.pks.version;
    w.act(&coord, "ajukan_draf_adendum");
    assert_eq!(w.app.pks.version, version + 1);
    w.act(&reviewer("61"), "kembalikan_draf_adendum");
    w.act(&coord, "ajukan_draf_adendum");
    w.act(&reviewer("61"), "setujui_draf_adendum");
    assert_eq!(w.app.stage, "penandatanganan_adendum");
    // It is signed as its own letter, issued in this stage.
    let refused = w
        .transition(&coord, "catat_adendum_ditandatangani")
        .unwrap_err();
    assert!(
        refused
            .unmet
            .iter()
            .any(|u| matches!(u, Unmet::LetterNotIssued { letter } if letter == "adendum_pks")),
        "{refused}"
    );
    let letter = w.issue(&coord, "adendum_pks");
    assert_eq!(letter.letter, "adendum_pks");
    w.attach(&head, "signed:adendum_pks");
    let events = w.act(&coord, "catat_adendum_ditandatangani");

    assert_eq!(w.app.stage, "akses_aktif");
    assert!(events.iter().any(|e| matches!(
        &e.kind,
        EventKind::AddendumSigned { change: c, .. } if *c == change
    )));
    let production = w.app.grant(GrantKind::Production).unwrap();
    assert_eq!(
        production.elements,
        codes(&["nik", "nama_lengkap", "tanggal_lahir", "alamat_sekarang"])
    );
    assert_eq!(production.method, AccessMethod::CardReader);
    assert_eq!(production.valid_until, end, "the term stays");
    assert_eq!(w.app.pks.signed_on, signed_on, "the PKS's date stays");
    assert_eq!(w.app.request.access_method, Some(AccessMethod::CardReader));
    assert_eq!(w.app.request.elements, change.elements);
    assert_eq!(w.app.daily_quota(), 2_500);
    assert_eq!(w.app.addendum, None);
    assert_eq!(w.app.addenda, 1);
    // The fold of the log alone gives the same state.
    assert_eq!(replayed(&w), w.app);
}

/// The state rebuilt from the walk's events alone.
fn replayed(w: &Walk) -> Application {
    let mut events = w.log.iter();
    let first = events.next().unwrap();
    let EventKind::Submitted { .. } = &first.kind else {
        panic!("the log starts with the submission")
    };
    let (mut app, _) = submit(
        &w.wf,
        w.app.id,
        w.app.ownership.clone(),
        ordinary_request(),
        &agency_head(),
        first.at,
    )
    .unwrap();
    app.letters.clear();
    for e in w.log.iter().skip(1) {
        app.evolve(e);
    }
    // Versions are the store's count of commands, not part of the fold.
    app.version = w.app.version;
    app.letters = w.app.letters.clone();
    app
}

#[test]
fn a_suspended_user_id_is_rescoped_and_stays_suspended() {
    let mut w = kabkota_to_production(ordinary_request());
    let coord = city_coordinator();
    let change = wider_scope(&w);
    w.try_do(&coord, propose_command(Some(change))).unwrap();
    w.act(&coord, "ajukan_draf_adendum");
    w.try_do(
        &coord,
        Command::WithdrawAttestation {
            reason: "VPN diputus".into(),
        },
    )
    .unwrap();
    w.act(&reviewer("61"), "setujui_draf_adendum");
    w.issue(&coord, "adendum_pks");
    w.attach(&coord, "signed:adendum_pks");
    w.act(&coord, "catat_adendum_ditandatangani");
    let production = w.app.grant(GrantKind::Production).unwrap();
    assert!(matches!(production.status, GrantStatus::Suspended { .. }));
    assert_eq!(production.method, AccessMethod::CardReader);
}

#[test]
fn a_proposal_is_checked_as_a_request_is() {
    let mut w = kabkota_to_production(ordinary_request());
    let head = agency_head();

    // No scope at all.
    let refused = w.try_do(&head, propose_command(None)).unwrap_err();
    assert!(
        refused.unmet.contains(&Unmet::MissingField {
            field: "addendum".into()
        }),
        "{refused}"
    );
    // The scope in force again.
    let same = ScopeChange::current(&w.app).unwrap();
    let refused = w
        .try_do(&head, propose_command(Some(same.clone())))
        .unwrap_err();
    assert!(refused.unmet.contains(&Unmet::Addendum {
        problem: AddendumProblem::ChangesNothing
    }));
    // A protected element for a public service, a blank reason, a zero quota: all at once.
    let mut bad = same.clone();
    bad.elements.push(el("sidik_jari", "verifikasi"));
    bad.elements.push(el("alamat_sekarang", "  "));
    bad.daily_quota = 0;
    let refused = w.try_do(&head, propose_command(Some(bad))).unwrap_err();
    let problems: Vec<&AddendumProblem> = refused
        .unmet
        .iter()
        .filter_map(|u| match u {
            Unmet::Addendum { problem } => Some(problem),
            _ => None,
        })
        .collect();
    assert!(problems.iter().any(|p| matches!(
        p,
        AddendumProblem::Request {
            problem: RequestProblem::ProtectedElement { .. }
        }
    )));
    assert!(problems.iter().any(|p| matches!(
        p,
        AddendumProblem::Request {
            problem: RequestProblem::MissingJustification { .. }
        }
    )));
    assert!(
        problems
            .iter()
            .any(|p| matches!(p, AddendumProblem::DailyQuotaOutOfRange { .. }))
    );
    assert!(
        refused
            .unmet
            .iter()
            .any(|u| u.message_id().contains("Batas akses harian"))
    );
    // Nothing was recorded.
    assert_eq!(w.app.stage, "akses_aktif");
    assert_eq!(w.app.addendum, None);

    // A scope given to a step that proposes none is refused, not ignored.
    w.try_do(&head, propose_command(Some(wider_scope(&w))))
        .unwrap();
    let mut draft = transition_command(&w.wf, "ajukan_draf_adendum", None);
    if let Command::Transition { addendum, .. } = &mut draft {
        *addendum = Some(same);
    }
    let refused = w.try_do(&city_coordinator(), draft).unwrap_err();
    assert!(refused.unmet.contains(&Unmet::Addendum {
        problem: AddendumProblem::NotAProposal
    }));
}

#[test]
fn a_new_protected_element_needs_the_ministers_approval_given_after_the_proposal() {
    let mut w = kabkota_to_production(security_request());
    assert!(w.app.minister_approval.is_some(), "sidik_jari was approved");
    let coord = city_coordinator();
    let mut change = ScopeChange::current(&w.app).unwrap();
    change.elements.push(el("iris_mata", "identifikasi pelaku"));
    w.try_do(&coord, propose_command(Some(change))).unwrap();
    assert!(w.app.addendum_needs_minister());
    w.act(&coord, "ajukan_draf_adendum");
    w.act(&reviewer("61"), "setujui_draf_adendum");
    w.issue(&coord, "adendum_pks");
    w.attach(&coord, "signed:adendum_pks");
    let refused = w
        .transition(&coord, "catat_adendum_ditandatangani")
        .unwrap_err();
    assert_eq!(refused.unmet, vec![Unmet::MissingMinisterApproval]);
    // The approval on file is the old one: the Minister's letter about this element is filed.
    let record = Command::RecordMinisterApproval {
        reference: "B/123/MENDAGRI/2027".into(),
    };
    let refused = w.try_do(&central(), record.clone()).unwrap_err();
    assert!(refused.unmet.contains(&Unmet::MissingDocument {
        kind: "persetujuan_menteri".into()
    }));
    w.attach(&central(), "persetujuan_menteri");
    w.try_do(&central(), record).unwrap();
    assert!(!w.app.addendum_needs_minister());
    w.act(&coord, "catat_adendum_ditandatangani");
    assert!(
        w.app
            .grant(GrantKind::Production)
            .unwrap()
            .elements
            .contains(&ElementCode::parse("iris_mata").unwrap())
    );
}

#[test]
fn a_dropped_addendum_leaves_the_scope_and_a_pending_one_blocks_another() {
    let mut w = kabkota_to_production(ordinary_request());
    let head = agency_head();
    let before = w.app.grants.clone();
    w.try_do(&head, propose_command(Some(wider_scope(&w))))
        .unwrap();
    // The agency may drop its own proposal, with the reason.
    let refused = w.transition(&head, "batalkan_adendum");
    assert!(refused.is_ok(), "{refused:?}");
    assert_eq!(w.app.stage, "akses_aktif");
    assert_eq!(w.app.addendum, None);
    assert_eq!(w.app.grants, before);
    assert_eq!(w.app.addenda, 0);
    assert!(w.log.iter().any(
        |e| matches!(&e.kind, EventKind::AddendumDropped { reason: Some(r) } if r == "catatan")
    ));
    // Proposing again works; the pending proposal's gate holds in the core even if a workflow
    // offered the step twice.
    w.try_do(&head, propose_command(Some(wider_scope(&w))))
        .unwrap();
    let t = w.wf.transition("usulkan_adendum").unwrap().clone();
    let mut app = w.app.clone();
    app.stage = "akses_aktif".into();
    let unmet = machine::transition_unmet(&app, &t, &head, Some("x"));
    assert!(unmet.contains(&Unmet::AddendumPending), "{unmet:?}");
}

#[test]
fn proposing_is_optional_nobody_waits_on_it() {
    let w = kabkota_to_production(ordinary_request());
    let next = next::next_step(&w.wf, &w.app, &agency_head(), w.now);
    assert!(
        next.steps.iter().all(|s| s.action != "usulkan_adendum"),
        "{:?}",
        next.steps.iter().map(|s| &s.action).collect::<Vec<_>>()
    );
    // …yet both parties may take it.
    for actor in [agency_head(), city_coordinator()] {
        let actions = available_actions(&w.wf, &w.app, &actor);
        let propose = actions
            .iter()
            .find(|a| a.action == "usulkan_adendum")
            .expect("offered");
        assert!(propose.unmet.is_empty(), "{:?}", propose.unmet);
    }
    assert!(
        inbox::waiting_on(&w.wf, &w.app).is_empty(),
        "a live agreement is not in the agency's inbox for an addendum"
    );
}

#[test]
fn in_a_province_the_drafter_does_not_approve_the_addendum() {
    let mut w = province_to_production();
    let drafter = province_coordinator(1);
    let colleague = province_coordinator(2);
    w.try_do(&drafter, propose_command(Some(wider_scope(&w))))
        .unwrap();
    w.act(&drafter, "ajukan_draf_adendum");
    let refused = w.transition(&drafter, "setujui_draf_adendum").unwrap_err();
    assert!(
        refused
            .unmet
            .iter()
            .any(|u| matches!(u, Unmet::FourEyes { .. })),
        "{refused}"
    );
    w.act(&colleague, "setujui_draf_adendum");
    assert_eq!(w.app.stage, "penandatanganan_adendum");
}
