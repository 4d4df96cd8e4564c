//! Email and phone: the contract's updates, removals and resends (3.2, 3.8, 3.9, 3.18-3.20),
//! the verification codes reached from mails and SMS, and the account page's own changes.
//! "No such user" is a different error per endpoint (contract 5.7), so each names its own.

use super::Services;
use super::authz::{self, Access};
use super::codes::Purpose;
use super::error::{DomainError, faults};
use super::events::UserChange;
use super::messaging::Recipient;
use super::users::{ChangeDetails, Lookup, state_of};
use super::values::{EmailAddress, PhoneNumber};
use crate::notify::Channel;
use crate::notify::templates;
use crate::store::users::{self, UserRow};
use crate::store::{Tx, codes};
use app::model::{Actor, UserState};
use serde_json::json;

/// Self-service requests for a new code are spaced at least this far apart per purpose.
const SELF_SERVICE_SPACING_SECS: i64 = 60;

/// A user locked for a write inside an access scope, or the given error.
async fn lock_human(
    tx: &mut Tx,
    access: &Access,
    user_id: &str,
    missing: DomainError,
) -> Result<Box<UserRow>, DomainError> {
    let row = users::get_for_update(tx.exec(), user_id).await?;
    match Lookup::of(row, access) {
        Lookup::Human(row) => Ok(row),
        Lookup::Machine | Lookup::Missing => Err(missing),
    }
}

fn details(row: &UserRow, change: &UserChange<'_>) -> ChangeDetails {
    let stamp = change.stamp();
    ChangeDetails {
        sequence: stamp.sequence,
        changed_at: stamp.at,
        org_id: row.org_id.clone(),
    }
}

impl Services {
    /// Sends a new invitation (contract 3.2); a different `email` replaces the address first.
    pub async fn resend_initialization(
        &self,
        access: &Access,
        user_id: &str,
        email: Option<&str>,
    ) -> Result<ChangeDetails, DomainError> {
        let email = email
            .filter(|email| !email.is_empty())
            .map(EmailAddress::parse)
            .transpose()?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let row = lock_human(
            &mut tx,
            access,
            user_id,
            DomainError::NotFound(faults::RESEND_INIT_USER_NOT_FOUND),
        )
        .await?;
        if state_of(&row) != UserState::Initial {
            return Err(DomainError::FailedPrecondition(
                faults::USER_ALREADY_INITIALISED,
            ));
        }
        let mut change = UserChange::new(&row.id, row.sequence, now, access.actor_id());
        let address = match &email {
            Some(email) if email.as_str() != row.email => {
                change.push(
                    "user.human.email.changed",
                    json!({ "email": email.as_str() }),
                );
                email.as_str().to_owned()
            }
            _ => row.email.clone(),
        };
        change.push(
            "user.human.initialization.code.added",
            json!({ "expirySecs": Purpose::Init.lifetime_secs() }),
        );
        let result = details(&row, &change);
        let stamp = change.write(&mut tx).await?;
        users::set_email(tx.exec(), &row.id, &address, false, stamp).await?;
        self.send_invitation(
            &mut tx,
            &Recipient::of(&row),
            &address,
            row.password_hash.is_some(),
            now,
        )
        .await?;
        tx.commit().await?;
        self.outbox_wakeup().notify_one();
        Ok(result)
    }

