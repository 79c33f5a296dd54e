//! Bad input never panics the decoders: random bytes, and every fixture and corpus file cut at
//! many points or with bytes flipped, must give `Ok` or an `Err` with a message. Cut gzip files
//! must say they were truncated.

use std::path::Path;

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
