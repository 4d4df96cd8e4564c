//! The account page's email and phone changes, the forgotten-password flow, the lockout policy
//! and the admin user page's operations, through the server functions on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{ADMIN, ADMIN_PASSWORD, TestApp, TestDb};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use server::domain::clock::ManualClock;
use std::sync::Arc;

on_both_databases!(
    changing_the_own_email_waits_for_the_new_address,
    the_own_phone_is_verified_with_the_sms_code,
    a_forgotten_password_is_reset_from_the_mail,
    parallel_wrong_passwords_lock_the_account_exactly,
    admins_run_every_operation_from_the_user_page,
    changing_the_password_can_sign_out_other_devices,
    codes_burn_after_five_wrong_guesses,
    parallel_guesses_are_counted_before_they_are_compared,
    a_sign_in_that_races_the_lockout_is_refused,
    an_initial_user_is_kept_out_after_the_limit_too,
    wrong_current_passwords_count_towards_the_lockout,
);

const PASSWORD: &str = "Lantern-meadow-harbor-42";
const START: i64 = 1_800_000_000_000_000;

async fn user(app: &TestApp, name: &str) -> (String, String) {
    let body = json!({
        "userName": name,
        "profile": {"firstName": "Ann", "lastName": "Lee"},
        "email": {"email": format!("{name}@example.com"), "isEmailVerified": true},
        "password": PASSWORD,
    });
    let reply = app
        .api(Method::POST, "/users/human/_import", Some(&body))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let (signed_in, cookie) = app.sign_in(name, PASSWORD).await;
    assert_eq!(signed_in.body, json!("SignedIn"));
    (
        reply.body["userId"].as_str().unwrap().to_owned(),
        cookie.unwrap(),
    )
}

async fn act(app: &TestApp, cookie: &str, action: Value) -> crate::common::Reply {
    app.server_fn("account_action", Some(cookie), json!({ "action": action }))
        .await
}

/// The newest message to `recipient`, delivered to the outbox directory.
async fn message_to(app: &TestApp, recipient: &str) -> Option<String> {
    app.delivered_messages()
        .await
        .into_iter()
        .rev()
        .find(|text| text.starts_with(&format!("To: {recipient}\n")))
}

fn link_in(message: &str, path: &str) -> url::Url {
    url::Url::parse(
        message
            .split_whitespace()
            .find(|word| word.contains(path))
            .unwrap(),
    )
    .unwrap()
}

async fn changing_the_own_email_waits_for_the_new_address(db: &TestDb) {
    let clock = Arc::new(ManualClock::starting_at(START));
    let app = TestApp::start_with_clock(db, clock.clone()).await;
    let (id, cookie) = user(&app, "mover").await;

    // Ten minutes after signing in, an address change needs the password again.
    clock.advance_secs(11 * 60);
    let refused = act(
        &app,
        &cookie,
        json!({"ChangeEmail": {"email": "new@example.com"}}),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.body["code"], "ReauthRequired");
    let wrong = act(
        &app,
        &cookie,
        json!({"Reauthenticate": {"password": "nope"}}),
    )
    .await;
    assert_eq!(wrong.body["field"], "password");
    let ok = act(
        &app,
        &cookie,
        json!({"Reauthenticate": {"password": PASSWORD}}),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    // The session continues under a new token; the one from before is gone (ASVS 7.2.4).
    let old = cookie;
    let cookie = crate::common::session_cookie(&ok).expect("a new session cookie");
    assert_ne!(cookie, old);
    assert_eq!(
        app.server_fn("current_user", Some(&old), json!({}))
            .await
            .body,
        Value::Null
    );

    let bad = act(
        &app,
        &cookie,
        json!({"ChangeEmail": {"email": "not an address"}}),
    )
    .await;
    assert_eq!(bad.body["field"], "email");
    let asked = act(
        &app,
        &cookie,
        json!({"ChangeEmail": {"email": "new@example.com"}}),
    )
    .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.text);
    assert_eq!(
        asked.body["email"], "mover@example.com",
        "the current address stays"
    );
    assert_eq!(asked.body["pending_email"], "new@example.com");
    let notice = message_to(&app, "mover@example.com").await.unwrap();
    assert!(notice.contains("Template: email_change_notice") && notice.contains("new@example.com"));
    let mail = message_to(&app, "new@example.com").await.unwrap();
    let link = link_in(&mail, "/verify-email?");
    let code = crate::common::query_param(&link, "code").unwrap();
    let verified = app
        .server_fn("verify_email", None, json!({"user_id": id, "code": code}))
        .await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.text);
    let contact = app.server_fn("own_contact", Some(&cookie), json!({})).await;
    assert_eq!(contact.body["email"], "new@example.com");
    assert_eq!(contact.body["email_verified"], true);
    assert_eq!(contact.body["pending_email"], Value::Null);
    // The new address signs in too.
    assert_eq!(
        app.sign_in("new@example.com", PASSWORD).await.0.body,
        json!("SignedIn")
    );
}

