//! Passwords set by administrators (contract 3.10, 3.11), reset notifications (3.12), the
//! forgotten-password flow reached from the sign-in page, and unlocking after the lockout.

use super::authz::Access;
use super::codes::{PlainCode, Purpose};
use super::error::{DomainError, faults};
use super::events::UserChange;
use super::ids::new_id;
use super::messaging::Recipient;
use super::users::{ChangeDetails, Lookup, state_of};
use super::{Services, clock::secs};
use crate::notify::Channel;
use crate::notify::templates::{self, Lang};
use crate::store::users::{self, UserRow};
use crate::store::{Tx, codes, sessions};
use app::model::UserState;
use serde_json::json;

/// The `details` of a change of `row` written with `stamp`.
fn details(stamp: users::Stamp, now: i64, row: &UserRow) -> ChangeDetails {
    ChangeDetails {
        sequence: stamp.sequence,
        changed_at: now,
        org_id: row.org_id.clone(),
    }
}

/// How a reset code travels (contract 3.12 `type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResetChannel {
    Email,
    Sms,
}

/// A forgotten-password request answers the same whether or not the account exists; a new
/// code is made at most this often per account (anti-automation, ASVS 2.2.1).
const RESET_REQUEST_SPACING_SECS: i64 = 60;

impl Services {
    /// Sets a user's password (contract 3.10; 3.11 with `change_required` always true). The
    /// user's sessions end and they get a "password changed" notice.
    pub async fn set_password(
        &self,
        access: &Access,
        user_id: &str,
        password: &str,
        change_required: bool,
    ) -> Result<ChangeDetails, DomainError> {
        let missing = || DomainError::FailedPrecondition(faults::SET_PASSWORD_USER_NOT_FOUND);
        let row = match self.lookup(access, user_id).await? {
            Lookup::Human(row) => row,
            Lookup::Machine | Lookup::Missing => return Err(missing()),
        };
        if state_of(&row) == UserState::Initial {
            return Err(DomainError::FailedPrecondition(
                faults::SET_PASSWORD_NOT_INITIALISED,
            ));
        }
        self.check_new_password(&row, password)?;
        let hash = self.deps().hasher.hash(password).await?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let row = users::get_for_update(tx.exec(), &row.id)
            .await?
            .ok_or_else(missing)?;
        let mut change = UserChange::new(&row.id, row.sequence, now, access.actor_id());
        change.push(
            "user.human.password.changed",
            json!({ "changeRequired": change_required, "bySelf": false }),
        );
        let stamp = change.write(&mut tx).await?;
        users::set_password(tx.exec(), &row.id, &hash, change_required, stamp).await?;
        let ended = sessions::delete_for_user(tx.exec(), &row.id, None).await?;
        self.notify_password_changed(&mut tx, &row).await?;
        tx.commit().await?;
        self.outbox_wakeup().notify_one();
        tracing::info!(user_id = %row.id, ended_sessions = ended, change_required, "password set by an administrator");
        Ok(ChangeDetails {
            sequence: stamp.sequence,
            changed_at: now,
            org_id: row.org_id,
        })
    }

    /// Sends a password-reset code by mail or SMS (contract 3.12). The password itself stays.
    pub async fn send_password_reset(
        &self,
        access: &Access,
        user_id: &str,
        channel: ResetChannel,
    ) -> Result<ChangeDetails, DomainError> {
        let now = self.now();
        let mut tx = self.db().begin().await?;
        // Contract 3.12 looks the user up with the generic model: machine users are found too
        // (and, having no address, get no message).
        let row = users::get_for_update(tx.exec(), user_id)
            .await?
            .filter(|row| Lookup::in_scope(row, access))
            .ok_or(DomainError::FailedPrecondition(
                faults::RESET_USER_NOT_FOUND,
            ))?;
        if state_of(&row) == UserState::Initial {
            return Err(DomainError::FailedPrecondition(
                faults::RESET_NOT_INITIALISED,
            ));
        }
        let details = self
            .issue_reset(&mut tx, &row, channel, access.actor_id(), now)
            .await?;
        tx.commit().await?;
        self.outbox_wakeup().notify_one();
        Ok(details)
    }

