use crate::api::factors::{finish_passkey_sign_in, start_passkey_sign_in};
use crate::api::session::SignIn;
use crate::ceremony::get_assertion;
use crate::components::{ErrorBanner, Field, SubmitButton, SuccessBanner, error_of, use_hydrated};
use crate::i18n::use_lang;
use crate::model::{AppError, Gate, SignInOutcome};
use crate::on_browser_thread;
use crate::session::{gate_path, reload_at};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// Where a sign-in leads: the pending step, or the page that sent the person to sign in.
fn destination(outcome: SignInOutcome, next: Option<String>) -> String {
    match outcome {
        SignInOutcome::SignedIn => next
            .filter(|next| is_local_path(next))
            .unwrap_or_else(|| "/".to_owned()),
        SignInOutcome::ChangePasswordRequired => gate_path(Gate::ChangePassword).to_owned(),
        SignInOutcome::InitializationRequired => gate_path(Gate::Initialize).to_owned(),
        SignInOutcome::SecondFactorRequired => gate_path(Gate::SecondFactor).to_owned(),
    }
}

/// Whether `next` (from the query string, already percent-decoded) is a path on this site, so
/// that following it after sign-in cannot lead to another origin (an open redirect).
///
/// Only the characters the app's own routes use are allowed: ASCII letters, digits and
/// `-_./~`. That shuts out everything a browser may read as another host: `//host`, `/\host`
/// (browsers treat `\` as `/`), tabs and newlines (stripped before parsing, so `/\t/host` is
/// `//host`), `%`-escapes that a second decoding would turn into any of these, and look-alike
/// Unicode slashes. Query strings are refused too; `next` only ever carries a path.
fn is_local_path(next: &str) -> bool {
    let bytes = next.as_bytes();
    let allowed = |byte: &u8| byte.is_ascii_alphanumeric() || b"-_./~".contains(byte);
    bytes.first() == Some(&b'/') && bytes.get(1) != Some(&b'/') && bytes.iter().all(allowed)
}

/// `/signin`: username or email plus password.
#[component]
pub fn SignInPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let login = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let action = ServerAction::<SignIn>::new();
    let passkey = Action::new(|_: &()| {
        on_browser_thread(async move {
            #[cfg(feature = "hydrate")]
            crate::browser::webauthn::abort_autofill();
            let challenge = start_passkey_sign_in(false).await?;
            let response = get_assertion(challenge.options).await?;
            finish_passkey_sign_in(challenge.ceremony_id, response).await
        })
    });
    let autofill_error = RwSignal::new(None::<AppError>);
    let error = error_of(action.value());
    let passkey_error = Signal::derive(move || {
        passkey
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| autofill_error.get())
    });
    let hydrated = use_hydrated();
    let next = move || query.get_untracked().get("next");

    let notice = Signal::derive(move || {
        query.with(|query| {
            if query.get("initialized").is_some() {
                Some(
                    lang.t("Your account is ready. Sign in with your new password.")
                        .to_owned(),
                )
            } else if query.get("signed_out").is_some() {
                Some(lang.t("You are signed out.").to_owned())
            } else if query.get("reset").is_some() {
                Some(
                    lang.t("Your new password is set. Sign in with it.")
                        .to_owned(),
                )
            } else {
                None
            }
        })
    });

    Effect::new(move |_| {
        if let Some(Ok(outcome)) = action.value().get() {
            reload_at(&destination(outcome, next()));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(outcome)) = passkey.value().get() {
            reload_at(&destination(outcome, next()));
        }
    });
    // Passkey autofill: while the form is shown, the browser may offer the person's passkeys
    // in the username field; picking one signs in.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            match crate::browser::webauthn::autofill().await {
                Some(Ok(outcome)) => reload_at(&destination(outcome, next())),
                Some(Err(error)) => autofill_error.set(Some(error)),
                None => {}
            }
        });
    });

    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        action.dispatch(SignIn {
            login: login.get_untracked(),
            password: password.get_untracked(),
        });
    };

    view! {
        <Title text=lang.t("Sign in") />
        <section class="card narrow">
            <h1>{lang.t("Sign in")}</h1>
            <SuccessBanner message=notice />
            <ErrorBanner error=error all=true />
            <form on:submit=on_submit novalidate>
                <Field
                    id="login"
                    label=lang.t("Username or email")
                    value=login
                    error=Signal::derive(|| None::<String>)
                    autocomplete="username webauthn"
                    required=true
                    autofocus=true
                />
                <Field
                    id="password"
                    label=lang.t("Password")
                    kind="password"
                    value=password
                    error=Signal::derive(|| None::<String>)
                    autocomplete="current-password"
                    required=true
                />
                <SubmitButton
                    label=lang.t("Sign in")
                    pending_label=lang.t("Signing in…")
                    pending=action.pending()
                />
            </form>
            <p>
                <A href="/reset-password">{lang.t("Forgot your password?")}</A>
            </p>
            <div class="divider" role="separator">
                <span>{lang.t("or")}</span>
            </div>
            <ErrorBanner error=passkey_error all=true />
            <button
                type="button"
                id="passkey-sign-in"
                class="wide"
                disabled=move || !hydrated.get() || passkey.pending().get()
                aria-busy=move || passkey.pending().get().to_string()
                on:click=move |_| {
                    autofill_error.set(None);
                    passkey.dispatch(());
                }
            >
                {move || {
                    if passkey.pending().get() {
                        lang.t("Waiting for your passkey…")
                    } else {
                        lang.t("Sign in with a passkey")
                    }
                }}
            </button>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_site_are_followed() {
        for (next, local) in [
            ("/", true),
            ("/account", true),
            ("/admin/users/301234567890123456", true),
            ("/admin/service-accounts", true),
            ("/signin/second-factor", true),
            ("/a.b_c~d-e/./f", true),
            ("", false),
            ("account", false),
            ("//evil.example", false),
            ("//evil.example/account", false),
            ("/\\evil.example", false),
            ("/\\/evil.example", false),
            ("\\\\evil.example", false),
            ("/%5Cevil.example", false),
            ("/%2F/evil.example", false),
            ("/\t/evil.example", false),
            ("/\n/evil.example", false),
            ("/\r/evil.example", false),
            ("/\u{0}/evil.example", false),
            ("/\u{ff0f}evil.example", false),
            ("/\u{2215}evil.example", false),
            ("https://evil.example", false),
            ("javascript:alert(1)", false),
            ("/account?next=//evil.example", false),
            ("/account#x", false),
            ("/ /evil.example", false),
            ("/@evil.example", false),
        ] {
            assert_eq!(is_local_path(next), local, "{next:?}");
        }
    }

    #[test]
    fn sign_in_leads_to_next_or_home_or_the_pending_step() {
        let signed_in = |next: &str| destination(SignInOutcome::SignedIn, Some(next.to_owned()));
        assert_eq!(signed_in("/account"), "/account");
        assert_eq!(signed_in("/\\evil.example"), "/");
        assert_eq!(signed_in("/\tevil.example"), "/");
        assert_eq!(destination(SignInOutcome::SignedIn, None), "/");
        assert_eq!(
            destination(
                SignInOutcome::SecondFactorRequired,
                Some("/account".to_owned())
            ),
            "/signin/second-factor"
        );
    }
}
