//! `dominator_tree`: immediate dominators and retained sizes by Lengauer & Tarjan, "A fast
//! algorithm for finding dominators in a flowgraph" (TOPLAS 1979), simple variant, as DevTools'
//! `buildDominatorTreeAndCalculateRetainedSizes` runs it: 1-indexed vertices, iterative DFS and
//! compress, orphans attached to the root (FORMATS-AND-LIMITS §2.8, §3.2).

use serde::{Deserialize, Serialize};

use super::bit_set::BitSet;
use crate::model::HeapGraph;

/// The dominator tree over node ordinals, and each node's retained size.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DominatorTree {
    /// Immediate dominator ordinal of each node; the root is its own.
    pub idom: Vec<u32>,
    /// Bytes freed if the node were collected: its (adjusted) self size plus everything it
    /// dominates. Sums exceed 2^32, so u64 (DevTools: Float64Array).
    pub retained_size: Vec<u64>,
    /// How many nodes the DFS from the root did not reach over essential edges (DevTools logs
    /// "nodes are unreachable from the root" and attaches them to the root).
    pub unreachable: usize,
}

/// Predecessors over essential edges, as a reverse CSR of source ordinals.
fn essential_predecessors(g: &HeapGraph, essential: &BitSet) -> (Vec<u32>, Vec<u32>) {
    let n = g.node_count();
    let targets = g.edge_targets();
    let mut first = vec![0u32; n + 1];
    for (e, &to) in targets.iter().enumerate() {
        if essential.get(e) {
            first[to as usize] += 1;
        }
    }
    let mut sum = 0u32;
    for c in first.iter_mut() {
        let count = *c;
        *c = sum;
        sum += count;
    }
    let mut preds = vec![0u32; sum as usize];
    let mut fill = first.clone();
    let fe = g.first_edge();
    for from in 0..n {
        let edges = fe[from] as usize..fe[from + 1] as usize;
        for (e, &to) in edges.clone().zip(&targets[edges]) {
            if essential.get(e) {
                let to = to as usize;
                preds[fill[to] as usize] = from as u32;
                fill[to] += 1;
            }
        }
    }
    (first, preds)
}

