use serde::{Deserialize, Serialize};
pub use webauthn_rs_proto::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse,
};

/// The two kinds of WebAuthn credential Roster keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CredentialKind {
    /// A security key used after the password (U2F-style second factor).
    SecurityKey,
    /// A passkey: signs in without a password (discoverable, user verification required).
    Passkey,
}

impl CredentialKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialKind::SecurityKey => "security_key",
            CredentialKind::Passkey => "passkey",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CredentialKind::SecurityKey => "security key",
            CredentialKind::Passkey => "passkey",
        }
    }
}

/// A registered security key or passkey.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialView {
    pub id: String,
    pub kind: CredentialKind,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
}

/// A person's second factors and passkeys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct FactorsView {
    /// An authenticator app is set up and confirmed.
    pub totp_ready: bool,
    pub security_keys: Vec<CredentialView>,
    pub passkeys: Vec<CredentialView>,
}

/// What an authenticator app needs: the secret as text and as a QR code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpSetup {
    /// Base32, for typing into the app.
    pub secret: String,
    /// The `otpauth://` URL the QR code holds.
    pub otpauth_url: String,
    /// The QR code as an SVG `data:` URL (no user-controlled markup reaches the page).
    pub qr_code: String,
}

/// A WebAuthn registration the browser must complete.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RegistrationChallenge {
    /// Names the server-side ceremony; single use, short-lived.
    pub ceremony_id: String,
    pub options: CreationChallengeResponse,
}

/// A WebAuthn authentication the browser must complete.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AuthenticationChallenge {
    pub ceremony_id: String,
    pub options: RequestChallengeResponse,
}

/// How the signed-in person can confirm it is them before a sensitive change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReauthMethods {
    /// The account has a password.
    pub password: bool,
    /// The account has a passkey.
    pub passkey: bool,
}

/// The second factors a half-signed-in session may use.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SecondFactorChoice {
    pub totp: bool,
    /// Present when the user has security keys.
    pub security_key: Option<AuthenticationChallenge>,
}

/// A passkey registration link made for a user, with its QR code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyLinkView {
    pub link: String,
    pub qr_code: String,
    pub lifetime_secs: u64,
}
