//! Who may file which uploaded document: the workflow's `[documents]` table, checked by the core
//! on every `AttachDocument` (issue #13: the applicant could file the authority's approval and
//! make Ditjen's step ready).

mod common;

use common::*;
use sepakat_core::machine::{Command, Unmet};
use sepakat_core::next::next_step;
use sepakat_core::*;

fn attach(key: &str) -> Command {
    Command::AttachDocument {
        key: key.into(),
        sha256: sha(7),
        filename: format!("{key}.pdf"),
    }
}

#[test]
fn the_agency_head_cannot_file_the_authoritys_answer_and_ditjens_step_stays_waiting() {
    let mut w = kabkota_until(ordinary_request(), "persetujuan_dirjen");
    for kind in [
        "persetujuan_dirjen",
        "penolakan_dirjen",
        "persetujuan_menteri",
    ] {
        let r = w.try_do(&agency_head(), attach(kind)).unwrap_err();
        assert_eq!(
            r.unmet,
            vec![Unmet::NotDocumentFiler {
                kind: kind.into(),
                role: Role::AgencyHead,
                filers: vec![Role::Central, Role::Coordinator],
            }],
            "{kind}"
        );
        assert!(r.is_forbidden(), "{kind}: a 403");
        assert!(r.unmet[0].message_id().contains("tidak berwenang"));
        assert!(r.unmet[0].message_en().contains("may not"));
    }
    assert!(!w.app.has_document("persetujuan_dirjen"));
    // Ditjen's step still waits on the approval, filed by Ditjen.
    let next = next_step(&w.wf, &w.app, &central(), w.now);
    let step = next
        .steps
        .iter()
        .find(|s| s.action == "catat_persetujuan_dirjen")
        .unwrap();
    assert!(!step.ready());
    assert_eq!(step.missing[0].by, Role::Central);
    // The rightful filers succeed: Ditjen, or the office the letter was sent to.
    w.attach(&central(), "persetujuan_dirjen");
    w.attach(&city_coordinator(), "penolakan_dirjen");
    assert!(w.app.has_document("persetujuan_dirjen"));
    let next = next_step(&w.wf, &w.app, &central(), w.now);
    assert!(
        next.steps
            .iter()
            .find(|s| s.action == "catat_persetujuan_dirjen")
            .unwrap()
            .ready()
    );
}

