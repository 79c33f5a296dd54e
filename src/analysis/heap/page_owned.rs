//! `page_owned`: DevTools' `markPageOwnedNodes` — everything reachable over non-weak edges from
//! the root's `shortcut` targets (a page's `Window`s) and the `(Document DOM trees)` node. Edges
//! from non-page to page objects (console, debugger) do not dominate (FORMATS-AND-LIMITS §2.8).

use super::bit_set::BitSet;
use super::type_ids::TypeIds;
use crate::model::HeapGraph;

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
    while let Some(o) = stack.pop() {
        for e in g.edges(crate::model::NodeOrdinal(o)) {
            let to = g.edge_to(e).index();
            if flags.get(to) || g.edge_kind(e) as u16 == t.e_weak {
                continue;
            }
            flags.set(to);
            stack.push(to as u32);
        }
    }
    flags
}
