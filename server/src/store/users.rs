//! The `users` table: humans and machine users (service accounts).

use super::{Exec, StoreError, expect_one};
use crate::run;
use sqlx::QueryBuilder;

/// A full `users` row.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub org_id: String,
    pub kind: String,
    pub username: String,
    pub username_key: String,
    pub state: i32,
    pub first_name: String,
    pub last_name: String,
    pub nick_name: String,
    pub display_name: String,
    pub preferred_language: String,
    pub gender: i32,
    pub email: String,
    pub email_key: String,
    pub email_verified: bool,
    pub phone: Option<String>,
    pub phone_verified: bool,
    pub password_hash: Option<String>,
    pub password_change_required: bool,
    pub failed_password_attempts: i32,
    /// An address the user asked for on the account page, not verified yet.
    pub pending_email: Option<String>,
    /// The current avatar's content address (`avatars.avatar_key`), if any.
    pub avatar_key: Option<String>,
    pub sequence: i64,
    pub created_at: i64,
    pub changed_at: i64,
}

impl UserRow {
    pub fn is_human(&self) -> bool {
        self.kind == "human"
    }
}

/// The columns of [`UserRow`], as a literal so queries stay `&'static str`.
macro_rules! user_columns {
    () => {
        "id, org_id, kind, username, username_key, state, first_name, last_name, nick_name, \
         display_name, preferred_language, gender, email, email_key, email_verified, phone, \
         phone_verified, password_hash, password_change_required, failed_password_attempts, \
         pending_email, avatar_key, sequence, created_at, changed_at"
    };
}

/// A new user; the `*_key` search columns are derived from the values here.
#[derive(Clone, Debug)]
pub struct NewUser<'a> {
    pub id: &'a str,
    pub org_id: &'a str,
    pub kind: &'a str,
    pub username: &'a str,
    pub username_key: &'a str,
    pub state: i32,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub nick_name: &'a str,
    pub display_name: &'a str,
    pub preferred_language: &'a str,
    pub gender: i32,
    pub email: &'a str,
    pub email_key: &'a str,
    pub email_verified: bool,
    pub phone: Option<&'a str>,
    pub phone_verified: bool,
    pub password_hash: Option<&'a str>,
    pub password_change_required: bool,
    pub sequence: i64,
    pub created_at: i64,
}

/// The lower-cased form used for search and case-insensitive lookups.
pub fn search_key(value: &str) -> String {
    value.trim().to_lowercase()
}

/// Inserts a user unless the username (case-insensitively) is taken; `false` when taken.
/// Uses `ON CONFLICT (username_key) DO NOTHING`, so a PostgreSQL transaction stays usable.
pub async fn insert(exec: Exec<'_>, user: &NewUser<'_>) -> Result<bool, StoreError> {
    let sql = "INSERT INTO users (id, org_id, kind, username, username_key, state, first_name, \
        last_name, nick_name, display_name, preferred_language, gender, email, email_key, \
        email_verified, phone, phone_verified, password_hash, password_change_required, \
        first_name_key, last_name_key, display_name_key, sequence, created_at, changed_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
        $19, $20, $21, $22, $23, $24, $24) ON CONFLICT (username_key) DO NOTHING";
    let result = run!(exec, |conn| sqlx::query(sql)
        .bind(user.id)
        .bind(user.org_id)
        .bind(user.kind)
        .bind(user.username)
        .bind(user.username_key)
        .bind(user.state)
        .bind(user.first_name)
        .bind(user.last_name)
        .bind(user.nick_name)
        .bind(user.display_name)
        .bind(user.preferred_language)
        .bind(user.gender)
        .bind(user.email)
        .bind(user.email_key)
        .bind(user.email_verified)
        .bind(user.phone)
        .bind(user.phone_verified)
        .bind(user.password_hash)
        .bind(user.password_change_required)
        .bind(search_key(user.first_name))
        .bind(search_key(user.last_name))
        .bind(search_key(user.display_name))
        .bind(user.sequence)
        .bind(user.created_at)
        .execute(conn)
        .await?
        .rows_affected());
    Ok(result == 1)
}

/// A user by id.
pub async fn get(exec: Exec<'_>, id: &str) -> Result<Option<UserRow>, StoreError> {
    let sql = concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1");
    Ok(run!(exec, |conn| sqlx::query_as::<_, UserRow>(sql)
        .bind(id)
        .fetch_optional(conn)
        .await?))
}

