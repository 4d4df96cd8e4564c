//! Second factors and passkeys through the server functions, with a software authenticator
//! (real WebAuthn verification) and real TOTP codes, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::authenticator::SoftCredential;
use crate::common::{
    ADMIN, ADMIN_PASSWORD, ORIGIN, Reply, TestApp, TestDb, query_param, session_cookie,
};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use server::domain::clock::{Clock as _, ManualClock};
use std::sync::Arc;

on_both_databases!(
    totp_is_set_up_and_asked_for_after_the_password,
    totp_codes_are_single_use_even_in_parallel,
    wrong_totp_codes_lock_the_account_at_the_policy_limit,
    security_keys_are_the_second_step,
    passkeys_sign_in_without_a_password,
    a_ceremony_finishes_on_another_instance,
    registration_links_register_a_passkey_once,
    factors_are_changed_only_by_their_owner_and_admins,
    factor_changes_end_other_sessions_and_tell_the_user,
    three_wrong_link_codes_revoke_the_link_even_mid_ceremony,
    passkey_only_users_confirm_it_is_them_with_their_passkey,
    stale_sessions_cannot_change_factors,
    passkey_sign_in_leads_to_the_pending_step,
    locked_and_inactive_users_cannot_use_passkey_links,
    a_confirmed_app_is_never_replaced_by_a_parallel_start,
    user_managers_may_mail_links_but_not_make_them,
    a_credential_is_registered_once_across_users,
    cloned_authenticators_and_unverified_passkeys_are_refused,
    ceremonies_expire,
    passkeys_are_renamed_by_their_owner_only,
    parallel_link_ceremonies_store_one_passkey,
    totp_secrets_are_encrypted_at_rest,
    open_passkey_sign_ins_are_bounded,
);

pub const PASSWORD: &str = "Lantern-meadow-harbor-42";
const START: i64 = 1_800_000_000_000_000;

/// Imports an active user and signs them in; returns the user id and session cookie.
pub async fn user(app: &TestApp, name: &str) -> (String, String) {
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

async fn call(app: &TestApp, name: &str, cookie: &str, args: Value) -> Reply {
    app.server_fn(name, Some(cookie), args).await
}

fn ok(reply: Reply) -> Value {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.body
}

/// A cookie from before the second step signs in nothing: it is neither half nor fully
/// signed in, and cannot be used to pass the second step again.
async fn assert_the_old_cookie_is_dead(app: &TestApp, old: &str) {
    let me = ok(call(app, "current_user", old, json!({})).await);
    assert_eq!(me, Value::Null, "the pre-second-factor token is gone");
    let profile = call(app, "own_profile", old, json!({})).await;
    assert_eq!(profile.status, StatusCode::UNAUTHORIZED, "{}", profile.text);
    let choice = call(app, "second_factor_choice", old, json!({})).await;
    assert_eq!(choice.status, StatusCode::UNAUTHORIZED, "{}", choice.text);
}

/// Confirms the password again and returns the cookie the session continues under; the old
/// one stops working (ASVS 7.2.4).
async fn reauthenticate(app: &TestApp, cookie: &str) -> String {
    let reply = call(
        app,
        "account_action",
        cookie,
        json!({"action": {"Reauthenticate": {"password": PASSWORD}}}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let renewed = session_cookie(&reply).expect("a new session cookie");
    assert_ne!(renewed, cookie);
    let me = ok(call(app, "current_user", cookie, json!({})).await);
    assert_eq!(me, Value::Null, "the token from before is gone");
    renewed
}

/// Registers a credential of `kind` ("SecurityKey" or "Passkey") for the signed-in user.
pub async fn register(
    app: &TestApp,
    cookie: &str,
    kind: &str,
    name: &str,
) -> (SoftCredential, Value) {
    let challenge = ok(call(
        app,
        "start_credential_registration",
        cookie,
        json!({"kind": kind, "name": name}),
    )
    .await);
    let (credential, response) =
        SoftCredential::register(&challenge["options"], ORIGIN, kind == "Passkey");
    let factors = ok(call(
        app,
        "finish_credential_registration",
        cookie,
        json!({"kind": kind, "ceremony_id": challenge["ceremony_id"], "response": response}),
    )
    .await);
    (credential, factors)
}

/// The TOTP code for a base32 secret at a clock time (microseconds).
fn totp_code(secret: &str, micros: i64) -> String {
    totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret).unwrap())
        .build()
        .unwrap()
        .generate((micros / 1_000_000) as u64)
        .to_string()
}

/// Sets up TOTP for the signed-in user and returns the secret.
async fn enrol_totp(app: &TestApp, clock: &ManualClock, cookie: &str) -> String {
    let setup = ok(call(app, "start_totp", cookie, json!({})).await);
    let secret = setup["secret"].as_str().unwrap().to_owned();
    assert!(
        setup["otpauth_url"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/")
    );
    assert!(
        setup["qr_code"]
            .as_str()
            .unwrap()
            .starts_with("data:image/svg+xml;base64,")
    );
    let wrong = call(app, "confirm_totp", cookie, json!({"code": "000000"})).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong.body["field"], "code");
    let factors = ok(call(
        app,
        "confirm_totp",
        cookie,
        json!({"code": totp_code(&secret, clock.now())}),
    )
    .await);
    assert_eq!(factors["totp_ready"], true);
    secret
}

async fn totp_is_set_up_and_asked_for_after_the_password(db: &TestDb) {
    let clock = Arc::new(ManualClock::starting_at(START));
    let app = TestApp::start_with_clock(db, clock.clone()).await;
    let (_, cookie) = user(&app, "apper").await;
    let secret = enrol_totp(&app, &clock, &cookie).await;
    let again = call(&app, "start_totp", &cookie, json!({})).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "one app at a time");

    // The password alone now opens only the second step.
    clock.advance_secs(60);
    let (reply, half) = app.sign_in("apper", PASSWORD).await;
    assert_eq!(reply.body, json!("SecondFactorRequired"));
    let half = half.unwrap();
    let me = ok(call(&app, "current_user", &half, json!({})).await);
    assert_eq!(me["gate"], "SecondFactor");
    for blocked in ["own_profile", "own_factors", "start_totp"] {
        let reply = call(&app, blocked, &half, json!({})).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{blocked}");
        assert_eq!(reply.body["code"], "StepRequired", "{blocked}");
    }
    let choice = ok(call(&app, "second_factor_choice", &half, json!({})).await);
    assert_eq!(choice["totp"], true);
    assert_eq!(choice["security_key"], Value::Null);

    let wrong = call(
        &app,
        "finish_totp_sign_in",
        &half,
        json!({"code": "12345x"}),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    let overlong = call(
        &app,
        "finish_totp_sign_in",
        &half,
        json!({"code": "1".repeat(10_000)}),
    )
    .await;
    assert_eq!(overlong.status, StatusCode::BAD_REQUEST);
    let code = totp_code(&secret, clock.now());
    let passed = call(&app, "finish_totp_sign_in", &half, json!({"code": code})).await;
    let full = session_cookie(&passed).expect("a new session cookie");
    ok(passed);
    assert_ne!(full, half, "the session token is rotated");
    ok(call(&app, "own_profile", &full, json!({})).await);
    assert_the_old_cookie_is_dead(&app, &half).await;
    let twice = call(&app, "finish_totp_sign_in", &full, json!({"code": code})).await;
    assert_eq!(
        twice.status,
        StatusCode::BAD_REQUEST,
        "nothing owed any more"
    );

    // Removing the app needs a recent sign-in, then the password alone is enough again.
    clock.advance_secs(11 * 60);
    let stale = call(&app, "remove_totp", &full, json!({})).await;
    assert_eq!(stale.body["code"], "ReauthRequired");
    let full = reauthenticate(&app, &full).await;
    let factors = ok(call(&app, "remove_totp", &full, json!({})).await);
    assert_eq!(factors["totp_ready"], false);
    let (reply, _) = app.sign_in("apper", PASSWORD).await;
    assert_eq!(reply.body, json!("SignedIn"));
}

async fn totp_codes_are_single_use_even_in_parallel(db: &TestDb) {
    let clock = Arc::new(ManualClock::starting_at(START));
    let app = TestApp::start_with_clock(db, clock.clone()).await;
    let (id, cookie) = user(&app, "racer").await;
    let secret = enrol_totp(&app, &clock, &cookie).await;

    // The code that confirmed the app cannot sign in; the replay is an audit event, and the
    // user is told.
    let (_, half) = app.sign_in("racer", PASSWORD).await;
    let half = half.unwrap();
    let used = totp_code(&secret, clock.now());
    let replay = call(&app, "finish_totp_sign_in", &half, json!({"code": used})).await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST);
    assert_eq!(replays(&app, &id).await, 1);
    let warned = mails(&app, "racer@example.com", "otp_replayed").await;
    assert_eq!(warned.len(), 1);
    assert!(warned[0].contains("already been used"), "{}", warned[0]);

    // A fresh code sent by eight sessions at once is accepted once.
    clock.advance_secs(30);
    let mut sessions = Vec::new();
    for _ in 0..8 {
        sessions.push(app.sign_in("racer", PASSWORD).await.1.unwrap());
    }
    let code = totp_code(&secret, clock.now());
    let attempts = sessions.iter().map(|session| {
        call(
            &app,
            "finish_totp_sign_in",
            session,
            json!({"code": code.clone()}),
        )
    });
    let replies = futures::future::join_all(attempts).await;
    let accepted = replies
        .iter()
        .filter(|reply| reply.status == StatusCode::OK)
        .count();
    assert_eq!(accepted, 1, "{replies:?}");

    // Every refused copy is recorded, but the mailbox is not flooded: one warning an hour.
    assert_eq!(replays(&app, &id).await, 8);
    assert_eq!(
        mails(&app, "racer@example.com", "otp_replayed").await.len(),
        1
    );
    clock.advance_secs(3600);
    let (_, late) = app.sign_in("racer", PASSWORD).await;
    let fresh = totp_code(&secret, clock.now());
    let late = late.unwrap();
    let passed = call(&app, "finish_totp_sign_in", &late, json!({"code": fresh})).await;
    assert_eq!(passed.status, StatusCode::OK, "{}", passed.text);
    let (_, again) = app.sign_in("racer", PASSWORD).await;
    let replay = call(
        &app,
        "finish_totp_sign_in",
        &again.unwrap(),
        json!({"code": fresh}),
    )
    .await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST);
    assert_eq!(replays(&app, &id).await, 9);
    assert_eq!(
        mails(&app, "racer@example.com", "otp_replayed").await.len(),
        2
    );
}

