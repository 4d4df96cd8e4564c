use crate::api::admin_users::{ImportUser, list_orgs};
use crate::components::{
    CheckboxField, ErrorBanner, Field, GenderSelect, LanguageField, SubmitButton, error_of,
    field_error, use_hydrated,
};
use crate::i18n::use_lang;
use crate::model::{Gender, ImportOutcome, ImportUserForm, Me};
use crate::session::AdminOnly;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// `/admin/users/import`: create a human user with every field of the REST import.
#[component]
pub fn ImportPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=lang.t("Import user") />
        <AdminOnly children=|_me: Me| view! { <ImportForm /> } />
    }
}

#[component]
fn ImportForm() -> impl IntoView {
    let lang = use_lang();
    let orgs = Resource::new(|| (), |_| list_orgs());
    let org_id = RwSignal::new(String::new());
    let username = RwSignal::new(String::new());
    let first_name = RwSignal::new(String::new());
    let last_name = RwSignal::new(String::new());
    let nick_name = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let preferred_language = RwSignal::new(String::new());
    let gender = RwSignal::new(Gender::Unspecified);
    let email = RwSignal::new(String::new());
    let email_verified = RwSignal::new(false);
    let phone = RwSignal::new(String::new());
    let phone_verified = RwSignal::new(false);
    let password = RwSignal::new(String::new());
    let password_change_required = RwSignal::new(true);
    let hashed_password = RwSignal::new(String::new());
    let request_passkey_link = RwSignal::new(false);

    let action = ServerAction::<ImportUser>::new();
    let error = error_of(action.value());
    let outcome = Signal::derive(move || action.value().get().and_then(Result::ok));
    // After a successful import the form starts over, ready for the next person.
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            for field in [
                username,
                first_name,
                last_name,
                nick_name,
                display_name,
                preferred_language,
                email,
                phone,
                password,
                hashed_password,
            ] {
                field.set(String::new());
            }
            gender.set(Gender::Unspecified);
            email_verified.set(false);
            phone_verified.set(false);
            password_change_required.set(true);
            request_passkey_link.set(false);
        }
    });

    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        action.dispatch(ImportUser {
            form: ImportUserForm {
                org_id: org_id.get_untracked(),
                username: username.get_untracked(),
                first_name: first_name.get_untracked(),
                last_name: last_name.get_untracked(),
                nick_name: nick_name.get_untracked(),
                display_name: display_name.get_untracked(),
                preferred_language: preferred_language.get_untracked(),
                gender: gender.get_untracked(),
                email: email.get_untracked(),
                email_verified: email_verified.get_untracked(),
                phone: phone.get_untracked(),
                phone_verified: phone_verified.get_untracked(),
                password: password.get_untracked(),
                password_change_required: password_change_required.get_untracked(),
                hashed_password: hashed_password.get_untracked(),
                request_passkey_link: request_passkey_link.get_untracked(),
            },
        });
    };

    view! {
        <section class="card wide">
            <p>
                <A href="/admin/users">{lang.t("← All users")}</A>
            </p>
            <h1>{lang.t("Import user")}</h1>
            <p class="muted">
                {lang.t("Creates a person the way the REST import does. Without a verified email and a password (or passkey link) the user gets an invitation mail and starts as not yet initialized.")}
            </p>
            {move || outcome.get().map(|outcome| view! { <ImportResult outcome /> })}
            <ErrorBanner error=error />
            <form on:submit=on_submit novalidate>
                <fieldset>
                    <legend>{lang.t("Account")}</legend>
                    <Suspense fallback=|| ()>
                        {move || {
                            orgs.get()
                                .and_then(Result::ok)
                                .filter(|orgs| orgs.len() > 1)
                                .map(move |orgs| {
                                    view! {
                                        <div class="field">
                                            <label for="org_id">{lang.t("Organisation")}</label>
                                            <select
                                                id="org_id"
                                                on:change=move |event| org_id.set(event_target_value(&event))
                                            >
                                                {orgs
                                                    .into_iter()
                                                    .map(|org| {
                                                        let value = if org.is_default { String::new() } else { org.id.to_string() };
                                                        view! { <option value=value>{org.name}</option> }
                                                    })
                                                    .collect_view()}
                                            </select>
                                        </div>
                                    }
                                })
                        }}
                    </Suspense>
                    <Field
                        id="username"
                        label=lang.t("Username")
                        value=username
                        error=field_error(error, "username")
                        required=true
                        maxlength=200
                        autocomplete="off"
                        hint=lang.t("Unique, any case. Spaces around it are removed.")
                    />
                </fieldset>
                <fieldset>
                    <legend>{lang.t("Profile")}</legend>
                    <div class="grid-2">
                        <Field
                            id="first_name"
                            label=lang.t("First name")
                            value=first_name
                            error=field_error(error, "first_name")
                            required=true
                            maxlength=200
                            autocomplete="off"
                        />
                        <Field
                            id="last_name"
                            label=lang.t("Last name")
                            value=last_name
                            error=field_error(error, "last_name")
                            required=true
                            maxlength=200
                            autocomplete="off"
                        />
                        <Field
                            id="display_name"
                            label=lang.t("Display name")
                            value=display_name
                            error=field_error(error, "display_name")
                            maxlength=200
                            autocomplete="off"
                            hint=lang.t("Empty: first and last name.")
                        />
                        <Field
                            id="nick_name"
                            label=lang.t("Nickname")
                            value=nick_name
                            error=field_error(error, "nick_name")
                            maxlength=200
                            autocomplete="off"
                        />
                        <LanguageField
                            id="preferred_language"
                            value=preferred_language
                            error=field_error(error, "preferred_language")
                        />
                        <GenderSelect id="gender" value=gender error=field_error(error, "gender") />
                    </div>
                </fieldset>
                <fieldset>
                    <legend>{lang.t("Contact")}</legend>
                    <div class="grid-2">
                        <div>
                            <Field
                                id="email"
                                label=lang.t("Email")
                                kind="email"
                                value=email
                                error=field_error(error, "email")
                                required=true
                                autocomplete="off"
                            />
                            <CheckboxField id="email_verified" label=lang.t("Email is verified") checked=email_verified />
                        </div>
                        <div>
                            <Field
                                id="phone"
                                label=lang.t("Phone")
                                kind="tel"
                                value=phone
                                error=field_error(error, "phone")
                                autocomplete="off"
                                hint=lang.t("International format, starting with +, e.g. +41 71 000 00 00.")
                            />
                            <CheckboxField id="phone_verified" label=lang.t("Phone is verified") checked=phone_verified />
                        </div>
                    </div>
                </fieldset>
                <fieldset>
                    <legend>{lang.t("Sign-in")}</legend>
                    <Field
                        id="password"
                        label=lang.t("Initial password")
                        kind="password"
                        value=password
                        error=field_error(error, "password")
                        autocomplete="new-password"
                        hint=lang.t("Optional. Leave empty to let the user choose one from the invitation mail.")
                    />
                    <CheckboxField
                        id="password_change_required"
                        label=lang.t("User must change this password at first sign-in")
                        checked=password_change_required
                    />
                    <Field
                        id="hashed_password"
                        label=lang.t("Password hash from another system")
                        value=hashed_password
                        error=field_error(error, "hashed_password")
                        autocomplete="off"
                        hint=lang.t("Optional: bcrypt, argon2, pbkdf2, scrypt or sha-crypt. Overrides the initial password.")
                    />
                    <CheckboxField
                        id="request_passkey_link"
                        label=lang.t("Create a passkey registration link")
                        checked=request_passkey_link
                    />
                </fieldset>
                <SubmitButton label=lang.t("Import user") pending_label=lang.t("Importing…") pending=action.pending() />
            </form>
        </section>
    }
}

