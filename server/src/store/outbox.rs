//! The transactional outbox: messages written with the change that caused them and delivered
//! later by the worker, which claims rows so that several instances never send one twice.
//!
//! A message's text holds a plain code or link. Once the message is final (sent, expired,
//! superseded, or failed with a code) the text is blanked; subject, recipient, template, state
//! and attempts stay for the admin views.

use super::{Exec, StoreError};
use crate::run;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: String,
    pub user_id: Option<String>,
    pub channel: String,
    pub recipient: String,
    pub template: String,
    pub subject: String,
    pub body: String,
    pub state: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub not_after: Option<i64>,
    pub next_attempt_at: i64,
    pub sent_at: Option<i64>,
}

/// The columns of [`OutboxRow`], as a literal so queries stay `&'static str`.
macro_rules! outbox_columns {
    () => {
        "id, user_id, channel, recipient, template, subject, body, state, attempts, last_error, \
         created_at, not_after, next_attempt_at, sent_at"
    };
}

/// A message to queue.
#[derive(Clone, Debug)]
pub struct NewMessage<'a> {
    pub id: &'a str,
    pub user_id: Option<&'a str>,
    pub channel: &'a str,
    pub recipient: &'a str,
    pub template: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub created_at: i64,
    /// Not delivered after this time (the code inside expired).
    pub not_after: Option<i64>,
}

pub async fn enqueue(exec: Exec<'_>, message: &NewMessage<'_>) -> Result<(), StoreError> {
    let sql = "INSERT INTO outbox (id, user_id, channel, recipient, template, subject, body, \
        state, attempts, created_at, not_after, next_attempt_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', 0, $8, $9, $8)";
    run!(exec, |conn| sqlx::query(sql)
        .bind(message.id)
        .bind(message.user_id)
        .bind(message.channel)
        .bind(message.recipient)
        .bind(message.template)
        .bind(message.subject)
        .bind(message.body)
        .bind(message.created_at)
        .bind(message.not_after)
        .execute(conn)
        .await?
        .rows_affected());
    Ok(())
}

/// Claims the oldest due message for `lease_micros`, so no other worker takes it meanwhile.
/// PostgreSQL skips rows other workers have locked; SQLite serializes writers anyway.
pub async fn claim_next(
    exec: Exec<'_>,
    now: i64,
    lease_micros: i64,
) -> Result<Option<OutboxRow>, StoreError> {
    macro_rules! claim {
        ($lock:literal) => {
            concat!(
                "UPDATE outbox SET claimed_until = $2, attempts = attempts + 1 WHERE id = (",
                "SELECT id FROM outbox WHERE state = 'queued' AND next_attempt_at <= $1 ",
                "AND (claimed_until IS NULL OR claimed_until <= $1) ",
                "ORDER BY next_attempt_at, id LIMIT 1",
                $lock,
                ") RETURNING ",
                outbox_columns!()
            )
        };
    }
    let sql = match exec {
        Exec::Sqlite(_) => claim!(""),
        Exec::Postgres(_) => claim!(" FOR UPDATE SKIP LOCKED"),
    };
    Ok(run!(exec, |conn| sqlx::query_as::<_, OutboxRow>(sql)
        .bind(now)
        .bind(now + lease_micros)
        .fetch_optional(conn)
        .await?))
}

/// The guard every result of a delivery attempt carries: the row is still queued and still
/// holds the claim that made the attempt (`claim_next` counts attempts, so a later claim of
/// the same message by another worker has a higher count). A worker whose lease ran out
/// while it was delivering cannot overwrite the newer worker's result.
macro_rules! claimed {
    () => {
        " AND state = 'queued' AND attempts = $2"
    };
}

/// Records a delivered message; `false` when the claim was lost meanwhile.
pub async fn mark_sent(
    exec: Exec<'_>,
    id: &str,
    attempt: i32,
    at: i64,
) -> Result<bool, StoreError> {
    let sql = concat!(
        "UPDATE outbox SET state = 'sent', sent_at = $3, claimed_until = NULL, \
         last_error = NULL, body = '' WHERE id = $1",
        claimed!()
    );
    let changed = run!(exec, |conn| sqlx::query(sql)
        .bind(id)
        .bind(attempt)
        .bind(at)
        .execute(conn)
        .await?
        .rows_affected());
    Ok(changed == 1)
}

