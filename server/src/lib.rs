//! Roster's server: persistence, credentials, notifications, the REST API and the SSR host.
//!
//! [`build_app`] turns a [`Config`] into a ready [`Roster`] (database migrated, instance
//! bootstrapped, router built); `main` serves it, and the in-process tests call it directly.

#![recursion_limit = "512"]

pub mod backend;
pub mod config;
pub mod domain;
pub mod notify;
pub mod store;
pub mod web;

use anyhow::Context as _;
use axum::Router;
use config::{Config, SecretKey, SecretKeySource};
use domain::bootstrap::{BootstrapReport, BootstrapSettings};
use domain::clock::{Clock, SystemClock};
use domain::codes::CodeHasher;
use domain::password::Hasher;
use domain::{Dependencies, Services};
use leptos::config::LeptosOptions;
use notify::sink::{ChannelSink, FileSink, NoProvider, Sink};
use notify::sms::WebhookSink;
use notify::smtp::SmtpSink;
use notify::worker::Worker;
use rand::RngCore as _;
use std::path::Path;
use std::sync::Arc;
use store::Db;
use web::{CookieSettings, WebState};

/// A built Roster, ready to serve.
#[derive(Debug)]
pub struct Roster {
    pub router: Router,
    pub services: Services,
    pub bootstrap: BootstrapReport,
    /// The outbox worker; `main` spawns [`Worker::run`], tests call `deliver_due`.
    pub worker: Worker,
}

/// Builds Roster with the real clock.
pub async fn build_app(config: Config) -> anyhow::Result<Roster> {
    build_app_with_clock(config, Arc::new(SystemClock)).await
}

