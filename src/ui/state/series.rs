//! `AppState`'s series: which loaded files form a series over time (`analysis::group_series`
//! over their summaries), the user's reordering and dropped points, and the growth and diff
//! requests of the selected series. Answers arrive in `worker_events.rs`.

use std::collections::{HashMap, HashSet};

use leptos::prelude::*;

use super::{AppState, LoadStatus, LoadedProfile};
use crate::analysis::growth::SeriesGrowth;
use crate::analysis::{
    group_series, heap_series_key, pprof_series_key, Granularity, RefineOptions, SeriesMember,
};
use crate::protocol::{DiffRequest, GrowthRequest, Request};

/// Rows of each growth list the page asks for.
const GROWTH_ROWS: usize = 200;

/// Stacks a diff lists.
const DIFF_STACKS: usize = 50;

/// The worker's growth of a series: (points oldest first, growth).
pub type GrowthAnswer = (Vec<u32>, SeriesGrowth);

/// The user's changes to the series the page found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SeriesEdits {
    /// Per series key, the points in the order the user put them.
    order: HashMap<String, Vec<u32>>,
    /// Points left out of their series.
    dropped: HashSet<u32>,
}

/// One series as the page shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct PageSeries {
    /// The members' common key (`analysis::pprof_series_key`, `heap_series_key`).
    pub key: String,
    /// What the files are (`heap`, `goroutine`, `heap snapshot`).
    pub kind: String,
    /// Every point, in order, dropped ones included.
    pub ids: Vec<u32>,
    /// The points the views use, in order.
    pub included: Vec<u32>,
    /// True for V8 heap snapshots.
    pub heap: bool,
}

impl PageSeries {
    /// True when the point is left out.
    pub fn is_dropped(&self, id: u32) -> bool {
        !self.included.contains(&id)
    }
}

/// What decides a growth view: a change posts a new request.
#[derive(Clone, Debug, PartialEq)]
pub struct GrowthKey {
    ids: Vec<u32>,
    sample_index: usize,
    granularity: Granularity,
    refine: RefineOptions,
}

/// What decides a diff view.
#[derive(Clone, Debug, PartialEq)]
pub struct DiffKey {
    base: u32,
    new: u32,
    sample_index: usize,
    granularity: Granularity,
    refine: RefineOptions,
    normalize: bool,
}

/// The series facts of a decoded file: (member, kind label, is a heap snapshot).
fn member_of(p: &LoadedProfile) -> Option<(SeriesMember, String, bool)> {
    let (key, time, hint, kind, heap) = match &p.status {
        LoadStatus::Ready(s) => {
            let types: Vec<String> = s.sample_types.iter().map(|t| t.name.clone()).collect();
            let key = pprof_series_key(&s.kind, &s.format, &types);
            (key, s.time_nanos, None, s.kind.clone(), false)
        }
        LoadStatus::Heap(info, _) => {
            let key = heap_series_key(&info.runtime);
            let kind = "heap snapshot".to_owned();
            (key, None, Some(u64::from(info.max_node_id)), kind, true)
        }
        _ => return None,
    };
    let member = SeriesMember {
        id: p.id,
        name: p.name.clone(),
        key,
        time_nanos: time,
        order_hint: hint,
    };
    Some((member, kind, heap))
}

impl AppState {
    /// Every series of the decoded files, single files included (tracks the list and edits).
    pub fn series(&self) -> Vec<PageSeries> {
        let facts: Vec<(SeriesMember, String, bool)> = self
            .profiles
            .with(|p| p.iter().filter_map(member_of).collect());
        let members: Vec<SeriesMember> = facts.iter().map(|f| f.0.clone()).collect();
        self.series_edits.with(|edits| {
            group_series(&members)
                .into_iter()
                .map(|s| {
                    let (kind, heap) = facts
                        .iter()
                        .find(|f| f.0.key == s.key)
                        .map(|f| (f.1.clone(), f.2))
                        .unwrap_or_default();
                    let ids = match edits.order.get(&s.key) {
                        Some(order) => {
                            let mut ids: Vec<u32> = order
                                .iter()
                                .copied()
                                .filter(|i| s.ids.contains(i))
                                .collect();
                            ids.extend(s.ids.iter().filter(|i| !order.contains(i)));
                            ids
                        }
                        None => s.ids,
                    };
                    let included = ids
                        .iter()
                        .copied()
                        .filter(|i| !edits.dropped.contains(i))
                        .collect();
                    PageSeries {
                        key: s.key,
                        kind,
                        ids,
                        included,
                        heap,
                    }
                })
                .collect()
        })
    }

