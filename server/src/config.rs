//! Every setting, from `ROSTER_*` environment variables, with documented defaults, validated at
//! start. Secrets never appear in `Debug` output.

use crate::domain::SessionLimits;
use crate::domain::password::{HashCost, PasswordPolicy, caps};
use crate::notify::sms::WebhookSettings;
use crate::notify::smtp::{SmtpSecurity, SmtpSettings};
use app::model::Role;
use std::fmt;
use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

/// A setting that could not be used.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {problem}")]
pub struct ConfigError {
    pub name: &'static str,
    pub problem: String,
}

/// A 32-byte key for hashing codes (and later encrypting secrets at rest).
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(pub [u8; 32]);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(redacted)")
    }
}

/// Where the secret key comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretKeySource {
    /// `ROSTER_SECRET_KEY`: 64 hex characters.
    Value(SecretKey),
    /// `ROSTER_SECRET_KEY_FILE`: read, or created with a random key on first start.
    File(PathBuf),
}

/// A password that must not be printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(pub String);

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString(redacted)")
    }
}

/// How logs are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Roster's settings. See README.md for the table of names and defaults. `Debug` redacts the
/// database password (see [`redact_url`]).
#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub db_max_connections: u32,
    pub listen: SocketAddr,
    pub public_url: Url,
    pub org_name: String,
    pub admin_username: String,
    pub admin_password: Option<SecretString>,
    pub admin_email: String,
    pub outbox_dir: PathBuf,
    pub bootstrap_pat_path: Option<PathBuf>,
    pub bootstrap_pat_role: Role,
    pub secret_key: SecretKeySource,
    pub site_root: PathBuf,
    pub log_filter: String,
    pub log_format: LogFormat,
    pub password_policy: PasswordPolicy,
    pub hash_cost: HashCost,
    /// Run the outbox worker in this process.
    pub run_outbox_worker: bool,
    /// Mail goes through this SMTP server. Without it, to the file sink when no SMS webhook
    /// is set either (local use), else it is dropped.
    pub smtp: Option<SmtpSettings>,
    /// SMS go to this webhook. Without it, to the file sink when no SMTP server is set either
    /// (local use), else they are dropped.
    pub sms_webhook: Option<WebhookSettings>,
    /// Failed password checks after which an account is locked (0: never).
    pub lockout_max_password_attempts: i64,
    /// Wrong second-factor codes after which an account is locked (0: never).
    pub lockout_max_otp_attempts: i64,
    /// Passkey sign-ins started without a session that may be open at once (each lives five
    /// minutes), so anonymous callers cannot fill the ceremony table.
    pub max_open_passkey_sign_ins: i64,
    /// The name authenticator apps and passkey prompts show.
    pub product_name: String,
    /// Idle and absolute session ends, and how long a sign-in or re-authentication allows
    /// sensitive changes.
    pub sessions: SessionLimits,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Every field, so a new one cannot be forgotten silently: destructured, not accessed.
        let Config {
            database_url,
            db_max_connections,
            listen,
            public_url,
            org_name,
            admin_username,
            admin_password,
            admin_email,
            outbox_dir,
            bootstrap_pat_path,
            bootstrap_pat_role,
            secret_key,
            site_root,
            log_filter,
            log_format,
            password_policy,
            hash_cost,
            run_outbox_worker,
            smtp,
            sms_webhook,
            lockout_max_password_attempts,
            lockout_max_otp_attempts,
            max_open_passkey_sign_ins,
            product_name,
            sessions,
        } = self;
        f.debug_struct("Config")
            .field("database_url", &redact_url(database_url))
            .field("db_max_connections", db_max_connections)
            .field("listen", listen)
            .field("public_url", &public_url.as_str())
            .field("org_name", org_name)
            .field("admin_username", admin_username)
            .field("admin_password", admin_password)
            .field("admin_email", admin_email)
            .field("outbox_dir", outbox_dir)
            .field("bootstrap_pat_path", bootstrap_pat_path)
            .field("bootstrap_pat_role", bootstrap_pat_role)
            .field("secret_key", secret_key)
            .field("site_root", site_root)
            .field("log_filter", log_filter)
            .field("log_format", log_format)
            .field("password_policy", password_policy)
            .field("hash_cost", hash_cost)
            .field("run_outbox_worker", run_outbox_worker)
            .field("smtp", smtp)
            .field("sms_webhook", sms_webhook)
            .field(
                "lockout_max_password_attempts",
                lockout_max_password_attempts,
            )
            .field("lockout_max_otp_attempts", lockout_max_otp_attempts)
            .field("max_open_passkey_sign_ins", max_open_passkey_sign_ins)
            .field("product_name", product_name)
            .field("sessions", sessions)
            .finish()
    }
}

