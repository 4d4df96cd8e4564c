use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

/// What kind of failure an [`AppError`] reports; the UI decides how to show it from this.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorCode {
    /// Input was rejected; `field` names the form field when there is one.
    Invalid,
    NotFound,
    AlreadyExists,
    /// The operation does not fit the current state (e.g. "nothing changed").
    FailedPrecondition,
    PermissionDenied,
    /// Not signed in, or the session ended.
    Unauthenticated,
    /// The session must finish a pending step (password change, initialization) first.
    StepRequired,
    /// The change needs the password entered again (the last sign-in is too long ago).
    ReauthRequired,
    RateLimited,
    /// Something broke on the server; `reference` lets support find the log line.
    Internal,
    /// The request never reached the server function (network, encoding).
    Transport,
}

/// The one error type every server function returns: a stable code, a message that is safe to
/// show, and optionally the form field it belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
            reference: None,
        }
    }

    /// An input error attached to one form field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: Some(field.into()),
            ..Self::new(ErrorCode::Invalid, message)
        }
    }

    pub fn unauthenticated() -> Self {
        Self::new(ErrorCode::Unauthenticated, "Please sign in.")
    }

    pub fn permission_denied() -> Self {
        Self::new(
            ErrorCode::PermissionDenied,
            "You are not allowed to do this.",
        )
    }

    /// The HTTP status a failed request answers with (403 for a refused permission, 400 for
    /// bad input, …); the client decodes the `AppError` from any 4xx/5xx.
    pub fn http_status(&self) -> u16 {
        match self.code {
            ErrorCode::Invalid | ErrorCode::FailedPrecondition => 400,
            ErrorCode::NotFound => 404,
            ErrorCode::AlreadyExists => 409,
            ErrorCode::PermissionDenied | ErrorCode::StepRequired | ErrorCode::ReauthRequired => {
                403
            }
            ErrorCode::Unauthenticated => 401,
            ErrorCode::RateLimited => 429,
            ErrorCode::Internal | ErrorCode::Transport => 500,
        }
    }

    /// The message for `field`, if this error belongs to it.
    pub fn for_field(&self, field: &str) -> Option<&str> {
        (self.field.as_deref() == Some(field)).then_some(self.message.as_str())
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::new(
            ErrorCode::Transport,
            format!("The server could not be reached: {value}"),
        )
    }
}
