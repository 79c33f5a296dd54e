//! Writes a Node-like V8 heap snapshot of N objects (default 10 M) and, with `--time`, decodes and
//! summarises it, printing timings. `--edges-per-node 3.26` gives the real file's shape
//! (FORMATS-AND-LIMITS §2.4: 10 M nodes, 33 M edges, ≈ 840 MB); the default is 1.25 (≈ 430 MB).
//! Usage: `cargo run --profile cli --example synth_heapsnapshot -- OUT [NODES] [--edges-per-node R] [--time]`.

use std::io::{BufWriter, Write};
use std::time::Instant;

use leakscope::analysis::{heap_summary, HeapSummaryOptions};
use leakscope::formats::Decoder;

const META: &str = r#"{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape","wasm object"],"string","number","number","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],"trace_function_info_fields":[],"trace_node_fields":[],"sample_fields":[],"location_fields":["object_index","script_id","line","column"]},"#;

/// Extra array elements of record `r` so that the whole file averages `extra` per record
/// (the fractional part is spread evenly: floor((r+1)x) - floor(rx)).
fn extra_edges(r: u64, extra: f64) -> u64 {
    ((r + 1) as f64 * extra).floor() as u64 - (r as f64 * extra).floor() as u64
}

/// The record that extra element `j` of record `r` points into: a fixed pseudo-random spread,
/// so references cross the whole heap (as real ones do) and `to_node` values are large.
fn target_record(r: u64, j: u64, records: u64) -> u64 {
    (r.wrapping_mul(2_654_435_761) ^ (j + 1).wrapping_mul(40_503)) % records
}

/// Each "record" is 4 nodes: an object `Item` (string, array, closure), mirroring §2.4's script.
/// The array holds its own string plus `extra` elements (on average) pointing at other records'
/// objects and strings, which raises edges per node to `(5 + extra) / 4`.
fn write(path: &str, nodes: u64, extra: f64) -> std::io::Result<()> {
    let records = (nodes.max(6) - 2) / 4;
    let n = 2 + records * 4;
    let extra_total = (records as f64 * extra).floor() as u64;
    let edges = 1 + records + records * 4 + extra_total;
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    write!(w, "{META}\"node_count\":{n},\"edge_count\":{edges},\"trace_function_count\":0}},\n\"nodes\":[")?;
    // Strings: 0 <dummy>, 1 "", 2 (GC roots), 3 Item, 4 s, 5 a, 6 f, 7 Holder, 8 items, 9 value,
    // then one "item value R" per record.
    writeln!(w, "9,1,1,0,1,0,0")?;
    writeln!(w, ",3,7,3,64,{records},0,0")?;
    for r in 0..records {
        let id = 5 + r * 8;
        writeln!(w, ",3,3,{id},32,3,0,0")?;
        // Each string has its own value (strings[10 + r]), as real heaps' strings mostly do.
        writeln!(w, ",2,{},{},{},0,0,0", 10 + r, id + 2, 20 + r % 40)?;
        let k = 1 + extra_edges(r, extra);
        writeln!(w, ",1,1,{},{},{k},0,0", id + 4, 24 + 8 * k)?;
        writeln!(w, ",5,6,{},32,0,0,0", id + 6)?;
    }
    write!(w, "],\n\"edges\":[1,1,7")?;
    for r in 0..records {
        write!(w, ",\n2,8,{}", (2 + r * 4) * 7)?;
    }
    for r in 0..records {
        let base = (2 + r * 4) * 7;
        write!(
            w,
            ",\n2,4,{},2,5,{},2,6,{},1,0,{}",
            base + 7,
            base + 14,
            base + 21,
            base + 7
        )?;
        for j in 0..extra_edges(r, extra) {
            let q = target_record(r, j, records);
            // Even elements point at another Item, odd ones at another record's string.
            let to = (2 + q * 4) * 7 + if j % 2 == 0 { 0 } else { 7 };
            write!(w, ",1,{},{to}", j + 1)?;
        }
    }
    write!(
        w,
        "],\n\"trace_function_infos\":[],\n\"trace_tree\":[],\n\"samples\":[],\n\"locations\":["
    )?;
    for r in 0..records {
        let sep = if r == 0 { "" } else { "," };
        write!(w, "{sep}{},1,{},5", (5 + r * 4) * 7, r % 1000)?;
    }
    write!(w, "],\n\"strings\":[\"<dummy>\",\n\"\",\n\"(GC roots)\",\n\"Item\",\n\"s\",\n\"a\",\n\"f\",\n\"Holder\",\n\"items\",\n\"value\"")?;
    for r in 0..records {
        write!(w, ",\n\"item value {r}\"")?;
    }
    write!(w, "]}}")?;
    w.flush()
}

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
        write(&path, nodes, extra)?;
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
