//! Password endpoints (contract 3.10-3.12). Callers: service accounts with `user.write` in the
//! context organisation.

use super::caller::Caller;
use super::error::ApiError;
use super::json::{details_change, parse_body};
use super::pgv::Message;
use crate::domain::Services;
use crate::domain::authz::Permission;
use crate::domain::passwords::ResetChannel;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde::de::{Deserializer, Error as _};
use serde_json::{Value, json};

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = SetHumanPasswordRequest)]
struct SetPasswordRequest {
    password: Option<String>,
    #[serde(rename = "noChangeRequired", alias = "no_change_required")]
    no_change_required: Option<bool>,
}

async fn set(
    services: Services,
    caller: Caller,
    message: &'static str,
    user_id: String,
    body: Bytes,
    initial: bool,
) -> Result<Json<Value>, ApiError> {
    let access = caller.authorize(&services, Permission::UserWrite).await?;
    let request: SetPasswordRequest = parse_body(&body)?;
    let password = request.password.unwrap_or_default();
    let pgv = Message::new(message);
    pgv.min_length("UserId", &user_id, 1)
        .map_err(ApiError::invalid)?;
    pgv.length("Password", &password, 1, 72)
        .map_err(ApiError::invalid)?;
    let change_required = initial || !request.no_change_required.unwrap_or_default();
    let details = services
        .set_password(&access, &user_id, &password, change_required)
        .await?;
    Ok(Json(json!({
        "details": details_change(details.sequence, details.changed_at, &details.org_id),
    })))
}

#[utoipa::path(
    post,
    path = "/users/{user_id}/password",
    operation_id = "SetHumanPassword",
    summary = "Set User Password",
    tag = "Passwords",
    params(("user_id" = String, Path, description = "The user's id"), super::openapi::OrgHeader),
    request_body(content = SetPasswordRequest, description = "JSON; lowerCamelCase or snake_case names", content_type = "application/json"),
    responses(
        (status = 200, description = "Done", body = super::openapi::DetailsReplyDoc),
        (status = 400, description = "Invalid input (request validation or a business rule); FailedPrecondition also answers 400", body = super::openapi::ErrorDoc),
        (status = 401, description = "No or an unknown bearer token", body = super::openapi::ErrorDoc),
        (status = 403, description = "The token lacks the permission, or the organisation does not exist", body = super::openapi::ErrorDoc),
        (status = 404, description = "No such user (or token) in the organisation", body = super::openapi::ErrorDoc),
    ),
)]
/// `POST /users/{user_id}/password` — needs `user.write`. Without `noChangeRequired` the user
/// must change the password at the next sign-in.
pub async fn set_password(
    State(services): State<Services>,
    caller: Caller,
    Path(user_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    set(
        services,
        caller,
        "SetHumanPasswordRequest",
        user_id,
        body,
        false,
    )
    .await
}

#[utoipa::path(
    post,
    path = "/users/{user_id}/password/_initialize",
    operation_id = "SetHumanInitialPassword",
    summary = "Set Human Initial Password",
    tag = "Passwords",
    params(("user_id" = String, Path, description = "The user's id"), super::openapi::OrgHeader),
    request_body(content = SetPasswordRequest, description = "JSON; lowerCamelCase or snake_case names", content_type = "application/json"),
    responses(
        (status = 200, description = "Done", body = super::openapi::DetailsReplyDoc),
        (status = 400, description = "Invalid input (request validation or a business rule); FailedPrecondition also answers 400", body = super::openapi::ErrorDoc),
        (status = 401, description = "No or an unknown bearer token", body = super::openapi::ErrorDoc),
        (status = 403, description = "The token lacks the permission, or the organisation does not exist", body = super::openapi::ErrorDoc),
        (status = 404, description = "No such user (or token) in the organisation", body = super::openapi::ErrorDoc),
    ),
)]
/// `POST /users/{user_id}/password/_initialize` — needs `user.write`. Always change-required.
pub async fn set_initial_password(
    State(services): State<Services>,
    caller: Caller,
    Path(user_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    set(
        services,
        caller,
        "SetHumanInitialPasswordRequest",
        user_id,
        body,
        true,
    )
    .await
}

/// `type` of a reset request: its name or number; other numbers fail validation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum ResetType {
    #[default]
    Email,
    Sms,
    Undefined,
}

impl<'de> Deserialize<'de> for ResetType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Null => Ok(ResetType::Email),
            Value::String(name) => match name.as_str() {
                "TYPE_EMAIL" => Ok(ResetType::Email),
                "TYPE_SMS" => Ok(ResetType::Sms),
                other => Err(D::Error::custom(format!(
                    "invalid value for enum type: \"{other}\""
                ))),
            },
            Value::Number(number) => Ok(match number.as_i64() {
                Some(0) => ResetType::Email,
                Some(1) => ResetType::Sms,
                _ => ResetType::Undefined,
            }),
            other => Err(D::Error::custom(format!(
                "invalid value for enum type: {other}"
            ))),
        }
    }
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = SendHumanResetPasswordNotificationRequest)]
struct ResetRequest {
    #[serde(rename = "type", default)]
    #[schema(value_type = Option<super::openapi::ResetTypeDoc>)]
    kind: ResetType,
}

#[utoipa::path(
    post,
    path = "/users/{user_id}/password/_reset",
    operation_id = "SendHumanResetPasswordNotification",
    summary = "Send Reset Password Notification",
    tag = "Passwords",
    params(("user_id" = String, Path, description = "The user's id"), super::openapi::OrgHeader),
    request_body(content = ResetRequest, description = "JSON; lowerCamelCase or snake_case names", content_type = "application/json"),
    responses(
        (status = 200, description = "Done", body = super::openapi::DetailsReplyDoc),
        (status = 400, description = "Invalid input (request validation or a business rule); FailedPrecondition also answers 400", body = super::openapi::ErrorDoc),
        (status = 401, description = "No or an unknown bearer token", body = super::openapi::ErrorDoc),
        (status = 403, description = "The token lacks the permission, or the organisation does not exist", body = super::openapi::ErrorDoc),
        (status = 404, description = "No such user (or token) in the organisation", body = super::openapi::ErrorDoc),
    ),
)]
/// `POST /users/{user_id}/password/_reset` — needs `user.write`.
pub async fn send_reset_notification(
    State(services): State<Services>,
    caller: Caller,
    Path(user_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let access = caller.authorize(&services, Permission::UserWrite).await?;
    let request: ResetRequest = parse_body(&body)?;
    let pgv = Message::new("SendHumanResetPasswordNotificationRequest");
    pgv.length("UserId", &user_id, 1, 200)
        .map_err(ApiError::invalid)?;
    pgv.defined_enum("Type", request.kind != ResetType::Undefined)
        .map_err(ApiError::invalid)?;
    let channel = match request.kind {
        ResetType::Sms => ResetChannel::Sms,
        ResetType::Email | ResetType::Undefined => ResetChannel::Email,
    };
    let details = services
        .send_password_reset(&access, &user_id, channel)
        .await?;
    Ok(Json(json!({
        "details": details_change(details.sequence, details.changed_at, &details.org_id),
    })))
}
