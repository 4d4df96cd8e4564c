//! Where messages go: SMTP for mail and an HTTP webhook for SMS when configured. With neither
//! configured (local use) both go to the file sink (one file per message); with only one
//! configured, messages of the other channel are dropped (contract 4.4).

use crate::store::outbox::OutboxRow;
use std::fmt;
use std::path::PathBuf;

/// Why a message was not delivered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Undelivered {
    /// Worth another attempt later (provider down or refusing for now): retried with backoff.
    Retry(String),
    /// No attempt can ever deliver it (no provider for its channel): failed at once.
    Drop(String),
}

impl From<String> for Undelivered {
    fn from(reason: String) -> Undelivered {
        Undelivered::Retry(reason)
    }
}

impl fmt::Display for Undelivered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Undelivered::Retry(reason) | Undelivered::Drop(reason) => f.write_str(reason),
        }
    }
}

/// Delivers one message.
#[async_trait::async_trait]
pub trait Sink: Send + Sync + fmt::Debug {
    async fn deliver(&self, message: &OutboxRow) -> Result<(), Undelivered>;
}

/// The sink of a channel without a provider while the other channel has one: its messages are
/// dropped, logged and recorded as failed with the reason.
#[derive(Debug, Clone, Copy)]
pub struct NoProvider {
    pub reason: &'static str,
}

#[async_trait::async_trait]
impl Sink for NoProvider {
    async fn deliver(&self, message: &OutboxRow) -> Result<(), Undelivered> {
        tracing::warn!(id = %message.id, template = %message.template, channel = %message.channel, reason = self.reason, "message dropped");
        Err(Undelivered::Drop(self.reason.to_owned()))
    }
}

/// Writes each message as a text file into a directory (`ROSTER_OUTBOX_DIR`).
#[derive(Debug, Clone)]
pub struct FileSink {
    dir: PathBuf,
}

impl FileSink {
    pub fn new(dir: PathBuf) -> FileSink {
        FileSink { dir }
    }
}

#[async_trait::async_trait]
impl Sink for FileSink {
    async fn deliver(&self, message: &OutboxRow) -> Result<(), Undelivered> {
        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(|error| format!("cannot create {}: {error}", self.dir.display()))?;
        let name = format!(
            "{}-{}-{}.txt",
            message.created_at, message.id, message.template
        );
        let text = format!(
            "To: {}\nChannel: {}\nSubject: {}\nTemplate: {}\nDate: {}\n\n{}",
            message.recipient,
            message.channel,
            message.subject,
            message.template,
            crate::domain::clock::rfc3339(message.created_at),
            message.body
        );
        // Written under a temporary name and renamed, so readers never see half a message.
        let temporary = self.dir.join(format!(".{name}.partial"));
        tokio::fs::write(&temporary, text)
            .await
            .map_err(|error| format!("cannot write {}: {error}", temporary.display()))?;
        tokio::fs::rename(&temporary, self.dir.join(&name))
            .await
            .map_err(|error| format!("cannot rename {}: {error}", temporary.display()).into())
    }
}

/// Sends each message through the sink of its channel.
#[derive(Debug, Clone)]
pub struct ChannelSink {
    pub email: std::sync::Arc<dyn Sink>,
    pub sms: std::sync::Arc<dyn Sink>,
}

#[async_trait::async_trait]
impl Sink for ChannelSink {
    async fn deliver(&self, message: &OutboxRow) -> Result<(), Undelivered> {
        match message.channel.as_str() {
            "sms" => self.sms.deliver(message).await,
            _ => self.email.deliver(message).await,
        }
    }
}
