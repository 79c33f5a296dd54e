//! profile.proto (`google/pprof proto/profile.proto`): prost decodes the wire format into
//! `messages`, `resolve` turns ids and string indices into the model, `kind` names the profile.
//! Legacy text and binary pprof formats are not read here (see `legacy`).

mod id_index;
mod kind;
mod messages;
mod resolve;
mod strings;

use prost::Message;

use super::{DecodeError, Decoded};

/// Decodes uncompressed profile.proto bytes; `lap` is told as each phase begins.
pub fn decode(bytes: &[u8], lap: &mut dyn FnMut(&str)) -> Result<Decoded, DecodeError> {
    lap("decode protobuf");
    let raw = messages::Profile::decode(bytes).map_err(|e| wire_error(bytes, &e))?;
    resolve::resolve(raw, lap)
}

/// Decodes uncompressed profile.proto bytes it owns, freeing them as soon as the messages are
/// parsed (an inflated 100 MB `.pb.gz` is ~650 MB that need not live through `resolve`).
pub fn decode_owned(bytes: Vec<u8>, lap: &mut dyn FnMut(&str)) -> Result<Decoded, DecodeError> {
    lap("decode protobuf");
    let raw = messages::Profile::decode(bytes.as_slice()).map_err(|e| wire_error(&bytes, &e))?;
    drop(bytes);
    resolve::resolve(raw, lap)
}

/// Explains a protobuf wire error: a cut-off file is the common case and gets its own words.
fn wire_error(bytes: &[u8], e: &prost::DecodeError) -> DecodeError {
    if top_level_ends_early(bytes) {
        DecodeError::new("profile.proto data ends early: the file was cut off (truncated)")
    } else {
        DecodeError::new(format!(
            "not a valid profile.proto (the file is damaged, or not a profile at all): {e}"
        ))
    }
}

/// Walks the top-level fields (key, then a varint, fixed or length-prefixed value) and reports
/// whether the last one runs past the end of the bytes, i.e. the message was cut off.
fn top_level_ends_early(bytes: &[u8]) -> bool {
    let mut at = 0usize;
    while at < bytes.len() {
        let Some((key, n)) = varint(&bytes[at..]) else {
            return true;
        };
        at += n;
        let len = match key & 7 {
            0 => match varint(bytes.get(at..).unwrap_or(&[])) {
                Some((_, n)) => n as u64,
                None => return true,
            },
            1 => 8,
            5 => 4,
            2 => match varint(bytes.get(at..).unwrap_or(&[])) {
                Some((len, n)) => {
                    at += n;
                    len
                }
                None => return true,
            },
            _ => return false,
        };
        match at.checked_add(len as usize) {
            Some(end) if end <= bytes.len() && len <= bytes.len() as u64 => at = end,
            _ => return true,
        }
    }
    false
}

/// A base-128 varint at the start of `b` and its length; `None` if it does not end in `b`.
fn varint(b: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, &byte) in b.iter().take(10).enumerate() {
        v |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_cut_off_messages() {
        // field 6 (string_table), length 5, but only 2 bytes follow.
        assert!(top_level_ends_early(&[0x32, 0x05, b'a', b'b']));
        assert!(top_level_ends_early(&[0x48, 0x80]));
        assert!(!top_level_ends_early(&[0x32, 0x00, 0x48, 0x01]));
        let err = decode(&[0x32, 0x00, 0x12, 0x09, 0x08], &mut |_| {}).unwrap_err();
        assert!(err.message.contains("truncated"), "{err}");
    }
}
