//! One-time codes and the messages that carry them: issuing a code (stored as a keyed hash),
//! queueing the message in the same transaction, and checking a typed code.

use super::authz::Permission;
use super::clock::rfc3339;
use super::codes::{PlainCode, Purpose};
use super::error::{DomainError, faults};
use super::ids::new_id;
use super::{Services, clock::secs};
use crate::notify::templates::{self, Lang, Rendered};
use crate::notify::{self, Channel, Outgoing};
use crate::store::codes::{self, CodeRow};
use crate::store::users::UserRow;
use crate::store::{Tx, outbox};
use app::model::{Actor, AttemptView, MessageView};

/// What the message templates need to know about the person they are for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Recipient<'a> {
    pub user_id: &'a str,
    pub org_id: &'a str,
    pub username: &'a str,
    pub display_name: &'a str,
    pub lang: Lang,
}

impl<'a> Recipient<'a> {
    pub fn of(row: &'a UserRow) -> Recipient<'a> {
        Recipient {
            user_id: &row.id,
            org_id: &row.org_id,
            username: &row.username,
            display_name: &row.display_name,
            lang: Lang::for_tag(&row.preferred_language),
        }
    }
}

/// The template of the messages that carry a code of `purpose` (a reset code goes by mail or
/// SMS under the same template). Passkey links are not replaced by newer ones.
fn template_carrying(purpose: Purpose) -> Option<&'static str> {
    match purpose {
        Purpose::Init => Some("init"),
        Purpose::EmailVerification => Some("verify_email"),
        Purpose::PhoneVerification => Some("verify_phone"),
        Purpose::PasswordReset => Some("password_reset"),
        Purpose::PasskeyRegistration => None,
    }
}

/// A stored passkey registration link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasskeyLink {
    pub link: String,
    pub lifetime_secs: i64,
}

impl Services {
    /// Generates a code and stores its hash, bound to `target` (the address it goes to) when
    /// given. Purposes with one valid code at a time drop the older ones.
    pub(crate) async fn issue_code(
        &self,
        tx: &mut Tx,
        code_id: &str,
        user_id: &str,
        purpose: Purpose,
        target: Option<&str>,
        now: i64,
    ) -> Result<PlainCode, DomainError> {
        let code = PlainCode::generate(purpose);
        let row = CodeRow {
            id: code_id.to_owned(),
            user_id: user_id.to_owned(),
            purpose: purpose.as_str().to_owned(),
            code_hash: self.deps().codes.hash(purpose, user_id, code.as_str()),
            target: target.map(str::to_owned),
            created_at: now,
            expires_at: now + secs(purpose.lifetime_secs()),
            failed_attempts: 0,
        };
        if purpose.replaces_older() {
            // The older codes die with this insert; their messages still waiting in the outbox
            // would deliver a dead code, so they are withdrawn in the same transaction.
            if let Some(template) = template_carrying(purpose) {
                let withdrawn = outbox::supersede_queued(tx.exec(), user_id, template).await?;
                if withdrawn > 0 {
                    tracing::info!(
                        user_id,
                        template,
                        withdrawn,
                        "queued messages with a replaced code withdrawn"
                    );
                }
            }
        }
        codes::insert(tx.exec(), &row, purpose.replaces_older()).await?;
        Ok(code)
    }

    /// Queues a message in the caller's transaction; it is delivered after the commit.
    pub(crate) async fn queue_message(
        &self,
        tx: &mut Tx,
        user_id: &str,
        channel: Channel,
        address: &str,
        message: Rendered,
        not_after: Option<i64>,
    ) -> Result<(), DomainError> {
        let now = self.now();
        notify::queue(
            tx,
            &Outgoing {
                id: &new_id(now),
                user_id,
                channel,
                recipient: address,
                message,
                created_at: now,
                not_after,
            },
        )
        .await?;
        Ok(())
    }

    /// A new invitation code and its mail (contract 4.2): the link opens `/init`.
    pub(crate) async fn send_invitation(
        &self,
        tx: &mut Tx,
        to: &Recipient<'_>,
        email: &str,
        password_set: bool,
        now: i64,
    ) -> Result<(), DomainError> {
        let purpose = Purpose::Init;
        let code = self
            .issue_code(tx, &new_id(now), to.user_id, purpose, Some(email), now)
            .await?;
        let link = self.link(
            "/init",
            &[
                ("userID", to.user_id),
                ("loginname", to.username),
                ("code", code.as_str()),
                ("orgID", to.org_id),
                ("passwordset", if password_set { "true" } else { "false" }),
            ],
        );
        let message =
            templates::init_code(to.lang, to.display_name, to.username, &link, code.as_str());
        let not_after = Some(now + secs(purpose.lifetime_secs()));
        self.queue_message(tx, to.user_id, Channel::Email, email, message, not_after)
            .await
    }

