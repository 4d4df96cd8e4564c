//! Second factors and passkeys: the account page's set-up, the second sign-in step,
//! passwordless sign-in, registration links, and the admin views' factor operations.

use crate::model::{
    AppError, AuthenticationChallenge, CredentialKind, FactorsView, PasskeyLinkView,
    PublicKeyCredential, ReauthMethods, RegisterPublicKeyCredential, RegistrationChallenge,
    SecondFactorChoice, SignInOutcome, TotpSetup, UserId,
};
use leptos::prelude::*;
use server_fn::codec::Json;

/// The caller's authenticator app, security keys and passkeys. Signed-in people only.
#[server(endpoint = "own_factors", input = Json)]
pub async fn own_factors() -> Result<FactorsView, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.own_factors(&actor).await)
}

/// Starts setting up an authenticator app (secret and QR code). Signed-in people, on
/// themselves, with a sign-in in the last 10 minutes.
#[server(endpoint = "start_totp", input = Json)]
pub async fn start_totp() -> Result<TotpSetup, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.start_totp(&actor).await)
}

/// Confirms the authenticator app with its first code. Signed-in people, on themselves.
#[server(endpoint = "confirm_totp", input = Json)]
pub async fn confirm_totp(code: String) -> Result<FactorsView, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.confirm_totp(&actor, code).await)
}

/// Removes the caller's authenticator app. Signed-in people, on themselves, recently signed in.
#[server(endpoint = "remove_totp", input = Json)]
pub async fn remove_totp() -> Result<FactorsView, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.remove_own_totp(&actor).await)
}

/// Starts registering a security key or passkey. Signed-in people, on themselves, recently
/// signed in.
#[server(endpoint = "start_credential_registration", input = Json)]
pub async fn start_credential_registration(
    kind: CredentialKind,
    name: String,
) -> Result<RegistrationChallenge, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(
        backend
            .start_credential_registration(&actor, kind, name)
            .await,
    )
}

/// Finishes a registration with the browser's answer. Signed-in people, on themselves.
#[server(endpoint = "finish_credential_registration", input = Json)]
pub async fn finish_credential_registration(
    kind: CredentialKind,
    ceremony_id: String,
    response: RegisterPublicKeyCredential,
) -> Result<FactorsView, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(
        backend
            .finish_credential_registration(&actor, kind, ceremony_id, response)
            .await,
    )
}

/// Renames one of the caller's security keys or passkeys. Signed-in people, on themselves,
/// recently signed in.
#[server(endpoint = "rename_credential", input = Json)]
pub async fn rename_credential(
    kind: CredentialKind,
    id: String,
    name: String,
) -> Result<FactorsView, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.rename_own_credential(&actor, kind, id, name).await)
}

/// Removes one of the caller's security keys or passkeys. Signed-in people, on themselves,
/// recently signed in.
#[server(endpoint = "remove_credential", input = Json)]
pub async fn remove_credential(kind: CredentialKind, id: String) -> Result<FactorsView, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.remove_own_credential(&actor, kind, id).await)
}

/// How the caller can confirm it is them (password and/or passkey). Signed-in people.
#[server(endpoint = "reauth_methods", input = Json)]
pub async fn get_reauth_methods() -> Result<ReauthMethods, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.reauth_methods(&actor).await)
}

/// Starts confirming the caller with one of their passkeys. Signed-in people with a passkey.
#[server(endpoint = "start_reauthentication", input = Json)]
pub async fn start_reauthentication() -> Result<AuthenticationChallenge, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.start_reauthentication(&actor).await)
}

/// Finishes confirming the caller with a passkey; sensitive changes are then allowed for a
/// few minutes, and the session continues under a new cookie. Signed-in people, with the
/// ceremony their session started.
#[server(endpoint = "finish_reauthentication", input = Json)]
pub async fn finish_reauthentication(
    ceremony_id: String,
    response: PublicKeyCredential,
) -> Result<(), AppError> {
    let (backend, actor) = crate::port::context()?;
    let cookie = crate::port::respond(
        backend
            .finish_reauthentication(&actor, ceremony_id, response)
            .await,
    )?;
    crate::port::set_cookie(&cookie);
    Ok(())
}

