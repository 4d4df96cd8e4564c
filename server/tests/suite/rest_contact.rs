//! REST v1 email, phone, initialization and password endpoints (contract 3.2, 3.8-3.12,
//! 3.18-3.20), in process, on SQLite and PostgreSQL: decision tables, every error row, and the
//! messages each one queues.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{ORIGIN, TestApp, TestDb, error_body, pgv_body};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};

on_both_databases!(
    email_updates_follow_the_decision_table,
    email_and_initialization_error_rows,
    phone_updates_removals_and_resends,
    passwords_set_by_the_api,
    reset_notifications_by_mail_and_sms,
    password_policy_rows_with_every_class_required,
    machine_and_foreign_users_and_long_phones,
    links_ignore_forged_host_headers,
);

/// Imports a user; `active` gives a verified email and a password (state ACTIVE).
async fn import(app: &TestApp, name: &str, active: bool, phone: Option<(&str, bool)>) -> String {
    let mut body = json!({
        "userName": name,
        "profile": {"firstName": "Ann", "lastName": "Lee"},
        "email": {"email": format!("{name}@example.com"), "isEmailVerified": active},
    });
    if active {
        body["password"] = json!("Lantern-meadow-harbor-42");
    }
    if let Some((number, verified)) = phone {
        body["phone"] = json!({"phone": number, "isPhoneVerified": verified});
    }
    let reply = app
        .api(Method::POST, "/users/human/_import", Some(&body))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.body["userId"].as_str().unwrap().to_owned()
}

async fn call(app: &TestApp, method: Method, path: &str, body: Value) -> crate::common::Reply {
    app.api(method, path, Some(&body)).await
}

/// The templates of the messages queued for a user, oldest first.
async fn templates(app: &TestApp, user_id: &str) -> Vec<(String, String)> {
    let mut conn = app.roster.services.db().conn().await.unwrap();
    let mut messages = server::store::outbox::for_user(conn.exec(), user_id)
        .await
        .unwrap();
    messages.reverse();
    messages
        .into_iter()
        .map(|message| (message.template, message.recipient))
        .collect()
}

