//! Offices, agencies and accounts, and turning an account into the core's `Actor`.

use crate::entity::{accounts, agencies, offices};
use crate::named::Named;
use crate::numbering::office_zone;
use crate::{Result, Store, StoreError, micros};
use chrono::{DateTime, Utc};
use sea_orm::DeriveValueType;
use sea_orm::sea_query::ValueTypeErr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult,
    JoinType, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use sepakat_core::calendar::OfficeZone;
use sepakat_core::numbering::{DEFAULT_CLASSIFICATION, NumberPattern};
use sepakat_core::{Actor, RegionCode, Role, Scope};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A Disdukcapil office to create.
#[derive(Debug, Clone, Deserialize)]
pub struct NewOffice {
    pub name: String,
    /// Kemendagri code: `63` (a province) or `61.71` (a kab/kota); the kind follows from it.
    pub region_code: String,
    /// The place written before the date on letters.
    pub place_name: String,
    #[serde(default)]
    pub address: String,
    /// Classification code; default `400.12`.
    pub letter_code: Option<String>,
    /// e.g. `Dukcapil.4`.
    pub letter_unit: String,
    /// Default `{code}/{seq}/{unit}/{month_roman}/{year}`.
    pub letter_pattern: Option<String>,
    /// WIB 420 (default), WITA 480, WIT 540.
    pub utc_offset_minutes: Option<i32>,
}

/// A user institution to create.
#[derive(Debug, Clone, Deserialize)]
pub struct NewAgency {
    pub name: String,
    /// `opd` (default), `ministry`, `legal_entity`, ...
    pub kind: Option<String>,
    /// The Disdukcapil that handles its applications.
    pub office_id: Uuid,
    #[serde(default)]
    pub address: String,
    /// The unit in the agency's letter numbers ("DPMPTSP"); default: its initials.
    #[serde(default)]
    pub letter_unit: Option<String>,
}

/// An account to create; the scope fields must fit the role.
#[derive(Debug, Clone, Deserialize)]
pub struct NewAccount {
    pub email: String,
    pub name: String,
    pub nip: Option<String>,
    pub position: Option<String>,
    pub role: Role,
    /// Coordinators: their office.
    pub office_id: Option<Uuid>,
    /// Agency heads: their agency.
    pub agency_id: Option<Uuid>,
    /// Provincial reviewers: the two-digit province code.
    pub province: Option<String>,
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

pub(crate) fn no_nul(field: &str, s: &str) -> Result<()> {
    if s.contains('\0') {
        return Err(StoreError::Invalid(format!(
            "{field} contains a NUL character"
        )));
    }
    Ok(())
}

/// The scope an account row stands for; `office_region` is needed for coordinators.
pub(crate) fn actor_from_row(
    row: &accounts::Model,
    office_region: Option<RegionCode>,
) -> Result<Actor> {
    let role: Role = *row.role;
    let missing = |what: &str| {
        StoreError::corrupt(format!("account {} has role {role} but no {what}", row.id))
    };
    let scope = match role {
        Role::AgencyHead => Scope::Agency {
            agency_id: row.agency_id.ok_or_else(|| missing("agency"))?,
        },
        Role::Coordinator => Scope::Office {
            office_id: row.office_id.ok_or_else(|| missing("office"))?,
            region: office_region.ok_or_else(|| missing("office region"))?,
        },
        Role::ProvincialReviewer => Scope::Province {
            province: row.province.clone().ok_or_else(|| missing("province"))?,
        },
        Role::Central | Role::Auditor | Role::Admin => Scope::National,
    };
    Actor::new(row.id, role, scope).map_err(StoreError::corrupt)
}

pub(crate) fn region_of(office: &offices::Model) -> Result<RegionCode> {
    RegionCode::parse(&office.region_code)
        .map_err(|e| StoreError::corrupt(format!("office {}: {e}", office.id)))
}

pub(crate) async fn find_office<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<offices::Model> {
    offices::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| StoreError::not_found("office", id))
}

