//! REST 3.3-3.5 and 3.13-3.16 (auth factors and passkeys), every contract row, with
//! decisions D1 and D2, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{ORIGIN, TestApp, TestDb, error_body, pgv_body, query_param};
use crate::factors::{register, user};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

on_both_databases!(
    factors_are_listed_and_removed_by_kind,
    registration_links_are_made_and_sent,
    factor_endpoints_check_callers_and_input,
    factor_endpoints_answer_exactly_outside_the_context_org,
);

const READY: &str = "AUTH_FACTOR_STATE_READY";

async fn post(app: &TestApp, path: &str) -> crate::common::Reply {
    app.api(Method::POST, path, None).await
}

async fn delete(app: &TestApp, path: &str) -> crate::common::Reply {
    app.api(Method::DELETE, path, None).await
}

/// A change-variant `details` object for the user's newest event.
fn assert_change_details(body: &Value) {
    let details = &body["details"];
    assert!(
        details["sequence"].as_str().unwrap().parse::<u64>().is_ok(),
        "{body}"
    );
    assert!(details["changeDate"].as_str().unwrap().ends_with('Z'));
    assert!(details["resourceOwner"].is_string());
    assert!(details.get("creationDate").is_none());
}

async fn factors_are_listed_and_removed_by_kind(db: &TestDb) {
    let app = TestApp::start(db).await;
    let (id, cookie) = user(&app, "factored").await;
    let list = format!("/users/{id}/auth_factors/_search");
    let passkeys = format!("/users/{id}/passwordless/_search");

    // Nothing yet: `{}` for both lists.
    let empty = post(&app, &list).await;
    assert_eq!((empty.status, empty.text.as_str()), (StatusCode::OK, "{}"));
    assert_eq!(post(&app, &passkeys).await.text, "{}");

    // TOTP set up but not confirmed is not listed, yet can be removed (3.4: ready or not).
    let setup = app.server_fn("start_totp", Some(&cookie), json!({})).await;
    assert_eq!(setup.status, StatusCode::OK);
    assert_eq!(post(&app, &list).await.text, "{}");
    let removed = delete(&app, &format!("/users/{id}/auth_factors/otp")).await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.text);
    assert_change_details(&removed.body);
    let again = delete(&app, &format!("/users/{id}/auth_factors/otp")).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(
        again.body,
        error_body(
            5,
            "Multifactor OTP (OneTimePassword) doesn't exist",
            "COMMAND-Hd9sd"
        )
    );

    let (_, with_key) = register(&app, &cookie, "SecurityKey", "YubiKey").await;
    let key_id = with_key["security_keys"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, with_passkey) = register(&app, &cookie, "Passkey", "Laptop").await;
    let passkey_id = with_passkey["passkeys"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let listed = post(&app, &list).await;
    assert_eq!(
        listed.body,
        json!({"result": [{"state": READY, "u2f": {"id": key_id, "name": "YubiKey"}}]}),
        "passkeys are not auth factors"
    );
    let listed = post(&app, &passkeys).await;
    assert_eq!(
        listed.body,
        json!({"result": [{"id": passkey_id, "state": READY, "name": "Laptop"}]})
    );

    // D2: each path removes only its own kind.
    let webauthn_missing = error_body(5, "WebAuthN Token could not be found", "COMMAND-DAfb2");
    let crossed = delete(&app, &format!("/users/{id}/auth_factors/u2f/{passkey_id}")).await;
    assert_eq!(crossed.status, StatusCode::NOT_FOUND);
    assert_eq!(crossed.body, webauthn_missing);
    let crossed = delete(&app, &format!("/users/{id}/passwordless/{key_id}")).await;
    assert_eq!(crossed.status, StatusCode::NOT_FOUND);
    assert_eq!(crossed.body, webauthn_missing);

    let removed = delete(&app, &format!("/users/{id}/auth_factors/u2f/{key_id}")).await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.text);
    assert_change_details(&removed.body);
    let again = delete(&app, &format!("/users/{id}/auth_factors/u2f/{key_id}")).await;
    assert_eq!(again.body, webauthn_missing);
    let removed = delete(&app, &format!("/users/{id}/passwordless/{passkey_id}")).await;
    assert_eq!(removed.status, StatusCode::OK);
    assert_change_details(&removed.body);
    let again = delete(&app, &format!("/users/{id}/passwordless/{passkey_id}")).await;
    assert_eq!(again.body, webauthn_missing);
    assert_eq!(post(&app, &list).await.text, "{}");
    assert_eq!(post(&app, &passkeys).await.text, "{}");

    // The sequence in the details counts the user's events.
    let profile = app
        .api(Method::GET, &format!("/users/{id}/profile"), None)
        .await;
    assert_eq!(
        profile.body["details"]["sequence"],
        removed.body["details"]["sequence"]
    );
}

