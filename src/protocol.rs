//! The messages between the page and the analysis Web Worker: serde enums sent as JSON strings.
//! File bytes travel beside the JSON as a `Blob` (structured clone, no copy), never inside it;
//! this file holds data shapes only, no sending.

use serde::{Deserialize, Serialize};

use crate::analysis::checklist::Checklist;
use crate::analysis::growth::{SeriesGrowth, WaitRow};
use crate::analysis::heap::{
    ClosureContext, Comparison, DuplicateString, HeapGrowth, HeapStatistics, LeakClusters,
    RetainerEdge,
};
use crate::analysis::{
    CallTree, DiffStackRow, DiffTable, Granularity, HeapSummary, RefineOptions, Sandwich, StackRow,
    TopTable,
};
use crate::model::{Profile, SampleType};

/// A message from the page to the worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Decode the `Blob` posted with this message and keep the profile as `id`.
    Load {
        /// The page's id for this profile.
        id: u32,
        /// The file name, for messages only: the format is sniffed from the bytes.
        name: String,
    },
    /// Forget profile `id`.
    Remove {
        /// The page's id for this profile.
        id: u32,
    },
    /// Compute the views of one profile.
    View(ViewRequest),
    /// One function's callers and callees (the Sandwich view).
    Sandwich(SandwichRequest),
    /// What grew across a series of profiles.
    Growth(GrowthRequest),
    /// What changed from one profile to another.
    Diff(DiffRequest),
    /// What grew across a series of heap snapshots of one runtime.
    HeapGrowth {
        /// Sequence number; answers to older requests are dropped by the page.
        seq: u64,
        /// The snapshots, oldest first.
        ids: Vec<u32>,
    },
    /// DevTools' Comparison of heap snapshot `new` against `base`.
    HeapComparison {
        /// Sequence number; answers to older requests are dropped by the page.
        seq: u64,
        /// The earlier snapshot.
        base: u32,
        /// The later snapshot.
        new: u32,
    },
    /// The new objects of one Comparison row (objects of `new` whose id `base` lacks).
    ComparisonObjects {
        /// The earlier snapshot.
        base: u32,
        /// The later snapshot.
        new: u32,
        /// The row's class key.
        key: String,
    },
    /// A page of the objects of one Summary class of heap snapshot `id`, largest retained first.
    HeapObjects(HeapObjectsRequest),
    /// DevTools' Summary filter `filter` applied to heap snapshot `id`.
    HeapFilter {
        /// The heap snapshot.
        id: u32,
        /// Which filter.
        filter: HeapFilter,
    },
    /// The dominator chain of one object of heap snapshot `id`.
    DominatorChain {
        /// The heap snapshot.
        id: u32,
        /// The object (`HeapObjectRow::ordinal`).
        ordinal: u32,
    },
    /// The edges retaining one object of heap snapshot `id` (one level of the Retainers tree).
    RetainerEdges {
        /// The heap snapshot.
        id: u32,
        /// The object (`HeapObjectRow::ordinal`, `RetainerEdge::node`).
        ordinal: u32,
    },
    /// The leak checklist over the loaded files `files` (id, name).
    Checklist {
        /// Sequence number; answers to older requests are dropped by the page.
        seq: u64,
        /// The files to read, each with its name (series of one kind are ordered by time, then
        /// by name).
        files: Vec<(u32, String)>,
    },
    /// The goroutines of the text dumps `ids` (oldest first) grouped by wait state and user
    /// frame.
    Goroutines {
        /// Sequence number; answers to older requests are dropped by the page.
        seq: u64,
        /// The dumps, oldest first (one or more).
        ids: Vec<u32>,
    },
    /// Panic on purpose, so the browser tests can check that the page survives a dead worker
    /// (the page sends it on a `leakscope:crash-worker` window event).
    Panic {
        /// The panic message.
        message: String,
    },
}

/// Everything that decides what the Top, Stacks and Flame graph views show.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ViewRequest {
    /// Sequence number; answers to older requests are dropped by the page.
    pub seq: u64,
    /// The profile to show.
    pub id: u32,
    /// Which sample type (column of values) to show.
    pub sample_index: usize,
    /// Functions, files or lines.
    pub granularity: Granularity,
    /// Focus, ignore and hide expressions.
    pub refine: RefineOptions,
    /// How many of the heaviest stacks to return.
    pub stack_limit: usize,
}

/// The sandwich of one function of a profile, in the view `view` describes (its sequence
/// number is this request's; its stack limit is not read).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SandwichRequest {
    /// The profile, sample type, granularity and refine expressions.
    pub view: ViewRequest,
    /// The function's printed name at the view's granularity (a top table row's name).
    pub name: String,
}

