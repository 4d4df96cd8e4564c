//! The signed-in person's own account.

use crate::model::{AccountAction, AppError, ContactView, ProfileForm, ProfileView};
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

/// The caller's own email and phone. Signed-in people only.
#[server(endpoint = "own_contact", input = Json)]
pub async fn own_contact() -> Result<ContactView, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.own_contact(&actor).await)
}

/// Changes the caller's own email or phone, or confirms the password before such a change.
/// Signed-in people only, on themselves; address changes need a sign-in within 10 minutes.
/// Confirming the password renews the session cookie.
#[server(endpoint = "account_action", input = Json)]
pub async fn run_account_action(action: AccountAction) -> Result<ContactView, AppError> {
    let (backend, actor) = crate::port::context()?;
    let (contact, renewed) = crate::port::respond(backend.account_action(&actor, action).await)?;
    if let Some(cookie) = renewed {
        crate::port::set_cookie(&cookie);
    }
    Ok(contact)
}
