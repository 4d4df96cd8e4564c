//! The WebAuthn browser ceremony: `navigator.credentials.create()` and `.get()` through
//! webauthn-rs-proto's conversions, so no base64url is handled by hand. Nothing else in the UI
//! touches the ceremony.

use crate::model::{
    AppError, CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse, SignInOutcome,
};
use std::cell::RefCell;
use wasm_bindgen::JsCast as _;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Why a ceremony did not produce a credential, in words for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CeremonyError {
    /// The browser has no WebAuthn (or the page is not a secure context).
    Unsupported,
    /// The person cancelled, or the prompt timed out.
    CancelledOrTimedOut,
    /// The authenticator already holds a credential for this account.
    AlreadyRegistered,
    /// Anything else the browser reported.
    Failed(String),
}

impl CeremonyError {
    pub fn message(&self) -> String {
        match self {
            CeremonyError::Unsupported => {
                "This browser cannot use security keys or passkeys here. Try a current browser."
                    .to_owned()
            }
            CeremonyError::CancelledOrTimedOut => {
                "The request was cancelled or timed out. Try again when you are ready.".to_owned()
            }
            CeremonyError::AlreadyRegistered => {
                "This authenticator is already registered for your account.".to_owned()
            }
            CeremonyError::Failed(detail) => format!("The browser reported a problem: {detail}"),
        }
    }
}

fn classify(error: JsValue) -> CeremonyError {
    match error
        .dyn_ref::<web_sys::DomException>()
        .map(|dom| dom.name())
    {
        Some(name) if name == "NotAllowedError" || name == "AbortError" => {
            CeremonyError::CancelledOrTimedOut
        }
        Some(name) if name == "InvalidStateError" => CeremonyError::AlreadyRegistered,
        Some(name) if name == "NotSupportedError" || name == "SecurityError" => {
            CeremonyError::Unsupported
        }
        Some(name) => CeremonyError::Failed(name),
        None => CeremonyError::Failed(format!("{error:?}")),
    }
}

fn container() -> Result<web_sys::CredentialsContainer, CeremonyError> {
    let window = web_sys::window().ok_or(CeremonyError::Unsupported)?;
    if !js_sys::Reflect::has(&window, &JsValue::from_str("PublicKeyCredential")).unwrap_or(false) {
        return Err(CeremonyError::Unsupported);
    }
    Ok(window.navigator().credentials())
}

/// Whether the browser offers WebAuthn at all.
pub fn supported() -> bool {
    container().is_ok()
}

/// Creates a credential (registration).
pub async fn create(
    options: CreationChallengeResponse,
) -> Result<RegisterPublicKeyCredential, CeremonyError> {
    let container = container()?;
    let options: web_sys::CredentialCreationOptions = options.into();
    let promise = container.create_with_options(&options).map_err(classify)?;
    let credential = JsFuture::from(promise).await.map_err(classify)?;
    let credential: web_sys::PublicKeyCredential = credential
        .dyn_into()
        .map_err(|_| CeremonyError::Failed("no credential came back".to_owned()))?;
    Ok(RegisterPublicKeyCredential::from(credential))
}

/// Gets an assertion (authentication). With `signal`, the request can be aborted (conditional
/// mediation keeps one open while the sign-in form is shown).
pub async fn get(
    options: RequestChallengeResponse,
    signal: Option<&web_sys::AbortSignal>,
) -> Result<PublicKeyCredential, CeremonyError> {
    let container = container()?;
    let options: web_sys::CredentialRequestOptions = options.into();
    if let Some(signal) = signal {
        options.set_signal(signal);
    }
    let promise = container.get_with_options(&options).map_err(classify)?;
    let credential = JsFuture::from(promise).await.map_err(classify)?;
    let credential: web_sys::PublicKeyCredential = credential
        .dyn_into()
        .map_err(|_| CeremonyError::Failed("no credential came back".to_owned()))?;
    Ok(PublicKeyCredential::from(credential))
}

/// Whether the browser can offer passkeys in form autofill (conditional mediation).
pub async fn conditional_mediation_available() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let Ok(class) = js_sys::Reflect::get(&window, &JsValue::from_str("PublicKeyCredential")) else {
        return false;
    };
    let Ok(check) = js_sys::Reflect::get(
        &class,
        &JsValue::from_str("isConditionalMediationAvailable"),
    ) else {
        return false;
    };
    let Some(check) = check.dyn_ref::<js_sys::Function>() else {
        return false;
    };
    let Ok(promise) = check.call0(&class) else {
        return false;
    };
    let Ok(promise) = promise.dyn_into::<js_sys::Promise>() else {
        return false;
    };
    JsFuture::from(promise)
        .await
        .ok()
        .and_then(|value| value.as_bool())
        .unwrap_or(false)
}

thread_local! {
    /// Aborts the pending passkey autofill request, if one is open.
    static AUTOFILL: RefCell<Option<web_sys::AbortController>> = const { RefCell::new(None) };
}

/// Ends the pending passkey autofill request (before a dialog ceremony, which the browser
/// would refuse while one is open).
pub fn abort_autofill() {
    AUTOFILL.with(|slot| {
        if let Some(controller) = slot.borrow_mut().take() {
            controller.abort();
        }
    });
}

/// Offers the person's passkeys in the username field's autofill (conditional mediation) and
/// signs in with the one they pick. `None` when the browser cannot, or the request was
/// aborted or dismissed; the password form stays usable throughout.
pub async fn autofill() -> Option<Result<SignInOutcome, AppError>> {
    if !conditional_mediation_available().await {
        return None;
    }
    let challenge = crate::api::factors::start_passkey_sign_in(true)
        .await
        .ok()?;
    abort_autofill();
    let controller = web_sys::AbortController::new().ok()?;
    let signal = controller.signal();
    AUTOFILL.with(|slot| *slot.borrow_mut() = Some(controller));
    let response = get(challenge.options, Some(&signal)).await.ok()?;
    AUTOFILL.with(|slot| slot.borrow_mut().take());
    Some(crate::api::factors::finish_passkey_sign_in(challenge.ceremony_id, response).await)
}
