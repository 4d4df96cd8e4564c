//! Second factors and passkeys on the account page: the authenticator app (TOTP), security
//! keys and passkeys, each added, renamed and removed by the person themselves.

use crate::api::factors::{
    confirm_totp, finish_credential_registration, own_factors, remove_credential, remove_totp,
    rename_credential, start_credential_registration, start_totp,
};
use crate::ceremony::create_credential;
use crate::components::{ErrorBanner, Field, ReauthDialog, SubmitButton, use_hydrated};
use crate::i18n::{Lang, use_lang};
use crate::model::{AppError, CredentialKind, CredentialView, ErrorCode, FactorsView, TotpSetup};
use crate::on_browser_thread;
use leptos::prelude::*;

/// One change to the caller's factors.
#[derive(Clone, Debug)]
enum FactorOp {
    StartTotp,
    ConfirmTotp(String),
    RemoveTotp,
    Register {
        kind: CredentialKind,
        name: String,
    },
    Rename {
        kind: CredentialKind,
        id: String,
        name: String,
    },
    Remove {
        kind: CredentialKind,
        id: String,
    },
}

/// The part of the page an operation belongs to, to show its outcome there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Totp,
    Credentials(CredentialKind),
}

impl FactorOp {
    fn part(&self) -> Part {
        match self {
            FactorOp::StartTotp | FactorOp::ConfirmTotp(_) | FactorOp::RemoveTotp => Part::Totp,
            FactorOp::Register { kind, .. }
            | FactorOp::Rename { kind, .. }
            | FactorOp::Remove { kind, .. } => Part::Credentials(*kind),
        }
    }

    fn success_text(&self, lang: Lang) -> Option<String> {
        match self {
            FactorOp::StartTotp => None,
            FactorOp::ConfirmTotp(_) => Some(lang.t("Your authenticator app is set up. You will be asked for a code when you sign in.").to_owned()),
            FactorOp::RemoveTotp => Some(lang.t("The authenticator app was removed.").to_owned()),
            FactorOp::Register { kind, name } => Some(lang.f("Your {kind} “{name}” is added.", &[("kind", lang.t(kind.label())), ("name", name)])),
            FactorOp::Rename { name, .. } => Some(lang.f("Renamed to “{name}”.", &[("name", name)])),
            FactorOp::Remove { kind, .. } => Some(lang.f("The {kind} was removed.", &[("kind", lang.t(kind.label()))])),
        }
    }
}

/// What an operation gave back.
#[derive(Clone, Debug)]
enum Done {
    Factors(FactorsView),
    TotpSetup(TotpSetup),
}

async fn perform(op: FactorOp) -> Result<Done, AppError> {
    match op {
        FactorOp::StartTotp => start_totp().await.map(Done::TotpSetup),
        FactorOp::ConfirmTotp(code) => confirm_totp(code).await.map(Done::Factors),
        FactorOp::RemoveTotp => remove_totp().await.map(Done::Factors),
        FactorOp::Register { kind, name } => {
            let challenge = start_credential_registration(kind, name).await?;
            let response = create_credential(challenge.options).await?;
            finish_credential_registration(kind, challenge.ceremony_id, response)
                .await
                .map(Done::Factors)
        }
        FactorOp::Rename { kind, id, name } => {
            rename_credential(kind, id, name).await.map(Done::Factors)
        }
        FactorOp::Remove { kind, id } => remove_credential(kind, id).await.map(Done::Factors),
    }
}

/// The account page's sections for the authenticator app, security keys and passkeys.
#[component]
pub fn OwnFactors() -> impl IntoView {
    let lang = use_lang();
    let loaded = Resource::new(|| (), |_| own_factors());
    view! {
        <Suspense fallback=move || view! { <p class="loading" role="status">{lang.t("Loading…")}</p> }>
            {move || {
                loaded
                    .get()
                    .map(|result| match result {
                        Ok(initial) => view! { <FactorsEditor initial /> }.into_any(),
                        Err(error) => {
                            view! { <ErrorBanner error=Signal::derive(move || Some(error.clone())) all=true /> }
                                .into_any()
                        }
                    })
            }}
        </Suspense>
    }
}

