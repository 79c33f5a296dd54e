//! Decoders: bytes in, `model` out. `decode` sniffs the bytes (never the file name) and hands
//! them to one format's decoder. Decoders never panic on input: fatal problems are
//! `Err(DecodeError)` with a message a person understands, oddities are `warnings`.

use std::fmt;

use crate::model::Profile;

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
        DecodeError { message: message.into() }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DecodeError {}

/// Decodes any supported file from its bytes.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    let _ = bytes;
    Err(DecodeError::new("no decoder yet"))
}
