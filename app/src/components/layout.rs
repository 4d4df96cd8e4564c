use crate::api::session::SignOut;
use crate::i18n::{Lang, use_lang};
use crate::session::{reload_at, use_session};
use leptos::prelude::*;
use leptos_router::components::A;

/// Whether the page is interactive (the WASM client took over the server-rendered HTML).
#[derive(Clone, Copy, Debug)]
pub struct Hydrated(pub ReadSignal<bool>);

/// The [`Hydrated`] flag; `false` during server rendering and until hydration finished.
pub fn use_hydrated() -> ReadSignal<bool> {
    use_context::<Hydrated>()
        .map(|hydrated| hydrated.0)
        .unwrap_or_else(|| signal(false).0)
}

/// The top bar: product name, navigation for the signed-in person, sign-out and the language
/// switch.
#[component]
pub fn Header() -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let sign_out = ServerAction::<SignOut>::new();
    let hydrated = use_hydrated();
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            reload_at("/signin?signed_out=1");
        }
    });
    view! {
        <header class="topbar">
            // rel="external": the browser, not the router, follows it, so the focus moves too.
            <a class="skip-link" href="#main" rel="external">
                {lang.t("Skip to content")}
            </a>
            <A href="/" attr:class="brand">
                "Roster"
            </A>
            <Transition fallback=|| ()>
                {move || {
                    session
                        .me
                        .get()
                        .and_then(|me| me.ok().flatten())
                        .map(|me| {
                            let gated = me.gate.is_some();
                            view! {
                                <nav aria-label=lang.t("Main")>
                                    <ul>
                                        {(!gated)
                                            .then(|| {
                                                view! {
                                                    <li>
                                                        <A href="/account">{lang.t("My account")}</A>
                                                    </li>
                                                }
                                            })}
                                        {(!gated && me.can_read_users)
                                            .then(|| {
                                                view! {
                                                    <li>
                                                        <A href="/admin/users">{lang.t("Users")}</A>
                                                    </li>
                                                }
                                            })}
                                        {(!gated && me.can_manage_instance)
                                            .then(|| {
                                                view! {
                                                    <li>
                                                        <A href="/admin/orgs">{lang.t("Organisations")}</A>
                                                    </li>
                                                    <li>
                                                        <A href="/admin/service-accounts">
                                                            {lang.t("Service accounts")}
                                                        </A>
                                                    </li>
                                                }
                                            })}
                                    </ul>
                                </nav>
                                <div class="whoami">
                                    <span class="muted">{lang.t("Signed in as")}</span>
                                    <strong>{me.username.clone()}</strong>
                                    <button
                                        type="button"
                                        class="link"
                                        disabled=move || !hydrated.get() || sign_out.pending().get()
                                        on:click=move |_| {
                                            sign_out.dispatch(SignOut {});
                                        }
                                    >
                                        {lang.t("Sign out")}
                                    </button>
                                </div>
                            }
                        })
                }}
            </Transition>
            <LanguageSwitch />
        </header>
    }
}

/// Switches the UI to the other language: remembered in a cookie for a year, and the page is
/// loaded again so the server renders it in that language. The button names the language in
/// that language (`lang` set, so screen readers pronounce it right).
#[component]
fn LanguageSwitch() -> impl IntoView {
    let current = use_lang();
    let hydrated = use_hydrated();
    let other = match current {
        Lang::En => Lang::De,
        Lang::De => Lang::En,
    };
    view! {
        <button
            type="button"
            class="link lang-switch"
            lang=other.tag()
            disabled=move || !hydrated.get()
            on:click=move |_| {
                #[cfg(feature = "hydrate")]
                {
                    crate::browser::remember_lang(other);
                    crate::browser::reload_current();
                }
            }
        >
            {other.native_name()}
        </button>
    }
}

/// The foot of every page: where scripts find the REST API.
#[component]
pub fn Footer() -> impl IntoView {
    let lang = use_lang();
    view! {
        <footer class="site-footer">
            <A href="/api-docs">{lang.t("REST API and OpenAPI document")}</A>
        </footer>
    }
}
