//! How `AppState` takes the worker's answers: decoded profiles, failures, views for the current
//! sequence number only, and crashes (blame, report, send the profiles to the fresh worker).
//! It sends no view requests of its own; the view effect in `app.rs` does.

use std::sync::Arc;

use leptos::prelude::*;

use super::super::protocol::Response;
use super::super::worker_client::WorkerEvent;
use super::{AppState, LoadStatus};

impl AppState {
    pub(super) fn on_worker_event(&self, event: WorkerEvent) {
        let current = self.seq.get_value();
        let response = match event {
            WorkerEvent::Response(r) => *r,
            WorkerEvent::Crashed(message) => return self.on_crash(message),
        };
        match response {
            Response::Loaded {
                id,
                summary,
                warnings,
            } => {
                self.set_status(id, LoadStatus::Ready(Arc::new(summary)), warnings);
                if self.batch.with_value(|b| !b.done && b.ids.contains(&id)) {
                    self.batch.update_value(|b| b.done = true);
                    self.select(Some(id));
                } else if self.selected.get_untracked().is_none() {
                    self.select(Some(id));
                }
            }
            Response::LoadFailed { id, message } => {
                let name = self.name_of(id);
                self.errors.update(|e| e.push(format!("{name}: {message}")));
                self.set_status(id, LoadStatus::Failed(message), Vec::new());
            }
            Response::Top { seq, view } if seq == current => {
                self.refine_error.set(None);
                self.top.set(Some(Arc::new(view)));
            }
            Response::Tree { seq, tree } if seq == current => {
                self.tree.set(Some(Arc::new(tree)));
                self.analysing.set(false);
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
        let resend: Vec<u32> = self.profiles.with_untracked(|p| {
            p.iter()
                .filter(|e| !matches!(e.status, LoadStatus::Failed(_)))
                .map(|e| e.id)
                .collect()
        });
        for id in resend {
            self.set_status(id, LoadStatus::Decoding, Vec::new());
            if let Some(client) = self.client() {
                client.reload(id);
            }
        }
    }
}
