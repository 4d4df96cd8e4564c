use crate::api::factors::{
    FinishTotpSignIn, finish_security_key_sign_in, get_second_factor_choice,
};
use crate::ceremony::get_assertion;
use crate::components::{ErrorBanner, Field, SubmitButton, error_of, use_hydrated};
use crate::i18n::use_lang;
use crate::model::{AppError, AuthenticationChallenge, ErrorCode, Gate, Me, SecondFactorChoice};
use crate::on_browser_thread;
use crate::session::{SignedIn, reload_at};
use leptos::prelude::*;
use leptos_meta::Title;

/// `/signin/second-factor`: the step after the password for people with an authenticator app
/// or a security key. Until it is passed, the session can do nothing else.
#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=lang.t("Confirm your sign-in") />
        <SignedIn finishes=Gate::SecondFactor children=|_me: Me| view! { <SecondFactor /> } />
    }
}

#[component]
fn SecondFactor() -> impl IntoView {
    let lang = use_lang();
    let choice = Resource::new(|| (), |_| get_second_factor_choice());
    view! {
        <section class="card narrow">
            <h1>{lang.t("Confirm your sign-in")}</h1>
            <p>
                {lang.t("Your account is protected by a second factor. Use one of them to finish signing in.")}
            </p>
            <Suspense fallback=move || view! { <p class="loading" role="status">{lang.t("Loading…")}</p> }>
                {move || {
                    choice
                        .get()
                        .map(|loaded| match loaded {
                            Ok(choice) => view! { <Choices choice /> }.into_any(),
                            Err(error) => {
                                view! { <ErrorBanner error=Signal::derive(move || Some(error.clone())) all=true /> }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn Choices(choice: SecondFactorChoice) -> impl IntoView {
    let lang = use_lang();
    let code = RwSignal::new(String::new());
    let totp = ServerAction::<FinishTotpSignIn>::new();
    let totp_error = error_of(totp.value());
    // A challenge is single use: the first press uses the one loaded with the page (so the
    // browser sees the click), later presses fetch a new one.
    let unused_challenge = RwSignal::new(choice.security_key.clone());
    let key = Action::new(move |challenge: &Option<AuthenticationChallenge>| {
        let challenge = challenge.clone();
        on_browser_thread(async move {
            let challenge = match challenge {
                Some(challenge) => challenge,
                None => get_second_factor_choice()
                    .await?
                    .security_key
                    .ok_or_else(|| {
                        AppError::new(
                            ErrorCode::FailedPrecondition,
                            "Your account has no security key any more.",
                        )
                    })?,
            };
            let response = get_assertion(challenge.options).await?;
            finish_security_key_sign_in(challenge.ceremony_id, response).await
        })
    });
    let key_error = error_of(key.value());
    let hydrated = use_hydrated();

    Effect::new(move |_| {
        if matches!(totp.value().get(), Some(Ok(()))) || matches!(key.value().get(), Some(Ok(()))) {
            reload_at("/");
        }
    });
    let has_both = choice.totp && choice.security_key.is_some();
    let security_key = choice.security_key.is_some().then(|| {
        view! {
            <section class="panel" aria-labelledby="key-title">
                <h2 id="key-title">{lang.t("Security key")}</h2>
                <p>{lang.t("Insert or touch your security key when the browser asks for it.")}</p>
                <ErrorBanner error=key_error all=true />
                <button
                    type="button"
                    class="primary"
                    id="use-security-key"
                    disabled=move || !hydrated.get() || key.pending().get()
                    aria-busy=move || key.pending().get().to_string()
                    on:click=move |_| {
                        let challenge = unused_challenge.get_untracked();
                        unused_challenge.set(None);
                        key.dispatch(challenge);
                    }
                >
                    {move || {
                        if key.pending().get() {
                            lang.t("Waiting for your key…")
                        } else {
                            lang.t("Use my security key")
                        }
                    }}
                </button>
            </section>
        }
    });
    let app = choice.totp.then(|| {
        let on_submit = move |event: leptos::ev::SubmitEvent| {
            event.prevent_default();
            totp.dispatch(FinishTotpSignIn {
                code: code.get_untracked(),
            });
        };
        view! {
            <section class="panel" aria-labelledby="totp-title">
                <h2 id="totp-title">{lang.t("Authenticator app")}</h2>
                <form on:submit=on_submit novalidate>
                    <Field
                        id="totp_code"
                        label=lang.t("Six-digit code from your app")
                        value=code
                        error=Signal::derive(move || {
                            totp_error.get().map(|error| lang.t_dynamic(&error.message))
                        })
                        autocomplete="one-time-code"
                        inputmode="numeric"
                        maxlength=8
                        required=true
                        autofocus=!has_both
                    />
                    <SubmitButton
                        label=lang.t("Confirm")
                        pending_label=lang.t("Checking…")
                        pending=totp.pending()
                    />
                </form>
            </section>
        }
    });
    view! {
        {security_key}
        {app}
        {(!choice.totp && choice.security_key.is_none())
            .then(|| {
                view! {
                    <p class="banner info" role="status">
                        {lang.t("No second factor is left on your account. Sign out and sign in again.")}
                    </p>
                }
            })}
    }
}