/// A user by id, locked for the rest of the transaction (PostgreSQL `FOR UPDATE`; SQLite
/// transactions already hold the write lock).
pub async fn get_for_update(exec: Exec<'_>, id: &str) -> Result<Option<UserRow>, StoreError> {
    Ok(match exec {
        Exec::Sqlite(conn) => {
            sqlx::query_as::<_, UserRow>(concat!(
                "SELECT ",
                user_columns!(),
                " FROM users WHERE id = $1"
            ))
            .bind(id)
            .fetch_optional(conn)
            .await?
        }
        Exec::Postgres(conn) => {
            sqlx::query_as::<_, UserRow>(concat!(
                "SELECT ",
                user_columns!(),
                " FROM users WHERE id = $1 FOR UPDATE"
            ))
            .bind(id)
            .fetch_optional(conn)
            .await?
        }
    })
}

/// A user by the lower-cased username.
pub async fn find_by_username_key(
    exec: Exec<'_>,
    key: &str,
) -> Result<Option<UserRow>, StoreError> {
    let sql = concat!(
        "SELECT ",
        user_columns!(),
        " FROM users WHERE username_key = $1"
    );
    Ok(run!(exec, |conn| sqlx::query_as::<_, UserRow>(sql)
        .bind(key)
        .fetch_optional(conn)
        .await?))
}

/// Humans whose lower-cased email is `key` (at most two: callers only care whether it is one).
pub async fn find_humans_by_email_key(
    exec: Exec<'_>,
    key: &str,
) -> Result<Vec<UserRow>, StoreError> {
    let sql = concat!(
        "SELECT ",
        user_columns!(),
        " FROM users WHERE email_key = $1 AND kind = 'human' LIMIT 2"
    );
    Ok(run!(exec, |conn| sqlx::query_as::<_, UserRow>(sql)
        .bind(key)
        .fetch_all(conn)
        .await?))
}

/// The new sequence number and time written with every change of a user.
#[derive(Clone, Copy, Debug)]
pub struct Stamp {
    pub sequence: i64,
    pub at: i64,
}

/// The six profile values.
#[derive(Clone, Debug)]
pub struct ProfileValues<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub nick_name: &'a str,
    pub display_name: &'a str,
    pub preferred_language: &'a str,
    pub gender: i32,
}

pub async fn set_profile(
    exec: Exec<'_>,
    id: &str,
    profile: &ProfileValues<'_>,
    stamp: Stamp,
) -> Result<(), StoreError> {
    let sql = "UPDATE users SET first_name = $2, last_name = $3, nick_name = $4, \
        display_name = $5, preferred_language = $6, gender = $7, first_name_key = $8, \
        last_name_key = $9, display_name_key = $10, sequence = $11, changed_at = $12 \
        WHERE id = $1";
    let result = run!(exec, |conn| sqlx::query(sql)
        .bind(id)
        .bind(profile.first_name)
        .bind(profile.last_name)
        .bind(profile.nick_name)
        .bind(profile.display_name)
        .bind(profile.preferred_language)
        .bind(profile.gender)
        .bind(search_key(profile.first_name))
        .bind(search_key(profile.last_name))
        .bind(search_key(profile.display_name))
        .bind(stamp.sequence)
        .bind(stamp.at)
        .execute(conn)
        .await?
        .rows_affected());
    expect_one(result)
}

/// Stores a new password hash (and whether it must be changed at next sign-in).
pub async fn set_password(
    exec: Exec<'_>,
    id: &str,
    password_hash: &str,
    change_required: bool,
    stamp: Stamp,
) -> Result<(), StoreError> {
    let sql = "UPDATE users SET password_hash = $2, password_change_required = $3, \
        failed_password_attempts = 0, sequence = $4, changed_at = $5 WHERE id = $1";
    let result = run!(exec, |conn| sqlx::query(sql)
        .bind(id)
        .bind(password_hash)
        .bind(change_required)
        .bind(stamp.sequence)
        .bind(stamp.at)
        .execute(conn)
        .await?
        .rows_affected());
    expect_one(result)
}

