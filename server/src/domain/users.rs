//! Human users: import (contract 3.1), reads (3.7, 3.17, 3.21), profile update (3.22), and the
//! admin list and detail.

use super::Services;
use super::authz::{self, Access, Permission};
use super::clock::rfc3339;
use super::codes::Purpose;
use super::error::{DomainError, Fault, faults};
use super::events::UserChange;
use super::ids::new_id;
use super::messaging::{PasskeyLink, Recipient};
use super::password::{PasswordContext, validate_imported_hash};
use super::values::{
    DisplayName, EmailAddress, LanguageTag, NickName, PersonName, PhoneNumber, Profile, Username,
    check_text,
};
use crate::notify::templates::Lang;
use crate::store::users;
use crate::store::users::{ListCursor, ListOrder, NewUser, ProfileValues, UserFilter, UserRow};
use app::model::{
    Actor, Gender, OrgId, UserListPage, UserListQuery, UserSort, UserState, UserSummary,
};
use serde_json::json;

/// An external identity link on import (contract 3.1 `idps`).
#[derive(Clone, Debug, Default)]
pub struct IdpLink {
    pub config_id: String,
    pub external_user_id: String,
    pub display_name: String,
}

/// A human to import, as both doors deliver it (REST after its own validation layer).
#[derive(Clone, Debug, Default)]
pub struct ImportHuman {
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub nick_name: String,
    pub display_name: String,
    pub preferred_language: String,
    pub gender: Gender,
    pub email: String,
    pub email_verified: bool,
    pub phone: Option<String>,
    pub phone_verified: bool,
    pub password: Option<String>,
    pub hashed_password: Option<String>,
    pub password_change_required: bool,
    pub request_passwordless: bool,
    pub idps: Vec<IdpLink>,
}

/// The outcome of an import.
#[derive(Clone, Debug)]
pub struct Imported {
    pub user_id: String,
    pub org_id: String,
    pub sequence: i64,
    pub created_at: i64,
    pub state: UserState,
    pub init_mail_queued: bool,
    pub passkey_link: Option<PasskeyLink>,
}

/// The `details` of a write (contract 1.6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeDetails {
    pub sequence: i64,
    pub changed_at: i64,
    pub org_id: String,
}

/// A user looked up inside an access scope.
#[derive(Debug)]
pub enum Lookup {
    Human(Box<UserRow>),
    /// A machine user (service account): not a human.
    Machine,
    /// Unknown, deleted, or outside the scope.
    Missing,
}

impl Lookup {
    /// Whether a user (of any kind) exists inside the scope.
    pub(crate) fn in_scope(row: &UserRow, access: &Access) -> bool {
        row.org_id == access.org_id().as_str()
            && access.covers(&row.id)
            && row.state != i32::from(UserState::Deleted.as_number())
    }

    pub(crate) fn of(row: Option<UserRow>, access: &Access) -> Lookup {
        match row {
            Some(row) if Lookup::in_scope(&row, access) => {
                if row.is_human() {
                    Lookup::Human(Box::new(row))
                } else {
                    Lookup::Machine
                }
            }
            _ => Lookup::Missing,
        }
    }

    /// The human, or the given errors for a machine user and for a missing one.
    pub fn human_or(
        self,
        missing: DomainError,
        machine: DomainError,
    ) -> Result<Box<UserRow>, DomainError> {
        match self {
            Lookup::Human(row) => Ok(row),
            Lookup::Machine => Err(machine),
            Lookup::Missing => Err(missing),
        }
    }
}

/// The state stored as a number.
pub fn state_of(row: &UserRow) -> UserState {
    UserState::from_number(i64::from(row.state))
}

/// The gender stored as a number (unknown numbers read as unspecified).
pub fn gender_of(row: &UserRow) -> Gender {
    Gender::from_number(i64::from(row.gender)).unwrap_or_default()
}

struct ValidImport {
    username: Username,
    first_name: PersonName,
    last_name: PersonName,
    nick_name: NickName,
    display_name: DisplayName,
    language: LanguageTag,
    email: EmailAddress,
    phone: Option<PhoneNumber>,
    plain_password: Option<String>,
    hashed_password: Option<String>,
}

