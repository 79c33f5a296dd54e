//! `SliceReader`: the slices of a `Blob`, read ahead of the worker that decodes them. The
//! reads run in `file-reader.js`, a small worker of their own (the browser cannot serve a
//! worker's reads while that worker decodes), which transfers each slice's buffer and gets it
//! back to fill again; if that worker cannot start, `Blob.arrayBuffer()` reads one slice ahead
//! instead. Asked to, the reader worker also inflates a gzipped file, so inflating runs on the
//! second core beside decoding.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, MessageEvent};

/// Slices sent by the reader worker and not yet acknowledged (a slice is acknowledged, its
/// buffer handed back, when the next one is asked for): bounds the memory read ahead.
const READ_AHEAD: u32 = 4;

/// The reader worker, its messages not yet taken, and the task waiting for one.
struct ReaderThread {
    worker: web_sys::Worker,
    inbox: RefCell<VecDeque<JsValue>>,
    waiter: RefCell<Option<js_sys::Function>>,
    /// Set when the reader worker failed (its script did not load, or it crashed).
    broken: Cell<bool>,
    next_job: Cell<u32>,
}

thread_local! {
    static THREAD: RefCell<Option<Rc<ReaderThread>>> = const { RefCell::new(None) };
}

impl ReaderThread {
    /// The reader worker, started on first use; `None` when workers cannot start workers.
    fn get() -> Option<Rc<ReaderThread>> {
        if let Some(t) = THREAD.with(|t| t.borrow().clone()) {
            if !t.broken.get() {
                return Some(t);
            }
            t.worker.terminate();
        }
        let worker = web_sys::Worker::new("file-reader.js").ok()?;
        let thread = Rc::new(ReaderThread {
            worker,
            inbox: RefCell::new(VecDeque::new()),
            waiter: RefCell::new(None),
            broken: Cell::new(false),
            next_job: Cell::new(1),
        });
        let weak = Rc::downgrade(&thread);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            if let Some(t) = weak.upgrade() {
                t.deliver(ev.data());
            }
        });
        let weak = Rc::downgrade(&thread);
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
            if let Some(t) = weak.upgrade() {
                t.broken.set(true);
                t.deliver(JsValue::NULL);
            }
        });
        thread
            .worker
            .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        thread
            .worker
            .set_onerror(Some(on_error.as_ref().unchecked_ref()));
        // Both live as long as the worker, which lives as long as this one.
        on_message.forget();
        on_error.forget();
        THREAD.with(|t| *t.borrow_mut() = Some(Rc::clone(&thread)));
        Some(thread)
    }

    fn deliver(&self, message: JsValue) {
        self.inbox.borrow_mut().push_back(message);
        if let Some(wake) = self.waiter.borrow_mut().take() {
            let _ = wake.call0(&JsValue::NULL);
        }
    }

    /// The next message from the reader worker (`null` when it failed).
    async fn recv(&self) -> JsValue {
        loop {
            if let Some(m) = self.inbox.borrow_mut().pop_front() {
                return m;
            }
            let wait = js_sys::Promise::new(&mut |resolve, _| {
                *self.waiter.borrow_mut() = Some(resolve);
            });
            let _ = wasm_bindgen_futures::JsFuture::from(wait).await;
        }
    }

    fn send(&self, fields: &[(&str, JsValue)]) {
        self.send_with(fields, None);
    }

    /// Sends `fields`, transferring `buffer` (one of them) instead of copying it.
    fn send_with(&self, fields: &[(&str, JsValue)], buffer: Option<&js_sys::ArrayBuffer>) {
        let message = js_sys::Object::new();
        for (key, value) in fields {
            let _ = js_sys::Reflect::set(&message, &JsValue::from_str(key), value);
        }
        let sent = match buffer {
            Some(buffer) => self
                .worker
                .post_message_with_transfer(&message, &js_sys::Array::of1(buffer)),
            None => self.worker.post_message(&message),
        };
        if sent.is_err() {
            self.broken.set(true);
        }
    }
}

