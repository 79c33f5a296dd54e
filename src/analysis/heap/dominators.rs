//! `dominator_tree`: immediate dominators and retained sizes over the graph DevTools'
//! `buildDominatorTreeAndCalculateRetainedSizes` builds (1-indexed vertices, iterative DFS,
//! orphans attached to the root; FORMATS-AND-LIMITS §2.8, §3.2). DevTools runs Lengauer &
//! Tarjan's simple variant ("A fast algorithm for finding dominators in a flowgraph", TOPLAS
//! 1979); this runs Semi-NCA (Georgiadis, Tarjan & Werneck, "Finding dominators in practice",
//! 2006) on the same semidominators, which gives the same tree without LT's buckets: less
//! memory (three arrays of a word per node) and no second `eval` per node.
//!
//! Semi-NCA's climb to the nearest common ancestor is quadratic at worst (a long chain of
//! nodes each dominating the next, with many nodes below it whose semidominator is near its
//! top). On real heaps it is short: 19,529 steps in all for the 4.5 M nodes of a 396 MB Node
//! snapshot, 19,229 for 10 M nodes.
//!
//! The same tree, also where the DFS leaves nodes unnumbered: DevTools attaches each to the
//! root with no edge from it, so LT sets their dominator to the root (their buckets are never
//! emptied) and Semi-NCA does too (the root is the parent, and no semidominator is above it);
//! and since their semidominators are numbers above every reached node's, their edges into
//! the reached part change no semidominator there. `random_graphs_match_the_definition` checks the tree against the
//! definition (and did LT's, before it went).

use serde::{Deserialize, Serialize};

use super::bit_set::BitSet;
use super::offsets::{into_ends, into_offsets};
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
        // Each row filled from its end with the ordinals backwards: the rows come out in
        // ordinal order and `first` at their starts, without a copy of `first` to fill through.
        let sum = into_ends(&mut first);
        let mut children = vec![0u32; sum as usize];
        for (o, &d) in self.idom.iter().enumerate().rev() {
            if o != root && (d as usize) < n {
                first[d as usize] -= 1;
                children[first[d as usize] as usize] = o as u32;
            }
        }
        (first, children)
    }
}

/// Predecessor lists over essential edges, laid out by target ordinal from their in-degrees
/// and filled as the DFS meets each edge: the predecessors of ordinal `o` are the DFS numbers
/// `preds[first[o]..first[o + 1]]`. A node's edges are met once it is numbered, so no pass
/// over the edges of its own is needed.
struct Predecessors {
    first: Vec<u32>,
    /// Where the next predecessor of each ordinal goes.
    fill: Vec<u32>,
    preds: Vec<u32>,
}

impl Predecessors {
    fn new(mut in_degrees: Vec<u32>) -> Self {
        let sum = into_offsets(&mut in_degrees);
        let fill = in_degrees.clone();
        // Into the spare slot `essential_edges_and_in_degrees` leaves: no reallocation.
        in_degrees.push(sum);
        Predecessors {
            first: in_degrees,
            fill,
            preds: vec![0; sum as usize],
        }
    }

    /// Records an essential edge from the node numbered `from` to ordinal `to`.
    #[inline]
    fn add(&mut self, from: u32, to: usize) {
        let at = &mut self.fill[to];
        self.preds[*at as usize] = from;
        *at += 1;
    }

    fn has_any(&self, o: usize) -> bool {
        self.first[o] != self.first[o + 1]
    }

    fn of(&self, o: usize) -> &[u32] {
        &self.preds[self.first[o] as usize..self.first[o + 1] as usize]
    }
}

/// Semidominators in DFS-number space (Lengauer & Tarjan's first pass): vertices in reverse
/// number order, each taking the least semidominator over its predecessors, through `eval` on
/// the forest of vertices already done. `label` holds the least semidominator on a vertex's
/// forest path (a number, not a vertex: Semi-NCA needs no more), and a vertex is done exactly
/// when its number is above the one in hand, so neither test reads memory.
fn semidominators(count: u32, parent: &[u32], vertex: &[u32], preds: &Predecessors) -> Vec<u32> {
    let len = parent.len();
    let mut semi: Vec<u32> = (0..len as u32).collect();
    let mut label = vec![0u32; len];
    let mut ancestor = vec![0u32; len];
    let mut stack: Vec<u32> = Vec::new();
    for w in (2..=count).rev() {
        let wi = w as usize;
        let ps = preds.of(vertex[wi] as usize - 1);
        let mut s = if ps.is_empty() {
            // An orphan's single predecessor is taken to be the root, number 1.
            1
        } else {
            w
        };
        for &p in ps {
            let u = if p <= w {
                p
            } else {
                // Iterative compress (the recursive one overflows the stack on deep heaps).
                let mut x = p;
                while ancestor[x as usize] > w {
                    stack.push(x);
                    x = ancestor[x as usize];
                }
                while let Some(y) = stack.pop() {
                    let y = y as usize;
                    let a = ancestor[y] as usize;
                    label[y] = label[y].min(label[a]);
                    ancestor[y] = ancestor[a];
                }
                label[p as usize]
            };
            s = s.min(u);
        }
        semi[wi] = s;
        label[wi] = s;
        ancestor[wi] = parent[wi];
    }
    semi
}

