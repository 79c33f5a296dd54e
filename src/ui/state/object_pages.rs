//! `ObjectPages`: the pages of one Summary class's objects the page holds for its virtualized
//! list — which `OBJECT_PAGE`-sized pages came, which are asked for, and which to ask for to
//! show rows `start..end`. Plain data (no signals, no sending), so it is tested natively.

use crate::analysis::sort;
use std::collections::{HashMap, HashSet};

use crate::protocol::{HeapFilter, HeapObjectRow, HeapObjects};

/// Objects asked of the worker at once.
pub const OBJECT_PAGE: usize = 100;

/// Pages kept at most; beyond, those farthest from the rows last shown are dropped (a class
/// may have millions of objects and a scrollbar drag can land anywhere).
const MAX_PAGES: usize = 200;

/// The objects of an expanded class, by page.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectPages {
    /// The heap snapshot.
    pub id: u32,
    /// The class key (`ClassRow::key`).
    pub class_key: String,
    /// The Summary filter the objects pass.
    pub filter: HeapFilter,
    /// How many objects the class has: the Summary's count until the worker answers.
    pub total: usize,
    /// True once a page arrived (so `total` is the worker's).
    pub answered: bool,
    pages: HashMap<usize, Vec<HeapObjectRow>>,
    asked: HashSet<usize>,
    /// The page at the top of the rows last wanted.
    focus: usize,
}

impl ObjectPages {
    /// Nothing held yet for class `class_key` of snapshot `id`, which the Summary says has
    /// `count` objects.
    pub fn new(id: u32, class_key: String, filter: HeapFilter, count: usize) -> Self {
        ObjectPages {
            id,
            class_key,
            filter,
            total: count,
            answered: false,
            pages: HashMap::new(),
            asked: HashSet::new(),
            focus: 0,
        }
    }

    /// True when this holds the objects of that class, snapshot and filter.
    pub fn is_for(&self, id: u32, class_key: &str, filter: HeapFilter) -> bool {
        self.id == id && self.class_key == class_key && self.filter == filter
    }

    /// Object `i` of the list (largest retained size first), when its page came.
    pub fn row(&self, i: usize) -> Option<&HeapObjectRow> {
        self.pages
            .get(&(i / OBJECT_PAGE))
            .and_then(|p| p.get(i % OBJECT_PAGE))
    }

    /// The offsets of the pages that rows `start..end` need and that are neither held nor
    /// asked for; they count as asked from now on.
    pub fn want(&mut self, start: usize, end: usize) -> Vec<usize> {
        let end = end.min(self.total);
        self.focus = start / OBJECT_PAGE;
        if start >= end {
            return Vec::new();
        }
        (start / OBJECT_PAGE..=(end - 1) / OBJECT_PAGE)
            .filter(|p| !self.pages.contains_key(p) && self.asked.insert(*p))
            .map(|p| p * OBJECT_PAGE)
            .collect()
    }

    /// Keeps a page the worker sent; false (and nothing kept) when it is another list's.
    pub fn accept(&mut self, page: HeapObjects) -> bool {
        if !self.is_for(page.id, &page.class_key, page.filter) {
            return false;
        }
        let p = page.offset / OBJECT_PAGE;
        self.asked.remove(&p);
        self.total = page.total;
        self.answered = true;
        self.pages.insert(p, page.objects);
        if self.pages.len() > MAX_PAGES {
            let focus = self.focus;
            let mut held: Vec<usize> = self.pages.keys().copied().collect();
            sort::sort_by_key(&mut held, |&q| std::cmp::Reverse(q.abs_diff(focus)));
            for q in held.into_iter().take(self.pages.len() - MAX_PAGES) {
                self.pages.remove(&q);
            }
        }
        true
    }

    /// How many pages are held.
    pub fn held(&self) -> usize {
        self.pages.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(offset: usize, total: usize, key: &str) -> HeapObjects {
        let objects = (offset..(offset + OBJECT_PAGE).min(total))
            .map(|i| HeapObjectRow {
                ordinal: i as u32,
                node_id: 2 * i as u32 + 1,
                name: format!("o{i}"),
                distance: 3,
                shallow_size: 16,
                retained_size: (total - i) as u64,
            })
            .collect();
        HeapObjects {
            id: 1,
            class_key: key.to_owned(),
            offset,
            filter: HeapFilter::All,
            total,
            objects,
        }
    }

    #[test]
    fn asks_each_needed_page_once_and_finds_rows_by_index() {
        let total = 1_000_000;
        let mut pages = ObjectPages::new(1, ",Big".into(), HeapFilter::All, total);
        assert_eq!(pages.want(0, 30), [0]);
        // Asked already: not again, even for an overlapping range.
        assert_eq!(pages.want(10, 40), Vec::<usize>::new());
        assert!(pages.accept(answer(0, total, ",Big")));
        assert_eq!(pages.row(29).map(|r| r.ordinal), Some(29));
        assert!(pages.row(100).is_none());
        // Two pages for a range across a boundary, near the end the last (short) one.
        assert_eq!(pages.want(450_090, 450_120), [450_000, 450_100]);
        assert_eq!(pages.want(999_990, 1_000_500), [999_900]);
        assert!(pages.accept(answer(999_900, total, ",Big")));
        assert_eq!(pages.row(999_999).map(|r| r.retained_size), Some(1));
        assert!(pages.row(1_000_000).is_none());
        // Another class's answer (a late one) is not taken.
        assert!(!pages.accept(answer(0, 10, ",Other")));
        assert_eq!(pages.total, total);
        assert!(pages.want(5, 5).is_empty());
    }

    #[test]
    fn keeps_a_bounded_number_of_pages_near_the_rows_shown() {
        let total = 1_000_000;
        let mut pages = ObjectPages::new(1, ",Big".into(), HeapFilter::All, total);
        for p in 0..(MAX_PAGES + 50) {
            let offset = p * OBJECT_PAGE;
            assert_eq!(pages.want(offset, offset + 30), [offset]);
            assert!(pages.accept(answer(offset, total, ",Big")));
            assert!(pages.held() <= MAX_PAGES);
        }
        // The pages dropped are the first ones, far from where the list is now.
        assert!(pages.row(0).is_none());
        let last = (MAX_PAGES + 49) * OBJECT_PAGE;
        assert_eq!(pages.row(last).map(|r| r.ordinal), Some(last as u32));
        // A dropped page is asked for again when it is needed again.
        assert_eq!(pages.want(0, 10), [0]);
    }

    #[test]
    fn the_workers_count_replaces_the_summarys() {
        let mut pages = ObjectPages::new(1, ",C".into(), HeapFilter::All, 50);
        assert!(!pages.answered);
        assert_eq!(pages.want(0, 100), [0]);
        assert!(pages.accept(answer(0, 40, ",C")));
        assert!(pages.answered);
        assert_eq!(pages.total, 40);
        assert!(pages.want(30, 60).is_empty());
    }
}
