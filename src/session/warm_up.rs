//! `warm_up`: runs the worker's heavy paths once on small synthetic inputs when the worker
//! starts, before any file arrives.
//!
//! Why: V8 first compiles WebAssembly with its baseline compiler (Liftoff) and recompiles a
//! function with its optimizing one (TurboFan) only after the function has run a while; the
//! new code is used from the function's next call, as V8 has no on-stack replacement for
//! WebAssembly. A phase that runs once per file (the dominator pass, a breadth-first search
//! over millions of nodes, aggregating a profile) therefore ran all of the first file in
//! baseline code, up to twice as slow. Running each once on a small input while the page is
//! idle gets them optimized before the user's file needs them.

use super::{HeapLoad, Session};
use crate::analysis::{Granularity, RefineOptions};
use crate::formats::{heapsnapshot::write_synthetic, synthetic_heap_profile};
use crate::protocol::ViewRequest;

/// Nodes in the warm-up heap snapshot and samples in the warm-up pprof profile: enough loop
/// iterations for V8 to optimize each phase (its tier-up budget), few enough to take a
/// fraction of a second in baseline code.
const HEAP_NODES: u64 = 20_000;
const PPROF_SAMPLES: usize = 2_000;

/// The warm-up's ids, out of the page's range (it numbers files from 1).
const HEAP_ID: u32 = u32::MAX;
const PPROF_ID: u32 = u32::MAX - 1;

/// Loads, shows and checks a synthetic heap snapshot and a synthetic Go heap profile as the
/// page would (load, view, checklist), in a session of its own that is then dropped.
pub fn warm_up() {
    let mut session = Session::new();
    let mut text = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_synthetic(&mut text, HEAP_NODES, 2.0);
    let mut load = HeapLoad::new(HEAP_ID, text.len() as u64, 0.0);
    for chunk in text.chunks(1 << 16) {
        if load.push(chunk, 0.0).is_err() {
            return;
        }
    }
    drop(text);
    session.finish_heap_load(load, |_| {}, || 0.0);
    session.load(PPROF_ID, &synthetic_heap_profile(PPROF_SAMPLES, 300));
    for (id, sample_index, name) in [(HEAP_ID, 0, "a.heapsnapshot"), (PPROF_ID, 3, "heap.pb")] {
        session.view(&view_request(id, sample_index), |_| {});
        session.checklist(0, &[(id, name.to_owned())]);
    }
    // A series of snapshots: growth (its ids are sorted, and MemLab's clusters built from
    // three) and the Comparison, the snapshot standing in for each point.
    session.heap_growth(0, &[HEAP_ID; 3]);
    session.heap_comparison(0, HEAP_ID, HEAP_ID);
}

/// The page's first view of a file: its sample type `sample_index`, by function, unrefined.
fn view_request(id: u32, sample_index: usize) -> ViewRequest {
    ViewRequest {
        seq: 0,
        id,
        sample_index,
        granularity: Granularity::default(),
        refine: RefineOptions::default(),
        stack_limit: 50,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Response;

    /// The warm-up's inputs decode and analyse as real ones do: if they stopped doing so, the
    /// warm-up would silently stop warming anything.
    #[test]
    fn warm_up_inputs_load_view_and_check() {
        let mut session = Session::new();
        let loaded = session.load(PPROF_ID, &synthetic_heap_profile(PPROF_SAMPLES, 300));
        let Response::Loaded { summary, .. } = loaded else {
            panic!("the synthetic profile did not load: {loaded:?}");
        };
        assert_eq!(summary.sample_types.len(), 4);
        let mut text = Vec::new();
        write_synthetic(&mut text, HEAP_NODES, 2.0).unwrap();
        let mut load = HeapLoad::new(HEAP_ID, text.len() as u64, 0.0);
        load.push(&text, 0.0).unwrap();
        let mut posted = Vec::new();
        session.finish_heap_load(load, |r| posted.push(r), || 0.0);
        let Some(Response::HeapLoaded { info, .. }) = posted
            .iter()
            .find(|r| matches!(r, Response::HeapLoaded { .. }))
        else {
            panic!("the synthetic snapshot did not load: {posted:?}");
        };
        assert!(info.summary.node_count >= HEAP_NODES - 4);
        // The snapshot has four classes; the profile has a row per function.
        for (id, sample_index, min_rows) in [(HEAP_ID, 0, 4), (PPROF_ID, 3, 250)] {
            let mut answers = Vec::new();
            session.view(&view_request(id, sample_index), |r| answers.push(r));
            let rows = answers.iter().find_map(|r| match r {
                Response::Top { top, .. } => Some(top.rows.len()),
                _ => None,
            });
            assert!(
                rows.is_some_and(|n| n >= min_rows),
                "view of {id}: {answers:?}"
            );
            let checked = session.checklist(0, &[(id, "x".to_owned())]);
            assert!(matches!(checked, Response::Checklist { .. }), "{checked:?}");
        }
        let growth = session.heap_growth(0, &[HEAP_ID; 3]);
        let Response::HeapGrowth {
            growth, clusters, ..
        } = growth
        else {
            panic!("no growth of the synthetic series: {growth:?}");
        };
        assert!(growth.rows.len() >= 4, "{growth:?}");
        assert!(clusters.is_some());
        let compared = session.heap_comparison(0, HEAP_ID, HEAP_ID);
        assert!(
            matches!(compared, Response::HeapComparison { .. }),
            "{compared:?}"
        );
        warm_up();
    }
}
