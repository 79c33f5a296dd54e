//! `<FileDrop/>`: the drop zone that covers the page, with a highlight while files are dragged
//! over it, and `add_file_list`, which hands dropped or picked files to `AppState`. The bytes
//! are read in the worker, never here, and the format is sniffed there, never from the name.

use leptos::prelude::*;
use web_sys::{DragEvent, FileList};

use super::kept_files;
use super::state::AppState;

/// Adds every file of `files` to the page as one batch; the user's own files replace the demo
/// files (the Demo button brings them back).
pub fn add_file_list(state: AppState, files: &FileList) {
    if files.length() == 0 {
        return;
    }
    state.drop_demo();
    state.begin_batch();
    for i in 0..files.length() {
        if let Some(file) = files.get(i) {
            kept_files::add(state, file.name(), file.into());
        }
    }
}

/// A drop target covering the whole page; `children` is the page.
#[component]
pub fn FileDrop(children: Children) -> impl IntoView {
    let state = expect_context::<AppState>();
    // dragenter/dragleave fire for every child crossed, so count them instead of toggling.
    let (depth, set_depth) = signal(0i32);
    let on_drop = move |ev: DragEvent| {
        ev.prevent_default();
        set_depth.set(0);
        if let Some(files) = ev.data_transfer().and_then(|dt| dt.files()) {
            add_file_list(state, &files);
        }
    };
    let on_enter = move |ev: DragEvent| {
        ev.prevent_default();
        set_depth.update(|d| *d += 1);
    };
    // Without preventDefault on dragover the browser would open the file instead.
    let on_over = move |ev: DragEvent| ev.prevent_default();
    let on_leave = move |_: DragEvent| set_depth.update(|d| *d = (*d - 1).max(0));
    view! {
        <div
            class="drop-zone"
            class:dragging=move || { depth.get() > 0 }
            data-testid="drop-zone"
            on:dragenter=on_enter
            on:dragover=on_over
            on:dragleave=on_leave
            on:drop=on_drop
        >
            {children()}
            <div class="drop-overlay" aria-hidden="true">
                <div class="drop-overlay-box">
                    "Drop profiles to load them"
                    <small>".pb.gz, .pprof, raw protobuf, goroutine text dumps: several at once"</small>
                </div>
            </div>
        </div>
    }
}
