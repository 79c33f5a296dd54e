//! The page's view as a `ViewState` (what the URL holds) and back: `view_state` reads the
//! signals (tracking them, so an effect can write the URL whenever the view changes) and
//! `apply_view_state` sets them from a URL, selecting the named file now or when it is added.
//! Writing the URL and listening to back/forward is `ui::history`'s.

use leptos::prelude::*;

use super::{AppState, HeapTab, Tab};
use crate::ui::url_state::ViewState;

impl Tab {
    /// Every tab, with its name in the URL.
    const NAMES: [(Tab, &'static str); 7] = [
        (Tab::Growth, "growth"),
        (Tab::Goroutines, "goroutines"),
        (Tab::Diff, "diff"),
        (Tab::Top, "top"),
        (Tab::Stacks, "stacks"),
        (Tab::Flame, "flame"),
        (Tab::Sandwich, "sandwich"),
    ];

    /// The tab's name in the URL.
    pub fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(t, _)| *t == self)
            .map_or("", |n| n.1)
    }

    /// The tab a URL names.
    pub fn from_name(name: &str) -> Option<Tab> {
        Self::NAMES.iter().find(|n| n.1 == name).map(|n| n.0)
    }
}

impl HeapTab {
    /// Every heap tab, with its name in the URL.
    const NAMES: [(HeapTab, &'static str); 6] = [
        (HeapTab::Growth, "growth"),
        (HeapTab::Comparison, "comparison"),
        (HeapTab::Summary, "summary"),
        (HeapTab::Statistics, "statistics"),
        (HeapTab::Top, "top"),
        (HeapTab::Flame, "flame"),
    ];

    /// The tab's name in the URL.
    pub fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(t, _)| *t == self)
            .map_or("", |n| n.1)
    }

    /// The tab a URL names.
    pub fn from_name(name: &str) -> Option<HeapTab> {
        Self::NAMES.iter().find(|n| n.1 == name).map(|n| n.0)
    }
}

impl AppState {
    /// The view shown now, as a URL holds it (tracks everything it reads); `None` while the
    /// selected file or any other is still decoding: the page has not settled on a view yet.
    pub fn view_state(&self) -> Option<ViewState> {
        if self.is_decoding() {
            return None;
        }
        let selected = self.selected.get();
        let entry = selected.and_then(|id| {
            self.profiles.with(|p| {
                p.iter()
                    .find(|e| e.id == id)
                    .map(|e| (e.key.clone(), e.heap().is_some()))
            })
        });
        let Some((key, heap)) = entry else {
            return Some(ViewState {
                findings: self.findings_open.get(),
                ..ViewState::default()
            });
        };
        let (tab, flame, sandwich) = if heap {
            let tab = self.heap_tab.get();
            (tab.name(), tab == HeapTab::Flame, false)
        } else {
            let tab = self.tab.get();
            (tab.name(), tab == Tab::Flame, tab == Tab::Sandwich)
        };
        Some(ViewState {
            file: Some(key),
            findings: self.findings_open.get(),
            tab: tab.to_owned(),
            sample: self.sample_index.get(),
            granularity: self.granularity.get(),
            refine: self.refine.get(),
            zoom: flame.then(|| self.flame_zoom.get()).flatten(),
            search: if flame {
                self.flame_search.get()
            } else {
                String::new()
            },
            orientation: self.flame_orientation.get(),
            function: sandwich.then(|| self.sandwich_name.get()).flatten(),
        })
    }

    /// Shows the view a URL names. A file not added yet is selected when it is; a file the
    /// page does not have leaves the selection alone.
    pub fn apply_view_state(&self, view: &ViewState) {
        if let Some(key) = &view.file {
            let id = self
                .profiles
                .with_untracked(|p| p.iter().find(|e| &e.key == key).map(|e| e.id));
            match id {
                Some(id) => {
                    self.batch.update_value(|b| b.user_moved = true);
                    self.select(Some(id));
                }
                None => self.pending_file.set_value(Some(key.clone())),
            }
        }
        self.findings_open.set(view.findings);
        if let Some(tab) = Tab::from_name(&view.tab) {
            self.tab.set(tab);
        }
        if let Some(tab) = HeapTab::from_name(&view.tab) {
            self.heap_tab.set(tab);
        }
        self.sample_index.set(view.sample);
        self.granularity.set(view.granularity);
        self.refine.set(view.refine.clone());
        self.flame_zoom.set(view.zoom);
        self.flame_search.set(view.search.clone());
        self.flame_orientation.set(view.orientation);
        if view.function.is_some() {
            self.sandwich_name.set(view.function.clone());
        }
    }

    /// Selects file `id` when a URL named it before it was added.
    pub(super) fn select_pending(&self, id: u32) {
        let key = self
            .profiles
            .with_untracked(|p| p.iter().find(|e| e.id == id).map(|e| e.key.clone()));
        if key.is_some() && self.pending_file.with_value(|k| k == &key) {
            self.pending_file.set_value(None);
            let sample = self.sample_index.get_untracked();
            self.batch.update_value(|b| b.user_moved = true);
            self.select(Some(id));
            self.sample_index.set(sample);
        }
    }
}
