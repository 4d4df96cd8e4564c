//! The REST API, wire-compatible with ZITADEL's Management API v1 (`/management/v1`) for the
//! human-user operations in `docs/rest-contract.md`. Bearer tokens only: no cookies are read
//! here, so cross-site requests cannot borrow a browser session.

mod caller;
pub mod error;
mod json;
mod pgv;
mod users;

use crate::domain::Services;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use error::ApiError;

/// The `/management/v1` routes.
pub fn router(services: Services) -> Router {
    Router::new()
        .route("/users/human/_import", post(users::import_human_user))
        .route(
            "/users/{user_id}/profile",
            get(users::get_human_profile).put(users::update_human_profile),
        )
        .route("/users/{user_id}/email", get(users::get_human_email))
        .route("/users/{user_id}/phone", get(users::get_human_phone))
        .fallback(|| async { ApiError::route_not_found() })
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(services)
}

async fn method_not_allowed() -> Response {
    let body = serde_json::json!({ "code": 12, "message": "Method Not Allowed", "details": [] });
    (StatusCode::METHOD_NOT_ALLOWED, axum::Json(body)).into_response()
}
