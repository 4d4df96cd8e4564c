//! The SPA's server functions over HTTP, in process, on SQLite and PostgreSQL: sign-in, gates,
//! the invitation flow, the account page, the admin views and who may call what.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{ADMIN, ADMIN_PASSWORD, ORIGIN, TestApp, TestDb};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use server::domain::clock::ManualClock;
use std::sync::Arc;

on_both_databases!(
    sign_in_is_uniform_and_opens_a_session,
    the_invitation_link_activates_an_account,
    invitation_codes_burn_and_expire,
    a_forced_password_change_comes_first,
    an_uninitialized_user_with_a_password_enters_the_code,
    plain_users_cannot_reach_admin_functions,
    admins_list_search_and_edit_users,
    cross_origin_requests_are_refused,
    idle_sessions_end,
    pages_render_with_a_nonce_and_guard_admin_views,
    signing_in_again_ends_the_browsers_previous_session,
);

const PASSWORD: &str = "Lantern-meadow-harbor-42";

/// Imports a human over REST and returns its id.
async fn import(app: &TestApp, username: &str, extra: Value) -> String {
    let mut body = json!({
        "userName": username,
        "profile": {"firstName": "Ann", "lastName": "Lee"},
        "email": {"email": format!("{username}@example.com"), "isEmailVerified": true},
    });
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    let reply = app
        .api(Method::POST, "/users/human/_import", Some(&body))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.body["userId"].as_str().unwrap().to_owned()
}

/// An active user with a password, signed in; returns (id, cookie).
async fn signed_in_user(app: &TestApp, username: &str) -> (String, String) {
    let id = import(app, username, json!({"password": PASSWORD})).await;
    let (reply, cookie) = app.sign_in(username, PASSWORD).await;
    assert_eq!(reply.body, json!("SignedIn"), "{}", reply.text);
    (id, cookie.unwrap())
}

async fn admin_cookie(app: &TestApp) -> String {
    let (reply, cookie) = app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    cookie.unwrap()
}

async fn sign_in_is_uniform_and_opens_a_session(db: &TestDb) {
    let app = TestApp::start(db).await;
    let (reply, cookie) = app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, json!("SignedIn"));
    let set_cookie = reply
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    let cookie = cookie.unwrap();
    let me = app
        .server_fn("current_user", Some(&cookie), json!({}))
        .await;
    assert_eq!(me.body["username"], ADMIN);
    assert_eq!(me.body["can_read_users"], true);
    assert_eq!(me.body["can_manage_instance"], true);
    assert_eq!(me.body["gate"], Value::Null);

    // Username in any case, or the email, works too.
    assert_eq!(
        app.sign_in("ADMIN", ADMIN_PASSWORD).await.0.body,
        json!("SignedIn")
    );
    assert_eq!(
        app.sign_in(" admin@example.com ", ADMIN_PASSWORD)
            .await
            .0
            .body,
        json!("SignedIn")
    );

    // Every failure looks the same.
    let wrong_password = app.sign_in(ADMIN, "not the password").await.0;
    let unknown_user = app.sign_in("nobody", "not the password").await.0;
    let empty = app.sign_in("", "").await.0;
    for reply in [&wrong_password, &unknown_user, &empty] {
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reply.body["message"], "The username or password is wrong");
        assert!(reply.headers.get(header::SET_COOKIE).is_none());
    }
    assert_eq!(wrong_password.body, unknown_user.body);

    // Sign-out ends the session for good.
    let out = app.server_fn("sign_out", Some(&cookie), json!({})).await;
    assert_eq!(out.status, StatusCode::OK);
    assert!(
        out.headers
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let me = app
        .server_fn("current_user", Some(&cookie), json!({}))
        .await;
    assert_eq!(me.body, Value::Null);
}

/// Completes initialization anonymously, as the page reached from the mail does.
async fn complete(
    app: &TestApp,
    user_id: &str,
    code: &str,
    password: &str,
) -> crate::common::Reply {
    app.server_fn(
        "complete_initialization",
        None,
        json!({"form": {"user_id": user_id, "code": code, "password": password, "password_confirmation": password}}),
    )
    .await
}

