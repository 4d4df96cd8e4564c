//! Admin views of users: list, import, detail and profile changes.

use crate::model::{
    AdminUserAction, AppError, HistoryPage, ImportOutcome, ImportUserForm, MessageView, OrgView,
    ProfileForm, UserDetail, UserId, UserListPage, UserListQuery,
};
use leptos::prelude::*;
use server_fn::codec::Json;

/// Organisations the caller may manage users in. Needs `user.read`.
#[server(endpoint = "list_orgs", input = Json)]
pub async fn list_orgs() -> Result<Vec<OrgView>, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.list_orgs(&actor).await)
}

/// One page of users matching a search. Needs `user.read`.
#[server(endpoint = "list_users", input = Json)]
pub async fn list_users(query: UserListQuery) -> Result<UserListPage, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.list_users(&actor, query).await)
}

/// Imports (creates) a human user. Needs `user.write` on the target organisation.
#[server(endpoint = "import_user", input = Json)]
pub async fn import_user(form: ImportUserForm) -> Result<ImportOutcome, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.import_user(&actor, form).await)
}

/// Everything about one user. Needs `user.read` on the user's organisation.
#[server(endpoint = "get_user_detail", input = Json)]
pub async fn get_user_detail(user_id: UserId) -> Result<UserDetail, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.user_detail(&actor, user_id).await)
}

/// Replaces a user's profile. Needs `user.write` on the user's organisation.
#[server(endpoint = "update_user_profile", input = Json)]
pub async fn update_user_profile(
    user_id: UserId,
    form: ProfileForm,
) -> Result<UserDetail, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.update_user_profile(&actor, user_id, form).await)
}

/// Changes a user's addresses, password or lock (one contract operation each). Needs
/// `user.write` on the user's organisation.
#[server(endpoint = "admin_user_action", input = Json)]
pub async fn run_admin_user_action(
    user_id: UserId,
    action: AdminUserAction,
) -> Result<UserDetail, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.admin_user_action(&actor, user_id, action).await)
}

/// The changes to a user (newest first, 50 at a time, older than sequence `before`), with who
/// made them. Needs `user.read` on the user's organisation.
#[server(endpoint = "user_history", input = Json)]
pub async fn user_history(user_id: UserId, before: Option<i64>) -> Result<HistoryPage, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.user_history(&actor, user_id, before).await)
}

/// The mails and SMS sent to a user, with every delivery attempt. Needs `user.read`.
#[server(endpoint = "user_messages", input = Json)]
pub async fn user_messages(user_id: UserId) -> Result<Vec<MessageView>, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.user_messages(&actor, user_id).await)
}

/// Queues a failed message of a user again. Needs `user.write`.
#[server(endpoint = "retry_message", input = Json)]
pub async fn retry_message(
    user_id: UserId,
    message_id: String,
) -> Result<Vec<MessageView>, AppError> {
    let (backend, actor) = crate::port::context()?;
    crate::port::respond(backend.retry_message(&actor, user_id, message_id).await)
}
