//! Second factors and passkeys (contract 3.3-3.5 and 3.13-3.16). Callers: service accounts
//! with the permission each handler names, in the context organisation.

use super::caller::Caller;
use super::error::ApiError;
use super::json::{details_add, details_change, parse_body};
use super::pgv::Message;
use crate::domain::Services;
use crate::domain::authz::Permission;
use crate::domain::users::ChangeDetails;
use app::model::CredentialKind;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use serde_json::{Value, json};

/// The only state the list endpoints return (contract 4.7).
const READY: &str = "AUTH_FACTOR_STATE_READY";

fn change_reply(details: ChangeDetails) -> Json<Value> {
    Json(json!({
        "details": details_change(details.sequence, details.changed_at, &details.org_id),
    }))
}

fn add_details(details: &ChangeDetails) -> Value {
    details_add(details.sequence, details.changed_at, &details.org_id)
}

fn check_user_id(message: &'static str, user_id: &str) -> Result<(), ApiError> {
    Message::new(message)
        .length("UserId", user_id, 1, 200)
        .map_err(ApiError::invalid)
}

fn check_token(message: &'static str, user_id: &str, token_id: &str) -> Result<(), ApiError> {
    let message = Message::new(message);
    message
        .length("UserId", user_id, 1, 200)
        .and_then(|()| message.length("TokenId", token_id, 1, 200))
        .map_err(ApiError::invalid)
}

/// A list reply: `{}` when empty, as grpc-gateway omits empty repeated fields.
fn list_reply(result: Vec<Value>) -> Json<Value> {
    if result.is_empty() {
        Json(json!({}))
    } else {
        Json(json!({ "result": result }))
    }
}

