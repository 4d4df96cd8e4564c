use crate::components::{
    ErrorBanner, Field, GenderSelect, LanguageField, SubmitButton, SuccessBanner, field_error,
};
use crate::i18n::use_lang;
use crate::model::{AppError, ProfileForm};
use leptos::prelude::*;

/// The profile form used by the account page and the admin user page.
#[component]
pub fn ProfileEditor<F>(
    initial: ProfileForm,
    #[prop(into)] pending: Signal<bool>,
    /// The last save's result.
    #[prop(into)]
    result: Signal<Option<Result<(), AppError>>>,
    on_save: F,
) -> impl IntoView
where
    F: Fn(ProfileForm) + Send + Sync + 'static,
{
    let lang = use_lang();
    let first_name = RwSignal::new(initial.first_name);
    let last_name = RwSignal::new(initial.last_name);
    let nick_name = RwSignal::new(initial.nick_name);
    let display_name = RwSignal::new(initial.display_name);
    let preferred_language = RwSignal::new(initial.preferred_language);
    let gender = RwSignal::new(initial.gender);
    let error = Signal::derive(move || result.get().and_then(Result::err));
    let saved = Signal::derive(move || {
        matches!(result.get(), Some(Ok(()))).then(|| lang.t("Profile saved.").to_owned())
    });

    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        on_save(ProfileForm {
            first_name: first_name.get_untracked(),
            last_name: last_name.get_untracked(),
            nick_name: nick_name.get_untracked(),
            display_name: display_name.get_untracked(),
            preferred_language: preferred_language.get_untracked(),
            gender: gender.get_untracked(),
        });
    };

    view! {
        <form class="profile-form" on:submit=on_submit novalidate>
            <SuccessBanner message=saved />
            <ErrorBanner error=error />
            <div class="grid-2">
                <Field
                    id="first_name"
                    label=lang.t("First name")
                    value=first_name
                    error=field_error(error, "first_name")
                    autocomplete="given-name"
                    required=true
                    maxlength=200
                />
                <Field
                    id="last_name"
                    label=lang.t("Last name")
                    value=last_name
                    error=field_error(error, "last_name")
                    autocomplete="family-name"
                    required=true
                    maxlength=200
                />
                <Field
                    id="display_name"
                    label=lang.t("Display name")
                    value=display_name
                    error=field_error(error, "display_name")
                    autocomplete="name"
                    required=true
                    maxlength=200
                />
                <Field
                    id="nick_name"
                    label=lang.t("Nickname")
                    value=nick_name
                    error=field_error(error, "nick_name")
                    autocomplete="nickname"
                    maxlength=200
                />
                <LanguageField
                    id="preferred_language"
                    value=preferred_language
                    error=field_error(error, "preferred_language")
                />
                <GenderSelect id="gender" value=gender error=field_error(error, "gender") />
            </div>
            <SubmitButton label=lang.t("Save profile") pending_label=lang.t("Saving…") pending=pending />
        </form>
    }
}
