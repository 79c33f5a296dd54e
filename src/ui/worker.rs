//! The Web Worker's side of the protocol: installs the message handler, reads posted blobs
//! and lets `Session` answer. Heap snapshots are read asynchronously, ahead of the decoder
//! (`SliceReader`); messages that arrive meanwhile wait, in order, as they would behind a
//! synchronous load. It posts `Ready` once the handler is in
//! place, and `Panicked` from the panic hook so the page can restart it.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, DedicatedWorkerGlobalScope, FileReaderSync, MessageEvent};

use super::file_reader::{start_reader_thread, ReadError, SliceReader};
use crate::formats::is_heap_snapshot;
use crate::protocol::{self, Request, Response};
use crate::session::{HeapLoad, Session, HEAD_BYTES, MAX_WHOLE_FILE_BYTES, SLICE_BYTES};

/// Starts the worker: called once from the worker binary's `main`.
pub fn run() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        post(&Response::Panicked {
            message: info.to_string(),
        });
    }));
    let worker = Rc::new(Worker::default());
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        worker.queue.borrow_mut().push_back(ev.data());
        drain(&worker);
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&Response::Ready);
    start_reader_thread();
    // Messages posted meanwhile wait in the event loop, as they would behind a load.
    let started = js_sys::Date::now();
    crate::session::warm_up();
    web_sys::console::debug_1(
        &format!(
            "leakscope worker: warmed up in {:.0} ms",
            js_sys::Date::now() - started
        )
        .into(),
    );
}

/// The session and the messages waiting for a running heap snapshot load.
#[derive(Default)]
struct Worker {
    session: RefCell<Session>,
    queue: RefCell<VecDeque<JsValue>>,
    /// True while an asynchronous heap snapshot load runs.
    busy: Cell<bool>,
}

/// Answers the queued messages in order; a heap snapshot load runs asynchronously and the
/// rest of the queue waits for it.
fn drain(worker: &Rc<Worker>) {
    while !worker.busy.get() {
        let Some(data) = worker.queue.borrow_mut().pop_front() else {
            return;
        };
        if let Some(file) = handle(&mut worker.session.borrow_mut(), data) {
            worker.busy.set(true);
            let worker = Rc::clone(worker);
            wasm_bindgen_futures::spawn_local(async move {
                let id = file.id;
                let response = match read_heap(&file).await {
                    Ok(load) => worker.session.borrow_mut().finish_heap_load(
                        load,
                        |r| post(&r),
                        js_sys::Date::now,
                    ),
                    Err(message) => Response::LoadFailed { id, message },
                };
                post(&response);
                worker.busy.set(false);
                drain(&worker);
            });
        }
    }
}

/// A heap snapshot to read: its id, its bytes, their size, and whether they are gzipped.
struct HeapFile {
    id: u32,
    blob: Blob,
    size: u64,
    gzip: bool,
}

/// Reads heap snapshot `file` into a `HeapLoad`; the slices are read ahead on another thread
/// (`SliceReader`), which also inflates a gzipped one, while this one decodes. Should the
/// browser fail to inflate it, it is read again and inflated here, where a damaged file gets
/// its precise message. `Err` is the `LoadFailed` message.
async fn read_heap(file: &HeapFile) -> Result<HeapLoad, String> {
    if file.gzip {
        match read_heap_via(file, true).await {
            Err(ReadError::Inflate(why)) => web_sys::console::warn_1(
                &format!("leakscope: the browser could not inflate the file ({why}); inflating it in the worker").into(),
            ),
            other => return other.map_err(read_failure),
        }
    }
    read_heap_via(file, false).await.map_err(read_failure)
}

fn read_failure(error: ReadError) -> String {
    match error {
        ReadError::Read(e) | ReadError::Inflate(e) => e,
    }
}

/// `read_heap`'s one attempt, with the reader worker inflating the file or not.
async fn read_heap_via(file: &HeapFile, gunzip: bool) -> Result<HeapLoad, ReadError> {
    let mut reader = SliceReader::start(&file.blob, file.size, SLICE_BYTES, gunzip);
    let now = js_sys::Date::now();
    let mut load = match reader.inflating() {
        true => HeapLoad::inflated(file.id, file.size, now),
        false => HeapLoad::new(file.id, file.size, now),
    };
    let mut chunk = Vec::new();
    loop {
        let started = js_sys::Date::now();
        let slice = reader.next().await.map_err(|e| match e {
            ReadError::Read(e) => ReadError::Read(format!("could not read the file: {e}")),
            inflate => inflate,
        })?;
        load.waited(js_sys::Date::now() - started);
        let Some(slice) = slice else { break };
        chunk.resize(slice.bytes.length() as usize, 0);
        slice.bytes.copy_to(&mut chunk);
        let pushed = match reader.inflating() {
            true => load.push_inflated(&chunk, slice.read_to, js_sys::Date::now()),
            false => load.push(&chunk, js_sys::Date::now()),
        };
        if let Some(progress) = pushed.map_err(ReadError::Read)? {
            post(&progress);
        }
    }
    if !load.read_all() {
        return Err(ReadError::Read(format!(
            "the file ended at byte {} while reading",
            load.offset()
        )));
    }
    Ok(load)
}