/// Finishes initialization: state, verified email, and the new password when one was chosen.
pub async fn set_initialized(
    exec: Exec<'_>,
    id: &str,
    state: i32,
    password_hash: Option<&str>,
    stamp: Stamp,
) -> Result<(), StoreError> {
    let sql = "UPDATE users SET state = $2, email_verified = TRUE, \
        password_hash = COALESCE($3, password_hash), \
        password_change_required = CASE WHEN $3 IS NULL THEN password_change_required ELSE FALSE END, \
        sequence = $4, changed_at = $5 WHERE id = $1";
    let result = run!(exec, |conn| sqlx::query(sql)
        .bind(id)
        .bind(state)
        .bind(password_hash)
        .bind(stamp.sequence)
        .bind(stamp.at)
        .execute(conn)
        .await?
        .rows_affected());
    expect_one(result)
}

/// Counts a failed password check (the caller holds the row lock and decides about locking).
/// Returns the new count.
pub async fn record_failed_password(exec: Exec<'_>, id: &str) -> Result<i64, StoreError> {
    let sql = "UPDATE users SET failed_password_attempts = failed_password_attempts + 1 \
        WHERE id = $1 RETURNING failed_password_attempts";
    let count: i32 = run!(exec, |conn| sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(conn)
        .await?);
    Ok(i64::from(count))
}

/// Counts the failed password check that reached the lockout limit and locks the user, with
/// the sequence of the `user.locked` event written in the same transaction.
pub async fn lock_after_failed_password(
    exec: Exec<'_>,
    id: &str,
    locked_state: i32,
    stamp: Stamp,
) -> Result<(), StoreError> {
    let sql = "UPDATE users SET failed_password_attempts = failed_password_attempts + 1, \
        state = $2, sequence = $3, changed_at = $4 WHERE id = $1";
    let result = run!(exec, |conn| sqlx::query(sql)
        .bind(id)
        .bind(locked_state)
        .bind(stamp.sequence)
        .bind(stamp.at)
        .execute(conn)
        .await?
        .rows_affected());
    expect_one(result)
}

/// Resets the failed-password counter after a successful sign-in.
pub async fn reset_failed_passwords(exec: Exec<'_>, id: &str) -> Result<(), StoreError> {
    let sql = "UPDATE users SET failed_password_attempts = 0 \
        WHERE id = $1 AND failed_password_attempts <> 0";
    run!(exec, |conn| sqlx::query(sql)
        .bind(id)
        .execute(conn)
        .await?
        .rows_affected());
    Ok(())
}

/// A row of the admin list, with the keys its cursor is made of.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct UserListRow {
    pub id: String,
    pub org_id: String,
    pub username: String,
    pub username_key: String,
    pub display_name: String,
    pub display_name_key: String,
    pub email: String,
    pub email_key: String,
    pub email_verified: bool,
    pub state: i32,
    pub avatar_key: Option<String>,
    pub created_at: i64,
}

/// The column the admin list is ordered by. Each order is a keyset over an index (migration
/// 0004), so every page costs the same however deep it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListOrder {
    Username,
    DisplayName,
    Email,
    Created,
    State,
}

impl ListOrder {
    /// The sort column and the unique column that breaks ties.
    fn columns(self) -> (&'static str, &'static str) {
        match self {
            ListOrder::Username => ("username_key", "id"),
            ListOrder::DisplayName => ("display_name_key", "id"),
            ListOrder::Email => ("email_key", "id"),
            ListOrder::Created => ("created_at", "id"),
            ListOrder::State => ("state", "username_key"),
        }
    }

    /// Whether a cursor was made for this order (a number for dates and states, text for
    /// the rest); binding another kind would fail on PostgreSQL.
    pub fn accepts(self, cursor: &ListCursor) -> bool {
        let numeric = matches!(self, ListOrder::Created | ListOrder::State);
        numeric == matches!(cursor.key, CursorKey::Number(_))
    }

    /// Where a row sits in this order: the cursor that continues after it.
    pub fn cursor_of(self, row: &UserListRow) -> ListCursor {
        let (key, tie) = match self {
            ListOrder::Username => (CursorKey::Text(row.username_key.clone()), &row.id),
            ListOrder::DisplayName => (CursorKey::Text(row.display_name_key.clone()), &row.id),
            ListOrder::Email => (CursorKey::Text(row.email_key.clone()), &row.id),
            ListOrder::Created => (CursorKey::Number(row.created_at), &row.id),
            ListOrder::State => (CursorKey::Number(i64::from(row.state)), &row.username_key),
        };
        ListCursor {
            key,
            tie: tie.clone(),
        }
    }
}

