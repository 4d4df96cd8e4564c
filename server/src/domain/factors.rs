//! Second factors and passkeys: authenticator apps (TOTP), security keys and passkeys
//! (WebAuthn), the second sign-in step, passwordless sign-in, passkey registration links, and
//! the contract's factor endpoints (3.3-3.5, 3.13-3.16 with decisions D1 and D2).
//!
//! Every WebAuthn ceremony's state lives in the database: short-lived, single use (deleted
//! before it is verified) and bound to the session or link that started it, so a ceremony
//! started on one instance finishes on another.

use super::Services;
use super::authz::{self, Access};
use super::clock::{rfc3339, secs};
use super::codes::{Purpose, hex};
use super::error::{DomainError, faults};
use super::events::UserChange;
use super::ids::new_id;
use super::messaging::{PasskeyLink, Recipient};
use super::sessions::{
    SessionToken, SignedIn, gate_of, may_sign_in, outcome_of, reissue_session, token_key,
};
use super::users::{ChangeDetails, Lookup, state_of};
use super::values::check_text;
use crate::notify::Channel;
use crate::notify::templates::{self, Factor};
use crate::store::factors::{self, CeremonyRow, CredentialRow, NewCredential};
use crate::store::sessions::{Reissue, SessionRow};
use crate::store::users::UserRow;
use crate::store::{codes, events, sessions, users};
use app::model::{
    Actor, AuthenticationChallenge, CredentialKind, CredentialView, FactorsView, Gate,
    PublicKeyCredential, ReauthMethods, RegisterPublicKeyCredential, RegistrationChallenge,
    SecondFactorChoice, TotpSetup, UserState,
};
use base64::Engine as _;
use rand::RngCore as _;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use subtle::ConstantTimeEq as _;
use webauthn_rs::prelude::{
    CredentialID, DiscoverableAuthentication, Passkey, PasskeyAuthentication, PasskeyRegistration,
    SecurityKey, SecurityKeyAuthentication, SecurityKeyRegistration, Uuid,
};

/// Ceremonies expire after this long (the browser's own timeout is 5 minutes).
const CEREMONY_SECS: i64 = 300;
/// TOTP: SHA-1, 6 digits, 30-second steps, one step of clock drift either way.
const TOTP_STEP_SECS: i64 = 30;
const TOTP_DIGITS: usize = 6;
/// Namespace for the WebAuthn user handles Roster derives from user ids (not personal data).
const USER_HANDLE_NAMESPACE: Uuid = Uuid::from_u128(0x5f8c_1d2e_7a4b_4c3d_9e8f_0a1b_2c3d_4e5f);

/// The WebAuthn user handle of a user.
fn user_handle(user_id: &str) -> Uuid {
    Uuid::new_v5(&USER_HANDLE_NAMESPACE, user_id.as_bytes())
}

/// Base64url (no padding) of raw bytes: how credential ids are stored and compared.
fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn to_json<T: Serialize>(value: &T) -> Result<String, DomainError> {
    serde_json::to_string(value).map_err(DomainError::internal)
}

fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, DomainError> {
    serde_json::from_str(text).map_err(DomainError::internal)
}

/// A ceremony id: 128 random bits, so nobody can guess another browser's ceremony.
fn ceremony_id() -> String {
    let mut bytes = [0_u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

fn credential_view(row: &CredentialRow) -> CredentialView {
    CredentialView {
        id: row.id.clone(),
        kind: if row.kind == CredentialKind::Passkey.as_str() {
            CredentialKind::Passkey
        } else {
            CredentialKind::SecurityKey
        },
        name: row.name.clone(),
        created_at: rfc3339(row.created_at),
        last_used_at: row.last_used_at.map(rfc3339),
    }
}

/// The longest name a security key or passkey may have, in characters.
const CREDENTIAL_NAME_MAX: usize = 64;

/// Checks a name given to a security key or passkey.
fn credential_name(name: &str, kind: CredentialKind) -> Result<String, DomainError> {
    let name = name.trim();
    check_text(name, "name", CREDENTIAL_NAME_MAX)?;
    Ok(if name.is_empty() {
        match kind {
            CredentialKind::Passkey => "Passkey".to_owned(),
            CredentialKind::SecurityKey => "Security key".to_owned(),
        }
    } else {
        name.to_owned()
    })
}

/// What a ceremony is for; also its storage key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ceremony {
    RegisterPasskey,
    RegisterSecurityKey,
    SecondFactor,
    Passwordless,
    LinkRegistration,
    Reauthenticate,
}

impl Ceremony {
    fn as_str(self) -> &'static str {
        match self {
            Ceremony::RegisterPasskey => "register_passkey",
            Ceremony::RegisterSecurityKey => "register_security_key",
            Ceremony::SecondFactor => "second_factor",
            Ceremony::Passwordless => "passwordless",
            Ceremony::LinkRegistration => "link_registration",
            Ceremony::Reauthenticate => "reauthenticate",
        }
    }
}

/// What a factor change tells the user by mail.
#[derive(Clone, Copy, Debug)]
enum Notice {
    Added(Factor),
    Removed(Factor),
    /// A used TOTP code was tried again.
    Replayed,
}

/// A replayed TOTP code is mailed about at most this often per user.
const REPLAY_NOTICE_SPACING_SECS: i64 = 3600;

impl Factor {
    fn of(kind: CredentialKind) -> Factor {
        match kind {
            CredentialKind::Passkey => Factor::Passkey,
            CredentialKind::SecurityKey => Factor::SecurityKey,
        }
    }
}

/// The binding of ceremonies that no session owns yet (passwordless sign-in).
const UNBOUND: &str = "anonymous";

impl Services {
    fn totp(&self, secret: Vec<u8>, account: &str) -> Result<totp_rs::Totp, DomainError> {
        // The otpauth label separates issuer and account with ':', so neither may hold one.
        totp_rs::Builder::new()
            .with_algorithm(totp_rs::Algorithm::SHA1)
            .with_digits(TOTP_DIGITS as u8)
            .with_skew(1)
            .with_step_duration(TOTP_STEP_SECS as u64)
            .with_secret(secret)
            .with_issuer(Some(self.deps().webauthn_rp_name.replace(':', " ")))
            .with_account_name(account.replace(':', " "))
            .build()
            .map_err(DomainError::internal)
    }

