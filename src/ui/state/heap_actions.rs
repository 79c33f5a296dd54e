//! `AppState`'s heap snapshot actions: the selected snapshot, the pages a class's virtualized
//! object list needs, the Retainers tree of a selected object, and cancelling a decode
//! (terminate the worker, start a new one, send the other files again). They post requests;
//! answers arrive in `worker_events.rs`.

use std::sync::Arc;

use leptos::prelude::*;

use super::{AppState, LoadStatus, ObjectPages, OBJECT_PAGE};
use crate::protocol::{HeapFilter, HeapInfo, HeapObjectsRequest, Request};

impl AppState {
    /// The selected heap snapshot's Summary and Statistics (tracks `selected` and `profiles`).
    pub fn selected_heap(&self) -> Option<Arc<HeapInfo>> {
        let id = self.selected.get()?;
        self.profiles.with(|p| {
            p.iter()
                .find(|e| e.id == id)
                .and_then(|e| e.heap().cloned())
        })
    }

    /// Shows class `class_key` of snapshot `id` (objects passing `filter`; the Summary counts
    /// `count`) as a virtualized list; nothing is asked until rows are wanted.
    pub fn open_heap_class(&self, id: u32, class_key: String, filter: HeapFilter, count: usize) {
        self.heap_objects
            .set(Some(ObjectPages::new(id, class_key, filter, count)));
    }

    /// Closes the expanded class's list.
    pub fn close_heap_class(&self) {
        self.heap_objects.set(None);
    }

    /// Asks the worker for the pages of the open class that rows `start..end` need and that
    /// are neither held nor asked for already.
    pub fn want_heap_objects(&self, start: usize, end: usize) {
        // Untracked: marking pages as asked changes nothing shown.
        let wanted = self.heap_objects.try_update_untracked(|p| {
            p.as_mut()
                .map(|p| (p.id, p.class_key.clone(), p.filter, p.want(start, end)))
        });
        let Some(Some((id, class_key, filter, offsets))) = wanted else {
            return;
        };
        let Some(client) = self.client() else { return };
        for offset in offsets {
            let request = Request::HeapObjects(HeapObjectsRequest {
                id,
                class_key: class_key.clone(),
                offset,
                limit: OBJECT_PAGE,
                filter,
            });
            client.post(&request, None);
        }
    }

    /// Asks the worker what Summary filter `filter` shows for heap snapshot `id` (the answer
    /// lands in `heap_filtered`); `All` needs no question.
    pub fn request_heap_filter(&self, id: u32, filter: HeapFilter) {
        self.heap_filtered.set(None);
        self.heap_objects.set(None);
        if filter == HeapFilter::All {
            return;
        }
        if let Some(client) = self.client() {
            client.post(&Request::HeapFilter { id, filter }, None);
        }
    }

    /// Selects object `ordinal` of heap snapshot `id`: asks for its dominator chain and the
    /// first level of its Retainers tree (which then expands itself along the nearest path).
    pub fn select_heap_object(&self, id: u32, ordinal: u32) {
        self.heap_selected.set(Some((id, ordinal)));
        self.dominator_chain.set(None);
        if let Some(client) = self.client() {
            client.post(&Request::DominatorChain { id, ordinal }, None);
        }
        let ask = self.retainer_tree.try_update(|t| t.select(id, ordinal));
        self.ask_retainer_edges(ask.unwrap_or_default());
    }

    /// Expands or collapses row `key` of the Retainers tree (its retainer is `ordinal`).
    pub fn toggle_retainer(&self, key: &str, ordinal: u32) {
        let ask = self.retainer_tree.try_update(|t| t.toggle(key, ordinal));
        self.ask_retainer_edges(ask.unwrap_or_default());
    }

    /// Asks the worker for the retaining edges of objects of the tree's snapshot.
    pub(super) fn ask_retainer_edges(&self, ordinals: Vec<u32>) {
        if ordinals.is_empty() {
            return;
        }
        let id = self.retainer_tree.with_untracked(|t| t.id);
        if let Some(client) = self.client() {
            for ordinal in ordinals {
                client.post(&Request::RetainerEdges { id, ordinal }, None);
            }
        }
    }

    /// Stops decoding: the worker is busy inside the decoder and cannot read messages, so it is
    /// terminated and a fresh one started; the file being decoded is marked cancelled and the
    /// others are sent to the new worker.
    pub fn cancel_decoding(&self) {
        let current = self.progress.get_untracked().map(|p| p.id).or_else(|| {
            self.profiles.with_untracked(|p| {
                p.iter()
                    .find(|e| e.status == LoadStatus::Decoding)
                    .map(|e| e.id)
            })
        });
        let Some(id) = current else { return };
        self.progress.set(None);
        self.set_status(id, LoadStatus::Cancelled, Vec::new());
        if let Some(client) = self.client() {
            client.restart();
            client.remove(id);
        }
        self.resend_all();
    }
}
