//! Text columns that hold one of the core's enums by its name: `accounts.role` holds
//! `coordinator`, `grants.kind` holds `test`, `attestations.connection` holds `lan`. The rows the store hands out carry the core's type
//! (`Named<Role>`), so callers compare `account.role == Role::Coordinator`, never strings, and a
//! name the core does not know is a read error, not a silent mismatch.
//!
//! The core stays free of the database: the names live in [`ColumnName`], implemented here, and
//! `Named` carries the sea-orm conversions that `DeriveValueType` would write for a local type.

use sea_orm::Value;
use sea_orm::sea_query::{ArrayType, ColumnType, Nullable, StringLen, ValueType, ValueTypeErr};
use sea_orm::{
    ActiveValue, ColIdx, DbErr, IntoActiveValue, QueryResult, TryFromU64, TryGetError, TryGetable,
};
use sepakat_core::Role;
use sepakat_core::application::{ConnectionType, EvaluationKind, GrantKind};
use serde::{Serialize, Serializer};
use std::fmt;
use std::ops::Deref;

/// A core enum stored in a text column by its name.
pub trait ColumnName: Sized + Copy + 'static {
    /// Every value, for reading a name back.
    const ALL: &'static [Self];
    /// The type's name in read errors.
    const TYPE: &'static str;
    fn column_name(self) -> &'static str;
    fn from_column_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.column_name() == name)
    }
}

impl ColumnName for Role {
    const ALL: &'static [Self] = &Role::ALL;
    const TYPE: &'static str = "Role";
    fn column_name(self) -> &'static str {
        self.as_str()
    }
}

impl ColumnName for GrantKind {
    const ALL: &'static [Self] = &[GrantKind::Test, GrantKind::Production];
    const TYPE: &'static str = "GrantKind";
    fn column_name(self) -> &'static str {
        match self {
            GrantKind::Test => "test",
            GrantKind::Production => "production",
        }
    }
}

impl ColumnName for ConnectionType {
    const ALL: &'static [Self] = &[
        ConnectionType::VpnAgencyToDisdukcapil,
        ConnectionType::Lan,
        ConnectionType::VpnDisdukcapilToCentral,
    ];
    const TYPE: &'static str = "ConnectionType";
    fn column_name(self) -> &'static str {
        match self {
            ConnectionType::VpnAgencyToDisdukcapil => "vpn_agency_to_disdukcapil",
            ConnectionType::Lan => "lan",
            ConnectionType::VpnDisdukcapilToCentral => "vpn_disdukcapil_to_central",
        }
    }
}

impl ColumnName for EvaluationKind {
    const ALL: &'static [Self] = &[EvaluationKind::Periodic, EvaluationKind::Incidental];
    const TYPE: &'static str = "EvaluationKind";
    fn column_name(self) -> &'static str {
        self.as_str()
    }
}

/// A value of the core's enum `T`, stored by its name. Derefs to `T` and compares with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Named<T>(pub T);

impl<T> Deref for Named<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: PartialEq> PartialEq<T> for Named<T> {
    fn eq(&self, other: &T) -> bool {
        self.0 == *other
    }
}

impl<T> From<T> for Named<T> {
    fn from(value: T) -> Self {
        Named(value)
    }
}

impl<T: ColumnName> Named<T> {
    /// The name as stored.
    pub fn as_str(&self) -> &'static str {
        self.0.column_name()
    }
}

impl<T: ColumnName> fmt::Display for Named<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, not `write_str`: the CLI lines these up in columns (`{:<10}`).
        f.pad(self.as_str())
    }
}

/// Serialized as the name, exactly as the column held it before it was typed.
impl<T: ColumnName> Serialize for Named<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

fn parse<T: ColumnName>(name: &str) -> Option<Named<T>> {
    T::from_column_name(name).map(Named)
}

/// A stored name read back, e.g. from a filter: an unknown one says which type it is not.
impl<T: ColumnName> std::str::FromStr for Named<T> {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s).ok_or_else(|| {
            let known: Vec<&str> = T::ALL.iter().map(|v| v.column_name()).collect();
            format!(
                "`{s}` is not a {}; use one of {}",
                T::TYPE,
                known.join(", ")
            )
        })
    }
}

impl<T: ColumnName> From<Named<T>> for Value {
    fn from(v: Named<T>) -> Self {
        v.as_str().into()
    }
}

impl<T: ColumnName> TryGetable for Named<T> {
    fn try_get_by<I: ColIdx>(res: &QueryResult, idx: I) -> Result<Self, TryGetError> {
        let name = String::try_get_by(res, idx)?;
        parse(&name).ok_or_else(|| {
            TryGetError::DbErr(DbErr::Type(format!(
                "`{name}` is not a {} the core knows",
                T::TYPE
            )))
        })
    }
}

impl<T: ColumnName> ValueType for Named<T> {
    fn try_from(v: Value) -> Result<Self, ValueTypeErr> {
        let name = <String as ValueType>::try_from(v)?;
        parse(&name).ok_or(ValueTypeErr)
    }
    fn type_name() -> String {
        format!("Named<{}>", T::TYPE)
    }
    fn array_type() -> ArrayType {
        ArrayType::String
    }
    fn column_type() -> ColumnType {
        ColumnType::String(StringLen::None)
    }
}

impl<T: ColumnName> Nullable for Named<T> {
    fn null() -> Value {
        Value::String(None)
    }
}

/// A text key is never generated by the database (`application_waits` has the role in its key).
impl<T: ColumnName> TryFromU64 for Named<T> {
    fn try_from_u64(_: u64) -> Result<Self, DbErr> {
        Err(DbErr::ConvertFromU64("Named"))
    }
}

impl<T: ColumnName> IntoActiveValue<Named<T>> for Named<T> {
    fn into_active_value(self) -> ActiveValue<Named<T>> {
        ActiveValue::Set(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_reads_back_from_its_name_and_serializes_as_it() {
        for role in Role::ALL {
            let v: Value = Named(role).into();
            assert_eq!(<Named<Role> as ValueType>::try_from(v).unwrap(), role);
            assert_eq!(
                serde_json::to_value(Named(role)).unwrap(),
                serde_json::to_value(role).unwrap()
            );
        }
        for kind in GrantKind::ALL {
            assert_eq!(parse::<GrantKind>(kind.column_name()), Some(Named(*kind)));
            assert_eq!(
                serde_json::to_value(Named(*kind)).unwrap(),
                serde_json::to_value(kind).unwrap()
            );
        }
        for c in ConnectionType::ALL {
            assert_eq!(
                serde_json::to_value(Named(*c)).unwrap(),
                serde_json::to_value(c).unwrap()
            );
        }
        for kind in EvaluationKind::ALL {
            assert_eq!(
                serde_json::to_value(Named(*kind)).unwrap(),
                serde_json::to_value(kind).unwrap()
            );
        }
    }

    #[test]
    fn a_name_lines_up_in_a_padded_column() {
        assert_eq!(format!("[{:<12}]", Named(Role::Admin)), "[admin       ]");
    }

    #[test]
    fn an_unknown_name_is_a_read_error() {
        assert!(parse::<Role>("kepala").is_none());
        assert!(<Named<GrantKind> as ValueType>::try_from(Value::from("uji")).is_err());
    }
}
