//! DevTools' Summary filters that cut the graph (`createNamedFilter`): objects retained by
//! detached DOM nodes and objects retained by event handlers. Each answers a `BitSet` of the
//! objects that pass; aggregating them by class is the caller's business.

use super::bit_set::BitSet;
use super::distances::NO_DISTANCE;
use super::dom_state::{dom_states, DOM_DETACHED};
use super::heap_summary::HeapAnalysis;
use super::type_ids::TypeIds;
use crate::model::{HeapGraph, NodeOrdinal};

/// DevTools' `traverse` + `markUnreachableNodes`: BFS from the root over non-weak edges whose
/// target `enter` allows; the objects that pass the filter are those the normal distance BFS
/// reached but this one did not.
fn retained_only_through(
    g: &HeapGraph,
    a: &HeapAnalysis,
    enter: impl Fn(NodeOrdinal) -> bool,
) -> BitSet {
    let n = g.node_count();
    let weak = TypeIds::of(g).e_weak;
    let mut seen = BitSet::new(n);
    let mut queue = vec![g.root().0];
    seen.set(g.root().index());
    let mut head = 0;
    while let Some(&o) = queue.get(head) {
        head += 1;
        for e in g.edges(NodeOrdinal(o)) {
            let to = g.edge_to(e);
            if g.edge_kind(e) as u16 == weak || seen.get(to.index()) || !enter(to) {
                continue;
            }
            seen.set(to.index());
            queue.push(to.0);
        }
    }
    let mut passes = BitSet::new(n);
    for o in 0..n {
        let unreachable = a.distances.get(o).is_none_or(|&d| d == NO_DISTANCE);
        if !seen.get(o) && !unreachable {
            passes.set(o);
        }
    }
    passes
}

/// Each node's DOM state as DevTools holds it: propagated from the `detachedness` field, or for
/// older snapshots without it, "detached" for native nodes whose name starts with `Detached `
/// (`initDetachednessAndClassIndex`).
fn detached_nodes(g: &HeapGraph) -> BitSet {
    let mut detached = BitSet::new(g.node_count());
    match dom_states(g) {
        Some(states) => {
            for (o, &s) in states.iter().enumerate() {
                if s == DOM_DETACHED {
                    detached.set(o);
                }
            }
        }
        None => {
            let native = TypeIds::of(g).native;
            for o in 0..g.node_count() {
                let n = NodeOrdinal(o as u32);
                if g.node_type(n) as u16 == native && g.node_name(n).starts_with("Detached ") {
                    detached.set(o);
                }
            }
        }
    }
    detached
}

/// `objectsRetainedByDetachedDomNodes`: objects that become unreachable when the BFS may not
/// enter detached DOM nodes; the detached nodes themselves pass too.
pub fn retained_by_detached_dom(g: &HeapGraph, a: &HeapAnalysis) -> BitSet {
    let detached = detached_nodes(g);
    retained_only_through(g, a, |n| !detached.get(n.index()))
}

/// The first edge of `n` whose DevTools name is `name` (`getEdgeTarget`).
fn edge_target(g: &HeapGraph, n: NodeOrdinal, name: &str) -> Option<NodeOrdinal> {
    g.edges(n)
        .find(|&e| g.edge_name(e) == name)
        .map(|e| g.edge_to(e))
}

