//! `heap_summary`: DevTools' Summary view — per class: count, distance, shallow size, retained
//! size (`buildAggregates`, `calculateClassesRetainedSize`). It runs the whole DevTools pipeline
//! (`heap_analysis`) and frees each scratch array as soon as its phase ends.

use crate::analysis::sort;
use serde::{Deserialize, Serialize};

use super::bit_set::BitSet;
use super::class_keys::ClassKeys;
use super::class_names::{class_names, ClassNameOptions, ClassNames};
use super::distances::distances_and_page_owned;
use super::dom_state::dom_states;
use super::dominators::{dominator_tree, DominatorTree};
use super::essential_edges::{essential_edges_and_in_degrees, EssentialEdgeContext};
use super::shallow_sizes::shallow_sizes;
use super::weak_map::WeakMapEdges;
use crate::model::HeapGraph;

/// Options for `heap_summary` / `heap_analysis`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct HeapSummaryOptions {
    /// Name plain objects by their property sets (`{a, b}`), as current DevTools does. Turn off
    /// to compare with DevTools before 2024, which lists them all as `Object`.
    pub infer_interfaces: bool,
}

impl Default for HeapSummaryOptions {
    fn default() -> Self {
        HeapSummaryOptions {
            infer_interfaces: true,
        }
    }
}

/// Per-node results of DevTools' pipeline.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct HeapAnalysis {
    /// BFS distance of each node (`NO_DISTANCE` when unreachable).
    pub distances: Vec<i32>,
    /// Self sizes after DevTools moves hidden/array internals to their owners.
    pub shallow_sizes: Vec<u32>,
    /// Immediate dominators and retained sizes.
    pub dominators: DominatorTree,
    /// Each node's Summary class.
    pub class_names: ClassNames,
}

/// One Summary row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassRow {
    /// The class as DevTools shows it (`Function`, `(string)`, `{url, method}`, `Detached <div>`).
    pub name: String,
    /// DevTools' class key: `,<name>`, or `<scriptId>,<line>,<column>,<name>` for objects with an
    /// allocation site (same-named constructors from different scripts are separate rows).
    pub key: String,
    /// Objects of the class with a non-zero shallow size (DevTools skips zero-size ones).
    pub count: u64,
    /// The smallest distance among them.
    pub distance: i32,
    /// Sum of their shallow sizes.
    pub shallow_size: u64,
    /// Sum of retained sizes of those not dominated by another object of the same class.
    pub retained_size: u64,
}

/// DevTools' Summary.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeapSummary {
    /// Objects in the snapshot.
    pub node_count: u64,
    /// References in the snapshot.
    pub edge_count: u64,
    /// The root's retained size plus the header's `extra_native_bytes` (DevTools' total).
    pub total_size: u64,
    /// Objects not reachable from the root over retaining edges (attached to the root).
    pub unreachable: u64,
    /// One row per class key, largest retained size first.
    pub classes: Vec<ClassRow>,
}

/// Runs DevTools' pipeline: DOM state, page ownership, distances, shallow sizes, dominators,
/// class names.
pub fn heap_analysis(g: &HeapGraph, opts: &HeapSummaryOptions) -> HeapAnalysis {
    heap_analysis_with(g, opts, |_| {})
}

/// About how many bytes decoding a snapshot of `nodes` nodes and `edges` edges and running
/// `heap_analysis` on it holds at its peak (the graph's columns plus the dominator pass's
/// scratch: measured 1,233 MB of WebAssembly memory for 10.0 M nodes and 32.7 M edges, and
/// 82 bytes per node plus 12.25 per edge add up to 1,224 MB), for refusing what cannot fit.
pub fn peak_memory_estimate(nodes: u64, edges: u64) -> u64 {
    nodes.saturating_mul(82) + edges.saturating_mul(49) / 4 + (64 << 20)
}

/// The names of `heap_analysis`' phases, in order, as `heap_analysis_with` reports them.
pub const ANALYSIS_PHASES: [&str; 5] = [
    "distances",
    "shallow sizes",
    "essential edges",
    "dominators and retained sizes",
    "class names",
];

