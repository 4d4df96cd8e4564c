//! Reusable widgets: form fields, buttons, banners and the page frame.

mod avatar;
mod form;
mod layout;
mod reauth;

pub use avatar::{Avatar, AvatarEditor, AvatarTarget};
pub use form::{
    CheckboxField, ErrorBanner, Field, GenderSelect, LanguageField, SubmitButton, SuccessBanner,
    error_of, field_error,
};
pub use layout::{Footer, Header, Hydrated, use_hydrated};
pub use reauth::ReauthDialog;