    /// The caller's session key, for ceremonies bound to it.
    fn session_binding(actor: &Actor) -> Result<String, DomainError> {
        actor
            .authenticated()
            .and_then(|auth| auth.session_key.clone())
            .ok_or(DomainError::Unauthenticated(faults::SESSION_REQUIRED))
    }

    async fn store_ceremony(
        &self,
        purpose: Ceremony,
        binding: &str,
        user_id: Option<&str>,
        name: Option<&str>,
        state: String,
    ) -> Result<String, DomainError> {
        let now = self.now();
        let id = ceremony_id();
        let row = CeremonyRow {
            id: id.clone(),
            purpose: purpose.as_str().to_owned(),
            binding: binding.to_owned(),
            user_id: user_id.map(str::to_owned),
            name: name.map(str::to_owned),
            state,
            created_at: now,
            expires_at: now + secs(CEREMONY_SECS),
        };
        let mut conn = self.db().conn().await?;
        factors::delete_expired_ceremonies(conn.exec(), now).await?;
        if binding == UNBOUND {
            // Anyone may start one without signing in: a bound on the open ones keeps the
            // table from growing without limit (a flood waits out the five minutes).
            let cap = self.deps().max_open_passkey_sign_ins;
            if !factors::insert_ceremony_capped(conn.exec(), &row, cap).await? {
                tracing::warn!(cap, "passkey sign-in refused: too many open ceremonies");
                return Err(DomainError::RateLimited(faults::CEREMONIES_EXHAUSTED));
            }
        } else {
            factors::insert_ceremony(conn.exec(), &row).await?;
        }
        Ok(id)
    }

    /// Takes a ceremony out (single use); a missing, expired or foreign one is refused.
    async fn take_ceremony(
        &self,
        id: &str,
        purpose: Ceremony,
        binding: &str,
    ) -> Result<CeremonyRow, DomainError> {
        let mut conn = self.db().conn().await?;
        factors::take_ceremony(conn.exec(), id, purpose.as_str(), binding, self.now())
            .await?
            .ok_or(DomainError::Invalid(faults::CEREMONY_INVALID))
    }

    /// The second factors and passkeys of a user.
    async fn factors_of(&self, user_id: &str) -> Result<FactorsView, DomainError> {
        let mut conn = self.db().conn().await?;
        let totp = factors::get_totp(conn.exec(), user_id).await?;
        let credentials = factors::credentials_of(conn.exec(), user_id, None).await?;
        let views: Vec<CredentialView> = credentials.iter().map(credential_view).collect();
        Ok(FactorsView {
            totp_ready: totp.is_some_and(|totp| totp.ready),
            security_keys: views
                .iter()
                .filter(|view| view.kind == CredentialKind::SecurityKey)
                .cloned()
                .collect(),
            passkeys: views
                .into_iter()
                .filter(|view| view.kind == CredentialKind::Passkey)
                .collect(),
        })
    }

    /// Whether a user must pass a second factor after the password.
    pub(crate) async fn has_second_factor(&self, user_id: &str) -> Result<bool, DomainError> {
        let view = self.factors_of(user_id).await?;
        Ok(view.totp_ready || !view.security_keys.is_empty())
    }

    /// The caller's own second factors and passkeys.
    pub async fn own_factors(&self, actor: &Actor) -> Result<FactorsView, DomainError> {
        let access = authz::own_account(actor)?;
        self.factors_of(access.own_user_id().unwrap_or_default())
            .await
    }

    /// A user's factors for the admin views. Needs `user.read`.
    pub async fn user_factors(
        &self,
        actor: &Actor,
        user_id: &str,
    ) -> Result<FactorsView, DomainError> {
        let (_, row) = self
            .human_for_admin(actor, user_id, authz::Permission::UserRead)
            .await?;
        self.factors_of(&row.id).await
    }

    // --- TOTP ---

    /// Starts setting up an authenticator app: a new secret, shown once as text and QR code,
    /// confirmed by the first code. Needs a recent sign-in.
    pub async fn start_totp(&self, actor: &Actor) -> Result<TotpSetup, DomainError> {
        let access = authz::own_account(actor)?;
        authz::require_recent_sign_in(actor, self.now(), self.deps().sessions.reauth)?;
        let row = self.own_human(&access).await?;
        let mut secret = vec![0_u8; 20];
        rand::rng().fill_bytes(&mut secret);
        let totp = self.totp(secret.clone(), &row.username)?;
        let sealed = self.deps().secrets.seal(&secret)?;
        let mut conn = self.db().conn().await?;
        // The "already set up" check is the write's own condition, so a confirmation
        // running in parallel cannot be replaced by this unconfirmed secret.
        if !factors::put_totp(conn.exec(), &row.id, &sealed, self.now()).await? {
            return Err(DomainError::FailedPrecondition(faults::TOTP_ALREADY_SET_UP));
        }
        let otpauth_url = totp.to_url().map_err(DomainError::internal)?;
        Ok(TotpSetup {
            secret: totp_rs::Secret::from(secret).to_base32(),
            qr_code: qr_data_url(&otpauth_url)?,
            otpauth_url,
        })
    }

