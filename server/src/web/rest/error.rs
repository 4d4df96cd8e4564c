//! REST error bodies as grpc-gateway writes them (contract 1.5).

use crate::domain::{DomainError, Fault, messages};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rand::Rng as _;
use serde_json::json;

/// A REST error: gRPC code, message, and the ZITADEL error detail when there is an id.
#[derive(Debug)]
pub struct ApiError {
    code: u16,
    message: String,
    detail: Option<(String, String)>,
}

/// gRPC codes used here.
const INVALID_ARGUMENT: u16 = 3;
const NOT_FOUND: u16 = 5;
const ALREADY_EXISTS: u16 = 6;
const PERMISSION_DENIED: u16 = 7;
const RESOURCE_EXHAUSTED: u16 = 8;
const FAILED_PRECONDITION: u16 = 9;
const INTERNAL: u16 = 13;
const UNAUTHENTICATED: u16 = 16;

impl ApiError {
    /// A validation-layer (PGV) or JSON error: InvalidArgument without a detail.
    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError {
            code: INVALID_ARGUMENT,
            message: message.into(),
            detail: None,
        }
    }

    /// An unknown route under the API prefix.
    pub fn route_not_found() -> ApiError {
        ApiError {
            code: NOT_FOUND,
            message: "Not Found".to_owned(),
            detail: None,
        }
    }

    fn from_fault(code: u16, fault: &Fault) -> ApiError {
        let text = messages::text(fault.key);
        if fault.id.is_empty() {
            return ApiError {
                code,
                message: text,
                detail: None,
            };
        }
        ApiError {
            code,
            message: format!("{text} ({})", fault.id),
            detail: Some((fault.id.to_owned(), text)),
        }
    }

    /// The HTTP status grpc-gateway v2 maps the code to (FailedPrecondition is 400, not 412).
    fn status(&self) -> StatusCode {
        match self.code {
            INVALID_ARGUMENT | FAILED_PRECONDITION => StatusCode::BAD_REQUEST,
            NOT_FOUND => StatusCode::NOT_FOUND,
            ALREADY_EXISTS => StatusCode::CONFLICT,
            PERMISSION_DENIED => StatusCode::FORBIDDEN,
            RESOURCE_EXHAUSTED => StatusCode::TOO_MANY_REQUESTS,
            UNAUTHENTICATED => StatusCode::UNAUTHORIZED,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> Self {
        match &error {
            DomainError::Invalid(fault) => ApiError::from_fault(INVALID_ARGUMENT, fault),
            DomainError::NotFound(fault) => ApiError::from_fault(NOT_FOUND, fault),
            DomainError::AlreadyExists(fault) => ApiError::from_fault(ALREADY_EXISTS, fault),
            DomainError::FailedPrecondition(fault) => {
                ApiError::from_fault(FAILED_PRECONDITION, fault)
            }
            DomainError::PermissionDenied(fault) => ApiError::from_fault(PERMISSION_DENIED, fault),
            DomainError::Unauthenticated(fault) => ApiError::from_fault(UNAUTHENTICATED, fault),
            DomainError::RateLimited(fault) => ApiError::from_fault(RESOURCE_EXHAUSTED, fault),
            DomainError::StepRequired(_) | DomainError::ReauthRequired => ApiError {
                code: PERMISSION_DENIED,
                message: "No matching permissions found (AUTH-5mWD2)".to_owned(),
                detail: None,
            },
            DomainError::Internal(detail) => {
                let reference = format!("{:08x}", rand::rng().random::<u32>());
                tracing::error!(%reference, error = %detail, "internal error in REST call");
                ApiError {
                    code: INTERNAL,
                    message: format!("An internal error occurred (reference {reference})"),
                    detail: None,
                }
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let details: Vec<serde_json::Value> = self
            .detail
            .iter()
            .map(|(id, message)| {
                json!({
                    "@type": "type.googleapis.com/zitadel.v1.ErrorDetail",
                    "id": id,
                    "message": message,
                })
            })
            .collect();
        let status = self.status();
        let body = json!({ "code": self.code, "message": self.message, "details": details });
        (status, axum::Json(body)).into_response()
    }
}
