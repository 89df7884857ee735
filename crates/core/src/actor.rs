//! Who acts, and over what: roles and their jurisdiction.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// The roles of the domain. Workflows name them in snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Head of the user institution: acts on their own agency's applications.
    AgencyHead,
    /// Disdukcapil coordinator: acts within their own office's jurisdiction.
    Coordinator,
    /// Disdukcapil Provinsi reviewer: acts on kab/kota applications of their province.
    ProvincialReviewer,
    /// Ditjen Dukcapil: national.
    Central,
    /// Reads everything, changes nothing.
    Auditor,
    /// Manages accounts and workflow versions; reads everything.
    Admin,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::AgencyHead,
        Role::Coordinator,
        Role::ProvincialReviewer,
        Role::Central,
        Role::Auditor,
        Role::Admin,
    ];

    /// The roles that keep a live access under control on the Disdukcapil side: they record
    /// and withdraw the closed-network attestation, open and record evaluations and run the
    /// calendar (`machine::apply`), and archive letters (`letter::ARCHIVED_BY`). The pages offer
    /// those forms to these roles only, asking [`Role::controls_access`].
    pub const CONTROLLERS: [Role; 2] = [Role::Coordinator, Role::Central];

    /// One of [`Role::CONTROLLERS`].
    pub fn controls_access(self) -> bool {
        Role::CONTROLLERS.contains(&self)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::AgencyHead => "agency_head",
            Role::Coordinator => "coordinator",
            Role::ProvincialReviewer => "provincial_reviewer",
            Role::Central => "central",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }

    pub fn name_id(self) -> &'static str {
        match self {
            Role::AgencyHead => "Kepala lembaga pengguna",
            Role::Coordinator => "Koordinator Disdukcapil",
            Role::ProvincialReviewer => "Peninjau Disdukcapil Provinsi",
            Role::Central => "Ditjen Dukcapil",
            Role::Auditor => "Auditor",
            Role::Admin => "Administrator",
        }
    }

    /// Which kind of scope an account of this role must have.
    pub fn scope_kind(self) -> ScopeKind {
        match self {
            Role::AgencyHead => ScopeKind::Agency,
            Role::Coordinator => ScopeKind::Office,
            Role::ProvincialReviewer => ScopeKind::Province,
            Role::Central | Role::Auditor | Role::Admin => ScopeKind::National,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown role `{0}`: use one of agency_head, coordinator, provincial_reviewer, central, auditor, admin"
)]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    Agency,
    Office,
    Province,
    National,
}

/// A region by its Kemendagri code: a province ("63") or a kab/kota ("63.72").
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RegionCode(String);

impl RegionCode {
    /// Two digits for a province, `PP.KK` for a kabupaten/kota.
    pub fn parse(s: &str) -> Result<Self, InvalidRegionCode> {
        let s = s.trim();
        let ok_part = |p: &str| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit());
        let valid = match s.split_once('.') {
            None => ok_part(s),
            Some((p, k)) => ok_part(p) && ok_part(k),
        };
        if valid {
            Ok(RegionCode(s.to_string()))
        } else {
            Err(InvalidRegionCode(s.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The province this region lies in ("63" for "63.72").
    pub fn province(&self) -> &str {
        self.0.split('.').next().unwrap_or(&self.0)
    }

    pub fn is_province(&self) -> bool {
        !self.0.contains('.')
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid region code `{0}`: use the Kemendagri code, two digits for a province (`63`) or `PP.KK` for a kabupaten/kota (`63.72`)"
)]
pub struct InvalidRegionCode(pub String);

/// What an account may see and act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scope {
    Agency { agency_id: Uuid },
    Office { office_id: Uuid, region: RegionCode },
    Province { province: String },
    National,
}

impl Scope {
    pub fn kind(&self) -> ScopeKind {
        match self {
            Scope::Agency { .. } => ScopeKind::Agency,
            Scope::Office { .. } => ScopeKind::Office,
            Scope::Province { .. } => ScopeKind::Province,
            Scope::National => ScopeKind::National,
        }
    }
}

/// A person acting, as the core sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub id: Uuid,
    pub role: Role,
    pub scope: Scope,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a {role} account needs a {expected:?} scope, not {got:?}")]
pub struct ScopeMismatch {
    pub role: Role,
    pub expected: ScopeKind,
    pub got: ScopeKind,
}

impl Actor {
    /// Builds an actor, refusing a scope that does not fit the role.
    pub fn new(id: Uuid, role: Role, scope: Scope) -> Result<Self, ScopeMismatch> {
        if role.scope_kind() != scope.kind() {
            return Err(ScopeMismatch {
                role,
                expected: role.scope_kind(),
                got: scope.kind(),
            });
        }
        Ok(Actor { id, role, scope })
    }

    /// Whether this actor may see an application owned by `agency_id` and handled by `office`.
    pub fn can_see(&self, owner: &Ownership) -> bool {
        match &self.scope {
            Scope::Agency { agency_id } => *agency_id == owner.agency_id,
            Scope::Office { office_id, .. } => *office_id == owner.office_id,
            Scope::Province { province } => {
                !owner.office_region.is_province() && owner.office_region.province() == province
            }
            Scope::National => true,
        }
    }

    /// Whether this actor may change anything at all (auditors and admins only read applications).
    pub fn may_write(&self) -> bool {
        !matches!(self.role, Role::Auditor | Role::Admin)
    }
}

/// Who an application belongs to, for scope checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ownership {
    pub agency_id: Uuid,
    /// The Disdukcapil office that handles the application.
    pub office_id: Uuid,
    pub office_region: RegionCode,
    /// The office's time zone: every calendar date of the application (letters, PKS signing,
    /// grant validity, evaluation dates) is a day on the office's clock. States written before
    /// the zone was recorded read as WIB; the store fills in the office's zone when it loads one.
    #[serde(default)]
    pub zone: crate::calendar::OfficeZone,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_coordinators_and_ditjen_control_an_access() {
        let controllers: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.controls_access())
            .collect();
        assert_eq!(controllers, vec![Role::Coordinator, Role::Central]);
    }

