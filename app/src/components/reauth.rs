use crate::api::account::RunAccountAction;
use crate::components::{ErrorBanner, Field, SubmitButton, error_of};
use crate::model::AccountAction;
use leptos::prelude::*;

/// Asks for the password again when a change needs a recent sign-in. Shown while `open` is
/// set; `on_confirmed` runs once the password checked out (typically: send the change again).
#[component]
pub fn ReauthDialog<F>(open: RwSignal<bool>, on_confirmed: F) -> impl IntoView
where
    F: Fn() + Copy + Send + Sync + 'static,
{
    let reauth = ServerAction::<RunAccountAction>::new();
    let error = error_of(reauth.value());
    let password = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(_)) = reauth.value().get() {
            reauth.value().set(None);
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
    move || {
        open.get().then(|| {
            view! {
                <section class="card" role="dialog" aria-labelledby="reauth-title">
                    <h2 id="reauth-title">"Confirm it is you"</h2>
                    <p>"For your security, enter your password again to make this change."</p>
                    <ErrorBanner error=error all=true />
                    <form on:submit=confirm novalidate>
                        <Field
                            id="reauth_password"
                            label="Your password"
                            kind="password"
                            value=password
                            error=Signal::derive(|| None::<String>)
                            autocomplete="current-password"
                            required=true
                            autofocus=true
                        />
                        <div class="button-row">
                            <SubmitButton label="Confirm" pending_label="Checking…" pending=reauth.pending() />
                            <button type="button" on:click=move |_| open.set(false)>
                                "Cancel"
                            </button>
                        </div>
                    </form>
                </section>
            }
        })
    }
}
