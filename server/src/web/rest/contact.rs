//! Email, phone and initialization endpoints (contract 3.2, 3.8, 3.9, 3.18-3.20). Callers:
//! service accounts with `user.write` in the context organisation.

use super::caller::Caller;
use super::error::ApiError;
use super::json::{details_change, parse_body};
use super::pgv::Message;
use crate::domain::Services;
use crate::domain::authz::Permission;
use crate::domain::users::ChangeDetails;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};

fn reply(details: ChangeDetails) -> Json<Value> {
    Json(json!({
        "details": details_change(details.sequence, details.changed_at, &details.org_id),
    }))
}

fn user_id_only(message: &'static str, user_id: &str) -> Result<(), ApiError> {
    Message::new(message)
        .length("UserId", user_id, 1, 200)
        .map_err(ApiError::invalid)
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ResendHumanInitializationRequest)]
struct ResendInitRequest {
    email: Option<String>,
}

#[utoipa::path(
    post,
    path = "/users/{user_id}/_resend_initialization",
    operation_id = "ResendHumanInitialization",
    summary = "Resend User Initialization Email",
    tag = "Users",
    params(("user_id" = String, Path, description = "The user's id"), super::openapi::OrgHeader),
    request_body(content = ResendInitRequest, description = "JSON; lowerCamelCase or snake_case names", content_type = "application/json"),
    responses(
        (status = 200, description = "Done", body = super::openapi::DetailsReplyDoc),
        (status = 400, description = "Invalid input (request validation or a business rule); FailedPrecondition also answers 400", body = super::openapi::ErrorDoc),
        (status = 401, description = "No or an unknown bearer token", body = super::openapi::ErrorDoc),
        (status = 403, description = "The token lacks the permission, or the organisation does not exist", body = super::openapi::ErrorDoc),
        (status = 404, description = "No such user (or token) in the organisation", body = super::openapi::ErrorDoc),
    ),
)]
/// `POST /users/{user_id}/_resend_initialization` — needs `user.write`.
pub async fn resend_initialization(
    State(services): State<Services>,
    caller: Caller,
    Path(user_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let access = caller.authorize(&services, Permission::UserWrite).await?;
    let request: ResendInitRequest = parse_body(&body)?;
    let message = Message::new("ResendHumanInitializationRequest");
    message
        .length("UserId", &user_id, 1, 200)
        .map_err(ApiError::invalid)?;
    let email = request.email.unwrap_or_default();
    if !email.is_empty() {
        message.email("Email", &email).map_err(ApiError::invalid)?;
    }
    let details = services
        .resend_initialization(&access, &user_id, Some(email.as_str()))
        .await?;
    Ok(reply(details))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = UpdateHumanEmailRequest)]
struct UpdateEmailRequest {
    email: Option<String>,
    #[serde(rename = "isEmailVerified", alias = "is_email_verified")]
    is_email_verified: Option<bool>,
}