impl Services {
    fn validate_import(&self, input: &ImportHuman) -> Result<ValidImport, DomainError> {
        let username = Username::parse(&input.username)?;
        let first_name = PersonName::first(&input.first_name)?;
        let last_name = PersonName::last(&input.last_name)?;
        let nick_name = NickName::parse(&input.nick_name)?;
        check_text(&input.display_name, "display_name", 200)?;
        let language = LanguageTag::parse(&input.preferred_language)?;
        let email = EmailAddress::parse(input.email.trim())?;
        let phone = input.phone.as_deref().map(PhoneNumber::parse).transpose()?;
        let display_name = if input.display_name.is_empty() {
            DisplayName::default_for(&first_name, &last_name, &email, &username)
        } else {
            DisplayName::parse(&input.display_name)?
        };
        let plain_password = input
            .password
            .clone()
            .filter(|password| !password.is_empty());
        if let Some(password) = &plain_password {
            let context = PasswordContext::of_user(
                username.as_str(),
                email.as_str(),
                [
                    first_name.as_str(),
                    last_name.as_str(),
                    display_name.as_str(),
                ],
            );
            self.deps().policy.check(password, &context)?;
        }
        let hashed_password = input
            .hashed_password
            .as_deref()
            .filter(|hash| !hash.is_empty())
            .map(validate_imported_hash)
            .transpose()?;
        if input
            .idps
            .iter()
            .any(|idp| idp.config_id.is_empty() || idp.external_user_id.is_empty())
        {
            return Err(DomainError::Invalid(faults::IDP_INVALID));
        }
        if !input.idps.is_empty() {
            // Roster has no identity-provider configurations, so every link names an unknown one.
            return Err(DomainError::FailedPrecondition(faults::IDP_NOT_EXISTING));
        }
        Ok(ValidImport {
            username,
            first_name,
            last_name,
            nick_name,
            display_name,
            language,
            email,
            phone,
            plain_password,
            hashed_password,
        })
    }

    /// Imports a human into the access's organisation (contract 3.1 with decisions D3-D5).
    pub async fn import_human(
        &self,
        access: &Access,
        input: ImportHuman,
    ) -> Result<Imported, DomainError> {
        let valid = self.validate_import(&input)?;
        // A hashed password overrides a plain one (contract 4.6), so only hash when needed.
        let password_hash = match (&valid.hashed_password, &valid.plain_password) {
            (Some(hash), _) => Some(hash.clone()),
            (None, Some(plain)) => Some(self.deps().hasher.hash(plain).await?),
            (None, None) => None,
        };
        let change_required = valid.hashed_password.is_none()
            && valid.plain_password.is_some()
            && input.password_change_required;
        let needs_init = input.idps.is_empty()
            && (!input.email_verified || (password_hash.is_none() && !input.request_passwordless));
        let state = if needs_init {
            UserState::Initial
        } else {
            UserState::Active
        };

        let now = self.now();
        let user_id = new_id(now);
        let org_id = access.org_id().as_str();
        let mut change = UserChange::new(&user_id, 0, now, access.actor_id());
        change.push(
            "user.human.added",
            json!({
                "userName": valid.username.as_str(),
                "firstName": valid.first_name.as_str(),
                "lastName": valid.last_name.as_str(),
                "nickName": valid.nick_name.as_str(),
                "displayName": valid.display_name.as_str(),
                "preferredLanguage": valid.language.as_str(),
                "gender": input.gender.as_number(),
                "email": valid.email.as_str(),
                "phone": valid.phone.as_ref().map(PhoneNumber::as_str),
                "hasPassword": password_hash.is_some(),
                "passwordChangeRequired": change_required,
            }),
        );
        if needs_init {
            change.push(
                "user.human.initialization.code.added",
                json!({ "expirySecs": Purpose::Init.lifetime_secs() }),
            );
        } else if input.email_verified {
            change.push("user.human.email.verified", json!({}));
        }
        let needs_phone_code = valid.phone.is_some() && !input.phone_verified;
        if valid.phone.is_some() && input.phone_verified {
            change.push("user.human.phone.verified", json!({}));
        } else if needs_phone_code {
            change.push(
                "user.human.phone.code.added",
                json!({ "expirySecs": Purpose::PhoneVerification.lifetime_secs() }),
            );
        }
        let passkey_code_id = input.request_passwordless.then(|| new_id(now));
        if let Some(code_id) = &passkey_code_id {
            change.push(
                "user.human.passwordless.initialization.code.added",
                json!({ "codeId": code_id, "expirySecs": Purpose::PasskeyRegistration.lifetime_secs() }),
            );
        }
        let stamp = change.stamp();

        let mut tx = self.db().begin().await?;
        let inserted = users::insert(
            tx.exec(),
            &NewUser {
                id: &user_id,
                org_id,
                kind: "human",
                username: valid.username.as_str(),
                username_key: &valid.username.key(),
                state: i32::from(state.as_number()),
                first_name: valid.first_name.as_str(),
                last_name: valid.last_name.as_str(),
                nick_name: valid.nick_name.as_str(),
                display_name: valid.display_name.as_str(),
                preferred_language: valid.language.as_str(),
                gender: i32::from(input.gender.as_number()),
                email: valid.email.as_str(),
                email_key: &valid.email.key(),
                email_verified: input.email_verified && !needs_init,
                phone: valid.phone.as_ref().map(PhoneNumber::as_str),
                phone_verified: valid.phone.is_some() && input.phone_verified,
                password_hash: password_hash.as_deref(),
                password_change_required: change_required,
                sequence: stamp.sequence,
                created_at: now,
            },
        )
        .await?;
        if !inserted {
            return Err(DomainError::AlreadyExists(faults::USER_ALREADY_EXISTS));
        }
        change.write(&mut tx).await?;

        let recipient = Recipient {
            user_id: &user_id,
            org_id,
            username: valid.username.as_str(),
            display_name: valid.display_name.as_str(),
            lang: Lang::for_tag(valid.language.as_str()),
        };
        if needs_init {
            self.send_invitation(
                &mut tx,
                &recipient,
                valid.email.as_str(),
                password_hash.is_some(),
                now,
            )
            .await?;
        }
        if needs_phone_code && let Some(phone) = &valid.phone {
            self.send_phone_verification(&mut tx, &recipient, phone.as_str(), now)
                .await?;
        }
        let passkey_link = match &passkey_code_id {
            Some(code_id) => Some(
                self.issue_passkey_link(&mut tx, &recipient, code_id, now)
                    .await?,
            ),
            None => None,
        };
        tx.commit().await?;
        if needs_init || needs_phone_code {
            self.outbox_wakeup().notify_one();
        }
        tracing::info!(user_id = %user_id, org_id = %org_id, state = state.proto_name(), "human imported");
        Ok(Imported {
            user_id,
            org_id: org_id.to_owned(),
            sequence: stamp.sequence,
            created_at: now,
            state,
            init_mail_queued: needs_init,
            passkey_link,
        })
    }

