use serde::{Deserialize, Serialize};

/// What an administrator can do to a user's addresses, password and state from the user page.
/// Each maps to one REST operation of the contract (section in brackets).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AdminUserAction {
    /// Change the email; unverified sends a verification mail (3.8).
    UpdateEmail { email: String, verified: bool },
    /// A new verification mail (3.9).
    ResendEmailVerification,
    /// Change the phone; unverified sends a verification SMS (3.19).
    UpdatePhone { phone: String, verified: bool },
    /// Remove the phone (3.18).
    RemovePhone,
    /// A new verification SMS (3.20).
    ResendPhoneVerification,
    /// A new invitation mail for a user that is not initialized yet (3.2).
    ResendInitialization,
    /// Set a password; `change_required` makes the user choose their own at sign-in (3.10).
    SetPassword {
        password: String,
        change_required: bool,
    },
    /// Send a password-reset code by mail or SMS (3.12).
    SendPasswordReset { by_sms: bool },
    /// Unlock a user the lockout policy locked.
    Unlock,
}

/// What a signed-in person can do to their own addresses on the account page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountAction {
    /// Ask to change the email: it changes once the link in the mail to the new address is used.
    ChangeEmail { email: String },
    /// Add or change the phone; a code is sent by SMS.
    ChangePhone { phone: String },
    /// Confirm the phone with the code from the SMS.
    VerifyPhone { code: String },
    /// Send a new code to the unverified phone.
    ResendPhoneCode,
    /// Remove the phone.
    RemovePhone,
    /// Enter the password again before a sensitive change.
    Reauthenticate { password: String },
}

/// The caller's own addresses, for the account page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactView {
    pub username: String,
    pub email: String,
    pub email_verified: bool,
    /// A requested new address waiting for its verification link.
    pub pending_email: Option<String>,
    pub phone: Option<String>,
    pub phone_verified: bool,
}

/// One delivery attempt of a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptView {
    pub attempt: i32,
    pub at: String,
    pub outcome: String,
    pub detail: Option<String>,
}

/// A mail or SMS sent (or to be sent) to a user, for the admin user page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    pub id: String,
    pub channel: String,
    pub recipient: String,
    pub template: String,
    pub subject: String,
    /// `queued`, `sent`, `failed` or `expired`.
    pub state: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
    pub history: Vec<AttemptView>,
}
