//! Loads the demo profiles shipped in `public/demo/` (listed by `manifest.json`) when the page
//! opens, so the first view shows real data, and again from the Demo button. A missing manifest
//! is not an error: the page then simply waits for the user's files; files the user drops while
//! the demo is still being fetched stop it.

use leptos::prelude::*;
use serde::Deserialize;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, Response};

use super::state::{AppState, NewFile};

/// One entry of `demo/manifest.json`.
#[derive(Deserialize)]
struct DemoEntry {
    file: String,
    #[serde(default)]
    title: String,
}

/// Fetches the manifest and every demo file, adding them to the page in manifest order.
pub fn load_demo(state: AppState) {
    leptos::task::spawn_local(load_demo_files(state));
}

/// `load_demo`, done when the demo files are added (or could not be fetched).
pub async fn load_demo_files(state: AppState) {
    let epoch = state.demo_epoch();
    let Ok(manifest) = fetch_text("demo/manifest.json").await else {
        return;
    };
    let entries: Vec<DemoEntry> = match serde_json::from_str(&manifest) {
        Ok(e) => e,
        Err(e) => {
            state
                .errors
                .update(|v| v.push(format!("demo/manifest.json: {e}")));
            return;
        }
    };
    // Every file first, then all of them as one batch: a batch whose files arrived one by
    // one would count as decoded (and open its findings and series) before the last came.
    let mut blobs = Vec::with_capacity(entries.len());
    for entry in entries {
        let blob = fetch_blob(&format!("demo/{}", entry.file)).await;
        blobs.push((entry, blob));
    }
    if state.demo_epoch() != epoch {
        return;
    }
    state.begin_batch();
    for (entry, blob) in blobs {
        match blob {
            Ok(blob) => {
                let file = NewFile {
                    key: format!("demo-{}", entry.file),
                    name: entry.file,
                    title: entry.title,
                    size: blob.size(),
                    demo: true,
                };
                state.add_file(file, blob);
            }
            Err(e) => state
                .errors
                .update(|v| v.push(format!("demo/{}: {e}", entry.file))),
        }
    }
}

async fn fetch_response(url: &str) -> Result<Response, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response: Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| format!("{e:?}"))?
        .dyn_into()
        .map_err(|_| "not a Response".to_owned())?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    Ok(response)
}

async fn fetch_text(url: &str) -> Result<String, String> {
    let promise = fetch_response(url)
        .await?
        .text()
        .map_err(|e| format!("{e:?}"))?;
    let text = JsFuture::from(promise)
        .await
        .map_err(|e| format!("{e:?}"))?;
    text.as_string().ok_or_else(|| "not text".to_owned())
}

async fn fetch_blob(url: &str) -> Result<Blob, String> {
    let promise = fetch_response(url)
        .await?
        .blob()
        .map_err(|e| format!("{e:?}"))?;
    JsFuture::from(promise)
        .await
        .map_err(|e| format!("{e:?}"))?
        .dyn_into()
        .map_err(|_| "not a Blob".to_owned())
}
