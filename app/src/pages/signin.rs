use crate::api::session::SignIn;
use crate::components::{ErrorBanner, Field, SubmitButton, SuccessBanner, error_of};
use crate::model::SignInOutcome;
use crate::session::{gate_path, reload_at};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// `/signin`: username or email plus password.
#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let login = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let action = ServerAction::<SignIn>::new();
    let error = error_of(action.value());

    let notice = Signal::derive(move || {
        query.with(|query| {
            if query.get("initialized").is_some() {
                Some("Your account is ready. Sign in with your new password.".to_owned())
            } else if query.get("signed_out").is_some() {
                Some("You are signed out.".to_owned())
            } else if query.get("reset").is_some() {
                Some("Your new password is set. Sign in with it.".to_owned())
            } else {
                None
            }
        })
    });

    Effect::new(move |_| {
        if let Some(Ok(outcome)) = action.value().get() {
            let target = match outcome {
                SignInOutcome::SignedIn => query
                    .get_untracked()
                    .get("next")
                    .filter(|next| next.starts_with('/') && !next.starts_with("//"))
                    .unwrap_or_else(|| "/".to_owned()),
                SignInOutcome::ChangePasswordRequired => {
                    gate_path(crate::model::Gate::ChangePassword).to_owned()
                }
                SignInOutcome::InitializationRequired => {
                    gate_path(crate::model::Gate::Initialize).to_owned()
                }
            };
            reload_at(&target);
        }
    });

    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        action.dispatch(SignIn {
            login: login.get_untracked(),
            password: password.get_untracked(),
        });
    };

    view! {
        <Title text="Sign in" />
        <section class="card narrow">
            <h1>"Sign in"</h1>
            <SuccessBanner message=notice />
            <ErrorBanner error=error all=true />
            <form on:submit=on_submit novalidate>
                <Field
                    id="login"
                    label="Username or email"
                    value=login
                    error=Signal::derive(|| None::<String>)
                    autocomplete="username"
                    required=true
                    autofocus=true
                />
                <Field
                    id="password"
                    label="Password"
                    kind="password"
                    value=password
                    error=Signal::derive(|| None::<String>)
                    autocomplete="current-password"
                    required=true
                />
                <SubmitButton label="Sign in" pending_label="Signing in…" pending=action.pending() />
            </form>
            <p>
                <A href="/reset-password">"Forgot your password?"</A>
            </p>
        </section>
    }
}
