//! `leak_clusters`: MemLab's three-snapshot view (FORMATS-AND-LIMITS §2.12): objects allocated
//! between a baseline and a target snapshot (id in the target, not in the baseline) that are
//! still alive in a final one, grouped by class and by retainer path in the final snapshot,
//! largest retained size first. It applies none of MemLab's leak rules (detached DOM, React
//! fibers, …): every surviving object counts, and the ranking does the sorting.

use crate::analysis::sort;
use serde::{Deserialize, Serialize};

use super::class_keys::ClassKeys;
use super::heap_summary::HeapAnalysis;
use super::path_clusters::PathClusters;
use super::retainer_forest::RetainerForest;
use super::snapshot_ids::{process_match, SnapshotIds};
use crate::model::{HeapGraph, NodeOrdinal};

/// One group of surviving objects: one class, one retainer path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeakCluster {
    /// The class name (in the final snapshot).
    pub name: String,
    /// DevTools' class key.
    pub key: String,
    /// How many objects.
    pub count: u64,
    /// Their retained size in the final snapshot, counting an object only when no other
    /// member of the cluster dominates it.
    pub retained_size: u64,
    /// Their shallow sizes.
    pub shallow_size: u64,
    /// The path from the root, as `heap_growth` writes it (`… → RequestLog.entries → Array[]`).
    pub retainer: String,
    /// One of the objects (an ordinal in the final snapshot).
    pub example: NodeOrdinal,
}

/// MemLab's view of three snapshots.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LeakClusters {
    /// True when the three snapshots' ids line up (one process). When false, objects cannot
    /// be followed across snapshots: there are no candidates and no clusters.
    pub same_process: bool,
    /// Objects in the target but not the baseline that the final snapshot still holds (with
    /// a non-zero shallow size).
    pub candidates: u64,
    /// The clusters, largest retained size first (then count, then key).
    pub clusters: Vec<LeakCluster>,
}

/// Groups what was allocated between `baseline` and `target` and survives in `last`, each
/// snapshot with its `heap_analysis`.
pub fn leak_clusters(
    baseline: (&HeapGraph, &HeapAnalysis),
    target: (&HeapGraph, &HeapAnalysis),
    last: (&HeapGraph, &HeapAnalysis),
) -> LeakClusters {
    let (g, a) = last;
    let base_ids = SnapshotIds::of(baseline.0);
    let target_ids = SnapshotIds::of(target.0);
    let last_ids = SnapshotIds::of(g);
    let same_process = process_match(baseline.0, &base_ids, target.0, &target_ids).same_process
        && process_match(target.0, &target_ids, g, &last_ids).same_process;
    if !same_process {
        return LeakClusters::default();
    }
    // In the last snapshot: ids the target has and the baseline lacks.
    let mut candidate = target_ids.not_in(&base_ids, target.0.node_count());
    drop(base_ids);
    let mut in_last = super::BitSet::new(g.node_count());
    for (t, o) in target_ids.shared(&last_ids) {
        if candidate.get(t.index()) && a.shallow_sizes[o.index()] != 0 {
            in_last.set(o.index());
        }
    }
    candidate = in_last;
    drop((target_ids, last_ids));

    let keys = ClassKeys::of(g, a);
    let mut forest = RetainerForest::new(g, a);
    let mut clusters = PathClusters::default();
    let mut key = Vec::new();
    // Each candidate's cluster, for the retained-size walk.
    let mut cluster_of: Vec<u32> = vec![u32::MAX; g.node_count()];
    let mut candidates = 0u64;
    for (o, cluster) in cluster_of.iter_mut().enumerate() {
        if !candidate.get(o) {
            continue;
        }
        candidates += 1;
        forest.key(o, &mut key);
        key.push(keys.key_of[o] as u64);
        *cluster = clusters.add(&key, NodeOrdinal(o as u32)) as u32;
    }
    drop(candidate);
    let mut sizes = vec![(0u64, 0u64); clusters.clusters.len()];
    for o in 0..g.node_count() {
        if cluster_of[o] != u32::MAX {
            sizes[cluster_of[o] as usize].1 += a.shallow_sizes[o] as u64;
        }
    }
    // Retained size: walk the dominator tree, counting a member only when no dominator above
    // it is in the same cluster (as the Summary counts classes).
    let root = g.root().index();
    if root < g.node_count() {
        let (first, children) = a.dominators.children(root);
        let mut active = vec![false; clusters.clusters.len()];
        const LEAVE: u32 = 1 << 31;
        let mut stack = vec![root as u32];
        while let Some(top) = stack.pop() {
            if top & LEAVE != 0 {
                active[cluster_of[(top & !LEAVE) as usize] as usize] = false;
                continue;
            }
            let o = top as usize;
            let (from, to) = (first[o] as usize, first[o + 1] as usize);
            let c = cluster_of[o];
            if c != u32::MAX && !active[c as usize] {
                sizes[c as usize].0 += a.dominators.retained_size[o];
                if from != to {
                    active[c as usize] = true;
                    stack.push(top | LEAVE);
                }
            }
            stack.extend_from_slice(&children[from..to]);
        }
    }
    let mut out: Vec<LeakCluster> = clusters
        .clusters
        .iter()
        .zip(sizes)
        .map(|(c, (retained_size, shallow_size))| {
            let id = keys.key_of[c.example.index()];
            LeakCluster {
                name: keys.name(g, a, id).to_owned(),
                key: keys.text(g, a, id),
                count: c.count,
                retained_size,
                shallow_size,
                retainer: forest.text(c.example.index()),
                example: c.example,
            }
        })
        .collect();
    sort::sort_by(&mut out, |x, y| {
        (y.retained_size, y.count)
            .cmp(&(x.retained_size, x.count))
            .then_with(|| x.key.cmp(&y.key))
            .then_with(|| x.retainer.cmp(&y.retainer))
    });
    LeakClusters {
        same_process,
        candidates,
        clusters: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::heap::heap_growth::tests::snapshot;

    #[test]
    fn survivors_allocated_between_the_first_two_snapshots() {
        // Leaks 101 (baseline), 103 and 105 (target), 107 (final); Churn ids differ each
        // time; Extra (301) appears in the target and stays.
        let baseline = snapshot(1, (2, 501), false, false);
        let target = snapshot(3, (2, 601), true, false);
        let last = snapshot(4, (2, 701), true, false);
        fn view(x: &(HeapGraph, HeapAnalysis)) -> (&HeapGraph, &HeapAnalysis) {
            (&x.0, &x.1)
        }
        let got = leak_clusters(view(&baseline), view(&target), view(&last));
        assert!(got.same_process);
        assert_eq!(got.candidates, 3);
        let rows: Vec<(&str, u64, u64, &str)> = got
            .clusters
            .iter()
            .map(|c| {
                (
                    c.name.as_str(),
                    c.count,
                    c.retained_size,
                    c.retainer.as_str(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                (
                    "Leak",
                    2,
                    80,
                    "(root) → global.cache → Cache.items → (array)[]"
                ),
                ("Extra", 1, 64, "(root) → global.extra"),
            ]
        );
        let example = got.clusters[0].example;
        assert_eq!(last.0.node_name(example), "Leak");
        assert!([103, 105].contains(&last.0.node_id(example)));
        // Another process: nothing can be followed.
        let other = snapshot(4, (2, 701), true, true);
        let got = leak_clusters(view(&baseline), view(&target), view(&other));
        assert_eq!(got, LeakClusters::default());
    }
}
