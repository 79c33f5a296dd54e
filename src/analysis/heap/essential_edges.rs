//! `is_essential_edge` / `essential_edges`: which references may retain, exactly as DevTools'
//! `computeIsEssentialEdge` (FORMATS-AND-LIMITS §2.8). Both the dominator DFS and the
//! predecessor scan use this one predicate (memlab: a disagreement corrupts dominators).

use super::bit_set::BitSet;
use super::type_ids::TypeIds;
use super::weak_map::WeakMapEdges;
use crate::model::{HeapGraph, NodeOrdinal, EDGE_NAME_BITS, MAX_EDGE_NAME};

/// What `is_essential_edge` needs besides the graph, computed once.
pub struct EssentialEdgeContext {
    pub(crate) types: TypeIds,
    pub(crate) weak_maps: WeakMapEdges,
    pub(crate) page_owned: BitSet,
}

impl EssentialEdgeContext {
    /// Resolves type ids, parses WeakMap edge names and marks page-owned nodes.
    pub fn new(g: &HeapGraph) -> Self {
        Self::with_parts(g, WeakMapEdges::of(g), super::page_owned(g))
    }

    /// The context from parts already computed (`heap_analysis` has the page-owned nodes
    /// from the distances' search).
    pub(crate) fn with_parts(g: &HeapGraph, weak_maps: WeakMapEdges, page_owned: BitSet) -> Self {
        EssentialEdgeContext {
            weak_maps,
            page_owned,
            types: TypeIds::of(g),
        }
    }
}

/// Whether edge `e` (whose source is `from`) can retain its target. In DevTools' order:
/// 1. not the WeakMap table → value edge (the key → value edge is kept);
/// 2. not `weak`; 3. not a self edge; 4. not `shortcut` unless from the root;
/// 5. not from a non-page-owned node to a page-owned one (unless from the root).
pub fn is_essential_edge(
    g: &HeapGraph,
    cx: &EssentialEdgeContext,
    from: NodeOrdinal,
    e: usize,
) -> bool {
    let t = &cx.types;
    let kind = g.edge_kind(e) as u16;
    if kind == t.e_internal {
        if let Some(w) = cx.weak_maps.get(g.edge_name_or_index(e)) {
            if w.table_id == g.node_id(from) as u64 {
                return false;
            }
        }
    }
    if kind == t.e_weak {
        return false;
    }
    let to = g.edge_to(e);
    if to == from {
        return false;
    }
    if from != g.root() {
        if kind == t.e_shortcut {
            return false;
        }
        if cx.page_owned.get(to.index()) && !cx.page_owned.get(from.index()) {
            return false;
        }
    }
    true
}

/// The essential edges of the whole graph, one bit per edge: `is_essential_edge` for every
/// edge, in one pass over the raw columns that writes the bit set a word at a time.
pub fn essential_edges(g: &HeapGraph, cx: &EssentialEdgeContext) -> BitSet {
    essential_pass(g, cx, None)
}

/// `essential_edges`, and how many essential edges reach each node (by ordinal), counted in
/// the same pass: the dominator tree's predecessor lists are laid out from these.
pub fn essential_edges_and_in_degrees(
    g: &HeapGraph,
    cx: &EssentialEdgeContext,
) -> (BitSet, Vec<u32>) {
    // One slot spare: the dominator tree appends the total to make them list offsets.
    let mut in_degrees = Vec::with_capacity(g.node_count() + 1);
    in_degrees.resize(g.node_count(), 0u32);
    let bits = essential_pass(g, cx, Some(&mut in_degrees));
    (bits, in_degrees)
}