async fn registration_links_are_made_and_sent(db: &TestDb) {
    let app = TestApp::start(db).await;
    let (id, _) = user(&app, "invitee").await;
    let made = post(&app, &format!("/users/{id}/passwordless/_link")).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.text);
    let keys: Vec<&String> = made.body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["details", "expiration", "link"]);
    assert_eq!(made.body["expiration"], "3600s");
    let details = &made.body["details"];
    assert!(details["creationDate"].is_string());
    assert!(details.get("changeDate").is_none());
    let link = url::Url::parse(made.body["link"].as_str().unwrap()).unwrap();
    assert!(
        link.as_str()
            .starts_with(&format!("{ORIGIN}/passkey/register?"))
    );
    assert_eq!(query_param(&link, "userID").unwrap(), id);
    assert!(query_param(&link, "orgID").is_some());
    assert!(query_param(&link, "codeID").is_some());
    assert_eq!(query_param(&link, "code").unwrap().len(), 12);
    assert!(
        app.delivered_messages()
            .await
            .iter()
            .all(|text| !text.contains("/passkey/register")),
        "3.13 sends nothing"
    );

    // 3.15: the same link by mail to the verified address; body `{}` or none.
    for body in [Some("{}"), None] {
        let sent = app
            .rest(
                Method::POST,
                &format!("/users/{id}/passwordless/_send_link"),
                Some(&app.token),
                None,
                body,
            )
            .await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.text);
        assert_eq!(sent.body.as_object().unwrap().len(), 1);
        assert!(sent.body["details"]["creationDate"].is_string());
    }
    let mails: Vec<String> = app
        .delivered_messages()
        .await
        .into_iter()
        .filter(|text| {
            text.starts_with("To: invitee@example.com\n") && text.contains("/passkey/register?")
        })
        .collect();
    assert_eq!(mails.len(), 2);

    // An unverified address gets no mail, but the call succeeds as in ZITADEL.
    let body = json!({
        "userName": "unverified",
        "profile": {"firstName": "Ann", "lastName": "Lee"},
        "email": {"email": "unverified@example.com", "isEmailVerified": false},
    });
    let imported = app
        .api(Method::POST, "/users/human/_import", Some(&body))
        .await;
    let other = imported.body["userId"].as_str().unwrap();
    let sent = post(&app, &format!("/users/{other}/passwordless/_send_link")).await;
    assert_eq!(sent.status, StatusCode::OK);
    assert!(
        app.delivered_messages()
            .await
            .iter()
            .all(|text| !(text.starts_with("To: unverified@example.com\n")
                && text.contains("/passkey/register?")))
    );
    let malformed = app
        .rest(
            Method::POST,
            &format!("/users/{id}/passwordless/_send_link"),
            Some(&app.token),
            None,
            Some("{"),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
}