    /// Changes the email address (contract 3.8): verified directly, or with a verification
    /// mail to the new address. Changing nothing is an error.
    pub async fn update_email(
        &self,
        access: &Access,
        user_id: &str,
        email: &str,
        verified: bool,
    ) -> Result<ChangeDetails, DomainError> {
        let email = EmailAddress::parse(email)?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let row = lock_human(
            &mut tx,
            access,
            user_id,
            DomainError::FailedPrecondition(faults::EMAIL_USER_NOT_FOUND),
        )
        .await?;
        if state_of(&row) == UserState::Initial {
            return Err(DomainError::FailedPrecondition(
                faults::UPDATE_EMAIL_NOT_INITIALISED,
            ));
        }
        let same = row.email == email.as_str();
        if same && (row.email_verified || !verified) {
            return Err(DomainError::FailedPrecondition(faults::EMAIL_NOT_CHANGED));
        }
        let mut change = UserChange::new(&row.id, row.sequence, now, access.actor_id());
        if !same {
            change.push(
                "user.human.email.changed",
                json!({ "email": email.as_str() }),
            );
        }
        if verified {
            change.push("user.human.email.verified", json!({}));
        } else {
            change.push(
                "user.human.email.code.added",
                json!({ "expirySecs": Purpose::EmailVerification.lifetime_secs() }),
            );
        }
        let result = details(&row, &change);
        let stamp = change.write(&mut tx).await?;
        users::set_email(tx.exec(), &row.id, email.as_str(), verified, stamp).await?;
        if !verified {
            self.send_email_verification(&mut tx, &Recipient::of(&row), email.as_str(), now)
                .await?;
        }
        tx.commit().await?;
        self.outbox_wakeup().notify_one();
        Ok(result)
    }

    /// A new verification mail for the current address (contract 3.9).
    pub async fn resend_email_verification(
        &self,
        access: &Access,
        user_id: &str,
    ) -> Result<ChangeDetails, DomainError> {
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let row = lock_human(
            &mut tx,
            access,
            user_id,
            DomainError::NotFound(faults::EMAIL_USER_NOT_FOUND),
        )
        .await?;
        if state_of(&row) == UserState::Initial {
            return Err(DomainError::FailedPrecondition(
                faults::RESEND_EMAIL_NOT_INITIALISED,
            ));
        }
        if row.email_verified {
            return Err(DomainError::FailedPrecondition(
                faults::EMAIL_ALREADY_VERIFIED,
            ));
        }
        let mut change = UserChange::new(&row.id, row.sequence, now, access.actor_id());
        change.push(
            "user.human.email.code.added",
            json!({ "expirySecs": Purpose::EmailVerification.lifetime_secs() }),
        );
        let result = details(&row, &change);
        let stamp = change.write(&mut tx).await?;
        users::touch(tx.exec(), &row.id, stamp).await?;
        self.send_email_verification(&mut tx, &Recipient::of(&row), &row.email, now)
            .await?;
        tx.commit().await?;
        self.outbox_wakeup().notify_one();
        Ok(result)
    }

    /// Changes the phone number (contract 3.19), compared in E.164 form.
    pub async fn update_phone(
        &self,
        access: &Access,
        user_id: &str,
        phone: &str,
        verified: bool,
    ) -> Result<ChangeDetails, DomainError> {
        let phone = PhoneNumber::parse(phone)?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let row = lock_human(
            &mut tx,
            access,
            user_id,
            DomainError::FailedPrecondition(faults::UPDATE_PHONE_USER_NOT_FOUND),
        )
        .await?;
        let same = row.phone.as_deref() == Some(phone.as_str());
        if same && (row.phone_verified || !verified) {
            return Err(DomainError::FailedPrecondition(faults::PHONE_NOT_CHANGED));
        }
        let mut change = UserChange::new(&row.id, row.sequence, now, access.actor_id());
        if !same {
            change.push(
                "user.human.phone.changed",
                json!({ "phone": phone.as_str() }),
            );
        }
        if verified {
            change.push("user.human.phone.verified", json!({}));
        } else {
            change.push(
                "user.human.phone.code.added",
                json!({ "expirySecs": Purpose::PhoneVerification.lifetime_secs() }),
            );
        }
        let result = details(&row, &change);
        let stamp = change.write(&mut tx).await?;
        users::set_phone(tx.exec(), &row.id, Some(phone.as_str()), verified, stamp).await?;
        if !verified {
            self.send_phone_verification(&mut tx, &Recipient::of(&row), phone.as_str(), now)
                .await?;
        }
        tx.commit().await?;
        self.outbox_wakeup().notify_one();
        Ok(result)
    }