#[component]
fn ImportResult(outcome: ImportOutcome) -> impl IntoView {
    let lang = use_lang();
    let href = format!("/admin/users/{}", outcome.user_id);
    let hydrated = use_hydrated();
    let copied = RwSignal::new(false);
    view! {
        <div class="banner success" role="status">
            <strong>{lang.t("User imported.")}</strong>
            <span>
                <A href=href>{lang.t("Open the new user")}</A>
                {lang.f(" · state: {state}", &[("state", lang.t(outcome.state.label()))])}
                {outcome.init_mail_queued.then_some(lang.t(" · invitation mail queued"))}
            </span>
        </div>
        {outcome
            .passkey_link
            .map(move |link| {
                let minutes = outcome.passkey_link_lifetime_secs / 60;
                let to_copy = link.clone();
                view! {
                    <div class="card inset">
                        <h2>{lang.t("Passkey registration link")}</h2>
                        <p class="muted">
                            {lang.f("Valid for {minutes} minutes, once. Hand it to the user; it is not shown again.", &[("minutes", &minutes.to_string())])}
                        </p>
                        <p>
                            <code class="secret" id="passkey-link">{link}</code>
                        </p>
                        <button
                            type="button"
                            disabled=move || !hydrated.get()
                            on:click=move |_| {
                                #[cfg(feature = "hydrate")]
                                {
                                    let _ = crate::browser::copy_to_clipboard(&to_copy);
                                }
                                #[cfg(not(feature = "hydrate"))]
                                let _ = &to_copy;
                                copied.set(true);
                            }
                        >
                            {move || if copied.get() { lang.t("Copied") } else { lang.t("Copy link") }}
                        </button>
                    </div>
                }
            })}
    }
}
