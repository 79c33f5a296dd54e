//! `retainers`: an object's paths back to the GC roots, shortest first, as DevTools' Retainers
//! view reveals them when one expands the retainer of smallest distance each time; and
//! `dominator_chain`. It follows distances computed by `distances`; it does not enumerate every
//! path (there can be exponentially many).

use crate::analysis::sort;
use serde::{Deserialize, Serialize};

use super::distances::NO_DISTANCE;
use super::heap_summary::HeapAnalysis;
use super::offsets::into_offsets;
use super::type_ids::TypeIds;
use crate::model::{HeapGraph, NodeOrdinal};

/// Who points at whom: a reverse CSR over all edges (DevTools' `retainingNodes`/`retainingEdges`),
/// built once and reused for every `retainers_with` query.
#[derive(Clone, Debug, Default)]
pub struct RetainerIndex {
    first: Vec<u32>,
    /// Retaining edge indices, grouped by target.
    edges: Vec<u32>,
    /// Source node of each edge (by edge index).
    source: Vec<u32>,
}

impl RetainerIndex {
    /// Indexes every edge of `g` by its target.
    pub fn new(g: &HeapGraph) -> Self {
        let n = g.node_count();
        let mut first = vec![0u32; n + 1];
        for &to in g.edge_targets() {
            first[to as usize] += 1;
        }
        into_offsets(&mut first);
        let mut fill = first.clone();
        let mut edges = vec![0u32; g.edge_count()];
        let mut source = vec![0u32; g.edge_count()];
        for from in 0..n {
            for e in g.edges(NodeOrdinal(from as u32)) {
                source[e] = from as u32;
                let to = g.edge_to(e).index();
                edges[fill[to] as usize] = e as u32;
                fill[to] += 1;
            }
        }
        RetainerIndex {
            first,
            edges,
            source,
        }
    }

    /// The edges (indices) pointing at `n`.
    pub fn retaining_edges(&self, n: NodeOrdinal) -> &[u32] {
        let (a, b) = (self.first[n.index()], self.first[n.index() + 1]);
        &self.edges[a as usize..b as usize]
    }

    /// The node an edge starts from.
    pub fn source(&self, e: usize) -> NodeOrdinal {
        NodeOrdinal(self.source[e])
    }
}

/// Options for `retainers`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RetainerOptions {
    /// At most this many paths (one per direct retainer, best first).
    pub max_paths: usize,
    /// At most this many steps per path.
    pub max_depth: usize,
    /// Also start paths at weak retainers (DevTools lists them, greyed out); paths never
    /// continue over weak edges, which do not keep anything alive.
    pub include_weak: bool,
}

impl Default for RetainerOptions {
    fn default() -> Self {
        RetainerOptions {
            max_paths: 10,
            max_depth: 32,
            include_weak: false,
        }
    }
}

/// One step of a retaining path: `node` holds the previous object through an edge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetainerStep {
    /// The retaining object.
    pub node: NodeOrdinal,
    /// Its V8 id (`@123` in DevTools).
    pub id: u32,
    /// Its name (a string's value, a constructor's name, …).
    pub name: String,
    /// Its Summary class.
    pub class_name: String,
    /// The edge kind (`property`, `element`, `context`, `internal`, `weak`, …).
    pub edge_kind: String,
    /// The edge name or index, as DevTools prints it.
    pub edge_name: String,
    /// The retainer's distance from the roots (`NO_DISTANCE` when unreachable).
    pub distance: i32,
    /// Its shallow size (DevTools' adjusted self size).
    pub self_size: u64,
    /// Its retained size.
    pub retained_size: u64,
}

/// A path from an object towards the root: `steps[0]` retains the object, each later step
/// retains the one before, the last is the root when `reaches_root`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetainerPath {
    /// The retainers, nearest first.
    pub steps: Vec<RetainerStep>,
    /// True when the last step is the snapshot's root.
    pub reaches_root: bool,
    /// True when the path was cut at `max_depth`.
    pub truncated: bool,
}

/// Orders retainers as the distance-sorted Retainers view does: the root first, then by
/// distance, unreachable ones last.
pub(crate) fn rank(g: &HeapGraph, a: &HeapAnalysis, n: NodeOrdinal) -> i64 {
    if n == g.root() {
        return -1;
    }
    match a.distances.get(n.index()).copied().unwrap_or(NO_DISTANCE) {
        d if d < 0 => i64::MAX,
        d => d as i64,
    }
}

/// The step of `from` retaining through edge `e`, its names cut to `max_chars` characters.
pub(crate) fn step(
    g: &HeapGraph,
    a: &HeapAnalysis,
    from: NodeOrdinal,
    e: usize,
    max_chars: usize,
) -> RetainerStep {
    let o = from.index();
    let class = a.class_names.class_of.get(o).copied().unwrap_or(0);
    let cut = |s: &str| s.chars().take(max_chars).collect::<String>();
    RetainerStep {
        node: from,
        id: g.node_id(from),
        name: cut(g.node_name(from)),
        class_name: cut(a.class_names.name(g, class)),
        edge_kind: g
            .edge_type_names()
            .get(g.edge_kind(e) as usize)
            .cloned()
            .unwrap_or_default(),
        edge_name: cut(&g.edge_name(e)),
        distance: a.distances.get(o).copied().unwrap_or(NO_DISTANCE),
        self_size: a.shallow_sizes.get(o).copied().unwrap_or(0) as u64,
        retained_size: a.dominators.retained_size.get(o).copied().unwrap_or(0),
    }
}

