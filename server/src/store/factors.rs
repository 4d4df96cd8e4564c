//! Second factors: TOTP secrets, WebAuthn credentials and ceremonies in progress.

use super::{Exec, StoreError, expect_one};
use crate::run;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TotpRow {
    pub user_id: String,
    /// Encrypted with the server key.
    pub secret: String,
    pub ready: bool,
    pub last_step: i64,
    pub failed_attempts: i32,
    pub created_at: i64,
}

/// Stores a new (not yet confirmed) secret, replacing an earlier unconfirmed one, in one
/// statement: a confirmed app is never replaced, even by a request that checked it before a
/// parallel confirmation. `false` when the user's app is confirmed (nothing written).
pub async fn put_totp(
    exec: Exec<'_>,
    user_id: &str,
    secret: &str,
    at: i64,
) -> Result<bool, StoreError> {
    let sql = "INSERT INTO totp_factors (user_id, secret, ready, last_step, failed_attempts, \
        created_at) VALUES ($1, $2, FALSE, 0, 0, $3) \
        ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, ready = FALSE, \
        last_step = 0, failed_attempts = 0, created_at = excluded.created_at \
        WHERE totp_factors.ready = FALSE";
    let written = run!(exec, |conn| sqlx::query(sql)
        .bind(user_id)
        .bind(secret)
        .bind(at)
        .execute(conn)
        .await?
        .rows_affected());
    Ok(written == 1)
}

pub async fn get_totp(exec: Exec<'_>, user_id: &str) -> Result<Option<TotpRow>, StoreError> {
    let sql = "SELECT user_id, secret, ready, last_step, failed_attempts, created_at \
        FROM totp_factors WHERE user_id = $1";
    Ok(run!(exec, |conn| sqlx::query_as::<_, TotpRow>(sql)
        .bind(user_id)
        .fetch_optional(conn)
        .await?))
}

/// Accepts a code's time step: only when it is newer than every accepted one, in one
/// statement, so a code (or an older one) is never accepted twice, even in parallel. Marks the
/// secret ready and resets the failure count. `true` when this caller's step won.
pub async fn accept_totp_step(
    exec: Exec<'_>,
    user_id: &str,
    step: i64,
) -> Result<bool, StoreError> {
    let sql = "UPDATE totp_factors SET last_step = $2, ready = TRUE, failed_attempts = 0 \
        WHERE user_id = $1 AND last_step < $2";
    let changed = run!(exec, |conn| sqlx::query(sql)
        .bind(user_id)
        .bind(step)
        .execute(conn)
        .await?
        .rows_affected());
    Ok(changed == 1)
}

/// Counts a wrong TOTP code; returns the new count.
pub async fn record_totp_failure(exec: Exec<'_>, user_id: &str) -> Result<i64, StoreError> {
    let sql = "UPDATE totp_factors SET failed_attempts = failed_attempts + 1 WHERE user_id = $1 \
        RETURNING failed_attempts";
    let count: Option<i32> = run!(exec, |conn| sqlx::query_scalar(sql)
        .bind(user_id)
        .fetch_optional(conn)
        .await?);
    Ok(count.map(i64::from).unwrap_or_default())
}

/// Starts the wrong-code count over (an admin unlocked the account).
pub async fn reset_totp_failures(exec: Exec<'_>, user_id: &str) -> Result<(), StoreError> {
    let sql = "UPDATE totp_factors SET failed_attempts = 0 WHERE user_id = $1";
    run!(exec, |conn| sqlx::query(sql)
        .bind(user_id)
        .execute(conn)
        .await?
        .rows_affected());
    Ok(())
}

