//! The worker's heap snapshots: streaming decode of a file read in slices (never its whole
//! text), DevTools' analysis, and pages of a Summary class's objects. Pure Rust (the slices come
//! from a closure), so it runs under `cargo test`; reading blobs is `worker.rs`' job.

use std::collections::HashMap;

mod filtered;
mod load;
mod retainer_tree;
mod series;

pub use load::HeapLoad;

use crate::analysis::heap::{
    empty_heap_profile, heap_analysis_with, heap_profile, heap_profile_totals, max_js_node_id,
    snapshot_runtime, statistics, summarize, BitSet, ClassKeys, HeapAnalysis, HeapProfileOptions,
    HeapSummaryOptions, RetainerIndex,
};
use crate::model::Profile;
use crate::model::{HeapGraph, NodeOrdinal};

use crate::protocol::{
    HeapFilter, HeapInfo, HeapObjectRow, HeapObjects, HeapObjectsRequest, ProfileSummary, Response,
};

/// Bytes read from the file per slice: big enough that the per-slice cost of `FileReaderSync`
/// does not matter, small enough that only this much of the file is in memory at once.
pub const SLICE_BYTES: u64 = 4 << 20;

/// Profiles other than heap snapshots are read whole, then inflated and decoded: a tab cannot
/// hold all three for a file bigger than this.
pub const MAX_WHOLE_FILE_BYTES: u64 = 3 << 29;

/// How many head bytes `is_heap_snapshot` wants (after inflating, when gzipped).
pub const HEAD_BYTES: u64 = 4096;

/// Object names longer than this are cut (a string node's name is its whole text).
const MAX_NAME_CHARS: usize = 200;

/// One decoded snapshot and DevTools' per-node results.
struct HeapEntry {
    graph: HeapGraph,
    analysis: HeapAnalysis,
    /// Who points at whom, built on the first Retainers question.
    retainers: Option<RetainerIndex>,
    /// What `is_essential_edge` needs, built on the first Retainers tree question.
    essential: Option<crate::analysis::heap::EssentialEdgeContext>,
    /// The objects each cutting Summary filter lets through, computed on first use.
    filters: HashMap<HeapFilter, BitSet>,
    /// The heap by dominator path, built when a Top or Flame graph view first asks for it.
    profile: Option<Profile>,
}

/// The heap snapshots of a session, and the last class listed (so paging does not sort again).
#[derive(Default)]
pub struct Heaps {
    entries: HashMap<u32, HeapEntry>,
    listed: Option<(u32, String, HeapFilter, Vec<u32>)>,
}

impl Heaps {
    /// True when snapshot `id` is held.
    pub fn contains(&self, id: u32) -> bool {
        self.entries.contains_key(&id)
    }

    /// Forgets snapshot `id`.
    pub fn forget(&mut self, id: u32) {
        self.entries.remove(&id);
        if self.listed.as_ref().is_some_and(|(l, _, _, _)| *l == id) {
            self.listed = None;
        }
    }

    /// Decodes a file of `total` bytes as snapshot `id`, reading it synchronously with
    /// `read(offset, len)` slice by slice, then analyses it (see `finish_load`); `now` is a
    /// clock in ms. The worker drives a `HeapLoad` itself, to read ahead while it decodes.
    pub fn load(
        &mut self,
        id: u32,
        total: u64,
        mut read: impl FnMut(u64, u64) -> Result<Vec<u8>, String>,
        mut post: impl FnMut(Response),
        now: impl Fn() -> f64,
    ) -> Response {
        let mut load = HeapLoad::new(id, total, now());
        while !load.read_all() {
            let offset = load.offset();
            let started = now();
            let chunk = match read(offset, SLICE_BYTES.min(total - offset)) {
                Ok(c) => c,
                Err(e) => return load.failed(format!("could not read the file: {e}")),
            };
            load.waited(now() - started);
            match load.push(&chunk, now()) {
                Ok(Some(progress)) => post(progress),
                Ok(None) => {}
                Err(message) => return load.failed(message),
            }
        }
        self.finish_load(load, post, now)
    }

