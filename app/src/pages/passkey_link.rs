use crate::api::factors::{finish_link_registration, start_link_registration};
use crate::ceremony::create_credential;
use crate::components::{ErrorBanner, Field, SubmitButton, error_of};
use crate::i18n::use_lang;
use crate::model::AppError;
use crate::on_browser_thread;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// What the registration link carries.
#[derive(Clone, Debug)]
struct LinkRegistration {
    user_id: String,
    code_id: String,
    code: String,
    name: String,
}

async fn register(link: LinkRegistration) -> Result<(), AppError> {
    let challenge = start_link_registration(link.user_id, link.code_id.clone(), link.code).await?;
    let response = create_credential(challenge.options).await?;
    finish_link_registration(link.code_id, challenge.ceremony_id, link.name, response).await
}

/// `/passkey/register`: registers a passkey on this device from a registration link
/// (`?userID=…&orgID=…&codeID=…&code=…`), without a password. Anyone holding the link; the
/// link is used up by the first passkey registered, and a cancelled attempt can be repeated.
#[component]
pub fn PasskeyLinkPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let param = move |name: &str| query.with_untracked(|query| query.get(name).unwrap_or_default());
    let (user_id, code_id, code) = (param("userID"), param("codeID"), param("code"));
    let incomplete = user_id.is_empty() || code_id.is_empty() || code.is_empty();
    let link = StoredValue::new((user_id, code_id, code));
    let name = RwSignal::new("Passkey".to_owned());
    let action = Action::new(|link: &LinkRegistration| on_browser_thread(register(link.clone())));
    let error = error_of(action.value());
    let done = Signal::derive(move || matches!(action.value().get(), Some(Ok(()))));
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let (user_id, code_id, code) = link.get_value();
        action.dispatch(LinkRegistration {
            user_id,
            code_id,
            code,
            name: name.get_untracked(),
        });
    };
    view! {
        <Title text=lang.t("Register a passkey") />
        <section class="card narrow">
            <h1>{lang.t("Register a passkey")}</h1>
            {move || {
                if incomplete {
                    view! {
                        <div class="banner error" role="alert">
                            {lang.t("This link is incomplete. Open the whole link from the message you received, or ask for a new one.")}
                        </div>
                    }
                        .into_any()
                } else if done.get() {
                    view! {
                        <div class="banner success" role="status">
                            {lang.t("Your passkey is registered. You can now sign in with it, without a password.")}
                        </div>
                        <p>
                            <A href="/signin">{lang.t("Go to sign-in")}</A>
                        </p>
                    }
                        .into_any()
                } else {
                    view! {
                        <p>
                            {lang.t("A passkey lets you sign in on this device with your fingerprint, face or screen lock ")}
                            {lang.t("instead of a password. Your browser will ask you to confirm.")}
                        </p>
                        <ErrorBanner error all=true />
                        <form on:submit=on_submit novalidate>
                            <Field
                                id="passkey_name"
                                label=lang.t("Name for this passkey")
                                value=name
                                error=Signal::derive(|| None::<String>)
                                maxlength=64
                                hint=lang.t("So you can tell your passkeys apart later.")
                            />
                            <SubmitButton
                                label=lang.t("Register passkey")
                                pending_label=lang.t("Follow your browser's instructions…")
                                pending=action.pending()
                            />
                        </form>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}
