//! Browser-only glue (hydrate builds). The WebAuthn ceremony will live here; today it only
//! offers clipboard access for one-time secrets.

use wasm_bindgen::JsValue;

/// Copies text to the clipboard; errors (no permission, insecure context) are reported.
pub fn copy_to_clipboard(text: &str) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let _promise = window.navigator().clipboard().write_text(text);
    Ok(())
}
