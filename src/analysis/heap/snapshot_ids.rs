//! `SnapshotIds`: a snapshot's V8 object ids in sorted order, for matching objects across
//! snapshots of one process (FORMATS-AND-LIMITS §2.3: an object keeps its id for the isolate's
//! life), and `process_match`: whether two snapshots' ids line up at all, or come from
//! different processes whose ids name unrelated objects. It neither names nor aggregates.

use serde::{Deserialize, Serialize};

use crate::model::{HeapGraph, NodeOrdinal};

/// A snapshot's nodes sorted by V8 id (ties by ordinal), as `id << 32 | ordinal` keys: 8 bytes
/// per node, one radix sort, then merge walks instead of hashing ids.
#[derive(Clone, Debug, Default)]
pub struct SnapshotIds {
    keys: Vec<u64>,
}

impl SnapshotIds {
    /// Every node of `g`.
    pub fn of(g: &HeapGraph) -> Self {
        Self::of_nodes(g, |_| true)
    }

    /// The nodes `keep` accepts.
    pub fn of_nodes(g: &HeapGraph, keep: impl Fn(usize) -> bool) -> Self {
        let keys: Vec<u64> = (0..g.node_count())
            .filter(|&o| keep(o))
            .map(|o| (g.node_id(NodeOrdinal(o as u32)) as u64) << 32 | o as u64)
            .collect();
        SnapshotIds {
            keys: radix_sort_by_id(keys),
        }
    }

    /// How many nodes are listed.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when none are.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The `i`-th smallest id.
    #[inline]
    pub fn id(&self, i: usize) -> u32 {
        (self.keys[i] >> 32) as u32
    }

    /// The node holding the `i`-th smallest id.
    #[inline]
    pub fn ordinal(&self, i: usize) -> NodeOrdinal {
        NodeOrdinal(self.keys[i] as u32)
    }

    /// True when some listed node has id `id`.
    pub fn contains(&self, id: u32) -> bool {
        self.ordinal_of(id).is_some()
    }

    /// The (first) listed node with id `id`.
    pub fn ordinal_of(&self, id: u32) -> Option<NodeOrdinal> {
        let at = self.keys.partition_point(|&k| ((k >> 32) as u32) < id);
        (at < self.keys.len() && self.id(at) == id).then(|| self.ordinal(at))
    }

    /// The pairs of nodes sharing an id, `(self's, other's)`, in id order (each id once).
    pub fn shared<'a>(
        &'a self,
        other: &'a SnapshotIds,
    ) -> impl Iterator<Item = (NodeOrdinal, NodeOrdinal)> + 'a {
        let (mut i, mut j) = (0, 0);
        std::iter::from_fn(move || {
            while i < self.len() && j < other.len() {
                let (a, b) = (self.id(i), other.id(j));
                if a < b {
                    i += 1;
                } else if a > b {
                    j += 1;
                } else {
                    let pair = (self.ordinal(i), other.ordinal(j));
                    // Skip duplicates of this id on both sides.
                    while i < self.len() && self.id(i) == a {
                        i += 1;
                    }
                    while j < other.len() && other.id(j) == a {
                        j += 1;
                    }
                    return Some(pair);
                }
            }
            None
        })
    }

    /// One bit per node of the snapshot these ids come from (`node_count` nodes): set for the
    /// nodes whose id `other` does not list.
    pub fn not_in(&self, other: &SnapshotIds, node_count: usize) -> super::BitSet {
        let mut out = super::BitSet::new(node_count);
        let mut j = 0;
        for i in 0..self.len() {
            let id = self.id(i);
            while j < other.len() && other.id(j) < id {
                j += 1;
            }
            if j >= other.len() || other.id(j) != id {
                out.set(self.ordinal(i).index());
            }
        }
        out
    }
}

/// Sorts `id << 32 | ordinal` keys by id, stably (ordinals stay ascending within an id): LSD
/// radix over the id's four bytes, skipping bytes that are the same in every key.
fn radix_sort_by_id(mut keys: Vec<u64>) -> Vec<u64> {
    if keys.windows(2).all(|w| w[0] <= w[1]) {
        return keys;
    }
    let mut scratch = vec![0u64; keys.len()];
    for shift in [32u32, 40, 48, 56] {
        let mut counts = [0usize; 256];
        for &k in &keys {
            counts[(k >> shift) as usize & 255] += 1;
        }
        if counts.contains(&keys.len()) {
            continue;
        }
        let mut sum = 0;
        for c in counts.iter_mut() {
            let n = *c;
            *c = sum;
            sum += n;
        }
        for &k in &keys {
            let b = (k >> shift) as usize & 255;
            scratch[counts[b]] = k;
            counts[b] += 1;
        }
        std::mem::swap(&mut keys, &mut scratch);
    }
    keys
}

/// Whether two snapshots come from one process: among objects whose ids both snapshots hold,
/// the share whose type and name also agree. Within one isolate an id is one object for good,
/// so nearly all agree (strings are immutable, constructors keep their names); a different
/// process (another run, a page reload into a new renderer, another program) restarts its id
/// counter, so the same ids name unrelated objects and few agree.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProcessMatch {
    /// The verdict: ids line up, so objects can be matched by id.
    pub same_process: bool,
    /// Ids present in both snapshots.
    pub shared_ids: u64,
    /// Shared ids checked (evenly spread, at most `PROCESS_MATCH_SAMPLE`).
    pub checked: u64,
    /// Of those, how many have the same node type and name in both snapshots.
    pub agreeing: u64,
}