/// Builds Roster with a given clock (tests move time by hand).
pub async fn build_app_with_clock(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<Roster> {
    let database_dir = sqlite_path(&config.database_url)
        .and_then(|path| Path::new(path).parent())
        .filter(|parent| !parent.as_os_str().is_empty());
    if let Some(dir) = database_dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the database directory {}", dir.display()))?;
    }
    let db = Db::connect(&config.database_url, config.db_max_connections)
        .await
        .context("connecting to the database (ROSTER_DATABASE_URL)")?;
    db.migrate().await.context("applying database migrations")?;
    let key = load_secret_key(&config.secret_key)?;
    let parallel_hashes = std::thread::available_parallelism().map_or(2, |cores| cores.get() * 2);
    let sessions = config.sessions;
    let rp_id = config
        .public_url
        .host_str()
        .context("ROSTER_PUBLIC_URL has no host")?
        .to_owned();
    let webauthn = webauthn_rs::WebauthnBuilder::new(&rp_id, &config.public_url)
        .and_then(|builder| builder.rp_name(&config.product_name).build())
        .map_err(|error| {
            anyhow::anyhow!("WebAuthn relying party from ROSTER_PUBLIC_URL: {error}")
        })?;
    let services = Services::new(Dependencies {
        db: db.clone(),
        clock: clock.clone(),
        hasher: Hasher::new(config.hash_cost, parallel_hashes)
            .map_err(|error| anyhow::anyhow!("password hasher: {error}"))?,
        codes: CodeHasher::new(key.0),
        policy: config.password_policy.clone(),
        public_url: config.public_url.clone(),
        sessions,
        secure_cookies: config.is_https(),
        lockout_max_password_attempts: config.lockout_max_password_attempts,
        lockout_max_otp_attempts: config.lockout_max_otp_attempts,
        max_open_passkey_sign_ins: config.max_open_passkey_sign_ins,
        webauthn: Arc::new(webauthn),
        webauthn_rp_name: config.product_name.clone(),
        secrets: domain::secrets::SecretBox::new(&key.0),
    });
    let bootstrap = services
        .bootstrap(&BootstrapSettings {
            org_name: config.org_name.clone(),
            admin_username: config.admin_username.clone(),
            admin_password: config
                .admin_password
                .as_ref()
                .map(|secret| secret.0.clone()),
            admin_email: config.admin_email.clone(),
            pat_path: config.bootstrap_pat_path.clone(),
            pat_role: config.bootstrap_pat_role,
        })
        .await
        .map_err(|error| {
            anyhow::anyhow!("bootstrapping the first admin (ROSTER_ADMIN_*): {error}")
        })?;
    let worker = Worker {
        db,
        clock,
        sink: Arc::new(sinks(&config)?),
        wakeup: services.outbox_wakeup(),
    };
    let leptos_options = LeptosOptions::builder()
        .output_name("roster")
        .site_root(config.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(config.listen)
        .build();
    let router = web::router(
        WebState {
            services: services.clone(),
            cookies: CookieSettings::new(config.is_https(), sessions.absolute.as_secs()),
            public_origin: config.public_origin(),
        },
        leptos_options,
    );
    Ok(Roster {
        router,
        services,
        bootstrap,
        worker,
    })
}

/// Mail through SMTP and SMS through the webhook when configured. With neither configured
/// (pure local mode) both go to the file sink; with only one, the other channel's messages
/// are dropped and recorded as failed, so no message silently lands on disk in production
/// (contract 4.4: the API call succeeds and the notification is dropped).
fn sinks(config: &Config) -> anyhow::Result<ChannelSink> {
    if config.smtp.is_none() && config.sms_webhook.is_none() {
        let files: Arc<dyn Sink> = Arc::new(FileSink::new(config.outbox_dir.clone()));
        return Ok(ChannelSink {
            email: files.clone(),
            sms: files,
        });
    }
    let email: Arc<dyn Sink> = match &config.smtp {
        Some(settings) => Arc::new(
            SmtpSink::new(settings).map_err(|error| anyhow::anyhow!("SMTP settings: {error}"))?,
        ),
        None => {
            tracing::warn!("no SMTP server configured: mails will be dropped");
            Arc::new(NoProvider {
                reason: "no email provider configured",
            })
        }
    };
    let sms: Arc<dyn Sink> = match &config.sms_webhook {
        Some(settings) => Arc::new(
            WebhookSink::new(settings.clone())
                .map_err(|error| anyhow::anyhow!("SMS webhook settings: {error}"))?,
        ),
        None => {
            tracing::warn!("no SMS webhook configured: SMS will be dropped");
            Arc::new(NoProvider {
                reason: "no SMS provider configured",
            })
        }
    };
    Ok(ChannelSink { email, sms })
}

/// The file path inside a SQLite URL (`sqlite://./data/roster.db` → `./data/roster.db`).
fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite:")?;
    let path = rest.strip_prefix("//").unwrap_or(rest);
    let path = path.split('?').next().unwrap_or(path);
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// The configured key, or the key file's content (created with a random key the first time).
fn load_secret_key(source: &SecretKeySource) -> anyhow::Result<SecretKey> {
    match source {
        SecretKeySource::Value(key) => Ok(key.clone()),
        SecretKeySource::File(path) => {
            if let Ok(bytes) = std::fs::read(path) {
                let key: [u8; 32] = bytes
                    .get(..32)
                    .and_then(|slice| slice.try_into().ok())
                    .with_context(|| format!("{} must hold 32 bytes", path.display()))?;
                return Ok(SecretKey(key));
            }
            let mut key = [0_u8; 32];
            rand::rng().fill_bytes(&mut key);
            if let Some(parent) = path
                .parent()
                .filter(|parent| !parent.as_os_str().is_empty())
            {
                std::fs::create_dir_all(parent)?;
            }
            write_private(path, &key)
                .with_context(|| format!("creating the secret key file {}", path.display()))?;
            Ok(SecretKey(key))
        }
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::{sinks, sqlite_path};
    use crate::config::Config;

    /// Which sink each channel got, by its debug form.
    fn channels(settings: &[(&str, &str)]) -> (String, String) {
        let config = Config::from_lookup(|name| {
            settings
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
        .unwrap();
        let sink = sinks(&config).unwrap();
        (format!("{:?}", sink.email), format!("{:?}", sink.sms))
    }

    #[test]
    fn the_file_sink_serves_only_pure_local_mode() {
        let (email, sms) = channels(&[]);
        assert!(email.starts_with("FileSink") && sms.starts_with("FileSink"));
        let (email, sms) = channels(&[
            ("ROSTER_SMTP_HOST", "mail.example.com"),
            ("ROSTER_SMTP_FROM", "roster@example.com"),
        ]);
        assert!(email.starts_with("SmtpSink"), "{email}");
        assert!(sms.contains("no SMS provider configured"), "{sms}");
        let (email, sms) = channels(&[("ROSTER_SMS_WEBHOOK_URL", "https://sms.example.com/send")]);
        assert!(email.contains("no email provider configured"), "{email}");
        assert!(sms.starts_with("WebhookSink"), "{sms}");
    }

    #[test]
    fn sqlite_paths_are_found_in_urls() {
        assert_eq!(
            sqlite_path("sqlite://./data/roster.db"),
            Some("./data/roster.db")
        );
        assert_eq!(sqlite_path("sqlite:/tmp/x.db?mode=rwc"), Some("/tmp/x.db"));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://localhost/roster"), None);
    }
}
