//! Writes a Node-like V8 heap snapshot of N objects (default 10 M, ≈ 840 MB like the file measured
//! in FORMATS-AND-LIMITS §2.4) and, with `--time`, decodes and summarises it, printing timings.
//! Usage: `cargo run --profile cli --example synth_heapsnapshot -- OUT [NODES] [--time]`.

use std::io::{BufWriter, Write};
use std::time::Instant;

use leakscope::analysis::{heap_summary, HeapSummaryOptions};
use leakscope::formats::heapsnapshot::HeapSnapshotDecoder;

const META: &str = r#"{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape","wasm object"],"string","number","number","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],"trace_function_info_fields":[],"trace_node_fields":[],"sample_fields":[],"location_fields":["object_index","script_id","line","column"]},"#;

/// Each "record" is 4 nodes: an object `Item` (string, array, closure), mirroring §2.4's script.
fn write(path: &str, nodes: u64) -> std::io::Result<()> {
    let records = (nodes - 2) / 4;
    let n = 2 + records * 4;
    let edges = 1 + records + records * 4;
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    write!(w, "{META}\"node_count\":{n},\"edge_count\":{edges},\"trace_function_count\":0}},\n\"nodes\":[")?;
    // Strings: 0 <dummy>, 1 "", 2 (GC roots), 3 Item, 4 s, 5 a, 6 f, 7 Holder, 8 items, 9 value.
    writeln!(w, "9,1,1,0,1,0,0")?;
    writeln!(w, ",3,7,3,64,{records},0,0")?;
    for r in 0..records {
        let id = 5 + r * 8;
        writeln!(w, ",3,3,{id},32,3,0,0")?;
        writeln!(w, ",2,9,{},{},0,0,0", id + 2, 20 + r % 40)?;
        writeln!(w, ",1,1,{},32,1,0,0", id + 4)?;
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
    }
    write!(
        w,
        "],\n\"trace_function_infos\":[],\n\"trace_tree\":[],\n\"samples\":[],\n\"locations\":["
    )?;
    for r in 0..records {
        let sep = if r == 0 { "" } else { "," };
        write!(w, "{sep}{},1,{},5", (5 + r * 4) * 7, r % 1000)?;
    }
    write!(w, "],\n\"strings\":[\"<dummy>\",\n\"\",\n\"(GC roots)\",\n\"Item\",\n\"s\",\n\"a\",\n\"f\",\n\"Holder\",\n\"items\",\n\"value\"]}}")?;
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
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "synth.heapsnapshot".into());
    let nodes: u64 = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000_000);
    let time = args.iter().any(|a| a == "--time");
    if !std::path::Path::new(&path).exists() {
        let t = Instant::now();
        write(&path, nodes)?;
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
        let mut d = HeapSnapshotDecoder::with_size_hint(f.metadata()?.len());
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let k = f.read(&mut buf)?;
            if k == 0 {
                break;
            }
            d.push(&buf[..k]).map_err(std::io::Error::other)?;
        }
        let (g, _) = d.finish().map_err(std::io::Error::other)?;
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