    /// A new email verification code and its mail to `address`; the link opens `/verify-email`.
    pub(crate) async fn send_email_verification(
        &self,
        tx: &mut Tx,
        to: &Recipient<'_>,
        address: &str,
        now: i64,
    ) -> Result<(), DomainError> {
        let purpose = Purpose::EmailVerification;
        let code = self
            .issue_code(tx, &new_id(now), to.user_id, purpose, Some(address), now)
            .await?;
        let link = self.link(
            "/verify-email",
            &[
                ("userID", to.user_id),
                ("code", code.as_str()),
                ("orgID", to.org_id),
            ],
        );
        let message = templates::verify_email(to.lang, to.display_name, &link);
        let not_after = Some(now + secs(purpose.lifetime_secs()));
        self.queue_message(tx, to.user_id, Channel::Email, address, message, not_after)
            .await
    }

    /// A new phone verification code and its SMS.
    pub(crate) async fn send_phone_verification(
        &self,
        tx: &mut Tx,
        to: &Recipient<'_>,
        phone: &str,
        now: i64,
    ) -> Result<(), DomainError> {
        let purpose = Purpose::PhoneVerification;
        let code = self
            .issue_code(tx, &new_id(now), to.user_id, purpose, Some(phone), now)
            .await?;
        let message = templates::verify_phone(to.lang, code.as_str());
        let not_after = Some(now + secs(purpose.lifetime_secs()));
        self.queue_message(tx, to.user_id, Channel::Sms, phone, message, not_after)
            .await
    }

    /// Stores a passkey registration code and returns its link (contract 3.13's shape, pointing
    /// at Roster's own page).
    pub(crate) async fn issue_passkey_link(
        &self,
        tx: &mut Tx,
        to: &Recipient<'_>,
        code_id: &str,
        now: i64,
    ) -> Result<PasskeyLink, DomainError> {
        let purpose = Purpose::PasskeyRegistration;
        let code = self
            .issue_code(tx, code_id, to.user_id, purpose, None, now)
            .await?;
        Ok(PasskeyLink {
            link: self.link(
                "/passkey/register",
                &[
                    ("userID", to.user_id),
                    ("orgID", to.org_id),
                    ("codeID", code_id),
                    ("code", code.as_str()),
                ],
            ),
            lifetime_secs: purpose.lifetime_secs(),
        })
    }

    /// Checks a typed code against the newest one of its purpose. Every guess is counted before
    /// it is compared (and the code burned after too many), so parallel guesses get no more
    /// tries than sequential ones; a match gives its attempt back and returns the stored row,
    /// which the caller consumes inside its transaction so that it works only once.
    pub(crate) async fn check_code(
        &self,
        user_id: &str,
        purpose: Purpose,
        typed: &str,
    ) -> Result<CodeRow, DomainError> {
        let typed = purpose.normalize(typed);
        if typed.is_empty() || typed.len() > 64 {
            return Err(DomainError::Invalid(faults::CODE_INVALID));
        }
        let mut conn = self.db().conn().await?;
        let Some(newest) = codes::latest(conn.exec(), user_id, purpose.as_str()).await? else {
            return Err(DomainError::Invalid(faults::CODE_INVALID));
        };
        drop(conn);
        self.compare_code(&newest.id, user_id, purpose, &typed)
            .await
    }

    /// Checks a typed code against the code with this id (passkey links name theirs), with
    /// the same counting and burning as [`Self::check_code`].
    pub(crate) async fn check_code_by_id(
        &self,
        code_id: &str,
        user_id: &str,
        purpose: Purpose,
        typed: &str,
    ) -> Result<CodeRow, DomainError> {
        let typed = purpose.normalize(typed);
        if typed.is_empty() || typed.len() > 64 {
            return Err(DomainError::Invalid(faults::CODE_INVALID));
        }
        self.compare_code(code_id, user_id, purpose, &typed).await
    }

