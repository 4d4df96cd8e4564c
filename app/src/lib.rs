//! Roster's UI and its typed contract with the server.
//!
//! Compiled twice: with `ssr` inside the server (rendering and server functions) and with
//! `hydrate` into the browser bundle. See `docs` in the repository for the architecture.

#![recursion_limit = "512"]

pub mod api;
#[cfg(feature = "hydrate")]
pub mod browser;
pub mod ceremony;
pub mod components;
pub mod i18n;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod port;
pub mod session;

/// Lets a browser-only future (a WebAuthn ceremony or an upload; not `Send`) drive an
/// [`Action::new`](leptos::prelude::Action::new). The action must be `Send` because the server
/// renders the same component (and drops its owner on any worker thread, which the `unsync`
/// action kinds do not survive), but only the browser dispatches it, so the future is created
/// and polled on the browser's single thread alone.
pub fn on_browser_thread<F: Future>(future: F) -> send_wrapper::SendWrapper<F> {
    send_wrapper::SendWrapper::new(future)
}

use components::{Footer, Header, Hydrated};
use leptos::prelude::*;
use leptos_meta::{Link, Meta, MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};
use session::SessionContext;

/// The HTML document around the app (server rendering only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // The server chose the language for this request; the browser half reads it back from
    // `<html lang>` so both halves render the same words.
    let lang = i18n::use_lang();
    view! {
        <!DOCTYPE html>
        <html lang=lang.tag()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The single-page app: the sign-in and account pages and the admin views. Pages render
/// after their data (`SsrMode::Async`), so a guard can still answer with a redirect.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    #[cfg(feature = "hydrate")]
    provide_context(browser::page_lang());
    SessionContext::provide();
    let (hydrated, set_hydrated) = signal(false);
    provide_context(Hydrated(hydrated));
    // Effects run only in the browser, once the page is interactive. The attribute lets
    // stylesheets and browser tests tell a hydrated page from server-rendered HTML.
    Effect::new(move |_| {
        set_hydrated.set(true);
        #[cfg(feature = "hydrate")]
        browser::mark_hydrated();
    });

    view! {
        <Stylesheet id="leptos" href="/pkg/roster.css" />
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml" />
        <Meta name="color-scheme" content="light dark" />
        <Title formatter=|text: String| if text.is_empty() { "Roster".to_owned() } else { format!("{text} · Roster") } />
        <Router>
            <Header />
            <main id="main" tabindex="-1">
                <Routes fallback=pages::NotFound>
                    <Route path=path!("/") view=pages::Home ssr=SsrMode::Async />
                    <Route path=path!("/signin") view=pages::SignInPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/signin/second-factor")
                        view=pages::SecondFactorPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/passkey/register") view=pages::PasskeyLinkPage ssr=SsrMode::Async />
                    <Route path=path!("/change-password") view=pages::ChangePasswordPage ssr=SsrMode::Async />
                    <Route path=path!("/init") view=pages::InitPage ssr=SsrMode::Async />
                    <Route path=path!("/verify-email") view=pages::VerifyEmailPage ssr=SsrMode::Async />
                    <Route path=path!("/reset-password") view=pages::ResetPasswordPage ssr=SsrMode::Async />
                    <Route path=path!("/account") view=pages::AccountPage ssr=SsrMode::Async />
                    <Route path=path!("/api-docs") view=pages::ApiDocsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/users") view=pages::admin::UsersPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/users/import") view=pages::admin::ImportPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/users/:id") view=pages::admin::UserPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/orgs") view=pages::admin::OrgsPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/admin/service-accounts")
                        view=pages::admin::ServiceAccountsPage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
            <Footer />
        </Router>
    }
}
