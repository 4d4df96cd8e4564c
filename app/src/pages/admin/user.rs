use super::users::StateBadge;
use crate::api::admin_users::{UpdateUserProfile, get_user_detail, user_history, user_messages};
use crate::api::factors::user_factors;
use crate::components::{Avatar, AvatarEditor, AvatarTarget, ErrorBanner};
use crate::i18n::use_lang;
use crate::model::{
    AppError, FactorsView, HistoryPage, Me, MessageView, ProfileForm, ProfileView, UserDetail,
    UserId,
};
use crate::pages::admin::ProfileEditor;
use crate::pages::admin::user_actions::UserActions;
use crate::pages::admin::user_factors::UserFactors;
use crate::pages::admin::user_history::UserHistory;
use crate::session::AdminOnly;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

/// `/admin/users/:id`: one user's profile, email, phone and state, with profile editing.
#[component]
pub fn UserPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=lang.t("User") />
        <AdminOnly children=|me: Me| view! { <UserView me /> } />
    }
}

#[component]
fn UserView(me: Me) -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let user_id = move || UserId(params.with(|params| params.get("id").unwrap_or_default()));
    // Every resource of the page is made here, outside the suspense boundaries that read it:
    // one made inside a resolved boundary does not hydrate from the server's HTML.
    let detail = Resource::new(user_id, get_user_detail);
    let resources = UserResources {
        messages: Resource::new(user_id, user_messages),
        factors: Resource::new(user_id, user_factors),
        history: Resource::new(user_id, |id| user_history(id, None)),
    };
    view! {
        <section class="card wide">
            <p>
                <A href="/admin/users">{lang.t("← All users")}</A>
            </p>
            <Suspense fallback=move || view! { <p class="loading" role="status">{lang.t("Loading…")}</p> }>
                {move || {
                    detail
                        .get()
                        .map(|result| match result {
                            Err(error) => {
                                view! { <ErrorBanner error=Signal::derive(move || Some(error.clone())) all=true /> }
                                    .into_any()
                            }
                            Ok(user) => view! { <UserEditor user me=me.clone() resources /> }.into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

/// The user's messages and factors, loaded beside the user's details.
#[derive(Clone, Copy, Debug)]
struct UserResources {
    messages: Resource<Result<Vec<MessageView>, AppError>>,
    factors: Resource<Result<FactorsView, AppError>>,
    history: Resource<Result<HistoryPage, AppError>>,
}

/// The loaded user: facts, profile form and the other operations, all showing the newest state.
#[component]
fn UserEditor(user: UserDetail, me: Me, resources: UserResources) -> impl IntoView {
    let lang = use_lang();
    let initial = ProfileForm::from(user.profile.clone());
    let id = user.id.clone();
    let current = RwSignal::new(Some(user));
    let save = ServerAction::<UpdateUserProfile>::new();
    Effect::new(move |_| {
        if let Some(Ok(updated)) = save.value().get() {
            current.set(Some(updated));
        }
    });
    let save_id = id.clone();
    let picture_id = id.clone();
    let history_id = id.clone();
    // Any change to the user (profile, contact, password, state, picture) adds to the history.
    Effect::new(move |previous: Option<Option<(u64, Option<String>)>>| {
        let version = current.with(|user| {
            user.as_ref()
                .map(|user| (user.sequence, user.profile.avatar_url.clone()))
        });
        if previous.is_some_and(|previous| previous != version) {
            resources.history.refetch();
        }
        version
    });
    let display_name = current
        .with_untracked(|user| user.as_ref().map(|user| user.profile.display_name.clone()))
        .unwrap_or_default();
    let avatar_url = current.with_untracked(|user| {
        user.as_ref()
            .and_then(|user| user.profile.avatar_url.clone())
    });
    view! {
        <UserFacts user=current />
        <h2>{lang.t("Profile")}</h2>
        {if me.can_write_users {
            view! {
                <h3>{lang.t("Picture")}</h3>
                <AvatarEditor
                    target=AvatarTarget::User(picture_id)
                    initial_url=avatar_url
                    display_name
                    on_change=Callback::new(move |profile: ProfileView| {
                        current.update(|user| {
                            if let Some(user) = user {
                                user.profile.avatar_url = profile.avatar_url;
                            }
                        });
                    })
                />
                <h3>{lang.t("Details")}</h3>
                <ProfileEditor
                    initial
                    pending=save.pending()
                    result=Signal::derive(move || {
                        save.value().get().map(|result| result.map(|_: UserDetail| ()))
                    })
                    on_save=move |form| {
                        save.dispatch(UpdateUserProfile {
                            user_id: save_id.clone(),
                            form,
                        });
                    }
                />
                <UserActions user=current user_id=id.clone() messages=resources.messages />
            }
                .into_any()
        } else {
            view! { <p class="muted">{lang.t("You may view but not change users.")}</p> }.into_any()
        }}
        <UserFactors
            user_id=id
            can_write=me.can_write_users
            can_make_links=me.can_write_credentials
            loaded=resources.factors
        />
        <UserHistory user_id=history_id loaded=resources.history />
    }
}

#[component]
fn UserFacts(#[prop(into)] user: Signal<Option<UserDetail>>) -> impl IntoView {
    let lang = use_lang();
    move || {
        user.get().map(|user| {
            let phone = match &user.phone {
                Some(phone) => format!(
                    "{phone}{}",
                    if user.phone_verified {
                        lang.t(" (verified)")
                    } else {
                        lang.t(" (not verified)")
                    }
                ),
                None => lang.t("none").to_owned(),
            };
            let password = match (user.has_password, user.password_change_required) {
                (false, _) => lang.t("not set"),
                (true, true) => lang.t("set, must be changed at next sign-in"),
                (true, false) => lang.t("set"),
            };
            view! {
                <div class="heading-row">
                    <Avatar
                        url=Signal::derive({
                            let url = user.profile.avatar_url.clone();
                            move || url.clone()
                        })
                        name=user.profile.display_name.clone()
                        size="medium"
                    />
                    <h1>{user.profile.display_name.clone()}</h1>
                    <StateBadge state=user.state />
                </div>
                <dl class="facts">
                    <dt>{lang.t("Username")}</dt>
                    <dd>{user.username.clone()}</dd>
                    <dt>{lang.t("User id")}</dt>
                    <dd>
                        <code>{user.id.to_string()}</code>
                    </dd>
                    <dt>{lang.t("Organisation")}</dt>
                    <dd>{user.org_name.clone()}</dd>
                    <dt>{lang.t("Email")}</dt>
                    <dd>
                        {user.email.clone()}
                        {if user.email_verified {
                            view! { <span class="badge ok">{lang.t("verified")}</span> }
                        } else {
                            view! { <span class="badge warn">{lang.t("not verified")}</span> }
                        }}
                        {user
                            .pending_email
                            .clone()
                            .map(|pending| {
                                view! {
                                    <div class="muted">
                                        {lang.f("asked to change to {pending}", &[("pending", &pending)])}
                                    </div>
                                }
                            })}
                    </dd>
                    <dt>{lang.t("Phone")}</dt>
                    <dd>{phone}</dd>
                    <dt>{lang.t("Password")}</dt>
                    <dd>{password}</dd>
                    <dt>{lang.t("Preferred language")}</dt>
                    <dd>{user.profile.preferred_language.clone()}</dd>
                    <dt>{lang.t("Created")}</dt>
                    <dd>
                        <time datetime=user.created_at.clone()>{user.created_at.clone()}</time>
                    </dd>
                    <dt>{lang.t("Last change")}</dt>
                    <dd>
                        <time datetime=user.changed_at.clone()>{user.changed_at.clone()}</time>
                        {lang.f(" (sequence {sequence})", &[("sequence", &user.sequence.to_string())])}
                    </dd>
                </dl>
            }
        })
    }
}