    /// The series of the selected file when it has at least two points (tracks).
    pub fn selected_series(&self) -> Option<PageSeries> {
        let id = self.selected.get()?;
        self.series()
            .into_iter()
            .find(|s| s.ids.contains(&id) && s.included.len() >= 2)
    }

    /// Moves point `id` one place earlier (`up`) or later in its series.
    pub fn move_point(&self, id: u32, up: bool) {
        let Some(series) = self.series().into_iter().find(|s| s.ids.contains(&id)) else {
            return;
        };
        let mut ids = series.ids;
        let Some(i) = ids.iter().position(|&x| x == id) else {
            return;
        };
        let j = if up { i.checked_sub(1) } else { Some(i + 1) };
        if let Some(j) = j.filter(|&j| j < ids.len()) {
            ids.swap(i, j);
            self.series_edits
                .update(|e| _ = e.order.insert(series.key, ids));
        }
    }

    /// Leaves point `id` out of its series, or takes it back.
    pub fn toggle_point(&self, id: u32) {
        self.series_edits.update(|e| {
            if !e.dropped.remove(&id) {
                e.dropped.insert(id);
            }
        });
    }

    /// The diff's (base, new): the user's pick when both are still points of the selected
    /// series, else its first and last point (tracks).
    pub fn diff_pair(&self) -> Option<(u32, u32)> {
        let series = self.selected_series()?;
        let valid = |id: &u32| series.included.contains(id);
        match self.diff_pick.get() {
            Some((b, n)) if valid(&b) && valid(&n) && b != n => Some((b, n)),
            _ => Some((*series.included.first()?, *series.included.last()?)),
        }
    }

    /// What the growth view of the selected pprof series depends on (tracks).
    pub fn growth_key(&self) -> Option<GrowthKey> {
        let series = self.selected_series().filter(|s| !s.heap)?;
        Some(GrowthKey {
            ids: series.included,
            sample_index: self.effective_sample_index()?,
            granularity: self.granularity.get(),
            refine: self.refine.get(),
        })
    }

    /// What the diff view of the selected pprof series depends on (tracks).
    pub fn diff_key(&self) -> Option<DiffKey> {
        self.selected_series().filter(|s| !s.heap)?;
        let (base, new) = self.diff_pair()?;
        Some(DiffKey {
            base,
            new,
            sample_index: self.effective_sample_index()?,
            granularity: self.granularity.get(),
            refine: self.refine.get(),
            normalize: self.normalize.get(),
        })
    }

    /// Asks the worker what grew (or clears the growth view when there is no key).
    pub fn request_growth(&self, key: Option<GrowthKey>) {
        let Some(key) = key else {
            self.growth.set(None);
            return;
        };
        if !self.begin_series_request(&key) {
            return;
        }
        // Another series: drop the last one's ranking rather than show it under these files.
        if self
            .growth
            .with_untracked(|g| g.as_ref().is_some_and(|g| g.0 != key.ids))
        {
            self.growth.set(None);
        }
        self.post_series(self.growth_seq, |seq| {
            Request::Growth(GrowthRequest {
                seq,
                ids: key.ids,
                sample_index: key.sample_index,
                granularity: key.granularity,
                refine: key.refine,
                limit: GROWTH_ROWS,
            })
        });
    }

    /// Asks the worker for the diff (or clears the diff view when there is no key).
    pub fn request_diff(&self, key: Option<DiffKey>) {
        let Some(key) = key else {
            self.diff.set(None);
            self.diff_tree.set(None);
            return;
        };
        if !self.begin_series_request(&key) {
            return;
        }
        self.diff.set(None);
        self.diff_tree.set(None);
        self.post_series(self.diff_seq, |seq| {
            Request::Diff(DiffRequest {
                seq,
                base: key.base,
                new: key.new,
                sample_index: key.sample_index,
                granularity: key.granularity,
                refine: key.refine,
                normalize: key.normalize,
                stack_limit: DIFF_STACKS,
            })
        });
    }
}
