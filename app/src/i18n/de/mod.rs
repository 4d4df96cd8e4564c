//! German texts, keyed by the English source text, one file per area of the UI. A text used in
//! several areas is listed once, in `common`.

mod account;
mod admin;
mod common;
mod errors;
mod signin;

use std::collections::HashMap;
use std::sync::OnceLock;

/// Every area's entries.
pub(super) static AREAS: &[&[(&str, &str)]] = &[
    common::ENTRIES,
    signin::ENTRIES,
    account::ENTRIES,
    admin::ENTRIES,
    errors::ENTRIES,
];

/// The German text for an English UI text.
pub(super) fn german(english: &str) -> Option<&'static str> {
    static TABLE: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    TABLE
        .get_or_init(|| entries().collect())
        .get(english)
        .copied()
}

/// Every (English, German) pair of every area.
pub(super) fn entries() -> impl Iterator<Item = (&'static str, &'static str)> {
    AREAS.iter().flat_map(|area| area.iter().copied())
}
