use super::{Gate, OrgId, UserId};
use serde::{Deserialize, Serialize};

/// The signed-in person, as the UI needs to know them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub user_id: UserId,
    pub org_id: OrgId,
    pub username: String,
    pub display_name: String,
    pub gate: Option<Gate>,
    /// May open the admin user views.
    pub can_read_users: bool,
    /// May import and change users.
    pub can_write_users: bool,
    /// May make passkey registration links for users (`user.credential.write`).
    pub can_write_credentials: bool,
    /// May manage service accounts (instance owners).
    pub can_manage_instance: bool,
}

/// Where a successful sign-in leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignInOutcome {
    SignedIn,
    /// Signed in, but the password must be changed first.
    ChangePasswordRequired,
    /// Signed in, but the account needs the code from the invitation mail first.
    InitializationRequired,
    /// The password was right; now the second factor.
    SecondFactorRequired,
}

/// The initialization form reached from the invitation mail (or after signing in to an account
/// that is not initialized yet).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct InitForm {
    pub user_id: String,
    pub code: String,
    /// Required when the account has no password yet; ignored otherwise.
    pub password: String,
    pub password_confirmation: String,
}

/// What the initialization page needs to know before the form is sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InitLinkInfo {
    /// The account already has a password (imported with one): only the code is needed.
    pub password_set: bool,
    pub username: String,
}

/// The set-password form reached from a password-reset mail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ResetPasswordForm {
    pub user_id: String,
    pub code: String,
    pub password: String,
    pub password_confirmation: String,
}
