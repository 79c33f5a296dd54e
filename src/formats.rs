//! Decoders: bytes in, `model` out. `decode` (a file held whole) and `Decoder` (a file pushed
//! in chunks, so a big heap snapshot is never held whole) are the one way in for every format:
//! they sniff the bytes (never the file name) and hand them to one format's decoder, and return
//! a `Profile` (pprof, goroutine dumps) or a `HeapGraph` (V8 heap snapshots). Decoders never
//! panic on input: fatal problems are `Err(DecodeError)` with a message a person understands,
//! oddities are `warnings`. Nothing here analyses what was decoded.

use std::fmt;

use crate::model::{HeapGraph, Profile};

mod goroutine_text;
mod gzip;
pub mod heapsnapshot;
mod legacy;
mod pprof;
mod sniff;
mod stream;

pub use gzip::{gunzip, gzip_error, MAX_INFLATED_BYTES};
pub use heapsnapshot::{split_numbers, DecodePhase, DecodeProgress, Split};
pub use legacy::LegacyFormat;
pub use pprof::synthetic_heap_profile;
pub use sniff::{is_heap_snapshot, sniff, Format};
pub use stream::Decoder;

/// A successfully decoded file.
#[derive(Debug)]
pub struct Decoded {
    /// What the file holds.
    pub content: Content,
    /// Recoverable oddities worth telling the user (dropped samples, bad indices, …).
    pub warnings: Vec<String>,
}

/// What a decoded file holds.
// One per file, moved a few times: boxing the bigger `Profile` header would only add a
// dereference to every caller.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Content {
    /// A pprof profile or a goroutine dump.
    Profile(Profile),
    /// A V8 heap snapshot's object graph (`analysis::heap` computes what DevTools shows).
    Heap(HeapGraph),
}

impl Decoded {
    /// The profile of a pprof file or goroutine dump; `None` for a heap snapshot.
    pub fn profile(&self) -> Option<&Profile> {
        match &self.content {
            Content::Profile(p) => Some(p),
            Content::Heap(_) => None,
        }
    }

    /// The graph of a heap snapshot; `None` for anything else.
    pub fn heap(&self) -> Option<&HeapGraph> {
        match &self.content {
            Content::Heap(g) => Some(g),
            Content::Profile(_) => None,
        }
    }
}

impl Content {
    /// The profile, for a caller that reads profiles only: a heap snapshot is an error saying
    /// so.
    pub fn into_profile(self) -> Result<Profile, DecodeError> {
        match self {
            Content::Profile(p) => Ok(p),
            Content::Heap(_) => Err(DecodeError::new(
                "this is a V8 heap snapshot, not a pprof profile or goroutine dump",
            )),
        }
    }

    /// The heap graph, for a caller that reads heap snapshots only: anything else is an error
    /// saying so.
    pub fn into_heap(self) -> Result<HeapGraph, DecodeError> {
        match self {
            Content::Heap(g) => Ok(g),
            Content::Profile(_) => Err(DecodeError::new(
                "not a V8 heap snapshot (this is a pprof profile or goroutine dump)",
            )),
        }
    }
}

/// Why a file could not be decoded, in words a person understands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// The message shown to the user (without the file name: callers add it).
    pub message: String,
}

impl DecodeError {
    /// An error with `message`.
    pub fn new(message: impl Into<String>) -> Self {
        DecodeError {
            message: message.into(),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DecodeError {}

/// Gzip inside gzip is unwrapped this many times at most (a `.pb.gz.gz` or a `.heapsnapshot.gz`
/// gzipped again by a log shipper happens; deeper nesting is a decompression trick, not a
/// profile). The streaming heap-snapshot decoder and `is_heap_snapshot` keep the same bound.
pub(crate) const MAX_GZIP_NESTING: usize = 2;

/// The error for gzip found inside `MAX_GZIP_NESTING` layers of gzip.
pub(crate) fn gzip_nested_too_deep() -> DecodeError {
    DecodeError::new(
        "gzip nested inside gzip too many times: leakscope unwraps two layers of gzip at most \
         (a .gz.gz file), and this has a third; inflate it with `gunzip` first",
    )
}

/// Decodes any supported file from its bytes. A heap snapshot (plain, gzipped or gzipped
/// twice) goes through the streaming decoder, so a gzipped one is inflated as it is scanned,
/// never held inflated whole; `Decoder` does the same for a file read in chunks.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    decode_with(bytes, &mut |_| {})
}

/// `decode`, calling `lap(phase)` as each phase of a pprof decode begins (`inflate`,
/// `decode protobuf`, `resolve frames`, `intern stacks`), so a caller with a clock can time
/// them (`examples/pprof_phases.rs`); other formats report no phases.
pub fn decode_with(bytes: &[u8], lap: &mut dyn FnMut(&str)) -> Result<Decoded, DecodeError> {
    if is_heap_snapshot(bytes) {
        return decode_heap(bytes);
    }
    let mut decoded = decode_nested(bytes, 0, lap)?;
    if let Content::Profile(profile) = &mut decoded.content {
        // Building is over: drop the stack trie's lookup table (about half its memory).
        profile.stacks.seal();
    }
    Ok(decoded)
}

/// A whole heap snapshot, gzipped up to `MAX_GZIP_NESTING` times, through the streaming
/// decoder.
fn decode_heap(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    let (graph, warnings) = heapsnapshot::decode_heap_snapshot(bytes)?;
    Ok(Decoded {
        content: Content::Heap(graph),
        warnings,
    })
}

fn decode_nested(
    bytes: &[u8],
    depth: usize,
    lap: &mut dyn FnMut(&str),
) -> Result<Decoded, DecodeError> {
    match sniff(bytes) {
        Format::Empty if depth > 0 => Err(DecodeError::new(
            "the gzip file holds no data (it inflates to 0 bytes)",
        )),
        Format::Empty => Err(DecodeError::new("the file is empty")),
        Format::Gzip if depth >= MAX_GZIP_NESTING => Err(gzip_nested_too_deep()),
        Format::Gzip => {
            lap("inflate");
            let inflated = gunzip(bytes, MAX_INFLATED_BYTES)?;
            if sniff(&inflated) == Format::Proto {
                // The common `.pb.gz`: hand over the buffer so it is freed before resolving.
                return pprof::decode_owned(inflated, lap);
            }
            decode_nested(&inflated, depth + 1, lap)
        }
        Format::GoroutineDebug1 => goroutine_text::decode_debug1(bytes),
        Format::GoroutineDebug2 => goroutine_text::decode_debug2(bytes),
        // Inflated bytes whose head `is_heap_snapshot` did not see (whitespace before the
        // `{"snapshot"`); plain JSON, so no gzip layers are added to the ones unwrapped here.
        Format::HeapSnapshot => decode_heap(bytes),
        Format::Legacy(kind) => Err(legacy::error(kind)),
        Format::Proto => pprof::decode(bytes, lap),
        Format::Other(hint) => Err(sniff::not_a_profile(hint)),
    }
}