    /// Writes the reset event, stores the code and queues its message.
    async fn issue_reset(
        &self,
        tx: &mut Tx,
        row: &UserRow,
        channel: ResetChannel,
        actor_id: Option<&str>,
        now: i64,
    ) -> Result<ChangeDetails, DomainError> {
        let purpose = Purpose::PasswordReset;
        let mut change = UserChange::new(&row.id, row.sequence, now, actor_id);
        change.push(
            "user.human.password.code.added",
            json!({ "channel": match channel { ResetChannel::Email => "email", ResetChannel::Sms => "sms" } }),
        );
        let stamp = change.write(tx).await?;
        users::touch(tx.exec(), &row.id, stamp).await?;
        let recipient = Recipient::of(row);
        let not_after = Some(now + secs(purpose.lifetime_secs()));
        // Mail and SMS carry the same link to the reset page, built from the public URL only
        // (decision D6); the page takes the code from it.
        let (channel, address) = match channel {
            ResetChannel::Email if row.email.is_empty() => {
                tracing::warn!(user_id = %row.id, "password reset by mail for a user without an address");
                return Ok(details(stamp, now, row));
            }
            ResetChannel::Email => (Channel::Email, row.email.as_str()),
            ResetChannel::Sms => match &row.phone {
                Some(phone) => (Channel::Sms, phone.as_str()),
                // The contract does not check for a phone at request time; there is nobody to
                // send the code to.
                None => {
                    tracing::warn!(user_id = %row.id, "password reset by SMS for a user without a phone");
                    return Ok(details(stamp, now, row));
                }
            },
        };
        let code = self
            .issue_code(tx, &new_id(now), &row.id, purpose, Some(address), now)
            .await?;
        let link = self.link(
            "/reset-password",
            &[
                ("userID", &row.id),
                ("code", code.as_str()),
                ("orgID", &row.org_id),
            ],
        );
        let message = match channel {
            Channel::Email => {
                templates::password_reset_mail(recipient.lang, recipient.display_name, &link)
            }
            Channel::Sms => templates::password_reset_sms(recipient.lang, &link, code.as_str()),
        };
        self.queue_message(tx, &row.id, channel, address, message, not_after)
            .await?;
        Ok(details(stamp, now, row))
    }

    /// The sign-in page's "forgot password": mails a reset link when the login names an active
    /// account with an address, and answers the same in every case, so nobody learns which
    /// accounts exist.
    ///
    /// The answer must not take visibly longer for real accounts either (ASVS 6.3.8). Every
    /// request therefore runs the same steps: the same lookups, a write transaction with the
    /// same reads, and the code generation, keyed hash and mail rendering of a reset. Requests
    /// that send nothing do that work on a throw-away code and roll the transaction back;
    /// what remains different is the few inserts and the commit of a real reset, which are
    /// small next to the rest and the network's own jitter. No sleeping: padding with a
    /// delay would be tuned to one machine and still show under load.
    pub async fn request_password_reset(&self, login: &str) -> Result<(), DomainError> {
        let found = self.find_login(login).await?;
        let eligible = found
            .as_ref()
            .filter(|row| state_of(row) == UserState::Active && !row.email.is_empty());
        // Nobody has the empty id: the decoy reads find nothing, like the real ones for an
        // account that vanished meanwhile.
        let user_id = eligible.map_or("", |row| row.id.as_str());
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let recent = codes::latest(tx.exec(), user_id, Purpose::PasswordReset.as_str())
            .await?
            .is_some_and(|code| now - code.created_at < secs(RESET_REQUEST_SPACING_SECS));
        let current = users::get_for_update(tx.exec(), user_id).await?;
        match (found.as_ref(), eligible, current) {
            (_, Some(_), Some(current)) if !recent => {
                self.issue_reset(
                    &mut tx,
                    &current,
                    ResetChannel::Email,
                    Some(&current.id),
                    now,
                )
                .await?;
                tx.commit().await?;
                self.outbox_wakeup().notify_one();
                return Ok(());
            }
            (None, _, _) => tracing::info!("password reset requested for an unknown login"),
            (Some(row), None, _) => {
                tracing::info!(user_id = %row.id, "password reset requested for an account that cannot reset");
            }
            (Some(row), Some(_), _) => {
                tracing::info!(user_id = %row.id, "password reset requested again too soon (or the account went away); not sent");
            }
        }
        self.decoy_reset_work(found.as_ref());
        // Dropping the transaction rolls it back; it wrote nothing.
        drop(tx);
        Ok(())
    }

