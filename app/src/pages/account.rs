use crate::api::account::{UpdateOwnProfile, own_profile};
use crate::components::ErrorBanner;
use crate::model::{Me, ProfileForm, ProfileView};
use crate::pages::admin::ProfileEditor;
use crate::session::SignedIn;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// `/account`: the signed-in person's own profile.
#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <Title text="My account" />
        <SignedIn children=|me: Me| view! { <Account me /> } />
    }
}

#[component]
fn Account(me: Me) -> impl IntoView {
    let profile = Resource::new(|| (), |_| own_profile());
    let action = ServerAction::<UpdateOwnProfile>::new();
    view! {
        <section class="card">
            <h1>"My account"</h1>
            <dl class="facts">
                <dt>"Username"</dt>
                <dd>{me.username.clone()}</dd>
            </dl>
            <p>
                <A href="/change-password">"Change password"</A>
            </p>
        </section>
        <section class="card">
            <h2>"Profile"</h2>
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
                {move || {
                    profile
                        .get()
                        .map(|loaded| match loaded {
                            Ok(view) => {
                                view! {
                                    <ProfileEditor
                                        initial=ProfileForm::from(view)
                                        pending=action.pending()
                                        result=Signal::derive(move || {
                                            action.value().get().map(|result| result.map(|_: ProfileView| ()))
                                        })
                                        on_save=move |form| {
                                            action.dispatch(UpdateOwnProfile { form });
                                        }
                                    />
                                }
                                    .into_any()
                            }
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
