//! The view in the URL: `start` shows the view the URL's fragment names (or, for a URL without
//! one, the view of the last visit, kept in `localStorage`), then writes every change of view
//! into the URL, a new history entry per change so back and forward step through them, and
//! follows back and forward. A change of the flame graph's zoom or search replaces the entry
//! instead (a wheel turn is not a place to go back to), as does the page settling on its first
//! view. The fragment's format is `ui::url_state`'s.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::state::AppState;
use super::url_state::ViewState;

/// The `localStorage` entry holding the last view.
const LAST_VIEW_KEY: &str = "leakscope.view";

/// Shows the URL's (or the last visit's) view, then keeps the URL and the view in step.
pub fn start(state: AppState) {
    let fragment = current_fragment();
    let initial = if fragment.is_empty() {
        last_view().unwrap_or_default()
    } else {
        fragment
    };
    // No view named at all: the page opens as it does for new files (on the Findings).
    if !initial.is_empty() {
        state.apply_view_state(&ViewState::from_fragment(&initial));
    }
    // Set by back/forward: the view the page settles on then replaces the entry.
    let replace_next = StoredValue::new(true);
    Effect::new(move |_| {
        // Nothing is written while files decode: the page has not settled on a view.
        if let Some(view) = state.view_state() {
            write(&view, replace_next.get_value());
            replace_next.set_value(false);
        }
    });
    let pop = window_event_listener_untyped("popstate", move |_| {
        replace_next.set_value(true);
        state.apply_view_state(&ViewState::from_fragment(&current_fragment()));
    });
    // The page lives as long as the app: the listener is never removed.
    std::mem::forget(pop);
}

/// Writes `view` into the URL (unless it is already there) and remembers it for the next visit.
fn write(view: &ViewState, replace: bool) {
    let fragment = view.to_fragment();
    let current = current_fragment();
    if fragment == current {
        return;
    }
    let before = ViewState::from_fragment(&current);
    // Only the zoom or search moved, or the page had not settled on a file: same entry.
    let same_place = ViewState {
        zoom: view.zoom,
        search: view.search.clone(),
        ..before.clone()
    } == *view;
    let replace = replace || same_place || before.file.is_none();
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let base = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    let url = if fragment.is_empty() {
        base
    } else {
        format!("{base}#{fragment}")
    };
    if let Ok(history) = window.history() {
        let _ = if replace {
            history.replace_state_with_url(&JsValue::NULL, "", Some(&url))
        } else {
            history.push_state_with_url(&JsValue::NULL, "", Some(&url))
        };
    }
    if let Ok(Some(storage)) = window.local_storage() {
        let _ = storage.set_item(LAST_VIEW_KEY, &fragment);
    }
}

/// The URL's fragment without its `#`.
fn current_fragment() -> String {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    hash.strip_prefix('#').unwrap_or(&hash).to_owned()
}

fn last_view() -> Option<String> {
    web_sys::window()?
        .local_storage()
        .ok()??
        .get_item(LAST_VIEW_KEY)
        .ok()?
}
