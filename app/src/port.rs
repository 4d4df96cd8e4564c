//! The contract the server implements for the server functions (compiled for `ssr` only).
//!
//! Each server function body is: get the backend and the actor from the request context, call
//! one method here, return. Authorization happens behind this trait, in the server's domain layer.

use crate::model::{
    AccountAction, Actor, AdminUserAction, ApiOverview, AppError, AuthenticationChallenge,
    ContactView, CreateServiceAccountForm, CreatedServiceAccount, CredentialKind, FactorsView,
    HistoryPage, ImportOutcome, ImportUserForm, InitForm, Me, MessageView, OrgId, OrgView,
    PasskeyLinkView, ProfileForm, ProfileView, PublicKeyCredential, ReauthMethods,
    RegisterPublicKeyCredential, RegistrationChallenge, ResetPasswordForm, SecondFactorChoice,
    ServiceAccountView, SignInOutcome, TokenId, TotpSetup, UserDetail, UserId, UserListPage,
    UserListQuery,
};
use http::header::{HeaderValue, SET_COOKIE};
use leptos::prelude::use_context;
use std::sync::Arc;

/// A `Set-Cookie` header value produced by the server's session module.
pub type SetCookie = String;

/// Everything the UI can ask of the server.
#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {
    // --- public ---
    /// The REST API's base URL, OpenAPI document and operations.
    async fn api_overview(&self) -> Result<ApiOverview, AppError>;

    // --- session (anyone) ---
    /// Checks a username or email plus password and opens a session; the session `actor`
    /// came with (this browser's previous one) ends.
    async fn sign_in(
        &self,
        actor: &Actor,
        login: String,
        password: String,
    ) -> Result<(SignInOutcome, SetCookie), AppError>;
    /// Ends the caller's session (no-op when not signed in).
    async fn sign_out(&self, actor: &Actor) -> Result<SetCookie, AppError>;
    /// The signed-in person, or `None`.
    async fn me(&self, actor: &Actor) -> Result<Option<Me>, AppError>;
    /// Changes the caller's own password (also finishes a forced change); the session continues
    /// under a new cookie.
    async fn change_own_password(
        &self,
        actor: &Actor,
        current_password: String,
        new_password: String,
        sign_out_others: bool,
    ) -> Result<Option<SetCookie>, AppError>;
    /// Finishes initialization with the code from the invitation mail.
    async fn complete_initialization(&self, actor: &Actor, form: InitForm) -> Result<(), AppError>;

    /// Verifies an email address with the code from the mail.
    async fn verify_email(&self, user_id: String, code: String) -> Result<(), AppError>;
    /// Mails a reset link when the login names an account; the same answer either way.
    async fn request_password_reset(&self, login: String) -> Result<(), AppError>;
    /// Sets a new password with a reset code.
    async fn reset_password(&self, form: ResetPasswordForm) -> Result<(), AppError>;

    // --- account (signed-in people, on themselves) ---
    async fn own_contact(&self, actor: &Actor) -> Result<ContactView, AppError>;
    /// Runs `action` on the caller's own account; re-authenticating renews the session cookie.
    async fn account_action(
        &self,
        actor: &Actor,
        action: AccountAction,
    ) -> Result<(ContactView, Option<SetCookie>), AppError>;
    async fn own_profile(&self, actor: &Actor) -> Result<ProfileView, AppError>;
    async fn update_own_profile(
        &self,
        actor: &Actor,
        form: ProfileForm,
    ) -> Result<ProfileView, AppError>;
    async fn remove_own_avatar(&self, actor: &Actor) -> Result<ProfileView, AppError>;

    // --- admin (user.read / user.write) ---
    async fn list_orgs(&self, actor: &Actor) -> Result<Vec<OrgView>, AppError>;
    async fn list_users(
        &self,
        actor: &Actor,
        query: UserListQuery,
    ) -> Result<UserListPage, AppError>;
    async fn import_user(
        &self,
        actor: &Actor,
        form: ImportUserForm,
    ) -> Result<ImportOutcome, AppError>;
    async fn user_detail(&self, actor: &Actor, user_id: UserId) -> Result<UserDetail, AppError>;
    async fn remove_user_avatar(
        &self,
        actor: &Actor,
        user_id: UserId,
    ) -> Result<ProfileView, AppError>;
    async fn update_user_profile(
        &self,
        actor: &Actor,
        user_id: UserId,
        form: ProfileForm,
    ) -> Result<UserDetail, AppError>;

    async fn admin_user_action(
        &self,
        actor: &Actor,
        user_id: UserId,
        action: AdminUserAction,
    ) -> Result<UserDetail, AppError>;
    async fn user_history(
        &self,
        actor: &Actor,
        user_id: UserId,
        before: Option<i64>,
    ) -> Result<HistoryPage, AppError>;
    async fn user_messages(
        &self,
        actor: &Actor,
        user_id: UserId,
    ) -> Result<Vec<MessageView>, AppError>;
    async fn retry_message(
        &self,
        actor: &Actor,
        user_id: UserId,
        message_id: String,
    ) -> Result<Vec<MessageView>, AppError>;

    // --- second factors and passkeys ---
    async fn own_factors(&self, actor: &Actor) -> Result<FactorsView, AppError>;
    async fn start_totp(&self, actor: &Actor) -> Result<TotpSetup, AppError>;
    async fn confirm_totp(&self, actor: &Actor, code: String) -> Result<FactorsView, AppError>;
    async fn remove_own_totp(&self, actor: &Actor) -> Result<FactorsView, AppError>;
    async fn start_credential_registration(
        &self,
        actor: &Actor,
        kind: CredentialKind,
        name: String,
    ) -> Result<RegistrationChallenge, AppError>;
    async fn finish_credential_registration(
        &self,
        actor: &Actor,
        kind: CredentialKind,
        ceremony_id: String,
        response: RegisterPublicKeyCredential,
    ) -> Result<FactorsView, AppError>;
    async fn rename_own_credential(
        &self,
        actor: &Actor,
        kind: CredentialKind,
        id: String,
        name: String,
    ) -> Result<FactorsView, AppError>;
    async fn remove_own_credential(
        &self,
        actor: &Actor,
        kind: CredentialKind,
        id: String,
    ) -> Result<FactorsView, AppError>;
    /// How the caller can confirm it is them before a sensitive change.
    async fn reauth_methods(&self, actor: &Actor) -> Result<ReauthMethods, AppError>;
    /// Starts confirming the caller with a passkey (bound to the session).
    async fn start_reauthentication(
        &self,
        actor: &Actor,
    ) -> Result<AuthenticationChallenge, AppError>;
    /// Finishes confirming the caller with a passkey; the session continues under a new cookie.
    async fn finish_reauthentication(
        &self,
        actor: &Actor,
        ceremony_id: String,
        response: PublicKeyCredential,
    ) -> Result<SetCookie, AppError>;
    async fn second_factor_choice(&self, actor: &Actor) -> Result<SecondFactorChoice, AppError>;
    /// Completes the second step; the session continues under a new cookie.
    async fn finish_totp_sign_in(&self, actor: &Actor, code: String)
    -> Result<SetCookie, AppError>;
    /// Completes the second step; the session continues under a new cookie.
    async fn finish_security_key_sign_in(
        &self,
        actor: &Actor,
        ceremony_id: String,
        response: PublicKeyCredential,
    ) -> Result<SetCookie, AppError>;
    async fn start_passkey_sign_in(
        &self,
        conditional: bool,
    ) -> Result<AuthenticationChallenge, AppError>;
    /// Signs in with a passkey; like [`Backend::sign_in`], the browser's previous session ends.
    async fn finish_passkey_sign_in(
        &self,
        actor: &Actor,
        ceremony_id: String,
        response: PublicKeyCredential,
    ) -> Result<(SignInOutcome, SetCookie), AppError>;
    async fn start_link_registration(
        &self,
        user_id: String,
        code_id: String,
        code: String,
    ) -> Result<RegistrationChallenge, AppError>;
    async fn finish_link_registration(
        &self,
        code_id: String,
        ceremony_id: String,
        name: String,
        response: RegisterPublicKeyCredential,
    ) -> Result<(), AppError>;
    async fn user_factors(&self, actor: &Actor, user_id: UserId) -> Result<FactorsView, AppError>;
    async fn admin_remove_factor(
        &self,
        actor: &Actor,
        user_id: UserId,
        kind: Option<CredentialKind>,
        id: String,
    ) -> Result<FactorsView, AppError>;
    async fn create_passkey_link(
        &self,
        actor: &Actor,
        user_id: UserId,
    ) -> Result<PasskeyLinkView, AppError>;
    async fn send_passkey_link(&self, actor: &Actor, user_id: UserId) -> Result<(), AppError>;

    // --- instance administration (IAM_OWNER) ---
    async fn create_org(&self, actor: &Actor, name: String) -> Result<OrgId, AppError>;
    async fn list_service_accounts(
        &self,
        actor: &Actor,
    ) -> Result<Vec<ServiceAccountView>, AppError>;
    async fn create_service_account(
        &self,
        actor: &Actor,
        form: CreateServiceAccountForm,
    ) -> Result<CreatedServiceAccount, AppError>;
    async fn revoke_token(&self, actor: &Actor, token_id: TokenId) -> Result<(), AppError>;
}

/// The backend as the server provides it in the Leptos context.
pub type SharedBackend = Arc<dyn Backend>;

/// The backend and the caller of the current request.
pub fn context() -> Result<(SharedBackend, Actor), AppError> {
    let backend = use_context::<SharedBackend>().ok_or_else(|| {
        AppError::new(
            crate::model::ErrorCode::Internal,
            "The server is not set up correctly.",
        )
    })?;
    let actor = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Actor>().cloned())
        .unwrap_or_default();
    Ok((backend, actor))
}

/// Adds a `Set-Cookie` header to the server function's response.
pub fn set_cookie(value: &str) {
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(value),
    ) {
        response.append_header(SET_COOKIE, value);
    }
}

/// Gives a failed server function the HTTP status that fits its error (403 for a refused
/// permission, 400 for bad input, …); the client decodes the `AppError` from any 4xx/5xx.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let (Err(error), Some(response)) = (&result, use_context::<leptos_axum::ResponseOptions>()) {
        response.set_status(
            http::StatusCode::from_u16(error.http_status())
                .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    result
}
