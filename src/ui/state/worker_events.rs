//! How `AppState` takes the worker's answers: decoded profiles and heap snapshots, progress,
//! failures, views for the current sequence number only, heap object pages, and crashes (blame,
//! report, send the profiles to the fresh worker). It sends no view requests of its own.

use std::sync::Arc;

use leptos::prelude::*;

use super::super::worker_client::WorkerEvent;
use super::{AppState, LoadProgress, LoadStatus};
use crate::protocol::Response;

impl AppState {
    pub(super) fn on_worker_event(&self, event: WorkerEvent) {
        let current = self.view_seq.get_value();
        let (growth_seq, diff_seq) = (self.growth_seq.get_value(), self.diff_seq.get_value());
        let heap_seqs = (
            self.heap_growth_seq.get_value(),
            self.comparison_seq.get_value(),
        );
        let (checklist_seq, goroutines_seq) = (
            self.checklist_seq.get_value(),
            self.goroutines_seq.get_value(),
        );
        let response = match event {
            WorkerEvent::Response(r) => *r,
            WorkerEvent::Crashed(message) => return self.on_crash(message),
        };
        // The Sandwich view's answers, and its failures, are its own.
        let response = match response {
            Response::Sandwich {
                seq,
                name,
                sandwich,
            } => return self.take_sandwich(seq, name, Ok(sandwich)),
            Response::ViewFailed { seq, message, .. } if seq == self.sandwich_seq.get_value() => {
                let name = self.sandwich_name.get_untracked().unwrap_or_default();
                return self.take_sandwich(seq, name, Err(message));
            }
            other => other,
        };
        match response {
            Response::Loaded {
                id,
                summary,
                warnings,
            } => {
                self.set_status(id, LoadStatus::Ready(Arc::new(summary)), warnings);
                self.loaded(id);
            }
            Response::HeapLoaded { id, info, warnings } => {
                let profile = Arc::new(info.profile.clone());
                self.set_status(id, LoadStatus::Heap(Arc::new(info), profile), warnings);
                self.loaded(id);
            }
            Response::HeapStatistics { id, statistics } => {
                self.heap_statistics.update(|s| {
                    s.retain(|(i, _)| *i != id);
                    s.push((id, Arc::new(statistics)));
                });
            }
            Response::Progress {
                id,
                done,
                total,
                phase,
            } => {
                let decoding = self.profiles.with_untracked(|p| {
                    p.iter()
                        .any(|e| e.id == id && e.status == LoadStatus::Decoding)
                });
                if decoding {
                    self.progress.set(Some(LoadProgress {
                        id,
                        done,
                        total,
                        phase,
                    }));
                }
            }
            Response::HeapObjects(page) => self
                .heap_objects
                .maybe_update(|c| c.as_mut().is_some_and(|c| c.accept(page))),
            Response::RetainerEdges(page) => {
                let ask = self.retainer_tree.try_update(|t| t.accept(page));
                self.ask_retainer_edges(ask.unwrap_or_default());
            }
            Response::DominatorChain { id, ordinal, chain }
                if self.heap_selected.get_untracked() == Some((id, ordinal)) =>
            {
                self.dominator_chain
                    .set(Some(Arc::new((id, ordinal, chain))));
            }
            Response::HeapFiltered { id, filter, view } => {
                self.heap_filtered.set(Some(Arc::new((id, filter, view))));
            }
            Response::LoadFailed { id, message } => {
                self.clear_progress(id);
                let name = self.name_of(id);
                self.errors.update(|e| e.push(format!("{name}: {message}")));
                self.set_status(id, LoadStatus::Failed(message), Vec::new());
            }
            Response::Top { seq, top } if seq == current => {
                self.refine_error.set(None);
                self.top.set(Some(Arc::new(top)));
                self.stacks.set(None);
            }
            Response::Stacks { seq, stacks } if seq == current => {
                self.stacks.set(Some(Arc::new(stacks)));
            }
            Response::Tree { seq, tree } if seq == current => {
                self.tree.set(Some(Arc::new(tree)));
                self.analysing.set(false);
            }
            Response::Checklist {
                seq,
                ids,
                checklist,
            } => self.take_checklist(seq, (ids, checklist)),
            Response::Goroutines { seq, ids, waits } if seq == goroutines_seq => {
                self.series_busy.set(false);
                self.goroutines.set(Some(Arc::new((ids, waits))));
            }
            Response::ViewFailed { seq, message, .. } if seq == checklist_seq => {
                self.checklist_busy.set(false);
                self.checklist_error.set(Some(message));
            }
            Response::Growth { seq, ids, growth } if seq == growth_seq => {
                self.series_busy.set(false);
                self.growth.set(Some(Arc::new((ids, growth))));
            }
            Response::Diff { seq, view } if seq == diff_seq => {
                self.diff.set(Some(Arc::new(view)));
            }
            Response::DiffTree { seq, tree } if seq == diff_seq => {
                self.series_busy.set(false);
                self.diff_tree.set(Some(Arc::new(tree)));
            }
            Response::HeapGrowth {
                seq,
                ids,
                growth,
                clusters,
            } if seq == heap_seqs.0 => self.set_heap_growth((ids, growth, clusters)),
            Response::HeapComparison {
                seq,
                base,
                new,
                comparison,
            } if seq == heap_seqs.1 => {
                self.series_busy.set(false);
                self.heap_comparison
                    .set(Some(Arc::new((base, new, comparison))));
            }
            Response::ComparisonObjects {
                base,
                new,
                key,
                total,
                objects,
            } => {
                let current = self
                    .heap_comparison
                    .with_untracked(|c| c.as_ref().map(|c| (c.0, c.1)));
                if current == Some((base, new)) {
                    self.comparison_objects
                        .set(Some(Arc::new((base, new, key, total, objects))));
                }
            }
            Response::ViewFailed {
                seq,
                message,
                refine,
            } if [
                growth_seq,
                diff_seq,
                goroutines_seq,
                heap_seqs.0,
                heap_seqs.1,
            ]
            .contains(&seq) =>
            {
                self.series_busy.set(false);
                if refine {
                    self.refine_error.set(Some(message));
                } else {
                    self.series_error.set(Some(message));
                }
            }
            Response::ViewFailed {
                seq,
                message,
                refine,
            } if seq == current => {
                self.analysing.set(false);
                if refine {
                    self.refine_error.set(Some(message));
                } else {
                    self.view_error.set(Some(message));
                }
            }
            _ => {}
        }
    }

