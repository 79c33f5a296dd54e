//! The user's files outlive the page: `open_page` brings back the kept files (or, when there
//! are none, the demo) and then the view the URL or the last visit names; `add` hands a dropped
//! or picked file to the page and keeps it in the browser's storage once no file is decoding
//! (`write_waiting`); `forget` and `clear_all` remove what the user removes. Storing is
//! `ui::storage`'s; a file that cannot be kept (a full quota) is analysed anyway, with a
//! message saying so.

use std::cell::RefCell;

use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::Blob;

use super::demo::load_demo_files;
use super::history;
use super::state::{AppState, NewFile};
use super::storage::{self, KeptFile};

thread_local! {
    /// Files added and not yet written to the browser's storage, in order. Writing a file
    /// copies it whole: for a 400 MB snapshot, seconds of a core of the browser's and as much
    /// memory again. Written while a file decodes, it took that core from the decoding (a
    /// fifth longer on two cores), so files wait until no file is decoding.
    static WAITING: RefCell<Vec<(KeptFile, Blob)>> = const { RefCell::new(Vec::new()) };
}

/// Opens the page on what the user left: the kept files in their order, else the demo, then
/// the view named by the URL (or by the last visit when the URL names none).
pub fn open_page(state: AppState) {
    spawn_local(async move {
        let kept = storage::kept();
        if kept.is_empty() {
            load_demo_files(state).await;
        } else {
            restore(state, kept).await;
        }
        history::start(state);
    });
}

async fn restore(state: AppState, kept: Vec<KeptFile>) {
    // Every blob first, then one batch (as the demo does), so the batch counts every file.
    let mut blobs = Vec::with_capacity(kept.len());
    for file in kept {
        let blob = storage::read(&file.key).await;
        blobs.push((file, blob));
    }
    state.begin_batch();
    for (file, blob) in blobs {
        match blob {
            Ok(blob) => {
                let new = NewFile {
                    key: file.key,
                    name: file.name,
                    title: String::new(),
                    size: blob.size(),
                    demo: false,
                };
                state.add_file(new, blob);
            }
            Err(e) => {
                let name = file.name.clone();
                state.errors.update(|v| {
                    v.push(format!(
                        "{name}: could not be brought back from the browser's storage ({e})"
                    ))
                });
                storage::forget(&file.key).await;
            }
        }
    }
}

/// Adds a file of the user's to the page and keeps it for the next visit.
pub fn add(state: AppState, name: String, blob: Blob) {
    let key = new_key();
    let size = blob.size();
    let file = NewFile {
        key: key.clone(),
        name: name.clone(),
        title: String::new(),
        size,
        demo: false,
    };
    if !state.add_file(file, blob.clone()) {
        return;
    }
    let kept = KeptFile { key, name, size };
    WAITING.with(|w| w.borrow_mut().push((kept, blob)));
    write_waiting(state);
}

/// Writes the files waiting to be kept, unless a file is still decoding; the page calls it
/// again each time a file's load ends.
pub fn write_waiting(state: AppState) {
    if untrack(|| state.is_decoding()) {
        return;
    }
    for (kept, blob) in WAITING.with(|w| std::mem::take(&mut *w.borrow_mut())) {
        spawn_local(async move {
            let name = kept.name.clone();
            if let Err(message) = storage::keep(kept, blob).await {
                state
                    .errors
                    .update(|v| v.push(format!("{name}: {message}")));
            }
        });
    }
}

/// Removes a kept file from the browser's storage (or from the files waiting to be kept).
pub fn forget(key: String) {
    WAITING.with(|w| w.borrow_mut().retain(|(kept, _)| kept.key != key));
    spawn_local(async move { storage::forget(&key).await });
}

/// Removes every file of the user's from the page and from the browser's storage.
pub fn clear_all(state: AppState) {
    let ids: Vec<u32> = state
        .profiles
        .with_untracked(|p| p.iter().filter(|e| !e.demo).map(|e| e.id).collect());
    for id in ids {
        state.remove(id);
    }
    spawn_local(storage::forget_all());
}

/// A key no other file of this browser has: the time in milliseconds and a counter.
fn new_key() -> String {
    thread_local! {
        static COUNTER: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    }
    let n = COUNTER.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    format!("{:x}-{n}", js_sys::Date::now() as u64)
}
