//! `Facts`: what the checklist's rules read, computed once from the loaded files: the growth of
//! the memory series (pprof heap or allocs profiles: in-use and allocated bytes), of the
//! goroutine series (profiles, with runtime frames; text dumps, with wait states), a proven
//! goroutine leak profile, the block and mutex profiles, and the growth of a heap snapshot
//! series. Files of one kind are lined up as a series (`series`), oldest first; when several
//! series of one kind are loaded, the longest is read. Rules never see the files themselves.

use std::cell::OnceCell;

use super::go_stacks::{GoroutineGroup, HeapGroup};
use crate::analysis::growth::{
    series_growth, series_growth_types, GrowthRows, ProfileGrowth, WaitRow,
};
use crate::analysis::heap::{heap_growth, leak_clusters, max_js_node_id, HeapGrowth, LeakClusters};
use crate::analysis::{
    aggregate, group_series, pprof_series_key, top_table, HeapAnalysis, Measure, ReportOptions,
    SeriesMember, TopTable,
};
use crate::model::{HeapGraph, Profile, ProfileKind};

/// One loaded file, as the checklist is given it; `id` is the caller's (the page's file id, the
/// CLI's argument index) and comes back in evidence links.
pub enum CheckInput<'a> {
    /// A pprof profile or goroutine dump.
    Profile {
        /// The caller's id.
        id: u32,
        /// The file name.
        name: &'a str,
        /// The decoded profile.
        profile: &'a Profile,
    },
    /// A V8 heap snapshot with DevTools' analysis.
    Heap {
        /// The caller's id.
        id: u32,
        /// The file name.
        name: &'a str,
        /// The snapshot.
        graph: &'a HeapGraph,
        /// DevTools' per-node results.
        analysis: &'a HeapAnalysis,
    },
}

/// A series of pprof profiles and its growth for one sample type.
#[derive(Clone, Debug)]
pub struct SeriesFacts {
    /// The files, oldest first (caller's ids).
    pub ids: Vec<u32>,
    /// The sample type the growth is of.
    pub sample_type: String,
    /// The stacks with their frames and values at each point (`GrowthRows::StackFrames`: no
    /// functions, and the stacks unnamed).
    pub growth: ProfileGrowth,
    /// Goroutine wait groups (text dumps only).
    pub waits: Vec<WaitRow>,
    /// Its goroutines or heap stacks grouped by user frame (`go_stacks`), made once, when a
    /// rule first asks: several rules read them.
    pub(super) groups: Groups,
}

/// The lazily made groups of a series (`go_stacks::goroutine_groups`, `heap_groups`).
#[derive(Clone, Debug, Default)]
pub(super) struct Groups {
    pub goroutines: OnceCell<Vec<GoroutineGroup>>,
    pub heap: OnceCell<Vec<HeapGroup>>,
}

impl SeriesFacts {
    /// How many points the series has.
    pub fn points(&self) -> usize {
        self.ids.len()
    }
}

/// The memory profiles (heap or allocs: the same data) of one series.
#[derive(Clone, Debug)]
pub struct MemoryFacts {
    /// In-use bytes.
    pub inuse: SeriesFacts,
    /// Bytes allocated since the process started.
    pub alloc: SeriesFacts,
}

/// A series of heap snapshots.
#[derive(Clone, Debug)]
pub struct SnapshotFacts {
    /// The snapshots, oldest first.
    pub ids: Vec<u32>,
    /// Growth by constructor, with retainer paths.
    pub growth: HeapGrowth,
    /// MemLab's objects born between the first two snapshots, alive in the last.
    pub clusters: Option<LeakClusters>,
}

/// A single cumulative profile (block, mutex) and its table.
#[derive(Clone, Debug)]
pub struct TableFacts {
    /// The file.
    pub id: u32,
    /// Its `go tool pprof -top` table of the delay.
    pub top: TopTable,
}

