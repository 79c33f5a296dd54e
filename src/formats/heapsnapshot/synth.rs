//! A synthetic Node-like V8 heap snapshot of any size, written as V8 writes one: the benchmarks' big
//! inputs and the worker's warm-up (see `session::warm_up`). Not a test oracle.

use std::io::Write;

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

/// Writes a Node-like V8 heap snapshot of about `nodes` nodes (at least 6) to `w`, for
/// benchmarks and for warming up the worker's code (`session::warm_up`).
/// Each "record" is 4 nodes: an object `Item` or `Object` (string, array, closure), mirroring
/// §2.4's script.
/// The array holds its own string plus `extra` elements (on average) pointing at other records'
/// objects and strings, which raises edges per node to `(5 + extra) / 4`.
pub fn write_synthetic(w: &mut impl Write, nodes: u64, extra: f64) -> std::io::Result<()> {
    let records = (nodes.max(6) - 2) / 4;
    let n = 2 + records * 4;
    let extra_total = (records as f64 * extra).floor() as u64;
    let edges = 2 + records + records * 4 + extra_total;
    write!(w, "{META}\"node_count\":{n},\"edge_count\":{edges},\"trace_function_count\":0}},\n\"nodes\":[")?;
    // Strings: 0 <dummy>, 1 "", 2 (GC roots), 3 Item, 4 s, 5 a, 6 f, 7 Holder, 8 items, 9 value,
    // then one "item value R" per record, then "Object".
    // The root holds the Holder twice, as an element and as a shortcut (as Node's root holds
    // its global objects), so the objects below it are page-owned, as in a real snapshot.
    writeln!(w, "9,1,1,0,2,0,0")?;
    writeln!(w, ",3,7,3,64,{records},0,0")?;
    for r in 0..records {
        // Neighbouring records trade ids, so ids are not in node order (V8's are not either).
        let slot = if r ^ 1 < records { r ^ 1 } else { r };
        let id = 5 + slot * 8;
        // Every other object is a plain `Object` (strings[10 + records]), whose name DevTools
        // infers from its properties, as it does for most objects of a real heap.
        let name = if r % 2 == 1 { 10 + records } else { 3 };
        writeln!(w, ",3,{name},{id},32,3,0,0")?;
        // Each string has its own value (strings[10 + r]), as real heaps' strings mostly do.
        writeln!(w, ",2,{},{},{},0,0,0", 10 + r, id + 2, 20 + r % 40)?;
        let k = 1 + extra_edges(r, extra);
        writeln!(w, ",1,1,{},{},{k},0,0", id + 4, 24 + 8 * k)?;
        writeln!(w, ",5,6,{},32,0,0,0", id + 6)?;
    }
    write!(w, "],\n\"edges\":[1,1,7,5,7,7")?;
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
    write!(w, ",\n\"Object\"]}}")
}