/// `heap_analysis`, calling `phase(name)` as each phase of `ANALYSIS_PHASES` starts (for a
/// progress bar and per-phase timings).
pub fn heap_analysis_with(
    g: &HeapGraph,
    opts: &HeapSummaryOptions,
    mut phase: impl FnMut(&'static str),
) -> HeapAnalysis {
    let [p_distances, p_shallow, p_essential, p_dominators, p_names] = ANALYSIS_PHASES;
    phase(p_distances);
    let states = dom_states(g);
    let weak_maps = WeakMapEdges::of(g);
    let (distances, page_owned) = distances_and_page_owned(g, &weak_maps);
    phase(p_shallow);
    let shallow_sizes = shallow_sizes(g);
    let dominators = {
        phase(p_essential);
        let cx = EssentialEdgeContext::with_parts(g, weak_maps, page_owned);
        let (essential, in_degrees) = essential_edges_and_in_degrees(g, &cx);
        drop(cx);
        phase(p_dominators);
        dominator_tree(g, &essential, in_degrees, &shallow_sizes)
    };
    phase(p_names);
    let class_opts = ClassNameOptions {
        infer_interfaces: opts.infer_interfaces,
    };
    let class_names = class_names(g, states.as_deref(), &class_opts);
    HeapAnalysis {
        distances,
        shallow_sizes,
        dominators,
        class_names,
    }
}

/// DevTools' Summary of `g`.
pub fn heap_summary(g: &HeapGraph, opts: &HeapSummaryOptions) -> HeapSummary {
    summarize(g, &heap_analysis(g, opts))
}

/// Builds the Summary rows from per-node results.
pub fn summarize(g: &HeapGraph, a: &HeapAnalysis) -> HeapSummary {
    summarize_where(g, a, |_| true)
}

/// The Summary of the objects in `filter` only (DevTools' `aggregatesWithFilter`, as its
/// Summary filter dropdown shows them): counts and shallow sizes of the members, and retained
/// sizes of members not dominated by a member of the same class. Totals stay the snapshot's.
pub fn summarize_filtered(g: &HeapGraph, a: &HeapAnalysis, filter: &BitSet) -> HeapSummary {
    summarize_where(g, a, |o| filter.get(o))
}

/// `summarize` over the nodes `keep` accepts (`calculateClassesRetainedSize(aggregates, filter)`).
fn summarize_where(g: &HeapGraph, a: &HeapAnalysis, keep: impl Fn(usize) -> bool) -> HeapSummary {
    let n = g.node_count();
    let root = g.root().index();
    let keys = ClassKeys::of(g, a);
    let aggs = class_aggregates(g, a, &keys.key_of, keys.len(), keep);
    let mut classes: Vec<ClassRow> = aggs
        .into_iter()
        .enumerate()
        .filter_map(|(id, agg)| {
            let agg = agg?;
            Some(ClassRow {
                name: keys.name(g, a, id as u32).to_owned(),
                key: keys.text(g, a, id as u32),
                count: agg.count,
                distance: agg.distance,
                shallow_size: agg.shallow_size,
                retained_size: agg.retained_size,
            })
        })
        .collect();
    sort::sort_by(&mut classes, |x, y| {
        y.retained_size
            .cmp(&x.retained_size)
            .then_with(|| x.key.cmp(&y.key))
    });
    HeapSummary {
        node_count: n as u64,
        edge_count: g.edge_count() as u64,
        total_size: a.dominators.retained_size.get(root).copied().unwrap_or(0)
            + g.extra_native_bytes(),
        unreachable: a.dominators.unreachable as u64,
        classes,
    }
}

/// One class's Summary numbers (`buildAggregates` plus `calculateClassesRetainedSize`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ClassAggregate {
    /// Members with a non-zero shallow size.
    pub count: u64,
    /// Their smallest distance.
    pub distance: i32,
    /// Their shallow sizes.
    pub shallow_size: u64,
    /// Retained sizes of members not dominated by another member of the same key.
    pub retained_size: u64,
}