/// The sort value of a cursor.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum CursorKey {
    Number(i64),
    Text(String),
}

/// The position after which a page of the admin list starts: the last row's sort value and
/// tie-breaker. Opaque to clients (encoded as a small JSON array).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ListCursor {
    pub key: CursorKey,
    pub tie: String,
}

impl ListCursor {
    pub fn encode(&self) -> String {
        serde_json::to_string(&(&self.key, &self.tie)).unwrap_or_default()
    }

    /// `None` for anything this list did not hand out.
    pub fn decode(text: &str) -> Option<ListCursor> {
        let (key, tie): (CursorKey, String) = serde_json::from_str(text).ok()?;
        Some(ListCursor { key, tie })
    }
}

/// Which humans the admin list shows.
#[derive(Clone, Debug, Default)]
pub struct UserFilter {
    /// `None`: every organisation.
    pub org_ids: Option<Vec<String>>,
    /// Lower-cased prefix of the username, email, first, last or display name.
    pub prefix: Option<String>,
    /// Only users in this state (`UserState` number).
    pub state: Option<i32>,
}

fn push_filter<'q, DB: sqlx::Database>(builder: &mut QueryBuilder<DB>, filter: &'q UserFilter)
where
    i32: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    builder.push(" WHERE kind = 'human'");
    if let Some(state) = filter.state {
        builder.push(" AND state = ");
        builder.push_bind(state);
    }
    if let Some(org_ids) = &filter.org_ids {
        builder.push(" AND org_id IN (");
        let mut separated = builder.separated(", ");
        for org_id in org_ids {
            separated.push_bind(org_id.as_str());
        }
        // An empty IN list is invalid SQL; a never-matching id keeps it valid.
        if org_ids.is_empty() {
            separated.push_bind("");
        }
        builder.push(")");
    }
    if let Some(prefix) = &filter.prefix {
        // A range scan over each indexed key column: byte order, so the upper bound is the
        // prefix followed by the largest code point.
        let upper = format!("{prefix}\u{10FFFF}");
        builder.push(" AND (");
        for (index, column) in [
            "username_key",
            "email_key",
            "first_name_key",
            "last_name_key",
            "display_name_key",
        ]
        .into_iter()
        .enumerate()
        {
            if index > 0 {
                builder.push(" OR ");
            }
            builder.push(format!("({column} >= "));
            builder.push_bind(prefix.as_str());
            builder.push(format!(" AND {column} < "));
            builder.push_bind(upper.clone());
            builder.push(")");
        }
        builder.push(")");
    }
}

/// One page of humans in `order` (descending when asked), after `after`.
pub async fn list(
    exec: Exec<'_>,
    filter: &UserFilter,
    order: ListOrder,
    descending: bool,
    after: Option<&ListCursor>,
    limit: i64,
) -> Result<Vec<UserListRow>, StoreError> {
    let (column, tie) = order.columns();
    let (compare, direction) = if descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    Ok(run!(exec, |conn| {
        let mut builder = QueryBuilder::new(
            "SELECT id, org_id, username, username_key, display_name, display_name_key, email, \
             email_key, email_verified, state, avatar_key, created_at FROM users",
        );
        push_filter(&mut builder, filter);
        if let Some(after) = after {
            // A row-value comparison: (column, tie) strictly after the cursor.
            builder.push(format!(" AND ({column}, {tie}) {compare} ("));
            match &after.key {
                CursorKey::Number(number) => builder.push_bind(*number),
                CursorKey::Text(text) => builder.push_bind(text.clone()),
            };
            builder.push(", ");
            builder.push_bind(after.tie.clone());
            builder.push(")");
        }
        builder.push(format!(
            " ORDER BY {column} {direction}, {tie} {direction} LIMIT "
        ));
        builder.push_bind(limit);
        builder
            .build_query_as::<UserListRow>()
            .fetch_all(conn)
            .await?
    }))
}

/// How many humans match, counting at most `cap` (so counting stays cheap on big instances).
pub async fn count(exec: Exec<'_>, filter: &UserFilter, cap: i64) -> Result<i64, StoreError> {
    Ok(run!(exec, |conn| {
        let mut builder = QueryBuilder::new("SELECT COUNT(*) FROM (SELECT 1 FROM users");
        push_filter(&mut builder, filter);
        builder.push(" LIMIT ");
        builder.push_bind(cap);
        builder.push(") AS matching");
        builder.build_query_scalar::<i64>().fetch_one(conn).await?
    }))
}

