//! Decoders: bytes in, `model` out. `decode` sniffs the bytes (never the file name) and hands
//! them to one format's decoder. Decoders never panic on input: fatal problems are
//! `Err(DecodeError)` with a message a person understands, oddities are `warnings`.

use std::fmt;

use crate::model::Profile;

mod goroutine_text;
mod gzip;
pub mod heapsnapshot;
mod legacy;
mod pprof;
mod sniff;

pub use gzip::{gunzip, MAX_INFLATED_BYTES};
pub use legacy::LegacyFormat;
pub use sniff::{is_heap_snapshot, sniff, Format};

/// A successfully decoded file.
#[derive(Debug)]
pub struct Decoded {
    /// The profile the file holds.
    pub profile: Profile,
    /// Recoverable oddities worth telling the user (dropped samples, bad indices, …).
    pub warnings: Vec<String>,
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

/// Gzip inside gzip is unwrapped this many times at most (a `.pb.gz.gz` happens; deeper nesting
/// is a decompression trick, not a profile).
const MAX_GZIP_NESTING: usize = 2;

/// Decodes any supported file from its bytes.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    decode_with(bytes, &mut |_| {})
}

/// `decode`, calling `lap(phase)` as each phase of a pprof decode begins (`inflate`,
/// `decode protobuf`, `resolve frames`, `intern stacks`), so a caller with a clock can time
/// them (`examples/pprof_phases.rs`); other formats report no phases.
pub fn decode_with(bytes: &[u8], lap: &mut dyn FnMut(&str)) -> Result<Decoded, DecodeError> {
    let mut decoded = decode_nested(bytes, 0, lap)?;
    // Building is over: drop the stack trie's lookup table (about half its memory).
    decoded.profile.stacks.seal();
    Ok(decoded)
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
        Format::Gzip if depth >= MAX_GZIP_NESTING => Err(DecodeError::new(
            "gzip nested inside gzip too many times: this is not a profile",
        )),
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
        Format::HeapSnapshot => Err(DecodeError::new(
            "this is a V8 heap snapshot (.heapsnapshot); V8 heap snapshots are not supported yet",
        )),
        Format::Legacy(kind) => Err(legacy::error(kind)),
        Format::Proto => pprof::decode(bytes, lap),
        Format::Other(hint) => Err(sniff::not_a_profile(hint)),
    }
}
