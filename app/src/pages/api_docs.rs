//! `/api-docs`: how scripts talk to Roster, with the operations of the generated OpenAPI
//! document.

use crate::api::api_docs::get_api_overview;
use crate::components::ErrorBanner;
use crate::i18n::use_lang;
use crate::model::ApiOperation;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ApiDocsPage() -> impl IntoView {
    let lang = use_lang();
    let overview = Resource::new(|| (), |_| get_api_overview());
    view! {
        <Title text=lang.t("REST API") />
        <section class="card wide">
            <h1>{lang.t("REST API")}</h1>
            <p>
                {lang.t("Roster answers the human-user operations of ZITADEL's Management API v1 with the same requests and replies, so existing scripts and migrations work unchanged.")}
            </p>
            <Suspense fallback=move || view! { <p class="loading" role="status">{lang.t("Loading…")}</p> }>
                {move || {
                    overview
                        .get()
                        .map(move |result| match result {
                            Err(error) => {
                                view! { <ErrorBanner error=Signal::derive(move || Some(error.clone())) all=true /> }
                                    .into_any()
                            }
                            Ok(overview) => {
                                view! {
                                    <dl class="facts">
                                        <dt>{lang.t("Base URL")}</dt>
                                        <dd><code>{overview.base_url.clone()}</code></dd>
                                        <dt>{lang.t("OpenAPI document")}</dt>
                                        <dd>
                                            <a href=overview.document_url.clone()>{overview.document_url.clone()}</a>
                                        </dd>
                                        <dt>{lang.t("Authentication")}</dt>
                                        <dd>
                                            {lang.t("A service account's personal access token as ")}
                                            <code>"Authorization: Bearer …"</code>
                                            {lang.t(". Administrators create service accounts under Service accounts.")}
                                        </dd>
                                        <dt>{lang.t("Organisation")}</dt>
                                        <dd>
                                            {lang.t("The header ")}
                                            <code>"x-zitadel-orgid"</code>
                                            {lang.t(" selects it; without it, the token's own organisation.")}
                                        </dd>
                                    </dl>
                                    <h2 id="operations-title">{lang.t("Operations")}</h2>
                                    // Focusable, so keyboard users can scroll a table wider than
                                    // the screen.
                                    <div class="table-wrap" tabindex="0" role="region" aria-labelledby="operations-title">
                                        <table class="operations">
                                            <thead>
                                                <tr>
                                                    <th scope="col">{lang.t("Method")}</th>
                                                    <th scope="col">{lang.t("Path")}</th>
                                                    <th scope="col">{lang.t("Operation")}</th>
                                                    <th scope="col">{lang.t("What it does")}</th>
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
    let summary = use_lang().t_dynamic(&operation.summary);
    view! {
        <tr>
            <td><span class="badge info">{operation.method}</span></td>
            <td><code>{operation.path}</code></td>
            <td>{operation.operation_id}</td>
            <td>{summary}</td>
        </tr>
    }
}