/// The event handler functions: for each `V8EventListener`, its `callback_object_` (edge `1`)
/// when it has a `code` edge, else the first of its children that has one (a framework
/// wrapper), else the callback itself. Like DevTools, listeners of detached nodes do not count:
/// `propagateDOMState` has renamed them `Detached V8EventListener` before the filter runs.
pub fn event_handlers(g: &HeapGraph) -> BitSet {
    let mut handlers = BitSet::new(g.node_count());
    let states = dom_states(g);
    let native = TypeIds::of(g).native;
    for o in 0..g.node_count() {
        let n = NodeOrdinal(o as u32);
        if g.node_name(n) != "V8EventListener" {
            continue;
        }
        let renamed = g.node_type(n) as u16 == native
            && states
                .as_ref()
                .is_some_and(|s| s.get(o) == Some(&DOM_DETACHED));
        if renamed {
            continue;
        }
        let Some(callback) = edge_target(g, n, "1") else {
            continue;
        };
        if edge_target(g, callback, "code").is_some() {
            handlers.set(callback.index());
            continue;
        }
        let child = g
            .edges(callback)
            .map(|e| g.edge_to(e))
            .find(|&c| edge_target(g, c, "code").is_some());
        handlers.set(child.unwrap_or(callback).index());
    }
    handlers
}

/// `objectsRetainedByEventHandlers`: objects that become unreachable when the BFS may not enter
/// event handler functions (see `event_handlers`); the handlers themselves pass too.
pub fn retained_by_event_handlers(g: &HeapGraph, a: &HeapAnalysis) -> BitSet {
    let handlers = event_handlers(g);
    if handlers.count() == 0 {
        return BitSet::new(g.node_count());
    }
    retained_only_through(g, a, |n| !handlers.get(n.index()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::heap::{heap_analysis, HeapSummaryOptions, DOM_ATTACHED};
    use crate::model::HeapGraphBuilder;

    fn members(s: &BitSet) -> Vec<usize> {
        (0..s.len()).filter(|&i| s.get(i)).collect()
    }

    #[test]
    fn detached_trees_and_what_only_they_hold() {
        let mut b = HeapGraphBuilder::v8();
        b.with_detachedness();
        let r = b.add_node("synthetic", "", 1, 0);
        let win = b.add_node("object", "Window", 3, 10);
        let body = b.add_node("native", "HTMLBodyElement", 4, 10);
        let ul = b.add_node("native", "HTMLUListElement", 6, 10);
        let li = b.add_node("native", "HTMLLIElement", 8, 10);
        let data = b.add_node("object", "Data", 5, 10);
        let shared = b.add_node("object", "Shared", 7, 10);
        b.set_detachedness(body, DOM_ATTACHED);
        b.set_detachedness(ul, DOM_DETACHED);
        b.add_edge(r, "shortcut", "window", win);
        b.add_edge(win, "property", "body", body);
        b.add_edge(win, "property", "old", ul);
        b.add_edge(win, "property", "shared", shared);
        b.add_edge(ul, "element", "0", li);
        b.add_edge(li, "property", "data", data);
        b.add_edge(li, "property", "shared", shared);
        let g = b.finish().unwrap();
        let a = heap_analysis(&g, &HeapSummaryOptions::default());
        let got = retained_by_detached_dom(&g, &a);
        assert_eq!(members(&got), [ul.index(), li.index(), data.index()]);
    }

    #[test]
    fn listeners_callbacks_and_their_closures() {
        let mut b = HeapGraphBuilder::v8();
        let r = b.add_node("synthetic", "", 1, 0);
        let target = b.add_node("object", "Window", 3, 10);
        let listener = b.add_node("native", "V8EventListener", 4, 10);
        let handler = b.add_node("closure", "onClick", 5, 10);
        let code = b.add_node("code", "", 7, 10);
        let captured = b.add_node("object", "Big", 9, 1000);
        b.add_edge(r, "shortcut", "window", target);
        b.add_edge(target, "internal", "listener", listener);
        b.add_edge(listener, "internal", "1", handler);
        b.add_edge(handler, "internal", "code", code);
        b.add_edge(handler, "context", "big", captured);
        let g = b.finish().unwrap();
        let a = heap_analysis(&g, &HeapSummaryOptions::default());
        assert_eq!(members(&event_handlers(&g)), [handler.index()]);
        assert_eq!(
            members(&retained_by_event_handlers(&g, &a)),
            [handler.index(), code.index(), captured.index()]
        );
    }
}
