use super::{OrgId, UserId};
use serde::{Deserialize, Serialize};

/// A role a user or service account holds, with ZITADEL's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// Everything, on every organisation, including service accounts.
    IamOwner,
    /// Read and write users on every organisation.
    IamUserManager,
    /// Everything inside one organisation.
    OrgOwner,
    /// Read and write users inside one organisation.
    OrgUserManager,
    /// Read users inside one organisation.
    OrgUserViewer,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::IamOwner,
        Role::IamUserManager,
        Role::OrgOwner,
        Role::OrgUserManager,
        Role::OrgUserViewer,
    ];

    /// ZITADEL's name for the role.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::IamOwner => "IAM_OWNER",
            Role::IamUserManager => "IAM_USER_MANAGER",
            Role::OrgOwner => "ORG_OWNER",
            Role::OrgUserManager => "ORG_USER_MANAGER",
            Role::OrgUserViewer => "ORG_USER_VIEWER",
        }
    }

    pub fn parse(value: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == value)
    }

    /// Instance roles apply to every organisation; org roles to the one they were granted on.
    pub fn is_instance_role(self) -> bool {
        matches!(self, Role::IamOwner | Role::IamUserManager)
    }

    /// A short description for the admin views.
    pub fn label(self) -> &'static str {
        match self {
            Role::IamOwner => "Instance owner (everything)",
            Role::IamUserManager => "User manager, all organisations",
            Role::OrgOwner => "Organisation owner",
            Role::OrgUserManager => "User manager, one organisation",
            Role::OrgUserViewer => "User viewer, one organisation",
        }
    }
}

/// A role granted on the whole instance (`org_id` is `None`) or on one organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub org_id: Option<OrgId>,
    pub role: Role,
}

/// A step a signed-in person must finish before anything else is allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Gate {
    /// The password was set by someone else (or is a one-time password) and must be changed.
    ChangePassword,
    /// The account has not been initialized yet: the code from the invitation mail is needed.
    Initialize,
    /// The password was right; the second factor (authenticator app or security key) is owed.
    SecondFactor,
}

/// Who is calling, as resolved by the server's authentication middleware for every request.
/// Roles are read from the database on each request, so changes apply at once.
#[derive(Clone, Debug, Default)]
pub enum Actor {
    #[default]
    Anonymous,
    /// A person signed in with a session cookie.
    Human(Authenticated),
    /// A service account calling with a personal access token.
    Service(Authenticated),
}

/// The identity behind a signed-in [`Actor`].
#[derive(Clone, Debug)]
pub struct Authenticated {
    pub user_id: UserId,
    pub org_id: OrgId,
    pub memberships: Vec<Membership>,
    /// The hash of the session token (humans only); used to end this session.
    pub session_key: Option<String>,
    /// For humans: a step to finish before anything else.
    pub gate: Option<Gate>,
    /// When the password was last checked in this session (µs since the epoch).
    pub authenticated_at: i64,
}

impl Actor {
    /// The identity, if any.
    pub fn authenticated(&self) -> Option<&Authenticated> {
        match self {
            Actor::Anonymous => None,
            Actor::Human(auth) | Actor::Service(auth) => Some(auth),
        }
    }

    pub fn user_id(&self) -> Option<&UserId> {
        self.authenticated().map(|auth| &auth.user_id)
    }
}
