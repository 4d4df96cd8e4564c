//! The OpenAPI document at /openapi.json: it lists exactly the contract's 22 operations, every
//! operation it lists is served, and real replies (successes and errors) match the schemas it
//! declares for them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{ORIGIN, Reply, TestApp, TestDb};
use crate::factors::register;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

on_both_databases!(the_document_describes_every_operation_and_reply);

/// Checks `value` against a JSON schema of the document (the subset utoipa writes: `$ref`,
/// `oneOf`, `type` (one or several), `properties`, `required`, `items`, `enum`). Objects may
/// not carry keys the schema does not declare: an undocumented field is a drift.
fn check(document: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.trim_start_matches("#/components/schemas/");
        let target = &document["components"]["schemas"][name];
        if target.is_null() {
            return Err(format!("{at}: unknown schema {reference}"));
        }
        return check(document, target, value, at);
    }
    if let Some(choices) = schema.get("oneOf").and_then(Value::as_array) {
        let passing = choices
            .iter()
            .filter(|choice| check(document, choice, value, at).is_ok())
            .count();
        return if passing >= 1 {
            Ok(())
        } else {
            Err(format!("{at}: {value} matches none of {schema}"))
        };
    }
    let kind_of = |value: &Value| match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(number) if number.is_i64() || number.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let allowed: Vec<&str> = match &schema["type"] {
        Value::String(kind) => vec![kind.as_str()],
        Value::Array(kinds) => kinds.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let actual = kind_of(value);
    let fits = allowed.is_empty()
        || allowed.contains(&actual)
        || (actual == "integer" && allowed.contains(&"number"));
    if !fits {
        return Err(format!("{at}: {value} is {actual}, not {allowed:?}"));
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array)
        && !values.contains(value)
    {
        return Err(format!("{at}: {value} is not one of {values:?}"));
    }
    match value {
        Value::Object(fields) => {
            let properties = schema["properties"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            for name in schema["required"].as_array().into_iter().flatten() {
                let name = name.as_str().unwrap_or_default();
                if !fields.contains_key(name) {
                    return Err(format!("{at}: required `{name}` missing"));
                }
            }
            for (name, field) in fields {
                let Some(property) = properties.get(name) else {
                    return Err(format!("{at}: `{name}` is not documented"));
                };
                check(document, property, field, &format!("{at}.{name}"))?;
            }
            Ok(())
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                check(document, &schema["items"], item, &format!("{at}[{index}]"))?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Checks a reply against the schema the document gives `operation_id` for its status.
fn conforms(document: &Value, operation_id: &str, reply: &Reply) {
    let operation = document["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|path| path.as_object().unwrap().values())
        .find(|operation| operation["operationId"] == operation_id)
        .unwrap_or_else(|| panic!("{operation_id} is not documented"));
    let status = reply.status.as_u16().to_string();
    let schema = &operation["responses"][&status]["content"]["application/json"]["schema"];
    assert!(
        !schema.is_null(),
        "{operation_id} answered {status}, which the document does not list: {}",
        reply.text
    );
    if let Err(problem) = check(document, schema, &reply.body, operation_id) {
        panic!("{operation_id} {status}: {problem}\nreply: {}", reply.text);
    }
}

async fn the_document_describes_every_operation_and_reply(db: &TestDb) {
    let app = TestApp::start(db).await;
    let (status, headers, bytes) = app.get_bytes("/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let document: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(
        document["servers"][0]["url"],
        format!("{ORIGIN}/management/v1")
    );
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );

    // Exactly the contract's 22 operations (section 2), each with its method and path.
    let mut listed = Vec::new();
    for (path, operations) in document["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            listed.push((
                operation["operationId"].as_str().unwrap().to_owned(),
                method.to_uppercase(),
                path.clone(),
            ));
        }
    }
    listed.sort();
    let mut contract = [
        ("ImportHumanUser", "POST", "/users/human/_import"),
        (
            "ResendHumanInitialization",
            "POST",
            "/users/{user_id}/_resend_initialization",
        ),
        (
            "ListHumanAuthFactors",
            "POST",
            "/users/{user_id}/auth_factors/_search",
        ),
        (
            "RemoveHumanAuthFactorOTP",
            "DELETE",
            "/users/{user_id}/auth_factors/otp",
        ),
        (
            "RemoveHumanAuthFactorU2F",
            "DELETE",
            "/users/{user_id}/auth_factors/u2f/{token_id}",
        ),
        ("RemoveHumanAvatar", "DELETE", "/users/{user_id}/avatar"),
        ("GetHumanEmail", "GET", "/users/{user_id}/email"),
        ("UpdateHumanEmail", "PUT", "/users/{user_id}/email"),
        (
            "ResendHumanEmailVerification",
            "POST",
            "/users/{user_id}/email/_resend_verification",
        ),
        ("SetHumanPassword", "POST", "/users/{user_id}/password"),
        (
            "SetHumanInitialPassword",
            "POST",
            "/users/{user_id}/password/_initialize",
        ),
        (
            "SendHumanResetPasswordNotification",
            "POST",
            "/users/{user_id}/password/_reset",
        ),
        (
            "AddPasswordlessRegistration",
            "POST",
            "/users/{user_id}/passwordless/_link",
        ),
        (
            "ListHumanPasswordless",
            "POST",
            "/users/{user_id}/passwordless/_search",
        ),
        (
            "SendPasswordlessRegistration",
            "POST",
            "/users/{user_id}/passwordless/_send_link",
        ),
        (
            "RemoveHumanPasswordless",
            "DELETE",
            "/users/{user_id}/passwordless/{token_id}",
        ),
        ("GetHumanPhone", "GET", "/users/{user_id}/phone"),
        ("RemoveHumanPhone", "DELETE", "/users/{user_id}/phone"),
        ("UpdateHumanPhone", "PUT", "/users/{user_id}/phone"),
        (
            "ResendHumanPhoneVerification",
            "POST",
            "/users/{user_id}/phone/_resend_verification",
        ),
        ("GetHumanProfile", "GET", "/users/{user_id}/profile"),
        ("UpdateHumanProfile", "PUT", "/users/{user_id}/profile"),
    ]
    .map(|(id, method, path)| (id.to_owned(), method.to_owned(), path.to_owned()));
    contract.sort();
    assert_eq!(listed, contract);

    // The browser's API page shows the same operations, to anyone.
    let overview = app.server_fn("api_overview", None, json!({})).await;
    assert_eq!(overview.status, StatusCode::OK, "{}", overview.text);
    assert_eq!(overview.body["base_url"], format!("{ORIGIN}/management/v1"));
    assert_eq!(
        overview.body["document_url"],
        format!("{ORIGIN}/openapi.json")
    );
    let mut shown: Vec<String> = overview.body["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|operation| operation["operation_id"].as_str().unwrap().to_owned())
        .collect();
    shown.sort();
    let ids: Vec<String> = listed.iter().map(|(id, _, _)| id.clone()).collect();
    assert_eq!(shown, ids);
    let import = overview.body["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|operation| operation["operation_id"] == "ImportHumanUser")
        .unwrap();
    assert_eq!(import["summary"], "Create/Import User (Human)");
    // The page shows each summary in the reader's language.
    for operation in overview.body["operations"].as_array().unwrap() {
        let summary = operation["summary"].as_str().unwrap();
        assert_ne!(
            app::i18n::Lang::De.t_dynamic(summary),
            summary,
            "no German for the summary of {}",
            operation["operation_id"]
        );
    }

    // Every listed operation is served: without a token it answers 401, not "no such route".
    for (id, method, path) in &listed {
        let path = path.replace("{user_id}", "1").replace("{token_id}", "2");
        let reply = app
            .rest(
                Method::from_bytes(method.as_bytes()).unwrap(),
                &path,
                None,
                None,
                None,
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{id}: {}",
            reply.text
        );
        conforms(&document, id, &reply);
    }

    // Real replies, successes and errors, match their schemas.
    let call = |method: Method, path: String, body: Option<Value>| {
        let app = &app;
        async move { app.api(method, &path, body.as_ref()).await }
    };
    let imported = call(
        Method::POST,
        "/users/human/_import".into(),
        Some(json!({"userName": "doc", "profile": {"firstName": "Doc", "lastName": "Umented", "gender": "GENDER_DIVERSE", "nickName": "D"},
            "email": {"email": "doc@example.com", "isEmailVerified": true}, "phone": {"phone": "+41 71 000 00 00"},
            "password": "Lantern-meadow-harbor-42", "requestPasswordlessRegistration": true})),
    )
    .await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.text);
    assert!(imported.body["passwordlessRegistration"]["link"].is_string());
    conforms(&document, "ImportHumanUser", &imported);
    let id = imported.body["userId"].as_str().unwrap().to_owned();
    let taken = call(
        Method::POST,
        "/users/human/_import".into(),
        Some(json!({"userName": "doc", "profile": {"firstName": "A", "lastName": "B"}, "email": {"email": "a@b.c"}})),
    )
    .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    conforms(&document, "ImportHumanUser", &taken);
    let invalid = call(Method::POST, "/users/human/_import".into(), Some(json!({}))).await;
    assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
    conforms(&document, "ImportHumanUser", &invalid);
    let initial = call(
        Method::POST,
        "/users/human/_import".into(),
        Some(json!({"userName": "newbie", "profile": {"firstName": "A", "lastName": "B"}, "email": {"email": "newbie@example.com"}})),
    )
    .await;
    let initial = initial.body["userId"].as_str().unwrap().to_owned();

    // Factors to list: a security key and a passkey.
    let (_, cookie) = app.sign_in("doc", "Lantern-meadow-harbor-42").await;
    let cookie = cookie.unwrap();
    register(&app, &cookie, "SecurityKey", "Blue key").await;
    register(&app, &cookie, "Passkey", "Laptop").await;

    let u = |suffix: &str| format!("/users/{id}{suffix}");
    let steps: Vec<(&str, Method, String, Option<Value>)> = vec![
        ("GetHumanProfile", Method::GET, u("/profile"), None),
        (
            "GetHumanProfile",
            Method::GET,
            "/users/42/profile".into(),
            None,
        ),
        ("GetHumanEmail", Method::GET, u("/email"), None),
        ("GetHumanPhone", Method::GET, u("/phone"), None),
        (
            "UpdateHumanProfile",
            Method::PUT,
            u("/profile"),
            Some(
                json!({"firstName": "Doc", "lastName": "U", "displayName": "Doc U", "preferredLanguage": "de-CH", "gender": "GENDER_FEMALE"}),
            ),
        ),
        (
            "UpdateHumanProfile",
            Method::PUT,
            u("/profile"),
            Some(
                json!({"firstName": "Doc", "lastName": "U", "displayName": "Doc U", "preferredLanguage": "de-CH", "gender": "GENDER_FEMALE"}),
            ),
        ),
        (
            "UpdateHumanEmail",
            Method::PUT,
            u("/email"),
            Some(json!({"email": "doc2@example.com"})),
        ),
        (
            "ResendHumanEmailVerification",
            Method::POST,
            u("/email/_resend_verification"),
            Some(json!({})),
        ),
        (
            "UpdateHumanPhone",
            Method::PUT,
            u("/phone"),
            Some(json!({"phone": "+41 79 000 00 00"})),
        ),
        (
            "ResendHumanPhoneVerification",
            Method::POST,
            u("/phone/_resend_verification"),
            Some(json!({})),
        ),
        (
            "SetHumanPassword",
            Method::POST,
            u("/password"),
            Some(json!({"password": "Copper-meadow-lantern-58", "noChangeRequired": true})),
        ),
        (
            "SetHumanInitialPassword",
            Method::POST,
            u("/password/_initialize"),
            Some(json!({"password": "Copper-meadow-lantern-59"})),
        ),
        (
            "SendHumanResetPasswordNotification",
            Method::POST,
            u("/password/_reset"),
            Some(json!({"type": "TYPE_EMAIL"})),
        ),
        (
            "ResendHumanInitialization",
            Method::POST,
            format!("/users/{initial}/_resend_initialization"),
            Some(json!({})),
        ),
        (
            "ResendHumanInitialization",
            Method::POST,
            u("/_resend_initialization"),
            Some(json!({})),
        ),
        (
            "ListHumanAuthFactors",
            Method::POST,
            u("/auth_factors/_search"),
            None,
        ),
        (
            "ListHumanAuthFactors",
            Method::POST,
            format!("/users/{initial}/auth_factors/_search"),
            None,
        ),
        (
            "RemoveHumanAuthFactorOTP",
            Method::DELETE,
            u("/auth_factors/otp"),
            None,
        ),
        (
            "RemoveHumanAuthFactorU2F",
            Method::DELETE,
            u("/auth_factors/u2f/nope"),
            None,
        ),
        (
            "ListHumanPasswordless",
            Method::POST,
            u("/passwordless/_search"),
            None,
        ),
        (
            "AddPasswordlessRegistration",
            Method::POST,
            u("/passwordless/_link"),
            None,
        ),
        (
            "SendPasswordlessRegistration",
            Method::POST,
            u("/passwordless/_send_link"),
            Some(json!({})),
        ),
        (
            "RemoveHumanPasswordless",
            Method::DELETE,
            u("/passwordless/nope"),
            None,
        ),
        ("RemoveHumanAvatar", Method::DELETE, u("/avatar"), None),
        ("RemoveHumanPhone", Method::DELETE, u("/phone"), None),
        ("RemoveHumanPhone", Method::DELETE, u("/phone"), None),
    ];
    let mut statuses = Vec::new();
    for (operation, method, path, body) in steps {
        let reply = call(method, path.clone(), body).await;
        conforms(&document, operation, &reply);
        statuses.push((operation, reply.status.as_u16()));
    }
    // The walk saw successes and the error shapes (the second identical profile update is
    // "not changed", the second phone removal "not found", ...).
    assert!(
        statuses.iter().filter(|(_, status)| *status == 200).count() >= 18,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().any(|(_, status)| *status == 400),
        "{statuses:?}"
    );
    assert!(
        statuses.iter().any(|(_, status)| *status == 404),
        "{statuses:?}"
    );
    let listed = call(Method::POST, u("/auth_factors/_search"), None).await;
    assert_eq!(
        listed.body["result"][0]["u2f"]["name"], "Blue key",
        "{}",
        listed.text
    );
    let passkeys = call(Method::POST, u("/passwordless/_search"), None).await;
    assert_eq!(
        passkeys.body["result"][0]["name"], "Laptop",
        "{}",
        passkeys.text
    );
}

/// The checker itself refuses what it must, or the test above could not fail.
#[test]
fn the_checker_finds_drift() {
    let document = json!({"components": {"schemas": {
        "Thing": {"type": "object", "required": ["id"], "properties": {
            "id": {"type": "string"},
            "state": {"type": "string", "enum": ["READY"]},
            "tags": {"type": ["array", "null"], "items": {"type": "string"}},
            "inner": {"oneOf": [{"$ref": "#/components/schemas/Empty"}, {"type": "null"}]}
        }},
        "Empty": {"type": "object"}
    }}});
    let thing = json!({"$ref": "#/components/schemas/Thing"});
    let ok = |value: Value| check(&document, &thing, &value, "t");
    assert!(ok(json!({"id": "1", "state": "READY", "tags": ["a"], "inner": {}})).is_ok());
    assert!(
        ok(json!({"id": "1", "extra": true})).is_err(),
        "undocumented field"
    );
    assert!(
        ok(json!({"state": "READY"})).is_err(),
        "required field missing"
    );
    assert!(ok(json!({"id": 1})).is_err(), "wrong type");
    assert!(
        ok(json!({"id": "1", "state": "GONE"})).is_err(),
        "not in the enum"
    );
    assert!(
        ok(json!({"id": "1", "tags": [1]})).is_err(),
        "wrong item type"
    );
    assert!(
        ok(json!({"id": "1", "inner": {"x": 1}})).is_err(),
        "field of an empty message"
    );
}