    /// Analyses a snapshot whose bytes were all pushed, posting `Progress` at each phase, and
    /// keeps it. It posts `HeapLoaded` (with how long each phase took) as soon as the Summary
    /// is ready, then answers `HeapStatistics`; or it answers `LoadFailed`. The heap as a
    /// profile by dominator path, which only the Top and Flame graph views need, is built later
    /// by `profile`.
    pub fn finish_load(
        &mut self,
        load: HeapLoad,
        mut post: impl FnMut(Response),
        now: impl Fn() -> f64,
    ) -> Response {
        let (id, total) = (load.id(), load.total());
        let (graph, warnings, mut timings) = match load.finish_decoding() {
            Ok(r) => r,
            Err(message) => return Response::LoadFailed { id, message },
        };
        let progress = |phase: &str| Response::Progress {
            id,
            done: total,
            total,
            phase: phase.to_owned(),
        };
        let analysis = heap_analysis_with(&graph, &HeapSummaryOptions::default(), |phase| {
            timings.start(phase, now());
            post(progress(&format!("computing {phase}")));
        });
        timings.start("summary by constructor", now());
        post(progress("summarizing by constructor"));
        let summary = summarize(&graph, &analysis);
        let totals = heap_profile_totals(&graph, &analysis);
        let (runtime, max_node_id) = (snapshot_runtime(&graph).to_owned(), max_js_node_id(&graph));
        let profile = ProfileSummary {
            totals: totals.to_vec(),
            ..ProfileSummary::of(&empty_heap_profile())
        };
        self.forget(id);
        self.entries.insert(
            id,
            HeapEntry {
                graph,
                analysis,
                retainers: None,
                essential: None,
                filters: HashMap::new(),
                profile: None,
            },
        );
        post(Response::HeapLoaded {
            id,
            info: HeapInfo {
                summary,
                profile,
                timings: timings.finish(now()),
                runtime,
                max_node_id,
            },
            warnings,
        });
        let entry = &self.entries[&id];
        Response::HeapStatistics {
            id,
            statistics: statistics(&entry.graph, &entry.analysis),
        }
    }

    /// Snapshot `id` as a profile by dominator path (for the pprof views), built on first use;
    /// `None` when the snapshot is not held.
    pub fn profile(&mut self, id: u32) -> Option<&Profile> {
        let entry = self.entries.get_mut(&id)?;
        let (g, a) = (&entry.graph, &entry.analysis);
        Some(
            entry
                .profile
                .get_or_insert_with(|| heap_profile(g, a, &HeapProfileOptions::default())),
        )
    }

    /// A page of the objects of class `req.class_key` that pass `req.filter`, largest retained
    /// size first (ties by ordinal); `None` when the snapshot is not held.
    pub fn objects(&mut self, req: &HeapObjectsRequest) -> Option<HeapObjects> {
        let entry = self.entries.get_mut(&req.id)?;
        let cached = matches!(&self.listed, Some((id, key, f, _))
            if *id == req.id && *key == req.class_key && *f == req.filter);
        if !cached {
            entry.filter_set(req.filter);
            let keep = entry.filters.get(&req.filter);
            let list = entry.class_members(&req.class_key, keep);
            self.listed = Some((req.id, req.class_key.clone(), req.filter, list));
        }
        let entry = self.entries.get(&req.id)?;
        let list = self.listed.as_ref().map(|(_, _, _, l)| l.as_slice())?;
        let objects = list
            .iter()
            .skip(req.offset)
            .take(req.limit)
            .map(|&o| entry.row(o))
            .collect();
        Some(HeapObjects {
            id: req.id,
            class_key: req.class_key.clone(),
            filter: req.filter,
            offset: req.offset,
            total: list.len(),
            objects,
        })
    }
}

impl HeapEntry {
    /// Ordinals of the class's counted objects (non-zero shallow size, as DevTools counts) that
    /// are in `keep` (all when `None`).
    fn class_members(&self, key: &str, keep: Option<&BitSet>) -> Vec<u32> {
        let g = &self.graph;
        let a = &self.analysis;
        // The Summary's own keys, so a row lists exactly the objects it counted.
        let keys = ClassKeys::of(g, a);
        let Some(wanted) = keys.find(g, a, key) else {
            return Vec::new();
        };
        let mut list: Vec<u32> = (0..g.node_count() as u32)
            .filter(|&o| {
                let i = o as usize;
                keys.key_of.get(i) == Some(&wanted)
                    && a.shallow_sizes.get(i).is_some_and(|&s| s != 0)
                    && keep.is_none_or(|k| k.get(i))
            })
            .collect();
        let retained = |o: u32| a.dominators.retained_size.get(o as usize).copied();
        list.sort_by(|&x, &y| retained(y).cmp(&retained(x)).then(x.cmp(&y)));
        list
    }

    fn row(&self, o: u32) -> HeapObjectRow {
        let i = o as usize;
        let n = NodeOrdinal(o);
        let a = &self.analysis;
        HeapObjectRow {
            ordinal: o,
            node_id: self.graph.node_id(n),
            name: self
                .graph
                .node_name(n)
                .chars()
                .take(MAX_NAME_CHARS)
                .collect(),
            distance: a.distances.get(i).copied().unwrap_or(-1),
            shallow_size: a.shallow_sizes.get(i).copied().unwrap_or(0) as u64,
            retained_size: a.dominators.retained_size.get(i).copied().unwrap_or(0),
        }
    }
}

