//! `Aggregate`: the one aggregation every pprof report reads, as pprof's reports all read its
//! one `graph.Graph`. The samples of one or more profiles are merged into a tree of report
//! nodes (one tree node per distinct path of pprof graph nodes at a granularity), with one
//! column of values per profile. Top (flat and cum per node), the heaviest stacks (its
//! leaves), the call tree (the tree itself), diff (two columns) and growth (N columns) are
//! views of it. It sums and walks; ranking, naming and printing are the reports' job.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault};

use hashbrown::HashTable;
use serde::{Deserialize, Serialize};

use super::{Granularity, ReportNodes};
use crate::model::{FrameId, IdHasher, IdMap, Profile, SampleType, StackId};

/// Sentinel parent of a root node.
pub const NO_PARENT: u32 = u32::MAX;

/// `Aggregate::inlining` bit: some frame merged into the node was inlined into its caller.
const INLINED: u8 = 1;
/// `Aggregate::inlining` bit: some frame merged into the node was not inlined.
const NOT_INLINED: u8 = 2;

/// What to aggregate: which sample type, at which granularity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportOptions {
    /// The value column (`Profile::sample_types` index).
    pub sample_index: usize,
    /// How frames are merged into report nodes.
    pub granularity: Granularity,
}

/// Which value a report shows of the aggregate's columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// One column: one profile of a series.
    Column(usize),
    /// `new - base`, pprof's `-diff_base`.
    Delta {
        /// The base profile's column.
        base: usize,
        /// The newer profile's column.
        new: usize,
    },
}

impl Measure {
    /// The measure's value from one row's columns.
    pub fn of(self, columns: &[i64]) -> i64 {
        match self {
            Measure::Column(c) => columns.get(c).copied().unwrap_or(0),
            Measure::Delta { base, new } => {
                let at = |c: usize| columns.get(c).copied().unwrap_or(0);
                at(new).wrapping_sub(at(base))
            }
        }
    }
}

/// The merged tree of report nodes with one value column per profile.
///
/// Invariants: a tree node's parent comes before it (`parent[t] < t`), so one forward pass
/// visits parents first and one backward pass children first; only paths with a nonzero
/// sample of some profile below them have tree nodes (pprof skips zero-valued samples,
/// graph.go `newGraph`); `subtree` is `self` plus the children's `subtree`, per column.
#[derive(Clone, Debug, Default)]
pub struct Aggregate {
    /// What the values measure.
    pub sample_type: SampleType,
    /// The report nodes the tree nodes name.
    pub nodes: ReportNodes,
    columns: usize,
    totals: Vec<i64>,
    parent: Vec<u32>,
    node: Vec<u32>,
    inlining: Vec<u8>,
    detail: Vec<u32>,
    details: Vec<String>,
    self_values: Vec<i64>,
    subtree: Vec<i64>,
    child_start: Vec<u32>,
    children: Vec<u32>,
    roots: Vec<u32>,
}

/// Flat and cumulative values per report node and column (`Aggregate::node_values`).
#[derive(Clone, Debug, Default)]
pub struct NodeValues {
    columns: usize,
    flat: Vec<i64>,
    cum: Vec<i64>,
}

impl NodeValues {
    /// Flat values of `node`, one per column: samples whose leaf is the node.
    pub fn flat(&self, node: u32) -> &[i64] {
        let i = node as usize * self.columns;
        &self.flat[i..i + self.columns]
    }

    /// Cumulative values of `node`, one per column: samples whose stack holds the node,
    /// counted once per sample even when it recurses.
    pub fn cum(&self, node: u32) -> &[i64] {
        let i = node as usize * self.columns;
        &self.cum[i..i + self.columns]
    }
}

/// The samples of `profiles` (one column each) for one sample type and granularity. Every
/// profile must have `options.sample_index`; one that does not adds an all-zero column.
pub fn aggregate(profiles: &[&Profile], options: &ReportOptions) -> Aggregate {
    aggregate_scaled(profiles, options, &[])
}

