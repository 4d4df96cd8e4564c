use crate::api::admin_users::list_users;
use crate::components::{Avatar, ErrorBanner};
use crate::i18n::use_lang;
use crate::model::{Me, UserListQuery, UserSort, UserState};
use crate::session::AdminOnly;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

const PAGE_SIZE: u32 = 50;

/// `/admin/users`: find users by name, username or email.
#[component]
pub fn UsersPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=lang.t("Users") />
        <AdminOnly children=|me: Me| view! { <UserList me /> } />
    }
}

/// The states the list can be narrowed to, in the order the filter offers them.
const STATE_FILTERS: [UserState; 4] = [
    UserState::Active,
    UserState::Initial,
    UserState::Locked,
    UserState::Inactive,
];

#[component]
fn UserList(me: Me) -> impl IntoView {
    let lang = use_lang();
    let search = RwSignal::new(String::new());
    let state_filter = RwSignal::new(None::<UserState>);
    let sort = RwSignal::new((UserSort::Username, false));
    // Cursors of the pages before the current one, so "Previous" can go back.
    let cursors = RwSignal::new(Vec::<Option<String>>::new());
    let after = RwSignal::new(None::<String>);
    let page = Resource::new(
        move || (search.get(), state_filter.get(), sort.get(), after.get()),
        |(search, state, (sort, descending), after)| {
            list_users(UserListQuery {
                search,
                after,
                limit: PAGE_SIZE,
                sort,
                descending,
                state,
            })
        },
    );
    let start_over = move || {
        cursors.set(Vec::new());
        after.set(None);
    };
    let on_search = move |event: leptos::ev::Event| {
        search.set(event_target_value(&event));
        start_over();
    };
    let on_state = move |event: leptos::ev::Event| {
        let value = event_target_value(&event);
        state_filter.set(
            STATE_FILTERS
                .into_iter()
                .find(|state| state.proto_name() == value),
        );
        start_over();
    };
    let sort_by = move |column: UserSort| {
        sort.update(|(current, descending)| {
            if *current == column {
                *descending = !*descending;
            } else {
                *current = column;
                *descending = false;
            }
        });
        start_over();
    };
    // A column header that sorts by its column; screen readers hear the order through aria-sort.
    let header = move |column: UserSort, label: &'static str| {
        let aria_sort = move || match sort.get() {
            (current, false) if current == column => "ascending",
            (current, true) if current == column => "descending",
            _ => "none",
        };
        let arrow = move || match sort.get() {
            (current, false) if current == column => "▲",
            (current, true) if current == column => "▼",
            _ => "",
        };
        view! {
            <th scope="col" aria-sort=aria_sort>
                <button type="button" class="sort" on:click=move |_| sort_by(column)>
                    {label}
                    <span class="sort-arrow" aria-hidden="true">{arrow}</span>
                </button>
            </th>
        }
    };

    view! {
        <section class="card wide">
            <div class="heading-row">
                <h1 id="users-title">{lang.t("Users")}</h1>
                {me
                    .can_write_users
                    .then(|| {
                        view! {
                            <A href="/admin/users/import" attr:class="button primary">
                                {lang.t("Import user")}
                            </A>
                        }
                    })}
            </div>
            <form
                role="search"
                class="list-filters"
                on:submit=|event: leptos::ev::SubmitEvent| event.prevent_default()
            >
                <div class="field">
                    <label for="user-search">{lang.t("Search by name, username or email")}</label>
                    <input
                        id="user-search"
                        type="search"
                        placeholder=lang.t("Start of a name, username or email")
                        prop:value=move || search.get()
                        on:input=on_search
                        autocomplete="off"
                    />
                </div>
                <div class="field">
                    <label for="state-filter">{lang.t("State")}</label>
                    <select id="state-filter" on:change=on_state>
                        <option value="" selected=move || state_filter.get().is_none()>
                            {lang.t("All states")}
                        </option>
                        {STATE_FILTERS
                            .into_iter()
                            .map(move |state| {
                                view! {
                                    <option
                                        value=state.proto_name()
                                        selected=move || state_filter.get() == Some(state)
                                    >
                                        {lang.t(state.label())}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
            </form>
            <Transition fallback=move || view! { <p class="loading" role="status">{lang.t("Loading…")}</p> }>
                {move || {
                    page.get()
                        .map(move |result| match result {
                            Err(error) => {
                                view! { <ErrorBanner error=Signal::derive(move || Some(error.clone())) all=true /> }
                                    .into_any()
                            }
                            Ok(page) => {
                                let first = cursors.with(Vec::len) * PAGE_SIZE as usize + 1;
                                let last = first + page.users.len() - 1;
                                let total = if page.total >= page.total_capped_at {
                                    lang.f("more than {count}", &[("count", &(page.total_capped_at - 1).to_string())])
                                } else {
                                    page.total.to_string()
                                };
                                let next_cursor = page.next_cursor.clone();
                                let summary = if page.users.is_empty() {
                                    lang.t("No users match.").to_owned()
                                } else {
                                    lang.f("Showing {first}–{last} of {total}", &[("first", &first.to_string()), ("last", &last.to_string()), ("total", &total)])
                                };
                                view! {
                                    <p class="muted" role="status" aria-live="polite">{summary}</p>
                                    <div class="table-wrap" tabindex="0" role="region" aria-labelledby="users-title">
                                        <table class="users">
                                            <thead>
                                                <tr>
                                                    {header(UserSort::Username, lang.t("Username"))}
                                                    {header(UserSort::DisplayName, lang.t("Display name"))}
                                                    {header(UserSort::Email, lang.t("Email"))}
                                                    {header(UserSort::State, lang.t("State"))}
                                                    {header(UserSort::Created, lang.t("Created"))}
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {page
                                                    .users
                                                    .into_iter()
                                                    .map(move |user| {
                                                        let href = format!("/admin/users/{}", user.id);
                                                        let avatar_url = user.avatar_url.clone();
                                                        let created = user
                                                            .created_at
                                                            .get(..10)
                                                            .unwrap_or(&user.created_at)
                                                            .to_owned();
                                                        view! {
                                                            <tr>
                                                                <td>
                                                                    <span class="user-cell">
                                                                        <Avatar
                                                                            url=Signal::derive(move || avatar_url.clone())
                                                                            name=user.display_name.clone()
                                                                            size="small"
                                                                        />
                                                                        <A href=href>{user.username}</A>
                                                                    </span>
                                                                </td>
                                                                <td>{user.display_name}</td>
                                                                <td>
                                                                    {user.email}
                                                                    {(!user.email_verified)
                                                                        .then(|| {
                                                                            view! { <span class="badge warn">{lang.t("unverified")}</span> }
                                                                        })}
                                                                </td>
                                                                <td>
                                                                    <StateBadge state=user.state />
                                                                </td>
                                                                <td>
                                                                    <time datetime=user.created_at.clone()>{created}</time>
                                                                </td>
                                                            </tr>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                    <nav class="pager" aria-label=lang.t("Pages")>
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
                                            {lang.t("Previous")}
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
                                            {lang.t("Next")}
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
    let lang = use_lang();
    let class = match state {
        UserState::Active => "badge ok",
        UserState::Initial => "badge info",
        _ => "badge warn",
    };
    view! { <span class=class>{lang.t(state.label())}</span> }
}
