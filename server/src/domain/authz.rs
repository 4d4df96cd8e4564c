//! Who may do what: roles map to the contract's permissions, checked against the memberships
//! the middleware loaded for this request.

use super::error::{DomainError, faults};
use app::model::{Actor, Authenticated, Gate, Membership, OrgId, Role, UserId};

/// The contract's permissions (1.1) plus Roster's instance administration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    UserRead,
    UserWrite,
    UserCredentialWrite,
    /// Managing service accounts and their tokens.
    InstanceWrite,
}

/// What a role grants (ZITADEL's `RolePermissionMappings` for these permissions).
pub fn grants(role: Role, permission: Permission) -> bool {
    use Permission::*;
    match role {
        Role::IamOwner => true,
        Role::OrgOwner => permission != InstanceWrite,
        Role::IamUserManager | Role::OrgUserManager => matches!(permission, UserRead | UserWrite),
        Role::OrgUserViewer => permission == UserRead,
    }
}

fn applies_to(membership: &Membership, org_id: &OrgId) -> bool {
    membership
        .org_id
        .as_ref()
        .is_none_or(|granted| granted == org_id)
}

/// Proof that the caller may act in one organisation (as an administrator) or on one user
/// (as themselves). Only this module creates it, so a use case taking an `Access` cannot be
/// reached without an authorization check.
#[derive(Clone, Debug)]
pub struct Access {
    org_id: OrgId,
    actor_id: Option<UserId>,
    only_user: Option<UserId>,
    /// The caller's own session, for self-service access from a browser.
    own_session: Option<String>,
}

impl Access {
    /// The organisation the access is for.
    pub fn org_id(&self) -> &OrgId {
        &self.org_id
    }

    /// Who acts (for the event log).
    pub fn actor_id(&self) -> Option<&str> {
        self.actor_id.as_ref().map(UserId::as_str)
    }

    /// The caller's own id, for self-service access.
    pub fn own_user_id(&self) -> Option<&str> {
        self.only_user.as_ref().map(UserId::as_str)
    }

    /// The caller's own session key when they act on their own account from a browser (so a
    /// change that ends the user's sessions can keep the one making it).
    pub fn own_session_key(&self) -> Option<&str> {
        self.own_session.as_deref()
    }

    /// Whether the access covers this user (self-service access covers only the caller).
    pub fn covers(&self, user_id: &str) -> bool {
        self.only_user
            .as_ref()
            .is_none_or(|only| only.as_str() == user_id)
    }
}

/// The signed-in identity of a caller that finished every pending step.
pub fn require_authenticated(actor: &Actor) -> Result<&Authenticated, DomainError> {
    let auth = actor
        .authenticated()
        .ok_or(DomainError::Unauthenticated(faults::SESSION_REQUIRED))?;
    match auth.gate {
        Some(gate) => Err(DomainError::StepRequired(gate)),
        None => Ok(auth),
    }
}

/// The signed-in human, allowing one pending step (for the page that finishes it).
pub fn require_human_allowing(actor: &Actor, gate: Gate) -> Result<&Authenticated, DomainError> {
    match actor {
        Actor::Human(auth) if auth.gate.is_none() || auth.gate == Some(gate) => Ok(auth),
        Actor::Human(auth) => Err(DomainError::StepRequired(auth.gate.unwrap_or(gate))),
        _ => Err(DomainError::Unauthenticated(faults::SESSION_REQUIRED)),
    }
}

/// Refuses changes to credentials and addresses when the password was last checked more than
/// `window` ago in this session (security.md: re-authenticate within 10 minutes).
pub fn require_recent_sign_in(
    actor: &Actor,
    now: i64,
    window: std::time::Duration,
) -> Result<(), DomainError> {
    let auth = require_authenticated(actor)?;
    if now - auth.authenticated_at > window.as_micros() as i64 {
        Err(DomainError::ReauthRequired)
    } else {
        Ok(())
    }
}

/// Self-service access to the caller's own account.
pub fn own_account(actor: &Actor) -> Result<Access, DomainError> {
    let auth = require_authenticated(actor)?;
    Ok(Access {
        org_id: auth.org_id.clone(),
        actor_id: Some(auth.user_id.clone()),
        only_user: Some(auth.user_id.clone()),
        own_session: auth.session_key.clone(),
    })
}

