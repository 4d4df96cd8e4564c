//! SQL only. One [`Db`] enum over native sqlx pools; every store function runs the same SQL text
//! on both databases (`$n` placeholders work on both) through the [`run!`] macro.

pub mod avatars;
pub mod codes;
pub mod events;
pub mod factors;
pub mod memberships;
pub mod orgs;
pub mod outbox;
pub mod sessions;
pub mod tokens;
pub mod users;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, SqliteConnection, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

/// Migrations for each dialect, embedded at compile time. Same versions and names in both.
pub static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
pub static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// What can go wrong in SQL, classified for the domain layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the row.
    #[error("conflict on {what}")]
    Conflict { what: &'static str },
    #[error("database error: {0}")]
    Backend(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

/// The database Roster runs on, chosen by the URL scheme at start.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A connection of either kind, borrowed for one statement.
#[derive(Debug)]
pub enum Exec<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

/// An open transaction of either kind.
#[derive(Debug)]
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// A pooled connection of either kind (for reads outside a transaction).
#[derive(Debug)]
pub enum Conn {
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>),
}

/// Runs one sqlx expression on whichever connection an [`Exec`] holds. The body is compiled
/// once per dialect, so the same SQL text and binds serve both.
#[macro_export]
macro_rules! run {
    ($exec:expr, |$conn:ident| $body:expr) => {
        match $exec {
            $crate::store::Exec::Sqlite($conn) => $body,
            $crate::store::Exec::Postgres($conn) => $body,
        }
    };
}

impl Tx {
    /// The transaction's connection, for one statement.
    pub fn exec(&mut self) -> Exec<'_> {
        match self {
            Tx::Sqlite(tx) => Exec::Sqlite(&mut *tx),
            Tx::Postgres(tx) => Exec::Postgres(&mut *tx),
        }
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

impl Conn {
    pub fn exec(&mut self) -> Exec<'_> {
        match self {
            Conn::Sqlite(conn) => Exec::Sqlite(&mut *conn),
            Conn::Postgres(conn) => Exec::Postgres(&mut *conn),
        }
    }
}

impl Db {
    /// Connects by URL: `sqlite://path` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Ok(Db::Postgres(pool))
        } else {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            let pool = SqlitePoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Ok(Db::Sqlite(pool))
        }
    }

    /// Applies the embedded migrations of this dialect.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// `"sqlite"` or `"postgres"`, for logs and benchmarks.
    pub fn dialect(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so a read-then-write transaction never fails on lock upgrade.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// A connection for reads.
    pub async fn conn(&self) -> Result<Conn, StoreError> {
        Ok(match self {
            Db::Sqlite(pool) => Conn::Sqlite(pool.acquire().await?),
            Db::Postgres(pool) => Conn::Postgres(pool.acquire().await?),
        })
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

/// `Ok(())` when a statement touched a row, [`StoreError::NotFound`] otherwise.
pub(crate) fn expect_one(rows_affected: u64) -> Result<(), StoreError> {
    if rows_affected == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// Classifies a failed statement: unique violations become [`StoreError::Conflict`].
pub(crate) fn classify(error: sqlx::Error, what: &'static str) -> StoreError {
    match error.as_database_error() {
        Some(db_error) if db_error.is_unique_violation() => StoreError::Conflict { what },
        _ => StoreError::Backend(error),
    }
}
