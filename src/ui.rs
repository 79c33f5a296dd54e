//! The browser app (Leptos, client-side rendering): the only module that touches the DOM,
//! the canvas and the Web Worker. It wires state to views and holds no algorithms.

pub mod flame_graph;
