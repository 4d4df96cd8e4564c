//! The WebAuthn ceremony as pages use it: in the browser it runs
//! [`crate::browser::webauthn`]; a server-rendered page never starts one, so there it only
//! reports that it cannot.

use crate::model::{
    AppError, CreationChallengeResponse, ErrorCode, PublicKeyCredential,
    RegisterPublicKeyCredential, RequestChallengeResponse,
};

/// A cancelled, timed-out or unsupported ceremony, as an error the forms can show.
fn ceremony_error(message: String) -> AppError {
    AppError::new(ErrorCode::FailedPrecondition, message)
}

/// Asks the browser to create a credential (registration).
pub async fn create_credential(
    options: CreationChallengeResponse,
) -> Result<RegisterPublicKeyCredential, AppError> {
    #[cfg(feature = "hydrate")]
    {
        crate::browser::webauthn::create(options)
            .await
            .map_err(|error| ceremony_error(error.message()))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = options;
        Err(ceremony_error(UNSUPPORTED.to_owned()))
    }
}

/// Asks the browser for an assertion (authentication) in a dialog.
pub async fn get_assertion(
    options: RequestChallengeResponse,
) -> Result<PublicKeyCredential, AppError> {
    #[cfg(feature = "hydrate")]
    {
        crate::browser::webauthn::get(options, None)
            .await
            .map_err(|error| ceremony_error(error.message()))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = options;
        Err(ceremony_error(UNSUPPORTED.to_owned()))
    }
}

#[cfg(not(feature = "hydrate"))]
const UNSUPPORTED: &str = "Security keys and passkeys need the page to finish loading.";