    fn owner(region: &str) -> Ownership {
        Ownership {
            agency_id: Uuid::from_u128(1),
            office_id: Uuid::from_u128(2),
            office_region: RegionCode::parse(region).unwrap(),
            zone: Default::default(),
        }
    }

    #[test]
    fn role_names_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert!(
            "kepala"
                .parse::<Role>()
                .unwrap_err()
                .to_string()
                .contains("agency_head")
        );
    }

    #[test]
    fn region_codes() {
        assert!(RegionCode::parse("63").unwrap().is_province());
        let k = RegionCode::parse("61.71").unwrap();
        assert_eq!(k.province(), "61");
        assert!(!k.is_province());
        for bad in ["", "6", "631", "63.7", "aa.bb", "63.72.01", "63."] {
            assert!(RegionCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn scope_must_fit_role() {
        let id = Uuid::from_u128(9);
        assert!(Actor::new(id, Role::AgencyHead, Scope::National).is_err());
        assert!(Actor::new(id, Role::Auditor, Scope::National).is_ok());
        assert!(
            Actor::new(
                id,
                Role::ProvincialReviewer,
                Scope::Province {
                    province: "61".into()
                }
            )
            .is_ok()
        );
    }

    #[test]
    fn visibility_by_scope() {
        let kota = owner("61.71");
        let prov = owner("61");
        let agency = |a| {
            Actor::new(
                Uuid::nil(),
                Role::AgencyHead,
                Scope::Agency {
                    agency_id: Uuid::from_u128(a),
                },
            )
            .unwrap()
        };
        assert!(agency(1).can_see(&kota));
        assert!(!agency(3).can_see(&kota));
        let coord = |o| {
            Actor::new(
                Uuid::nil(),
                Role::Coordinator,
                Scope::Office {
                    office_id: Uuid::from_u128(o),
                    region: RegionCode::parse("61.71").unwrap(),
                },
            )
            .unwrap()
        };
        assert!(coord(2).can_see(&kota));
        assert!(!coord(4).can_see(&kota));
        let reviewer = |p: &str| {
            Actor::new(
                Uuid::nil(),
                Role::ProvincialReviewer,
                Scope::Province { province: p.into() },
            )
            .unwrap()
        };
        assert!(reviewer("61").can_see(&kota));
        assert!(!reviewer("63").can_see(&kota));
        // A provincial reviewer reviews kab/kota drafts, not the province's own applications.
        assert!(!reviewer("61").can_see(&prov));
        let auditor = Actor::new(Uuid::nil(), Role::Auditor, Scope::National).unwrap();
        assert!(auditor.can_see(&kota) && !auditor.may_write());
    }
}
