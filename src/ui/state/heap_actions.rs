//! `AppState`'s heap snapshot actions: the selected snapshot, pages of a class's objects, the
//! retainers of a selected object, and cancelling a decode (terminate the worker, start a new
//! one, send the other files again). They post requests; answers arrive in `worker_events.rs`.

use std::sync::Arc;

use leptos::prelude::*;

use super::super::protocol::{HeapFilter, HeapInfo, HeapObjectsRequest, Request};
use super::{AppState, LoadStatus};

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

    /// Asks the worker for `limit` objects of heap class `class_key` that pass `filter`, from
    /// `offset` on; offset 0 starts a new list.
    pub fn request_heap_objects(
        &self,
        id: u32,
        class_key: String,
        filter: HeapFilter,
        offset: usize,
        limit: usize,
    ) {
        if offset == 0 {
            self.heap_objects.set(None);
        }
        let request = Request::HeapObjects(HeapObjectsRequest {
            id,
            class_key,
            offset,
            limit,
            filter,
        });
        if let Some(client) = self.client() {
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

    /// Selects object `ordinal` of heap snapshot `id` and asks for its retainers.
    pub fn select_heap_object(&self, id: u32, ordinal: u32) {
        self.heap_selected.set(Some((id, ordinal)));
        self.retainers.set(None);
        if let Some(client) = self.client() {
            client.post(&Request::Retainers { id, ordinal }, None);
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
