//! The heap snapshots of a series, compared: growth per constructor with the retainer path
//! that holds what grew, MemLab's three-snapshot view, and DevTools' Comparison with the new
//! objects of one row. Every number comes from `analysis::heap`; this finds the snapshots.

use crate::analysis::heap::{
    comparison, comparison_new_objects, heap_growth, leak_clusters, HeapAnalysis,
};
use crate::model::HeapGraph;
use crate::protocol::Response;

use super::Heaps;

/// New objects of a Comparison row listed at most (largest retained first).
const COMPARISON_OBJECTS: usize = 200;

impl Heaps {
    /// The graphs and analyses of `ids`, in order; `None` when one is not held.
    pub(in crate::session) fn series(
        &self,
        ids: &[u32],
    ) -> Option<Vec<(&HeapGraph, &HeapAnalysis)>> {
        ids.iter()
            .map(|id| self.entries.get(id).map(|e| (&e.graph, &e.analysis)))
            .collect()
    }

    /// Growth across snapshots `ids` (oldest first), with MemLab's view of the first, second
    /// and last when there are three or more.
    pub fn growth(&self, seq: u64, ids: &[u32]) -> Response {
        let Some(series) = self.series(ids).filter(|s| s.len() >= 2) else {
            return gone(seq);
        };
        let clusters = (series.len() >= 3)
            .then(|| leak_clusters(series[0], series[1], series[series.len() - 1]));
        Response::HeapGrowth {
            seq,
            ids: ids.to_vec(),
            growth: heap_growth(&series),
            clusters,
        }
    }

    /// DevTools' Comparison of `new` against `base`.
    pub fn comparison(&self, seq: u64, base: u32, new: u32) -> Response {
        let Some(s) = self.series(&[base, new]) else {
            return gone(seq);
        };
        Response::HeapComparison {
            seq,
            base,
            new,
            comparison: comparison(s[0].0, s[0].1, s[1].0, s[1].1),
        }
    }

    /// The largest new objects of Comparison row `key`.
    pub fn comparison_objects(&self, base: u32, new: u32, key: &str) -> Response {
        let (Some(s), Some(entry)) = (self.series(&[base, new]), self.entries.get(&new)) else {
            return gone(0);
        };
        let all = comparison_new_objects(s[0].0, s[0].1, s[1].0, s[1].1, key);
        Response::ComparisonObjects {
            base,
            new,
            key: key.to_owned(),
            total: all.len(),
            objects: all
                .iter()
                .take(COMPARISON_OBJECTS)
                .map(|o| entry.row(o.0))
                .collect(),
        }
    }
}

fn gone(seq: u64) -> Response {
    Response::view_failed(seq, "these heap snapshots are no longer loaded", false)
}

#[cfg(test)]
mod tests {
    use super::super::load_for_test;
    use super::*;

    fn load(heaps: &mut Heaps, id: u32, name: &str) {
        let path = format!(
            "{}/tests/fixtures/heapsnapshot/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        load_for_test(heaps, id, &std::fs::read(path).expect("fixture"));
    }

    #[test]
    fn answers_growth_comparison_and_new_objects() {
        let mut heaps = Heaps::default();
        for t in 1..=3 {
            load(&mut heaps, t, &format!("node-leak-{t}.heapsnapshot.gz"));
        }
        let Response::HeapGrowth {
            ids,
            growth,
            clusters,
            ..
        } = heaps.growth(5, &[1, 2, 3])
        else {
            panic!("no growth")
        };
        assert_eq!(ids, [1, 2, 3]);
        assert!(growth.same_process);
        let session = growth.rows.iter().position(|r| r.name == "Session");
        assert!(
            session.is_some_and(|i| i < 25),
            "Session ranks near the top"
        );
        assert!(clusters.is_some_and(|c| c.clusters.iter().any(|k| k.name == "Session")));

        let Response::HeapComparison { comparison, .. } = heaps.comparison(6, 1, 3) else {
            panic!("no comparison")
        };
        let row = comparison
            .rows
            .iter()
            .find(|r| r.name == "Session")
            .expect("Session row");
        assert_eq!(row.new_count, 240);
        let Response::ComparisonObjects { total, objects, .. } =
            heaps.comparison_objects(1, 3, &row.key)
        else {
            panic!("no objects")
        };
        assert_eq!(total as u64, row.new_count);
        assert!(objects.iter().all(|o| o.name == "Session"));
        heaps.forget(2);
        assert!(matches!(
            heaps.growth(7, &[1, 2, 3]),
            Response::ViewFailed { seq: 7, .. }
        ));
    }
}
