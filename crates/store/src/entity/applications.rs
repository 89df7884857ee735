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

/// An application as the lists show it and page by: its row without the folded state and the
/// audit chain's head. The state is a few kilobytes of JSON per application (5 KB on average in
/// the demo), so a page of 50 full rows read and parsed a quarter of a megabyte no list shows.
#[derive(Clone, Debug, PartialEq, DerivePartialModel, Serialize)]
#[sea_orm(entity = "Entity")]
pub struct ListRow {
    pub id: Uuid,
    pub workflow_name: String,
    pub workflow_hash: String,
    pub agency_id: Uuid,
    pub office_id: Uuid,
    pub stage: String,
    pub version: i64,
    pub submitted_at: ChronoDateTimeUtc,
    pub stage_entered_at: ChronoDateTimeUtc,
    pub next_evaluation_due: Option<Date>,
    pub updated_at: ChronoDateTimeUtc,
}

impl From<&Model> for ListRow {
    fn from(m: &Model) -> Self {
        ListRow {
            id: m.id,
            workflow_name: m.workflow_name.clone(),
            workflow_hash: m.workflow_hash.clone(),
            agency_id: m.agency_id,
            office_id: m.office_id,
            stage: m.stage.clone(),
            version: m.version,
            submitted_at: m.submitted_at,
            stage_entered_at: m.stage_entered_at,
            next_evaluation_due: m.next_evaluation_due,
            updated_at: m.updated_at,
        }
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
