//! The `register_counters` table: registers that are neither an office's nor an agency's (a
//! regional secretariat's), keyed by a register name, like `letter_counters`.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "register_counters")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub register: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub year: i32,
    pub last_seq: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
