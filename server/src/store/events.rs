//! The append-only `events` table.

use super::{Exec, StoreError};
use crate::run;

/// One event to append.
#[derive(Clone, Debug)]
pub struct NewEvent<'a> {
    pub aggregate_id: &'a str,
    pub sequence: i64,
    pub event_type: &'a str,
    /// JSON text; never secrets.
    pub payload: String,
    pub actor_id: Option<&'a str>,
    pub created_at: i64,
}

pub async fn append(exec: Exec<'_>, event: &NewEvent<'_>) -> Result<(), StoreError> {
    let sql = "INSERT INTO events (aggregate_id, sequence, event_type, payload, actor_id, created_at) \
        VALUES ($1, $2, $3, $4, $5, $6)";
    run!(exec, |conn| sqlx::query(sql)
        .bind(event.aggregate_id)
        .bind(event.sequence)
        .bind(event.event_type)
        .bind(&event.payload)
        .bind(event.actor_id)
        .bind(event.created_at)
        .execute(conn)
        .await
        .map_err(|error| super::classify(error, "event sequence"))?
        .rows_affected());
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EventRow {
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub payload: String,
    pub actor_id: Option<String>,
    pub created_at: i64,
}

/// The events of one aggregate, oldest first.
pub async fn for_aggregate(
    exec: Exec<'_>,
    aggregate_id: &str,
) -> Result<Vec<EventRow>, StoreError> {
    let sql = "SELECT aggregate_id, sequence, event_type, payload, actor_id, created_at \
        FROM events WHERE aggregate_id = $1 ORDER BY sequence";
    Ok(run!(exec, |conn| sqlx::query_as::<_, EventRow>(sql)
        .bind(aggregate_id)
        .fetch_all(conn)
        .await?))
}

/// Up to `limit` events of one aggregate with a sequence below `before`, newest first.
pub async fn page_for_aggregate(
    exec: Exec<'_>,
    aggregate_id: &str,
    before: i64,
    limit: i64,
) -> Result<Vec<EventRow>, StoreError> {
    let sql = "SELECT aggregate_id, sequence, event_type, payload, actor_id, created_at \
        FROM events WHERE aggregate_id = $1 AND sequence < $2 ORDER BY sequence DESC LIMIT $3";
    Ok(run!(exec, |conn| sqlx::query_as::<_, EventRow>(sql)
        .bind(aggregate_id)
        .bind(before)
        .bind(limit)
        .fetch_all(conn)
        .await?))
}

/// When the newest event of a type was written for an aggregate, if ever.
pub async fn latest_of_type(
    exec: Exec<'_>,
    aggregate_id: &str,
    event_type: &str,
) -> Result<Option<i64>, StoreError> {
    let sql = "SELECT MAX(created_at) FROM events WHERE aggregate_id = $1 AND event_type = $2";
    let latest: Option<i64> = run!(exec, |conn| sqlx::query_scalar(sql)
        .bind(aggregate_id)
        .bind(event_type)
        .fetch_one(conn)
        .await?);
    Ok(latest)
}
