//! A user's history for the admin user page: the append-only events, newest first.

use serde::{Deserialize, Serialize};

/// Who made a change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HistoryActor {
    /// Roster itself (a lockout, a delivery, the first start).
    System,
    /// The user, on their own account.
    TheUser,
    /// An administrator, by username.
    Admin(String),
    /// A service account (REST API), by username.
    Service(String),
    /// Someone since removed, by id.
    Unknown(String),
}

/// One change to a user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The per-user sequence (`details.sequence` in the REST API).
    pub sequence: i64,
    /// RFC 3339.
    pub at: String,
    /// The event type, e.g. `user.human.email.changed`.
    pub event_type: String,
    pub actor: HistoryActor,
    /// Plain values from the event (addresses, names, states); never secrets.
    pub details: Vec<(String, String)>,
}

/// A page of history, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub entries: Vec<HistoryEntry>,
    /// Pass as `before` for older entries; `None` when this page reaches the first change.
    pub next_before: Option<i64>,
}
