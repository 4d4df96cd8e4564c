//! Browser sessions, keyed by the SHA-256 of the cookie token.

use super::{Exec, StoreError};
use crate::run;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SessionRow {
    pub id: String,
    pub user_id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub authenticated_at: i64,
    /// The password was right, but the user's second factor is still owed.
    pub second_factor_pending: bool,
}

pub async fn insert(exec: Exec<'_>, session: &SessionRow) -> Result<(), StoreError> {
    let sql = "INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, \
        authenticated_at, second_factor_pending) VALUES ($1, $2, $3, $4, $5, $6, $7)";
    run!(exec, |conn| sqlx::query(sql)
        .bind(&session.id)
        .bind(&session.user_id)
        .bind(session.created_at)
        .bind(session.last_seen_at)
        .bind(session.expires_at)
        .bind(session.authenticated_at)
        .bind(session.second_factor_pending)
        .execute(conn)
        .await?
        .rows_affected());
    Ok(())
}

pub async fn get(exec: Exec<'_>, id: &str) -> Result<Option<SessionRow>, StoreError> {
    let sql = "SELECT id, user_id, created_at, last_seen_at, expires_at, authenticated_at, \
        second_factor_pending FROM sessions WHERE id = $1";
    Ok(run!(exec, |conn| sqlx::query_as::<_, SessionRow>(sql)
        .bind(id)
        .fetch_optional(conn)
        .await?))
}

/// Records activity (callers throttle this to avoid a write per request).
pub async fn touch(exec: Exec<'_>, id: &str, at: i64) -> Result<(), StoreError> {
    let sql = "UPDATE sessions SET last_seen_at = $2 WHERE id = $1";
    run!(exec, |conn| sqlx::query(sql)
        .bind(id)
        .bind(at)
        .execute(conn)
        .await?
        .rows_affected());
    Ok(())
}

/// Why a session is re-issued under a new id. Either way the old id stops working: a token
/// seen before the step must not gain what the step grants (ASVS 7.2.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reissue {
    /// A session that passed the password has now passed its second factor.
    SecondFactorPassed,
    /// The person of a complete session authenticated again.
    Reauthenticated,
}

/// Takes out the session `old_id` and inserts a complete session authenticated `at` under
/// `new_id`, keeping the old one's absolute end. The old row is taken out first, so of two
/// parallel calls only one gets a new session. Run it in a transaction. `false` when the old
/// session is gone or not in the state `why` starts from (owing its second factor, or
/// complete).
pub async fn reissue(
    exec: Exec<'_>,
    old_id: &str,
    new_id: &str,
    at: i64,
    why: Reissue,
) -> Result<bool, StoreError> {
    let pending = why == Reissue::SecondFactorPassed;
    let take = "DELETE FROM sessions WHERE id = $1 AND second_factor_pending = $2 \
        RETURNING user_id, created_at, expires_at";
    let insert = "INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, \
        authenticated_at, second_factor_pending) VALUES ($1, $2, $3, $4, $5, $4, FALSE)";
    let inserted = run!(exec, |conn| {
        let taken: Option<(String, i64, i64)> = sqlx::query_as(take)
            .bind(old_id)
            .bind(pending)
            .fetch_optional(&mut *conn)
            .await?;
        match taken {
            Some((user_id, created_at, expires_at)) => sqlx::query(insert)
                .bind(new_id)
                .bind(user_id)
                .bind(created_at)
                .bind(at)
                .bind(expires_at)
                .execute(&mut *conn)
                .await?
                .rows_affected(),
            None => 0,
        }
    });
    Ok(inserted == 1)
}

pub async fn delete(exec: Exec<'_>, id: &str) -> Result<(), StoreError> {
    let sql = "DELETE FROM sessions WHERE id = $1";
    run!(exec, |conn| sqlx::query(sql)
        .bind(id)
        .execute(conn)
        .await?
        .rows_affected());
    Ok(())
}

/// Ends every session of a user except `keep` (e.g. after a password reset).
pub async fn delete_for_user(
    exec: Exec<'_>,
    user_id: &str,
    keep: Option<&str>,
) -> Result<u64, StoreError> {
    let sql = "DELETE FROM sessions WHERE user_id = $1 AND id <> COALESCE($2, '')";
    let result = run!(exec, |conn| sqlx::query(sql)
        .bind(user_id)
        .bind(keep)
        .execute(conn)
        .await?
        .rows_affected());
    Ok(result)
}

/// Removes sessions past their absolute or idle end.
pub async fn delete_expired(exec: Exec<'_>, now: i64, idle_before: i64) -> Result<u64, StoreError> {
    let sql = "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2";
    let result = run!(exec, |conn| sqlx::query(sql)
        .bind(now)
        .bind(idle_before)
        .execute(conn)
        .await?
        .rows_affected());
    Ok(result)
}