/// Retaining paths of `node`, shortest first (builds a `RetainerIndex`; use `retainers_with` to
/// answer many queries).
pub fn retainers(
    g: &HeapGraph,
    a: &HeapAnalysis,
    node: NodeOrdinal,
    opts: &RetainerOptions,
) -> Vec<RetainerPath> {
    retainers_with(g, a, &RetainerIndex::new(g), node, opts)
}

/// Retaining paths of `node`: one per direct retainer, strong ones first, ranked by the
/// retainer's distance (so by path length), each continued by always taking the nearest strong retainer, which strictly
/// lowers the distance and so ends at the root without cycles.
pub fn retainers_with(
    g: &HeapGraph,
    a: &HeapAnalysis,
    index: &RetainerIndex,
    node: NodeOrdinal,
    opts: &RetainerOptions,
) -> Vec<RetainerPath> {
    if node.index() >= g.node_count() || node == g.root() {
        return Vec::new();
    }
    let weak = TypeIds::of(g).e_weak;
    let is_weak = |e: usize| g.edge_kind(e) as u16 == weak;
    let mut first: Vec<usize> = index
        .retaining_edges(node)
        .iter()
        .map(|&e| e as usize)
        .filter(|&e| opts.include_weak || !is_weak(e))
        .collect();
    sort::sort_by_key(&mut first, |&e| {
        (is_weak(e), rank(g, a, index.source(e)), e)
    });
    let mut paths = Vec::new();
    for e in first.into_iter().take(opts.max_paths) {
        let mut at = index.source(e);
        let mut steps = vec![step(g, a, at, e, usize::MAX)];
        let mut truncated = false;
        while at != g.root() {
            if steps.len() >= opts.max_depth {
                truncated = true;
                break;
            }
            let here = rank(g, a, at);
            let best = index
                .retaining_edges(at)
                .iter()
                .map(|&e| e as usize)
                .filter(|&e| !is_weak(e))
                .min_by_key(|&e| (rank(g, a, index.source(e)), e));
            match best {
                Some(e) if rank(g, a, index.source(e)) < here => {
                    at = index.source(e);
                    steps.push(step(g, a, at, e, usize::MAX));
                }
                _ => break,
            }
        }
        paths.push(RetainerPath {
            reaches_root: at == g.root(),
            steps,
            truncated,
        });
    }
    paths
}

/// The dominator chain of `node`: `node`, its immediate dominator, …, the root.
pub fn dominator_chain(a: &HeapAnalysis, node: NodeOrdinal) -> Vec<NodeOrdinal> {
    let idom = &a.dominators.idom;
    let mut chain = Vec::new();
    let mut at = node;
    while at.index() < idom.len() && chain.len() <= idom.len() {
        chain.push(at);
        let up = NodeOrdinal(idom[at.index()]);
        if up == at {
            break;
        }
        at = up;
    }
    chain
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::heap::{heap_analysis, HeapSummaryOptions};
    use crate::model::HeapGraphBuilder;

    #[test]
    fn shortest_paths_first_and_weak_only_on_request() {
        // root → g(global) → a → leak; g → b → c → leak; d -weak-> leak.
        let mut b = HeapGraphBuilder::v8();
        let r = b.add_node("synthetic", "", 1, 0);
        let g_ = b.add_node("object", "global", 3, 10);
        let a = b.add_node("object", "A", 5, 10);
        let bb = b.add_node("object", "B", 7, 10);
        let c = b.add_node("object", "C", 9, 10);
        let d = b.add_node("object", "D", 11, 10);
        let leak = b.add_node("object", "Leak", 13, 100);
        b.add_edge(r, "shortcut", "global", g_);
        b.add_edge(g_, "property", "b", bb);
        b.add_edge(g_, "property", "a", a);
        b.add_edge(g_, "property", "d", d);
        b.add_edge(a, "property", "leak", leak);
        b.add_edge(bb, "property", "c", c);
        b.add_edge(c, "element", "0", leak);
        b.add_edge(d, "weak", "w", leak);
        let g = b.finish().unwrap();
        let an = heap_analysis(&g, &HeapSummaryOptions::default());
        let paths = retainers(&g, &an, leak, &RetainerOptions::default());
        let names: Vec<Vec<(String, String)>> = paths
            .iter()
            .map(|p| {
                p.steps
                    .iter()
                    .map(|s| (s.name.clone(), s.edge_name.clone()))
                    .collect()
            })
            .collect();
        let pair = |n: &str, e: &str| (n.to_owned(), e.to_owned());
        assert_eq!(
            names,
            [
                vec![pair("A", "leak"), pair("global", "a"), pair("", "global")],
                vec![
                    pair("C", "0"),
                    pair("B", "c"),
                    pair("global", "b"),
                    pair("", "global")
                ],
            ]
        );
        assert!(paths.iter().all(|p| p.reaches_root && !p.truncated));
        assert_eq!(paths[1].steps[0].edge_kind, "element");
        let opts = RetainerOptions {
            include_weak: true,
            max_depth: 2,
            ..Default::default()
        };
        let with_weak = retainers(&g, &an, leak, &opts);
        assert_eq!(with_weak.len(), 3);
        assert_eq!(with_weak[2].steps[0].edge_kind, "weak");
        assert!(with_weak[1].truncated && !with_weak[1].reaches_root);
        assert_eq!(dominator_chain(&an, leak), [leak, g_, r]);
        assert_eq!(dominator_chain(&an, c), [c, bb, g_, r]);
    }
}
