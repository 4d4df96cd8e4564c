//! Signing in and out, the forced password change and account initialization.

use crate::model::{AppError, InitForm, Me, ResetPasswordForm, SignInOutcome};
use leptos::prelude::*;
use server_fn::codec::Json;

/// Signs in with a username or email and a password. Anyone may call it; every failure gives
/// the same message.
#[server(endpoint = "sign_in", input = Json)]
pub async fn sign_in(login: String, password: String) -> Result<SignInOutcome, AppError> {
    let (backend, actor) = crate::port::context()?;
    let (outcome, cookie) = crate::port::respond(backend.sign_in(&actor, login, password).await)?;
    crate::port::set_cookie(&cookie);
    Ok(outcome)
}

/// Ends the caller's session. Anyone may call it.
#[server(endpoint = "sign_out", input = Json)]
pub async fn sign_out() -> Result<(), AppError> {
    let (backend, actor) = crate::port::context()?;
    let cookie = crate::port::respond(backend.sign_out(&actor).await)?;
    crate::port::set_cookie(&cookie);
    Ok(())
}

/// The signed-in person, or `None`. Anyone may call it.
#[server(endpoint = "current_user", input = Json)]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.me(&actor).await)
}

/// Changes the caller's own password. Signed-in people only; the current password is
/// required. `sign_out_others` ends the caller's other sessions; this one continues under a
/// new cookie.
#[server(endpoint = "change_password", input = Json)]
pub async fn change_password(
    current_password: String,
    new_password: String,
    sign_out_others: bool,
) -> Result<(), AppError> {
    let (backend, actor) = crate::port::context()?;
    let renewed = crate::port::respond(
        backend
            .change_own_password(&actor, current_password, new_password, sign_out_others)
            .await,
    )?;
    if let Some(cookie) = renewed {
        crate::port::set_cookie(&cookie);
    }
    Ok(())
}

/// Finishes initialization with the invitation code. Anyone holding the code may call it.
#[server(endpoint = "complete_initialization", input = Json)]
pub async fn complete_initialization(form: InitForm) -> Result<(), AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.complete_initialization(&actor, form).await)
}

/// Verifies an email address with the code from the mail. Anyone holding the code may call it.
#[server(endpoint = "verify_email", input = Json)]
pub async fn verify_email(user_id: String, code: String) -> Result<(), AppError> {
    let (backend, _) = crate::port::context()?;
    crate::port::respond(backend.verify_email(user_id, code).await)
}

/// Mails a password-reset link if the login names an account; answers the same either way.
/// Anyone may call it.
#[server(endpoint = "request_password_reset", input = Json)]
pub async fn request_password_reset(login: String) -> Result<(), AppError> {
    let (backend, _) = crate::port::context()?;
    crate::port::respond(backend.request_password_reset(login).await)
}

/// Sets a new password with the code from a reset mail. Anyone holding the code may call it.
#[server(endpoint = "reset_password", input = Json)]
pub async fn reset_password(form: ResetPasswordForm) -> Result<(), AppError> {
    let (backend, _) = crate::port::context()?;
    crate::port::respond(backend.reset_password(form).await)
}
