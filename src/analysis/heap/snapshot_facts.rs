//! Facts that line snapshots up in a series: the runtime that wrote a snapshot (a browser
//! page or Node; snapshots of one runtime form a series) and the highest JS object id (V8
//! numbers objects as it first sees them, so a later snapshot of one process has a higher
//! one). They read node columns only; matching objects across snapshots is `comparison`'s.

use crate::model::{HeapGraph, NodeOrdinal};

/// `browser` when the snapshot holds a page (a `Window` global or DOM nodes), else `node`.
pub fn snapshot_runtime(g: &HeapGraph) -> &'static str {
    let page = (0..g.node_count()).any(|o| {
        let name = g.node_name(NodeOrdinal(o as u32));
        name == "Window"
            || name.starts_with("Window /")
            || name.starts_with("Detached <")
            || name == "HTMLDocument"
            || name == "(Document DOM trees)"
    });
    if page {
        "browser"
    } else {
        "node"
    }
}

/// The highest id among JS objects (V8 gives them odd ids, native objects even ones).
pub fn max_js_node_id(g: &HeapGraph) -> u32 {
    (0..g.node_count())
        .map(|o| g.node_id(NodeOrdinal(o as u32)))
        .filter(|id| id % 2 == 1)
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::HeapGraphBuilder;

    #[test]
    fn tells_pages_from_node_and_finds_the_highest_js_id() {
        let mut b = HeapGraphBuilder::v8();
        b.add_node("synthetic", "", 1, 0);
        b.add_node("object", "Object", 41, 16);
        b.add_node("native", "Buffer", 88, 16);
        let g = b.finish().unwrap();
        assert_eq!((snapshot_runtime(&g), max_js_node_id(&g)), ("node", 41));
        let mut b = HeapGraphBuilder::v8();
        b.add_node("synthetic", "", 1, 0);
        b.add_node("native", "Detached <div>", 6, 40);
        let g = b.finish().unwrap();
        assert_eq!(snapshot_runtime(&g), "browser");
    }
}
