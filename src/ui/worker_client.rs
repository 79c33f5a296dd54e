//! `WorkerClient`: the page's handle on the analysis Web Worker. It starts the worker, holds
//! requests until the worker says `Ready`, keeps each profile's `Blob` so the profiles can be
//! sent again after a crash, and restarts a crashed worker. It does not interpret answers.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, ErrorEvent, MessageEvent, Worker};

use crate::protocol::{self, Request, Response};

/// What the client reports to the page.
#[derive(Clone, Debug)]
pub enum WorkerEvent {
    /// An answer from the worker (boxed: tables and trees are big, crash messages small).
    Response(Box<Response>),
    /// The worker died (panic or uncaught error) and a fresh one was started; profiles must be
    /// loaded again.
    Crashed(String),
}

struct Inner {
    worker: Option<Worker>,
    generation: u32,
    ready: bool,
    queue: Vec<js_sys::Array>,
    blobs: BTreeMap<u32, (String, Blob)>,
    on_event: Rc<dyn Fn(WorkerEvent)>,
    handlers: Vec<Box<dyn std::any::Any>>,
    retired: Vec<Box<dyn std::any::Any>>,
}

/// A cheap, clonable handle on the worker.
#[derive(Clone)]
pub struct WorkerClient(Rc<RefCell<Inner>>);

impl WorkerClient {
    /// Starts the worker; `on_event` receives its answers and crash reports.
    pub fn start(on_event: impl Fn(WorkerEvent) + 'static) -> Self {
        let client = WorkerClient(Rc::new(RefCell::new(Inner {
            worker: None,
            generation: 0,
            ready: false,
            queue: Vec::new(),
            blobs: BTreeMap::new(),
            on_event: Rc::new(on_event),
            handlers: Vec::new(),
            retired: Vec::new(),
        })));
        client.spawn();
        client
    }

    /// Sends profile `id`'s bytes to be decoded, and remembers them for a restart.
    pub fn load(&self, id: u32, name: &str, blob: Blob) {
        self.0
            .borrow_mut()
            .blobs
            .insert(id, (name.to_owned(), blob.clone()));
        self.post(
            &Request::Load {
                id,
                name: name.to_owned(),
            },
            Some(&blob),
        );
    }

    /// Sends profile `id` again from its remembered bytes (after a crash).
    pub fn reload(&self, id: u32) {
        let entry = self.0.borrow().blobs.get(&id).cloned();
        if let Some((name, blob)) = entry {
            self.post(&Request::Load { id, name }, Some(&blob));
        }
    }

    /// Forgets profile `id` here and in the worker.
    pub fn remove(&self, id: u32) {
        self.0.borrow_mut().blobs.remove(&id);
        self.post(&Request::Remove { id }, None);
    }

    /// Terminates the worker (it may be stuck decoding) and starts a new one; requests not yet
    /// sent are dropped and the new worker holds no profiles: the caller sends them again.
    pub fn restart(&self) {
        self.0.borrow_mut().queue.clear();
        self.spawn();
    }

    /// Sends any request; held until the worker is ready.
    pub fn post(&self, request: &Request, blob: Option<&Blob>) {
        let message = js_sys::Array::of1(&JsValue::from_str(&protocol::encode(request)));
        if let Some(b) = blob {
            message.push(b);
        }
        let mut inner = self.0.borrow_mut();
        match (&inner.worker, inner.ready) {
            (Some(worker), true) => {
                if let Err(e) = worker.post_message(&message) {
                    web_sys::console::error_2(&"leakscope: postMessage failed".into(), &e);
                }
            }
            _ => inner.queue.push(message),
        }
    }

    /// Starts a new worker (the first, or a replacement), wiring its handlers to this client.
    fn spawn(&self) {
        let mut inner = self.0.borrow_mut();
        if let Some(old) = inner.worker.take() {
            old.terminate();
        }
        inner.generation += 1;
        inner.ready = false;
        // The old worker's handlers may be running right now (a crash is reported from inside
        // them), so they are dropped one restart later, never while on the stack.
        let old = std::mem::take(&mut inner.handlers);
        inner.retired = old;
        let generation = inner.generation;
        // A classic worker: trunk's loader shim uses importScripts (module workers fail).
        let worker = match Worker::new("./worker_loader.js") {
            Ok(w) => w,
            Err(e) => {
                let on_event = inner.on_event.clone();
                drop(inner);
                on_event(WorkerEvent::Crashed(format!(
                    "could not start the analysis worker: {e:?}"
                )));
                return;
            }
        };
        let this = self.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let text = ev.data().as_string().unwrap_or_default();
            match protocol::decode::<Response>(&text) {
                Ok(response) => this.receive(generation, response),
                Err(e) => {
                    web_sys::console::error_1(&format!("leakscope: bad worker message: {e}").into())
                }
            }
        });
        let this = self.clone();
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |ev: ErrorEvent| {
            ev.prevent_default();
            this.crashed(generation, ev.message());
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        inner.handlers.push(Box::new(on_message));
        inner.handlers.push(Box::new(on_error));
        inner.worker = Some(worker);
    }

    fn receive(&self, generation: u32, response: Response) {
        if generation != self.0.borrow().generation {
            return;
        }
        match response {
            Response::Ready => {
                let mut inner = self.0.borrow_mut();
                inner.ready = true;
                let queue = std::mem::take(&mut inner.queue);
                if let Some(worker) = &inner.worker {
                    for message in queue {
                        let _ = worker.post_message(&message);
                    }
                }
            }
            Response::Panicked { message } => self.crashed(generation, message),
            other => {
                let on_event = self.0.borrow().on_event.clone();
                on_event(WorkerEvent::Response(Box::new(other)));
            }
        }
    }

    /// Handles the death of worker `generation` once (a panic is followed by an error event).
    fn crashed(&self, generation: u32, message: String) {
        if generation != self.0.borrow().generation {
            return;
        }
        web_sys::console::error_1(
            &format!("leakscope: the analysis worker crashed: {message}").into(),
        );
        let was_ready = {
            let mut inner = self.0.borrow_mut();
            // Requests queued for the dead worker are dropped: the page re-sends what it needs.
            inner.queue.clear();
            inner.ready
        };
        // A worker that dies before it is ready would die again (its wasm failed to load).
        if !was_ready {
            let on_event = self.0.borrow().on_event.clone();
            on_event(WorkerEvent::Crashed(format!(
                "the analysis worker could not start: {message}"
            )));
            return;
        }
        self.spawn();
        let on_event = self.0.borrow().on_event.clone();
        on_event(WorkerEvent::Crashed(message));
    }
}
