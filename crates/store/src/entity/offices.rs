//! The `offices` table.

use crate::directory::OfficeKind;
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "offices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub kind: OfficeKind,
    pub region_code: String,
    pub province_code: String,
    pub place_name: String,
    pub address: String,
    pub letter_code: String,
    pub letter_unit: String,
    pub letter_pattern: String,
    pub utc_offset_minutes: i32,
    /// The letterhead's logo, an SVG document checked by `Store::set_office_logo`.
    #[sea_orm(column_type = "Text", nullable)]
    pub logo_svg: Option<String>,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
