//! Decoders: bytes in, `model` out. `decode` sniffs the bytes (never the file name) and hands
//! them to one format's decoder. Decoders never panic on input: fatal problems are
//! `Err(DecodeError)` with a message a person understands, oddities are `warnings`.
