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

impl DominatorTree {
    /// The dominator tree's children as compressed rows: the nodes `root` immediately
    /// dominates are `children[first[o]..first[o + 1]]` for `o = root`, and so on for every
    /// ordinal, in ordinal order (DevTools' `buildDominatedNodes`).
    pub fn children(&self, root: usize) -> (Vec<u32>, Vec<u32>) {
        let n = self.idom.len();
        let mut first = vec![0u32; n + 1];
        for (o, &d) in self.idom.iter().enumerate() {
            if o != root && (d as usize) < n {
                first[d as usize] += 1;
            }
        }
        let mut sum = 0;
        for c in first.iter_mut() {
            let count = *c;
            *c = sum;
            sum += count;
        }
        let mut children = vec![0u32; sum as usize];
        let mut fill = first.clone();
        for (o, &d) in self.idom.iter().enumerate() {
            if o != root && (d as usize) < n {
                children[fill[d as usize] as usize] = o as u32;
                fill[d as usize] += 1;
            }
        }
        (first, children)
    }
}

/// Predecessors over essential edges, as a reverse CSR over DFS numbers: the predecessors of
/// the vertex numbered `i` are the numbers `preds[first[i]..first[i + 1]]`.
fn essential_predecessors(g: &HeapGraph, essential: &BitSet, num: &[u32]) -> (Vec<u32>, Vec<u32>) {
    let n = g.node_count();
    let targets = g.edge_targets();
    let mut first = vec![0u32; n + 2];
    for (e, &to) in targets.iter().enumerate() {
        if essential.get(e) {
            first[num[to as usize] as usize] += 1;
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
        let from_num = num[from];
        for (e, &to) in edges.clone().zip(&targets[edges]) {
            if essential.get(e) {
                let to = num[to as usize] as usize;
                preds[fill[to] as usize] = from_num;
                fill[to] += 1;
            }
        }
    }
    (first, preds)
}

/// Whether each node is the target of at least one essential edge.
fn has_essential_predecessor(g: &HeapGraph, essential: &BitSet) -> BitSet {
    let mut has = BitSet::new(g.node_count());
    for (e, &to) in g.edge_targets().iter().enumerate() {
        if essential.get(e) {
            has.set(to as usize);
        }
    }
    has
}

/// Computes the dominator tree over `essential` edges with `sizes` as self sizes (DevTools'
/// adjusted shallow sizes, so that retained sizes match what it shows).
///
/// The paper's arrays are indexed by DFS number rather than by vertex: the DFS numbers every
/// node (1..=n), after which vertex v is its number everywhere (so `vertex[semi[w]]` is just
/// `semi[w]`). This is a renaming only, every step is the paper's, but tree paths become runs
/// of nearby numbers, which keeps `eval`'s walks in cache on deep heaps.
pub fn dominator_tree(g: &HeapGraph, essential: &BitSet, sizes: &[u32]) -> DominatorTree {
    let n = g.node_count();
    if n == 0 {
        return DominatorTree::default();
    }
    let len = n + 1;
    let fe = g.first_edge();
    let targets = g.edge_targets();
    // num[ordinal] = DFS number; vertex[number] = ordinal + 1; 0 means "none", as in the paper.
    let mut num = vec![0u32; n];
    let mut vertex = vec![0u32; len];
    // parent[number] = the DFS parent's number.
    let mut parent = vec![0u32; len];
    // Nodes numbered so far, one bit each: the per-edge test stays in cache.
    let mut visited = BitSet::new(n);
    let mut count = 0u32;

    // Iterative DFS: `next_edge[number]` is the next edge of that vertex to examine.
    let mut next_edge = vec![0u32; len];
    let mut dfs = |root: usize,
                   root_parent: u32,
                   num: &mut [u32],
                   vertex: &mut [u32],
                   parent: &mut [u32],
                   visited: &mut BitSet,
                   count: &mut u32| {
        *count += 1;
        let mut v = *count;
        num[root] = v;
        vertex[v as usize] = root as u32 + 1;
        parent[v as usize] = root_parent;
        visited.set(root);
        next_edge[v as usize] = fe[root];
        while v != 0 {
            let vi = v as usize;
            let end = fe[vertex[vi] as usize];
            let mut e = next_edge[vi];
            let mut v_next = parent[vi];
            while e < end {
                let ei = e as usize;
                e += 1;
                if essential.get(ei) {
                    let w = targets[ei] as usize;
                    if !visited.get(w) {
                        visited.set(w);
                        *count += 1;
                        let wn = *count;
                        num[w] = wn;
                        vertex[wn as usize] = w as u32 + 1;
                        parent[wn as usize] = v;
                        next_edge[wn as usize] = fe[w];
                        v_next = wn;
                        break;
                    }
                }
            }
            next_edge[vi] = e;
            v = v_next;
        }
    };

    let root = g.root().index();
    dfs(
        root,
        0,
        &mut num,
        &mut vertex,
        &mut parent,
        &mut visited,
        &mut count,
    );
    // The root is number 1.
    let r = 1u32;
    let reached_from_root = count as usize;

    // Orphans: nodes with only non-essential retainers become DFS roots hanging off the root.
    if (count as usize) < n {
        let has_pred = has_essential_predecessor(g, essential);
        for o in 0..n {
            if !visited.get(o) && !has_pred.get(o) {
                dfs(
                    o,
                    r,
                    &mut num,
                    &mut vertex,
                    &mut parent,
                    &mut visited,
                    &mut count,
                );
            }
        }
    }
    drop(next_edge);
    // Still unnumbered (e.g. a clique retaining itself): attach one by one to the root.
    if (count as usize) < n {
        for (o, number) in num.iter_mut().enumerate() {
            if !visited.get(o) {
                count += 1;
                *number = count;
                vertex[count as usize] = o as u32 + 1;
                parent[count as usize] = r;
            }
        }
    }
    drop(visited);

    let (pred_first, preds) = essential_predecessors(g, essential, &num);
    drop(num);
    // After the DFS, semi[v] = v and label[v] = v (v is its own number).
    let mut semi: Vec<u32> = (0..len as u32).collect();
    let mut label = semi.clone();
    let mut ancestor = vec![0u32; len];
    let mut bucket_head = vec![0u32; len];
    let mut bucket_next = vec![0u32; len];
    let mut dom = vec![0u32; len];
    // The compression stack.
    let mut stack: Vec<u32> = Vec::new();

    let eval = |v: u32,
                ancestor: &mut [u32],
                label: &mut [u32],
                semi: &[u32],
                stack: &mut Vec<u32>|
     -> u32 {
        if ancestor[v as usize] == 0 {
            return v;
        }
        // Iterative compress (the recursive one overflows the stack on deep heaps).
        let mut x = v;
        while ancestor[ancestor[x as usize] as usize] != 0 {
            stack.push(x);
            x = ancestor[x as usize];
        }
        while let Some(w) = stack.pop() {
            let w = w as usize;
            let a = ancestor[w] as usize;
            if semi[label[a] as usize] < semi[label[w] as usize] {
                label[w] = label[a];
            }
            ancestor[w] = ancestor[a];
        }
        label[v as usize]
    };

    for w in (2..=count).rev() {
        let wi = w as usize;
        let (from, to) = (pred_first[wi] as usize, pred_first[wi + 1] as usize);
        if from == to {
            // An orphan's single predecessor is taken to be the root (semi[r] is the smallest).
            semi[wi] = semi[r as usize];
        }
        for &p in &preds[from..to] {
            let u = eval(p, &mut ancestor, &mut label, &semi, &mut stack);
            if semi[u as usize] < semi[wi] {
                semi[wi] = semi[u as usize];
            }
        }
        // vertex[semi[w]] is semi[w] itself in number space.
        let s = semi[wi] as usize;
        bucket_next[wi] = bucket_head[s];
        bucket_head[s] = w;
        let pw = parent[wi];
        ancestor[wi] = pw; // link(parent[w], w)
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
    for w in 2..=count as usize {
        if dom[w] != semi[w] {
            dom[w] = dom[dom[w] as usize];
        }
    }
    drop(semi);

    // Retained sizes: children (higher numbers) before their dominators, then back to ordinals.
    let mut retained_num: Vec<u64> = vertex
        .iter()
        .map(|&v| match v {
            0 => 0,
            v => sizes.get(v as usize - 1).map_or(0, |&s| s as u64),
        })
        .collect();
    for w in (2..=count as usize).rev() {
        retained_num[dom[w] as usize] += retained_num[w];
    }
    let mut idom = vec![0u32; n];
    let mut retained = vec![0u64; n];
    for w in 1..=count as usize {
        let o = vertex[w] as usize - 1;
        idom[o] = vertex[dom[w] as usize].wrapping_sub(1);
        retained[o] = retained_num[w];
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
