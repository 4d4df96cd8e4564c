//! Personal access tokens of service accounts, keyed by the SHA-256 of the token.

use super::{Exec, StoreError, expect_one};
use crate::run;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TokenRow {
    pub id: String,
    pub user_id: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

pub async fn insert(
    exec: Exec<'_>,
    id: &str,
    user_id: &str,
    token_hash: &str,
    at: i64,
) -> Result<(), StoreError> {
    let sql = "INSERT INTO access_tokens (id, user_id, token_hash, created_at) \
        VALUES ($1, $2, $3, $4)";
    run!(exec, |conn| sqlx::query(sql)
        .bind(id)
        .bind(user_id)
        .bind(token_hash)
        .bind(at)
        .execute(conn)
        .await
        .map_err(|error| super::classify(error, "access token"))?
        .rows_affected());
    Ok(())
}

pub async fn find_by_hash(
    exec: Exec<'_>,
    token_hash: &str,
) -> Result<Option<TokenRow>, StoreError> {
    let sql = "SELECT id, user_id, created_at, last_used_at FROM access_tokens \
        WHERE token_hash = $1";
    Ok(run!(exec, |conn| sqlx::query_as::<_, TokenRow>(sql)
        .bind(token_hash)
        .fetch_optional(conn)
        .await?))
}

pub async fn for_user(exec: Exec<'_>, user_id: &str) -> Result<Vec<TokenRow>, StoreError> {
    let sql = "SELECT id, user_id, created_at, last_used_at FROM access_tokens \
        WHERE user_id = $1 ORDER BY created_at";
    Ok(run!(exec, |conn| sqlx::query_as::<_, TokenRow>(sql)
        .bind(user_id)
        .fetch_all(conn)
        .await?))
}

pub async fn touch(exec: Exec<'_>, id: &str, at: i64) -> Result<(), StoreError> {
    let sql = "UPDATE access_tokens SET last_used_at = $2 WHERE id = $1";
    run!(exec, |conn| sqlx::query(sql)
        .bind(id)
        .bind(at)
        .execute(conn)
        .await?
        .rows_affected());
    Ok(())
}

pub async fn delete(exec: Exec<'_>, id: &str) -> Result<(), StoreError> {
    let sql = "DELETE FROM access_tokens WHERE id = $1";
    let result = run!(exec, |conn| sqlx::query(sql)
        .bind(id)
        .execute(conn)
        .await?
        .rows_affected());
    expect_one(result)
}