fn essential_pass(
    g: &HeapGraph,
    cx: &EssentialEdgeContext,
    mut in_degrees: Option<&mut [u32]>,
) -> BitSet {
    let t = &cx.types;
    let (fe, kind_names, targets) = (g.first_edge(), g.edge_kind_names(), g.edge_targets());
    let m = g.edge_count();
    let root = g.root().index();
    let any_page_owned = cx.page_owned.count() != 0;
    let any_weak_maps = !cx.weak_maps.is_empty();
    // What the kind alone decides, for edges from the root and from any other node: no
    // branch on the (unpredictable) kind in the loop.
    let mut kind_ok = [[false; 256]; 2];
    for k in 0..256u16 {
        kind_ok[0][k as usize] = k != t.e_weak && k != t.e_shortcut;
        kind_ok[1][k as usize] = k != t.e_weak;
    }
    let mut words: Vec<u64> = Vec::with_capacity(m.div_ceil(64));
    let mut word = 0u64;
    let mut e = 0usize;
    for from in 0..g.node_count() {
        let end = (fe.get(from + 1).copied().unwrap_or(0) as usize).min(m);
        let ok = &kind_ok[(from == root) as usize];
        let page_rule = any_page_owned && from != root && !cx.page_owned.get(from);
        while e < end {
            let kn = kind_names[e];
            let to = targets[e] as usize;
            let kind = (kn >> EDGE_NAME_BITS) as u16;
            let mut essential = ok[kind as usize & 255] & (to != from);
            if page_rule && cx.page_owned.get(to) {
                essential = false;
            }
            if any_weak_maps && kind == t.e_internal {
                if let Some(w) = cx.weak_maps.get(kn & (MAX_EDGE_NAME - 1)) {
                    if w.table_id == g.node_id(NodeOrdinal(from as u32)) as u64 {
                        essential = false;
                    }
                }
            }
            word |= (essential as u64) << (e & 63);
            if let Some(counts) = in_degrees.as_deref_mut() {
                counts[to] += essential as u32;
            }
            e += 1;
            if e & 63 == 0 {
                words.push(word);
                word = 0;
            }
        }
    }
    if e & 63 != 0 {
        words.push(word);
    }
    BitSet::from_words(words, m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::HeapGraphBuilder;

    #[test]
    fn devtools_rules() {
        let mut b = HeapGraphBuilder::v8();
        let r = b.add_node("synthetic", "", 1, 0);
        let win = b.add_node("object", "Window", 3, 10);
        let table = b.add_node("array", "", 5, 10);
        let key = b.add_node("object", "K", 7, 10);
        let val = b.add_node("object", "V", 9, 10);
        let console = b.add_node("synthetic", "(console)", 11, 0);
        let pair = "1 / part of key (K @7) -> value (V @9) pair in WeakMap (table @5)";
        b.add_edge(r, "shortcut", "global", win); // 0: root shortcut: essential
        b.add_edge(r, "element", "1", console); // 1
        b.add_edge(win, "property", "t", table); // 2
        b.add_edge(win, "shortcut", "s", key); // 3: shortcut not from root
        b.add_edge(win, "weak", "w", key); // 4
        b.add_edge(win, "property", "self", win); // 5: self edge
        b.add_edge(table, "internal", pair, val); // 6: table → value
        b.add_edge(key, "internal", pair, val); // 7: key → value
        b.add_edge(console, "property", "$0", win); // 8: non-page → page
        let g = b.finish().unwrap();
        let cx = EssentialEdgeContext::new(&g);
        let bits = essential_edges(&g, &cx);
        let (counted, in_degrees) = essential_edges_and_in_degrees(&g, &cx);
        assert_eq!(counted, bits);
        let got: Vec<bool> = (0..g.edge_count()).map(|e| bits.get(e)).collect();
        assert_eq!(
            got,
            [true, true, true, false, false, false, false, true, false]
        );
        // The one-pass column loop agrees with the predicate edge by edge.
        for o in 0..g.node_count() {
            let from = NodeOrdinal(o as u32);
            for e in g.edges(from) {
                assert_eq!(bits.get(e), is_essential_edge(&g, &cx, from, e), "edge {e}");
            }
        }
        let targets = g.edge_targets();
        for (o, &count) in in_degrees.iter().enumerate() {
            let into = (0..g.edge_count()).filter(|&e| bits.get(e) && targets[e] as usize == o);
            assert_eq!(count as usize, into.count(), "node {o}");
        }
    }
}
