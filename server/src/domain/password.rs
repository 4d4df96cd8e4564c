//! Passwords: the policy, Roster's own Argon2id hashing, and the hash formats Roster accepts on
//! import (decision D3), each verified by its own scheme and re-hashed on first sign-in.

use super::error::{DomainError, faults};
use argon2::{
    Algorithm, Argon2, PasswordHash, PasswordHasher as _, PasswordVerifier as _, Version,
};
use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use rand::RngCore as _;
use std::collections::HashSet;
use std::sync::{Arc, LazyLock};
use subtle::ConstantTimeEq as _;
use tokio::sync::Semaphore;
use unicode_normalization::UnicodeNormalization as _;

/// The longest password Roster accepts, in characters (ASVS 2.1.2).
pub const MAX_PASSWORD_CHARS: usize = 128;
/// The raw size bound checked before hashing, so no request can make hashing expensive.
const MAX_PASSWORD_BYTES: usize = 4 * MAX_PASSWORD_CHARS;

static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/common-passwords.txt")
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// The password complexity policy (contract 4.3 fields; Roster's defaults from security.md:
/// minimum 8, no character-class rules). The common-password list and the check against the
/// user's own data are always on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// Minimum length in bytes, as ZITADEL measures it.
    pub min_length: usize,
    pub require_lower: bool,
    pub require_upper: bool,
    pub require_number: bool,
    pub require_symbol: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_length: 8,
            require_lower: false,
            require_upper: false,
            require_number: false,
            require_symbol: false,
        }
    }
}

/// What a password must not contain: the user's own names and addresses.
#[derive(Clone, Debug, Default)]
pub struct PasswordContext<'a> {
    pub words: Vec<&'a str>,
}

