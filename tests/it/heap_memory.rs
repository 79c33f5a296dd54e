//! The memory a heap snapshot's decoding and analysis take, counted by a per-thread allocator,
//! must stay within `peak_memory_estimate`: the page refuses snapshots by that estimate, so a
//! change that adds a per-node array without updating it would let a tab run out of memory.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use leakscope::analysis::heap::{
    heap_analysis, heap_profile, peak_memory_estimate, summarize, HeapProfileOptions,
    HeapSummaryOptions,
};
use leakscope::formats::heapsnapshot::decode_heap_snapshot;

use crate::support::{corpus, files_in, fixture};

/// Counts the bytes allocated by threads that turned counting on (tests run in parallel
/// threads; each counts only its own allocations).
struct Counting;

thread_local! {
    static ON: Cell<bool> = const { Cell::new(false) };
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn track(delta: isize) {
    let _ = ON.try_with(|on| {
        if on.get() {
            let live = LIVE.with(|l| {
                l.set(l.get() + delta);
                l.get()
            });
            PEAK.with(|p| p.set(p.get().max(live)));
        }
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        track(layout.size() as isize);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        track(-(layout.size() as isize));
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Growing in place or by moving: at worst both blocks are live for a moment.
        track(new_size as isize);
        let p = System.realloc(ptr, layout, new_size);
        track(-(layout.size() as isize));
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Peak bytes live while `f` runs on this thread, above what was live when it started.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    LIVE.with(|l| l.set(0));
    PEAK.with(|p| p.set(0));
    ON.with(|on| on.set(true));
    let out = f();
    ON.with(|on| on.set(false));
    (out, PEAK.with(|p| p.get()).max(0) as usize)
}

#[test]
fn decoding_and_analysis_stay_within_the_estimate_the_page_refuses_by() {
    let mut files: Vec<_> = [
        "heapsnapshot/node-leak-3.heapsnapshot",
        "heapsnapshot/node-leak-1.heapsnapshot.gz",
        "heapsnapshot/detached-dom-3.heapsnapshot.gz",
    ]
    .iter()
    .map(|f| fixture(f))
    .collect();
    if let Some(dir) = corpus() {
        files.extend(
            files_in(&dir.join("heapsnapshot"))
                .into_iter()
                .filter(|f| !f.to_string_lossy().contains("truncated")),
        );
    }
    for file in files {
        let bytes = std::fs::read(&file).expect("snapshot");
        let ((nodes, edges, strings), peak) = peak_of(|| {
            let (g, _) = decode_heap_snapshot(&bytes).expect("decodes");
            let a = heap_analysis(&g, &HeapSummaryOptions::default());
            let s = summarize(&g, &a);
            let p = heap_profile(&g, &a, &HeapProfileOptions::default());
            assert!(!s.classes.is_empty() && !p.samples.is_empty());
            let strings: usize = (0..g.strings().len() as u32)
                .map(|i| g.strings().get(i).len() + 4)
                .sum();
            (g.node_count() as u64, g.edge_count() as u64, strings as u64)
        });
        // The estimate's per-node and per-edge part plus the strings this file holds (its
        // fixed 64 MiB allowance is for the strings of big files and the app itself).
        let allowed =
            peak_memory_estimate(nodes, edges) - peak_memory_estimate(0, 0) + strings + (1 << 20);
        eprintln!(
            "{}: {nodes} nodes, {edges} edges, {strings} string bytes: peak {peak} bytes, allowed {allowed}",
            file.display()
        );
        assert!(
            peak as u64 <= allowed,
            "{}: peak {peak} bytes > allowed {allowed}",
            file.display()
        );
    }
}