/// Checks that an account's scope fields are exactly those its role needs, and that the office,
/// agency or province they name exists.
pub(crate) async fn check_scope<C: ConnectionTrait>(
    db: &C,
    role: Role,
    office_id: Option<Uuid>,
    agency_id: Option<Uuid>,
    province: Option<&str>,
) -> Result<()> {
    let (needs_office, needs_agency, needs_province) = match role {
        Role::AgencyHead => (false, true, false),
        Role::Coordinator => (true, false, false),
        Role::ProvincialReviewer => (false, false, true),
        Role::Central | Role::Auditor | Role::Admin => (false, false, false),
    };
    let check = |present: bool, needed: bool, field: &str| -> Result<()> {
        match (present, needed) {
            (false, true) => Err(StoreError::Invalid(format!(
                "a {role} account needs {field}"
            ))),
            (true, false) => Err(StoreError::Invalid(format!(
                "a {role} account has no {field}: leave it empty"
            ))),
            _ => Ok(()),
        }
    };
    check(office_id.is_some(), needs_office, "office_id")?;
    check(agency_id.is_some(), needs_agency, "agency_id")?;
    check(province.is_some(), needs_province, "province")?;
    if let Some(p) = province {
        no_nul("province", p)?;
        let ok = RegionCode::parse(p).is_ok_and(|r| r.is_province());
        if !ok {
            return Err(StoreError::Invalid(format!(
                "province `{p}` is not a two-digit province code such as `61`"
            )));
        }
    }
    if let Some(office_id) = office_id {
        find_office(db, office_id).await?;
    }
    if let Some(agency_id) = agency_id {
        agencies::Entity::find_by_id(agency_id)
            .one(db)
            .await?
            .ok_or_else(|| StoreError::not_found("agency", agency_id))?;
    }
    Ok(())
}

/// Which government a Disdukcapil office serves, as `offices.kind` holds it; it follows from
/// the office's region code (two digits for a province).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, DeriveValueType)]
#[sea_orm(value_type = "String")]
#[serde(rename_all = "lowercase")]
pub enum OfficeKind {
    Province,
    Kabkota,
}

impl OfficeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OfficeKind::Province => "province",
            OfficeKind::Kabkota => "kabkota",
        }
    }

    pub fn of(region: &RegionCode) -> OfficeKind {
        if region.is_province() {
            OfficeKind::Province
        } else {
            OfficeKind::Kabkota
        }
    }
}

impl std::fmt::Display for OfficeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for OfficeKind {
    type Err = ValueTypeErr;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        [OfficeKind::Province, OfficeKind::Kabkota]
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or(ValueTypeErr)
    }
}

