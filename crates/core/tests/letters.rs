//! Letters as records: issued (numbered, with the facts a person supplies) before they are
//! signed; a signed scan counts only as the signed copy of the letter's current issue.
//!
//! The store's numbering is played by `common::store_issues_letters`; where a test needs the
//! core's own answer (the intent, before the store), it calls `apply` directly.

mod common;

use common::*;
use sepakat_core::application::EventKind;
use sepakat_core::letter::{self, LetterInputs, Register, counterpart_register, register_of};
use sepakat_core::machine::Unmet;
use sepakat_core::workflow::{LETTERS, Requirement, issued_by_agency, letter_title};
use sepakat_core::*;
use uuid::Uuid;

fn not_issued(letter: &str) -> Unmet {
    Unmet::LetterNotIssued {
        letter: letter.into(),
    }
}

fn attach_command(key: &str, n: u8) -> Command {
    Command::AttachDocument {
        key: key.into(),
        sha256: sha(n),
        filename: format!("{key}.pdf"),
    }
}

/// The input fields of every `Unmet::Letter` problem, in order; panics on any other reason.
fn letter_fields(unmet: &[Unmet]) -> Vec<&str> {
    unmet
        .iter()
        .map(|u| match u {
            Unmet::Letter { problem } => problem.field.as_str(),
            other => panic!("not a letter problem: {other:?}"),
        })
        .collect()
}

/// The core's answer to a transition, before the store turns intents into issued letters.
fn raw_transition(w: &Walk, actor: &Actor, action: &str) -> Vec<EventKind> {
    apply(
        &w.wf,
        &w.app,
        &transition_command(&w.wf, action, Some("catatan")),
        actor,
        w.now,
    )
    .unwrap_or_else(|r| panic!("{action} refused: {r}"))
    .into_iter()
    .map(|e| e.kind)
    .collect()
}

