//! Facts that line snapshots up in a series: the runtime that wrote a snapshot (a browser
//! page or Node; snapshots of one runtime form a series) and the highest JS object id (V8
//! numbers objects as it first sees them, so a later snapshot of one process has a higher
//! one). They read node columns only; matching objects across snapshots is `comparison`'s.

use crate::model::HeapGraph;

/// `browser` when the snapshot holds a page (a `Window` global or DOM nodes), else `node`.
/// The string table is searched for such names first: a Node process's snapshot has none,
/// and then no node needs a look (comparing every node's name took 11 ms of a 4.5 M-node
/// snapshot's load); otherwise only the nodes' name indices are compared.
pub fn snapshot_runtime(g: &HeapGraph) -> &'static str {
    let strings = g.strings();
    let page_names: Vec<u32> = (0..strings.len() as u32)
        .filter(|&i| is_page_name(strings.get(i)))
        .collect();
    let page = !page_names.is_empty()
        && g.node_names()
            .iter()
            .any(|name| page_names.binary_search(name).is_ok());
    if page {
        "browser"
    } else {
        "node"
    }
}

/// A node name only a browser page's snapshot has.
fn is_page_name(name: &str) -> bool {
    name == "Window"
        || name.starts_with("Window /")
        || name.starts_with("Detached <")
        || name == "HTMLDocument"
        || name == "(Document DOM trees)"
}

/// The highest id among JS objects (V8 gives them odd ids, native objects even ones).
pub fn max_js_node_id(g: &HeapGraph) -> u32 {
    // Even ids count as 0: a max without a branch, which the compiler vectorizes.
    g.node_ids()
        .iter()
        .map(|&id| id * (id & 1))
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
        // A page's name in the string table that no node has (an edge's name) is no page.
        let mut b = HeapGraphBuilder::v8();
        let r = b.add_node("synthetic", "", 1, 0);
        let o = b.add_node("object", "Object", 3, 16);
        b.add_edge(r, "property", "Window", o);
        let g = b.finish().unwrap();
        assert!((0..g.strings().len() as u32).any(|i| g.strings().get(i) == "Window"));
        assert_eq!((snapshot_runtime(&g), max_js_node_id(&g)), ("node", 3));
    }
}
