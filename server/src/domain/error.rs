//! The domain layer's error: a kind, the contract's message key and id, and the form field.

use crate::store::StoreError;
use app::model::Gate;

/// The contract's identification of a business error: a ZITADEL-style id (e.g.
/// `COMMAND-2M9df`), a message key (e.g. `Errors.User.NotFound`) and, for form input, the field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    pub id: &'static str,
    pub key: &'static str,
    pub field: Option<&'static str>,
}

impl Fault {
    pub const fn new(id: &'static str, key: &'static str) -> Fault {
        Fault {
            id,
            key,
            field: None,
        }
    }

    pub const fn on(self, field: &'static str) -> Fault {
        Fault {
            field: Some(field),
            ..self
        }
    }

    /// The English text with the id, as in REST messages: `User could not be found (…)`.
    pub fn describe(&self) -> String {
        let text = super::messages::text(self.key);
        if self.id.is_empty() {
            text
        } else {
            format!("{text} ({})", self.id)
        }
    }
}

/// Every way a use case can fail. Converted to the REST error body or to `AppError`.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("invalid argument: {}", .0.describe())]
    Invalid(Fault),
    #[error("not found: {}", .0.describe())]
    NotFound(Fault),
    #[error("already exists: {}", .0.describe())]
    AlreadyExists(Fault),
    #[error("failed precondition: {}", .0.describe())]
    FailedPrecondition(Fault),
    #[error("permission denied: {}", .0.describe())]
    PermissionDenied(Fault),
    #[error("unauthenticated: {}", .0.describe())]
    Unauthenticated(Fault),
    /// The change needs a recent sign-in: the password must be entered again.
    #[error("re-authentication required")]
    ReauthRequired,
    /// The session must finish a pending step first.
    #[error("step required: {0:?}")]
    StepRequired(Gate),
    #[error("rate limited: {}", .0.describe())]
    RateLimited(Fault),
    /// A failure of ours; the text goes to the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl DomainError {
    /// The fault, for errors that carry one.
    pub fn fault(&self) -> Option<&Fault> {
        match self {
            DomainError::Invalid(fault)
            | DomainError::NotFound(fault)
            | DomainError::AlreadyExists(fault)
            | DomainError::FailedPrecondition(fault)
            | DomainError::PermissionDenied(fault)
            | DomainError::Unauthenticated(fault)
            | DomainError::RateLimited(fault) => Some(fault),
            DomainError::StepRequired(_)
            | DomainError::ReauthRequired
            | DomainError::Internal(_) => None,
        }
    }

    pub fn internal(error: impl std::fmt::Display) -> DomainError {
        DomainError::Internal(error.to_string())
    }
}

impl From<StoreError> for DomainError {
    fn from(error: StoreError) -> Self {
        DomainError::Internal(error.to_string())
    }
}

/// Faults named by the REST contract and by Roster's own rules.
pub mod faults {
    use super::Fault;

    // Authorization (contract 1.1): raised before localization, so the key is the text.
    pub const AUTH_HEADER_MISSING: Fault = Fault::new("", "auth header missing");
    pub const TOKEN_INVALID: Fault = Fault::new("AUTH-7fs1e", "Errors.Token.Invalid");
    pub const ORG_NOT_FOUND: Fault = Fault::new("AUTH-Bs7Ds", "Organisation doesn't exist");
    pub const MEMBERSHIP_NOT_FOUND: Fault = Fault::new("AUTHZ-cdgFk", "membership not found");
    pub const NO_PERMISSION: Fault = Fault::new("AUTH-5mWD2", "No matching permissions found");

    // Sign-in and sessions (Roster)
    pub const LOGIN_FAILED: Fault = Fault::new("ROSTER-login", "Errors.User.Login.Failed");
    /// Every passkey sign-in failure (unknown or removed passkey, inactive user, bad answer).
    pub const PASSKEY_LOGIN_FAILED: Fault =
        Fault::new("ROSTER-login2", "Errors.User.Login.PasskeyFailed");
    pub const SESSION_REQUIRED: Fault = Fault::new("ROSTER-sessn", "Errors.Session.Required");
    pub const CURRENT_PASSWORD_WRONG: Fault =
        Fault::new("ROSTER-curpw", "Errors.User.Password.CurrentWrong").on("current_password");
    pub const CODE_INVALID: Fault = Fault::new("ROSTER-code1", "Errors.Code.Invalid").on("code");
    pub const PASSWORD_REQUIRED: Fault =
        Fault::new("ROSTER-pwreq", "Errors.User.Password.Empty").on("password");
    pub const PASSWORD_UNCHANGED: Fault =
        Fault::new("ROSTER-pwsam", "Errors.User.Password.NotChanged").on("password");
    pub const PASSWORD_CONFIRMATION: Fault =
        Fault::new("ROSTER-pwcnf", "Errors.User.Password.ConfirmationWrong")
            .on("password_confirmation");

