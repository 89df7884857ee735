use super::documents::LEGACY_SIGNED_FILERS;
use super::error::line_col;
use super::*;

const SHIPPED: &[(&str, &str)] = &[
    (
        "pks-kabkota.toml",
        include_str!("../../../../workflows/pks-kabkota.toml"),
    ),
    (
        "pks-provinsi.toml",
        include_str!("../../../../workflows/pks-provinsi.toml"),
    ),
    (
        "data-agregat.toml",
        include_str!("../../../../workflows/data-agregat.toml"),
    ),
];

fn shipped(file: &str) -> Workflow {
    let (_, src) = SHIPPED.iter().find(|(f, _)| *f == file).unwrap();
    Workflow::from_toml(file, src).unwrap()
}

/// Who may file what in the PKS workflows, kind by kind.
fn expected_filers(kind: &str) -> &'static [Role] {
    match kind {
        "persetujuan_dirjen" | "penolakan_dirjen" | "persetujuan_menteri" => {
            &[Role::Central, Role::Coordinator]
        }
        "berita_acara_poc" => &[Role::Coordinator, Role::AgencyHead],
        _ => &[Role::AgencyHead, Role::Coordinator],
    }
}

#[test]
fn may_file_every_kind_by_every_role_in_the_pks_workflows() {
    for file in ["pks-kabkota.toml", "pks-provinsi.toml"] {
        let wf = shipped(file);
        for (kind, _) in DOCUMENTS {
            let filers = expected_filers(kind);
            assert_eq!(wf.filers(kind), filers, "{file}: {kind}");
            for role in Role::ALL.iter() {
                let got = wf.may_file(kind, *role);
                if filers.contains(role) {
                    assert_eq!(got, Ok(()), "{file}: {role} files {kind}");
                } else {
                    let refusal = got.unwrap_err();
                    assert_eq!(
                        refusal,
                        FilingRefusal::NotFiler {
                            kind: kind.to_string(),
                            role: *role,
                            filers: filers.to_vec(),
                        },
                        "{file}: {role} files {kind}"
                    );
                    assert!(refusal.is_permission());
                }
            }
        }
    }
}

#[test]
fn the_applicant_never_files_the_authoritys_answer_and_nobody_files_as_admin() {
    for (file, _) in SHIPPED {
        let wf = shipped(file);
        for kind in [
            "persetujuan_dirjen",
            "penolakan_dirjen",
            "persetujuan_menteri",
        ] {
            assert!(
                wf.may_file(kind, Role::AgencyHead).is_err(),
                "{file}: {kind}"
            );
        }
        for (kind, _) in DOCUMENTS {
            for role in [Role::Admin, Role::Auditor] {
                assert!(
                    wf.may_file(kind, role).is_err(),
                    "{file}: {role} files {kind}"
                );
            }
        }
    }
}

#[test]
fn the_aggregate_workflow_takes_only_the_deed() {
    let wf = shipped("data-agregat.toml");
    assert_eq!(wf.may_file("akta_badan_hukum", Role::AgencyHead), Ok(()));
    let refusal = wf
        .may_file("persetujuan_dirjen", Role::Central)
        .unwrap_err();
    assert_eq!(
        refusal,
        FilingRefusal::NotInWorkflow {
            kind: "persetujuan_dirjen".into(),
            accepted: vec![
                "akta_badan_hukum".into(),
                "signed:surat_jawaban_data_agregat".into(),
                "signed:surat_permohonan".into(),
            ],
        }
    );
    assert!(!refusal.is_permission(), "a wrong kind is a 422, not a 403");
    assert_eq!(
        wf.may_file("surat_cinta", Role::AgencyHead),
        Err(FilingRefusal::UnknownKind {
            kind: "surat_cinta".into()
        })
    );
    assert!(
        matches!(
            wf.may_file("signed:pks", Role::Coordinator),
            Err(FilingRefusal::NotInWorkflow { .. })
        ),
        "the aggregate workflow issues no PKS"
    );
    assert_eq!(
        wf.may_file("signed:surat_cinta", Role::Coordinator),
        Err(FilingRefusal::UnknownKind {
            kind: "signed:surat_cinta".into()
        })
    );
    assert_eq!(
        wf.may_file("signed:surat_jawaban_data_agregat", Role::AgencyHead),
        Err(FilingRefusal::NotFiler {
            kind: "signed:surat_jawaban_data_agregat".into(),
            role: Role::AgencyHead,
            filers: vec![Role::Coordinator],
        }),
        "the office's answer is the office's to file"
    );
}

#[test]
fn a_signed_scan_is_filed_by_whoever_signs_or_sends_the_letter() {
    for (file, _) in SHIPPED {
        let wf = shipped(file);
        // Every letter the workflow issues says who files its signed scan, as the legacy
        // rule for stored versions does.
        for letter in wf.letters() {
            let key = format!("signed:{letter}");
            let legacy = LEGACY_SIGNED_FILERS
                .iter()
                .find(|(l, _)| *l == letter)
                .map(|(_, r)| r.to_vec());
            assert_eq!(
                Some(wf.filers(&key).to_vec()),
                legacy,
                "{file}: {key} as the shipped rule says"
            );
            for role in [Role::Admin, Role::Auditor, Role::ProvincialReviewer] {
                assert!(wf.may_file(&key, role).is_err(), "{file}: {role} {key}");
            }
        }
        assert_eq!(
            wf.may_file("signed:surat_permohonan", Role::AgencyHead),
            Ok(()),
            "{file}: the agency files its own request"
        );
    }
    for (file, letter) in [
        ("pks-kabkota.toml", "surat_izin_kepala_daerah"),
        ("pks-provinsi.toml", "surat_persetujuan_gubernur"),
    ] {
        let wf = shipped(file);
        let key = format!("signed:{letter}");
        let refusal = wf.may_file(&key, Role::AgencyHead).unwrap_err();
        assert!(refusal.is_permission(), "{file}: {refusal}");
        assert_eq!(
            refusal,
            FilingRefusal::NotFiler {
                kind: key.clone(),
                role: Role::AgencyHead,
                filers: vec![Role::Coordinator],
            }
        );
        assert!(
            refusal
                .message_id()
                .starts_with("Pindaian bertanda tangan Surat"),
            "{}",
            refusal.message_id()
        );
        assert_eq!(wf.may_file(&key, Role::Coordinator), Ok(()));
        assert!(wf.may_file(&key, Role::Central).is_err());
        assert_eq!(wf.document_filer(&key), Some(Role::Coordinator));
    }
}