/// How many replayed TOTP codes the user's event log records.
async fn replays(app: &TestApp, user_id: &str) -> usize {
    let mut conn = app.roster.services.db().conn().await.unwrap();
    server::store::events::for_aggregate(conn.exec(), user_id)
        .await
        .unwrap()
        .iter()
        .filter(|event| event.event_type == "user.human.mfa.otp.replayed")
        .count()
}

async fn wrong_totp_codes_lock_the_account_at_the_policy_limit(db: &TestDb) {
    let clock = Arc::new(ManualClock::starting_at(START));
    let app = TestApp::start_with(
        db,
        clock.clone(),
        &[("ROSTER_LOCKOUT_MAX_OTP_ATTEMPTS", "3")],
    )
    .await;
    let (id, cookie) = user(&app, "guesser").await;
    let secret = enrol_totp(&app, &clock, &cookie).await;
    clock.advance_secs(60);

    // Six wrong codes at once from six half-signed-in sessions: each one checked is counted,
    // and the account locks at the third, ending its sessions (a guess that arrives after
    // that is refused as signed out).
    let mut sessions = Vec::new();
    for _ in 0..6 {
        sessions.push(app.sign_in("guesser", PASSWORD).await.1.unwrap());
    }
    let right = totp_code(&secret, clock.now());
    let wrong = if right == "111111" {
        "222222"
    } else {
        "111111"
    };
    let guesses = sessions
        .iter()
        .map(|session| call(&app, "finish_totp_sign_in", session, json!({"code": wrong})));
    let mut checked = 0;
    for reply in futures::future::join_all(guesses).await {
        match reply.status {
            StatusCode::BAD_REQUEST => checked += 1,
            StatusCode::UNAUTHORIZED => {}
            other => panic!("unexpected {other}: {}", reply.text),
        }
    }
    assert!(checked >= 3, "{checked}");
    let mut conn = app.roster.services.db().conn().await.unwrap();
    let row = server::store::users::get(conn.exec(), &id)
        .await
        .unwrap()
        .unwrap();
    let totp = server::store::factors::get_totp(conn.exec(), &id)
        .await
        .unwrap()
        .unwrap();
    drop(conn);
    assert_eq!(row.state, 4, "locked");
    assert_eq!(
        totp.failed_attempts, checked,
        "every checked code counted, none lost"
    );
    let late = call(
        &app,
        "finish_totp_sign_in",
        &sessions[0],
        json!({"code": right}),
    )
    .await;
    assert_ne!(
        late.status,
        StatusCode::OK,
        "a locked account's sessions are gone"
    );
    assert_eq!(
        app.sign_in("guesser", PASSWORD).await.0.status,
        StatusCode::UNAUTHORIZED
    );

    // An admin unlocks; both counters start over, so one more slip does not lock again.
    let (_, admin) = app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    ok(app
        .server_fn(
            "admin_user_action",
            Some(&admin.unwrap()),
            json!({"user_id": id, "action": "Unlock"}),
        )
        .await);
    let (_, half) = app.sign_in("guesser", PASSWORD).await;
    let half = half.unwrap();
    let slip = call(&app, "finish_totp_sign_in", &half, json!({"code": wrong})).await;
    assert_eq!(slip.status, StatusCode::BAD_REQUEST);
    let passed = call(&app, "finish_totp_sign_in", &half, json!({"code": right})).await;
    let full = session_cookie(&passed).unwrap();
    ok(passed);
    ok(call(&app, "own_profile", &full, json!({})).await);
}

