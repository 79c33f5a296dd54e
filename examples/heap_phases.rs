//! Times each phase of loading a V8 heap snapshot natively, as the page's worker runs them
//! (decode, then `heap_analysis_with`'s phases, the Summary, the statistics and the heap
//! profile), one line per phase, beside the floor: one pass over the file's bytes. A benchmark
//! aid, not part of the app.
//! Usage: `cargo run --profile cli --example heap_phases -- FILE`.

use std::cell::RefCell;
use std::time::Instant;

use leakscope::analysis::heap::{
    heap_analysis_with, heap_profile, statistics, summarize, HeapProfileOptions, HeapSummaryOptions,
};
use leakscope::formats::Decoder;

fn main() {
    let path = std::env::args().nth(1).expect("usage: heap_phases FILE");
    let total = Instant::now();
    // The running phase and when it started.
    let clock = RefCell::new(("read file".to_owned(), Instant::now()));
    let lap = |next: &str| {
        let (name, started) = clock.replace((next.to_owned(), Instant::now()));
        println!("{name:<30} {:>8.3} s", started.elapsed().as_secs_f64());
    };
    let bytes = std::fs::read(&path).expect("read");
    lap("floor: one pass over the bytes");
    // What any reader of the text must at least do: touch every byte once (here counting the
    // commas that separate the numbers); the phases below are measured against it.
    let commas = bytes.iter().filter(|&&b| b == b',').count();
    std::hint::black_box(commas);
    lap("decode");
    let mut d = Decoder::with_size_hint(bytes.len() as u64);
    for chunk in bytes.chunks(4 << 20) {
        d.push(chunk).expect("decode");
    }
    drop(bytes);
    let g = d
        .finish()
        .expect("finish")
        .content
        .into_heap()
        .expect("a heap snapshot");
    let a = heap_analysis_with(&g, &HeapSummaryOptions::default(), lap);
    lap("summary by constructor");
    let s = summarize(&g, &a);
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
