//! The server's implementation of [`app::port::Backend`]: maps wire types to domain calls and
//! domain errors to [`AppError`]s.

use crate::domain::authz::{self, Permission};
use crate::domain::clock::rfc3339;
use crate::domain::error::faults;
use crate::domain::passwords::ResetChannel;
use crate::domain::users::{ImportHuman, gender_of, state_of};
use crate::domain::values::Profile;
use crate::domain::{DomainError, Services, messages};
use crate::store::users::UserRow;
use crate::web::CookieSettings;
use app::model::{
    AccountAction, Actor, AdminUserAction, ApiOverview, AppError, AuthenticationChallenge,
    ContactView, CreateServiceAccountForm, CreatedServiceAccount, CredentialKind, ErrorCode,
    FactorsView, Gate, HistoryPage, ImportOutcome, ImportUserForm, InitForm, Me, MessageView,
    OrgId, OrgView, PasskeyLinkView, ProfileForm, ProfileView, PublicKeyCredential, ReauthMethods,
    RegisterPublicKeyCredential, RegistrationChallenge, ResetPasswordForm, SecondFactorChoice,
    ServiceAccountView, SignInOutcome, TokenId, TotpSetup, UserDetail, UserId, UserListPage,
    UserListQuery,
};
use app::port::{Backend, SetCookie};
use rand::Rng as _;

/// The backend the server functions call.
#[derive(Clone, Debug)]
pub struct RosterBackend {
    services: Services,
    cookies: CookieSettings,
    /// The REST API's generated OpenAPI document, for the API page.
    api: ApiOverview,
}

impl RosterBackend {
    pub fn new(
        services: Services,
        cookies: CookieSettings,
        document: &utoipa::openapi::OpenApi,
    ) -> RosterBackend {
        let api = crate::web::rest::openapi::overview(document, services.public_url());
        RosterBackend {
            services,
            cookies,
            api,
        }
    }
}

/// A short id that ties a user-visible error to its log line.
fn reference() -> String {
    format!("{:08x}", rand::rng().random::<u32>())
}

/// Turns a domain error into what the UI shows. Internal details stay in the log.
pub fn app_error(error: DomainError) -> AppError {
    let message = |fault: &crate::domain::Fault| messages::text(fault.key);
    let with_field = |code, fault: &crate::domain::Fault| AppError {
        code,
        message: message(fault),
        field: fault.field.map(str::to_owned),
        reference: None,
    };
    match &error {
        DomainError::Invalid(fault) => with_field(ErrorCode::Invalid, fault),
        DomainError::NotFound(fault) => with_field(ErrorCode::NotFound, fault),
        DomainError::AlreadyExists(fault) => with_field(ErrorCode::AlreadyExists, fault),
        DomainError::FailedPrecondition(fault) => with_field(ErrorCode::FailedPrecondition, fault),
        DomainError::PermissionDenied(_) => AppError::permission_denied(),
        DomainError::Unauthenticated(fault) => with_field(ErrorCode::Unauthenticated, fault),
        DomainError::RateLimited(fault) => with_field(ErrorCode::RateLimited, fault),
        DomainError::ReauthRequired => AppError::new(
            ErrorCode::ReauthRequired,
            "Enter your password again to make this change.",
        ),
        DomainError::StepRequired(gate) => AppError::new(
            ErrorCode::StepRequired,
            match gate {
                Gate::ChangePassword => "Choose a new password first.",
                Gate::Initialize => "Activate your account with the code from your mail first.",
                Gate::SecondFactor => "Confirm your sign-in with your second factor first.",
            },
        ),
        DomainError::Internal(detail) => {
            let reference = reference();
            tracing::error!(%reference, error = %detail, "internal error");
            AppError {
                reference: Some(reference),
                ..AppError::new(ErrorCode::Internal, "An internal error occurred.")
            }
        }
    }
}

/// A profile as the UI shows it, with the avatar's URL.
pub fn profile_view(services: &Services, row: &UserRow) -> ProfileView {
    ProfileView {
        avatar_url: row
            .avatar_key
            .as_deref()
            .map(|key| services.avatar_url(&row.org_id, key)),
        first_name: row.first_name.clone(),
        last_name: row.last_name.clone(),
        nick_name: row.nick_name.clone(),
        display_name: row.display_name.clone(),
        preferred_language: row.preferred_language.clone(),
        gender: gender_of(row),
    }
}