async fn security_keys_are_the_second_step(db: &TestDb) {
    let clock = Arc::new(ManualClock::starting_at(START));
    let app = TestApp::start_with_clock(db, clock.clone()).await;
    let (_, cookie) = user(&app, "keyholder").await;
    let (mut key, factors) = register(&app, &cookie, "SecurityKey", "Blue key").await;
    let keys = factors["security_keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["name"], "Blue key");
    assert_eq!(keys[0]["last_used_at"], Value::Null);
    let key_id = keys[0]["id"].as_str().unwrap().to_owned();

    // The same authenticator cannot be registered twice: the server excludes it, and a
    // credential id is stored once only.
    let challenge = ok(call(
        &app,
        "start_credential_registration",
        &cookie,
        json!({"kind": "SecurityKey", "name": "Again"}),
    )
    .await);
    let excluded = challenge["options"]["publicKey"]["excludeCredentials"]
        .as_array()
        .unwrap();
    assert_eq!(excluded.len(), 1);
    assert_eq!(
        excluded[0]["id"],
        crate::common::authenticator::b64(&key.id)
    );

    // Password, then the key.
    clock.advance_secs(60);
    let (reply, half) = app.sign_in("keyholder", PASSWORD).await;
    assert_eq!(reply.body, json!("SecondFactorRequired"));
    let half = half.unwrap();
    let choice = ok(call(&app, "second_factor_choice", &half, json!({})).await);
    assert_eq!(choice["totp"], false);
    let challenge = &choice["security_key"];

    // An answer for another origin is refused, and so is the same challenge afterwards.
    let foreign = key.assert(&challenge["options"], "http://evil.example");
    let refused = call(
        &app,
        "finish_security_key_sign_in",
        &half,
        json!({"ceremony_id": challenge["ceremony_id"], "response": foreign}),
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
    let answer = key.assert(&challenge["options"], ORIGIN);
    let used_up = call(
        &app,
        "finish_security_key_sign_in",
        &half,
        json!({"ceremony_id": challenge["ceremony_id"], "response": answer}),
    )
    .await;
    assert_eq!(
        used_up.status,
        StatusCode::BAD_REQUEST,
        "a ceremony is single use"
    );

    let choice = ok(call(&app, "second_factor_choice", &half, json!({})).await);
    let challenge = &choice["security_key"];
    let answer = key.assert(&challenge["options"], ORIGIN);
    let passed = call(
        &app,
        "finish_security_key_sign_in",
        &half,
        json!({"ceremony_id": challenge["ceremony_id"], "response": answer.clone()}),
    )
    .await;
    let full = session_cookie(&passed).expect("a new session cookie");
    ok(passed);
    assert_the_old_cookie_is_dead(&app, &half).await;
    let half = full;
    let factors = ok(call(&app, "own_factors", &half, json!({})).await);
    assert!(factors["security_keys"][0]["last_used_at"].is_string());

    // A replayed assertion (same signature, old counter) does not pass another session.
    let (_, other) = app.sign_in("keyholder", PASSWORD).await;
    let other = other.unwrap();
    let fresh = ok(call(&app, "second_factor_choice", &other, json!({})).await);
    let replayed = call(
        &app,
        "finish_security_key_sign_in",
        &other,
        json!({"ceremony_id": fresh["security_key"]["ceremony_id"], "response": answer}),
    )
    .await;
    assert_eq!(replayed.status, StatusCode::BAD_REQUEST);
    let blocked = call(&app, "own_profile", &other, json!({})).await;
    assert_eq!(blocked.status, StatusCode::FORBIDDEN);

    // A session that passed the password only cannot end a ceremony bound to another one.
    let mine = ok(call(&app, "second_factor_choice", &other, json!({})).await);
    let (_, third) = app.sign_in("keyholder", PASSWORD).await;
    let stolen = key.assert(&mine["security_key"]["options"], ORIGIN);
    let refused = call(
        &app,
        "finish_security_key_sign_in",
        &third.unwrap(),
        json!({"ceremony_id": mine["security_key"]["ceremony_id"], "response": stolen}),
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);

    // Rename and remove; names are checked.
    let bad = call(
        &app,
        "rename_credential",
        &half,
        json!({"kind": "SecurityKey", "id": key_id, "name": "a\u{7}b"}),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.body["field"], "name");
    let long = call(
        &app,
        "rename_credential",
        &half,
        json!({"kind": "SecurityKey", "id": key_id, "name": "k".repeat(65)}),
    )
    .await;
    assert_eq!(long.body["field"], "name");
    let renamed = ok(call(
        &app,
        "rename_credential",
        &half,
        json!({"kind": "SecurityKey", "id": key_id, "name": "Yellow key"}),
    )
    .await);
    assert_eq!(renamed["security_keys"][0]["name"], "Yellow key");
    let wrong_kind = call(
        &app,
        "remove_credential",
        &half,
        json!({"kind": "Passkey", "id": key_id}),
    )
    .await;
    assert_eq!(wrong_kind.status, StatusCode::NOT_FOUND);
    let removed = ok(call(
        &app,
        "remove_credential",
        &half,
        json!({"kind": "SecurityKey", "id": key_id}),
    )
    .await);
    assert_eq!(removed["security_keys"], json!([]));
    let (reply, _) = app.sign_in("keyholder", PASSWORD).await;
    assert_eq!(reply.body, json!("SignedIn"));
}

async fn passwordless_sign_in(app: &TestApp, passkey: &mut SoftCredential) -> Reply {
    let anyone = app
        .server_fn("start_passkey_sign_in", None, json!({"conditional": false}))
        .await;
    let challenge = ok(anyone);
    assert_eq!(
        challenge["options"]["publicKey"]["allowCredentials"],
        json!([])
    );
    let answer = passkey.assert(&challenge["options"], ORIGIN);
    app.server_fn(
        "finish_passkey_sign_in",
        None,
        json!({"ceremony_id": challenge["ceremony_id"], "response": answer}),
    )
    .await
}

async fn passkeys_sign_in_without_a_password(db: &TestDb) {
    let app = TestApp::start(db).await;
    let (_, cookie) = user(&app, "passkeyer").await;
    let (mut passkey, factors) = register(&app, &cookie, "Passkey", "Phone").await;
    assert_eq!(factors["passkeys"][0]["name"], "Phone");
    assert_eq!(factors["security_keys"], json!([]));

    let reply = passwordless_sign_in(&app, &mut passkey).await;
    assert_eq!(reply.body, json!("SignedIn"), "{}", reply.text);
    let session = session_cookie(&reply).unwrap();
    let me = ok(call(&app, "current_user", &session, json!({})).await);
    assert_eq!(me["username"], "passkeyer");
    assert_eq!(me["gate"], Value::Null);

    // Signing in again in the same browser ends the session it had.
    let challenge = ok(app
        .server_fn("start_passkey_sign_in", None, json!({"conditional": false}))
        .await);
    let answer = passkey.assert(&challenge["options"], ORIGIN);
    let again = app
        .server_fn(
            "finish_passkey_sign_in",
            Some(&session),
            json!({"ceremony_id": challenge["ceremony_id"], "response": answer}),
        )
        .await;
    assert_eq!(again.body, json!("SignedIn"), "{}", again.text);
    let replacement = session_cookie(&again).unwrap();
    let old = app
        .server_fn("current_user", Some(&session), json!({}))
        .await;
    assert_eq!(old.body, Value::Null, "the previous session ended");
    let me = ok(call(&app, "current_user", &replacement, json!({})).await);
    assert_eq!(me["username"], "passkeyer");

    // Conditional mediation asks for the same ceremony with the autofill flag.
    let conditional = ok(app
        .server_fn("start_passkey_sign_in", None, json!({"conditional": true}))
        .await);
    assert_eq!(conditional["options"]["mediation"], "conditional");

    // A passkey whose authenticator cannot verify the user is refused.
    let (_, other) = user(&app, "presence").await;
    let (mut weak, _) = {
        let challenge = ok(call(
            &app,
            "start_credential_registration",
            &other,
            json!({"kind": "Passkey", "name": "Weak"}),
        )
        .await);
        let (credential, response) = SoftCredential::register(&challenge["options"], ORIGIN, false);
        let refused = call(
            &app,
            "finish_credential_registration",
            &other,
            json!({"kind": "Passkey", "ceremony_id": challenge["ceremony_id"], "response": response}),
        )
        .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
        (credential, ())
    };
    // Every refused passkey sign-in is a plain sign-in failure.
    let unknown = passwordless_sign_in(&app, &mut weak).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert!(session_cookie(&unknown).is_none());

    // A replayed assertion is refused: the ceremony is gone and the counter moved on.
    let challenge = ok(app
        .server_fn("start_passkey_sign_in", None, json!({"conditional": false}))
        .await);
    let answer = passkey.assert(&challenge["options"], ORIGIN);
    let first = app
        .server_fn(
            "finish_passkey_sign_in",
            None,
            json!({"ceremony_id": challenge["ceremony_id"], "response": answer.clone()}),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK);
    let again = app
        .server_fn(
            "finish_passkey_sign_in",
            None,
            json!({"ceremony_id": challenge["ceremony_id"], "response": answer.clone()}),
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::BAD_REQUEST,
        "the ceremony is used up"
    );
    let fresh = ok(app
        .server_fn("start_passkey_sign_in", None, json!({"conditional": false}))
        .await);
    let replayed = app
        .server_fn(
            "finish_passkey_sign_in",
            None,
            json!({"ceremony_id": fresh["ceremony_id"], "response": answer}),
        )
        .await;
    assert_eq!(replayed.status, StatusCode::UNAUTHORIZED);

    // A passkey does not turn into a second factor: the password alone still signs in.
    let (reply, _) = app.sign_in("passkeyer", PASSWORD).await;
    assert_eq!(reply.body, json!("SignedIn"));
}

async fn a_ceremony_finishes_on_another_instance(db: &TestDb) {
    let first = TestApp::start(db).await;
    let second = TestApp::start(db).await;
    let (_, cookie) = user(&first, "traveller").await;
    let challenge = ok(call(
        &first,
        "start_credential_registration",
        &cookie,
        json!({"kind": "Passkey", "name": "Laptop"}),
    )
    .await);
    let (mut passkey, response) = SoftCredential::register(&challenge["options"], ORIGIN, true);
    let factors = ok(call(
        &second,
        "finish_credential_registration",
        &cookie,
        json!({"kind": "Passkey", "ceremony_id": challenge["ceremony_id"], "response": response}),
    )
    .await);
    assert_eq!(factors["passkeys"][0]["name"], "Laptop");

    let start = ok(second
        .server_fn("start_passkey_sign_in", None, json!({"conditional": false}))
        .await);
    let answer = passkey.assert(&start["options"], ORIGIN);
    let reply = first
        .server_fn(
            "finish_passkey_sign_in",
            None,
            json!({"ceremony_id": start["ceremony_id"], "response": answer}),
        )
        .await;
    assert_eq!(reply.body, json!("SignedIn"), "{}", reply.text);
}

async fn registration_links_register_a_passkey_once(db: &TestDb) {
    let clock = Arc::new(ManualClock::starting_at(START));
    let app = TestApp::start_with_clock(db, clock.clone()).await;
    let (id, _) = user(&app, "linked").await;
    let made = app
        .api(
            Method::POST,
            &format!("/users/{id}/passwordless/_link"),
            None,
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.text);
    let link = url::Url::parse(made.body["link"].as_str().unwrap()).unwrap();
    assert_eq!(link.path(), "/passkey/register");
    let (user_id, code_id, code) = (
        query_param(&link, "userID").unwrap(),
        query_param(&link, "codeID").unwrap(),
        query_param(&link, "code").unwrap(),
    );
    let start = |code: String| {
        app.server_fn(
            "start_link_registration",
            None,
            json!({"user_id": user_id, "code_id": code_id, "code": code}),
        )
    };
    let wrong = start("wrong-code".into()).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);

    // A first attempt that the person cancels leaves the link usable.
    let _cancelled = ok(start(code.clone()).await);
    let challenge = ok(start(code.clone()).await);
    let (mut passkey, response) = SoftCredential::register(&challenge["options"], ORIGIN, true);
    let bad_name = app
        .server_fn(
            "finish_link_registration",
            None,
            json!({"code_id": code_id, "ceremony_id": challenge["ceremony_id"], "name": "\u{0}", "response": response}),
        )
        .await;
    assert_eq!(bad_name.status, StatusCode::BAD_REQUEST);
    // An answer the server refuses (made for another site) does not use the link up either.
    let challenge = ok(start(code.clone()).await);
    let (_, foreign) =
        SoftCredential::register(&challenge["options"], "http://localhost:9999", true);
    let refused = app
        .server_fn(
            "finish_link_registration",
            None,
            json!({"code_id": code_id, "ceremony_id": challenge["ceremony_id"], "name": "Foreign", "response": foreign}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
    let challenge = ok(start(code.clone()).await);
    let (mut passkey_two, response) = SoftCredential::register(&challenge["options"], ORIGIN, true);
    ok(app
        .server_fn(
            "finish_link_registration",
            None,
            json!({"code_id": code_id, "ceremony_id": challenge["ceremony_id"], "name": "Tablet", "response": response}),
        )
        .await);
    let used = start(code).await;
    assert_eq!(used.status, StatusCode::BAD_REQUEST, "a link is single use");

    let listed = app
        .api(
            Method::POST,
            &format!("/users/{id}/passwordless/_search"),
            None,
        )
        .await;
    assert_eq!(listed.body["result"][0]["name"], "Tablet");
    let reply = passwordless_sign_in(&app, &mut passkey_two).await;
    assert_eq!(reply.body, json!("SignedIn"), "{}", reply.text);
    let never_stored = passwordless_sign_in(&app, &mut passkey).await;
    assert_eq!(never_stored.status, StatusCode::UNAUTHORIZED);

    // A link expires after an hour.
    let made = app
        .api(
            Method::POST,
            &format!("/users/{id}/passwordless/_link"),
            None,
        )
        .await;
    let link = url::Url::parse(made.body["link"].as_str().unwrap()).unwrap();
    clock.advance_secs(3601);
    let expired = app
        .server_fn(
            "start_link_registration",
            None,
            json!({
                "user_id": user_id,
                "code_id": query_param(&link, "codeID").unwrap(),
                "code": query_param(&link, "code").unwrap(),
            }),
        )
        .await;
    assert_eq!(expired.status, StatusCode::BAD_REQUEST, "{}", expired.text);
}

async fn factors_are_changed_only_by_their_owner_and_admins(db: &TestDb) {
    let clock = Arc::new(ManualClock::starting_at(START));
    let app = TestApp::start_with_clock(db, clock.clone()).await;
    let (owner_id, owner) = user(&app, "owner").await;
    let (_, intruder) = user(&app, "intruder").await;
    let (_, factors) = register(&app, &owner, "SecurityKey", "Key").await;
    let key_id = factors["security_keys"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Another user cannot see, rename or remove the owner's key, nor use admin functions.
    let rename = call(
        &app,
        "rename_credential",
        &intruder,
        json!({"kind": "SecurityKey", "id": key_id, "name": "Mine"}),
    )
    .await;
    assert_eq!(rename.status, StatusCode::NOT_FOUND);
    let remove = call(
        &app,
        "remove_credential",
        &intruder,
        json!({"kind": "SecurityKey", "id": key_id}),
    )
    .await;
    assert_eq!(remove.status, StatusCode::NOT_FOUND);
    for (name, args) in [
        ("user_factors", json!({"user_id": owner_id})),
        (
            "admin_remove_factor",
            json!({"user_id": owner_id, "kind": "SecurityKey", "id": key_id}),
        ),
        ("create_passkey_link", json!({"user_id": owner_id})),
        ("send_passkey_link", json!({"user_id": owner_id})),
    ] {
        let reply = call(&app, name, &intruder, args).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{name}: {}",
            reply.text
        );
    }
    let still = ok(call(&app, "own_factors", &owner, json!({})).await);
    assert_eq!(still["security_keys"][0]["name"], "Key");

    // An admin sees and removes it; the owner's next sign-in no longer asks for it.
    let (_, admin) = app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    let admin = admin.unwrap();
    let seen = ok(call(&app, "user_factors", &admin, json!({"user_id": owner_id})).await);
    assert_eq!(seen["security_keys"][0]["id"], key_id.as_str());
    let link = ok(call(
        &app,
        "create_passkey_link",
        &admin,
        json!({"user_id": owner_id}),
    )
    .await);
    assert!(
        link["link"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{ORIGIN}/passkey/register?"))
    );
    assert!(
        link["qr_code"]
            .as_str()
            .unwrap()
            .starts_with("data:image/svg+xml;base64,")
    );
    ok(call(
        &app,
        "send_passkey_link",
        &admin,
        json!({"user_id": owner_id}),
    )
    .await);
    let mail = app
        .delivered_messages()
        .await
        .into_iter()
        .rev()
        .find(|text| text.starts_with("To: owner@example.com\n"))
        .unwrap();
    assert!(
        mail.contains(&format!("{ORIGIN}/passkey/register?userID={owner_id}")),
        "{mail}"
    );
    let (reply, _) = app.sign_in("owner", PASSWORD).await;
    assert_eq!(reply.body, json!("SecondFactorRequired"));
    let removed = ok(call(
        &app,
        "admin_remove_factor",
        &admin,
        json!({"user_id": owner_id, "kind": "SecurityKey", "id": key_id}),
    )
    .await);
    assert_eq!(removed["security_keys"], json!([]));
    let (reply, _) = app.sign_in("owner", PASSWORD).await;
    assert_eq!(reply.body, json!("SignedIn"));
}

/// The delivered mails to `to` made by `template`.
async fn mails(app: &TestApp, to: &str, template: &str) -> Vec<String> {
    app.delivered_messages()
        .await
        .into_iter()
        .filter(|text| {
            text.starts_with(&format!("To: {to}\n"))
                && text.contains(&format!("\nTemplate: {template}\n"))
        })
        .collect()
}

/// Whether a cookie still opens a session.
async fn signed_in(app: &TestApp, cookie: &str) -> bool {
    ok(call(app, "current_user", cookie, json!({})).await) != Value::Null
}

async fn factor_changes_end_other_sessions_and_tell_the_user(db: &TestDb) {
    let clock = Arc::new(ManualClock::starting_at(START));
    let app = TestApp::start_with_clock(db, clock.clone()).await;
    let to = "noticed@example.com";
    let (id, cookie) = user(&app, "noticed").await;
    let (_, other) = app.sign_in("noticed", PASSWORD).await;
    let other = other.unwrap();

    // Adding a security key tells the user; removing it themselves ends their other sessions
    // but not the one they removed it from, and tells them too.
    let (_, factors) = register(&app, &cookie, "SecurityKey", "Key").await;
    let key_id = factors["security_keys"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let added = mails(&app, to, "factor_added").await;
    assert_eq!(added.len(), 1, "{added:?}");
    assert!(
        added[0].contains("a security key (second factor) was just added"),
        "{}",
        added[0]
    );
    assert!(mails(&app, to, "factor_removed").await.is_empty());
    assert!(signed_in(&app, &other).await);
    ok(call(
        &app,
        "remove_credential",
        &cookie,
        json!({"kind": "SecurityKey", "id": key_id}),
    )
    .await);
    assert!(
        signed_in(&app, &cookie).await,
        "the caller's own session stays"
    );
    assert!(!signed_in(&app, &other).await, "the other session ended");
    let removed = mails(&app, to, "factor_removed").await;
    assert_eq!(removed.len(), 1);
    assert!(removed[0].contains("a security key (second factor) was just removed"));

    // An admin removing a passkey ends every session of the user.
    let (_, factors) = register(&app, &cookie, "Passkey", "Phone").await;
    let passkey_id = factors["passkeys"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(mails(&app, to, "factor_added").await.len(), 2);
    let (_, third) = app.sign_in("noticed", PASSWORD).await;
    let third = third.unwrap();
    let (_, admin) = app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    let admin = admin.unwrap();
    ok(call(
        &app,
        "admin_remove_factor",
        &admin,
        json!({"user_id": id, "kind": "Passkey", "id": passkey_id}),
    )
    .await);
    assert!(!signed_in(&app, &cookie).await);
    assert!(!signed_in(&app, &third).await);
    assert!(
        signed_in(&app, &admin).await,
        "only the user's sessions end"
    );
    let removed = mails(&app, to, "factor_removed").await;
    assert_eq!(removed.len(), 2);
    assert!(
        removed[1].contains("a passkey was just removed"),
        "{}",
        removed[1]
    );

    // An authenticator app still in set-up protected nothing: removing it (REST) ends no
    // session and sends nothing. A confirmed one (added with a notice) ends them all.
    let (_, fresh) = app.sign_in("noticed", PASSWORD).await;
    let fresh = fresh.unwrap();
    ok(call(&app, "start_totp", &fresh, json!({})).await);
    let reply = app
        .api(
            Method::DELETE,
            &format!("/users/{id}/auth_factors/otp"),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert!(signed_in(&app, &fresh).await);
    assert_eq!(mails(&app, to, "factor_removed").await.len(), 2);
    enrol_totp(&app, &clock, &fresh).await;
    let added = mails(&app, to, "factor_added").await;
    assert_eq!(added.len(), 3);
    assert!(added[2].contains("an authenticator app (second factor) was just added"));
    let again = call(&app, "confirm_totp", &fresh, json!({"code": "123456"})).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "confirmed once only");
    assert_eq!(again.body["code"], "FailedPrecondition");
    let reply = app
        .api(
            Method::DELETE,
            &format!("/users/{id}/auth_factors/otp"),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert!(!signed_in(&app, &fresh).await);
    let removed = mails(&app, to, "factor_removed").await;
    assert_eq!(removed.len(), 3);
    assert!(removed[2].contains("an authenticator app (second factor) was just removed"));

    // The notice is in the user's language, and only to a verified address.
    let body = json!({
        "userName": "deutsch",
        "profile": {"firstName": "Jan", "lastName": "Berg", "preferredLanguage": "de"},
        "email": {"email": "deutsch@example.com", "isEmailVerified": true},
        "password": PASSWORD,
    });
    let reply = app
        .api(Method::POST, "/users/human/_import", Some(&body))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let (_, german) = app.sign_in("deutsch", PASSWORD).await;
    register(&app, &german.unwrap(), "Passkey", "Handy").await;
    let added = mails(&app, "deutsch@example.com", "factor_added").await;
    assert_eq!(added.len(), 1);
    assert!(
        added[0].contains("Subject: Ihrem Roster-Konto wurde eine Anmeldemethode hinzugefügt"),
        "{}",
        added[0]
    );
    let (quiet_id, quiet) = user(&app, "quiet").await;
    ok(call(
        &app,
        "admin_user_action",
        &admin,
        json!({"user_id": quiet_id, "action": {"UpdateEmail": {"email": "unverified@example.com", "verified": false}}}),
    )
    .await);
    register(&app, &quiet, "Passkey", "Phone").await;
    assert!(
        mails(&app, "unverified@example.com", "factor_added")
            .await
            .is_empty()
    );
}

/// A new passkey registration link for `user_id`: (code id, code).
async fn link_for(app: &TestApp, user_id: &str) -> (String, String) {
    let made = app
        .api(
            Method::POST,
            &format!("/users/{user_id}/passwordless/_link"),
            None,
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.text);
    let link = url::Url::parse(made.body["link"].as_str().unwrap()).unwrap();
    (
        query_param(&link, "codeID").unwrap(),
        query_param(&link, "code").unwrap(),
    )
}

async fn start_link(app: &TestApp, user_id: &str, code_id: &str, code: &str) -> Reply {
    app.server_fn(
        "start_link_registration",
        None,
        json!({"user_id": user_id, "code_id": code_id, "code": code}),
    )
    .await
}

async fn finish_link(app: &TestApp, code_id: &str, challenge: &Value, response: &Value) -> Reply {
    app.server_fn(
        "finish_link_registration",
        None,
        json!({"code_id": code_id, "ceremony_id": challenge["ceremony_id"], "name": "Phone", "response": response}),
    )
    .await
}

async fn three_wrong_link_codes_revoke_the_link_even_mid_ceremony(db: &TestDb) {
    let app = TestApp::start(db).await;
    let (id, _) = user(&app, "revoked").await;
    let (code_id, code) = link_for(&app, &id).await;

    // A ceremony started with the right code, then three wrong guesses: the link is revoked,
    // and the ceremony started before cannot finish either.
    let challenge = ok(start_link(&app, &id, &code_id, &code).await);
    let (_, response) = SoftCredential::register(&challenge["options"], ORIGIN, true);
    for _ in 0..3 {
        let wrong = start_link(&app, &id, &code_id, "not-the-code").await;
        assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    }
    let late = finish_link(&app, &code_id, &challenge, &response).await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST, "{}", late.text);
    assert_eq!(late.body["code"], "Invalid");
    let right = start_link(&app, &id, &code_id, &code).await;
    assert_eq!(right.status, StatusCode::BAD_REQUEST, "{}", right.text);
    let listed = app
        .api(
            Method::POST,
            &format!("/users/{id}/passwordless/_search"),
            None,
        )
        .await;
    assert_eq!(listed.text, "{}", "no passkey was stored");

    // Two wrong guesses leave a new link usable.
    let (code_id, code) = link_for(&app, &id).await;
    for _ in 0..2 {
        start_link(&app, &id, &code_id, "not-the-code").await;
    }
    let challenge = ok(start_link(&app, &id, &code_id, &code).await);
    let (_, response) = SoftCredential::register(&challenge["options"], ORIGIN, true);
    ok(finish_link(&app, &code_id, &challenge, &response).await);
}

/// A user imported with a passwordless registration request (ACTIVE, no password) who
/// registered a passkey from the link: the id and the passkey.
pub async fn passkey_only_user(app: &TestApp, name: &str) -> (String, SoftCredential) {
    imported_with_passkey(app, name, true).await
}

/// Imports a user without a password and with a passwordless registration request (ACTIVE
/// with a verified email, INITIAL without), and registers a passkey from the link.
async fn imported_with_passkey(
    app: &TestApp,
    name: &str,
    email_verified: bool,
) -> (String, SoftCredential) {
    let body = json!({
        "userName": name,
        "profile": {"firstName": "Pia", "lastName": "Key"},
        "email": {"email": format!("{name}@example.com"), "isEmailVerified": email_verified},
        "requestPasswordlessRegistration": true,
    });
    let reply = app
        .api(Method::POST, "/users/human/_import", Some(&body))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let id = reply.body["userId"].as_str().unwrap().to_owned();
    let link = url::Url::parse(
        reply.body["passwordlessRegistration"]["link"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let (code_id, code) = (
        query_param(&link, "codeID").unwrap(),
        query_param(&link, "code").unwrap(),
    );
    let challenge = ok(start_link(app, &id, &code_id, &code).await);
    let (passkey, response) = SoftCredential::register(&challenge["options"], ORIGIN, true);
    ok(finish_link(app, &code_id, &challenge, &response).await);
    (id, passkey)
}

async fn failed_passwords(app: &TestApp, user_id: &str) -> i32 {
    let mut conn = app.roster.services.db().conn().await.unwrap();
    server::store::users::get(conn.exec(), user_id)
        .await
        .unwrap()
        .unwrap()
        .failed_password_attempts
}

async fn passkey_only_users_confirm_it_is_them_with_their_passkey(db: &TestDb) {
    let clock = Arc::new(ManualClock::starting_at(START));
    let app = TestApp::start_with_clock(db, clock.clone()).await;
    let (id, mut passkey) = passkey_only_user(&app, "keyonly").await;
    let reply = passwordless_sign_in(&app, &mut passkey).await;
    assert_eq!(reply.body, json!("SignedIn"), "{}", reply.text);
    let session = session_cookie(&reply).unwrap();
    let methods = ok(call(&app, "reauth_methods", &session, json!({})).await);
    assert_eq!(methods, json!({"password": false, "passkey": true}));

    // After ten minutes a change needs confirmation. A password the account does not have
    // is refused without counting toward the lockout.
    clock.advance_secs(11 * 60);
    let stale = call(
        &app,
        "start_credential_registration",
        &session,
        json!({"kind": "Passkey", "name": "Second"}),
    )
    .await;
    assert_eq!(stale.body["code"], "ReauthRequired", "{}", stale.text);
    for _ in 0..12 {
        let refused = call(
            &app,
            "account_action",
            &session,
            json!({"action": {"Reauthenticate": {"password": "anything at all"}}}),
        )
        .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
        assert_eq!(refused.body["field"], "password");
    }
    assert_eq!(failed_passwords(&app, &id).await, 0);
    assert!(signed_in(&app, &session).await, "not locked out");

    // The passkey ceremony: the user's passkeys, user verification required; bound to the
    // session that started it, single use, and refused without user verification.
    let challenge = ok(call(&app, "start_reauthentication", &session, json!({})).await);
    let public_key = &challenge["options"]["publicKey"];
    assert_eq!(public_key["userVerification"], "required");
    assert_eq!(
        public_key["allowCredentials"][0]["id"],
        crate::common::authenticator::b64(&passkey.id)
    );
    let finish = |cookie: String, challenge: Value, answer: Value| {
        let app = &app;
        async move {
            call(
                app,
                "finish_reauthentication",
                &cookie,
                json!({"ceremony_id": challenge["ceremony_id"], "response": answer}),
            )
            .await
        }
    };
    let (_, other) = {
        let reply = passwordless_sign_in(&app, &mut passkey).await;
        (reply.status, session_cookie(&reply).unwrap())
    };
    let answer = passkey.assert(&challenge["options"], ORIGIN);
    let foreign = finish(other.clone(), challenge.clone(), answer).await;
    assert_eq!(
        foreign.status,
        StatusCode::BAD_REQUEST,
        "another session's ceremony"
    );
    let challenge = ok(call(&app, "start_reauthentication", &session, json!({})).await);
    passkey.set_user_verification(false);
    let unverified = passkey.assert(&challenge["options"], ORIGIN);
    let refused = finish(session.clone(), challenge, unverified).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
    passkey.set_user_verification(true);
    let still = call(
        &app,
        "start_credential_registration",
        &session,
        json!({"kind": "Passkey", "name": "Second"}),
    )
    .await;
    assert_eq!(still.body["code"], "ReauthRequired");

    let challenge = ok(call(&app, "start_reauthentication", &session, json!({})).await);
    let answer = passkey.assert(&challenge["options"], ORIGIN);
    let confirmed = finish(session.clone(), challenge.clone(), answer.clone()).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.text);
    // The session continues under a new token; the old one is gone.
    let old = session;
    let session = session_cookie(&confirmed).expect("a new session cookie");
    assert_ne!(session, old);
    assert_eq!(
        ok(call(&app, "current_user", &old, json!({})).await),
        Value::Null
    );
    let again = finish(session.clone(), challenge.clone(), answer.clone()).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "single use");
    let replayed = finish(old.clone(), challenge, answer).await;
    assert_eq!(
        replayed.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        replayed.text
    );
    ok(call(
        &app,
        "start_credential_registration",
        &session,
        json!({"kind": "Passkey", "name": "Second"}),
    )
    .await);
    assert_eq!(failed_passwords(&app, &id).await, 0);

    // A password user without a passkey has nothing to start; one with both may use either.
    let (_, plain) = user(&app, "plain").await;
    let methods = ok(call(&app, "reauth_methods", &plain, json!({})).await);
    assert_eq!(methods, json!({"password": true, "passkey": false}));
    let none = call(&app, "start_reauthentication", &plain, json!({})).await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST);
    assert_eq!(none.body["code"], "FailedPrecondition");
    register(&app, &plain, "SecurityKey", "Key").await;
    let none = call(&app, "start_reauthentication", &plain, json!({})).await;
    assert_eq!(
        none.body["code"], "FailedPrecondition",
        "security keys do not count"
    );
    register(&app, &plain, "Passkey", "Laptop").await;
    let methods = ok(call(&app, "reauth_methods", &plain, json!({})).await);
    assert_eq!(methods, json!({"password": true, "passkey": true}));
    let anonymous = app
        .server_fn("start_reauthentication", None, json!({}))
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

async fn stale_sessions_cannot_change_factors(db: &TestDb) {
    let clock = Arc::new(ManualClock::starting_at(START));
    let app = TestApp::start_with_clock(db, clock.clone()).await;
    let (_, cookie) = user(&app, "stale").await;
    let (_, factors) = register(&app, &cookie, "Passkey", "Laptop").await;
    let passkey_id = factors["passkeys"][0]["id"].as_str().unwrap().to_owned();

    // Eleven minutes after the sign-in (the session itself is still alive: idle 30 min).
    clock.advance_secs(11 * 60);
    let changes = [
        ("start_totp", json!({})),
        (
            "start_credential_registration",
            json!({"kind": "SecurityKey", "name": "Key"}),
        ),
        (
            "rename_credential",
            json!({"kind": "Passkey", "id": passkey_id, "name": "Renamed"}),
        ),
        (
            "remove_credential",
            json!({"kind": "Passkey", "id": passkey_id}),
        ),
        ("remove_totp", json!({})),
    ];
    for (name, args) in &changes {
        let reply = call(&app, name, &cookie, args.clone()).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{name}: {}",
            reply.text
        );
        assert_eq!(reply.body["code"], "ReauthRequired", "{name}");
    }
    let unchanged = ok(call(&app, "own_factors", &cookie, json!({})).await);
    assert_eq!(unchanged["passkeys"][0]["name"], "Laptop");
    assert_eq!(unchanged["totp_ready"], false);

    // After confirming with the password, each goes through.
    let cookie = reauthenticate(&app, &cookie).await;
    ok(call(&app, "start_totp", &cookie, json!({})).await);
    ok(call(
        &app,
        "start_credential_registration",
        &cookie,
        json!({"kind": "SecurityKey", "name": "Key"}),
    )
    .await);
    let renamed = ok(call(&app, "rename_credential", &cookie, changes[2].1.clone()).await);
    assert_eq!(renamed["passkeys"][0]["name"], "Renamed");
    let removed = ok(call(&app, "remove_credential", &cookie, changes[3].1.clone()).await);
    assert_eq!(removed["passkeys"], json!([]));
}

async fn passkey_sign_in_leads_to_the_pending_step(db: &TestDb) {
    let app = TestApp::start(db).await;

    // An account waiting for initialization may register a passkey from its link; signing in
    // with it leads to the initialization step, not into the account.
    let (id, mut passkey) = imported_with_passkey(&app, "newcomer", false).await;
    let mut conn = app.roster.services.db().conn().await.unwrap();
    let row = server::store::users::get(conn.exec(), &id)
        .await
        .unwrap()
        .unwrap();
    drop(conn);
    assert_eq!(row.state, 6, "INITIAL");
    let reply = passwordless_sign_in(&app, &mut passkey).await;
    assert_eq!(
        reply.body,
        json!("InitializationRequired"),
        "{}",
        reply.text
    );
    let session = session_cookie(&reply).unwrap();
    let me = ok(call(&app, "current_user", &session, json!({})).await);
    assert_eq!(me["gate"], "Initialize");
    let blocked = call(&app, "own_profile", &session, json!({})).await;
    assert_eq!(blocked.body["code"], "StepRequired");

    // A password change an admin required comes first too.
    let (id, cookie) = user(&app, "changer").await;
    let (mut passkey, _) = register(&app, &cookie, "Passkey", "Phone").await;
    let (_, admin) = app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    ok(call(
        &app,
        "admin_user_action",
        &admin.unwrap(),
        json!({"user_id": id, "action": {"SetPassword": {"password": "Another-lantern-meadow-7", "change_required": true}}}),
    )
    .await);
    let reply = passwordless_sign_in(&app, &mut passkey).await;
    assert_eq!(
        reply.body,
        json!("ChangePasswordRequired"),
        "{}",
        reply.text
    );
    let me = ok(call(
        &app,
        "current_user",
        &session_cookie(&reply).unwrap(),
        json!({}),
    )
    .await);
    assert_eq!(me["gate"], "ChangePassword");
}

async fn locked_and_inactive_users_cannot_use_passkey_links(db: &TestDb) {
    let app = TestApp::start_with(
        db,
        Arc::new(server::domain::clock::SystemClock),
        &[("ROSTER_LOCKOUT_MAX_PASSWORD_ATTEMPTS", "2")],
    )
    .await;
    let (id, cookie) = user(&app, "lockee").await;
    let (mut passkey, _) = register(&app, &cookie, "Passkey", "Phone").await;
    let (code_id, code) = link_for(&app, &id).await;
    let started = ok(start_link(&app, &id, &code_id, &code).await);
    let (_, response) = SoftCredential::register(&started["options"], ORIGIN, true);

    // Locked by wrong passwords: no passkey sign-in, and the link answers as if the code were
    // wrong, for a new ceremony and for one started before the lock.
    for _ in 0..2 {
        app.sign_in("lockee", "wrong password").await;
    }
    let reply = passwordless_sign_in(&app, &mut passkey).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.text);
    let refused = start_link(&app, &id, &code_id, &code).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
    assert_eq!(refused.body["field"], "code");
    let late = finish_link(&app, &code_id, &started, &response).await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST, "{}", late.text);
    assert_eq!(late.body["field"], "code");
    for _ in 0..2 {
        let guess = start_link(&app, &id, &code_id, "not-the-code").await;
        assert_eq!(guess.status, StatusCode::BAD_REQUEST);
    }

    // Unlocked, the same link works: the guesses made while locked were not counted (two
    // more would otherwise burn it).
    let (_, admin) = app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    ok(call(
        &app,
        "admin_user_action",
        &admin.unwrap(),
        json!({"user_id": id, "action": "Unlock"}),
    )
    .await);
    for _ in 0..2 {
        let guess = start_link(&app, &id, &code_id, "not-the-code").await;
        assert_eq!(guess.status, StatusCode::BAD_REQUEST);
    }
    let challenge = ok(start_link(&app, &id, &code_id, &code).await);
    let (_, response) = SoftCredential::register(&challenge["options"], ORIGIN, true);

    // Deactivated: the same.
    let mut conn = app.roster.services.db().conn().await.unwrap();
    let row = server::store::users::get(conn.exec(), &id)
        .await
        .unwrap()
        .unwrap();
    server::store::users::set_state(
        conn.exec(),
        &id,
        2,
        server::store::users::Stamp {
            sequence: row.sequence,
            at: row.changed_at,
        },
    )
    .await
    .unwrap();
    drop(conn);
    let late = finish_link(&app, &code_id, &challenge, &response).await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST, "{}", late.text);
    let refused = start_link(&app, &id, &code_id, &code).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let reply = passwordless_sign_in(&app, &mut passkey).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let listed = app
        .api(
            Method::POST,
            &format!("/users/{id}/passwordless/_search"),
            None,
        )
        .await;
    assert_eq!(
        listed.body["result"].as_array().unwrap().len(),
        1,
        "only the first passkey"
    );
}

async fn a_confirmed_app_is_never_replaced_by_a_parallel_start(db: &TestDb) {
    let clock = Arc::new(ManualClock::starting_at(START));
    let app = TestApp::start_with_clock(db, clock.clone()).await;
    let (_, mut cookie) = user(&app, "racing").await;

    // Confirmation racing with new starts: whenever the confirmation is accepted, the app
    // stays set up (an unconfirmed secret must not replace it).
    for round in 0..5 {
        let setup = ok(call(&app, "start_totp", &cookie, json!({})).await);
        let code = totp_code(setup["secret"].as_str().unwrap(), clock.now());
        let confirm = call(&app, "confirm_totp", &cookie, json!({"code": code}));
        let starts =
            futures::future::join_all((0..4).map(|_| call(&app, "start_totp", &cookie, json!({}))));
        let (confirmed, started) = futures::join!(confirm, starts);
        let factors = ok(call(&app, "own_factors", &cookie, json!({})).await);
        if confirmed.status == StatusCode::OK {
            assert_eq!(factors["totp_ready"], true, "round {round}: {started:?}");
            // Set up for the next round.
            clock.advance_secs(11 * 60);
            cookie = reauthenticate(&app, &cookie).await;
            ok(call(&app, "remove_totp", &cookie, json!({})).await);
        }
        clock.advance_secs(30);
    }

    // The interleaving that race needs, made certain: a start that passed its check before the
    // confirmation writes only after it. The write itself refuses to replace a confirmed app.
    let secret = enrol_totp(&app, &clock, &cookie).await;
    let id = ok(call(&app, "current_user", &cookie, json!({})).await)["user_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut conn = app.roster.services.db().conn().await.unwrap();
    let before = server::store::factors::get_totp(conn.exec(), &id)
        .await
        .unwrap()
        .unwrap();
    let written = server::store::factors::put_totp(conn.exec(), &id, "late-secret", clock.now())
        .await
        .unwrap();
    assert!(!written, "a confirmed app is not replaced");
    let after = server::store::factors::get_totp(conn.exec(), &id)
        .await
        .unwrap()
        .unwrap();
    drop(conn);
    assert!(after.ready);
    assert_eq!(after.secret, before.secret);

    // Parallel starts while the app is set up are all refused, and the app keeps its secret.
    let starts =
        futures::future::join_all((0..6).map(|_| call(&app, "start_totp", &cookie, json!({}))))
            .await;
    for reply in &starts {
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
        assert_eq!(reply.body["code"], "FailedPrecondition");
    }
    clock.advance_secs(60);
    let (reply, half) = app.sign_in("racing", PASSWORD).await;
    assert_eq!(reply.body, json!("SecondFactorRequired"));
    ok(call(
        &app,
        "finish_totp_sign_in",
        &half.unwrap(),
        json!({"code": totp_code(&secret, clock.now())}),
    )
    .await);
}

async fn user_managers_may_mail_links_but_not_make_them(db: &TestDb) {
    let app = TestApp::start(db).await;
    let (target, _) = user(&app, "target").await;
    let (manager_id, _) = user(&app, "manager").await;
    let org = app.roster.services.default_org().await.unwrap();
    let mut conn = app.roster.services.db().conn().await.unwrap();
    server::store::memberships::insert(
        conn.exec(),
        &manager_id,
        org.as_str(),
        app::model::Role::OrgUserManager.as_str(),
        0,
    )
    .await
    .unwrap();
    drop(conn);
    let (_, manager) = app.sign_in("manager", PASSWORD).await;
    let manager = manager.unwrap();

    // The UI learns what the role allows: change users, but not make credential links.
    let me = ok(call(&app, "current_user", &manager, json!({})).await);
    assert_eq!(me["can_write_users"], true);
    assert_eq!(me["can_write_credentials"], false);
    let refused = call(
        &app,
        "create_passkey_link",
        &manager,
        json!({"user_id": target}),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
    assert_eq!(refused.body["code"], "PermissionDenied");
    ok(call(
        &app,
        "send_passkey_link",
        &manager,
        json!({"user_id": target}),
    )
    .await);

    let (_, admin) = app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    let me = ok(call(&app, "current_user", &admin.unwrap(), json!({})).await);
    assert_eq!(me["can_write_credentials"], true);
    let (_, plain) = app.sign_in("target", PASSWORD).await;
    let me = ok(call(&app, "current_user", &plain.unwrap(), json!({})).await);
    assert_eq!(me["can_write_users"], false);
    assert_eq!(me["can_write_credentials"], false);
}

/// The signature counter stored for a credential (searched in the stored credential JSON).
async fn stored_counter(app: &TestApp, credential: &SoftCredential) -> u64 {
    fn find(value: &Value) -> Option<u64> {
        match value {
            Value::Object(map) => map
                .get("counter")
                .and_then(Value::as_u64)
                .or_else(|| map.values().find_map(find)),
            Value::Array(items) => items.iter().find_map(find),
            _ => None,
        }
    }
    let mut conn = app.roster.services.db().conn().await.unwrap();
    let row = server::store::factors::credential_by_raw_id(
        conn.exec(),
        &crate::common::authenticator::b64(&credential.id),
    )
    .await
    .unwrap()
    .unwrap();
    find(&serde_json::from_str(&row.credential).unwrap()).expect("a stored counter")
}

async fn a_credential_is_registered_once_across_users(db: &TestDb) {
    let app = TestApp::start(db).await;
    let (_, first) = user(&app, "first").await;
    let (_, second) = user(&app, "second").await;
    let (passkey, _) = register(&app, &first, "Passkey", "Shared").await;

    // The same authenticator credential offered for another user is refused by the store's
    // unique credential id (409), and for the same user a second time by the exclusion list
    // the ceremony was started with (400; a real authenticator would not even answer).
    for (cookie, who, status, code) in [
        (
            &second,
            "another user",
            StatusCode::CONFLICT,
            "AlreadyExists",
        ),
        (&first, "the same user", StatusCode::BAD_REQUEST, "Invalid"),
    ] {
        let challenge = ok(call(
            &app,
            "start_credential_registration",
            cookie,
            json!({"kind": "Passkey", "name": "Again"}),
        )
        .await);
        let (_, response) = passkey.register_again(&challenge["options"], ORIGIN);
        let refused = call(
            &app,
            "finish_credential_registration",
            cookie,
            json!({"kind": "Passkey", "ceremony_id": challenge["ceremony_id"], "response": response}),
        )
        .await;
        assert_eq!(refused.status, status, "{who}: {}", refused.text);
        assert_eq!(refused.body["code"], code, "{who}");
    }
    let firsts = ok(call(&app, "own_factors", &first, json!({})).await);
    assert_eq!(firsts["passkeys"].as_array().unwrap().len(), 1);
    let seconds = ok(call(&app, "own_factors", &second, json!({})).await);
    assert_eq!(seconds["passkeys"], json!([]));

    // Nor as a security key of another kind.
    let challenge = ok(call(
        &app,
        "start_credential_registration",
        &second,
        json!({"kind": "SecurityKey", "name": "Again"}),
    )
    .await);
    let (_, response) = passkey.register_again(&challenge["options"], ORIGIN);
    let refused = call(
        &app,
        "finish_credential_registration",
        &second,
        json!({"kind": "SecurityKey", "ceremony_id": challenge["ceremony_id"], "response": response}),
    )
    .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text);
}

async fn cloned_authenticators_and_unverified_passkeys_are_refused(db: &TestDb) {
    let app = TestApp::start(db).await;
    let (_, cookie) = user(&app, "cloned").await;
    let (mut passkey, _) = register(&app, &cookie, "Passkey", "Phone").await;
    let clone_at_zero = passkey.clone_authenticator();

    // Each use stores the counter the authenticator sent.
    for _ in 0..2 {
        let reply = passwordless_sign_in(&app, &mut passkey).await;
        assert_eq!(reply.body, json!("SignedIn"), "{}", reply.text);
        assert_eq!(
            stored_counter(&app, &passkey).await,
            u64::from(passkey.counter())
        );
    }
    assert_eq!(passkey.counter(), 2);

    // A clone that answers with an equal or lower counter is refused, and the stored counter
    // does not move back.
    let mut equal = clone_at_zero.clone_authenticator();
    let _ = equal.assert(&json!({"publicKey": {"challenge": ""}}), ORIGIN);
    assert_eq!(equal.counter(), 1, "its next answer carries 2, as stored");
    let refused = passwordless_sign_in(&app, &mut equal).await;
    assert_eq!(equal.counter(), 2);
    assert_eq!(
        refused.status,
        StatusCode::UNAUTHORIZED,
        "equal counter: {}",
        refused.text
    );
    let mut lower = clone_at_zero.clone_authenticator();
    let refused = passwordless_sign_in(&app, &mut lower).await;
    assert_eq!(lower.counter(), 1);
    assert_eq!(
        refused.status,
        StatusCode::UNAUTHORIZED,
        "lower counter: {}",
        refused.text
    );
    assert_eq!(stored_counter(&app, &passkey).await, 2);
    let reply = passwordless_sign_in(&app, &mut passkey).await;
    assert_eq!(
        reply.body,
        json!("SignedIn"),
        "the original goes on: {}",
        reply.text
    );
    assert_eq!(stored_counter(&app, &passkey).await, 3);

    // A passkey answer without user verification is refused: a passkey is the only factor.
    passkey.set_user_verification(false);
    let refused = passwordless_sign_in(&app, &mut passkey).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.text);
    assert!(session_cookie(&refused).is_none());
    assert_eq!(
        stored_counter(&app, &passkey).await,
        3,
        "a refused answer changes nothing"
    );
}

async fn ceremonies_expire(db: &TestDb) {
    let clock = Arc::new(ManualClock::starting_at(START));
    let app = TestApp::start_with_clock(db, clock.clone()).await;
    let (_, cookie) = user(&app, "slow").await;

    // A registration answered after the ceremony's five minutes is refused.
    let challenge = ok(call(
        &app,
        "start_credential_registration",
        &cookie,
        json!({"kind": "Passkey", "name": "Late"}),
    )
    .await);
    let (_, response) = SoftCredential::register(&challenge["options"], ORIGIN, true);
    clock.advance_secs(301);
    let late = call(
        &app,
        "finish_credential_registration",
        &cookie,
        json!({"kind": "Passkey", "ceremony_id": challenge["ceremony_id"], "response": response}),
    )
    .await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST, "{}", late.text);
    assert_eq!(late.body["code"], "Invalid");
    assert_eq!(
        ok(call(&app, "own_factors", &cookie, json!({})).await)["passkeys"],
        json!([])
    );

    // So is a passkey sign-in; one answered in time passes.
    let (mut passkey, _) = register(&app, &cookie, "Passkey", "Quick").await;
    let start = ok(app
        .server_fn("start_passkey_sign_in", None, json!({"conditional": false}))
        .await);
    let answer = passkey.assert(&start["options"], ORIGIN);
    clock.advance_secs(301);
    let late = app
        .server_fn(
            "finish_passkey_sign_in",
            None,
            json!({"ceremony_id": start["ceremony_id"], "response": answer}),
        )
        .await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST, "{}", late.text);
    let start = ok(app
        .server_fn("start_passkey_sign_in", None, json!({"conditional": false}))
        .await);
    let answer = passkey.assert(&start["options"], ORIGIN);
    clock.advance_secs(299);
    let reply = app
        .server_fn(
            "finish_passkey_sign_in",
            None,
            json!({"ceremony_id": start["ceremony_id"], "response": answer}),
        )
        .await;
    assert_eq!(reply.body, json!("SignedIn"), "{}", reply.text);
}

