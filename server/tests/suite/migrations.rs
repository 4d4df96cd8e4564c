//! The two migration folders must stay in lockstep: same versions, same names.

use server::store::{POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};

#[test]
fn sqlite_and_postgres_migrations_have_the_same_versions_and_names() {
    let list = |migrator: &sqlx::migrate::Migrator| {
        migrator
            .iter()
            .map(|migration| (migration.version, migration.description.to_string()))
            .collect::<Vec<_>>()
    };
    let sqlite = list(&SQLITE_MIGRATIONS);
    let postgres = list(&POSTGRES_MIGRATIONS);
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
}