/// What grew across the points of a series (pprof profiles or goroutine dumps of one kind).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GrowthRequest {
    /// Sequence number; answers to older requests are dropped by the page.
    pub seq: u64,
    /// The points, oldest first.
    pub ids: Vec<u32>,
    /// Which sample type.
    pub sample_index: usize,
    /// Functions, files or lines.
    pub granularity: Granularity,
    /// Focus, ignore and hide expressions, applied to every point.
    pub refine: RefineOptions,
    /// Rows per list, in rank order.
    pub limit: usize,
}

/// A two-profile diff: `new - base`, as `go tool pprof -diff_base`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiffRequest {
    /// Sequence number; answers to older requests are dropped by the page.
    pub seq: u64,
    /// The earlier profile.
    pub base: u32,
    /// The later profile.
    pub new: u32,
    /// Which sample type.
    pub sample_index: usize,
    /// Functions, files or lines.
    pub granularity: Granularity,
    /// Focus, ignore and hide expressions, applied to both.
    pub refine: RefineOptions,
    /// Scale the newer profile to the base's total first (pprof's `-normalize`).
    pub normalize: bool,
    /// How many of the most changed stacks to return.
    pub stack_limit: usize,
}

/// Which objects of a heap snapshot's class to list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeapObjectsRequest {
    /// The heap snapshot.
    pub id: u32,
    /// The class key (`ClassRow::key`).
    pub class_key: String,
    /// How many objects of the ordered list to skip.
    pub offset: usize,
    /// How many to return at most.
    pub limit: usize,
    /// Only objects that pass this Summary filter.
    #[serde(default)]
    pub filter: HeapFilter,
}

/// DevTools' Summary filter dropdown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HeapFilter {
    /// Every object.
    #[default]
    All,
    /// Objects retained by detached DOM nodes (and those nodes).
    DetachedDom,
    /// Objects retained by event handlers (and the handlers).
    EventHandlers,
    /// Strings whose content several objects hold.
    DuplicatedStrings,
    /// Closures with the retained size of the context they capture.
    Closures,
}

/// What a Summary filter shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FilteredHeap {
    /// The Summary of the objects that pass (detached DOM, event handlers).
    Classes(HeapSummary),
    /// The largest duplicated strings (`nodes` left empty), and how many there are in all.
    Strings {
        /// Groups, largest total retained size first.
        rows: Vec<DuplicateString>,
        /// Groups in all.
        total: usize,
    },
    /// The closures with the largest contexts, and how many closures there are in all.
    Closures {
        /// Closures, largest context first.
        rows: Vec<ClosureContext>,
        /// Closures in all.
        total: usize,
    },
}

/// One object of a heap snapshot, as DevTools lists it under its class.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeapObjectRow {
    /// The node's ordinal (the worker's handle on it).
    pub ordinal: u32,
    /// V8's object id (`@id` in DevTools).
    pub node_id: u32,
    /// The node's name (long strings cut).
    pub name: String,
    /// BFS distance from the root (`NO_DISTANCE` when unreachable).
    pub distance: i32,
    /// DevTools' shallow size.
    pub shallow_size: u64,
    /// DevTools' retained size.
    pub retained_size: u64,
}

/// A page of a class's objects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeapObjects {
    /// The heap snapshot.
    pub id: u32,
    /// The class key.
    pub class_key: String,
    /// The offset of `objects[0]`.
    pub offset: usize,
    /// The Summary filter the objects pass.
    #[serde(default)]
    pub filter: HeapFilter,
    /// How many objects the class has in all.
    pub total: usize,
    /// The objects, largest retained size first.
    pub objects: Vec<HeapObjectRow>,
}

/// The edges retaining one heap object: one level of the Retainers tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetainerEdgesPage {
    /// The heap snapshot.
    pub id: u32,
    /// The retained object.
    pub ordinal: u32,
    /// The object itself (the tree's top row when it is the selected one).
    pub object: HeapObjectRow,
    /// The first edges, strong before weak, nearest to a GC root first.
    pub edges: Vec<RetainerEdge>,
    /// How many edges retain the object in all.
    pub total: usize,
}

/// What the page shows of a decoded heap snapshot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HeapInfo {
    /// DevTools' Summary (its counts are what the profile list shows). The Statistics follow
    /// in their own message (`Response::HeapStatistics`), so the Summary shows first.
    pub summary: HeapSummary,
    /// The heap as a profile by dominator path (the Top and Flame graph tabs show it); its
    /// `n_samples` is 0, since the worker aggregates the paths only when a view asks.
    pub profile: ProfileSummary,
    /// How long each phase of the load took in the worker, in order.
    pub timings: Vec<PhaseTime>,
    /// Where the snapshot comes from (`node`, `browser`): snapshots of one runtime form a series.
    #[serde(default)]
    pub runtime: String,
    /// The highest V8 object id of JS objects: V8 ids only grow within one process, so it
    /// orders snapshots taken over time.
    #[serde(default)]
    pub max_node_id: u32,
}

