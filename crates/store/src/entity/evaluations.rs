//! The `evaluations` table.

use crate::evaluations::EvaluationState;
use crate::named::Named;
use sea_orm::entity::prelude::*;
use sepakat_core::application::EvaluationKind;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "evaluations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub application_id: Uuid,
    pub due_on: Date,
    pub kind: Named<EvaluationKind>,
    pub state: EvaluationState,
    pub outcome: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub findings: Option<String>,
    pub report_sha256: Option<String>,
    pub recorded_by: Option<Uuid>,
    pub recorded_at: Option<ChronoDateTimeUtc>,
    pub created_at: ChronoDateTimeUtc,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    pub data_balikan_met: Option<bool>,
    pub reminded_at: Option<ChronoDateTimeUtc>,
    pub escalated_at: Option<ChronoDateTimeUtc>,
    pub overdue_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl ActiveModel {
    /// A new evaluation row: due on `due_on`, in `state`, nothing recorded on it yet.
    pub(crate) fn new(
        application_id: Uuid,
        kind: EvaluationKind,
        due_on: Date,
        state: EvaluationState,
        reason: Option<String>,
        at: ChronoDateTimeUtc,
    ) -> Self {
        use sea_orm::ActiveValue::Set;
        ActiveModel {
            id: Set(Uuid::now_v7()),
            application_id: Set(application_id),
            due_on: Set(due_on),
            kind: Set(Named(kind)),
            state: Set(state),
            outcome: Set(None),
            findings: Set(None),
            report_sha256: Set(None),
            recorded_by: Set(None),
            recorded_at: Set(None),
            created_at: Set(at),
            reason: Set(reason),
            data_balikan_met: Set(None),
            reminded_at: Set(None),
            escalated_at: Set(None),
            overdue_at: Set(None),
        }
    }
}