/// `aggregate`, with each sample value of profile `i` first multiplied by `scales[i]` and
/// rounded as pprof's `Profile.ScaleN` does (`-normalize`); missing scales are 1.
pub fn aggregate_scaled(
    profiles: &[&Profile],
    options: &ReportOptions,
    scales: &[f64],
) -> Aggregate {
    let sample_type = profiles
        .iter()
        .find_map(|p| p.sample_types.get(options.sample_index))
        .cloned()
        .unwrap_or_default();
    let mut b = Builder {
        agg: Aggregate {
            sample_type,
            nodes: ReportNodes::new(options.granularity),
            columns: profiles.len(),
            details: vec![String::new()],
            ..Default::default()
        },
        lookup: HashTable::new(),
        detail_ids: HashMap::from([(String::new(), 0)]),
    };
    for (column, profile) in profiles.iter().enumerate() {
        let scale = scales.get(column).copied().unwrap_or(1.0);
        b.add(profile, column, options.sample_index, scale);
    }
    b.finish()
}

/// The sum of |value| of column `sample_index` over all samples, empty stacks included:
/// pprof's report total (report.go `computeTotal`), the 100% of percentages; 0 for an
/// out-of-range column. Reports keep the unrefined profile's total, so this is cheap.
pub fn report_total(profile: &Profile, sample_index: usize) -> i64 {
    if sample_index >= profile.samples.n_types {
        return 0;
    }
    (0..profile.samples.len()).fold(0i64, |sum, i| {
        sum.wrapping_add(profile.samples.value(i, sample_index).wrapping_abs())
    })
}

/// Each sample's leaf and value of column `sample_index`, multiplied by `scale` and rounded
/// as pprof's `Profile.ScaleN` does. pprof merges samples with the same locations and labels
/// before it scales (`profile.Merge` of every fetched source), so scaled values are rounded
/// per such group, not per sample as written.
fn sample_values(
    profile: &Profile,
    sample_index: usize,
    scale: f64,
) -> Vec<(Option<StackId>, i64)> {
    let s = &profile.samples;
    if sample_index >= s.n_types {
        return Vec::new();
    }
    let values = (0..s.len()).map(|i| (s.stack[i], s.value(i, sample_index)));
    if scale == 1.0 {
        return values.collect();
    }
    let mut groups: IdMap<(Option<StackId>, u32), i64> = IdMap::default();
    let mut order = Vec::new();
    for (i, (stack, v)) in values.enumerate() {
        let slot = groups.entry((stack, s.labels[i])).or_insert_with(|| {
            order.push((stack, s.labels[i]));
            0
        });
        *slot = slot.wrapping_add(v);
    }
    order
        .into_iter()
        .map(|key| (key.0, (groups[&key] as f64 * scale).round() as i64))
        .collect()
}

impl Aggregate {
    /// How many value columns (profiles) there are.
    pub fn columns(&self) -> usize {
        self.columns
    }

    /// pprof's report total of column `c` (the sum of |value|, empty stacks included).
    pub fn total(&self, c: usize) -> i64 {
        self.totals.get(c).copied().unwrap_or(0)
    }

    /// The 100% of a report of `measure`: the column's total; for a diff, pprof's total of
    /// the base's samples (report.go `computeTotal` with `DiffBaseSample`), or of both sides
    /// when the base is empty.
    pub fn report_total(&self, measure: Measure) -> i64 {
        match measure {
            Measure::Column(c) => self.total(c),
            Measure::Delta { base, new } => match self.total(base) {
                0 => self.total(new),
                t => t,
            },
        }
    }

    /// How many tree nodes there are.
    pub fn len(&self) -> usize {
        self.node.len()
    }

    /// True when no sample has a nonzero value.
    pub fn is_empty(&self) -> bool {
        self.node.is_empty()
    }

    /// The tree node's parent, `NO_PARENT` for a root.
    pub fn parent(&self, t: usize) -> u32 {
        self.parent[t]
    }

    /// The report node a tree node stands for.
    pub fn node(&self, t: usize) -> u32 {
        self.node[t]
    }

    /// Tree nodes without a parent, in the order they were first seen.
    pub fn roots(&self) -> &[u32] {
        &self.roots
    }

    /// The children of tree node `t`, in the order they were first seen.
    pub fn children(&self, t: usize) -> &[u32] {
        &self.children[self.child_start[t] as usize..self.child_start[t + 1] as usize]
    }

