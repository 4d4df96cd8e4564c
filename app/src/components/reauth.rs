use crate::api::account::RunAccountAction;
use crate::api::factors::{finish_reauthentication, get_reauth_methods, start_reauthentication};
use crate::ceremony::get_assertion;
use crate::components::{ErrorBanner, Field, SubmitButton, error_of, use_hydrated};
use crate::i18n::use_lang;
use crate::model::{AccountAction, AppError, AuthenticationChallenge, ReauthMethods};
use crate::on_browser_thread;
use leptos::prelude::*;

/// Asks the person to confirm it is them when a change needs a recent sign-in: with their
/// password, or with one of their passkeys (accounts registered from a passkey link may have
/// no password at all). Shown while `open` is set; `on_confirmed` runs once confirmed
/// (typically: send the change again).
#[component]
pub fn ReauthDialog<F>(open: RwSignal<bool>, on_confirmed: F) -> impl IntoView
where
    F: Fn() + Copy + Send + Sync + 'static,
{
    let reauth = ServerAction::<RunAccountAction>::new();
    let error = error_of(reauth.value());
    let password = RwSignal::new(String::new());
    let hydrated = use_hydrated();
    let lang = use_lang();

    // What the account can confirm with, asked each time the dialog opens. A passkey
    // challenge is fetched with it, so the button press itself starts the browser's prompt
    // (some browsers want the ceremony to follow the click directly).
    let methods = RwSignal::new(None::<ReauthMethods>);
    let unused_challenge = RwSignal::new(None::<AuthenticationChallenge>);
    let load = Action::new(|_: &()| {
        on_browser_thread(async move {
            let methods = get_reauth_methods().await?;
            let challenge = if methods.passkey {
                start_reauthentication().await.ok()
            } else {
                None
            };
            Ok::<_, AppError>((methods, challenge))
        })
    });
    Effect::new(move |_| {
        if open.get() {
            load.dispatch(());
        }
    });
    Effect::new(move |_| {
        if let Some(Ok((loaded, challenge))) = load.value().get() {
            methods.set(Some(loaded));
            unused_challenge.set(challenge);
        }
    });

    let passkey = Action::new(move |challenge: &Option<AuthenticationChallenge>| {
        let challenge = challenge.clone();
        on_browser_thread(async move {
            let challenge = match challenge {
                Some(challenge) => challenge,
                None => start_reauthentication().await?,
            };
            let response = get_assertion(challenge.options).await?;
            finish_reauthentication(challenge.ceremony_id, response).await
        })
    });
    let passkey_error = error_of(passkey.value());

    Effect::new(move |_| {
        let by_password = matches!(reauth.value().get(), Some(Ok(_)));
        let by_passkey = matches!(passkey.value().get(), Some(Ok(())));
        if by_password || by_passkey {
            reauth.value().set(None);
            passkey.value().set(None);
            open.set(false);
            on_confirmed();
        }
    });
    let confirm = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let typed = password.get_untracked();
        password.set(String::new());
        reauth.dispatch(RunAccountAction {
            action: AccountAction::Reauthenticate { password: typed },
        });
    };
    // Until the methods are known (and when they cannot be loaded), the password form shows.
    let has_password = move || methods.get().is_none_or(|known| known.password);
    let has_passkey = move || methods.get().is_some_and(|known| known.passkey);
    move || {
        open.get().then(|| {
            view! {
                <section class="card" role="dialog" aria-labelledby="reauth-title">
                    <h2 id="reauth-title">{lang.t("Confirm it is you")}</h2>
                    <p>
                        {move || {
                            if has_password() {
                                lang.t("For your security, enter your password again to make this change.")
                            } else {
                                lang.t("For your security, confirm with your passkey to make this change.")
                            }
                        }}
                    </p>
                    {move || {
                        has_passkey()
                            .then(|| {
                                view! {
                                    <ErrorBanner error=passkey_error all=true />
                                    <div class="button-row">
                                        <button
                                            type="button"
                                            class=move || if has_password() { "" } else { "primary" }
                                            id="reauth-passkey"
                                            disabled=move || !hydrated.get() || passkey.pending().get()
                                            aria-busy=move || passkey.pending().get().to_string()
                                            on:click=move |_| {
                                                let challenge = unused_challenge.get_untracked();
                                                unused_challenge.set(None);
                                                passkey.dispatch(challenge);
                                            }
                                        >
                                            {move || {
                                                if passkey.pending().get() {
                                                    lang.t("Waiting for your passkey…")
                                                } else {
                                                    lang.t("Confirm with a passkey")
                                                }
                                            }}
                                        </button>
                                    </div>
                                }
                            })
                    }}
                    {move || {
                        if has_password() {
                            view! {
                                <ErrorBanner error=error all=true />
                                <form on:submit=confirm novalidate>
                                    <Field
                                        id="reauth_password"
                                        label=lang.t("Your password")
                                        kind="password"
                                        value=password
                                        error=Signal::derive(|| None::<String>)
                                        autocomplete="current-password"
                                        required=true
                                        autofocus=true
                                    />
                                    <div class="button-row">
                                        <SubmitButton
                                            label=lang.t("Confirm")
                                            pending_label=lang.t("Checking…")
                                            pending=reauth.pending()
                                        />
                                        <button type="button" on:click=move |_| open.set(false)>
                                            {lang.t("Cancel")}
                                        </button>
                                    </div>
                                </form>
                            }
                                .into_any()
                        } else {
                            view! {
                                <div class="button-row">
                                    <button type="button" on:click=move |_| open.set(false)>
                                        {lang.t("Cancel")}
                                    </button>
                                </div>
                            }
                                .into_any()
                        }
                    }}
                </section>
            }
        })
    }
}