async fn the_own_phone_is_verified_with_the_sms_code(db: &TestDb) {
    let app = TestApp::start(db).await;
    let (_, cookie) = user(&app, "caller").await;
    let bad = act(
        &app,
        &cookie,
        json!({"ChangePhone": {"phone": "0790000000"}}),
    )
    .await;
    assert_eq!(bad.body["field"], "phone");
    let added = act(
        &app,
        &cookie,
        json!({"ChangePhone": {"phone": "+41 79 123 45 67"}}),
    )
    .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.text);
    assert_eq!(added.body["phone"], "+41791234567");
    assert_eq!(added.body["phone_verified"], false);
    let sms = message_to(&app, "+41791234567").await.unwrap();
    let code = sms
        .split_whitespace()
        .map(|word| word.trim_end_matches('.'))
        .find(|word| {
            word.len() == 6
                && word
                    .chars()
                    .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit())
        })
        .unwrap()
        .to_owned();
    let flood = act(&app, &cookie, json!("ResendPhoneCode")).await;
    assert_eq!(
        flood.status,
        StatusCode::TOO_MANY_REQUESTS,
        "a new code at most once a minute"
    );
    let wrong = act(&app, &cookie, json!({"VerifyPhone": {"code": "000000"}})).await;
    assert_eq!(wrong.body["field"], "code");
    let verified = act(
        &app,
        &cookie,
        json!({"VerifyPhone": {"code": code.to_lowercase()}}),
    )
    .await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.text);
    assert_eq!(verified.body["phone_verified"], true);
    let again = act(&app, &cookie, json!({"VerifyPhone": {"code": code}})).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    let removed = act(&app, &cookie, json!("RemovePhone")).await;
    assert_eq!(removed.status, StatusCode::OK);
    assert_eq!(removed.body["phone"], Value::Null);
}

