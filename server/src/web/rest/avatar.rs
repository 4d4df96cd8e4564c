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