    /// Removes the phone number (contract 3.18).
    pub async fn remove_phone(
        &self,
        access: &Access,
        user_id: &str,
    ) -> Result<ChangeDetails, DomainError> {
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let row = lock_human(
            &mut tx,
            access,
            user_id,
            DomainError::FailedPrecondition(faults::REMOVE_PHONE_USER_NOT_FOUND),
        )
        .await?;
        if row.phone.is_none() {
            return Err(DomainError::NotFound(faults::REMOVE_PHONE_NOT_FOUND));
        }
        let mut change = UserChange::new(&row.id, row.sequence, now, access.actor_id());
        change.push("user.human.phone.removed", json!({}));
        let result = details(&row, &change);
        let stamp = change.write(&mut tx).await?;
        users::set_phone(tx.exec(), &row.id, None, false, stamp).await?;
        codes::delete_for_user(tx.exec(), &row.id, Purpose::PhoneVerification.as_str()).await?;
        tx.commit().await?;
        Ok(result)
    }

    /// A new verification SMS for the current number (contract 3.20).
    pub async fn resend_phone_verification(
        &self,
        access: &Access,
        user_id: &str,
    ) -> Result<ChangeDetails, DomainError> {
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let row = lock_human(
            &mut tx,
            access,
            user_id,
            DomainError::FailedPrecondition(faults::RESEND_PHONE_USER_NOT_FOUND),
        )
        .await?;
        let Some(phone) = row.phone.clone() else {
            return Err(DomainError::NotFound(faults::RESEND_PHONE_NOT_FOUND));
        };
        if row.phone_verified {
            return Err(DomainError::FailedPrecondition(
                faults::PHONE_ALREADY_VERIFIED,
            ));
        }
        let mut change = UserChange::new(&row.id, row.sequence, now, access.actor_id());
        change.push(
            "user.human.phone.code.added",
            json!({ "expirySecs": Purpose::PhoneVerification.lifetime_secs() }),
        );
        let result = details(&row, &change);
        let stamp = change.write(&mut tx).await?;
        users::touch(tx.exec(), &row.id, stamp).await?;
        self.send_phone_verification(&mut tx, &Recipient::of(&row), &phone, now)
            .await?;
        tx.commit().await?;
        self.outbox_wakeup().notify_one();
        Ok(result)
    }

    /// Verifies an email address with the code from the mail (the `/verify-email` page; anyone
    /// holding the code). The code is bound to the address it was sent to: a pending new address
    /// becomes the account's address, the current one becomes verified.
    pub async fn verify_email(&self, user_id: &str, typed: &str) -> Result<(), DomainError> {
        let invalid = || DomainError::Invalid(faults::CODE_INVALID);
        let code = self
            .check_code(user_id.trim(), Purpose::EmailVerification, typed)
            .await?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let row = users::get_for_update(tx.exec(), &code.user_id)
            .await?
            .filter(UserRow::is_human)
            .ok_or_else(invalid)?;
        let target = code.target.clone().unwrap_or_default();
        let is_pending = row.pending_email.as_deref() == Some(target.as_str());
        if !is_pending && (target != row.email || row.email_verified) {
            return Err(invalid());
        }
        self.consume_code(&mut tx, &code).await?;
        let mut change = UserChange::new(&row.id, row.sequence, now, Some(&row.id));
        if is_pending {
            change.push("user.human.email.changed", json!({ "email": target }));
        }
        change.push("user.human.email.verified", json!({}));
        let stamp = change.write(&mut tx).await?;
        users::set_email(tx.exec(), &row.id, &target, true, stamp).await?;
        tx.commit().await?;
        tracing::info!(user_id = %row.id, "email verified");
        Ok(())
    }

