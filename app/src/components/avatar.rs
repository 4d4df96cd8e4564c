//! Avatars: a picture (or initials), and the editor used on the account page and the admin
//! user page (file picker or drag and drop, preview, upload progress, removal).

use crate::components::{SuccessBanner, use_hydrated};
use crate::i18n::use_lang;
use crate::model::{AppError, ProfileView, UserId};
use crate::on_browser_thread;
use leptos::prelude::*;

/// The initials shown when a person has no picture.
pub fn initials(display_name: &str) -> String {
    display_name
        .split_whitespace()
        .filter_map(|word| word.chars().find(|char| char.is_alphanumeric()))
        .take(2)
        .flat_map(char::to_uppercase)
        .collect()
}

/// A round picture, or the person's initials. Decorative: the name is always next to it.
#[component]
pub fn Avatar(
    #[prop(into)] url: Signal<Option<String>>,
    #[prop(into)] name: String,
    /// `small` (list rows) or `large` (profile pages).
    #[prop(into)]
    size: String,
) -> impl IntoView {
    let class = format!("avatar {size}");
    let letters = initials(&name);
    move || match url.get() {
        Some(url) => view! { <img class=class.clone() src=url alt="" loading="lazy" /> }.into_any(),
        None => view! {
            <span class=format!("{class} placeholder") aria-hidden="true">
                {letters.clone()}
            </span>
        }
        .into_any(),
    }
}

/// Whose picture an [`AvatarEditor`] changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AvatarTarget {
    /// The signed-in person's own (account page).
    Own,
    /// Another user's, as an admin.
    User(UserId),
}

impl AvatarTarget {
    /// Where the browser `PUT`s a new picture (see `server::web::avatar`).
    pub fn upload_url(&self) -> String {
        match self {
            AvatarTarget::Own => "/account/avatar".to_owned(),
            AvatarTarget::User(id) => format!("/admin/users/{id}/avatar"),
        }
    }
}

