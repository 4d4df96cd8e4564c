//! One-time codes, stored as keyed hashes.

use super::{Exec, StoreError};
use crate::run;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CodeRow {
    pub id: String,
    pub user_id: String,
    pub purpose: String,
    pub code_hash: String,
    pub target: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub failed_attempts: i32,
}

/// Stores a code. With `replace`, older codes of the same user and purpose are deleted first,
/// so only the newest one is valid.
pub async fn insert(exec: Exec<'_>, code: &CodeRow, replace: bool) -> Result<(), StoreError> {
    run!(exec, |conn| {
        if replace {
            sqlx::query("DELETE FROM one_time_codes WHERE user_id = $1 AND purpose = $2")
                .bind(&code.user_id)
                .bind(&code.purpose)
                .execute(&mut *conn)
                .await?
                .rows_affected();
        }
        sqlx::query(
            "INSERT INTO one_time_codes (id, user_id, purpose, code_hash, target, created_at, \
             expires_at, failed_attempts) VALUES ($1, $2, $3, $4, $5, $6, $7, 0)",
        )
        .bind(&code.id)
        .bind(&code.user_id)
        .bind(&code.purpose)
        .bind(&code.code_hash)
        .bind(&code.target)
        .bind(code.created_at)
        .bind(code.expires_at)
        .execute(&mut *conn)
        .await?
        .rows_affected()
    });
    Ok(())
}

/// The newest code of a user for a purpose.
pub async fn latest(
    exec: Exec<'_>,
    user_id: &str,
    purpose: &str,
) -> Result<Option<CodeRow>, StoreError> {
    let sql = "SELECT id, user_id, purpose, code_hash, target, created_at, expires_at, \
        failed_attempts FROM one_time_codes WHERE user_id = $1 AND purpose = $2 \
        ORDER BY created_at DESC, id DESC LIMIT 1";
    Ok(run!(exec, |conn| sqlx::query_as::<_, CodeRow>(sql)
        .bind(user_id)
        .bind(purpose)
        .fetch_optional(conn)
        .await?))
}

/// Counts a guess before it is compared, in one statement: the code's row is returned (with
/// the new count) only while it has attempts left and has not expired. Parallel guesses can
/// therefore never compare more often than the limit allows (ASVS 15.4.2, CVE-2023-47111).
/// Only a code of `user_id` and `purpose` is touched, so nobody can burn another's code.
pub async fn reserve_attempt(
    exec: Exec<'_>,
    id: &str,
    user_id: &str,
    purpose: &str,
    max_attempts: i64,
    now: i64,
) -> Result<Option<CodeRow>, StoreError> {
    let sql = "UPDATE one_time_codes SET failed_attempts = failed_attempts + 1 \
        WHERE id = $1 AND user_id = $2 AND purpose = $3 AND failed_attempts < $4 \
        AND expires_at > $5 \
        RETURNING id, user_id, purpose, code_hash, target, created_at, expires_at, failed_attempts";
    Ok(run!(exec, |conn| sqlx::query_as::<_, CodeRow>(sql)
        .bind(id)
        .bind(user_id)
        .bind(purpose)
        .bind(max_attempts)
        .bind(now)
        .fetch_optional(conn)
        .await?))
}

/// Gives back the attempt a right guess reserved, so that a correct code does not count as a
/// failure when the rest of the request fails (e.g. a weak new password).
pub async fn release_attempt(exec: Exec<'_>, id: &str) -> Result<(), StoreError> {
    let sql = "UPDATE one_time_codes SET failed_attempts = failed_attempts - 1 \
        WHERE id = $1 AND failed_attempts > 0";
    run!(exec, |conn| sqlx::query(sql)
        .bind(id)
        .execute(conn)
        .await?
        .rows_affected());
    Ok(())
}

/// Uses a code up: `true` only for the one caller that deleted it.
pub async fn consume(exec: Exec<'_>, id: &str) -> Result<bool, StoreError> {
    let sql = "DELETE FROM one_time_codes WHERE id = $1";
    let result = run!(exec, |conn| sqlx::query(sql)
        .bind(id)
        .execute(conn)
        .await?
        .rows_affected());
    Ok(result == 1)
}

/// Uses up a code only while it is still good: the user's, of this purpose, not expired and
/// not burned by `max_attempts` wrong guesses, checked in the same statement that deletes it
/// (a guess counted after an earlier check still revokes it). `true` for the one caller that
/// deleted it.
pub async fn consume_if_usable(
    exec: Exec<'_>,
    id: &str,
    user_id: &str,
    purpose: &str,
    now: i64,
    max_attempts: i64,
) -> Result<bool, StoreError> {
    let sql = "DELETE FROM one_time_codes WHERE id = $1 AND user_id = $2 AND purpose = $3 \
        AND expires_at > $4 AND failed_attempts < $5";
    let result = run!(exec, |conn| sqlx::query(sql)
        .bind(id)
        .bind(user_id)
        .bind(purpose)
        .bind(now)
        .bind(max_attempts)
        .execute(conn)
        .await?
        .rows_affected());
    Ok(result == 1)
}

/// Deletes every code of a user for a purpose (e.g. after initialization).
pub async fn delete_for_user(
    exec: Exec<'_>,
    user_id: &str,
    purpose: &str,
) -> Result<(), StoreError> {
    let sql = "DELETE FROM one_time_codes WHERE user_id = $1 AND purpose = $2";
    run!(exec, |conn| sqlx::query(sql)
        .bind(user_id)
        .bind(purpose)
        .execute(conn)
        .await?
        .rows_affected());
    Ok(())
}

/// A code by its id (passkey links name their code).
pub async fn get(exec: Exec<'_>, id: &str) -> Result<Option<CodeRow>, StoreError> {
    let sql = "SELECT id, user_id, purpose, code_hash, target, created_at, expires_at, \
        failed_attempts FROM one_time_codes WHERE id = $1";
    Ok(run!(exec, |conn| sqlx::query_as::<_, CodeRow>(sql)
        .bind(id)
        .fetch_optional(conn)
        .await?))
}

/// Deletes the codes that expired at or before `now` (housekeeping: expired codes never work,
/// and fewer stored hashes leave less to attack). Returns how many.
pub async fn delete_expired(exec: Exec<'_>, now: i64) -> Result<u64, StoreError> {
    let sql = "DELETE FROM one_time_codes WHERE expires_at <= $1";
    Ok(run!(exec, |conn| sqlx::query(sql)
        .bind(now)
        .execute(conn)
        .await?
        .rows_affected()))
}
