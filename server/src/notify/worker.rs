//! The outbox worker: claims due messages, delivers them, records the outcome, retries with
//! backoff. A claim is a lease, so a message whose worker died is picked up again later.

use super::sink::Sink;
use crate::domain::clock::{Clock, secs};
use crate::store::{Db, StoreError, outbox};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Attempts before a message is given up as failed.
const MAX_ATTEMPTS: i32 = 8;
/// How long a claimed message is reserved for the worker that claimed it.
const LEASE_SECS: i64 = 60;
/// How often the worker looks for due messages when nobody woke it.
const POLL: Duration = Duration::from_secs(2);

/// Delivers queued messages until the process ends.
#[derive(Debug, Clone)]
pub struct Worker {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub sink: Arc<dyn Sink>,
    pub wakeup: Arc<Notify>,
}

impl Worker {
    /// Runs forever; each round delivers everything that is due.
    pub async fn run(self) {
        loop {
            match self.deliver_due().await {
                Ok(_) => {}
                Err(error) => tracing::error!(%error, "outbox worker round failed"),
            }
            tokio::select! {
                () = self.wakeup.notified() => {}
                () = tokio::time::sleep(POLL) => {}
            }
        }
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
                Err(reason) => {
                    self.record(&message, Outcome::Failed(&reason), now).await?;
                    tracing::warn!(id = %message.id, attempts = message.attempts, %reason, "message delivery failed");
                }
            }
        }
        Ok(handled)
    }

    /// Stores an attempt's outcome and the message's new state together.
    async fn record(
        &self,
        message: &outbox::OutboxRow,
        outcome: Outcome<'_>,
        at: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        let (name, detail) = match outcome {
            Outcome::Sent => {
                outbox::mark_sent(tx.exec(), &message.id, at).await?;
                ("sent", None)
            }
            Outcome::Expired => {
                outbox::mark_expired(tx.exec(), &message.id).await?;
                (
                    "expired",
                    Some("the code in it expired before it could be sent"),
                )
            }
            Outcome::Failed(reason) => {
                let retry_at = (message.attempts < MAX_ATTEMPTS)
                    .then(|| at + secs(backoff_secs(message.attempts)));
                outbox::mark_failed(tx.exec(), &message.id, reason, retry_at).await?;
                ("failed", Some(reason))
            }
        };
        outbox::record_attempt(tx.exec(), &message.id, message.attempts, at, name, detail).await?;
        tx.commit().await
    }

    async fn claim(&self) -> Result<Option<outbox::OutboxRow>, StoreError> {
        let mut tx = self.db.begin().await?;
        let claimed = outbox::claim_next(tx.exec(), self.clock.now(), secs(LEASE_SECS)).await?;
        tx.commit().await?;
        Ok(claimed)
    }
}

/// How one delivery attempt ended.
#[derive(Clone, Copy, Debug)]
enum Outcome<'a> {
    Sent,
    Expired,
    Failed(&'a str),
}

/// 5 s, 10 s, 20 s … capped at one hour.
fn backoff_secs(attempts: i32) -> i64 {
    let exponent = attempts.clamp(1, 12) - 1;
    (5_i64 << exponent).min(3600)
}

#[cfg(test)]
mod tests {
    use super::backoff_secs;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff_secs(1), 5);
        assert_eq!(backoff_secs(2), 10);
        assert_eq!(backoff_secs(5), 80);
        assert_eq!(backoff_secs(12), 3600);
    }
}
