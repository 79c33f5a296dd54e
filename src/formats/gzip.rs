//! gzip inflation for `.pb.gz` files (and anything else gzipped), multi-member like Go's
//! `gzip.Reader`, with a cap on the inflated size so a decompression bomb fails cleanly.

use std::io::{ErrorKind, Read};

use flate2::read::MultiGzDecoder;

use super::DecodeError;

/// The most bytes `decode` inflates from one gzip file (2 GiB). Real Go profiles inflate about
/// 6.5× (FORMATS-AND-LIMITS §3.3), so this allows gzip files of a few hundred MB, and it keeps
/// the inflated buffer inside a 32-bit wasm memory.
pub const MAX_INFLATED_BYTES: u64 = 2 << 30;

/// Inflates gzip `bytes` (all members), failing past `limit` inflated bytes.
pub fn gunzip(bytes: &[u8], limit: u64) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::with_capacity(capacity_hint(bytes, limit));
    let mut reader = MultiGzDecoder::new(bytes).take(limit.saturating_add(1));
    match reader.read_to_end(&mut out) {
        Ok(_) if out.len() as u64 > limit => Err(DecodeError::new(format!(
            "the gzip data inflates to more than {} MiB, the most leakscope reads (a decompression bomb?)",
            limit >> 20
        ))),
        Ok(_) => Ok(out),
        Err(e) => Err(gzip_error(&e)),
    }
}

/// The error for gzip data that failed to inflate (also for the streaming heap-snapshot
/// decoder, and for a caller that inflates a file itself, on a thread of its own).
pub fn gzip_error(e: &std::io::Error) -> DecodeError {
    if e.kind() == ErrorKind::UnexpectedEof {
        return DecodeError::new("gzip data ends early: the file was cut off (truncated)");
    }
    DecodeError::new(format!("the gzip data is damaged: {e}"))
}

/// The last member's ISIZE trailer (inflated size mod 2^32, RFC 1952 §2.3.1) sizes the buffer;
/// it is only a hint, capped so a lying trailer cannot reserve much.
fn capacity_hint(bytes: &[u8], limit: u64) -> usize {
    let Some(tail) = bytes.len().checked_sub(4).and_then(|at| bytes.get(at..)) else {
        return 0;
    };
    let isize = u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]) as u64;
    let plausible = (bytes.len() as u64).saturating_mul(32);
    isize.min(limit).min(plausible) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{write::GzEncoder, Compression};
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn inflates_all_members() {
        let mut both = gz(b"hello ");
        both.extend(gz(b"world"));
        assert_eq!(gunzip(&both, 1 << 20).unwrap(), b"hello world");
    }

    #[test]
    fn truncation_and_bombs_are_errors() {
        let data = gz(&vec![b'a'; 100_000]);
        for cut in [3, 10, data.len() / 2, data.len() - 1] {
            let err = gunzip(&data[..cut], 1 << 20).unwrap_err();
            assert!(
                err.message.contains("truncated") || err.message.contains("damaged"),
                "{cut}: {err}"
            );
        }
        let err = gunzip(&data, 1000).unwrap_err();
        assert!(err.message.contains("more than"), "{err}");
    }
}
