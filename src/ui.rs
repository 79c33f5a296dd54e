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