/// Whether the caller holds `permission` anywhere (to show or refuse admin views).
pub fn holds_anywhere(actor: &Actor, permission: Permission) -> bool {
    actor.authenticated().is_some_and(|auth| {
        auth.gate.is_none()
            && auth
                .memberships
                .iter()
                .any(|membership| grants(membership.role, permission))
    })
}

/// The organisations in which the caller holds `permission`: `None` means all of them.
pub fn orgs_with(actor: &Actor, permission: Permission) -> Result<Option<Vec<OrgId>>, DomainError> {
    let auth = require_authenticated(actor)?;
    let granting: Vec<&Membership> = auth
        .memberships
        .iter()
        .filter(|membership| grants(membership.role, permission))
        .collect();
    if granting.is_empty() {
        return Err(DomainError::PermissionDenied(faults::NO_PERMISSION));
    }
    if granting
        .iter()
        .any(|membership| membership.org_id.is_none())
    {
        return Ok(None);
    }
    Ok(Some(
        granting
            .into_iter()
            .filter_map(|membership| membership.org_id.clone())
            .collect(),
    ))
}

/// Checks `permission` in an organisation that is known to exist, with the contract's
/// outcomes: no membership there or on the instance → NotFound `AUTHZ-cdgFk`; memberships
/// without the permission → PermissionDenied `AUTH-5mWD2`.
pub fn in_org(actor: &Actor, org_id: OrgId, permission: Permission) -> Result<Access, DomainError> {
    let auth = require_authenticated(actor)?;
    let relevant: Vec<&Membership> = auth
        .memberships
        .iter()
        .filter(|membership| applies_to(membership, &org_id))
        .collect();
    if relevant.is_empty() {
        return Err(DomainError::NotFound(faults::MEMBERSHIP_NOT_FOUND));
    }
    if !relevant
        .iter()
        .any(|membership| grants(membership.role, permission))
    {
        return Err(DomainError::PermissionDenied(faults::NO_PERMISSION));
    }
    Ok(Access {
        org_id,
        actor_id: Some(auth.user_id.clone()),
        only_user: None,
        own_session: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(memberships: Vec<Membership>) -> Actor {
        Actor::Service(Authenticated {
            user_id: UserId("9".into()),
            org_id: OrgId("1".into()),
            memberships,
            session_key: None,
            gate: None,
            authenticated_at: 0,
        })
    }

    #[test]
    fn org_roles_apply_to_their_org_only() {
        let manager = actor(vec![Membership {
            org_id: Some(OrgId("1".into())),
            role: Role::OrgUserManager,
        }]);
        assert!(in_org(&manager, OrgId("1".into()), Permission::UserWrite).is_ok());
        assert!(matches!(
            in_org(&manager, OrgId("2".into()), Permission::UserWrite),
            Err(DomainError::NotFound(fault)) if fault.id == "AUTHZ-cdgFk"
        ));
        assert!(matches!(
            in_org(&manager, OrgId("1".into()), Permission::UserCredentialWrite),
            Err(DomainError::PermissionDenied(fault)) if fault.id == "AUTH-5mWD2"
        ));
    }

    #[test]
    fn instance_roles_apply_everywhere_and_viewers_only_read() {
        let owner = actor(vec![Membership {
            org_id: None,
            role: Role::IamOwner,
        }]);
        assert!(in_org(&owner, OrgId("2".into()), Permission::InstanceWrite).is_ok());
        assert_eq!(orgs_with(&owner, Permission::UserRead).unwrap(), None);
        let viewer = actor(vec![Membership {
            org_id: Some(OrgId("1".into())),
            role: Role::OrgUserViewer,
        }]);
        assert!(in_org(&viewer, OrgId("1".into()), Permission::UserRead).is_ok());
        assert!(in_org(&viewer, OrgId("1".into()), Permission::UserWrite).is_err());
        assert!(matches!(
            orgs_with(&actor(vec![]), Permission::UserRead),
            Err(DomainError::PermissionDenied(_))
        ));
    }
}
