use crate::api::admin_users::list_orgs;
use crate::api::orgs::CreateOrg;
use crate::components::{ErrorBanner, Field, SubmitButton, error_of, field_error};
use crate::model::Me;
use crate::session::AdminOnly;
use leptos::prelude::*;
use leptos_meta::Title;

/// `/admin/orgs`: the organisations users belong to; REST callers pick one with
/// `x-zitadel-orgid`.
#[component]
pub fn OrgsPage() -> impl IntoView {
    view! {
        <Title text="Organisations" />
        <AdminOnly instance_owner=true children=|_me: Me| view! { <Orgs /> } />
    }
}

#[component]
fn Orgs() -> impl IntoView {
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
            <h1 id="orgs-title">"Organisations"</h1>
            <p class="muted">
                "Every user belongs to one organisation. REST calls work in the caller's own organisation unless they name another in the "
                <code>"x-zitadel-orgid"</code> " header."
            </p>
            <Transition fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
                {move || {
                    orgs.get()
                        .map(|result| match result {
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
                                                    <th scope="col">"Name"</th>
                                                    <th scope="col">"Id (for x-zitadel-orgid)"</th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {list
                                                    .into_iter()
                                                    .map(|org| {
                                                        view! {
                                                            <tr>
                                                                <td>
                                                                    {org.name}
                                                                    {org.is_default.then(|| view! { <span class="badge info">"default"</span> })}
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
            <h2>"New organisation"</h2>
            <ErrorBanner error=error />
            <form on:submit=on_submit novalidate>
                <Field
                    id="org_name"
                    label="Name"
                    value=name
                    error=field_error(error, "name")
                    required=true
                    maxlength=200
                    autocomplete="off"
                />
                <SubmitButton label="Create organisation" pending_label="Creating…" pending=create.pending() />
            </form>
        </section>
    }
}
