//! `page_owned`: DevTools' `markPageOwnedNodes` — everything reachable over non-weak edges from
//! the root's `shortcut` targets (a page's `Window`s) and the `(Document DOM trees)` node. Edges
//! from non-page to page objects (console, debugger) do not dominate (FORMATS-AND-LIMITS §2.8).
//!
//! The distances' first breadth-first search starts from the same nodes in nearly every
//! snapshot and follows nearly the same edges, so `heap_analysis` takes the page-owned nodes
//! from it (`distances_and_page_owned`) instead of walking the heap once more; `page_owned`
//! is the walk on its own.

use super::bit_set::BitSet;
use super::type_ids::TypeIds;
use crate::model::{HeapGraph, EDGE_NAME_BITS};

/// The page-owned nodes (empty in Node.js snapshots, whose root has no shortcut edges).
pub fn page_owned(g: &HeapGraph) -> BitSet {
    let t = TypeIds::of(g);
    let mut flags = BitSet::new(g.node_count());
    close_over(g, &t, &mut flags, entries(g, &t));
    flags
}

/// Where the page-owned nodes start: the root's `shortcut` targets and its `element` edges to
/// `(Document DOM trees)`, in edge order (repeats included).
pub(crate) fn entries(g: &HeapGraph, t: &TypeIds) -> Vec<u32> {
    g.edges(g.root())
        .filter(|&e| {
            let kind = g.edge_kind(e) as u16;
            if kind == t.e_element {
                t.is_document_dom_trees_root(g, g.edge_to(e))
            } else {
                kind == t.e_shortcut
            }
        })
        .map(|e| g.edge_to(e).0)
        .collect()
}

/// Adds to `flags` each node of `from` and everything reachable from them over non-weak
/// edges, walking only from nodes not already in `flags` (whose own reach is taken as there).
pub(crate) fn close_over(g: &HeapGraph, t: &TypeIds, flags: &mut BitSet, from: Vec<u32>) {
    let mut stack = from;
    stack.retain(|&o| {
        let new = !flags.get(o as usize);
        flags.set(o as usize);
        new
    });
    // Over the raw columns: this walks most of the heap when the root has shortcut edges.
    let (fe, kind_names, targets) = (g.first_edge(), g.edge_kind_names(), g.edge_targets());
    while let Some(o) = stack.pop() {
        let o = o as usize;
        let (from, to) = (fe[o] as usize, fe[o + 1] as usize);
        for (&kn, &target) in kind_names[from..to].iter().zip(&targets[from..to]) {
            let target = target as usize;
            if flags.get(target) || (kn >> EDGE_NAME_BITS) as u16 == t.e_weak {
                continue;
            }
            flags.set(target);
            stack.push(target as u32);
        }
    }
}