/// Posts one response to the page as a JSON string.
fn post(response: &Response) {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    if let Err(e) = scope.post_message(&JsValue::from_str(&protocol::encode(response))) {
        web_sys::console::error_2(&"leakscope worker: postMessage failed".into(), &e);
    }
}

/// Answers one posted message: `[json]` or `[json, blob]`. A heap snapshot to load is
/// returned for `drain` to read asynchronously.
fn handle(session: &mut Session, data: JsValue) -> Option<HeapFile> {
    let parts = js_sys::Array::from(&data);
    let text = parts.get(0).as_string().unwrap_or_default();
    let request = match protocol::decode::<Request>(&text) {
        Ok(r) => r,
        Err(e) => {
            web_sys::console::error_1(&format!("leakscope worker: bad request: {e}").into());
            return None;
        }
    };
    match request {
        Request::Load { id, name } => {
            let response = match load(session, id, parts.get(1)) {
                Ok(Loaded::Heap(blob, size, gzip)) => {
                    return Some(HeapFile {
                        id,
                        blob,
                        size,
                        gzip,
                    })
                }
                Ok(Loaded::Answer(r)) => *r,
                Err(message) => Response::LoadFailed {
                    id,
                    message: format!("could not read {name}: {message}"),
                },
            };
            post(&response);
        }
        Request::HeapObjects(req) => post(&session.heap_objects(&req)),
        Request::DominatorChain { id, ordinal } => post(&session.dominator_chain(id, ordinal)),
        Request::RetainerEdges { id, ordinal } => post(&session.retainer_edges(id, ordinal)),
        Request::HeapFilter { id, filter } => post(&session.heap_filter(id, filter)),
        Request::Remove { id } => session.forget(id),
        Request::View(req) => session.view(&req, |r| post(&r)),
        Request::Sandwich(req) => post(&session.sandwich(&req)),
        Request::Growth(req) => post(&session.growth(&req)),
        Request::Diff(req) => session.diff(&req, |r| post(&r)),
        Request::HeapGrowth { seq, ids } => post(&session.heap_growth(seq, &ids)),
        Request::HeapComparison { seq, base, new } => {
            post(&session.heap_comparison(seq, base, new))
        }
        Request::ComparisonObjects { base, new, key } => {
            post(&session.comparison_objects(base, new, &key))
        }
        Request::Checklist { seq, files } => post(&session.checklist(seq, &files)),
        Request::Goroutines { seq, ids } => post(&session.goroutines(seq, &ids)),
        Request::Panic { message } => panic!("{message}"),
    }
    None
}

/// What `load` did with a posted file.
enum Loaded {
    /// Decoded at once: the answer.
    Answer(Box<Response>),
    /// A heap snapshot of this many bytes, gzipped or not, to be read slice by slice.
    Heap(Blob, u64, bool),
}

/// Sniffs the posted `Blob` (a `File` is one) from its head, read synchronously (workers may
/// block): a heap snapshot is left to `read_heap`, which streams it into its decoder so its
/// text is never held whole; anything else is read at once and handed to `formats::decode`.
fn load(session: &mut Session, id: u32, value: JsValue) -> Result<Loaded, String> {
    let blob: Blob = value
        .dyn_into()
        .map_err(|_| "no file data was sent".to_owned())?;
    let reader = FileReaderSync::new().map_err(js_message)?;
    let size = blob.size();
    let head = read_slice(&reader, &blob, 0.0, (HEAD_BYTES as f64).min(size))?;
    if is_heap_snapshot(&head) {
        let gzip = head.starts_with(&[0x1f, 0x8b]);
        return Ok(Loaded::Heap(blob, size as u64, gzip));
    }
    if size > MAX_WHOLE_FILE_BYTES as f64 {
        return Err(format!(
            "too big for a browser tab ({}; profiles are read whole, and the limit is {})",
            crate::model::format_value(size as i64, "bytes"),
            crate::model::format_value(MAX_WHOLE_FILE_BYTES as i64, "bytes")
        ));
    }
    let buffer = reader.read_as_array_buffer(&blob).map_err(js_message)?;
    Ok(Loaded::Answer(Box::new(
        session.load(id, &js_sys::Uint8Array::new(&buffer).to_vec()),
    )))
}

/// Bytes `start..end` of `blob`.
fn read_slice(
    reader: &FileReaderSync,
    blob: &Blob,
    start: f64,
    end: f64,
) -> Result<Vec<u8>, String> {
    let part = blob
        .slice_with_f64_and_f64(start, end)
        .map_err(js_message)?;
    let buffer = reader.read_as_array_buffer(&part).map_err(js_message)?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The message of a thrown JS value (an `Error`'s message, else its string form).
fn js_message(value: JsValue) -> String {
    match value.dyn_ref::<js_sys::Error>() {
        Some(e) => String::from(e.message()),
        None => value.as_string().unwrap_or_else(|| format!("{value:?}")),
    }
}
