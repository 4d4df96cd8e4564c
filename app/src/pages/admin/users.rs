use crate::api::admin_users::list_users;
use crate::components::ErrorBanner;
use crate::model::{Me, UserListQuery, UserState};
use crate::session::AdminOnly;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

const PAGE_SIZE: u32 = 50;

/// `/admin/users`: find users by name, username or email.
#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <Title text="Users" />
        <AdminOnly children=|me: Me| view! { <UserList me /> } />
    }
}

#[component]
fn UserList(me: Me) -> impl IntoView {
    let search = RwSignal::new(String::new());
    // Cursors of the pages before the current one, so "Previous" can go back.
    let cursors = RwSignal::new(Vec::<Option<String>>::new());
    let after = RwSignal::new(None::<String>);
    let page = Resource::new(
        move || (search.get(), after.get()),
        |(search, after)| {
            list_users(UserListQuery {
                search,
                after,
                limit: PAGE_SIZE,
            })
        },
    );
    let on_search = move |event: leptos::ev::Event| {
        search.set(event_target_value(&event));
        cursors.set(Vec::new());
        after.set(None);
    };

    view! {
        <section class="card wide">
            <div class="heading-row">
                <h1>"Users"</h1>
                {me
                    .can_write_users
                    .then(|| {
                        view! {
                            <A href="/admin/users/import" attr:class="button primary">
                                "Import user"
                            </A>
                        }
                    })}
            </div>
            <form role="search" on:submit=|event: leptos::ev::SubmitEvent| event.prevent_default()>
                <label for="user-search">"Search by name, username or email"</label>
                <input
                    id="user-search"
                    type="search"
                    placeholder="Start of a name, username or email"
                    prop:value=move || search.get()
                    on:input=on_search
                    autocomplete="off"
                />
            </form>
            <Transition fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
                {move || {
                    page.get()
                        .map(|result| match result {
                            Err(error) => {
                                view! { <ErrorBanner error=Signal::derive(move || Some(error.clone())) all=true /> }
                                    .into_any()
                            }
                            Ok(page) => {
                                let first = cursors.with(Vec::len) * PAGE_SIZE as usize + 1;
                                let last = first + page.users.len() - 1;
                                let total = if page.total >= page.total_capped_at {
                                    format!("more than {}", page.total_capped_at - 1)
                                } else {
                                    page.total.to_string()
                                };
                                let next_cursor = page.next_cursor.clone();
                                let summary = if page.users.is_empty() {
                                    "No users match.".to_owned()
                                } else {
                                    format!("Showing {first}–{last} of {total}")
                                };
                                view! {
                                    <p class="muted" role="status" aria-live="polite">{summary}</p>
                                    <div class="table-wrap">
                                        <table class="users">
                                            <thead>
                                                <tr>
                                                    <th scope="col">"Username"</th>
                                                    <th scope="col">"Display name"</th>
                                                    <th scope="col">"Email"</th>
                                                    <th scope="col">"State"</th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {page
                                                    .users
                                                    .into_iter()
                                                    .map(|user| {
                                                        let href = format!("/admin/users/{}", user.id);
                                                        view! {
                                                            <tr>
                                                                <td>
                                                                    <A href=href>{user.username}</A>
                                                                </td>
                                                                <td>{user.display_name}</td>
                                                                <td>
                                                                    {user.email}
                                                                    {(!user.email_verified)
                                                                        .then(|| {
                                                                            view! { <span class="badge warn">"unverified"</span> }
                                                                        })}
                                                                </td>
                                                                <td>
                                                                    <StateBadge state=user.state />
                                                                </td>
                                                            </tr>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                    <nav class="pager" aria-label="Pages">
                                        <button
                                            type="button"
                                            disabled=move || cursors.with(Vec::is_empty)
                                            on:click=move |_| {
                                                let mut previous = cursors.get_untracked();
                                                let back = previous.pop().flatten();
                                                cursors.set(previous);
                                                after.set(back);
                                            }
                                        >
                                            "Previous"
                                        </button>
                                        <button
                                            type="button"
                                            disabled=next_cursor.is_none()
                                            on:click=move |_| {
                                                if let Some(next) = next_cursor.clone() {
                                                    cursors.update(|stack| stack.push(after.get_untracked()));
                                                    after.set(Some(next));
                                                }
                                            }
                                        >
                                            "Next"
                                        </button>
                                    </nav>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
        </section>
    }
}

/// A user's state as a coloured word.
#[component]
pub fn StateBadge(state: UserState) -> impl IntoView {
    let class = match state {
        UserState::Active => "badge ok",
        UserState::Initial => "badge info",
        _ => "badge warn",
    };
    view! { <span class=class>{state.label()}</span> }
}
