//! Where messages go: SMTP for mail and an HTTP webhook for SMS when configured, otherwise the
//! file sink (one file per message), the default for local use.

use crate::store::outbox::OutboxRow;
use std::path::PathBuf;

/// Delivers one message; an `Err` is retried later with backoff.
#[async_trait::async_trait]
pub trait Sink: Send + Sync + std::fmt::Debug {
    async fn deliver(&self, message: &OutboxRow) -> Result<(), String>;
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
    async fn deliver(&self, message: &OutboxRow) -> Result<(), String> {
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
            .map_err(|error| format!("cannot rename {}: {error}", temporary.display()))
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
    async fn deliver(&self, message: &OutboxRow) -> Result<(), String> {
        match message.channel.as_str() {
            "sms" => self.sms.deliver(message).await,
            _ => self.email.deliver(message).await,
        }
    }
}