async fn a_forgotten_password_is_reset_from_the_mail(db: &TestDb) {
    let app = TestApp::start(db).await;
    let (id, cookie) = user(&app, "forgot").await;
    // Unknown and known logins get the same answer.
    let unknown = app
        .server_fn("request_password_reset", None, json!({"login": "nobody"}))
        .await;
    let known = app
        .server_fn(
            "request_password_reset",
            None,
            json!({"login": "Forgot@example.com"}),
        )
        .await;
    assert_eq!(
        (unknown.status, &unknown.body),
        (StatusCode::OK, &Value::Null)
    );
    assert_eq!((known.status, &known.body), (StatusCode::OK, &Value::Null));
    // An account that cannot reset (not activated yet) gets the same answer and no mail.
    let invited = json!({
        "userName": "notyet",
        "profile": {"firstName": "Ann", "lastName": "Lee"},
        "email": {"email": "notyet@example.com"},
    });
    let reply = app
        .api(Method::POST, "/users/human/_import", Some(&invited))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let ineligible = app
        .server_fn("request_password_reset", None, json!({"login": "notyet"}))
        .await;
    assert_eq!(
        (ineligible.status, &ineligible.body),
        (StatusCode::OK, &Value::Null)
    );
    assert!(
        app.delivered_messages()
            .await
            .iter()
            .all(|text| !(text.starts_with("To: notyet@example.com\n")
                && text.contains("Template: password_reset\n")))
    );
    // A second request within a minute sends nothing more.
    app.server_fn("request_password_reset", None, json!({"login": "forgot"}))
        .await;
    let resets: Vec<String> = app
        .delivered_messages()
        .await
        .into_iter()
        .filter(|text| {
            text.starts_with("To: forgot@example.com\n")
                && text.contains("Template: password_reset\n")
        })
        .collect();
    assert_eq!(resets.len(), 1);
    let link = link_in(&resets[0], "/reset-password?");
    assert_eq!(
        crate::common::query_param(&link, "userID").as_deref(),
        Some(id.as_str())
    );
    let code = crate::common::query_param(&link, "code").unwrap();
    let reset = |code: &str, password: &str| {
        app.server_fn(
            "reset_password",
            None,
            json!({"form": {"user_id": id, "code": code, "password": password, "password_confirmation": password}}),
        )
    };
    assert_eq!(
        reset("WRONG1", "Orchard-rain-lantern-77").await.body["field"],
        "code"
    );
    assert_eq!(reset(&code, "password").await.body["field"], "password");
    let done = reset(&code, "Orchard-rain-lantern-77").await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    assert_eq!(
        reset(&code, "Another-orchard-rain-78").await.status,
        StatusCode::BAD_REQUEST,
        "single use"
    );
    // Sessions ended; the new password works, the old one not; a notice went out.
    assert_eq!(
        app.server_fn("current_user", Some(&cookie), json!({}))
            .await
            .body,
        Value::Null
    );
    assert_eq!(
        app.sign_in("forgot", "Orchard-rain-lantern-77")
            .await
            .0
            .body,
        json!("SignedIn")
    );
    assert_eq!(
        app.sign_in("forgot", PASSWORD).await.0.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(
        message_to(&app, "forgot@example.com")
            .await
            .unwrap()
            .contains("Template: password_changed")
    );
}

async fn parallel_wrong_passwords_lock_the_account_exactly(db: &TestDb) {
    let app = TestApp::start_with(
        db,
        Arc::new(server::domain::clock::SystemClock),
        &[("ROSTER_LOCKOUT_MAX_PASSWORD_ATTEMPTS", "3")],
    )
    .await;
    let (id, _) = user(&app, "target").await;
    let app = Arc::new(app);
    let attempts: Vec<_> = (0..8)
        .map(|index| {
            let app = app.clone();
            tokio::spawn(async move {
                app.sign_in("target", &format!("wrong-{index}"))
                    .await
                    .0
                    .status
            })
        })
        .collect();
    for attempt in attempts {
        assert_eq!(attempt.await.unwrap(), StatusCode::UNAUTHORIZED);
    }
    let mut conn = app.roster.services.db().conn().await.unwrap();
    let row = server::store::users::get(conn.exec(), &id)
        .await
        .unwrap()
        .unwrap();
    drop(conn);
    assert_eq!(
        row.failed_password_attempts, 8,
        "every failure counted, none lost"
    );
    assert_eq!(row.state, 4, "locked");
    // Locking is an event of its own, written once, and the user's sequence follows it.
    let mut conn = app.roster.services.db().conn().await.unwrap();
    let events = server::store::events::for_aggregate(conn.exec(), &id)
        .await
        .unwrap();
    drop(conn);
    let locks: Vec<_> = events
        .iter()
        .filter(|event| event.event_type == "user.locked")
        .collect();
    assert_eq!(locks.len(), 1, "{events:?}");
    assert_eq!(locks[0].payload, r#"{"reason":"password attempts"}"#);
    assert_eq!(row.sequence, events.last().unwrap().sequence);
    assert_eq!(events.last().unwrap().event_type, "user.locked");
    let details = app
        .api(Method::GET, &format!("/users/{id}/email"), None)
        .await;
    assert_eq!(
        details.body["details"]["sequence"],
        json!(row.sequence.to_string())
    );
    // Locked: even the right password fails, with the same message.
    let locked = app.sign_in("target", PASSWORD).await.0;
    assert_eq!(locked.status, StatusCode::UNAUTHORIZED);
    assert_eq!(locked.body["message"], "The username or password is wrong");
    // An admin unlocks; the counter starts over.
    let (_, admin) = app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    let admin = admin.unwrap();
    let unlocked = app
        .server_fn(
            "admin_user_action",
            Some(&admin),
            json!({"user_id": id, "action": "Unlock"}),
        )
        .await;
    assert_eq!(unlocked.status, StatusCode::OK, "{}", unlocked.text);
    assert_eq!(unlocked.body["state"], "Active");
    assert_eq!(unlocked.body["failed_password_attempts"], 0);
    let again = app
        .server_fn(
            "admin_user_action",
            Some(&admin),
            json!({"user_id": id, "action": "Unlock"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "not locked any more");
    assert_eq!(
        app.sign_in("target", PASSWORD).await.0.body,
        json!("SignedIn")
    );
}

async fn admins_run_every_operation_from_the_user_page(db: &TestDb) {
    let app = TestApp::start(db).await;
    let (id, user_cookie) = user(&app, "managed").await;
    let (_, admin) = app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    let admin = admin.unwrap();
    let run = |action: Value| {
        app.server_fn(
            "admin_user_action",
            Some(&admin),
            json!({"user_id": id, "action": action}),
        )
    };
    let detail =
        run(json!({"UpdateEmail": {"email": "managed2@example.com", "verified": false}})).await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.text);
    assert_eq!(
        (
            detail.body["email"].as_str(),
            detail.body["email_verified"].as_bool()
        ),
        (Some("managed2@example.com"), Some(false))
    );
    assert_eq!(
        run(json!("ResendEmailVerification")).await.status,
        StatusCode::OK
    );
    let phone = run(json!({"UpdatePhone": {"phone": "+49 30 1234567", "verified": false}})).await;
    assert_eq!(phone.body["phone"], "+49301234567");
    assert_eq!(
        run(json!("ResendPhoneVerification")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        run(json!({"SendPasswordReset": {"by_sms": true}}))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        run(json!({"SendPasswordReset": {"by_sms": false}}))
            .await
            .status,
        StatusCode::OK
    );
    let removed = run(json!("RemovePhone")).await;
    assert_eq!(removed.body["phone"], Value::Null);
    let invalid = run(json!({"SetPassword": {"password": "short", "change_required": true}})).await;
    assert_eq!(invalid.body["field"], "password");
    let set = run(
        json!({"SetPassword": {"password": "Orchard-rain-lantern-77", "change_required": true}}),
    )
    .await;
    assert_eq!(set.body["password_change_required"], true);
    assert_eq!(
        app.server_fn("current_user", Some(&user_cookie), json!({}))
            .await
            .body,
        Value::Null,
        "sessions ended"
    );
    assert_eq!(
        run(json!("ResendInitialization")).await.body["code"],
        "FailedPrecondition"
    );

    // The messages, with their delivery history; a failed one can be sent again.
    let messages = app
        .server_fn("user_messages", Some(&admin), json!({"user_id": id}))
        .await;
    let list = messages.body.as_array().unwrap();
    let mut kinds: Vec<&str> = list
        .iter()
        .map(|message| message["template"].as_str().unwrap())
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            "password_changed",
            "password_reset",
            "password_reset",
            "verify_email",
            "verify_email",
            "verify_phone",
            "verify_phone"
        ]
    );
    app.delivered_messages().await;
    let messages = app
        .server_fn("user_messages", Some(&admin), json!({"user_id": id}))
        .await;
    let first = &messages.body[0];
    assert_eq!(first["state"], "sent");
    assert_eq!(first["history"][0]["outcome"], "sent");
    let message_id = first["id"].as_str().unwrap().to_owned();
    let not_failed = app
        .server_fn(
            "retry_message",
            Some(&admin),
            json!({"user_id": id, "message_id": message_id}),
        )
        .await;
    assert_eq!(not_failed.status, StatusCode::BAD_REQUEST);
    // A new notice that a worker gives up on (as after a day of failed attempts).
    let set = run(
        json!({"SetPassword": {"password": "Orchard-rain-lantern-78", "change_required": true}}),
    )
    .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text);
    let failed_id = {
        let db = app.roster.services.db();
        let mut tx = db.begin().await.unwrap();
        let claimed = server::store::outbox::claim_next(tx.exec(), i64::MAX / 2, 60_000_000)
            .await
            .unwrap()
            .unwrap();
        assert!(
            server::store::outbox::mark_failed(
                tx.exec(),
                &claimed.id,
                claimed.attempts,
                "mailbox full",
                None
            )
            .await
            .unwrap()
        );
        tx.commit().await.unwrap();
        claimed.id
    };
    let retried = app
        .server_fn(
            "retry_message",
            Some(&admin),
            json!({"user_id": id, "message_id": failed_id}),
        )
        .await;
    assert_eq!(retried.status, StatusCode::OK, "{}", retried.text);
    assert_eq!(retried.body[0]["state"], "queued");
    assert!(
        message_to(&app, "managed2@example.com")
            .await
            .unwrap()
            .contains("Template: password_changed"),
        "sent again"
    );

    // None of it for a plain user.
    let (_, plain) = user(&app, "bystander").await;
    for (name, args) in [
        (
            "admin_user_action",
            json!({"user_id": id, "action": "RemovePhone"}),
        ),
        ("user_messages", json!({"user_id": id})),
        (
            "retry_message",
            json!({"user_id": id, "message_id": message_id}),
        ),
    ] {
        let reply = app.server_fn(name, Some(&plain), args).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{name}");
    }
}

async fn changing_the_password_can_sign_out_other_devices(db: &TestDb) {
    let app = TestApp::start(db).await;
    let (_, laptop) = user(&app, "traveller").await;
    let (_, phone) = app.sign_in("traveller", PASSWORD).await;
    let phone = phone.unwrap();
    let change = app
        .server_fn(
            "change_password",
            Some(&laptop),
            json!({"current_password": PASSWORD, "new_password": "Orchard-rain-lantern-77", "sign_out_others": true}),
        )
        .await;
    assert_eq!(change.status, StatusCode::OK, "{}", change.text);
    // This device continues under a new token; the old one is gone like the other device's.
    let renewed = crate::common::session_cookie(&change).expect("a new session cookie");
    assert_eq!(
        app.server_fn("current_user", Some(&renewed), json!({}))
            .await
            .body["username"],
        "traveller"
    );
    assert_eq!(
        app.server_fn("current_user", Some(&laptop), json!({}))
            .await
            .body,
        Value::Null
    );
    assert_eq!(
        app.server_fn("current_user", Some(&phone), json!({}))
            .await
            .body,
        Value::Null
    );
    assert!(
        message_to(&app, "traveller@example.com")
            .await
            .unwrap()
            .contains("Template: password_changed")
    );
}

/// The six-character code in an SMS text.
fn code_in(text: &str) -> String {
    text.split_whitespace()
        .map(|word| word.trim_end_matches('.'))
        .find(|word| {
            word.len() == 6
                && word
                    .chars()
                    .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit())
        })
        .unwrap()
        .to_owned()
}