async fn passkeys_are_renamed_by_their_owner_only(db: &TestDb) {
    let app = TestApp::start(db).await;
    let (_, owner) = user(&app, "namer").await;
    let (_, other) = user(&app, "meddler").await;
    let (_, factors) = register(&app, &owner, "Passkey", "Phone").await;
    let id = factors["passkeys"][0]["id"].as_str().unwrap().to_owned();
    let renamed = ok(call(
        &app,
        "rename_credential",
        &owner,
        json!({"kind": "Passkey", "id": id, "name": "  Work phone  "}),
    )
    .await);
    assert_eq!(renamed["passkeys"][0]["name"], "Work phone");
    let foreign = call(
        &app,
        "rename_credential",
        &other,
        json!({"kind": "Passkey", "id": id, "name": "Mine now"}),
    )
    .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND, "{}", foreign.text);
    let wrong_kind = call(
        &app,
        "rename_credential",
        &owner,
        json!({"kind": "SecurityKey", "id": id, "name": "Key"}),
    )
    .await;
    assert_eq!(wrong_kind.status, StatusCode::NOT_FOUND);
    let still = ok(call(&app, "own_factors", &owner, json!({})).await);
    assert_eq!(still["passkeys"][0]["name"], "Work phone");
    // An empty name falls back to the kind's name.
    let defaulted = ok(call(
        &app,
        "rename_credential",
        &owner,
        json!({"kind": "Passkey", "id": id, "name": "   "}),
    )
    .await);
    assert_eq!(defaulted["passkeys"][0]["name"], "Passkey");
}

