//! The real workflow files walked end to end, and each rule of `apply` on its own.

mod common;

use common::*;
use sepakat_core::application::{EventKind, GrantKind, GrantStatus};
use sepakat_core::machine::Unmet;
use sepakat_core::*;
use uuid::Uuid;

#[test]
fn kabkota_application_reaches_production_with_its_letters_and_calendar() {
    let w = kabkota_to_production(ordinary_request());
    assert_eq!(w.app.stage, "akses_aktif");
    let prod = w
        .app
        .grant(GrantKind::Production)
        .expect("production grant");
    assert_eq!(prod.status, GrantStatus::Active);
    assert_eq!(prod.elements, ordinary_request().element_codes());
    assert_eq!(prod.method, AccessMethod::WebPortal);
    // Valid until the PKS ends: signed on + 24 months.
    assert_eq!(Some(prod.valid_until), w.app.pks.ends_on(24));
    let test = w.app.grant(GrantKind::Test).unwrap();
    assert!(
        matches!(test.status, GrantStatus::Revoked { .. }),
        "the test ID is replaced"
    );
    // First evaluation six months after the production user ID.
    let anchor = w.app.evaluation_anchor.unwrap();
    assert_eq!(anchor, w.now.date_naive());
    assert_eq!(
        w.app.next_evaluation_due,
        Some(sepakat_core::calendar::nth_due(anchor, 6, 1))
    );
    // Every letter was issued (the store numbered each intent), each once, in pipeline order.
    let issued = issued_letters(&w.log);
    let letters: Vec<_> = issued.iter().map(|l| l.letter.as_str()).collect();
    assert_eq!(
        letters,
        [
            "surat_permohonan",
            "surat_izin_kepala_daerah",
            "berita_acara_konsultasi_pks",
            "pks",
            "juknis",
            "surat_spesifikasi_teknis",
            "surat_pernyataan_jaringan",
            "permohonan_user_id_uji",
            "laporan_uji_beban",
            "berita_acara_poc",
            "permohonan_user_id_produksi",
        ]
    );
    let stages: Vec<_> = issued.iter().map(|l| l.stage.as_str()).collect();
    assert_eq!(
        stages,
        [
            "permohonan",
            "izin_kepala_daerah",
            "konsultasi_provinsi",
            "penandatanganan_pks",
            "juknis",
            "spesifikasi_teknis",
            "jaringan_tertutup",
            "user_id_uji",
            "uji_beban",
            "poc",
            "user_id_produksi",
        ]
    );
    let mut numbers: Vec<_> = issued.iter().map(|l| l.number.as_str()).collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(
        numbers.len(),
        issued.len(),
        "every issue has its own number"
    );
    // Each signed scan is the signed copy of the letter issued before it.
    for (key, doc) in &w.app.documents {
        match key.strip_prefix("signed:") {
            Some(letter) => assert_eq!(doc.of_letter, Some(w.app.letters[letter].id), "{key}"),
            None => assert_eq!(doc.of_letter, None, "{key}"),
        }
    }
    // The attestation stands on the agency's signed statement.
    assert_eq!(
        w.app.attestation.as_ref().unwrap().statement_sha256,
        w.app.documents["signed:surat_pernyataan_jaringan"].sha256
    );
    // Rebuilding from the log gives the same state (the audit log is the truth).
    let mut rebuilt = w.log.iter().fold(None::<Application>, |acc, e| match acc {
        None => {
            let mut a = w.app.clone();
            a.stage = "permohonan".into();
            a.documents.clear();
            a.letters.clear();
            a.attestation = None;
            a.grants.clear();
            a.pks = Default::default();
            a.evaluation_anchor = None;
            a.next_evaluation_due = None;
            a.stage_entered_at = e.at;
            Some(a)
        }
        Some(mut a) => {
            a.evolve(e);
            Some(a)
        }
    });
    let rebuilt = rebuilt.take().unwrap();
    assert_eq!(rebuilt.stage, w.app.stage);
    assert_eq!(rebuilt.grants, w.app.grants);
    assert_eq!(rebuilt.pks, w.app.pks);
    assert_eq!(rebuilt.letters, w.app.letters);
    assert_eq!(rebuilt.documents, w.app.documents);
}