/// Immediate dominators from semidominators (Semi-NCA): a vertex's immediate dominator is the
/// nearest common ancestor, in the dominator tree built so far, of its DFS parent and its
/// semidominator, found by climbing from the parent while above the semidominator.
fn nca_dominators(count: u32, mut dom: Vec<u32>, semi: &[u32]) -> Vec<u32> {
    dom[0] = 1;
    dom[1] = 1;
    for w in 2..=count as usize {
        let s = semi[w];
        let mut d = dom[w];
        while d > s {
            d = dom[d as usize];
        }
        dom[w] = d;
    }
    dom
}

/// Computes the dominator tree over `essential` edges with `sizes` as self sizes (DevTools'
/// adjusted shallow sizes, so that retained sizes match what it shows). `in_degrees`: how many
/// essential edges reach each node (`essential_edges_and_in_degrees`).
///
/// The arrays are indexed by DFS number rather than by vertex: the DFS numbers every node
/// (1..=n), after which vertex v is its number everywhere (so `vertex[semi[w]]` is just
/// `semi[w]`). This is a renaming only, but tree paths become runs of nearby numbers, which
/// keeps `eval`'s walks in cache on deep heaps.
pub fn dominator_tree(
    g: &HeapGraph,
    essential: &BitSet,
    in_degrees: Vec<u32>,
    sizes: &[u32],
) -> DominatorTree {
    let n = g.node_count();
    if n == 0 {
        return DominatorTree::default();
    }
    let mut preds = Predecessors::new(in_degrees);
    let len = n + 1;
    let fe = g.first_edge();
    let targets = g.edge_targets();
    // vertex[number] = ordinal + 1; 0 means "none", as in the paper.
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
                   vertex: &mut [u32],
                   parent: &mut [u32],
                   visited: &mut BitSet,
                   preds: &mut Predecessors,
                   count: &mut u32| {
        *count += 1;
        let mut v = *count;
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
                    preds.add(v, w);
                    if !visited.get(w) {
                        visited.set(w);
                        *count += 1;
                        let wn = *count;
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
        &mut vertex,
        &mut parent,
        &mut visited,
        &mut preds,
        &mut count,
    );
    // The root is number 1.
    let r = 1u32;
    let reached_from_root = count as usize;

    // Orphans: nodes with only non-essential retainers become DFS roots hanging off the root.
    if (count as usize) < n {
        for o in 0..n {
            if !visited.get(o) && !preds.has_any(o) {
                dfs(
                    o,
                    r,
                    &mut vertex,
                    &mut parent,
                    &mut visited,
                    &mut preds,
                    &mut count,
                );
            }
        }
    }
    drop(next_edge);
    // Still unnumbered (e.g. a clique retaining itself): attach one by one to the root. The
    // DFS never met their edges: record them here.
    if (count as usize) < n {
        for o in 0..n {
            if !visited.get(o) {
                count += 1;
                vertex[count as usize] = o as u32 + 1;
                parent[count as usize] = r;
                let edges = fe[o] as usize..fe[o + 1] as usize;
                for (e, &to) in edges.clone().zip(&targets[edges]) {
                    if essential.get(e) {
                        preds.add(count, to as usize);
                    }
                }
            }
        }
    }
    drop(visited);
    preds.fill = Vec::new();
    let semi = semidominators(count, &parent, &vertex, &preds);
    drop(preds);
    let dom = nca_dominators(count, parent, &semi);
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
    use crate::analysis::heap::{essential_edges_and_in_degrees, EssentialEdgeContext};
    use crate::model::{HeapGraphBuilder, NodeOrdinal};
    use crate::test_rng::XorShift;

    fn tree(b: HeapGraphBuilder) -> DominatorTree {
        let g = b.finish().unwrap();
        let (bits, in_degrees) = essential_edges_and_in_degrees(&g, &EssentialEdgeContext::new(&g));
        dominator_tree(&g, &bits, in_degrees, g.self_sizes())
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

    /// The immediate dominators DevTools' Lengauer–Tarjan gives, by their definition: over
    /// essential edges, `d` dominates `v` when every path from the root to `v` passes `d`,
    /// where orphans (nodes the root does not reach and nothing essential retains) hang off
    /// the root; whatever neither reaches (a clique retaining itself) is dominated by the root.
    /// Quadratic and plain: a reference for small graphs. Also says how many nodes neither
    /// the root nor an orphan reaches.
    fn reference_idom(g: &HeapGraph, essential: &BitSet) -> (Vec<u32>, usize) {
        let n = g.node_count();
        let root = g.root().index();
        let fe = g.first_edge();
        let succ = |v: usize| {
            (fe[v] as usize..fe[v + 1] as usize)
                .filter(|&e| essential.get(e))
                .map(|e| g.edge_targets()[e] as usize)
                .collect::<Vec<_>>()
        };
        let mut has_pred = vec![false; n];
        for v in 0..n {
            for w in succ(v) {
                has_pred[w] = true;
            }
        }
        // Reached from the root without passing `skip`.
        let reach = |starts: &[usize], skip: Option<usize>| {
            let mut seen = vec![false; n];
            let mut todo: Vec<usize> = starts
                .iter()
                .copied()
                .filter(|&s| Some(s) != skip)
                .collect();
            for &s in &todo {
                seen[s] = true;
            }
            while let Some(v) = todo.pop() {
                for w in succ(v) {
                    if !seen[w] && Some(w) != skip {
                        seen[w] = true;
                        todo.push(w);
                    }
                }
            }
            seen
        };
        let from_root = reach(&[root], None);
        let mut starts = vec![root];
        starts.extend((0..n).filter(|&v| !from_root[v] && !has_pred[v]));
        let main = reach(&starts, None);
        // dominators[v]: the nodes every path to v passes (v itself included).
        let mut dominators = vec![Vec::new(); n];
        for d in 0..n {
            let without = if d == root {
                vec![false; n]
            } else {
                reach(&starts, Some(d))
            };
            for v in 0..n {
                if main[v] && (v == d || !without[v]) {
                    dominators[v].push(d);
                }
            }
        }
        let idom = (0..n)
            .map(|v| {
                let strict = dominators[v].iter().filter(|&&d| d != v);
                match strict.max_by_key(|&&d| dominators[d].len()) {
                    Some(&d) => d as u32,
                    None => root as u32,
                }
            })
            .collect();
        (idom, main.iter().filter(|&&m| !m).count())
    }

    #[test]
    fn random_graphs_match_the_definition() {
        let mut rng = XorShift::new(0x2545_f491_4f6c_dd1d);
        let mut next = |bound: u64| rng.below(bound);
        let kinds = [
            "element", "property", "property", "weak", "shortcut", "internal",
        ];
        // Rounds with orphans, and with nodes that neither the root nor an orphan reaches.
        let (mut with_orphans, mut with_unreached) = (0, 0);
        for round in 0..400 {
            let n = 2 + next(40) as usize;
            let mut b = HeapGraphBuilder::v8();
            let nodes: Vec<NodeOrdinal> = (0..n)
                .map(|i| {
                    let kind = if i == 0 { "synthetic" } else { "object" };
                    b.add_node(
                        kind,
                        &format!("N{i}"),
                        i as u32 * 2 + 1,
                        1 + next(50) as u32,
                    )
                })
                .collect();
            // Sparse rounds leave orphans and unreached cycles; dense ones, deep sharing.
            let fan = 1 + round % 4;
            for (i, &from) in nodes.iter().enumerate() {
                for k in 0..next(fan as u64 + 1) {
                    let to = nodes[next(n as u64) as usize];
                    let kind = kinds[next(kinds.len() as u64) as usize];
                    let name = match kind {
                        "element" => format!("{k}"),
                        _ => format!("e{i}_{k}"),
                    };
                    b.add_edge(from, kind, &name, to);
                }
            }
            let g = b.finish().unwrap();
            let (bits, in_degrees) =
                essential_edges_and_in_degrees(&g, &EssentialEdgeContext::new(&g));
            let t = dominator_tree(&g, &bits, in_degrees, g.self_sizes());
            let (expected, unreached) = reference_idom(&g, &bits);
            with_orphans += usize::from(t.unreachable > unreached);
            with_unreached += usize::from(unreached > 0);
            assert_eq!(t.idom, expected, "round {round}");
            // The children rows: every node the root's tree holds, under its idom, ascending.
            let (first, children) = t.children(0);
            assert_eq!(first.len(), n + 1);
            for d in 0..n {
                let row = &children[first[d] as usize..first[d + 1] as usize];
                let want: Vec<u32> = (1..n as u32)
                    .filter(|&o| t.idom[o as usize] as usize == d)
                    .collect();
                assert_eq!(row, want.as_slice(), "round {round}, node {d}");
            }
            // Retained size: the node's own plus everything it dominates.
            for v in 0..n {
                let below: u64 = (0..n)
                    .filter(|&w| {
                        let mut x = w;
                        while x != v && x != 0 {
                            x = expected[x] as usize;
                        }
                        x == v || v == 0
                    })
                    .map(|w| g.self_sizes()[w] as u64)
                    .sum();
                assert_eq!(t.retained_size[v], below, "round {round}, node {v}");
            }
        }
        assert!(
            with_orphans > 100 && with_unreached > 20,
            "{with_orphans}, {with_unreached}"
        );
    }
}
