//! The read models a command's events write in its transaction: letters, documents, the
//! attestation, the grants and the application's elements, evaluations and PKS versions, event
//! by event (`Store::project`).

use crate::commands::{Decided, to_json};
use crate::entity::pks_comments::PksReview;
use crate::entity::{
    application_elements, attestations, audit_events, documents, evaluations, grants, letters,
    pks_comments, pks_versions,
};
use crate::evaluations::EvaluationState;
use crate::grants::GrantState;
use crate::named::Named;
use crate::{Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder,
};
use sepakat_core::application::AttestationDetails;
use sepakat_core::application::EventKind;
use sepakat_core::request::RequestedElement;
use sepakat_core::{Application, EvaluationKind, Event};
use std::collections::BTreeMap;
use uuid::Uuid;

impl Store {
    pub(crate) async fn project(
        &self,
        txn: &DatabaseTransaction,
        app: &Application,
        e: &Event,
        row: &audit_events::Model,
        d: &Decided<'_>,
    ) -> Result<()> {
        let at = row.at;
        match &e.kind {
            EventKind::Submitted { request, .. } => {
                insert_elements(txn, app.id, &request.elements, |_| None).await?;
            }
            EventKind::Imported { agreement } => {
                crate::import::project(txn, app.id, agreement, e, row).await?;
            }
            // `issue_letters` turned every intent into a `LetterIssued` and numbered its row;
            // the row is written here, after the application row it refers to.
            EventKind::LetterProduced { .. } => {}
            // Only the audit log and the outbox record a reminder of the term's end.
            EventKind::TermReminded { .. } => {}
            // A pending addendum lives in the application's state; its rows change when signed.
            EventKind::AddendumProposed { .. } | EventKind::AddendumDropped { .. } => {}
            EventKind::LetterIssued { letter } => {
                let row = d
                    .letters
                    .iter()
                    .find(|l| l.id == letter.id)
                    .ok_or_else(|| {
                        StoreError::corrupt(format!("issued letter {} has no row", letter.id))
                    })?;
                letters::Entity::insert(letters::ActiveModel::from(row.clone()))
                    .exec_without_returning(txn)
                    .await?;
            }
            EventKind::DocumentAttached {
                key,
                sha256,
                filename,
                letter_id,
            } => {
                let meta = d.document.filter(|m| &m.key == key);
                documents::Entity::insert(documents::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    application_id: Set(app.id),
                    key: Set(key.clone()),
                    filename: Set(filename.clone()),
                    content_type: Set(meta.and_then(|m| m.content_type.clone())),
                    size: Set(meta.and_then(|m| m.size)),
                    sha256: Set(sha256.clone()),
                    blob_path: Set(meta.and_then(|m| m.blob_path.clone())),
                    uploaded_by: Set(e.actor),
                    uploaded_at: Set(at),
                    event_seq: Set(row.seq),
                    letter_id: Set(*letter_id),
                })
                .exec_without_returning(txn)
                .await?;
            }
            EventKind::AttestationRecorded {
                details,
                statement_sha256,
            } => {
                insert_attestation(txn, app.id, details, statement_sha256, e.actor, at).await?;
            }
            EventKind::AttestationWithdrawn { reason } => {
                attestations::Entity::update_many()
                    .col_expr(attestations::Column::WithdrawnBy, Expr::value(e.actor))
                    .col_expr(attestations::Column::WithdrawnAt, Expr::value(at))
                    .col_expr(
                        attestations::Column::WithdrawalReason,
                        Expr::value(reason.clone()),
                    )
                    .filter(attestations::Column::ApplicationId.eq(app.id))
                    .filter(attestations::Column::WithdrawnAt.is_null())
                    .exec(txn)
                    .await?;
            }
            EventKind::GrantIssued {
                kind,
                elements,
                method,
                valid_until,
            } => {
                // The core only issues behind an active attestation; the foreign key makes the
                // database refuse a grant without one even if that ever changed.
                let attestation = attestations::Entity::find()
                    .filter(attestations::Column::ApplicationId.eq(app.id))
                    .filter(attestations::Column::WithdrawnAt.is_null())
                    .order_by_desc(attestations::Column::RecordedAt)
                    .one(txn)
                    .await?
                    .ok_or_else(|| {
                        StoreError::corrupt(format!(
                            "application {} got a grant without an active attestation",
                            app.id
                        ))
                    })?;
                grants::Entity::delete_many()
                    .filter(grants::Column::ApplicationId.eq(app.id))
                    .filter(grants::Column::Kind.eq(Named(*kind)))
                    .exec(txn)
                    .await?;
                grants::Entity::insert(grants::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    application_id: Set(app.id),
                    attestation_id: Set(attestation.id),
                    kind: Set(Named(*kind)),
                    elements: Set(to_json("elements", elements)?),
                    method: Set(method.as_str().to_string()),
                    issued_at: Set(at),
                    valid_until: Set(*valid_until),
                    status: Set(GrantState::Active),
                    status_reason: Set(None),
                    updated_at: Set(at),
                })
                .exec_without_returning(txn)
                .await?;
                let codes: Vec<String> = elements.iter().map(|c| c.as_str().to_string()).collect();
                application_elements::Entity::update_many()
                    .col_expr(application_elements::Column::ApprovedAt, Expr::value(at))
                    .filter(application_elements::Column::ApplicationId.eq(app.id))
                    .filter(application_elements::Column::ElementCode.is_in(codes))
                    .filter(application_elements::Column::ApprovedAt.is_null())
                    .exec(txn)
                    .await?;
            }
            EventKind::GrantSuspended { kind, reason, .. } => {
                set_grant_status(
                    txn,
                    app.id,
                    kind,
                    GrantState::Suspended,
                    Some(reason.clone()),
                    at,
                )
                .await?;
            }
            EventKind::GrantRestored { kind } => {
                set_grant_status(txn, app.id, kind, GrantState::Active, None, at).await?;
            }
            EventKind::GrantRevoked { kind, reason } => {
                set_grant_status(
                    txn,
                    app.id,
                    kind,
                    GrantState::Revoked,
                    Some(reason.clone()),
                    at,
                )
                .await?;
            }
            EventKind::GrantExtended { kind, valid_until } => {
                grants::Entity::update_many()
                    .col_expr(grants::Column::ValidUntil, Expr::value(*valid_until))
                    .col_expr(grants::Column::UpdatedAt, Expr::value(at))
                    .filter(grants::Column::ApplicationId.eq(app.id))
                    .filter(grants::Column::Kind.eq(Named(*kind)))
                    .exec(txn)
                    .await?;
            }
            EventKind::GrantRescoped {
                kind,
                elements,
                method,
            } => {
                grants::Entity::update_many()
                    .col_expr(
                        grants::Column::Elements,
                        Expr::value(to_json("elements", elements)?),
                    )
                    .col_expr(grants::Column::Method, Expr::value(method.as_str()))
                    .col_expr(grants::Column::UpdatedAt, Expr::value(at))
                    .filter(grants::Column::ApplicationId.eq(app.id))
                    .filter(grants::Column::Kind.eq(Named(*kind)))
                    .exec(txn)
                    .await?;
            }
            // The signed addendum's elements become the application's: an element kept keeps
            // the day it was first approved, a new one is approved today, a dropped one goes.
            EventKind::AddendumSigned { change, .. } => {
                let before: BTreeMap<String, Option<DateTime<Utc>>> =
                    application_elements::Entity::find()
                        .filter(application_elements::Column::ApplicationId.eq(app.id))
                        .all(txn)
                        .await?
                        .into_iter()
                        .map(|r| (r.element_code, r.approved_at))
                        .collect();
                application_elements::Entity::delete_many()
                    .filter(application_elements::Column::ApplicationId.eq(app.id))
                    .exec(txn)
                    .await?;
                // A kept element keeps its first approval.
                insert_elements(txn, app.id, &change.elements, |code| {
                    Some(before.get(code).copied().flatten().unwrap_or(at))
                })
                .await?;
            }
            EventKind::GrantExpired { kind } => {
                let reason = "Masa berlaku PKS berakhir".to_string();
                set_grant_status(txn, app.id, kind, GrantState::Expired, Some(reason), at).await?;
            }
            EventKind::EvaluationsScheduled { first_due, .. } => {
                upsert_evaluation(
                    txn,
                    app.id,
                    EvaluationKind::Periodic,
                    *first_due,
                    EvaluationState::Scheduled,
                    None,
                    at,
                    false,
                )
                .await?;
            }
            EventKind::EvaluationOpened {
                kind,
                due_on,
                reason,
            } => {
                upsert_evaluation(
                    txn,
                    app.id,
                    *kind,
                    *due_on,
                    EvaluationState::Open,
                    reason.clone(),
                    at,
                    true,
                )
                .await?;
            }
            EventKind::EvaluationReminded { kind, due_on } => {
                evaluations::Entity::update_many()
                    .col_expr(evaluations::Column::RemindedAt, Expr::value(at))
                    .filter(evaluation_key(app.id, *kind, *due_on))
                    .exec(txn)
                    .await?;
            }
            EventKind::EvaluationEscalated { kind, due_on } => {
                evaluations::Entity::update_many()
                    .col_expr(evaluations::Column::EscalatedAt, Expr::value(at))
                    .filter(evaluation_key(app.id, *kind, *due_on))
                    .exec(txn)
                    .await?;
            }
            EventKind::EvaluationOverdue { kind, due_on } => {
                evaluations::Entity::update_many()
                    .col_expr(evaluations::Column::OverdueAt, Expr::value(at))
                    .col_expr(
                        evaluations::Column::State,
                        Expr::value(EvaluationState::Overdue),
                    )
                    .filter(evaluation_key(app.id, *kind, *due_on))
                    .exec(txn)
                    .await?;
            }
            EventKind::EvaluationRecorded {
                kind,
                due_on,
                outcome,
                findings,
                data_balikan_met,
                report_sha256,
            } => {
                evaluations::Entity::update_many()
                    .col_expr(
                        evaluations::Column::State,
                        Expr::value(EvaluationState::Completed),
                    )
                    .col_expr(evaluations::Column::Outcome, Expr::value(outcome.as_str()))
                    .col_expr(evaluations::Column::Findings, Expr::value(findings.clone()))
                    .col_expr(
                        evaluations::Column::DataBalikanMet,
                        Expr::value(*data_balikan_met),
                    )
                    .col_expr(
                        evaluations::Column::ReportSha256,
                        Expr::value(report_sha256.clone()),
                    )
                    .col_expr(evaluations::Column::RecordedBy, Expr::value(e.actor))
                    .col_expr(evaluations::Column::RecordedAt, Expr::value(at))
                    .filter(evaluation_key(app.id, *kind, *due_on))
                    .exec(txn)
                    .await?;
            }
            EventKind::PksDrafted { version, articles } => {
                pks_versions::Entity::insert(pks_versions::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    application_id: Set(app.id),
                    version: Set(*version as i32),
                    articles: Set(serde_json::to_value(articles).map_err(StoreError::corrupt)?),
                    sha256: Set(sepakat_core::pks::articles_sha256(articles)),
                    drafted_by: Set(e.actor),
                    drafted_at: Set(at),
                    event_seq: Set(row.seq),
                })
                .exec_without_returning(txn)
                .await?;
            }
            EventKind::PksReturned { version, comments }
            | EventKind::PksApproved { version, comments } => {
                let review = if matches!(e.kind, EventKind::PksReturned { .. }) {
                    PksReview::Returned
                } else {
                    PksReview::Approved
                };
                let rows: Vec<_> = comments
                    .iter()
                    .map(|c| pks_comments::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        application_id: Set(app.id),
                        version: Set(*version as i32),
                        article: Set(c.article as i32),
                        text: Set(c.text.trim().to_string()),
                        review: Set(Named(review)),
                        author: Set(e.actor),
                        at: Set(at),
                        event_seq: Set(row.seq),
                    })
                    .collect();
                if !rows.is_empty() {
                    pks_comments::Entity::insert_many(rows)
                        .exec_without_returning(txn)
                        .await?;
                }
            }
            EventKind::Transitioned { .. }
            | EventKind::MinisterApprovalRecorded { .. }
            | EventKind::PksSigned { .. } => {}
        }
        Ok(())
    }
}