#[test]
fn provincial_application_reaches_production_with_the_governors_letter() {
    let coord = coordinator(1, PROVINCE_OFFICE, "63");
    let coord2 = coordinator(2, PROVINCE_OFFICE, "63");
    let head = agency_head();
    let mut w = Walk::start(provinsi(), province_ownership(), ordinary_request());
    w.attach(&head, "signed:surat_permohonan");
    w.act(&coord, "teruskan_ke_gubernur");
    // The Governor's letter, signed by the Sekda on the Governor's behalf, in the regional
    // secretariat's register.
    let governor = w.issue(&coord, "surat_persetujuan_gubernur");
    assert_eq!(governor.register, letter::Register::RegionalSecretariat);
    w.attach(&coord, "signed:surat_persetujuan_gubernur");
    w.act(&coord, "catat_surat_gubernur");
    w.attach(&central(), "persetujuan_dirjen");
    w.act(&central(), "catat_persetujuan_dirjen");
    w.act(&coord, "ajukan_draf_pks");
    // The drafter cannot approve their own draft.
    let refused = w.transition(&coord, "setujui_draf_pks").unwrap_err();
    assert_eq!(refused.unmet, vec![Unmet::FourEyes { version: 1 }]);
    w.act(&coord2, "setujui_draf_pks");
    w.issue(&coord, "pks");
    w.attach(&coord, "signed:pks");
    w.act(&coord, "catat_pks_ditandatangani");
    w.issue(&coord, "juknis");
    w.attach(&coord, "signed:juknis");
    w.act(&coord, "catat_juknis_ditandatangani");
    w.issue(&head, "surat_spesifikasi_teknis");
    w.attach(&head, "spesifikasi_teknis");
    w.act(&head, "ajukan_spesifikasi_teknis");
    // Kalimantan Selatan, April 2021: approved, but no user ID while the network is not attested
    // (and the agency's statement letter is not issued yet).
    let refused = w
        .transition(&coord, "verifikasi_jaringan_tertutup")
        .unwrap_err();
    assert_eq!(
        refused.unmet,
        vec![
            Unmet::MissingAttestation,
            Unmet::LetterNotIssued {
                letter: "surat_pernyataan_jaringan".into()
            }
        ]
    );
    // Here the provider wrote the statement on its own letterhead: the attestation stands on it.
    w.attach(&head, "pernyataan_jaringan");
    w.try_do(
        &coord,
        Command::RecordAttestation {
            details: attestation_details(),
        },
    )
    .unwrap();
    assert_eq!(
        w.app.attestation.as_ref().unwrap().statement_sha256,
        w.app.documents["pernyataan_jaringan"].sha256
    );
    w.issue(&head, "surat_pernyataan_jaringan");
    w.act(&coord, "verifikasi_jaringan_tertutup");
    w.issue(&central(), "permohonan_user_id_uji");
    w.act(&central(), "terbitkan_user_id_uji");
    w.issue(&head, "laporan_uji_beban");
    w.attach(&head, "signed:laporan_uji_beban");
    w.act(&coord, "catat_uji_beban_berhasil");
    w.issue(&coord, "berita_acara_poc");
    w.attach(&coord, "signed:berita_acara_poc");
    w.act(&coord, "catat_poc_berhasil");
    w.issue(&central(), "permohonan_user_id_produksi");
    w.act(&central(), "terbitkan_user_id_produksi");
    assert_eq!(w.app.stage, "akses_aktif");
    assert_eq!(
        issued_letters(&w.log)
            .iter()
            .map(|l| l.letter.as_str())
            .collect::<Vec<_>>(),
        [
            "surat_permohonan",
            "surat_persetujuan_gubernur",
            "pks",
            "juknis",
            "surat_spesifikasi_teknis",
            "surat_pernyataan_jaringan",
            "permohonan_user_id_uji",
            "laporan_uji_beban",
            "berita_acara_poc",
            "permohonan_user_id_produksi",
        ]
    );
}