impl<'a> PasswordContext<'a> {
    /// Builds the context from a user's username, email and names.
    pub fn of_user(username: &'a str, email: &'a str, names: [&'a str; 3]) -> Self {
        let local_part = email.split('@').next().unwrap_or_default();
        let mut words = vec![username, local_part, "roster"];
        words.extend(names);
        PasswordContext { words }
    }
}

impl PasswordPolicy {
    /// Checks a new password. The order of the contract's rules is kept (length, lower, upper,
    /// number, symbol), then Roster's own: maximum length, common passwords, the user's data.
    pub fn check(&self, password: &str, context: &PasswordContext<'_>) -> Result<(), DomainError> {
        let invalid = |fault| Err(DomainError::Invalid(fault));
        if password.len() < self.min_length {
            return invalid(faults::PASSWORD_MIN_LENGTH);
        }
        if self.require_lower && !password.chars().any(|ch| ch.is_ascii_lowercase()) {
            return invalid(faults::PASSWORD_HAS_LOWER);
        }
        if self.require_upper && !password.chars().any(|ch| ch.is_ascii_uppercase()) {
            return invalid(faults::PASSWORD_HAS_UPPER);
        }
        if self.require_number && !password.chars().any(|ch| ch.is_ascii_digit()) {
            return invalid(faults::PASSWORD_HAS_NUMBER);
        }
        if self.require_symbol && password.chars().all(|ch| ch.is_ascii_alphanumeric()) {
            return invalid(faults::PASSWORD_HAS_SYMBOL);
        }
        if password.chars().count() > MAX_PASSWORD_CHARS || password.len() > MAX_PASSWORD_BYTES {
            return invalid(faults::PASSWORD_TOO_LONG);
        }
        let lowered = password.to_lowercase();
        if COMMON_PASSWORDS.contains(lowered.as_str()) {
            return invalid(faults::PASSWORD_TOO_COMMON);
        }
        let contains_user_data = context.words.iter().any(|word| {
            let word = word.trim().to_lowercase();
            word.chars().count() >= 4 && lowered.contains(&word)
        });
        if contains_user_data {
            return invalid(faults::PASSWORD_CONTAINS_USER_DATA);
        }
        Ok(())
    }
}

/// Argon2id parameters for Roster's own hashes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashCost {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for HashCost {
    /// OWASP's Argon2id floor (ASVS 5.0 appendix C): 19 MiB, 2 iterations, 1 lane.
    fn default() -> Self {
        HashCost {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// The result of checking a password against a stored hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verified {
    pub matches: bool,
    /// The hash is not Roster's current Argon2id: store a fresh one.
    pub needs_rehash: bool,
}

/// Hashes and verifies passwords off the async runtime, a bounded number at a time, so a burst
/// of sign-ins cannot exhaust memory.
#[derive(Clone, Debug)]
pub struct Hasher {
    params: argon2::Params,
    permits: Arc<Semaphore>,
    dummy: Arc<String>,
}

impl Hasher {
    pub fn new(cost: HashCost, max_parallel: usize) -> Result<Hasher, DomainError> {
        let params = argon2::Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
            .map_err(DomainError::internal)?;
        let dummy = hash_blocking(&params, "roster-timing-equaliser")?;
        Ok(Hasher {
            params,
            permits: Arc::new(Semaphore::new(max_parallel.max(1))),
            dummy: Arc::new(dummy),
        })
    }

    async fn blocking<T, F>(&self, work: F) -> Result<T, DomainError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, DomainError> + Send + 'static,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(DomainError::internal)?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(DomainError::internal)?
    }

    /// A new Argon2id PHC string for `password` (NFC-normalized first).
    pub async fn hash(&self, password: &str) -> Result<String, DomainError> {
        let params = self.params.clone();
        let password = password.to_owned();
        self.blocking(move || hash_blocking(&params, &password))
            .await
    }

    /// Checks `password` against any supported stored hash.
    pub async fn verify(&self, stored: &str, password: &str) -> Result<Verified, DomainError> {
        let params = self.params.clone();
        let stored = stored.to_owned();
        let password = password.to_owned();
        self.blocking(move || Ok(verify_blocking(&params, &stored, &password)))
            .await
    }

    /// Spends the time of one verification, so unknown users answer as slowly as known ones.
    pub async fn verify_nothing(&self, password: &str) -> Result<(), DomainError> {
        let dummy = self.dummy.as_str().to_owned();
        self.verify(&dummy, password).await.map(|_| ())
    }
}

fn hash_blocking(params: &argon2::Params, password: &str) -> Result<String, DomainError> {
    let mut salt = [0_u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let normalized: String = password.nfc().collect();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_with_salt(normalized.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(DomainError::internal)
}

/// The forms a password may take when checked: as typed, and NFC-normalized (Roster hashes
/// the normalized form; other systems usually hashed the bytes as typed).
fn candidates(password: &str) -> Vec<String> {
    let normalized: String = password.nfc().collect();
    if normalized == password {
        vec![normalized]
    } else {
        vec![normalized, password.to_owned()]
    }
}

fn verify_blocking(params: &argon2::Params, stored: &str, password: &str) -> Verified {
    let Some(hash) = StoredHash::parse(stored) else {
        return Verified {
            matches: false,
            needs_rehash: false,
        };
    };
    let matches = candidates(password)
        .iter()
        .any(|candidate| hash.matches(candidate.as_bytes()));
    Verified {
        matches,
        needs_rehash: matches && !hash.is_current(params),
    }
}

/// Standard base64 that tolerates missing padding (PHC and passlib omit it).
const B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// A stored password hash in one of the supported formats.
#[derive(Clone, Debug)]
enum StoredHash {
    /// `$argon2id$…` / `$argon2i$…` (PHC), Roster's own included.
    Argon2(String),
    /// `$2a$`, `$2b$`, `$2y$`.
    Bcrypt(String),
    /// `$5$` / `$6$` (sha256-crypt, sha512-crypt).
    ShaCrypt(String),
    /// `$pbkdf2-sha256$…` / `$pbkdf2-sha512$…` (passlib's and PHC's forms).
    Pbkdf2 {
        sha512: bool,
        rounds: u32,
        salt: Vec<u8>,
        hash: Vec<u8>,
    },
    /// `$scrypt$ln=…,r=…,p=…$salt$hash` (PHC, as passlib writes it).
    Scrypt {
        log_n: u8,
        r: u32,
        p: u32,
        salt: Vec<u8>,
        hash: Vec<u8>,
    },
}

impl StoredHash {
    fn parse(value: &str) -> Option<StoredHash> {
        let fields: Vec<&str> = value.split('$').collect();
        match fields.get(1).copied()? {
            "argon2id" | "argon2i" => {
                let parsed = PasswordHash::new(value).ok()?;
                argon2::Params::try_from(&parsed).ok()?;
                (parsed.salt.is_some() && parsed.hash.is_some())
                    .then(|| StoredHash::Argon2(value.to_owned()))
            }
            "2a" | "2b" | "2y" => {
                parse_bcrypt(&fields).then(|| StoredHash::Bcrypt(value.to_owned()))
            }
            "5" | "6" => parse_sha_crypt(&fields).then(|| StoredHash::ShaCrypt(value.to_owned())),
            "pbkdf2-sha256" | "pbkdf2-sha512" => parse_pbkdf2(&fields),
            "scrypt" => parse_scrypt(&fields),
            _ => None,
        }
    }

    fn matches(&self, password: &[u8]) -> bool {
        match self {
            StoredHash::Argon2(value) => PasswordHash::new(value)
                .is_ok_and(|parsed| Argon2::default().verify_password(password, &parsed).is_ok()),
            StoredHash::Bcrypt(value) => bcrypt::verify(password, value).unwrap_or(false),
            StoredHash::ShaCrypt(value) => {
                use sha_crypt::PasswordVerifier as _;
                sha_crypt::ShaCrypt::SHA512
                    .verify_password(password, value.as_str())
                    .is_ok()
            }
            StoredHash::Pbkdf2 {
                sha512,
                rounds,
                salt,
                hash,
            } => {
                let mut out = vec![0_u8; hash.len()];
                if *sha512 {
                    pbkdf2::pbkdf2_hmac::<sha2::Sha512>(password, salt, *rounds, &mut out);
                } else {
                    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, *rounds, &mut out);
                }
                bool::from(out.ct_eq(hash))
            }
            StoredHash::Scrypt {
                log_n,
                r,
                p,
                salt,
                hash,
            } => {
                let Ok(params) = scrypt::Params::new(*log_n, *r, *p) else {
                    return false;
                };
                let mut out = vec![0_u8; hash.len()];
                scrypt::scrypt(password, salt, &params, &mut out).is_ok()
                    && bool::from(out.ct_eq(hash))
            }
        }
    }

    /// Whether this is Roster's own Argon2id with the configured cost.
    fn is_current(&self, params: &argon2::Params) -> bool {
        let StoredHash::Argon2(value) = self else {
            return false;
        };
        let Ok(parsed) = PasswordHash::new(value) else {
            return false;
        };
        let Ok(stored) = argon2::Params::try_from(&parsed) else {
            return false;
        };
        parsed.algorithm.as_str() == "argon2id"
            && parsed.version == Some(0x13)
            && stored.m_cost() == params.m_cost()
            && stored.t_cost() == params.t_cost()
            && stored.p_cost() == params.p_cost()
    }
}

/// The `./A-Za-z0-9` alphabet of bcrypt and crypt(3) hashes.
fn is_bcrypt_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'.' || byte == b'/'
}

/// `$2b$10$` + 22 salt + 31 hash characters.
fn parse_bcrypt(fields: &[&str]) -> bool {
    let [_, _, cost, rest] = fields else {
        return false;
    };
    let cost_ok = cost.len() == 2
        && cost
            .parse::<u32>()
            .is_ok_and(|cost| (4..=31).contains(&cost));
    cost_ok && rest.len() == 53 && rest.bytes().all(is_bcrypt_char)
}

/// `$5$[rounds=N$]salt$hash` with a 43 (SHA-256) or 86 (SHA-512) character hash.
fn parse_sha_crypt(fields: &[&str]) -> bool {
    let (salt, hash) = match fields {
        [_, _, rounds, salt, hash] => {
            let rounds_ok = rounds
                .strip_prefix("rounds=")
                .and_then(|value| value.parse::<u32>().ok())
                .is_some_and(|value| (1_000..=999_999_999).contains(&value));
            if !rounds_ok {
                return false;
            }
            (salt, hash)
        }
        [_, _, salt, hash] => (salt, hash),
        _ => return false,
    };
    let expected = if fields[1] == "5" { 43 } else { 86 };
    salt.len() <= 16
        && salt
            .bytes()
            .all(|byte| byte != b'$' && byte != b':' && byte != b'\n')
        && hash.len() == expected
        && hash.bytes().all(is_bcrypt_char)
}

/// passlib `$pbkdf2-sha256$ROUNDS$SALT$HASH` (adapted base64: `.` for `+`) or PHC
/// `$pbkdf2-sha256$i=ROUNDS[,l=LEN]$SALT$HASH`.
fn parse_pbkdf2(fields: &[&str]) -> Option<StoredHash> {
    let [_, algorithm, params, salt, hash] = fields else {
        return None;
    };
    let rounds = match params.strip_prefix("i=") {
        Some(phc) => phc.split(',').next()?.parse::<u32>().ok()?,
        None => params.parse::<u32>().ok()?,
    };
    let decode = |text: &str| B64.decode(text.replace('.', "+")).ok();
    let salt = decode(salt)?;
    let hash = decode(hash)?;
    let ok =
        (1..=10_000_000).contains(&rounds) && !salt.is_empty() && (16..=64).contains(&hash.len());
    ok.then_some(StoredHash::Pbkdf2 {
        sha512: *algorithm == "pbkdf2-sha512",
        rounds,
        salt,
        hash,
    })
}

/// `$scrypt$ln=14,r=8,p=1$SALT$HASH`.
fn parse_scrypt(fields: &[&str]) -> Option<StoredHash> {
    let [_, _, params, salt, hash] = fields else {
        return None;
    };
    let (mut log_n, mut r, mut p) = (None, None, None);
    for pair in params.split(',') {
        let (key, value) = pair.split_once('=')?;
        match key {
            "ln" => log_n = value.parse::<u8>().ok(),
            "r" => r = value.parse::<u32>().ok(),
            "p" => p = value.parse::<u32>().ok(),
            _ => return None,
        }
    }
    let (log_n, r, p) = (log_n?, r?, p?);
    // Bounded so an imported hash cannot make a sign-in allocate gigabytes.
    let affordable = (1..=20).contains(&log_n) && (1..=32).contains(&r) && (1..=16).contains(&p);
    scrypt::Params::new(log_n, r, p).ok()?;
    let salt = B64.decode(salt).ok()?;
    let hash = B64.decode(hash).ok()?;
    (affordable && !salt.is_empty() && (16..=64).contains(&hash.len())).then_some(
        StoredHash::Scrypt {
            log_n,
            r,
            p,
            salt,
            hash,
        },
    )
}

/// Checks an imported hash's format (decision D3) and returns it for storage.
pub fn validate_imported_hash(value: &str) -> Result<String, DomainError> {
    StoredHash::parse(value)
        .map(|_| value.to_owned())
        .ok_or(DomainError::Invalid(faults::HASH_NOT_SUPPORTED))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> PasswordContext<'static> {
        PasswordContext::of_user(
            "ivana.smith",
            "ivana@example.com",
            ["Ivana", "Smith", "Ivana Smith"],
        )
    }

