use crate::api::session::SignOut;
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

/// The top bar: product name, navigation for the signed-in person, and sign-out.
#[component]
pub fn Header() -> impl IntoView {
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
                "Skip to content"
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
                                <nav aria-label="Main">
                                    <ul>
                                        {(!gated)
                                            .then(|| {
                                                view! {
                                                    <li>
                                                        <A href="/account">"My account"</A>
                                                    </li>
                                                }
                                            })}
                                        {(!gated && me.can_read_users)
                                            .then(|| {
                                                view! {
                                                    <li>
                                                        <A href="/admin/users">"Users"</A>
                                                    </li>
                                                }
                                            })}
                                        {(!gated && me.can_manage_instance)
                                            .then(|| {
                                                view! {
                                                    <li>
                                                        <A href="/admin/orgs">"Organisations"</A>
                                                    </li>
                                                    <li>
                                                        <A href="/admin/service-accounts">
                                                            "Service accounts"
                                                        </A>
                                                    </li>
                                                }
                                            })}
                                    </ul>
                                </nav>
                                <div class="whoami">
                                    <span class="muted">"Signed in as "</span>
                                    <strong>{me.username.clone()}</strong>
                                    <button
                                        type="button"
                                        class="link"
                                        disabled=move || !hydrated.get() || sign_out.pending().get()
                                        on:click=move |_| {
                                            sign_out.dispatch(SignOut {});
                                        }
                                    >
                                        "Sign out"
                                    </button>
                                </div>
                            }
                        })
                }}
            </Transition>
        </header>
    }
}
