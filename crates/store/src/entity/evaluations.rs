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
