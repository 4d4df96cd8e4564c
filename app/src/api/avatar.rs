//! Avatar removal. Uploads go to `PUT /account/avatar` and `PUT /admin/users/{id}/avatar`
//! (see `server::web::avatar`), which report upload progress to the browser.

use crate::model::{AppError, ProfileView, UserId};
use leptos::prelude::*;
use server_fn::codec::Json;

/// Removes the caller's own avatar. Signed-in people only, on themselves.
#[server(endpoint = "remove_own_avatar", input = Json)]
pub async fn remove_own_avatar() -> Result<ProfileView, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.remove_own_avatar(&actor).await)
}

/// Removes a user's avatar. Admins with `user.write` on the user's organisation.
#[server(endpoint = "remove_user_avatar", input = Json)]
pub async fn remove_user_avatar(user_id: UserId) -> Result<ProfileView, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.remove_user_avatar(&actor, user_id).await)
}
