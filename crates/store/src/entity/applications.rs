//! The `applications` table.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "applications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workflow_name: String,
    pub workflow_hash: String,
    pub agency_id: Uuid,
    pub office_id: Uuid,
    pub stage: String,
    pub version: i64,
    #[sea_orm(column_type = "JsonBinary")]
    pub state: Json,
    pub submitted_by: Uuid,
    pub submitted_at: ChronoDateTimeUtc,
    pub stage_entered_at: ChronoDateTimeUtc,
    pub next_evaluation_due: Option<Date>,
    pub last_event_hash: String,
    pub event_count: i64,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