fn intents(events: &[EventKind]) -> Vec<&str> {
    events
        .iter()
        .filter_map(|e| match e {
            EventKind::LetterProduced { letter, .. } => Some(letter.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_letter_cannot_be_signed_before_it_is_issued() {
    let coord = city_coordinator();
    let mut w = kabkota_until(ordinary_request(), "izin_kepala_daerah");
    let key = "signed:surat_izin_kepala_daerah";
    let r = w.try_do(&coord, attach_command(key, 9)).unwrap_err();
    assert_eq!(r.unmet, vec![not_issued("surat_izin_kepala_daerah")]);
    assert!(!r.is_forbidden(), "issuing it is the fix: a 422");
    assert!(!w.app.has_document(key));
    // The step says the same, once: its requirement and its letter are the same letter.
    let r = w
        .transition(&coord, "catat_izin_kepala_daerah")
        .unwrap_err();
    assert_eq!(r.unmet, vec![not_issued("surat_izin_kepala_daerah")]);
    let actions = available_actions(&w.wf, &w.app, &coord);
    assert_eq!(actions[0].action, "catat_izin_kepala_daerah");
    assert_eq!(
        actions[0].unmet,
        vec![not_issued("surat_izin_kepala_daerah")]
    );

    // Issued: the scan is filed as the signed copy of that issue.
    let issued = w.issue(&coord, "surat_izin_kepala_daerah");
    assert_eq!(issued.stage, "izin_kepala_daerah");
    let events = w.try_do(&coord, attach_command(key, 10)).unwrap();
    assert!(matches!(
        &events[0].kind,
        EventKind::DocumentAttached { letter_id, .. } if *letter_id == Some(issued.id)
    ));
    assert_eq!(w.app.documents[key].of_letter, Some(issued.id));
    assert!(w.app.has_signed("surat_izin_kepala_daerah"));
    w.act(&coord, "catat_izin_kepala_daerah");

    // A letter that needs no facts is issued before it is signed too: the PKS.
    let mut w = kabkota_until(ordinary_request(), "penandatanganan_pks");
    let r = w
        .try_do(&coord, attach_command("signed:pks", 9))
        .unwrap_err();
    assert_eq!(r.unmet, vec![not_issued("pks")]);
    let r = w
        .transition(&coord, "catat_pks_ditandatangani")
        .unwrap_err();
    assert_eq!(r.unmet, vec![not_issued("pks")]);

    // The submission's intent is not an issue: without the store's numbering, the request
    // cannot be signed.
    let wf = kabkota();
    let (app, events) = submit(
        &wf,
        Uuid::from_u128(0xAB),
        city_ownership(),
        ordinary_request(),
        &agency_head(),
        t0(),
    )
    .unwrap();
    assert!(matches!(
        &events[1].kind,
        EventKind::LetterProduced { letter, stage, inputs }
            if letter == "surat_permohonan" && stage == "permohonan" && inputs.is_empty()
    ));
    assert!(app.letters.is_empty());
    let r = apply(
        &wf,
        &app,
        &attach_command("signed:surat_permohonan", 1),
        &agency_head(),
        t0(),
    )
    .unwrap_err();
    assert_eq!(r.unmet, vec![not_issued("surat_permohonan")]);
}

#[test]
fn a_signed_copy_of_an_earlier_issue_does_not_satisfy_the_step() {
    let coord = city_coordinator();
    let head = agency_head();
    let mut w = Walk::start(kabkota(), city_ownership(), ordinary_request());
    let first = w.app.letters["surat_permohonan"].clone();
    w.attach(&head, "signed:surat_permohonan");
    w.act(&coord, "kembalikan_permohonan");
    assert_eq!(w.app.stage, "perbaikan_permohonan");

    // The corrected request is issued anew: a new letter, a new number.
    let second = w.issue(&head, "surat_permohonan");
    assert_ne!(second.id, first.id);
    assert_ne!(second.number, first.number);
    assert_eq!(second.stage, "perbaikan_permohonan");
    // The scan on file is the signed copy of the first request: it no longer counts.
    assert_eq!(
        w.app.documents["signed:surat_permohonan"].of_letter,
        Some(first.id)
    );
    assert!(!w.app.has_signed("surat_permohonan"));
    let r = w.transition(&head, "ajukan_ulang_permohonan").unwrap_err();
    assert_eq!(
        r.unmet,
        vec![Unmet::MissingSignedLetter {
            letter: "surat_permohonan".into()
        }]
    );
    w.attach(&head, "signed:surat_permohonan");
    w.act(&head, "ajukan_ulang_permohonan");
    assert_eq!(w.app.stage, "permohonan");

    // Back in `permohonan` (a new visit) the request may be issued once more; the coordinator
    // then cannot forward it on the signed copy of the second issue.
    let third = w.issue(&head, "surat_permohonan");
    assert_ne!(third.id, second.id);
    let r = w
        .transition(&coord, "teruskan_ke_kepala_daerah")
        .unwrap_err();
    assert_eq!(
        r.unmet,
        vec![Unmet::MissingSignedLetter {
            letter: "surat_permohonan".into()
        }]
    );
    w.attach(&head, "signed:surat_permohonan");
    assert_eq!(
        w.app.documents["signed:surat_permohonan"].of_letter,
        Some(third.id)
    );
    w.act(&coord, "teruskan_ke_kepala_daerah");
    assert_eq!(w.app.stage, "izin_kepala_daerah");
}

#[test]
fn a_new_visit_of_a_stage_issues_its_letter_anew() {
    let coord = city_coordinator();
    let head = agency_head();
    // Returned and resubmitted without a new request: back in `permohonan`, the request
    // numbered at submission (in that stage's first visit) is not "already issued".
    let mut w = Walk::start(kabkota(), city_ownership(), ordinary_request());
    let first = w.app.letters["surat_permohonan"].clone();
    w.attach(&head, "signed:surat_permohonan");
    w.act(&coord, "kembalikan_permohonan");
    w.act(&head, "ajukan_ulang_permohonan");
    assert_eq!(w.app.stage, first.stage);
    assert!(!w.app.issued_in_stage("surat_permohonan"));
    let again = w.issue(&head, "surat_permohonan");
    assert_ne!(again.number, first.number);

    // The berita acara issued during the consultation of a draft that was then returned is
    // not the berita acara of the next draft's consultation: the approval issues a new one.
    let reviewer = reviewer("61");
    let mut w = kabkota_until(ordinary_request(), "konsultasi_provinsi");
    let earlier = w.issue(&reviewer, "berita_acara_konsultasi_pks");
    w.act(&reviewer, "kembalikan_draf_pks");
    w.act(&coord, "ajukan_draf_pks");
    assert_eq!(w.app.stage, "konsultasi_provinsi");
    assert!(!w.app.issued_in_stage("berita_acara_konsultasi_pks"));
    assert_eq!(
        intents(&raw_transition(&w, &reviewer, "setujui_draf_pks")),
        ["berita_acara_konsultasi_pks"]
    );
    let events = w.act(&reviewer, "setujui_draf_pks");
    let issued = issued_letters(&events);
    assert_eq!(issued.len(), 1);
    assert_ne!(issued[0].number, earlier.number);
    assert_eq!(w.app.letters["berita_acara_konsultasi_pks"], *issued[0]);
}

#[test]
fn issuing_twice_in_one_stage_is_refused_naming_the_number() {
    let coord = city_coordinator();
    let mut w = kabkota_until(ordinary_request(), "izin_kepala_daerah");
    let first = w.issue(&coord, "surat_izin_kepala_daerah");
    let r = w
        .try_issue(
            &coord,
            "surat_izin_kepala_daerah",
            complete_inputs("surat_izin_kepala_daerah"),
        )
        .unwrap_err();
    assert_eq!(
        r.unmet,
        vec![Unmet::LetterAlreadyIssued {
            letter: "surat_izin_kepala_daerah".into(),
            number: first.number.clone(),
        }]
    );
    assert!(r.unmet[0].message_id().contains(&first.number));
    assert!(r.unmet[0].message_en().contains(&first.number));
    assert_eq!(
        w.app.letters["surat_izin_kepala_daerah"], first,
        "the number stands"
    );

    // The request numbered at submission is not issued again in its stage either.
    let mut w = Walk::start(kabkota(), city_ownership(), ordinary_request());
    let number = w.app.letters["surat_permohonan"].number.clone();
    let r = w
        .try_issue(&agency_head(), "surat_permohonan", LetterInputs::default())
        .unwrap_err();
    assert_eq!(
        r.unmet,
        vec![Unmet::LetterAlreadyIssued {
            letter: "surat_permohonan".into(),
            number
        }]
    );
}

#[test]
fn a_letter_not_due_is_refused_listing_the_due_ones() {
    let coord = city_coordinator();
    let mut w = Walk::start(kabkota(), city_ownership(), ordinary_request());
    let r = w
        .try_issue(&coord, "juknis", complete_inputs("juknis"))
        .unwrap_err();
    assert_eq!(
        r.unmet,
        vec![Unmet::LetterNotDue {
            letter: "juknis".into(),
            due: vec!["surat_permohonan".into()],
        }]
    );
    assert!(r.unmet[0].message_en().contains("surat_permohonan"));
    assert!(r.unmet[0].message_id().contains("surat_permohonan"));

    let mut w = kabkota_until(ordinary_request(), "izin_kepala_daerah");
    let r = w
        .try_issue(&coord, "pks", LetterInputs::default())
        .unwrap_err();
    assert_eq!(
        r.unmet,
        vec![Unmet::LetterNotDue {
            letter: "pks".into(),
            due: vec!["surat_izin_kepala_daerah".into()],
        }]
    );

    // A stage that issues nothing says so; an unknown letter is due nowhere.
    let mut w = kabkota_until(ordinary_request(), "persetujuan_dirjen");
    for l in ["pks", "surat_cinta", "laporan_evaluasi"] {
        let r = w.try_issue(&coord, l, LetterInputs::default()).unwrap_err();
        assert_eq!(
            r.unmet,
            vec![Unmet::LetterNotDue {
                letter: l.into(),
                due: vec![]
            }],
            "{l}"
        );
        assert!(r.unmet[0].message_id().contains("tidak ada"));
        assert!(r.unmet[0].message_en().contains("none"));
    }
    assert!(w.app.letters.keys().all(|l| l != "pks"));
}

#[test]
fn every_missing_input_is_listed_at_once() {
    let head = agency_head();
    let mut w = kabkota_until(ordinary_request(), "spesifikasi_teknis");
    let r = w
        .try_issue(&head, "surat_spesifikasi_teknis", LetterInputs::default())
        .unwrap_err();
    assert_eq!(
        letter_fields(&r.unmet),
        [
            "application_name",
            "network",
            "ip_addresses",
            "devices",
            "technical_team"
        ]
    );
    for u in &r.unmet {
        assert!(u.message_id().starts_with("Belum diisi: "), "{u:?}");
        assert!(u.message_en().starts_with("Missing: "), "{u:?}");
    }
    // Unusable values are named at their place, together with what is missing.
    let mut inputs = complete_inputs("surat_spesifikasi_teknis");
    inputs.devices.clear();
    inputs.ip_addresses = vec!["10.61.71.10".into(), "10.61.71.300".into()];
    inputs.technical_team[1].name = "  ".into();
    let r = w
        .try_issue(&head, "surat_spesifikasi_teknis", inputs)
        .unwrap_err();
    assert_eq!(
        letter_fields(&r.unmet),
        ["devices", "technical_team[1].name", "ip_addresses[1]"]
    );
    // The wrong person gets the permission problem and every missing fact in one answer.
    let r = w
        .try_issue(
            &city_coordinator(),
            "surat_spesifikasi_teknis",
            LetterInputs::default(),
        )
        .unwrap_err();
    assert_eq!(
        r.unmet[0],
        Unmet::RoleNotAllowed {
            role: Role::Coordinator,
            allowed: vec![Role::AgencyHead]
        }
    );
    assert_eq!(letter_fields(&r.unmet[1..]).len(), 5);
    assert!(r.is_forbidden());
    assert!(!w.app.letters.contains_key("surat_spesifikasi_teknis"));

    // The stress-test report: four facts, all named.
    let mut w = kabkota_until(ordinary_request(), "uji_beban");
    let r = w
        .try_issue(&head, "laporan_uji_beban", LetterInputs::default())
        .unwrap_err();
    assert_eq!(
        letter_fields(&r.unmet),
        ["test_user_id", "test_date", "scenario", "test_results"]
    );
}

#[test]
fn an_agency_head_issues_the_agencys_statement_but_not_the_juknis() {
    let mut w = kabkota_until(ordinary_request(), "juknis");
    let r = w
        .try_issue(&agency_head(), "juknis", complete_inputs("juknis"))
        .unwrap_err();
    assert_eq!(
        r.unmet,
        vec![Unmet::RoleNotAllowed {
            role: Role::AgencyHead,
            allowed: vec![Role::Coordinator]
        }]
    );
    assert!(r.is_forbidden());
    // The juknis is the office's, with the agency's number as the counterpart.
    let juknis = w.issue(&city_coordinator(), "juknis");
    assert_eq!(juknis.register, Register::Office);

    // Recording the network step is the coordinator's, but the statement is the agency's
    // letter, numbered in its own register: its head issues it.
    let mut w = kabkota_until(ordinary_request(), "jaringan_tertutup");
    let r = w
        .try_issue(
            &reviewer("61"),
            "surat_pernyataan_jaringan",
            complete_inputs("surat_pernyataan_jaringan"),
        )
        .unwrap_err();
    assert_eq!(
        r.unmet,
        vec![Unmet::RoleNotAllowed {
            role: Role::ProvincialReviewer,
            allowed: vec![Role::AgencyHead]
        }]
    );
    // Not even the coordinator who records the step issues the agency's own letter.
    let r = w
        .try_issue(
            &city_coordinator(),
            "surat_pernyataan_jaringan",
            complete_inputs("surat_pernyataan_jaringan"),
        )
        .unwrap_err();
    assert!(r.is_forbidden(), "{r:?}");
    let r = w
        .try_issue(
            &other_agency_head(),
            "surat_pernyataan_jaringan",
            complete_inputs("surat_pernyataan_jaringan"),
        )
        .unwrap_err();
    assert_eq!(r.unmet, vec![Unmet::OutOfJurisdiction]);
    let r = w
        .try_issue(
            &auditor(),
            "surat_pernyataan_jaringan",
            complete_inputs("surat_pernyataan_jaringan"),
        )
        .unwrap_err();
    assert_eq!(
        r.unmet,
        vec![Unmet::ReadOnlyRole {
            role: Role::Auditor
        }]
    );
    let statement = w.issue(&agency_head(), "surat_pernyataan_jaringan");
    assert_eq!(statement.register, Register::Agency);
    assert_eq!(statement.stage, "jaringan_tertutup");
}

#[test]
fn a_coordinator_cannot_issue_the_regional_heads_permission_without_the_signatory() {
    let coord = city_coordinator();
    let mut w = kabkota_until(ordinary_request(), "izin_kepala_daerah");
    let r = w
        .try_issue(&coord, "surat_izin_kepala_daerah", LetterInputs::default())
        .unwrap_err();
    assert_eq!(letter_fields(&r.unmet), ["signatory"]);
    assert!(
        r.unmet[0]
            .message_id()
            .starts_with("Belum diisi: penanda tangan")
    );
    assert!(!r.is_forbidden());
    // A blank name is refused at its place.
    let mut inputs = complete_inputs("surat_izin_kepala_daerah");
    inputs.signatory.as_mut().unwrap().name = " ".into();
    let r = w
        .try_issue(&coord, "surat_izin_kepala_daerah", inputs)
        .unwrap_err();
    assert_eq!(letter_fields(&r.unmet), ["signatory.name"]);
    // Nothing typed is silently lost: a fact the letter has no place for is refused.
    let mut inputs = complete_inputs("surat_izin_kepala_daerah");
    inputs.ip_addresses = vec!["10.61.71.10".into()];
    let r = w
        .try_issue(&coord, "surat_izin_kepala_daerah", inputs)
        .unwrap_err();
    assert_eq!(letter_fields(&r.unmet), ["ip_addresses"]);
    assert!(!w.app.letters.contains_key("surat_izin_kepala_daerah"));

    // With who signs, it is issued in the regional secretariat's register.
    let events = w
        .try_issue(
            &coord,
            "surat_izin_kepala_daerah",
            complete_inputs("surat_izin_kepala_daerah"),
        )
        .unwrap();
    let issued = issued_letters(&events);
    assert_eq!(issued.len(), 1);
    assert_eq!(issued[0].register, Register::RegionalSecretariat);
    assert_eq!(
        register_of("surat_izin_kepala_daerah"),
        Register::RegionalSecretariat
    );
}

#[test]
fn a_step_whose_letter_needs_facts_waits_for_its_issue_and_does_not_issue_it_again() {
    let head = agency_head();
    let coord = city_coordinator();
    let mut w = kabkota_until(ordinary_request(), "spesifikasi_teknis");
    w.attach(&head, "spesifikasi_teknis");
    let r = w
        .transition(&head, "ajukan_spesifikasi_teknis")
        .unwrap_err();
    assert_eq!(r.unmet, vec![not_issued("surat_spesifikasi_teknis")]);
    let actions = available_actions(&w.wf, &w.app, &head);
    let a = actions
        .iter()
        .find(|a| a.action == "ajukan_spesifikasi_teknis")
        .unwrap();
    assert_eq!(a.unmet, vec![not_issued("surat_spesifikasi_teknis")]);

    let issued = w.issue(&head, "surat_spesifikasi_teknis");
    let raw = raw_transition(&w, &head, "ajukan_spesifikasi_teknis");
    assert_eq!(
        intents(&raw),
        Vec::<&str>::new(),
        "no second intent for an issued letter"
    );
    assert_eq!(raw.len(), 1, "{raw:?}");
    w.act(&head, "ajukan_spesifikasi_teknis");
    assert_eq!(w.app.letters["surat_spesifikasi_teknis"], issued);

    // The test user ID: the grant comes with the step, the request letter before it.
    w.issue(&head, "surat_pernyataan_jaringan");
    w.attach(&head, "signed:surat_pernyataan_jaringan");
    w.try_do(
        &coord,
        Command::RecordAttestation {
            details: attestation_details(),
        },
    )
    .unwrap();
    w.act(&coord, "verifikasi_jaringan_tertutup");
    let r = w.transition(&coord, "terbitkan_user_id_uji").unwrap_err();
    assert_eq!(r.unmet, vec![not_issued("permohonan_user_id_uji")]);
    assert!(w.app.grants.is_empty());
    w.issue(&coord, "permohonan_user_id_uji");
    let raw = raw_transition(&w, &coord, "terbitkan_user_id_uji");
    assert!(intents(&raw).is_empty());
    assert!(raw.iter().any(|e| e.name() == "grant_issued"));

    // A letter that needs no facts is still issued by its step when nobody issued it ahead...
    let reviewer = reviewer("61");
    let mut w = kabkota_until(ordinary_request(), "konsultasi_provinsi");
    let raw = raw_transition(&w, &reviewer, "setujui_draf_pks");
    assert!(raw.iter().any(|e| matches!(e,
        EventKind::LetterProduced { letter, stage, inputs }
            if letter == "berita_acara_konsultasi_pks"
                && stage == "konsultasi_provinsi"
                && inputs.is_empty())));
    // ...and only once when it was.
    let ba = w.issue(&reviewer, "berita_acara_konsultasi_pks");
    assert_eq!(ba.register, Register::ProvincialOffice);
    assert!(intents(&raw_transition(&w, &reviewer, "setujui_draf_pks")).is_empty());
    let events = w.act(&reviewer, "setujui_draf_pks");
    assert!(issued_letters(&events).is_empty());
    assert_eq!(w.app.letters["berita_acara_konsultasi_pks"], ba);
}

#[test]
fn an_attestation_accepts_the_signed_issued_statement() {
    let coord = city_coordinator();
    let head = agency_head();
    let record = || Command::RecordAttestation {
        details: attestation_details(),
    };
    let missing = vec![Unmet::MissingDocument {
        kind: "pernyataan_jaringan".into(),
    }];
    let mut w = kabkota_until(ordinary_request(), "jaringan_tertutup");
    assert_eq!(w.try_do(&coord, record()).unwrap_err().unmet, missing);
    // Issued but unsigned, the letter is no statement yet.
    w.issue(&head, "surat_pernyataan_jaringan");
    assert_eq!(w.try_do(&coord, record()).unwrap_err().unmet, missing);
    w.attach(&head, "signed:surat_pernyataan_jaringan");
    let events = w.try_do(&coord, record()).unwrap();
    let signed = &w.app.documents["signed:surat_pernyataan_jaringan"];
    assert!(matches!(
        &events[0].kind,
        EventKind::AttestationRecorded { statement_sha256, .. } if *statement_sha256 == signed.sha256
    ));
    assert!(w.app.attestation_active());
    w.act(&coord, "verifikasi_jaringan_tertutup");
    assert_eq!(w.app.stage, "user_id_uji");
}

#[test]
fn a_signed_scan_filed_before_letters_were_issued_still_counts() {
    // An audit log written before letters were issued ahead of signing: the intent at
    // submission, then a scan attached with no issued letter to point to.
    let wf = kabkota();
    let old_log = r#"[
        {"at": "2021-04-05T09:00:00Z", "actor": "00000000-0000-0000-0000-000000000001",
         "kind": {"type": "letter_produced", "letter": "surat_permohonan", "stage": "permohonan"}},
        {"at": "2021-04-06T09:00:00Z", "actor": "00000000-0000-0000-0000-000000000001",
         "kind": {"type": "document_attached", "key": "signed:surat_permohonan",
                  "sha256": "0000000000000000000000000000000000000000000000000000000000000001",
                  "filename": "permohonan.pdf"}}
    ]"#;
    let old: Vec<Event> = serde_json::from_str(old_log).unwrap();
    let (mut app, _) = submit(
        &wf,
        Uuid::from_u128(0xAB),
        city_ownership(),
        ordinary_request(),
        &agency_head(),
        t0(),
    )
    .unwrap();
    for e in &old {
        app.evolve(e);
    }
    assert!(app.letters.is_empty());
    assert_eq!(app.documents["signed:surat_permohonan"].of_letter, None);
    assert!(app.has_signed("surat_permohonan"));
    let now = t0() + chrono::Duration::days(2);
    let events = apply(
        &wf,
        &app,
        &transition_command(&wf, "teruskan_ke_kepala_daerah", None),
        &city_coordinator(),
        now,
    )
    .unwrap();
    assert_eq!(events[0].kind.name(), "transitioned");
}

#[test]
fn every_letter_has_its_register_and_two_party_documents_a_counterpart() {
    use Register::*;
    let expected: &[(&str, Register, Option<Register>)] = &[
        ("surat_permohonan", Agency, None),
        ("surat_persetujuan_gubernur", RegionalSecretariat, None),
        ("surat_izin_kepala_daerah", RegionalSecretariat, None),
        ("pks", Office, Some(Agency)),
        ("adendum_pks", Office, Some(Agency)),
        ("berita_acara_konsultasi_pks", ProvincialOffice, None),
        ("juknis", Office, Some(Agency)),
        ("surat_spesifikasi_teknis", Agency, None),
        ("surat_pernyataan_jaringan", Agency, None),
        ("permohonan_user_id_uji", Office, None),
        ("laporan_uji_beban", Agency, None),
        ("berita_acara_poc", Office, None),
        ("permohonan_user_id_produksi", Office, None),
        ("laporan_evaluasi", Office, None),
        ("surat_pengakhiran_pks", Office, None),
        ("surat_jawaban_data_agregat", Office, None),
    ];
    assert_eq!(
        expected.iter().map(|(l, ..)| *l).collect::<Vec<_>>(),
        LETTERS.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
        "the table covers every letter Sepakat produces"
    );
    for (l, register, counterpart) in expected {
        assert_eq!(register_of(l), *register, "{l}");
        assert_eq!(counterpart_register(l), *counterpart, "{l}");
        assert_eq!(issued_by_agency(l), *register == Agency, "{l}");
        // The counterpart is always the other party.
        assert_ne!(Some(*register), *counterpart, "{l}");
    }
}

#[test]
fn complete_inputs_are_exactly_what_each_letter_needs() {
    for (l, _) in LETTERS {
        assert_eq!(
            letter::check_inputs(l, &complete_inputs(l)),
            vec![],
            "{l}: the test fixture must be complete"
        );
        assert_eq!(
            complete_inputs(l).is_empty(),
            letter::needs(l).is_empty(),
            "{l}"
        );
        // Whatever a letter needs is missing from empty inputs, one problem per fact.
        assert_eq!(
            letter::check_inputs(l, &LetterInputs::default()).len(),
            letter::needs(l).len(),
            "{l}"
        );
    }
}

#[test]
fn the_letters_due_in_each_stage_are_letters_the_workflow_knows() {
    let kabkota_due: &[(&str, &[&str])] = &[
        ("permohonan", &["surat_permohonan"]),
        ("perbaikan_permohonan", &["surat_permohonan"]),
        ("izin_kepala_daerah", &["surat_izin_kepala_daerah"]),
        ("persetujuan_dirjen", &[]),
        ("penyusunan_pks", &[]),
        ("konsultasi_provinsi", &["berita_acara_konsultasi_pks"]),
        ("penandatanganan_pks", &["pks"]),
        ("juknis", &["juknis"]),
        ("spesifikasi_teknis", &["surat_spesifikasi_teknis"]),
        ("jaringan_tertutup", &["surat_pernyataan_jaringan"]),
        ("user_id_uji", &["permohonan_user_id_uji"]),
        ("uji_beban", &["laporan_uji_beban"]),
        ("poc", &["berita_acara_poc"]),
        ("user_id_produksi", &["permohonan_user_id_produksi"]),
        ("akses_aktif", &["surat_pengakhiran_pks"]),
        ("perpanjangan_pks", &["surat_pengakhiran_pks"]),
        (
            "konsultasi_perpanjangan",
            &["surat_pengakhiran_pks", "berita_acara_konsultasi_pks"],
        ),
        (
            "penandatanganan_perpanjangan",
            &["surat_pengakhiran_pks", "pks"],
        ),
        ("adendum_pks", &["surat_pengakhiran_pks"]),
        ("konsultasi_adendum", &["surat_pengakhiran_pks"]),
        (
            "penandatanganan_adendum",
            &["surat_pengakhiran_pks", "adendum_pks"],
        ),
        ("akses_ditangguhkan", &["surat_pengakhiran_pks"]),
        ("ditolak", &[]),
        ("dibatalkan", &[]),
        ("diakhiri", &[]),
    ];
    let provinsi_due: &[(&str, &[&str])] = &[
        ("permohonan", &["surat_permohonan"]),
        ("perbaikan_permohonan", &["surat_permohonan"]),
        ("persetujuan_gubernur", &["surat_persetujuan_gubernur"]),
        ("persetujuan_dirjen", &[]),
        ("penyusunan_pks", &[]),
        ("reviu_pks", &[]),
        ("penandatanganan_pks", &["pks"]),
        ("juknis", &["juknis"]),
        ("spesifikasi_teknis", &["surat_spesifikasi_teknis"]),
        ("jaringan_tertutup", &["surat_pernyataan_jaringan"]),
        ("user_id_uji", &["permohonan_user_id_uji"]),
        ("uji_beban", &["laporan_uji_beban"]),
        ("poc", &["berita_acara_poc"]),
        ("user_id_produksi", &["permohonan_user_id_produksi"]),
        ("akses_aktif", &["surat_pengakhiran_pks"]),
        ("perpanjangan_pks", &["surat_pengakhiran_pks"]),
        ("reviu_perpanjangan", &["surat_pengakhiran_pks"]),
        (
            "penandatanganan_perpanjangan",
            &["surat_pengakhiran_pks", "pks"],
        ),
        ("adendum_pks", &["surat_pengakhiran_pks"]),
        ("reviu_adendum", &["surat_pengakhiran_pks"]),
        (
            "penandatanganan_adendum",
            &["surat_pengakhiran_pks", "adendum_pks"],
        ),
        ("akses_ditangguhkan", &["surat_pengakhiran_pks"]),
        ("ditolak", &[]),
        ("dibatalkan", &[]),
        ("diakhiri", &[]),
    ];
    for (wf, table) in [(kabkota(), kabkota_due), (provinsi(), provinsi_due)] {
        // The letters the workflow names: produced by a step or the submission, or signed.
        let mut known = wf.letters();
        for t in &wf.transitions {
            for r in &t.requires {
                if let Requirement::Signed(l) = r {
                    known.push(l.as_str());
                }
            }
        }
        assert_eq!(
            table.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
            wf.stages
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>(),
            "{}: the table covers every stage",
            wf.name
        );
        for stage in &wf.stages {
            let due = letter::due_letters(&wf, &stage.name);
            for l in &due {
                assert!(letter_title(l).is_some(), "{}: {l} unknown", wf.name);
                assert!(
                    known.contains(l),
                    "{}: {l} due at {} but not in the workflow",
                    wf.name,
                    stage.name
                );
                assert_eq!(
                    due.iter().filter(|d| *d == l).count(),
                    1,
                    "{}: {l} listed twice",
                    wf.name
                );
            }
            if stage.terminal {
                assert!(due.is_empty(), "{}: terminal {}", wf.name, stage.name);
            }
            let expected = table.iter().find(|(s, _)| *s == stage.name).unwrap().1;
            assert_eq!(due, expected, "{}: {}", wf.name, stage.name);
        }
        // Every step's letter is due where the step starts.
        for t in &wf.transitions {
            if let Some(l) = &t.letter {
                for from in &t.from {
                    assert!(
                        letter::due_letters(&wf, from).contains(&l.as_str()),
                        "{}: {l} of {} not due at {from}",
                        wf.name,
                        t.action
                    );
                }
            }
        }
    }
}
