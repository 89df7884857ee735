//! The `stage_stat_deltas` table: changes to `stage_stats` appended by commands and folded into
//! it by `Store::fold_stage_stats` (see `crate::stages`). A row counts in the national scope and
//! in each scope whose key it carries (migration 18).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "stage_stat_deltas")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `o:<office id>`, as `stages::scope_key` writes it.
    pub office_scope: String,
    /// `a:<agency id>`.
    pub agency_scope: String,
    /// `p:<province code>` for an application of a kab/kota office; none for a provincial one.
    pub province_scope: Option<String>,
    pub measure: String,
    pub workflow_name: String,
    pub stage: String,
    pub value: i64,
    pub n: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
