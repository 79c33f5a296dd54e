//! `HeapLoad`: a heap snapshot being read, slice by slice, into its streaming decoder, with
//! progress and per-phase wall times. The caller reads the slices (synchronously in tests and
//! `Heaps::load`, asynchronously in the worker so the browser reads ahead while it decodes);
//! `Heaps::finish_load` analyses what was read.

use crate::analysis::heap::peak_memory_estimate;
use crate::formats::{DecodeError, Decoded, Decoder};
use crate::model::{format_value, HeapGraph};

use crate::protocol::{PhaseTime, Response};

/// Progress messages are posted at most this often (ms).
const PROGRESS_EVERY_MS: f64 = 100.0;

/// The WebAssembly memory a snapshot's decoding and analysis may take: a wasm32 tab stops at
/// 4 GiB, and the app and the other loaded profiles need some of it.
pub const HEAP_MEMORY_BUDGET: u64 = (4 << 30) - (256 << 20);

/// A snapshot whose bytes are still arriving.
pub struct HeapLoad {
    id: u32,
    total: u64,
    offset: u64,
    decoder: Decoder,
    timings: PhaseClock,
    reading_ms: f64,
    last_progress: f64,
    /// The header's counts were checked against `HEAP_MEMORY_BUDGET`.
    budget_checked: bool,
    /// The bytes arrive inflated by the reader (`inflated`).
    inflated: bool,
}

impl HeapLoad {
    /// Starts reading snapshot `id` of `total` bytes at time `now` (ms).
    pub fn new(id: u32, total: u64, now: f64) -> Self {
        Self::with_decoder(id, total, now, Decoder::with_size_hint(total))
    }

    /// Starts reading gzipped snapshot `id` of `total` bytes at time `now` (ms) whose bytes
    /// arrive already inflated (`push_inflated`).
    pub fn inflated(id: u32, total: u64, now: f64) -> Self {
        HeapLoad {
            inflated: true,
            ..Self::with_decoder(id, total, now, Decoder::inflated(total))
        }
    }

    fn with_decoder(id: u32, total: u64, now: f64, decoder: Decoder) -> Self {
        HeapLoad {
            id,
            total,
            offset: 0,
            decoder,
            timings: PhaseClock::new("decoding", now),
            reading_ms: 0.0,
            last_progress: f64::NEG_INFINITY,
            budget_checked: false,
            inflated: false,
        }
    }

    /// The snapshot's id.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The file's size in bytes.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Bytes pushed so far (the offset of the next slice to read).
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// True once all `total` bytes were pushed.
    pub fn read_all(&self) -> bool {
        self.offset >= self.total
    }

    /// Counts `ms` spent waiting for file data (shown as its own phase, not as decoding).
    pub fn waited(&mut self, ms: f64) {
        self.reading_ms += ms;
    }

    /// Decodes the next slice; an empty slice means the file ended early. `Err` is the
    /// message of the `LoadFailed` answer; `Ok(Some)` a progress message to post (at most
    /// every 100 ms).
    pub fn push(&mut self, chunk: &[u8], now: f64) -> Result<Option<Response>, String> {
        if chunk.is_empty() {
            return Err(format!(
                "the file ended at byte {} while reading",
                self.offset
            ));
        }
        let read_to = self.offset + chunk.len() as u64;
        self.decode(chunk, read_to, now)
    }

    /// Decodes the next inflated slice of a gzipped snapshot (`inflated`), which took the
    /// file's bytes up to `read_to`; as `push` otherwise.
    pub fn push_inflated(
        &mut self,
        chunk: &[u8],
        read_to: u64,
        now: f64,
    ) -> Result<Option<Response>, String> {
        self.decode(chunk, read_to.max(self.offset), now)
    }

    fn decode(&mut self, chunk: &[u8], read_to: u64, now: f64) -> Result<Option<Response>, String> {
        self.offset = read_to;
        if let Err(e) = self.decoder.push(chunk) {
            return Err(format!("not a valid heap snapshot: {e}"));
        }
        if !self.budget_checked {
            self.check_budget()?;
        }
        if now - self.last_progress < PROGRESS_EVERY_MS {
            return Ok(None);
        }
        self.last_progress = now;
        Ok(Some(self.progress(self.offset, "reading")))
    }