    /// The CPU work of a reset on a code nobody gets: generate, hash and put it into a link
    /// and a rendered mail (see [`Self::request_password_reset`]).
    fn decoy_reset_work(&self, row: Option<&UserRow>) {
        let purpose = Purpose::PasswordReset;
        let code = PlainCode::generate(purpose);
        let user_id = row.map_or("", |row| row.id.as_str());
        let org_id = row.map_or("", |row| row.org_id.as_str());
        let hash = self.deps().codes.hash(purpose, user_id, code.as_str());
        let link = self.link(
            "/reset-password",
            &[
                ("userID", user_id),
                ("code", code.as_str()),
                ("orgID", org_id),
            ],
        );
        let mail = templates::password_reset_mail(Lang::En, user_id, &link);
        std::hint::black_box((hash, mail));
    }

    /// Sets a new password with a reset code (the `/reset-password` page). Every session of
    /// the user ends; the reset signs nobody in, so a second factor is still asked later.
    pub async fn reset_password(
        &self,
        user_id: &str,
        typed: &str,
        password: &str,
        confirmation: &str,
    ) -> Result<(), DomainError> {
        let invalid = || DomainError::Invalid(faults::CODE_INVALID);
        let user_id = user_id.trim();
        let code = self
            .check_code(user_id, Purpose::PasswordReset, typed)
            .await?;
        let mut conn = self.db().conn().await?;
        let row = users::get(conn.exec(), user_id)
            .await?
            .filter(UserRow::is_human)
            .ok_or_else(invalid)?;
        drop(conn);
        if password.is_empty() {
            return Err(DomainError::Invalid(faults::PASSWORD_REQUIRED));
        }
        if password != confirmation {
            return Err(DomainError::Invalid(faults::PASSWORD_CONFIRMATION));
        }
        self.check_new_password(&row, password)?;
        let hash = self.deps().hasher.hash(password).await?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let row = users::get_for_update(tx.exec(), user_id)
            .await?
            .ok_or_else(invalid)?;
        self.consume_code(&mut tx, &code).await?;
        let mut change = UserChange::new(&row.id, row.sequence, now, Some(&row.id));
        change.push(
            "user.human.password.changed",
            json!({ "changeRequired": false, "bySelf": true, "reset": true }),
        );
        let stamp = change.write(&mut tx).await?;
        users::set_password(tx.exec(), &row.id, &hash, false, stamp).await?;
        sessions::delete_for_user(tx.exec(), &row.id, None).await?;
        self.notify_password_changed(&mut tx, &row).await?;
        tx.commit().await?;
        self.outbox_wakeup().notify_one();
        tracing::info!(user_id = %row.id, "password reset with a code");
        Ok(())
    }

    /// Unlocks a user the lockout policy locked, and clears the failure counter. A user in
    /// another state (e.g. INITIAL) whose failed sign-ins reached the limit is let in again
    /// the same way, keeping their state.
    pub async fn unlock_user(
        &self,
        access: &Access,
        user_id: &str,
    ) -> Result<ChangeDetails, DomainError> {
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let row = match Lookup::of(users::get_for_update(tx.exec(), user_id).await?, access) {
            Lookup::Human(row) => row,
            Lookup::Machine | Lookup::Missing => {
                return Err(DomainError::NotFound(faults::USER_NOT_FOUND));
            }
        };
        let locked = state_of(&row) == UserState::Locked;
        if !locked && !self.password_locked_out(&row) {
            return Err(DomainError::FailedPrecondition(faults::UNLOCK_NOT_LOCKED));
        }
        let mut change = UserChange::new(&row.id, row.sequence, now, access.actor_id());
        change.push("user.unlocked", json!({}));
        let stamp = change.write(&mut tx).await?;
        let state = if locked {
            i32::from(UserState::Active.as_number())
        } else {
            row.state
        };
        users::set_state(tx.exec(), &row.id, state, stamp).await?;
        // Both counters start over, or the next wrong code would lock the account again.
        crate::store::factors::reset_totp_failures(tx.exec(), &row.id).await?;
        tx.commit().await?;
        tracing::info!(user_id = %row.id, "user unlocked");
        Ok(ChangeDetails {
            sequence: stamp.sequence,
            changed_at: now,
            org_id: row.org_id.clone(),
        })
    }

    /// The "password changed" notice to the user's current address (notification policy
    /// `PasswordChange`, on by default).
    pub(crate) async fn notify_password_changed(
        &self,
        tx: &mut Tx,
        row: &UserRow,
    ) -> Result<(), DomainError> {
        if row.email.is_empty() {
            return Ok(());
        }
        let recipient = Recipient::of(row);
        let sign_in = self.link("/reset-password", &[]);
        let message = templates::password_changed(recipient.lang, recipient.display_name, &sign_in);
        self.queue_message(tx, &row.id, Channel::Email, &row.email, message, None)
            .await
    }
}
