//! Use cases, rules, authorization, transactions and audit events. No HTTP, no Leptos.
//!
//! Inside every use case the order is: authorize the actor → parse input → begin a transaction →
//! load → apply the rule → write the change, its events and any outbox message → commit.

pub mod authz;
pub mod avatar_image;
pub mod avatars;
pub mod bootstrap;
pub mod clock;
pub mod codes;
pub mod contact;
pub mod error;
mod events;
pub mod factors;
pub mod history;
pub mod ids;
pub mod messages;
mod messaging;
pub mod orgs;
pub mod password;
pub mod passwords;
pub mod secrets;
pub mod service_accounts;
pub mod sessions;
pub mod users;
pub mod values;

pub use error::{DomainError, Fault};
pub use messaging::PasskeyLink;

use crate::store::Db;
use clock::Clock;
use codes::CodeHasher;
use password::{Hasher, PasswordPolicy};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use url::Url;

/// How long sessions live (security.md: idle 30 min, absolute 12 h, re-auth within 10 min).
#[derive(Clone, Copy, Debug)]
pub struct SessionLimits {
    pub idle: Duration,
    pub absolute: Duration,
    pub reauth: Duration,
}

impl Default for SessionLimits {
    fn default() -> Self {
        SessionLimits {
            idle: Duration::from_secs(30 * 60),
            absolute: Duration::from_secs(12 * 3600),
            reauth: Duration::from_secs(10 * 60),
        }
    }
}

/// Everything the use cases need, built once at start.
#[derive(Debug)]
pub struct Dependencies {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub hasher: Hasher,
    pub codes: CodeHasher,
    pub policy: PasswordPolicy,
    /// The only base for links in mails and responses (decision D6).
    pub public_url: Url,
    pub sessions: SessionLimits,
    /// Whether cookies get `Secure` and the `__Host-` prefix (public URL is https).
    pub secure_cookies: bool,
    /// Failed password checks after which an account is locked (0: never).
    pub lockout_max_password_attempts: i64,
    /// Wrong second-factor codes after which an account is locked (0: never).
    pub lockout_max_otp_attempts: i64,
    /// Passkey sign-ins without a session that may be open at once.
    pub max_open_passkey_sign_ins: i64,
    /// WebAuthn relying party: id and origin from the public URL.
    pub webauthn: Arc<webauthn_rs::Webauthn>,
    /// Shown in authenticator apps and passkey prompts.
    pub webauthn_rp_name: String,
    /// Encrypts TOTP secrets at rest.
    pub secrets: secrets::SecretBox,
}

/// The domain services: cheap to clone, shared by the SPA backend and the REST API.
#[derive(Clone, Debug)]
pub struct Services {
    inner: Arc<Dependencies>,
    outbox_wakeup: Arc<Notify>,
}

impl Services {
    pub fn new(dependencies: Dependencies) -> Services {
        Services {
            inner: Arc::new(dependencies),
            outbox_wakeup: Arc::new(Notify::new()),
        }
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn now(&self) -> i64 {
        self.inner.clock.now()
    }

    pub fn public_url(&self) -> &Url {
        &self.inner.public_url
    }

    pub(crate) fn deps(&self) -> &Dependencies {
        &self.inner
    }

    /// Woken after a commit that queued a message, so the worker need not wait for its poll.
    pub fn outbox_wakeup(&self) -> Arc<Notify> {
        self.outbox_wakeup.clone()
    }

    /// Builds a link under the public URL with query parameters.
    pub(crate) fn link(&self, path: &str, query: &[(&str, &str)]) -> String {
        let mut url = self.inner.public_url.clone();
        url.set_path(path);
        url.set_query(None);
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (key, value) in query {
                pairs.append_pair(key, value);
            }
        }
        url.to_string()
    }
}