async fn parallel_link_ceremonies_store_one_passkey(db: &TestDb) {
    let app = TestApp::start(db).await;
    let (id, _) = user(&app, "doubled").await;
    let (code_id, code) = link_for(&app, &id).await;
    let first = ok(start_link(&app, &id, &code_id, &code).await);
    let second = ok(start_link(&app, &id, &code_id, &code).await);
    let (_, first_response) = SoftCredential::register(&first["options"], ORIGIN, true);
    let (_, second_response) = SoftCredential::register(&second["options"], ORIGIN, true);
    let (a, b) = futures::join!(
        finish_link(&app, &code_id, &first, &first_response),
        finish_link(&app, &code_id, &second, &second_response),
    );
    let statuses = [a.status, b.status];
    assert_eq!(
        statuses
            .iter()
            .filter(|status| **status == StatusCode::OK)
            .count(),
        1,
        "{a:?} {b:?}"
    );
    let loser = if a.status == StatusCode::OK { &b } else { &a };
    assert_eq!(loser.status, StatusCode::BAD_REQUEST, "{}", loser.text);
    let listed = app
        .api(
            Method::POST,
            &format!("/users/{id}/passwordless/_search"),
            None,
        )
        .await;
    assert_eq!(
        listed.body["result"].as_array().unwrap().len(),
        1,
        "{}",
        listed.text
    );
}

