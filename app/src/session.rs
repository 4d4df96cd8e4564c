//! The signed-in person as the UI sees it, and route guards built on it.

use crate::api::session::current_user;
use crate::i18n::use_lang;
use crate::model::{AppError, Gate, Me};
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

/// The current person, loaded once per page. When the identity changes (sign-in, sign-out, a
/// finished gate) the page is loaded anew with [`reload_at`], so nothing can show a stale one.
#[derive(Clone, Copy, Debug)]
pub struct SessionContext {
    pub me: Resource<Result<Option<Me>, AppError>>,
}

impl SessionContext {
    /// Creates the context; call once at the root.
    pub fn provide() -> Self {
        let me = Resource::new(|| (), |_| current_user());
        let context = Self { me };
        provide_context(context);
        context
    }
}

/// The [`SessionContext`] provided by the root component.
pub fn use_session() -> SessionContext {
    use_context::<SessionContext>().unwrap_or_else(SessionContext::provide)
}

/// The path that finishes a gate step.
pub fn gate_path(gate: Gate) -> &'static str {
    match gate {
        Gate::ChangePassword => "/change-password",
        Gate::Initialize => "/init",
        Gate::SecondFactor => "/signin/second-factor",
    }
}

/// Renders `children` with the signed-in person; sends everyone else to sign in, and people
/// with a pending step to that step (unless this page is that step).
#[component]
pub fn SignedIn<F, V>(
    children: F,
    /// The gate this page finishes, if it is a gate page.
    #[prop(optional)]
    finishes: Option<Gate>,
) -> impl IntoView
where
    F: Fn(Me) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let session = use_session();
    let location = use_location();
    let lang = use_lang();
    let children = std::sync::Arc::new(children);
    view! {
        <Suspense fallback=move || view! { <p class="loading" role="status">{lang.t("Loading…")}</p> }>
            {move || {
                let children = children.clone();
                session
                    .me
                    .get()
                    .map(move |me| match me {
                        Ok(Some(me)) => {
                            match me.gate {
                                Some(gate) if Some(gate) != finishes => {
                                    view! { <Redirect path=gate_path(gate) /> }.into_any()
                                }
                                _ => children(me).into_view().into_any(),
                            }
                        }
                        Ok(None) => {
                            let next = location.pathname.get_untracked();
                            let path = format!("/signin?next={}", encode_component(&next));
                            view! { <Redirect path=path /> }.into_any()
                        }
                        Err(error) => {
                            view! {
                                <div class="banner error" role="alert">
                                    {lang.t_dynamic(&error.message)}
                                </div>
                            }
                                .into_any()
                        }
                    })
            }}
        </Suspense>
    }
}

/// Like [`SignedIn`], but also requires the right to read users (admin views).
#[component]
pub fn AdminOnly<F, V>(children: F, #[prop(optional)] instance_owner: bool) -> impl IntoView
where
    F: Fn(Me) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let children = std::sync::Arc::new(children);
    let lang = use_lang();
    view! {
        <SignedIn children=move |me: Me| {
            let allowed = if instance_owner { me.can_manage_instance } else { me.can_read_users };
            if allowed {
                children(me).into_view().into_any()
            } else {
                view! {
                    <section class="card">
                        <h1>{lang.t("Not allowed")}</h1>
                        <p>{lang.t("This page is for administrators. Your account has no role that allows it.")}</p>
                    </section>
                }
                    .into_any()
            }
        } />
    }
}

/// Percent-encodes a value for a query string.
pub fn encode_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Goes to `path` with a fresh page load, after the session changed (browser only).
pub fn reload_at(path: &str) {
    #[cfg(feature = "hydrate")]
    crate::browser::reload_at(path);
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}
