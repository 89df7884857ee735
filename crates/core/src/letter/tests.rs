use super::*;
use crate::application::ConnectionType;

#[test]
fn only_coordinators_and_ditjen_archive_letters() {
    use crate::{Actor, Role, Scope, Unmet};
    let actor = |role| Actor {
        id: Uuid::nil(),
        role,
        scope: Scope::National,
    };
    for role in [Role::Coordinator, Role::Central] {
        assert_eq!(archive_unmet(&actor(role)), None, "{role:?}");
    }
    for role in [
        Role::AgencyHead,
        Role::ProvincialReviewer,
        Role::Auditor,
        Role::Admin,
    ] {
        let unmet = archive_unmet(&actor(role));
        assert!(
            matches!(unmet, Some(Unmet::RoleNotAllowed { role: r, ref allowed }) if r == role && allowed == &ARCHIVED_BY),
            "{role:?}: {unmet:?}"
        );
        assert!(unmet.is_some_and(|u| u.is_permission()));
    }
}

#[test]
fn registers_follow_who_signs() {
    assert_eq!(register_of("surat_permohonan"), Register::Agency);
    assert_eq!(register_of("laporan_uji_beban"), Register::Agency);
    assert_eq!(
        register_of("surat_izin_kepala_daerah"),
        Register::RegionalSecretariat
    );
    assert_eq!(
        register_of("surat_persetujuan_gubernur"),
        Register::RegionalSecretariat
    );
    assert_eq!(
        register_of("berita_acara_konsultasi_pks"),
        Register::ProvincialOffice
    );
    assert_eq!(register_of("pks"), Register::Office);
}

#[test]
fn every_missing_fact_is_named() {
    let problems = check_inputs("laporan_uji_beban", &LetterInputs::default());
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(
        fields,
        ["test_user_id", "test_date", "scenario", "test_results"]
    );
    assert!(problems[0].message_id.starts_with("Belum diisi"));
    assert!(check_inputs("pks", &LetterInputs::default()).is_empty());
}

#[test]
fn bad_values_are_refused_with_their_place() {
    let inputs = LetterInputs {
        network: Some(ConnectionType::Lan),
        ip_addresses: vec!["10.0.0.1".into(), "300.1.1.1".into(), " ".into()],
        aggregate: vec![AggregateFigure {
            description: "Jumlah penduduk".into(),
            count: 10,
        }],
        ..Default::default()
    };
    let problems = check_inputs("surat_pernyataan_jaringan", &inputs);
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["ip_addresses[2]", "ip_addresses[1]", "aggregate"]);
}

#[test]
fn inputs_round_trip_and_refuse_unknown_fields() {
    let inputs = LetterInputs {
        aggregate: vec![AggregateFigure {
            description: "Jumlah penduduk".into(),
            count: 665_000,
        }],
        ..Default::default()
    };
    // The core has no JSON dependency; TOML goes through the same serde model.
    let text = toml::to_string(&inputs).unwrap();
    assert!(
        !text.contains("signatory"),
        "empty inputs are left out: {text}"
    );
    let back: LetterInputs = toml::from_str(&text).unwrap();
    assert_eq!(back, inputs);
    assert!(toml::from_str::<LetterInputs>("figures = 3").is_err());
}

/// Every input filled in, each value usable.
fn every_input() -> LetterInputs {
    LetterInputs {
        signatory: Some(SignatoryInput {
            kind: SignatoryKind::RegionalSecretary,
            name: "Drs. H. Syahrial Anwar, M.Si.".into(),
            nip: Some("196703121992031004".into()),
            rank: Some("Pembina Utama Madya (IV/d)".into()),
        }),
        network: Some(ConnectionType::VpnAgencyToDisdukcapil),
        ip_addresses: vec!["10.61.71.10".into()],
        technical_team: vec![TeamMember {
            name: "Rina Marlina, S.Kom.".into(),
            position: "Pranata Komputer Ahli Muda".into(),
            role: "Ketua tim teknis".into(),
        }],
        users: vec![UserLine {
            name: "Rina Marlina, S.Kom.".into(),
            nip: Some("198705142010012003".into()),
            position: "Pranata Komputer Ahli Muda".into(),
            ip_address: "10.61.71.10".into(),
        }],
        application_name: Some("SIAP-PPDB Kota Pontianak".into()),
        devices: vec!["Pembaca KTP-el, 2 unit".into()],
        test_user_id: Some("UJI-6171-DISDIK-01".into()),
        test_date: NaiveDate::from_ymd_opt(2021, 9, 14),
        scenario: Some("500 permintaan verifikasi NIK serentak".into()),
        test_results: vec![TestResult {
            parameter: "Waktu tanggap rata-rata".into(),
            target: "paling lama 2 detik".into(),
            result: "1,4 detik".into(),
            passed: true,
            note: None,
        }],
        poc_results: vec![PocResult {
            scenario: "Verifikasi NIK melalui portal web".into(),
            result: "Sesuai".into(),
            passed: true,
        }],
        aggregate: vec![AggregateFigure {
            description: "Jumlah penduduk".into(),
            count: 672_440,
        }],
        access_count: Some(1_250),
    }
}

#[test]
fn each_need_is_an_input_field_some_letter_asks_for() {
    use Need::*;
    let all = [
        Signatory,
        Network,
        IpAddresses,
        TechnicalTeam,
        Users,
        ApplicationName,
        Devices,
        TestUserId,
        TestDate,
        Scenario,
        TestResults,
        PocResults,
        Aggregate,
    ];
    // Exhaustive on purpose: a new fact does not compile until it is listed above.
    for n in all {
        match n {
            Signatory | Network | IpAddresses | TechnicalTeam | Users | ApplicationName
            | Devices | TestUserId | TestDate | Scenario | TestResults | PocResults | Aggregate => {
            }
        }
    }
    let full = toml::Value::try_from(every_input()).unwrap();
    let keys: Vec<&str> = full
        .as_table()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for n in all {
        assert!(
            keys.contains(&n.field()),
            "{n:?}: `{}` is no input",
            n.field()
        );
        assert!(!n.name_id().is_empty() && !n.name_en().is_empty());
        assert!(
            crate::workflow::LETTERS
                .iter()
                .any(|(l, _)| needs(l).contains(&n)),
            "{n:?} is needed by no letter"
        );
    }
    // A letter without facts refuses every input by its field name: nothing is lost.
    let fields: Vec<String> = check_inputs("pks", &every_input())
        .into_iter()
        .map(|p| p.field)
        .collect();
    let mut expected: Vec<&str> = all.iter().map(|n| n.field()).collect();
    expected.push("access_count");
    assert_eq!(fields, expected);
}

#[test]
fn due_letters_of_a_stage_list_step_letters_and_signed_ones_once() {
    let wf = crate::Workflow::from_toml(
        "pks-kabkota.toml",
        include_str!("../../../../workflows/pks-kabkota.toml"),
    )
    .unwrap();
    assert_eq!(
        due_letters(&wf, "izin_kepala_daerah"),
        ["surat_izin_kepala_daerah"]
    );
    // Required signed without being a step's letter: still due.
    assert_eq!(due_letters(&wf, "permohonan"), ["surat_permohonan"]);
    assert!(due_letters(&wf, "persetujuan_dirjen").is_empty());
    assert!(due_letters(&wf, "no_such_stage").is_empty());
}