/// A wrong code of the same shape as `right`.
fn wrong(right: &str, index: usize) -> String {
    let candidate = format!("ZZZZ{index:02}");
    assert_ne!(candidate, right);
    candidate
}

async fn codes_burn_after_five_wrong_guesses(db: &TestDb) {
    let app = TestApp::start(db).await;
    let (id, cookie) = user(&app, "guessed").await;

    // Email verification.
    let asked = act(
        &app,
        &cookie,
        json!({"ChangeEmail": {"email": "fresh@example.com"}}),
    )
    .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.text);
    let mail = message_to(&app, "fresh@example.com").await.unwrap();
    let code = crate::common::query_param(&link_in(&mail, "/verify-email?"), "code").unwrap();
    let verify =
        |code: String| app.server_fn("verify_email", None, json!({"user_id": id, "code": code}));
    for index in 0..5 {
        assert_eq!(
            verify(wrong(&code, index)).await.body["field"],
            "code",
            "guess {index}"
        );
    }
    assert_eq!(
        verify(code).await.body["field"],
        "code",
        "burned: the right code is refused"
    );

    // Phone verification.
    let added = act(
        &app,
        &cookie,
        json!({"ChangePhone": {"phone": "+41 79 123 45 67"}}),
    )
    .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.text);
    let code = code_in(&message_to(&app, "+41791234567").await.unwrap());
    for index in 0..5 {
        let guess = act(
            &app,
            &cookie,
            json!({"VerifyPhone": {"code": wrong(&code, index)}}),
        )
        .await;
        assert_eq!(guess.body["field"], "code", "guess {index}");
    }
    let right = act(&app, &cookie, json!({"VerifyPhone": {"code": code}})).await;
    assert_eq!(
        right.body["field"], "code",
        "burned: the right code is refused"
    );

    // Password reset.
    app.server_fn("request_password_reset", None, json!({"login": "guessed"}))
        .await;
    let mail = message_to(&app, "guessed@example.com").await.unwrap();
    assert!(mail.contains("Template: password_reset\n"), "{mail}");
    let code = crate::common::query_param(&link_in(&mail, "/reset-password?"), "code").unwrap();
    let reset = |code: String| {
        app.server_fn(
            "reset_password",
            None,
            json!({"form": {"user_id": id, "code": code, "password": "Orchard-rain-lantern-77", "password_confirmation": "Orchard-rain-lantern-77"}}),
        )
    };
    for index in 0..5 {
        assert_eq!(
            reset(wrong(&code, index)).await.body["field"],
            "code",
            "guess {index}"
        );
    }
    assert_eq!(
        reset(code).await.body["field"],
        "code",
        "burned: the right code is refused"
    );
    assert_eq!(
        app.sign_in("guessed", PASSWORD).await.0.body,
        json!("SignedIn"),
        "the password stayed"
    );
}

