//! The `avatars` table (one re-encoded picture per user) and the user row's `avatar_key`.

use super::users::Stamp;
use super::{Exec, StoreError, expect_one};
use crate::run;

/// A stored avatar, as served.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AvatarBlob {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A new avatar for a user.
#[derive(Clone, Copy, Debug)]
pub struct NewAvatar<'a> {
    pub user_id: &'a str,
    pub key: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
    pub created_at: i64,
}

/// Stores (or replaces: one per user) the avatar and points the user row at it.
pub async fn put(exec: Exec<'_>, avatar: &NewAvatar<'_>, stamp: Stamp) -> Result<(), StoreError> {
    let upsert = "INSERT INTO avatars (user_id, avatar_key, content_type, bytes, created_at) \
        VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id) DO UPDATE SET \
        avatar_key = excluded.avatar_key, content_type = excluded.content_type, \
        bytes = excluded.bytes, created_at = excluded.created_at";
    let result = run!(exec, |conn| {
        sqlx::query(upsert)
            .bind(avatar.user_id)
            .bind(avatar.key)
            .bind(avatar.content_type)
            .bind(avatar.bytes)
            .bind(avatar.created_at)
            .execute(&mut *conn)
            .await?;
        sqlx::query(SET_KEY)
            .bind(avatar.user_id)
            .bind(avatar.key)
            .bind(stamp.sequence)
            .bind(stamp.at)
            .execute(&mut *conn)
            .await?
            .rows_affected()
    });
    expect_one(result)
}

/// Deletes the user's avatar (if any) and clears the user row's key.
pub async fn remove(exec: Exec<'_>, user_id: &str, stamp: Stamp) -> Result<(), StoreError> {
    let result = run!(exec, |conn| {
        sqlx::query("DELETE FROM avatars WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
        sqlx::query(SET_KEY)
            .bind(user_id)
            .bind(None::<&str>)
            .bind(stamp.sequence)
            .bind(stamp.at)
            .execute(&mut *conn)
            .await?
            .rows_affected()
    });
    expect_one(result)
}

const SET_KEY: &str =
    "UPDATE users SET avatar_key = $2, sequence = $3, changed_at = $4 WHERE id = $1";

/// The avatar with this key, if a user of this organisation shows it.
pub async fn find(
    exec: Exec<'_>,
    org_id: &str,
    key: &str,
) -> Result<Option<AvatarBlob>, StoreError> {
    let sql = "SELECT a.content_type, a.bytes FROM avatars a JOIN users u ON u.id = a.user_id \
        WHERE a.avatar_key = $1 AND u.org_id = $2 AND u.avatar_key = $1 LIMIT 1";
    Ok(run!(exec, |conn| sqlx::query_as::<_, AvatarBlob>(sql)
        .bind(key)
        .bind(org_id)
        .fetch_optional(conn)
        .await?))
}