    // Input (Roster's own checks on top of the contract)
    pub const CONTROL_CHARACTERS: Fault =
        Fault::new("ROSTER-ctrl1", "Errors.Input.ControlCharacters");
    pub const TOO_LONG: Fault = Fault::new("ROSTER-long1", "Errors.Input.TooLong");

    // Users
    pub const USERNAME_EMPTY: Fault =
        Fault::new("COMMAND-00p2b", "Errors.User.Username.Empty").on("username");
    pub const USER_ALREADY_EXISTS: Fault =
        Fault::new("V3-DKcYh", "Errors.User.AlreadyExists").on("username");
    pub const FIRST_NAME_EMPTY: Fault =
        Fault::new("PROFILE-RF5z2", "Errors.User.Profile.FirstNameEmpty").on("first_name");
    pub const LAST_NAME_EMPTY: Fault =
        Fault::new("PROFILE-DSUkN", "Errors.User.Profile.LastNameEmpty").on("last_name");
    pub const DISPLAY_NAME_EMPTY: Fault =
        Fault::new("ROSTER-dname", "Errors.User.Profile.DisplayNameEmpty").on("display_name");
    pub const EMAIL_INVALID: Fault =
        Fault::new("EMAIL-599BI", "Errors.User.Email.Invalid").on("email");
    pub const EMAIL_EMPTY: Fault = Fault::new("EMAIL-spblu", "Errors.User.Email.Empty").on("email");
    pub const PHONE_INVALID: Fault =
        Fault::new("PHONE-so0wa", "Errors.User.Phone.Invalid").on("phone");
    pub const PHONE_EMPTY: Fault = Fault::new("PHONE-Zt0NV", "Errors.User.Phone.Empty").on("phone");
    pub const HASH_NOT_SUPPORTED: Fault =
        Fault::new("USER-JDk4t", "Errors.User.Password.NotSupported").on("hashed_password");
    pub const IDP_INVALID: Fault = Fault::new("COMMAND-6m9Kd", "Errors.User.ExternalIDP.Invalid");
    pub const IDP_NOT_EXISTING: Fault = Fault::new("COMMAND-39nfs", "Errors.IDPConfig.NotExisting");
    pub const PROFILE_NOT_FOUND: Fault =
        Fault::new("COMMAND-3M9sd", "Errors.User.Profile.NotFound");
    pub const PROFILE_NOT_CHANGED: Fault =
        Fault::new("COMMAND-2M0fs", "Errors.User.Profile.NotChanged");
    pub const USER_ALREADY_INITIALISED: Fault =
        Fault::new("COMMAND-2M9sd", "Errors.User.AlreadyInitialised");
    pub const USER_NOT_FOUND: Fault = Fault::new("ROSTER-nousr", "Errors.User.NotFound");
    pub const GET_PROFILE_NOT_FOUND: Fault = Fault::new("QUERY-HNhb3", "Errors.User.NotFound");
    pub const GET_PROFILE_NOT_HUMAN: Fault = Fault::new("QUERY-WLTce", "Errors.User.NotHuman");
    pub const GET_EMAIL_NOT_FOUND: Fault = Fault::new("QUERY-Hms2s", "Errors.User.NotFound");
    pub const GET_EMAIL_NOT_HUMAN: Fault = Fault::new("QUERY-pt7HY", "Errors.User.NotHuman");
    pub const GET_PHONE_NOT_FOUND: Fault = Fault::new("QUERY-DAvb3", "Errors.User.NotFound");
    pub const GET_PHONE_NOT_HUMAN: Fault = Fault::new("QUERY-hliQl", "Errors.User.NotHuman");

