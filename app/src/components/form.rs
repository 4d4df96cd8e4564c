use crate::components::use_hydrated;
use crate::i18n::use_lang;
use crate::model::{AppError, ErrorCode, Gender};
use leptos::prelude::*;

/// The error carried by an action's last result, if it failed.
pub fn error_of<T, S>(value: S) -> Signal<Option<AppError>>
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    Signal::derive(move || value.get().and_then(Result::err))
}

/// The message for one form field from an action's last error.
/// Translated into the page's language when the catalog knows the text.
pub fn field_error(error: Signal<Option<AppError>>, field: &'static str) -> Signal<Option<String>> {
    let lang = use_lang();
    Signal::derive(move || {
        error.get().and_then(|error| {
            error
                .for_field(field)
                .map(|message| lang.t_dynamic(message))
        })
    })
}

/// A labelled text input with a hint and an error line that screen readers announce.
#[component]
pub fn Field(
    /// The element id and form name; also the field name the server uses in errors.
    #[prop(into)]
    id: String,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    /// The input type (`text` by default).
    #[prop(optional, into)]
    kind: Option<String>,
    #[prop(optional, into)] autocomplete: Option<String>,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional)] required: bool,
    #[prop(optional)] maxlength: Option<u32>,
    #[prop(optional)] autofocus: bool,
    #[prop(optional, into)] inputmode: Option<String>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = if hint.is_some() {
        format!("{hint_id} {error_id}")
    } else {
        error_id.clone()
    };
    let kind = kind.unwrap_or_else(|| "text".to_owned());
    let is_password = kind == "password";
    let revealed = RwSignal::new(false);
    let input_type = move || {
        if is_password && revealed.get() {
            "text".to_owned()
        } else {
            kind.clone()
        }
    };
    let hydrated = use_hydrated();
    let lang = use_lang();
    let label_for = id.clone();
    // English lowers the label ("Show new password"); German keeps its capitalised nouns.
    let field_name = match lang {
        crate::i18n::Lang::En => label.to_lowercase(),
        crate::i18n::Lang::De => label.clone(),
    };
    let reveal_label = lang.f("Show {field}", &[("field", &field_name)]);
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for=label_for>
                {label}
                {required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> })}
            </label>
            <div class="input-row">
                <input
                    id=id.clone()
                    name=id
                    type=input_type
                    bind:value=value
                    required=required
                    autocomplete=autocomplete
                    maxlength=maxlength
                    autofocus=autofocus
                    inputmode=inputmode
                    aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                    aria-describedby=described_by
                />
                {is_password
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="reveal"
                                aria-pressed=move || revealed.get().to_string()
                                aria-label=reveal_label.clone()
                                disabled=move || !hydrated.get()
                                on:click=move |_| revealed.update(|shown| *shown = !*shown)
                            >
                                {move || if revealed.get() { lang.t("Hide") } else { lang.t("Show") }}
                            </button>
                        }
                    })}
            </div>
            {hint.map(|hint| view! { <p class="hint" id=hint_id>{hint}</p> })}
            <p class="field-error" id=error_id aria-live="polite">
                {move || error.get()}
            </p>
        </div>
    }
}

/// A labelled checkbox.
#[component]
pub fn CheckboxField(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    checked: RwSignal<bool>,
    #[prop(optional, into)] hint: Option<String>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let label_for = id.clone();
    view! {
        <div class="field checkbox">
            <input
                id=id.clone()
                name=id
                type="checkbox"
                bind:checked=checked
                aria-describedby=hint.as_ref().map(|_| hint_id.clone())
            />
            <label for=label_for>{label}</label>
            {hint.map(|hint| view! { <p class="hint" id=hint_id>{hint}</p> })}
        </div>
    }
}