async fn the_invitation_link_activates_an_account(db: &TestDb) {
    let app = TestApp::start(db).await;
    let id = import(
        &app,
        "invited",
        json!({"email": {"email": "invited@example.com"}}),
    )
    .await;
    let link = app.init_link_for("invited@example.com").await.unwrap();
    assert_eq!(link.path(), "/init");
    assert_eq!(
        crate::common::query_param(&link, "passwordset").as_deref(),
        Some("false")
    );
    let code = crate::common::query_param(&link, "code").unwrap();

    let wrong = complete(&app, &id, "AAAAAA", PASSWORD).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong.body["field"], "code");
    assert_eq!(wrong.body["message"], "The code is wrong or has expired");
    let weak = complete(&app, &id, &code, "short").await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST);
    assert_eq!(weak.body["field"], "password");
    let mismatch = app
        .server_fn(
            "complete_initialization",
            None,
            json!({"form": {"user_id": id, "code": code, "password": PASSWORD, "password_confirmation": "other"}}),
        )
        .await;
    assert_eq!(mismatch.body["field"], "password_confirmation");
    // Codes are not case-sensitive to type.
    let done = complete(&app, &id, &code.to_lowercase(), PASSWORD).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    let again = complete(&app, &id, &code, PASSWORD).await;
    assert_eq!(
        again.status,
        StatusCode::BAD_REQUEST,
        "a used code stays used"
    );

    let (reply, _) = app.sign_in("invited", PASSWORD).await;
    assert_eq!(reply.body, json!("SignedIn"));
    let email = app
        .api(Method::GET, &format!("/users/{id}/email"), None)
        .await;
    assert_eq!(email.body["email"]["isEmailVerified"], true);
    assert_eq!(
        email.body["details"]["sequence"], "5",
        "added, code, check, email verified, password"
    );
}

async fn invitation_codes_burn_and_expire(db: &TestDb) {
    let clock = Arc::new(ManualClock::starting_at(1_800_000_000_000_000));
    let app = TestApp::start_with_clock(db, clock.clone()).await;

    let id = import(
        &app,
        "guesser",
        json!({"email": {"email": "guesser@example.com"}}),
    )
    .await;
    let code = crate::common::query_param(
        &app.init_link_for("guesser@example.com").await.unwrap(),
        "code",
    )
    .unwrap();
    for _ in 0..5 {
        assert_eq!(
            complete(&app, &id, "ZZZZZZ", PASSWORD).await.status,
            StatusCode::BAD_REQUEST
        );
    }
    let burned = complete(&app, &id, &code, PASSWORD).await;
    assert_eq!(
        burned.status,
        StatusCode::BAD_REQUEST,
        "five wrong guesses burn the code"
    );

    let id = import(
        &app,
        "late",
        json!({"email": {"email": "late@example.com"}}),
    )
    .await;
    let code = crate::common::query_param(
        &app.init_link_for("late@example.com").await.unwrap(),
        "code",
    )
    .unwrap();
    clock.advance_secs(72 * 3600 + 1);
    let expired = complete(&app, &id, &code, PASSWORD).await;
    assert_eq!(expired.status, StatusCode::BAD_REQUEST);
    assert_eq!(expired.body["message"], "The code is wrong or has expired");
}

async fn a_forced_password_change_comes_first(db: &TestDb) {
    let app = TestApp::start(db).await;
    import(
        &app,
        "forced",
        json!({"password": PASSWORD, "passwordChangeRequired": true}),
    )
    .await;
    let (reply, cookie) = app.sign_in("forced", PASSWORD).await;
    assert_eq!(reply.body, json!("ChangePasswordRequired"));
    let cookie = cookie.unwrap();
    let me = app
        .server_fn("current_user", Some(&cookie), json!({}))
        .await;
    assert_eq!(me.body["gate"], "ChangePassword");
    let blocked = app.server_fn("own_profile", Some(&cookie), json!({})).await;
    assert_eq!(blocked.status, StatusCode::FORBIDDEN);
    assert_eq!(blocked.body["code"], "StepRequired");

    let change = |current: &str, new: &str| {
        app.server_fn(
            "change_password",
            Some(&cookie),
            json!({"current_password": current, "new_password": new, "sign_out_others": false}),
        )
    };
    let wrong = change("wrong", "Another-long-passphrase-7").await;
    assert_eq!(wrong.body["field"], "current_password");
    let same = change(PASSWORD, PASSWORD).await;
    assert_eq!(same.body["field"], "password");
    let common = change(PASSWORD, "password1").await;
    assert_eq!(common.body["field"], "password");
    let ok = change(PASSWORD, "Another-long-passphrase-7").await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    let cookie = crate::common::session_cookie(&ok).expect("a new session cookie");
    let open = app.server_fn("own_profile", Some(&cookie), json!({})).await;
    assert_eq!(open.status, StatusCode::OK);
    assert_eq!(
        app.sign_in("forced", "Another-long-passphrase-7")
            .await
            .0
            .body,
        json!("SignedIn")
    );
    assert_eq!(
        app.sign_in("forced", PASSWORD).await.0.status,
        StatusCode::UNAUTHORIZED
    );
}

