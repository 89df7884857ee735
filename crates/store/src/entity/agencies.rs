//! The `agencies` table.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "agencies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub office_id: Uuid,
    pub address: String,
    pub created_at: ChronoDateTimeUtc,
    /// The agency's own register: classification code, unit and pattern of its numbers.
    pub letter_code: String,
    pub letter_unit: String,
    pub letter_pattern: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