#[test]
fn a_refusal_lists_every_unmet_requirement_at_once() {
    let mut w = Walk::start(kabkota(), city_ownership(), ordinary_request());
    // Wrong stage, wrong role, and the attestation missing — all in one answer.
    let refused = w
        .transition(&agency_head(), "terbitkan_user_id_uji")
        .unwrap_err();
    assert_eq!(
        refused.unmet,
        vec![
            Unmet::WrongStage {
                current: "permohonan".into(),
                expected: vec!["user_id_uji".into()]
            },
            Unmet::RoleNotAllowed {
                role: Role::AgencyHead,
                allowed: vec![Role::Coordinator, Role::Central]
            },
            Unmet::MissingAttestation,
            Unmet::LetterNotIssued {
                letter: "permohonan_user_id_uji".into()
            },
        ]
    );
    assert!(
        refused.is_forbidden(),
        "a role that may not act makes it a 403"
    );
    let mut fresh = Walk::start(kabkota(), city_ownership(), ordinary_request());
    let fixable = fresh
        .transition(&city_coordinator(), "teruskan_ke_kepala_daerah")
        .unwrap_err();
    assert!(
        !fixable.is_forbidden(),
        "only fixable problems make it a 422"
    );
    // Every message exists in both languages.
    for u in &refused.unmet {
        assert!(!u.message_id().is_empty() && !u.message_en().is_empty());
    }
    assert!(refused.unmet[2].message_id().contains("jaringan tertutup"));
}

#[test]
fn roles_and_jurisdiction_are_enforced() {
    let mut w = Walk::start(kabkota(), city_ownership(), ordinary_request());
    w.attach(&agency_head(), "signed:surat_permohonan");
    let other_city = coordinator(9, Uuid::from_u128(0xF9), "61.72");
    let r = w
        .transition(&other_city, "teruskan_ke_kepala_daerah")
        .unwrap_err();
    assert_eq!(r.unmet, vec![Unmet::OutOfJurisdiction]);
    assert!(r.is_forbidden());
    let r = w
        .transition(&auditor(), "teruskan_ke_kepala_daerah")
        .unwrap_err();
    assert_eq!(
        r.unmet,
        vec![Unmet::ReadOnlyRole {
            role: Role::Auditor
        }]
    );
    let r = w
        .try_do(
            &other_agency_head(),
            Command::AttachDocument {
                key: "spesifikasi_teknis".into(),
                sha256: sha(1),
                filename: "x.pdf".into(),
            },
        )
        .unwrap_err();
    assert_eq!(r.unmet, vec![Unmet::OutOfJurisdiction]);
    // A reviewer of another province cannot touch the draft.
    w.act(&city_coordinator(), "teruskan_ke_kepala_daerah");
    w.issue(&city_coordinator(), "surat_izin_kepala_daerah");
    w.attach(&city_coordinator(), "signed:surat_izin_kepala_daerah");
    w.act(&city_coordinator(), "catat_izin_kepala_daerah");
    w.attach(&city_coordinator(), "persetujuan_dirjen");
    w.act(&city_coordinator(), "catat_persetujuan_dirjen");
    w.act(&city_coordinator(), "ajukan_draf_pks");
    let r = w
        .transition(&reviewer("63"), "setujui_draf_pks")
        .unwrap_err();
    assert_eq!(r.unmet, vec![Unmet::OutOfJurisdiction]);
    // Returning needs a comment.
    let r = w
        .try_do(
            &reviewer("61"),
            transition_command(&w.wf, "kembalikan_draf_pks", Some("  ")),
        )
        .unwrap_err();
    assert_eq!(r.unmet, vec![Unmet::CommentRequired]);
}