    // Email and phone (contract 3.2, 3.8, 3.9, 3.18-3.20)
    pub const RESEND_INIT_USER_NOT_FOUND: Fault =
        Fault::new("COMMAND-2M9df", "Errors.User.NotFound");
    pub const EMAIL_USER_NOT_FOUND: Fault =
        Fault::new("COMMAND-0Pe4r", "Errors.User.Email.NotFound");
    pub const UPDATE_EMAIL_NOT_INITIALISED: Fault =
        Fault::new("COMMAND-J8dsk", "Errors.User.NotInitialised");
    pub const RESEND_EMAIL_NOT_INITIALISED: Fault =
        Fault::new("COMMAND-E3fbw", "Errors.User.NotInitialised");
    pub const EMAIL_NOT_CHANGED: Fault =
        Fault::new("COMMAND-2b7fM", "Errors.User.Email.NotChanged");
    pub const EMAIL_ALREADY_VERIFIED: Fault =
        Fault::new("COMMAND-3M9ds", "Errors.User.Email.AlreadyVerified");
    pub const UPDATE_PHONE_USER_NOT_FOUND: Fault =
        Fault::new("COMMAND-3M0fs", "Errors.User.NotFound");
    pub const PHONE_NOT_CHANGED: Fault =
        Fault::new("COMMAND-wF94r", "Errors.User.Phone.NotChanged");
    pub const REMOVE_PHONE_USER_NOT_FOUND: Fault =
        Fault::new("COMMAND-3M9fs", "Errors.User.NotFound");
    pub const REMOVE_PHONE_NOT_FOUND: Fault =
        Fault::new("COMMAND-p6rsc", "Errors.User.Phone.NotFound");
    pub const RESEND_PHONE_USER_NOT_FOUND: Fault =
        Fault::new("COMMAND-2M0fs", "Errors.User.NotFound");
    pub const RESEND_PHONE_NOT_FOUND: Fault =
        Fault::new("COMMAND-2b7Hf", "Errors.User.Phone.NotFound");
    pub const PHONE_ALREADY_VERIFIED: Fault =
        Fault::new("COMMAND-2M9sf", "Errors.User.Phone.AlreadyVerified");

    // Passwords (contract 3.10-3.12)
    pub const SET_PASSWORD_USER_NOT_FOUND: Fault =
        Fault::new("COMMAND-G8dh3", "Errors.User.Password.NotFound");
    pub const SET_PASSWORD_NOT_INITIALISED: Fault =
        Fault::new("COMMAND-M9dse", "Errors.User.NotInitialised");
    pub const RESET_USER_NOT_FOUND: Fault = Fault::new("COMMAND-Hj9ds", "Errors.User.NotFound");
    pub const RESET_NOT_INITIALISED: Fault =
        Fault::new("COMMAND-2M9sd", "Errors.User.NotInitialised");
    pub const TOO_SOON: Fault = Fault::new("ROSTER-wait1", "Errors.Code.TooSoon");
    pub const MESSAGE_NOT_RETRYABLE: Fault =
        Fault::new("ROSTER-msgrt", "Errors.Message.NotRetryable");
    pub const UNLOCK_NOT_LOCKED: Fault = Fault::new("ROSTER-unlck", "Errors.User.NotLocked");

    // Second factors and passkeys (contract 3.3-3.5, 3.13-3.16)
    pub const OTP_NOT_EXISTING: Fault =
        Fault::new("COMMAND-Hd9sd", "Errors.User.MFA.OTP.NotExisting");
    pub const WEBAUTHN_NOT_FOUND: Fault =
        Fault::new("COMMAND-DAfb2", "Errors.User.WebAuthN.NotFound");
    pub const USER_NOT_FOUND_D1: Fault = Fault::new("QUERY-Dfbg2", "Errors.User.NotFound");
    pub const CEREMONY_INVALID: Fault =
        Fault::new("ROSTER-cer01", "Errors.WebAuthN.CeremonyInvalid");
    /// Too many passkey sign-ins without a session are open at once.
    pub const CEREMONIES_EXHAUSTED: Fault =
        Fault::new("ROSTER-cer02", "Errors.WebAuthN.TooManyCeremonies");
    pub const CREDENTIAL_REFUSED: Fault = Fault::new("ROSTER-cred1", "Errors.WebAuthN.Refused");
    pub const CREDENTIAL_EXISTS: Fault =
        Fault::new("ROSTER-cred2", "Errors.WebAuthN.AlreadyRegistered");
    pub const TOTP_ALREADY_SET_UP: Fault =
        Fault::new("ROSTER-otp01", "Errors.User.MFA.OTP.AlreadyReady");
    pub const TOTP_NOT_SET_UP: Fault =
        Fault::new("ROSTER-otp02", "Errors.User.MFA.OTP.NotExisting");
    pub const TOTP_CODE_INVALID: Fault =
        Fault::new("ROSTER-otp03", "Errors.User.MFA.OTP.InvalidCode").on("code");
    pub const NO_SECOND_FACTOR_OWED: Fault = Fault::new("ROSTER-mfa01", "Errors.User.MFA.NotOwed");
    /// Re-authentication with a password the account does not have.
    pub const NO_PASSWORD: Fault =
        Fault::new("ROSTER-rea01", "Errors.Reauth.NoPassword").on("password");
    /// Re-authentication with a passkey the account does not have.
    pub const NO_PASSKEY: Fault = Fault::new("ROSTER-rea02", "Errors.Reauth.NoPasskey");

