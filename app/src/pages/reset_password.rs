use crate::api::session::{RequestPasswordReset, ResetPassword};
use crate::components::{ErrorBanner, Field, SubmitButton, SuccessBanner, error_of, field_error};
use crate::i18n::use_lang;
use crate::model::{AppError, ResetPasswordForm};
use crate::session::reload_at;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// `/reset-password`: asks for a reset link, or, reached from the link
/// (`?userID=…&code=…`), sets the new password.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let from_link = query.with_untracked(|query| {
        query
            .get("userID")
            .zip(query.get("code"))
            .filter(|(user, code)| !user.is_empty() && !code.is_empty())
    });
    view! {
        <Title text=lang.t("Reset password") />
        <section class="card narrow">
            {match from_link {
                Some((user_id, code)) => view! { <SetNewPassword user_id code /> }.into_any(),
                None => view! { <RequestLink /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn RequestLink() -> impl IntoView {
    let lang = use_lang();
    let login = RwSignal::new(String::new());
    let action = ServerAction::<RequestPasswordReset>::new();
    let error = error_of(action.value());
    let sent = Signal::derive(move || {
        matches!(action.value().get(), Some(Ok(()))).then(|| {
            lang.t("If an account with that username or email exists, a link to reset its password is on its way. Check your mail.")
                .to_owned()
        })
    });
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        action.dispatch(RequestPasswordReset {
            login: login.get_untracked(),
        });
    };
    view! {
        <h1>{lang.t("Forgot your password?")}</h1>
        <p>{lang.t("Enter your username or email. We will mail you a link to choose a new password.")}</p>
        <SuccessBanner message=sent />
        <ErrorBanner error=error all=true />
        <form on:submit=on_submit novalidate>
            <Field
                id="login"
                label=lang.t("Username or email")
                value=login
                error=field_error(error, "login")
                autocomplete="username"
                required=true
                autofocus=true
            />
            <SubmitButton
                label=lang.t("Send reset link")
                pending_label=lang.t("Sending…")
                pending=action.pending()
            />
        </form>
        <p>
            <A href="/signin">{lang.t("Back to sign-in")}</A>
        </p>
    }
}

#[component]
fn SetNewPassword(user_id: String, code: String) -> impl IntoView {
    let lang = use_lang();
    let password = RwSignal::new(String::new());
    let confirmation = RwSignal::new(String::new());
    let mismatch = RwSignal::new(None::<AppError>);
    let action = ServerAction::<ResetPassword>::new();
    let server_error = error_of(action.value());
    let error = Signal::derive(move || mismatch.get().or_else(|| server_error.get()));
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            reload_at("/signin?reset=1");
        }
    });
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if password.get_untracked() != confirmation.get_untracked() {
            mismatch.set(Some(AppError::invalid(
                "password_confirmation",
                "The two passwords differ.",
            )));
            return;
        }
        mismatch.set(None);
        action.dispatch(ResetPassword {
            form: ResetPasswordForm {
                user_id: user_id.clone(),
                code: code.clone(),
                password: password.get_untracked(),
                password_confirmation: confirmation.get_untracked(),
            },
        });
    };
    view! {
        <h1>{lang.t("Choose a new password")}</h1>
        <ErrorBanner error=error all=true />
        <form on:submit=on_submit novalidate>
            <Field
                id="password"
                label=lang.t("New password")
                kind="password"
                value=password
                error=field_error(error, "password")
                autocomplete="new-password"
                hint=lang.t("At least 8 characters. Long passphrases are best; common passwords and your own name are refused.")
                required=true
                autofocus=true
            />
            <Field
                id="password_confirmation"
                label=lang.t("Repeat the new password")
                kind="password"
                value=confirmation
                error=field_error(error, "password_confirmation")
                autocomplete="new-password"
                required=true
            />
            <SubmitButton
                label=lang.t("Set new password")
                pending_label=lang.t("Saving…")
                pending=action.pending()
            />
        </form>
        <p class="muted">
            {lang.t("You will be signed out everywhere and sign in again with the new password.")}
        </p>
    }
}