/// Everything the rules read.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// Heap or allocs profiles.
    pub memory: Option<MemoryFacts>,
    /// Goroutine profiles (with runtime frames).
    pub goroutines: Option<SeriesFacts>,
    /// Goroutine text dumps (wait states, minutes; no runtime frames).
    pub dumps: Option<SeriesFacts>,
    /// Go 1.26's `goroutineleak` profile: goroutines proven blocked forever.
    pub leaked: Option<SeriesFacts>,
    /// A block profile.
    pub block: Option<TableFacts>,
    /// A mutex profile.
    pub mutex: Option<TableFacts>,
    /// Heap snapshots.
    pub snapshots: Option<SnapshotFacts>,
}

/// What a pprof file is, for the checklist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Memory,
    Goroutines,
    Dumps,
    Leaked,
    Block,
    Mutex,
    Other,
}

fn role(p: &Profile) -> Role {
    let names: Vec<&str> = p.sample_types.iter().map(|t| t.name.as_str()).collect();
    match &p.meta.kind {
        ProfileKind::Heap | ProfileKind::Allocs => Role::Memory,
        ProfileKind::Goroutine if p.meta.format.starts_with("goroutine debug=2") => Role::Dumps,
        ProfileKind::Goroutine => Role::Goroutines,
        ProfileKind::Block => Role::Block,
        ProfileKind::Mutex => Role::Mutex,
        _ if names == ["goroutineleak"] => Role::Leaked,
        _ => Role::Other,
    }
}

impl Facts {
    /// True when some Go profile or dump is loaded.
    pub fn has_go(&self) -> bool {
        self.memory.is_some()
            || self.goroutines.is_some()
            || self.dumps.is_some()
            || self.leaked.is_some()
            || self.block.is_some()
            || self.mutex.is_some()
    }

    /// The facts of `inputs`.
    pub fn of(inputs: &[CheckInput]) -> Facts {
        let mut facts = Facts::default();
        let profiles: Vec<(u32, &str, &Profile)> = inputs
            .iter()
            .filter_map(|i| match i {
                CheckInput::Profile { id, name, profile } => Some((*id, *name, *profile)),
                CheckInput::Heap { .. } => None,
            })
            .collect();
        let longest = |want: Role| longest_series(&profiles, want);
        if let Some(points) = longest(Role::Memory) {
            facts.memory = memory_facts(&points);
        }
        facts.goroutines = longest(Role::Goroutines).and_then(|p| series_facts(&p, "goroutine"));
        facts.dumps = longest(Role::Dumps).and_then(|p| series_facts(&p, "goroutine"));
        facts.leaked = longest(Role::Leaked).and_then(|p| series_facts(&p, "goroutineleak"));
        facts.block = last_table(&profiles, Role::Block);
        facts.mutex = last_table(&profiles, Role::Mutex);
        let heaps: Vec<(u32, &str, &HeapGraph, &HeapAnalysis)> = inputs
            .iter()
            .filter_map(|i| match i {
                CheckInput::Heap {
                    id,
                    name,
                    graph,
                    analysis,
                } => Some((*id, *name, *graph, *analysis)),
                CheckInput::Profile { .. } => None,
            })
            .collect();
        facts.snapshots = snapshot_facts(&heaps);
        facts
    }
}

