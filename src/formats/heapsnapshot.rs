//! V8 heap snapshots (`.heapsnapshot`, optionally gzipped) → `model::HeapGraph`, streaming: the
//! caller pushes the file in chunks and the decoder never holds its text (FORMATS-AND-LIMITS §2.1,
//! §3.1). It does not compute anything DevTools shows (distances, sizes, names): see `analysis`.

mod fast_records;
mod header;
mod scanner;
mod synth;

use std::io::Write;

use flate2::write::MultiGzDecoder;
use serde::{Deserialize, Serialize};

use super::{gzip_error, gzip_nested_too_deep, DecodeError, MAX_GZIP_NESTING};
use crate::model::HeapGraph;
pub use fast_records::split_numbers;
use scanner::Scanner;
pub use synth::write_synthetic;

/// Chunk size `decode_heap_snapshot` feeds (1 MiB, like memlab's reads).
pub const CHUNK_BYTES: usize = 1 << 20;

/// What the decoder is reading, for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DecodePhase {
    /// The `snapshot` header (meta, counts).
    Header,
    /// The `nodes` array.
    Nodes,
    /// The `edges` array.
    Edges,
    /// The `locations` array.
    Locations,
    /// The `strings` array.
    Strings,
    /// Sections leakscope skips (`trace_tree`, `samples`, …) or punctuation between sections.
    Other,
    /// The closing brace was read.
    Done,
}

/// How far decoding has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecodeProgress {
    /// Bytes pushed so far (compressed bytes for a gzip file).
    pub bytes_in: u64,
    /// Plain JSON bytes scanned so far (equal to `bytes_in` unless gzipped).
    pub bytes_plain: u64,
    /// The section being read.
    pub phase: DecodePhase,
    /// Nodes read, and how many the header announces.
    pub nodes: (u64, Option<u64>),
    /// Edges read, and how many the header announces.
    pub edges: (u64, Option<u64>),
}

/// Receives inflated bytes from the gzip layer and decodes them (a snapshot, or gzip again:
/// `.heapsnapshot.gz.gz` happens), keeping the first error (the `Write` trait can only return
/// `io::Error`).
struct Sink {
    inner: HeapSnapshotDecoder,
    error: Option<DecodeError>,
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.error.is_some() {
            return Err(std::io::Error::other("stopped"));
        }
        if let Err(e) = self.inner.push(buf) {
            self.error = Some(e);
            return Err(std::io::Error::other("stopped"));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

enum Input {
    /// Fewer than 2 bytes seen: gzip or not is still unknown.
    Sniffing(Vec<u8>),
    Plain(Box<Scanner>),
    Gzip(Box<MultiGzDecoder<Sink>>),
}

/// A slice of the file whose number-array bytes were parsed ahead on another thread
/// (`split_numbers`, which the CLI's reading thread runs): `lead` and `tail` are its first and
/// last bytes, read as text, and `numbers` the numbers of the `middle` bytes between them.
#[derive(Clone, Copy, Debug)]
pub struct Split<'a> {
    lead: &'a [u8],
    numbers: &'a [u32],
    middle: u64,
    tail: &'a [u8],
}

impl<'a> Split<'a> {
    /// `slice` split at what `split_numbers` returned for it, `numbers` what it parsed (other
    /// positions than its may panic).
    pub fn of(slice: &'a [u8], (first, last): (usize, usize), numbers: &'a [u32]) -> Self {
        let tail = last.max(first + 1);
        Split {
            lead: &slice[..=first],
            numbers,
            middle: (tail - first - 1) as u64,
            tail: &slice[tail..],
        }
    }
}

/// A streaming heap-snapshot decoder: `push` chunks of any size, then `finish`.
pub struct HeapSnapshotDecoder {
    input: Input,
    bytes_in: u64,
    size_hint: Option<u64>,
    /// Gzip layers around this one's input.
    layers: usize,
}

impl Default for HeapSnapshotDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl HeapSnapshotDecoder {
    /// A decoder for a file of unknown size.
    pub fn new() -> Self {
        HeapSnapshotDecoder {
            input: Input::Sniffing(Vec::new()),
            bytes_in: 0,
            size_hint: None,
            layers: 0,
        }
    }

    /// How many times its size a gzipped snapshot is assumed to inflate to at most, when
    /// bounding what its header may make the decoder reserve (they inflate about 8x:
    /// FORMATS-AND-LIMITS §2.4, 840 MB → 110 MB).
    pub const GZIP_RATIO_BOUND: u64 = 16;

    /// A decoder told the file's size, so a header that lies about its counts cannot make it
    /// reserve more memory than the file could fill.
    pub fn with_size_hint(file_bytes: u64) -> Self {
        HeapSnapshotDecoder {
            size_hint: Some(file_bytes),
            ..Self::new()
        }
    }

