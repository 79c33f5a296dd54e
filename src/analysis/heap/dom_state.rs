//! `dom_states`: DevTools' `propagateDOMState` (FORMATS-AND-LIMITS §2.9). Embedder (native) nodes
//! reachable from an attached node are attached; those reachable only from detached ones are
//! detached. It runs only when the file has a `detachedness` field, and never crosses JS objects.

use super::type_ids::TypeIds;
use crate::model::{HeapGraph, NodeOrdinal};

/// DOM link state: unknown.
pub const DOM_UNKNOWN: u8 = 0;
/// DOM link state: attached to a document.
pub const DOM_ATTACHED: u8 = 1;
/// DOM link state: detached (a leak candidate); DevTools renames such nodes `Detached <name>`.
pub const DOM_DETACHED: u8 = 2;

/// Each node's state after propagation, or `None` when the snapshot has no `detachedness`
/// field (older V8: DevTools then relies on Blink's own `Detached ` name prefix).
pub fn dom_states(g: &HeapGraph) -> Option<Vec<u8>> {
    if !g.has_detachedness() {
        return None;
    }
    let t = TypeIds::of(g);
    let n = g.node_count();
    let mut state: Vec<u8> = (0..n)
        .map(|o| g.detachedness(NodeOrdinal(o as u32)))
        .collect();
    let mut visited = vec![false; n];
    let mut attached = Vec::new();
    let mut detached = Vec::new();
    // "Do not propagate the state (and name change) through JavaScript": non-native nodes are
    // marked visited and left as they are.
    let mut process = |o: usize,
                       new_state: u8,
                       state: &mut [u8],
                       attached: &mut Vec<u32>,
                       detached: &mut Vec<u32>| {
        if visited[o] {
            return;
        }
        visited[o] = true;
        if g.node_type(NodeOrdinal(o as u32)) as u16 != t.native {
            return;
        }
        state[o] = new_state;
        match new_state {
            DOM_ATTACHED => attached.push(o as u32),
            DOM_DETACHED => detached.push(o as u32),
            _ => {}
        }
    };
    for o in 0..n {
        let s = state[o];
        if s != DOM_UNKNOWN {
            process(o, s, &mut state, &mut attached, &mut detached);
        }
    }
    let follows = |k: u8| {
        let k = k as u16;
        k != t.e_hidden && k != t.e_weak
    };
    while let Some(o) = attached.pop() {
        for e in g.edges(NodeOrdinal(o)) {
            if follows(g.edge_kind(e)) {
                process(
                    g.edge_to(e).index(),
                    DOM_ATTACHED,
                    &mut state,
                    &mut attached,
                    &mut detached,
                );
            }
        }
    }
    while let Some(o) = detached.pop() {
        if state[o as usize] == DOM_ATTACHED {
            continue;
        }
        for e in g.edges(NodeOrdinal(o)) {
            if follows(g.edge_kind(e)) {
                process(
                    g.edge_to(e).index(),
                    DOM_DETACHED,
                    &mut state,
                    &mut attached,
                    &mut detached,
                );
            }
        }
    }
    Some(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::HeapGraphBuilder;

    #[test]
    fn state_flows_through_native_nodes_only() {
        let mut b = HeapGraphBuilder::v8();
        b.with_detachedness();
        let r = b.add_node("synthetic", "", 1, 0);
        let div = b.add_node("native", "HTMLDivElement", 2, 10);
        let span = b.add_node("native", "HTMLSpanElement", 4, 10);
        let js = b.add_node("object", "Foo", 3, 10);
        let behind_js = b.add_node("native", "Text", 6, 10);
        let live = b.add_node("native", "HTMLBodyElement", 8, 10);
        b.set_detachedness(div, DOM_DETACHED);
        b.set_detachedness(live, DOM_ATTACHED);
        b.add_edge(r, "element", "1", div);
        b.add_edge(div, "element", "1", span);
        b.add_edge(div, "property", "x", js);
        b.add_edge(js, "property", "t", behind_js);
        b.add_edge(live, "weak", "w", span);
        let g = b.finish().unwrap();
        let s = dom_states(&g).unwrap();
        assert_eq!(s, [0, DOM_DETACHED, DOM_DETACHED, 0, 0, DOM_ATTACHED]);
    }
}