async fn factor_endpoints_check_callers_and_input(db: &TestDb) {
    let app = TestApp::start(db).await;
    let (id, _) = user(&app, "guarded").await;
    let not_found = error_body(5, "User could not be found", "QUERY-Dfbg2");

    // D1: unknown users (and machine users) are not found on the list and link endpoints.
    for path in [
        "/users/404404/auth_factors/_search",
        "/users/404404/passwordless/_search",
        "/users/404404/passwordless/_link",
        "/users/404404/passwordless/_send_link",
    ] {
        let reply = post(&app, path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(reply.body, not_found, "{path}");
    }
    let reply = delete(&app, "/users/404404/auth_factors/otp").await;
    assert_eq!(
        reply.body,
        error_body(
            5,
            "Multifactor OTP (OneTimePassword) doesn't exist",
            "COMMAND-Hd9sd"
        )
    );
    for path in [
        "/users/404404/auth_factors/u2f/1",
        "/users/404404/passwordless/1",
    ] {
        let reply = delete(&app, path).await;
        assert_eq!(
            reply.body,
            error_body(5, "WebAuthN Token could not be found", "COMMAND-DAfb2"),
            "{path}"
        );
    }

    // PGV on the path ids.
    let long = "9".repeat(201);
    let cases = [
        (
            Method::POST,
            format!("/users/{long}/auth_factors/_search"),
            "ListHumanAuthFactorsRequest.UserId",
        ),
        (
            Method::DELETE,
            format!("/users/{long}/auth_factors/otp"),
            "RemoveHumanAuthFactorOTPRequest.UserId",
        ),
        (
            Method::DELETE,
            format!("/users/{id}/auth_factors/u2f/{long}"),
            "RemoveHumanAuthFactorU2FRequest.TokenId",
        ),
        (
            Method::POST,
            format!("/users/{long}/passwordless/_link"),
            "AddPasswordlessRegistrationRequest.UserId",
        ),
        (
            Method::POST,
            format!("/users/{long}/passwordless/_search"),
            "ListHumanPasswordlessRequest.UserId",
        ),
        (
            Method::POST,
            format!("/users/{long}/passwordless/_send_link"),
            "SendPasswordlessRegistrationRequest.UserId",
        ),
        (
            Method::DELETE,
            format!("/users/{id}/passwordless/{long}"),
            "RemoveHumanPasswordlessRequest.TokenId",
        ),
    ];
    for (method, path, field) in &cases {
        let reply = app.api(method.clone(), path, None).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(
            reply.body,
            pgv_body(&format!(
                "invalid {field}: value length must be between 1 and 200 runes, inclusive"
            )),
            "{path}"
        );
    }

    // No token: 401; a viewer may list but not change; a user manager may not make links
    // (user.credential.write); a manager of another organisation does not see the user.
    let owner = app
        .roster
        .services
        .resolve_bearer(&app.token)
        .await
        .unwrap()
        .unwrap();
    let owner = app::model::Actor::Service(owner);
    let default_org = app.roster.services.default_org().await.unwrap();
    let other_org = app
        .roster
        .services
        .create_org(&owner, "Elsewhere")
        .await
        .unwrap();
    let token = |role, org: app::model::OrgId, name: &'static str| {
        let services = app.roster.services.clone();
        let owner = owner.clone();
        async move {
            services
                .create_service_account(
                    &owner,
                    &app::model::CreateServiceAccountForm {
                        username: name.to_owned(),
                        name: name.to_owned(),
                        role,
                        org_id: org.0.clone(),
                    },
                )
                .await
                .unwrap()
                .token
        }
    };
    let viewer = token(
        app::model::Role::OrgUserViewer,
        default_org.clone(),
        "viewer",
    )
    .await;
    let manager = token(app::model::Role::OrgUserManager, default_org, "manager").await;
    let stranger = token(app::model::Role::OrgUserManager, other_org, "stranger").await;
    let denied = json!({"code": 7, "message": "No matching permissions found (AUTH-5mWD2)", "details": [{"@type": "type.googleapis.com/zitadel.v1.ErrorDetail", "id": "AUTH-5mWD2", "message": "No matching permissions found"}]});
    let every = [
        (Method::POST, format!("/users/{id}/auth_factors/_search")),
        (Method::DELETE, format!("/users/{id}/auth_factors/otp")),
        (Method::DELETE, format!("/users/{id}/auth_factors/u2f/1")),
        (Method::POST, format!("/users/{id}/passwordless/_link")),
        (Method::POST, format!("/users/{id}/passwordless/_search")),
        (Method::POST, format!("/users/{id}/passwordless/_send_link")),
        (Method::DELETE, format!("/users/{id}/passwordless/1")),
    ];
    for (method, path) in &every {
        let reply = app.rest(method.clone(), path, None, None, None).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{path}");
        let reply = app
            .rest(method.clone(), path, Some(&viewer), None, None)
            .await;
        let reads = path.ends_with("_search");
        if reads {
            assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text);
        } else {
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path}");
            assert_eq!(reply.body, denied, "{path}");
        }
        // Links need user.credential.write, which a user manager lacks anywhere.
        let reply = app
            .rest(method.clone(), path, Some(&stranger), None, None)
            .await;
        let expected = if path.ends_with("/_link") {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(reply.status, expected, "{path}: {}", reply.text);
    }
    let reply = app
        .rest(
            Method::POST,
            &format!("/users/{id}/passwordless/_link"),
            Some(&manager),
            None,
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.body, denied);
    let reply = app
        .rest(
            Method::POST,
            &format!("/users/{id}/passwordless/_send_link"),
            Some(&manager),
            None,
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
}