#[component]
fn FactorsEditor(initial: FactorsView) -> impl IntoView {
    let lang = use_lang();
    let factors = RwSignal::new(initial);
    let setup = RwSignal::new(None::<TotpSetup>);
    let last = RwSignal::new(None::<FactorOp>);
    let waiting = RwSignal::new(None::<FactorOp>);
    let notice = RwSignal::new(None::<(Part, String)>);
    let reauth_open = RwSignal::new(false);
    let action = Action::new(|op: &FactorOp| on_browser_thread(perform(op.clone())));
    let error = Signal::derive(move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .filter(|error| error.code != ErrorCode::ReauthRequired)
    });
    let current_part = Signal::derive(move || last.get().as_ref().map(FactorOp::part));

    let run = move |op: FactorOp| {
        notice.set(None);
        last.set(Some(op.clone()));
        action.dispatch(op);
    };
    Effect::new(move |_| match action.value().get() {
        Some(Ok(Done::Factors(updated))) => {
            factors.set(updated);
            if let Some(done) = last.get_untracked() {
                if matches!(done, FactorOp::ConfirmTotp(_)) {
                    setup.set(None);
                }
                notice.set(done.success_text(lang).map(|text| (done.part(), text)));
            }
        }
        Some(Ok(Done::TotpSetup(started))) => setup.set(Some(started)),
        Some(Err(error)) if error.code == ErrorCode::ReauthRequired => {
            waiting.set(last.get_untracked());
            reauth_open.set(true);
        }
        _ => {}
    });
    let retry_waiting = move || {
        if let Some(op) = waiting.get_untracked() {
            waiting.set(None);
            action.dispatch(op);
        }
    };
    let outcome = OutcomeSignals {
        pending: action.pending(),
        error,
        current_part,
        notice,
    };

    view! {
        <ReauthDialog open=reauth_open on_confirmed=retry_waiting />
        <TotpSection factors setup outcome run />
        <CredentialSection kind=CredentialKind::SecurityKey factors outcome run />
        <CredentialSection kind=CredentialKind::Passkey factors outcome run />
    }
}

/// The state every section reads to show its own progress and outcome.
#[derive(Clone, Copy)]
struct OutcomeSignals {
    pending: Memo<bool>,
    error: Signal<Option<AppError>>,
    current_part: Signal<Option<Part>>,
    notice: RwSignal<Option<(Part, String)>>,
}

impl OutcomeSignals {
    fn busy(self, part: Part) -> Signal<bool> {
        Signal::derive(move || self.pending.get() && self.current_part.get() == Some(part))
    }

    fn error_in(self, part: Part) -> Signal<Option<AppError>> {
        Signal::derive(move || {
            self.error
                .get()
                .filter(|_| self.current_part.get() == Some(part))
        })
    }

    fn notice_in(self, part: Part) -> impl IntoView {
        move || {
            self.notice
                .get()
                .filter(|(which, _)| *which == part)
                .map(|(_, text)| view! { <div class="banner success" role="status">{text}</div> })
        }
    }
}

