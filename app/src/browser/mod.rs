//! Browser-only glue (hydrate builds): the WebAuthn ceremony, the clipboard and page loads.

pub mod upload;
pub mod webauthn;

use wasm_bindgen::JsValue;

/// Copies text to the clipboard; errors (no permission, insecure context) are reported.
pub fn copy_to_clipboard(text: &str) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let _promise = window.navigator().clipboard().write_text(text);
    Ok(())
}

/// Sets `data-hydrated="true"` on `<html>`.
pub fn mark_hydrated() {
    if let Some(root) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.document_element())
    {
        let _ = root.set_attribute("data-hydrated", "true");
    }
}

/// Loads `path` as a new document. Used when the signed-in identity changes (sign-in,
/// sign-out, finished gates), so every part of the page renders for the new session at once.
pub fn reload_at(path: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(path);
    }
}

/// Loads the current page again (after a change the server renders, like the language).
pub fn reload_current() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

/// The language the server rendered the page in (`<html lang>`).
pub fn page_lang() -> crate::i18n::Lang {
    web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.document_element())
        .and_then(|root| root.get_attribute("lang"))
        .and_then(|tag| crate::i18n::Lang::from_tag(&tag))
        .unwrap_or_default()
}

/// Remembers an explicit language choice for a year (read by the server on every request).
pub fn remember_lang(lang: crate::i18n::Lang) {
    use wasm_bindgen::JsCast as _;
    if let Some(document) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.dyn_into::<web_sys::HtmlDocument>().ok())
    {
        let _ = document.set_cookie(&format!(
            "{}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            crate::i18n::LANG_COOKIE,
            lang.tag()
        ));
    }
}