    /// Checks a TOTP code for a user: the current step or one either side, never a step
    /// that was accepted before (also against parallel requests). Wrong codes count toward the
    /// lockout policy.
    async fn check_totp(
        &self,
        row: &UserRow,
        typed: &str,
        need_ready: bool,
    ) -> Result<(), DomainError> {
        let invalid = || DomainError::Invalid(faults::TOTP_CODE_INVALID);
        let mut conn = self.db().conn().await?;
        let stored = factors::get_totp(conn.exec(), &row.id)
            .await?
            .filter(|totp| totp.ready || !need_ready)
            .ok_or(DomainError::FailedPrecondition(faults::TOTP_NOT_SET_UP))?;
        let typed = typed.trim().replace(' ', "");
        let secret = self.deps().secrets.open(&stored.secret)?;
        let totp = self.totp(secret, &row.username)?;
        let now_step = self.now() / secs(TOTP_STEP_SECS);
        let matched = (now_step - 1..=now_step + 1).rev().find(|step| {
            let expected = totp.generate((step * TOTP_STEP_SECS) as u64).to_string();
            typed.len() == TOTP_DIGITS && bool::from(expected.as_bytes().ct_eq(typed.as_bytes()))
        });
        match matched {
            Some(step) if factors::accept_totp_step(conn.exec(), &row.id, step).await? => Ok(()),
            Some(_) => {
                drop(conn);
                tracing::warn!(user_id = %row.id, "replayed TOTP code refused");
                self.record_totp_replay(&row.id).await?;
                Err(invalid())
            }
            None => {
                let failures = factors::record_totp_failure(conn.exec(), &row.id).await?;
                drop(conn);
                self.lock_after_otp_failures(&row.id, failures).await?;
                Err(invalid())
            }
        }
    }

    /// Records a replayed TOTP code as a security event (ASVS 2.8.5: log, reject, notify).
    /// Whoever replays a code knows the password and saw a recent code, so the user is told;
    /// at most once an hour, so that someone holding the password cannot flood the mailbox.
    async fn record_totp_replay(&self, user_id: &str) -> Result<(), DomainError> {
        const EVENT: &str = "user.human.mfa.otp.replayed";
        let mut tx = self.db().begin().await?;
        // Lock the user first, so parallel replays agree on whether one was mailed already.
        users::get_for_update(tx.exec(), user_id).await?;
        let previous = events::latest_of_type(tx.exec(), user_id, EVENT).await?;
        let mail = previous.is_none_or(|at| self.now() - at >= secs(REPLAY_NOTICE_SPACING_SECS));
        self.write_factor_event(
            &mut tx,
            user_id,
            None,
            EVENT,
            json!({}),
            mail.then_some(Notice::Replayed),
        )
        .await?;
        tx.commit().await?;
        if mail {
            self.outbox_wakeup().notify_one();
        }
        Ok(())
    }

    /// Locks an active user when wrong second-factor codes reach the lockout policy's limit.
    async fn lock_after_otp_failures(
        &self,
        user_id: &str,
        failures: i64,
    ) -> Result<(), DomainError> {
        let limit = self.deps().lockout_max_otp_attempts;
        if limit > 0 && failures >= limit {
            let mut tx = self.db().begin().await?;
            if let Some(row) = users::get_for_update(tx.exec(), user_id).await?
                && state_of(&row) == UserState::Active
            {
                let now = self.now();
                let mut change = UserChange::new(&row.id, row.sequence, now, None);
                change.push("user.locked", json!({ "reason": "otp attempts" }));
                let stamp = change.write(&mut tx).await?;
                users::set_state(
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
                    "account locked after wrong second-factor codes"
                );
            }
            tx.commit().await?;
        }
        Ok(())
    }

    /// Confirms the authenticator app with its first code. No recent sign-in is asked again:
    /// only [`Self::start_totp`], which needs one, makes the secret this code comes from, and
    /// the code itself proves the person holds the new app.
    pub async fn confirm_totp(
        &self,
        actor: &Actor,
        code: &str,
    ) -> Result<FactorsView, DomainError> {
        let access = authz::own_account(actor)?;
        let row = self.own_human(&access).await?;
        let mut conn = self.db().conn().await?;
        if factors::get_totp(conn.exec(), &row.id)
            .await?
            .is_some_and(|totp| totp.ready)
        {
            // A second confirmation would record (and announce) the app twice.
            return Err(DomainError::FailedPrecondition(faults::TOTP_ALREADY_SET_UP));
        }
        drop(conn);
        self.check_totp(&row, code, false).await?;
        self.record_factor_event(
            &row.id,
            "user.human.mfa.otp.added",
            json!({}),
            Some(Notice::Added(Factor::AuthenticatorApp)),
        )
        .await?;
        self.factors_of(&row.id).await
    }

    /// Removes the caller's own authenticator app. Needs a recent sign-in.
    pub async fn remove_own_totp(&self, actor: &Actor) -> Result<FactorsView, DomainError> {
        let access = authz::own_account(actor)?;
        authz::require_recent_sign_in(actor, self.now(), self.deps().sessions.reauth)?;
        let user_id = access.own_user_id().unwrap_or_default().to_owned();
        self.remove_totp(&access, &user_id).await?;
        self.factors_of(&user_id).await
    }

    /// Removes a user's TOTP factor, ready or not (contract 3.4).
    pub async fn remove_totp(
        &self,
        access: &Access,
        user_id: &str,
    ) -> Result<ChangeDetails, DomainError> {
        let missing = || DomainError::NotFound(faults::OTP_NOT_EXISTING);
        let row = match self.lookup(access, user_id).await? {
            Lookup::Human(row) => row,
            Lookup::Machine | Lookup::Missing => return Err(missing()),
        };
        let mut tx = self.db().begin().await?;
        let ready = factors::delete_totp(tx.exec(), &row.id)
            .await?
            .ok_or_else(missing)?;
        // An app still in set-up protected nothing: no sessions to end, nothing to tell.
        let notice = if ready {
            self.end_sessions_after_removal(&mut tx, access, &row.id)
                .await?;
            Some(Notice::Removed(Factor::AuthenticatorApp))
        } else {
            None
        };
        let details = self
            .write_factor_event(
                &mut tx,
                &row.id,
                access.actor_id(),
                "user.human.mfa.otp.removed",
                json!({}),
                notice,
            )
            .await?;
        tx.commit().await?;
        self.outbox_wakeup().notify_one();
        Ok(details)
    }