    #[test]
    fn default_policy_needs_eight_bytes_and_no_classes() {
        let policy = PasswordPolicy::default();
        let fault = |result: Result<(), DomainError>| match result {
            Err(DomainError::Invalid(fault)) => fault.id,
            other => panic!("expected an invalid password, got {other:?}"),
        };
        assert_eq!(fault(policy.check("Ab1!", &context())), "DOMAIN-HuJf6");
        assert!(policy.check("lantern meadow", &context()).is_ok());
        assert!(
            policy.check("ünïcødé🙂🙂", &context()).is_ok(),
            "any script and emoji"
        );
        assert_eq!(fault(policy.check("Password", &context())), "ROSTER-pwcom");
        assert_eq!(
            fault(policy.check("xxIVANA.SMITHxx", &context())),
            "ROSTER-pwctx"
        );
        assert_eq!(
            fault(policy.check("my-smith-harbor", &context())),
            "ROSTER-pwctx"
        );
        assert_eq!(
            fault(policy.check(&"a".repeat(129), &context())),
            "ROSTER-pwlen"
        );
    }

    #[test]
    fn zitadel_classes_apply_in_order_when_configured() {
        let policy = PasswordPolicy {
            min_length: 8,
            require_lower: true,
            require_upper: true,
            require_number: true,
            require_symbol: true,
        };
        let id = |password| match policy.check(password, &context()) {
            Err(DomainError::Invalid(fault)) => fault.id,
            Ok(()) => "ok",
            Err(other) => panic!("{other:?}"),
        };
        assert_eq!(id("ABCDEFGH"), "DOMAIN-co3Xw");
        assert_eq!(id("abcdefgh"), "DOMAIN-VoaRj");
        assert_eq!(id("abcdEFGH"), "DOMAIN-ZBv4H");
        assert_eq!(id("abcdEFG1"), "DOMAIN-ZDLwA");
        assert_eq!(id("abcdEF1 "), "ok", "a space counts as a symbol");
    }

