//! Bench helper: writes a large synthetic Go-like heap profile (profile.proto, gzipped at Go's
//! BestSpeed level) with about a million distinct stacks, for decode and top benchmarks.
//! Its protobuf writer is independent of our decoder on purpose; it is not a test oracle.
//!
//! `cargo run --release --example synth_pprof -- OUT.pb.gz [--stacks N] [--functions N] [--seed N]`

use std::io::Write;

/// Appends `v` as a protobuf varint.
fn varint(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push((v as u8) | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

/// Appends a varint field.
fn field_varint(buf: &mut Vec<u8>, field: u32, v: u64) {
    varint(buf, u64::from(field) << 3);
    varint(buf, v);
}

/// Appends a length-delimited field.
fn field_bytes(buf: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    varint(buf, (u64::from(field) << 3) | 2);
    varint(buf, bytes.len() as u64);
    buf.extend_from_slice(bytes);
}

/// Appends a packed repeated varint field.
fn field_packed(
    buf: &mut Vec<u8>,
    field: u32,
    values: impl Iterator<Item = u64>,
    scratch: &mut Vec<u8>,
) {
    scratch.clear();
    for v in values {
        varint(scratch, v);
    }
    field_bytes(buf, field, scratch);
}

/// A small deterministic generator (xorshift64*), so runs are repeatable without a rand crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first().cloned() else {
        eprintln!("usage: synth_pprof OUT.pb.gz [--stacks N] [--functions N] [--seed N]");
        std::process::exit(2);
    };
    let opt = |name: &str, default: u64| -> u64 {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let n_stacks = opt("--stacks", 1_000_000);
    let n_functions = opt("--functions", 40_000).max(16);
    let mut rng = Rng(opt("--seed", 0x9E37_79B9_7F4A_7C15) | 1);

    // String table: "" first (profile.proto requires it), then the names we reference.
    let mut strings: Vec<String> = vec![String::new()];
    let intern = |s: String, strings: &mut Vec<String>| -> u64 {
        strings.push(s);
        (strings.len() - 1) as u64
    };
    let mut body = Vec::with_capacity(256 << 20);
    let mut msg = Vec::new();
    let mut scratch = Vec::new();

    for (name, unit) in [
        ("alloc_objects", "count"),
        ("alloc_space", "bytes"),
        ("inuse_objects", "count"),
        ("inuse_space", "bytes"),
    ] {
        msg.clear();
        let t = intern(name.to_owned(), &mut strings);
        let u = intern(unit.to_owned(), &mut strings);
        field_varint(&mut msg, 1, t);
        field_varint(&mut msg, 2, u);
        field_bytes(&mut body, 1, &msg);
    }

    // One function and one location per function; location ids equal function ids (dense, as Go).
    let files: Vec<u64> = (0..200)
        .map(|i| {
            intern(
                format!("github.com/acme/shop/pkg{i}/file{i}.go"),
                &mut strings,
            )
        })
        .collect();
    for f in 1..=n_functions {
        let name = intern(
            format!(
                "github.com/acme/shop/pkg{}.(*Type{}).Method{}",
                f % 200,
                f % 977,
                f
            ),
            &mut strings,
        );
        msg.clear();
        field_varint(&mut msg, 1, f);
        field_varint(&mut msg, 2, name);
        field_varint(&mut msg, 3, name);
        field_varint(&mut msg, 4, files[(f % 200) as usize]);
        field_varint(&mut msg, 5, 10 + f % 500);
        field_bytes(&mut body, 5, &msg);

        let mut line = Vec::new();
        field_varint(&mut line, 1, f);
        field_varint(&mut line, 2, 12 + f % 700);
        msg.clear();
        field_varint(&mut msg, 1, f);
        field_varint(&mut msg, 2, 1);
        field_varint(&mut msg, 3, 0x40_0000 + f * 64);
        field_bytes(&mut msg, 4, &line);
        field_bytes(&mut body, 4, &msg);
    }

    // Stacks: a few hundred shared "entry" prefixes (like HTTP handlers), then random callees,
    // so the trie has realistic sharing near the root and ~all stacks are distinct.
    let prefixes: Vec<Vec<u64>> = (0..300)
        .map(|_| {
            (0..4 + rng.below(6))
                .map(|_| 1 + rng.below(n_functions))
                .collect()
        })
        .collect();
    let mut stack = Vec::new();
    for _ in 0..n_stacks {
        stack.clear();
        stack.extend_from_slice(&prefixes[rng.below(prefixes.len() as u64) as usize]);
        for _ in 0..16 + rng.below(40) {
            stack.push(1 + rng.below(n_functions));
        }
        let objects = 1 + rng.below(64);
        let size = objects * (16 << rng.below(6));
        let live = rng.below(objects + 1);
        msg.clear();
        // Leaf first, as profile.proto says.
        field_packed(&mut msg, 1, stack.iter().rev().copied(), &mut scratch);
        field_packed(
            &mut msg,
            2,
            [objects, size, live, live * (size / objects)].into_iter(),
            &mut scratch,
        );
        field_bytes(&mut body, 2, &msg);
    }

    msg.clear();
    let space = intern("space".to_owned(), &mut strings);
    let bytes = intern("bytes".to_owned(), &mut strings);
    field_varint(&mut msg, 1, space);
    field_varint(&mut msg, 2, bytes);
    field_bytes(&mut body, 11, &msg);
    field_varint(&mut body, 12, 512 * 1024);
    field_varint(&mut body, 9, 1_764_000_000_000_000_000);
    // Go writes the string table last; so do we.
    for s in &strings {
        field_bytes(&mut body, 6, s.as_bytes());
    }

    let file = std::fs::File::create(&out).unwrap_or_else(|e| {
        eprintln!("synth_pprof: {out}: {e}");
        std::process::exit(1);
    });
    let mut gz =
        flate2::write::GzEncoder::new(std::io::BufWriter::new(file), flate2::Compression::fast());
    gz.write_all(&body)
        .and_then(|_| gz.finish().map(|_| ()))
        .unwrap_or_else(|e| {
            eprintln!("synth_pprof: {out}: {e}");
            std::process::exit(1);
        });
    let gz_len = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
    println!(
        "{out}: {n_stacks} samples, {n_functions} functions, {} MB raw, {} MB gzipped",
        body.len() >> 20,
        gz_len >> 20
    );
}