    /// Ends the user's sessions after one of their factors was removed (ASVS 5.0 7.4.3; a
    /// session may have relied on the factor): all of them, except the caller's own when the
    /// user removed their own factor.
    async fn end_sessions_after_removal(
        &self,
        tx: &mut crate::store::Tx,
        access: &Access,
        user_id: &str,
    ) -> Result<(), DomainError> {
        let keep = access
            .own_user_id()
            .filter(|own| *own == user_id)
            .and(access.own_session_key());
        let ended = sessions::delete_for_user(tx.exec(), user_id, keep).await?;
        tracing::info!(
            user_id,
            ended_sessions = ended,
            "sessions ended after a factor was removed"
        );
        Ok(())
    }

    /// Writes a factor change's event and, with `notice`, queues the notice mail to the
    /// user's verified address, both in the caller's transaction.
    async fn write_factor_event(
        &self,
        tx: &mut crate::store::Tx,
        user_id: &str,
        actor_id: Option<&str>,
        event: &'static str,
        payload: serde_json::Value,
        notice: Option<Notice>,
    ) -> Result<ChangeDetails, DomainError> {
        let now = self.now();
        let row = users::get_for_update(tx.exec(), user_id)
            .await?
            .ok_or_else(|| DomainError::internal("user vanished during a factor change"))?;
        let mut change = UserChange::new(&row.id, row.sequence, now, actor_id.or(Some(&row.id)));
        change.push(event, payload);
        let stamp = change.write(tx).await?;
        users::touch(tx.exec(), &row.id, stamp).await?;
        if let Some(notice) = notice {
            if row.email_verified && !row.email.is_empty() {
                let recipient = Recipient::of(&row);
                let message = match notice {
                    Notice::Added(factor) => {
                        templates::factor_added(recipient.lang, recipient.display_name, factor)
                    }
                    Notice::Removed(factor) => {
                        templates::factor_removed(recipient.lang, recipient.display_name, factor)
                    }
                    Notice::Replayed => templates::otp_replayed(
                        recipient.lang,
                        recipient.display_name,
                        &self.link("/reset-password", &[]),
                    ),
                };
                self.queue_message(tx, &row.id, Channel::Email, &row.email, message, None)
                    .await?;
            } else {
                tracing::info!(user_id = %row.id, "factor notice not mailed: no verified address");
            }
        }
        Ok(ChangeDetails {
            sequence: stamp.sequence,
            changed_at: now,
            org_id: row.org_id,
        })
    }

    async fn record_factor_event(
        &self,
        user_id: &str,
        event: &'static str,
        payload: serde_json::Value,
        notice: Option<Notice>,
    ) -> Result<ChangeDetails, DomainError> {
        let mut tx = self.db().begin().await?;
        let details = self
            .write_factor_event(&mut tx, user_id, None, event, payload, notice)
            .await?;
        tx.commit().await?;
        if notice.is_some() {
            self.outbox_wakeup().notify_one();
        }
        Ok(details)
    }

    // --- WebAuthn registration (account page) ---

    /// The ids of every credential of a user, so an authenticator cannot register twice.
    async fn exclusions(&self, user_id: &str) -> Result<Vec<CredentialID>, DomainError> {
        let mut conn = self.db().conn().await?;
        let rows = factors::credentials_of(conn.exec(), user_id, None).await?;
        let mut ids = Vec::with_capacity(rows.len());
        for row in rows {
            if row.kind == CredentialKind::Passkey.as_str() {
                ids.push(from_json::<Passkey>(&row.credential)?.cred_id().clone());
            } else {
                ids.push(from_json::<SecurityKey>(&row.credential)?.cred_id().clone());
            }
        }
        Ok(ids)
    }

    /// Starts registering a security key or passkey for the caller. Needs a recent sign-in.
    pub async fn start_credential_registration(
        &self,
        actor: &Actor,
        kind: CredentialKind,
        name: &str,
    ) -> Result<RegistrationChallenge, DomainError> {
        let access = authz::own_account(actor)?;
        authz::require_recent_sign_in(actor, self.now(), self.deps().sessions.reauth)?;
        let name = credential_name(name, kind)?;
        let row = self.own_human(&access).await?;
        let binding = Self::session_binding(actor)?;
        self.start_registration(&row, kind, &name, Ceremony::for_kind(kind), &binding)
            .await
    }

