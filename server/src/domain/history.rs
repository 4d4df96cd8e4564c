//! A user's history for the admin user page: the append-only events with who made each
//! change. Admins with `user.read` on the user's organisation only.

use super::Services;
use super::authz::Permission;
use super::clock::rfc3339;
use super::error::DomainError;
use crate::store::{events, users};
use app::model::{Actor, HistoryActor, HistoryEntry, HistoryPage};
use serde_json::Value;

/// Entries per page.
const PAGE: i64 = 50;
/// Payload fields never shown, even though events carry no secrets by design: a second guard.
const HIDDEN: [&str; 5] = ["hash", "code", "token", "secret", "password"];
/// Longest value shown.
const MAX_VALUE: usize = 200;

impl Services {
    /// The newest changes to a user, before sequence `before` (all when `None`).
    pub async fn user_history(
        &self,
        actor: &Actor,
        user_id: &str,
        before: Option<i64>,
    ) -> Result<HistoryPage, DomainError> {
        let (_, row) = self
            .human_for_admin(actor, user_id, Permission::UserRead)
            .await?;
        let mut conn = self.db().conn().await?;
        let rows =
            events::page_for_aggregate(conn.exec(), &row.id, before.unwrap_or(i64::MAX), PAGE)
                .await?;
        let mut actor_ids: Vec<String> = rows
            .iter()
            .filter_map(|event| event.actor_id.clone())
            .filter(|id| *id != row.id)
            .collect();
        actor_ids.sort();
        actor_ids.dedup();
        let names = users::names_of(conn.exec(), &actor_ids).await?;
        let actor_of = |id: Option<&String>| match id {
            None => HistoryActor::System,
            Some(id) if *id == row.id => HistoryActor::TheUser,
            Some(id) => match names.iter().find(|(known, _, _)| known == id) {
                Some((_, username, kind)) if kind == "machine" => {
                    HistoryActor::Service(username.clone())
                }
                Some((_, username, _)) => HistoryActor::Admin(username.clone()),
                None => HistoryActor::Unknown(id.clone()),
            },
        };
        let next_before = rows
            .last()
            .filter(|oldest| rows.len() as i64 == PAGE && oldest.sequence > 1)
            .map(|oldest| oldest.sequence);
        Ok(HistoryPage {
            entries: rows
                .iter()
                .map(|event| HistoryEntry {
                    sequence: event.sequence,
                    at: rfc3339(event.created_at),
                    event_type: event.event_type.clone(),
                    actor: actor_of(event.actor_id.as_ref()),
                    details: details(&event.payload),
                })
                .collect(),
            next_before,
        })
    }
}

/// The plain values of an event's payload, flattened one level (`profile.firstName`).
fn details(payload: &str) -> Vec<(String, String)> {
    let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(payload) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (name, value) in &fields {
        match value {
            Value::Object(inner) => {
                for (inner_name, inner_value) in inner {
                    push_plain(&mut found, format!("{name}.{inner_name}"), inner_value);
                }
            }
            other => push_plain(&mut found, name.clone(), other),
        }
    }
    found
}

fn push_plain(found: &mut Vec<(String, String)>, name: String, value: &Value) {
    let lowered = name.to_ascii_lowercase();
    if HIDDEN.iter().any(|hidden| lowered.contains(hidden)) {
        return;
    }
    let text = match value {
        Value::String(text) if !text.is_empty() => text.clone(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => number.to_string(),
        _ => return,
    };
    found.push((name, text.chars().take(MAX_VALUE).collect()));
}

#[cfg(test)]
mod tests {
    use super::details;

    #[test]
    fn details_are_plain_values_without_secrets() {
        let payload = r#"{"email":"a@b.c","isEmailVerified":true,"codeHash":"x",
            "profile":{"firstName":"Ann","passwordHash":"$argon2id$"},"list":[1],"empty":""}"#;
        assert_eq!(
            details(payload),
            [
                ("email".to_owned(), "a@b.c".to_owned()),
                ("isEmailVerified".to_owned(), "true".to_owned()),
                ("profile.firstName".to_owned(), "Ann".to_owned()),
            ]
        );
        assert!(details("not json").is_empty());
    }
}
