//! `Aggregate`: the one aggregation every pprof report reads, as pprof's reports all read its
//! one `graph.Graph`. The samples of one or more profiles are merged into a tree of report
//! nodes (one tree node per distinct path of pprof graph nodes at a granularity), with one
//! column of values per profile. Top (flat and cum per node), the heaviest stacks (its
//! leaves), the call tree (the tree itself), diff (two columns) and growth (N columns) are
//! views of it. It sums and walks; ranking, naming and printing are the reports' job.

mod builder;

use serde::{Deserialize, Serialize};

pub use builder::AggregateBuilder;

use super::{Granularity, ReportNodes};
use crate::model::{Profile, SampleType};

/// Sentinel parent of a root node.
pub const NO_PARENT: u32 = u32::MAX;

/// `Aggregate::inlining` bit: some frame merged into the node was inlined into its caller.
pub(super) const INLINED: u8 = 1;
/// `Aggregate::inlining` bit: some frame merged into the node was not inlined.
pub(super) const NOT_INLINED: u8 = 2;

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
    let mut b = AggregateBuilder::new(profiles.len(), options);
    for (column, profile) in profiles.iter().enumerate() {
        b.add(profile, scales.get(column).copied().unwrap_or(1.0));
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

    /// Puts the columns in the order `order` lists them (`order[i]` is the old column that
    /// becomes column `i`), as when a series added file by file is put in time order.
    pub fn reorder_columns(&mut self, order: &[usize]) {
        let cols = self.columns;
        if order.len() != cols || order.iter().enumerate().all(|(i, &c)| i == c) {
            return;
        }
        let permute = |values: &mut Vec<i64>| {
            let mut out = Vec::with_capacity(values.len());
            for row in values.chunks_exact(cols) {
                out.extend(order.iter().map(|&c| row[c]));
            }
            *values = out;
        };
        permute(&mut self.self_values);
        permute(&mut self.subtree);
        self.totals = order.iter().map(|&c| self.totals[c]).collect();
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

    /// Sorts tree nodes by their report nodes' printed names (the order the call tree and
    /// ties between stacks put siblings in).
    pub fn sort_by_name(&self, list: &mut [u32]) {
        list.sort_by(|&a, &b| {
            self.nodes
                .printable(self.node(a as usize))
                .cmp(self.nodes.printable(self.node(b as usize)))
        });
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
    fn columns_can_be_put_in_another_order() {
        let a = profile("main;f 5\n");
        let b = profile("main;g 4\n");
        let mut agg = aggregate(&[&a, &b], &ReportOptions::default());
        agg.reorder_columns(&[1, 0]);
        let swapped = aggregate(&[&b, &a], &ReportOptions::default());
        assert_eq!((agg.total(0), agg.total(1)), (4, 5));
        assert_eq!(agg.subtree_values(0), swapped.subtree_values(0));
        assert_eq!(render(&agg).lines().count(), 3);
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
    }
}