    async fn start_registration(
        &self,
        row: &UserRow,
        kind: CredentialKind,
        name: &str,
        purpose: Ceremony,
        binding: &str,
    ) -> Result<RegistrationChallenge, DomainError> {
        let webauthn = &self.deps().webauthn;
        let exclude = Some(self.exclusions(&row.id).await?);
        let handle = user_handle(&row.id);
        let (options, state) = match kind {
            CredentialKind::Passkey => {
                let (mut options, state) = webauthn
                    .start_passkey_registration(handle, &row.username, &row.display_name, exclude)
                    .map_err(DomainError::internal)?;
                // Passkeys sign in without a username, so the authenticator must keep them.
                if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
                    selection.require_resident_key = true;
                    selection.resident_key =
                        Some(webauthn_rs_proto::ResidentKeyRequirement::Required);
                }
                (options, to_json::<PasskeyRegistration>(&state)?)
            }
            CredentialKind::SecurityKey => {
                let (options, state) = webauthn
                    .start_securitykey_registration(
                        handle,
                        &row.username,
                        &row.display_name,
                        exclude,
                        None,
                        None,
                    )
                    .map_err(DomainError::internal)?;
                (options, to_json::<SecurityKeyRegistration>(&state)?)
            }
        };
        let ceremony_id = self
            .store_ceremony(purpose, binding, Some(&row.id), Some(name), state)
            .await?;
        Ok(RegistrationChallenge {
            ceremony_id,
            options,
        })
    }

    /// Verifies the browser's answer and stores the credential (a credential id is
    /// registered once only, across all users). `link_code_id`, for a registration link, names
    /// the code used up in the same transaction, so a refused answer leaves the link usable.
    async fn finish_registration(
        &self,
        ceremony: &CeremonyRow,
        kind: CredentialKind,
        response: &RegisterPublicKeyCredential,
        link_code_id: Option<&str>,
    ) -> Result<String, DomainError> {
        let webauthn = &self.deps().webauthn;
        let refused = |error: webauthn_rs::prelude::WebauthnError| {
            tracing::info!(%error, "WebAuthn registration refused");
            DomainError::Invalid(faults::CREDENTIAL_REFUSED)
        };
        let (credential, raw_id) = match kind {
            CredentialKind::Passkey => {
                let state: PasskeyRegistration = from_json(&ceremony.state)?;
                let passkey = webauthn
                    .finish_passkey_registration(response, &state)
                    .map_err(refused)?;
                (to_json(&passkey)?, passkey.cred_id().clone())
            }
            CredentialKind::SecurityKey => {
                let state: SecurityKeyRegistration = from_json(&ceremony.state)?;
                let key = webauthn
                    .finish_securitykey_registration(response, &state)
                    .map_err(refused)?;
                (to_json(&key)?, key.cred_id().clone())
            }
        };
        let user_id = ceremony.user_id.clone().unwrap_or_default();
        let now = self.now();
        let id = new_id(now);
        let mut tx = self.db().begin().await?;
        if let Some(code_id) = link_code_id {
            // The account may have been locked or deactivated since the ceremony started.
            users::get_for_update(tx.exec(), &user_id)
                .await?
                .filter(may_sign_in)
                .ok_or(DomainError::Invalid(faults::CODE_INVALID))?;
            // The link may have been revoked (three wrong codes) or have expired since the
            // ceremony started: check it again as it is used up.
            let purpose = Purpose::PasskeyRegistration;
            if !codes::consume_if_usable(
                tx.exec(),
                code_id,
                &user_id,
                purpose.as_str(),
                now,
                purpose.max_attempts(),
            )
            .await?
            {
                return Err(DomainError::Invalid(faults::CODE_INVALID));
            }
        }
        let stored = factors::insert_credential(
            tx.exec(),
            &NewCredential {
                id: &id,
                user_id: &user_id,
                kind: kind.as_str(),
                name: ceremony.name.as_deref().unwrap_or_default(),
                credential_id: &b64url(&raw_id),
                credential: &credential,
                created_at: now,
            },
        )
        .await?;
        if !stored {
            return Err(DomainError::AlreadyExists(faults::CREDENTIAL_EXISTS));
        }
        let event = match kind {
            CredentialKind::Passkey => "user.human.passwordless.token.added",
            CredentialKind::SecurityKey => "user.human.mfa.u2f.token.added",
        };
        self.write_factor_event(
            &mut tx,
            &user_id,
            None,
            event,
            json!({ "tokenId": id }),
            Some(Notice::Added(Factor::of(kind))),
        )
        .await?;
        tx.commit().await?;
        self.outbox_wakeup().notify_one();
        tracing::info!(user_id = %user_id, kind = kind.as_str(), "WebAuthn credential registered");
        Ok(user_id)
    }

    /// Finishes the caller's registration started by [`Self::start_credential_registration`].
    /// No recent sign-in is asked again: the start needed one, and its ceremony is bound to
    /// this session and lives five minutes only.
    pub async fn finish_credential_registration(
        &self,
        actor: &Actor,
        kind: CredentialKind,
        ceremony_id: &str,
        response: &RegisterPublicKeyCredential,
    ) -> Result<FactorsView, DomainError> {
        authz::own_account(actor)?;
        let binding = Self::session_binding(actor)?;
        let ceremony = self
            .take_ceremony(ceremony_id, Ceremony::for_kind(kind), &binding)
            .await?;
        let user_id = self
            .finish_registration(&ceremony, kind, response, None)
            .await?;
        self.factors_of(&user_id).await
    }

    /// Renames one of the caller's security keys or passkeys. Needs a recent sign-in: it
    /// changes a credential (a session left open could relabel an attacker's key as the
    /// owner's own, before removing the real one).
    pub async fn rename_own_credential(
        &self,
        actor: &Actor,
        kind: CredentialKind,
        id: &str,
        name: &str,
    ) -> Result<FactorsView, DomainError> {
        let access = authz::own_account(actor)?;
        authz::require_recent_sign_in(actor, self.now(), self.deps().sessions.reauth)?;
        let name = credential_name(name, kind)?;
        let user_id = access.own_user_id().unwrap_or_default().to_owned();
        let mut conn = self.db().conn().await?;
        if !factors::rename_credential(conn.exec(), &user_id, id, kind.as_str(), &name).await? {
            return Err(DomainError::NotFound(faults::WEBAUTHN_NOT_FOUND));
        }
        drop(conn);
        self.factors_of(&user_id).await
    }

    /// Removes one of the caller's security keys or passkeys. Needs a recent sign-in.
    pub async fn remove_own_credential(
        &self,
        actor: &Actor,
        kind: CredentialKind,
        id: &str,
    ) -> Result<FactorsView, DomainError> {
        let access = authz::own_account(actor)?;
        authz::require_recent_sign_in(actor, self.now(), self.deps().sessions.reauth)?;
        let user_id = access.own_user_id().unwrap_or_default().to_owned();
        self.remove_credential(&access, &user_id, kind, id).await?;
        self.factors_of(&user_id).await
    }

    /// Removes a security key (3.5) or passkey (3.16); the token must be of the kind the path
    /// names (decision D2).
    pub async fn remove_credential(
        &self,
        access: &Access,
        user_id: &str,
        kind: CredentialKind,
        id: &str,
    ) -> Result<ChangeDetails, DomainError> {
        let missing = || DomainError::NotFound(faults::WEBAUTHN_NOT_FOUND);
        let row = match self.lookup(access, user_id).await? {
            Lookup::Human(row) => row,
            Lookup::Machine | Lookup::Missing => return Err(missing()),
        };
        let mut tx = self.db().begin().await?;
        if !factors::delete_credential(tx.exec(), &row.id, id, kind.as_str()).await? {
            return Err(missing());
        }
        self.end_sessions_after_removal(&mut tx, access, &row.id)
            .await?;
        let event = match kind {
            CredentialKind::Passkey => "user.human.passwordless.token.removed",
            CredentialKind::SecurityKey => "user.human.mfa.u2f.token.removed",
        };
        let details = self
            .write_factor_event(
                &mut tx,
                &row.id,
                access.actor_id(),
                event,
                json!({ "tokenId": id }),
                Some(Notice::Removed(Factor::of(kind))),
            )
            .await?;
        tx.commit().await?;
        self.outbox_wakeup().notify_one();
        Ok(details)
    }

    // --- sign-in: the second step ---

    /// The second factors a half-signed-in session may use (a security key challenge is
    /// started right away when the user has keys).
    pub async fn second_factor_choice(
        &self,
        actor: &Actor,
    ) -> Result<SecondFactorChoice, DomainError> {
        let auth = authz::require_human_allowing(actor, Gate::SecondFactor)?;
        let binding = Self::session_binding(actor)?;
        let user_id = auth.user_id.as_str();
        let view = self.factors_of(user_id).await?;
        let security_key = if view.security_keys.is_empty() {
            None
        } else {
            let mut conn = self.db().conn().await?;
            let keys: Vec<SecurityKey> = factors::credentials_of(
                conn.exec(),
                user_id,
                Some(CredentialKind::SecurityKey.as_str()),
            )
            .await?
            .iter()
            .map(|row| from_json(&row.credential))
            .collect::<Result<_, _>>()?;
            drop(conn);
            let (options, state) = self
                .deps()
                .webauthn
                .start_securitykey_authentication(&keys)
                .map_err(DomainError::internal)?;
            let ceremony_id = self
                .store_ceremony(
                    Ceremony::SecondFactor,
                    &binding,
                    Some(user_id),
                    None,
                    to_json::<SecurityKeyAuthentication>(&state)?,
                )
                .await?;
            Some(AuthenticationChallenge {
                ceremony_id,
                options,
            })
        };
        Ok(SecondFactorChoice {
            totp: view.totp_ready,
            security_key,
        })
    }

    /// Completes sign-in with an authenticator app code; returns the new session token.
    pub async fn finish_totp_sign_in(
        &self,
        actor: &Actor,
        code: &str,
    ) -> Result<SessionToken, DomainError> {
        let auth = authz::require_human_allowing(actor, Gate::SecondFactor)?;
        if auth.gate != Some(Gate::SecondFactor) {
            return Err(DomainError::FailedPrecondition(
                faults::NO_SECOND_FACTOR_OWED,
            ));
        }
        let mut conn = self.db().conn().await?;
        let row = users::get(conn.exec(), auth.user_id.as_str())
            .await?
            .ok_or(DomainError::Unauthenticated(faults::SESSION_REQUIRED))?;
        drop(conn);
        self.check_totp(&row, code, true).await?;
        self.second_factor_passed(actor).await
    }

    /// Completes sign-in with a security key; returns the new session token.
    pub async fn finish_security_key_sign_in(
        &self,
        actor: &Actor,
        ceremony_id: &str,
        response: &PublicKeyCredential,
    ) -> Result<SessionToken, DomainError> {
        let auth = authz::require_human_allowing(actor, Gate::SecondFactor)?;
        if auth.gate != Some(Gate::SecondFactor) {
            return Err(DomainError::FailedPrecondition(
                faults::NO_SECOND_FACTOR_OWED,
            ));
        }
        let binding = Self::session_binding(actor)?;
        let ceremony = self
            .take_ceremony(ceremony_id, Ceremony::SecondFactor, &binding)
            .await?;
        let state: SecurityKeyAuthentication = from_json(&ceremony.state)?;
        let result = self
            .deps()
            .webauthn
            .finish_securitykey_authentication(response, &state)
            .map_err(|error| {
                tracing::info!(%error, "security key sign-in refused");
                DomainError::Invalid(faults::CREDENTIAL_REFUSED)
            })?;
        self.record_credential_use(auth.user_id.as_str(), &result)
            .await?;
        self.second_factor_passed(actor).await
    }

    /// Turns the half-signed-in session into a complete one under a new token (the old
    /// cookie stops working), so a token seen before the second factor is worth nothing.
    async fn second_factor_passed(&self, actor: &Actor) -> Result<SessionToken, DomainError> {
        let key = Self::session_binding(actor)?;
        let mut tx = self.db().begin().await?;
        let token =
            reissue_session(tx.exec(), &key, self.now(), Reissue::SecondFactorPassed).await?;
        if let Some(user_id) = actor.user_id() {
            users::reset_failed_passwords(tx.exec(), user_id.as_str()).await?;
            tracing::info!(user_id = %user_id, "second factor passed");
        }
        tx.commit().await?;
        Ok(token)
    }

    /// Stores the new counter and backup state of a credential after it was used.
    async fn record_credential_use(
        &self,
        user_id: &str,
        result: &webauthn_rs::prelude::AuthenticationResult,
    ) -> Result<(), DomainError> {
        let raw = b64url(result.cred_id());
        let mut conn = self.db().conn().await?;
        let row = factors::credential_by_raw_id(conn.exec(), &raw)
            .await?
            .filter(|row| row.user_id == user_id)
            .ok_or(DomainError::Invalid(faults::CREDENTIAL_REFUSED))?;
        let updated = if row.kind == CredentialKind::Passkey.as_str() {
            let mut passkey: Passkey = from_json(&row.credential)?;
            passkey
                .update_credential(result)
                .map(|_| to_json(&passkey))
                .transpose()?
        } else {
            let mut key: SecurityKey = from_json(&row.credential)?;
            key.update_credential(result)
                .map(|_| to_json(&key))
                .transpose()?
        };
        factors::record_use(conn.exec(), &row.id, updated.as_deref(), self.now()).await?;
        Ok(())
    }

    // --- re-authentication with a passkey ---

    /// How the caller can confirm it is them (password, passkey). Signed-in people.
    pub async fn reauth_methods(&self, actor: &Actor) -> Result<ReauthMethods, DomainError> {
        let auth = authz::require_authenticated(actor)?;
        let mut conn = self.db().conn().await?;
        let user = users::get(conn.exec(), auth.user_id.as_str())
            .await?
            .ok_or(DomainError::Unauthenticated(faults::SESSION_REQUIRED))?;
        let passkeys = factors::credentials_of(
            conn.exec(),
            &user.id,
            Some(CredentialKind::Passkey.as_str()),
        )
        .await?;
        Ok(ReauthMethods {
            password: user.password_hash.is_some(),
            passkey: !passkeys.is_empty(),
        })
    }

    /// Starts confirming the caller with one of their passkeys, bound to this session.
    /// Passkeys only: they verify the user (PIN or biometrics), so an assertion is as strong
    /// as the password it replaces; a security key alone proves possession only.
    pub async fn start_reauthentication(
        &self,
        actor: &Actor,
    ) -> Result<AuthenticationChallenge, DomainError> {
        let auth = authz::require_authenticated(actor)?;
        let binding = Self::session_binding(actor)?;
        let user_id = auth.user_id.as_str();
        let mut conn = self.db().conn().await?;
        let passkeys: Vec<Passkey> =
            factors::credentials_of(conn.exec(), user_id, Some(CredentialKind::Passkey.as_str()))
                .await?
                .iter()
                .map(|row| from_json(&row.credential))
                .collect::<Result<_, _>>()?;
        drop(conn);
        if passkeys.is_empty() {
            return Err(DomainError::FailedPrecondition(faults::NO_PASSKEY));
        }
        let (options, state) = self
            .deps()
            .webauthn
            .start_passkey_authentication(&passkeys)
            .map_err(DomainError::internal)?;
        let ceremony_id = self
            .store_ceremony(
                Ceremony::Reauthenticate,
                &binding,
                Some(user_id),
                None,
                to_json::<PasskeyAuthentication>(&state)?,
            )
            .await?;
        Ok(AuthenticationChallenge {
            ceremony_id,
            options,
        })
    }

    /// Finishes confirming the caller with a passkey (user verification required): sensitive
    /// changes are allowed for the next minutes, as after the password, and the session
    /// continues under the returned new token. A refused answer is not a password failure and
    /// does not count toward the lockout.
    pub async fn finish_reauthentication(
        &self,
        actor: &Actor,
        ceremony_id: &str,
        response: &PublicKeyCredential,
    ) -> Result<SessionToken, DomainError> {
        let auth = authz::require_authenticated(actor)?;
        let binding = Self::session_binding(actor)?;
        let ceremony = self
            .take_ceremony(ceremony_id, Ceremony::Reauthenticate, &binding)
            .await?;
        if ceremony.user_id.as_deref() != Some(auth.user_id.as_str()) {
            return Err(DomainError::Invalid(faults::CEREMONY_INVALID));
        }
        let state: PasskeyAuthentication = from_json(&ceremony.state)?;
        let result = self
            .deps()
            .webauthn
            .finish_passkey_authentication(response, &state)
            .map_err(|error| {
                tracing::info!(%error, "passkey re-authentication refused");
                DomainError::Invalid(faults::CREDENTIAL_REFUSED)
            })?;
        self.record_credential_use(auth.user_id.as_str(), &result)
            .await?;
        let token = self.reauthenticated(&binding).await?;
        tracing::info!(user_id = %auth.user_id, "re-authenticated with a passkey");
        Ok(token)
    }

    // --- passwordless sign-in ---

    /// Starts a passkey sign-in without a username. With `conditional`, the browser offers
    /// the passkeys in the username field's autofill.
    pub async fn start_passkey_sign_in(
        &self,
        conditional: bool,
    ) -> Result<AuthenticationChallenge, DomainError> {
        let (mut options, state) = self
            .deps()
            .webauthn
            .start_discoverable_authentication()
            .map_err(DomainError::internal)?;
        // Conditional mediation lets the browser offer passkeys in the username field's
        // autofill; a button press asks in a dialog instead.
        options.mediation = conditional.then_some(webauthn_rs_proto::Mediation::Conditional);
        let ceremony_id = self
            .store_ceremony(
                Ceremony::Passwordless,
                UNBOUND,
                None,
                None,
                to_json::<DiscoverableAuthentication>(&state)?,
            )
            .await?;
        Ok(AuthenticationChallenge {
            ceremony_id,
            options,
        })
    }

    /// Signs in with a passkey: finds the user by the credential, verifies the assertion
    /// (user verification required) and opens a session that owes no second factor; the
    /// outcome names the user's pending step (initialization, password change), if any.
    pub async fn finish_passkey_sign_in(
        &self,
        ceremony_id: &str,
        response: &PublicKeyCredential,
    ) -> Result<SignedIn, DomainError> {
        let refused = || DomainError::Unauthenticated(faults::PASSKEY_LOGIN_FAILED);
        let ceremony = self
            .take_ceremony(ceremony_id, Ceremony::Passwordless, UNBOUND)
            .await?;
        let webauthn = &self.deps().webauthn;
        let (handle, raw_id) = webauthn
            .identify_discoverable_authentication(response)
            .map_err(|_| refused())?;
        let mut conn = self.db().conn().await?;
        let row = factors::credential_by_raw_id(conn.exec(), &b64url(raw_id))
            .await?
            .filter(|row| row.kind == CredentialKind::Passkey.as_str())
            .ok_or_else(refused)?;
        if user_handle(&row.user_id) != handle {
            return Err(refused());
        }
        // INITIAL users may sign in too, to reach the initialization step; locked and
        // deactivated ones may not.
        let user = users::get(conn.exec(), &row.user_id)
            .await?
            .filter(may_sign_in)
            .ok_or_else(refused)?;
        drop(conn);
        let passkey: Passkey = from_json(&row.credential)?;
        let state: DiscoverableAuthentication = from_json(&ceremony.state)?;
        let result = webauthn
            .finish_discoverable_authentication_v2(response, state, &passkey)
            .map_err(|error| {
                tracing::info!(%error, "passkey sign-in refused");
                refused()
            })?;
        self.record_credential_use(&user.id, &result).await?;
        let now = self.now();
        let token = SessionToken::generate();
        let mut conn = self.db().conn().await?;
        sessions::insert(
            conn.exec(),
            &SessionRow {
                id: token_key(token.as_str()),
                user_id: user.id.clone(),
                created_at: now,
                last_seen_at: now,
                expires_at: now + self.deps().sessions.absolute.as_micros() as i64,
                authenticated_at: now,
                second_factor_pending: false,
            },
        )
        .await?;
        // A passkey with user verification is both factors, so no second step is owed; a
        // pending initialization or password change still comes first, as after a password.
        let outcome = outcome_of(gate_of(&user));
        tracing::info!(user_id = %user.id, ?outcome, "signed in with a passkey");
        Ok(SignedIn { token, outcome })
    }

    // --- passkey registration links (3.13, 3.15 and the page they open) ---

    /// A human in the access scope for the link endpoints (decision D1: NotFound otherwise).
    async fn link_target(
        &self,
        access: &Access,
        user_id: &str,
    ) -> Result<Box<UserRow>, DomainError> {
        match self.lookup(access, user_id).await? {
            Lookup::Human(row) => Ok(row),
            Lookup::Machine | Lookup::Missing => {
                Err(DomainError::NotFound(faults::USER_NOT_FOUND_D1))
            }
        }
    }

    /// Makes a passkey registration link and returns it (contract 3.13); nothing is sent.
    pub async fn add_passkey_link(
        &self,
        access: &Access,
        user_id: &str,
    ) -> Result<(PasskeyLink, ChangeDetails), DomainError> {
        let row = self.link_target(access, user_id).await?;
        let now = self.now();
        let code_id = new_id(now);
        let mut tx = self.db().begin().await?;
        let link = self
            .issue_passkey_link(&mut tx, &Recipient::of(&row), &code_id, now)
            .await?;
        let details = self
            .write_factor_event(
                &mut tx,
                &row.id,
                access.actor_id(),
                "user.human.passwordless.initialization.code.added",
                json!({ "codeId": code_id }),
                None,
            )
            .await?;
        tx.commit().await?;
        Ok((link, details))
    }

    /// Makes a passkey registration link and mails it to the user's verified address
    /// (contract 3.15).
    pub async fn send_passkey_link(
        &self,
        access: &Access,
        user_id: &str,
    ) -> Result<ChangeDetails, DomainError> {
        let row = self.link_target(access, user_id).await?;
        let now = self.now();
        let code_id = new_id(now);
        let mut tx = self.db().begin().await?;
        let recipient = Recipient::of(&row);
        let link = self
            .issue_passkey_link(&mut tx, &recipient, &code_id, now)
            .await?;
        let details = self
            .write_factor_event(
                &mut tx,
                &row.id,
                access.actor_id(),
                "user.human.passwordless.initialization.code.requested",
                json!({ "codeId": code_id }),
                None,
            )
            .await?;
        if row.email_verified {
            let message =
                templates::passkey_registration(recipient.lang, recipient.display_name, &link.link);
            let not_after = Some(now + secs(Purpose::PasskeyRegistration.lifetime_secs()));
            self.queue_message(
                &mut tx,
                &row.id,
                Channel::Email,
                &row.email,
                message,
                not_after,
            )
            .await?;
        } else {
            tracing::warn!(user_id = %row.id, "passkey link not mailed: the address is not verified");
        }
        tx.commit().await?;
        self.outbox_wakeup().notify_one();
        Ok(details)
    }

    /// Checks a registration link's code (counted, burned after three wrong tries) without
    /// using it up, and starts the passkey ceremony; a cancelled first attempt can be repeated.
    pub async fn start_link_registration(
        &self,
        user_id: &str,
        code_id: &str,
        code: &str,
    ) -> Result<RegistrationChallenge, DomainError> {
        // A locked or deactivated account gets the same answer as a wrong code (and its
        // link is not worn down by guesses); an INITIAL one may register.
        let mut conn = self.db().conn().await?;
        let row = users::get(conn.exec(), user_id)
            .await?
            .filter(may_sign_in)
            .ok_or(DomainError::Invalid(faults::CODE_INVALID))?;
        drop(conn);
        self.check_code_by_id(code_id, user_id, Purpose::PasskeyRegistration, code)
            .await?;
        self.start_registration(
            &row,
            CredentialKind::Passkey,
            "Passkey",
            Ceremony::LinkRegistration,
            code_id,
        )
        .await
    }

    /// Finishes a link registration: the code is used up only when the verified passkey is
    /// stored, in the same transaction.
    pub async fn finish_link_registration(
        &self,
        code_id: &str,
        ceremony_id: &str,
        name: &str,
        response: &RegisterPublicKeyCredential,
    ) -> Result<(), DomainError> {
        let name = credential_name(name, CredentialKind::Passkey)?;
        let mut ceremony = self
            .take_ceremony(ceremony_id, Ceremony::LinkRegistration, code_id)
            .await?;
        ceremony.name = Some(name);
        self.finish_registration(&ceremony, CredentialKind::Passkey, response, Some(code_id))
            .await
            .map(|_| ())
    }

    /// REST 3.3 / 3.14: the user's READY factors, after the D1 existence check.
    pub async fn list_factors_for(
        &self,
        access: &Access,
        user_id: &str,
    ) -> Result<FactorsView, DomainError> {
        let row = self.link_target(access, user_id).await?;
        self.factors_of(&row.id).await
    }
}

impl Ceremony {
    fn for_kind(kind: CredentialKind) -> Ceremony {
        match kind {
            CredentialKind::Passkey => Ceremony::RegisterPasskey,
            CredentialKind::SecurityKey => Ceremony::RegisterSecurityKey,
        }
    }
}

/// An SVG QR code for `text` as a `data:` URL.
pub fn qr_data_url(text: &str) -> Result<String, DomainError> {
    let code = qrcode::QrCode::new(text.as_bytes()).map_err(DomainError::internal)?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    ))
}