    /// Looks a user up inside an access scope.
    pub async fn lookup(&self, access: &Access, user_id: &str) -> Result<Lookup, DomainError> {
        let mut conn = self.db().conn().await?;
        let row = users::get(conn.exec(), user_id).await?;
        Ok(Lookup::of(row, access))
    }

    /// A human inside the scope, with the given faults for "missing" and "machine user" (the
    /// contract names different ids per endpoint).
    pub async fn human(
        &self,
        access: &Access,
        user_id: &str,
        missing: Fault,
        not_human: Fault,
    ) -> Result<Box<UserRow>, DomainError> {
        self.lookup(access, user_id).await?.human_or(
            DomainError::NotFound(missing),
            DomainError::FailedPrecondition(not_human),
        )
    }

    /// The caller's own account, for self-service access.
    pub async fn own_human(&self, access: &Access) -> Result<Box<UserRow>, DomainError> {
        let own = access
            .own_user_id()
            .ok_or(DomainError::PermissionDenied(faults::NO_PERMISSION))?;
        self.human(
            access,
            own,
            faults::GET_PROFILE_NOT_FOUND,
            faults::GET_PROFILE_NOT_HUMAN,
        )
        .await
    }

    /// Replaces a human's profile (contract 3.22): a change of nothing is an error.
    pub async fn update_profile(
        &self,
        access: &Access,
        user_id: &str,
        profile: Profile,
    ) -> Result<ChangeDetails, DomainError> {
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let row = Lookup::of(users::get_for_update(tx.exec(), user_id).await?, access).human_or(
            DomainError::FailedPrecondition(faults::PROFILE_NOT_FOUND),
            DomainError::FailedPrecondition(faults::PROFILE_NOT_FOUND),
        )?;
        let values = ProfileValues {
            first_name: profile.first_name.as_str(),
            last_name: profile.last_name.as_str(),
            nick_name: profile.nick_name.as_str(),
            display_name: profile.display_name.as_str(),
            preferred_language: profile.preferred_language.as_str(),
            gender: i32::from(profile.gender.as_number()),
        };
        let unchanged = row.first_name == values.first_name
            && row.last_name == values.last_name
            && row.nick_name == values.nick_name
            && row.display_name == values.display_name
            && row.preferred_language == values.preferred_language
            && gender_of(&row) == profile.gender;
        if unchanged {
            return Err(DomainError::FailedPrecondition(faults::PROFILE_NOT_CHANGED));
        }
        let mut change = UserChange::new(&row.id, row.sequence, now, access.actor_id());
        change.push(
            "user.human.profile.changed",
            json!({
                "firstName": values.first_name,
                "lastName": values.last_name,
                "nickName": values.nick_name,
                "displayName": values.display_name,
                "preferredLanguage": values.preferred_language,
                "gender": values.gender,
            }),
        );
        let stamp = change.write(&mut tx).await?;
        users::set_profile(tx.exec(), &row.id, &values, stamp).await?;
        tx.commit().await?;
        Ok(ChangeDetails {
            sequence: stamp.sequence,
            changed_at: now,
            org_id: row.org_id,
        })
    }

