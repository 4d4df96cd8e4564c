//! One-time codes: random, stored only as a keyed hash, expiring, single use, attempt-limited.

use hmac::{Hmac, KeyInit as _, Mac as _};
use rand::Rng as _;
use sha2::Sha256;
use std::fmt;
use subtle::ConstantTimeEq as _;

/// What a code is for; also its storage key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// The invitation (initialization) code: 6 characters, 72 hours.
    Init,
    /// An email verification code (link in a mail): 6 characters, 1 hour.
    EmailVerification,
    /// A phone verification code (SMS): 6 characters, 1 hour.
    PhoneVerification,
    /// A password-reset code (mail link or SMS): 6 characters, 1 hour.
    PasswordReset,
    /// A passkey registration link: 12 characters, 1 hour.
    PasskeyRegistration,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Init => "init",
            Purpose::EmailVerification => "email_verification",
            Purpose::PhoneVerification => "phone_verification",
            Purpose::PasswordReset => "password_reset",
            Purpose::PasskeyRegistration => "passkey_registration",
        }
    }

    /// Lifetime in seconds (contract 4.5).
    pub fn lifetime_secs(self) -> i64 {
        match self {
            Purpose::Init => 72 * 3600,
            Purpose::EmailVerification
            | Purpose::PhoneVerification
            | Purpose::PasswordReset
            | Purpose::PasskeyRegistration => 3600,
        }
    }

    /// Whether a new code makes the older ones of the same user invalid. Passkey links name
    /// their code, so several may be handed out at once (as in ZITADEL).
    pub fn replaces_older(self) -> bool {
        !matches!(self, Purpose::PasskeyRegistration)
    }

    /// A typed code as it is compared: trimmed, and upper-cased where the alphabet has no
    /// lower case (people type codes from mails in any case).
    pub fn normalize(self, typed: &str) -> String {
        let trimmed = typed.trim();
        match self {
            Purpose::PasskeyRegistration => trimmed.to_owned(),
            _ => trimmed.to_uppercase(),
        }
    }

    /// Wrong guesses after which the code is burned (security.md defaults).
    pub fn max_attempts(self) -> i64 {
        match self {
            Purpose::Init
            | Purpose::EmailVerification
            | Purpose::PhoneVerification
            | Purpose::PasswordReset => 5,
            Purpose::PasskeyRegistration => 3,
        }
    }

    fn alphabet(self) -> &'static [u8] {
        match self {
            Purpose::Init
            | Purpose::EmailVerification
            | Purpose::PhoneVerification
            | Purpose::PasswordReset => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
            Purpose::PasskeyRegistration => {
                b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
            }
        }
    }

    fn length(self) -> usize {
        match self {
            Purpose::Init
            | Purpose::EmailVerification
            | Purpose::PhoneVerification
            | Purpose::PasswordReset => 6,
            Purpose::PasskeyRegistration => 12,
        }
    }
}

/// A freshly generated code in plain text (only ever shown to its recipient).
#[derive(Clone, PartialEq, Eq)]
pub struct PlainCode(String);

impl PlainCode {
    pub fn generate(purpose: Purpose) -> PlainCode {
        let alphabet = purpose.alphabet();
        let mut rng = rand::rng();
        PlainCode(
            (0..purpose.length())
                .map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())]))
                .collect(),
        )
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PlainCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PlainCode(…)")
    }
}

/// Hashes codes with a server key, so a copy of the database alone cannot brute-force them.
#[derive(Clone)]
pub struct CodeHasher {
    key: [u8; 32],
}

impl fmt::Debug for CodeHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeHasher(…)")
    }
}

impl CodeHasher {
    pub fn new(key: [u8; 32]) -> CodeHasher {
        CodeHasher { key }
    }

    /// HMAC-SHA-256 over purpose, user and code, hex-encoded.
    pub fn hash(&self, purpose: Purpose, user_id: &str, code: &str) -> String {
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.key) {
            Ok(mac) => mac,
            // HMAC accepts keys of any length; this arm cannot run.
            Err(_) => return String::new(),
        };
        mac.update(purpose.as_str().as_bytes());
        mac.update(&[0]);
        mac.update(user_id.as_bytes());
        mac.update(&[0]);
        mac.update(code.as_bytes());
        hex(&mac.finalize().into_bytes())
    }

    /// Compares a typed code with a stored hash in constant time.
    pub fn matches(&self, purpose: Purpose, user_id: &str, code: &str, stored: &str) -> bool {
        let candidate = self.hash(purpose, user_id, code);
        !stored.is_empty() && bool::from(candidate.as_bytes().ct_eq(stored.as_bytes()))
    }
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_contract_alphabets() {
        let init = PlainCode::generate(Purpose::Init);
        assert_eq!(init.as_str().len(), 6);
        assert!(
            init.as_str()
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        );
        let passkey = PlainCode::generate(Purpose::PasskeyRegistration);
        assert_eq!(passkey.as_str().len(), 12);
        assert!(passkey.as_str().bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(
            format!("{init:?}"),
            "PlainCode(…)",
            "codes never reach logs"
        );
    }

    #[test]
    fn hashes_bind_code_user_and_purpose() {
        let hasher = CodeHasher::new([7; 32]);
        let stored = hasher.hash(Purpose::Init, "1", "ABC123");
        assert!(hasher.matches(Purpose::Init, "1", "ABC123", &stored));
        assert!(!hasher.matches(Purpose::Init, "2", "ABC123", &stored));
        assert!(!hasher.matches(Purpose::PasskeyRegistration, "1", "ABC123", &stored));
        assert!(!hasher.matches(Purpose::Init, "1", "ABC124", &stored));
        assert!(!CodeHasher::new([8; 32]).matches(Purpose::Init, "1", "ABC123", &stored));
    }
}
