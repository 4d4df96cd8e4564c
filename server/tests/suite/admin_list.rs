//! The admin user list: every sortable column in both directions, the state filter, keyset
//! paging that visits every user exactly once, thumbnails, and refused cursors, on SQLite and
//! PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{ADMIN, ADMIN_PASSWORD, TestApp, TestDb};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

on_both_databases!(
    every_column_sorts_both_ways_and_pages_completely,
    the_state_filter_narrows_the_list,
    cursors_are_checked,
);

/// (username, display name, email, active?) — every column orders them differently.
const PEOPLE: [(&str, &str, &str, bool); 6] = [
    ("kim", "Zora Kim", "b.kim@example.com", true),
    ("lee", "yan Lee", "f.lee@example.com", false),
    ("mo", "Xavier Mo", "a.mo@example.com", true),
    ("ng", "Wendy Ng", "e.ng@example.com", false),
    ("oz", "Vera Oz", "c.oz@example.com", true),
    ("pu", "Ursula Pu", "d.pu@example.com", true),
];

/// Imports the people in table order (so creation order is table order, after the admin).
async fn seed(app: &TestApp) {
    for (username, display_name, email, active) in PEOPLE {
        let mut body = json!({
            "userName": username,
            "profile": {"firstName": "Test", "lastName": "Person", "displayName": display_name},
            "email": {"email": email, "isEmailVerified": active},
        });
        if active {
            body["password"] = json!("Lantern-meadow-harbor-42");
        }
        let reply = app
            .api(Method::POST, "/users/human/_import", Some(&body))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    }
}

/// Walks every page of a listing, two rows at a time, and returns the usernames in order.
async fn walk(app: &TestApp, cookie: &str, mut query: Value) -> Vec<String> {
    let mut names = Vec::new();
    query["limit"] = json!(2);
    if query.get("search").is_none() {
        query["search"] = json!("");
    }
    for _ in 0..20 {
        let reply = app
            .server_fn("list_users", Some(cookie), json!({ "query": query }))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        for user in reply.body["users"].as_array().unwrap() {
            names.push(user["username"].as_str().unwrap().to_owned());
        }
        if reply.body["next_cursor"].is_null() {
            return names;
        }
        query["after"] = reply.body["next_cursor"].clone();
    }
    panic!("paging did not end: {names:?}");
}

fn sorted(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| (*name).to_owned()).collect()
}

fn reversed(names: &[&str]) -> Vec<String> {
    names.iter().rev().map(|name| (*name).to_owned()).collect()
}

async fn admin(app: &TestApp) -> String {
    app.sign_in(ADMIN, ADMIN_PASSWORD).await.1.unwrap()
}

async fn every_column_sorts_both_ways_and_pages_completely(db: &TestDb) {
    let app = TestApp::start(db).await;
    seed(&app).await;
    let cookie = admin(&app).await;
    let by = |sort: &str, descending: bool| json!({"sort": sort, "descending": descending});

    // Each order, ascending and descending; lower and upper case sort together.
    let orders: [(&str, &[&str]); 5] = [
        ("Username", &["admin", "kim", "lee", "mo", "ng", "oz", "pu"]),
        // "Roster Administrator", then Ursula, Vera, Wendy, Xavier, yan, Zora.
        (
            "DisplayName",
            &["admin", "pu", "oz", "ng", "mo", "lee", "kim"],
        ),
        // a.mo, admin@example.com ('.' sorts before 'd'), b.kim, c.oz, d.pu, e.ng, f.lee
        ("Email", &["mo", "admin", "kim", "oz", "pu", "ng", "lee"]),
        ("Created", &["admin", "kim", "lee", "mo", "ng", "oz", "pu"]),
        // Active (1) by username, then Initial (6) by username.
        ("State", &["admin", "kim", "mo", "oz", "pu", "lee", "ng"]),
    ];
    for (sort, expected) in orders {
        assert_eq!(
            walk(&app, &cookie, by(sort, false)).await,
            sorted(expected),
            "{sort} ascending"
        );
        assert_eq!(
            walk(&app, &cookie, by(sort, true)).await,
            reversed(expected),
            "{sort} descending"
        );
    }
    // Old clients that send no sort get usernames in order.
    assert_eq!(
        walk(&app, &cookie, json!({"after": null})).await,
        sorted(orders[0].1)
    );
    // Search and sort together.
    assert_eq!(
        walk(
            &app,
            &cookie,
            json!({"search": "test", "sort": "Email", "descending": true})
        )
        .await,
        sorted(&["lee", "ng", "pu", "oz", "kim", "mo"]),
    );

    // Each row carries what the list shows: creation time and the thumbnail.
    let reply = app
        .server_fn(
            "list_users",
            Some(&cookie),
            json!({"query": {"search": "kim", "after": null, "limit": 10}}),
        )
        .await;
    let kim = &reply.body["users"][0];
    assert!(kim["created_at"].as_str().unwrap().ends_with('Z'), "{kim}");
    assert_eq!(kim["avatar_url"], Value::Null);
}

async fn the_state_filter_narrows_the_list(db: &TestDb) {
    let app = TestApp::start(db).await;
    seed(&app).await;
    let cookie = admin(&app).await;
    let initial = walk(&app, &cookie, json!({"state": "Initial"})).await;
    assert_eq!(initial, sorted(&["lee", "ng"]));
    let active = walk(
        &app,
        &cookie,
        json!({"state": "Active", "sort": "DisplayName", "descending": true}),
    )
    .await;
    assert_eq!(active, sorted(&["kim", "mo", "oz", "pu", "admin"]));
    let reply = app
        .server_fn(
            "list_users",
            Some(&cookie),
            json!({"query": {"search": "", "after": null, "limit": 10, "state": "Initial"}}),
        )
        .await;
    assert_eq!(reply.body["total"], 2, "the count follows the filter");
    assert!(
        walk(&app, &cookie, json!({"state": "Locked"}))
            .await
            .is_empty()
    );
}

async fn cursors_are_checked(db: &TestDb) {
    let app = TestApp::start(db).await;
    seed(&app).await;
    let cookie = admin(&app).await;
    let list = |query: Value| app.server_fn("list_users", Some(&cookie), json!({ "query": query }));
    let first = list(json!({"search": "", "after": null, "limit": 2, "sort": "Email"})).await;
    let cursor = first.body["next_cursor"].clone();
    assert!(cursor.is_string());
    // A cursor made for text cannot continue a list ordered by date, nor can garbage.
    for (sort, after) in [
        ("Created", cursor.clone()),
        ("Username", json!("not a cursor")),
        ("State", json!("[\"x\",\"y\"]")),
        ("Email", json!("[1,2,3]")),
    ] {
        let reply = list(json!({"search": "", "after": after, "limit": 2, "sort": sort})).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{sort}: {}",
            reply.text
        );
        assert_eq!(reply.body["field"], "after");
    }
    // A plain user may not list at all.
    let body = json!({
        "userName": "plain",
        "profile": {"firstName": "P", "lastName": "Q"},
        "email": {"email": "plain@example.com", "isEmailVerified": true},
        "password": "Lantern-meadow-harbor-42",
    });
    app.api(Method::POST, "/users/human/_import", Some(&body))
        .await;
    let plain = app
        .sign_in("plain", "Lantern-meadow-harbor-42")
        .await
        .1
        .unwrap();
    let reply = app
        .server_fn(
            "list_users",
            Some(&plain),
            json!({"query": {"search": "", "after": null, "limit": 2}}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}
