use crate::api::session::VerifyEmail;
use crate::components::{ErrorBanner, SubmitButton, error_of};
use crate::i18n::use_lang;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// `/verify-email?userID=…&code=…`: confirms an email address from the link in the mail. The
/// confirmation is a button, so mail scanners that open links do not use the code up.
#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let (user_id, code) = query.with_untracked(|query| {
        (
            query.get("userID").unwrap_or_default(),
            query.get("code").unwrap_or_default(),
        )
    });
    let complete = !user_id.is_empty() && !code.is_empty();
    let action = ServerAction::<VerifyEmail>::new();
    let error = error_of(action.value());
    let done = Signal::derive(move || matches!(action.value().get(), Some(Ok(()))));
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        action.dispatch(VerifyEmail {
            user_id: user_id.clone(),
            code: code.clone(),
        });
    };
    view! {
        <Title text=lang.t("Confirm email address") />
        <section class="card narrow">
            <h1>{lang.t("Confirm your email address")}</h1>
            {move || {
                if done.get() {
                    view! {
                        <div class="banner success" role="status">
                            {lang.t("Your email address is confirmed.")}
                        </div>
                        <p>
                            <A href="/account">{lang.t("Go to your account")}</A>
                        </p>
                    }
                        .into_any()
                } else if !complete {
                    view! {
                        <p class="banner error" role="alert">
                            {lang.t("This link is incomplete. Open the link from the mail again.")}
                        </p>
                    }
                        .into_any()
                } else {
                    view! {
                        <p>{lang.t("Confirm that this address belongs to you.")}</p>
                        <ErrorBanner error=error all=true />
                        <form on:submit=on_submit.clone() novalidate>
                            <SubmitButton
                                label=lang.t("Confirm email address")
                                pending_label=lang.t("Confirming…")
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
