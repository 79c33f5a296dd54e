//! `page_owned`: DevTools' `markPageOwnedNodes` — everything reachable over non-weak edges from
//! the root's `shortcut` targets (a page's `Window`s) and the `(Document DOM trees)` node. Edges
//! from non-page to page objects (console, debugger) do not dominate (FORMATS-AND-LIMITS §2.8).

use super::bit_set::BitSet;
use super::type_ids::TypeIds;
use crate::model::{HeapGraph, EDGE_NAME_BITS};

/// The page-owned nodes (empty in Node.js snapshots, whose root has no shortcut edges).
pub fn page_owned(g: &HeapGraph) -> BitSet {
    let t = TypeIds::of(g);
    let mut flags = BitSet::new(g.node_count());
    let mut stack: Vec<u32> = Vec::new();
    for e in g.edges(g.root()) {
        let kind = g.edge_kind(e) as u16;
        let to = g.edge_to(e);
        let entry = if kind == t.e_element {
            t.is_document_dom_trees_root(g, to)
        } else {
            kind == t.e_shortcut
        };
        if entry {
            stack.push(to.0);
            flags.set(to.index());
        }
    }
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
    flags
}