    /// Once the header's node and edge counts are known, refuses a snapshot whose analysis
    /// would not fit in `HEAP_MEMORY_BUDGET`, before its arrays are read.
    fn check_budget(&mut self) -> Result<(), String> {
        let Some(p) = self.decoder.progress() else {
            return Ok(());
        };
        let (Some(nodes), Some(edges)) = (p.nodes.1, p.edges.1) else {
            return Ok(());
        };
        self.budget_checked = true;
        let need = peak_memory_estimate(nodes, edges);
        if need <= HEAP_MEMORY_BUDGET {
            return Ok(());
        }
        Err(format!(
            "too big for a browser tab: {nodes} objects and {edges} references need about {} of \
             memory to analyse, and a tab's WebAssembly memory stops at 4 GiB; run \
             `leakscope summary` on it from the command line instead",
            format_value(need as i64, "bytes")
        ))
    }

    /// The `LoadFailed` answer for this snapshot.
    pub fn failed(&self, message: String) -> Response {
        Response::LoadFailed {
            id: self.id,
            message,
        }
    }

    /// A progress message for this snapshot.
    fn progress(&self, done: u64, phase: &str) -> Response {
        Response::Progress {
            id: self.id,
            done,
            total: self.total,
            phase: phase.to_owned(),
        }
    }

    /// Ends decoding: the graph, warnings and phase clock, or the `LoadFailed` message. The
    /// waits for file data become a phase of their own.
    pub(super) fn finish_decoding(self) -> Result<(HeapGraph, Vec<String>, PhaseClock), String> {
        let HeapLoad {
            decoder,
            mut timings,
            reading_ms,
            inflated,
            ..
        } = self;
        let invalid = |e: DecodeError| format!("not a valid heap snapshot: {e}");
        let Decoded { content, warnings } = decoder.finish().map_err(invalid)?;
        let graph = content.into_heap().map_err(invalid)?;
        let waiting = match inflated {
            true => "reading and inflating the file",
            false => "reading the file",
        };
        timings.split(waiting, reading_ms);
        Ok((graph, warnings, timings))
    }
}

/// Per-phase wall times of a load, for the page's "loaded in" line and the benchmarks.
pub(super) struct PhaseClock {
    current: (String, f64),
    done: Vec<PhaseTime>,
}

impl PhaseClock {
    fn new(first: &str, now: f64) -> Self {
        PhaseClock {
            current: (first.to_owned(), now),
            done: Vec::new(),
        }
    }

    /// Ends the running phase at `now` and starts `phase`.
    pub(super) fn start(&mut self, phase: &str, now: f64) {
        let (name, started) = std::mem::replace(&mut self.current, (phase.to_owned(), now));
        self.done.push(PhaseTime {
            phase: name,
            ms: now - started,
        });
    }

    /// Moves `ms` of the running phase into a phase of its own named `part`, listed first
    /// (the waits for file data inside the decoding loop).
    fn split(&mut self, part: &str, ms: f64) {
        self.current.1 += ms;
        self.done.push(PhaseTime {
            phase: part.to_owned(),
            ms,
        });
    }

    /// Ends the running phase at `now` and returns them all.
    pub(super) fn finish(mut self, now: f64) -> Vec<PhaseTime> {
        self.start("", now);
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> String {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/heapsnapshot/node-leak-3.heapsnapshot"
        );
        std::fs::read_to_string(path).expect("heap snapshot fixture")
    }

    /// Sets the header's `"name":N` count to `value`.
    fn with_count(text: &str, name: &str, value: u64) -> String {
        let key = format!("\"{name}\":");
        let at = text.find(&key).expect("count in header") + key.len();
        let end = at + text[at..].find(|c: char| !c.is_ascii_digit()).unwrap_or(0);
        format!("{}{value}{}", &text[..at], &text[end..])
    }

    #[test]
    fn a_header_too_big_for_the_tab_is_refused_before_the_arrays() {
        let text = fixture();
        let big = with_count(
            &with_count(&text, "node_count", 40_000_000),
            "edge_count",
            130_000_000,
        );
        let mut load = HeapLoad::new(1, big.len() as u64, 0.0);
        let err = load
            .push(&big.as_bytes()[..64 << 10], 1.0)
            .expect_err("refused");
        assert!(err.contains("too big for a browser tab"), "{err}");
        assert!(err.contains("40000000 objects"), "{err}");
        // The real counts fit, and the whole file loads in slices.
        let mut load = HeapLoad::new(1, text.len() as u64, 0.0);
        for chunk in text.as_bytes().chunks(1 << 16) {
            load.push(chunk, 1.0).expect("fits");
        }
        assert!(load.read_all());
        let (graph, _, _) = load.finish_decoding().expect("decodes");
        assert!(
            peak_memory_estimate(graph.node_count() as u64, graph.edge_count() as u64)
                < HEAP_MEMORY_BUDGET
        );
    }
}
