//! Avatar removal (contract 3.6). Callers: service accounts with `user.write` in the context
//! organisation. Uploads are not part of the contract; people upload in the browser.

use super::caller::Caller;
use super::error::ApiError;
use super::json::details_change;
use super::pgv::Message;
use crate::domain::Services;
use crate::domain::authz::Permission;
use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};

#[utoipa::path(
    delete,
    path = "/users/{user_id}/avatar",
    operation_id = "RemoveHumanAvatar",
    summary = "Delete User Avatar (Human)",
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
/// `DELETE /users/{user_id}/avatar` — needs `user.write`. Succeeds (and writes its event) even
/// when the user has no avatar.
pub async fn remove_avatar(
    State(services): State<Services>,
    caller: Caller,
    Path(user_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let access = caller.authorize(&services, Permission::UserWrite).await?;
    Message::new("RemoveHumanAvatarRequest")
        .length("UserId", &user_id, 1, 200)
        .map_err(ApiError::invalid)?;
    let details = services.remove_avatar(&access, &user_id).await?;
    Ok(Json(json!({
        "details": details_change(details.sequence, details.changed_at, &details.org_id),
    })))
}
