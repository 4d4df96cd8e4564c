use crate::api::admin_users::list_orgs;
use crate::api::orgs::CreateOrg;
use crate::components::{ErrorBanner, Field, SubmitButton, error_of, field_error};
use crate::i18n::use_lang;
use crate::model::Me;
use crate::session::AdminOnly;
use leptos::prelude::*;
use leptos_meta::Title;

/// `/admin/orgs`: the organisations users belong to; REST callers pick one with
/// `x-zitadel-orgid`.
#[component]
pub fn OrgsPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=lang.t("Organisations") />
        <AdminOnly instance_owner=true children=|_me: Me| view! { <Orgs /> } />
    }
}

#[component]
fn Orgs() -> impl IntoView {
    let lang = use_lang();
    let create = ServerAction::<CreateOrg>::new();
    let orgs = Resource::new(move || create.version().get(), |_| list_orgs());
    let name = RwSignal::new(String::new());
    let error = error_of(create.value());
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            name.set(String::new());
        }
    });
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        create.dispatch(CreateOrg {
            name: name.get_untracked(),
        });
    };
    view! {
        <section class="card wide">
            <h1 id="orgs-title">{lang.t("Organisations")}</h1>
            <p class="muted">
                {lang.t("Every user belongs to one organisation. REST calls work in the caller's own organisation unless they name another in the ")}
                <code>"x-zitadel-orgid"</code> {lang.t(" header.")}
            </p>
            <Transition fallback=move || view! { <p class="loading" role="status">{lang.t("Loading…")}</p> }>
                {move || {
                    orgs.get()
                        .map(move |result| match result {
                            Err(error) => {
                                view! { <ErrorBanner error=Signal::derive(move || Some(error.clone())) all=true /> }
                                    .into_any()
                            }
                            Ok(list) => {
                                view! {
                                    <div class="table-wrap" tabindex="0" role="region" aria-labelledby="orgs-title">
                                        <table>
                                            <thead>
                                                <tr>
                                                    <th scope="col">{lang.t("Name")}</th>
                                                    <th scope="col">{lang.t("Id (for x-zitadel-orgid)")}</th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {list
                                                    .into_iter()
                                                    .map(move |org| {
                                                        view! {
                                                            <tr>
                                                                <td>
                                                                    {org.name}
                                                                    {org.is_default.then(move || view! { <span class="badge info">{lang.t("default")}</span> })}
                                                                </td>
                                                                <td>
                                                                    <code>{org.id.to_string()}</code>
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
            <h2>{lang.t("New organisation")}</h2>
            <ErrorBanner error=error />
            <form on:submit=on_submit novalidate>
                <Field
                    id="org_name"
                    label=lang.t("Name")
                    value=name
                    error=field_error(error, "name")
                    required=true
                    maxlength=200
                    autocomplete="off"
                />
                <SubmitButton label=lang.t("Create organisation") pending_label=lang.t("Creating…") pending=create.pending() />
            </form>
        </section>
    }
}
