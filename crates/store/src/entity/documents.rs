//! The `documents` table.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub application_id: Uuid,
    pub key: String,
    pub filename: String,
    pub content_type: Option<String>,
    pub size: Option<i64>,
    pub sha256: String,
    pub blob_path: Option<String>,
    pub uploaded_by: Uuid,
    pub uploaded_at: ChronoDateTimeUtc,
    pub event_seq: i64,
    /// A signed scan: the issued letter it is the signed copy of.
    pub letter_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
