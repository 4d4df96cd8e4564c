use crate::api::session::ChangePassword;
use crate::components::{
    CheckboxField, ErrorBanner, Field, SubmitButton, SuccessBanner, error_of, field_error,
};
use crate::i18n::use_lang;
use crate::model::{AppError, Gate, Me};
use crate::session::{SignedIn, reload_at};
use leptos::prelude::*;
use leptos_meta::Title;

/// `/change-password`: the caller's own password; also the forced change after an admin set one.
#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=lang.t("Change password") />
        <SignedIn finishes=Gate::ChangePassword children=|me: Me| view! { <ChangePasswordForm me /> } />
    }
}

#[component]
fn ChangePasswordForm(me: Me) -> impl IntoView {
    let lang = use_lang();
    let current = RwSignal::new(String::new());
    let new_password = RwSignal::new(String::new());
    let confirmation = RwSignal::new(String::new());
    let sign_out_others = RwSignal::new(true);
    let mismatch = RwSignal::new(None::<AppError>);
    let action = ServerAction::<ChangePassword>::new();
    let server_error = error_of(action.value());
    let error = Signal::derive(move || mismatch.get().or_else(|| server_error.get()));
    let forced = me.gate == Some(Gate::ChangePassword);
    let done = RwSignal::new(None::<String>);

    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            current.set(String::new());
            new_password.set(String::new());
            confirmation.set(String::new());
            if forced {
                reload_at("/");
            } else {
                done.set(Some(lang.t("Your password was changed.").to_owned()));
            }
        }
    });

    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        done.set(None);
        if new_password.get_untracked() != confirmation.get_untracked() {
            mismatch.set(Some(AppError::invalid(
                "password_confirmation",
                "The two new passwords differ.",
            )));
            return;
        }
        mismatch.set(None);
        action.dispatch(ChangePassword {
            current_password: current.get_untracked(),
            new_password: new_password.get_untracked(),
            sign_out_others: sign_out_others.get_untracked(),
        });
    };

    view! {
        <section class="card narrow">
            <h1>
                {if forced { lang.t("Choose a new password") } else { lang.t("Change password") }}
            </h1>
            {forced
                .then(|| {
                    view! {
                        <p>
                            {lang.t("Your password was set by an administrator or is a one-time password. Choose your own before you continue.")}
                        </p>
                    }
                })}
            <SuccessBanner message=done />
            <ErrorBanner error=error />
            <form on:submit=on_submit novalidate>
                <Field
                    id="current_password"
                    label=lang.t("Current password")
                    kind="password"
                    value=current
                    error=field_error(error, "current_password")
                    autocomplete="current-password"
                    required=true
                />
                <Field
                    id="new_password"
                    label=lang.t("New password")
                    kind="password"
                    value=new_password
                    error=field_error(error, "password")
                    autocomplete="new-password"
                    hint=lang.t("At least 8 characters. Long passphrases are best; common passwords and your own name are refused.")
                    required=true
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
                <CheckboxField
                    id="sign_out_others"
                    label=lang.t("Sign out my other devices")
                    checked=sign_out_others
                    hint=lang.t("Recommended if you think someone else knows your old password.")
                />
                <SubmitButton
                    label=lang.t("Change password")
                    pending_label=lang.t("Changing…")
                    pending=action.pending()
                />
            </form>
        </section>
    }
}
