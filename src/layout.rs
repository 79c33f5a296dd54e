//! Geometry for drawing: flame graph rows, viewport zoom and pan, hit-testing and colours.
//! Pure maths over `analysis` results; no `web_sys`, no drawing calls.