async fn parallel_guesses_are_counted_before_they_are_compared(db: &TestDb) {
    let app = Arc::new(TestApp::start(db).await);
    let (id, _) = user(&app, "raced").await;
    app.server_fn("request_password_reset", None, json!({"login": "raced"}))
        .await;
    let mail = message_to(&app, "raced@example.com").await.unwrap();
    let code = crate::common::query_param(&link_in(&mail, "/reset-password?"), "code").unwrap();
    let guesses: Vec<_> = (0..10)
        .map(|index| {
            let (app, id, guess) = (app.clone(), id.clone(), wrong(&code, index));
            tokio::spawn(async move {
                app.roster
                    .services
                    .reset_password(
                        &id,
                        &guess,
                        "Orchard-rain-lantern-77",
                        "Orchard-rain-lantern-77",
                    )
                    .await
                    .is_err()
            })
        })
        .collect();
    for guess in guesses {
        assert!(guess.await.unwrap());
    }
    // Only five guesses were compared; the other five were refused unseen.
    let mut conn = app.roster.services.db().conn().await.unwrap();
    let stored = server::store::codes::latest(conn.exec(), &id, "password_reset")
        .await
        .unwrap()
        .unwrap();
    drop(conn);
    assert_eq!(stored.failed_attempts, 5);
    let right = app
        .server_fn(
            "reset_password",
            None,
            json!({"form": {"user_id": id, "code": code, "password": "Orchard-rain-lantern-77", "password_confirmation": "Orchard-rain-lantern-77"}}),
        )
        .await;
    assert_eq!(
        right.body["field"], "code",
        "burned: the right code is refused"
    );
}

