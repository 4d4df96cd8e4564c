//! Avatar upload from the account page and the admin user page, and avatar serving.
//!
//! Uploads are plain `PUT` requests with the image as the body rather than server functions:
//! the browser sends them with `XMLHttpRequest`, whose upload events drive the progress bar
//! (`fetch`, which server functions use, reports no upload progress). They pass the same
//! session middleware and Origin check as every other state-changing request, and answer with
//! the same `AppError` JSON on failure.

use super::WebState;
use crate::backend::{app_error, profile_view};
use crate::domain::DomainError;
use crate::domain::authz::{self, Permission};
use crate::domain::avatar_image::{CONTENT_TYPE, MAX_UPLOAD_BYTES};
use crate::domain::error::faults;
use app::model::{Actor, ProfileView};
use axum::Extension;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// An upload's answer: the new profile, or the error (as `AppError` JSON) with its HTTP status;
/// an oversized file gets 413.
fn reply(result: Result<ProfileView, DomainError>) -> Response {
    match result {
        Ok(profile) => Json(profile).into_response(),
        Err(error) => {
            let too_large =
                matches!(&error, DomainError::Invalid(fault) if *fault == faults::AVATAR_TOO_LARGE);
            let error = app_error(error);
            let status = if too_large {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::BAD_REQUEST)
            };
            (status, Json(error)).into_response()
        }
    }
}

/// Reads the body, refusing more than the avatar limit before buffering it all.
async fn read_upload(headers: &HeaderMap, body: Body) -> Result<Vec<u8>, DomainError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    if declared.is_some_and(|length| length > MAX_UPLOAD_BYTES) {
        return Err(DomainError::Invalid(faults::AVATAR_TOO_LARGE));
    }
    axum::body::to_bytes(body, MAX_UPLOAD_BYTES)
        .await
        .map(|bytes| bytes.to_vec())
        .map_err(|_| DomainError::Invalid(faults::AVATAR_TOO_LARGE))
}

/// `PUT /account/avatar` — any signed-in person, for their own account.
pub async fn upload_own(
    State(state): State<WebState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        let access = authz::own_account(&actor)?;
        let upload = read_upload(&headers, body).await?;
        let own = state.services.own_human(&access).await?;
        state.services.set_avatar(&access, &own.id, upload).await?;
        let row = state.services.own_human(&access).await?;
        Ok(profile_view(&state.services, &row))
    };
    reply(result.await)
}

/// `PUT /admin/users/{user_id}/avatar` — admins with `user.write` on the user's organisation.
pub async fn upload_for_user(
    State(state): State<WebState>,
    Extension(actor): Extension<Actor>,
    Path(user_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let result = async {
        let (access, row) = state
            .services
            .human_for_admin(&actor, &user_id, Permission::UserWrite)
            .await?;
        let upload = read_upload(&headers, body).await?;
        state.services.set_avatar(&access, &row.id, upload).await?;
        let (_, row) = state
            .services
            .human_for_admin(&actor, &user_id, Permission::UserRead)
            .await?;
        Ok(profile_view(&state.services, &row))
    };
    reply(result.await)
}

/// `GET /assets/v1/{org_id}/{key}` — anyone. The key is the content's hash, so the answer
/// never changes and may be cached for a year; it is served as a fixed image type that no
/// browser will sniff, run or render as a document.
pub async fn serve(
    State(state): State<WebState>,
    Path((org_id, key)): Path<(String, String)>,
) -> Response {
    match state.services.avatar_blob(&org_id, &key).await {
        Ok(Some(blob)) => {
            let mut response = blob.bytes.into_response();
            let headers = response.headers_mut();
            let content_type = if blob.content_type == CONTENT_TYPE {
                HeaderValue::from_static(CONTENT_TYPE)
            } else {
                HeaderValue::from_static("application/octet-stream")
            };
            headers.insert(header::CONTENT_TYPE, content_type);
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            );
            headers.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("inline; filename=\"avatar.jpg\""),
            );
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; sandbox"),
            );
            response
        }
        Ok(None) => (StatusCode::NOT_FOUND, "No such avatar.").into_response(),
        Err(error) => {
            tracing::error!(%error, "avatar lookup failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