#[test]
fn submission_checks_scope_office_level_and_request_policy() {
    let wf = kabkota();
    let mut bad = ordinary_request();
    bad.elements.push(el("iris_mata", "verifikasi"));
    bad.data_balikan.clear();
    let r = submit(
        &wf,
        Uuid::nil(),
        province_ownership(),
        bad,
        &other_agency_head(),
        t0(),
    )
    .unwrap_err();
    assert_eq!(r.unmet[0], Unmet::OutOfJurisdiction);
    assert_eq!(
        r.unmet[1],
        Unmet::WrongOfficeLevel {
            expected: sepakat_core::workflow::Level::Kabkota
        }
    );
    assert!(r.unmet.iter().any(|u| matches!(
        u,
        Unmet::Request {
            problem: sepakat_core::request::RequestProblem::ProtectedElement { .. }
        }
    )));
    assert!(r.unmet.iter().any(|u| matches!(
        u,
        Unmet::Request {
            problem: sepakat_core::request::RequestProblem::MissingDataBalikan
        }
    )));
    let r = submit(
        &wf,
        Uuid::nil(),
        city_ownership(),
        ordinary_request(),
        &city_coordinator(),
        t0(),
    )
    .unwrap_err();
    assert!(matches!(r.unmet[0], Unmet::RoleNotAllowed { .. }));
    // The kab/kota workflow offers web services; the provincial one does not.
    let mut ws = ordinary_request();
    ws.access_method = Some(AccessMethod::WebService);
    assert!(
        submit(
            &wf,
            Uuid::nil(),
            city_ownership(),
            ws.clone(),
            &agency_head(),
            t0()
        )
        .is_ok()
    );
    let r = submit(
        &provinsi(),
        Uuid::nil(),
        province_ownership(),
        ws,
        &agency_head(),
        t0(),
    )
    .unwrap_err();
    assert!(
        r.unmet[0].message_en().contains("web_service"),
        "{}",
        r.unmet[0].message_en()
    );
}

#[test]
fn protected_elements_need_the_minister_before_signing_and_before_any_grant() {
    let coord = city_coordinator();
    let mut w = Walk::start(kabkota(), city_ownership(), security_request());
    w.attach(&agency_head(), "signed:surat_permohonan");
    w.act(&coord, "teruskan_ke_kepala_daerah");
    w.issue(&coord, "surat_izin_kepala_daerah");
    w.attach(&coord, "signed:surat_izin_kepala_daerah");
    w.act(&coord, "catat_izin_kepala_daerah");
    w.attach(&coord, "persetujuan_dirjen");
    w.act(&coord, "catat_persetujuan_dirjen");
    w.act(&coord, "ajukan_draf_pks");
    w.act(&reviewer("61"), "setujui_draf_pks");
    w.issue(&coord, "pks");
    w.attach(&coord, "signed:pks");
    let r = w
        .transition(&coord, "catat_pks_ditandatangani")
        .unwrap_err();
    assert_eq!(r.unmet, vec![Unmet::MissingMinisterApproval]);
    // The approval needs its letter on file.
    let r = w
        .try_do(
            &central(),
            Command::RecordMinisterApproval {
                reference: "X".into(),
            },
        )
        .unwrap_err();
    assert_eq!(
        r.unmet,
        vec![Unmet::MissingDocument {
            kind: "persetujuan_menteri".into()
        }]
    );
    // An ordinary request has nothing for the Minister to approve.
    let mut plain = Walk::start(kabkota(), city_ownership(), ordinary_request());
    plain.attach(&central(), "persetujuan_menteri");
    let r = plain
        .try_do(
            &central(),
            Command::RecordMinisterApproval {
                reference: "X".into(),
            },
        )
        .unwrap_err();
    assert_eq!(r.unmet, vec![Unmet::MinisterApprovalNotNeeded]);

    let w = kabkota_to_production(security_request());
    assert!(w.app.minister_approval.is_some());
    let g = w.app.grant(GrantKind::Production).unwrap();
    assert!(
        g.elements
            .contains(&ElementCode::parse("sidik_jari").unwrap())
    );
}

