//! Times each phase of `leakscope top` on one pprof file natively, as the CLI runs them (read,
//! inflate, protobuf decode, frames, stack interning, refine, aggregate, the top table, the
//! text; then what the page's worker computes instead of the text), one line per phase, beside the floor: a plain byte scan of the file and of its
//! inflated bytes. A benchmark aid, not part of the app.
//! Usage: `cargo run --profile cli --example pprof_phases -- FILE [--sample-index N]`.

use std::cell::RefCell;
use std::hint::black_box;
use std::time::Instant;

use leakscope::analysis::{
    aggregate, pprof_top, refine, report_total, top_stacks, top_table, top_text, Measure,
    RefineOptions, ReportOptions, TopTextOptions,
};
use leakscope::formats::{decode_with, gunzip, MAX_INFLATED_BYTES};

/// A plain pass over every byte (summed, so it cannot be skipped): the floor any decoder of
/// these bytes pays at least once.
fn byte_scan(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(0u64, |sum, &b| sum.wrapping_add(u64::from(b)))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .expect("usage: pprof_phases FILE [--sample-index N]");
    let wanted: Option<usize> = args
        .iter()
        .position(|a| a == "--sample-index")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok());

    // The floor, timed on its own first (the file is then in the page cache for both).
    let bytes = std::fs::read(path).expect("read");
    let started = Instant::now();
    black_box(byte_scan(black_box(&bytes)));
    let scan_file = started.elapsed().as_secs_f64();
    let inflated = if bytes.starts_with(&[0x1f, 0x8b]) {
        gunzip(&bytes, MAX_INFLATED_BYTES).expect("gunzip")
    } else {
        bytes.clone()
    };
    let started = Instant::now();
    black_box(byte_scan(black_box(&inflated)));
    let scan_inflated = started.elapsed().as_secs_f64();
    let inflated_len = inflated.len();
    drop(inflated);
    drop(bytes);
    println!(
        "{:<30} {:>8.3} s   ({} bytes)",
        "floor: byte scan of the file",
        scan_file,
        std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
    );
    println!(
        "{:<30} {:>8.3} s   ({inflated_len} bytes)",
        "floor: byte scan, inflated", scan_inflated
    );

    let total = Instant::now();
    // The running phase and when it started.
    let clock = RefCell::new(("read file".to_owned(), Instant::now()));
    let lap = |next: &str| {
        let (name, started) = clock.replace((next.to_owned(), Instant::now()));
        println!("{name:<30} {:>8.3} s", started.elapsed().as_secs_f64());
    };
    let bytes = std::fs::read(path).expect("read");
    let decoded = decode_with(&bytes, &mut |phase| lap(phase)).expect("decode");
    drop(bytes);
    let profile = decoded.content.into_profile().expect("a profile");
    lap("refine (no filters)");
    let index = wanted.unwrap_or(profile.default_sample_type);
    let report_sum = report_total(&profile, index);
    let refined = refine(&profile, &RefineOptions::default()).expect("refine");
    lap("aggregate");
    let options = ReportOptions {
        sample_index: index,
        ..Default::default()
    };
    let agg = aggregate(&[&refined], &options);
    lap("top table (walk, rank, marks)");
    let mut table = pprof_top(&agg, Measure::Column(0), 0.005, 0.001, 20);
    table.total = report_sum;
    lap("print");
    let text = top_text(
        &table,
        &TopTextOptions {
            node_count: 20,
            ..Default::default()
        },
    );
    black_box(&text);
    // What the page's worker computes instead of the text: every row's marks and the stacks.
    lap("page: top table + stacks");
    black_box(top_table(&agg, Measure::Column(0)));
    black_box(top_stacks(&agg, Measure::Column(0), 50));
    lap("");
    println!(
        "total {:.3} s; {} samples, {} stack rows, {} frames, {} tree nodes, {} report nodes",
        total.elapsed().as_secs_f64(),
        profile.samples.len(),
        profile.stacks.len(),
        profile.frames.len(),
        agg.len(),
        agg.nodes.len()
    );
}