/// A gender picker.
#[component]
pub fn GenderSelect(
    #[prop(into)] id: String,
    value: RwSignal<Gender>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let lang = use_lang();
    let label_for = id.clone();
    let error_id = format!("{id}-error");
    view! {
        <div class="field">
            <label for=label_for>{lang.t("Gender")}</label>
            <select
                id=id.clone()
                name=id
                aria-describedby=error_id.clone()
                on:change=move |event| {
                    let picked = event_target_value(&event);
                    if let Some(gender) = Gender::from_proto_name(&picked) {
                        value.set(gender);
                    }
                }
            >
                {Gender::ALL
                    .into_iter()
                    .map(|gender| {
                        view! {
                            <option
                                value=gender.proto_name()
                                selected=move || value.get() == gender
                            >
                                {lang.t(gender.label())}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <p class="field-error" id=error_id aria-live="polite">
                {move || error.get()}
            </p>
        </div>
    }
}

/// A preferred-language input (any BCP 47 tag) with common suggestions.
#[component]
pub fn LanguageField(
    #[prop(into)] id: String,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let list_id = format!("{id}-suggestions");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let lang = use_lang();
    let label_for = id.clone();
    view! {
        <div class="field">
            <label for=label_for>{lang.t("Preferred language")}</label>
            <input
                id=id.clone()
                name=id
                type="text"
                list=list_id.clone()
                maxlength=10
                bind:value=value
                autocomplete="off"
                aria-describedby=format!("{hint_id} {error_id}")
            />
            <datalist id=list_id>
                {["en", "de", "de-CH", "fr", "it", "es", "pt-BR", "ja", "zh-Hant-TW"]
                    .into_iter()
                    .map(|tag| view! { <option value=tag></option> })
                    .collect_view()}
            </datalist>
            <p class="hint" id=hint_id>
                {lang.t("A language tag such as en, de-CH or pt-BR. Left empty or unknown, it is saved as und. Roster's pages and mails follow it when it is English or German.")}
            </p>
            <p class="field-error" id=error_id aria-live="polite">
                {move || error.get()}
            </p>
        </div>
    }
}

/// The form's submit button: disabled until the page is interactive and while the request runs.
#[component]
pub fn SubmitButton(
    #[prop(into)] label: String,
    #[prop(into)] pending_label: String,
    #[prop(into)] pending: Signal<bool>,
) -> impl IntoView {
    let hydrated = use_hydrated();
    view! {
        <button
            type="submit"
            class="primary"
            disabled=move || pending.get() || !hydrated.get()
            aria-busy=move || pending.get().to_string()
        >
            {move || if pending.get() { pending_label.clone() } else { label.clone() }}
        </button>
    }
}

/// An error that belongs to no single field (or any error, when `all` is set).
#[component]
pub fn ErrorBanner(
    #[prop(into)] error: Signal<Option<AppError>>,
    /// Show field errors too (for forms that do not render that field).
    #[prop(optional)]
    all: bool,
) -> impl IntoView {
    let lang = use_lang();
    move || {
        error
            .get()
            .filter(|error| all || error.field.is_none())
            .map(|error| {
                let reference = error.reference.clone().map(|reference| {
                    lang.f(" (reference {reference})", &[("reference", &reference)])
                });
                let title = match error.code {
                    ErrorCode::Internal => lang.t("Something went wrong"),
                    ErrorCode::Transport => lang.t("Connection problem"),
                    ErrorCode::PermissionDenied => lang.t("Not allowed"),
                    ErrorCode::Unauthenticated => lang.t("Could not sign in"),
                    ErrorCode::RateLimited => lang.t("Too many attempts"),
                    ErrorCode::NotFound => lang.t("Not found"),
                    _ => lang.t("Could not save"),
                };
                let message = lang.t_dynamic(&error.message);
                view! {
                    <div class="banner error" role="alert">
                        <strong>{title}</strong>
                        <span>{message}{reference}</span>
                    </div>
                }
            })
    }
}

/// A short confirmation.
#[component]
pub fn SuccessBanner(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message.get().map(|message| {
            view! {
                <div class="banner success" role="status">
                    {message}
                </div>
            }
        })
    }
}
