//! Routes: sign-in and the flows reached from mails, the account page, and the admin views.

mod account;
pub mod admin;
mod api_docs;
mod change_password;
mod factors;
mod init;
mod passkey_link;
mod reset_password;
mod second_factor;
mod signin;
mod verify_email;

pub use account::AccountPage;
pub use api_docs::ApiDocsPage;
pub use change_password::ChangePasswordPage;
pub use init::InitPage;
pub use passkey_link::PasskeyLinkPage;
pub use reset_password::ResetPasswordPage;
pub use second_factor::SecondFactorPage;
pub use signin::SignInPage;
pub use verify_email::VerifyEmailPage;

use crate::i18n::use_lang;
use crate::session::{gate_path, use_session};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Redirect};

/// `/`: sends people where they belong.
#[component]
pub fn Home() -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    view! {
        <Suspense fallback=move || view! { <p class="loading" role="status">{lang.t("Loading…")}</p> }>
            {move || {
                session
                    .me
                    .get()
                    .map(|me| {
                        let path = match me {
                            Ok(Some(me)) => {
                                match me.gate {
                                    Some(gate) => gate_path(gate),
                                    None if me.can_read_users => "/admin/users",
                                    None => "/account",
                                }
                            }
                            _ => "/signin",
                        };
                        view! { <Redirect path=path /> }
                    })
            }}
        </Suspense>
    }
}

/// Any unknown path.
#[component]
pub fn NotFound() -> impl IntoView {
    let lang = use_lang();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=lang.t("Not found") />
        <section class="card narrow">
            <h1>{lang.t("Page not found")}</h1>
            <p>{lang.t("There is nothing at this address.")}</p>
            <p>
                <A href="/">{lang.t("Go to the start page")}</A>
            </p>
        </section>
    }
}
