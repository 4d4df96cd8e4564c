//! The admin user page's second factors and passkeys: see and remove them, and hand out or
//! mail a passkey registration link.

use crate::api::factors::{admin_remove_factor, create_passkey_link, send_passkey_link};
use crate::components::{ErrorBanner, use_hydrated};
use crate::i18n::use_lang;
use crate::model::{
    AppError, CredentialKind, CredentialView, FactorsView, PasskeyLinkView, UserId,
};
use leptos::prelude::*;

/// One admin operation on a user's factors.
#[derive(Clone, Debug)]
enum AdminFactorOp {
    /// `kind` `None`: the authenticator app.
    Remove {
        kind: Option<CredentialKind>,
        id: String,
        label: String,
    },
    CreateLink,
    SendLink,
}

#[derive(Clone, Debug)]
enum Done {
    Factors(FactorsView),
    Link(PasskeyLinkView),
    Sent,
}

async fn perform(user_id: UserId, op: AdminFactorOp) -> Result<Done, AppError> {
    match op {
        AdminFactorOp::Remove { kind, id, .. } => admin_remove_factor(user_id, kind, id)
            .await
            .map(Done::Factors),
        AdminFactorOp::CreateLink => create_passkey_link(user_id).await.map(Done::Link),
        AdminFactorOp::SendLink => send_passkey_link(user_id).await.map(|()| Done::Sent),
    }
}

