//! The `application_waits` table: who each application waits on (`core::inbox`), written with
//! every stage change; the inboxes read it by index.

use crate::named::Named;
use sea_orm::entity::prelude::*;
use sepakat_core::Role;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "application_waits")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub application_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub role: Named<Role>,
    pub office_id: Uuid,
    pub agency_id: Uuid,
    pub province_code: Option<String>,
    pub workflow_name: String,
    pub stage: String,
    pub entered_at: ChronoDateTimeUtc,
    pub due_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