    /// Values of samples whose leaf is tree node `t`, one per column.
    pub fn self_values(&self, t: usize) -> &[i64] {
        &self.self_values[t * self.columns..(t + 1) * self.columns]
    }

    /// Values of all samples through tree node `t`, one per column.
    pub fn subtree_values(&self, t: usize) -> &[i64] {
        &self.subtree[t * self.columns..(t + 1) * self.columns]
    }

    /// (some merged frame was inlined into its caller, some was not).
    pub fn inlining(&self, t: usize) -> (bool, bool) {
        let bits = self.inlining[t];
        (bits & INLINED != 0, bits & NOT_INLINED != 0)
    }

    /// Where tree node `t` is: `file:line`, the file its merged lines share, or the binary of
    /// an address-only frame; `""` when unknown.
    pub fn detail(&self, t: usize) -> &str {
        &self.details[self.detail[t] as usize]
    }

    /// Report nodes root first on the path ending at tree node `t`.
    pub fn path(&self, t: usize) -> Vec<u32> {
        let mut path = Vec::new();
        let mut at = t as u32;
        while at != NO_PARENT {
            path.push(self.node[at as usize]);
            at = self.parent[at as usize];
        }
        path.reverse();
        path
    }

    /// Flat and cum per report node and column, from one depth-first walk of the tree. A
    /// node's cum gets a tree node's subtree only when the node is not already on the path
    /// above (pprof counts each node once per sample).
    pub fn node_values(&self) -> NodeValues {
        let (n, cols) = (self.nodes.len(), self.columns);
        let mut v = NodeValues {
            columns: cols,
            flat: vec![0; n * cols],
            cum: vec![0; n * cols],
        };
        let mut on_path = vec![0u32; n];
        self.walk(
            |_| true,
            |t, step| {
                let k = self.node[t] as usize;
                if step == Step::Leave {
                    on_path[k] -= 1;
                    return;
                }
                let (flat, cum) = (&mut v.flat[k * cols..], &mut v.cum[k * cols..]);
                for (c, s) in self.self_values(t).iter().enumerate() {
                    flat[c] = flat[c].wrapping_add(*s);
                }
                if on_path[k] == 0 {
                    for (c, s) in self.subtree_values(t).iter().enumerate() {
                        cum[c] = cum[c].wrapping_add(*s);
                    }
                }
                on_path[k] += 1;
            },
        );
        v
    }

    /// Depth-first walk over the subtrees whose root passes `include` (the others are
    /// skipped whole): `visit(t, Step::Enter)` before `t`'s children, `visit(t, Step::Leave)`
    /// after them.
    pub fn walk(&self, include: impl Fn(usize) -> bool, mut visit: impl FnMut(usize, Step)) {
        let mut path: Vec<(usize, usize)> = Vec::new();
        for &root in &self.roots {
            if !include(root as usize) {
                continue;
            }
            visit(root as usize, Step::Enter);
            path.push((root as usize, 0));
            while let Some(&mut (t, ref mut cursor)) = path.last_mut() {
                if let Some(&c) = self.children(t).get(*cursor) {
                    *cursor += 1;
                    if include(c as usize) {
                        visit(c as usize, Step::Enter);
                        path.push((c as usize, 0));
                    }
                } else {
                    visit(t, Step::Leave);
                    path.pop();
                }
            }
        }
    }
}

/// Where `Aggregate::walk` is at a tree node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Before the node's children.
    Enter,
    /// After them.
    Leave,
}

/// Builds an `Aggregate` profile by profile.
struct Builder {
    agg: Aggregate,
    /// Tree nodes by (parent, report node): bare node numbers hashed through the columns (a
    /// third of the memory of a key-to-node map at millions of nodes).
    lookup: HashTable<u32>,
    detail_ids: HashMap<String, u32>,
}

fn tree_hash(parent: u32, node: u32) -> u64 {
    let key = (u64::from(parent) << 32) | u64::from(node);
    BuildHasherDefault::<IdHasher>::default().hash_one(key)
}