/// The longest series of files of role `want`, oldest first.
fn longest_series<'a>(
    profiles: &[(u32, &str, &'a Profile)],
    want: Role,
) -> Option<Vec<(u32, &'a Profile)>> {
    let members: Vec<SeriesMember> = profiles
        .iter()
        .filter(|(_, _, p)| role(p) == want)
        .map(|&(id, name, p)| {
            let types: Vec<String> = p.sample_types.iter().map(|t| t.name.clone()).collect();
            SeriesMember {
                id,
                name: name.to_owned(),
                key: pprof_series_key(p.meta.kind.label(), &p.meta.format, &types),
                time_nanos: p.meta.time_nanos.filter(|&t| t != 0),
                order_hint: None,
            }
        })
        .collect();
    let series = group_series(&members)
        .into_iter()
        .max_by_key(|s| s.ids.len())?;
    let find = |id: u32| profiles.iter().find(|p| p.0 == id).map(|p| (id, p.2));
    Some(series.ids.into_iter().filter_map(find).collect())
}

/// The growth of `points` for sample type `sample`.
fn series_facts(points: &[(u32, &Profile)], sample: &str) -> Option<SeriesFacts> {
    let first = points.first()?.1;
    let options = ReportOptions {
        sample_index: first.sample_type_index(sample)?,
        ..Default::default()
    };
    let profiles: Vec<&Profile> = points.iter().map(|p| p.1).collect();
    let growth = series_growth(&profiles, &options, 0, GrowthRows::StackFrames).ok()?;
    Some(SeriesFacts {
        ids: points.iter().map(|p| p.0).collect(),
        sample_type: sample.to_owned(),
        growth: growth.growth,
        waits: growth.waits,
        groups: Groups::default(),
    })
}

/// The in-use and allocated bytes of a heap profile series, from one aggregation.
fn memory_facts(points: &[(u32, &Profile)]) -> Option<MemoryFacts> {
    let first = points.first()?.1;
    let types = ["inuse_space", "alloc_space"];
    let indexes = types.map(|t| first.sample_type_index(t));
    let indexes = [indexes[0]?, indexes[1]?];
    let profiles: Vec<&Profile> = points.iter().map(|p| p.1).collect();
    let options = ReportOptions::default();
    let growth = series_growth_types(&profiles, &options, &indexes, GrowthRows::StackFrames);
    let [inuse, alloc]: [ProfileGrowth; 2] = growth.ok()?.try_into().ok()?;
    let facts = |sample: &str, growth| SeriesFacts {
        ids: points.iter().map(|p| p.0).collect(),
        sample_type: sample.to_owned(),
        growth,
        waits: Vec::new(),
        groups: Groups::default(),
    };
    Some(MemoryFacts {
        inuse: facts(types[0], inuse),
        alloc: facts(types[1], alloc),
    })
}

/// The delay table of the latest file of role `want` (block and mutex profiles count since
/// the process started, so the latest says the most).
fn last_table(profiles: &[(u32, &str, &Profile)], want: Role) -> Option<TableFacts> {
    let series = longest_series(profiles, want)?;
    let &(id, p) = series.last()?;
    let options = ReportOptions {
        sample_index: p
            .sample_type_index("delay")
            .unwrap_or(p.default_sample_type),
        ..Default::default()
    };
    Some(TableFacts {
        id,
        top: top_table(&aggregate(&[p], &options), Measure::Column(0)),
    })
}

/// The growth of the heap snapshots, ordered by their highest object id (one snapshot is a
/// series of one: it shows what is there, not what grows).
fn snapshot_facts(heaps: &[(u32, &str, &HeapGraph, &HeapAnalysis)]) -> Option<SnapshotFacts> {
    if heaps.is_empty() {
        return None;
    }
    let members: Vec<SeriesMember> = heaps
        .iter()
        .map(|&(id, name, g, _)| SeriesMember {
            id,
            name: name.to_owned(),
            key: String::new(),
            time_nanos: None,
            order_hint: Some(u64::from(max_js_node_id(g))),
        })
        .collect();
    let ids = group_series(&members).into_iter().next()?.ids;
    let series: Vec<(&HeapGraph, &HeapAnalysis)> = ids
        .iter()
        .filter_map(|id| heaps.iter().find(|h| h.0 == *id).map(|h| (h.2, h.3)))
        .collect();
    let clusters =
        (series.len() >= 3).then(|| leak_clusters(series[0], series[1], series[series.len() - 1]));
    Some(SnapshotFacts {
        growth: heap_growth(&series),
        clusters,
        ids,
    })
}
