//! The worker's answer to one expansion of the Retainers tree: the edges retaining an object
//! (`analysis::heap::retainer_edges`) over the snapshot's cached `RetainerIndex` and essential
//! edge context, with the object's own row. The page keeps the tree; this answers one level.

use crate::analysis::heap::{
    retainer_edges, EssentialEdgeContext, RetainerEdgeOptions, RetainerIndex,
};
use crate::model::NodeOrdinal;

use super::Heaps;
use crate::protocol::RetainerEdgesPage;

impl Heaps {
    /// The edges retaining object `ordinal` of snapshot `id`, the first
    /// `RetainerEdgeOptions::default().max_edges` of them described; `None` when the snapshot
    /// is not held or has no such object.
    pub fn retainer_edges(&mut self, id: u32, ordinal: u32) -> Option<RetainerEdgesPage> {
        let entry = self.entries.get_mut(&id)?;
        let g = &entry.graph;
        if ordinal as usize >= g.node_count() {
            return None;
        }
        let index = entry.retainers.get_or_insert_with(|| RetainerIndex::new(g));
        let cx = entry
            .essential
            .get_or_insert_with(|| EssentialEdgeContext::new(g));
        let found = retainer_edges(
            g,
            &entry.analysis,
            index,
            cx,
            NodeOrdinal(ordinal),
            &RetainerEdgeOptions::default(),
        );
        Some(RetainerEdgesPage {
            id,
            ordinal,
            object: entry.row(ordinal),
            edges: found.edges,
            total: found.total,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{HeapFilter, HeapObjectsRequest};

    fn load(name: &str) -> (Heaps, crate::analysis::HeapSummary) {
        let path = format!(
            "{}/tests/fixtures/heapsnapshot/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes = std::fs::read(path).expect("heap snapshot fixture");
        let mut heaps = Heaps::default();
        let (info, _) = super::super::load_for_test(&mut heaps, 1, &bytes);
        (heaps, info.summary)
    }

    /// Follows the first strong retainer from `ordinal` as the page's auto-expansion does;
    /// returns the ordinals met, ending at the root when a path was found.
    fn first_path(heaps: &mut Heaps, ordinal: u32) -> Vec<u32> {
        let mut path = vec![ordinal];
        while path.len() < 64 {
            let page = heaps.retainer_edges(1, *path.last().unwrap()).unwrap();
            let Some(next) = page.edges.iter().find(|e| !e.weak) else {
                break;
            };
            if path.contains(&next.step.node.0) {
                break;
            }
            path.push(next.step.node.0);
        }
        path
    }

    #[test]
    fn the_biggest_objects_reach_the_root_along_their_first_strong_retainers() {
        let (mut heaps, summary) = load("node-leak-3.heapsnapshot.gz");
        let mut weak_seen = 0;
        for class in summary.classes.iter().take(5) {
            let req = HeapObjectsRequest {
                id: 1,
                class_key: class.key.clone(),
                offset: 0,
                limit: 3,
                filter: HeapFilter::All,
            };
            for o in heaps.objects(&req).unwrap().objects {
                let page = heaps.retainer_edges(1, o.ordinal).unwrap();
                assert_eq!(page.object, o);
                assert!(page.edges.len() <= 100 && page.edges.len() <= page.total);
                // Strong first, each group nearest first (the root's -1 rank aside).
                let keys: Vec<(bool, i64)> = page
                    .edges
                    .iter()
                    .map(|e| {
                        (
                            e.weak,
                            if e.step.node.0 == 0 {
                                -1
                            } else {
                                e.step.distance as i64
                            },
                        )
                    })
                    .collect();
                assert!(keys.windows(2).all(|w| w[0] <= w[1]), "{keys:?}");
                weak_seen += page.edges.iter().filter(|e| e.weak).count();
                if (0..crate::analysis::heap::BASE_SYSTEM_DISTANCE).contains(&o.distance) {
                    // A user-reachable object: the path descends one distance per step.
                    let path = first_path(&mut heaps, o.ordinal);
                    assert_eq!(path.last(), Some(&0), "{path:?}");
                    assert_eq!(path.len() as i32, o.distance + 1, "{path:?}");
                }
            }
        }
        // Some of these objects are also held by edges that cannot retain (listed, flagged).
        assert!(weak_seen > 0);
        assert!(heaps.retainer_edges(1, u32::MAX).is_none());
        assert!(heaps.retainer_edges(2, 0).is_none());
        let root = heaps.retainer_edges(1, 0).unwrap();
        assert_eq!((root.total, root.edges.len()), (0, 0));
    }
}
