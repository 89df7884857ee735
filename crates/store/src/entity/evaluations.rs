//! The `evaluations` table.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "evaluations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub application_id: Uuid,
    pub due_on: Date,
    /// `periodic` or `incidental`.
    pub kind: String,
    /// `scheduled`, `submitted`, `completed` or `overdue`.
    pub state: String,
    pub outcome: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub findings: Option<String>,
    pub report_sha256: Option<String>,
    pub recorded_by: Option<Uuid>,
    pub recorded_at: Option<ChronoDateTimeUtc>,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
