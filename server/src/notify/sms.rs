//! SMS delivery through an HTTP webhook: a JSON POST with the recipient and the text.

use super::sink::{Sink, Undelivered};
use crate::store::outbox::OutboxRow;
use std::fmt;
use std::time::Duration;

/// Webhook settings (`ROSTER_SMS_WEBHOOK_URL`, `ROSTER_SMS_WEBHOOK_AUTHORIZATION`).
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSettings {
    pub url: url::Url,
    /// Sent as the `Authorization` header when set.
    pub authorization: Option<String>,
}

impl fmt::Debug for WebhookSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookSettings")
            .field("url", &crate::config::redact_url(self.url.as_str()))
            .field(
                "authorization",
                &self.authorization.as_ref().map(|_| "redacted"),
            )
            .finish()
    }
}

/// Posts `{"to": "+41…", "text": "…"}` to the webhook; any 2xx answer counts as sent.
#[derive(Clone, Debug)]
pub struct WebhookSink {
    client: reqwest::Client,
    settings: WebhookSettings,
}

impl WebhookSink {
    pub fn new(settings: WebhookSettings) -> Result<WebhookSink, String> {
        let client = reqwest::Client::builder()
            // Well inside the worker's claim lease, so a slow webhook cannot cause a double send.
            .timeout(Duration::from_secs(20))
            .build()
            .map_err(|error| error.to_string())?;
        Ok(WebhookSink { client, settings })
    }
}

#[async_trait::async_trait]
impl Sink for WebhookSink {
    async fn deliver(&self, message: &OutboxRow) -> Result<(), Undelivered> {
        let mut request = self
            .client
            .post(self.settings.url.clone())
            .json(&serde_json::json!({ "to": message.recipient, "text": message.body }));
        if let Some(authorization) = &self.settings.authorization {
            request = request.header(reqwest::header::AUTHORIZATION, authorization);
        }
        let response = request
            .send()
            .await
            .map_err(|error| format!("SMS webhook unreachable: {error}"))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("SMS webhook answered {}", response.status()).into())
        }
    }
}
