//! Service accounts (machine users) and their personal access tokens for the REST API.

use super::Services;
use super::authz::{self, Permission};
use super::clock::rfc3339;
use super::error::{DomainError, faults};
use super::events::UserChange;
use super::ids::new_id;
use super::sessions::{load_memberships, token_key};
use super::values::{Username, check_text};
use crate::store::users::NewUser;
use crate::store::{Tx, memberships, tokens, users};
use app::model::{
    Actor, Authenticated, CreateServiceAccountForm, CreatedServiceAccount, OrgId, Role,
    ServiceAccountView, TokenId, TokenView, UserId, UserState,
};
use base64::Engine as _;
use rand::RngCore as _;
use serde_json::json;

/// Prefix of Roster's personal access tokens, so leaked ones are easy to recognise.
const TOKEN_PREFIX: &str = "roster_pat_";

fn generate_token() -> String {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// A service account to create.
#[derive(Clone, Debug)]
pub struct NewServiceAccount {
    pub username: String,
    pub name: String,
    pub role: Role,
    /// The organisation of an organisation role and of the account itself.
    pub org_id: OrgId,
}

impl Services {
    /// Creates a machine user with one role and a first token, inside `tx`. Returns the user id
    /// and the token (shown once, stored hashed).
    pub(crate) async fn insert_service_account(
        &self,
        tx: &mut Tx,
        account: &NewServiceAccount,
        actor_id: Option<&str>,
    ) -> Result<(String, String), DomainError> {
        let username = Username::parse(&account.username)?;
        if account.name.trim().is_empty() {
            return Err(DomainError::Invalid(faults::SERVICE_ACCOUNT_NAME_EMPTY));
        }
        check_text(&account.name, "name", 200)?;
        let now = self.now();
        let user_id = new_id(now);
        let mut change = UserChange::new(&user_id, 0, now, actor_id);
        change.push(
            "user.machine.added",
            json!({ "userName": username.as_str(), "name": account.name }),
        );
        change.push(
            "user.membership.added",
            json!({ "role": account.role.as_str(), "orgId": account.org_id.as_str() }),
        );
        let token_id = new_id(now);
        change.push("user.personal.token.added", json!({ "tokenId": token_id }));
        let stamp = change.stamp();
        let inserted = users::insert(
            tx.exec(),
            &NewUser {
                id: &user_id,
                org_id: account.org_id.as_str(),
                kind: "machine",
                username: username.as_str(),
                username_key: &username.key(),
                state: i32::from(UserState::Active.as_number()),
                first_name: "",
                last_name: "",
                nick_name: "",
                display_name: &account.name,
                preferred_language: "und",
                gender: 0,
                email: "",
                email_key: "",
                email_verified: false,
                phone: None,
                phone_verified: false,
                password_hash: None,
                password_change_required: false,
                sequence: stamp.sequence,
                created_at: now,
            },
        )
        .await?;
        if !inserted {
            return Err(DomainError::AlreadyExists(faults::USER_ALREADY_EXISTS));
        }
        change.write(tx).await?;
        let scope = if account.role.is_instance_role() {
            ""
        } else {
            account.org_id.as_str()
        };
        memberships::insert(tx.exec(), &user_id, scope, account.role.as_str(), now).await?;
        let token = generate_token();
        tokens::insert(tx.exec(), &token_id, &user_id, &token_key(&token), now).await?;
        Ok((user_id, token))
    }

    /// Creates a service account with a token. Instance owners only.
    pub async fn create_service_account(
        &self,
        actor: &Actor,
        form: &CreateServiceAccountForm,
    ) -> Result<CreatedServiceAccount, DomainError> {
        let access = self.instance_admin(actor).await?;
        let org_id = if form.role.is_instance_role() || form.org_id.is_empty() {
            access.org_id().clone()
        } else {
            self.resolve_org(Some(&form.org_id), access.org_id())
                .await
                .map_err(|_| DomainError::Invalid(faults::ROLE_NEEDS_ORG))?
        };
        let account = NewServiceAccount {
            username: form.username.clone(),
            name: form.name.clone(),
            role: form.role,
            org_id,
        };
        let mut tx = self.db().begin().await?;
        let (user_id, token) = self
            .insert_service_account(&mut tx, &account, access.actor_id())
            .await?;
        tx.commit().await?;
        tracing::info!(user_id = %user_id, role = form.role.as_str(), "service account created");
        let account = self
            .list_service_accounts(actor)
            .await?
            .into_iter()
            .find(|view| view.id.as_str() == user_id)
            .ok_or_else(|| DomainError::internal("created service account vanished"))?;
        Ok(CreatedServiceAccount { account, token })
    }

    /// Access for instance administration: an instance-wide role granting it.
    async fn instance_admin(&self, actor: &Actor) -> Result<authz::Access, DomainError> {
        match authz::orgs_with(actor, Permission::InstanceWrite)? {
            None => authz::in_org(actor, self.default_org().await?, Permission::InstanceWrite),
            Some(_) => Err(DomainError::PermissionDenied(faults::NO_PERMISSION)),
        }
    }

    /// All service accounts with their roles and tokens. Instance owners only.
    pub async fn list_service_accounts(
        &self,
        actor: &Actor,
    ) -> Result<Vec<ServiceAccountView>, DomainError> {
        self.instance_admin(actor).await?;
        let mut conn = self.db().conn().await?;
        let machines = users::list_machines(conn.exec()).await?;
        let mut views = Vec::with_capacity(machines.len());
        for machine in machines {
            let role = memberships::for_user(conn.exec(), &machine.id)
                .await?
                .into_iter()
                .find_map(|row| Role::parse(&row.role));
            let tokens = tokens::for_user(conn.exec(), &machine.id)
                .await?
                .into_iter()
                .map(|token| TokenView {
                    id: TokenId(token.id),
                    created_at: rfc3339(token.created_at),
                    last_used_at: token.last_used_at.map(rfc3339),
                })
                .collect();
            views.push(ServiceAccountView {
                id: UserId(machine.id),
                org_id: OrgId(machine.org_id),
                username: machine.username,
                name: machine.display_name,
                role,
                created_at: rfc3339(machine.created_at),
                tokens,
            });
        }
        Ok(views)
    }

    /// Revokes a token. Instance owners only.
    pub async fn revoke_token(&self, actor: &Actor, token_id: &str) -> Result<(), DomainError> {
        self.instance_admin(actor).await?;
        let mut conn = self.db().conn().await?;
        tokens::delete(conn.exec(), token_id)
            .await
            .map_err(|_| DomainError::NotFound(faults::TOKEN_NOT_FOUND))?;
        tracing::info!(token_id, "access token revoked");
        Ok(())
    }

    /// The service account behind a bearer token, or `None` for unknown tokens and accounts
    /// that are no longer active.
    pub async fn resolve_bearer(&self, token: &str) -> Result<Option<Authenticated>, DomainError> {
        if !token.starts_with(TOKEN_PREFIX) || token.len() > 200 {
            return Ok(None);
        }
        let mut conn = self.db().conn().await?;
        let Some(row) = tokens::find_by_hash(conn.exec(), &token_key(token)).await? else {
            return Ok(None);
        };
        let Some(user) = users::get(conn.exec(), &row.user_id).await? else {
            return Ok(None);
        };
        if user.is_human() || user.state != i32::from(UserState::Active.as_number()) {
            return Ok(None);
        }
        let now = self.now();
        // Recorded at most once a minute, so busy scripts do not write on every call.
        if row.last_used_at.is_none_or(|at| now - at > 60_000_000) {
            tokens::touch(conn.exec(), &row.id, now).await?;
        }
        drop(conn);
        Ok(Some(Authenticated {
            memberships: load_memberships(self, &user.id).await?,
            user_id: UserId(user.id),
            org_id: OrgId(user.org_id),
            session_key: None,
            gate: None,
            authenticated_at: now,
        }))
    }
}