/// Where the slices come from.
enum Source {
    /// The reader worker, job number `job`; `taken`, the buffer of the slice handed out last,
    /// given back with the acknowledgement when the next one is asked for.
    Thread {
        thread: Rc<ReaderThread>,
        job: u32,
        taken: Option<js_sys::ArrayBuffer>,
    },
    /// `Blob.arrayBuffer()` on this thread, the next slice already asked for.
    Direct { next: Option<js_sys::Promise> },
}

/// One slice: its bytes, and how far into the file reading got with it. The bytes may be
/// read until the next call to `SliceReader::next`, which hands their buffer back to the
/// reader worker to be filled again.
pub struct Slice {
    pub bytes: js_sys::Uint8Array,
    /// File bytes read so far (compressed bytes while inflating).
    pub read_to: u64,
}

/// Why reading stopped.
pub enum ReadError {
    /// The file could not be read (it changed or vanished).
    Read(String),
    /// The browser could not inflate the file: read it again without inflating, and let the
    /// decoder inflate it (and name the fault if the file is damaged).
    Inflate(String),
}

/// The slices of one blob, in order.
pub struct SliceReader {
    blob: Blob,
    size: u64,
    slice: u64,
    /// File bytes read so far.
    offset: u64,
    /// The reader worker inflates the file: the slices are its inflated bytes.
    inflating: bool,
    /// The reader worker said the inflated data ended.
    finished: bool,
    source: Source,
}

/// Starts the reader worker now, before any file needs it: its script is fetched and run
/// while the page is idle instead of at the start of the first heap snapshot's load, which
/// waited for it (the first slice came 60 to 140 ms after the drop).
pub fn start_reader_thread() {
    let _ = ReaderThread::get();
}

impl SliceReader {
    /// Starts reading `blob` (`size` bytes) in slices of `slice` bytes; with `gunzip`, the
    /// reader worker inflates it when it can (`inflating` says whether it does).
    pub fn start(blob: &Blob, size: u64, slice: u64, gunzip: bool) -> Self {
        let mut reader = SliceReader {
            blob: blob.clone(),
            size,
            slice: slice.max(1),
            offset: 0,
            inflating: false,
            finished: false,
            source: Source::Direct { next: None },
        };
        match ReaderThread::get() {
            Some(thread) => {
                let job = thread.next_job.get();
                thread.next_job.set(job.wrapping_add(1));
                reader.inflating = gunzip && has_decompression_stream();
                thread.send(&[
                    ("job", job.into()),
                    ("blob", blob.into()),
                    ("slice", (reader.slice as f64).into()),
                    ("ahead", READ_AHEAD.into()),
                    ("gunzip", reader.inflating.into()),
                ]);
                reader.source = Source::Thread {
                    thread,
                    job,
                    taken: None,
                };
            }
            None => reader.read_directly(),
        }
        reader
    }

    /// True when the slices are the inflated bytes of a gzipped file.
    pub fn inflating(&self) -> bool {
        self.inflating
    }

    /// Falls back to reading on this thread, from the next byte not handed out.
    fn read_directly(&mut self) {
        let next = self.request(self.offset);
        self.source = Source::Direct { next };
    }

    /// Asks the browser for the slice at `offset` (`None` past the end or on failure, which
    /// `next` then reports).
    fn request(&self, offset: u64) -> Option<js_sys::Promise> {
        if offset >= self.size {
            return None;
        }
        let end = (offset + self.slice).min(self.size);
        self.blob
            .slice_with_f64_and_f64(offset as f64, end as f64)
            .ok()
            .map(|part| part.array_buffer())
    }