/// Records a failed attempt: retried at `retry_at`, or given up when `retry_at` is `None`;
/// `false` when the claim was lost meanwhile. A given-up message keeps its body only when it
/// carries no code (a notice), so that an administrator can send it again.
pub async fn mark_failed(
    exec: Exec<'_>,
    id: &str,
    attempt: i32,
    error: &str,
    retry_at: Option<i64>,
) -> Result<bool, StoreError> {
    let sql = concat!(
        "UPDATE outbox SET state = CASE WHEN $4 IS NULL THEN 'failed' ELSE 'queued' END, \
         next_attempt_at = COALESCE($4, next_attempt_at), last_error = $3, claimed_until = NULL, \
         body = CASE WHEN $4 IS NULL AND not_after IS NOT NULL THEN '' ELSE body END \
         WHERE id = $1",
        claimed!()
    );
    let changed = run!(exec, |conn| sqlx::query(sql)
        .bind(id)
        .bind(attempt)
        .bind(error)
        .bind(retry_at)
        .execute(conn)
        .await?
        .rows_affected());
    Ok(changed == 1)
}

/// Drops a message whose code expired before it could be sent, with the reason; `false` when
/// the claim was lost meanwhile.
pub async fn mark_expired(
    exec: Exec<'_>,
    id: &str,
    attempt: i32,
    why: &str,
) -> Result<bool, StoreError> {
    let sql = concat!(
        "UPDATE outbox SET state = 'expired', claimed_until = NULL, last_error = $3, body = '' \
         WHERE id = $1",
        claimed!()
    );
    let changed = run!(exec, |conn| sqlx::query(sql)
        .bind(id)
        .bind(attempt)
        .bind(why)
        .execute(conn)
        .await?
        .rows_affected());
    Ok(changed == 1)
}

/// Withdraws the still-queued messages of a user made by `template`, because the code in them
/// was just replaced by a newer one and would not work any more. Returns how many.
pub async fn supersede_queued(
    exec: Exec<'_>,
    user_id: &str,
    template: &str,
) -> Result<u64, StoreError> {
    let sql = "UPDATE outbox SET state = 'expired', claimed_until = NULL, body = '', \
        last_error = 'superseded by a newer code' \
        WHERE user_id = $1 AND template = $2 AND state = 'queued'";
    Ok(run!(exec, |conn| sqlx::query(sql)
        .bind(user_id)
        .bind(template)
        .execute(conn)
        .await?
        .rows_affected()))
}

/// Messages of one user, newest first.
pub async fn for_user(exec: Exec<'_>, user_id: &str) -> Result<Vec<OutboxRow>, StoreError> {
    let sql = concat!(
        "SELECT ",
        outbox_columns!(),
        " FROM outbox WHERE user_id = $1 ORDER BY created_at DESC, id DESC"
    );
    Ok(run!(exec, |conn| sqlx::query_as::<_, OutboxRow>(sql)
        .bind(user_id)
        .fetch_all(conn)
        .await?))
}

/// Records one delivery attempt and its outcome.
pub async fn record_attempt(
    exec: Exec<'_>,
    message_id: &str,
    attempt: i32,
    at: i64,
    outcome: &str,
    detail: Option<&str>,
) -> Result<(), StoreError> {
    let sql = "INSERT INTO outbox_attempts (message_id, attempt, at, outcome, detail) \
        VALUES ($1, $2, $3, $4, $5)";
    run!(exec, |conn| sqlx::query(sql)
        .bind(message_id)
        .bind(attempt)
        .bind(at)
        .bind(outcome)
        .bind(detail)
        .execute(conn)
        .await?
        .rows_affected());
    Ok(())
}

/// One recorded delivery attempt.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AttemptRow {
    pub message_id: String,
    pub attempt: i32,
    pub at: i64,
    pub outcome: String,
    pub detail: Option<String>,
}

/// The attempts of the messages of one user, newest first.
pub async fn attempts_for_user(
    exec: Exec<'_>,
    user_id: &str,
) -> Result<Vec<AttemptRow>, StoreError> {
    let sql = "SELECT a.message_id, a.attempt, a.at, a.outcome, a.detail FROM outbox_attempts a \
        JOIN outbox o ON o.id = a.message_id WHERE o.user_id = $1 ORDER BY a.at DESC, a.id DESC";
    Ok(run!(exec, |conn| sqlx::query_as::<_, AttemptRow>(sql)
        .bind(user_id)
        .fetch_all(conn)
        .await?))
}

/// Queues a failed message again, due now. Returns whether it was one of the user's failed
/// messages that still has its text.
pub async fn requeue_failed(
    exec: Exec<'_>,
    id: &str,
    user_id: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let sql = "UPDATE outbox SET state = 'queued', next_attempt_at = $3, claimed_until = NULL \
        WHERE id = $1 AND user_id = $2 AND state = 'failed' AND body <> ''";
    let changed = run!(exec, |conn| sqlx::query(sql)
        .bind(id)
        .bind(user_id)
        .bind(now)
        .execute(conn)
        .await?
        .rows_affected());
    Ok(changed == 1)
}
