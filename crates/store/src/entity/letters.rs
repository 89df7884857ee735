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
    /// Whose register printed the number (`office`, `agency`, `regional_secretariat`,
    /// `provincial_office`); NULL on letters numbered before letters were issued ahead of signing.
    pub register: Option<String>,
    /// A number printed from a register that is neither the office's nor the agency's: the
    /// register's key (`setda:<region>`, `office:<id>`), its running number and the number.
    pub printed_register: Option<String>,
    pub printed_seq: Option<i64>,
    pub printed_number: Option<String>,
    /// The frozen rendering context (JSON text) and the SHA-256 of it, of the HTML and of the PDF.
    #[serde(skip)]
    pub snapshot: Option<String>,
    pub snapshot_sha256: Option<String>,
    pub html_sha256: Option<String>,
    pub pdf_sha256: Option<String>,
    /// The code that opens the public verification page.
    pub verification_code: Option<String>,
}

impl Model {
    /// The number printed on the letter: the issuing register's own.
    pub fn printed_number(&self) -> &str {
        match self.register.as_deref() {
            Some("office") => &self.number,
            Some("agency") => self.agency_number.as_deref().unwrap_or(&self.number),
            Some(_) => self.printed_number.as_deref().unwrap_or(&self.number),
            None => self.agency_number.as_deref().unwrap_or(&self.number),
        }
    }

    /// The other party's number on a two-party document (the agency's on the PKS and juknis).
    pub fn counterpart_number(&self) -> Option<&str> {
        match self.register.as_deref() {
            Some("office") => self.agency_number.as_deref(),
            _ => None,
        }
    }

    /// Issued ahead of signing, with its content frozen.
    pub fn is_frozen(&self) -> bool {
        self.snapshot.is_some()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