/// The Summary's numbers per key (`key_of[node]` in `0..key_count`) over the nodes `keep`
/// accepts; `None` for keys without a non-zero-size member. Keys need not be `ClassKeys`' own
/// (the Comparison and growth views key the base by another snapshot's interfaces).
pub(crate) fn class_aggregates(
    g: &HeapGraph,
    a: &HeapAnalysis,
    key_of: &[u32],
    key_count: usize,
    keep: impl Fn(usize) -> bool,
) -> Vec<Option<ClassAggregate>> {
    let n = g.node_count().min(key_of.len());
    let mut aggs: Vec<Option<ClassAggregate>> = vec![None; key_count];
    for o in 0..n {
        let size = a.shallow_sizes[o];
        if size == 0 || !keep(o) {
            continue;
        }
        let d = a.distances[o];
        let agg = aggs[key_of[o] as usize].get_or_insert(ClassAggregate {
            count: 0,
            distance: d,
            shallow_size: 0,
            retained_size: 0,
        });
        agg.count += 1;
        agg.distance = agg.distance.min(d);
        agg.shallow_size += size as u64;
    }
    // Retained size per class: walk the dominator tree, counting a node only when no dominator
    // above it has the same key (calculateClassesRetainedSize).
    let root = g.root().index();
    if root >= n {
        return aggs;
    }
    let (first, children) = a.dominators.children(root);
    let mut active = vec![false; key_count];
    // Stack entries: node ordinal, with the top bit set for "leave this node".
    const LEAVE: u32 = 1 << 31;
    let mut stack = vec![root as u32];
    while let Some(top) = stack.pop() {
        if top & LEAVE != 0 {
            active[key_of[(top & !LEAVE) as usize] as usize] = false;
            continue;
        }
        let o = top as usize;
        let key = key_of[o] as usize;
        let (from, to) = (first[o] as usize, first[o + 1] as usize);
        if !active[key] && a.shallow_sizes[o] != 0 && keep(o) {
            if let Some(agg) = aggs[key].as_mut() {
                agg.retained_size += a.dominators.retained_size[o];
            }
            if from != to {
                active[key] = true;
                stack.push(top | LEAVE);
            }
        }
        stack.extend_from_slice(&children[from..to]);
    }
    aggs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::HeapGraphBuilder;

    #[test]
    fn a_filter_keeps_its_members_and_their_own_retained_sizes() {
        // root → a(A) → b(A) → c(B); root → d(B). Filter {b, c, d}.
        let mut gb = HeapGraphBuilder::v8();
        let r = gb.add_node("synthetic", "", 1, 0);
        let a = gb.add_node("object", "A", 3, 10);
        let b = gb.add_node("object", "A", 5, 20);
        let c = gb.add_node("object", "B", 7, 40);
        let d = gb.add_node("object", "B", 9, 80);
        gb.add_edge(r, "element", "1", a);
        gb.add_edge(r, "element", "2", d);
        gb.add_edge(a, "property", "b", b);
        gb.add_edge(b, "property", "c", c);
        let g = gb.finish().unwrap();
        let an = heap_analysis(&g, &HeapSummaryOptions::default());
        let row = |s: &HeapSummary, name: &str| {
            s.classes
                .iter()
                .find(|c| c.name == name)
                .map(|c| (c.count, c.shallow_size, c.retained_size))
        };
        let whole = summarize(&g, &an);
        assert_eq!(row(&whole, "A"), Some((2, 30, 70)));
        let mut set = BitSet::new(g.node_count());
        for n in [b, c, d] {
            set.set(n.index());
        }
        let some = summarize_filtered(&g, &an, &set);
        // `a` is out: class A is `b` alone, which retains itself and `c`.
        assert_eq!(row(&some, "A"), Some((1, 20, 60)));
        assert_eq!(row(&some, "B"), Some((2, 120, 120)));
        assert_eq!(some.total_size, whole.total_size);
        assert_eq!(
            summarize_filtered(&g, &an, &BitSet::new(g.node_count())).classes,
            []
        );
    }
}