    /// One page of humans the caller may read. Needs `user.read`.
    pub async fn list_humans(
        &self,
        actor: &Actor,
        query: &UserListQuery,
    ) -> Result<UserListPage, DomainError> {
        const COUNT_CAP: i64 = 10_001;
        let allowed = authz::orgs_with(actor, Permission::UserRead)?;
        check_text(&query.search, "search", 200)?;
        let filter = UserFilter {
            org_ids: allowed.map(|ids| ids.into_iter().map(|id| id.0).collect()),
            prefix: Some(query.search.trim().to_lowercase()).filter(|prefix| !prefix.is_empty()),
            state: query.state.map(|state| i32::from(state.as_number())),
        };
        let order = match query.sort {
            UserSort::Username => ListOrder::Username,
            UserSort::DisplayName => ListOrder::DisplayName,
            UserSort::Email => ListOrder::Email,
            UserSort::Created => ListOrder::Created,
            UserSort::State => ListOrder::State,
        };
        let after = match query.after.as_deref() {
            None => None,
            Some(text) => Some(
                ListCursor::decode(text)
                    .filter(|cursor| order.accepts(cursor))
                    .ok_or(DomainError::Invalid(faults::LIST_CURSOR_INVALID))?,
            ),
        };
        let limit = i64::from(query.limit.clamp(1, 100));
        let mut conn = self.db().conn().await?;
        let mut rows = users::list(
            conn.exec(),
            &filter,
            order,
            query.descending,
            after.as_ref(),
            limit + 1,
        )
        .await?;
        let next_cursor = if rows.len() as i64 > limit {
            rows.truncate(limit as usize);
            rows.last().map(|row| order.cursor_of(row).encode())
        } else {
            None
        };
        let total = users::count(conn.exec(), &filter, COUNT_CAP).await?;
        Ok(UserListPage {
            users: rows
                .into_iter()
                .map(|row| UserSummary {
                    avatar_url: row
                        .avatar_key
                        .as_deref()
                        .map(|key| self.avatar_url(&row.org_id, key)),
                    created_at: rfc3339(row.created_at),
                    id: row.id.into(),
                    org_id: OrgId(row.org_id),
                    username: row.username,
                    display_name: row.display_name,
                    email: row.email,
                    email_verified: row.email_verified,
                    state: UserState::from_number(i64::from(row.state)),
                })
                .collect(),
            total: total.max(0) as u64,
            total_capped_at: COUNT_CAP as u64,
            next_cursor,
        })
    }

    /// A human for the admin views, with access to act on them. Callers without `permission`
    /// anywhere get PermissionDenied; users outside the caller's organisations are NotFound.
    pub async fn human_for_admin(
        &self,
        actor: &Actor,
        user_id: &str,
        permission: Permission,
    ) -> Result<(Access, Box<UserRow>), DomainError> {
        let allowed = authz::orgs_with(actor, permission)?;
        let mut conn = self.db().conn().await?;
        let row = users::get(conn.exec(), user_id)
            .await?
            .filter(|row| row.is_human() && row.state != UserState::Deleted.as_number() as i32)
            .filter(|row| {
                allowed
                    .as_ref()
                    .is_none_or(|ids| ids.iter().any(|id| id.as_str() == row.org_id))
            })
            .ok_or(DomainError::NotFound(faults::USER_NOT_FOUND))?;
        let access = authz::in_org(actor, OrgId(row.org_id.clone()), permission)?;
        Ok((access, Box::new(row)))
    }
}