/// Every factor endpoint, with the exact error body it gives for a user it must not touch:
/// D1's NotFound for the list and link endpoints, the removal's own NotFound otherwise.
fn every_endpoint(user_id: &str) -> Vec<(Method, String, Value)> {
    let not_found = error_body(5, "User could not be found", "QUERY-Dfbg2");
    let no_otp = error_body(
        5,
        "Multifactor OTP (OneTimePassword) doesn't exist",
        "COMMAND-Hd9sd",
    );
    let no_token = error_body(5, "WebAuthN Token could not be found", "COMMAND-DAfb2");
    vec![
        (
            Method::POST,
            format!("/users/{user_id}/auth_factors/_search"),
            not_found.clone(),
        ),
        (
            Method::DELETE,
            format!("/users/{user_id}/auth_factors/otp"),
            no_otp,
        ),
        (
            Method::DELETE,
            format!("/users/{user_id}/auth_factors/u2f/TOKEN"),
            no_token.clone(),
        ),
        (
            Method::POST,
            format!("/users/{user_id}/passwordless/_link"),
            not_found.clone(),
        ),
        (
            Method::POST,
            format!("/users/{user_id}/passwordless/_search"),
            not_found.clone(),
        ),
        (
            Method::POST,
            format!("/users/{user_id}/passwordless/_send_link"),
            not_found,
        ),
        (
            Method::DELETE,
            format!("/users/{user_id}/passwordless/TOKEN"),
            no_token,
        ),
    ]
}

