//! Importing agreements signed before Sepakat: every kind of row error, reported all at once,
//! and the fold of the `imported` event into a live application.

mod common;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use common::{CITY_OFFICE, PROVINCE_OFFICE, agregat, city_coordinator, kabkota, provinsi};
use sepakat_core::application::{ConnectionType, GrantKind, GrantStatus};
use sepakat_core::calendar::OfficeZone;
use sepakat_core::import::{
    self, AgencyLookup, COLUMNS, Directory, FileProblem, Header, ImportedScan, OfficeRef,
    RowProblem, ScanLookup,
};
use sepakat_core::request::RequestProblem;
use sepakat_core::{ElementCode, EventKind, RegionCode, Workflow, evaluation, machine};
use std::collections::BTreeMap;
use uuid::Uuid;

const AGENCY: Uuid = common::AGENCY;

struct Dir {
    workflows: BTreeMap<String, Workflow>,
}

impl Dir {
    fn new() -> Dir {
        let workflows = [kabkota(), provinsi(), agregat()]
            .into_iter()
            .map(|w| (w.name.clone(), w))
            .collect();
        Dir { workflows }
    }
}

impl Directory for Dir {
    fn office(&self, code: &str) -> Option<OfficeRef> {
        match code {
            "61.71" => Some(OfficeRef {
                id: CITY_OFFICE,
                region: RegionCode::parse("61.71").unwrap(),
                zone: OfficeZone::WIB,
            }),
            "61" => Some(OfficeRef {
                id: PROVINCE_OFFICE,
                region: RegionCode::parse("61").unwrap(),
                zone: OfficeZone::WIB,
            }),
            _ => None,
        }
    }
    fn agency(&self, key: &str, _office: Option<Uuid>) -> AgencyLookup {
        match key {
            "Dinas Pendidikan dan Kebudayaan" => AgencyLookup::Found(AGENCY),
            "Dinas Sosial" => AgencyLookup::Ambiguous(2),
            _ => AgencyLookup::Unknown,
        }
    }
    fn workflow(&self, name: &str) -> Option<&Workflow> {
        self.workflows.get(name)
    }
    fn workflow_names(&self) -> Vec<String> {
        self.workflows.keys().cloned().collect()
    }
    fn scan(&self, path: &str) -> ScanLookup {
        match path {
            "scans/pks.pdf" => ScanLookup::Found(ImportedScan {
                sha256: "ab".repeat(32),
                filename: "pks.pdf".into(),
                size: 1234,
            }),
            "scans/locked.pdf" => ScanLookup::Unreadable("permission denied".into()),
            _ => ScanLookup::Missing,
        }
    }
}

/// 1 December 2026, 10:00 WIB.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 3, 0, 0).unwrap()
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn header() -> Header {
    import::parse_header(&COLUMNS.map(String::from)).unwrap()
}

/// A valid row of the Kota Pontianak education office, as cells by column.
fn valid() -> BTreeMap<&'static str, String> {
    [
        ("office", "61.71"),
        ("agency", "Dinas Pendidikan dan Kebudayaan"),
        ("workflow", "pks-kabkota"),
        ("purpose", "Verifikasi data peserta didik baru"),
        ("purpose_kind", "public_service"),
        ("legal_basis", "Permendagri 102/2019"),
        (
            "elements",
            "nik:identitas peserta didik; nama_lengkap:padanan nama;f:verifikasi umur",
        ),
        ("data_balikan", "NISN dipadankan dengan NIK"),
        ("access_method", "web_portal"),
        ("pks_number", "470/191/PIAK/2025"),
        ("pks_signed_on", "2025-03-10"),
        ("pks_term_months", "24"),
        ("minister_approval", ""),
        ("network", "vpn_agency_to_disdukcapil"),
        ("network_provider", "Diskominfo Kota Pontianak"),
        ("technical_contact", "Tim teknis Disdikbud"),
        (
            "user_ids",
            "test:DISDIK-T1:revoked:2025-04-01;production:DISDIK-01:active:2025-05-02",
        ),
        ("last_evaluation", ""),
        ("signed_pks_file", ""),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect()
}