#[utoipa::path(
    put,
    path = "/users/{user_id}/email",
    operation_id = "UpdateHumanEmail",
    summary = "Update User Email (Human)",
    tag = "Users",
    params(("user_id" = String, Path, description = "The user's id"), super::openapi::OrgHeader),
    request_body(content = UpdateEmailRequest, description = "JSON; lowerCamelCase or snake_case names", content_type = "application/json"),
    responses(
        (status = 200, description = "Done", body = super::openapi::DetailsReplyDoc),
        (status = 400, description = "Invalid input (request validation or a business rule); FailedPrecondition also answers 400", body = super::openapi::ErrorDoc),
        (status = 401, description = "No or an unknown bearer token", body = super::openapi::ErrorDoc),
        (status = 403, description = "The token lacks the permission, or the organisation does not exist", body = super::openapi::ErrorDoc),
        (status = 404, description = "No such user (or token) in the organisation", body = super::openapi::ErrorDoc),
    ),
)]
/// `PUT /users/{user_id}/email` — needs `user.write`.
pub async fn update_email(
    State(services): State<Services>,
    caller: Caller,
    Path(user_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let access = caller.authorize(&services, Permission::UserWrite).await?;
    let request: UpdateEmailRequest = parse_body(&body)?;
    let email = request.email.unwrap_or_default();
    let message = Message::new("UpdateHumanEmailRequest");
    message
        .length("UserId", &user_id, 1, 200)
        .map_err(ApiError::invalid)?;
    message.email("Email", &email).map_err(ApiError::invalid)?;
    let details = services
        .update_email(
            &access,
            &user_id,
            &email,
            request.is_email_verified.unwrap_or_default(),
        )
        .await?;
    Ok(reply(details))
}

#[utoipa::path(
    post,
    path = "/users/{user_id}/email/_resend_verification",
    operation_id = "ResendHumanEmailVerification",
    summary = "Resend User Email Verification",
    tag = "Users",
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
/// `POST /users/{user_id}/email/_resend_verification` — needs `user.write`.
pub async fn resend_email_verification(
    State(services): State<Services>,
    caller: Caller,
    Path(user_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let access = caller.authorize(&services, Permission::UserWrite).await?;
    user_id_only("ResendHumanEmailVerificationRequest", &user_id)?;
    Ok(reply(
        services
            .resend_email_verification(&access, &user_id)
            .await?,
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = UpdateHumanPhoneRequest)]
struct UpdatePhoneRequest {
    phone: Option<String>,
    #[serde(rename = "isPhoneVerified", alias = "is_phone_verified")]
    is_phone_verified: Option<bool>,
}

#[utoipa::path(
    put,
    path = "/users/{user_id}/phone",
    operation_id = "UpdateHumanPhone",
    summary = "Update User Phone (Human)",
    tag = "Users",
    params(("user_id" = String, Path, description = "The user's id"), super::openapi::OrgHeader),
    request_body(content = UpdatePhoneRequest, description = "JSON; lowerCamelCase or snake_case names", content_type = "application/json"),
    responses(
        (status = 200, description = "Done", body = super::openapi::DetailsReplyDoc),
        (status = 400, description = "Invalid input (request validation or a business rule); FailedPrecondition also answers 400", body = super::openapi::ErrorDoc),
        (status = 401, description = "No or an unknown bearer token", body = super::openapi::ErrorDoc),
        (status = 403, description = "The token lacks the permission, or the organisation does not exist", body = super::openapi::ErrorDoc),
        (status = 404, description = "No such user (or token) in the organisation", body = super::openapi::ErrorDoc),
    ),
)]
/// `PUT /users/{user_id}/phone` — needs `user.write`.
pub async fn update_phone(
    State(services): State<Services>,
    caller: Caller,
    Path(user_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let access = caller.authorize(&services, Permission::UserWrite).await?;
    let request: UpdatePhoneRequest = parse_body(&body)?;
    let phone = request.phone.unwrap_or_default();
    let message = Message::new("UpdateHumanPhoneRequest");
    message
        .length("UserId", &user_id, 1, 200)
        .map_err(ApiError::invalid)?;
    message
        .length("Phone", &phone, 1, 50)
        .map_err(ApiError::invalid)?;
    message
        .prefix("Phone", &phone, "+")
        .map_err(ApiError::invalid)?;
    let details = services
        .update_phone(
            &access,
            &user_id,
            &phone,
            request.is_phone_verified.unwrap_or_default(),
        )
        .await?;
    Ok(reply(details))
}

#[utoipa::path(
    delete,
    path = "/users/{user_id}/phone",
    operation_id = "RemoveHumanPhone",
    summary = "Remove User Phone (Human)",
    tag = "Users",
    params(("user_id" = String, Path, description = "The user's id"), super::openapi::OrgHeader),
    responses(
        (status = 200, description = "Done", body = super::openapi::DetailsReplyDoc),
        (status = 400, description = "Invalid input (request validation or a business rule); FailedPrecondition also answers 400", body = super::openapi::ErrorDoc),
        (status = 401, description = "No or an unknown bearer token", body = super::openapi::ErrorDoc),
        (status = 403, description = "The token lacks the permission, or the organisation does not exist", body = super::openapi::ErrorDoc),
        (status = 404, description = "No such user (or token) in the organisation", body = super::openapi::ErrorDoc),
    ),
)]
/// `DELETE /users/{user_id}/phone` — needs `user.write`.
pub async fn remove_phone(
    State(services): State<Services>,
    caller: Caller,
    Path(user_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let access = caller.authorize(&services, Permission::UserWrite).await?;
    user_id_only("RemoveHumanPhoneRequest", &user_id)?;
    Ok(reply(services.remove_phone(&access, &user_id).await?))
}

#[utoipa::path(
    post,
    path = "/users/{user_id}/phone/_resend_verification",
    operation_id = "ResendHumanPhoneVerification",
    summary = "Resend User Phone Verification",
    tag = "Users",
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
/// `POST /users/{user_id}/phone/_resend_verification` — needs `user.write`.
pub async fn resend_phone_verification(
    State(services): State<Services>,
    caller: Caller,
    Path(user_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let access = caller.authorize(&services, Permission::UserWrite).await?;
    user_id_only("ResendHumanPhoneVerificationRequest", &user_id)?;
    Ok(reply(
        services
            .resend_phone_verification(&access, &user_id)
            .await?,
    ))
}
