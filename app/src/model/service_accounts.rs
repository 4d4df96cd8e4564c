use super::{OrgId, Role, TokenId, UserId};
use serde::{Deserialize, Serialize};

/// A personal access token as listed (never the secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenView {
    pub id: TokenId,
    pub created_at: String,
    pub last_used_at: Option<String>,
}

/// A service account (a machine user) with its role and tokens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceAccountView {
    pub id: UserId,
    pub org_id: OrgId,
    pub username: String,
    pub name: String,
    pub role: Option<Role>,
    pub created_at: String,
    pub tokens: Vec<TokenView>,
}

/// The admin form that creates a service account and its first token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateServiceAccountForm {
    pub username: String,
    pub name: String,
    pub role: Role,
    /// For organisation roles: the organisation (empty = default).
    pub org_id: String,
}

/// The created account and its token, shown exactly once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedServiceAccount {
    pub account: ServiceAccountView,
    pub token: String,
}
