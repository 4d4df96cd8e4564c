//! Service accounts and their personal access tokens (instance owners only).

use crate::model::{
    AppError, CreateServiceAccountForm, CreatedServiceAccount, ServiceAccountView, TokenId,
};
use leptos::prelude::*;
use server_fn::codec::Json;

/// All service accounts. Instance owners only.
#[server(endpoint = "list_service_accounts", input = Json)]
pub async fn list_service_accounts() -> Result<Vec<ServiceAccountView>, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.list_service_accounts(&actor).await)
}

/// Creates a service account and its first token (returned once). Instance owners only.
#[server(endpoint = "create_service_account", input = Json)]
pub async fn create_service_account(
    form: CreateServiceAccountForm,
) -> Result<CreatedServiceAccount, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.create_service_account(&actor, form).await)
}

/// Revokes a personal access token. Instance owners only.
#[server(endpoint = "revoke_token", input = Json)]
pub async fn revoke_token(token_id: TokenId) -> Result<(), AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.revoke_token(&actor, token_id).await)
}
