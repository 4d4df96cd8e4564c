//! Notifications: messages are rendered and queued in the outbox inside the transaction of the
//! change that caused them; the worker delivers them afterwards through a sink.

pub mod sink;
pub mod sms;
pub mod smtp;
pub mod templates;
pub mod worker;

use crate::store::outbox::{NewMessage, enqueue};
use crate::store::{StoreError, Tx};
use templates::Rendered;

/// How a message travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }
}

/// A message to queue with a change.
#[derive(Debug)]
pub struct Outgoing<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub channel: Channel,
    pub recipient: &'a str,
    pub message: Rendered,
    pub created_at: i64,
    /// The code inside expires then; an undelivered message is dropped after it.
    pub not_after: Option<i64>,
}

/// Writes a message into the outbox (inside the caller's transaction).
pub async fn queue(tx: &mut Tx, outgoing: &Outgoing<'_>) -> Result<(), StoreError> {
    enqueue(
        tx.exec(),
        &NewMessage {
            id: outgoing.id,
            user_id: Some(outgoing.user_id),
            channel: outgoing.channel.as_str(),
            recipient: outgoing.recipient,
            template: outgoing.message.template,
            subject: &outgoing.message.subject,
            body: &outgoing.message.body,
            created_at: outgoing.created_at,
            not_after: outgoing.not_after,
        },
    )
    .await
}
