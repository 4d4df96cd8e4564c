//! The outbox worker: claims due messages, delivers them, records the outcome, retries with
//! backoff. A claim is a lease, so a message whose worker died is picked up again later.

use super::sink::{Sink, Undelivered};
use crate::domain::clock::{Clock, secs};
use crate::store::{Db, StoreError, codes, factors, outbox};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// The longest wait between two attempts: a message goes out at most this long after an
/// outage ends.
const MAX_BACKOFF_SECS: i64 = 15 * 60;
/// How long a message without a code (a notice) is retried before it is given up. A message
/// with a code is retried until the code expires (`not_after`), so a 72-hour invitation
/// survives an outage of a day.
const NOTICE_RETRY_SECS: i64 = 24 * 3600;
/// How long a claimed message is reserved for the worker that claimed it.
const LEASE_SECS: i64 = 60;
/// Why a message whose code expired was not sent.
const EXPIRED: &str = "the code in it expired before it could be sent";
/// How often the worker looks for due messages when nobody woke it.
const POLL: Duration = Duration::from_secs(2);
/// How often the worker deletes expired codes and WebAuthn ceremonies.
const PURGE_EVERY_SECS: i64 = 10 * 60;

/// Delivers queued messages until the process ends.
#[derive(Debug, Clone)]
pub struct Worker {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub sink: Arc<dyn Sink>,
    pub wakeup: Arc<Notify>,
}

impl Worker {
    /// Runs forever; each round delivers everything that is due, and now and then purges what
    /// has expired.
    pub async fn run(self) {
        let mut next_purge = i64::MIN;
        loop {
            match self.deliver_due().await {
                Ok(_) => {}
                Err(error) => tracing::error!(%error, "outbox worker round failed"),
            }
            let now = self.clock.now();
            if now >= next_purge {
                next_purge = now + secs(PURGE_EVERY_SECS);
                match self.purge_expired().await {
                    Ok(purged) => tracing::debug!(?purged, "expired codes and ceremonies purged"),
                    Err(error) => tracing::error!(%error, "purging expired codes failed"),
                }
            }
            tokio::select! {
                () = self.wakeup.notified() => {}
                () = tokio::time::sleep(POLL) => {}
            }
        }
    }

    /// Deletes expired one-time codes and WebAuthn ceremonies. Every instance may run it; the
    /// deletes are idempotent.
    pub async fn purge_expired(&self) -> Result<Purged, StoreError> {
        let now = self.clock.now();
        let mut conn = self.db.conn().await?;
        Ok(Purged {
            codes: codes::delete_expired(conn.exec(), now).await?,
            ceremonies: factors::delete_expired_ceremonies(conn.exec(), now).await?,
        })
    }

    /// Delivers every due message; returns how many were handled.
    pub async fn deliver_due(&self) -> Result<usize, StoreError> {
        let mut handled = 0;
        while let Some(message) = self.claim().await? {
            handled += 1;
            let now = self.clock.now();
            if message.not_after.is_some_and(|limit| limit <= now) {
                self.record(&message, Outcome::Expired, now).await?;
                tracing::info!(id = %message.id, template = %message.template, "message expired before delivery");
                continue;
            }
            match self.sink.deliver(&message).await {
                Ok(()) => {
                    self.record(&message, Outcome::Sent, self.clock.now())
                        .await?;
                    tracing::info!(id = %message.id, template = %message.template, channel = %message.channel, "message delivered");
                }
                Err(Undelivered::Retry(reason)) => {
                    self.record(&message, Outcome::Failed(&reason), now).await?;
                    tracing::warn!(id = %message.id, attempts = message.attempts, %reason, "message delivery failed");
                }
                Err(Undelivered::Drop(reason)) => {
                    self.record(&message, Outcome::Dropped(&reason), now)
                        .await?;
                }
            }
        }
        Ok(handled)
    }

