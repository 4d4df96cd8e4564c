//! Signing in and out, sessions, the forced password change and account initialization.

use super::authz::{self, Permission};
use super::codes::{Purpose, hex};
use super::error::{DomainError, faults};
use super::events::UserChange;
use super::password::PasswordContext;
use super::users::state_of;
use super::{Services, clock::secs};
use crate::store::sessions::{Reissue, SessionRow};
use crate::store::users::UserRow;
use crate::store::{codes, memberships, sessions, users};
use app::model::{
    Actor, Authenticated, Gate, InitForm, Me, Membership, OrgId, Role, SignInOutcome, UserId,
    UserState,
};
use base64::Engine as _;
use rand::RngCore as _;
use serde_json::json;
use sha2::{Digest as _, Sha256};
use std::fmt;

/// A session's secret, as put into the cookie. Only its hash is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    pub(crate) fn generate() -> SessionToken {
        let mut bytes = [0_u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        SessionToken(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(…)")
    }
}

/// The stored key of a secret token: hex SHA-256.
pub fn token_key(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Re-issues the session `key` under a new token after a step that proves the person again
/// (the second factor, a re-authentication); the old token stops working. Run it in a
/// transaction.
pub(crate) async fn reissue_session(
    exec: crate::store::Exec<'_>,
    key: &str,
    at: i64,
    why: Reissue,
) -> Result<SessionToken, DomainError> {
    let token = SessionToken::generate();
    if sessions::reissue(exec, key, &token_key(token.as_str()), at, why).await? {
        Ok(token)
    } else {
        Err(DomainError::Unauthenticated(faults::SESSION_REQUIRED))
    }
}

/// A successful sign-in.
#[derive(Debug)]
pub struct SignedIn {
    pub token: SessionToken,
    pub outcome: SignInOutcome,
}

/// The step a signed-in human must finish first, derived from the user row on every request.
pub(crate) fn gate_of(row: &UserRow) -> Option<Gate> {
    if state_of(row) == UserState::Initial {
        Some(Gate::Initialize)
    } else if row.password_change_required {
        Some(Gate::ChangePassword)
    } else {
        None
    }
}

/// Where a new session leads: the pending step, if any.
pub(crate) fn outcome_of(gate: Option<Gate>) -> SignInOutcome {
    match gate {
        None => SignInOutcome::SignedIn,
        Some(Gate::ChangePassword) => SignInOutcome::ChangePasswordRequired,
        Some(Gate::Initialize) => SignInOutcome::InitializationRequired,
        Some(Gate::SecondFactor) => SignInOutcome::SecondFactorRequired,
    }
}

/// Users in these states may hold a session.
pub(crate) fn may_sign_in(row: &UserRow) -> bool {
    row.is_human() && matches!(state_of(row), UserState::Active | UserState::Initial)
}

/// Memberships of a user, as the actor carries them.
pub(crate) async fn load_memberships(
    services: &Services,
    user_id: &str,
) -> Result<Vec<Membership>, DomainError> {
    let mut conn = services.db().conn().await?;
    Ok(memberships::for_user(conn.exec(), user_id)
        .await?
        .into_iter()
        .filter_map(|row| {
            Role::parse(&row.role).map(|role| Membership {
                org_id: (!row.org_id.is_empty()).then_some(OrgId(row.org_id)),
                role,
            })
        })
        .collect())
}

const MAX_LOGIN_BYTES: usize = 1024;

/// A valid browser session: who it is, and what they need for the page.
#[derive(Clone, Debug)]
pub struct Session {
    pub auth: Authenticated,
    /// The person's preferred language (BCP 47, `und` when unset), for the UI language.
    pub preferred_language: String,
}

impl Services {
    /// Finds the human a login names: the username (any case), else an email that exactly one
    /// human has.
    pub(crate) async fn find_login(&self, login: &str) -> Result<Option<UserRow>, DomainError> {
        let key = login.trim().to_lowercase();
        if key.is_empty() || key.len() > MAX_LOGIN_BYTES {
            return Ok(None);
        }
        let mut conn = self.db().conn().await?;
        // Both lookups always run, so the time taken does not tell whether a username matched.
        let by_username = users::find_by_username_key(conn.exec(), &key).await?;
        let mut by_email = users::find_humans_by_email_key(conn.exec(), &key).await?;
        Ok(by_username.or_else(|| (by_email.len() == 1).then(|| by_email.remove(0))))
    }

    /// Checks a username or email and a password and opens a session. Every failure is the
    /// same `LOGIN_FAILED` and takes about as long (ASVS 6.3.8).
    pub async fn sign_in(&self, login: &str, password: &str) -> Result<SignedIn, DomainError> {
        let failed = || DomainError::Unauthenticated(faults::LOGIN_FAILED);
        let user = self.find_login(login).await?;
        let stored = user.as_ref().and_then(|row| row.password_hash.clone());
        let (Some(user), Some(stored)) = (user, stored) else {
            self.deps().hasher.verify_nothing(password).await?;
            tracing::info!("sign-in failed: unknown login");
            return Err(failed());
        };
        let verified = self.deps().hasher.verify(&stored, password).await?;
        if !verified.matches || !may_sign_in(&user) || self.password_locked_out(&user) {
            if !verified.matches {
                self.count_failed_password(&user.id).await?;
            }
            tracing::info!(user_id = %user.id, "sign-in failed");
            return Err(failed());
        }
        let upgraded = if verified.needs_rehash {
            Some(self.deps().hasher.hash(password).await?)
        } else {
            None
        };

        let second_factor_pending = self.has_second_factor(&user.id).await?;
        let now = self.now();
        let token = SessionToken::generate();
        let mut tx = self.db().begin().await?;
        // The row was read before the (slow) hash check; parallel wrong guesses may have
        // locked the account meanwhile. Decide again on the locked row, and only then start
        // the failure count over.
        let current = users::get_for_update(tx.exec(), &user.id)
            .await?
            .filter(|row| may_sign_in(row) && !self.password_locked_out(row))
            .ok_or_else(|| {
                tracing::info!(user_id = %user.id, "sign-in failed: locked while the password was checked");
                failed()
            })?;
        if let Some(hash) = &upgraded {
            // The hash may have changed meanwhile (a concurrent sign-in upgraded it first);
            // either way the stored hash stays valid for this password. Storing it also
            // resets the failure count.
            let mut change = UserChange::new(&current.id, current.sequence, now, Some(&current.id));
            change.push(
                "user.human.password.hash.updated",
                json!({ "algorithm": "argon2id" }),
            );
            let stamp = change.write(&mut tx).await?;
            users::set_password(
                tx.exec(),
                &current.id,
                hash,
                current.password_change_required,
                stamp,
            )
            .await?;
        } else {
            users::reset_failed_passwords(tx.exec(), &current.id).await?;
        }
        sessions::insert(
            tx.exec(),
            &SessionRow {
                id: token_key(token.as_str()),
                user_id: user.id.clone(),
                created_at: now,
                last_seen_at: now,
                expires_at: now + self.deps().sessions.absolute.as_micros() as i64,
                authenticated_at: now,
                second_factor_pending,
            },
        )
        .await?;
        tx.commit().await?;
        tracing::info!(user_id = %user.id, rehashed = upgraded.is_some(), second_factor_pending, "password accepted");
        let gate = if second_factor_pending {
            Some(Gate::SecondFactor)
        } else {
            gate_of(&current)
        };
        Ok(SignedIn {
            token,
            outcome: outcome_of(gate),
        })
    }

    /// The identity behind a session cookie, or `None` when the session is unknown, expired or
    /// its user may no longer sign in. Roles are read fresh on every call.
    pub async fn resolve_session(&self, token: &str) -> Result<Option<Session>, DomainError> {
        let key = token_key(token);
        let now = self.now();
        let limits = self.deps().sessions;
        let mut conn = self.db().conn().await?;
        let Some(session) = sessions::get(conn.exec(), &key).await? else {
            return Ok(None);
        };
        let idle_end = session.last_seen_at + limits.idle.as_micros() as i64;
        if now >= session.expires_at || now >= idle_end {
            sessions::delete(conn.exec(), &key).await?;
            return Ok(None);
        }
        let Some(user) = users::get(conn.exec(), &session.user_id).await? else {
            return Ok(None);
        };
        if !may_sign_in(&user) {
            return Ok(None);
        }
        // One write a minute at most per session keeps SQLite quiet under busy pages.
        if now - session.last_seen_at > secs(60) {
            sessions::touch(conn.exec(), &key, now).await?;
        }
        drop(conn);
        let gate = if session.second_factor_pending {
            Some(Gate::SecondFactor)
        } else {
            gate_of(&user)
        };
        Ok(Some(Session {
            auth: Authenticated {
                memberships: load_memberships(self, &user.id).await?,
                gate,
                user_id: UserId(user.id),
                org_id: OrgId(user.org_id),
                session_key: Some(key),
                authenticated_at: session.authenticated_at,
            },
            preferred_language: user.preferred_language,
        }))
    }

    /// Ends the caller's session; signed-out callers are fine.
    pub async fn sign_out(&self, actor: &Actor) -> Result<(), DomainError> {
        if let Actor::Human(Authenticated {
            session_key: Some(key),
            user_id,
            ..
        }) = actor
        {
            let mut conn = self.db().conn().await?;
            sessions::delete(conn.exec(), key).await?;
            tracing::info!(user_id = %user_id, "signed out");
        }
        Ok(())
    }

    /// The signed-in person for the UI.
    pub async fn me(&self, actor: &Actor) -> Result<Option<Me>, DomainError> {
        let Actor::Human(auth) = actor else {
            return Ok(None);
        };
        let mut conn = self.db().conn().await?;
        let Some(user) = users::get(conn.exec(), auth.user_id.as_str()).await? else {
            return Ok(None);
        };
        Ok(Some(Me {
            user_id: auth.user_id.clone(),
            org_id: auth.org_id.clone(),
            username: user.username,
            display_name: user.display_name,
            gate: auth.gate,
            can_read_users: authz::holds_anywhere(actor, Permission::UserRead),
            can_write_users: authz::holds_anywhere(actor, Permission::UserWrite),
            can_write_credentials: authz::holds_anywhere(actor, Permission::UserCredentialWrite),
            can_manage_instance: authz::holds_anywhere(actor, Permission::InstanceWrite),
        }))
    }

    /// Changes the caller's own password; the current one is required (a wrong one counts
    /// towards the lockout). Also finishes a forced change. The caller's session continues
    /// under the returned new token (`None` without a browser session).
    pub async fn change_own_password(
        &self,
        actor: &Actor,
        current_password: &str,
        new_password: &str,
        sign_out_others: bool,
    ) -> Result<Option<SessionToken>, DomainError> {
        let auth = authz::require_human_allowing(actor, Gate::ChangePassword)?;
        let mut conn = self.db().conn().await?;
        let user = users::get(conn.exec(), auth.user_id.as_str())
            .await?
            .ok_or(DomainError::Unauthenticated(faults::SESSION_REQUIRED))?;
        drop(conn);
        let stored = user.password_hash.clone().unwrap_or_default();
        if !self
            .deps()
            .hasher
            .verify(&stored, current_password)
            .await?
            .matches
        {
            // A guess at the password like any other: counted, and locked at the limit.
            self.count_failed_password(&user.id).await?;
            return Err(DomainError::Invalid(faults::CURRENT_PASSWORD_WRONG));
        }
        if new_password == current_password {
            return Err(DomainError::Invalid(faults::PASSWORD_UNCHANGED));
        }
        self.check_new_password(&user, new_password)?;
        let hash = self.deps().hasher.hash(new_password).await?;

        let now = self.now();
        let mut tx = self.db().begin().await?;
        let current = users::get_for_update(tx.exec(), &user.id)
            .await?
            .ok_or(DomainError::Unauthenticated(faults::SESSION_REQUIRED))?;
        let mut change = UserChange::new(&current.id, current.sequence, now, Some(&current.id));
        change.push(
            "user.human.password.changed",
            json!({ "changeRequired": false, "bySelf": true }),
        );
        let stamp = change.write(&mut tx).await?;
        users::set_password(tx.exec(), &current.id, &hash, false, stamp).await?;
        let renewed = match &auth.session_key {
            Some(key) => {
                Some(reissue_session(tx.exec(), key, now, Reissue::Reauthenticated).await?)
            }
            None => None,
        };
        let ended = if sign_out_others {
            let keep = renewed.as_ref().map(|token| token_key(token.as_str()));
            sessions::delete_for_user(tx.exec(), &current.id, keep.as_deref()).await?
        } else {
            0
        };
        self.notify_password_changed(&mut tx, &current).await?;
        tx.commit().await?;
        self.outbox_wakeup().notify_one();
        tracing::info!(user_id = %current.id, ended_sessions = ended, "password changed by its owner");
        Ok(renewed)
    }

    /// Checks the caller's password again, so that sensitive changes are allowed for the next
    /// minutes (security.md: re-authentication within 10 minutes); the session continues under
    /// the returned new token (`None` without a browser session). Accounts without a password
    /// confirm with a passkey instead (`start_reauthentication`).
    pub async fn reauthenticate(
        &self,
        actor: &Actor,
        password: &str,
    ) -> Result<Option<SessionToken>, DomainError> {
        let auth = authz::require_authenticated(actor)?;
        let mut conn = self.db().conn().await?;
        let user = users::get(conn.exec(), auth.user_id.as_str())
            .await?
            .ok_or(DomainError::Unauthenticated(faults::SESSION_REQUIRED))?;
        drop(conn);
        let Some(stored) = user.password_hash.clone() else {
            // Nothing to guess, so nothing to count toward the lockout: a passkey-only
            // account confirms with its passkey (`finish_reauthentication`).
            return Err(DomainError::Invalid(faults::NO_PASSWORD));
        };
        if !self.deps().hasher.verify(&stored, password).await?.matches {
            self.count_failed_password(&user.id).await?;
            return Err(DomainError::Invalid(
                faults::CURRENT_PASSWORD_WRONG.on("password"),
            ));
        }
        match &auth.session_key {
            Some(key) => Ok(Some(self.reauthenticated(key).await?)),
            None => Ok(None),
        }
    }

    /// Re-issues the session `key` after its person authenticated again (password or
    /// passkey): sensitive changes are allowed for the next minutes, under the returned token.
    pub(crate) async fn reauthenticated(&self, key: &str) -> Result<SessionToken, DomainError> {
        let mut tx = self.db().begin().await?;
        let token = reissue_session(tx.exec(), key, self.now(), Reissue::Reauthenticated).await?;
        tx.commit().await?;
        Ok(token)
    }

    /// Finishes initialization with the invitation code: the user becomes ACTIVE with a
    /// verified email, and chooses a password when they have none. A signed-in user whose
    /// account waits for initialization finishes their own account.
    pub async fn complete_initialization(
        &self,
        actor: &Actor,
        form: &InitForm,
    ) -> Result<(), DomainError> {
        let invalid_code = || DomainError::Invalid(faults::CODE_INVALID);
        let user_id = match actor {
            Actor::Human(auth) if auth.gate == Some(Gate::Initialize) => auth.user_id.0.clone(),
            _ => form.user_id.trim().to_owned(),
        };
        if user_id.is_empty() {
            return Err(invalid_code());
        }
        let mut conn = self.db().conn().await?;
        let user = users::get(conn.exec(), &user_id)
            .await?
            .filter(UserRow::is_human)
            .ok_or_else(invalid_code)?;
        drop(conn);
        if state_of(&user) != UserState::Initial {
            return Err(DomainError::FailedPrecondition(
                faults::USER_ALREADY_INITIALISED,
            ));
        }
        // Check the code before spending a password hash on it.
        let code = self.check_code(&user_id, Purpose::Init, &form.code).await?;
        let new_hash = if user.password_hash.is_none() {
            if form.password.is_empty() {
                return Err(DomainError::Invalid(faults::PASSWORD_REQUIRED));
            }
            if form.password != form.password_confirmation {
                return Err(DomainError::Invalid(faults::PASSWORD_CONFIRMATION));
            }
            self.check_new_password(&user, &form.password)?;
            Some(self.deps().hasher.hash(&form.password).await?)
        } else {
            None
        };

        let now = self.now();
        let mut tx = self.db().begin().await?;
        let current = users::get_for_update(tx.exec(), &user_id)
            .await?
            .ok_or_else(invalid_code)?;
        if state_of(&current) != UserState::Initial {
            return Err(invalid_code());
        }
        self.consume_code(&mut tx, &code).await?;
        codes::delete_for_user(tx.exec(), &user_id, Purpose::Init.as_str()).await?;
        let mut change = UserChange::new(&current.id, current.sequence, now, Some(&current.id));
        change.push("user.human.initialization.check.succeeded", json!({}));
        change.push("user.human.email.verified", json!({}));
        if new_hash.is_some() {
            change.push(
                "user.human.password.changed",
                json!({ "changeRequired": false, "bySelf": true }),
            );
        }
        let stamp = change.write(&mut tx).await?;
        users::set_initialized(
            tx.exec(),
            &current.id,
            i32::from(UserState::Active.as_number()),
            new_hash.as_deref(),
            stamp,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(user_id = %user_id, "account initialized");
        Ok(())
    }

    /// Whether failed password checks reached the lockout limit. Sign-in is refused then in
    /// every state: only ACTIVE users are switched to LOCKED (contract 4.1), but an INITIAL
    /// user with a password must not get unlimited guesses either. An administrator's unlock
    /// starts the count over.
    pub fn password_locked_out(&self, row: &UserRow) -> bool {
        let limit = self.deps().lockout_max_password_attempts;
        limit > 0 && i64::from(row.failed_password_attempts) >= limit
    }

    /// Counts a failed password check; the lockout policy locks an active account at its
    /// limit, with a `user.locked` event (so `details.sequence` stays right) and the end of
    /// its sessions; a user in another state is kept out by [`Self::password_locked_out`]
    /// and loses their sessions too. The row lock makes parallel failures count one by one,
    /// so exactly one of them locks.
    pub(crate) async fn count_failed_password(&self, user_id: &str) -> Result<(), DomainError> {
        let limit = self.deps().lockout_max_password_attempts;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let Some(row) = users::get_for_update(tx.exec(), user_id).await? else {
            return Ok(());
        };
        let failures = i64::from(row.failed_password_attempts) + 1;
        if limit > 0 && failures >= limit && state_of(&row) == UserState::Active {
            let mut change = UserChange::new(&row.id, row.sequence, now, None);
            change.push("user.locked", json!({ "reason": "password attempts" }));
            let stamp = change.write(&mut tx).await?;
            users::lock_after_failed_password(
                tx.exec(),
                &row.id,
                i32::from(UserState::Locked.as_number()),
                stamp,
            )
            .await?;
            sessions::delete_for_user(tx.exec(), &row.id, None).await?;
            tracing::warn!(
                user_id,
                failures,
                "account locked after failed password checks"
            );
        } else {
            users::record_failed_password(tx.exec(), &row.id).await?;
            if limit > 0 && failures == limit {
                sessions::delete_for_user(tx.exec(), &row.id, None).await?;
                tracing::warn!(
                    user_id,
                    failures,
                    "sign-in refused from now on after failed password checks"
                );
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Checks a new password against the policy, with the user's own data as context.
    pub(crate) fn check_new_password(
        &self,
        user: &UserRow,
        password: &str,
    ) -> Result<(), DomainError> {
        let context = PasswordContext::of_user(
            &user.username,
            &user.email,
            [&user.first_name, &user.last_name, &user.display_name],
        );
        self.deps().policy.check(password, &context)
    }
}
