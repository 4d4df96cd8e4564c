//! REST v1 human-user endpoints, in process, on SQLite and PostgreSQL: the contract's shapes,
//! every error row of import, the reads and the profile update, and authorization.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{TestApp, TestDb, error_body, pgv_body};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use server::domain::clock::{Clock, SystemClock, rfc3339};
use std::sync::Arc;

on_both_databases!(
    import_answers_with_the_contract_shape,
    import_refuses_every_bad_input_and_keeps_nothing,
    the_init_rule_decides_state_mail_and_links,
    reads_follow_the_contract,
    profile_update_is_a_full_replacement,
    authentication_and_the_org_context,
    the_bootstrap_token_is_written_before_the_instance_exists,
);

fn minnie() -> Value {
    json!({
        "userName": "minnie",
        "profile": {"firstName": "Minnie", "lastName": "Mouse", "preferredLanguage": "en", "gender": "GENDER_FEMALE"},
        "email": {"email": "minnie@example.com", "isEmailVerified": true},
        "password": "Secr3t!Passw0rd",
        "passwordChangeRequired": false
    })
}

async fn import(app: &TestApp, body: &Value) -> crate::common::Reply {
    app.api(Method::POST, "/users/human/_import", Some(body))
        .await
}

async fn import_answers_with_the_contract_shape(db: &TestDb) {
    let app = TestApp::start(db).await;
    let reply = import(&app, &minnie()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let body = reply.body.as_object().unwrap();
    let keys: Vec<&str> = body.keys().map(String::as_str).collect();
    assert_eq!(keys, ["details", "userId"]);
    let user_id = body["userId"].as_str().unwrap();
    assert_eq!(user_id.len(), 18);
    assert!(user_id.bytes().all(|byte| byte.is_ascii_digit()));
    let details = body["details"].as_object().unwrap();
    assert_eq!(details["sequence"], "2", "user added + email verified");
    let org = app.roster.services.default_org().await.unwrap();
    assert_eq!(details["resourceOwner"], org.as_str());
    assert!(details["creationDate"].as_str().unwrap().ends_with('Z'));
    assert!(!details.contains_key("changeDate"));

    let profile = app
        .api(Method::GET, &format!("/users/{user_id}/profile"), None)
        .await;
    assert_eq!(profile.status, StatusCode::OK);
    assert_eq!(
        profile.body["profile"],
        json!({"firstName": "Minnie", "lastName": "Mouse", "displayName": "Minnie Mouse", "preferredLanguage": "en", "gender": "GENDER_FEMALE"})
    );
    assert_eq!(profile.body["details"]["sequence"], "2");
    assert_eq!(
        profile.body["details"]["creationDate"],
        details["creationDate"]
    );
    assert_eq!(
        profile.body["details"]["changeDate"],
        details["creationDate"]
    );
    let email = app
        .api(Method::GET, &format!("/users/{user_id}/email"), None)
        .await;
    assert_eq!(
        email.body["email"],
        json!({"email": "minnie@example.com", "isEmailVerified": true})
    );
    let phone = app
        .api(Method::GET, &format!("/users/{user_id}/phone"), None)
        .await;
    assert_eq!(phone.status, StatusCode::OK);
    assert_eq!(phone.body["phone"], json!({}));
    assert!(
        app.delivered_messages().await.is_empty(),
        "verified email + password: no mail"
    );

    // snake_case input works the same, and the username is trimmed.
    let snake = json!({
        "user_name": "  goofy ",
        "profile": {"first_name": "Goofy", "last_name": "Goof", "display_name": "G.", "nick_name": "gg", "preferred_language": "de-ch", "gender": 2},
        "email": {"email": " goofy@example.com ", "is_email_verified": true},
        "hashed_password": {"value": "$2b$10$./zp1F5VaPabMs2ok3uwJO6maAfDECJY/xVmavXd4BJQrSrmIwZ4e", "algorithm": "bcrypt"},
        "otp_code": "ignored"
    });
    let reply = import(&app, &snake).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let id = reply.body["userId"].as_str().unwrap();
    let profile = app
        .api(Method::GET, &format!("/users/{id}/profile"), None)
        .await;
    assert_eq!(
        profile.body["profile"],
        json!({"firstName": "Goofy", "lastName": "Goof", "nickName": "gg", "displayName": "G.", "preferredLanguage": "de-CH", "gender": "GENDER_MALE"})
    );
    let email = app
        .api(Method::GET, &format!("/users/{id}/email"), None)
        .await;
    assert_eq!(email.body["email"]["email"], "goofy@example.com");
}

async fn import_refuses_every_bad_input_and_keeps_nothing(db: &TestDb) {
    let app = TestApp::start(db).await;
    let with = |patch: Value| {
        let mut body = minnie();
        merge(&mut body, patch);
        body
    };
    let cases: Vec<(&str, Value, StatusCode, Value)> = vec![
        (
            "empty username",
            with(json!({"userName": ""})),
            StatusCode::BAD_REQUEST,
            pgv_body(
                "invalid ImportHumanUserRequest.UserName: value length must be between 1 and 200 runes, inclusive",
            ),
        ),
        (
            "username of 201 runes",
            with(json!({"userName": "ü".repeat(201)})),
            StatusCode::BAD_REQUEST,
            pgv_body(
                "invalid ImportHumanUserRequest.UserName: value length must be between 1 and 200 runes, inclusive",
            ),
        ),
        (
            "blank username",
            with(json!({"userName": "   "})),
            StatusCode::BAD_REQUEST,
            error_body(3, "Username is empty", "COMMAND-00p2b"),
        ),
        (
            "missing profile",
            json!({"userName": "x", "email": {"email": "x@example.com"}}),
            StatusCode::BAD_REQUEST,
            pgv_body("invalid ImportHumanUserRequest.Profile: value is required"),
        ),
        (
            "empty first name",
            with(json!({"profile": {"firstName": ""}})),
            StatusCode::BAD_REQUEST,
            pgv_body(
                "invalid ImportHumanUserRequest.Profile: embedded message failed validation | caused by: invalid ImportHumanUserRequest_Profile.FirstName: value length must be between 1 and 200 runes, inclusive",
            ),
        ),
        (
            "last name too long",
            with(json!({"profile": {"lastName": "x".repeat(201)}})),
            StatusCode::BAD_REQUEST,
            pgv_body(
                "invalid ImportHumanUserRequest.Profile: embedded message failed validation | caused by: invalid ImportHumanUserRequest_Profile.LastName: value length must be between 1 and 200 runes, inclusive",
            ),
        ),
        (
            "preferred language too long",
            with(json!({"profile": {"preferredLanguage": "xxxxxxxxxxx"}})),
            StatusCode::BAD_REQUEST,
            pgv_body(
                "invalid ImportHumanUserRequest.Profile: embedded message failed validation | caused by: invalid ImportHumanUserRequest_Profile.PreferredLanguage: value length must be at most 10 runes",
            ),
        ),
        (
            "undefined gender number",
            with(json!({"profile": {"gender": 7}})),
            StatusCode::BAD_REQUEST,
            pgv_body(
                "invalid ImportHumanUserRequest.Profile: embedded message failed validation | caused by: invalid ImportHumanUserRequest_Profile.Gender: value must be one of the defined enum values",
            ),
        ),
        (
            "missing email",
            json!({"userName": "x", "profile": {"firstName": "A", "lastName": "B"}}),
            StatusCode::BAD_REQUEST,
            pgv_body("invalid ImportHumanUserRequest.Email: value is required"),
        ),
        (
            "email without @",
            with(json!({"email": {"email": "not-an-email"}})),
            StatusCode::BAD_REQUEST,
            pgv_body(
                "invalid ImportHumanUserRequest.Email: embedded message failed validation | caused by: invalid ImportHumanUserRequest_Email.Email: value must be a valid email address | caused by: mail: missing '@' or angle-addr",
            ),
        ),
        (
            "email PGV accepts but ZITADEL refuses",
            with(json!({"email": {"email": "jürgen@example.com"}})),
            StatusCode::BAD_REQUEST,
            error_body(3, "Email is invalid", "EMAIL-599BI"),
        ),
        (
            "phone without +",
            with(json!({"phone": {"phone": "079 000 00 00"}})),
            StatusCode::BAD_REQUEST,
            pgv_body(
                "invalid ImportHumanUserRequest.Phone: embedded message failed validation | caused by: invalid ImportHumanUserRequest_Phone.Phone: value does not have prefix \"+\"",
            ),
        ),
        (
            "empty phone",
            with(json!({"phone": {"phone": ""}})),
            StatusCode::BAD_REQUEST,
            pgv_body(
                "invalid ImportHumanUserRequest.Phone: embedded message failed validation | caused by: invalid ImportHumanUserRequest_Phone.Phone: value length must be between 1 and 50 runes, inclusive",
            ),
        ),
        (
            "unparseable phone",
            with(json!({"phone": {"phone": "+41 abc"}})),
            StatusCode::BAD_REQUEST,
            error_body(3, "Phone is invalid", "PHONE-so0wa"),
        ),
        (
            "password too short",
            with(json!({"password": "Ab1!"})),
            StatusCode::BAD_REQUEST,
            error_body(3, "Password is too short", "DOMAIN-HuJf6"),
        ),
        (
            "common password",
            with(json!({"password": "Qwerty123"})),
            StatusCode::BAD_REQUEST,
            error_body(
                3,
                "Password is too common; choose one that is harder to guess",
                "ROSTER-pwcom",
            ),
        ),
        (
            "password containing the username",
            with(json!({"password": "minnie-rules-the-world"})),
            StatusCode::BAD_REQUEST,
            error_body(
                3,
                "Password must not contain the username, name or email",
                "ROSTER-pwctx",
            ),
        ),
        (
            "malformed bcrypt hash",
            with(json!({"hashedPassword": {"value": "$2b$10$tooshort"}})),
            StatusCode::BAD_REQUEST,
            error_body(
                3,
                "The password hash format is not supported or malformed",
                "USER-JDk4t",
            ),
        ),
        (
            "bare md5 hex",
            with(json!({"hashedPassword": {"value": "5f4dcc3b5aa765d61d8327deb882cf99"}})),
            StatusCode::BAD_REQUEST,
            error_body(
                3,
                "The password hash format is not supported or malformed",
                "USER-JDk4t",
            ),
        ),
        (
            "incomplete idp link",
            with(json!({"idps": [{"configId": "", "externalUserId": "x"}]})),
            StatusCode::BAD_REQUEST,
            pgv_body(
                "invalid ImportHumanUserRequest.Idps[0]: embedded message failed validation | caused by: invalid ImportHumanUserRequest_IDP.ConfigId: value length must be between 1 and 200 runes, inclusive",
            ),
        ),
        (
            "unknown idp",
            with(json!({"idps": [{"configId": "123", "externalUserId": "x"}]})),
            StatusCode::BAD_REQUEST,
            error_body(
                9,
                "Identity Provider Configuration doesn't exist",
                "COMMAND-39nfs",
            ),
        ),
        (
            "control character in a name",
            with(json!({"profile": {"firstName": "Min\u{0007}nie"}})),
            StatusCode::BAD_REQUEST,
            error_body(
                3,
                "Contains control or text-direction characters",
                "ROSTER-ctrl1",
            ),
        ),
        (
            "bidi override in the display name",
            with(json!({"profile": {"displayName": "evil\u{202E}gnp.exe"}})),
            StatusCode::BAD_REQUEST,
            error_body(
                3,
                "Contains control or text-direction characters",
                "ROSTER-ctrl1",
            ),
        ),
    ];
    for (what, body, status, expected) in cases {
        let reply = import(&app, &body).await;
        assert_eq!(reply.status, status, "{what}: {}", reply.text);
        assert_eq!(reply.body, expected, "{what}");
    }

    // Wrong JSON: InvalidArgument from the parser.
    for raw in [
        r#"{"userName": 5}"#,
        "{not json",
        r#"{"userName":"x","profile":{"firstName":"A","lastName":"B","gender":"GENDER_ROBOT"},"email":{"email":"x@e.com"}}"#,
    ] {
        let reply = app
            .rest(
                Method::POST,
                "/users/human/_import",
                Some(&app.token),
                None,
                Some(raw),
            )
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{raw}");
        assert_eq!(reply.body["code"], 3, "{raw}");
        assert!(
            reply.body["message"]
                .as_str()
                .unwrap()
                .starts_with("proto: "),
            "{}",
            reply.text
        );
    }

    // None of the refused requests created the user: the name is still free.
    let reply = import(&app, &minnie()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    // A taken username, in any case, is AlreadyExists.
    let reply = import(&app, &with(json!({"userName": "MINNIE"}))).await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.body, error_body(6, "User already exists", "V3-DKcYh"));
}

async fn the_init_rule_decides_state_mail_and_links(db: &TestDb) {
    let app = TestApp::start(db).await;
    let state = |id: String| {
        let services = app.roster.services.clone();
        async move {
            let mut conn = services.db().conn().await.unwrap();
            server::store::users::get(conn.exec(), &id)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let base = |name: &str, verified: bool| {
        json!({
            "userName": name,
            "profile": {"firstName": "Ann", "lastName": "Lee"},
            "email": {"email": format!("{name}@example.com"), "isEmailVerified": verified}
        })
    };

    // Unverified email: INITIAL and an invitation mail, whatever else is given.
    let mut unverified = base("unverified", false);
    merge(&mut unverified, json!({"password": "Lantern-meadow-42"}));
    let reply = import(&app, &unverified).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let id = reply.body["userId"].as_str().unwrap().to_owned();
    assert_eq!(
        reply.body["details"]["sequence"], "2",
        "user added + init code added"
    );
    let row = state(id.clone()).await;
    assert_eq!(row.state, 6);
    assert!(!row.email_verified);
    let link = app
        .init_link_for("unverified@example.com")
        .await
        .expect("init mail with link");
    assert_eq!(
        crate::common::query_param(&link, "userID").as_deref(),
        Some(id.as_str())
    );
    assert_eq!(
        crate::common::query_param(&link, "passwordset").as_deref(),
        Some("true")
    );
    let code = crate::common::query_param(&link, "code").unwrap();
    assert_eq!(code.len(), 6);
    assert!(
        code.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    );

    // Verified email without any credential: INITIAL too; the email is not verified yet.
    let reply = import(&app, &base("nocredential", true)).await;
    let row = state(reply.body["userId"].as_str().unwrap().to_owned()).await;
    assert_eq!(row.state, 6);
    assert!(
        !row.email_verified,
        "INITIAL users never get the email-verified event on import"
    );
    assert!(
        app.init_link_for("nocredential@example.com")
            .await
            .is_some()
    );

    // Verified email + passkey request: ACTIVE, no mail, a link in the response.
    let mut passkey = base("passkey", true);
    merge(
        &mut passkey,
        json!({"requestPasswordlessRegistration": true, "phone": {"phone": "+41 71 000 00 00"}}),
    );
    let reply = import(&app, &passkey).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let id = reply.body["userId"].as_str().unwrap().to_owned();
    let registration = &reply.body["passwordlessRegistration"];
    assert_eq!(registration["lifetime"], "3600s");
    assert_eq!(registration["expiration"], "3600s");
    let link = url::Url::parse(registration["link"].as_str().unwrap()).unwrap();
    assert_eq!(
        link.origin().ascii_serialization(),
        crate::common::ORIGIN,
        "links use the public URL only"
    );
    assert_eq!(
        crate::common::query_param(&link, "userID").as_deref(),
        Some(id.as_str())
    );
    assert!(crate::common::query_param(&link, "codeID").is_some());
    assert_eq!(crate::common::query_param(&link, "code").unwrap().len(), 12);
    let row = state(id.clone()).await;
    assert_eq!(row.state, 1);
    assert!(row.email_verified);
    assert!(app.init_link_for("passkey@example.com").await.is_none());
    // Unverified phone: normalized to E.164 and a verification SMS queued.
    let phone = app
        .api(Method::GET, &format!("/users/{id}/phone"), None)
        .await;
    assert_eq!(phone.body["phone"], json!({"phone": "+41710000000"}));
    let sms = app.delivered_messages().await;
    assert!(
        sms.iter()
            .any(|text| text.starts_with("To: +41710000000\nChannel: sms\n")),
        "{sms:?}"
    );

    // Verified email + hashed password: ACTIVE, no mail; a verified phone is verified.
    let mut hashed = base("hashed", true);
    merge(
        &mut hashed,
        json!({"hashedPassword": {"value": "$2y$10$n7DZ89XmPJiAjdbZ/A2oNuKJ/2DiLExgzS32W96XpsKz2JJds.kja"}, "phone": {"phone": "+49 30 1234567", "isPhoneVerified": true}, "passwordChangeRequired": true}),
    );
    let reply = import(&app, &hashed).await;
    assert_eq!(
        reply.body["details"]["sequence"], "3",
        "added + email verified + phone verified"
    );
    let row = state(reply.body["userId"].as_str().unwrap().to_owned()).await;
    assert_eq!(row.state, 1);
    assert!(
        !row.password_change_required,
        "hashed passwords never require a change"
    );
    assert!(row.phone_verified);
}

async fn reads_follow_the_contract(db: &TestDb) {
    let app = TestApp::start(db).await;
    for (path, id, not_human_id) in [
        ("profile", "QUERY-HNhb3", "QUERY-WLTce"),
        ("email", "QUERY-Hms2s", "QUERY-pt7HY"),
        ("phone", "QUERY-DAvb3", "QUERY-hliQl"),
    ] {
        let reply = app
            .api(
                Method::GET,
                &format!("/users/123456789012345678/{path}"),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(reply.body, error_body(5, "User could not be found", id));
        // The bootstrap service account is a machine user in the same org.
        let machine = machine_user_id(&app).await;
        let reply = app
            .api(Method::GET, &format!("/users/{machine}/{path}"), None)
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(
            reply.body,
            error_body(9, "The User must be personal", not_human_id)
        );
        let long = "1".repeat(201);
        let reply = app
            .api(Method::GET, &format!("/users/{long}/{path}"), None)
            .await;
        let message = match path {
            "profile" => {
                "invalid GetHumanProfileRequest.UserId: value length must be between 1 and 200 runes, inclusive"
            }
            "email" => {
                "invalid GetHumanEmailRequest.UserId: value length must be between 1 and 200 runes, inclusive"
            }
            _ => {
                "invalid GetHumanPhoneRequest.UserId: value length must be between 1 and 200 runes, inclusive"
            }
        };
        assert_eq!(reply.body, pgv_body(message));
    }
    // Unknown routes and methods answer like grpc-gateway.
    let reply = app.api(Method::GET, "/users/1/nothing", None).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.body["code"], 5);
    let reply = app.api(Method::DELETE, "/users/1/profile", None).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
}

async fn machine_user_id(app: &TestApp) -> String {
    let auth = app
        .roster
        .services
        .resolve_bearer(&app.token)
        .await
        .unwrap()
        .unwrap();
    auth.user_id.0
}

async fn profile_update_is_a_full_replacement(db: &TestDb) {
    let app = TestApp::start(db).await;
    let mut body = minnie();
    merge(&mut body, json!({"profile": {"nickName": "min"}}));
    let id = import(&app, &body).await.body["userId"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/users/{id}/profile");

    // Only some fields: the others are cleared.
    let update = json!({"firstName": "Minerva", "lastName": "Mouse", "displayName": "Minerva M."});
    let reply = app.api(Method::PUT, &path, Some(&update)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let details = reply.body["details"].as_object().unwrap();
    assert_eq!(details["sequence"], "3");
    assert!(details.contains_key("changeDate") && !details.contains_key("creationDate"));
    let read = app.api(Method::GET, &path, None).await;
    assert_eq!(
        read.body["profile"],
        json!({"firstName": "Minerva", "lastName": "Mouse", "displayName": "Minerva M.", "preferredLanguage": "und"})
    );
    assert_eq!(read.body["details"]["changeDate"], details["changeDate"]);

    // The same values again: NotChanged. An unparseable language is "und", so it is no change.
    let same = json!({"first_name": "Minerva", "last_name": "Mouse", "display_name": "Minerva M.", "preferred_language": "not valid", "gender": "GENDER_UNSPECIFIED"});
    let reply = app.api(Method::PUT, &path, Some(&same)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.body,
        error_body(9, "Profile not changed", "COMMAND-2M0fs")
    );

    // Unknown user: FailedPrecondition; display name is required here.
    let reply = app
        .api(Method::PUT, "/users/42/profile", Some(&update))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.body,
        error_body(9, "Profile not found", "COMMAND-3M9sd")
    );
    // A machine user (the bootstrap service account) has no profile: the same row (3.22).
    let app::model::Actor::Service(machine) = app.owner().await else {
        panic!("the bootstrap token belongs to a service account");
    };
    let reply = app
        .api(
            Method::PUT,
            &format!("/users/{}/profile", machine.user_id.0),
            Some(&update),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.body,
        error_body(9, "Profile not found", "COMMAND-3M9sd")
    );
    let accounts = app
        .roster
        .services
        .list_service_accounts(&app.owner().await)
        .await
        .unwrap();
    assert_eq!(accounts[0].name, "Bootstrap service account", "unchanged");
    let reply = app
        .api(
            Method::PUT,
            &path,
            Some(&json!({"firstName": "A", "lastName": "B"})),
        )
        .await;
    assert_eq!(
        reply.body,
        pgv_body(
            "invalid UpdateHumanProfileRequest.DisplayName: value length must be between 1 and 200 runes, inclusive"
        )
    );
    let reply = app
        .api(
            Method::PUT,
            &path,
            Some(&json!({"firstName": "A\nB", "lastName": "B", "displayName": "C"})),
        )
        .await;
    assert_eq!(
        reply.body,
        error_body(
            3,
            "Contains control or text-direction characters",
            "ROSTER-ctrl1"
        )
    );
    // Nothing is trimmed, and a refused update changed nothing.
    let read = app.api(Method::GET, &path, None).await;
    assert_eq!(read.body["profile"]["firstName"], "Minerva");
    assert_eq!(read.body["details"]["sequence"], "3");
}

async fn authentication_and_the_org_context(db: &TestDb) {
    let app = TestApp::start(db).await;
    let id = import(&app, &minnie()).await.body["userId"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/users/{id}/profile");

    let reply = app.rest(Method::GET, &path, None, None, None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.body,
        json!({"code": 16, "message": "auth header missing", "details": []})
    );
    let reply = app
        .rest(Method::GET, &path, Some("roster_pat_forged"), None, None)
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.body,
        error_body(16, "Errors.Token.Invalid", "AUTH-7fs1e")
    );
    let reply = app
        .rest(Method::GET, &path, Some(&app.token), Some("999"), None)
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(
        reply.body,
        error_body(7, "Organisation doesn't exist", "AUTH-Bs7Ds")
    );

    // A second organisation and service accounts with narrower roles.
    let owner = app
        .roster
        .services
        .resolve_bearer(&app.token)
        .await
        .unwrap()
        .unwrap();
    let owner = app::model::Actor::Service(owner);
    let other_org = app
        .roster
        .services
        .create_org(&owner, "Other")
        .await
        .unwrap();
    let default_org = app.roster.services.default_org().await.unwrap();
    let account =
        |username: &str, role, org: &app::model::OrgId| app::model::CreateServiceAccountForm {
            username: username.to_owned(),
            name: username.to_owned(),
            role,
            org_id: org.0.clone(),
        };
    let viewer = app
        .roster
        .services
        .create_service_account(
            &owner,
            &account("viewer", app::model::Role::OrgUserViewer, &default_org),
        )
        .await
        .unwrap()
        .token;
    let other_manager = app
        .roster
        .services
        .create_service_account(
            &owner,
            &account("other", app::model::Role::OrgUserManager, &other_org),
        )
        .await
        .unwrap()
        .token;

    // A viewer reads but may not write, even with a body that would fail validation.
    let reply = app
        .rest(Method::GET, &path, Some(&viewer), None, None)
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let reply = app
        .rest(Method::PUT, &path, Some(&viewer), None, Some("{}"))
        .await;
    assert_eq!(
        reply.status,
        StatusCode::FORBIDDEN,
        "authorization runs before validation"
    );
    let no_permission = json!({"code": 7, "message": "No matching permissions found (AUTH-5mWD2)", "details": [{"@type": "type.googleapis.com/zitadel.v1.ErrorDetail", "id": "AUTH-5mWD2", "message": "No matching permissions found"}]});
    assert_eq!(reply.body, no_permission);
    // Every refused write, with a body that would be accepted, leaves the user as it was.
    let snapshot = user_snapshot(&app, &id).await;
    let mut other = minnie();
    merge(
        &mut other,
        json!({"userName": "viewer-made", "email": {"email": "viewer-made@example.com"}}),
    );
    let writes = [
        (
            Method::PUT,
            path.clone(),
            json!({"firstName": "X", "lastName": "Y", "displayName": "Z"}),
        ),
        (
            Method::PUT,
            format!("/users/{id}/email"),
            json!({"email": "other@example.com", "isEmailVerified": true}),
        ),
        (
            Method::PUT,
            format!("/users/{id}/phone"),
            json!({"phone": "+41 79 123 45 67"}),
        ),
        (
            Method::POST,
            format!("/users/{id}/password"),
            json!({"password": "Another-long-passphrase-7", "noChangeRequired": true}),
        ),
        (
            Method::POST,
            "/users/human/_import".to_owned(),
            other.clone(),
        ),
    ];
    for (method, write_path, body) in &writes {
        let reply = app
            .rest(
                method.clone(),
                write_path,
                Some(&viewer),
                None,
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{method} {write_path}");
        assert_eq!(reply.body, no_permission, "{method} {write_path}");
        assert_eq!(
            user_snapshot(&app, &id).await,
            snapshot,
            "{method} {write_path} changed nothing"
        );
    }
    let (signed_in, _) = app.sign_in("minnie", "Another-long-passphrase-7").await;
    assert_eq!(
        signed_in.status,
        StatusCode::UNAUTHORIZED,
        "password unchanged"
    );
    // The viewer's import created nobody: the owner's identical import still succeeds.
    let reply = import(&app, &other).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);

    // A browser session is no credential here (contract 1.1): without a bearer token the
    // answer is "auth header missing", whatever the cookie.
    let (signed_in, cookie) = app
        .sign_in(crate::common::ADMIN, crate::common::ADMIN_PASSWORD)
        .await;
    assert_eq!(signed_in.body, json!("SignedIn"));
    let cookie = cookie.unwrap();
    for (method, body) in [
        (Method::GET, None),
        (
            Method::PUT,
            Some(r#"{"firstName":"X","lastName":"Y","displayName":"Z"}"#),
        ),
    ] {
        let mut request = Request::builder()
            .method(method.clone())
            .uri(format!("/management/v1{path}"))
            .header(header::COOKIE, &cookie)
            .header(header::ORIGIN, crate::common::ORIGIN);
        if body.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/json");
        }
        let reply = app
            .send(request.body(Body::from(body.unwrap_or_default())).unwrap())
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{method}");
        assert_eq!(
            reply.body,
            json!({"code": 16, "message": "auth header missing", "details": []}),
            "{method}"
        );
    }
    assert_eq!(user_snapshot(&app, &id).await, snapshot);

    // A manager of the other org has no membership in the default org …
    let reply = app
        .rest(
            Method::GET,
            &path,
            Some(&other_manager),
            Some(default_org.as_str()),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(
        reply.body,
        error_body(5, "membership not found", "AUTHZ-cdgFk")
    );
    // … and without the header works in its own org, where minnie is not.
    let reply = app
        .rest(Method::GET, &path, Some(&other_manager), None, None)
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(
        reply.body,
        error_body(5, "User could not be found", "QUERY-HNhb3")
    );
    let reply = app
        .rest(
            Method::PUT,
            &path,
            Some(&other_manager),
            None,
            Some(r#"{"firstName":"X","lastName":"Y","displayName":"Z"}"#),
        )
        .await;
    assert_eq!(
        reply.body,
        error_body(9, "Profile not found", "COMMAND-3M9sd")
    );
    assert_eq!(user_snapshot(&app, &id).await, snapshot);

    // The owner picks the org by header: the import lands there.
    let mut body = minnie();
    merge(
        &mut body,
        json!({"userName": "daisy", "email": {"email": "daisy@example.com"}}),
    );
    let reply = app
        .rest(
            Method::POST,
            "/users/human/_import",
            Some(&app.token),
            Some(other_org.as_str()),
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["details"]["resourceOwner"], other_org.as_str());
    let daisy = reply.body["userId"].as_str().unwrap();
    let reply = app
        .rest(
            Method::GET,
            &format!("/users/{daisy}/email"),
            Some(&other_manager),
            None,
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    // Read back with the default org context, daisy does not exist.
    let reply = app
        .api(Method::GET, &format!("/users/{daisy}/email"), None)
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    // Timestamps are RFC 3339 UTC.
    assert!(rfc3339(0).ends_with('Z'));
}

/// What the owner reads of a user (profile, email, phone, each with its details), to show
/// that a refused request changed nothing.
async fn user_snapshot(app: &TestApp, id: &str) -> Vec<Value> {
    let mut parts = Vec::new();
    for part in ["profile", "email", "phone"] {
        let reply = app
            .api(Method::GET, &format!("/users/{id}/{part}"), None)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{part}: {}", reply.text);
        parts.push(reply.body);
    }
    parts
}

/// Merges `patch` into `target` (objects recursively, other values replaced).
fn merge(target: &mut Value, patch: Value) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                merge(target.entry(key).or_insert(Value::Null), value);
            }
        }
        (target, patch) => *target = patch,
    }
}

async fn the_bootstrap_token_is_written_before_the_instance_exists(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    // A path nobody can create, root included: its parent is a file.
    let blocker = dir.path().join("not-a-directory");
    std::fs::write(&blocker, "x").unwrap();
    let unwritable = blocker.join("pat.txt");
    let start = |path: std::path::PathBuf| {
        let clock = clock.clone();
        async move {
            let path = path.display().to_string();
            TestApp::try_start_with(db, clock, &[("ROSTER_BOOTSTRAP_PAT_PATH", &path)]).await
        }
    };
    let Err(error) = start(unwritable.clone()).await else {
        panic!("the start must fail when the token cannot be written");
    };
    assert!(
        error.contains("ROSTER_BOOTSTRAP_PAT_PATH") && error.contains("not-a-directory/pat.txt"),
        "{error}"
    );
    // An existing file is never overwritten.
    let existing = dir.path().join("existing.pat");
    std::fs::write(&existing, "someone else's\n").unwrap();
    let Err(error) = start(existing.clone()).await else {
        panic!("the start must fail when the token file exists");
    };
    assert!(error.contains("ROSTER_BOOTSTRAP_PAT_PATH"), "{error}");
    assert_eq!(
        std::fs::read_to_string(&existing).unwrap(),
        "someone else's\n"
    );

    // Nothing was created, so the next start is still the first: it writes the token.
    let good = dir.path().join("tokens").join("bootstrap.pat");
    let app = start(good.clone()).await.unwrap();
    assert!(app.roster.bootstrap.created);
    assert_eq!(
        app.roster.bootstrap.pat_written_to.as_deref(),
        Some(good.as_path())
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&good).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(!app.token.is_empty());
    let reply = import(&app, &minnie()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let accounts = app
        .roster
        .services
        .list_service_accounts(&app.owner().await)
        .await
        .unwrap();
    assert_eq!(
        accounts.len(),
        1,
        "one bootstrap account, none left from the failures"
    );
    let (signed_in, _) = app
        .sign_in(crate::common::ADMIN, crate::common::ADMIN_PASSWORD)
        .await;
    assert_eq!(signed_in.body, json!("SignedIn"));
}