fn contact_view(row: &UserRow) -> ContactView {
    ContactView {
        username: row.username.clone(),
        email: row.email.clone(),
        email_verified: row.email_verified,
        pending_email: row.pending_email.clone(),
        phone: row.phone.clone(),
        phone_verified: row.phone_verified,
    }
}

impl RosterBackend {
    async fn detail(&self, row: &UserRow) -> Result<UserDetail, DomainError> {
        Ok(UserDetail {
            id: UserId(row.id.clone()),
            org_id: OrgId(row.org_id.clone()),
            org_name: self.services.org_name(&row.org_id).await?,
            username: row.username.clone(),
            state: state_of(row),
            profile: profile_view(&self.services, row),
            email: row.email.clone(),
            email_verified: row.email_verified,
            pending_email: row.pending_email.clone(),
            phone: row.phone.clone(),
            phone_verified: row.phone_verified,
            has_password: row.password_hash.is_some(),
            failed_password_attempts: row.failed_password_attempts,
            locked_out: self.services.password_locked_out(row),
            password_change_required: row.password_change_required,
            created_at: rfc3339(row.created_at),
            changed_at: rfc3339(row.changed_at),
            sequence: row.sequence.max(0) as u64,
        })
    }

    /// After a successful sign-in, ends the session the browser came with (if its cookie was
    /// still valid): a browser holds one session, and signing in again, as the same person or
    /// another, terminates the old one (ASVS 5.0 7.2.4). A failed sign-in ends nothing.
    async fn end_replaced_session(&self, actor: &Actor) -> Result<(), AppError> {
        if let Actor::Human(auth) = actor
            && auth.session_key.is_some()
        {
            tracing::info!(user_id = %auth.user_id, "a new sign-in replaces this browser's session");
            self.services.sign_out(actor).await.map_err(app_error)?;
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl Backend for RosterBackend {
    async fn api_overview(&self) -> Result<ApiOverview, AppError> {
        Ok(self.api.clone())
    }

    async fn sign_in(
        &self,
        actor: &Actor,
        login: String,
        password: String,
    ) -> Result<(SignInOutcome, SetCookie), AppError> {
        let signed_in = self
            .services
            .sign_in(&login, &password)
            .await
            .map_err(app_error)?;
        self.end_replaced_session(actor).await?;
        Ok((
            signed_in.outcome,
            self.cookies.set(signed_in.token.as_str()),
        ))
    }

    async fn sign_out(&self, actor: &Actor) -> Result<SetCookie, AppError> {
        self.services.sign_out(actor).await.map_err(app_error)?;
        Ok(self.cookies.clear())
    }

    async fn me(&self, actor: &Actor) -> Result<Option<Me>, AppError> {
        self.services.me(actor).await.map_err(app_error)
    }

    async fn change_own_password(
        &self,
        actor: &Actor,
        current_password: String,
        new_password: String,
        sign_out_others: bool,
    ) -> Result<Option<SetCookie>, AppError> {
        let renewed = self
            .services
            .change_own_password(actor, &current_password, &new_password, sign_out_others)
            .await
            .map_err(app_error)?;
        Ok(renewed.map(|token| self.cookies.set(token.as_str())))
    }

    async fn verify_email(&self, user_id: String, code: String) -> Result<(), AppError> {
        self.services
            .verify_email(&user_id, &code)
            .await
            .map_err(app_error)
    }

    async fn request_password_reset(&self, login: String) -> Result<(), AppError> {
        self.services
            .request_password_reset(&login)
            .await
            .map_err(app_error)
    }

    async fn reset_password(&self, form: ResetPasswordForm) -> Result<(), AppError> {
        self.services
            .reset_password(
                &form.user_id,
                &form.code,
                &form.password,
                &form.password_confirmation,
            )
            .await
            .map_err(app_error)
    }

    async fn own_contact(&self, actor: &Actor) -> Result<ContactView, AppError> {
        let result = async {
            let access = authz::own_account(actor)?;
            let row = self.services.own_human(&access).await?;
            Ok(contact_view(&row))
        };
        result.await.map_err(app_error)
    }

    async fn account_action(
        &self,
        actor: &Actor,
        action: AccountAction,
    ) -> Result<(ContactView, Option<SetCookie>), AppError> {
        let result = async {
            let mut renewed = None;
            let services = &self.services;
            match action {
                AccountAction::ChangeEmail { email } => {
                    services.change_own_email(actor, &email).await?
                }
                AccountAction::ChangePhone { phone } => {
                    services.change_own_phone(actor, &phone).await?
                }
                AccountAction::VerifyPhone { code } => {
                    services.verify_own_phone(actor, &code).await?
                }
                AccountAction::ResendPhoneCode => services.resend_own_phone_code(actor).await?,
                AccountAction::RemovePhone => services.remove_own_phone(actor).await?,
                AccountAction::Reauthenticate { password } => {
                    renewed = services.reauthenticate(actor, &password).await?;
                }
            }
            let access = authz::own_account(actor)?;
            let row = services.own_human(&access).await?;
            let cookie = renewed.map(|token| self.cookies.set(token.as_str()));
            Ok((contact_view(&row), cookie))
        };
        result.await.map_err(app_error)
    }

    async fn complete_initialization(&self, actor: &Actor, form: InitForm) -> Result<(), AppError> {
        self.services
            .complete_initialization(actor, &form)
            .await
            .map_err(app_error)
    }

    async fn own_profile(&self, actor: &Actor) -> Result<ProfileView, AppError> {
        let result = async {
            let access = authz::own_account(actor)?;
            let row = self.services.own_human(&access).await?;
            Ok(profile_view(&self.services, &row))
        };
        result.await.map_err(app_error)
    }

    async fn remove_own_avatar(&self, actor: &Actor) -> Result<ProfileView, AppError> {
        let result = async {
            let access = authz::own_account(actor)?;
            let own = self.services.own_human(&access).await?;
            self.services.remove_avatar(&access, &own.id).await?;
            let row = self.services.own_human(&access).await?;
            Ok(profile_view(&self.services, &row))
        };
        result.await.map_err(app_error)
    }

    async fn update_own_profile(
        &self,
        actor: &Actor,
        form: ProfileForm,
    ) -> Result<ProfileView, AppError> {
        let result = async {
            let access = authz::own_account(actor)?;
            let profile = Profile::parse(&form)?;
            let own = self.services.own_human(&access).await?;
            self.services
                .update_profile(&access, &own.id, profile)
                .await?;
            let row = self.services.own_human(&access).await?;
            Ok(profile_view(&self.services, &row))
        };
        result.await.map_err(app_error)
    }

    async fn list_orgs(&self, actor: &Actor) -> Result<Vec<OrgView>, AppError> {
        self.services.list_orgs(actor).await.map_err(app_error)
    }

    async fn list_users(
        &self,
        actor: &Actor,
        query: UserListQuery,
    ) -> Result<UserListPage, AppError> {
        self.services
            .list_humans(actor, &query)
            .await
            .map_err(app_error)
    }

    async fn import_user(
        &self,
        actor: &Actor,
        form: ImportUserForm,
    ) -> Result<ImportOutcome, AppError> {
        let result = async {
            // Refuse callers without the permission anywhere before looking at the org.
            authz::orgs_with(actor, Permission::UserWrite)?;
            let default = self.services.default_org().await?;
            let org = self
                .services
                .resolve_org(Some(form.org_id.as_str()), &default)
                .await?;
            let access = authz::in_org(actor, org, Permission::UserWrite)
                .map_err(|_| DomainError::PermissionDenied(faults::NO_PERMISSION))?;
            let optional = |value: String| Some(value).filter(|value| !value.is_empty());
            let imported = self
                .services
                .import_human(
                    &access,
                    ImportHuman {
                        username: form.username,
                        first_name: form.first_name,
                        last_name: form.last_name,
                        nick_name: form.nick_name,
                        display_name: form.display_name,
                        preferred_language: form.preferred_language,
                        gender: form.gender,
                        email: form.email,
                        email_verified: form.email_verified,
                        phone: optional(form.phone),
                        phone_verified: form.phone_verified,
                        password: optional(form.password),
                        hashed_password: optional(form.hashed_password),
                        password_change_required: form.password_change_required,
                        request_passwordless: form.request_passkey_link,
                        idps: Vec::new(),
                    },
                )
                .await?;
            Ok(ImportOutcome {
                user_id: UserId(imported.user_id),
                state: imported.state,
                init_mail_queued: imported.init_mail_queued,
                passkey_link_lifetime_secs: imported
                    .passkey_link
                    .as_ref()
                    .map_or(0, |link| link.lifetime_secs.max(0) as u64),
                passkey_link: imported.passkey_link.map(|link| link.link),
            })
        };
        result.await.map_err(app_error)
    }

    async fn user_detail(&self, actor: &Actor, user_id: UserId) -> Result<UserDetail, AppError> {
        let result = async {
            let (_, row) = self
                .services
                .human_for_admin(actor, user_id.as_str(), Permission::UserRead)
                .await?;
            self.detail(&row).await
        };
        result.await.map_err(app_error)
    }

    async fn remove_user_avatar(
        &self,
        actor: &Actor,
        user_id: UserId,
    ) -> Result<ProfileView, AppError> {
        let result = async {
            let (access, row) = self
                .services
                .human_for_admin(actor, user_id.as_str(), Permission::UserWrite)
                .await?;
            self.services.remove_avatar(&access, &row.id).await?;
            let (_, row) = self
                .services
                .human_for_admin(actor, user_id.as_str(), Permission::UserRead)
                .await?;
            Ok(profile_view(&self.services, &row))
        };
        result.await.map_err(app_error)
    }

    async fn update_user_profile(
        &self,
        actor: &Actor,
        user_id: UserId,
        form: ProfileForm,
    ) -> Result<UserDetail, AppError> {
        let result = async {
            let (access, row) = self
                .services
                .human_for_admin(actor, user_id.as_str(), Permission::UserWrite)
                .await?;
            let profile = Profile::parse(&form)?;
            self.services
                .update_profile(&access, &row.id, profile)
                .await?;
            let (_, row) = self
                .services
                .human_for_admin(actor, user_id.as_str(), Permission::UserRead)
                .await?;
            self.detail(&row).await
        };
        result.await.map_err(app_error)
    }

    async fn create_org(&self, actor: &Actor, name: String) -> Result<OrgId, AppError> {
        self.services
            .create_org(actor, &name)
            .await
            .map_err(app_error)
    }

    async fn admin_user_action(
        &self,
        actor: &Actor,
        user_id: UserId,
        action: AdminUserAction,
    ) -> Result<UserDetail, AppError> {
        let result = async {
            let services = &self.services;
            let (access, row) = services
                .human_for_admin(actor, user_id.as_str(), Permission::UserWrite)
                .await?;
            let id = row.id.as_str();
            match action {
                AdminUserAction::UpdateEmail { email, verified } => {
                    services
                        .update_email(&access, id, email.trim(), verified)
                        .await?;
                }
                AdminUserAction::ResendEmailVerification => {
                    services.resend_email_verification(&access, id).await?;
                }
                AdminUserAction::UpdatePhone { phone, verified } => {
                    services
                        .update_phone(&access, id, phone.trim(), verified)
                        .await?;
                }
                AdminUserAction::RemovePhone => {
                    services.remove_phone(&access, id).await?;
                }
                AdminUserAction::ResendPhoneVerification => {
                    services.resend_phone_verification(&access, id).await?;
                }
                AdminUserAction::ResendInitialization => {
                    services.resend_initialization(&access, id, None).await?;
                }
                AdminUserAction::SetPassword {
                    password,
                    change_required,
                } => {
                    services
                        .set_password(&access, id, &password, change_required)
                        .await?;
                }
                AdminUserAction::SendPasswordReset { by_sms } => {
                    let channel = if by_sms {
                        ResetChannel::Sms
                    } else {
                        ResetChannel::Email
                    };
                    services.send_password_reset(&access, id, channel).await?;
                }
                AdminUserAction::Unlock => {
                    services.unlock_user(&access, id).await?;
                }
            }
            let (_, row) = services
                .human_for_admin(actor, user_id.as_str(), Permission::UserRead)
                .await?;
            self.detail(&row).await
        };
        result.await.map_err(app_error)
    }

    async fn user_history(
        &self,
        actor: &Actor,
        user_id: UserId,
        before: Option<i64>,
    ) -> Result<HistoryPage, AppError> {
        self.services
            .user_history(actor, user_id.as_str(), before)
            .await
            .map_err(app_error)
    }

    async fn user_messages(
        &self,
        actor: &Actor,
        user_id: UserId,
    ) -> Result<Vec<MessageView>, AppError> {
        self.services
            .user_messages(actor, user_id.as_str())
            .await
            .map_err(app_error)
    }

    async fn retry_message(
        &self,
        actor: &Actor,
        user_id: UserId,
        message_id: String,
    ) -> Result<Vec<MessageView>, AppError> {
        let result = async {
            self.services
                .retry_message(actor, user_id.as_str(), &message_id)
                .await?;
            self.services.user_messages(actor, user_id.as_str()).await
        };
        result.await.map_err(app_error)
    }

    async fn own_factors(&self, actor: &Actor) -> Result<FactorsView, AppError> {
        self.services.own_factors(actor).await.map_err(app_error)
    }

    async fn start_totp(&self, actor: &Actor) -> Result<TotpSetup, AppError> {
        self.services.start_totp(actor).await.map_err(app_error)
    }

    async fn confirm_totp(&self, actor: &Actor, code: String) -> Result<FactorsView, AppError> {
        self.services
            .confirm_totp(actor, &code)
            .await
            .map_err(app_error)
    }

    async fn remove_own_totp(&self, actor: &Actor) -> Result<FactorsView, AppError> {
        self.services
            .remove_own_totp(actor)
            .await
            .map_err(app_error)
    }

    async fn start_credential_registration(
        &self,
        actor: &Actor,
        kind: CredentialKind,
        name: String,
    ) -> Result<RegistrationChallenge, AppError> {
        self.services
            .start_credential_registration(actor, kind, &name)
            .await
            .map_err(app_error)
    }

    async fn finish_credential_registration(
        &self,
        actor: &Actor,
        kind: CredentialKind,
        ceremony_id: String,
        response: RegisterPublicKeyCredential,
    ) -> Result<FactorsView, AppError> {
        self.services
            .finish_credential_registration(actor, kind, &ceremony_id, &response)
            .await
            .map_err(app_error)
    }

    async fn rename_own_credential(
        &self,
        actor: &Actor,
        kind: CredentialKind,
        id: String,
        name: String,
    ) -> Result<FactorsView, AppError> {
        self.services
            .rename_own_credential(actor, kind, &id, &name)
            .await
            .map_err(app_error)
    }

    async fn remove_own_credential(
        &self,
        actor: &Actor,
        kind: CredentialKind,
        id: String,
    ) -> Result<FactorsView, AppError> {
        self.services
            .remove_own_credential(actor, kind, &id)
            .await
            .map_err(app_error)
    }

    async fn reauth_methods(&self, actor: &Actor) -> Result<ReauthMethods, AppError> {
        self.services.reauth_methods(actor).await.map_err(app_error)
    }

    async fn start_reauthentication(
        &self,
        actor: &Actor,
    ) -> Result<AuthenticationChallenge, AppError> {
        self.services
            .start_reauthentication(actor)
            .await
            .map_err(app_error)
    }

    async fn finish_reauthentication(
        &self,
        actor: &Actor,
        ceremony_id: String,
        response: PublicKeyCredential,
    ) -> Result<SetCookie, AppError> {
        let token = self
            .services
            .finish_reauthentication(actor, &ceremony_id, &response)
            .await
            .map_err(app_error)?;
        Ok(self.cookies.set(token.as_str()))
    }

    async fn second_factor_choice(&self, actor: &Actor) -> Result<SecondFactorChoice, AppError> {
        self.services
            .second_factor_choice(actor)
            .await
            .map_err(app_error)
    }

    async fn finish_totp_sign_in(
        &self,
        actor: &Actor,
        code: String,
    ) -> Result<SetCookie, AppError> {
        let token = self
            .services
            .finish_totp_sign_in(actor, &code)
            .await
            .map_err(app_error)?;
        Ok(self.cookies.set(token.as_str()))
    }

    async fn finish_security_key_sign_in(
        &self,
        actor: &Actor,
        ceremony_id: String,
        response: PublicKeyCredential,
    ) -> Result<SetCookie, AppError> {
        let token = self
            .services
            .finish_security_key_sign_in(actor, &ceremony_id, &response)
            .await
            .map_err(app_error)?;
        Ok(self.cookies.set(token.as_str()))
    }

    async fn start_passkey_sign_in(
        &self,
        conditional: bool,
    ) -> Result<AuthenticationChallenge, AppError> {
        self.services
            .start_passkey_sign_in(conditional)
            .await
            .map_err(app_error)
    }

    async fn finish_passkey_sign_in(
        &self,
        actor: &Actor,
        ceremony_id: String,
        response: PublicKeyCredential,
    ) -> Result<(SignInOutcome, SetCookie), AppError> {
        let signed_in = self
            .services
            .finish_passkey_sign_in(&ceremony_id, &response)
            .await
            .map_err(app_error)?;
        self.end_replaced_session(actor).await?;
        Ok((
            signed_in.outcome,
            self.cookies.set(signed_in.token.as_str()),
        ))
    }

    async fn start_link_registration(
        &self,
        user_id: String,
        code_id: String,
        code: String,
    ) -> Result<RegistrationChallenge, AppError> {
        self.services
            .start_link_registration(&user_id, &code_id, &code)
            .await
            .map_err(app_error)
    }

    async fn finish_link_registration(
        &self,
        code_id: String,
        ceremony_id: String,
        name: String,
        response: RegisterPublicKeyCredential,
    ) -> Result<(), AppError> {
        self.services
            .finish_link_registration(&code_id, &ceremony_id, &name, &response)
            .await
            .map_err(app_error)
    }

    async fn user_factors(&self, actor: &Actor, user_id: UserId) -> Result<FactorsView, AppError> {
        self.services
            .user_factors(actor, user_id.as_str())
            .await
            .map_err(app_error)
    }

    async fn admin_remove_factor(
        &self,
        actor: &Actor,
        user_id: UserId,
        kind: Option<CredentialKind>,
        id: String,
    ) -> Result<FactorsView, AppError> {
        let result = async {
            let (access, row) = self
                .services
                .human_for_admin(actor, user_id.as_str(), Permission::UserWrite)
                .await?;
            match kind {
                None => self.services.remove_totp(&access, &row.id).await?,
                Some(kind) => {
                    self.services
                        .remove_credential(&access, &row.id, kind, &id)
                        .await?
                }
            };
            self.services.user_factors(actor, &row.id).await
        };
        result.await.map_err(app_error)
    }

    async fn create_passkey_link(
        &self,
        actor: &Actor,
        user_id: UserId,
    ) -> Result<PasskeyLinkView, AppError> {
        let result = async {
            let (access, row) = self
                .services
                .human_for_admin(actor, user_id.as_str(), Permission::UserCredentialWrite)
                .await?;
            let (link, _) = self.services.add_passkey_link(&access, &row.id).await?;
            Ok(PasskeyLinkView {
                qr_code: crate::domain::factors::qr_data_url(&link.link)?,
                lifetime_secs: link.lifetime_secs.max(0) as u64,
                link: link.link,
            })
        };
        result.await.map_err(app_error)
    }

    async fn send_passkey_link(&self, actor: &Actor, user_id: UserId) -> Result<(), AppError> {
        let result = async {
            let (access, row) = self
                .services
                .human_for_admin(actor, user_id.as_str(), Permission::UserWrite)
                .await?;
            self.services
                .send_passkey_link(&access, &row.id)
                .await
                .map(|_| ())
        };
        result.await.map_err(app_error)
    }

    async fn list_service_accounts(
        &self,
        actor: &Actor,
    ) -> Result<Vec<ServiceAccountView>, AppError> {
        self.services
            .list_service_accounts(actor)
            .await
            .map_err(app_error)
    }

    async fn create_service_account(
        &self,
        actor: &Actor,
        form: CreateServiceAccountForm,
    ) -> Result<CreatedServiceAccount, AppError> {
        self.services
            .create_service_account(actor, &form)
            .await
            .map_err(app_error)
    }

    async fn revoke_token(&self, actor: &Actor, token_id: TokenId) -> Result<(), AppError> {
        self.services
            .revoke_token(actor, token_id.as_str())
            .await
            .map_err(app_error)
    }
}
