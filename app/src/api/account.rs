//! The signed-in person's own account.

use crate::model::{AppError, ProfileForm, ProfileView};
use leptos::prelude::*;
use server_fn::codec::Json;

/// The caller's own profile. Signed-in people only.
#[server(endpoint = "own_profile", input = Json)]
pub async fn own_profile() -> Result<ProfileView, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.own_profile(&actor).await)
}

/// Replaces the caller's own profile. Signed-in people only, on themselves.
#[server(endpoint = "update_own_profile", input = Json)]
pub async fn update_own_profile(form: ProfileForm) -> Result<ProfileView, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.update_own_profile(&actor, form).await)
}