#[test]
fn every_kind_by_every_role_through_the_core() {
    let w = kabkota_until(ordinary_request(), "persetujuan_dirjen");
    let actors = [
        agency_head(),
        city_coordinator(),
        reviewer("61"),
        central(),
        auditor(),
    ];
    for (kind, _) in sepakat_core::workflow::DOCUMENTS {
        for actor in &actors {
            let result = execute(&w.wf, &w.app, &attach(kind), actor, w.now);
            let may = w.wf.may_file(kind, actor.role).is_ok();
            match result {
                Ok(_) => assert!(may, "{} filed {kind}", actor.role),
                Err(r) => {
                    assert!(!may, "{} refused {kind}: {r}", actor.role);
                    assert!(r.is_forbidden(), "{} refused {kind}: {r}", actor.role);
                    if actor.may_write() {
                        assert!(
                            r.unmet
                                .iter()
                                .any(|u| matches!(u, Unmet::NotDocumentFiler { .. })),
                            "{r}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn a_kind_the_workflow_does_not_take_is_refused_as_unprocessable() {
    let mut req = ordinary_request();
    req.data_type = DataType::Aggregate;
    req.access_method = None;
    req.data_balikan.clear();
    req.duration_months = 1;
    let w = Walk::start(agregat(), city_ownership(), req);
    let r = execute(
        &w.wf,
        &w.app,
        &attach("persetujuan_dirjen"),
        &central(),
        w.now,
    )
    .unwrap_err();
    assert_eq!(
        r.unmet,
        vec![Unmet::DocumentNotInWorkflow {
            kind: "persetujuan_dirjen".into(),
            accepted: vec![
                "akta_badan_hukum".into(),
                "signed:surat_jawaban_data_agregat".into(),
                "signed:surat_permohonan".into(),
            ],
        }]
    );
    assert!(!r.is_forbidden(), "a 422");
    assert!(
        execute(
            &w.wf,
            &w.app,
            &attach("akta_badan_hukum"),
            &agency_head(),
            w.now
        )
        .is_ok()
    );
}

#[test]
fn signed_letters_keep_their_own_rule() {
    let mut w = Walk::start(kabkota(), city_ownership(), ordinary_request());
    w.attach(&agency_head(), "signed:surat_permohonan");
    let r = w
        .try_do(&reviewer("61"), attach("signed:surat_permohonan"))
        .unwrap_err();
    assert!(r.is_forbidden());
}

#[test]
fn the_agency_head_cannot_file_the_regional_heads_signed_letter() {
    let mut w = kabkota_until(ordinary_request(), "izin_kepala_daerah");
    w.issue(&city_coordinator(), "surat_izin_kepala_daerah");
    let key = "signed:surat_izin_kepala_daerah";
    let r = w.try_do(&agency_head(), attach(key)).unwrap_err();
    assert_eq!(
        r.unmet,
        vec![Unmet::NotDocumentFiler {
            kind: key.into(),
            role: Role::AgencyHead,
            filers: vec![Role::Coordinator],
        }]
    );
    assert!(r.is_forbidden(), "a 403");
    assert!(!w.app.has_document(key));
    // The step stays waiting on the scan, and the next-step box names the office.
    let next = next_step(&w.wf, &w.app, &agency_head(), w.now);
    let step = next
        .steps
        .iter()
        .find(|s| s.action == "catat_izin_kepala_daerah")
        .unwrap();
    assert!(!step.ready());
    assert!(
        step.missing
            .iter()
            .any(|m| matches!(&m.unmet, Unmet::MissingSignedLetter { .. })
                && m.by == Role::Coordinator),
        "{:?}",
        step.missing
    );
    // Ditjen receives no such letter; the office does.
    assert!(
        w.try_do(&central(), attach(key))
            .unwrap_err()
            .is_forbidden()
    );
    w.attach(&city_coordinator(), key);
    assert!(w.app.has_document(key));
}

#[test]
fn the_agency_head_cannot_file_the_governors_signed_letter() {
    let mut w = Walk::start(provinsi(), province_ownership(), ordinary_request());
    let coord = coordinator(3, province_ownership().office_id, "63");
    w.attach(&agency_head(), "signed:surat_permohonan");
    w.act(&coord, "teruskan_ke_gubernur");
    w.issue(&coord, "surat_persetujuan_gubernur");
    let key = "signed:surat_persetujuan_gubernur";
    let r = w.try_do(&agency_head(), attach(key)).unwrap_err();
    assert!(r.is_forbidden(), "{r}");
    assert!(
        matches!(&r.unmet[..], [Unmet::NotDocumentFiler { .. }]),
        "{r}"
    );
    assert!(r.unmet[0].message_id().contains("Gubernur"), "{r}");
    assert!(!w.app.has_document(key));
    w.attach(&coord, key);
    assert!(w.app.has_document(key));
}

#[test]
fn every_signed_letter_by_every_role_through_the_core() {
    let w = kabkota_until(ordinary_request(), "akses_aktif");
    let actors = [agency_head(), city_coordinator(), reviewer("61"), central()];
    for letter in w.app.letters.keys() {
        let key = format!("signed:{letter}");
        for actor in &actors {
            let result = execute(&w.wf, &w.app, &attach(&key), actor, w.now);
            let may = w.wf.may_file(&key, actor.role).is_ok();
            assert_eq!(result.is_ok(), may, "{} files {key}", actor.role);
        }
    }
}