/// Loads `bytes` as snapshot `id` synchronously for tests: the `HeapLoaded` info posted on
/// the way and the final `HeapStatistics`.
#[cfg(test)]
pub(crate) fn load_for_test(
    heaps: &mut Heaps,
    id: u32,
    bytes: &[u8],
) -> (HeapInfo, crate::analysis::heap::HeapStatistics) {
    let mut info = None;
    let r = heaps.load(
        id,
        bytes.len() as u64,
        |off, len| Ok(bytes[off as usize..(off + len) as usize].to_vec()),
        |p| {
            if let Response::HeapLoaded { info: i, .. } = p {
                info = Some(i);
            }
        },
        || 0.0,
    );
    let Response::HeapStatistics { statistics, .. } = r else {
        panic!("not loaded: {r:?}")
    };
    (
        info.expect("HeapLoaded posted before the statistics"),
        statistics,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/tests/fixtures/heapsnapshot/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(path).expect("heap snapshot fixture")
    }

    /// The final answer (`HeapStatistics` or `LoadFailed`) and everything posted before it.
    fn load(heaps: &mut Heaps, id: u32, bytes: &[u8]) -> (Response, Vec<Response>) {
        let mut posted = Vec::new();
        let clock = std::cell::Cell::new(0.0);
        let r = heaps.load(
            id,
            bytes.len() as u64,
            |off, len| Ok(bytes[off as usize..(off + len) as usize].to_vec()),
            |p| posted.push(p),
            || {
                clock.set(clock.get() + 60.0);
                clock.get()
            },
        );
        (r, posted)
    }

    #[test]
    fn sniffs_plain_and_gzipped_heads() {
        use crate::formats::is_heap_snapshot;
        let gz = fixture("node-leak-3.heapsnapshot.gz");
        assert!(is_heap_snapshot(&gz[..HEAD_BYTES as usize]));
        assert!(is_heap_snapshot(b" {\"snapshot\":{"));
        assert!(!is_heap_snapshot(b"{\"nodes\":[]}"));
        assert!(!is_heap_snapshot(&[0x1f, 0x8b, 0, 0]));
    }

    #[test]
    fn loads_in_slices_and_lists_a_class_largest_retained_first() {
        let mut heaps = Heaps::default();
        let (r, posted) = load(&mut heaps, 3, &fixture("node-leak-3.heapsnapshot.gz"));
        let Some(Response::HeapLoaded { info, .. }) = posted.last() else {
            panic!("not loaded: {posted:?}")
        };
        // The Statistics follow the Summary, for the same heap.
        let Response::HeapStatistics { id: 3, statistics } = r else {
            panic!("no statistics: {r:?}")
        };
        assert_eq!(statistics.total, info.summary.total_size);
        // Each analysis phase is announced by name and timed, in order.
        let announced: Vec<&str> = posted
            .iter()
            .filter_map(|p| match p {
                Response::Progress { phase, .. } => phase.strip_prefix("computing "),
                _ => None,
            })
            .collect();
        assert_eq!(announced, crate::analysis::heap::ANALYSIS_PHASES);
        let timed: Vec<&str> = info.timings.iter().map(|t| t.phase.as_str()).collect();
        assert_eq!(timed[..2], ["reading the file", "decoding"]);
        assert_eq!(timed[2..7], crate::analysis::heap::ANALYSIS_PHASES);
        assert!(
            info.timings.iter().all(|t| t.ms > 0.0),
            "{:?}",
            info.timings
        );
        // The profile list's totals equal those of the profile built later for the views.
        let profile = heaps.profile(3).expect("held");
        assert_eq!(info.profile.totals, [profile.total(0), profile.total(1)]);
        assert_eq!(info.profile.totals[1] as u64, info.summary.total_size);
        let class = &info.summary.classes[0];
        let req = HeapObjectsRequest {
            id: 3,
            class_key: class.key.clone(),
            offset: 0,
            limit: 10,
            filter: HeapFilter::All,
        };
        let page = heaps.objects(&req).expect("held");
        // Every counted object of the class is listed (the Summary's count is independent).
        assert_eq!(page.total as u64, class.count);
        assert_eq!(page.objects.len(), 10.min(page.total));
        let sizes: Vec<u64> = page.objects.iter().map(|o| o.retained_size).collect();
        assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "{sizes:?}");
        let shallow: u64 = heaps
            .objects(&HeapObjectsRequest {
                limit: usize::MAX,
                ..req
            })
            .expect("held")
            .objects
            .iter()
            .map(|o| o.shallow_size)
            .sum();
        assert_eq!(shallow, class.shallow_size);
        heaps.forget(3);
        assert!(!heaps.contains(3));
    }

    #[test]
    fn a_truncated_snapshot_fails_with_a_message() {
        let plain = fixture("node-leak-3.heapsnapshot");
        let mut heaps = Heaps::default();
        let (r, _) = load(&mut heaps, 1, &plain[..100_000]);
        let Response::LoadFailed { message, .. } = r else {
            panic!("loaded a truncated file")
        };
        assert!(message.contains("heap snapshot"), "{message}");
    }
}
