//! Writes a Node-like V8 heap snapshot of N objects (default 10 M) and, with `--time`, decodes and
//! summarises it, printing timings. `--edges-per-node 3.26` gives the real file's shape
//! (FORMATS-AND-LIMITS §2.4: 10 M nodes, 33 M edges, ≈ 840 MB); the default is 1.25 (≈ 430 MB).
//! Usage: `cargo run --profile cli --example synth_heapsnapshot -- OUT [NODES] [--edges-per-node R] [--time]`.

use std::io::{BufWriter, Write};

use leakscope::formats::heapsnapshot::write_synthetic;
use std::time::Instant;

use leakscope::analysis::{heap_summary, HeapSummaryOptions};
use leakscope::formats::Decoder;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| {
                l.split_whitespace()
                    .nth(1)
                    .unwrap_or("0")
                    .parse()
                    .unwrap_or(0)
            })
        })
        .unwrap_or(0)
}

fn main() -> std::io::Result<()> {
    let mut positional = Vec::new();
    let mut time = false;
    let mut edges_per_node = 1.25_f64;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--time" => time = true,
            "--edges-per-node" => {
                edges_per_node = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|v: &f64| *v >= 1.25)
                    .ok_or_else(|| {
                        std::io::Error::other("--edges-per-node needs a number >= 1.25")
                    })?;
            }
            _ => positional.push(a),
        }
    }
    let path = positional
        .first()
        .cloned()
        .unwrap_or_else(|| "synth.heapsnapshot".into());
    let nodes: u64 = positional
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000_000);
    // Per record of 4 nodes: 5 fixed edges (holder → Item, Item → s/a/f, array → s).
    let extra = (edges_per_node * 4.0 - 5.0).max(0.0);
    if !std::path::Path::new(&path).exists() {
        let t = Instant::now();
        let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
        write_synthetic(&mut w, nodes, extra)?;
        w.flush()?;
        eprintln!(
            "wrote {path} ({} bytes) in {:.1?}",
            std::fs::metadata(&path)?.len(),
            t.elapsed()
        );
    }
    if time {
        use std::io::Read;
        let t = Instant::now();
        let mut f = std::fs::File::open(&path)?;
        let mut d = Decoder::with_size_hint(f.metadata()?.len());
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let k = f.read(&mut buf)?;
            if k == 0 {
                break;
            }
            d.push(&buf[..k]).map_err(std::io::Error::other)?;
        }
        let g = d
            .finish()
            .and_then(|d| d.content.into_heap())
            .map_err(std::io::Error::other)?;
        let decoded = t.elapsed();
        let t2 = Instant::now();
        let s = heap_summary(&g, &HeapSummaryOptions::default());
        eprintln!(
            "{} nodes, {} edges: decode {:.2?}, summary {:.2?}, peak RSS {} MiB; top class {:?}",
            g.node_count(),
            g.edge_count(),
            decoded,
            t2.elapsed(),
            rss_kib() / 1024,
            s.classes
                .first()
                .map(|c| (&c.name, c.count, c.retained_size))
        );
    }
    Ok(())
}
