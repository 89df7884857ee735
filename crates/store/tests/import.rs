//! Importing agreements signed before Sepakat, on both databases: all or nothing in one
//! transaction, once only, written like a submission so the audit chain and every read model
//! agree with the log, and live from the first day (the calendar and the office's steps apply).

mod common;

use chrono::{Duration, NaiveDate};
use common::*;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use sepakat_core::ElementCode;
use sepakat_core::import::{ImportedScan, RowProblem, ScanLookup};
use sepakat_store::entity::{
    applications, attestations, audit_events, documents, evaluations, grants, outbox,
};
use sepakat_store::{ImportFile, ImportReport, Store, StoreError};

on_both_databases!(
    a_file_is_imported_whole_once_and_every_projection_holds,
    a_file_with_one_refused_row_writes_nothing,
    an_imported_agreement_lives_on_like_any_other,
    only_an_administrator_or_ditjen_imports,
);

const HEADER: &str = "office,agency,workflow,purpose,purpose_kind,legal_basis,elements,data_balikan,access_method,pks_number,pks_signed_on,pks_term_months,minister_approval,network,network_provider,technical_contact,user_ids,last_evaluation,signed_pks_file";

/// Three live agreements of Kota Pontianak, signed in 2023 (the clock reads 3 June 2024).
fn good_file() -> String {
    [
        HEADER,
        "61.71,Dinas Pendidikan dan Kebudayaan Kota Pontianak,pks-kabkota,Verifikasi peserta didik baru,public_service,Permendagri 102/2019,\"nik:identitas peserta didik;nama_lengkap:padanan nama\",NISN dipadankan dengan NIK,web_portal,470/191/PIAK/2023,2023-05-15,24,,vpn_agency_to_disdukcapil,Diskominfo Kota Pontianak,Tim teknis Disdikbud,\"test:DISDIK-T1:revoked:2023-06-01;production:DISDIK-01:active:2023-07-03\",2024-01-10,scans/pks-disdik.pdf",
        "61.71,DPMPTSP Kota Pontianak,pks-kabkota,Verifikasi pemohon izin usaha,,Permendagri 102/2019,\"nik:identitas pemohon;alamat_sekarang:domisili usaha\",NIB dipadankan dengan NIK,card_reader,470/205/PIAK/2023,15/08/2023,36,,lan,Diskominfo Kota Pontianak,,production:DPMPTSP-01:suspended:2023-10-02,,",
        "61.71,DPMPTSP Kota Pontianak,pks-kabkota,Penyidikan tindak pidana perizinan,law_enforcement,KUHAP,\"nik:identitas tersangka;sidik_jari:identifikasi\",Hasil penyidikan dipadankan dengan NIK,web_service,470/230/PIAK/2023,2023-09-01,24,X.470/88/DUKCAPIL,vpn_agency_to_disdukcapil,PT Jaringan Aman,,production:DPMPTSP-PPNS:active:2023-11-01,,",
    ]
    .join("\n")
}

fn scans(path: &str) -> ScanLookup {
    match path {
        "scans/pks-disdik.pdf" => ScanLookup::Found(ImportedScan {
            sha256: sha(91),
            filename: "pks-disdik.pdf".into(),
            size: 2048,
        }),
        _ => ScanLookup::Missing,
    }
}

async fn import(w: &World, csv: &str, dry_run: bool) -> ImportReport {
    w.store
        .import_agreements(
            ImportFile {
                name: "pks-lama.csv".into(),
                bytes: csv.as_bytes(),
            },
            &scans,
            w.central,
            t0(),
            dry_run,
        )
        .await
        .unwrap()
}

async fn count<E: EntityTrait>(store: &Store, _e: E) -> u64
where
    E::Model: Sync,
{
    E::find().count(store.connection()).await.unwrap()
}

/// Everything the database holds, counted: what "nothing changed" compares.
async fn footprint(store: &Store) -> [u64; 6] {
    [
        count(store, applications::Entity).await,
        count(store, audit_events::Entity).await,
        count(store, grants::Entity).await,
        count(store, attestations::Entity).await,
        count(store, evaluations::Entity).await,
        count(store, documents::Entity).await,
    ]
}

