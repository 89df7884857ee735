//! The `attestations` table.

use crate::named::Named;
use sea_orm::entity::prelude::*;
use sepakat_core::application::ConnectionType;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "attestations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub application_id: Uuid,
    pub connection: Named<ConnectionType>,
    pub provider: String,
    pub cost_borne_by: String,
    pub technical_contact: String,
    pub statement_sha256: String,
    pub recorded_by: Uuid,
    pub recorded_at: ChronoDateTimeUtc,
    pub withdrawn_by: Option<Uuid>,
    pub withdrawn_at: Option<ChronoDateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub withdrawal_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
