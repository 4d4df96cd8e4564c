use crate::api::admin_users::{RetryMessage, RunAdminUserAction as AdminUserActionFn};
use crate::components::{
    CheckboxField, ErrorBanner, Field, SubmitButton, field_error, use_hydrated,
};
use crate::i18n::{Lang, use_lang};
use crate::model::{AdminUserAction, AppError, MessageView, UserDetail, UserId, UserState};
use leptos::prelude::*;

/// The parts of the admin user page an action can come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Email,
    Phone,
    Password,
    State,
}

fn part_of(action: &AdminUserAction) -> Part {
    match action {
        AdminUserAction::UpdateEmail { .. } | AdminUserAction::ResendEmailVerification => {
            Part::Email
        }
        AdminUserAction::UpdatePhone { .. }
        | AdminUserAction::RemovePhone
        | AdminUserAction::ResendPhoneVerification => Part::Phone,
        AdminUserAction::SetPassword { .. } | AdminUserAction::SendPasswordReset { .. } => {
            Part::Password
        }
        AdminUserAction::ResendInitialization | AdminUserAction::Unlock => Part::State,
    }
}

fn success_text(lang: Lang, action: &AdminUserAction) -> &'static str {
    match action {
        AdminUserAction::UpdateEmail { verified: true, .. } => lang.t("Email changed."),
        AdminUserAction::UpdateEmail {
            verified: false, ..
        } => lang.t("Email changed; a confirmation link is on its way to the new address."),
        AdminUserAction::ResendEmailVerification => {
            lang.t("A new confirmation link is on its way.")
        }
        AdminUserAction::UpdatePhone { verified: true, .. } => lang.t("Phone changed."),
        AdminUserAction::UpdatePhone {
            verified: false, ..
        } => lang.t("Phone changed; a code is on its way by SMS."),
        AdminUserAction::RemovePhone => lang.t("Phone removed."),
        AdminUserAction::ResendPhoneVerification => lang.t("A new code is on its way by SMS."),
        AdminUserAction::ResendInitialization => {
            lang.t("A new invitation mail is on its way; older codes no longer work.")
        }
        AdminUserAction::SetPassword { .. } => lang.t("Password set. The user's sessions ended."),
        AdminUserAction::SendPasswordReset { by_sms: false } => {
            lang.t("A reset link is on its way by mail.")
        }
        AdminUserAction::SendPasswordReset { by_sms: true } => {
            lang.t("A reset code is on its way by SMS.")
        }
        AdminUserAction::Unlock => lang.t("User unlocked."),
    }
}

/// A message's state or an attempt's outcome (`queued`, `sent`, `failed`, `expired`) in the
/// page's language; anything else unchanged.
fn state_text(lang: Lang, state: &str) -> String {
    match state {
        "queued" => lang.t("queued").to_owned(),
        "sent" => lang.t("sent").to_owned(),
        "failed" => lang.t("failed").to_owned(),
        "expired" => lang.t("expired").to_owned(),
        other => other.to_owned(),
    }
}

