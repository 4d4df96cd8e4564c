//! Bearer authentication and the organisation context (contract 1.1): authentication and
//! authorization run before any request validation.

use super::error::ApiError;
use crate::domain::authz::{self, Access, Permission};
use crate::domain::error::faults;
use crate::domain::{DomainError, Services};
use app::model::{Actor, OrgId};
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

/// An authenticated REST caller with the organisation it asked for.
#[derive(Debug)]
pub struct Caller {
    actor: Actor,
    home_org: OrgId,
    requested_org: Option<String>,
}

impl Caller {
    /// Access to the context organisation if the caller holds `permission` there.
    pub async fn authorize(
        &self,
        services: &Services,
        permission: Permission,
    ) -> Result<Access, ApiError> {
        let org = services
            .resolve_org(self.requested_org.as_deref(), &self.home_org)
            .await?;
        Ok(authz::in_org(&self.actor, org, permission)?)
    }
}

impl FromRequestParts<Services> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, services: &Services) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .ok_or(DomainError::Unauthenticated(faults::AUTH_HEADER_MISSING))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|value| {
                value
                    .strip_prefix("Bearer ")
                    .or_else(|| value.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or(DomainError::Unauthenticated(faults::TOKEN_INVALID))?;
        let auth = services
            .resolve_bearer(token)
            .await?
            .ok_or(DomainError::Unauthenticated(faults::TOKEN_INVALID))?;
        let requested_org = parts
            .headers
            .get("x-zitadel-orgid")
            .and_then(|value| value.to_str().ok())
            .map(|value| value.trim().to_owned());
        Ok(Caller {
            home_org: auth.org_id.clone(),
            actor: Actor::Service(auth),
            requested_org,
        })
    }
}
