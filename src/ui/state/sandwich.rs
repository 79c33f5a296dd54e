//! `AppState`'s Sandwich view: which function it shows, opening it from a table row or a
//! caller/callee, and its request to the worker in the current view's settings (profile,
//! sample type, granularity, refine). Answers arrive in `worker_events.rs`.

use std::sync::Arc;

use leptos::prelude::*;

use super::{AppState, Tab, ViewKey};
use crate::analysis::Sandwich;
use crate::protocol::{Request, SandwichRequest, ViewRequest};

/// The worker's sandwich of one function: its name, and `Ok(None)` when no sample of the
/// view holds it, `Err` when the view could not be computed.
#[derive(Clone, Debug, PartialEq)]
pub struct SandwichAnswer {
    /// The function asked for.
    pub name: String,
    /// Its callers and callees, or why there are none.
    pub sandwich: Result<Option<Box<Sandwich>>, String>,
}

/// What decides the Sandwich view: the view's settings and the function.
#[derive(Clone, Debug, PartialEq)]
pub struct SandwichKey {
    view: ViewKey,
    name: String,
}

impl AppState {
    /// Shows the Sandwich view of function `name` (a row's printed name).
    pub fn open_sandwich(&self, name: String) {
        self.sandwich_name.set(Some(name));
        self.tab.set(Tab::Sandwich);
    }

    /// What the Sandwich view depends on; `None` without a function or a decoded profile
    /// (tracks its inputs).
    pub fn sandwich_key(&self) -> Option<SandwichKey> {
        let name = self.sandwich_name.get()?;
        Some(SandwichKey {
            view: self.view_key()?,
            name,
        })
    }

    /// Asks the worker for the sandwich of `key` (or clears it when there is none).
    pub fn request_sandwich(&self, key: Option<SandwichKey>) {
        let seq = self.next_seq();
        self.sandwich_seq.set_value(seq);
        let Some(SandwichKey { view, name }) = key else {
            self.sandwich.set(None);
            return;
        };
        let request = Request::Sandwich(SandwichRequest {
            view: ViewRequest {
                seq,
                id: view.id,
                sample_index: view.sample_index,
                granularity: view.granularity,
                refine: view.refine,
                stack_limit: 0,
            },
            name,
        });
        if let Some(client) = self.client() {
            client.post(&request, None);
        }
    }

    /// Takes the worker's answer to the latest sandwich request.
    pub(super) fn take_sandwich(
        &self,
        seq: u64,
        name: String,
        sandwich: Result<Option<Box<Sandwich>>, String>,
    ) {
        if seq == self.sandwich_seq.get_value() {
            self.sandwich
                .set(Some(Arc::new(SandwichAnswer { name, sandwich })));
        }
    }
}
