//! The REST API, wire-compatible with ZITADEL's Management API v1 (`/management/v1`) for the
//! human-user operations in `docs/rest-contract.md`. Bearer tokens only: no cookies are read
//! here, so cross-site requests cannot borrow a browser session.

mod avatar;
mod caller;
mod contact;
pub mod error;
mod factors;
mod json;
mod passwords;
mod pgv;
mod users;

use crate::domain::Services;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use error::ApiError;

/// The `/management/v1` routes.
pub fn router(services: Services) -> Router {
    Router::new()
        .route("/users/human/_import", post(users::import_human_user))
        .route(
            "/users/{user_id}/profile",
            get(users::get_human_profile).put(users::update_human_profile),
        )
        .route(
            "/users/{user_id}/_resend_initialization",
            post(contact::resend_initialization),
        )
        .route(
            "/users/{user_id}/email",
            get(users::get_human_email).put(contact::update_email),
        )
        .route(
            "/users/{user_id}/email/_resend_verification",
            post(contact::resend_email_verification),
        )
        .route(
            "/users/{user_id}/phone",
            get(users::get_human_phone)
                .put(contact::update_phone)
                .delete(contact::remove_phone),
        )
        .route(
            "/users/{user_id}/phone/_resend_verification",
            post(contact::resend_phone_verification),
        )
        .route("/users/{user_id}/password", post(passwords::set_password))
        .route(
            "/users/{user_id}/password/_initialize",
            post(passwords::set_initial_password),
        )
        .route(
            "/users/{user_id}/password/_reset",
            post(passwords::send_reset_notification),
        )
        .route(
            "/users/{user_id}/auth_factors/_search",
            post(factors::list_auth_factors),
        )
        .route(
            "/users/{user_id}/auth_factors/otp",
            delete(factors::remove_otp),
        )
        .route(
            "/users/{user_id}/auth_factors/u2f/{token_id}",
            delete(factors::remove_u2f),
        )
        .route(
            "/users/{user_id}/passwordless/_link",
            post(factors::add_passwordless_link),
        )
        .route(
            "/users/{user_id}/passwordless/_search",
            post(factors::list_passwordless),
        )
        .route(
            "/users/{user_id}/passwordless/_send_link",
            post(factors::send_passwordless_link),
        )
        .route("/users/{user_id}/avatar", delete(avatar::remove_avatar))
        .route(
            "/users/{user_id}/passwordless/{token_id}",
            delete(factors::remove_passwordless),
        )
        .fallback(|| async { ApiError::route_not_found() })
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(services)
}

async fn method_not_allowed() -> Response {
    let body = serde_json::json!({ "code": 12, "message": "Method Not Allowed", "details": [] });
    (StatusCode::METHOD_NOT_ALLOWED, axum::Json(body)).into_response()
}