#[test]
fn withdrawing_the_attestation_suspends_live_grants_and_blocks_restoring() {
    let mut w = kabkota_to_production(ordinary_request());
    let coord = city_coordinator();
    let events = w
        .try_do(
            &coord,
            Command::WithdrawAttestation {
                reason: "VPN diputus".into(),
            },
        )
        .unwrap();
    assert!(events.iter().any(|e| matches!(
        &e.kind,
        EventKind::GrantSuspended {
            kind: GrantKind::Production,
            ..
        }
    )));
    assert!(matches!(
        w.app.grant(GrantKind::Production).unwrap().status,
        GrantStatus::Suspended { .. }
    ));
    w.act(&coord, "tangguhkan_akses");
    let r = w.transition(&coord, "pulihkan_akses").unwrap_err();
    assert_eq!(r.unmet, vec![Unmet::AttestationWithdrawn]);
    // The statement the withdrawn attestation stood on does not attest the network again.
    let again = w.try_do(
        &coord,
        Command::RecordAttestation {
            details: attestation_details(),
        },
    );
    let refused = again.unwrap_err();
    assert!(
        matches!(refused.unmet[..], [Unmet::StatementBeforeWithdrawal { .. }]),
        "{refused}"
    );
    assert!(
        refused.unmet[0]
            .message_id()
            .contains("unggah surat pernyataan baru")
    );
    // A new statement, a new attestation, and access is restored.
    w.attach(&agency_head(), "pernyataan_jaringan");
    w.try_do(
        &coord,
        Command::RecordAttestation {
            details: attestation_details(),
        },
    )
    .unwrap();
    w.act(&coord, "pulihkan_akses");
    assert_eq!(
        w.app.grant(GrantKind::Production).unwrap().status,
        GrantStatus::Active
    );
    // The notice of the end is not offered ahead of the decision; the step issues it.
    assert!(!letter::issuable_ahead(&w.wf, &w.app.stage).contains(&"surat_pengakhiran_pks"));
    let ahead = w.try_issue(&coord, "surat_pengakhiran_pks", Default::default());
    assert!(
        matches!(&ahead, Err(r) if matches!(r.unmet[0], Unmet::LetterNotDue { .. })),
        "{ahead:?}"
    );
    let events = w.act(&coord, "akhiri_kerja_sama");
    assert!(matches!(
        w.app.grant(GrantKind::Production).unwrap().status,
        GrantStatus::Revoked { .. }
    ));
    assert!(
        issued_letters(&events)
            .iter()
            .any(|l| l.letter == "surat_pengakhiran_pks"),
        "ending the agreement numbers its notice"
    );
    let r = w.transition(&coord, "pulihkan_akses").unwrap_err();
    assert!(matches!(r.unmet[0], Unmet::WrongStage { .. }));
}

#[test]
fn attestation_needs_its_signed_statement_and_complete_details() {
    let mut w = Walk::start(kabkota(), city_ownership(), ordinary_request());
    let mut details = attestation_details();
    details.provider = " ".into();
    let r = w
        .try_do(&city_coordinator(), Command::RecordAttestation { details })
        .unwrap_err();
    assert_eq!(
        r.unmet,
        vec![
            Unmet::MissingField {
                field: "provider".into()
            },
            Unmet::MissingDocument {
                kind: "pernyataan_jaringan".into()
            },
        ]
    );
    let r = w
        .try_do(
            &agency_head(),
            Command::RecordAttestation {
                details: attestation_details(),
            },
        )
        .unwrap_err();
    assert!(matches!(r.unmet[0], Unmet::RoleNotAllowed { .. }));
}

#[test]
fn documents_must_be_known_kinds_with_a_real_hash() {
    let mut w = Walk::start(kabkota(), city_ownership(), ordinary_request());
    let r = w
        .try_do(
            &agency_head(),
            Command::AttachDocument {
                key: "signed:surat_cinta".into(),
                sha256: "abc".into(),
                filename: "".into(),
            },
        )
        .unwrap_err();
    assert_eq!(
        r.unmet,
        vec![
            Unmet::UnknownDocumentKind {
                key: "signed:surat_cinta".into()
            },
            Unmet::MissingField {
                field: "sha256".into()
            },
            Unmet::MissingField {
                field: "filename".into()
            },
        ]
    );
}