    /// Selects a freshly decoded file when it is the first of its batch (or nothing is shown);
    /// once the whole batch is decoded and the selected file has a series, shows what grew.
    fn loaded(&self, id: u32) {
        self.clear_progress(id);
        let user_moved = self.batch.with_value(|b| b.user_moved);
        if self.batch.with_value(|b| !b.done && b.ids.contains(&id)) && !user_moved {
            self.batch.update_value(|b| b.done = true);
            self.select(Some(id));
        } else if self.selected.get_untracked().is_none() {
            self.select(Some(id));
        }
        let batch_decoded = self.batch.with_value(|b| {
            !b.growth_shown
                && self.profiles.with_untracked(|p| {
                    p.iter()
                        .filter(|e| b.ids.contains(&e.id))
                        .all(|e| e.status != LoadStatus::Decoding)
                })
        });
        if batch_decoded && !user_moved {
            self.batch.update_value(|b| b.growth_shown = true);
            // A series opens on its latest point, on what grew.
            let series = untrack(|| self.selected_series());
            if let Some(last) = series.as_ref().and_then(|s| s.included.last()) {
                self.select(Some(*last));
            }
            match series {
                Some(s) if s.heap => self.heap_tab.set(super::HeapTab::Growth),
                Some(_) => self.tab.set(super::Tab::Growth),
                None => {}
            }
            // The checklist is the first answer; the file's views are one click away.
            self.findings_open.set(true);
        }
    }

    fn clear_progress(&self, id: u32) {
        if self
            .progress
            .with_untracked(|p| p.as_ref().is_some_and(|p| p.id == id))
        {
            self.progress.set(None);
        }
    }

    /// Blames the crash on the file being decoded, or else on the view being computed, and
    /// sends the other profiles to the fresh worker.
    fn on_crash(&self, message: String) {
        let culprit = self.profiles.with_untracked(|p| {
            p.iter()
                .find(|e| e.status == LoadStatus::Decoding)
                .map(|e| e.id)
        });
        match culprit {
            Some(id) => {
                let text = format!("the analysis worker crashed while decoding it ({message})");
                self.errors
                    .update(|e| e.push(format!("{}: {text}", self.name_of(id))));
                self.set_status(id, LoadStatus::Failed(text), Vec::new());
                if let Some(client) = self.client() {
                    client.remove(id);
                }
            }
            None if self.series_busy.get_untracked() => {
                // Comparing several big files needs them all in memory at once: say so, and do
                // not ask for the same comparison again by itself once the files are back.
                let text = format!(
                    "The analysis worker ran out of room comparing these files ({message}). A browser tab holds about 4 GB: leave out some points of the series, or compare them with the command-line tool (leakscope growth / diff)."
                );
                self.series_error.set(Some(text.clone()));
                self.errors.update(|e| e.push(text));
                self.crashed_series
                    .set_value(self.pending_series.get_value());
                self.series_busy.set(false);
            }
            None if self.checklist_busy.get_untracked() => {
                let text = format!(
                    "The analysis worker ran out of room checking these files for leaks ({message}). A browser tab holds about 4 GB: remove some files, or run the command-line tool (leakscope check)."
                );
                self.checklist_error.set(Some(text.clone()));
                self.errors.update(|e| e.push(text));
                self.crashed_checklist
                    .set_value(self.pending_checklist.get_value());
                self.checklist_busy.set(false);
            }
            None if self.analysing.get_untracked() => {
                let text =
                    format!("The analysis worker crashed while computing this view ({message}).");
                self.view_error.set(Some(text.clone()));
                self.errors.update(|e| e.push(text));
                self.crashed_view.set_value(self.pending_view.get_value());
                self.analysing.set(false);
            }
            None => {
                let text = format!("The analysis worker crashed ({message}); it was restarted.");
                self.errors.update(|e| e.push(text));
            }
        }
        self.progress.set(None);
        self.resend_all();
    }

    /// Sends every file that is not failed or cancelled to a fresh worker.
    pub(super) fn resend_all(&self) {
        let resend: Vec<u32> = self.profiles.with_untracked(|p| {
            p.iter()
                .filter(|e| !matches!(e.status, LoadStatus::Failed(_) | LoadStatus::Cancelled))
                .map(|e| e.id)
                .collect()
        });
        self.heap_objects.set(None);
        self.heap_selected.set(None);
        self.retainer_tree.update(|t| t.reset());
        self.heap_filtered.set(None);
        for id in resend {
            self.set_status(id, LoadStatus::Decoding, Vec::new());
            if let Some(client) = self.client() {
                client.reload(id);
            }
        }
    }
}
