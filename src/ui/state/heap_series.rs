//! `AppState`'s heap snapshot series: the growth and Comparison requests of the selected
//! snapshot's series and the new objects of a Comparison row. Answers arrive in
//! `worker_events.rs`; grouping and ordering the series is `series.rs`' job.

use std::sync::Arc;

use leptos::prelude::*;

use super::{AppState, HeapTab};
use crate::analysis::heap::{Comparison, HeapGrowth, LeakClusters};
use crate::protocol::{HeapObjectRow, Request};

/// The worker's growth of a heap series: (snapshots oldest first, growth, MemLab's clusters).
pub type HeapGrowthAnswer = (Vec<u32>, HeapGrowth, Option<LeakClusters>);

/// The worker's Comparison: (base, new, rows).
pub type ComparisonAnswer = (u32, u32, Comparison);

/// The new objects of one Comparison row: (base, new, key, how many in all, the largest).
pub type ComparisonObjectsAnswer = (u32, u32, String, usize, Vec<HeapObjectRow>);

/// What decides the heap growth view.
#[derive(Clone, Debug, PartialEq)]
pub struct HeapGrowthKey {
    ids: Vec<u32>,
}

/// What decides the Comparison view.
#[derive(Clone, Debug, PartialEq)]
pub struct ComparisonKey {
    base: u32,
    new: u32,
}

impl AppState {
    /// The selected snapshot's series when it has two points or more (tracks).
    fn selected_heap_series(&self) -> Option<Vec<u32>> {
        self.selected_series()
            .filter(|s| s.heap)
            .map(|s| s.included)
    }

    /// What the heap growth view depends on, while it is shown (tracks).
    pub fn heap_growth_key(&self) -> Option<HeapGrowthKey> {
        if self.heap_tab.get() != HeapTab::Growth {
            return None;
        }
        Some(HeapGrowthKey {
            ids: self.selected_heap_series()?,
        })
    }

    /// The Comparison's base: the user's pick when it is another point of the series, else
    /// the point before the selected one (the first point for the first) (tracks).
    pub fn comparison_base(&self) -> Option<u32> {
        let ids = self.selected_heap_series()?;
        let new = self.selected.get()?;
        match self.comparison_pick.get() {
            Some(b) if b != new && ids.contains(&b) => Some(b),
            _ => {
                // DevTools compares against the snapshot before; the first against the next.
                let at = ids.iter().position(|&i| i == new)?;
                ids.get(if at == 0 { 1 } else { at - 1 }).copied()
            }
        }
    }

    /// What the Comparison view depends on, while it is shown (tracks).
    pub fn comparison_key(&self) -> Option<ComparisonKey> {
        if self.heap_tab.get() != HeapTab::Comparison {
            return None;
        }
        Some(ComparisonKey {
            base: self.comparison_base()?,
            new: self.selected.get()?,
        })
    }

    /// Asks the worker what grew across the heap series.
    pub fn request_heap_growth(&self, key: HeapGrowthKey) {
        if !self.begin_series_request(&key) {
            return;
        }
        if self
            .heap_growth
            .with_untracked(|g| g.as_ref().is_some_and(|g| g.0 != key.ids))
        {
            self.heap_growth.set(None);
        }
        self.post_series(self.heap_growth_seq, |seq| Request::HeapGrowth {
            seq,
            ids: key.ids,
        });
    }

    /// Asks the worker for DevTools' Comparison.
    pub fn request_comparison(&self, key: ComparisonKey) {
        if !self.begin_series_request(&key) {
            return;
        }
        self.heap_comparison.set(None);
        self.comparison_objects.set(None);
        self.post_series(self.comparison_seq, |seq| Request::HeapComparison {
            seq,
            base: key.base,
            new: key.new,
        });
    }

    /// Asks for the new objects of Comparison row `key` (or closes it when open).
    pub fn toggle_comparison_row(&self, base: u32, new: u32, key: String) {
        let open = self
            .comparison_objects
            .with_untracked(|o| o.as_ref().is_some_and(|o| o.2 == key));
        self.comparison_objects.set(None);
        if open {
            return;
        }
        if let Some(client) = self.client() {
            client.post(&Request::ComparisonObjects { base, new, key }, None);
        }
    }

    /// Keeps an answer about heap series (see `worker_events.rs`).
    pub(super) fn set_heap_growth(&self, answer: HeapGrowthAnswer) {
        self.series_busy.set(false);
        self.heap_growth.set(Some(Arc::new(answer)));
    }
}