    /// Reserves an attempt on the code (refused when it has none left or expired), then
    /// compares; the reservation is the count of a wrong guess.
    async fn compare_code(
        &self,
        code_id: &str,
        user_id: &str,
        purpose: Purpose,
        typed: &str,
    ) -> Result<CodeRow, DomainError> {
        let invalid = || DomainError::Invalid(faults::CODE_INVALID);
        let mut conn = self.db().conn().await?;
        let stored = codes::reserve_attempt(
            conn.exec(),
            code_id,
            user_id,
            purpose.as_str(),
            purpose.max_attempts(),
            self.now(),
        )
        .await?
        .ok_or_else(invalid)?;
        if self
            .deps()
            .codes
            .matches(purpose, user_id, typed, &stored.code_hash)
        {
            codes::release_attempt(conn.exec(), &stored.id).await?;
            return Ok(stored);
        }
        tracing::info!(
            user_id,
            purpose = purpose.as_str(),
            failures = stored.failed_attempts,
            "wrong code"
        );
        Err(invalid())
    }

    /// Refuses a new self-service code within `spacing_secs` of the last one of its purpose, so
    /// nobody can flood a mailbox or a phone (ASVS 2.2.1 anti-automation).
    pub(crate) async fn throttle_codes(
        &self,
        user_id: &str,
        purpose: Purpose,
        spacing_secs: i64,
    ) -> Result<(), DomainError> {
        let mut conn = self.db().conn().await?;
        let recent = codes::latest(conn.exec(), user_id, purpose.as_str())
            .await?
            .is_some_and(|code| self.now() - code.created_at < secs(spacing_secs));
        if recent {
            Err(DomainError::RateLimited(faults::TOO_SOON))
        } else {
            Ok(())
        }
    }

    /// Uses up a checked code inside `tx`: `CODE_INVALID` when another request used it first.
    pub(crate) async fn consume_code(
        &self,
        tx: &mut Tx,
        code: &CodeRow,
    ) -> Result<(), DomainError> {
        if codes::consume(tx.exec(), &code.id).await? {
            Ok(())
        } else {
            Err(DomainError::Invalid(faults::CODE_INVALID))
        }
    }

    /// The messages of a user with their delivery history, newest first. Needs `user.read`.
    pub async fn user_messages(
        &self,
        actor: &Actor,
        user_id: &str,
    ) -> Result<Vec<MessageView>, DomainError> {
        let (_, row) = self
            .human_for_admin(actor, user_id, Permission::UserRead)
            .await?;
        let mut conn = self.db().conn().await?;
        let messages = outbox::for_user(conn.exec(), &row.id).await?;
        let attempts = outbox::attempts_for_user(conn.exec(), &row.id).await?;
        Ok(messages
            .into_iter()
            .map(|message| MessageView {
                history: attempts
                    .iter()
                    .filter(|attempt| attempt.message_id == message.id)
                    .map(|attempt| AttemptView {
                        attempt: attempt.attempt,
                        at: rfc3339(attempt.at),
                        outcome: attempt.outcome.clone(),
                        detail: attempt.detail.clone(),
                    })
                    .collect(),
                id: message.id,
                channel: message.channel,
                recipient: message.recipient,
                template: message.template,
                subject: message.subject,
                state: message.state,
                attempts: message.attempts,
                last_error: message.last_error,
                created_at: rfc3339(message.created_at),
                sent_at: message.sent_at.map(rfc3339),
            })
            .collect())
    }

    /// Queues one of a user's failed messages again. Needs `user.write`.
    pub async fn retry_message(
        &self,
        actor: &Actor,
        user_id: &str,
        message_id: &str,
    ) -> Result<(), DomainError> {
        let (_, row) = self
            .human_for_admin(actor, user_id, Permission::UserWrite)
            .await?;
        let mut conn = self.db().conn().await?;
        if !outbox::requeue_failed(conn.exec(), message_id, &row.id, self.now()).await? {
            return Err(DomainError::FailedPrecondition(
                faults::MESSAGE_NOT_RETRYABLE,
            ));
        }
        drop(conn);
        self.outbox_wakeup().notify_one();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::templates::Lang;

    #[test]
    fn superseding_names_the_templates_that_carry_each_code() {
        let lang = Lang::En;
        let cases = [
            (
                Purpose::Init,
                templates::init_code(lang, "Ann", "ann", "l", "c").template,
            ),
            (
                Purpose::EmailVerification,
                templates::verify_email(lang, "Ann", "l").template,
            ),
            (
                Purpose::PhoneVerification,
                templates::verify_phone(lang, "c").template,
            ),
            (
                Purpose::PasswordReset,
                templates::password_reset_mail(lang, "Ann", "l").template,
            ),
            (
                Purpose::PasswordReset,
                templates::password_reset_sms(lang, "l", "c").template,
            ),
        ];
        for (purpose, template) in cases {
            assert_eq!(template_carrying(purpose), Some(template), "{purpose:?}");
        }
        assert_eq!(template_carrying(Purpose::PasskeyRegistration), None);
    }
}
