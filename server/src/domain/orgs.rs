//! Organisations: the default one, lookups for the org context, and creating more.

use super::Services;
use super::authz::{self, Permission};
use super::error::{DomainError, faults};
use super::ids::new_id;
use super::values::check_text;
use crate::store::orgs;
use app::model::{Actor, OrgId, OrgView};

impl Services {
    /// The organisation a call works in: the requested one (which must exist; PermissionDenied
    /// `AUTH-Bs7Ds` otherwise) or, when none is named, `fallback`.
    pub async fn resolve_org(
        &self,
        requested: Option<&str>,
        fallback: &OrgId,
    ) -> Result<OrgId, DomainError> {
        let Some(requested) = requested.filter(|value| !value.is_empty()) else {
            return Ok(fallback.clone());
        };
        let mut conn = self.db().conn().await?;
        orgs::get(conn.exec(), requested)
            .await?
            .map(|org| OrgId(org.id))
            .ok_or(DomainError::PermissionDenied(faults::ORG_NOT_FOUND))
    }

    /// The default organisation.
    pub async fn default_org(&self) -> Result<OrgId, DomainError> {
        let mut conn = self.db().conn().await?;
        orgs::default_org_id(conn.exec())
            .await?
            .map(OrgId)
            .ok_or_else(|| DomainError::internal("the instance is not bootstrapped"))
    }

    /// Organisations the caller may read users in. Needs `user.read`.
    pub async fn list_orgs(&self, actor: &Actor) -> Result<Vec<OrgView>, DomainError> {
        let allowed = authz::orgs_with(actor, Permission::UserRead)?;
        let default = self.default_org().await?;
        let mut conn = self.db().conn().await?;
        let rows = orgs::list(conn.exec()).await?;
        Ok(rows
            .into_iter()
            .filter(|org| {
                allowed
                    .as_ref()
                    .is_none_or(|ids| ids.iter().any(|id| id.as_str() == org.id))
            })
            .map(|org| OrgView {
                is_default: org.id == default.as_str(),
                id: OrgId(org.id),
                name: org.name,
            })
            .collect())
    }

    /// An organisation's name (empty when unknown).
    pub async fn org_name(&self, org_id: &str) -> Result<String, DomainError> {
        let mut conn = self.db().conn().await?;
        Ok(orgs::get(conn.exec(), org_id)
            .await?
            .map(|org| org.name)
            .unwrap_or_default())
    }
    /// Creates an organisation. Instance owners only.
    pub async fn create_org(&self, actor: &Actor, name: &str) -> Result<OrgId, DomainError> {
        match authz::orgs_with(actor, Permission::InstanceWrite)? {
            None => {}
            Some(_) => return Err(DomainError::PermissionDenied(faults::NO_PERMISSION)),
        }
        let name = name.trim();
        if name.is_empty() {
            return Err(DomainError::Invalid(faults::ORG_NAME_EMPTY));
        }
        check_text(name, "name", 200)?;
        let now = self.now();
        let id = new_id(now);
        let mut conn = self.db().conn().await?;
        orgs::insert(conn.exec(), &id, name, now).await?;
        tracing::info!(org_id = %id, "organisation created");
        Ok(OrgId(id))
    }
}