/// A URL fit for logs: a password in its user info or in a `password` query parameter (both
/// of which sqlx reads) is replaced by `redacted`. Text that does not parse as a URL but could
/// hold credentials (it has an `@`) is hidden entirely.
pub fn redact_url(value: &str) -> String {
    let Ok(mut url) = Url::parse(value) else {
        return if value.contains('@') {
            "(unparsable URL, redacted)".to_owned()
        } else {
            value.to_owned()
        };
    };
    if url.password().is_some() && url.set_password(Some("redacted")).is_err() {
        return "(URL with a password, redacted)".to_owned();
    }
    let has_secret_param = url
        .query_pairs()
        .any(|(key, _)| key.eq_ignore_ascii_case("password"));
    if has_secret_param {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(key, value)| {
                let value = if key.eq_ignore_ascii_case("password") {
                    "redacted".to_owned()
                } else {
                    value.into_owned()
                };
                (key.into_owned(), value)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.to_string()
}

/// The default SQLite database.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://./data/roster.db";

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup` (tests pass a map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let text =
            |name: &'static str, default: &str| get(name).unwrap_or_else(|| default.to_owned());
        let parse_bool = |name: &'static str, default: bool| -> Result<bool, ConfigError> {
            match get(name).as_deref().map(str::to_ascii_lowercase).as_deref() {
                None => Ok(default),
                Some("1" | "true" | "yes" | "on") => Ok(true),
                Some("0" | "false" | "no" | "off") => Ok(false),
                Some(other) => Err(ConfigError {
                    name,
                    problem: format!("expected true or false, got {other:?}"),
                }),
            }
        };
        fn number<T: std::str::FromStr>(
            name: &'static str,
            value: Option<String>,
            default: T,
        ) -> Result<T, ConfigError> {
            match value {
                None => Ok(default),
                Some(value) => value.trim().parse().map_err(|_| ConfigError {
                    name,
                    problem: format!("expected a number, got {value:?}"),
                }),
            }
        }

        let defaults = SessionLimits::default();
        let seconds = |name: &'static str, default: Duration, range: RangeInclusive<u64>| {
            let value = number(name, get(name), default.as_secs())?;
            if range.contains(&value) {
                Ok(Duration::from_secs(value))
            } else {
                Err(ConfigError {
                    name,
                    problem: format!(
                        "expected {} to {} seconds, got {value}",
                        range.start(),
                        range.end()
                    ),
                })
            }
        };
        // security.md: idle 30 min and absolute 12 h by default, re-authentication at most
        // 10 minutes old for sensitive changes.
        let absolute = seconds(
            "ROSTER_SESSION_ABSOLUTE_SECS",
            defaults.absolute,
            60..=30 * 24 * 3600,
        )?;
        let sessions = SessionLimits {
            idle: seconds(
                "ROSTER_SESSION_IDLE_SECS",
                defaults.idle,
                60..=absolute.as_secs(),
            )?,
            absolute,
            reauth: seconds("ROSTER_REAUTH_WINDOW_SECS", defaults.reauth, 5..=600)?,
        };

        let listen_text = text("ROSTER_LISTEN", "127.0.0.1:3000");
        let listen = listen_text.parse().map_err(|_| ConfigError {
            name: "ROSTER_LISTEN",
            problem: format!("expected address:port, got {listen_text:?}"),
        })?;
        let public_url = parse_public_url(&text("ROSTER_PUBLIC_URL", "http://localhost:3000"))?;
        let secret_key = match get("ROSTER_SECRET_KEY") {
            Some(value) => SecretKeySource::Value(parse_key(&value)?),
            None => SecretKeySource::File(PathBuf::from(text(
                "ROSTER_SECRET_KEY_FILE",
                "./data/secret.key",
            ))),
        };
        let role_text = text("ROSTER_BOOTSTRAP_PAT_ROLE", "IAM_USER_MANAGER");
        let bootstrap_pat_role = Role::parse(&role_text).ok_or_else(|| ConfigError {
            name: "ROSTER_BOOTSTRAP_PAT_ROLE",
            problem: format!("unknown role {role_text:?}"),
        })?;
        let log_format = match text("ROSTER_LOG_FORMAT", "text").as_str() {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            other => {
                return Err(ConfigError {
                    name: "ROSTER_LOG_FORMAT",
                    problem: format!("expected text or json, got {other:?}"),
                });
            }
        };
        let min_length = number(
            "ROSTER_PASSWORD_MIN_LENGTH",
            get("ROSTER_PASSWORD_MIN_LENGTH"),
            8_usize,
        )?;
        if !(1..=72).contains(&min_length) {
            return Err(ConfigError {
                name: "ROSTER_PASSWORD_MIN_LENGTH",
                problem: "must be between 1 and 72".to_owned(),
            });
        }
        let hash_cost = HashCost {
            memory_kib: number(
                "ROSTER_ARGON2_MEMORY_KIB",
                get("ROSTER_ARGON2_MEMORY_KIB"),
                19 * 1024,
            )?,
            iterations: number(
                "ROSTER_ARGON2_ITERATIONS",
                get("ROSTER_ARGON2_ITERATIONS"),
                2,
            )?,
            parallelism: number(
                "ROSTER_ARGON2_PARALLELISM",
                get("ROSTER_ARGON2_PARALLELISM"),
                1,
            )?,
        };
        let floor = HashCost::default();
        if hash_cost.memory_kib < floor.memory_kib || hash_cost.iterations < floor.iterations {
            return Err(ConfigError {
                name: "ROSTER_ARGON2_MEMORY_KIB",
                problem: "Argon2id below the OWASP floor (19456 KiB, 2 iterations)".to_owned(),
            });
        }
        // Roster refuses to verify hashes above the caps (an imported hash could otherwise stall
        // sign-in), so its own hashes must stay within them.
        for (name, value, cap) in [
            (
                "ROSTER_ARGON2_MEMORY_KIB",
                hash_cost.memory_kib,
                caps::ARGON2_MAX_MEMORY_KIB,
            ),
            (
                "ROSTER_ARGON2_ITERATIONS",
                hash_cost.iterations,
                caps::ARGON2_MAX_ITERATIONS,
            ),
            (
                "ROSTER_ARGON2_PARALLELISM",
                hash_cost.parallelism,
                caps::ARGON2_MAX_PARALLELISM,
            ),
        ] {
            if value > cap {
                return Err(ConfigError {
                    name,
                    problem: format!("at most {cap}, got {value}"),
                });
            }
        }
        let smtp = match get("ROSTER_SMTP_HOST") {
            None => None,
            Some(host) => {
                let security = match text("ROSTER_SMTP_TLS", "starttls")
                    .to_ascii_lowercase()
                    .as_str()
                {
                    "starttls" => SmtpSecurity::StartTls,
                    "tls" => SmtpSecurity::Tls,
                    "none" => SmtpSecurity::None,
                    other => {
                        return Err(ConfigError {
                            name: "ROSTER_SMTP_TLS",
                            problem: format!("expected starttls, tls or none, got {other:?}"),
                        });
                    }
                };
                let default_port = match security {
                    SmtpSecurity::Tls => 465,
                    SmtpSecurity::StartTls => 587,
                    SmtpSecurity::None => 25,
                };
                let from = get("ROSTER_SMTP_FROM").ok_or_else(|| ConfigError {
                    name: "ROSTER_SMTP_FROM",
                    problem: "needed when ROSTER_SMTP_HOST is set".to_owned(),
                })?;
                Some(SmtpSettings {
                    host,
                    port: number("ROSTER_SMTP_PORT", get("ROSTER_SMTP_PORT"), default_port)?,
                    security,
                    username: get("ROSTER_SMTP_USERNAME"),
                    password: get("ROSTER_SMTP_PASSWORD"),
                    from,
                })
            }
        };
        let sms_webhook = match get("ROSTER_SMS_WEBHOOK_URL") {
            None => None,
            Some(raw) => {
                let url = Url::parse(&raw)
                    .ok()
                    .filter(|url| matches!(url.scheme(), "http" | "https"))
                    .ok_or_else(|| ConfigError {
                        name: "ROSTER_SMS_WEBHOOK_URL",
                        problem: format!("expected an http or https URL, got {raw:?}"),
                    })?;
                Some(WebhookSettings {
                    url,
                    authorization: get("ROSTER_SMS_WEBHOOK_AUTHORIZATION"),
                })
            }
        };
        Ok(Config {
            database_url: text("ROSTER_DATABASE_URL", DEFAULT_DATABASE_URL),
            db_max_connections: number(
                "ROSTER_DB_MAX_CONNECTIONS",
                get("ROSTER_DB_MAX_CONNECTIONS"),
                10,
            )?,
            listen,
            public_url,
            org_name: text("ROSTER_ORG_NAME", "Default"),
            admin_username: text("ROSTER_ADMIN_USERNAME", "admin"),
            admin_password: get("ROSTER_ADMIN_PASSWORD").map(SecretString),
            admin_email: text("ROSTER_ADMIN_EMAIL", "admin@localhost"),
            outbox_dir: PathBuf::from(text("ROSTER_OUTBOX_DIR", "./data/outbox")),
            bootstrap_pat_path: get("ROSTER_BOOTSTRAP_PAT_PATH").map(PathBuf::from),
            bootstrap_pat_role,
            secret_key,
            site_root: PathBuf::from(
                get("ROSTER_SITE_ROOT")
                    .or_else(|| get("LEPTOS_SITE_ROOT"))
                    .unwrap_or_else(|| "target/site".to_owned()),
            ),
            log_filter: text("ROSTER_LOG", "info"),
            log_format,
            password_policy: PasswordPolicy {
                min_length,
                require_lower: parse_bool("ROSTER_PASSWORD_REQUIRE_LOWERCASE", false)?,
                require_upper: parse_bool("ROSTER_PASSWORD_REQUIRE_UPPERCASE", false)?,
                require_number: parse_bool("ROSTER_PASSWORD_REQUIRE_NUMBER", false)?,
                require_symbol: parse_bool("ROSTER_PASSWORD_REQUIRE_SYMBOL", false)?,
            },
            hash_cost,
            run_outbox_worker: parse_bool("ROSTER_OUTBOX_WORKER", true)?,
            smtp,
            sms_webhook,
            lockout_max_password_attempts: number(
                "ROSTER_LOCKOUT_MAX_PASSWORD_ATTEMPTS",
                get("ROSTER_LOCKOUT_MAX_PASSWORD_ATTEMPTS"),
                // NIST SP 800-63B 5.2.2: at most 100 consecutive failures. (ZITADEL's default, 0,
                // would never lock.)
                100,
            )?,
            lockout_max_otp_attempts: number(
                "ROSTER_LOCKOUT_MAX_OTP_ATTEMPTS",
                get("ROSTER_LOCKOUT_MAX_OTP_ATTEMPTS"),
                100,
            )?,
            max_open_passkey_sign_ins: number(
                "ROSTER_MAX_OPEN_PASSKEY_SIGN_INS",
                get("ROSTER_MAX_OPEN_PASSKEY_SIGN_INS"),
                // One per sign-in page load (the autofill offer) for five minutes: room for
                // about 30 page loads a second, a few MB of rows at most.
                10_000,
            )?,
            product_name: text("ROSTER_PRODUCT_NAME", "Roster"),
            sessions,
        })
    }

    /// Whether links and cookies are for https.
    pub fn is_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// The origin browsers send in `Origin` (scheme, host and port of the public URL).
    pub fn public_origin(&self) -> String {
        self.public_url.origin().ascii_serialization()
    }
}

fn parse_public_url(value: &str) -> Result<Url, ConfigError> {
    let error = |problem: &str| ConfigError {
        name: "ROSTER_PUBLIC_URL",
        problem: format!("{problem}: {value:?}"),
    };
    let url = Url::parse(value).map_err(|_| error("not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(error("must be an http or https URL with a host"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(error("must not have a path, query or fragment"));
    }
    Ok(url)
}

fn parse_key(value: &str) -> Result<SecretKey, ConfigError> {
    let value = value.trim();
    let error = || ConfigError {
        name: "ROSTER_SECRET_KEY",
        problem: "expected 64 hex characters (32 bytes)".to_owned(),
    };
    // Only ASCII hex digits, checked first: slicing non-ASCII text by bytes would panic, and
    // `from_str_radix` would take a sign (`+f`).
    if value.len() != 64 || !value.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return Err(error());
    }
    let mut key = [0_u8; 32];
    for (index, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&value[index * 2..index * 2 + 2], 16).map_err(|_| error())?;
    }
    Ok(SecretKey(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_run_locally_on_sqlite() {
        let config = config(&[]).unwrap();
        assert_eq!(config.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(config.listen.to_string(), "127.0.0.1:3000");
        assert_eq!(config.public_origin(), "http://localhost:3000");
        assert_eq!(config.admin_username, "admin");
        assert!(config.admin_password.is_none());
        assert_eq!(config.password_policy, PasswordPolicy::default());
        assert!(!config.is_https());
    }

    #[test]
    fn session_limits_default_to_security_md_and_stay_in_bounds() {
        let defaults = config(&[]).unwrap().sessions;
        assert_eq!(defaults.idle.as_secs(), 30 * 60);
        assert_eq!(defaults.absolute.as_secs(), 12 * 3600);
        assert_eq!(defaults.reauth.as_secs(), 10 * 60);
        let set = config(&[
            ("ROSTER_SESSION_IDLE_SECS", "900"),
            ("ROSTER_SESSION_ABSOLUTE_SECS", "3600"),
            ("ROSTER_REAUTH_WINDOW_SECS", "120"),
        ])
        .unwrap()
        .sessions;
        assert_eq!(
            (
                set.idle.as_secs(),
                set.absolute.as_secs(),
                set.reauth.as_secs()
            ),
            (900, 3600, 120)
        );
        for (name, value) in [
            // Re-authentication may not be older than 10 minutes (security.md).
            ("ROSTER_REAUTH_WINDOW_SECS", "601"),
            ("ROSTER_REAUTH_WINDOW_SECS", "0"),
            ("ROSTER_SESSION_ABSOLUTE_SECS", "59"),
            ("ROSTER_SESSION_IDLE_SECS", "soon"),
            // Idle longer than the absolute end means nothing.
            ("ROSTER_SESSION_IDLE_SECS", "50000"),
        ] {
            assert_eq!(config(&[(name, value)]).unwrap_err().name, name, "{value}");
        }
    }

    #[test]
    fn bad_settings_are_named() {
        assert_eq!(
            config(&[("ROSTER_LISTEN", "nowhere")]).unwrap_err().name,
            "ROSTER_LISTEN"
        );
        assert_eq!(
            config(&[("ROSTER_PUBLIC_URL", "http://localhost:3000/app")])
                .unwrap_err()
                .name,
            "ROSTER_PUBLIC_URL"
        );
        assert_eq!(
            config(&[("ROSTER_SECRET_KEY", "abc")]).unwrap_err().name,
            "ROSTER_SECRET_KEY"
        );
        assert_eq!(
            config(&[("ROSTER_BOOTSTRAP_PAT_ROLE", "GOD")])
                .unwrap_err()
                .name,
            "ROSTER_BOOTSTRAP_PAT_ROLE"
        );
        assert_eq!(
            config(&[("ROSTER_ARGON2_MEMORY_KIB", "1024")])
                .unwrap_err()
                .name,
            "ROSTER_ARGON2_MEMORY_KIB"
        );
        for (name, too_much) in [
            ("ROSTER_ARGON2_MEMORY_KIB", "262145"),
            ("ROSTER_ARGON2_ITERATIONS", "11"),
            ("ROSTER_ARGON2_PARALLELISM", "17"),
        ] {
            assert_eq!(config_error(&[(name, too_much)]), name);
        }
        let at_caps = config(&[
            ("ROSTER_ARGON2_MEMORY_KIB", "262144"),
            ("ROSTER_ARGON2_ITERATIONS", "10"),
            ("ROSTER_ARGON2_PARALLELISM", "16"),
        ])
        .unwrap();
        assert_eq!(at_caps.hash_cost.memory_kib, 262_144);
    }

    #[test]
    fn secrets_are_redacted_in_debug_output() {
        let config = config(&[
            ("ROSTER_ADMIN_PASSWORD", "correct horse battery"),
            ("ROSTER_SECRET_KEY", &"ab".repeat(32)),
            ("ROSTER_SMTP_HOST", "mail.example.com"),
            ("ROSTER_SMTP_FROM", "Roster <roster@example.com>"),
            ("ROSTER_SMTP_USERNAME", "roster"),
            ("ROSTER_SMTP_PASSWORD", "smtp-secret-value"),
            (
                "ROSTER_SMS_WEBHOOK_URL",
                "https://sms:url-secret-value@sms.example.com/send",
            ),
            (
                "ROSTER_SMS_WEBHOOK_AUTHORIZATION",
                "Bearer webhook-secret-value",
            ),
        ])
        .unwrap();
        let printed = format!("{config:?}");
        for secret in [
            "correct horse",
            "abab",
            "smtp-secret-value",
            "webhook-secret-value",
            "url-secret-value",
        ] {
            assert!(!printed.contains(secret), "{secret} leaked");
        }
    }

    #[test]
    fn a_secret_key_that_is_not_hex_is_an_error_not_a_panic() {
        for bad in [
            format!("{}a", "\u{20ac}".repeat(21)),
            "\u{e9}".repeat(32),
            format!("{}\u{e9}", "a".repeat(62)),
            format!("+f{}", "a".repeat(62)),
            "g".repeat(64),
        ] {
            assert_eq!(bad.len(), 64, "{bad}");
            let error = config(&[("ROSTER_SECRET_KEY", &bad)]).unwrap_err();
            assert_eq!(error.name, "ROSTER_SECRET_KEY", "{bad}");
        }
        let good = config(&[("ROSTER_SECRET_KEY", &format!("{}0F", "a".repeat(62)))]).unwrap();
        let SecretKeySource::Value(SecretKey(key)) = good.secret_key else {
            panic!("a key from the value");
        };
        assert_eq!((key[0], key[31]), (0xaa, 0x0f));
    }

    #[test]
    fn the_database_password_is_redacted_in_debug_output() {
        let config = config(&[(
            "ROSTER_DATABASE_URL",
            "postgres://roster:db-secret-value@db.example.com:5432/roster?sslmode=require",
        )])
        .unwrap();
        let printed = format!("{config:?}");
        assert!(!printed.contains("db-secret-value"), "{printed}");
        assert!(
            printed
                .contains("postgres://roster:redacted@db.example.com:5432/roster?sslmode=require"),
            "{printed}"
        );
        for (url, shown) in [
            (
                "postgres://db.example.com/roster?user=roster&password=db-secret-value",
                "postgres://db.example.com/roster?user=roster&password=redacted",
            ),
            (
                "postgres://roster@localhost/roster",
                "postgres://roster@localhost/roster",
            ),
            ("sqlite://./data/roster.db", "sqlite://./data/roster.db"),
            (
                "not a url:db-secret-value@host",
                "(unparsable URL, redacted)",
            ),
        ] {
            assert_eq!(redact_url(url), shown);
        }
    }

    #[test]
    fn smtp_needs_a_sender_and_picks_the_port_by_security() {
        let config = config(&[
            ("ROSTER_SMTP_HOST", "mail.example.com"),
            ("ROSTER_SMTP_FROM", "roster@example.com"),
            ("ROSTER_SMTP_TLS", "tls"),
        ])
        .unwrap();
        let smtp = config.smtp.unwrap();
        assert_eq!((smtp.port, smtp.security), (465, SmtpSecurity::Tls));
        assert_eq!(
            Config::from_lookup(|name| (name == "ROSTER_SMTP_HOST").then(|| "h".to_owned()))
                .unwrap_err()
                .name,
            "ROSTER_SMTP_FROM"
        );
        assert_eq!(
            config_error(&[("ROSTER_SMS_WEBHOOK_URL", "ftp://x")]),
            "ROSTER_SMS_WEBHOOK_URL"
        );
        assert_eq!(
            config_error(&[
                ("ROSTER_SMTP_HOST", "h"),
                ("ROSTER_SMTP_FROM", "a@b"),
                ("ROSTER_SMTP_TLS", "ssl3")
            ]),
            "ROSTER_SMTP_TLS"
        );
    }

    fn config_error(pairs: &[(&str, &str)]) -> &'static str {
        config(pairs).unwrap_err().name
    }
}