async fn email_updates_follow_the_decision_table(db: &TestDb) {
    let app = TestApp::start(db).await;
    let id = import(&app, "mail", true, None).await;
    let path = format!("/users/{id}/email");

    // different + verified: changed and verified, no mail.
    let reply = call(
        &app,
        Method::PUT,
        &path,
        json!({"email": "new@example.com", "isEmailVerified": true}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(
        reply.body["details"]["sequence"], "4",
        "added, verified, changed, verified"
    );
    assert!(reply.body["details"]["changeDate"].is_string());
    let read = app.api(Method::GET, &path, None).await;
    assert_eq!(
        read.body["email"],
        json!({"email": "new@example.com", "isEmailVerified": true})
    );
    // same + verified stored: NotChanged, whatever the flag.
    for verified in [true, false] {
        let reply = call(
            &app,
            Method::PUT,
            &path,
            json!({"email": "new@example.com", "isEmailVerified": verified}),
        )
        .await;
        assert_eq!(
            reply.body,
            error_body(9, "Email not changed", "COMMAND-2b7fM")
        );
    }
    // Compared byte for byte: a different case is a change. Unverified: a mail to the new one.
    let reply = call(
        &app,
        Method::PUT,
        &path,
        json!({"email": "New@example.com"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let read = app.api(Method::GET, &path, None).await;
    assert_eq!(read.body["email"], json!({"email": "New@example.com"}));
    assert_eq!(
        templates(&app, &id).await,
        [("verify_email".to_owned(), "New@example.com".to_owned())]
    );
    // same + unverified stored + false: NotChanged; + true: verified only.
    let reply = call(
        &app,
        Method::PUT,
        &path,
        json!({"email": "New@example.com", "is_email_verified": false}),
    )
    .await;
    assert_eq!(
        reply.body,
        error_body(9, "Email not changed", "COMMAND-2b7fM")
    );
    let reply = call(
        &app,
        Method::PUT,
        &path,
        json!({"email": "New@example.com", "isEmailVerified": true}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        app.api(Method::GET, &path, None).await.body["email"]["isEmailVerified"],
        true
    );
    // Resend on a verified address: AlreadyVerified.
    let reply = call(
        &app,
        Method::POST,
        &format!("{path}/_resend_verification"),
        json!({}),
    )
    .await;
    assert_eq!(
        reply.body,
        error_body(9, "Email is already verified", "COMMAND-3M9ds")
    );

    // The link in the verification mail verifies the address it was sent to.
    call(
        &app,
        Method::PUT,
        &path,
        json!({"email": "third@example.com"}),
    )
    .await;
    let mail = app
        .delivered_messages()
        .await
        .into_iter()
        .rev()
        .find(|text| text.starts_with("To: third@example.com\n"))
        .unwrap();
    let link = url::Url::parse(
        mail.split_whitespace()
            .find(|word| word.contains("/verify-email?"))
            .unwrap(),
    )
    .unwrap();
    let code = crate::common::query_param(&link, "code").unwrap();
    let wrong = app
        .server_fn(
            "verify_email",
            None,
            json!({"user_id": id, "code": "AAAAAA"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    let ok = app
        .server_fn("verify_email", None, json!({"user_id": id, "code": code}))
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    assert_eq!(
        app.api(Method::GET, &path, None).await.body["email"]["isEmailVerified"],
        true
    );
    let again = app
        .server_fn("verify_email", None, json!({"user_id": id, "code": code}))
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "single use");
}

async fn email_and_initialization_error_rows(db: &TestDb) {
    let app = TestApp::start(db).await;
    let initial = import(&app, "initial", false, None).await;
    let active = import(&app, "active", true, None).await;

    let cases: Vec<(Method, String, Value, StatusCode, Value)> = vec![
        (
            Method::PUT,
            "/users/42/email".into(),
            json!({"email": "a@b.c"}),
            StatusCode::BAD_REQUEST,
            error_body(9, "Email not found", "COMMAND-0Pe4r"),
        ),
        (
            Method::PUT,
            format!("/users/{initial}/email"),
            json!({"email": "a@b.c"}),
            StatusCode::BAD_REQUEST,
            error_body(9, "User is not yet initialized", "COMMAND-J8dsk"),
        ),
        (
            Method::PUT,
            format!("/users/{active}/email"),
            json!({"email": ""}),
            StatusCode::BAD_REQUEST,
            pgv_body(
                "invalid UpdateHumanEmailRequest.Email: value must be a valid email address | caused by: mail: no address",
            ),
        ),
        (
            Method::PUT,
            format!("/users/{active}/email"),
            json!({"email": "jürgen@example.com"}),
            StatusCode::BAD_REQUEST,
            error_body(3, "Email is invalid", "EMAIL-599BI"),
        ),
        (
            Method::POST,
            "/users/42/email/_resend_verification".into(),
            json!({}),
            StatusCode::NOT_FOUND,
            error_body(5, "Email not found", "COMMAND-0Pe4r"),
        ),
        (
            Method::POST,
            format!("/users/{initial}/email/_resend_verification"),
            json!({}),
            StatusCode::BAD_REQUEST,
            error_body(9, "User is not yet initialized", "COMMAND-E3fbw"),
        ),
        (
            Method::POST,
            "/users/42/_resend_initialization".into(),
            json!({}),
            StatusCode::NOT_FOUND,
            error_body(5, "User could not be found", "COMMAND-2M9df"),
        ),
        (
            Method::POST,
            format!("/users/{active}/_resend_initialization"),
            json!({}),
            StatusCode::BAD_REQUEST,
            error_body(9, "User is already initialized", "COMMAND-2M9sd"),
        ),
        (
            Method::POST,
            format!("/users/{initial}/_resend_initialization"),
            json!({"email": "nope"}),
            StatusCode::BAD_REQUEST,
            pgv_body(
                "invalid ResendHumanInitializationRequest.Email: value must be a valid email address | caused by: mail: missing '@' or angle-addr",
            ),
        ),
    ];
    for (method, path, body, status, expected) in cases {
        let reply = call(&app, method.clone(), &path, body).await;
        assert_eq!(reply.status, status, "{method} {path}: {}", reply.text);
        assert_eq!(reply.body, expected, "{method} {path}");
    }

    // Resending the invitation to a new address: the address changes, a new code goes there,
    // and the old code stops working.
    let first = app.init_link_for("initial@example.com").await.unwrap();
    let old_code = crate::common::query_param(&first, "code").unwrap();
    let reply = call(
        &app,
        Method::POST,
        &format!("/users/{initial}/_resend_initialization"),
        json!({"email": "moved@example.com"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let email = app
        .api(Method::GET, &format!("/users/{initial}/email"), None)
        .await;
    assert_eq!(email.body["email"], json!({"email": "moved@example.com"}));
    let second = app.init_link_for("moved@example.com").await.unwrap();
    let new_code = crate::common::query_param(&second, "code").unwrap();
    let form = |code: &str| json!({"form": {"user_id": initial, "code": code, "password": "Lantern-meadow-harbor-42", "password_confirmation": "Lantern-meadow-harbor-42"}});
    let stale = app
        .server_fn("complete_initialization", None, form(&old_code))
        .await;
    assert_eq!(
        stale.status,
        StatusCode::BAD_REQUEST,
        "only the newest code is valid"
    );
    let done = app
        .server_fn("complete_initialization", None, form(&new_code))
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
}

async fn phone_updates_removals_and_resends(db: &TestDb) {
    let app = TestApp::start(db).await;
    let id = import(&app, "phoney", false, None).await;
    let path = format!("/users/{id}/phone");

    let cases: Vec<(Method, String, Value, StatusCode, Value)> = vec![
        (
            Method::PUT,
            path.clone(),
            json!({"phone": "079 000 00 00"}),
            StatusCode::BAD_REQUEST,
            pgv_body("invalid UpdateHumanPhoneRequest.Phone: value does not have prefix \"+\""),
        ),
        (
            Method::PUT,
            path.clone(),
            json!({"phone": ""}),
            StatusCode::BAD_REQUEST,
            pgv_body(
                "invalid UpdateHumanPhoneRequest.Phone: value length must be between 1 and 50 runes, inclusive",
            ),
        ),
        (
            Method::PUT,
            path.clone(),
            json!({"phone": "+41 abc"}),
            StatusCode::BAD_REQUEST,
            error_body(3, "Phone is invalid", "PHONE-so0wa"),
        ),
        (
            Method::PUT,
            "/users/42/phone".into(),
            json!({"phone": "+41 71 000 00 00"}),
            StatusCode::BAD_REQUEST,
            error_body(9, "User could not be found", "COMMAND-3M0fs"),
        ),
        (
            Method::DELETE,
            "/users/42/phone".into(),
            json!({}),
            StatusCode::BAD_REQUEST,
            error_body(9, "User could not be found", "COMMAND-3M9fs"),
        ),
        (
            Method::DELETE,
            path.clone(),
            json!({}),
            StatusCode::NOT_FOUND,
            error_body(5, "Phone not found", "COMMAND-p6rsc"),
        ),
        (
            Method::POST,
            "/users/42/phone/_resend_verification".into(),
            json!({}),
            StatusCode::BAD_REQUEST,
            error_body(9, "User could not be found", "COMMAND-2M0fs"),
        ),
        (
            Method::POST,
            format!("{path}/_resend_verification"),
            json!({}),
            StatusCode::NOT_FOUND,
            error_body(5, "Phone not found", "COMMAND-2b7Hf"),
        ),
    ];
    for (method, path, body, status, expected) in cases {
        let reply = call(&app, method.clone(), &path, body).await;
        assert_eq!(reply.status, status, "{method} {path}: {}", reply.text);
        assert_eq!(reply.body, expected, "{method} {path}");
    }

    // Allowed for INITIAL users; normalized before comparing.
    let reply = call(
        &app,
        Method::PUT,
        &path,
        json!({"phone": "+41 71 000 00 00"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let reply = call(&app, Method::PUT, &path, json!({"phone": "+41710000000"})).await;
    assert_eq!(
        reply.body,
        error_body(9, "Phone not changed", "COMMAND-wF94r")
    );
    let reply = call(
        &app,
        Method::POST,
        &format!("{path}/_resend_verification"),
        json!({}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let sms: Vec<_> = templates(&app, &id)
        .await
        .into_iter()
        .filter(|(template, _)| template == "verify_phone")
        .collect();
    assert_eq!(sms.len(), 2, "a code on change and one on resend");
    let reply = call(
        &app,
        Method::PUT,
        &path,
        json!({"phone": "+41710000000", "isPhoneVerified": true}),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "same + unverified + true: verified only"
    );
    assert_eq!(
        app.api(Method::GET, &path, None).await.body["phone"],
        json!({"phone": "+41710000000", "isPhoneVerified": true})
    );
    let reply = call(
        &app,
        Method::POST,
        &format!("{path}/_resend_verification"),
        json!({}),
    )
    .await;
    assert_eq!(
        reply.body,
        error_body(9, "Phone already verified", "COMMAND-2M9sf")
    );
    let reply = app.api(Method::DELETE, &path, None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        app.api(Method::GET, &path, None).await.body["phone"],
        json!({})
    );
    let reply = app.api(Method::DELETE, &path, None).await;
    assert_eq!(
        reply.body,
        error_body(5, "Phone not found", "COMMAND-p6rsc"),
        "already removed"
    );
}

async fn passwords_set_by_the_api(db: &TestDb) {
    let app = TestApp::start(db).await;
    let initial = import(&app, "notyet", false, None).await;
    let active = import(&app, "ready", true, None).await;
    let (_, cookie) = app.sign_in("ready", "Lantern-meadow-harbor-42").await;
    let cookie = cookie.unwrap();

    let cases: Vec<(String, Value, StatusCode, Value)> = vec![
        (
            "/users/42/password".into(),
            json!({"password": "Orchard-rain-77"}),
            StatusCode::BAD_REQUEST,
            error_body(9, "Password not found", "COMMAND-G8dh3"),
        ),
        (
            format!("/users/{initial}/password"),
            json!({"password": "Orchard-rain-77"}),
            StatusCode::BAD_REQUEST,
            error_body(9, "User is not yet initialized", "COMMAND-M9dse"),
        ),
        (
            format!("/users/{initial}/password/_initialize"),
            json!({"password": "Orchard-rain-77"}),
            StatusCode::BAD_REQUEST,
            error_body(9, "User is not yet initialized", "COMMAND-M9dse"),
        ),
        (
            format!("/users/{active}/password"),
            json!({"password": ""}),
            StatusCode::BAD_REQUEST,
            pgv_body(
                "invalid SetHumanPasswordRequest.Password: value length must be between 1 and 72 runes, inclusive",
            ),
        ),
        (
            format!("/users/{active}/password/_initialize"),
            json!({"password": "x".repeat(73)}),
            StatusCode::BAD_REQUEST,
            pgv_body(
                "invalid SetHumanInitialPasswordRequest.Password: value length must be between 1 and 72 runes, inclusive",
            ),
        ),
        (
            format!("/users/{active}/password"),
            json!({"password": "short"}),
            StatusCode::BAD_REQUEST,
            error_body(3, "Password is too short", "DOMAIN-HuJf6"),
        ),
    ];
    for (path, body, status, expected) in cases {
        let reply = call(&app, Method::POST, &path, body).await;
        assert_eq!(reply.status, status, "{path}: {}", reply.text);
        assert_eq!(reply.body, expected, "{path}");
    }

    // 72 runes of multi-byte characters hash fine (decision D4: no bcrypt limit).
    let wide = "ü".repeat(72);
    let reply = call(
        &app,
        Method::POST,
        &format!("/users/{active}/password"),
        json!({"password": wide, "noChangeRequired": true}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    // The user's sessions ended, a notice went to them, and the new password works.
    let me = app
        .server_fn("current_user", Some(&cookie), json!({}))
        .await;
    assert_eq!(me.body, Value::Null);
    assert!(
        templates(&app, &active)
            .await
            .iter()
            .any(|(template, _)| template == "password_changed")
    );
    assert_eq!(app.sign_in("ready", &wide).await.0.body, json!("SignedIn"));
    // Without noChangeRequired (and always for _initialize) the user must change it.
    let reply = call(
        &app,
        Method::POST,
        &format!("/users/{active}/password/_initialize"),
        json!({"password": "Orchard-rain-lantern-77"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        app.sign_in("ready", "Orchard-rain-lantern-77").await.0.body,
        json!("ChangePasswordRequired")
    );
}

async fn reset_notifications_by_mail_and_sms(db: &TestDb) {
    let app = TestApp::start(db).await;
    let initial = import(&app, "waiting", false, None).await;
    let active = import(&app, "forgetful", true, Some(("+41 71 000 00 00", true))).await;
    let cases: Vec<(String, Value, StatusCode, Value)> = vec![
        (
            "/users/42/password/_reset".into(),
            json!({}),
            StatusCode::BAD_REQUEST,
            error_body(9, "User could not be found", "COMMAND-Hj9ds"),
        ),
        (
            format!("/users/{initial}/password/_reset"),
            json!({}),
            StatusCode::BAD_REQUEST,
            error_body(9, "User is not yet initialized", "COMMAND-2M9sd"),
        ),
        (
            format!("/users/{active}/password/_reset"),
            json!({"type": 5}),
            StatusCode::BAD_REQUEST,
            pgv_body(
                "invalid SendHumanResetPasswordNotificationRequest.Type: value must be one of the defined enum values",
            ),
        ),
    ];
    for (path, body, status, expected) in cases {
        let reply = call(&app, Method::POST, &path, body).await;
        assert_eq!(reply.status, status, "{path}: {}", reply.text);
        assert_eq!(reply.body, expected, "{path}");
    }
    let path = format!("/users/{active}/password/_reset");
    assert_eq!(
        call(&app, Method::POST, &path, json!({})).await.status,
        StatusCode::OK
    );
    assert_eq!(
        call(&app, Method::POST, &path, json!({"type": "TYPE_SMS"}))
            .await
            .status,
        StatusCode::OK
    );
    let sent = templates(&app, &active).await;
    assert_eq!(
        sent,
        [
            (
                "password_reset".to_owned(),
                "forgetful@example.com".to_owned()
            ),
            ("password_reset".to_owned(), "+41710000000".to_owned()),
        ]
    );
    // The password itself did not change.
    assert_eq!(
        app.sign_in("forgetful", "Lantern-meadow-harbor-42")
            .await
            .0
            .body,
        json!("SignedIn")
    );
    // The SMS carries the code and a link on the public URL that resets the password.
    let sms = app
        .delivered_messages()
        .await
        .into_iter()
        .find(|text| {
            text.starts_with("To: +41710000000\n") && text.contains("Template: password_reset\n")
        })
        .unwrap();
    let link = sms
        .split_whitespace()
        .find(|word| word.starts_with("http://localhost:3000/reset-password?"))
        .map(|link| url::Url::parse(link).unwrap())
        .unwrap_or_else(|| panic!("no reset link in the SMS: {sms}"));
    let code = crate::common::query_param(&link, "code").unwrap();
    assert!(sms.contains(&format!("code is {code}.")), "{sms}");
    let user_id = crate::common::query_param(&link, "userID").unwrap();
    assert_eq!(user_id, active);
    let reset = app
        .server_fn(
            "reset_password",
            None,
            json!({"form": {"user_id": user_id, "code": code, "password": "Orchard-rain-lantern-77", "password_confirmation": "Orchard-rain-lantern-77"}}),
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.text);
    assert_eq!(
        app.sign_in("forgetful", "Orchard-rain-lantern-77")
            .await
            .0
            .body,
        json!("SignedIn")
    );
}

/// The four class rules, each broken by one password (checked in the contract's order:
/// length, lower, upper, number, symbol).
fn class_violations() -> [(&'static str, Value); 4] {
    [
        (
            "ORCHARD-RAIN-77",
            error_body(3, "Password must contain lower case", "DOMAIN-co3Xw"),
        ),
        (
            "orchard-rain-77",
            error_body(3, "Password must contain upper case", "DOMAIN-VoaRj"),
        ),
        (
            "Orchard-rain-xx",
            error_body(3, "Password must contain number", "DOMAIN-ZBv4H"),
        ),
        (
            "OrchardRain77x",
            error_body(3, "Password must contain symbol", "DOMAIN-ZDLwA"),
        ),
    ]
}

async fn password_policy_rows_with_every_class_required(db: &TestDb) {
    let app = TestApp::start_with(
        db,
        std::sync::Arc::new(server::domain::clock::SystemClock),
        &[
            ("ROSTER_PASSWORD_REQUIRE_LOWERCASE", "true"),
            ("ROSTER_PASSWORD_REQUIRE_UPPERCASE", "true"),
            ("ROSTER_PASSWORD_REQUIRE_NUMBER", "true"),
            ("ROSTER_PASSWORD_REQUIRE_SYMBOL", "true"),
        ],
    )
    .await;
    let active = import(&app, "strict", true, None).await;
    for (index, (password, expected)) in class_violations().into_iter().enumerate() {
        // 3.1 import
        let body = json!({
            "userName": format!("classy{index}"),
            "profile": {"firstName": "Ann", "lastName": "Lee"},
            "email": {"email": format!("classy{index}@example.com"), "isEmailVerified": true},
            "password": password,
        });
        let reply = call(&app, Method::POST, "/users/human/_import", body).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{password}: {}",
            reply.text
        );
        assert_eq!(reply.body, expected, "import {password}");
        // 3.10 set password, and 3.11 (same path, change always required)
        for path in [
            format!("/users/{active}/password"),
            format!("/users/{active}/password/_initialize"),
        ] {
            let reply = call(&app, Method::POST, &path, json!({"password": password})).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path} {password}");
            assert_eq!(reply.body, expected, "{path} {password}");
        }
    }
    // Nothing was created, and the password did not change.
    let reply = call(
        &app,
        Method::POST,
        "/users/human/_import",
        json!({"userName": "classy0", "profile": {"firstName": "Ann", "lastName": "Lee"},
               "email": {"email": "classy0@example.com", "isEmailVerified": true},
               "password": "Orchard-rain-77"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(
        app.sign_in("strict", "Lantern-meadow-harbor-42")
            .await
            .0
            .body,
        json!("SignedIn")
    );
}

async fn machine_and_foreign_users_and_long_phones(db: &TestDb) {
    let app = TestApp::start(db).await;
    let active = import(&app, "homebody", true, None).await;
    let machine = match app.owner().await {
        app::model::Actor::Service(owner) => owner.user_id.0,
        other => panic!("{other:?}"),
    };
    // A user of another organisation, imported by that organisation's manager.
    let org = app.create_org("Elsewhere").await;
    let foreign_token = app
        .service_token(
            app::model::Role::OrgUserManager,
            &org.0,
            "elsewhere-manager",
        )
        .await;
    let body = json!({
        "userName": "abroad",
        "profile": {"firstName": "Ann", "lastName": "Lee"},
        "email": {"email": "abroad@example.com", "isEmailVerified": true},
        "password": "Lantern-meadow-harbor-42",
    })
    .to_string();
    let reply = app
        .rest(
            Method::POST,
            "/users/human/_import",
            Some(&foreign_token),
            None,
            Some(&body),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let foreign = reply.body["userId"].as_str().unwrap().to_owned();

    let cases: Vec<(String, Value, StatusCode, Value)> = vec![
        // 3.8: machine users and users of another organisation have no email here.
        (
            format!("/users/{machine}/email"),
            json!({"email": "robot@example.com"}),
            StatusCode::BAD_REQUEST,
            error_body(9, "Email not found", "COMMAND-0Pe4r"),
        ),
        (
            format!("/users/{foreign}/email"),
            json!({"email": "moved@example.com"}),
            StatusCode::BAD_REQUEST,
            error_body(9, "Email not found", "COMMAND-0Pe4r"),
        ),
        // 3.11: unknown user, and a policy violation.
        (
            "/users/42/password/_initialize".into(),
            json!({"password": "Orchard-rain-lantern-77"}),
            StatusCode::BAD_REQUEST,
            error_body(9, "Password not found", "COMMAND-G8dh3"),
        ),
        (
            format!("/users/{active}/password/_initialize"),
            json!({"password": "short"}),
            StatusCode::BAD_REQUEST,
            error_body(3, "Password is too short", "DOMAIN-HuJf6"),
        ),
        // 3.19: more than 50 runes.
        (
            format!("/users/{active}/phone"),
            json!({"phone": format!("+{}", "1".repeat(50))}),
            StatusCode::BAD_REQUEST,
            pgv_body(
                "invalid UpdateHumanPhoneRequest.Phone: value length must be between 1 and 50 runes, inclusive",
            ),
        ),
    ];
    for (path, body, status, expected) in cases {
        let method = if path.ends_with("/email") || path.ends_with("/phone") {
            Method::PUT
        } else {
            Method::POST
        };
        let reply = call(&app, method.clone(), &path, body).await;
        assert_eq!(reply.status, status, "{method} {path}: {}", reply.text);
        assert_eq!(reply.body, expected, "{method} {path}");
    }
    // 50 runes exactly pass the validation layer (and then fail to parse as a number).
    let reply = call(
        &app,
        Method::PUT,
        &format!("/users/{active}/phone"),
        json!({"phone": format!("+{}", "1".repeat(49))}),
    )
    .await;
    assert_eq!(reply.body, error_body(3, "Phone is invalid", "PHONE-so0wa"));

    // 3.12 looks users up with the generic model: a machine user is found (no NotFound) and,
    // having no address, gets no message.
    let reply = call(
        &app,
        Method::POST,
        &format!("/users/{machine}/password/_reset"),
        json!({"type": "TYPE_EMAIL"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert!(
        reply.body["details"]["sequence"].is_string(),
        "{}",
        reply.text
    );
    assert!(templates(&app, &machine).await.is_empty());
    // A user of another organisation is not found from this one.
    let reply = call(
        &app,
        Method::POST,
        &format!("/users/{foreign}/password/_reset"),
        json!({}),
    )
    .await;
    assert_eq!(
        reply.body,
        error_body(9, "User could not be found", "COMMAND-Hj9ds")
    );
}

async fn links_ignore_forged_host_headers(db: &TestDb) {
    let app = TestApp::start(db).await;
    let forged = |method: Method, path: &str, body: Value| {
        Request::builder()
            .method(method)
            .uri(format!("/management/v1{path}"))
            .header(header::AUTHORIZATION, format!("Bearer {}", app.token))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::HOST, "evil.example")
            .header("x-forwarded-host", "evil.example")
            .header("x-forwarded-proto", "https")
            .header("forwarded", "host=evil.example;proto=https")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    // An invitation mail, asked for with forged headers.
    let reply = app
        .send(forged(
            Method::POST,
            "/users/human/_import",
            json!({"userName": "lured", "profile": {"firstName": "Ann", "lastName": "Lee"},
                   "email": {"email": "lured@example.com"}}),
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let id = reply.body["userId"].as_str().unwrap().to_owned();
    let link = app.init_link_for("lured@example.com").await.unwrap();
    assert_eq!(link.origin().ascii_serialization(), ORIGIN);
    // A registration link in a response.
    let reply = app
        .send(forged(
            Method::POST,
            &format!("/users/{id}/passwordless/_link"),
            json!({}),
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let link = reply.body["link"].as_str().unwrap();
    assert!(
        link.starts_with(&format!("{ORIGIN}/passkey/register?")),
        "{link}"
    );
    // No message anywhere names the forged host.
    assert!(
        app.delivered_messages()
            .await
            .iter()
            .all(|text| !text.contains("evil.example"))
    );
}