#[test]
fn a_file_must_say_who_files_each_letters_signed_scan() {
    let (_, src) = SHIPPED[0];
    let line = "\"signed:surat_izin_kepala_daerah\" = [\"coordinator\"]\n";
    assert!(src.contains(line));
    let without = src.replace(line, "");
    let errors = Workflow::from_toml("x.toml", &without).unwrap_err();
    assert_eq!(errors.0.len(), 1, "{errors}");
    assert!(
        errors.0[0]
            .message
            .contains("`signed:surat_izin_kepala_daerah`"),
        "{errors}"
    );
    // A version stored before signed scans were listed is read with the shipped rule.
    let stored = Workflow::from_stored_toml("x.toml", &without).unwrap();
    assert_eq!(stored.documents, shipped("pks-kabkota.toml").documents);
    // A letter the workflow does not issue, or does not exist, is refused.
    let extra = src.replace(
        "[documents]\n",
        "[documents]\n\"signed:surat_persetujuan_gubernur\" = [\"coordinator\"]\n\"signed:surat_cinta\" = [\"coordinator\"]\n",
    );
    let errors = Workflow::from_toml("x.toml", &extra).unwrap_err();
    assert_eq!(errors.0.len(), 2, "{errors}");
    assert!(
        errors
            .to_string()
            .contains("issues no `surat_persetujuan_gubernur`")
    );
    assert!(errors.to_string().contains("unknown letter `surat_cinta`"));
}

#[test]
fn refusals_say_who_may_in_indonesian_and_english() {
    let wf = shipped("pks-kabkota.toml");
    let r = wf
        .may_file("persetujuan_dirjen", Role::AgencyHead)
        .unwrap_err();
    assert_eq!(
        r.message_id(),
        "Surat persetujuan Dirjen Dukcapil hanya dapat diunggah oleh Ditjen Dukcapil, \
         Koordinator Disdukcapil; peran Kepala lembaga pengguna tidak berwenang mengunggahnya."
    );
    assert!(
        r.message_en()
            .contains("Only central, coordinator may file")
    );
    assert!(r.message_en().contains("role agency_head may not"));
    assert!(r.to_string().contains("agency_head"));
    let r = shipped("data-agregat.toml")
        .may_file("laporan_semester", Role::AgencyHead)
        .unwrap_err();
    assert!(r.message_id().contains("tidak digunakan pada alur ini"));
    assert!(r.message_en().contains("takes no `laporan_semester`"));
}

#[test]
fn a_stored_version_from_before_the_documents_table_is_read_with_the_shipped_rule() {
    let (_, src) = SHIPPED[0];
    let start = src.find("[documents]").unwrap();
    let end = start + src[start..].find("\n\n").unwrap();
    let old = format!("{}{}", &src[..start], &src[end..]);
    let errors = Workflow::from_toml("old.toml", &old).unwrap_err();
    assert_eq!(errors.0.len(), 1, "{errors}");
    assert!(errors.0[0].message.contains("who may file"), "{errors}");
    let stored = Workflow::from_stored_toml("old.toml", &old).unwrap();
    assert_eq!(stored.documents, shipped("pks-kabkota.toml").documents);
    // A stored version is otherwise checked as a file is.
    assert!(Workflow::from_stored_toml("bad.toml", "[workflow]").is_err());
}

#[test]
fn line_and_column_of_offsets() {
    let s = "a = 1\nbb = 2\n";
    assert_eq!(line_col(s, 0), (1, 1));
    assert_eq!(line_col(s, 6), (2, 1));
    assert_eq!(line_col(s, 8), (2, 3));
    assert_eq!(line_col(s, 999), (3, 1));
}

#[test]
fn requirement_parsing() {
    assert_eq!(
        Requirement::parse("attestation"),
        Ok(Requirement::Attestation)
    );
    assert_eq!(
        Requirement::parse("signed:pks"),
        Ok(Requirement::Signed("pks".into()))
    );
    assert_eq!(
        Requirement::parse("document:spesifikasi_teknis"),
        Ok(Requirement::Document("spesifikasi_teknis".into()))
    );
    assert!(
        Requirement::parse("signed:surat_cinta")
            .unwrap_err()
            .contains("unknown letter")
    );
    assert!(
        Requirement::parse("document:ktp")
            .unwrap_err()
            .contains("unknown document kind")
    );
    assert!(
        Requirement::parse("approval")
            .unwrap_err()
            .contains("unknown requirement")
    );
    for r in [
        "attestation",
        "pks_approved",
        "minister_approval",
        "comment",
        "signed:juknis",
        "document:laporan_uji_beban",
    ] {
        assert_eq!(Requirement::parse(r).unwrap().to_string(), r);
    }
}
