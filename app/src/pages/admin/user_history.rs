//! The admin user page's history: every change to the user, newest first, with who made it.

use crate::api::admin_users::user_history;
use crate::components::{ErrorBanner, use_hydrated};
use crate::i18n::{Lang, use_lang};
use crate::model::{AppError, HistoryActor, HistoryEntry, HistoryPage, UserId};
use leptos::prelude::*;

/// What an event type means, in words.
pub fn event_label(lang: Lang, event_type: &str) -> &'static str {
    match event_type {
        "user.human.added" => lang.t("Account created"),
        "user.human.initialization.code.added" => lang.t("Invitation sent"),
        "user.human.initialization.check.succeeded" => lang.t("Account activated"),
        "user.human.profile.changed" => lang.t("Profile changed"),
        "user.human.avatar.added" => lang.t("Picture changed"),
        "user.human.avatar.removed" => lang.t("Picture removed"),
        "user.human.email.changed" => lang.t("Email changed"),
        "user.human.email.change.requested" => lang.t("Email change requested"),
        "user.human.email.code.added" => lang.t("Email confirmation link sent"),
        "user.human.email.verified" => lang.t("Email confirmed"),
        "user.human.phone.changed" => lang.t("Phone changed"),
        "user.human.phone.removed" => lang.t("Phone removed"),
        "user.human.phone.code.added" => lang.t("Phone confirmation code sent"),
        "user.human.phone.verified" => lang.t("Phone confirmed"),
        "user.human.password.changed" => lang.t("Password changed"),
        "user.human.password.code.added" => lang.t("Password reset requested"),
        "user.human.password.hash.updated" => lang.t("Password hash upgraded"),
        "user.human.mfa.otp.added" => lang.t("Authenticator app added"),
        "user.human.mfa.otp.removed" => lang.t("Authenticator app removed"),
        "user.human.mfa.u2f.token.added" => lang.t("Security key added"),
        "user.human.mfa.u2f.token.removed" => lang.t("Security key removed"),
        "user.human.passwordless.token.added" => lang.t("Passkey added"),
        "user.human.passwordless.token.removed" => lang.t("Passkey removed"),
        "user.human.passwordless.initialization.code.added" => lang.t("Passkey link created"),
        "user.human.passwordless.initialization.code.requested" => lang.t("Passkey link sent"),
        "user.locked" => lang.t("Account locked"),
        "user.unlocked" => lang.t("Account unlocked"),
        _ => lang.t("Other change"),
    }
}

fn actor_text(lang: Lang, actor: &HistoryActor) -> String {
    match actor {
        HistoryActor::System => "Roster".to_owned(),
        HistoryActor::TheUser => lang.t("the user").to_owned(),
        HistoryActor::Admin(username) => username.clone(),
        HistoryActor::Service(username) => {
            lang.f("{username} (service account)", &[("username", username)])
        }
        HistoryActor::Unknown(id) => lang.f("removed account {id}", &[("id", id)]),
    }
}

/// The history panel; `loaded` is the newest page, made by the page.
#[component]
pub fn UserHistory(
    user_id: UserId,
    loaded: Resource<Result<HistoryPage, AppError>>,
) -> impl IntoView {
    let lang = use_lang();
    let hydrated = use_hydrated();
    let id = StoredValue::new(user_id);
    // Older pages fetched with "Show older", appended below the newest page.
    let older = RwSignal::new(Vec::<HistoryEntry>::new());
    let next = RwSignal::new(None::<Option<i64>>);
    let more = Action::new(move |before: &i64| user_history(id.get_value(), Some(*before)));
    Effect::new(move |_| {
        if let Some(Ok(page)) = more.value().get() {
            older.update(|entries| entries.extend(page.entries));
            next.set(Some(page.next_before));
        }
    });
    // A reload of the newest page (after a change) starts the list over.
    Effect::new(move |_| {
        if loaded.get().is_some() {
            older.set(Vec::new());
            next.set(None);
        }
    });
    let row = move |entry: HistoryEntry| {
        let details = entry
            .details
            .iter()
            .map(|(name, value)| format!("{name}: {value}"))
            .collect::<Vec<_>>()
            .join(", ");
        view! {
            <tr>
                <td><time datetime=entry.at.clone()>{entry.at.clone()}</time></td>
                <td>
                    {event_label(lang, &entry.event_type)}
                    <div class="muted small"><code>{entry.event_type.clone()}</code></div>
                </td>
                <td>{actor_text(lang, &entry.actor)}</td>
                <td class="small">{details}</td>
                <td class="numeric">{entry.sequence}</td>
            </tr>
        }
    };
    view! {
        <section class="panel" aria-labelledby="history-title">
            <h2 id="history-title">{lang.t("History")}</h2>
            <ErrorBanner error=Signal::derive(move || more.value().get().and_then(Result::err)) all=true />
            <Suspense fallback=move || view! { <p class="loading" role="status">{lang.t("Loading…")}</p> }>
                {move || {
                    loaded
                        .get()
                        .map(move |result| match result {
                            Err(error) => {
                                view! { <ErrorBanner error=Signal::derive(move || Some(error.clone())) all=true /> }
                                    .into_any()
                            }
                            Ok(page) => {
                                let first_next = page.next_before;
                                view! {
                                    <div class="table-wrap" tabindex="0" role="region" aria-labelledby="history-title">
                                        <table class="history">
                                            <thead>
                                                <tr>
                                                    <th scope="col">{lang.t("When")}</th>
                                                    <th scope="col">{lang.t("What")}</th>
                                                    <th scope="col">{lang.t("Who")}</th>
                                                    <th scope="col">{lang.t("Details")}</th>
                                                    <th scope="col">{lang.t("Sequence")}</th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {page.entries.into_iter().map(row).collect_view()}
                                                {move || older.get().into_iter().map(row).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                    {move || {
                                        next.get()
                                            .unwrap_or(first_next)
                                            .map(move |before| {
                                                view! {
                                                    <button
                                                        type="button"
                                                        disabled=move || !hydrated.get() || more.pending().get()
                                                        on:click=move |_| {
                                                            more.dispatch(before);
                                                        }
                                                    >
                                                        {lang.t("Show older changes")}
                                                    </button>
                                                }
                                            })
                                    }}
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
        </section>
    }
}
