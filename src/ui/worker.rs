//! The Web Worker's side of the protocol: installs the message handler, reads posted blobs
//! with `FileReaderSync` and lets `Session` answer. It posts `Ready` once the handler is in
//! place, and `Panicked` from the panic hook so the page can restart it.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, DedicatedWorkerGlobalScope, FileReaderSync, MessageEvent};

use super::protocol::{self, Request, Response};
use super::session::{Session, HEAD_BYTES};
use crate::formats::is_heap_snapshot;

/// Starts the worker: called once from the worker binary's `main`.
pub fn run() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        post(&Response::Panicked {
            message: info.to_string(),
        });
    }));
    let session = Rc::new(RefCell::new(Session::new()));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        handle(&mut session.borrow_mut(), ev.data());
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&Response::Ready);
}

/// Posts one response to the page as a JSON string.
fn post(response: &Response) {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    if let Err(e) = scope.post_message(&JsValue::from_str(&protocol::encode(response))) {
        web_sys::console::error_2(&"leakscope worker: postMessage failed".into(), &e);
    }
}

/// Answers one posted message: `[json]` or `[json, blob]`.
fn handle(session: &mut Session, data: JsValue) {
    let parts = js_sys::Array::from(&data);
    let text = parts.get(0).as_string().unwrap_or_default();
    let request = match protocol::decode::<Request>(&text) {
        Ok(r) => r,
        Err(e) => {
            web_sys::console::error_1(&format!("leakscope worker: bad request: {e}").into());
            return;
        }
    };
    match request {
        Request::Load { id, name } => {
            let response = match load(session, id, parts.get(1)) {
                Ok(r) => r,
                Err(message) => Response::LoadFailed {
                    id,
                    message: format!("could not read {name}: {message}"),
                },
            };
            post(&response);
        }
        Request::HeapObjects(req) => post(&session.heap_objects(&req)),
        Request::Retainers { id, ordinal } => post(&session.retainers(id, ordinal)),
        Request::HeapFilter { id, filter } => post(&session.heap_filter(id, filter)),
        Request::Remove { id } => session.forget(id),
        Request::View(req) => session.view(&req, |r| post(&r)),
        Request::Panic { message } => panic!("{message}"),
    }
}

/// Decodes the posted `Blob` (a `File` is one), read synchronously: workers may block. A heap
/// snapshot (sniffed from its head) is read in slices and streamed into its decoder, so its text
/// is never held whole; anything else is read at once and handed to `formats::decode`.
fn load(session: &mut Session, id: u32, value: JsValue) -> Result<Response, String> {
    let blob: Blob = value
        .dyn_into()
        .map_err(|_| "no file data was sent".to_owned())?;
    let reader = FileReaderSync::new().map_err(js_message)?;
    let size = blob.size();
    let head = read_slice(&reader, &blob, 0.0, (HEAD_BYTES as f64).min(size))?;
    if is_heap_snapshot(&head) {
        let read = |offset: u64, len: u64| {
            read_slice(&reader, &blob, offset as f64, (offset + len) as f64)
        };
        return Ok(session.load_heap(id, size as u64, read, |r| post(&r), js_sys::Date::now));
    }
    let buffer = reader.read_as_array_buffer(&blob).map_err(js_message)?;
    Ok(session.load(id, &js_sys::Uint8Array::new(&buffer).to_vec()))
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
