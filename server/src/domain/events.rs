//! Collects the events of one change to a user and writes them with consecutive sequences.

use crate::store::events::{NewEvent, append};
use crate::store::users::Stamp;
use crate::store::{StoreError, Tx};
use serde_json::Value;

/// The events one use case writes for one user, in order.
#[derive(Debug)]
pub(crate) struct UserChange<'a> {
    user_id: &'a str,
    previous_sequence: i64,
    at: i64,
    actor_id: Option<&'a str>,
    events: Vec<(&'static str, Value)>,
}

impl<'a> UserChange<'a> {
    /// Starts a change of a user whose last event had `previous_sequence` (0 for a new user).
    pub fn new(
        user_id: &'a str,
        previous_sequence: i64,
        at: i64,
        actor_id: Option<&'a str>,
    ) -> Self {
        UserChange {
            user_id,
            previous_sequence,
            at,
            actor_id,
            events: Vec::new(),
        }
    }

    pub fn push(&mut self, event_type: &'static str, payload: Value) {
        self.events.push((event_type, payload));
    }

    /// The sequence and time the user row gets once these events are written.
    pub fn stamp(&self) -> Stamp {
        Stamp {
            sequence: self.previous_sequence + self.events.len() as i64,
            at: self.at,
        }
    }

    /// Appends the events; returns the stamp for the user row.
    pub async fn write(self, tx: &mut Tx) -> Result<Stamp, StoreError> {
        let stamp = self.stamp();
        for (offset, (event_type, payload)) in self.events.into_iter().enumerate() {
            append(
                tx.exec(),
                &NewEvent {
                    aggregate_id: self.user_id,
                    sequence: self.previous_sequence + 1 + offset as i64,
                    event_type,
                    payload: payload.to_string(),
                    actor_id: self.actor_id,
                    created_at: self.at,
                },
            )
            .await?;
        }
        Ok(stamp)
    }
}
