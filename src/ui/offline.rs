//! Registers `sw.js` (public/sw.js), the service worker that caches the app shell, the
//! workers and the demo on the first visit, so the page opens and analyses files offline
//! afterwards. Where service workers are unavailable (not a secure context, or a browser that
//! blocks them) the page simply needs the network to open, as before.

use wasm_bindgen::JsValue;

/// Registers the service worker; failures are logged, never raised.
pub fn register() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    if !js_sys::Reflect::has(&navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false) {
        return;
    }
    let promise = navigator.service_worker().register("sw.js");
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = wasm_bindgen_futures::JsFuture::from(promise).await {
            web_sys::console::warn_2(
                &"leakscope: the offline cache could not be set up".into(),
                &e,
            );
        }
    });
}
