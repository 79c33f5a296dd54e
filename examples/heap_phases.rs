//! Times each phase of loading a V8 heap snapshot natively (decode, DOM state, distances,
//! shallow sizes, essential edges, dominators, class names, summary, statistics, heap profile)
//! and prints one line per phase; a benchmark aid, not part of the app.

use std::time::Instant;

use leakscope::analysis::heap::{
    class_names, distances, dom_states, dominator_tree, essential_edges, heap_profile,
    shallow_sizes, statistics, summarize, ClassNameOptions, EssentialEdgeContext, HeapAnalysis,
    HeapProfileOptions,
};
use leakscope::formats::heapsnapshot::HeapSnapshotDecoder;

fn main() {
    let path = std::env::args().nth(1).expect("usage: heap_phases FILE");
    let total = Instant::now();
    let mut t = Instant::now();
    let mut lap = |name: &str| {
        println!("{name:<22} {:>8.3} s", t.elapsed().as_secs_f64());
        t = Instant::now();
    };
    let bytes = std::fs::read(&path).expect("read");
    lap("read file");
    let mut d = HeapSnapshotDecoder::with_size_hint(bytes.len() as u64);
    for chunk in bytes.chunks(4 << 20) {
        d.push(chunk).expect("decode");
    }
    drop(bytes);
    let (g, _) = d.finish().expect("finish");
    lap("decode");
    let states = dom_states(&g);
    lap("dom states");
    let dist = distances(&g);
    lap("distances");
    let shallow = shallow_sizes(&g);
    lap("shallow sizes");
    let cx = EssentialEdgeContext::new(&g);
    lap("essential context");
    let essential = essential_edges(&g, &cx);
    drop(cx);
    lap("essential edges");
    let dominators = dominator_tree(&g, &essential, &shallow);
    drop(essential);
    lap("dominators");
    let names = class_names(&g, states.as_deref(), &ClassNameOptions::default());
    lap("class names");
    let a = HeapAnalysis {
        distances: dist,
        shallow_sizes: shallow,
        dominators,
        class_names: names,
    };
    let s = summarize(&g, &a);
    lap("summarize");
    let st = statistics(&g, &a);
    lap("statistics");
    let p = heap_profile(&g, &a, &HeapProfileOptions::default());
    lap("heap profile");
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
