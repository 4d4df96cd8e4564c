//! Session cookies, the middleware that turns them into an [`Actor`], and the Origin check that
//! stops cross-site requests from using them (server functions included).

use super::WebState;
use app::i18n::{LANG_COOKIE, Lang};
use app::model::Actor;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// How the session cookie is named and flagged.
#[derive(Clone, Debug)]
pub struct CookieSettings {
    pub name: &'static str,
    pub secure: bool,
    pub max_age_secs: u64,
}

impl CookieSettings {
    /// `__Host-` prefixed and `Secure` over https; a plain name on http://localhost.
    pub fn new(https: bool, max_age_secs: u64) -> CookieSettings {
        CookieSettings {
            name: if https {
                "__Host-roster_session"
            } else {
                "roster_session"
            },
            secure: https,
            max_age_secs,
        }
    }

    /// `Set-Cookie` for a new session.
    pub fn set(&self, token: &str) -> String {
        format!(
            "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
            self.name,
            self.max_age_secs,
            if self.secure { "; Secure" } else { "" }
        )
    }

    /// `Set-Cookie` that removes the session cookie.
    pub fn clear(&self) -> String {
        format!(
            "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
            self.name,
            if self.secure { "; Secure" } else { "" }
        )
    }

    /// The session token in a request's cookies.
    pub fn token<'a>(&self, headers: &'a HeaderMap) -> Option<&'a str> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == self.name)
            .map(|(_, value)| value)
            .filter(|value| !value.is_empty())
    }
}

/// Static assets (the browser bundle, the icon) need no identity and may be cached.
pub(super) fn is_static(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/favicon.svg" || path == "/favicon.ico"
}

/// Resolves the session cookie into an [`Actor`] (anonymous without a valid session).
pub async fn authenticate(
    State(state): State<WebState>,
    mut request: Request,
    next: Next,
) -> Response {
    if is_static(request.uri().path()) {
        return next.run(request).await;
    }
    let mut preferred_language = None;
    let actor = match state.cookies.token(request.headers()) {
        None => Actor::Anonymous,
        Some(token) => match state.services.resolve_session(token).await {
            Ok(Some(session)) => {
                preferred_language = Some(session.preferred_language);
                Actor::Human(session.auth)
            }
            Ok(None) => Actor::Anonymous,
            Err(error) => {
                tracing::error!(%error, "session lookup failed");
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Roster cannot reach its database.",
                )
                    .into_response();
            }
        },
    };
    let lang = ui_language(request.headers(), preferred_language.as_deref());
    request.extensions_mut().insert(actor);
    request.extensions_mut().insert(lang);
    next.run(request).await
}

/// The language pages are shown in: the person's explicit choice (the language cookie), then
/// their preferred language, then the browser's `Accept-Language`, then English.
pub fn ui_language(headers: &HeaderMap, preferred_language: Option<&str>) -> Lang {
    let chosen = cookie(headers, LANG_COOKIE).and_then(Lang::from_tag);
    let accepted = || {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .and_then(Lang::negotiate)
    };
    chosen
        .or_else(|| preferred_language.and_then(Lang::from_tag))
        .or_else(accepted)
        .unwrap_or_default()
}

/// A cookie's value by name.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// Refuses state-changing requests from other origins (CSRF, leptos#3786): the `Origin` must be
/// the public URL's, or, without `Origin`, `Sec-Fetch-Site` must not be cross-site. Requests
/// with neither header come from non-browser clients, which cannot be forged cross-site.
pub async fn check_origin(State(state): State<WebState>, request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe || origin_allowed(request.headers(), &state.public_origin) {
        next.run(request).await
    } else {
        tracing::warn!(path = %request.uri().path(), "cross-origin request refused");
        (StatusCode::FORBIDDEN, "Cross-origin request refused.").into_response()
    }
}

fn origin_allowed(headers: &HeaderMap, public_origin: &str) -> bool {
    let header_text = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    match header_text(header::ORIGIN.as_str()) {
        Some(origin) => origin == public_origin,
        None => matches!(
            header_text("sec-fetch-site"),
            None | Some("same-origin") | Some("none")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn cookies_are_host_prefixed_and_secure_over_https() {
        let https = CookieSettings::new(true, 60);
        assert_eq!(
            https.set("abc"),
            "__Host-roster_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure"
        );
        let http = CookieSettings::new(false, 60);
        assert_eq!(
            http.set("abc"),
            "roster_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=60"
        );
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; roster_session=tok; b=2"),
        );
        assert_eq!(http.token(&headers), Some("tok"));
        assert_eq!(https.token(&headers), None);
    }

    #[test]
    fn only_our_origin_may_change_state() {
        let ours = "http://localhost:3000";
        let mut headers = HeaderMap::new();
        assert!(origin_allowed(&headers, ours), "non-browser client");
        headers.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(!origin_allowed(&headers, ours));
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://localhost:3000"),
        );
        assert!(origin_allowed(&headers, ours));
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://evil.example"),
        );
        assert!(!origin_allowed(&headers, ours));
        headers.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(!origin_allowed(&headers, ours));
    }
}
