use super::{OrgId, UserId};
use serde::{Deserialize, Serialize};

/// A user's lifecycle state, numbered as `zitadel.user.v1.UserState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum UserState {
    #[default]
    Unspecified,
    Active,
    Inactive,
    Deleted,
    Locked,
    Suspend,
    Initial,
}

impl UserState {
    pub fn as_number(self) -> i16 {
        match self {
            UserState::Unspecified => 0,
            UserState::Active => 1,
            UserState::Inactive => 2,
            UserState::Deleted => 3,
            UserState::Locked => 4,
            UserState::Suspend => 5,
            UserState::Initial => 6,
        }
    }

    pub fn from_number(value: i64) -> UserState {
        match value {
            1 => UserState::Active,
            2 => UserState::Inactive,
            3 => UserState::Deleted,
            4 => UserState::Locked,
            5 => UserState::Suspend,
            6 => UserState::Initial,
            _ => UserState::Unspecified,
        }
    }

    /// The proto enum name, e.g. `USER_STATE_ACTIVE`.
    pub fn proto_name(self) -> &'static str {
        match self {
            UserState::Unspecified => "USER_STATE_UNSPECIFIED",
            UserState::Active => "USER_STATE_ACTIVE",
            UserState::Inactive => "USER_STATE_INACTIVE",
            UserState::Deleted => "USER_STATE_DELETED",
            UserState::Locked => "USER_STATE_LOCKED",
            UserState::Suspend => "USER_STATE_SUSPEND",
            UserState::Initial => "USER_STATE_INITIAL",
        }
    }

    /// A word for people.
    pub fn label(self) -> &'static str {
        match self {
            UserState::Unspecified => "Unknown",
            UserState::Active => "Active",
            UserState::Inactive => "Inactive",
            UserState::Deleted => "Deleted",
            UserState::Locked => "Locked",
            UserState::Suspend => "Suspended",
            UserState::Initial => "Not yet initialized",
        }
    }
}

/// Gender as `zitadel.user.v1.Gender`; "unspecified" is a single value (Roster decision D5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Gender {
    #[default]
    Unspecified,
    Female,
    Male,
    Diverse,
}

impl Gender {
    pub const ALL: [Gender; 4] = [
        Gender::Unspecified,
        Gender::Female,
        Gender::Male,
        Gender::Diverse,
    ];

    pub fn as_number(self) -> i16 {
        match self {
            Gender::Unspecified => 0,
            Gender::Female => 1,
            Gender::Male => 2,
            Gender::Diverse => 3,
        }
    }

    pub fn from_number(value: i64) -> Option<Gender> {
        match value {
            0 => Some(Gender::Unspecified),
            1 => Some(Gender::Female),
            2 => Some(Gender::Male),
            3 => Some(Gender::Diverse),
            _ => None,
        }
    }

    pub fn proto_name(self) -> &'static str {
        match self {
            Gender::Unspecified => "GENDER_UNSPECIFIED",
            Gender::Female => "GENDER_FEMALE",
            Gender::Male => "GENDER_MALE",
            Gender::Diverse => "GENDER_DIVERSE",
        }
    }

    pub fn from_proto_name(value: &str) -> Option<Gender> {
        Gender::ALL
            .into_iter()
            .find(|gender| gender.proto_name() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            Gender::Unspecified => "Not specified",
            Gender::Female => "Female",
            Gender::Male => "Male",
            Gender::Diverse => "Diverse",
        }
    }
}

/// A human's profile as shown to people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ProfileView {
    pub first_name: String,
    pub last_name: String,
    pub nick_name: String,
    pub display_name: String,
    /// Canonical BCP 47 tag, `und` when undefined.
    pub preferred_language: String,
    pub gender: Gender,
    /// The avatar's public URL, when the user has one.
    pub avatar_url: Option<String>,
}

/// A full replacement of a profile, from the account page or the admin user page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ProfileForm {
    pub first_name: String,
    pub last_name: String,
    pub nick_name: String,
    pub display_name: String,
    pub preferred_language: String,
    pub gender: Gender,
}

impl From<ProfileView> for ProfileForm {
    fn from(view: ProfileView) -> Self {
        Self {
            first_name: view.first_name,
            last_name: view.last_name,
            nick_name: view.nick_name,
            display_name: view.display_name,
            preferred_language: if view.preferred_language == "und" {
                String::new()
            } else {
                view.preferred_language
            },
            gender: view.gender,
        }
    }
}

/// One row of the admin user list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: UserId,
    pub org_id: OrgId,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub email_verified: bool,
    pub state: UserState,
    /// The avatar's URL, for the thumbnail.
    pub avatar_url: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

/// The columns the admin user list can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum UserSort {
    #[default]
    Username,
    DisplayName,
    Email,
    Created,
    State,
}

/// Everything the admin user page shows about one human.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDetail {
    pub id: UserId,
    pub org_id: OrgId,
    pub org_name: String,
    pub username: String,
    pub state: UserState,
    pub profile: ProfileView,
    pub email: String,
    pub email_verified: bool,
    /// A new address the user asked for and has not verified yet.
    pub pending_email: Option<String>,
    pub phone: Option<String>,
    pub phone_verified: bool,
    pub has_password: bool,
    pub failed_password_attempts: i32,
    /// The failed sign-ins reached the lockout limit: sign-in is refused, whatever the state,
    /// until an administrator unlocks the user.
    pub locked_out: bool,
    pub password_change_required: bool,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub changed_at: String,
    pub sequence: u64,
}

/// A page request for the admin user list: a search text and a cursor from an earlier page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct UserListQuery {
    /// Matches the start of the username, email, first, last or display name (any case).
    pub search: String,
    /// `next_cursor` of the previous page; `None` for the first page.
    pub after: Option<String>,
    /// Rows per page (clamped by the server).
    pub limit: u32,
    #[serde(default)]
    pub sort: UserSort,
    #[serde(default)]
    pub descending: bool,
    /// Only users in this state.
    #[serde(default)]
    pub state: Option<UserState>,
}

/// One page of the admin user list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserListPage {
    pub users: Vec<UserSummary>,
    /// Number of users matching the search, capped at `total_capped_at`.
    pub total: u64,
    pub total_capped_at: u64,
    /// Pass as `after` to get the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// An organisation, for pickers in the admin views.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgView {
    pub id: OrgId,
    pub name: String,
    pub is_default: bool,
}

/// The admin import form: every field of the REST import (contract 3.1), flat.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ImportUserForm {
    /// Empty means the default organisation.
    pub org_id: String,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub nick_name: String,
    pub display_name: String,
    pub preferred_language: String,
    pub gender: Gender,
    pub email: String,
    pub email_verified: bool,
    pub phone: String,
    pub phone_verified: bool,
    pub password: String,
    pub password_change_required: bool,
    pub hashed_password: String,
    pub request_passkey_link: bool,
}

/// What an import produced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOutcome {
    pub user_id: UserId,
    pub state: UserState,
    pub init_mail_queued: bool,
    pub passkey_link: Option<String>,
    pub passkey_link_lifetime_secs: u64,
}
