//! `/api-docs`: how scripts talk to Roster, with the operations of the generated OpenAPI
//! document.

use crate::api::api_docs::get_api_overview;
use crate::components::ErrorBanner;
use crate::model::ApiOperation;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ApiDocsPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| get_api_overview());
    view! {
        <Title text="REST API" />
        <section class="card wide">
            <h1>"REST API"</h1>
            <p>
                "Roster answers the human-user operations of ZITADEL's Management API v1 with the same requests and replies, so existing scripts and migrations work unchanged."
            </p>
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
                {move || {
                    overview
                        .get()
                        .map(|result| match result {
                            Err(error) => {
                                view! { <ErrorBanner error=Signal::derive(move || Some(error.clone())) all=true /> }
                                    .into_any()
                            }
                            Ok(overview) => {
                                view! {
                                    <dl class="facts">
                                        <dt>"Base URL"</dt>
                                        <dd><code>{overview.base_url.clone()}</code></dd>
                                        <dt>"OpenAPI document"</dt>
                                        <dd>
                                            <a href=overview.document_url.clone()>{overview.document_url.clone()}</a>
                                        </dd>
                                        <dt>"Authentication"</dt>
                                        <dd>
                                            "A service account's personal access token as "
                                            <code>"Authorization: Bearer …"</code>
                                            ". Administrators create service accounts under Service accounts."
                                        </dd>
                                        <dt>"Organisation"</dt>
                                        <dd>
                                            "The header "
                                            <code>"x-zitadel-orgid"</code>
                                            " selects it; without it, the token's own organisation."
                                        </dd>
                                    </dl>
                                    <h2 id="operations-title">"Operations"</h2>
                                    // Focusable, so keyboard users can scroll a table wider than
                                    // the screen.
                                    <div class="table-wrap" tabindex="0" role="region" aria-labelledby="operations-title">
                                        <table class="operations">
                                            <thead>
                                                <tr>
                                                    <th scope="col">"Method"</th>
                                                    <th scope="col">"Path"</th>
                                                    <th scope="col">"Operation"</th>
                                                    <th scope="col">"What it does"</th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {overview.operations.into_iter().map(operation_row).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
        </section>
    }
}

fn operation_row(operation: ApiOperation) -> impl IntoView {
    view! {
        <tr>
            <td><span class="badge info">{operation.method}</span></td>
            <td><code>{operation.path}</code></td>
            <td>{operation.operation_id}</td>
            <td>{operation.summary}</td>
        </tr>
    }
}
