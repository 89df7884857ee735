//! The application the sample letters belong to, as the store would hold it: its request,
//! grants and evaluation.

use super::{
    REPORT_AFTER_DUE, Scenario, days_after, evaluation_due, kalsel_request, letter_date, morning,
    pontianak_request, production_granted,
};
use chrono::{Days, Months};
use sepakat_core::application::{
    Evaluation, EvaluationKind, EvaluationOutcome, EvaluationResult, Grant, GrantKind, GrantStatus,
    PksState, WorkflowRef,
};
use sepakat_core::request::AccessMethod;
use sepakat_core::{Application, Ownership, RegionCode};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The application as it stands once every letter is issued: the PKS approved and signed, the
/// user IDs granted, the first evaluation recorded.
pub(super) fn application(scenario: Scenario) -> Application {
    let (workflow, source, region, request) = match scenario {
        Scenario::Pontianak => (
            "pks-kabkota",
            include_str!("../../../../workflows/pks-kabkota.toml"),
            "61.71",
            pontianak_request(),
        ),
        Scenario::Kalsel => (
            "pks-provinsi",
            include_str!("../../../../workflows/pks-provinsi.toml"),
            "63",
            kalsel_request(),
        ),
    };
    let tag: u128 = match scenario {
        Scenario::Pontianak => 0x6171_0000,
        Scenario::Kalsel => 0x6300_0000,
    };
    let id = |n: u128| Uuid::from_u128(tag + n);
    let start = scenario.start();
    let on = |letter: &str| letter_date(scenario, letter).unwrap_or(start);
    let granted = production_granted(scenario);
    let due = evaluation_due(scenario);
    let recorded = days_after(due, REPORT_AFTER_DUE - 1);
    let elements = request.elements.iter().map(|e| e.code).collect();
    let method = request.access_method.unwrap_or(AccessMethod::WebPortal);
    let valid_until = on("pks")
        .checked_add_months(Months::new(u32::from(request.duration_months)))
        .unwrap_or(start);
    let findings = match scenario {
        Scenario::Pontianak => {
            "Pemanfaatan data sesuai dengan tujuan dalam Perjanjian Kerja Sama.\n\
             Terdapat 3 (tiga) hari dengan jumlah akses melebihi kuota harian pada masa penerimaan peserta didik baru."
        }
        Scenario::Kalsel => {
            "Pemanfaatan data sesuai dengan tujuan dalam Perjanjian Kerja Sama.\n\
             Dua user ID dipakai dari satu komputer operator; setiap user ID wajib dipakai oleh pemiliknya sendiri."
        }
    };
    Application {
        id: id(1),
        workflow: WorkflowRef {
            name: workflow.into(),
            hash: crate::sha256_hex(source.as_bytes()),
        },
        ownership: Ownership {
            agency_id: id(2),
            office_id: id(3),
            office_region: RegionCode::parse(region).unwrap_or_else(|_| unreachable!()),
            zone: Default::default(),
        },
        request,
        stage: "akses_aktif".into(),
        version: 42,
        submitted_by: id(10),
        submitted_at: morning(start),
        stage_entered_at: morning(granted),
        documents: BTreeMap::new(),
        attestation: None,
        minister_approval: None,
        pks: PksState {
            version: 2,
            drafted_by: Some(id(11)),
            approved_version: Some(2),
            approved_by: Some(id(12)),
            signed_on: Some(on("pks")),
            articles: 15,
            sha256: None,
            number: None,
        },
        grants: vec![
            Grant {
                kind: GrantKind::Test,
                elements: Default::default(),
                method,
                issued_at: morning(days_after(on("permohonan_user_id_uji"), 3)),
                valid_until: on("permohonan_user_id_produksi"),
                status: GrantStatus::Expired,
                held_by_evaluation: false,
            },
            Grant {
                kind: GrantKind::Production,
                elements,
                method,
                issued_at: morning(granted),
                valid_until,
                status: GrantStatus::Active,
                held_by_evaluation: false,
            },
        ],
        evaluation_anchor: Some(granted),
        next_evaluation_due: due.checked_add_months(Months::new(6)),
        periodic_due: due.checked_add_months(Months::new(6)),
        evaluations: vec![Evaluation {
            kind: EvaluationKind::Periodic,
            due_on: due,
            opened_at: morning(due - Days::new(30)),
            reason: None,
            reminded: true,
            escalated: false,
            overdue: false,
            result: Some(EvaluationResult {
                outcome: EvaluationOutcome::PassWithFindings,
                findings: findings.into(),
                data_balikan_met: true,
                report_sha256: Some(crate::sha256_hex(b"laporan semester")),
                by: id(11),
                at: morning(recorded),
            }),
        }],
        letters: BTreeMap::new(),
        term_reminded: None,
        daily_quota: None,
        addendum: None,
        addenda: 0,
    }
}
