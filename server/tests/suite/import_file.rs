//! Imports the whole realistic batch (`tests/data/import/users.jsonl`) over REST on each
//! database, checks every row against its `expect`, and signs in over HTTP as a sample of the
//! users in `passwords.jsonl`, at least one per hash format.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{TestApp, TestDb};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;

on_both_databases!(the_whole_batch_imports_as_expected);

fn lines(name: &str) -> Vec<Value> {
    let path = format!("{}/tests/data/import/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn username_of(row: &Value) -> String {
    row.get("userName")
        .or_else(|| row.get("user_name"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_lowercase()
}

/// The text a refused row's error must contain, from its `expect.error`.
fn expected_fragment(error: &str) -> Vec<&'static str> {
    match error {
        e if e.starts_with("PGV: userName") => {
            vec!["ImportHumanUserRequest.UserName: value length"]
        }
        e if e.starts_with("PGV: firstName") => {
            vec!["ImportHumanUserRequest_Profile.FirstName: value length"]
        }
        e if e.starts_with("PGV: lastName") => {
            vec!["ImportHumanUserRequest_Profile.LastName: value length"]
        }
        e if e.starts_with("PGV: preferredLanguage") => {
            vec![
                "ImportHumanUserRequest_Profile.PreferredLanguage: value length must be at most 10 runes",
            ]
        }
        e if e.starts_with("PGV: profile required") => {
            vec!["ImportHumanUserRequest.Profile: value is required"]
        }
        e if e.starts_with("PGV: phone prefix") => vec!["Phone: value does not have prefix \"+\""],
        e if e.starts_with("PGV: email") => vec!["value must be a valid email address"],
        e if e.starts_with("EMAIL-599BI or PGV") => {
            vec!["(EMAIL-599BI)", "value must be a valid email address"]
        }
        e if e.starts_with("PHONE-so0wa") => vec!["(PHONE-so0wa)"],
        e if e.starts_with("DOMAIN-HuJf6") => vec!["(DOMAIN-HuJf6)"],
        e if e.starts_with("V3-DKcYh") => vec!["(V3-DKcYh)"],
        e if e.starts_with("Errors.User.Password.NotSupported") => vec!["(USER-JDk4t)"],
        e if e.starts_with("invalid enum") => vec!["invalid value for enum type"],
        other => panic!("no rule for expected error {other:?}"),
    }
}

async fn the_whole_batch_imports_as_expected(db: &TestDb) {
    let app = TestApp::start(db).await;
    let rows = lines("users.jsonl");
    assert_eq!(rows.len(), 1015);
    let mut ids: HashMap<String, (String, Value)> = HashMap::new();
    let mut hash_format: HashMap<String, String> = HashMap::new();
    for (line, row) in rows.iter().enumerate() {
        let mut body = row.clone();
        let expect = body.as_object_mut().unwrap().remove("expect").unwrap();
        let reply = app
            .api(Method::POST, "/users/human/_import", Some(&body))
            .await;
        let status = expect["status"].as_u64().unwrap() as u16;
        assert_eq!(
            reply.status.as_u16(),
            status,
            "line {}: {}",
            line + 1,
            reply.text
        );
        if status != 200 {
            let message = reply.body["message"].as_str().unwrap();
            let fragments = expected_fragment(expect["error"].as_str().unwrap());
            assert!(
                fragments.iter().any(|fragment| message.contains(fragment)),
                "line {}: {message:?} should contain one of {fragments:?}",
                line + 1
            );
            continue;
        }
        let has_link = reply.body.get("passwordlessRegistration").is_some();
        assert_eq!(
            has_link,
            expect["passwordlessLink"].as_bool().unwrap(),
            "line {}",
            line + 1
        );
        let id = reply.body["userId"].as_str().unwrap().to_owned();
        let hashed = body
            .get("hashedPassword")
            .or_else(|| body.get("hashed_password"))
            .and_then(|hash| hash["value"].as_str())
            .map(|value| value.split('$').nth(1).unwrap_or_default().to_owned());
        hash_format.insert(
            username_of(row),
            hashed.unwrap_or_else(|| "plain".to_owned()),
        );
        ids.insert(username_of(row), (id, expect));
    }

    // States and invitation mails, read back from the database.
    let mut conn = app.roster.services.db().conn().await.unwrap();
    for (username, (id, expect)) in &ids {
        let user = server::store::users::get(conn.exec(), id)
            .await
            .unwrap()
            .unwrap();
        let state = app::model::UserState::from_number(i64::from(user.state)).proto_name();
        assert_eq!(state, expect["state"].as_str().unwrap(), "{username}");
        let init_mails = server::store::outbox::for_user(conn.exec(), id)
            .await
            .unwrap()
            .into_iter()
            .filter(|message| message.template == "init")
            .count();
        assert_eq!(
            init_mails == 1,
            expect["initMail"].as_bool().unwrap(),
            "{username}"
        );
    }
    drop(conn);

    // Sign in as up to two users of every (format, state, must-change) group.
    let passwords = lines("passwords.jsonl");
    let mut per_group: HashMap<(String, String, bool), usize> = HashMap::new();
    let mut formats_signed_in: Vec<String> = Vec::new();
    for entry in &passwords {
        let username = entry["userName"].as_str().unwrap();
        let key = username.trim().to_lowercase();
        let (id, expect) = &ids[&key];
        let format = hash_format[&key].clone();
        let must_change = entry["mustChange"].as_bool().unwrap();
        let group = (
            format.clone(),
            expect["state"].as_str().unwrap().to_owned(),
            must_change,
        );
        let seen = per_group.entry(group).or_default();
        if *seen >= 2 {
            continue;
        }
        *seen += 1;
        let password = entry["password"].as_str().unwrap();
        let (reply, _) = app.sign_in(username, password).await;
        let expected = if expect["state"] == "USER_STATE_INITIAL" {
            "InitializationRequired"
        } else if must_change {
            "ChangePasswordRequired"
        } else {
            "SignedIn"
        };
        assert_eq!(
            reply.body,
            json!(expected),
            "{username} ({format}): {}",
            reply.text
        );
        let wrong = app.sign_in(username, &format!("{password}x")).await.0;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{username}");
        // Roster stored its own hash, and the password still works with it.
        let mut conn = app.roster.services.db().conn().await.unwrap();
        let user = server::store::users::get(conn.exec(), id)
            .await
            .unwrap()
            .unwrap();
        assert!(
            user.password_hash
                .unwrap()
                .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{username} ({format}) was re-hashed"
        );
        drop(conn);
        assert_eq!(
            app.sign_in(username, password).await.0.body,
            json!(expected),
            "{username} again"
        );
        formats_signed_in.push(format);
    }
    formats_signed_in.sort();
    formats_signed_in.dedup();
    assert_eq!(
        formats_signed_in,
        [
            "2b",
            "2y",
            "5",
            "6",
            "argon2id",
            "pbkdf2-sha256",
            "pbkdf2-sha512",
            "plain",
            "scrypt"
        ]
    );
}