impl Builder {
    /// Adds `profile`'s samples of `sample_index` as column `column`.
    fn add(&mut self, profile: &Profile, column: usize, sample_index: usize, scale: f64) {
        let rows = profile.stacks.len();
        let mut row_self = vec![0i64; rows];
        let mut active = vec![false; rows];
        let mut total = 0i64;
        for (stack, v) in sample_values(profile, sample_index, scale) {
            total = total.wrapping_add(v.wrapping_abs());
            let Some(slot) = stack.filter(|s| s.index() < rows) else {
                continue;
            };
            row_self[slot.index()] = row_self[slot.index()].wrapping_add(v);
            active[slot.index()] |= v != 0;
        }
        self.agg.totals.push(total);
        // Children come after parents: one backward pass marks every path to an active row.
        for r in (0..rows).rev() {
            if active[r] {
                if let Some(p) = profile.stacks.parent(StackId::from_index(r)) {
                    active[p.index()] = true;
                }
            }
        }
        let frame_node = self.agg.nodes.add_frames(profile);
        let frame_detail: Vec<u32> = (0..profile.frames.len())
            .map(|f| self.detail_id(&frame_detail(profile, FrameId::from_index(f))))
            .collect();
        let mut tree_of_row = vec![NO_PARENT; rows];
        for r in 0..rows {
            if !active[r] {
                continue;
            }
            let id = StackId::from_index(r);
            // An active row's parent is active, so its tree node is set.
            let parent = profile
                .stacks
                .parent(id)
                .map_or(NO_PARENT, |p| tree_of_row[p.index()]);
            let frame = profile.stacks.frame(id);
            let t = self.tree_node(
                parent,
                frame_node[frame.index()],
                frame_detail[frame.index()],
            );
            self.agg.inlining[t] |= if profile.frame(frame).inlined {
                INLINED
            } else {
                NOT_INLINED
            };
            let slot = &mut self.agg.self_values[t * self.agg.columns + column];
            *slot = slot.wrapping_add(row_self[r]);
            tree_of_row[r] = t as u32;
        }
    }

    fn detail_id(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.detail_ids.get(text) {
            return id;
        }
        let id = self.agg.details.len() as u32;
        self.agg.details.push(text.to_owned());
        self.detail_ids.insert(text.to_owned(), id);
        id
    }

    /// The tree node for report node `node` under `parent`, added if new. Frames with
    /// different positions merged into one node (one function, several lines) keep what
    /// their details share: the file, or nothing.
    fn tree_node(&mut self, parent: u32, node: u32, detail: u32) -> usize {
        let hash = tree_hash(parent, node);
        let a = &self.agg;
        let found = self
            .lookup
            .find(hash, |&t| {
                a.parent[t as usize] == parent && a.node[t as usize] == node
            })
            .copied();
        if let Some(t) = found {
            let t = t as usize;
            if self.agg.detail[t] != detail {
                let shared = common_file(self.agg.detail(t), &self.agg.details[detail as usize]);
                self.agg.detail[t] = self.detail_id(&shared);
            }
            return t;
        }
        let t = self.agg.node.len();
        self.agg.parent.push(parent);
        self.agg.node.push(node);
        self.agg.inlining.push(0);
        self.agg.detail.push(detail);
        self.agg
            .self_values
            .resize(self.agg.self_values.len() + self.agg.columns, 0);
        let a = &self.agg;
        self.lookup.insert_unique(hash, t as u32, |&u| {
            tree_hash(a.parent[u as usize], a.node[u as usize])
        });
        t
    }

    /// Subtree sums and children lists.
    fn finish(self) -> Aggregate {
        let mut agg = self.agg;
        drop(self.lookup);
        let (n, cols) = (agg.node.len(), agg.columns);
        agg.subtree.clone_from(&agg.self_values);
        for t in (0..n).rev() {
            let p = agg.parent[t];
            if p != NO_PARENT {
                for c in 0..cols {
                    let v = agg.subtree[t * cols + c];
                    let slot = &mut agg.subtree[p as usize * cols + c];
                    *slot = slot.wrapping_add(v);
                }
            }
        }
        let mut start = vec![0u32; n + 1];
        for &p in &agg.parent {
            if p != NO_PARENT {
                start[p as usize + 1] += 1;
            }
        }
        for t in 0..n {
            start[t + 1] += start[t];
        }
        let mut fill = start.clone();
        let mut children = vec![0u32; start[n] as usize];
        for (t, &p) in agg.parent.iter().enumerate() {
            if p == NO_PARENT {
                agg.roots.push(t as u32);
            } else {
                children[fill[p as usize] as usize] = t as u32;
                fill[p as usize] += 1;
            }
        }
        agg.child_start = start;
        agg.children = children;
        agg
    }
}