/// At most this many shared ids are compared by type and name (spread over the id range):
/// enough for a share within a percent, while comparing names stays cheap on huge snapshots.
pub const PROCESS_MATCH_SAMPLE: usize = 20_000;

/// The share of checked ids that must agree for "same process". Measured on the repo's
/// fixtures and the corpus: snapshots of one Node process agree on 100% of shared ids; a Node
/// snapshot against a Chromium page, another Node program or a Chrome worker on 0.1% to 5%
/// (the first ids, roots and sub-roots, are alike everywhere).
pub const SAME_PROCESS_MIN_AGREEMENT: f64 = 0.9;

/// Compares `a` and `b` (with their ids, from `SnapshotIds::of`).
pub fn process_match(
    a: &HeapGraph,
    a_ids: &SnapshotIds,
    b: &HeapGraph,
    b_ids: &SnapshotIds,
) -> ProcessMatch {
    let shared = a_ids.shared(b_ids).count();
    let stride = shared.div_ceil(PROCESS_MATCH_SAMPLE).max(1);
    let (mut checked, mut agreeing) = (0u64, 0u64);
    for (x, y) in a_ids.shared(b_ids).step_by(stride) {
        checked += 1;
        if a.node_type_name(x) == b.node_type_name(y) && a.node_name(x) == b.node_name(y) {
            agreeing += 1;
        }
    }
    ProcessMatch {
        same_process: checked > 0 && agreeing as f64 >= SAME_PROCESS_MIN_AGREEMENT * checked as f64,
        shared_ids: shared as u64,
        checked,
        agreeing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::HeapGraphBuilder;

    fn graph(nodes: &[(&str, &str, u32)]) -> HeapGraph {
        let mut b = HeapGraphBuilder::v8();
        let r = b.add_node("synthetic", "", 1, 0);
        for &(ty, name, id) in nodes {
            let n = b.add_node(ty, name, id, 8);
            b.add_edge(r, "element", "1", n);
        }
        b.finish().unwrap()
    }

    #[test]
    fn ids_sort_and_match_with_duplicates_and_gaps() {
        // Ids out of order, a duplicate (7 twice), and ids above 2^24 (several radix bytes).
        let g = graph(&[
            ("object", "A", 0x0300_0001),
            ("object", "B", 7),
            ("object", "C", 5),
            ("object", "D", 7),
            ("object", "E", 0x0100_0003),
        ]);
        let ids = SnapshotIds::of(&g);
        let order: Vec<(u32, u32)> = (0..ids.len())
            .map(|i| (ids.id(i), ids.ordinal(i).0))
            .collect();
        assert_eq!(
            order,
            [
                (1, 0),
                (5, 3),
                (7, 2),
                (7, 4),
                (0x0100_0003, 5),
                (0x0300_0001, 1)
            ]
        );
        assert_eq!(ids.ordinal_of(7), Some(NodeOrdinal(2)));
        assert!(!ids.contains(9) && ids.contains(0x0300_0001));
        let h = graph(&[("object", "C", 5), ("object", "X", 9), ("object", "B", 7)]);
        let h_ids = SnapshotIds::of(&h);
        let pairs: Vec<(u32, u32)> = ids.shared(&h_ids).map(|(a, b)| (a.0, b.0)).collect();
        // Root (id 1), 5 and 7 (once, though `g` holds it twice).
        assert_eq!(pairs, [(0, 0), (3, 1), (2, 3)]);
        let gone = ids.not_in(&h_ids, g.node_count());
        let gone: Vec<usize> = (0..g.node_count()).filter(|&o| gone.get(o)).collect();
        assert_eq!(gone, [1, 5]);
        let fresh = h_ids.not_in(&ids, h.node_count());
        assert_eq!((fresh.count(), fresh.get(2)), (1, true));
    }

    #[test]
    fn same_process_when_shared_ids_name_the_same_objects() {
        let base = graph(&[("object", "A", 3), ("string", "s", 5), ("closure", "f", 7)]);
        let same = graph(&[("object", "A", 3), ("closure", "f", 7), ("object", "N", 9)]);
        let other = graph(&[("object", "Z", 3), ("string", "t", 5), ("closure", "f", 7)]);
        let ids = |g: &HeapGraph| SnapshotIds::of(g);
        let m = process_match(&base, &ids(&base), &same, &ids(&same));
        assert!(m.same_process);
        assert_eq!((m.shared_ids, m.checked, m.agreeing), (3, 3, 3));
        // Root and `f` agree, `A`/`Z` and `s`/`t` do not: 2 of 4.
        let m = process_match(&base, &ids(&base), &other, &ids(&other));
        assert!(!m.same_process);
        assert_eq!((m.checked, m.agreeing), (4, 2));
        let lone = graph(&[]);
        let disjoint = graph(&[("object", "Q", 11)]);
        let mut b = HeapGraphBuilder::v8();
        b.add_node("synthetic", "", 2, 0);
        let no_root_id = b.finish().unwrap();
        assert!(process_match(&lone, &ids(&lone), &disjoint, &ids(&disjoint)).same_process);
        let m = process_match(&disjoint, &ids(&disjoint), &no_root_id, &ids(&no_root_id));
        assert!(!m.same_process && m.shared_ids == 0);
    }
}
