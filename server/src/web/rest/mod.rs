//! The REST API, wire-compatible with ZITADEL's Management API v1 (`/management/v1`) for the
//! human-user operations in `docs/rest-contract.md`. Bearer tokens only: no cookies are read
//! here, so cross-site requests cannot borrow a browser session.

mod avatar;
mod caller;
mod contact;
pub mod error;
mod factors;
mod json;
pub mod openapi;
mod passwords;
mod pgv;
mod users;

use crate::domain::Services;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use error::ApiError;
use utoipa::OpenApi as _;
use utoipa_axum::{router::OpenApiRouter, routes};

/// The `/management/v1` routes and the OpenAPI operations they answer, registered together so
/// the document and the router cannot drift apart.
pub fn router(services: Services) -> (Router, utoipa::openapi::OpenApi) {
    let (router, document) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(users::import_human_user))
        .routes(routes!(
            users::get_human_profile,
            users::update_human_profile
        ))
        .routes(routes!(contact::resend_initialization))
        .routes(routes!(users::get_human_email, contact::update_email))
        .routes(routes!(contact::resend_email_verification))
        .routes(routes!(
            users::get_human_phone,
            contact::update_phone,
            contact::remove_phone
        ))
        .routes(routes!(contact::resend_phone_verification))
        .routes(routes!(passwords::set_password))
        .routes(routes!(passwords::set_initial_password))
        .routes(routes!(passwords::send_reset_notification))
        .routes(routes!(factors::list_auth_factors))
        .routes(routes!(factors::remove_otp))
        .routes(routes!(factors::remove_u2f))
        .routes(routes!(avatar::remove_avatar))
        .routes(routes!(factors::add_passwordless_link))
        .routes(routes!(factors::list_passwordless))
        .routes(routes!(factors::send_passwordless_link))
        .routes(routes!(factors::remove_passwordless))
        .split_for_parts();
    let router = router
        .fallback(|| async { ApiError::route_not_found() })
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(services);
    (router, document)
}

async fn method_not_allowed() -> Response {
    let body = serde_json::json!({ "code": 12, "message": "Method Not Allowed", "details": [] });
    (StatusCode::METHOD_NOT_ALLOWED, axum::Json(body)).into_response()
}