/// Email, phone, password and state operations on the admin user page, plus the messages
/// (`messages`, reloaded after each operation).
#[component]
pub fn UserActions(
    user: RwSignal<Option<UserDetail>>,
    user_id: UserId,
    messages: Resource<Result<Vec<MessageView>, AppError>>,
) -> impl IntoView {
    let lang = use_lang();
    let action = ServerAction::<AdminUserActionFn>::new();
    let retry = ServerAction::<RetryMessage>::new();
    let last = RwSignal::new(None::<AdminUserAction>);
    let notice = RwSignal::new(None::<(Part, &'static str)>);
    let hydrated = use_hydrated();
    let busy = action.pending();
    let email = RwSignal::new(String::new());
    let email_verified = RwSignal::new(false);
    let phone = RwSignal::new(String::new());
    let phone_verified = RwSignal::new(false);
    let password = RwSignal::new(String::new());
    let change_required = RwSignal::new(true);
    // An operation may queue a message, and a retry changes one: show the newest list.
    Effect::new(move |previous: Option<(usize, usize)>| {
        let versions = (action.version().get(), retry.version().get());
        if previous.is_some_and(|previous| previous != versions) {
            messages.refetch();
        }
        versions
    });
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let current_part = Signal::derive(move || last.get().as_ref().map(part_of));

    Effect::new(move |_| {
        if let Some(Ok(updated)) = action.value().get() {
            user.set(Some(updated));
            if let Some(done) = last.get_untracked() {
                notice.set(Some((part_of(&done), success_text(lang, &done))));
            }
            email.set(String::new());
            phone.set(String::new());
            password.set(String::new());
        }
    });

    let id = StoredValue::new(user_id);
    let run = move |next: AdminUserAction| {
        notice.set(None);
        last.set(Some(next.clone()));
        action.dispatch(AdminUserActionFn {
            user_id: id.get_value(),
            action: next,
        });
    };
    let part_error = move |part: Part, field: &'static str| {
        let message = field_error(error, field);
        Signal::derive(move || message.get().filter(|_| current_part.get() == Some(part)))
    };
    let part_banner = move |part: Part| {
        Signal::derive(move || {
            error.get().filter(|error: &AppError| {
                error.field.is_none() && current_part.get() == Some(part)
            })
        })
    };
    let part_notice = move |part: Part| {
        move || {
            notice
                .get()
                .filter(|(which, _)| *which == part)
                .map(|(_, text)| view! { <div class="banner success" role="status">{text}</div> })
        }
    };
    let button = move |label: &'static str, next: AdminUserAction, class: &'static str| {
        view! {
            <button
                type="button"
                class=class
                disabled=move || !hydrated.get() || busy.get()
                on:click=move |_| run(next.clone())
            >
                {label}
            </button>
        }
    };

    view! {
        <div class="admin-sections">
            <section class="panel" aria-labelledby="admin-email">
                <h2 id="admin-email">{lang.t("Email")}</h2>
                {part_notice(Part::Email)}
                <ErrorBanner error=part_banner(Part::Email) />
                {move || {
                    user.get()
                        .filter(|user| !user.email_verified && user.state != UserState::Initial)
                        .map(|_| button(lang.t("Send a new confirmation link"), AdminUserAction::ResendEmailVerification, ""))
                }}
                <form
                    on:submit=move |event: leptos::ev::SubmitEvent| {
                        event.prevent_default();
                        run(AdminUserAction::UpdateEmail {
                            email: email.get_untracked(),
                            verified: email_verified.get_untracked(),
                        });
                    }
                    novalidate
                >
                    <Field id="admin_email" label=lang.t("New email address") kind="email" value=email error=part_error(Part::Email, "email") autocomplete="off" />
                    <CheckboxField id="admin_email_verified" label=lang.t("Mark the new address as verified") checked=email_verified hint=lang.t("Otherwise the user gets a confirmation link.") />
                    <SubmitButton label=lang.t("Change email") pending_label=lang.t("Saving…") pending=busy />
                </form>
            </section>
            <section class="panel" aria-labelledby="admin-phone">
                <h2 id="admin-phone">{lang.t("Phone")}</h2>
                {part_notice(Part::Phone)}
                <ErrorBanner error=part_banner(Part::Phone) />
                {move || {
                    user.get()
                        .filter(|user| user.phone.is_some())
                        .map(|user| {
                            view! {
                                <div class="button-row">
                                    {(!user.phone_verified).then(|| button(lang.t("Send a new code"), AdminUserAction::ResendPhoneVerification, ""))}
                                    {button(lang.t("Remove phone"), AdminUserAction::RemovePhone, "danger")}
                                </div>
                            }
                        })
                }}
                <form
                    on:submit=move |event: leptos::ev::SubmitEvent| {
                        event.prevent_default();
                        run(AdminUserAction::UpdatePhone {
                            phone: phone.get_untracked(),
                            verified: phone_verified.get_untracked(),
                        });
                    }
                    novalidate
                >
                    <Field id="admin_phone" label=lang.t("New phone number") kind="tel" value=phone error=part_error(Part::Phone, "phone") autocomplete="off" hint=lang.t("International format, starting with +.") />
                    <CheckboxField id="admin_phone_verified" label=lang.t("Mark the new number as verified") checked=phone_verified />
                    <SubmitButton label=lang.t("Change phone") pending_label=lang.t("Saving…") pending=busy />
                </form>
            </section>
            <section class="panel" aria-labelledby="admin-password">
                <h2 id="admin-password">{lang.t("Password")}</h2>
                {part_notice(Part::Password)}
                <ErrorBanner error=part_banner(Part::Password) />
                {move || {
                    user.get()
                        .filter(|user| user.state != UserState::Initial)
                        .map(|user| {
                            view! {
                                <p class="muted">{lang.t("Best practice: let the user choose. Send a reset link:")}</p>
                                <div class="button-row">
                                    {button(lang.t("Send reset link by mail"), AdminUserAction::SendPasswordReset { by_sms: false }, "")}
                                    {user.phone.is_some().then(|| button(lang.t("Send reset code by SMS"), AdminUserAction::SendPasswordReset { by_sms: true }, ""))}
                                </div>
                            }
                        })
                }}
                <form
                    on:submit=move |event: leptos::ev::SubmitEvent| {
                        event.prevent_default();
                        run(AdminUserAction::SetPassword {
                            password: password.get_untracked(),
                            change_required: change_required.get_untracked(),
                        });
                    }
                    novalidate
                >
                    <Field id="admin_password" label=lang.t("Set a password") kind="password" value=password error=part_error(Part::Password, "password") autocomplete="new-password" />
                    <CheckboxField id="admin_change_required" label=lang.t("User must change it at the next sign-in") checked=change_required />
                    <SubmitButton label=lang.t("Set password") pending_label=lang.t("Saving…") pending=busy />
                </form>
            </section>
            <section class="panel" aria-labelledby="admin-state">
                <h2 id="admin-state">{lang.t("Account")}</h2>
                {part_notice(Part::State)}
                <ErrorBanner error=part_banner(Part::State) />
                {move || {
                    user.get()
                        .map(|user| match user.state {
                            UserState::Initial => {
                                let locked_out = user.locked_out.then(|| {
                                    view! {
                                        <p>
                                            {lang.f("Sign-in refused after {count} failed attempts.", &[("count", &user.failed_password_attempts.to_string())])}
                                        </p>
                                        {button(lang.t("Unlock"), AdminUserAction::Unlock, "")}
                                    }
                                });
                                view! {
                                    <p>{lang.t("The user has not activated the account yet.")}</p>
                                    {button(lang.t("Send a new invitation"), AdminUserAction::ResendInitialization, "")}
                                    {locked_out}
                                }
                                    .into_any()
                            }
                            UserState::Locked => {
                                view! {
                                    <p>
                                        {lang.f("Locked after {count} failed sign-ins.", &[("count", &user.failed_password_attempts.to_string())])}
                                    </p>
                                    {button(lang.t("Unlock"), AdminUserAction::Unlock, "")}
                                }
                                    .into_any()
                            }
                            _ => view! { <p class="muted">{lang.t("Nothing to do.")}</p> }.into_any(),
                        })
                }}
            </section>
        </div>
        <section aria-labelledby="admin-messages">
            <h2 id="admin-messages">{lang.t("Messages")}</h2>
            <ErrorBanner error=Signal::derive(move || retry.value().get().and_then(Result::err)) all=true />
            <Transition fallback=move || view! { <p class="loading" role="status">{lang.t("Loading…")}</p> }>
                {move || {
                    messages
                        .get()
                        .map(|result| match result {
                            Err(error) => view! { <ErrorBanner error=Signal::derive(move || Some(error.clone())) all=true /> }.into_any(),
                            Ok(list) if list.is_empty() => view! { <p class="muted">{lang.t("No messages yet.")}</p> }.into_any(),
                            Ok(list) => {
                                view! {
                                    <div class="table-wrap" tabindex="0" role="region" aria-labelledby="admin-messages">
                                        <table class="messages">
                                            <thead>
                                                <tr>
                                                    <th scope="col">{lang.t("Created")}</th>
                                                    <th scope="col">{lang.t("Message")}</th>
                                                    <th scope="col">{lang.t("To")}</th>
                                                    <th scope="col">{lang.t("State")}</th>
                                                    <th scope="col">{lang.t("Attempts")}</th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {list
                                                    .into_iter()
                                                    .map(|message| {
                                                        let failed = message.state == "failed";
                                                        let message_id = message.id.clone();
                                                        let badge = match message.state.as_str() {
                                                            "sent" => "badge ok",
                                                            "queued" => "badge info",
                                                            _ => "badge warn",
                                                        };
                                                        view! {
                                                            <tr>
                                                                <td><time datetime=message.created_at.clone()>{message.created_at.clone()}</time></td>
                                                                <td>{message.subject.clone()}<span class="muted">{format!(" ({}, {})", message.template, message.channel)}</span></td>
                                                                <td>{message.recipient.clone()}</td>
                                                                <td>
                                                                    <span class=badge>{state_text(lang, &message.state)}</span>
                                                                    {message.last_error.clone().map(|error| view! { <div class="muted small">{error}</div> })}
                                                                    {failed.then(|| {
                                                                        view! {
                                                                            <button
                                                                                type="button"
                                                                                class="small"
                                                                                disabled=move || !hydrated.get() || retry.pending().get()
                                                                                on:click=move |_| {
                                                                                    retry.dispatch(RetryMessage { user_id: id.get_value(), message_id: message_id.clone() });
                                                                                }
                                                                            >
                                                                                {lang.t("Send again")}
                                                                            </button>
                                                                        }
                                                                    })}
                                                                </td>
                                                                <td>
                                                                    <details>
                                                                        <summary>{message.attempts}</summary>
                                                                        <ul class="plain">
                                                                            {message
                                                                                .history
                                                                                .into_iter()
                                                                                .map(|attempt| {
                                                                                    view! {
                                                                                        <li>{format!("#{} {} {}{}", attempt.attempt, attempt.at, state_text(lang, &attempt.outcome), attempt.detail.map(|detail| format!(": {detail}")).unwrap_or_default())}</li>
                                                                                    }
                                                                                })
                                                                                .collect_view()}
                                                                        </ul>
                                                                    </details>
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
