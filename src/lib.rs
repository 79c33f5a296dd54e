//! leakscope: decode memory and CPU profiles, analyse them, and lay them out for display.
//! The layers go one way: `formats` (bytes → model), `model` (shared vocabulary), `analysis`
//! (numbers), `layout` (geometry), `session` (the analysis worker's state and answers, plain
//! Rust), `protocol` (the messages between the page and the worker), `ui` (Leptos; the only
//! layer that touches the browser).

pub mod analysis;
pub mod formats;
pub mod layout;
pub mod model;
pub mod protocol;
pub mod session;
pub mod ui;

#[cfg(test)]
mod test_rng;
