//! The `pks_comments` table: a reviewer's comment on one article of a PKS draft version.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "pks_comments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub application_id: Uuid,
    pub version: i32,
    pub article: i32,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    /// `returned` or `approved`.
    pub review: String,
    pub author: Uuid,
    pub at: ChronoDateTimeUtc,
    pub event_seq: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
