use crate::api::session::CompleteInitialization;
use crate::components::{ErrorBanner, Field, SubmitButton, error_of, field_error};
use crate::i18n::use_lang;
use crate::model::{AppError, Gate, InitForm};
use crate::session::{reload_at, use_session};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/init`: finishes an account with the code from the invitation mail. Reached from the mail's
/// link (`?userID=…&code=…&passwordset=…`), or after signing in to an uninitialized account.
#[component]
pub fn InitPage() -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let query = use_query_map();
    view! {
        <Title text=lang.t("Activate your account") />
        <Suspense fallback=move || view! { <p class="loading" role="status">{lang.t("Loading…")}</p> }>
            {move || {
                session
                    .me
                    .get()
                    .map(|me| {
                        let signed_in = me
                            .ok()
                            .flatten()
                            .filter(|me| me.gate == Some(Gate::Initialize));
                        let query = query.get_untracked();
                        let user_id = signed_in
                            .as_ref()
                            .map(|me| me.user_id.to_string())
                            .or_else(|| query.get("userID"))
                            .unwrap_or_default();
                        let password_set = signed_in.is_some()
                            || query.get("passwordset").as_deref() == Some("true");
                        let code = query.get("code").unwrap_or_default();
                        view! {
                            <InitFormView
                                user_id
                                code
                                password_set
                                signed_in=signed_in.is_some()
                            />
                        }
                    })
            }}
        </Suspense>
    }
}

#[component]
fn InitFormView(
    user_id: String,
    code: String,
    password_set: bool,
    signed_in: bool,
) -> impl IntoView {
    let lang = use_lang();
    let code = RwSignal::new(code);
    let password = RwSignal::new(String::new());
    let confirmation = RwSignal::new(String::new());
    let local_error = RwSignal::new(None::<AppError>);
    let action = ServerAction::<CompleteInitialization>::new();
    let server_error = error_of(action.value());
    let error = Signal::derive(move || local_error.get().or_else(|| server_error.get()));
    let missing_user = user_id.is_empty();

    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            reload_at(if signed_in {
                "/"
            } else {
                "/signin?initialized=1"
            });
        }
    });

    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if !password_set && password.get_untracked() != confirmation.get_untracked() {
            local_error.set(Some(AppError::invalid(
                "password_confirmation",
                "The two passwords differ.",
            )));
            return;
        }
        local_error.set(None);
        action.dispatch(CompleteInitialization {
            form: InitForm {
                user_id: user_id.clone(),
                code: code.get_untracked().trim().to_owned(),
                password: if password_set {
                    String::new()
                } else {
                    password.get_untracked()
                },
                password_confirmation: confirmation.get_untracked(),
            },
        });
    };

    view! {
        <section class="card narrow">
            <h1>{lang.t("Activate your account")}</h1>
            {if missing_user {
                view! {
                    <p class="banner error" role="alert">
                        {lang.t("This link is incomplete. Open the link from your invitation mail again, or sign in.")}
                    </p>
                }
                    .into_any()
            } else {
                view! {
                    <p>
                        {if password_set {
                            lang.t("Enter the code from your invitation mail to finish your account.")
                        } else {
                            lang.t("Enter the code from your invitation mail and choose your password.")
                        }}
                    </p>
                    <ErrorBanner error=error />
                    <form on:submit=on_submit novalidate>
                        <Field
                            id="code"
                            label=lang.t("Code")
                            value=code
                            error=field_error(error, "code")
                            autocomplete="one-time-code"
                            required=true
                            maxlength=32
                        />
                        {(!password_set)
                            .then(|| {
                                view! {
                                    <Field
                                        id="password"
                                        label=lang.t("New password")
                                        kind="password"
                                        value=password
                                        error=field_error(error, "password")
                                        autocomplete="new-password"
                                        hint=lang.t("At least 8 characters. Long passphrases are best; common passwords and your own name are refused.")
                                        required=true
                                    />
                                    <Field
                                        id="password_confirmation"
                                        label=lang.t("Repeat the password")
                                        kind="password"
                                        value=confirmation
                                        error=field_error(error, "password_confirmation")
                                        autocomplete="new-password"
                                        required=true
                                    />
                                }
                            })}
                        <SubmitButton
                            label=lang.t("Activate account")
                            pending_label=lang.t("Activating…")
                            pending=action.pending()
                        />
                    </form>
                }
                    .into_any()
            }}
        </section>
    }
}
