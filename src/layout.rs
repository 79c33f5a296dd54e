//! Geometry for drawing: flame graph rows, viewport zoom and pan, hit-testing and colours.
//! Pure maths over `analysis` results; no `web_sys`, no drawing calls.

mod flame;
mod label;
pub mod palette;
mod search;
mod viewport;

pub use flame::{FlameLayout, FlameRect, MIN_RECT_PX};
pub use label::{label_for_width, without_package_path, MIN_LABEL_CHARS};
pub use search::{compile_query, matches, SearchResult};
pub use viewport::{Viewport, MIN_SPAN};
