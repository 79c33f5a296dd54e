//! `retainer_edges`: one level of DevTools' Retainers tree — the edges pointing at an object,
//! each with the object holding it, ordered as DevTools' distance-sorted view (strong edges
//! first, nearest to a GC root first) and flagged when they cannot retain (`is_essential_edge`).
//! It answers one node at a time; expanding the tree and spotting cycles is the caller's job.

use serde::{Deserialize, Serialize};

use super::essential_edges::{is_essential_edge, EssentialEdgeContext};
use super::heap_summary::HeapAnalysis;
use super::retainers::{rank, step, RetainerIndex, RetainerStep};
use crate::model::{HeapGraph, NodeOrdinal};

/// Options for `retainer_edges`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RetainerEdgeOptions {
    /// At most this many edges are described (the first after sorting); `total` counts all.
    pub max_edges: usize,
    /// Object names are cut to this many characters (a string's name is its whole text).
    pub max_name_chars: usize,
}

impl Default for RetainerEdgeOptions {
    fn default() -> Self {
        RetainerEdgeOptions {
            max_edges: 100,
            max_name_chars: 200,
        }
    }
}

/// One retaining edge: `node` holds the queried object through edge `edge`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetainerEdge {
    /// The edge's index in the graph (stable: a key for the tree row).
    pub edge: u32,
    /// The retaining object and the edge, as a path step shows them (names cut).
    #[serde(flatten)]
    pub step: RetainerStep,
    /// How the edge reads: `.items`, `[12]`, `context var x`, `internal map`.
    pub label: String,
    /// True when the edge cannot retain (`is_essential_edge` is false: weak, a shortcut, a
    /// WeakMap table's value slot, a self edge, console → page): DevTools greys these.
    pub weak: bool,
    /// How many edges point at the retainer (0: its row has nothing to expand).
    pub retainers: u32,
}

/// The retaining edges of one object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetainerEdges {
    /// The first `max_edges` edges, strong before weak, then by the retainer's distance.
    pub edges: Vec<RetainerEdge>,
    /// How many edges point at the object in all.
    pub total: usize,
}

/// How DevTools' Retainers view names an edge of kind `kind` called `name`.
pub fn edge_label(kind: &str, name: &str) -> String {
    match kind {
        "property" => format!(".{name}"),
        "element" => format!("[{name}]"),
        "context" => format!("context var {name}"),
        _ if name.is_empty() => kind.to_owned(),
        _ => format!("{kind} {name}"),
    }
}

/// The edges pointing at `node`: essential ones first, each group by the retainer's distance
/// (the shortest path to a GC root first), ties by edge index; the first `opts.max_edges` are
/// described. An out-of-range `node` has none.
pub fn retainer_edges(
    g: &HeapGraph,
    a: &HeapAnalysis,
    index: &RetainerIndex,
    cx: &EssentialEdgeContext,
    node: NodeOrdinal,
    opts: &RetainerEdgeOptions,
) -> RetainerEdges {
    if node.index() >= g.node_count() {
        return RetainerEdges::default();
    }
    let all = index.retaining_edges(node);
    let mut keyed: Vec<(bool, i64, u32)> = all
        .iter()
        .map(|&e| {
            let from = index.source(e as usize);
            let weak = !is_essential_edge(g, cx, from, e as usize);
            (weak, rank(g, a, from), e)
        })
        .collect();
    // A string may be held a million times: order only the few that are shown.
    let shown = opts.max_edges.min(keyed.len());
    if shown < keyed.len() {
        keyed.select_nth_unstable(shown);
        keyed.truncate(shown);
    }
    keyed.sort_unstable();
    let edges = keyed
        .into_iter()
        .map(|(weak, _, e)| describe(g, a, index, e as usize, weak, opts))
        .collect();
    RetainerEdges {
        edges,
        total: all.len(),
    }
}