/// Computes the dominator tree over `essential` edges with `sizes` as self sizes (DevTools'
/// adjusted shallow sizes, so that retained sizes match what it shows).
pub fn dominator_tree(g: &HeapGraph, essential: &BitSet, sizes: &[u32]) -> DominatorTree {
    let n = g.node_count();
    let len = n + 1;
    let fe = g.first_edge();
    let targets = g.edge_targets();
    // Vertex v = ordinal + 1; 0 means "none", as in the paper.
    let mut parent = vec![0u32; len];
    let mut semi = vec![0u32; len];
    let mut vertex = vec![0u32; len];
    let mut label = vec![0u32; len];
    let mut next_edge = vec![0u32; len];
    let mut count = 0u32;

    // Iterative DFS: `next_edge[v]` is the next edge of v to examine.
    let mut dfs = |root: u32,
                   parent: &mut [u32],
                   semi: &mut [u32],
                   vertex: &mut [u32],
                   label: &mut [u32],
                   count: &mut u32| {
        next_edge[root as usize] = fe[root as usize - 1];
        let mut v = root;
        while v != 0 {
            let vi = v as usize;
            if semi[vi] == 0 {
                *count += 1;
                semi[vi] = *count;
                vertex[*count as usize] = v;
                label[vi] = v;
            }
            let mut v_next = parent[vi];
            let end = fe[vi];
            while next_edge[vi] < end {
                let e = next_edge[vi] as usize;
                if essential.get(e) {
                    let w = targets[e] + 1;
                    if semi[w as usize] == 0 {
                        parent[w as usize] = v;
                        next_edge[w as usize] = fe[w as usize - 1];
                        v_next = w;
                        break;
                    }
                }
                next_edge[vi] += 1;
            }
            v = v_next;
        }
    };

    let r = g.root().0 + 1;
    dfs(
        r,
        &mut parent,
        &mut semi,
        &mut vertex,
        &mut label,
        &mut count,
    );
    let reached_from_root = count as usize;

    let (pred_first, preds) = essential_predecessors(g, essential);
    // Orphans: nodes with only non-essential retainers become DFS roots hanging off the root.
    if (count as usize) < n {
        for v in 1..=n as u32 {
            let o = v as usize - 1;
            if semi[v as usize] == 0 && pred_first[o] == pred_first[o + 1] {
                parent[v as usize] = r;
                dfs(
                    v,
                    &mut parent,
                    &mut semi,
                    &mut vertex,
                    &mut label,
                    &mut count,
                );
            }
        }
    }
    // Still unnumbered (e.g. a clique retaining itself): attach one by one to the root.
    if (count as usize) < n {
        for v in 1..=n as u32 {
            if semi[v as usize] == 0 {
                parent[v as usize] = r;
                count += 1;
                semi[v as usize] = count;
                vertex[count as usize] = v;
                label[v as usize] = v;
            }
        }
    }

    // The DFS cursor array is reused as the compression stack.
    let mut stack = next_edge;
    let mut ancestor = vec![0u32; len];
    let mut bucket_head = vec![0u32; len];
    let mut bucket_next = vec![0u32; len];
    let mut dom = vec![0u32; len];

    let eval =
        |v: u32, ancestor: &mut [u32], label: &mut [u32], semi: &[u32], stack: &mut [u32]| -> u32 {
            if ancestor[v as usize] == 0 {
                return v;
            }
            // Iterative compress (the recursive one overflows the stack on deep heaps).
            let mut sp = 0usize;
            let mut x = v;
            while ancestor[ancestor[x as usize] as usize] != 0 {
                sp += 1;
                stack[sp] = x;
                x = ancestor[x as usize];
            }
            while sp > 0 {
                let w = stack[sp] as usize;
                sp -= 1;
                let a = ancestor[w] as usize;
                if semi[label[a] as usize] < semi[label[w] as usize] {
                    label[w] = label[a];
                }
                ancestor[w] = ancestor[a];
            }
            label[v as usize]
        };

    for i in (2..=count as usize).rev() {
        let w = vertex[i];
        let wo = w as usize - 1;
        let (from, to) = (pred_first[wo] as usize, pred_first[wo + 1] as usize);
        if from == to {
            // An orphan's single predecessor is taken to be the root (semi[r] is the smallest).
            semi[w as usize] = semi[r as usize];
        }
        for &p in &preds[from..to] {
            let u = eval(p + 1, &mut ancestor, &mut label, &semi, &mut stack);
            if semi[u as usize] < semi[w as usize] {
                semi[w as usize] = semi[u as usize];
            }
        }
        let s = vertex[semi[w as usize] as usize] as usize;
        bucket_next[w as usize] = bucket_head[s];
        bucket_head[s] = w;
        let pw = parent[w as usize];
        ancestor[w as usize] = pw; // link(parent[w], w)
        let mut v = std::mem::take(&mut bucket_head[pw as usize]);
        while v != 0 {
            let u = eval(v, &mut ancestor, &mut label, &semi, &mut stack);
            dom[v as usize] = if semi[u as usize] < semi[v as usize] {
                u
            } else {
                pw
            };
            v = bucket_next[v as usize];
        }
    }
    drop((
        ancestor,
        bucket_head,
        bucket_next,
        stack,
        label,
        preds,
        pred_first,
        parent,
    ));

    // Unlike the paper, the root dominates itself, and dom[0] = r makes the root the
    // dominator of anything left unreachable.
    dom[0] = r;
    dom[r as usize] = r;
    for i in 2..=count as usize {
        let w = vertex[i] as usize;
        if dom[w] != vertex[semi[w] as usize] {
            dom[w] = dom[dom[w] as usize];
        }
    }
    drop(semi);

    let idom: Vec<u32> = (0..n).map(|o| dom[o + 1].wrapping_sub(1)).collect();
    drop(dom);
    let mut retained: Vec<u64> = sizes.iter().map(|&s| s as u64).collect();
    retained.resize(n, 0);
    for i in (2..=count as usize).rev() {
        let o = vertex[i] as usize - 1;
        let d = idom[o] as usize;
        retained[d] += retained[o];
    }
    DominatorTree {
        idom,
        retained_size: retained,
        unreachable: n - reached_from_root,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::heap::{essential_edges, EssentialEdgeContext};
    use crate::model::{HeapGraphBuilder, NodeOrdinal};

    fn tree(b: HeapGraphBuilder) -> DominatorTree {
        let g = b.finish().unwrap();
        let bits = essential_edges(&g, &EssentialEdgeContext::new(&g));
        dominator_tree(&g, &bits, g.self_sizes())
    }

    #[test]
    fn diamond_and_cycle() {
        // root → a → {b, c} → d; d ↔ e (cycle).
        let mut b = HeapGraphBuilder::v8();
        let n: Vec<NodeOrdinal> = ["", "a", "b", "c", "d", "e"]
            .iter()
            .enumerate()
            .map(|(i, name)| {
                b.add_node(
                    if i == 0 { "synthetic" } else { "object" },
                    name,
                    i as u32 * 2 + 1,
                    10,
                )
            })
            .collect();
        b.add_edge(n[0], "element", "1", n[1]);
        b.add_edge(n[1], "property", "b", n[2]);
        b.add_edge(n[1], "property", "c", n[3]);
        b.add_edge(n[2], "property", "d", n[4]);
        b.add_edge(n[3], "property", "d", n[4]);
        b.add_edge(n[4], "property", "e", n[5]);
        b.add_edge(n[5], "property", "d", n[4]);
        let t = tree(b);
        assert_eq!(t.idom, [0, 0, 1, 1, 1, 4]);
        assert_eq!(t.retained_size, [60, 50, 10, 10, 20, 10]);
        assert_eq!(t.unreachable, 0);
    }

    #[test]
    fn weak_edges_do_not_retain_and_orphans_hang_off_the_root() {
        let mut b = HeapGraphBuilder::v8();
        let r = b.add_node("synthetic", "", 1, 0);
        let a = b.add_node("object", "A", 3, 10);
        let weakly = b.add_node("object", "W", 5, 100);
        let child = b.add_node("object", "C", 7, 1);
        let clique1 = b.add_node("object", "Q1", 9, 4);
        let clique2 = b.add_node("object", "Q2", 11, 4);
        b.add_edge(r, "element", "1", a);
        b.add_edge(a, "weak", "w", weakly);
        b.add_edge(weakly, "property", "c", child);
        b.add_edge(clique1, "property", "q", clique2);
        b.add_edge(clique2, "property", "q", clique1);
        let t = tree(b);
        assert_eq!(t.idom, [0, 0, 0, 2, 0, 0]);
        assert_eq!(t.retained_size, [10 + 101 + 8, 10, 101, 1, 4, 4]);
        assert_eq!(t.unreachable, 4);
    }

    #[test]
    fn shortcut_only_from_root_and_weak_map_table_does_not_retain_value() {
        let mut b = HeapGraphBuilder::v8();
        let r = b.add_node("synthetic", "", 1, 0);
        let gc = b.add_node("synthetic", "(GC roots)", 3, 0);
        let holder = b.add_node("object", "Holder", 5, 10);
        let table = b.add_node("array", "", 7, 10);
        let key = b.add_node("object", "K", 9, 10);
        let val = b.add_node("object", "V", 11, 10);
        let via_shortcut = b.add_node("object", "S", 13, 10);
        let pair = "1 / part of key (K @9) -> value (V @11) pair in WeakMap (table @7)";
        b.add_edge(r, "element", "1", gc);
        b.add_edge(r, "shortcut", "s", via_shortcut);
        b.add_edge(gc, "element", "1", holder);
        b.add_edge(gc, "element", "2", key);
        b.add_edge(holder, "internal", "table", table);
        b.add_edge(holder, "shortcut", "sc", via_shortcut);
        b.add_edge(table, "internal", pair, val);
        b.add_edge(key, "internal", pair, val);
        let t = tree(b);
        // The value is dominated by its key, not by the table; the shortcut target by the root.
        assert_eq!(t.idom[val.index()], key.0);
        assert_eq!(t.idom[via_shortcut.index()], r.0);
        assert_eq!(t.retained_size[key.index()], 20);
        assert_eq!(t.retained_size[holder.index()], 20);
    }
}
