//! profile.proto (`google/pprof proto/profile.proto`): prost decodes the wire format into
//! `messages`, `resolve` turns ids and string indices into the model, `kind` names the profile.
//! Legacy text and binary pprof formats are not read here (see `legacy`).

mod id_index;
mod kind;
mod messages;
mod resolve;
mod strings;
mod synth;

use super::{DecodeError, Decoded};
pub use synth::synthetic_heap_profile;

/// Decodes uncompressed profile.proto bytes; `lap` is told as each phase begins.
pub fn decode(bytes: &[u8], lap: &mut dyn FnMut(&str)) -> Result<Decoded, DecodeError> {
    lap("decode protobuf");
    let (raw, samples) = messages::decode(bytes)?;
    resolve::resolve(raw, samples, lap)
}

/// Decodes uncompressed profile.proto bytes it owns, freeing them as soon as the messages are
/// parsed (an inflated 100 MB `.pb.gz` is ~650 MB that need not live through `resolve`).
pub fn decode_owned(bytes: Vec<u8>, lap: &mut dyn FnMut(&str)) -> Result<Decoded, DecodeError> {
    lap("decode protobuf");
    let (raw, samples) = messages::decode(&bytes)?;
    drop(bytes);
    resolve::resolve(raw, samples, lap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_cut_off_messages() {
        let truncated = |bytes: &[u8]| match decode(bytes, &mut |_| {}) {
            Err(e) => e.message.contains("truncated"),
            Ok(_) => false,
        };
        // field 6 (string_table), length 5, but only 2 bytes follow.
        assert!(truncated(&[0x32, 0x05, b'a', b'b']));
        // field 9 (time_nanos), a varint that does not end.
        assert!(truncated(&[0x48, 0x80]));
        // A sample (field 2) of 9 bytes, cut off after 1.
        assert!(truncated(&[0x32, 0x00, 0x12, 0x09, 0x08]));
        assert!(!truncated(&[0x32, 0x00, 0x48, 0x01]));
    }
}