async fn totp_secrets_are_encrypted_at_rest(db: &TestDb) {
    let clock = Arc::new(ManualClock::starting_at(START));
    let app = TestApp::start_with_clock(db, clock.clone()).await;
    let (id, cookie) = user(&app, "sealed").await;
    let secret = enrol_totp(&app, &clock, &cookie).await;
    let raw = base32_decode(&secret);
    let mut conn = app.roster.services.db().conn().await.unwrap();
    let stored = server::store::factors::get_totp(conn.exec(), &id)
        .await
        .unwrap()
        .unwrap()
        .secret;
    drop(conn);
    assert!(!stored.contains(&secret), "not the base32 secret: {stored}");
    assert!(
        !stored
            .to_lowercase()
            .contains(&server::domain::codes::hex(&raw)),
        "not the secret in hex"
    );
    use base64::Engine as _;
    for engine in [
        base64::engine::general_purpose::STANDARD,
        base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ] {
        assert!(
            !stored.contains(&engine.encode(&raw)),
            "not the secret in base64"
        );
    }
    assert!(
        stored.len() > secret.len(),
        "sealed with a nonce and tag: {stored}"
    );
}

/// RFC 4648 base32 (no padding) to bytes, to compare a secret with what is stored.
fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut bits = 0_u32;
    let mut count = 0;
    let mut out = Vec::new();
    for byte in text.trim_end_matches('=').bytes() {
        let value = ALPHABET.iter().position(|&c| c == byte).unwrap() as u32;
        bits = (bits << 5) | value;
        count += 5;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    out
}