async fn an_uninitialized_user_with_a_password_enters_the_code(db: &TestDb) {
    let app = TestApp::start(db).await;
    let id = import(
        &app,
        "pending",
        json!({"email": {"email": "pending@example.com"}, "hashedPassword": {"value": "$2y$10$n7DZ89XmPJiAjdbZ/A2oNuKJ/2DiLExgzS32W96XpsKz2JJds.kja"}}),
    )
    .await;
    let (reply, cookie) = app.sign_in("pending", "Harbor-saffron-tundra-60*").await;
    assert_eq!(reply.body, json!("InitializationRequired"));
    let cookie = cookie.unwrap();
    assert_eq!(
        app.server_fn("own_profile", Some(&cookie), json!({}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let code = crate::common::query_param(
        &app.init_link_for("pending@example.com").await.unwrap(),
        "code",
    )
    .unwrap();
    // Signed in, the form needs only the code: the session names the user.
    let done = app
        .server_fn(
            "complete_initialization",
            Some(&cookie),
            json!({"form": {"user_id": "", "code": code, "password": "", "password_confirmation": ""}}),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    assert_eq!(
        app.server_fn("own_profile", Some(&cookie), json!({}))
            .await
            .status,
        StatusCode::OK
    );
    let email = app
        .api(Method::GET, &format!("/users/{id}/email"), None)
        .await;
    assert_eq!(email.body["email"]["isEmailVerified"], true);
    // The imported bcrypt hash was replaced by Roster's own on the first sign-in.
    let mut conn = app.roster.services.db().conn().await.unwrap();
    let row = server::store::users::get(conn.exec(), &id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        row.password_hash
            .unwrap()
            .starts_with("$argon2id$v=19$m=19456,t=2,p=1$")
    );
}

async fn plain_users_cannot_reach_admin_functions(db: &TestDb) {
    let app = TestApp::start(db).await;
    let (own_id, cookie) = signed_in_user(&app, "plain").await;
    let admin_id = {
        let cookie = admin_cookie(&app).await;
        let me = app
            .server_fn("current_user", Some(&cookie), json!({}))
            .await;
        me.body["user_id"].as_str().unwrap().to_owned()
    };
    let profile = json!({"first_name": "Evil", "last_name": "Edit", "nick_name": "", "display_name": "Evil", "preferred_language": "", "gender": "Unspecified"});
    let import_form = json!({"form": {"org_id": "", "username": "sneaky", "first_name": "S", "last_name": "N", "nick_name": "", "display_name": "", "preferred_language": "", "gender": "Unspecified", "email": "sneaky@example.com", "email_verified": true, "phone": "", "phone_verified": false, "password": PASSWORD, "password_change_required": false, "hashed_password": "", "request_passkey_link": false}});
    let calls = [
        (
            "list_users",
            json!({"query": {"search": "", "after": null, "limit": 10}}),
        ),
        ("list_orgs", json!({})),
        ("import_user", import_form.clone()),
        ("get_user_detail", json!({"user_id": admin_id})),
        (
            "update_user_profile",
            json!({"user_id": admin_id, "form": profile}),
        ),
        ("list_service_accounts", json!({})),
        (
            "create_service_account",
            json!({"form": {"username": "sa", "name": "sa", "role": "IamOwner", "org_id": ""}}),
        ),
        ("revoke_token", json!({"token_id": "1"})),
        ("create_org", json!({"name": "Evil Corp"})),
    ];
    for (name, args) in &calls {
        let reply = app.server_fn(name, Some(&cookie), args.clone()).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{name}: {}",
            reply.text
        );
        assert_eq!(reply.body["code"], "PermissionDenied", "{name}");
        let anonymous = app.server_fn(name, None, args.clone()).await;
        assert_eq!(
            anonymous.status,
            StatusCode::UNAUTHORIZED,
            "{name} anonymously"
        );
    }
    // Nothing changed: no user imported, the admin's profile untouched, no service account.
    let sneaky = app.sign_in("sneaky", PASSWORD).await.0;
    assert_eq!(sneaky.status, StatusCode::UNAUTHORIZED);
    let admin = app
        .api(Method::GET, &format!("/users/{admin_id}/profile"), None)
        .await;
    assert_eq!(admin.body["profile"]["firstName"], "Roster");
    let owner = app::model::Actor::Service(
        app.roster
            .services
            .resolve_bearer(&app.token)
            .await
            .unwrap()
            .unwrap(),
    );
    let accounts = app
        .roster
        .services
        .list_service_accounts(&owner)
        .await
        .unwrap();
    assert_eq!(accounts.len(), 1, "only the bootstrap account");

    // The account page changes the caller's own profile and nobody else's.
    let update = app
        .server_fn(
            "update_own_profile",
            Some(&cookie),
            json!({"form": profile}),
        )
        .await;
    assert_eq!(update.status, StatusCode::OK, "{}", update.text);
    assert_eq!(update.body["first_name"], "Evil");
    let own = app
        .api(Method::GET, &format!("/users/{own_id}/profile"), None)
        .await;
    assert_eq!(own.body["profile"]["firstName"], "Evil");
    let admin = app
        .api(Method::GET, &format!("/users/{admin_id}/profile"), None)
        .await;
    assert_eq!(admin.body["profile"]["firstName"], "Roster");
    // Bad input is refused with the field named, and loses nothing.
    let bad = app
        .server_fn(
            "update_own_profile",
            Some(&cookie),
            json!({"form": {"first_name": "", "last_name": "Lee", "nick_name": "", "display_name": "X", "preferred_language": "", "gender": "Unspecified"}}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.body["field"], "first_name");
    let own = app
        .api(Method::GET, &format!("/users/{own_id}/profile"), None)
        .await;
    assert_eq!(own.body["profile"]["firstName"], "Evil");
}

async fn admins_list_search_and_edit_users(db: &TestDb) {
    let app = TestApp::start(db).await;
    for (name, last) in [
        ("anna", "Zeller"),
        ("bert", "Young"),
        ("carl", "Xu"),
        ("dora", "Weber"),
        ("emil", "Vogel"),
    ] {
        import(
            &app,
            name,
            json!({"profile": {"firstName": "Test", "lastName": last}, "password": PASSWORD}),
        )
        .await;
    }
    let cookie = admin_cookie(&app).await;
    let list = |search: &str, after: Value| {
        app.server_fn(
            "list_users",
            Some(&cookie),
            json!({"query": {"search": search, "after": after, "limit": 2}}),
        )
    };
    let first = list("", Value::Null).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(first.body["total"], 6, "five users and the admin");
    let names = |reply: &crate::common::Reply| {
        reply.body["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|user| user["username"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&first), ["admin", "anna"]);
    let second = list("", first.body["next_cursor"].clone()).await;
    assert_eq!(names(&second), ["bert", "carl"]);
    let third = list("", second.body["next_cursor"].clone()).await;
    assert_eq!(names(&third), ["dora", "emil"]);
    assert_eq!(third.body["next_cursor"], Value::Null);
    // Search matches the start of username, email, first, last or display name, any case.
    assert_eq!(names(&list("WEB", Value::Null).await), ["dora"]);
    assert_eq!(names(&list("emil@ex", Value::Null).await), ["emil"]);
    assert_eq!(list("test", Value::Null).await.body["total"], 5);
    assert_eq!(list("nobody", Value::Null).await.body["total"], 0);

    let emil = list("emil", Value::Null).await.body["users"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let detail = app
        .server_fn("get_user_detail", Some(&cookie), json!({"user_id": emil}))
        .await;
    assert_eq!(detail.body["username"], "emil");
    assert_eq!(detail.body["state"], "Active");
    assert_eq!(detail.body["email_verified"], true);
    let edit = |form: Value| {
        app.server_fn(
            "update_user_profile",
            Some(&cookie),
            json!({"user_id": emil, "form": form}),
        )
    };
    let bad = edit(json!({"first_name": "E\u{202E}mil", "last_name": "Vogel", "nick_name": "", "display_name": "Emil", "preferred_language": "", "gender": "Male"})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.body["field"], "first_name");
    let too_long = edit(json!({"first_name": "E", "last_name": "Vogel", "nick_name": "n".repeat(201), "display_name": "Emil", "preferred_language": "", "gender": "Male"})).await;
    assert_eq!(too_long.body["field"], "nick_name");
    let good = edit(json!({"first_name": "Emil", "last_name": "Vogel", "nick_name": "", "display_name": "Emil Vogel", "preferred_language": "DE", "gender": "Male"})).await;
    assert_eq!(good.status, StatusCode::OK, "{}", good.text);
    assert_eq!(good.body["profile"]["preferred_language"], "de");
    let rest = app
        .api(Method::GET, &format!("/users/{emil}/profile"), None)
        .await;
    assert_eq!(rest.body["profile"]["displayName"], "Emil Vogel");
    assert_eq!(rest.body["profile"]["gender"], "GENDER_MALE");

    // Instance owners create organisations; blank names are refused.
    let blank = app
        .server_fn("create_org", Some(&cookie), json!({"name": "  "}))
        .await;
    assert_eq!(blank.status, StatusCode::BAD_REQUEST);
    assert_eq!(blank.body["field"], "name");
    let org = app
        .server_fn(
            "create_org",
            Some(&cookie),
            json!({"name": "Branch office"}),
        )
        .await;
    assert_eq!(org.status, StatusCode::OK, "{}", org.text);
    let orgs = app.server_fn("list_orgs", Some(&cookie), json!({})).await;
    let names: Vec<&str> = orgs
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|org| org["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Default", "Branch office"]);

    // The admin import form creates users like the REST import, and reports field errors.
    let form = |username: &str, email: &str| json!({"form": {"org_id": "", "username": username, "first_name": "Fay", "last_name": "Ray", "nick_name": "", "display_name": "", "preferred_language": "", "gender": "Female", "email": email, "email_verified": false, "phone": "", "phone_verified": false, "password": "", "password_change_required": false, "hashed_password": "", "request_passkey_link": true}});
    let invalid = app
        .server_fn("import_user", Some(&cookie), form("fay", "not an email"))
        .await;
    assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
    assert_eq!(invalid.body["field"], "email");
    // The form refuses what REST's request validation refuses, though it has no such layer: a
    // local part over 64 characters.
    let long_local = format!("{}@example.com", "f".repeat(65));
    let refused = app
        .server_fn("import_user", Some(&cookie), form("fay", &long_local))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
    assert_eq!(refused.body["field"], "email");
    assert_eq!(refused.body["message"], "Email is invalid");
    let over_rest = app
        .api(
            Method::POST,
            "/users/human/_import",
            Some(&json!({"userName": "fay", "profile": {"firstName": "Fay", "lastName": "Ray"}, "email": {"email": long_local}})),
        )
        .await;
    assert_eq!(over_rest.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        over_rest.body,
        crate::common::pgv_body(
            "invalid ImportHumanUserRequest.Email: embedded message failed validation | caused by: \
             invalid ImportHumanUserRequest_Email.Email: value must be a valid email address | \
             caused by: email address local phrase cannot exceed 64 characters"
        ),
        "REST still answers with its validation layer's body"
    );
    let taken = app
        .server_fn(
            "import_user",
            Some(&cookie),
            form("ANNA", "fay@example.com"),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert_eq!(taken.body["field"], "username");
    let created = app
        .server_fn("import_user", Some(&cookie), form("fay", "fay@example.com"))
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text);
    assert_eq!(created.body["state"], "Initial");
    assert_eq!(created.body["init_mail_queued"], true);
    assert!(
        created.body["passkey_link"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{ORIGIN}/passkey/register?"))
    );
    assert!(app.init_link_for("fay@example.com").await.is_some());
}

async fn cross_origin_requests_are_refused(db: &TestDb) {
    let app = TestApp::start(db).await;
    let cookie = admin_cookie(&app).await;
    let post = |origin: Option<&str>, fetch_site: Option<&str>| {
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri("/api/update_own_profile")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::COOKIE, &cookie);
        if let Some(origin) = origin {
            builder = builder.header(header::ORIGIN, origin);
        }
        if let Some(site) = fetch_site {
            builder = builder.header("sec-fetch-site", site);
        }
        let body = json!({"form": {"first_name": "Hacked", "last_name": "X", "nick_name": "", "display_name": "X", "preferred_language": "", "gender": "Unspecified"}});
        app.send(builder.body(Body::from(body.to_string())).unwrap())
    };
    assert_eq!(
        post(Some("https://evil.example"), None).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(post(Some("null"), None).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        post(None, Some("cross-site")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(Some("http://127.0.0.1:3000"), None).await.status,
        StatusCode::FORBIDDEN
    );
    let me = app.server_fn("own_profile", Some(&cookie), json!({})).await;
    assert_eq!(
        me.body["first_name"], "Roster",
        "refused requests changed nothing"
    );
    assert_eq!(
        post(Some(ORIGIN), Some("same-origin")).await.status,
        StatusCode::OK
    );
}

async fn idle_sessions_end(db: &TestDb) {
    let clock = Arc::new(ManualClock::starting_at(1_800_000_000_000_000));
    let app = TestApp::start_with_clock(db, clock.clone()).await;
    let cookie = admin_cookie(&app).await;
    clock.advance_secs(20 * 60);
    let me = app
        .server_fn("current_user", Some(&cookie), json!({}))
        .await;
    assert_eq!(
        me.body["username"], ADMIN,
        "activity within 30 minutes keeps it"
    );
    clock.advance_secs(31 * 60);
    let me = app
        .server_fn("current_user", Some(&cookie), json!({}))
        .await;
    assert_eq!(me.body, Value::Null, "31 idle minutes end it");
}

async fn pages_render_with_a_nonce_and_guard_admin_views(db: &TestDb) {
    let app = TestApp::start(db).await;
    let get = |path: &str, cookie: Option<&str>| {
        let mut builder = Request::builder()
            .uri(path)
            .header(header::ACCEPT, "text/html");
        if let Some(cookie) = cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        app.send(builder.body(Body::empty()).unwrap())
    };
    let page = get("/signin", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("<h1>Sign in</h1>"), "{}", page.text);
    let csp = page
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap()
        .to_str()
        .unwrap();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert!(
        page.text.contains(&format!("nonce=\"{nonce}\"")),
        "scripts carry the CSP nonce"
    );
    assert_eq!(page.headers.get(header::X_FRAME_OPTIONS).unwrap(), "DENY");
    assert_eq!(page.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");

    let anonymous = get("/admin/users", None).await;
    assert!(anonymous.status.is_redirection(), "{}", anonymous.status);
    assert!(
        anonymous
            .headers
            .get(header::LOCATION)
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("/signin")
    );
    let cookie = admin_cookie(&app).await;
    let admin = get("/admin/users", Some(&cookie)).await;
    assert_eq!(admin.status, StatusCode::OK);
    assert!(admin.text.contains("Import user"));
    let (_, plain) = signed_in_user(&app, "plain").await;
    let refused = get("/admin/users", Some(&plain)).await;
    assert!(refused.text.contains("Not allowed"));
    assert!(!refused.text.contains("Import user"));
    assert_eq!(
        get("/no/such/page", None).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn signing_in_again_ends_the_browsers_previous_session(db: &TestDb) {
    let app = TestApp::start(db).await;
    import(&app, "plain", json!({"password": PASSWORD})).await;
    let username = |cookie: &str| {
        let app = &app;
        let cookie = cookie.to_owned();
        async move {
            let me = app
                .server_fn("current_user", Some(&cookie), json!({}))
                .await;
            assert_eq!(me.status, StatusCode::OK, "{}", me.text);
            me.body["username"].as_str().map(str::to_owned)
        }
    };
    let first = admin_cookie(&app).await;
    let (_, elsewhere) = app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    let elsewhere = elsewhere.unwrap();

    // A failed sign-in ends nothing.
    let (failed, _) = app
        .sign_in_from(Some(&first), ADMIN, "not the password")
        .await;
    assert_eq!(failed.status, StatusCode::UNAUTHORIZED);
    assert_eq!(username(&first).await.as_deref(), Some(ADMIN));

    // Signing in again in this browser ends its previous session; other browsers keep theirs.
    let (again, second) = app.sign_in_from(Some(&first), ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(again.body, json!("SignedIn"));
    let second = second.unwrap();
    assert_ne!(second, first);
    assert_eq!(username(&first).await, None);
    assert_eq!(username(&second).await.as_deref(), Some(ADMIN));
    assert_eq!(username(&elsewhere).await.as_deref(), Some(ADMIN));

    // Another person signing in in the same browser ends it too.
    let (other, third) = app.sign_in_from(Some(&second), "plain", PASSWORD).await;
    assert_eq!(other.body, json!("SignedIn"));
    let third = third.unwrap();
    assert_eq!(username(&second).await, None);
    assert_eq!(username(&third).await.as_deref(), Some("plain"));

    // A cookie that is no longer valid is no obstacle.
    let (stale, fourth) = app.sign_in_from(Some(&first), ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(stale.body, json!("SignedIn"));
    assert_eq!(username(&fourth.unwrap()).await.as_deref(), Some(ADMIN));
    assert_eq!(username(&third).await.as_deref(), Some("plain"));
}
