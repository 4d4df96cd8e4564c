use crate::api::account::{
    RunAccountAction as AccountActionFn, UpdateOwnProfile, own_contact, own_profile,
};
use crate::components::{
    AvatarEditor, AvatarTarget, ErrorBanner, Field, ReauthDialog, SubmitButton, field_error,
    use_hydrated,
};
use crate::i18n::{Lang, use_lang};
use crate::model::{AccountAction, AppError, ContactView, ErrorCode, Me, ProfileForm, ProfileView};
use crate::pages::admin::ProfileEditor;
use crate::pages::factors::OwnFactors;
use crate::session::SignedIn;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// `/account`: the signed-in person's own profile, email, phone, password, authenticator
/// app, security keys and passkeys.
#[component]
pub fn AccountPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=lang.t("My account") />
        <SignedIn children=|me: Me| view! { <Account me /> } />
    }
}

#[component]
fn Account(me: Me) -> impl IntoView {
    let lang = use_lang();
    let profile = Resource::new(|| (), |_| own_profile());
    let contact = Resource::new(|| (), |_| own_contact());
    let action = ServerAction::<UpdateOwnProfile>::new();
    view! {
        <section class="card">
            <h1>{lang.t("My account")}</h1>
            <dl class="facts">
                <dt>{lang.t("Username")}</dt>
                <dd>{me.username.clone()}</dd>
            </dl>
            <p>
                <A href="/change-password">{lang.t("Change password")}</A>
            </p>
        </section>
        <Suspense fallback=move || view! { <p class="loading" role="status">{lang.t("Loading…")}</p> }>
            {move || {
                contact
                    .get()
                    .map(|loaded| match loaded {
                        Ok(view) => view! { <ContactSections initial=view /> }.into_any(),
                        Err(error) => {
                            view! { <ErrorBanner error=Signal::derive(move || Some(error.clone())) all=true /> }
                                .into_any()
                        }
                    })
            }}
        </Suspense>
        <OwnFactors />
        <section class="card">
            <h2>{lang.t("Profile")}</h2>
            <Suspense fallback=move || view! { <p class="loading" role="status">{lang.t("Loading…")}</p> }>
                {move || {
                    profile
                        .get()
                        .map(|loaded| match loaded {
                            Ok(view) => {
                                view! {
                                    <h3>{lang.t("Picture")}</h3>
                                    <AvatarEditor
                                        target=AvatarTarget::Own
                                        initial_url=view.avatar_url.clone()
                                        display_name=view.display_name.clone()
                                    />
                                    <h3>{lang.t("Details")}</h3>
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

/// Which part of the page an action came from, to show its outcome there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Email,
    Phone,
}

/// What to tell the person after an action succeeded (`now` is the state it left).
fn success_text(lang: Lang, done: &AccountAction, now: &ContactView) -> String {
    match done {
        AccountAction::ChangeEmail { email } => lang.f(
            "We sent a confirmation link to {email}. The change takes effect once you open it.",
            &[("email", email)],
        ),
        AccountAction::ChangePhone { phone } => {
            let phone = now.phone.as_deref().unwrap_or(phone);
            lang.f(
                "We sent a code to {phone}. Enter it below to confirm the number.",
                &[("phone", phone)],
            )
        }
        AccountAction::VerifyPhone { .. } => lang.t("Your phone number is confirmed.").to_owned(),
        AccountAction::ResendPhoneCode => lang.t("A new code is on its way.").to_owned(),
        AccountAction::RemovePhone => lang.t("Your phone number was removed.").to_owned(),
        AccountAction::Reauthenticate { .. } => String::new(),
    }
}

#[component]
fn ContactSections(initial: ContactView) -> impl IntoView {
    let lang = use_lang();
    let contact = RwSignal::new(initial);
    let change = ServerAction::<AccountActionFn>::new();
    let part = RwSignal::new(Part::Email);
    // The last action sent, and the one waiting for the password to be entered again.
    let last = RwSignal::new(None::<AccountAction>);
    let waiting = RwSignal::new(None::<AccountAction>);
    let notice = RwSignal::new(None::<(Part, String)>);
    let reauth_open = RwSignal::new(false);
    let new_email = RwSignal::new(String::new());
    let new_phone = RwSignal::new(String::new());
    let phone_code = RwSignal::new(String::new());
    let hydrated = use_hydrated();
    let busy = change.pending();
    let error = Signal::derive(move || {
        change
            .value()
            .get()
            .and_then(Result::err)
            .filter(|error| error.code != ErrorCode::ReauthRequired)
    });

    let run = move |which: Part, next: AccountAction| {
        part.set(which);
        notice.set(None);
        last.set(Some(next.clone()));
        change.dispatch(AccountActionFn { action: next });
    };

    Effect::new(move |_| match change.value().get() {
        Some(Ok(updated)) => {
            if let Some(done) = last.get_untracked() {
                notice.set(Some((
                    part.get_untracked(),
                    success_text(lang, &done, &updated),
                )));
            }
            contact.set(updated);
            new_email.set(String::new());
            new_phone.set(String::new());
            phone_code.set(String::new());
        }
        Some(Err(error)) if error.code == ErrorCode::ReauthRequired => {
            waiting.set(last.get_untracked());
            reauth_open.set(true);
        }
        _ => {}
    });
    // Once the password checked out, the waiting action runs again.
    let retry_waiting = move || {
        if let Some(next) = waiting.get_untracked() {
            waiting.set(None);
            change.dispatch(AccountActionFn { action: next });
        }
    };

    view! {
        <ReauthDialog open=reauth_open on_confirmed=retry_waiting />
        <section class="card" aria-labelledby="email-title">
            <h2 id="email-title">{lang.t("Email")}</h2>
            {move || {
                let view = contact.get();
                let resend_to = view.pending_email.clone().or_else(|| (!view.email_verified).then(|| view.email.clone()));
                view! {
                    <p>
                        <strong>{view.email.clone()}</strong>
                        {if view.email_verified {
                            view! { <span class="badge ok">{lang.t("verified")}</span> }
                        } else {
                            view! { <span class="badge warn">{lang.t("not verified")}</span> }
                        }}
                    </p>
                    {view
                        .pending_email
                        .clone()
                        .map(|pending| {
                            view! {
                                <p class="banner info" role="status">
                                    {lang.f("Waiting for you to confirm {pending}: open the link we sent there.", &[("pending", &pending)])}
                                </p>
                            }
                        })}
                    {resend_to
                        .map(|address| {
                            view! {
                                <p>
                                    <button
                                        type="button"
                                        disabled=move || !hydrated.get() || busy.get()
                                        on:click=move |_| run(Part::Email, AccountAction::ChangeEmail { email: address.clone() })
                                    >
                                        {lang.t("Send the confirmation link again")}
                                    </button>
                                </p>
                            }
                        })}
                }
            }}
            <PartNotice part=Part::Email notice />
            <PartError part=Part::Email current=part error />
            <form
                on:submit=move |event: leptos::ev::SubmitEvent| {
                    event.prevent_default();
                    run(Part::Email, AccountAction::ChangeEmail { email: new_email.get_untracked() });
                }
                novalidate
            >
                <Field
                    id="new_email"
                    label=lang.t("New email address")
                    kind="email"
                    value=new_email
                    error=part_field(part, Part::Email, error, "email")
                    autocomplete="email"
                    hint=lang.t("Your current address stays until you open the link we send to the new one.")
                />
                <SubmitButton
                    label=lang.t("Change email")
                    pending_label=lang.t("Sending…")
                    pending=Signal::derive(move || change.pending().get() && part.get() == Part::Email)
                />
            </form>
        </section>
        <section class="card" aria-labelledby="phone-title">
            <h2 id="phone-title">{lang.t("Phone")}</h2>
            {move || {
                let view = contact.get();
                match view.phone.clone() {
                    None => view! { <p class="muted">{lang.t("No phone number.")}</p> }.into_any(),
                    Some(phone) => {
                        view! {
                            <p>
                                <strong>{phone}</strong>
                                {if view.phone_verified {
                                    view! { <span class="badge ok">{lang.t("verified")}</span> }
                                } else {
                                    view! { <span class="badge warn">{lang.t("not verified")}</span> }
                                }}
                                <button
                                    type="button"
                                    class="danger small"
                                    disabled=move || !hydrated.get() || busy.get()
                                    on:click=move |_| run(Part::Phone, AccountAction::RemovePhone)
                                >
                                    {lang.t("Remove")}
                                </button>
                            </p>
                            {(!view.phone_verified)
                                .then(|| {
                                    view! {
                                        <form
                                            on:submit=move |event: leptos::ev::SubmitEvent| {
                                                event.prevent_default();
                                                run(Part::Phone, AccountAction::VerifyPhone { code: phone_code.get_untracked() });
                                            }
                                            novalidate
                                        >
                                            <Field
                                                id="phone_code"
                                                label=lang.t("Code from the SMS")
                                                value=phone_code
                                                error=part_field(part, Part::Phone, error, "code")
                                                autocomplete="one-time-code"
                                                maxlength=12
                                            />
                                            <div class="button-row">
                                                <SubmitButton
                                                    label=lang.t("Confirm phone")
                                                    pending_label=lang.t("Checking…")
                                                    pending=Signal::derive(move || change.pending().get() && part.get() == Part::Phone)
                                                />
                                                <button
                                                    type="button"
                                                    disabled=move || !hydrated.get() || busy.get()
                                                    on:click=move |_| run(Part::Phone, AccountAction::ResendPhoneCode)
                                                >
                                                    {lang.t("Send a new code")}
                                                </button>
                                            </div>
                                        </form>
                                    }
                                })}
                        }
                            .into_any()
                    }
                }
            }}
            <PartNotice part=Part::Phone notice />
            <PartError part=Part::Phone current=part error />
            <form
                on:submit=move |event: leptos::ev::SubmitEvent| {
                    event.prevent_default();
                    run(Part::Phone, AccountAction::ChangePhone { phone: new_phone.get_untracked() });
                }
                novalidate
            >
                <Field
                    id="new_phone"
                    label=lang.t("Phone number")
                    kind="tel"
                    value=new_phone
                    error=part_field(part, Part::Phone, error, "phone")
                    autocomplete="tel"
                    hint=lang.t("International format, starting with +, e.g. +41 71 000 00 00. We send a code to confirm it.")
                />
                <SubmitButton
                    label=lang.t("Save phone number")
                    pending_label=lang.t("Sending…")
                    pending=Signal::derive(move || change.pending().get() && part.get() == Part::Phone)
                />
            </form>
        </section>
    }
}

/// A field's error, shown only in the part of the page that sent the action.
fn part_field(
    current: RwSignal<Part>,
    part: Part,
    error: Signal<Option<AppError>>,
    field: &'static str,
) -> Signal<Option<String>> {
    let message = field_error(error, field);
    Signal::derive(move || message.get().filter(|_| current.get() == part))
}

#[component]
fn PartNotice(part: Part, notice: RwSignal<Option<(Part, String)>>) -> impl IntoView {
    move || {
        notice
            .get()
            .filter(|(which, _)| *which == part)
            .map(|(_, text)| view! { <div class="banner success" role="status">{text}</div> })
    }
}

/// Errors without a field, in the part of the page that sent the action.
#[component]
fn PartError(
    part: Part,
    current: RwSignal<Part>,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    view! { <ErrorBanner error=Signal::derive(move || error.get().filter(|_| current.get() == part)) /> }
}