async fn factor_endpoints_answer_exactly_outside_the_context_org(db: &TestDb) {
    let app = TestApp::start(db).await;
    let other_org = app.create_org("Elsewhere").await;

    // A user of another organisation, with an app, a security key and a passkey: the bootstrap
    // account works in its own organisation without the header, so it finds none of them.
    let body = json!({
        "userName": "abroad",
        "profile": {"firstName": "Ann", "lastName": "Lee"},
        "email": {"email": "abroad@example.com", "isEmailVerified": true},
        "password": crate::factors::PASSWORD,
    });
    let imported = app
        .rest(
            Method::POST,
            "/users/human/_import",
            Some(&app.token),
            Some(other_org.as_str()),
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.text);
    let abroad = imported.body["userId"].as_str().unwrap().to_owned();
    let (_, cookie) = app.sign_in("abroad", crate::factors::PASSWORD).await;
    let cookie = cookie.unwrap();
    let (_, with_key) = register(&app, &cookie, "SecurityKey", "Key").await;
    let key_id = with_key["security_keys"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, with_passkey) = register(&app, &cookie, "Passkey", "Phone").await;
    let passkey_id = with_passkey["passkeys"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let setup = app.server_fn("start_totp", Some(&cookie), json!({})).await;
    assert_eq!(setup.status, StatusCode::OK, "{}", setup.text);
    for (method, path, expected) in every_endpoint(&abroad) {
        let path = path
            .replace("u2f/TOKEN", &format!("u2f/{key_id}"))
            .replace("passwordless/TOKEN", &format!("passwordless/{passkey_id}"));
        let reply = app.api(method, &path, None).await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{path}: {}",
            reply.text
        );
        assert_eq!(reply.body, expected, "{path}");
    }
    // Nothing was removed: in its own organisation every factor is still there.
    let listed = app
        .rest(
            Method::POST,
            &format!("/users/{abroad}/auth_factors/_search"),
            Some(&app.token),
            Some(other_org.as_str()),
            None,
        )
        .await;
    assert_eq!(
        listed.body["result"].as_array().unwrap().len(),
        1,
        "{}",
        listed.text
    );
    let listed = app
        .rest(
            Method::POST,
            &format!("/users/{abroad}/passwordless/_search"),
            Some(&app.token),
            Some(other_org.as_str()),
            None,
        )
        .await;
    assert_eq!(listed.body["result"][0]["id"], passkey_id.as_str());

    // D1 for a machine user: the bootstrap service account itself.
    let app::model::Actor::Service(machine) = app.owner().await else {
        panic!("the bootstrap account is a service account");
    };
    for (method, path, expected) in every_endpoint(machine.user_id.as_str()) {
        let reply = app.api(method, &path, None).await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{path}: {}",
            reply.text
        );
        assert_eq!(reply.body, expected, "{path}");
    }

    // Contract 1.1 on a factor endpoint: no header, an unknown token, an unknown org, an org
    // the caller has no membership in.
    let (id, _) = user(&app, "homebody").await;
    let path = format!("/users/{id}/passwordless/_search");
    let reply = app.rest(Method::POST, &path, None, None, None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.body,
        json!({"code": 16, "message": "auth header missing", "details": []})
    );
    for (method, path, _) in every_endpoint(&id) {
        let reply = app.rest(method, &path, None, None, None).await;
        assert_eq!(
            reply.body,
            json!({"code": 16, "message": "auth header missing", "details": []}),
            "{path}"
        );
    }
    let reply = app
        .rest(Method::POST, &path, Some("roster_pat_forged"), None, None)
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.body,
        error_body(16, "Errors.Token.Invalid", "AUTH-7fs1e")
    );
    let reply = app
        .rest(Method::POST, &path, Some(&app.token), Some("999"), None)
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(
        reply.body,
        error_body(7, "Organisation doesn't exist", "AUTH-Bs7Ds")
    );
    let stranger = app
        .service_token(
            app::model::Role::OrgUserManager,
            other_org.as_str(),
            "stranger",
        )
        .await;
    let default_org = app.roster.services.default_org().await.unwrap();
    let reply = app
        .rest(
            Method::DELETE,
            &format!("/users/{id}/auth_factors/otp"),
            Some(&stranger),
            Some(default_org.as_str()),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(
        reply.body,
        error_body(5, "membership not found", "AUTHZ-cdgFk")
    );

    // A malformed _send_link body is refused before anything is sent.
    let reply = app
        .rest(
            Method::POST,
            &format!("/users/{id}/passwordless/_send_link"),
            Some(&app.token),
            None,
            Some("{"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.body,
        pgv_body("proto: (line 1:1): EOF while parsing an object")
    );
    let reply = app
        .rest(
            Method::POST,
            &format!("/users/{id}/passwordless/_send_link"),
            Some(&app.token),
            None,
            Some("[]"),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::BAD_REQUEST,
        "an array is not a message"
    );
    assert_eq!(reply.body["code"], 3, "{}", reply.text);
    assert!(
        app.delivered_messages()
            .await
            .iter()
            .all(|text| !text.starts_with("To: homebody@example.com\n")),
        "nothing was sent"
    );
}