    /// Verifies the caller's own phone with the code from the SMS (account page).
    pub async fn verify_own_phone(&self, actor: &Actor, typed: &str) -> Result<(), DomainError> {
        let access = authz::own_account(actor)?;
        let user_id = access.own_user_id().unwrap_or_default().to_owned();
        let invalid = || DomainError::Invalid(faults::CODE_INVALID);
        let code = self
            .check_code(&user_id, Purpose::PhoneVerification, typed)
            .await?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let row = lock_human(&mut tx, &access, &user_id, invalid()).await?;
        if row.phone_verified || row.phone.as_deref() != code.target.as_deref() {
            return Err(invalid());
        }
        self.consume_code(&mut tx, &code).await?;
        let mut change = UserChange::new(&row.id, row.sequence, now, Some(&row.id));
        change.push("user.human.phone.verified", json!({}));
        let stamp = change.write(&mut tx).await?;
        users::set_phone(tx.exec(), &row.id, row.phone.as_deref(), true, stamp).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Asks to change the caller's own email: the current address stays until the new one is
    /// verified, and the old address gets a notice. Needs a recent sign-in.
    pub async fn change_own_email(&self, actor: &Actor, email: &str) -> Result<(), DomainError> {
        let access = authz::own_account(actor)?;
        authz::require_recent_sign_in(actor, self.now(), self.deps().sessions.reauth)?;
        let email = EmailAddress::parse(email.trim())?;
        let user_id = access.own_user_id().unwrap_or_default().to_owned();
        self.throttle_codes(
            &user_id,
            Purpose::EmailVerification,
            SELF_SERVICE_SPACING_SECS,
        )
        .await?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let row = lock_human(
            &mut tx,
            &access,
            &user_id,
            DomainError::Unauthenticated(faults::SESSION_REQUIRED),
        )
        .await?;
        if row.email == email.as_str() && row.email_verified {
            return Err(DomainError::FailedPrecondition(
                faults::EMAIL_NOT_CHANGED.on("email"),
            ));
        }
        let recipient = Recipient::of(&row);
        let mut change = UserChange::new(&row.id, row.sequence, now, Some(&row.id));
        change.push(
            "user.human.email.change.requested",
            json!({ "email": email.as_str() }),
        );
        let stamp = change.write(&mut tx).await?;
        if row.email == email.as_str() {
            // The current address, not verified yet: verify it instead of changing anything.
            users::set_pending_email(tx.exec(), &row.id, None, stamp).await?;
        } else {
            let again = row.pending_email.as_deref() == Some(email.as_str());
            users::set_pending_email(tx.exec(), &row.id, Some(email.as_str()), stamp).await?;
            if row.email_verified && !again {
                let notice = templates::email_change_notice(
                    recipient.lang,
                    recipient.display_name,
                    email.as_str(),
                );
                self.queue_message(&mut tx, &row.id, Channel::Email, &row.email, notice, None)
                    .await?;
            }
        }
        self.send_email_verification(&mut tx, &recipient, email.as_str(), now)
            .await?;
        tx.commit().await?;
        self.outbox_wakeup().notify_one();
        Ok(())
    }

    /// Adds or changes the caller's own phone; it stays unverified until the SMS code is typed.
    /// Needs a recent sign-in.
    pub async fn change_own_phone(&self, actor: &Actor, phone: &str) -> Result<(), DomainError> {
        let access = authz::own_account(actor)?;
        authz::require_recent_sign_in(actor, self.now(), self.deps().sessions.reauth)?;
        let user_id = access.own_user_id().unwrap_or_default().to_owned();
        self.throttle_codes(
            &user_id,
            Purpose::PhoneVerification,
            SELF_SERVICE_SPACING_SECS,
        )
        .await?;
        self.update_phone(&access, &user_id, phone.trim(), false)
            .await
            .map(|_| ())
            .map_err(|error| match error {
                DomainError::FailedPrecondition(fault) if fault == faults::PHONE_NOT_CHANGED => {
                    DomainError::FailedPrecondition(fault.on("phone"))
                }
                other => other,
            })
    }

    /// Removes the caller's own phone. Needs a recent sign-in.
    pub async fn remove_own_phone(&self, actor: &Actor) -> Result<(), DomainError> {
        let access = authz::own_account(actor)?;
        authz::require_recent_sign_in(actor, self.now(), self.deps().sessions.reauth)?;
        let user_id = access.own_user_id().unwrap_or_default().to_owned();
        self.remove_phone(&access, &user_id).await.map(|_| ())
    }

    /// Sends a new code to the caller's own unverified phone.
    pub async fn resend_own_phone_code(&self, actor: &Actor) -> Result<(), DomainError> {
        let access = authz::own_account(actor)?;
        let user_id = access.own_user_id().unwrap_or_default().to_owned();
        self.throttle_codes(
            &user_id,
            Purpose::PhoneVerification,
            SELF_SERVICE_SPACING_SECS,
        )
        .await?;
        self.resend_phone_verification(&access, &user_id)
            .await
            .map(|_| ())
    }
}
