//! `<FilePicker/>`: the "Open profiles…" button, a styled `<input type=file multiple>`.
//! It only hands the chosen files to `add_file_list`; reading and sniffing happen in the worker.

use leptos::prelude::*;
use web_sys::HtmlInputElement;

use super::file_drop::add_file_list;
use super::state::AppState;

/// A button that opens the browser's file chooser (several files at once, any name).
#[component]
pub fn FilePicker() -> impl IntoView {
    let state = expect_context::<AppState>();
    let on_change = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        if let Some(files) = input.files() {
            add_file_list(state, &files);
        }
        // Choosing the same file again must fire `change` again.
        input.set_value("");
    };
    view! {
        <label class="button primary file-picker">
            "Open profiles…"
            <input type="file" multiple data-testid="file-input" on:change=on_change />
        </label>
    }
}