/// The evaluation row of (`application`, `kind`, `due_on`).
pub(crate) fn evaluation_key(
    application_id: Uuid,
    kind: EvaluationKind,
    due_on: NaiveDate,
) -> Condition {
    Condition::all()
        .add(evaluations::Column::ApplicationId.eq(application_id))
        .add(evaluations::Column::Kind.eq(Named(kind)))
        .add(evaluations::Column::DueOn.eq(due_on))
}

/// Inserts an evaluation row, or (when `update`) moves an existing one to `state`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn upsert_evaluation(
    txn: &DatabaseTransaction,
    application_id: Uuid,
    kind: EvaluationKind,
    due_on: NaiveDate,
    state: EvaluationState,
    reason: Option<String>,
    at: DateTime<Utc>,
    update: bool,
) -> Result<()> {
    let key = [
        evaluations::Column::ApplicationId,
        evaluations::Column::Kind,
        evaluations::Column::DueOn,
    ];
    let mut conflict = OnConflict::columns(key);
    if update {
        conflict.update_columns([evaluations::Column::State, evaluations::Column::Reason]);
    } else {
        conflict.do_nothing();
    }
    evaluations::Entity::insert(evaluations::ActiveModel::new(
        application_id,
        kind,
        due_on,
        state,
        reason,
        at,
    ))
    .on_conflict(conflict.to_owned())
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

pub(crate) async fn set_grant_status(
    txn: &DatabaseTransaction,
    application_id: Uuid,
    kind: &sepakat_core::GrantKind,
    status: GrantState,
    reason: Option<String>,
    at: DateTime<Utc>,
) -> Result<()> {
    grants::Entity::update_many()
        .col_expr(grants::Column::Status, Expr::value(status))
        .col_expr(grants::Column::StatusReason, Expr::value(reason))
        .col_expr(grants::Column::UpdatedAt, Expr::value(at))
        .filter(grants::Column::ApplicationId.eq(application_id))
        .filter(grants::Column::Kind.eq(Named(*kind)))
        .exec(txn)
        .await?;
    Ok(())
}

/// The requested elements of an application, each approved at `approved_at(code)` (`None` while
/// not yet approved).
pub(crate) async fn insert_elements(
    txn: &DatabaseTransaction,
    application_id: Uuid,
    elements: &[RequestedElement],
    approved_at: impl Fn(&str) -> Option<DateTime<Utc>>,
) -> Result<()> {
    let rows: Vec<_> = elements
        .iter()
        .map(|el| application_elements::ActiveModel {
            application_id: Set(application_id),
            element_code: Set(el.code.as_str().to_string()),
            justification: Set(el.justification.clone()),
            protected: Set(el.code.is_protected()),
            approved_at: Set(approved_at(el.code.as_str())),
        })
        .collect();
    if !rows.is_empty() {
        application_elements::Entity::insert_many(rows)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// A recorded closed-network attestation; returns its id.
pub(crate) async fn insert_attestation(
    txn: &DatabaseTransaction,
    application_id: Uuid,
    details: &AttestationDetails,
    statement_sha256: &str,
    recorded_by: Uuid,
    recorded_at: DateTime<Utc>,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    attestations::Entity::insert(attestations::ActiveModel {
        id: Set(id),
        application_id: Set(application_id),
        connection: Set(Named(details.connection)),
        provider: Set(details.provider.clone()),
        cost_borne_by: Set(details.cost_borne_by.clone()),
        technical_contact: Set(details.technical_contact.clone()),
        statement_sha256: Set(statement_sha256.to_string()),
        recorded_by: Set(recorded_by),
        recorded_at: Set(recorded_at),
        withdrawn_by: Set(None),
        withdrawn_at: Set(None),
        withdrawal_reason: Set(None),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(id)
}
