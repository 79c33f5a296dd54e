//! Geometry for drawing: flame graph rows (either orientation), viewport zoom and pan,
//! hit-testing, colours and the SVG export of a view. Pure maths over `analysis` results; no
//! `web_sys`, no drawing calls.

pub mod flame;
mod label;
pub mod palette;
mod search;
mod viewport;

pub use flame::{FlameLayout, FlameRect, MIN_RECT_PX};
pub use label::{label_for_width, without_package_path, MIN_LABEL_CHARS};
pub use search::{compile_query, matches, SearchResult};
pub use viewport::{Orientation, Viewport, MIN_SPAN};