/// The second factors a half-signed-in session may use. Sessions that passed the password.
#[server(endpoint = "second_factor_choice", input = Json)]
pub async fn get_second_factor_choice() -> Result<SecondFactorChoice, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.second_factor_choice(&actor).await)
}

/// Completes sign-in with an authenticator app code; the session continues under a new
/// cookie. Sessions that passed the password.
#[server(endpoint = "finish_totp_sign_in", input = Json)]
pub async fn finish_totp_sign_in(code: String) -> Result<(), AppError> {
    let (backend, actor) = crate::port::context()?;
    let cookie = crate::port::respond(backend.finish_totp_sign_in(&actor, code).await)?;
    crate::port::set_cookie(&cookie);
    Ok(())
}

/// Completes sign-in with a security key; the session continues under a new cookie.
/// Sessions that passed the password.
#[server(endpoint = "finish_security_key_sign_in", input = Json)]
pub async fn finish_security_key_sign_in(
    ceremony_id: String,
    response: PublicKeyCredential,
) -> Result<(), AppError> {
    let (backend, actor) = crate::port::context()?;
    let cookie = crate::port::respond(
        backend
            .finish_security_key_sign_in(&actor, ceremony_id, response)
            .await,
    )?;
    crate::port::set_cookie(&cookie);
    Ok(())
}

/// Starts a passkey sign-in (no username needed). Anyone may call it.
#[server(endpoint = "start_passkey_sign_in", input = Json)]
pub async fn start_passkey_sign_in(conditional: bool) -> Result<AuthenticationChallenge, AppError> {
    let (backend, _) = crate::port::context()?;
    crate::port::respond(backend.start_passkey_sign_in(conditional).await)
}

/// Signs in with a passkey. Anyone holding a registered passkey may call it.
#[server(endpoint = "finish_passkey_sign_in", input = Json)]
pub async fn finish_passkey_sign_in(
    ceremony_id: String,
    response: PublicKeyCredential,
) -> Result<SignInOutcome, AppError> {
    let (backend, actor) = crate::port::context()?;
    let (outcome, cookie) = crate::port::respond(
        backend
            .finish_passkey_sign_in(&actor, ceremony_id, response)
            .await,
    )?;
    crate::port::set_cookie(&cookie);
    Ok(outcome)
}

/// Starts registering a passkey from a registration link. Anyone holding the link.
#[server(endpoint = "start_link_registration", input = Json)]
pub async fn start_link_registration(
    user_id: String,
    code_id: String,
    code: String,
) -> Result<RegistrationChallenge, AppError> {
    let (backend, _) = crate::port::context()?;
    crate::port::respond(
        backend
            .start_link_registration(user_id, code_id, code)
            .await,
    )
}

/// Finishes a link registration; the link is used up now. Anyone holding the link.
#[server(endpoint = "finish_link_registration", input = Json)]
pub async fn finish_link_registration(
    code_id: String,
    ceremony_id: String,
    name: String,
    response: RegisterPublicKeyCredential,
) -> Result<(), AppError> {
    let (backend, _) = crate::port::context()?;
    crate::port::respond(
        backend
            .finish_link_registration(code_id, ceremony_id, name, response)
            .await,
    )
}

/// A user's factors for the admin user page. Needs `user.read`.
#[server(endpoint = "user_factors", input = Json)]
pub async fn user_factors(user_id: UserId) -> Result<FactorsView, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.user_factors(&actor, user_id).await)
}

/// Removes a user's authenticator app, security key or passkey (`kind` `None`: the app).
/// Needs `user.write`.
#[server(endpoint = "admin_remove_factor", input = Json)]
pub async fn admin_remove_factor(
    user_id: UserId,
    kind: Option<CredentialKind>,
    id: String,
) -> Result<FactorsView, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.admin_remove_factor(&actor, user_id, kind, id).await)
}

/// Makes a passkey registration link (with QR code) to hand to the user. Needs
/// `user.credential.write`.
#[server(endpoint = "create_passkey_link", input = Json)]
pub async fn create_passkey_link(user_id: UserId) -> Result<PasskeyLinkView, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.create_passkey_link(&actor, user_id).await)
}

/// Mails a passkey registration link to the user's verified address. Needs `user.write`.
#[server(endpoint = "send_passkey_link", input = Json)]
pub async fn send_passkey_link(user_id: UserId) -> Result<(), AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.send_passkey_link(&actor, user_id).await)
}
