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

/// The most a stored hash may cost to verify. Anyone can make Roster verify a user's stored hash
/// by signing in with any password, so an imported hash with extreme parameters would let them
/// stall the server (gigabytes of memory, minutes of CPU per attempt). Hashes above these caps
/// are refused at import and never verified at sign-in. Each cap is several times what common
/// systems produce (and what `../shared/data/import` carries), so real exports pass.
pub mod caps {
    /// Argon2 memory: 256 MiB.
    pub const ARGON2_MAX_MEMORY_KIB: u32 = 262_144;
    pub const ARGON2_MAX_ITERATIONS: u32 = 10;
    pub const ARGON2_MAX_PARALLELISM: u32 = 16;
    /// scrypt's work, `128 * r * N * p` bytes: 256 MiB.
    pub const SCRYPT_MAX_WORK_BYTES: u64 = 256 * 1024 * 1024;
    pub const BCRYPT_MAX_COST: u32 = 15;
    pub const SHA_CRYPT_MAX_ROUNDS: u32 = 5_000_000;
    pub const PBKDF2_SHA256_MAX_ROUNDS: u32 = 2_000_000;
    pub const PBKDF2_SHA512_MAX_ROUNDS: u32 = 1_000_000;
}

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

    /// Checks `password` against any supported stored hash. A hash Roster refuses to verify
    /// (unknown format, or above the [`caps`]) never matches; the refusal is logged.
    pub async fn verify(&self, stored: &str, password: &str) -> Result<Verified, DomainError> {
        let params = self.params.clone();
        let stored = stored.to_owned();
        let password = password.to_owned();
        let dummy = Arc::clone(&self.dummy);
        let result = self
            .blocking(move || Ok(verify_blocking(&params, &stored, &password, &dummy)))
            .await?;
        Ok(result.unwrap_or_else(|refusal| {
            match refusal {
                Refusal::Absent => {}
                Refusal::Unsupported => {
                    tracing::warn!("stored password hash has an unsupported format; not verified");
                }
                Refusal::TooCostly => {
                    tracing::warn!("stored password hash exceeds the cost caps; not verified");
                }
            }
            Verified {
                matches: false,
                needs_rehash: false,
            }
        }))
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

/// Checks `password` against `stored`; `dummy` is a valid hash whose check spends the time when
/// `stored` is refused, so a refusal does not answer faster than a wrong password.
fn verify_blocking(
    params: &argon2::Params,
    stored: &str,
    password: &str,
    dummy: &str,
) -> Result<Verified, Refusal> {
    // No password Roster accepts is longer, and sha-crypt's cost grows with the password's
    // length (a 2 MiB sign-in body would take tens of seconds per attempt).
    let too_long = password.len() > MAX_PASSWORD_BYTES;
    let parsed = if stored.is_empty() {
        Err(Refusal::Absent)
    } else {
        StoredHash::parse(stored)
    };
    let hash = match parsed {
        Ok(hash) if !too_long => hash,
        other => {
            if let Ok(dummy) = StoredHash::parse(dummy) {
                dummy.matches(b"");
            }
            return other.map(|_| Verified {
                matches: false,
                needs_rehash: false,
            });
        }
    };
    let matches = candidates(password)
        .iter()
        .any(|candidate| hash.matches(candidate.as_bytes()));
    Ok(Verified {
        matches,
        needs_rehash: matches && !hash.is_current(params),
    })
}

/// Why a stored or imported hash is not verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refusal {
    /// No hash at all (a passwordless user).
    Absent,
    /// Not a format Roster knows, or malformed.
    Unsupported,
    /// A known format whose parameters exceed the [`caps`].
    TooCostly,
}