/// Removes the TOTP factor: `None` when there was none, else whether it was confirmed (a
/// secret still in set-up never protected anything).
pub async fn delete_totp(exec: Exec<'_>, user_id: &str) -> Result<Option<bool>, StoreError> {
    let sql = "DELETE FROM totp_factors WHERE user_id = $1 RETURNING ready";
    Ok(run!(exec, |conn| sqlx::query_scalar(sql)
        .bind(user_id)
        .fetch_optional(conn)
        .await?))
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CredentialRow {
    pub id: String,
    pub user_id: String,
    pub kind: String,
    pub name: String,
    pub credential_id: String,
    pub credential: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// A credential to store.
#[derive(Clone, Debug)]
pub struct NewCredential<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub kind: &'a str,
    pub name: &'a str,
    pub credential_id: &'a str,
    pub credential: &'a str,
    pub created_at: i64,
}

/// Stores a credential unless its raw id is registered already (to anyone); `false` then.
pub async fn insert_credential(
    exec: Exec<'_>,
    new: &NewCredential<'_>,
) -> Result<bool, StoreError> {
    let sql = "INSERT INTO webauthn_credentials (id, user_id, kind, name, credential_id, credential, \
        created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (credential_id) DO NOTHING";
    let changed = run!(exec, |conn| sqlx::query(sql)
        .bind(new.id)
        .bind(new.user_id)
        .bind(new.kind)
        .bind(new.name)
        .bind(new.credential_id)
        .bind(new.credential)
        .bind(new.created_at)
        .execute(conn)
        .await?
        .rows_affected());
    Ok(changed == 1)
}

/// A user's credentials of one kind (or all kinds with `None`), oldest first.
pub async fn credentials_of(
    exec: Exec<'_>,
    user_id: &str,
    kind: Option<&str>,
) -> Result<Vec<CredentialRow>, StoreError> {
    let sql = "SELECT id, user_id, kind, name, credential_id, credential, created_at, last_used_at \
        FROM webauthn_credentials WHERE user_id = $1 AND ($2 IS NULL OR kind = $2) \
        ORDER BY created_at, id";
    Ok(run!(exec, |conn| sqlx::query_as::<_, CredentialRow>(sql)
        .bind(user_id)
        .bind(kind)
        .fetch_all(conn)
        .await?))
}

/// A credential by its raw id (base64url), for passwordless sign-in.
pub async fn credential_by_raw_id(
    exec: Exec<'_>,
    credential_id: &str,
) -> Result<Option<CredentialRow>, StoreError> {
    let sql = "SELECT id, user_id, kind, name, credential_id, credential, created_at, last_used_at \
        FROM webauthn_credentials WHERE credential_id = $1";
    Ok(run!(exec, |conn| sqlx::query_as::<_, CredentialRow>(sql)
        .bind(credential_id)
        .fetch_optional(conn)
        .await?))
}

/// Stores the updated credential (counter, backup state) after a use.
pub async fn record_use(
    exec: Exec<'_>,
    id: &str,
    credential: Option<&str>,
    at: i64,
) -> Result<(), StoreError> {
    let sql = "UPDATE webauthn_credentials SET credential = COALESCE($2, credential), last_used_at = $3 \
        WHERE id = $1";
    let changed = run!(exec, |conn| sqlx::query(sql)
        .bind(id)
        .bind(credential)
        .bind(at)
        .execute(conn)
        .await?
        .rows_affected());
    expect_one(changed)
}

/// Renames a user's credential of a kind; `false` when there is no such credential.
pub async fn rename_credential(
    exec: Exec<'_>,
    user_id: &str,
    id: &str,
    kind: &str,
    name: &str,
) -> Result<bool, StoreError> {
    let sql =
        "UPDATE webauthn_credentials SET name = $4 WHERE id = $1 AND user_id = $2 AND kind = $3";
    let changed = run!(exec, |conn| sqlx::query(sql)
        .bind(id)
        .bind(user_id)
        .bind(kind)
        .bind(name)
        .execute(conn)
        .await?
        .rows_affected());
    Ok(changed == 1)
}

/// Removes a user's credential of a kind (decision D2: the kind must match); `false` when
/// there is no such credential.
pub async fn delete_credential(
    exec: Exec<'_>,
    user_id: &str,
    id: &str,
    kind: &str,
) -> Result<bool, StoreError> {
    let sql = "DELETE FROM webauthn_credentials WHERE id = $1 AND user_id = $2 AND kind = $3";
    let changed = run!(exec, |conn| sqlx::query(sql)
        .bind(id)
        .bind(user_id)
        .bind(kind)
        .execute(conn)
        .await?
        .rows_affected());
    Ok(changed == 1)
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CeremonyRow {
    pub id: String,
    pub purpose: String,
    pub binding: String,
    pub user_id: Option<String>,
    pub name: Option<String>,
    pub state: String,
    pub created_at: i64,
    pub expires_at: i64,
}

pub async fn insert_ceremony(exec: Exec<'_>, row: &CeremonyRow) -> Result<(), StoreError> {
    let sql = "INSERT INTO webauthn_ceremonies (id, purpose, binding, user_id, name, state, \
        created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    run!(exec, |conn| sqlx::query(sql)
        .bind(&row.id)
        .bind(&row.purpose)
        .bind(&row.binding)
        .bind(&row.user_id)
        .bind(&row.name)
        .bind(&row.state)
        .bind(row.created_at)
        .bind(row.expires_at)
        .execute(conn)
        .await?
        .rows_affected());
    Ok(())
}

/// Stores a ceremony unless `cap` unexpired ceremonies with its binding exist already, in one
/// statement. `false` when the cap was reached (nothing stored). Parallel inserts may pass
/// the count together, so the cap can be overshot by the number of requests in flight.
pub async fn insert_ceremony_capped(
    exec: Exec<'_>,
    row: &CeremonyRow,
    cap: i64,
) -> Result<bool, StoreError> {
    let sql = "INSERT INTO webauthn_ceremonies (id, purpose, binding, user_id, name, state, \
        created_at, expires_at) SELECT $1, $2, $3, $4, $5, $6, $7, $8 \
        WHERE (SELECT COUNT(*) FROM webauthn_ceremonies WHERE binding = $3 AND expires_at > $7) < $9";
    let inserted = run!(exec, |conn| sqlx::query(sql)
        .bind(&row.id)
        .bind(&row.purpose)
        .bind(&row.binding)
        .bind(&row.user_id)
        .bind(&row.name)
        .bind(&row.state)
        .bind(row.created_at)
        .bind(row.expires_at)
        .bind(cap)
        .execute(conn)
        .await?
        .rows_affected());
    Ok(inserted == 1)
}

/// Takes a ceremony out: it is deleted before it is verified, so it works once. Only a
/// ceremony with this purpose and binding that has not expired is returned.
pub async fn take_ceremony(
    exec: Exec<'_>,
    id: &str,
    purpose: &str,
    binding: &str,
    now: i64,
) -> Result<Option<CeremonyRow>, StoreError> {
    let sql = "DELETE FROM webauthn_ceremonies WHERE id = $1 AND purpose = $2 AND binding = $3 \
        AND expires_at > $4 RETURNING id, purpose, binding, user_id, name, state, created_at, expires_at";
    Ok(run!(exec, |conn| sqlx::query_as::<_, CeremonyRow>(sql)
        .bind(id)
        .bind(purpose)
        .bind(binding)
        .bind(now)
        .fetch_optional(conn)
        .await?))
}

/// Drops expired ceremonies.
pub async fn delete_expired_ceremonies(exec: Exec<'_>, now: i64) -> Result<u64, StoreError> {
    let sql = "DELETE FROM webauthn_ceremonies WHERE expires_at <= $1";
    Ok(run!(exec, |conn| sqlx::query(sql)
        .bind(now)
        .execute(conn)
        .await?
        .rows_affected()))
}
