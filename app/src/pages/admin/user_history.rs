//! The admin user page's history: every change to the user, newest first, with who made it.

use crate::api::admin_users::user_history;
use crate::components::{ErrorBanner, use_hydrated};
use crate::model::{AppError, HistoryActor, HistoryEntry, HistoryPage, UserId};
use leptos::prelude::*;

/// What an event type means, in words.
pub fn event_label(event_type: &str) -> &'static str {
    match event_type {
        "user.human.added" => "Account created",
        "user.human.initialization.code.added" => "Invitation sent",
        "user.human.initialization.check.succeeded" => "Account activated",
        "user.human.profile.changed" => "Profile changed",
        "user.human.avatar.added" => "Picture changed",
        "user.human.avatar.removed" => "Picture removed",
        "user.human.email.changed" => "Email changed",
        "user.human.email.change.requested" => "Email change requested",
        "user.human.email.code.added" => "Email confirmation link sent",
        "user.human.email.verified" => "Email confirmed",
        "user.human.phone.changed" => "Phone changed",
        "user.human.phone.removed" => "Phone removed",
        "user.human.phone.code.added" => "Phone confirmation code sent",
        "user.human.phone.verified" => "Phone confirmed",
        "user.human.password.changed" => "Password changed",
        "user.human.password.code.added" => "Password reset requested",
        "user.human.password.hash.updated" => "Password hash upgraded",
        "user.human.mfa.otp.added" => "Authenticator app added",
        "user.human.mfa.otp.removed" => "Authenticator app removed",
        "user.human.mfa.u2f.token.added" => "Security key added",
        "user.human.mfa.u2f.token.removed" => "Security key removed",
        "user.human.passwordless.token.added" => "Passkey added",
        "user.human.passwordless.token.removed" => "Passkey removed",
        "user.human.passwordless.initialization.code.added" => "Passkey link created",
        "user.human.passwordless.initialization.code.requested" => "Passkey link sent",
        "user.locked" => "Account locked",
        "user.unlocked" => "Account unlocked",
        _ => "Other change",
    }
}

fn actor_text(actor: &HistoryActor) -> String {
    match actor {
        HistoryActor::System => "Roster".to_owned(),
        HistoryActor::TheUser => "the user".to_owned(),
        HistoryActor::Admin(username) => username.clone(),
        HistoryActor::Service(username) => format!("{username} (service account)"),
        HistoryActor::Unknown(id) => format!("removed account {id}"),
    }
}

/// The history panel; `loaded` is the newest page, made by the page.
#[component]
pub fn UserHistory(
    user_id: UserId,
    loaded: Resource<Result<HistoryPage, AppError>>,
) -> impl IntoView {
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
    let row = |entry: HistoryEntry| {
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
                    {event_label(&entry.event_type)}
                    <div class="muted small"><code>{entry.event_type.clone()}</code></div>
                </td>
                <td>{actor_text(&entry.actor)}</td>
                <td class="small">{details}</td>
                <td class="numeric">{entry.sequence}</td>
            </tr>
        }
    };
    view! {
        <section class="panel" aria-labelledby="history-title">
            <h2 id="history-title">"History"</h2>
            <ErrorBanner error=Signal::derive(move || more.value().get().and_then(Result::err)) all=true />
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
                {move || {
                    loaded
                        .get()
                        .map(|result| match result {
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
                                                    <th scope="col">"When"</th>
                                                    <th scope="col">"What"</th>
                                                    <th scope="col">"Who"</th>
                                                    <th scope="col">"Details"</th>
                                                    <th scope="col">"Sequence"</th>
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
                                            .map(|before| {
                                                view! {
                                                    <button
                                                        type="button"
                                                        disabled=move || !hydrated.get() || more.pending().get()
                                                        on:click=move |_| {
                                                            more.dispatch(before);
                                                        }
                                                    >
                                                        "Show older changes"
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