    /// The next slice, `Ok(None)` after the last; `Err` says why reading failed.
    pub async fn next(&mut self) -> Result<Option<Slice>, ReadError> {
        if self.finished || (!self.inflating && self.offset >= self.size) {
            return Ok(None);
        }
        loop {
            let (bytes, read_to) = match &mut self.source {
                Source::Thread { thread, job, taken } => {
                    let (thread, job) = (Rc::clone(thread), *job);
                    if let Some(buffer) = taken.take() {
                        thread.send_with(
                            &[
                                ("job", job.into()),
                                ("ack", true.into()),
                                ("buffer", buffer.clone().into()),
                            ],
                            Some(&buffer),
                        );
                    }
                    let message = next_from_thread(&thread, job).await;
                    if let Some(Message::Slice(bytes, _)) = &message {
                        *taken = Some(bytes.buffer());
                    }
                    match message {
                        Some(Message::Slice(bytes, offset)) if self.inflating => (bytes, offset),
                        Some(Message::Slice(bytes, _)) => {
                            let read_to = self.offset + bytes.length() as u64;
                            (bytes, read_to)
                        }
                        Some(Message::Done(offset)) => {
                            self.finished = true;
                            self.offset = offset;
                            return Ok(None);
                        }
                        Some(Message::Failed(e, true)) => return Err(ReadError::Inflate(e)),
                        Some(Message::Failed(e, false)) => return Err(ReadError::Read(e)),
                        None if self.inflating => {
                            // Inflated bytes were handed out: the rest cannot be read raw.
                            return Err(ReadError::Inflate("the reader worker stopped".into()));
                        }
                        None => {
                            // The reader worker failed: read the rest here.
                            self.read_directly();
                            continue;
                        }
                    }
                }
                Source::Direct { next } => {
                    let pending = next.take().ok_or_else(|| {
                        ReadError::Read("the browser refused to read the file".to_owned())
                    })?;
                    let buffer = wasm_bindgen_futures::JsFuture::from(pending)
                        .await
                        .map_err(|e| ReadError::Read(js_message(e)))?;
                    let ahead = self.request(self.offset + self.slice);
                    if let Source::Direct { next } = &mut self.source {
                        *next = ahead;
                    }
                    let bytes = js_sys::Uint8Array::new(&buffer);
                    let read_to = self.offset + bytes.length() as u64;
                    (bytes, read_to)
                }
            };
            self.offset = read_to;
            return Ok(Some(Slice { bytes, read_to }));
        }
    }
}

/// One message of the reader worker for a job.
enum Message {
    /// A slice and the offset the worker gave with it.
    Slice(js_sys::Uint8Array, u64),
    /// Inflating: the inflated data ended after this many file bytes.
    Done(u64),
    /// Reading (or, when `true`, inflating) failed.
    Failed(String, bool),
}

/// True when the worker's scope has `DecompressionStream` (the reader worker's has it too).
fn has_decompression_stream() -> bool {
    js_sys::Reflect::has(&js_sys::global(), &JsValue::from_str("DecompressionStream"))
        .unwrap_or(false)
}

/// The next message of job `job` from the reader worker; `None` when the worker failed.
async fn next_from_thread(thread: &ReaderThread, job: u32) -> Option<Message> {
    loop {
        if thread.broken.get() {
            return None;
        }
        let message = thread.recv().await;
        if message.is_null() {
            continue; // `broken` is set: checked above.
        }
        let field = |key: &str| js_sys::Reflect::get(&message, &JsValue::from_str(key)).ok();
        if field("job").and_then(|j| j.as_f64()) != Some(job as f64) {
            continue; // A slice of an earlier job that stopped early.
        }
        let offset = field("offset").and_then(|o| o.as_f64()).unwrap_or(0.0) as u64;
        if let Some(error) = field("error").and_then(|e| e.as_string()) {
            let inflate = field("inflate").is_some_and(|i| i.is_truthy());
            return Some(Message::Failed(error, inflate));
        }
        if field("done").is_some_and(|d| d.is_truthy()) {
            return Some(Message::Done(offset));
        }
        let buffer = field("buffer").unwrap_or(JsValue::UNDEFINED);
        let bytes = match field("length").and_then(|l| l.as_f64()) {
            Some(length) => {
                js_sys::Uint8Array::new_with_byte_offset_and_length(&buffer, 0, length as u32)
            }
            None => js_sys::Uint8Array::new(&buffer),
        };
        return Some(Message::Slice(bytes, offset));
    }
}

impl Drop for SliceReader {
    fn drop(&mut self) {
        if let Source::Thread { thread, .. } = &self.source {
            if !self.finished && (self.inflating || self.offset < self.size) {
                thread.send(&[("stop", true.into())]);
            }
        }
    }
}

/// The message of a thrown JS value.
fn js_message(value: JsValue) -> String {
    match value.dyn_ref::<js_sys::Error>() {
        Some(e) => String::from(e.message()),
        None => value.as_string().unwrap_or_else(|| format!("{value:?}")),
    }
}
