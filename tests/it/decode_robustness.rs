//! Bad input never panics the decoders: random bytes, and every fixture and corpus file cut at
//! many points or with bytes flipped, must give `Ok` or an `Err` with a message. Cut gzip files
//! must say they were truncated.

use std::path::Path;

use leakscope::formats::heapsnapshot::HeapSnapshotDecoder;
use leakscope::formats::{decode, gunzip, MAX_INFLATED_BYTES};

use crate::support::{corpus, files_in, fixture};

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A fixed-seed xorshift64 generator: reproducible noise without a `rand` dependency.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    for round in 0..2000 {
        let len = rng.below(if round % 10 == 0 { 4096 } else { 64 });
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        match round % 4 {
            1 if len >= 2 => bytes[..2].copy_from_slice(&[0x1f, 0x8b]),
            2 if len >= 1 => bytes[0] = 0x0a,
            _ => {}
        }
        if let Err(e) = decode(&bytes) {
            assert!(!e.message.is_empty());
        }
    }
}

/// Every cut of `bytes` at `cuts` evenly spaced points, and `flips` single-byte flips.
fn mangle(name: &str, bytes: &[u8], cuts: usize, flips: usize, rng: &mut XorShift) {
    let gz = bytes.starts_with(&[0x1f, 0x8b]);
    for k in 0..cuts {
        let cut = bytes.len() * k / cuts;
        match decode(&bytes[..cut]) {
            Err(e) if gz && cut >= 10 => {
                assert!(e.message.contains("truncated"), "{name} cut at {cut}: {e}")
            }
            Err(e) => assert!(!e.message.is_empty()),
            Ok(_) => {}
        }
    }
    let mut copy = bytes.to_vec();
    for _ in 0..flips {
        let at = rng.below(copy.len());
        let old = copy[at];
        copy[at] ^= 1 << rng.below(8);
        let _ = decode(&copy);
        copy[at] = old;
    }
}

#[test]
fn cut_and_flipped_files_never_panic() {
    let mut rng = XorShift(42);
    let mut paths = files_in(&fixture("pprof"));
    // A heap snapshot goes through `decode` too (the raw rounds below mangle its JSON).
    paths.push(fixture("heapsnapshot/node-leak-3.heapsnapshot.gz"));
    if let Some(corpus) = corpus() {
        paths.extend(files_in(&corpus.join("pprof")));
        paths.extend(files_in(&corpus.join("pprof/legacy")));
    }
    for path in paths
        .iter()
        .filter(|p| !p.to_string_lossy().ends_with(".decoded.txt"))
    {
        let name = path.display().to_string();
        let bytes = read(path);
        // Big files get fewer rounds so the debug-build test stays quick.
        let (cuts, flips) = if bytes.len() > 200_000 {
            (6, 4)
        } else {
            (50, 50)
        };
        mangle(&name, &bytes, cuts, flips, &mut rng);
        if bytes.starts_with(&[0x1f, 0x8b]) {
            // Also damage the protobuf inside, which gzip's CRC would otherwise catch first.
            let raw = gunzip(&bytes, MAX_INFLATED_BYTES).unwrap();
            mangle(&name, &raw, cuts, flips, &mut rng);
        }
    }
}

// Regression tests for what `scripts/fuzz.sh` (libFuzzer on the three decoders) found.

/// A small valid heap snapshot (one node, no edges), for the fuzz regressions to damage.
const SNAPSHOT_HEAD: &str = r#"{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count"],"node_types":[["hidden","object"],"string","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["element","property"],"string_or_number","node"]},"node_count":1,"edge_count":0},
"nodes":["#;

/// The heap snapshot decoder's error for `bytes` pushed in `chunk`-byte pieces.
fn heap_error(bytes: &[u8], chunk: usize) -> String {
    let mut d = HeapSnapshotDecoder::new();
    for c in bytes.chunks(chunk) {
        if let Err(e) = d.push(c) {
            return e.message;
        }
    }
    match d.finish() {
        Ok(_) => panic!("decoded; an error was expected"),
        Err(e) => e.message,
    }
}

/// Fuzzing found: an unexpected byte was reported at the offset of the chunk it came in, not at
/// its own (`at byte 0` for a file pushed in one piece, another offset for each chunk size or
/// for the same file gzipped). Now it is the byte's own offset in the plain JSON, however the
/// file arrives.
#[test]
fn fuzz_heap_snapshot_error_offsets_do_not_depend_on_chunks() {
    for (tail, bad, what) in [
        ("9,1,1,0,0t]", 't', "the nodes array"),
        ("]x", 'x', "the top-level object"),
    ] {
        let text = format!("{SNAPSHOT_HEAD}{tail}");
        let at = text.rfind(bad).unwrap();
        let want = format!(
            "this is not a valid V8 heap snapshot: unexpected {bad:?} in {what} at byte {at}"
        );
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, text.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        for chunk in [1, 2, 7, 64, 1 << 20] {
            assert_eq!(
                heap_error(text.as_bytes(), chunk),
                want,
                "{chunk}-byte chunks"
            );
            assert_eq!(heap_error(&gz, chunk), want, "gzipped, {chunk}-byte chunks");
        }
    }
}