async fn open_passkey_sign_ins_are_bounded(db: &TestDb) {
    let clock = Arc::new(ManualClock::starting_at(START));
    let app = TestApp::start_with(
        db,
        clock.clone(),
        &[("ROSTER_MAX_OPEN_PASSKEY_SIGN_INS", "3")],
    )
    .await;
    let (_, cookie) = user(&app, "bounded").await;
    let (mut passkey, _) = register(&app, &cookie, "Passkey", "Phone").await;
    let start = |conditional: bool| {
        app.server_fn(
            "start_passkey_sign_in",
            None,
            json!({"conditional": conditional}),
        )
    };

    // Three open at once (page loads offering autofill, a button press); the fourth waits.
    let first = ok(start(true).await);
    ok(start(true).await);
    ok(start(false).await);
    let refused = start(true).await;
    assert_eq!(
        refused.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        refused.text
    );
    assert_eq!(refused.body["code"], "RateLimited");

    // Ceremonies already started still finish, which frees a place; ceremonies bound to a
    // session are not counted.
    let answer = passkey.assert(&first["options"], ORIGIN);
    let reply = app
        .server_fn(
            "finish_passkey_sign_in",
            None,
            json!({"ceremony_id": first["ceremony_id"], "response": answer}),
        )
        .await;
    assert_eq!(reply.body, json!("SignedIn"), "{}", reply.text);
    ok(call(
        &app,
        "start_credential_registration",
        &cookie,
        json!({"kind": "SecurityKey", "name": "Key"}),
    )
    .await);
    ok(start(true).await);
    assert_eq!(start(true).await.status, StatusCode::TOO_MANY_REQUESTS);

    // Abandoned ones expire after five minutes, and then count no more.
    clock.advance_secs(301);
    for _ in 0..3 {
        ok(start(true).await);
    }
    assert_eq!(start(false).await.status, StatusCode::TOO_MANY_REQUESTS);
    let mut conn = app.roster.services.db().conn().await.unwrap();
    let removed = server::store::factors::delete_expired_ceremonies(conn.exec(), clock.now())
        .await
        .unwrap();
    assert_eq!(
        removed, 0,
        "the expired ones were cleared when new ones were stored"
    );
}
