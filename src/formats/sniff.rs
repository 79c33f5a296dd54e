//! Format detection from the first bytes of a file, never from its name (speedscope's
//! "unknown" check). It only classifies; the decoders judge whether the rest is well formed.

use super::legacy::{self, LegacyFormat};
use super::DecodeError;

/// What the bytes of a file look like.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Format {
    /// Zero bytes.
    Empty,
    /// gzip (`1f 8b`): inflate, then sniff again.
    Gzip,
    /// Something that starts like a profile.proto message.
    Proto,
    /// `/debug/pprof/goroutine?debug=1` text (`goroutine profile: total N`).
    GoroutineDebug1,
    /// `/debug/pprof/goroutine?debug=2` text or a crash dump (`goroutine N [status]:`).
    GoroutineDebug2,
    /// A V8 `.heapsnapshot` (JSON starting with `{"snapshot"`).
    HeapSnapshot,
    /// One of the formats `go tool pprof` reads besides profile.proto.
    Legacy(LegacyFormat),
    /// Not a profile; the string says what it looks like instead ("" when unknown).
    Other(&'static str),
}

/// Magic numbers of common non-profile files, to say what a wrong file is.
const MAGICS: &[(&[u8], &str)] = &[
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a zip archive: unzip it first"),
    (
        b"\x28\xb5\x2f\xfd",
        "zstd-compressed data: decompress it with `zstd -d` first",
    ),
    (
        b"BZh",
        "bzip2-compressed data: decompress it with `bunzip2` first",
    ),
    (
        b"\xfd7zXZ\x00",
        "xz-compressed data: decompress it with `xz -d` first",
    ),
    (
        b"\x7fELF",
        "an ELF executable or library, not a profile of one",
    ),
    (
        b"PERFILE2",
        "a Linux perf.data file: convert it with `perf_to_profile` first",
    ),
    (b"FLR\x00", "a Java Flight Recorder (JFR) recording"),
];

/// Classifies `bytes` by their content.
pub fn sniff(bytes: &[u8]) -> Format {
    if bytes.is_empty() {
        return Format::Empty;
    }
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return Format::Gzip;
    }
    let text = skip_bom_and_space(bytes);
    if let Some(rest) = text.strip_prefix(b"{") {
        return if skip_bom_and_space(rest).starts_with(b"\"snapshot\"") {
            Format::HeapSnapshot
        } else {
            Format::Other("a JSON file, but not a V8 heap snapshot")
        };
    }
    if text.starts_with(b"goroutine profile: total ") {
        return Format::GoroutineDebug1;
    }
    if let Some(kind) = legacy::sniff(bytes) {
        return Format::Legacy(kind);
    }
    if let Some((_, what)) = MAGICS.iter().find(|(magic, _)| bytes.starts_with(magic)) {
        return Format::Other(what);
    }
    // Text before protobuf: letters are valid field keys (`h` is field 13), while real
    // profile.proto bytes are full of small length and id bytes that text never holds.
    if looks_like_text(bytes) {
        if has_goroutine_header(text) {
            return Format::GoroutineDebug2;
        }
        return Format::Other(
            "a text file, but not a goroutine dump or a profile format leakscope knows",
        );
    }
    if starts_like_profile_proto(bytes) {
        return Format::Proto;
    }
    Format::Other("")
}

/// True when `head` (a file's first bytes, or all of them) opens a V8 heap snapshot, gzipped
/// or not. A gzip head is inflated as far as it goes: a stream cut short, as a head is, still
/// yields its first bytes, and only those are sniffed. Callers use this to pick the streaming
/// heap-snapshot decoder before reading the whole file.
pub fn is_heap_snapshot(head: &[u8]) -> bool {
    is_heap_snapshot_in(head, 0)
}

/// `is_heap_snapshot` under `layers` gzip layers already inflated (`MAX_GZIP_NESTING` at most,
/// as `formats::decode` unwraps).
fn is_heap_snapshot_in(head: &[u8], layers: usize) -> bool {
    match sniff(head) {
        Format::HeapSnapshot => true,
        Format::Gzip if layers < super::MAX_GZIP_NESTING => {
            use std::io::Read;
            let mut inflated = Vec::new();
            let mut gz = flate2::read::MultiGzDecoder::new(head).take(4096);
            let mut buf = [0u8; 512];
            while let Ok(n) = gz.read(&mut buf) {
                if n == 0 {
                    break;
                }
                inflated.extend_from_slice(&buf[..n]);
            }
            is_heap_snapshot_in(&inflated, layers + 1)
        }
        _ => false,
    }
}