/// One phase of loading a heap snapshot and its wall time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhaseTime {
    /// What ran (`reading the file`, `decoding`, `dominators and retained sizes`, …).
    pub phase: String,
    /// Milliseconds.
    pub ms: f64,
}

/// What the profile list shows about a decoded profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileSummary {
    /// `heap`, `cpu`, `goroutine`, … ([`crate::model::ProfileKind::label`]).
    pub kind: String,
    /// The format it was decoded from.
    pub format: String,
    /// The sample types, in the profile's order.
    pub sample_types: Vec<SampleType>,
    /// The type shown first.
    pub default_sample_type: usize,
    /// The total of each sample type.
    pub totals: Vec<i64>,
    /// How many samples there are.
    pub n_samples: usize,
    /// When collection started, ns since the Unix epoch.
    pub time_nanos: Option<i64>,
    /// How long collection ran, in ns.
    pub duration_nanos: Option<i64>,
    /// Events between samples (0 when unset).
    pub period: i64,
    /// What `period` counts.
    pub period_type: Option<SampleType>,
}

impl ProfileSummary {
    /// The summary of a decoded profile.
    pub fn of(profile: &Profile) -> Self {
        ProfileSummary {
            kind: profile.meta.kind.label().to_owned(),
            format: profile.meta.format.clone(),
            sample_types: profile.sample_types.clone(),
            default_sample_type: profile.default_sample_type,
            totals: (0..profile.sample_types.len())
                .map(|t| profile.total(t))
                .collect(),
            n_samples: profile.samples.len(),
            time_nanos: profile.meta.time_nanos,
            duration_nanos: profile.meta.duration_nanos,
            period: profile.meta.period,
            period_type: profile.meta.period_type.clone(),
        }
    }
}

/// The table and stacks of a diff, sent before its (larger) call tree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiffView {
    /// Every changed node, in `go tool pprof -top -diff_base` order.
    pub table: DiffTable,
    /// The most changed stacks.
    pub stacks: Vec<DiffStackRow>,
}

