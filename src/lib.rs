//! leakscope: decode memory and CPU profiles, analyse them, and lay them out for display.
//! The layers go one way: `formats` (bytes → model), `model` (shared vocabulary), `analysis`
//! (numbers), `layout` (geometry), `ui` (Leptos; the only layer that touches the browser).

pub mod analysis;
pub mod formats;
pub mod layout;
pub mod model;
pub mod ui;
