//! The `stage_stat_deltas` table: changes to `stage_stats` appended by commands and folded into
//! it by `Store::fold_stage_stats` (see `crate::stages`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "stage_stat_deltas")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub scope: String,
    pub measure: String,
    pub workflow_name: String,
    pub stage: String,
    pub value: i64,
    pub n: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
