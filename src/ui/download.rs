//! Saving something the page made as a file: a Blob behind a temporary object URL and a clicked
//! `<a download>` (allowed by the page's policy: no request leaves the page). It makes no
//! content; the views decide what to save.

use wasm_bindgen::JsCast;

/// Saves `text` as file `name` of type `mime`.
pub fn save_text(text: &str, name: &str, mime: &str) -> Result<(), wasm_bindgen::JsValue> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    save_blob(&blob, name)
}

/// Saves `blob` as file `name` through a temporary object URL and a clicked link.
pub fn save_blob(blob: &web_sys::Blob, name: &str) -> Result<(), wasm_bindgen::JsValue> {
    let url = web_sys::Url::create_object_url_with_blob(blob)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // Revoked once the browser has taken the download.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    web_sys::window()
        .ok_or("no window")?
        .set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 10_000)?;
    Ok(())
}
