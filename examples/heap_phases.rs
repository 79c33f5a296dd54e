//! Times each phase of loading a V8 heap snapshot natively, as the page's worker runs them
//! (decode, then `heap_analysis_with`'s phases, the Summary, the statistics and the heap
//! profile), one line per phase, beside the floor: one pass over the file's bytes. A benchmark
//! aid, not part of the app.
//! Usage: `cargo run --profile cli --example heap_phases -- FILE [--decode-only RUNS [WARM]]`;
//! with `--decode-only`, it decodes the file RUNS times and prints each time, nothing else;
//! given a small snapshot WARM, it decodes that first, as the page's warm-up does, so the
//! first run of FILE is timed in optimized code but in fresh memory, as in the page. With
//! `--split RUNS`, it splits every slice first (`split_numbers`, as the CLI's reading thread
//! does) and times that and the decoder's share apart. Built
//! for `wasm32-wasip1`, it runs in Node (`scripts/wasi-run.mjs`), the page's engine.

use std::cell::RefCell;
use std::io::Read;
use std::time::Instant;

use leakscope::analysis::heap::{
    heap_analysis_with, heap_profile, heap_profile_totals, max_js_node_id, snapshot_runtime,
    statistics, summarize, HeapProfileOptions, HeapSummaryOptions,
};
use leakscope::formats::{split_numbers, Decoder, Split};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .expect("usage: heap_phases FILE [--decode-only RUNS [WARM]]")
        .clone();
    let decode_only = match args.get(2).map(String::as_str) {
        Some("--decode-only") => Some(args.get(3).and_then(|n| n.parse().ok()).unwrap_or(3)),
        _ => None,
    };
    if args.get(2).map(String::as_str) == Some("--split") {
        let runs = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(3);
        return split_runs(&path, runs);
    }
    let total = Instant::now();
    // The running phase and when it started.
    // The floor is what any reader of the text must at least do: read the file and touch every
    // byte once (here counting the commas that separate the numbers); the phases are measured
    // against it. Decoding reads the file again, so its time includes a second read.
    let clock = RefCell::new(("floor: read, one pass".to_owned(), Instant::now()));
    let lap = |next: &str| {
        let (name, started) = clock.replace((next.to_owned(), Instant::now()));
        println!("{name:<30} {:>8.3} s", started.elapsed().as_secs_f64());
    };
    let size = std::fs::metadata(&path).expect("stat").len();
    let slices = || slices_of(&path);
    let decode_file = |path: &str, size: u64| {
        let mut d = Decoder::with_size_hint(size);
        for s in slices_of(path) {
            d.push(&s).expect("decode");
        }
        d.finish()
            .expect("finish")
            .content
            .into_heap()
            .expect("a heap snapshot")
    };
    let decode = || decode_file(&path, size);
    if let Some(runs) = decode_only {
        if let Some(warm) = args.get(4) {
            let started = Instant::now();
            let w = decode_file(warm, std::fs::metadata(warm).expect("stat").len());
            println!(
                "warm {:.3} s, {} nodes",
                started.elapsed().as_secs_f64(),
                w.node_count()
            );
        }
        for _ in 0..runs {
            let started = Instant::now();
            let g = decode();
            println!(
                "decode {:.3} s, {} nodes",
                started.elapsed().as_secs_f64(),
                g.node_count()
            );
        }
        return;
    }
    let mut commas = 0;
    for s in slices() {
        commas += s.iter().filter(|&&b| b == b',').count();
    }
    std::hint::black_box(commas);
    lap("decode");
    let g = decode();
    let a = heap_analysis_with(&g, &HeapSummaryOptions::default(), lap);
    lap("summary by constructor");
    let s = summarize(&g, &a);
    // The rest of the page's "summary by constructor" phase (`Heaps::finish_load`).
    lap("  + runtime, highest id, totals");
    std::hint::black_box((
        snapshot_runtime(&g),
        max_js_node_id(&g),
        heap_profile_totals(&g, &a),
    ));
    lap("statistics");
    let st = statistics(&g, &a);
    lap("heap profile");
    let p = heap_profile(&g, &a, &HeapProfileOptions::default());
    lap("");
    println!(
        "total {:.3} s; {} nodes, {} classes, total size {}, {} stat bytes, {} profile stacks",
        total.elapsed().as_secs_f64(),
        s.node_count,
        s.classes.len(),
        s.total_size,
        st.total,
        p.samples.len()
    );
}

/// `--split`: each run reads the whole file in 4 MiB slices, splits every slice
/// (`split_numbers`, timed as "split"), then decodes them, taking the parsed numbers wherever
/// the decoder is inside a number array (timed as "decode").
fn split_runs(path: &str, runs: usize) {
    let size = std::fs::metadata(path).expect("stat").len();
    let slices: Vec<Vec<u8>> = slices_of(path).collect();
    for _ in 0..runs {
        let started = Instant::now();
        let parsed: Vec<_> = slices
            .iter()
            .map(|s| {
                let mut numbers = Vec::new();
                split_numbers(s, &mut numbers).map(|at| (at, numbers))
            })
            .collect();
        let split = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let mut d = Decoder::with_size_hint(size);
        let mut taken = 0;
        for (s, p) in slices.iter().zip(&parsed) {
            match p {
                Some((at, numbers)) if d.takes_numbers() => {
                    taken += 1;
                    d.push_split(&Split::of(s, *at, numbers)).expect("decode")
                }
                _ => d.push(s).expect("decode"),
            }
        }
        let g = d
            .finish()
            .expect("finish")
            .content
            .into_heap()
            .expect("heap");
        println!(
            "split {split:.3} s ({} of {} slices), decode {:.3} s, {} nodes",
            taken,
            slices.len(),
            started.elapsed().as_secs_f64(),
            g.node_count()
        );
    }
}

/// The file in 4 MiB slices, as the worker gets it from its reader and the CLI from disk, so
/// the whole file is never held (and the example runs under WASI too).
fn slices_of(path: &str) -> impl Iterator<Item = Vec<u8>> {
    let mut f = std::fs::File::open(path).expect("open");
    let mut buf = vec![0; 4 << 20];
    std::iter::from_fn(move || {
        let n = f.read(&mut buf).expect("read");
        (n > 0).then(|| buf[..n].to_vec())
    })
}
