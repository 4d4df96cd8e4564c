//! Roster's in-process test suite: one binary, so the big server links once. Scenarios that
//! touch data run on SQLite and on PostgreSQL (see `common::on_both_databases!`).

#[macro_use]
mod common;

mod admin_list;
mod avatars;
mod delivery;
mod factors;
mod history;
mod import_file;
mod migrations;
mod openapi;
mod rest_contact;
mod rest_factors;
mod rest_users;
mod spa;
mod spa_account;
