//! HTTP: the router, authentication middleware, the Origin check, security headers, the Leptos
//! mounting and the ZITADEL-compatible REST API.

mod auth;
mod avatar;
mod headers;
pub mod rest;

pub use auth::CookieSettings;

use crate::backend::RosterBackend;
use crate::domain::Services;
use app::port::SharedBackend;
use axum::Router;
use axum::middleware;
use axum::routing::{get, put};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

/// What the HTTP layer needs from the rest of the server.
#[derive(Clone, Debug)]
pub struct WebState {
    pub services: Services,
    pub cookies: CookieSettings,
    /// The origin of the public URL, for the Origin check.
    pub public_origin: String,
}

/// Builds the whole HTTP application.
pub fn router(state: WebState, leptos_options: LeptosOptions) -> Router {
    let (api, routes) = rest::router(state.services.clone());
    let document = Arc::new(rest::openapi::document(routes, state.services.public_url()));
    let backend: SharedBackend = Arc::new(RosterBackend::new(
        state.services.clone(),
        state.cookies.clone(),
        &document,
    ));
    let routes = generate_route_list(app::App);
    let shell_options = leptos_options.clone();
    let context_backend = backend.clone();
    let ui = Router::new()
        .leptos_routes_with_context(
            &leptos_options,
            routes,
            move || {
                provide_context(context_backend.clone());
                headers::provide_request_context();
            },
            move || app::shell(shell_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context(
            move || {
                provide_context(backend.clone());
                headers::provide_request_context();
            },
            app::shell,
        ))
        .with_state(leptos_options)
        .merge(uploads(state.clone()))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::check_origin,
        ))
        // The browser bundle shrinks to about a third with gzip.
        .layer(CompressionLayer::new());

    Router::new()
        .route("/assets/v1/{org_id}/{key}", get(avatar::serve))
        .with_state(state.clone())
        .route(
            "/openapi.json",
            get(move || {
                let document = document.clone();
                async move { axum::Json(document.as_ref().clone()) }
            }),
        )
        .nest("/management/v1", api)
        .merge(ui)
        .layer(middleware::from_fn(headers::security_headers))
        .layer(TraceLayer::new_for_http())
}

/// Avatar uploads from the account page and the admin user page: plain `PUT`s of the image
/// (see [`avatar`]), behind the same session and Origin checks as the server functions.
fn uploads(state: WebState) -> Router {
    Router::new()
        .route("/account/avatar", put(avatar::upload_own))
        .route(
            "/admin/users/{user_id}/avatar",
            put(avatar::upload_for_user),
        )
        // Axum's default body limit (2 MiB) would refuse allowed avatars before the handler
        // could say why; the handler enforces the real limit itself.
        .layer(axum::extract::DefaultBodyLimit::disable())
        .with_state(state)
}