fn cells(row: &BTreeMap<&'static str, String>) -> Vec<String> {
    COLUMNS.iter().map(|c| row[c].clone()).collect()
}

fn source(row: u64) -> import::ImportSource {
    import::ImportSource {
        file_sha256: "cd".repeat(32),
        file_name: "agreements.csv".into(),
        row,
    }
}

fn check(row: &BTreeMap<&'static str, String>) -> Result<import::Accepted, Vec<RowProblem>> {
    import::check_row(source(2), &header(), &cells(row), &Dir::new(), now())
}

fn with(changes: &[(&'static str, &str)]) -> Result<import::Accepted, Vec<RowProblem>> {
    let mut row = valid();
    for (k, v) in changes {
        row.insert(k, v.to_string());
    }
    check(&row)
}

fn problems(changes: &[(&'static str, &str)]) -> Vec<RowProblem> {
    with(changes).expect_err("the row should be refused")
}

#[test]
fn a_valid_row_becomes_a_live_application_in_one_event() {
    let accepted = check(&valid()).expect("valid row");
    let a = &accepted.agreement;
    assert_eq!(a.stage, "akses_aktif");
    assert_eq!(a.pks.ends_on, d("2027-03-10"));
    assert_eq!(a.calendar.anchor, d("2025-05-02"));
    // Never evaluated: the first periodic date after the production user ID's start.
    assert_eq!(a.calendar.next_due, d("2025-11-02"));
    assert_eq!(accepted.ownership.office_id, CITY_OFFICE);
    assert_eq!(accepted.ownership.agency_id, AGENCY);

    let actor = Uuid::from_u128(0xAD);
    let (app, events) = import::start(&accepted, actor, now()).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind.name(), "imported");
    match &events[0].kind {
        EventKind::Imported { agreement } => {
            assert_eq!(agreement.source.file_sha256, "cd".repeat(32));
            assert_eq!(agreement.source.row, 2);
        }
        other => panic!("unexpected event {other:?}"),
    }
    assert_eq!(app.id, accepted.id);
    assert_eq!(app.stage, "akses_aktif");
    assert_eq!(app.stage_entered_at, now());
    assert_eq!(app.pks.signed_on, Some(d("2025-03-10")));
    assert_eq!(app.pks.number.as_deref(), Some("470/191/PIAK/2025"));
    assert_eq!(app.request.duration_months, 24);
    assert!(app.attestation_active(), "attestation recorded as imported");
    let att = app.attestation.as_ref().unwrap();
    assert_eq!(
        att.details.connection,
        ConnectionType::VpnAgencyToDisdukcapil
    );
    assert_eq!(att.recorded_by, actor);
    assert!(att.statement_sha256.is_empty(), "no statement on file");
    assert_eq!(app.grants.len(), 2);
    let prod = app.grant(GrantKind::Production).unwrap();
    assert_eq!(prod.status, GrantStatus::Active);
    assert_eq!(prod.valid_until, d("2027-03-10"));
    assert_eq!(prod.elements.len(), 3);
    // Issued at the start of 2 May 2025 in Pontianak (WIB): 1 May, 17:00 UTC.
    assert_eq!(
        prod.issued_at,
        Utc.with_ymd_and_hms(2025, 5, 1, 17, 0, 0).unwrap()
    );
    assert!(matches!(
        app.grant(GrantKind::Test).unwrap().status,
        GrantStatus::Revoked { .. }
    ));
    assert!(app.access_live());
    assert_eq!(app.evaluation_anchor, Some(d("2025-05-02")));
    assert_eq!(app.next_evaluation_due, Some(d("2025-11-02")));

    // The fold is the state: replaying the event on the base gives the same application.
    let mut replay = app.clone();
    replay.evolve(&events[0]);
    assert_eq!(replay, app);

    // The calendar takes over: the overdue first evaluation opens at once.
    let wf = kabkota();
    let calendar = evaluation::calendar_events(&wf, &app, d("2026-12-01"));
    assert!(
        calendar.iter().any(|e| matches!(
            e,
            EventKind::EvaluationOpened { due_on, .. } if *due_on == d("2025-11-02")
        )),
        "{calendar:?}"
    );

    // And the ordinary steps of a live access apply: the office can suspend it.
    let mut coordinator = city_coordinator();
    coordinator.id = Uuid::from_u128(0xC0);
    let command = common::transition_command(&wf, "tangguhkan_akses", Some("Laporan semester"));
    let (after, _) = machine::execute(&wf, &app, &command, &coordinator, now()).unwrap();
    assert_eq!(after.stage, "akses_ditangguhkan");
}

#[test]
fn the_next_evaluation_counts_from_the_last_one() {
    let a = with(&[("last_evaluation", "15/11/2025")]).unwrap();
    assert_eq!(a.agreement.calendar.last_evaluation, Some(d("2025-11-15")));
    // The anchor stays the production start: 2 May, so the next date after 15 Nov is 2 May.
    assert_eq!(a.agreement.calendar.next_due, d("2026-05-02"));
    let a = with(&[("last_evaluation", "2026-05-02")]).unwrap();
    assert_eq!(a.agreement.calendar.next_due, d("2026-11-02"));
    let (app, _) = import::start(&a, Uuid::from_u128(1), now()).unwrap();
    assert_eq!(app.next_evaluation_due, Some(d("2026-11-02")));
}

#[test]
fn a_suspended_production_id_lands_in_the_suspended_stage() {
    let a = with(&[("user_ids", "production:DISDIK-01:ditangguhkan:2025-05-02")]).unwrap();
    assert_eq!(a.agreement.stage, "akses_ditangguhkan");
    let (app, _) = import::start(&a, Uuid::from_u128(1), now()).unwrap();
    assert!(matches!(
        app.grant(GrantKind::Production).unwrap().status,
        GrantStatus::Suspended { .. }
    ));
    assert!(app.access_live());
}

#[test]
fn protected_elements_need_the_purpose_and_the_ministers_approval() {
    let p = problems(&[("elements", "nik:identitas;sidik_jari:verifikasi")]);
    let bb = ElementCode::parse("sidik_jari").unwrap();
    assert!(p.contains(&RowProblem::MissingMinisterApproval { codes: vec![bb] }));
    assert!(p.contains(&RowProblem::Request {
        request: RequestProblem::ProtectedElement { code: bb }
    }));
    let msg = p
        .iter()
        .find(|x| matches!(x, RowProblem::MissingMinisterApproval { .. }))
        .unwrap();
    assert!(
        msg.message_id().contains("Pasal 84"),
        "{}",
        msg.message_id()
    );
    assert!(
        msg.message_en().contains("Minister"),
        "{}",
        msg.message_en()
    );

    // Law enforcement with the Minister's approval on record: accepted, and folded in.
    let a = with(&[
        (
            "elements",
            "nik:identitas;sidik_jari:identifikasi tersangka",
        ),
        ("purpose_kind", "law_enforcement"),
        ("minister_approval", "X.470/1234/DUKCAPIL"),
    ])
    .unwrap();
    let (app, _) = import::start(&a, Uuid::from_u128(1), now()).unwrap();
    assert_eq!(
        app.minister_approval.as_ref().map(|m| m.reference.as_str()),
        Some("X.470/1234/DUKCAPIL")
    );

    // An approval where none is needed is refused too.
    assert_eq!(
        problems(&[("minister_approval", "X.470/1")]),
        vec![RowProblem::MinisterApprovalNotNeeded]
    );
}

#[test]
fn each_kind_of_row_error_is_named_with_its_column() {
    let cases: Vec<(Vec<(&'static str, &str)>, RowProblem)> = vec![
        (
            vec![("elements", "nik:identitas;nomor_sepatu:ukuran")],
            RowProblem::UnknownElement {
                code: "nomor_sepatu".into(),
            },
        ),
        (
            vec![("elements", "nik")],
            RowProblem::BadElementEntry {
                entry: "nik".into(),
            },
        ),
        (
            vec![("elements", "nik:identitas;nama_lengkap: ")],
            RowProblem::Request {
                request: RequestProblem::MissingJustification {
                    code: ElementCode::parse("nama_lengkap").unwrap(),
                },
            },
        ),
        (
            vec![("workflow", "pks-desa")],
            RowProblem::UnknownWorkflow {
                workflow: "pks-desa".into(),
                known: vec![
                    "data-agregat".into(),
                    "pks-kabkota".into(),
                    "pks-provinsi".into(),
                ],
            },
        ),
        (
            vec![("workflow", "data-agregat")],
            RowProblem::NoLiveAccessStage {
                workflow: "data-agregat".into(),
            },
        ),
        (
            vec![("workflow", "pks-provinsi")],
            RowProblem::WrongOfficeLevel {
                workflow: "pks-provinsi".into(),
                expected: sepakat_core::workflow::Level::Provinsi,
            },
        ),
        (
            vec![("office", "99.99")],
            RowProblem::UnknownOffice {
                office: "99.99".into(),
            },
        ),
        (
            vec![("agency", "Dinas Pariwisata")],
            RowProblem::UnknownAgency {
                agency: "Dinas Pariwisata".into(),
            },
        ),
        (
            vec![("agency", "Dinas Sosial")],
            RowProblem::AmbiguousAgency {
                agency: "Dinas Sosial".into(),
                count: 2,
            },
        ),
        (
            vec![("pks_signed_on", "10 Maret 2025")],
            RowProblem::BadDate {
                column: "pks_signed_on".into(),
                value: "10 Maret 2025".into(),
            },
        ),
        (
            vec![("last_evaluation", "2025-13-01")],
            RowProblem::BadDate {
                column: "last_evaluation".into(),
                value: "2025-13-01".into(),
            },
        ),
        (
            vec![("last_evaluation", "2027-01-01")],
            RowProblem::DateInFuture {
                column: "last_evaluation".into(),
                date: d("2027-01-01"),
            },
        ),
        (
            vec![("last_evaluation", "2025-04-01")],
            RowProblem::EvaluationBeforeProduction {
                date: d("2025-04-01"),
                anchor: d("2025-05-02"),
            },
        ),
        (
            vec![("pks_term_months", "72")],
            RowProblem::Request {
                request: RequestProblem::DurationOutOfRange { max: 60 },
            },
        ),
        (
            vec![("pks_term_months", "dua tahun")],
            RowProblem::BadTerm {
                value: "dua tahun".into(),
            },
        ),
        (
            vec![("pks_term_months", "12")],
            RowProblem::PksEnded {
                ends_on: d("2026-03-10"),
            },
        ),
        (
            vec![("access_method", "email")],
            RowProblem::BadAccessMethod {
                value: "email".into(),
            },
        ),
        (
            vec![("purpose_kind", "penelitian")],
            RowProblem::BadPurposeKind {
                value: "penelitian".into(),
            },
        ),
        (
            vec![("network", "internet")],
            RowProblem::BadNetwork {
                value: "internet".into(),
            },
        ),
        (
            vec![("user_ids", "production:DISDIK-01:blocked:2025-05-02")],
            RowProblem::BadUserIdStatus {
                value: "blocked".into(),
            },
        ),
        (
            vec![("user_ids", "admin:DISDIK-01:active:2025-05-02")],
            RowProblem::BadUserIdKind {
                value: "admin".into(),
            },
        ),
        (
            vec![("user_ids", "production:DISDIK-01")],
            RowProblem::BadUserIdEntry {
                entry: "production:DISDIK-01".into(),
            },
        ),
        (
            vec![(
                "user_ids",
                "production:A:active:2025-05-02;produksi:B:active:2025-06-01",
            )],
            RowProblem::DuplicateUserIdKind {
                kind: GrantKind::Production,
            },
        ),
        (
            vec![("user_ids", "production:DISDIK-01:revoked:2025-05-02")],
            RowProblem::NoLiveProductionId,
        ),
        (
            vec![("user_ids", "production:DISDIK-01:active:2025-01-02")],
            RowProblem::UserIdBeforePks {
                user_id: "DISDIK-01".into(),
                issued_on: d("2025-01-02"),
                signed_on: d("2025-03-10"),
            },
        ),
        (
            vec![("signed_pks_file", "scans/missing.pdf")],
            RowProblem::ScanMissing {
                path: "scans/missing.pdf".into(),
            },
        ),
        (
            vec![("signed_pks_file", "scans/locked.pdf")],
            RowProblem::ScanUnreadable {
                path: "scans/locked.pdf".into(),
                why: "permission denied".into(),
            },
        ),
        (
            vec![("pks_number", "")],
            RowProblem::MissingCell {
                column: "pks_number".into(),
            },
        ),
    ];
    for (changes, expected) in cases {
        let got = problems(&changes);
        assert_eq!(got, vec![expected.clone()], "for {changes:?}");
        let column = expected.column();
        assert!(
            COLUMNS.contains(&column),
            "{expected:?} names column `{column}`"
        );
        assert!(!expected.message_id().is_empty() && !expected.message_en().is_empty());
    }
}

#[test]
fn every_problem_of_a_row_is_reported_at_once() {
    let p = problems(&[
        ("office", "99.99"),
        ("agency", "Dinas Pariwisata"),
        ("elements", "nik:identitas;xyz:apa;iris_mata:identifikasi"),
        ("pks_signed_on", "31/02/2025"),
        ("access_method", "fax"),
        ("user_ids", "production:X:frozen:2025-05-02"),
        ("legal_basis", ""),
    ]);
    let iris = ElementCode::parse("iris_mata").unwrap();
    for expected in [
        RowProblem::MissingCell {
            column: "legal_basis".into(),
        },
        RowProblem::UnknownOffice {
            office: "99.99".into(),
        },
        RowProblem::UnknownAgency {
            agency: "Dinas Pariwisata".into(),
        },
        RowProblem::UnknownElement { code: "xyz".into() },
        RowProblem::MissingMinisterApproval { codes: vec![iris] },
        RowProblem::Request {
            request: RequestProblem::ProtectedElement { code: iris },
        },
        RowProblem::BadAccessMethod {
            value: "fax".into(),
        },
        RowProblem::BadDate {
            column: "pks_signed_on".into(),
            value: "31/02/2025".into(),
        },
        RowProblem::BadUserIdStatus {
            value: "frozen".into(),
        },
    ] {
        assert!(p.contains(&expected), "missing {expected:?} in {p:#?}");
    }
    // A missing cell is reported once, not again as the request's own problem.
    assert!(!p.contains(&RowProblem::Request {
        request: RequestProblem::MissingLegalBasis
    }));
}

#[test]
fn a_nul_character_is_refused_by_its_column() {
    assert_eq!(
        problems(&[("purpose", "Verifikasi\0data")]),
        vec![RowProblem::NulCharacter {
            column: "purpose".into()
        }]
    );
}

#[test]
fn a_short_row_is_refused_whole() {
    let mut c = cells(&valid());
    c.truncate(5);
    let p = import::check_row(source(3), &header(), &c, &Dir::new(), now()).unwrap_err();
    assert_eq!(
        p,
        vec![RowProblem::CellCount {
            expected: COLUMNS.len(),
            found: 5
        }]
    );
}

#[test]
fn the_same_agreement_twice_in_a_file_refuses_both_rows() {
    let mut other = valid();
    other.insert("pks_number", " 470/191/piak/2025 ".into());
    let mut third = valid();
    third.insert("pks_number", "470/192/PIAK/2025".into());
    let rows = vec![(2, cells(&valid())), (3, cells(&other)), (4, cells(&third))];
    let check = import::check_file("ef", "a.csv", &header(), &rows, &Dir::new(), now());
    assert_eq!(check.accepted.len(), 1);
    assert_eq!(check.accepted[0].row, 4);
    assert_eq!(check.refused.len(), 2);
    assert_eq!(
        check.refused[0].problems,
        vec![RowProblem::DuplicateAgreement { other_row: 3 }]
    );
    assert_eq!(check.refused[1].row, 3);
}

#[test]
fn the_id_depends_on_the_office_and_the_pks_number_only() {
    let a = with(&[("purpose", "Lain")]).unwrap();
    let b = check(&valid()).unwrap();
    assert_eq!(a.id, b.id);
    assert_eq!(
        import::application_id(CITY_OFFICE, "470/191/PIAK/2025"),
        import::application_id(CITY_OFFICE, "470/191/piak/2025")
    );
    assert_ne!(
        import::application_id(CITY_OFFICE, "470/191/PIAK/2025"),
        import::application_id(PROVINCE_OFFICE, "470/191/PIAK/2025")
    );
}

#[test]
fn a_scan_on_file_is_the_signed_pks() {
    let a = with(&[("signed_pks_file", "scans/pks.pdf")]).unwrap();
    let (app, _) = import::start(&a, Uuid::from_u128(1), now()).unwrap();
    assert!(app.has_signed("pks"));
    assert_eq!(app.documents["signed:pks"].sha256, "ab".repeat(32));
}

#[test]
fn the_header_must_hold_every_column_once() {
    let mut h: Vec<String> = COLUMNS.map(String::from).to_vec();
    h[0] = "\u{feff}Office".into();
    assert!(import::parse_header(&h).is_ok(), "BOM and case are ignored");
    h.push("colour".into());
    h.retain(|c| c != "network");
    h.push("agency".into());
    let problems = import::parse_header(&h).unwrap_err();
    assert_eq!(
        problems,
        vec![
            FileProblem::UnknownColumn {
                column: "colour".into()
            },
            FileProblem::DuplicateColumn {
                column: "agency".into()
            },
            FileProblem::MissingColumn {
                column: "network".into()
            },
        ]
    );
    assert_eq!(
        import::parse_header(&[String::new()]).unwrap_err(),
        vec![FileProblem::Empty]
    );
}

#[test]
fn dates_are_iso_or_day_first() {
    assert_eq!(import::parse_date("2025-03-10"), Some(d("2025-03-10")));
    assert_eq!(import::parse_date("10/03/2025"), Some(d("2025-03-10")));
    assert_eq!(import::parse_date("1/3/2025"), Some(d("2025-03-01")));
    for bad in [
        "2025-3-1",
        "03/10/25",
        "31/02/2025",
        "",
        "kemarin",
        "2025/03/10",
    ] {
        assert_eq!(import::parse_date(bad), None, "{bad}");
    }
}

#[test]
fn a_provincial_agreement_uses_the_provincial_office() {
    let a = with(&[("office", "61"), ("workflow", "pks-provinsi")]).unwrap();
    assert_eq!(a.ownership.office_id, PROVINCE_OFFICE);
    assert_eq!(a.agreement.stage, "akses_aktif");
    // The provincial workflow offers no web service.
    assert_eq!(
        problems(&[
            ("office", "61"),
            ("workflow", "pks-provinsi"),
            ("access_method", "web_service")
        ]),
        vec![RowProblem::Request {
            request: RequestProblem::MethodNotAllowed {
                method: sepakat_core::AccessMethod::WebService,
                allowed: vec![
                    sepakat_core::AccessMethod::WebPortal,
                    sepakat_core::AccessMethod::CardReader
                ],
            }
        }]
    );
}