/// A message from the worker to the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The worker's message handler is in place; requests may be sent.
    Ready,
    /// Profile `id` decoded.
    Loaded {
        /// The page's id for this profile.
        id: u32,
        /// What the profile list shows.
        summary: ProfileSummary,
        /// Recoverable oddities the decoder reported.
        warnings: Vec<String>,
    },
    /// Heap snapshot `id` decoded and analysed.
    HeapLoaded {
        /// The page's id for this file.
        id: u32,
        /// Summary, totals and timings.
        info: HeapInfo,
        /// Recoverable oddities the decoder reported.
        warnings: Vec<String>,
    },
    /// DevTools' Statistics of heap snapshot `id`, right after its `HeapLoaded`.
    HeapStatistics {
        /// The page's id for this file.
        id: u32,
        /// The totals by category.
        statistics: HeapStatistics,
    },
    /// How far decoding file `id` has got (posted at most every ~100 ms).
    Progress {
        /// The page's id for this file.
        id: u32,
        /// Bytes read so far.
        done: u64,
        /// The file's size.
        total: u64,
        /// What the worker is doing (`reading`, `computing distances, dominators, …`).
        phase: String,
    },
    /// A page of a heap class's objects.
    HeapObjects(HeapObjects),
    /// The dominator chain of one object (its retainers come as `RetainerEdges`).
    DominatorChain {
        /// The heap snapshot.
        id: u32,
        /// The object.
        ordinal: u32,
        /// The object, its immediate dominator, …, the root.
        chain: Vec<HeapObjectRow>,
    },
    /// The answer to `Request::RetainerEdges`.
    RetainerEdges(RetainerEdgesPage),
    /// The answer to `Request::HeapFilter`.
    HeapFiltered {
        /// The heap snapshot.
        id: u32,
        /// The filter.
        filter: HeapFilter,
        /// What it shows.
        view: FilteredHeap,
    },
    /// Profile `id` could not be read or decoded.
    LoadFailed {
        /// The page's id for this profile.
        id: u32,
        /// Why, without the file name.
        message: String,
    },
    /// The top table of request `seq`, in `go tool pprof -top` order: the first answer, so it
    /// shows before the stacks and the call tree are ranked and built.
    Top {
        /// The request's sequence number.
        seq: u64,
        /// The table.
        top: TopTable,
    },
    /// The heaviest complete stacks of request `seq`, root first (after its `Top`).
    Stacks {
        /// The request's sequence number.
        seq: u64,
        /// The stacks.
        stacks: Vec<StackRow>,
    },
    /// The leak checklist of `Request::Checklist` `seq`.
    Checklist {
        /// The request's sequence number.
        seq: u64,
        /// The files it read (as requested).
        ids: Vec<u32>,
        /// One finding per cause, likely first, and what to capture next.
        checklist: Checklist,
    },
    /// The wait groups of `Request::Goroutines` `seq`.
    Goroutines {
        /// The request's sequence number.
        seq: u64,
        /// The dumps, oldest first (as requested).
        ids: Vec<u32>,
        /// Goroutines by wait state and user frame, counted at each point, growing first.
        waits: Vec<WaitRow>,
    },
    /// What grew, for `Request::Growth` `seq`.
    Growth {
        /// The request's sequence number.
        seq: u64,
        /// The points, oldest first (as requested).
        ids: Vec<u32>,
        /// Functions, stacks and goroutine wait groups, ranked.
        growth: SeriesGrowth,
    },
    /// The table and stacks of `Request::Diff` `seq`.
    Diff {
        /// The request's sequence number.
        seq: u64,
        /// The view.
        view: DiffView,
    },
    /// The diff flame graph of `Request::Diff` `seq`: widths from the newer profile, the
    /// base's totals beside them.
    DiffTree {
        /// The request's sequence number.
        seq: u64,
        /// The tree.
        tree: CallTree,
    },
    /// What grew across heap snapshots, for `Request::HeapGrowth` `seq`.
    HeapGrowth {
        /// The request's sequence number.
        seq: u64,
        /// The snapshots, oldest first (as requested).
        ids: Vec<u32>,
        /// Every class with its trend and the retainer path that holds what grew.
        growth: HeapGrowth,
        /// MemLab's view: objects new in the second snapshot still alive in the last,
        /// clustered by retainer path (series of three or more).
        clusters: Option<LeakClusters>,
    },
    /// DevTools' Comparison, for `Request::HeapComparison` `seq`.
    HeapComparison {
        /// The request's sequence number.
        seq: u64,
        /// The earlier snapshot.
        base: u32,
        /// The later snapshot.
        new: u32,
        /// The rows.
        comparison: Comparison,
    },
    /// The answer to `Request::ComparisonObjects`.
    ComparisonObjects {
        /// The earlier snapshot.
        base: u32,
        /// The later snapshot.
        new: u32,
        /// The row's class key.
        key: String,
        /// How many new objects the row has.
        total: usize,
        /// The largest of them (retained size), objects of `new`.
        objects: Vec<HeapObjectRow>,
    },
    /// The answer to `Request::Sandwich` `seq`: `None` when no sample of the view holds the
    /// function.
    Sandwich {
        /// The request's sequence number.
        seq: u64,
        /// The function's name, as requested.
        name: String,
        /// Its callers and callees.
        sandwich: Option<Box<Sandwich>>,
    },
    /// Call tree for request `seq`.
    Tree {
        /// The request's sequence number.
        seq: u64,
        /// The merged call tree the flame graph draws.
        tree: CallTree,
    },
    /// Request `seq` failed; with `refine` set, because of a bad refine expression.
    ViewFailed {
        /// The request's sequence number.
        seq: u64,
        /// Why.
        message: String,
        /// True when the refine expressions were at fault (the page keeps the last good view).
        refine: bool,
    },
    /// The worker panicked; it is dead and must be restarted.
    Panicked {
        /// The panic message.
        message: String,
    },
}

impl Response {
    /// `ViewFailed`: request `seq` failed for `message`; `refine` when the refine expressions
    /// were at fault.
    pub fn view_failed(seq: u64, message: impl Into<String>, refine: bool) -> Response {
        Response::ViewFailed {
            seq,
            message: message.into(),
            refine,
        }
    }
}

/// Encodes a message as the JSON string that is posted.
pub fn encode<T: Serialize>(message: &T) -> String {
    // Serializing these plain enums cannot fail (no maps with non-string keys, no floats).
    serde_json::to_string(message).unwrap_or_default()
}

/// Decodes a posted JSON string.
pub fn decode<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_round_trip_through_json() {
        let req = Request::View(ViewRequest {
            seq: 7,
            id: 3,
            sample_index: 1,
            granularity: Granularity::Lines,
            refine: RefineOptions {
                focus: "main\\.".into(),
                ..Default::default()
            },
            stack_limit: 20,
        });
        assert_eq!(decode::<Request>(&encode(&req)), Ok(req));
        assert!(decode::<Response>("{\"Nope\":1}").is_err());
    }
}