/// Replaces the email address (and its verified flag); clears a pending change.
pub async fn set_email(
    exec: Exec<'_>,
    id: &str,
    email: &str,
    verified: bool,
    stamp: Stamp,
) -> Result<(), StoreError> {
    let sql = "UPDATE users SET email = $2, email_key = $3, email_verified = $4, \
        pending_email = NULL, sequence = $5, changed_at = $6 WHERE id = $1";
    let result = run!(exec, |conn| sqlx::query(sql)
        .bind(id)
        .bind(email)
        .bind(search_key(email))
        .bind(verified)
        .bind(stamp.sequence)
        .bind(stamp.at)
        .execute(conn)
        .await?
        .rows_affected());
    expect_one(result)
}

/// Records (or clears) a requested new address without changing the current one.
pub async fn set_pending_email(
    exec: Exec<'_>,
    id: &str,
    pending: Option<&str>,
    stamp: Stamp,
) -> Result<(), StoreError> {
    let sql = "UPDATE users SET pending_email = $2, sequence = $3, changed_at = $4 WHERE id = $1";
    let result = run!(exec, |conn| sqlx::query(sql)
        .bind(id)
        .bind(pending)
        .bind(stamp.sequence)
        .bind(stamp.at)
        .execute(conn)
        .await?
        .rows_affected());
    expect_one(result)
}

/// Replaces (or removes, with `None`) the phone number and its verified flag.
pub async fn set_phone(
    exec: Exec<'_>,
    id: &str,
    phone: Option<&str>,
    verified: bool,
    stamp: Stamp,
) -> Result<(), StoreError> {
    let sql = "UPDATE users SET phone = $2, phone_verified = $3, sequence = $4, changed_at = $5 \
        WHERE id = $1";
    let result = run!(exec, |conn| sqlx::query(sql)
        .bind(id)
        .bind(phone)
        .bind(verified)
        .bind(stamp.sequence)
        .bind(stamp.at)
        .execute(conn)
        .await?
        .rows_affected());
    expect_one(result)
}

/// Records a change that touches no column of its own (e.g. a code was sent).
pub async fn touch(exec: Exec<'_>, id: &str, stamp: Stamp) -> Result<(), StoreError> {
    let sql = "UPDATE users SET sequence = $2, changed_at = $3 WHERE id = $1";
    let result = run!(exec, |conn| sqlx::query(sql)
        .bind(id)
        .bind(stamp.sequence)
        .bind(stamp.at)
        .execute(conn)
        .await?
        .rows_affected());
    expect_one(result)
}

/// Sets the lifecycle state (unlock, …); unlocking also clears the failure counter.
pub async fn set_state(
    exec: Exec<'_>,
    id: &str,
    state: i32,
    stamp: Stamp,
) -> Result<(), StoreError> {
    let sql = "UPDATE users SET state = $2, failed_password_attempts = 0, sequence = $3, \
        changed_at = $4 WHERE id = $1";
    let result = run!(exec, |conn| sqlx::query(sql)
        .bind(id)
        .bind(state)
        .bind(stamp.sequence)
        .bind(stamp.at)
        .execute(conn)
        .await?
        .rows_affected());
    expect_one(result)
}

/// Machine users (service accounts), by username.
pub async fn list_machines(exec: Exec<'_>) -> Result<Vec<UserRow>, StoreError> {
    let sql = concat!(
        "SELECT ",
        user_columns!(),
        " FROM users WHERE kind = 'machine' ORDER BY username_key"
    );
    Ok(run!(exec, |conn| sqlx::query_as::<_, UserRow>(sql)
        .fetch_all(conn)
        .await?))
}

/// Usernames and kinds of the given users (for showing who made a change).
pub async fn names_of(
    exec: Exec<'_>,
    ids: &[String],
) -> Result<Vec<(String, String, String)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(run!(exec, |conn| {
        let mut builder = QueryBuilder::new("SELECT id, username, kind FROM users WHERE id IN (");
        let mut separated = builder.separated(", ");
        for id in ids {
            separated.push_bind(id.as_str());
        }
        builder.push(")");
        builder
            .build_query_as::<(String, String, String)>()
            .fetch_all(conn)
            .await?
    }))
}
