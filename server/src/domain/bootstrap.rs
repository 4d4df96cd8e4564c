//! First start: the instance, its default organisation, the first admin and, on request, a
//! service account whose token is written to a file for scripts.

use super::Services;
use super::error::DomainError;
use super::events::UserChange;
use super::ids::new_id;
use super::password::PasswordContext;
use super::service_accounts::NewServiceAccount;
use super::values::{EmailAddress, Username};
use crate::store::users::NewUser;
use crate::store::{memberships, orgs, users};
use app::model::{OrgId, Role, UserState};
use rand::Rng as _;
use serde_json::json;
use std::path::{Path, PathBuf};

/// What the first start creates.
#[derive(Clone, Debug)]
pub struct BootstrapSettings {
    pub org_name: String,
    pub admin_username: String,
    /// `None`: generate a one-time password that must be changed at first sign-in.
    pub admin_password: Option<String>,
    pub admin_email: String,
    /// Where to write the bootstrap service account's token, if one is wanted.
    pub pat_path: Option<PathBuf>,
    pub pat_role: Role,
}

/// What happened at start.
#[derive(Debug, Default)]
pub struct BootstrapReport {
    /// This start created the instance.
    pub created: bool,
    pub admin_username: String,
    /// The generated one-time password, to print once.
    pub generated_password: Option<String>,
    pub pat_written_to: Option<PathBuf>,
}

/// 20 characters without look-alikes (~115 bits).
fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

impl Services {
    /// Creates the instance on the first start; later starts (and instances racing on one
    /// PostgreSQL) find it and change nothing.
    pub async fn bootstrap(
        &self,
        settings: &BootstrapSettings,
    ) -> Result<BootstrapReport, DomainError> {
        {
            let mut conn = self.db().conn().await?;
            if orgs::default_org_id(conn.exec()).await?.is_some() {
                if settings.pat_path.is_some() {
                    tracing::warn!(
                        "ROSTER_BOOTSTRAP_PAT_PATH is only used at the first start; ignored"
                    );
                }
                return Ok(BootstrapReport {
                    admin_username: settings.admin_username.clone(),
                    ..BootstrapReport::default()
                });
            }
        }
        let username = Username::parse(&settings.admin_username)?;
        let email = EmailAddress::parse(&settings.admin_email)?;
        let generated = settings.admin_password.is_none().then(one_time_password);
        let password = settings
            .admin_password
            .clone()
            .or_else(|| generated.clone())
            .unwrap_or_default();
        if settings.admin_password.is_some() {
            let context = PasswordContext::of_user(username.as_str(), email.as_str(), ["", "", ""]);
            self.deps().policy.check(&password, &context)?;
        }
        let hash = self.deps().hasher.hash(&password).await?;

        let now = self.now();
        let org_id = new_id(now);
        let admin_id = new_id(now);
        let mut tx = self.db().begin().await?;
        if !orgs::claim_instance(tx.exec(), &org_id, now).await? {
            return Ok(BootstrapReport {
                admin_username: settings.admin_username.clone(),
                ..BootstrapReport::default()
            });
        }
        orgs::insert(tx.exec(), &org_id, &settings.org_name, now).await?;
        let mut change = UserChange::new(&admin_id, 0, now, None);
        change.push(
            "user.human.added",
            json!({ "userName": username.as_str(), "email": email.as_str(), "bootstrap": true }),
        );
        change.push("user.human.email.verified", json!({}));
        change.push(
            "user.membership.added",
            json!({ "role": Role::IamOwner.as_str() }),
        );
        let stamp = change.stamp();
        users::insert(
            tx.exec(),
            &NewUser {
                id: &admin_id,
                org_id: &org_id,
                kind: "human",
                username: username.as_str(),
                username_key: &username.key(),
                state: i32::from(UserState::Active.as_number()),
                first_name: "Roster",
                last_name: "Administrator",
                nick_name: "",
                display_name: "Roster Administrator",
                preferred_language: "und",
                gender: 0,
                email: email.as_str(),
                email_key: &email.key(),
                email_verified: true,
                phone: None,
                phone_verified: false,
                password_hash: Some(&hash),
                password_change_required: generated.is_some(),
                sequence: stamp.sequence,
                created_at: now,
            },
        )
        .await?;
        change.write(&mut tx).await?;
        memberships::insert(tx.exec(), &admin_id, "", Role::IamOwner.as_str(), now).await?;

        let pat = match &settings.pat_path {
            Some(path) => {
                let account = NewServiceAccount {
                    username: "roster-bootstrap".to_owned(),
                    name: "Bootstrap service account".to_owned(),
                    role: settings.pat_role,
                    org_id: OrgId(org_id.clone()),
                };
                let (_, token) = self.insert_service_account(&mut tx, &account, None).await?;
                Some((path.clone(), token))
            }
            None => None,
        };
        // The token file is written before the commit: when it cannot be, the transaction rolls
        // back, so no service account is left whose token nobody has, and the next start (which
        // would ignore ROSTER_BOOTSTRAP_PAT_PATH once the instance exists) tries again.
        if let Some((path, token)) = &pat {
            write_secret_file(path, token).await.map_err(|error| {
                DomainError::internal(format!(
                    "ROSTER_BOOTSTRAP_PAT_PATH: could not write the bootstrap token to {}: {error}; \
                     nothing was created",
                    path.display()
                ))
            })?;
        }
        if let Err(error) = tx.commit().await {
            if let Some((path, _)) = &pat {
                // The token in the file was never valid.
                let _ = tokio::fs::remove_file(path).await;
            }
            return Err(error.into());
        }
        tracing::info!(org_id = %org_id, admin = username.as_str(), "instance bootstrapped");

        let pat_written_to = pat.map(|(path, _)| path);
        Ok(BootstrapReport {
            created: true,
            admin_username: username.as_str().to_owned(),
            generated_password: generated,
            pat_written_to,
        })
    }
}

/// Writes a secret readable by the owner only, into a new file: an existing file is never
/// overwritten (it may belong to something else). A file this call created is removed again when
/// writing fails, so no half-written token is left behind.
async fn write_secret_file(path: &Path, secret: &str) -> std::io::Result<()> {
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        tokio::fs::create_dir_all(parent).await?;
    }
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let file = options.open(path).await?;
    let written = write_all_and_sync(file, secret).await;
    if written.is_err() {
        let _ = tokio::fs::remove_file(path).await;
    }
    written
}

async fn write_all_and_sync(mut file: tokio::fs::File, secret: &str) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt as _;
    file.write_all(secret.as_bytes()).await?;
    file.write_all(b"\n").await?;
    file.flush().await?;
    // On disk before the transaction that makes the token valid commits.
    file.sync_all().await
}
