//! German texts, keyed by the English source text. Keep entries grouped by page.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The German text for an English UI text.
pub(super) fn german(english: &str) -> Option<&'static str> {
    static TABLE: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    TABLE
        .get_or_init(|| ENTRIES.iter().copied().collect())
        .get(english)
        .copied()
}

pub(super) static ENTRIES: &[(&str, &str)] = &[
    ("Sign in", "Anmelden"),
    (
        "Showing {first}–{last} of {total}",
        "{first}–{last} von {total}",
    ),
];
