//! `AppState`'s leak checklist and goroutine view: the Findings view (open or not), the
//! checklist request over every decoded file, the goroutine wait groups of the selected dump
//! (or its series), and following a finding's evidence link to the view that shows it.
//! Answers arrive in `worker_events.rs`.

use std::sync::Arc;

use leptos::prelude::*;

use super::{AppState, HeapTab, LoadStatus, Tab};
use crate::analysis::checklist::{Checklist, Link, View};
use crate::analysis::growth::WaitRow;
use crate::protocol::Request;

/// The worker's checklist: (files read, checklist).
pub type ChecklistAnswer = (Vec<u32>, Checklist);

/// The worker's goroutine wait groups: (dumps oldest first, groups).
pub type GoroutinesAnswer = (Vec<u32>, Vec<WaitRow>);

/// The format label of goroutine dumps that carry each goroutine's wait state.
const DUMP_FORMAT: &str = "goroutine debug=2";

impl AppState {
    /// The decoded files the checklist reads, (id, name) in list order; `None` while some file
    /// is still decoding (the checklist is asked once the batch is in) or when none is decoded
    /// (tracks `profiles`).
    pub fn checklist_key(&self) -> Option<Vec<(u32, String)>> {
        self.profiles.with(|p| {
            if p.iter().any(|e| e.status == LoadStatus::Decoding) {
                return None;
            }
            let files: Vec<(u32, String)> = p
                .iter()
                .filter(|e| e.is_ready())
                .map(|e| (e.id, e.name.clone()))
                .collect();
            (!files.is_empty()).then_some(files)
        })
    }

    /// Asks the worker for the checklist of `files` (or clears it when there are none).
    pub fn request_checklist(&self, files: Option<Vec<(u32, String)>>) {
        let seq = self.next_seq();
        self.checklist_seq.set_value(seq);
        let Some(files) = files else {
            let nothing = self
                .profiles
                .with_untracked(|p| p.iter().all(|e| !e.is_ready()));
            if nothing {
                self.checklist.set(None);
            }
            return;
        };
        if self.crashed_checklist.get_value().as_ref() == Some(&files) {
            return;
        }
        self.crashed_checklist.set_value(None);
        self.pending_checklist.set_value(Some(files.clone()));
        self.checklist_busy.set(true);
        self.checklist_error.set(None);
        if let Some(client) = self.client() {
            client.post(&Request::Checklist { seq, files }, None);
        }
    }

    /// Shows the Findings view (`true`) or the selected file's views.
    pub fn show_findings(&self, open: bool) {
        self.findings_open.set(open);
    }

    /// True when the selected file is a goroutine dump with wait states (tracks).
    pub fn selected_is_dump(&self) -> bool {
        self.selected_summary()
            .is_some_and(|s| s.format.starts_with(DUMP_FORMAT))
    }

    /// The dumps the goroutine view groups: the selected dump's series, or the dump alone
    /// (tracks).
    pub fn goroutines_key(&self) -> Option<Vec<u32>> {
        if !self.selected_is_dump() {
            return None;
        }
        match self.selected_series() {
            Some(s) if !s.heap => Some(s.included),
            _ => Some(vec![self.selected.get()?]),
        }
    }

    /// Asks the worker for the wait groups of dumps `ids`.
    pub fn request_goroutines(&self, ids: Vec<u32>) {
        if self
            .goroutines
            .with_untracked(|g| g.as_ref().is_some_and(|g| g.0 != ids))
        {
            self.goroutines.set(None);
        }
        self.post_series(self.goroutines_seq, |seq| Request::Goroutines { seq, ids });
    }

    /// Opens the view a piece of evidence links to, focused on it: the growth ranking (or, for
    /// one file, the flame graph) with pprof's focus on the frame, the goroutine wait groups,
    /// or the Retainers of a heap object. `frame` is the evidence's user frame.
    pub fn follow(&self, link: &Link, frame: Option<&str>) {
        let Some(&last) = link.files.last() else {
            return;
        };
        self.findings_open.set(false);
        self.select(Some(last));
        if let Some(name) = &link.sample_type {
            let index = self.profiles.with_untracked(|p| {
                p.iter()
                    .find(|e| e.id == last)
                    .and_then(|e| e.summary().cloned())
                    .and_then(|s| s.sample_types.iter().position(|t| &t.name == name))
            });
            self.sample_index.set(index);
        }
        self.highlight.set(frame.map(str::to_owned));
        let goroutines = link.view == View::Goroutines;
        if let Some(focus) = link.focus.as_ref().filter(|_| !goroutines) {
            self.refine.update(|r| {
                r.focus = focus.clone();
                r.ignore.clear();
                r.hide.clear();
            });
        }
        let series = link.files.len() >= 2;
        match link.view {
            View::Growth if series => self.tab.set(Tab::Growth),
            View::Growth | View::Flame => self.tab.set(Tab::Flame),
            View::Top => self.tab.set(Tab::Top),
            View::Goroutines => self.tab.set(Tab::Goroutines),
            View::Retainers => {
                self.heap_tab.set(HeapTab::Summary);
                if let Some(object) = link.object {
                    self.select_heap_object(last, object);
                }
            }
        }
    }

    /// Takes the worker's checklist for request `seq` when it is the latest.
    pub(super) fn take_checklist(&self, seq: u64, answer: ChecklistAnswer) {
        if seq == self.checklist_seq.get_value() {
            self.checklist_busy.set(false);
            self.checklist.set(Some(Arc::new(answer)));
        }
    }
}
