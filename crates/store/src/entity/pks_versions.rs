//! The `pks_versions` table: each PKS draft version with its articles.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "pks_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub application_id: Uuid,
    pub version: i32,
    /// `Vec<sepakat_core::pks::Article>` as JSON.
    #[sea_orm(column_type = "JsonBinary")]
    pub articles: Json,
    pub sha256: String,
    pub drafted_by: Uuid,
    pub drafted_at: ChronoDateTimeUtc,
    pub event_seq: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