async fn a_sign_in_that_races_the_lockout_is_refused(db: &TestDb) {
    let app = Arc::new(TestApp::start(db).await);
    let (id, _) = user(&app, "racer").await;
    // Another request holds the user row: it is about to lock the account (as the last of
    // several wrong guesses would).
    let store = app.roster.services.db();
    let mut tx = store.begin().await.unwrap();
    let row = server::store::users::get_for_update(tx.exec(), &id)
        .await
        .unwrap()
        .unwrap();
    // Meanwhile the right password arrives: it reads the active account and checks the hash.
    let racing = {
        let app = app.clone();
        tokio::spawn(async move { app.sign_in("racer", PASSWORD).await.0 })
    };
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    server::store::users::set_state(
        tx.exec(),
        &id,
        4,
        server::store::users::Stamp {
            sequence: row.sequence,
            at: row.changed_at,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    // The sign-in decides on the locked row: refused, like any other failure.
    let reply = racing.await.unwrap();
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.text);
    assert_eq!(reply.body["message"], "The username or password is wrong");
}

async fn an_initial_user_is_kept_out_after_the_limit_too(db: &TestDb) {
    let app = TestApp::start_with(
        db,
        Arc::new(server::domain::clock::SystemClock),
        &[("ROSTER_LOCKOUT_MAX_PASSWORD_ATTEMPTS", "3")],
    )
    .await;
    // Imported with a password but an unverified address: INITIAL, may sign in to activate.
    let body = json!({
        "userName": "invited",
        "profile": {"firstName": "Ann", "lastName": "Lee"},
        "email": {"email": "invited@example.com"},
        "password": PASSWORD,
    });
    let reply = app
        .api(Method::POST, "/users/human/_import", Some(&body))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let id = reply.body["userId"].as_str().unwrap().to_owned();
    let (first, cookie) = app.sign_in("invited", PASSWORD).await;
    assert_eq!(first.body, json!("InitializationRequired"));
    let cookie = cookie.unwrap();

    for index in 0..3 {
        let wrong = app.sign_in("invited", &format!("wrong-{index}")).await.0;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    // Still INITIAL, but kept out: the right password fails like any other failure, and the
    // session opened before ended.
    let refused = app.sign_in("invited", PASSWORD).await.0;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.body["message"], "The username or password is wrong");
    assert_eq!(
        app.server_fn("current_user", Some(&cookie), json!({}))
            .await
            .body,
        Value::Null
    );
    let (_, admin) = app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    let admin = admin.unwrap();
    let detail = app
        .server_fn("get_user_detail", Some(&admin), json!({"user_id": id}))
        .await;
    assert_eq!(
        (&detail.body["state"], &detail.body["locked_out"]),
        (&json!("Initial"), &json!(true)),
        "{}",
        detail.text
    );

    // The administrator's unlock lets them in again, to the activation step.
    let unlocked = app
        .server_fn(
            "admin_user_action",
            Some(&admin),
            json!({"user_id": id, "action": "Unlock"}),
        )
        .await;
    assert_eq!(unlocked.status, StatusCode::OK, "{}", unlocked.text);
    assert_eq!(unlocked.body["state"], "Initial");
    assert_eq!(unlocked.body["failed_password_attempts"], 0);
    assert_eq!(unlocked.body["locked_out"], false);
    assert_eq!(
        app.sign_in("invited", PASSWORD).await.0.body,
        json!("InitializationRequired")
    );
    let again = app
        .server_fn(
            "admin_user_action",
            Some(&admin),
            json!({"user_id": id, "action": "Unlock"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "nothing to unlock");
}

async fn wrong_current_passwords_count_towards_the_lockout(db: &TestDb) {
    let app = TestApp::start_with(
        db,
        Arc::new(server::domain::clock::SystemClock),
        &[("ROSTER_LOCKOUT_MAX_PASSWORD_ATTEMPTS", "3")],
    )
    .await;
    let (id, cookie) = user(&app, "changer").await;
    let change = |current: String| {
        app.server_fn(
            "change_password",
            Some(&cookie),
            json!({"current_password": current, "new_password": "Orchard-rain-lantern-77", "sign_out_others": false}),
        )
    };
    for index in 0..2 {
        let wrong = change(format!("wrong-{index}")).await;
        assert_eq!(wrong.status, StatusCode::BAD_REQUEST, "{}", wrong.text);
    }
    let db = app.roster.services.db();
    let row = || {
        let (db, id) = (db.clone(), id.clone());
        async move {
            let mut conn = db.conn().await.unwrap();
            server::store::users::get(conn.exec(), &id)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let counted = row().await;
    assert_eq!((counted.failed_password_attempts, counted.state), (2, 1));
    // The third wrong guess locks the account and ends the session.
    assert_eq!(
        change("wrong-2".to_owned()).await.status,
        StatusCode::BAD_REQUEST
    );
    let locked = row().await;
    assert_eq!((locked.failed_password_attempts, locked.state), (3, 4));
    assert_eq!(
        app.server_fn("current_user", Some(&cookie), json!({}))
            .await
            .body,
        Value::Null
    );
    assert_eq!(
        app.sign_in("changer", PASSWORD).await.0.status,
        StatusCode::UNAUTHORIZED
    );
}
