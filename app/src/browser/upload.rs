//! File uploads with progress: `XMLHttpRequest` reports upload progress, `fetch` does not.

use crate::model::{AppError, ErrorCode, ProfileView};
use wasm_bindgen::JsCast as _;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen_futures::JsFuture;

fn transport(message: &str) -> AppError {
    AppError::new(ErrorCode::Transport, message)
}

/// Sends `file` as the body of a `PUT` to `url`, calling `on_progress` with the sent fraction
/// (0.0 to 1.0), and decodes the server's answer: the new profile, or its `AppError`.
pub async fn put_file(
    url: &str,
    file: &web_sys::File,
    on_progress: impl Fn(f64) + 'static,
) -> Result<ProfileView, AppError> {
    let interrupted = "The upload was interrupted. Check your connection and try again.";
    let xhr = web_sys::XmlHttpRequest::new().map_err(|_| transport(interrupted))?;
    xhr.open("PUT", url).map_err(|_| transport(interrupted))?;
    let declared_type = file.type_();
    if !declared_type.is_empty() {
        let _ = xhr.set_request_header("Content-Type", &declared_type);
    }
    let progress =
        Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |event: web_sys::ProgressEvent| {
            if event.length_computable() && event.total() > 0.0 {
                on_progress(event.loaded() / event.total());
            }
        });
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    }
    let settled = js_sys::Promise::new(&mut |resolve, reject| {
        xhr.set_onload(Some(&resolve));
        xhr.set_onerror(Some(&reject));
        xhr.set_onabort(Some(&reject));
        xhr.set_ontimeout(Some(&reject));
    });
    xhr.send_with_opt_blob(Some(file))
        .map_err(|_| transport(interrupted))?;
    let outcome = JsFuture::from(settled).await;
    drop(progress);
    outcome.map_err(|_| transport(interrupted))?;

    let status = xhr.status().unwrap_or(0);
    let text = xhr.response_text().ok().flatten().unwrap_or_default();
    if (200..300).contains(&status) {
        serde_json::from_str(&text)
            .map_err(|_| transport("The server's answer could not be read. Reload the page."))
    } else {
        Err(
            serde_json::from_str::<AppError>(&text).unwrap_or_else(|_| match status {
                413 => AppError::invalid("avatar", "The file is larger than 5 MiB"),
                403 => AppError::permission_denied(),
                _ => AppError::new(
                    ErrorCode::Internal,
                    "The picture could not be saved. Try again later.",
                ),
            }),
        )
    }
}

/// A `blob:` URL showing a chosen file before it is uploaded; revoke it with [`revoke`].
pub fn preview_url(file: &web_sys::File) -> Option<String> {
    web_sys::Url::create_object_url_with_blob(file).ok()
}

/// Frees a URL from [`preview_url`].
pub fn revoke(url: &str) {
    let _ = web_sys::Url::revoke_object_url(url);
}