#[component]
fn TotpSection<R>(
    factors: RwSignal<FactorsView>,
    setup: RwSignal<Option<TotpSetup>>,
    outcome: OutcomeSignals,
    run: R,
) -> impl IntoView
where
    R: Fn(FactorOp) + Copy + Send + Sync + 'static,
{
    let hydrated = use_hydrated();
    let lang = use_lang();
    let code = RwSignal::new(String::new());
    let busy = outcome.busy(Part::Totp);
    let error = outcome.error_in(Part::Totp);
    Effect::new(move |_| {
        if setup.get().is_none() {
            code.set(String::new());
        }
    });
    view! {
        <section class="card" aria-labelledby="totp-title">
            <h2 id="totp-title">{lang.t("Authenticator app")}</h2>
            {outcome.notice_in(Part::Totp)}
            {move || {
                if factors.get().totp_ready {
                    view! {
                        <p>
                            {lang.t("An authenticator app is set up. ")} <span class="badge ok">{lang.t("active")}</span>
                        </p>
                        <ErrorBanner error all=true />
                        <button
                            type="button"
                            class="danger"
                            id="remove-totp"
                            disabled=move || !hydrated.get() || busy.get()
                            on:click=move |_| run(FactorOp::RemoveTotp)
                        >
                            {lang.t("Remove authenticator app")}
                        </button>
                    }
                        .into_any()
                } else if let Some(started) = setup.get() {
                    view! {
                        <ol class="steps">
                            <li>{lang.t("Open your authenticator app and add an account.")}</li>
                            <li>
                                {lang.t("Scan this QR code, or type the key below.")}
                                <img
                                    class="qr"
                                    id="totp-qr"
                                    src=started.qr_code.clone()
                                    width="200"
                                    height="200"
                                    alt=lang.t("QR code that adds your Roster account to an authenticator app")
                                />
                                <span class="hint" id="totp-secret-label">{lang.t("Key")}</span>
                                <code class="secret" id="totp-secret" aria-labelledby="totp-secret-label">
                                    {started.secret.clone()}
                                </code>
                            </li>
                            <li>{lang.t("Enter the code the app shows to finish.")}</li>
                        </ol>
                        <form
                            on:submit=move |event: leptos::ev::SubmitEvent| {
                                event.prevent_default();
                                run(FactorOp::ConfirmTotp(code.get_untracked()));
                            }
                            novalidate
                        >
                            <Field
                                id="totp_confirm_code"
                                label=lang.t("Code from the app")
                                value=code
                                error=Signal::derive(move || error.get().map(|error| lang.t_dynamic(&error.message)))
                                autocomplete="one-time-code"
                                inputmode="numeric"
                                maxlength=8
                                required=true
                            />
                            <div class="button-row">
                                <SubmitButton label=lang.t("Confirm") pending_label=lang.t("Checking…") pending=busy />
                                <button type="button" on:click=move |_| setup.set(None)>
                                    {lang.t("Cancel")}
                                </button>
                            </div>
                        </form>
                    }
                        .into_any()
                } else {
                    view! {
                        <p>
                            {lang.t("An app on your phone (for example Aegis, Google Authenticator or 1Password) ")}
                            {lang.t("shows a new six-digit code every 30 seconds. Roster asks for it after your password.")}
                        </p>
                        <ErrorBanner error all=true />
                        <button
                            type="button"
                            class="primary"
                            id="start-totp"
                            disabled=move || !hydrated.get() || busy.get()
                            aria-busy=move || busy.get().to_string()
                            on:click=move |_| run(FactorOp::StartTotp)
                        >
                            {move || if busy.get() { lang.t("Preparing…") } else { lang.t("Set up an authenticator app") }}
                        </button>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

fn credentials_of(factors: &FactorsView, kind: CredentialKind) -> Vec<CredentialView> {
    match kind {
        CredentialKind::SecurityKey => factors.security_keys.clone(),
        CredentialKind::Passkey => factors.passkeys.clone(),
    }
}

#[component]
fn CredentialSection<R>(
    kind: CredentialKind,
    factors: RwSignal<FactorsView>,
    outcome: OutcomeSignals,
    run: R,
) -> impl IntoView
where
    R: Fn(FactorOp) + Copy + Send + Sync + 'static,
{
    let part = Part::Credentials(kind);
    let hydrated = use_hydrated();
    let lang = use_lang();
    let busy = outcome.busy(part);
    let error = outcome.error_in(part);
    let name = RwSignal::new(String::new());
    let editing = RwSignal::new(None::<String>);
    let new_name = RwSignal::new(String::new());
    let prefix = kind.as_str();
    let (title, intro, add_label) = match kind {
        CredentialKind::SecurityKey => (
            lang.t("Security keys"),
            lang.t("A security key (such as a YubiKey) is asked for after your password."),
            lang.t("Add security key"),
        ),
        CredentialKind::Passkey => (
            lang.t("Passkeys"),
            lang.t("A passkey signs you in without a password, with your fingerprint, face or device PIN."),
            lang.t("Add passkey"),
        ),
    };
    Effect::new(move |_| {
        if outcome.notice.get().is_some_and(|(which, _)| which == part) {
            name.set(String::new());
            editing.set(None);
        }
    });
    let name_error = Signal::derive(move || {
        error
            .get()
            .and_then(|error| {
                error
                    .for_field("name")
                    .map(|message| lang.t_dynamic(message))
            })
            .filter(|_| editing.get().is_none())
    });
    view! {
        <section class="card" aria-labelledby=format!("{prefix}-title")>
            <h2 id=format!("{prefix}-title")>{title}</h2>
            <p>{intro}</p>
            {outcome.notice_in(part)}
            <ErrorBanner error=Signal::derive(move || error.get().filter(|error| error.field.is_none())) />
            {move || {
                let list = credentials_of(&factors.get(), kind);
                if list.is_empty() {
                    let none = match kind {
                        CredentialKind::SecurityKey => lang.t("No security keys yet."),
                        CredentialKind::Passkey => lang.t("No passkeys yet."),
                    };
                    view! { <p class="muted">{none}</p> }.into_any()
                } else {
                    view! {
                        <ul class="credentials" aria-label=title>
                            {list
                                .into_iter()
                                .map(|credential| {
                                    view! {
                                        <CredentialRow credential kind editing new_name error busy run />
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
            <form
                on:submit=move |event: leptos::ev::SubmitEvent| {
                    event.prevent_default();
                    editing.set(None);
                    run(FactorOp::Register {
                        kind,
                        name: name.get_untracked(),
                    });
                }
                novalidate
            >
                <Field
                    id=format!("{prefix}_name")
                    label=lang.t("Name")
                    value=name
                    error=name_error
                    maxlength=64
                    hint=lang.t("So you can tell them apart, e.g. “Work laptop” or “Blue key”.")
                />
                <SubmitButton
                    label=add_label
                    pending_label=lang.t("Follow your browser's instructions…")
                    pending=Signal::derive(move || busy.get() && editing.get().is_none())
                />
            </form>
            {move || (!hydrated.get()).then(|| view! { <p class="hint">{lang.t("Waiting for the page to load…")}</p> })}
        </section>
    }
}

#[component]
fn CredentialRow<R>(
    credential: CredentialView,
    kind: CredentialKind,
    editing: RwSignal<Option<String>>,
    new_name: RwSignal<String>,
    error: Signal<Option<AppError>>,
    busy: Signal<bool>,
    run: R,
) -> impl IntoView
where
    R: Fn(FactorOp) + Copy + Send + Sync + 'static,
{
    let hydrated = use_hydrated();
    let lang = use_lang();
    let id = StoredValue::new(credential.id.clone());
    let is_editing = move || editing.get().as_deref() == Some(id.get_value().as_str());
    let current_name = StoredValue::new(credential.name.clone());
    let last_used = credential
        .last_used_at
        .clone()
        .map(|at| view! { <time datetime=at.clone()>{at.clone()}</time> }.into_any())
        .unwrap_or_else(|| lang.t("never").into_any());
    view! {
        <li class="credential">
            <div>
                <strong>{credential.name.clone()}</strong>
                <div class="muted small">
                    {lang.t("Added ")} <time datetime=credential.created_at.clone()>{credential.created_at.clone()}</time>
                    {lang.t(" · last used ")} {last_used}
                </div>
            </div>
            {move || {
                if is_editing() {
                    view! {
                        <form
                            class="inline"
                            on:submit=move |event: leptos::ev::SubmitEvent| {
                                event.prevent_default();
                                run(FactorOp::Rename {
                                    kind,
                                    id: id.get_value(),
                                    name: new_name.get_untracked(),
                                });
                            }
                            novalidate
                        >
                            <Field
                                id="rename"
                                label=lang.f("New name for “{name}”", &[("name", &current_name.get_value())])
                                value=new_name
                                error=Signal::derive(move || {
                                    error.get().and_then(|error| error.for_field("name").map(|message| lang.t_dynamic(message)))
                                })
                                maxlength=64
                                autofocus=true
                            />
                            <div class="button-row">
                                <SubmitButton label=lang.t("Save name") pending_label=lang.t("Saving…") pending=busy />
                                <button type="button" on:click=move |_| editing.set(None)>
                                    {lang.t("Cancel")}
                                </button>
                            </div>
                        </form>
                    }
                        .into_any()
                } else {
                    view! {
                        <div class="button-row">
                            <button
                                type="button"
                                class="small"
                                disabled=move || !hydrated.get() || busy.get()
                                aria-label=lang.f("Rename {name}", &[("name", &current_name.get_value())])
                                on:click=move |_| {
                                    new_name.set(current_name.get_value());
                                    editing.set(Some(id.get_value()));
                                }
                            >
                                {lang.t("Rename")}
                            </button>
                            <button
                                type="button"
                                class="small danger"
                                disabled=move || !hydrated.get() || busy.get()
                                aria-label=lang.f("Remove {label}", &[("label", &current_name.get_value())])
                                on:click=move |_| {
                                    editing.set(None);
                                    run(FactorOp::Remove { kind, id: id.get_value() });
                                }
                            >
                                {lang.t("Remove")}
                            </button>
                        </div>
                    }
                        .into_any()
                }
            }}
        </li>
    }
}