    /// Stores an attempt's outcome and the message's new state together. A result whose claim
    /// was lost (the lease ran out and another worker took the message) is dropped: the other
    /// worker's result stands.
    async fn record(
        &self,
        message: &outbox::OutboxRow,
        outcome: Outcome<'_>,
        at: i64,
    ) -> Result<(), StoreError> {
        let (id, attempt) = (message.id.as_str(), message.attempts);
        let mut tx = self.db.begin().await?;
        let (name, detail, stored) = match outcome {
            Outcome::Sent => (
                "sent",
                None,
                outbox::mark_sent(tx.exec(), id, attempt, at).await?,
            ),
            Outcome::Expired => {
                let why = match &message.last_error {
                    Some(error) => format!("{error}; given up: {EXPIRED}"),
                    None => EXPIRED.to_owned(),
                };
                let stored = outbox::mark_expired(tx.exec(), id, attempt, &why).await?;
                ("expired", Some(EXPIRED), stored)
            }
            Outcome::Dropped(reason) => (
                "failed",
                Some(reason),
                outbox::mark_failed(tx.exec(), id, attempt, reason, None).await?,
            ),
            Outcome::Failed(reason) => {
                let retry_at = at + secs(backoff_secs(attempt));
                let stored = if retry_at < give_up_at(message) {
                    outbox::mark_failed(tx.exec(), id, attempt, reason, Some(retry_at)).await?
                } else if message.not_after.is_some() {
                    // The code would be dead by the next attempt: nothing useful is left to send.
                    let why = format!(
                        "{reason}; given up: the code in it expires before the next attempt"
                    );
                    tracing::warn!(
                        id,
                        attempt,
                        "message given up: its code expires before the next attempt"
                    );
                    outbox::mark_expired(tx.exec(), id, attempt, &why).await?
                } else {
                    let why = format!("{reason}; given up after 24 hours of failed attempts");
                    tracing::warn!(id, attempt, "message given up after 24 hours");
                    outbox::mark_failed(tx.exec(), id, attempt, &why, None).await?
                };
                ("failed", Some(reason), stored)
            }
        };
        if !stored {
            tracing::warn!(
                id,
                attempt,
                outcome = name,
                "delivery result dropped: the claim ran out and another worker took the message"
            );
            return Ok(());
        }
        outbox::record_attempt(tx.exec(), id, attempt, at, name, detail).await?;
        tx.commit().await
    }

    async fn claim(&self) -> Result<Option<outbox::OutboxRow>, StoreError> {
        let mut tx = self.db.begin().await?;
        let claimed = outbox::claim_next(tx.exec(), self.clock.now(), secs(LEASE_SECS)).await?;
        tx.commit().await?;
        Ok(claimed)
    }
}

/// What one purge deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Purged {
    pub codes: u64,
    pub ceremonies: u64,
}

/// How one delivery attempt ended.
#[derive(Clone, Copy, Debug)]
enum Outcome<'a> {
    Sent,
    Expired,
    /// Worth retrying.
    Failed(&'a str),
    /// Never deliverable (no provider for the channel): failed at once.
    Dropped(&'a str),
}

/// 5 s, 10 s, 20 s … capped at [`MAX_BACKOFF_SECS`].
fn backoff_secs(attempts: i32) -> i64 {
    let exponent = attempts.clamp(1, 12) - 1;
    (5_i64 << exponent).min(MAX_BACKOFF_SECS)
}

/// When retrying stops: when the code inside expires, or a day after a notice was queued.
fn give_up_at(message: &outbox::OutboxRow) -> i64 {
    message
        .not_after
        .unwrap_or(message.created_at + secs(NOTICE_RETRY_SECS))
}

#[cfg(test)]
mod tests {
    use super::backoff_secs;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff_secs(1), 5);
        assert_eq!(backoff_secs(2), 10);
        assert_eq!(backoff_secs(5), 80);
        assert_eq!(backoff_secs(8), 640);
        assert_eq!(backoff_secs(9), 900, "capped at 15 minutes");
        assert_eq!(backoff_secs(40), 900);
    }
}
