use crate::api::service_accounts::{CreateServiceAccount, RevokeToken, list_service_accounts};
use crate::components::{ErrorBanner, Field, SubmitButton, error_of, field_error, use_hydrated};
use crate::i18n::use_lang;
use crate::model::{CreateServiceAccountForm, Me, Role};
use crate::session::AdminOnly;
use leptos::prelude::*;
use leptos_meta::Title;

/// `/admin/service-accounts`: machine accounts with personal access tokens for the REST API.
#[component]
pub fn ServiceAccountsPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=lang.t("Service accounts") />
        <AdminOnly instance_owner=true children=|_me: Me| view! { <ServiceAccounts /> } />
    }
}

#[component]
fn ServiceAccounts() -> impl IntoView {
    let lang = use_lang();
    let create = ServerAction::<CreateServiceAccount>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let accounts = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_service_accounts(),
    );
    let username = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::IamUserManager);
    let error = error_of(create.value());
    let created = Signal::derive(move || create.value().get().and_then(Result::ok));
    let hydrated = use_hydrated();
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            username.set(String::new());
            name.set(String::new());
        }
    });

    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        create.dispatch(CreateServiceAccount {
            form: CreateServiceAccountForm {
                username: username.get_untracked(),
                name: name.get_untracked(),
                role: role.get_untracked(),
                org_id: String::new(),
            },
        });
    };

    view! {
        <section class="card wide">
            <h1>{lang.t("Service accounts")}</h1>
            <p class="muted">
                {lang.t("Scripts call the REST API (/management/v1) with a service account's token as ")}
                <code>"Authorization: Bearer …"</code>
                {lang.t(". The role decides what the token may do.")}
            </p>
            {move || {
                created
                    .get()
                    .map(move |created| {
                        view! {
                            <div class="banner success" role="status">
                                <strong>{lang.f("Created {username}.", &[("username", &created.account.username)])}</strong>
                                <span>{lang.t("Copy the token now; it is shown only once:")}</span>
                                <code class="secret" id="new-token">{created.token}</code>
                            </div>
                        }
                    })
            }}
            <ErrorBanner error=error />
            <form on:submit=on_submit novalidate>
                <div class="grid-2">
                    <Field
                        id="sa_username"
                        label=lang.t("Username")
                        value=username
                        error=field_error(error, "username")
                        required=true
                        maxlength=200
                        autocomplete="off"
                    />
                    <Field
                        id="sa_name"
                        label=lang.t("Name")
                        value=name
                        error=field_error(error, "name")
                        required=true
                        maxlength=200
                        autocomplete="off"
                    />
                    <div class="field">
                        <label for="sa_role">{lang.t("Role")}</label>
                        <select
                            id="sa_role"
                            on:change=move |event| {
                                if let Some(picked) = Role::parse(&event_target_value(&event)) {
                                    role.set(picked);
                                }
                            }
                        >
                            {Role::ALL
                                .into_iter()
                                .map(move |option| {
                                    view! {
                                        <option value=option.as_str() selected=move || role.get() == option>
                                            {format!("{} — {}", option.as_str(), lang.t(option.label()))}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </div>
                </div>
                <SubmitButton
                    label=lang.t("Create service account")
                    pending_label=lang.t("Creating…")
                    pending=create.pending()
                />
            </form>
        </section>
        <section class="card wide">
            <h2 id="tokens-title">{lang.t("Existing accounts")}</h2>
            <ErrorBanner error=error_of(revoke.value()) all=true />
            <Transition fallback=move || view! { <p class="loading" role="status">{lang.t("Loading…")}</p> }>
                {move || {
                    accounts
                        .get()
                        .map(move |result| match result {
                            Err(error) => {
                                view! { <ErrorBanner error=Signal::derive(move || Some(error.clone())) all=true /> }
                                    .into_any()
                            }
                            Ok(list) if list.is_empty() => {
                                view! { <p class="muted">{lang.t("No service accounts yet.")}</p> }.into_any()
                            }
                            Ok(list) => {
                                view! {
                                    <div class="table-wrap" tabindex="0" role="region" aria-labelledby="tokens-title">
                                        <table>
                                            <thead>
                                                <tr>
                                                    <th scope="col">{lang.t("Username")}</th>
                                                    <th scope="col">{lang.t("Name")}</th>
                                                    <th scope="col">{lang.t("Role")}</th>
                                                    <th scope="col">{lang.t("Tokens")}</th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {list
                                                    .into_iter()
                                                    .map(move |account| {
                                                        view! {
                                                            <tr>
                                                                <td>{account.username}</td>
                                                                <td>{account.name}</td>
                                                                <td>{account.role.map(Role::as_str).unwrap_or(lang.t("none"))}</td>
                                                                <td>
                                                                    <ul class="plain">
                                                                        {account
                                                                            .tokens
                                                                            .into_iter()
                                                                            .map(move |token| {
                                                                                let id = token.id.clone();
                                                                                view! {
                                                                                    <li>
                                                                                        {format!(
                                                                                            "{}{} ",
                                                                                            lang.f("created {at}", &[("at", &token.created_at)]),
                                                                                            token
                                                                                                .last_used_at
                                                                                                .map(|at| lang.f(", last used {at}", &[("at", &at)]))
                                                                                                .unwrap_or_default(),
                                                                                        )}
                                                                                        <button
                                                                                            type="button"
                                                                                            class="danger small"
                                                                                            disabled=move || !hydrated.get() || revoke.pending().get()
                                                                                            on:click=move |_| {
                                                                                                revoke.dispatch(RevokeToken { token_id: id.clone() });
                                                                                            }
                                                                                        >
                                                                                            {lang.t("Revoke")}
                                                                                        </button>
                                                                                    </li>
                                                                                }
                                                                            })
                                                                            .collect_view()}
                                                                    </ul>
                                                                </td>
                                                            </tr>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
        </section>
    }
}