/// The factors panel (`loaded` by the page). `can_write` (`user.write`) shows removal and
/// the mailed link; `can_make_links` (`user.credential.write`) the link to hand out.
#[component]
pub fn UserFactors(
    user_id: UserId,
    can_write: bool,
    can_make_links: bool,
    loaded: Resource<Result<FactorsView, AppError>>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="panel" aria-labelledby="factors-title">
            <h2 id="factors-title">{lang.t("Second factors and passkeys")}</h2>
            <Suspense fallback=move || view! { <p class="loading" role="status">{lang.t("Loading…")}</p> }>
                {move || {
                    let user_id = user_id.clone();
                    loaded
                        .get()
                        .map(move |result| match result {
                            Ok(initial) => {
                                view! { <FactorsAdmin initial user_id can_write can_make_links /> }
                                    .into_any()
                            }
                            Err(error) => {
                                view! { <ErrorBanner error=Signal::derive(move || Some(error.clone())) all=true /> }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn FactorsAdmin(
    initial: FactorsView,
    user_id: UserId,
    can_write: bool,
    can_make_links: bool,
) -> impl IntoView {
    let lang = use_lang();
    let factors = RwSignal::new(initial);
    let link = RwSignal::new(None::<PasskeyLinkView>);
    let notice = RwSignal::new(None::<String>);
    let last = RwSignal::new(None::<AdminFactorOp>);
    let id = StoredValue::new(user_id);
    let action = Action::new(move |op: &AdminFactorOp| perform(id.get_value(), op.clone()));
    let hydrated = use_hydrated();
    let busy = action.pending();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    Effect::new(move |_| {
        let Some(Ok(done)) = action.value().get() else {
            return;
        };
        match (done, last.get_untracked()) {
            (Done::Factors(updated), Some(AdminFactorOp::Remove { label, .. })) => {
                factors.set(updated);
                notice.set(Some(lang.f("Removed {label}.", &[("label", &label)])));
            }
            (Done::Factors(updated), _) => factors.set(updated),
            (Done::Link(made), _) => {
                link.set(Some(made));
                notice.set(None);
            }
            (Done::Sent, _) => notice.set(Some(
                lang.t("A registration link is on its way to the user's verified email address.")
                    .to_owned(),
            )),
        }
    });
    let run = move |op: AdminFactorOp| {
        notice.set(None);
        last.set(Some(op.clone()));
        action.dispatch(op);
    };
    let remove_button =
        move |kind: Option<CredentialKind>, credential_id: String, label: String| {
            can_write.then(|| {
                let aria = lang.f("Remove {label}", &[("label", &label)]);
                let op = AdminFactorOp::Remove {
                    kind,
                    id: credential_id,
                    label,
                };
                view! {
                    <button
                        type="button"
                        class="small danger"
                        aria-label=aria
                        disabled=move || !hydrated.get() || busy.get()
                        on:click=move |_| run(op.clone())
                    >
                        {lang.t("Remove")}
                    </button>
                }
            })
        };
    let credential_list = move |kind: CredentialKind, list: Vec<CredentialView>| {
        if list.is_empty() {
            let none = match kind {
                CredentialKind::SecurityKey => lang.t("No security keys."),
                CredentialKind::Passkey => lang.t("No passkeys."),
            };
            view! { <p class="muted">{none}</p> }.into_any()
        } else {
            view! {
                <ul class="credentials">
                    {list
                        .into_iter()
                        .map(|credential| {
                            let label = lang.f("{kind} “{name}”", &[("kind", lang.t(kind.label())), ("name", &credential.name)]);
                            view! {
                                <li class="credential">
                                    <div>
                                        <strong>{credential.name.clone()}</strong>
                                        <div class="muted small">
                                            {lang.f("added {added} · last used {used}", &[("added", &credential.created_at), ("used", credential.last_used_at.as_deref().unwrap_or(lang.t("never")))])}
                                        </div>
                                    </div>
                                    {remove_button(Some(kind), credential.id.clone(), label)}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
                .into_any()
        }
    };
    view! {
        {move || notice.get().map(|text| view! { <div class="banner success" role="status">{text}</div> })}
        <ErrorBanner error all=true />
        {move || {
            let view = factors.get();
            view! {
                <h3>{lang.t("Authenticator app")}</h3>
                {if view.totp_ready {
                    view! {
                        <p class="credential">
                            <span>{lang.t("Set up ")} <span class="badge ok">{lang.t("active")}</span></span>
                            {remove_button(None, String::new(), lang.t("the authenticator app").to_owned())}
                        </p>
                    }
                        .into_any()
                } else {
                    view! { <p class="muted">{lang.t("None.")}</p> }.into_any()
                }}
                <h3>{lang.t("Security keys")}</h3>
                {credential_list(CredentialKind::SecurityKey, view.security_keys.clone())}
                <h3>{lang.t("Passkeys")}</h3>
                {credential_list(CredentialKind::Passkey, view.passkeys.clone())}
            }
        }}
        {(can_write || can_make_links)
            .then(|| {
                view! {
                    <div class="button-row">
                        {can_make_links
                            .then(|| {
                                view! {
                                    <button
                                        type="button"
                                        id="create-passkey-link"
                                        disabled=move || !hydrated.get() || busy.get()
                                        on:click=move |_| run(AdminFactorOp::CreateLink)
                                    >
                                        {lang.t("Create passkey registration link")}
                                    </button>
                                }
                            })}
                        {can_write
                            .then(|| {
                                view! {
                                    <button
                                        type="button"
                                        id="send-passkey-link"
                                        disabled=move || !hydrated.get() || busy.get()
                                        on:click=move |_| run(AdminFactorOp::SendLink)
                                    >
                                        {lang.t("Send registration link by mail")}
                                    </button>
                                }
                            })}
                    </div>
                }
            })}
        {move || link.get().map(|made| view! { <LinkCard made /> })}
    }
}

/// A registration link made to hand out: as text, to copy, and as a QR code for a phone.
#[component]
fn LinkCard(made: PasskeyLinkView) -> impl IntoView {
    let lang = use_lang();
    let copied = RwSignal::new(false);
    let text = StoredValue::new(made.link.clone());
    let minutes = made.lifetime_secs / 60;
    view! {
        <div class="card inset" aria-labelledby="link-title">
            <h3 id="link-title">{lang.t("Passkey registration link")}</h3>
            <p>
                {lang.f("Give this link to the user. It works once, for {minutes} minutes, and registers a passkey on the device that opens it.", &[("minutes", &minutes.to_string())])}
            </p>
            <img
                class="qr"
                src=made.qr_code.clone()
                width="200"
                height="200"
                alt=lang.t("QR code of the passkey registration link, to open it on a phone")
            />
            <code class="secret" id="passkey-link">
                {made.link.clone()}
            </code>
            <div class="button-row">
                <button
                    type="button"
                    on:click=move |_| {
                        #[cfg(feature = "hydrate")]
                        {
                            copied.set(crate::browser::copy_to_clipboard(&text.get_value()).is_ok());
                        }
                        #[cfg(not(feature = "hydrate"))]
                        let _ = text;
                    }
                >
                    {lang.t("Copy link")}
                </button>
                <span role="status">{move || copied.get().then_some(lang.t("Copied."))}</span>
            </div>
        </div>
    }
}