/// `Ok(())` when `value` is within `cap`, else a [`Refusal::TooCostly`].
fn within<T: PartialOrd>(value: T, cap: T) -> Result<(), Refusal> {
    if value <= cap {
        Ok(())
    } else {
        Err(Refusal::TooCostly)
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
    fn parse(value: &str) -> Result<StoredHash, Refusal> {
        let unsupported = Refusal::Unsupported;
        let fields: Vec<&str> = value.split('$').collect();
        match fields.get(1).copied().ok_or(unsupported)? {
            "argon2id" | "argon2i" => {
                let parsed = PasswordHash::new(value).map_err(|_| unsupported)?;
                let params = argon2::Params::try_from(&parsed).map_err(|_| unsupported)?;
                if parsed.salt.is_none() || parsed.hash.is_none() {
                    return Err(unsupported);
                }
                within(params.m_cost(), caps::ARGON2_MAX_MEMORY_KIB)?;
                within(params.t_cost(), caps::ARGON2_MAX_ITERATIONS)?;
                within(params.p_cost(), caps::ARGON2_MAX_PARALLELISM)?;
                Ok(StoredHash::Argon2(value.to_owned()))
            }
            "2a" | "2b" | "2y" => {
                parse_bcrypt(&fields)?;
                Ok(StoredHash::Bcrypt(value.to_owned()))
            }
            "5" | "6" => {
                parse_sha_crypt(&fields)?;
                Ok(StoredHash::ShaCrypt(value.to_owned()))
            }
            "pbkdf2-sha256" | "pbkdf2-sha512" => parse_pbkdf2(&fields),
            "scrypt" => parse_scrypt(&fields),
            _ => Err(unsupported),
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
fn parse_bcrypt(fields: &[&str]) -> Result<(), Refusal> {
    let [_, _, cost, rest] = fields else {
        return Err(Refusal::Unsupported);
    };
    let cost = Some(cost)
        .filter(|cost| cost.len() == 2)
        .and_then(|cost| cost.parse::<u32>().ok())
        .filter(|cost| (4..=31).contains(cost))
        .ok_or(Refusal::Unsupported)?;
    if rest.len() != 53 || !rest.bytes().all(is_bcrypt_char) {
        return Err(Refusal::Unsupported);
    }
    within(cost, caps::BCRYPT_MAX_COST)
}

/// `$5$[rounds=N$]salt$hash` with a 43 (SHA-256) or 86 (SHA-512) character hash.
fn parse_sha_crypt(fields: &[&str]) -> Result<(), Refusal> {
    let unsupported = Refusal::Unsupported;
    let (rounds, salt, hash) = match fields {
        [_, _, rounds, salt, hash] => {
            let rounds = rounds
                .strip_prefix("rounds=")
                .and_then(|value| value.parse::<u32>().ok())
                .filter(|value| (1_000..=999_999_999).contains(value))
                .ok_or(unsupported)?;
            (Some(rounds), salt, hash)
        }
        [_, _, salt, hash] => (None, salt, hash),
        _ => return Err(unsupported),
    };
    let expected = if fields[1] == "5" { 43 } else { 86 };
    let well_formed = salt.len() <= 16
        && salt
            .bytes()
            .all(|byte| byte != b'$' && byte != b':' && byte != b'\n')
        && hash.len() == expected
        && hash.bytes().all(is_bcrypt_char);
    if !well_formed {
        return Err(unsupported);
    }
    // Without `rounds=` the scheme's default, 5,000, applies.
    within(rounds.unwrap_or(5_000), caps::SHA_CRYPT_MAX_ROUNDS)
}

/// passlib `$pbkdf2-sha256$ROUNDS$SALT$HASH` (adapted base64: `.` for `+`) or PHC
/// `$pbkdf2-sha256$i=ROUNDS[,l=LEN]$SALT$HASH`.
fn parse_pbkdf2(fields: &[&str]) -> Result<StoredHash, Refusal> {
    let unsupported = Refusal::Unsupported;
    let [_, algorithm, params, salt, hash] = fields else {
        return Err(unsupported);
    };
    let rounds = match params.strip_prefix("i=") {
        Some(phc) => phc.split(',').next().and_then(|i| i.parse::<u32>().ok()),
        None => params.parse::<u32>().ok(),
    }
    .ok_or(unsupported)?;
    let decode = |text: &str| B64.decode(text.replace('.', "+")).map_err(|_| unsupported);
    let salt = decode(salt)?;
    let hash = decode(hash)?;
    if rounds == 0 || salt.is_empty() || !(16..=64).contains(&hash.len()) {
        return Err(unsupported);
    }
    let sha512 = *algorithm == "pbkdf2-sha512";
    let cap = if sha512 {
        caps::PBKDF2_SHA512_MAX_ROUNDS
    } else {
        caps::PBKDF2_SHA256_MAX_ROUNDS
    };
    within(rounds, cap)?;
    Ok(StoredHash::Pbkdf2 {
        sha512,
        rounds,
        salt,
        hash,
    })
}

/// `$scrypt$ln=14,r=8,p=1$SALT$HASH`.
fn parse_scrypt(fields: &[&str]) -> Result<StoredHash, Refusal> {
    let unsupported = Refusal::Unsupported;
    let [_, _, params, salt, hash] = fields else {
        return Err(unsupported);
    };
    let (mut log_n, mut r, mut p) = (None, None, None);
    for pair in params.split(',') {
        let (key, value) = pair.split_once('=').ok_or(unsupported)?;
        match key {
            "ln" => log_n = value.parse::<u8>().ok(),
            "r" => r = value.parse::<u32>().ok(),
            "p" => p = value.parse::<u32>().ok(),
            _ => return Err(unsupported),
        }
    }
    let (Some(log_n), Some(r), Some(p)) = (log_n, r, p) else {
        return Err(unsupported);
    };
    let salt = B64.decode(salt).map_err(|_| unsupported)?;
    let hash = B64.decode(hash).map_err(|_| unsupported)?;
    if !(1..64).contains(&log_n) || r == 0 || p == 0 {
        return Err(unsupported);
    }
    if salt.is_empty() || !(16..=64).contains(&hash.len()) {
        return Err(unsupported);
    }
    // 128 * r * N bytes of memory, p times over: bounded so an imported hash cannot make a
    // sign-in allocate gigabytes or loop for minutes. Checked before `scrypt::Params::new`,
    // whose own `r * p` check can overflow on hostile values.
    let work = (128 * u128::from(r) * (1_u128 << log_n)).saturating_mul(u128::from(p));
    within(work, u128::from(caps::SCRYPT_MAX_WORK_BYTES))?;
    scrypt::Params::new(log_n, r, p).map_err(|_| unsupported)?;
    Ok(StoredHash::Scrypt {
        log_n,
        r,
        p,
        salt,
        hash,
    })
}

/// Checks an imported hash's format (decision D3) and its cost (the [`caps`]), and returns it
/// for storage.
pub fn validate_imported_hash(value: &str) -> Result<String, DomainError> {
    match StoredHash::parse(value) {
        Ok(_) => Ok(value.to_owned()),
        Err(refusal) => {
            if refusal == Refusal::TooCostly {
                tracing::info!("imported password hash refused: exceeds the cost caps");
            }
            Err(DomainError::Invalid(faults::HASH_NOT_SUPPORTED))
        }
    }
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

    /// A salt and a 32-byte output, valid base64, for format checks that never verify.
    const SALT: &str = "6WuNs44vEeOP40kWJ/qyCQ";
    const OUT: &str = "W6pa3RYEPd07vHEeR2sJfaOdUzkOQDMn38Y5Hvr5esw";

    fn refused_on_import(hash: &str) -> bool {
        matches!(
            validate_imported_hash(hash),
            Err(DomainError::Invalid(fault))
                if fault.id == "USER-JDk4t" && fault.key == "Errors.User.Password.NotSupported"
        )
    }

    #[test]
    fn hashes_at_the_cost_caps_import_and_above_them_are_refused() {
        let bcrypt = "n7DZ89XmPJiAjdbZ/A2oNuKJ/2DiLExgzS32W96XpsKz2JJds.kja";
        let (sha256, sha512) = ("a".repeat(43), "b".repeat(86));
        let too_costly = Some(Refusal::TooCostly);
        let cases: Vec<(String, Option<Refusal>)> = vec![
            // Argon2: memory, iterations, lanes.
            (
                format!("$argon2id$v=19$m=262144,t=10,p=16${SALT}${OUT}"),
                None,
            ),
            (
                format!("$argon2i$v=19$m=262144,t=10,p=16${SALT}${OUT}"),
                None,
            ),
            (
                format!("$argon2id$v=19$m=262145,t=2,p=1${SALT}${OUT}"),
                too_costly,
            ),
            (
                format!("$argon2id$v=19$m=4194304,t=2,p=1${SALT}${OUT}"),
                too_costly,
            ),
            (
                format!("$argon2id$v=19$m=65536,t=11,p=1${SALT}${OUT}"),
                too_costly,
            ),
            (
                format!("$argon2i$v=19$m=65536,t=3,p=17${SALT}${OUT}"),
                too_costly,
            ),
            // scrypt: 128 * r * N * p bytes.
            (format!("$scrypt$ln=18,r=8,p=1${SALT}${OUT}"), None),
            (format!("$scrypt$ln=17,r=8,p=2${SALT}${OUT}"), None),
            (format!("$scrypt$ln=19,r=8,p=1${SALT}${OUT}"), too_costly),
            (format!("$scrypt$ln=17,r=8,p=3${SALT}${OUT}"), too_costly),
            (format!("$scrypt$ln=18,r=9,p=1${SALT}${OUT}"), too_costly),
            (format!("$scrypt$ln=20,r=32,p=16${SALT}${OUT}"), too_costly),
            (
                format!("$scrypt$ln=63,r=4294967295,p=4294967295${SALT}${OUT}"),
                too_costly,
            ),
            // bcrypt cost.
            (format!("$2b$15${bcrypt}"), None),
            (format!("$2a$16${bcrypt}"), too_costly),
            (format!("$2y$31${bcrypt}"), too_costly),
            // sha-crypt rounds (5,000 when absent).
            (format!("$5$rounds=5000000$saltsalt${sha256}"), None),
            (format!("$6$rounds=5000000$saltsalt${sha512}"), None),
            (format!("$6$saltsalt${sha512}"), None),
            (format!("$5$rounds=5000001$saltsalt${sha256}"), too_costly),
            (format!("$6$rounds=999999999$saltsalt${sha512}"), too_costly),
            // PBKDF2 iterations, passlib and PHC forms.
            (format!("$pbkdf2-sha256$2000000${SALT}${OUT}"), None),
            (format!("$pbkdf2-sha256$i=2000000,l=32${SALT}${OUT}"), None),
            (format!("$pbkdf2-sha256$2000001${SALT}${OUT}"), too_costly),
            (
                format!("$pbkdf2-sha256$i=2000001,l=32${SALT}${OUT}"),
                too_costly,
            ),
            (format!("$pbkdf2-sha512$1000000${SALT}${OUT}"), None),
            (format!("$pbkdf2-sha512$i=1000000${SALT}${OUT}"), None),
            (format!("$pbkdf2-sha512$1000001${SALT}${OUT}"), too_costly),
            (
                format!("$pbkdf2-sha512$i=10000000${SALT}${OUT}"),
                too_costly,
            ),
        ];
        for (hash, expected) in cases {
            assert_eq!(StoredHash::parse(&hash).err(), expected, "{hash}");
            assert_eq!(refused_on_import(&hash), expected.is_some(), "{hash}");
        }
    }

    /// A real Argon2 hash of `password` with the given cost.
    fn argon2_hash(algorithm: Algorithm, m: u32, t: u32, p: u32, password: &str) -> String {
        let params = argon2::Params::new(m, t, p, None).unwrap();
        Argon2::new(algorithm, Version::V0x13, params)
            .hash_password_with_salt(password.as_bytes(), b"sixteen-byte-slt")
            .unwrap()
            .to_string()
    }

    #[tokio::test]
    async fn a_stored_hash_above_the_caps_is_never_verified() {
        let hasher = Hasher::new(HashCost::default(), 2).unwrap();
        let password = "Quiet-orchard-lantern-19";
        // Cheap to compute despite exceeding a cap (tiny memory), so without the caps these
        // would verify.
        for (m, t, p) in [(8, 11, 1), (136, 1, 17)] {
            let hash = argon2_hash(Algorithm::Argon2id, m, t, p, password);
            let verified = hasher.verify(&hash, password).await.unwrap();
            assert!(!verified.matches, "{hash}");
            assert!(refused_on_import(&hash), "{hash}");
        }
        let at_cap = argon2_hash(Algorithm::Argon2id, 8, 10, 1, password);
        assert!(hasher.verify(&at_cap, password).await.unwrap().matches);
    }

    #[tokio::test]
    async fn passwords_longer_than_roster_accepts_are_not_checked() {
        use sha_crypt::PasswordHasher as _;
        let hasher = Hasher::new(HashCost::default(), 2).unwrap();
        let sha256_crypt = sha_crypt::ShaCrypt::new(
            sha_crypt::Algorithm::Sha256Crypt,
            sha_crypt::Params::new(1_000).unwrap(),
        );
        // sha-crypt's cost grows with the password's length: a long one is refused unread.
        let long = "x".repeat(MAX_PASSWORD_BYTES + 1);
        let hash = sha256_crypt
            .hash_password_with_salt(long.as_bytes(), b"nine-byte")
            .unwrap()
            .to_string();
        assert!(validate_imported_hash(&hash).is_ok(), "{hash}");
        assert!(!hasher.verify(&hash, &long).await.unwrap().matches);
        let longest = "x".repeat(MAX_PASSWORD_BYTES);
        let hash = sha256_crypt
            .hash_password_with_salt(longest.as_bytes(), b"nine-byte")
            .unwrap()
            .to_string();
        assert!(hasher.verify(&hash, &longest).await.unwrap().matches);
    }

    #[tokio::test]
    async fn other_variants_of_the_imported_formats_verify() {
        let hasher = Hasher::new(HashCost::default(), 2).unwrap();
        let password = "Quiet-orchard-lantern-19";
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes);
        let pbkdf2_phc = |sha512: bool, rounds: u32| {
            let salt = b"pbkdf2-salt-1234";
            let mut out = [0_u8; 32];
            if sha512 {
                pbkdf2::pbkdf2_hmac::<sha2::Sha512>(password.as_bytes(), salt, rounds, &mut out);
            } else {
                pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password.as_bytes(), salt, rounds, &mut out);
            }
            let name = if sha512 { "sha512" } else { "sha256" };
            format!("$pbkdf2-{name}$i={rounds},l=32${}${}", b64(salt), b64(&out))
        };
        let bcrypt_2a = bcrypt::hash_with_salt(password, 4, *b"bcrypt-salt-1234")
            .unwrap()
            .format_for_version(bcrypt::Version::TwoA);
        let samples = [
            bcrypt_2a,
            argon2_hash(Algorithm::Argon2i, 1024, 2, 1, password),
            pbkdf2_phc(false, 1_000),
            pbkdf2_phc(true, 1_000),
        ];
        assert!(samples[0].starts_with("$2a$04$"), "{}", samples[0]);
        assert!(samples[1].starts_with("$argon2i$v=19$"), "{}", samples[1]);
        assert!(
            samples[2].starts_with("$pbkdf2-sha256$i=1000,l=32$"),
            "{}",
            samples[2]
        );
        assert!(
            samples[3].starts_with("$pbkdf2-sha512$i=1000,l=32$"),
            "{}",
            samples[3]
        );
        for hash in samples {
            assert!(validate_imported_hash(&hash).is_ok(), "{hash}");
            assert_eq!(
                hasher.verify(&hash, password).await.unwrap(),
                Verified {
                    matches: true,
                    needs_rehash: true
                },
                "{hash}"
            );
            assert!(
                !hasher.verify(&hash, "wrong").await.unwrap().matches,
                "{hash}"
            );
        }
    }
}
