//! Recognises the pre-proto profile formats `go tool pprof` still reads (google/pprof
//! `profile/legacy_profile.go`, `legacy_java_profile.go`) and explains how to convert them.
//! It does not decode them: each becomes a `DecodeError` naming the format.

use super::DecodeError;

/// A legacy (non-profile.proto) profile format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LegacyFormat {
    /// Go `heap profile: … @ heap/N` text (`/debug/pprof/heap?debug=1`, `allocs?debug=1`).
    GoHeapText,
    /// C++ tcmalloc / jemalloc heap text (`heap profile: … @ heapz_v2/N`, `heap_v2/N`).
    NativeHeapText,
    /// Go count profile text other than goroutines (`threadcreate profile: total N`).
    GoCountText,
    /// Go mutex or block text (`--- mutex:` / `--- contention:`, `?debug=1`).
    GoContentionText,
    /// Java profiles in text form (`--- contentionz 1 ---`, `--- heapz 1 ---`).
    JavaText,
    /// gperftools or Java binary CPU profile (header words 0, 3, 0 or 1, period).
    GperftoolsCpu,
}

impl LegacyFormat {
    /// What a person calls this format.
    pub fn describe(self) -> &'static str {
        match self {
            LegacyFormat::GoHeapText => {
                "a legacy Go heap profile in text form (`heap profile: ...`, what /debug/pprof/heap?debug=1 serves)"
            }
            LegacyFormat::NativeHeapText => "a legacy tcmalloc/jemalloc heap profile in text form (`heap profile: ... heapz_v2`)",
            LegacyFormat::GoCountText => {
                "a legacy Go count profile in text form (e.g. `threadcreate profile: total N`, ?debug=1)"
            }
            LegacyFormat::GoContentionText => {
                "a legacy Go mutex/block (contention) profile in text form (`--- contention:`, ?debug=1)"
            }
            LegacyFormat::JavaText => "a legacy Java profile in text form (`--- contentionz` / `--- heapz`)",
            LegacyFormat::GperftoolsCpu => "a legacy binary CPU profile (gperftools or Java)",
        }
    }
}

/// The legacy format of `bytes`, if it is one.
pub fn sniff(bytes: &[u8]) -> Option<LegacyFormat> {
    if is_gperftools_cpu(bytes) {
        return Some(LegacyFormat::GperftoolsCpu);
    }
    let first_line = bytes.split(|&c| c == b'\n').next().unwrap_or(&[]);
    let line = String::from_utf8_lossy(&first_line[..first_line.len().min(200)]);
    let line = line.trim();
    if let Some(rest) = line.strip_prefix("heap profile:") {
        return Some(if rest.contains("@ heap/") || rest.ends_with("@ heap") {
            LegacyFormat::GoHeapText
        } else {
            LegacyFormat::NativeHeapText
        });
    }
    if let Some((name, _)) = line.split_once(" profile: total ") {
        if !name.is_empty() && name != "goroutine" && !name.contains(' ') {
            return Some(LegacyFormat::GoCountText);
        }
    }
    if line.starts_with("--- contention:")
        || line.starts_with("--- mutex:")
        || line.starts_with("--- block:")
    {
        return Some(LegacyFormat::GoContentionText);
    }
    if line.starts_with("--- ") && line.ends_with(" ---") {
        return Some(LegacyFormat::JavaText);
    }
    None
}

/// The error telling the user what the file is and how to get profile.proto from it.
pub fn error(kind: LegacyFormat) -> DecodeError {
    let how = match kind {
        LegacyFormat::GperftoolsCpu | LegacyFormat::NativeHeapText => {
            "convert it with `go tool pprof -proto BINARY FILE > out.pb.gz` (BINARY is the profiled program, for symbols)"
        }
        LegacyFormat::JavaText => "convert it with `go tool pprof -proto FILE > out.pb.gz`",
        _ => {
            "fetch the profile without `?debug=1` (Go then serves profile.proto), or convert this file with `go tool pprof -proto FILE > out.pb.gz`"
        }
    };
    DecodeError::new(format!(
        "this is {}; leakscope reads profile.proto (and goroutine text dumps): {how}",
        kind.describe()
    ))
}

/// gperftools' CPU header is the words 0 (header count), 3 (header words), 0 (version),
/// period, 0 (padding), in the machine's word size and byte order (`legacy_profile.go`
/// `parseCPU`, which tries 64/32-bit little/big endian); Java's binary CPU profile has the
/// same layout with version 1 (corpus `google-pprof_java.cpu.legacy-binary-cpu`).
fn is_gperftools_cpu(bytes: &[u8]) -> bool {
    for width in [8usize, 4] {
        if bytes.len() < 3 * width {
            continue;
        }
        let word = |i: usize| &bytes[i * width..(i + 1) * width];
        let zero = |i: usize| word(i).iter().all(|&b| b == 0);
        let small = |i: usize, v: u8| {
            let w = word(i);
            (w[0] == v && w[1..].iter().all(|&b| b == 0))
                || (w[width - 1] == v && w[..width - 1].iter().all(|&b| b == 0))
        };
        if zero(0) && small(1, 3) && (small(2, 0) || small(2, 1)) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_legacy_headers() {
        assert_eq!(
            sniff(b"heap profile: 1: 2 [3: 4] @ heap/1048576\n"),
            Some(LegacyFormat::GoHeapText)
        );
        assert_eq!(
            sniff(b"heap profile:  1:  2 [ 3:  4] @ heapz_v2/524288\n"),
            Some(LegacyFormat::NativeHeapText)
        );
        assert_eq!(
            sniff(b"threadcreate profile: total 7\n"),
            Some(LegacyFormat::GoCountText)
        );
        assert_eq!(sniff(b"goroutine profile: total 7\n"), None);
        assert_eq!(
            sniff(b"--- contention:\ncycles/second=1\n"),
            Some(LegacyFormat::GoContentionText)
        );
        assert_eq!(
            sniff(b"--- contentionz 1 ---\n"),
            Some(LegacyFormat::JavaText)
        );
        assert_eq!(
            sniff(&[0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x27, 0, 0]),
            Some(LegacyFormat::GperftoolsCpu)
        );
        assert_eq!(sniff(b"\x0a\x02\x08\x01"), None);
        assert!(error(LegacyFormat::GoHeapText)
            .message
            .contains("go tool pprof -proto"));
    }
}
