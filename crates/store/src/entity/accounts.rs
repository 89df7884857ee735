//! The `accounts` table.

use crate::named::Named;
use sea_orm::entity::prelude::*;
use sepakat_core::Role;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub nip: Option<String>,
    pub position: Option<String>,
    pub role: Named<Role>,
    pub office_id: Option<Uuid>,
    pub agency_id: Option<Uuid>,
    pub province: Option<String>,
    /// Never serialized: it leaves the store only through `Store::account_by_email`.
    #[serde(skip)]
    pub password_hash: Option<String>,
    pub active: bool,
    /// A coordinator who heads the office (Kepala Dinas): receives escalations.
    pub heads_office: bool,
    /// Rank (*pangkat/golongan*) printed under the name, e.g. `Pembina Utama Muda (IV/c)`.
    pub rank: Option<String>,
    /// Set by a password reset: the temporary password must be replaced at the next sign-in.
    pub must_change_password: bool,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
