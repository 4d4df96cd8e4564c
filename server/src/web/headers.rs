//! Security headers on every response, with a per-request CSP nonce for Leptos' inline
//! hydration script.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use leptos::nonce::Nonce;
use leptos::prelude::{provide_context, use_context};
use rand::RngCore as _;

/// The nonce of one request, shared by the CSP header and Leptos' script tags.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// Makes the request's nonce and UI language available to Leptos (called in the render
/// context).
pub fn provide_request_context() {
    let parts = use_context::<http::request::Parts>();
    let nonce = parts
        .as_ref()
        .and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(value)) = nonce {
        provide_context(Nonce::from_value(value));
    }
    let lang = parts
        .as_ref()
        .and_then(|parts| parts.extensions.get::<app::i18n::Lang>().copied())
        .unwrap_or_default();
    provide_context(lang);
}

/// Adds the security headers; pages get a CSP that allows only our own scripts (and the one
/// inline hydration script, by nonce).
pub async fn security_headers(mut request: Request, next: Next) -> Response {
    let cacheable = super::auth::is_static(request.uri().path());
    let mut bytes = [0_u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let nonce = base64::engine::general_purpose::STANDARD.encode(bytes);
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&csp) {
        headers
            .entry(header::CONTENT_SECURITY_POLICY)
            .or_insert(value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Links carry one-time codes in their query; never leak them to other sites.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    // Pages and API answers carry personal data: never keep them in shared or browser caches.
    if !cacheable {
        headers
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    response
}
