//! The `letters` table.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "letters")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub application_id: Uuid,
    pub letter: String,
    pub stage: String,
    pub office_id: Uuid,
    pub year: i32,
    pub seq: i64,
    pub number: String,
    pub issued_at: ChronoDateTimeUtc,
    pub issued_on: Date,
    pub document_sha256: Option<String>,
    pub event_seq: i64,
    /// A letter the agency issues: the agency whose register numbered it, and that number
    /// (the one printed on the letter; `number` is then the office's registration of it).
    pub agency_id: Option<Uuid>,
    pub agency_seq: Option<i64>,
    pub agency_number: Option<String>,
}

impl Model {
    /// The number printed on the letter: the issuer's own.
    pub fn printed_number(&self) -> &str {
        self.agency_number.as_deref().unwrap_or(&self.number)
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
