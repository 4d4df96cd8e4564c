//! Roles granted to users: `org_id = ''` is an instance-wide grant.

use super::{Exec, StoreError};
use crate::run;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MembershipRow {
    pub user_id: String,
    pub org_id: String,
    pub role: String,
}

pub async fn insert(
    exec: Exec<'_>,
    user_id: &str,
    org_id: &str,
    role: &str,
    at: i64,
) -> Result<(), StoreError> {
    let sql = "INSERT INTO memberships (user_id, org_id, role, created_at) VALUES ($1, $2, $3, $4) \
        ON CONFLICT DO NOTHING";
    run!(exec, |conn| sqlx::query(sql)
        .bind(user_id)
        .bind(org_id)
        .bind(role)
        .bind(at)
        .execute(conn)
        .await?
        .rows_affected());
    Ok(())
}

pub async fn for_user(exec: Exec<'_>, user_id: &str) -> Result<Vec<MembershipRow>, StoreError> {
    let sql = "SELECT user_id, org_id, role FROM memberships WHERE user_id = $1";
    Ok(run!(exec, |conn| sqlx::query_as::<_, MembershipRow>(sql)
        .bind(user_id)
        .fetch_all(conn)
        .await?))
}