fn describe(
    g: &HeapGraph,
    a: &HeapAnalysis,
    index: &RetainerIndex,
    e: usize,
    weak: bool,
    opts: &RetainerEdgeOptions,
) -> RetainerEdge {
    let from = index.source(e);
    let step = step(g, a, from, e, opts.max_name_chars);
    RetainerEdge {
        edge: e as u32,
        label: edge_label(&step.edge_kind, &step.edge_name),
        step,
        weak,
        retainers: index.retaining_edges(from).len() as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::heap::{heap_analysis, HeapSummaryOptions};
    use crate::model::HeapGraphBuilder;

    #[test]
    fn strong_edges_nearest_first_then_weak_ones() {
        // root → global → a → leak; global → b → c → leak[0]; global → d -weak-> leak;
        // leak -self-> leak; root -shortcut-> leak (essential: from the root).
        let mut b = HeapGraphBuilder::v8();
        let r = b.add_node("synthetic", "", 1, 0);
        let global = b.add_node("object", "global", 3, 10);
        let a = b.add_node("object", "A", 5, 10);
        let bb = b.add_node("object", "B", 7, 10);
        let c = b.add_node("object", "C", 9, 10);
        let d = b.add_node("object", "D", 11, 10);
        let leak = b.add_node("object", "Leak", 13, 100);
        b.add_edge(r, "shortcut", "global", global);
        b.add_edge(global, "property", "b", bb);
        b.add_edge(global, "property", "a", a);
        b.add_edge(global, "property", "d", d);
        b.add_edge(a, "context", "x", leak);
        b.add_edge(bb, "property", "c", c);
        b.add_edge(c, "element", "0", leak);
        b.add_edge(d, "weak", "w", leak);
        b.add_edge(leak, "property", "me", leak);
        let g = b.finish().unwrap();
        let an = heap_analysis(&g, &HeapSummaryOptions::default());
        let index = RetainerIndex::new(&g);
        let cx = EssentialEdgeContext::new(&g);
        let opts = RetainerEdgeOptions::default();
        let got = retainer_edges(&g, &an, &index, &cx, leak, &opts);
        assert_eq!(got.total, 4);
        let rows: Vec<(&str, &str, bool)> = got
            .edges
            .iter()
            .map(|e| (e.step.name.as_str(), e.label.as_str(), e.weak))
            .collect();
        // A (distance 2) before C (distance 3); the weak edge and the self edge last, by
        // distance (D is at 2, Leak itself at 3).
        assert_eq!(
            rows,
            [
                ("A", "context var x", false),
                ("C", "[0]", false),
                ("D", "weak w", true),
                ("Leak", ".me", true),
            ]
        );
        let dist: Vec<i32> = got.edges.iter().map(|e| e.step.distance).collect();
        assert_eq!(dist, [2, 3, 2, 3]);
        // Each row says whether it can be expanded: A is held by global, global by the root.
        assert_eq!(got.edges[0].retainers, 1);
        assert_eq!(got.edges[0].step.node, a);
        let up = retainer_edges(&g, &an, &index, &cx, global, &opts);
        assert_eq!(up.edges.len(), 1);
        assert_eq!((up.edges[0].step.node, up.edges[0].retainers), (r, 0));
        assert_eq!(up.edges[0].label, "shortcut global");
        assert!(!up.edges[0].weak, "a shortcut from the root retains");
        // The root has no retainers; a cap keeps the best ones and still counts all.
        assert_eq!(retainer_edges(&g, &an, &index, &cx, r, &opts).total, 0);
        let capped = RetainerEdgeOptions {
            max_edges: 2,
            ..Default::default()
        };
        let few = retainer_edges(&g, &an, &index, &cx, leak, &capped);
        assert_eq!(few.total, 4);
        assert_eq!(few.edges, got.edges[..2]);
        assert_eq!(
            retainer_edges(&g, &an, &index, &cx, NodeOrdinal(99), &opts),
            RetainerEdges::default()
        );
    }

    #[test]
    fn labels_read_as_in_devtools() {
        assert_eq!(edge_label("property", "items"), ".items");
        assert_eq!(edge_label("element", "12"), "[12]");
        assert_eq!(edge_label("context", "x"), "context var x");
        assert_eq!(edge_label("internal", "map"), "internal map");
        assert_eq!(edge_label("internal", ""), "internal");
    }
}
