//! `shallow_sizes`: DevTools' `calculateShallowSizes` (FORMATS-AND-LIMITS §2.7). The self size of
//! each `hidden`/`array` node with exactly one owner moves to that owner, unless the snapshot was
//! taken with "expose internals" (no user roots). Totals are unchanged.

use super::type_ids::TypeIds;
use crate::model::{HeapGraph, NodeOrdinal, EDGE_NAME_BITS};

const UNVISITED: u32 = u32::MAX;
const MULTIPLE_OWNERS: u32 = u32::MAX - 1;

/// Self sizes as DevTools shows them, by ordinal.
pub fn shallow_sizes(g: &HeapGraph) -> Vec<u32> {
    let mut sizes = g.self_sizes().to_vec();
    let t = TypeIds::of(g);
    if !t.has_user_roots(g) {
        return sizes;
    }
    let n = g.node_count();
    let is_internal = |o: usize| {
        let ty = g.node_type(NodeOrdinal(o as u32)) as u16;
        ty == t.hidden || ty == t.array
    };
    // owners[i]: the node that owns i, itself for ordinary nodes, or one of the two markers.
    let mut owners: Vec<u32> = (0..n)
        .map(|o| if is_internal(o) { UNVISITED } else { o as u32 })
        .collect();
    // DevTools' worklist starts with every ordinary node and pops from its end: the ordinary
    // nodes from the last, each followed by the internals it reaches (pushed, so popped
    // first). An ordinary node's owner is itself for good, so they are taken straight from
    // the ordinals, and the stack holds only internals.
    let (fe, kind_names, targets) = (g.first_edge(), g.edge_kind_names(), g.edge_targets());
    let mut worklist: Vec<u32> = Vec::new();
    for start in (0..n as u32).rev() {
        if owners[start as usize] != start {
            continue;
        }
        let mut id = start;
        loop {
            let owner = owners[id as usize];
            let edges = fe[id as usize] as usize..fe[id as usize + 1] as usize;
            for (&kn, &target) in kind_names[edges.clone()].iter().zip(&targets[edges]) {
                if (kn >> EDGE_NAME_BITS) as u16 == t.e_weak {
                    continue;
                }
                let current = owners[target as usize];
                if current == UNVISITED {
                    owners[target as usize] = owner;
                    worklist.push(target);
                } else if current != target && current != owner && current != MULTIPLE_OWNERS {
                    owners[target as usize] = MULTIPLE_OWNERS;
                    worklist.push(target);
                }
            }
            match worklist.pop() {
                Some(next) => id = next,
                None => break,
            }
        }
    }
    let root = g.root().0;
    for i in 0..n {
        let owner = owners[i];
        if owner == UNVISITED || owner == MULTIPLE_OWNERS || owner == i as u32 {
            continue;
        }
        // "Adding shallow size to synthetic or root nodes is not useful."
        if owner == root || g.node_type(NodeOrdinal(owner)) as u16 == t.synthetic {
            continue;
        }
        let moved = std::mem::take(&mut sizes[i]);
        // DevTools stores sizes in a Uint32Array, so a sum past 2^32 wraps there too.
        sizes[owner as usize] = sizes[owner as usize].wrapping_add(moved);
    }
    sizes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::HeapGraphBuilder;

    #[test]
    fn single_owner_internals_move_to_their_owner() {
        let mut b = HeapGraphBuilder::v8();
        let r = b.add_node("synthetic", "", 1, 0);
        let a = b.add_node("object", "A", 3, 10);
        let bb = b.add_node("object", "B", 5, 10);
        let own = b.add_node("array", "", 7, 100);
        let chain = b.add_node("hidden", "", 9, 1000);
        let shared = b.add_node("array", "", 11, 50);
        let weakly = b.add_node("array", "", 13, 7);
        b.add_edge(r, "shortcut", "a", a);
        b.add_edge(r, "element", "1", bb);
        b.add_edge(a, "internal", "elements", own);
        b.add_edge(a, "property", "s", shared);
        b.add_edge(a, "weak", "w", weakly);
        b.add_edge(bb, "property", "s", shared);
        b.add_edge(own, "internal", "c", chain);
        let g = b.finish().unwrap();
        assert_eq!(shallow_sizes(&g), [0, 1110, 10, 0, 0, 50, 7]);
    }

    #[test]
    fn expose_internals_snapshots_keep_raw_sizes() {
        let mut b = HeapGraphBuilder::v8();
        let r = b.add_node("synthetic", "", 1, 0);
        let gc = b.add_node("synthetic", "(GC roots)", 3, 0);
        let a = b.add_node("array", "", 5, 10);
        b.add_edge(r, "element", "1", gc);
        b.add_edge(gc, "element", "1", a);
        let g = b.finish().unwrap();
        assert_eq!(shallow_sizes(&g), [0, 0, 10]);
    }
}