#[utoipa::path(
    post,
    path = "/users/{user_id}/auth_factors/_search",
    operation_id = "ListHumanAuthFactors",
    summary = "Get User Authentication Factors (2FA/MFA)",
    tag = "Factors",
    params(("user_id" = String, Path, description = "The user's id"), super::openapi::OrgHeader),
    responses(
        (status = 200, description = "Done", body = super::openapi::AuthFactorsReplyDoc),
        (status = 400, description = "Invalid input (request validation or a business rule); FailedPrecondition also answers 400", body = super::openapi::ErrorDoc),
        (status = 401, description = "No or an unknown bearer token", body = super::openapi::ErrorDoc),
        (status = 403, description = "The token lacks the permission, or the organisation does not exist", body = super::openapi::ErrorDoc),
        (status = 404, description = "No such user (or token) in the organisation", body = super::openapi::ErrorDoc),
    ),
)]
/// `POST /users/{user_id}/auth_factors/_search` — needs `user.read`. The READY authenticator
/// app and security keys; passkeys are listed by `passwordless/_search`.
pub async fn list_auth_factors(
    State(services): State<Services>,
    caller: Caller,
    Path(user_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let access = caller.authorize(&services, Permission::UserRead).await?;
    check_user_id("ListHumanAuthFactorsRequest", &user_id)?;
    let factors = services.list_factors_for(&access, &user_id).await?;
    let mut result = Vec::new();
    if factors.totp_ready {
        result.push(json!({ "state": READY, "otp": {} }));
    }
    result.extend(
        factors
            .security_keys
            .iter()
            .map(|key| json!({ "state": READY, "u2f": { "id": key.id, "name": key.name } })),
    );
    Ok(list_reply(result))
}

#[utoipa::path(
    delete,
    path = "/users/{user_id}/auth_factors/otp",
    operation_id = "RemoveHumanAuthFactorOTP",
    summary = "Remove Multi-Factor OTP",
    tag = "Factors",
    params(("user_id" = String, Path, description = "The user's id"), super::openapi::OrgHeader),
    responses(
        (status = 200, description = "Done", body = super::openapi::DetailsReplyDoc),
        (status = 400, description = "Invalid input (request validation or a business rule); FailedPrecondition also answers 400", body = super::openapi::ErrorDoc),
        (status = 401, description = "No or an unknown bearer token", body = super::openapi::ErrorDoc),
        (status = 403, description = "The token lacks the permission, or the organisation does not exist", body = super::openapi::ErrorDoc),
        (status = 404, description = "No such user (or token) in the organisation", body = super::openapi::ErrorDoc),
    ),
)]
/// `DELETE /users/{user_id}/auth_factors/otp` — needs `user.write`.
pub async fn remove_otp(
    State(services): State<Services>,
    caller: Caller,
    Path(user_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let access = caller.authorize(&services, Permission::UserWrite).await?;
    check_user_id("RemoveHumanAuthFactorOTPRequest", &user_id)?;
    Ok(change_reply(services.remove_totp(&access, &user_id).await?))
}

#[utoipa::path(
    delete,
    path = "/users/{user_id}/auth_factors/u2f/{token_id}",
    operation_id = "RemoveHumanAuthFactorU2F",
    summary = "Remove Multi-Factor U2F",
    tag = "Factors",
    params(("user_id" = String, Path, description = "The user's id"), ("token_id" = String, Path, description = "The security key's or passkey's id"), super::openapi::OrgHeader),
    responses(
        (status = 200, description = "Done", body = super::openapi::DetailsReplyDoc),
        (status = 400, description = "Invalid input (request validation or a business rule); FailedPrecondition also answers 400", body = super::openapi::ErrorDoc),
        (status = 401, description = "No or an unknown bearer token", body = super::openapi::ErrorDoc),
        (status = 403, description = "The token lacks the permission, or the organisation does not exist", body = super::openapi::ErrorDoc),
        (status = 404, description = "No such user (or token) in the organisation", body = super::openapi::ErrorDoc),
    ),
)]
/// `DELETE /users/{user_id}/auth_factors/u2f/{token_id}` — needs `user.write`. Only security
/// keys; a passkey id is not found (decision D2).
pub async fn remove_u2f(
    State(services): State<Services>,
    caller: Caller,
    Path((user_id, token_id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let access = caller.authorize(&services, Permission::UserWrite).await?;
    check_token("RemoveHumanAuthFactorU2FRequest", &user_id, &token_id)?;
    let details = services
        .remove_credential(&access, &user_id, CredentialKind::SecurityKey, &token_id)
        .await?;
    Ok(change_reply(details))
}

#[utoipa::path(
    post,
    path = "/users/{user_id}/passwordless/_link",
    operation_id = "AddPasswordlessRegistration",
    summary = "Add Passwordless/Passkey Registration Link",
    tag = "Factors",
    params(("user_id" = String, Path, description = "The user's id"), super::openapi::OrgHeader),
    responses(
        (status = 200, description = "Done", body = super::openapi::PasswordlessLinkReplyDoc),
        (status = 400, description = "Invalid input (request validation or a business rule); FailedPrecondition also answers 400", body = super::openapi::ErrorDoc),
        (status = 401, description = "No or an unknown bearer token", body = super::openapi::ErrorDoc),
        (status = 403, description = "The token lacks the permission, or the organisation does not exist", body = super::openapi::ErrorDoc),
        (status = 404, description = "No such user (or token) in the organisation", body = super::openapi::ErrorDoc),
    ),
)]
/// `POST /users/{user_id}/passwordless/_link` — needs `user.credential.write`. Returns a
/// registration link to hand to the user; nothing is sent.
pub async fn add_passwordless_link(
    State(services): State<Services>,
    caller: Caller,
    Path(user_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let access = caller
        .authorize(&services, Permission::UserCredentialWrite)
        .await?;
    check_user_id("AddPasswordlessRegistrationRequest", &user_id)?;
    let (link, details) = services.add_passkey_link(&access, &user_id).await?;
    Ok(Json(json!({
        "details": add_details(&details),
        "link": link.link,
        "expiration": format!("{}s", link.lifetime_secs),
    })))
}

#[utoipa::path(
    post,
    path = "/users/{user_id}/passwordless/_search",
    operation_id = "ListHumanPasswordless",
    summary = "Search Passwordless/Passkey authentication",
    tag = "Factors",
    params(("user_id" = String, Path, description = "The user's id"), super::openapi::OrgHeader),
    responses(
        (status = 200, description = "Done", body = super::openapi::PasswordlessListReplyDoc),
        (status = 400, description = "Invalid input (request validation or a business rule); FailedPrecondition also answers 400", body = super::openapi::ErrorDoc),
        (status = 401, description = "No or an unknown bearer token", body = super::openapi::ErrorDoc),
        (status = 403, description = "The token lacks the permission, or the organisation does not exist", body = super::openapi::ErrorDoc),
        (status = 404, description = "No such user (or token) in the organisation", body = super::openapi::ErrorDoc),
    ),
)]
/// `POST /users/{user_id}/passwordless/_search` — needs `user.read`. The READY passkeys.
pub async fn list_passwordless(
    State(services): State<Services>,
    caller: Caller,
    Path(user_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let access = caller.authorize(&services, Permission::UserRead).await?;
    check_user_id("ListHumanPasswordlessRequest", &user_id)?;
    let factors = services.list_factors_for(&access, &user_id).await?;
    let result = factors
        .passkeys
        .iter()
        .map(|passkey| json!({ "id": passkey.id, "state": READY, "name": passkey.name }))
        .collect();
    Ok(list_reply(result))
}

/// The send-link request has no fields besides the path's user id, but must be a JSON
/// object when given (unknown fields are ignored, as the gateway does; an array is not a
/// message).
type SendLinkRequest = serde_json::Map<String, Value>;

#[utoipa::path(
    post,
    path = "/users/{user_id}/passwordless/_send_link",
    operation_id = "SendPasswordlessRegistration",
    summary = "Send Passwordless/Passkey Registration Link",
    tag = "Factors",
    params(("user_id" = String, Path, description = "The user's id"), super::openapi::OrgHeader),
    request_body(content = super::openapi::EmptyDoc, description = "JSON; lowerCamelCase or snake_case names", content_type = "application/json"),
    responses(
        (status = 200, description = "Done", body = super::openapi::DetailsReplyDoc),
        (status = 400, description = "Invalid input (request validation or a business rule); FailedPrecondition also answers 400", body = super::openapi::ErrorDoc),
        (status = 401, description = "No or an unknown bearer token", body = super::openapi::ErrorDoc),
        (status = 403, description = "The token lacks the permission, or the organisation does not exist", body = super::openapi::ErrorDoc),
        (status = 404, description = "No such user (or token) in the organisation", body = super::openapi::ErrorDoc),
    ),
)]
/// `POST /users/{user_id}/passwordless/_send_link` — needs `user.write`. Mails a registration
/// link to the user's verified address through the outbox.
pub async fn send_passwordless_link(
    State(services): State<Services>,
    caller: Caller,
    Path(user_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let access = caller.authorize(&services, Permission::UserWrite).await?;
    let _request: SendLinkRequest = parse_body(&body)?;
    check_user_id("SendPasswordlessRegistrationRequest", &user_id)?;
    let details = services.send_passkey_link(&access, &user_id).await?;
    Ok(Json(json!({ "details": add_details(&details) })))
}

#[utoipa::path(
    delete,
    path = "/users/{user_id}/passwordless/{token_id}",
    operation_id = "RemoveHumanPasswordless",
    summary = "Delete Passwordless/Passkey",
    tag = "Factors",
    params(("user_id" = String, Path, description = "The user's id"), ("token_id" = String, Path, description = "The security key's or passkey's id"), super::openapi::OrgHeader),
    responses(
        (status = 200, description = "Done", body = super::openapi::DetailsReplyDoc),
        (status = 400, description = "Invalid input (request validation or a business rule); FailedPrecondition also answers 400", body = super::openapi::ErrorDoc),
        (status = 401, description = "No or an unknown bearer token", body = super::openapi::ErrorDoc),
        (status = 403, description = "The token lacks the permission, or the organisation does not exist", body = super::openapi::ErrorDoc),
        (status = 404, description = "No such user (or token) in the organisation", body = super::openapi::ErrorDoc),
    ),
)]
/// `DELETE /users/{user_id}/passwordless/{token_id}` — needs `user.write`. Only passkeys; a
/// security key id is not found (decision D2).
pub async fn remove_passwordless(
    State(services): State<Services>,
    caller: Caller,
    Path((user_id, token_id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let access = caller.authorize(&services, Permission::UserWrite).await?;
    check_token("RemoveHumanPasswordlessRequest", &user_id, &token_id)?;
    let details = services
        .remove_credential(&access, &user_id, CredentialKind::Passkey, &token_id)
        .await?;
    Ok(change_reply(details))
}