/// Upload, replace and remove a picture. `on_change` gets the profile after each change.
#[component]
pub fn AvatarEditor(
    target: AvatarTarget,
    initial_url: Option<String>,
    #[prop(into)] display_name: String,
    #[prop(optional, into)] on_change: Option<Callback<ProfileView>>,
) -> impl IntoView {
    let lang = use_lang();
    let hydrated = use_hydrated();
    let url = RwSignal::new(initial_url);
    let preview = RwSignal::new(None::<String>);
    let progress = RwSignal::new(None::<f64>);
    let error = RwSignal::new(None::<AppError>);
    let notice = RwSignal::new(None::<String>);
    let dragging = RwSignal::new(false);
    let uploading = Signal::derive(move || progress.get().is_some());

    // `message` is an English catalog text (one of the two below).
    let changed = move |profile: ProfileView, message: &'static str| {
        url.set(profile.avatar_url.clone());
        notice.set(Some(lang.t(message).to_owned()));
        if let Some(callback) = on_change {
            callback.run(profile);
        }
    };

    let upload_target = StoredValue::new(target.clone());
    let upload = move |file: FileHandle| {
        error.set(None);
        notice.set(None);
        #[cfg(feature = "hydrate")]
        {
            let file = file.0;
            if let Some(old) = preview.get_untracked() {
                crate::browser::upload::revoke(&old);
            }
            preview.set(crate::browser::upload::preview_url(&file));
            progress.set(Some(0.0));
            let destination = upload_target.with_value(AvatarTarget::upload_url);
            leptos::task::spawn_local(async move {
                let result = crate::browser::upload::put_file(&destination, &file, move |sent| {
                    progress.set(Some(sent));
                })
                .await;
                progress.set(None);
                if let Some(old) = preview.get_untracked() {
                    crate::browser::upload::revoke(&old);
                }
                preview.set(None);
                match result {
                    Ok(profile) => changed(profile, "The new picture is saved."),
                    Err(failure) => error.set(Some(failure)),
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (file, upload_target);
    };

    let remove_target = target.clone();
    let remove = Action::new(move |_: &()| {
        let target = remove_target.clone();
        on_browser_thread(async move {
            match target {
                AvatarTarget::Own => crate::api::avatar::remove_own_avatar().await,
                AvatarTarget::User(id) => crate::api::avatar::remove_user_avatar(id).await,
            }
        })
    });
    Effect::new(move |_| match remove.value().get() {
        Some(Ok(profile)) => changed(profile, "The picture is removed."),
        Some(Err(failure)) => error.set(Some(failure)),
        None => {}
    });

    let on_pick = move |event: leptos::ev::Event| {
        if let Some(file) = FileHandle::from_input(&event) {
            upload(file);
        }
    };
    let on_drop = move |event: leptos::ev::DragEvent| {
        event.prevent_default();
        dragging.set(false);
        if let Some(file) = FileHandle::from_drop(&event) {
            upload(file);
        }
    };
    let shown = Signal::derive(move || preview.get().or_else(|| url.get()));
    let percent = move || progress.get().map(|sent| (sent * 100.0).round() as u32);
    let error_text = move || error.get().map(|error| lang.t_dynamic(&error.message));

    view! {
        <div class="avatar-editor">
            <Avatar url=shown name=display_name size="large" />
            <div
                class="drop-zone"
                class:dragging=move || dragging.get()
                on:dragover=move |event: leptos::ev::DragEvent| {
                    event.prevent_default();
                    dragging.set(true);
                }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop
            >
                <input
                    id="avatar-file"
                    class="visually-hidden"
                    type="file"
                    accept="image/png,image/jpeg,image/webp"
                    aria-describedby="avatar-hint avatar-error"
                    disabled=move || !hydrated.get() || uploading.get()
                    on:change=on_pick
                />
                <label for="avatar-file" class="button">
                    {move || {
                        if url.get().is_some() {
                            lang.t("Replace picture")
                        } else {
                            lang.t("Choose a picture")
                        }
                    }}
                </label>
                <p class="hint" id="avatar-hint">
                    {lang.t("or drop one here. PNG, JPEG or WebP, up to 5 MiB and 4096 × 4096 pixels; it is cropped to a square.")}
                </p>
                {move || {
                    percent()
                        .map(|percent| {
                            view! {
                                <div class="upload-progress" role="status">
                                    <progress max="100" value=percent aria-label=lang.t("Upload progress")></progress>
                                    <span>{lang.f("Uploading… {percent} %", &[("percent", &percent.to_string())])}</span>
                                </div>
                            }
                        })
                }}
                <p class="field-error" id="avatar-error" role="alert">
                    {error_text}
                </p>
                <div class="button-row">
                    <button
                        type="button"
                        class="danger"
                        disabled=move || {
                            !hydrated.get() || url.get().is_none() || remove.pending().get()
                                || uploading.get()
                        }
                        on:click=move |_| {
                            error.set(None);
                            notice.set(None);
                            remove.dispatch(());
                        }
                    >
                        {lang.t("Remove picture")}
                    </button>
                </div>
                <SuccessBanner message=Signal::derive(move || notice.get()) />
            </div>
        </div>
    }
}

/// A file the person picked or dropped (only ever filled in the browser).
struct FileHandle(#[cfg(feature = "hydrate")] web_sys::File);

impl FileHandle {
    #[cfg(feature = "hydrate")]
    fn from_input(event: &leptos::ev::Event) -> Option<FileHandle> {
        use wasm_bindgen::JsCast as _;
        let input = event
            .target()?
            .dyn_into::<web_sys::HtmlInputElement>()
            .ok()?;
        let file = input.files()?.get(0)?;
        // Picking the same file again must fire `change` again.
        input.set_value("");
        Some(FileHandle(file))
    }

    #[cfg(feature = "hydrate")]
    fn from_drop(event: &leptos::ev::DragEvent) -> Option<FileHandle> {
        Some(FileHandle(event.data_transfer()?.files()?.get(0)?))
    }

    #[cfg(not(feature = "hydrate"))]
    fn from_input(_: &leptos::ev::Event) -> Option<FileHandle> {
        None
    }

    #[cfg(not(feature = "hydrate"))]
    fn from_drop(_: &leptos::ev::DragEvent) -> Option<FileHandle> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::initials;

    #[test]
    fn initials_take_the_first_letters_of_two_words() {
        assert_eq!(initials("Ada Lovelace"), "AL");
        assert_eq!(initials("grace"), "G");
        assert_eq!(initials("Jean-Luc Picard Third"), "JP");
        assert_eq!(initials("  "), "");
        assert_eq!(initials("émile zola"), "ÉZ");
    }
}
