//! The browser app (Leptos, client-side rendering): the only module that touches the DOM,
//! the canvas and the Web Worker. It wires state to views and holds no algorithms.

pub mod app;
pub mod demo;
pub mod diff_view;
pub mod download;
pub mod file_drop;
pub mod file_picker;
pub mod file_reader;
pub mod findings;
pub mod flame_graph;
pub mod goroutines_view;
pub mod growth_view;
pub mod heap_details;
pub mod heap_filters;
pub mod heap_object_list;
pub mod heap_series;
pub mod heap_summary;
pub mod history;
pub mod kept_files;
pub mod offline;
pub mod profile_list;
pub mod sandwich_view;
pub mod series_chart;
pub mod sparkline;
pub mod state;
pub mod storage;
pub mod top_stacks;
pub mod top_table;
pub mod url_state;
pub mod view_controls;
pub mod worker;
pub mod worker_client;

pub use app::App;

use leptos::prelude::{request_animation_frame, set_timeout};

/// Rows of a new table (the top table, the heap Summary) rendered at once: a screenful. The
/// rest of its first page follows once they are painted (`after_paint`), so the table shows
/// without waiting for hundreds of rows' DOM and layout (the 370 rows of a Go heap profile
/// held the page's thread for about 90 ms).
const FIRST_ROWS: usize = 50;

/// Runs `f` once what is being rendered now has been painted: after the next frame, in a task
/// of its own (a frame callback alone runs before that frame's paint).
fn after_paint(f: impl FnOnce() + 'static) {
    request_animation_frame(move || set_timeout(f, std::time::Duration::ZERO));
}
