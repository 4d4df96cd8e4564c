//! A user's history on the admin user page: every change, newest first, with who made it and
//! the plain values it carried, paged, for admins only; on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{ADMIN, ADMIN_PASSWORD, TestApp, TestDb};
use crate::factors::user;
use axum::http::StatusCode;
use serde_json::{Value, json};

on_both_databases!(
    changes_are_listed_with_who_made_them,
    long_histories_are_paged,
    only_admins_of_the_users_organisation_see_it,
);

fn profile(first_name: &str) -> Value {
    json!({"first_name": first_name, "last_name": "Lee", "nick_name": "", "display_name": format!("{first_name} Lee"), "preferred_language": "", "gender": "Unspecified"})
}

async fn history(app: &TestApp, cookie: &str, id: &str, before: Value) -> crate::common::Reply {
    app.server_fn(
        "user_history",
        Some(cookie),
        json!({"user_id": id, "before": before}),
    )
    .await
}

async fn changes_are_listed_with_who_made_them(db: &TestDb) {
    let app = TestApp::start(db).await;
    // Imported over REST by the bootstrap service account, then signed in.
    let (id, cookie) = user(&app, "ann").await;
    let (_, admin) = app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    let admin = admin.unwrap();
    let reply = app
        .server_fn(
            "update_own_profile",
            Some(&cookie),
            json!({"form": profile("Annie")}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let reply = app
        .server_fn(
            "update_user_profile",
            Some(&admin),
            json!({"user_id": id, "form": profile("Anne")}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);

    let page = history(&app, &admin, &id, Value::Null).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let entries = page.body["entries"].as_array().unwrap();
    let summary: Vec<(&str, Value)> = entries
        .iter()
        .map(|entry| {
            (
                entry["event_type"].as_str().unwrap(),
                entry["actor"].clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("user.human.profile.changed", json!({"Admin": "admin"})),
            ("user.human.profile.changed", json!("TheUser")),
            (
                "user.human.email.verified",
                json!({"Service": "roster-bootstrap"})
            ),
            ("user.human.added", json!({"Service": "roster-bootstrap"})),
        ]
    );
    let sequences: Vec<i64> = entries
        .iter()
        .map(|entry| entry["sequence"].as_i64().unwrap())
        .collect();
    assert_eq!(sequences, [4, 3, 2, 1], "newest first");
    assert_eq!(page.body["next_before"], Value::Null);
    // The values a change carried, without anything secret (the import set a password).
    let details = |entry: &Value| -> Vec<(String, String)> {
        serde_json::from_value(entry["details"].clone()).unwrap()
    };
    assert!(
        details(&entries[0]).contains(&("firstName".to_owned(), "Anne".to_owned())),
        "{:?}",
        details(&entries[0])
    );
    let added = details(&entries[3]);
    assert!(
        added.contains(&("userName".to_owned(), "ann".to_owned())),
        "{added:?}"
    );
    assert!(
        added
            .iter()
            .all(|(name, value)| !name.to_lowercase().contains("password")
                && !value.starts_with("$argon2")),
        "{added:?}"
    );
    assert!(entries[0]["at"].as_str().unwrap().ends_with('Z'));
}

async fn long_histories_are_paged(db: &TestDb) {
    let app = TestApp::start(db).await;
    let (id, cookie) = user(&app, "busy").await;
    for round in 0..60 {
        let reply = app
            .server_fn(
                "update_own_profile",
                Some(&cookie),
                json!({"form": profile(&format!("Name{round}"))}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    }
    let (_, admin) = app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    let admin = admin.unwrap();
    let mut seen = Vec::new();
    let mut before = Value::Null;
    loop {
        let page = history(&app, &admin, &id, before).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        let entries = page.body["entries"].as_array().unwrap();
        assert!(entries.len() <= 50);
        seen.extend(
            entries
                .iter()
                .map(|entry| entry["sequence"].as_i64().unwrap()),
        );
        before = page.body["next_before"].clone();
        if before.is_null() {
            break;
        }
    }
    // 2 import events and 60 profile changes, each once, newest first.
    assert_eq!(seen, (1..=62).rev().collect::<Vec<i64>>());
}

async fn only_admins_of_the_users_organisation_see_it(db: &TestDb) {
    let app = TestApp::start(db).await;
    let (id, _) = user(&app, "watched").await;
    let (_, plain) = user(&app, "nosy").await;
    let reply = history(&app, &plain, &id, Value::Null).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.text);
    let reply = app
        .server_fn("user_history", None, json!({"user_id": id, "before": null}))
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.text);
    let (_, admin) = app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    let reply = history(&app, &admin.unwrap(), "42", Value::Null).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.text);
}