    #[tokio::test]
    async fn roster_hashes_are_argon2id_and_verify_normalized() {
        let hasher = Hasher::new(HashCost::default(), 2).unwrap();
        let hash = hasher.hash("Cafe\u{301} au lait").await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        let nfc = hasher.verify(&hash, "Caf\u{e9} au lait").await.unwrap();
        assert_eq!(
            nfc,
            Verified {
                matches: true,
                needs_rehash: false
            }
        );
        let wrong = hasher.verify(&hash, "Cafe au lait").await.unwrap();
        assert!(!wrong.matches);
    }

    #[tokio::test]
    async fn imported_formats_verify_and_ask_for_rehash() {
        let hasher = Hasher::new(HashCost::default(), 2).unwrap();
        // Hashes from ../shared/data/import with their passwords.
        let samples = [
            (
                "$argon2id$v=19$m=65536,t=3,p=4$6WuNs44vEeOP40kWJ/qyCQ$W6pa3RYEPd07vHEeR2sJfaOdUzkOQDMn38Y5Hvr5esw",
                "Cinder-harbor-maple-81%",
            ),
            (
                "$scrypt$ln=14,r=8,p=1$yNk7x/h/j3Hu3XsvJeScMw$VHnL60svbRQ97X+V8niq971Gdp3Yrfq08PGUk40gjko",
                "Velvet-harbor-cinder-18!",
            ),
            (
                "$2y$10$n7DZ89XmPJiAjdbZ/A2oNuKJ/2DiLExgzS32W96XpsKz2JJds.kja",
                "Harbor-saffron-tundra-60*",
            ),
        ];
        for (hash, password) in samples {
            assert!(validate_imported_hash(hash).is_ok(), "{hash}");
            let verified = hasher.verify(hash, password).await.unwrap();
            assert_eq!(
                verified,
                Verified {
                    matches: true,
                    needs_rehash: true
                },
                "{hash}"
            );
            assert!(
                !hasher.verify(hash, "wrong").await.unwrap().matches,
                "{hash}"
            );
        }
    }

    #[test]
    fn malformed_or_unknown_hashes_are_refused() {
        for bad in [
            "$2b$10$tooshort",
            "5f4dcc3b5aa765d61d8327deb882cf99x",
            "$1$abc$def",
            "$argon2id$v=19$m=65536,t=3,p=4$onlysalt",
            "$pbkdf2-sha256$0$c2FsdA$aGFzaA",
            "$scrypt$ln=40,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
            "$5$salt$short",
            "",
        ] {
            assert!(
                matches!(validate_imported_hash(bad), Err(DomainError::Invalid(fault)) if fault.id == "USER-JDk4t"),
                "{bad}"
            );
        }
    }
}