/// Where a frame is: `file:line`, the file, or the binary's path for address-only frames.
fn frame_detail(profile: &Profile, frame: FrameId) -> String {
    let f = profile.frame(frame);
    let file = profile.strings.get(f.file);
    match (file.is_empty(), f.line) {
        (false, 0) => file.to_owned(),
        (false, line) => format!("{file}:{line}"),
        (true, _) => profile.strings.get(f.mapping).to_owned(),
    }
}

/// The file two details share (`a.go:3`, `a.go:9` → `a.go`), else `""`.
fn common_file(a: &str, b: &str) -> String {
    let file = |s: &str| {
        s.rsplit_once(':')
            .filter(|(_, n)| n.parse::<i64>().is_ok())
            .map_or(s.to_owned(), |(f, _)| f.to_owned())
    };
    let (fa, fb) = (file(a), file(b));
    if fa == fb {
        fa
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(text: &str) -> Profile {
        Profile::from_folded(vec![SampleType::new("samples", "count")], text)
    }

    fn render(agg: &Aggregate) -> String {
        let mut out = String::new();
        for t in 0..agg.len() {
            let path: Vec<&str> = agg
                .path(t)
                .iter()
                .map(|&k| agg.nodes.printable(k))
                .collect();
            out.push_str(&format!(
                "{} self={:?} sub={:?}\n",
                path.join(";"),
                agg.self_values(t),
                agg.subtree_values(t)
            ));
        }
        out
    }

    #[test]
    fn merges_profiles_into_one_tree_with_a_column_each() {
        let a = profile("main;f 5\nmain;g 3\nmain;zero 0\n");
        let b = profile("main;g 4\nmain;h 1\n");
        let agg = aggregate(&[&a, &b], &ReportOptions::default());
        assert_eq!(agg.columns(), 2);
        assert_eq!((agg.total(0), agg.total(1)), (8, 5));
        assert_eq!(
            render(&agg),
            "main self=[0, 0] sub=[8, 5]\nmain;f self=[5, 0] sub=[5, 0]\nmain;g self=[3, 4] sub=[3, 4]\nmain;h self=[0, 1] sub=[0, 1]\n"
        );
        assert_eq!(agg.roots(), [0]);
        assert_eq!(agg.children(0), [1, 2, 3]);
        let v = agg.node_values();
        let g = (0..agg.nodes.len() as u32)
            .find(|&k| agg.nodes.printable(k) == "g")
            .unwrap();
        assert_eq!((v.flat(g), v.cum(g)), (&[3, 4][..], &[3, 4][..]));
        assert_eq!(v.cum(0), [8, 5]);
        assert_eq!(Measure::Delta { base: 0, new: 1 }.of(v.cum(0)), -3);
        assert_eq!(agg.report_total(Measure::Delta { base: 0, new: 1 }), 8);
    }

    #[test]
    fn recursion_counts_once_per_path_and_scaling_rounds_per_sample() {
        let p = profile("main;f;f;f 10\nmain;f 5\n");
        let v = aggregate(&[&p], &ReportOptions::default()).node_values();
        assert_eq!((v.flat(1), v.cum(1)), (&[15][..], &[15][..]));
        let agg = aggregate_scaled(&[&p], &ReportOptions::default(), &[0.25]);
        // 10 * 0.25 = 2.5 → 3 and 5 * 0.25 = 1.25 → 1, rounded per sample.
        assert_eq!(agg.total(0), 4);
        // Samples with one stack (and labels) are summed before rounding, as pprof merges them.
        let twice = profile("main;f 3\nmain;f 3\n");
        let agg = aggregate_scaled(&[&twice], &ReportOptions::default(), &[0.5]);
        assert_eq!(agg.total(0), 3);
        assert_eq!(common_file("a.go:3", "a.go:9"), "a.go");
        assert_eq!(common_file("a.go:3", "b.go:9"), "");
    }
}