    /// Feeds the next chunk of the file.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), DecodeError> {
        self.bytes_in += chunk.len() as u64;
        if let Input::Sniffing(head) = &mut self.input {
            head.extend_from_slice(chunk);
            if head.len() < 2 {
                return Ok(());
            }
            let head = std::mem::take(head);
            self.start(&head[..2])?;
            return self.feed(&head);
        }
        self.feed(chunk)
    }

    /// True while the decoder is inside a number array of plain (not gzipped) text, where it
    /// takes a slice parsed ahead (`push_split`) when the slice starts there.
    pub fn takes_numbers(&self) -> bool {
        matches!(&self.input, Input::Plain(s) if s.takes_numbers())
    }

    /// Feeds the next slice of the file, its numbers parsed ahead; `takes_numbers` must have
    /// said yes before it, and `split` be one `split_numbers` accepts.
    pub fn push_split(&mut self, split: &Split) -> Result<(), DecodeError> {
        self.push(split.lead)?;
        let Input::Plain(scanner) = &mut self.input else {
            return Err(DecodeError::new(
                "numbers parsed ahead arrived for a gzipped file (a leakscope bug)",
            ));
        };
        scanner.push_numbers(split.numbers, split.middle)?;
        self.bytes_in += split.middle;
        self.push(split.tail)
    }

    fn start(&mut self, magic: &[u8]) -> Result<(), DecodeError> {
        let gzip = magic == [0x1f, 0x8b];
        // Gzip inside gzip is unwrapped as many times as `formats::decode` unwraps it.
        if gzip && self.layers >= MAX_GZIP_NESTING {
            return Err(gzip_nested_too_deep());
        }
        let plain_cap = self.size_hint.map(|s| {
            if gzip {
                s.saturating_mul(Self::GZIP_RATIO_BOUND)
            } else {
                s
            }
        });
        self.input = if gzip {
            let inner = HeapSnapshotDecoder {
                size_hint: plain_cap,
                layers: self.layers + 1,
                ..Self::new()
            };
            let sink = Sink { inner, error: None };
            Input::Gzip(Box::new(MultiGzDecoder::new(sink)))
        } else {
            Input::Plain(Box::new(Scanner::new(plain_cap)))
        };
        Ok(())
    }

    fn feed(&mut self, chunk: &[u8]) -> Result<(), DecodeError> {
        match &mut self.input {
            Input::Sniffing(_) => Ok(()),
            Input::Plain(scanner) => scanner.push(chunk),
            Input::Gzip(gz) => match gz.write_all(chunk) {
                Ok(()) => Ok(()),
                Err(e) => Err(gz.get_mut().error.take().unwrap_or_else(|| gzip_error(&e))),
            },
        }
    }

    /// Where decoding is.
    pub fn progress(&self) -> DecodeProgress {
        let scanner = match &self.input {
            Input::Sniffing(_) => None,
            Input::Plain(s) => Some(&**s),
            Input::Gzip(gz) => {
                return DecodeProgress {
                    bytes_in: self.bytes_in,
                    ..gz.get_ref().inner.progress()
                }
            }
        };
        let (nodes, edges, node_count, edge_count) =
            scanner.map_or((0, 0, None, None), Scanner::counts);
        DecodeProgress {
            bytes_in: self.bytes_in,
            bytes_plain: scanner.map_or(0, Scanner::bytes),
            phase: scanner.map_or(DecodePhase::Header, Scanner::phase),
            nodes: (nodes, node_count),
            edges: (edges, edge_count),
        }
    }

    /// Ends the input: checks the file was complete and consistent and returns the graph and
    /// any warnings.
    pub fn finish(mut self) -> Result<(HeapGraph, Vec<String>), DecodeError> {
        if let Input::Sniffing(head) = &mut self.input {
            let head = std::mem::take(head);
            if head.is_empty() {
                return Err(DecodeError::new("the file is empty"));
            }
            self.start(&head)?;
            self.feed(&head)?;
        }
        match self.input {
            Input::Sniffing(_) => Err(DecodeError::new("the file is empty")),
            Input::Plain(scanner) => scanner.finish(),
            Input::Gzip(mut gz) => {
                if let Err(e) = gz.try_finish() {
                    return Err(gz.get_mut().error.take().unwrap_or_else(|| gzip_error(&e)));
                }
                let sink = gz.finish().map_err(|e| gzip_error(&e))?;
                sink.inner.finish()
            }
        }
    }
}

/// Decodes a whole snapshot held in memory (feeds it in `CHUNK_BYTES` chunks).
pub fn decode_heap_snapshot(bytes: &[u8]) -> Result<(HeapGraph, Vec<String>), DecodeError> {
    let mut d = HeapSnapshotDecoder::with_size_hint(bytes.len() as u64);
    for chunk in bytes.chunks(CHUNK_BYTES) {
        d.push(chunk)?;
    }
    d.finish()
}
