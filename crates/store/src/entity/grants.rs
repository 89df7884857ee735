//! The `grants` table.

use crate::grants::GrantState;
use crate::named::Named;
use sea_orm::entity::prelude::*;
use sepakat_core::application::GrantKind;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "grants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub application_id: Uuid,
    pub attestation_id: Uuid,
    pub kind: Named<GrantKind>,
    #[sea_orm(column_type = "JsonBinary")]
    pub elements: Json,
    pub method: String,
    pub issued_at: ChronoDateTimeUtc,
    pub valid_until: Date,
    pub status: GrantState,
    #[sea_orm(column_type = "Text", nullable)]
    pub status_reason: Option<String>,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