/// The audit chains verify and every read model equals what the log and the core say.
async fn consistent(store: &Store) {
    let audit = store.verify_audit().await.unwrap();
    assert!(audit.broken.is_empty(), "{:?}", audit.broken);
    let stages = store.check_stage_projections(t0()).await.unwrap();
    assert!(
        stages.is_true(),
        "visits {:?}, stats {:?}",
        stages.visits_differ,
        stages.stats_differ
    );
    assert_eq!(store.check_waits().await.unwrap(), vec![]);
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

async fn a_file_is_imported_whole_once_and_every_projection_holds(
    backend: sepakat_store::testing::Backend,
) {
    let w = world(backend).await;
    let store = &w.store;
    let before = footprint(store).await;

    // A dry run decides everything and writes nothing.
    let dry = import(&w, &good_file(), true).await;
    assert!(!dry.is_refused(), "{:?}", dry.refused);
    assert_eq!(dry.created.len(), 3);
    assert!(!dry.written);
    assert_eq!(footprint(store).await, before);

    let report = import(&w, &good_file(), false).await;
    assert!(report.written);
    assert_eq!(report.rows, 3);
    let rows: Vec<u64> = report.created.iter().map(|p| p.row).collect();
    assert_eq!(rows, [2, 3, 4]);
    assert_eq!(report.created[0].pks_ends_on, d("2025-05-15"));
    // Evaluated on 10 January 2024; the calendar runs from 3 July 2023: next on 3 July 2024.
    assert_eq!(report.created[0].next_evaluation, d("2024-07-03"));
    assert!(!report.created[0].evaluation_overdue);
    // Never evaluated since 2 October 2023: due on 2 April 2024, already past.
    assert_eq!(report.created[1].next_evaluation, d("2024-04-02"));
    assert!(report.created[1].evaluation_overdue);
    assert_eq!(report.created[1].stage, "akses_ditangguhkan");
    consistent(store).await;

    let disdik = store
        .application(report.created[0].application_id)
        .await
        .unwrap()
        .state;
    assert_eq!(disdik.stage, "akses_aktif");
    assert_eq!(disdik.version, 1);
    assert_eq!(disdik.pks.number.as_deref(), Some("470/191/PIAK/2023"));
    assert_eq!(disdik.next_evaluation_due, Some(d("2024-07-03")));
    assert!(disdik.has_signed("pks"));
    assert_eq!(disdik.ownership.agency_id, w.agency.id);
    let prod = grants::Entity::find()
        .filter(grants::Column::ApplicationId.eq(disdik.id))
        .filter(grants::Column::Kind.eq("production"))
        .one(store.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(prod.status, sepakat_store::GrantState::Active);
    assert_eq!(prod.valid_until, d("2025-05-15"));
    let events = audit_events::Entity::find()
        .filter(audit_events::Column::ApplicationId.eq(disdik.id))
        .all(store.connection())
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, "imported");
    assert_eq!(events[0].payload["agreement"]["source"]["row"], 2);
    assert_eq!(
        events[0].payload["agreement"]["source"]["file_sha256"],
        report.file_sha256
    );
    let scheduled = evaluations::Entity::find()
        .filter(evaluations::Column::ApplicationId.eq(disdik.id))
        .one(store.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (scheduled.state.as_str(), scheduled.due_on),
        ("scheduled", d("2024-07-03"))
    );
    // Nobody is mailed about an agreement that has run for a year.
    assert_eq!(count(store, outbox::Entity).await, 0);
    let protected = store
        .application(report.created[2].application_id)
        .await
        .unwrap()
        .state;
    assert!(
        protected
            .request
            .element_codes()
            .contains(&ElementCode::parse("sidik_jari").unwrap())
    );
    assert_eq!(
        protected.minister_approval.map(|m| m.reference),
        Some("X.470/88/DUKCAPIL".into())
    );

    // The same file again changes nothing, and says where each row came from.
    let after = footprint(store).await;
    let again = import(&w, &good_file(), false).await;
    assert!(!again.written);
    assert!(again.created.is_empty());
    assert_eq!(again.already_imported.len(), 3);
    let first = again.already_imported[0].imported_from.as_ref().unwrap();
    assert_eq!(
        (first.row, first.file_sha256.as_str()),
        (2, report.file_sha256.as_str())
    );
    assert_eq!(footprint(store).await, after);

    // The same agreements in another file (reordered, a semicolon spreadsheet) are found too.
    let mut lines: Vec<String> = good_file().lines().map(String::from).collect();
    lines.swap(1, 3);
    let other = lines.join("\r\n") + "\r\n,,,,,,,,,,,,,,,,,,\r\n";
    let again = import(&w, &other, false).await;
    assert_eq!(again.already_imported.len(), 3, "{:?}", again.refused);
    assert_eq!(footprint(store).await, after);
    consistent(store).await;
}

async fn a_file_with_one_refused_row_writes_nothing(backend: sepakat_store::testing::Backend) {
    let w = world(backend).await;
    let store = &w.store;
    let before = footprint(store).await;
    let bad = [
        good_file(),
        // Line 5: an unknown agency, an unknown element and a protected one without approval.
        "61.71,Dinas Pariwisata,pks-kabkota,Promosi wisata,,Perda 1/2020,\"nik:identitas;warna_mata:promosi;iris_mata:x\",Data kunjungan,web_portal,470/300/PIAK/2023,2023-09-01,24,,lan,Diskominfo,,production:WISATA-01:active:2023-11-01,,".into(),
        // Line 6: an unknown office, a date that does not parse, a missing scan.
        "99.01,DPMPTSP Kota Pontianak,pks-kabkota,Izin,,Permendagri 102/2019,nik:identitas,NIB,web_portal,470/301/PIAK/2023,31/02/2023,24,,lan,Diskominfo,,production:X-01:active:2023-11-01,,scans/hilang.pdf".into(),
    ]
    .join("\n");
    let report = import(&w, &bad, false).await;
    assert!(report.is_refused());
    assert!(!report.written);
    assert_eq!(
        report.created.len(),
        3,
        "what would be created is still listed"
    );
    let refused: Vec<u64> = report.refused.iter().map(|r| r.row).collect();
    assert_eq!(refused, [5, 6]);
    let five = &report.refused[0].problems;
    assert!(five.contains(&RowProblem::UnknownAgency {
        agency: "Dinas Pariwisata".into()
    }));
    assert!(five.contains(&RowProblem::UnknownElement {
        code: "warna_mata".into()
    }));
    assert!(
        five.iter()
            .any(|p| matches!(p, RowProblem::MissingMinisterApproval { .. }))
    );
    let six = &report.refused[1].problems;
    assert!(six.contains(&RowProblem::UnknownOffice {
        office: "99.01".into()
    }));
    assert!(six.contains(&RowProblem::BadDate {
        column: "pks_signed_on".into(),
        value: "31/02/2023".into()
    }));
    assert!(six.contains(&RowProblem::ScanMissing {
        path: "scans/hilang.pdf".into()
    }));
    assert_eq!(footprint(store).await, before);

    // A header that is not the template's is refused before any row is read.
    let report = import(&w, "office,agency,colour\n61.71,x,y", false).await;
    assert!(report.is_refused() && !report.file_problems.is_empty());
    assert_eq!(footprint(store).await, before);

    // The fixed file goes in whole.
    let report = import(&w, &good_file(), false).await;
    assert!(report.written);
    assert_eq!(count(store, applications::Entity).await, 3);
    consistent(store).await;
}

async fn an_imported_agreement_lives_on_like_any_other(backend: sepakat_store::testing::Backend) {
    let w = world(backend).await;
    let store = &w.store;
    let report = import(&w, &good_file(), false).await;
    let suspended = report.created[1].application_id;
    let disdik = report.created[0].application_id;

    // The calendar opens the overdue evaluation of the suspended agreement at once, and the
    // next one of the live agreement two weeks before its due date.
    let swept = store.run_evaluation_calendar(t0()).await.unwrap();
    assert!(swept.opened >= 1, "{swept:?}");
    let app = store.application(suspended).await.unwrap().state;
    assert!(app.open_evaluations().any(|e| e.due_on == d("2024-04-02")));
    let later = t0() + Duration::days(20);
    store.run_evaluation_calendar(later).await.unwrap();
    let app = store.application(disdik).await.unwrap().state;
    assert!(app.open_evaluations().any(|e| e.due_on == d("2024-07-03")));

    // The office suspends the live one like any other access.
    let app = store.application(disdik).await.unwrap().state;
    let out = store
        .execute(
            disdik,
            app.version,
            go_with("tangguhkan_akses", "Laporan semester belum diterima"),
            w.coordinator,
            later,
        )
        .await
        .unwrap();
    assert_eq!(out.application.stage, "akses_ditangguhkan");
    let audit = store.verify_audit().await.unwrap();
    assert!(audit.broken.is_empty(), "{:?}", audit.broken);
    let stages = store.check_stage_projections(later).await.unwrap();
    assert!(stages.is_true(), "{:?}", stages.stats_differ);
    assert_eq!(store.check_waits().await.unwrap(), vec![]);
}

async fn only_an_administrator_or_ditjen_imports(backend: sepakat_store::testing::Backend) {
    let w = world(backend).await;
    for who in [w.coordinator, w.head, w.auditor] {
        let err = w
            .store
            .import_agreements(
                ImportFile {
                    name: "x.csv".into(),
                    bytes: good_file().as_bytes(),
                },
                &scans,
                who,
                t0(),
                true,
            )
            .await
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::Rejected(r) if r.is_forbidden()),
            "{err:?}"
        );
    }
    let err = w
        .store
        .import_agreements(
            ImportFile {
                name: "x.csv".into(),
                bytes: &[0xff, 0xfe, 0x00],
            },
            &scans,
            w.central,
            t0(),
            true,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(ref m) if m.contains("UTF-8")),
        "{err:?}"
    );
}
