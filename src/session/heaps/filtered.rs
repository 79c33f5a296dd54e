//! The worker's answers to DevTools' Summary filters (detached DOM, event handlers, duplicated
//! strings, closures with their contexts) and a selected object's dominator chain. The
//! algorithms are `analysis::heap`'s; this picks, caches and cuts their results to send.

use crate::analysis::heap::{
    closures_with_context_sizes, dominator_chain, duplicated_strings, retained_by_detached_dom,
    retained_by_event_handlers, summarize, summarize_filtered, BitSet, DuplicateStringOptions,
};
use crate::model::NodeOrdinal;

use super::{HeapEntry, Heaps};
use crate::protocol::{FilteredHeap, HeapFilter, HeapObjectRow};

/// Rows of the duplicated strings and closures tables sent at most (largest first).
pub const MAX_FILTER_ROWS: usize = 500;

/// String values are cut to this many characters in the table.
const MAX_VALUE_CHARS: usize = 120;

impl Heaps {
    /// What Summary filter `filter` shows for snapshot `id`; `None` when the snapshot is not
    /// held. `HeapFilter::All` is the unfiltered Summary.
    pub fn filtered(&mut self, id: u32, filter: HeapFilter) -> Option<FilteredHeap> {
        let entry = self.entries.get_mut(&id)?;
        let (g, a) = (&entry.graph, &entry.analysis);
        Some(match filter {
            HeapFilter::DuplicatedStrings => {
                let opts = DuplicateStringOptions {
                    max_value_chars: MAX_VALUE_CHARS,
                };
                let mut rows = duplicated_strings(g, a, &opts);
                let total = rows.len();
                rows.truncate(MAX_FILTER_ROWS);
                for r in &mut rows {
                    r.nodes = Vec::new();
                }
                FilteredHeap::Strings { rows, total }
            }
            HeapFilter::Closures => {
                let mut rows = closures_with_context_sizes(g, a);
                let total = rows.len();
                rows.truncate(MAX_FILTER_ROWS);
                for r in &mut rows {
                    r.name = r.name.chars().take(MAX_VALUE_CHARS).collect();
                }
                FilteredHeap::Closures { rows, total }
            }
            HeapFilter::All | HeapFilter::DetachedDom | HeapFilter::EventHandlers => {
                entry.filter_set(filter);
                let summary = match entry.filters.get(&filter) {
                    Some(set) => summarize_filtered(&entry.graph, &entry.analysis, set),
                    None => summarize(&entry.graph, &entry.analysis),
                };
                FilteredHeap::Classes(summary)
            }
        })
    }

    /// Object `ordinal`'s dominator chain (the object, its immediate dominator, …, the root)
    /// as object rows; `None` when the snapshot is not held.
    pub fn dominator_chain(&self, id: u32, ordinal: u32) -> Option<Vec<HeapObjectRow>> {
        let entry = self.entries.get(&id)?;
        if ordinal as usize >= entry.graph.node_count() {
            return Some(Vec::new());
        }
        let chain = dominator_chain(&entry.analysis, NodeOrdinal(ordinal));
        Some(chain.into_iter().map(|n| entry.row(n.0)).collect())
    }
}

impl HeapEntry {
    /// Computes (once) the objects that cutting filter `filter` lets through; the
    /// non-cutting filters have no set.
    pub(super) fn filter_set(&mut self, filter: HeapFilter) {
        if self.filters.contains_key(&filter) {
            return;
        }
        let set: BitSet = match filter {
            HeapFilter::DetachedDom => retained_by_detached_dom(&self.graph, &self.analysis),
            HeapFilter::EventHandlers => retained_by_event_handlers(&self.graph, &self.analysis),
            _ => return,
        };
        self.filters.insert(filter, set);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::HeapObjectsRequest;

    fn load_detached_dom() -> Heaps {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/heapsnapshot/detached-dom-3.heapsnapshot.gz"
        );
        let bytes = std::fs::read(path).expect("heap snapshot fixture");
        let mut heaps = Heaps::default();
        super::super::load_for_test(&mut heaps, 1, &bytes);
        heaps
    }

    #[test]
    fn filters_restrict_classes_and_objects_and_chains_end_at_the_root() {
        let mut heaps = load_detached_dom();
        let Some(FilteredHeap::Classes(whole)) = heaps.filtered(1, HeapFilter::All) else {
            panic!("no summary")
        };
        let Some(FilteredHeap::Classes(dom)) = heaps.filtered(1, HeapFilter::DetachedDom) else {
            panic!("no filtered summary")
        };
        assert!(!dom.classes.is_empty() && dom.classes.len() < whole.classes.len());
        // Each filtered class is a part of the same class unfiltered.
        for c in &dom.classes {
            let w = whole
                .classes
                .iter()
                .find(|w| w.key == c.key)
                .expect("class");
            assert!(
                c.count <= w.count && c.shallow_size <= w.shallow_size,
                "{c:?} {w:?}"
            );
        }
        // Listing a filtered class gives exactly its filtered count and shallow size.
        let c = &dom.classes[0];
        let req = HeapObjectsRequest {
            id: 1,
            class_key: c.key.clone(),
            offset: 0,
            limit: usize::MAX,
            filter: HeapFilter::DetachedDom,
        };
        let page = heaps.objects(&req).expect("held");
        assert_eq!(page.total as u64, c.count);
        let shallow: u64 = page.objects.iter().map(|o| o.shallow_size).sum();
        assert_eq!(shallow, c.shallow_size);
        let Some(FilteredHeap::Strings { rows, total }) =
            heaps.filtered(1, HeapFilter::DuplicatedStrings)
        else {
            panic!("no strings")
        };
        assert!(total >= rows.len() && rows.iter().all(|r| r.count > 1 && r.nodes.is_empty()));
        let Some(FilteredHeap::Closures { rows, .. }) = heaps.filtered(1, HeapFilter::Closures)
        else {
            panic!("no closures")
        };
        assert!(rows
            .windows(2)
            .all(|w| w[0].context_retained_size >= w[1].context_retained_size));
        // The chain climbs from the object to the root, retained sizes never shrinking.
        let chain = heaps
            .dominator_chain(1, page.objects[0].ordinal)
            .expect("held");
        assert_eq!(chain[0].ordinal, page.objects[0].ordinal);
        assert!(
            chain.len() > 1
                && chain
                    .windows(2)
                    .all(|w| w[0].retained_size <= w[1].retained_size)
        );
        let root = heaps.entries[&1].graph.root().0;
        assert_eq!(chain.last().map(|r| r.ordinal), Some(root));
        assert!(heaps.filtered(2, HeapFilter::All).is_none());
    }
}
