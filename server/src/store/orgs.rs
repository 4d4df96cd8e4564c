//! Organisations and the single `instance` row.

use super::{Exec, StoreError};
use crate::run;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OrgRow {
    pub id: String,
    pub name: String,
    pub created_at: i64,
}

pub async fn insert(exec: Exec<'_>, id: &str, name: &str, at: i64) -> Result<(), StoreError> {
    let sql = "INSERT INTO orgs (id, name, created_at) VALUES ($1, $2, $3)";
    run!(exec, |conn| sqlx::query(sql)
        .bind(id)
        .bind(name)
        .bind(at)
        .execute(conn)
        .await
        .map_err(|error| super::classify(error, "organisation"))?
        .rows_affected());
    Ok(())
}

pub async fn get(exec: Exec<'_>, id: &str) -> Result<Option<OrgRow>, StoreError> {
    let sql = "SELECT id, name, created_at FROM orgs WHERE id = $1";
    Ok(run!(exec, |conn| sqlx::query_as::<_, OrgRow>(sql)
        .bind(id)
        .fetch_optional(conn)
        .await?))
}

pub async fn list(exec: Exec<'_>) -> Result<Vec<OrgRow>, StoreError> {
    let sql = "SELECT id, name, created_at FROM orgs ORDER BY created_at, id";
    Ok(run!(exec, |conn| sqlx::query_as::<_, OrgRow>(sql)
        .fetch_all(conn)
        .await?))
}

/// Claims the one-time bootstrap: `true` for the single caller that created the instance row.
/// Concurrent starts on one PostgreSQL wait on the primary key and then see `false`.
pub async fn claim_instance(
    exec: Exec<'_>,
    default_org_id: &str,
    at: i64,
) -> Result<bool, StoreError> {
    let sql = "INSERT INTO instance (id, default_org_id, created_at) VALUES (1, $1, $2) \
        ON CONFLICT DO NOTHING";
    let result = run!(exec, |conn| sqlx::query(sql)
        .bind(default_org_id)
        .bind(at)
        .execute(conn)
        .await?
        .rows_affected());
    Ok(result == 1)
}

/// The default organisation's id, once the instance exists.
pub async fn default_org_id(exec: Exec<'_>) -> Result<Option<String>, StoreError> {
    let sql = "SELECT default_org_id FROM instance WHERE id = 1";
    Ok(run!(exec, |conn| sqlx::query_scalar::<_, String>(sql)
        .fetch_optional(conn)
        .await?))
}