    // The admin user list
    pub const LIST_CURSOR_INVALID: Fault =
        Fault::new("ROSTER-list1", "Errors.List.CursorInvalid").on("after");

    // Avatars (contract 3.6) and Roster's upload checks (security.md 1.13)
    pub const AVATAR_USER_NOT_FOUND: Fault = Fault::new("USER-35N8f", "Errors.Users.NotFound");
    pub const AVATAR_ID_MISSING: Fault = Fault::new("USER-1B8sd", "Errors.IDMissing");
    pub const AVATAR_EMPTY: Fault = Fault::new("ROSTER-avt01", "Errors.Avatar.Empty").on("avatar");
    pub const AVATAR_TOO_LARGE: Fault =
        Fault::new("ROSTER-avt02", "Errors.Avatar.TooLarge").on("avatar");
    pub const AVATAR_SVG: Fault = Fault::new("ROSTER-avt03", "Errors.Avatar.Svg").on("avatar");
    pub const AVATAR_NOT_AN_IMAGE: Fault =
        Fault::new("ROSTER-avt04", "Errors.Avatar.NotAnImage").on("avatar");
    pub const AVATAR_TOO_MANY_PIXELS: Fault =
        Fault::new("ROSTER-avt05", "Errors.Avatar.TooManyPixels").on("avatar");
    pub const AVATAR_POLYGLOT: Fault =
        Fault::new("ROSTER-avt06", "Errors.Avatar.Polyglot").on("avatar");
    pub const AVATAR_UNREADABLE: Fault =
        Fault::new("ROSTER-avt07", "Errors.Avatar.Unreadable").on("avatar");

    // Password policy (contract 4.3) and Roster's always-on checks
    pub const PASSWORD_MIN_LENGTH: Fault = Fault::new(
        "DOMAIN-HuJf6",
        "Errors.User.PasswordComplexityPolicy.MinLength",
    )
    .on("password");
    pub const PASSWORD_HAS_LOWER: Fault = Fault::new(
        "DOMAIN-co3Xw",
        "Errors.User.PasswordComplexityPolicy.HasLower",
    )
    .on("password");
    pub const PASSWORD_HAS_UPPER: Fault = Fault::new(
        "DOMAIN-VoaRj",
        "Errors.User.PasswordComplexityPolicy.HasUpper",
    )
    .on("password");
    pub const PASSWORD_HAS_NUMBER: Fault = Fault::new(
        "DOMAIN-ZBv4H",
        "Errors.User.PasswordComplexityPolicy.HasNumber",
    )
    .on("password");
    pub const PASSWORD_HAS_SYMBOL: Fault = Fault::new(
        "DOMAIN-ZDLwA",
        "Errors.User.PasswordComplexityPolicy.HasSymbol",
    )
    .on("password");
    pub const PASSWORD_TOO_LONG: Fault =
        Fault::new("ROSTER-pwlen", "Errors.User.Password.TooLong").on("password");
    pub const PASSWORD_TOO_COMMON: Fault =
        Fault::new("ROSTER-pwcom", "Errors.User.Password.TooCommon").on("password");
    pub const PASSWORD_CONTAINS_USER_DATA: Fault =
        Fault::new("ROSTER-pwctx", "Errors.User.Password.ContainsUserData").on("password");

    // Service accounts
    pub const ROLE_NEEDS_ORG: Fault = Fault::new("ROSTER-role1", "Errors.Role.Invalid").on("role");
    pub const ORG_NAME_EMPTY: Fault = Fault::new("ROSTER-orgnm", "Errors.Org.NameEmpty").on("name");
    pub const SERVICE_ACCOUNT_NAME_EMPTY: Fault =
        Fault::new("ROSTER-saname", "Errors.ServiceAccount.NameEmpty").on("name");
    pub const TOKEN_NOT_FOUND: Fault = Fault::new("ROSTER-tok01", "Errors.Token.NotFound");
}