impl Store {
    /// Creates a Disdukcapil office; its kind (province or kab/kota) follows from the region code.
    #[tracing::instrument(skip_all, err, fields(region = %new.region_code))]
    pub async fn create_office(
        &self,
        new: NewOffice,
        now: DateTime<Utc>,
    ) -> Result<offices::Model> {
        let region =
            RegionCode::parse(&new.region_code).map_err(|e| StoreError::Invalid(e.to_string()))?;
        for (field, value) in [
            ("name", &new.name),
            ("place_name", &new.place_name),
            ("letter_unit", &new.letter_unit),
        ] {
            if blank(value) {
                return Err(StoreError::Invalid(format!("office {field} is required")));
            }
        }
        let pattern = match &new.letter_pattern {
            Some(p) => NumberPattern::parse(p).map_err(|e| StoreError::Invalid(e.to_string()))?,
            None => NumberPattern::default(),
        };
        let code = new
            .letter_code
            .clone()
            .filter(|c| !blank(c))
            .unwrap_or_else(|| DEFAULT_CLASSIFICATION.to_string());
        let offset = new.utc_offset_minutes.unwrap_or(420);
        if !(-720..=840).contains(&offset) {
            return Err(StoreError::Invalid(format!(
                "utc_offset_minutes {offset} is out of range: use 420 (WIB), 480 (WITA) or 540 (WIT)"
            )));
        }
        for (field, value) in [
            ("name", &new.name),
            ("place_name", &new.place_name),
            ("address", &new.address),
            ("letter_unit", &new.letter_unit),
            ("letter_code", &code),
        ] {
            no_nul(field, value)?;
        }
        let row = offices::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(new.name.trim().to_string()),
            kind: Set(OfficeKind::of(&region)),
            region_code: Set(region.as_str().to_string()),
            province_code: Set(region.province().to_string()),
            place_name: Set(new.place_name.trim().to_string()),
            address: Set(new.address),
            letter_code: Set(code),
            letter_unit: Set(new.letter_unit.trim().to_string()),
            letter_pattern: Set(pattern.as_str().to_string()),
            utc_offset_minutes: Set(offset),
            logo_svg: Set(None),
            created_at: Set(micros(now)),
        };
        row.insert(&self.inner.db).await.map_err(|e| {
            StoreError::from_insert(e, || {
                format!("an office for region {region} already exists")
            })
        })
    }

    /// Creates a user institution handled by an existing office.
    #[tracing::instrument(skip_all, err, fields(office_id = %new.office_id))]
    pub async fn create_agency(
        &self,
        new: NewAgency,
        now: DateTime<Utc>,
    ) -> Result<agencies::Model> {
        if blank(&new.name) {
            return Err(StoreError::Invalid("agency name is required".into()));
        }
        no_nul("name", &new.name)?;
        no_nul("address", &new.address)?;
        let kind = new
            .kind
            .filter(|k| !blank(k))
            .unwrap_or_else(|| "opd".into());
        no_nul("kind", &kind)?;
        find_office(&self.inner.db, new.office_id).await?;
        let unit = match new.letter_unit.as_deref().map(str::trim) {
            Some(u) if !u.is_empty() => u.to_string(),
            _ => sepakat_core::numbering::unit_from_name(new.name.trim()),
        };
        no_nul("letter_unit", &unit)?;
        if unit.contains('/') {
            return Err(StoreError::Invalid(format!(
                "letter unit `{unit}` contains `/`, which separates the parts of a letter number: use a unit such as `DPMPTSP`"
            )));
        }
        let row = agencies::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(new.name.trim().to_string()),
            kind: Set(kind),
            office_id: Set(new.office_id),
            address: Set(new.address),
            created_at: Set(micros(now)),
            letter_code: Set(sepakat_core::numbering::DEFAULT_CLASSIFICATION.into()),
            letter_unit: Set(unit),
            letter_pattern: Set(sepakat_core::numbering::DEFAULT_PATTERN.into()),
        };
        row.insert(&self.inner.db).await.map_err(|e| {
            StoreError::from_insert(e, || {
                format!(
                    "the office already has an agency named `{}`",
                    new.name.trim()
                )
            })
        })
    }

    /// Creates an account; the scope fields must be exactly those the role needs.
    #[tracing::instrument(skip_all, err, fields(role = %new.role))]
    pub async fn create_account(
        &self,
        new: NewAccount,
        now: DateTime<Utc>,
    ) -> Result<accounts::Model> {
        let email = new.email.trim().to_lowercase();
        let valid_email = email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !email.chars().any(char::is_whitespace)
        });
        if !valid_email {
            return Err(StoreError::Invalid(format!(
                "`{}` is not an email address",
                new.email
            )));
        }
        if blank(&new.name) {
            return Err(StoreError::Invalid("account name is required".into()));
        }
        for (field, value) in [
            ("email", Some(&email)),
            ("name", Some(&new.name)),
            ("nip", new.nip.as_ref()),
            ("position", new.position.as_ref()),
            ("province", new.province.as_ref()),
        ] {
            if let Some(v) = value {
                no_nul(field, v)?;
            }
        }
        check_scope(
            &self.inner.db,
            new.role,
            new.office_id,
            new.agency_id,
            new.province.as_deref(),
        )
        .await?;
        let role = new.role;
        let now = micros(now);
        let row = accounts::ActiveModel {
            id: Set(Uuid::now_v7()),
            email: Set(email.clone()),
            name: Set(new.name.trim().to_string()),
            nip: Set(new.nip.filter(|s| !blank(s))),
            position: Set(new.position.filter(|s| !blank(s))),
            role: Set(Named(role)),
            office_id: Set(new.office_id),
            agency_id: Set(new.agency_id),
            province: Set(new.province.map(|p| p.trim().to_string())),
            password_hash: Set(None),
            active: Set(true),
            heads_office: Set(false),
            rank: Set(None),
            must_change_password: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
        };
        // The account and the record of its creation, together.
        let w = self.begin_write().await?;
        let result = async {
            let m = row.insert(&w.txn).await.map_err(|e| {
                StoreError::from_insert(e, || {
                    format!("an account with email {email} already exists")
                })
            })?;
            crate::accounts::record(
                &w.txn,
                m.id,
                crate::accounts::ChangedBy::CommandLine,
                crate::accounts::AccountChange::Created,
                serde_json::json!({"email": m.email, "role": m.role, "office_id": m.office_id,
                    "agency_id": m.agency_id, "province": m.province}),
                now,
            )
            .await?;
            Ok(m)
        }
        .await;
        w.finish(result).await
    }

    /// The account as the core sees it. A deactivated account cannot act.
    pub async fn actor(&self, account_id: Uuid) -> Result<Actor> {
        actor_in(&self.inner.db, account_id).await
    }

    pub async fn account(&self, id: Uuid) -> Result<accounts::Model> {
        accounts::Entity::find_by_id(id)
            .one(&self.inner.db)
            .await?
            .ok_or_else(|| StoreError::not_found("account", id))
    }

    /// The account with this email (case-insensitive), with its password hash, for logging in.
    pub async fn account_by_email(&self, email: &str) -> Result<Option<accounts::Model>> {
        Ok(accounts::Entity::find()
            .filter(accounts::Column::Email.eq(email.trim().to_lowercase()))
            .one(&self.inner.db)
            .await?)
    }

    /// The names of these accounts only (a timeline's actors), never the whole directory.
    pub async fn account_names(
        &self,
        ids: impl IntoIterator<Item = Uuid>,
    ) -> Result<std::collections::HashMap<Uuid, String>> {
        Ok(self
            .accounts_by_id(ids)
            .await?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect())
    }

    /// These accounts' rows, each once, in bounded `IN` lists (both databases cap the
    /// parameters of one statement).
    pub(crate) async fn accounts_by_id(
        &self,
        ids: impl IntoIterator<Item = Uuid>,
    ) -> Result<Vec<accounts::Model>> {
        let mut ids: Vec<Uuid> = ids.into_iter().collect();
        ids.sort();
        ids.dedup();
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            out.extend(
                accounts::Entity::find()
                    .filter(accounts::Column::Id.is_in(chunk.iter().copied()))
                    .all(&self.inner.db)
                    .await?,
            );
        }
        Ok(out)
    }

    pub async fn accounts(&self) -> Result<Vec<accounts::Model>> {
        Ok(accounts::Entity::find()
            .order_by_asc(accounts::Column::Email)
            .all(&self.inner.db)
            .await?)
    }

    /// An office's region code. Region codes never change, so they are cached.
    pub(crate) async fn office_region(&self, office_id: Uuid) -> Result<RegionCode> {
        if let Some(r) = self
            .inner
            .office_regions
            .read()
            .ok()
            .and_then(|m| m.get(&office_id).cloned())
        {
            return Ok(r);
        }
        let region = region_of(&find_office(&self.inner.db, office_id).await?)?;
        if let Ok(mut m) = self.inner.office_regions.write() {
            m.insert(office_id, region.clone());
        }
        Ok(region)
    }

    /// The time zone whose calendar day a viewer of `scope` counts in: their office's, or
    /// their agency's office's; a province's offices' (the first by region code: a province
    /// lies in one zone); Western Indonesia Time for the national roles, where Ditjen sits.
    pub async fn zone_of(&self, scope: &Scope) -> Result<OfficeZone> {
        let db = &self.inner.db;
        let office = match scope {
            Scope::Office { office_id, .. } => Some(find_office(db, *office_id).await?),
            Scope::Agency { agency_id } => {
                let agency = self.agency(*agency_id).await?;
                Some(find_office(db, agency.office_id).await?)
            }
            Scope::Province { province } => {
                offices::Entity::find()
                    .filter(offices::Column::ProvinceCode.eq(province.clone()))
                    .order_by_asc(offices::Column::RegionCode)
                    .one(db)
                    .await?
            }
            Scope::National => None,
        };
        Ok(office.map_or(OfficeZone::WIB, |o| office_zone(&o)))
    }

    pub async fn office(&self, id: Uuid) -> Result<offices::Model> {
        find_office(&self.inner.db, id).await
    }

    pub async fn offices(&self) -> Result<Vec<offices::Model>> {
        Ok(offices::Entity::find()
            .order_by_asc(offices::Column::RegionCode)
            .all(&self.inner.db)
            .await?)
    }

    pub async fn agency(&self, id: Uuid) -> Result<agencies::Model> {
        agencies::Entity::find_by_id(id)
            .one(&self.inner.db)
            .await?
            .ok_or_else(|| StoreError::not_found("agency", id))
    }

    /// Agencies, optionally only those handled by one office.
    pub async fn agencies(&self, office_id: Option<Uuid>) -> Result<Vec<agencies::Model>> {
        let mut q = agencies::Entity::find();
        if let Some(o) = office_id {
            q = q.filter(agencies::Column::OfficeId.eq(o));
        }
        Ok(q.order_by_asc(agencies::Column::Name)
            .all(&self.inner.db)
            .await?)
    }
}

/// One round trip: the account and, for a coordinator, its office's region.
pub(crate) async fn actor_in<C: ConnectionTrait>(db: &C, account_id: Uuid) -> Result<Actor> {
    let office = accounts::Entity::belongs_to(offices::Entity)
        .from(accounts::Column::OfficeId)
        .to(offices::Column::Id)
        .into();
    let stmt = accounts::Entity::find_by_id(account_id)
        .join(JoinType::LeftJoin, office)
        .column_as(offices::Column::RegionCode, "office_region")
        .build(db.get_database_backend());
    let found = db
        .query_one_raw(stmt)
        .await?
        .ok_or_else(|| StoreError::not_found("account", account_id))?;
    let row = accounts::Model::from_query_result(&found, "")?;
    if !row.active {
        return Err(StoreError::Invalid(format!(
            "account {} ({}) is deactivated and cannot act",
            row.id, row.email
        )));
    }
    let region = match found.try_get::<Option<String>>("", "office_region")? {
        Some(code) if row.role == Role::Coordinator => Some(
            RegionCode::parse(&code)
                .map_err(|e| StoreError::corrupt(format!("office of account {}: {e}", row.id)))?,
        ),
        _ => None,
    };
    actor_from_row(&row, region)
}