/// The error for a file that is not a profile, saying what it looks like when known.
pub fn not_a_profile(what: &str) -> DecodeError {
    let base = "not a profile: the bytes are neither gzip, profile.proto, a goroutine dump nor a heap snapshot";
    if what.is_empty() {
        DecodeError::new(base)
    } else {
        DecodeError::new(format!("{base} (this looks like {what})"))
    }
}

fn skip_bom_and_space(bytes: &[u8]) -> &[u8] {
    let b = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    &b[start..]
}

/// True when the first 4 KiB are UTF-8-ish text: no NUL and few control bytes.
fn looks_like_text(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let control = head
        .iter()
        .filter(|&&c| c < 0x20 && !matches!(c, b'\n' | b'\r' | b'\t'))
        .count();
    !head.contains(&0) && control * 100 <= head.len()
}

/// True when one of the first 200 lines is a `goroutine N [...]:` header, as in
/// `/debug/pprof/goroutine?debug=2` output or a panic message followed by the stacks.
fn has_goroutine_header(text: &[u8]) -> bool {
    text.split(|&c| c == b'\n')
        .take(200)
        .any(is_goroutine_header)
}

/// `goroutine 12 [chan receive, 5 minutes]:` (tolerating extra words before the bracket, as
/// `GOTRACEBACK=system` prints `gp=… m=…`).
pub(crate) fn is_goroutine_header(line: &[u8]) -> bool {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let Some(rest) = line.strip_prefix(b"goroutine ") else {
        return false;
    };
    rest.first().is_some_and(u8::is_ascii_digit) && rest.contains(&b'[') && line.ends_with(b":")
}

/// True when the bytes open with a profile.proto field key of the right wire type (fields 1–15,
/// `google/pprof proto/profile.proto`), or an unknown field above 15 (newer producers).
fn starts_like_profile_proto(bytes: &[u8]) -> bool {
    let mut key: u64 = 0;
    for (i, &b) in bytes.iter().take(10).enumerate() {
        key |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            let (field, wire) = (key >> 3, key & 7);
            return match field {
                1..=6 | 11 => wire == 2,
                13 => wire == 0 || wire == 2,
                7..=10 | 12 | 14 | 15 => wire == 0,
                16..=536_870_911 => matches!(wire, 0 | 1 | 2 | 5),
                _ => false,
            };
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        assert_eq!(sniff(b""), Format::Empty);
        assert_eq!(sniff(b"\x1f\x8b\x08\x00"), Format::Gzip);
        assert_eq!(
            sniff(b"goroutine profile: total 3\n"),
            Format::GoroutineDebug1
        );
        assert_eq!(
            sniff(b"goroutine 1 [running]:\nmain.main()\n"),
            Format::GoroutineDebug2
        );
        assert_eq!(
            sniff(b"panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n"),
            Format::GoroutineDebug2
        );
        assert_eq!(sniff(b"  {\n \"snapshot\": {}}"), Format::HeapSnapshot);
        assert_eq!(sniff(b"\x0a\x04\x08\x01\x10\x02"), Format::Proto);
        assert_eq!(
            sniff(b"\xff\xd8\xff\xe0\x00\x10JFIF"),
            Format::Other("a JPEG image")
        );
        assert!(matches!(sniff(b"hello world\n"), Format::Other(s) if s.contains("text")));
        assert_eq!(sniff(b"\x00\x01\x02"), Format::Other(""));
    }

    #[test]
    fn goroutine_headers_are_tolerant() {
        assert!(is_goroutine_header(
            b"goroutine 7 [select, 12 minutes, locked to thread]:"
        ));
        assert!(is_goroutine_header(
            b"goroutine 7 gp=0xc000 m=nil [running]:\r"
        ));
        assert!(!is_goroutine_header(b"goroutine profile: total 4"));
        assert!(!is_goroutine_header(b"goroutine x [running]:"));
    }
}
