use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What an account is allowed to do. Public registration creates only seekers and
/// merchants; officers and admins are created by an admin (or the `doorstep admin` command).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum Role {
    #[sea_orm(string_value = "seeker")]
    Seeker,
    #[sea_orm(string_value = "merchant")]
    Merchant,
    #[sea_orm(string_value = "officer")]
    Officer,
    #[sea_orm(string_value = "admin")]
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Seeker => "seeker",
            Role::Merchant => "merchant",
            Role::Officer => "officer",
            Role::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "seeker" => Some(Role::Seeker),
            "merchant" => Some(Role::Merchant),
            "officer" => Some(Role::Officer),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// Whether anyone may create an account of this role by signing up.
    pub fn is_self_service(self) -> bool {
        matches!(self, Role::Seeker | Role::Merchant)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