#[test]
fn unknown_actions_name_the_available_ones() {
    let mut w = Walk::start(kabkota(), city_ownership(), ordinary_request());
    let r = w
        .transition(&city_coordinator(), "lompati_semua")
        .unwrap_err();
    match &r.unmet[0] {
        Unmet::UnknownAction { available, .. } => {
            assert_eq!(
                available,
                &[
                    "teruskan_ke_kepala_daerah",
                    "kembalikan_permohonan",
                    "batalkan_permohonan"
                ]
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn available_actions_show_what_still_blocks_each() {
    let w = Walk::start(kabkota(), city_ownership(), ordinary_request());
    let actions = available_actions(&w.wf, &w.app, &city_coordinator());
    let names: Vec<_> = actions.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(
        names,
        ["teruskan_ke_kepala_daerah", "kembalikan_permohonan"]
    );
    assert_eq!(
        actions[0].unmet,
        vec![Unmet::MissingSignedLetter {
            letter: "surat_permohonan".into()
        }]
    );
    assert!(
        actions[1].unmet.is_empty(),
        "the comment is given when acting"
    );
    assert!(available_actions(&w.wf, &w.app, &auditor()).is_empty());
    assert!(available_actions(&w.wf, &w.app, &other_agency_head()).is_empty());
}

#[test]
fn returns_and_refusals_are_modelled() {
    let coord = city_coordinator();
    let mut w = Walk::start(kabkota(), city_ownership(), ordinary_request());
    w.act(&coord, "kembalikan_permohonan");
    assert_eq!(w.app.stage, "perbaikan_permohonan");
    // The corrected request is issued anew, with a new number, and signed.
    let first = w.app.letters["surat_permohonan"].clone();
    let corrected = w.issue(&agency_head(), "surat_permohonan");
    assert_ne!(corrected.number, first.number);
    w.attach(&agency_head(), "signed:surat_permohonan");
    w.act(&agency_head(), "ajukan_ulang_permohonan");
    w.act(&coord, "teruskan_ke_kepala_daerah");
    w.act(&coord, "catat_penolakan_kepala_daerah");
    assert_eq!(w.app.stage, "ditolak");
    assert!(w.wf.stage("ditolak").unwrap().terminal);
    assert!(available_actions(&w.wf, &w.app, &coord).is_empty());
}

#[test]
fn aggregate_requests_are_answered_by_letter() {
    let wf = agregat();
    let mut req = ordinary_request();
    req.data_type = DataType::Aggregate;
    req.access_method = None;
    req.data_balikan.clear();
    req.duration_months = 1;
    let mut w = Walk::start(wf, city_ownership(), req);
    // The reply carries the figures: it is issued with them before the answer is recorded.
    let r = w
        .transition(&city_coordinator(), "jawab_dengan_surat")
        .unwrap_err();
    assert_eq!(
        r.unmet,
        vec![Unmet::LetterNotIssued {
            letter: "surat_jawaban_data_agregat".into()
        }]
    );
    let reply = w.issue(&city_coordinator(), "surat_jawaban_data_agregat");
    assert_eq!(reply.stage, "permohonan");
    assert_eq!(reply.register, letter::Register::Office);
    let events = w.act(&city_coordinator(), "jawab_dengan_surat");
    assert!(
        issued_letters(&events).is_empty(),
        "the reply is not issued a second time"
    );
    assert_eq!(w.app.stage, "dijawab");
    assert_eq!(w.app.letters["surat_jawaban_data_agregat"], reply);
}

#[test]
fn diagrams_draw_every_stage_and_transition() {
    use sepakat_core::diagram::{Format, render};
    let wf = kabkota();
    let m = render(&wf, Format::Mermaid);
    assert!(m.contains("flowchart TD"));
    for s in &wf.stages {
        assert!(
            m.contains(&format!("    {}[", s.name)) || m.contains(&format!("    {}([", s.name)),
            "{}",
            s.name
        );
    }
    let edges = wf.transitions.iter().map(|t| t.from.len()).sum::<usize>();
    assert_eq!(m.matches(" -->|").count(), edges + 1);
    let d = render(&wf, Format::Dot);
    assert!(d.starts_with("digraph \"pks-kabkota\" {") && d.trim_end().ends_with('}'));
    assert_eq!(d.matches(" -> ").count(), edges + 1);
}

#[test]
fn the_workflow_hash_pins_the_version() {
    let a = kabkota();
    let b =
        Workflow::from_toml("x.toml", &KABKOTA.replace("sla_days = 7", "sla_days = 8")).unwrap();
    assert_eq!(a.name, b.name);
    assert_ne!(a.hash, b.hash);
    assert_eq!(a.hash.len(), 64);
}
