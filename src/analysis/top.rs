//! `top`: flat and cumulative value per report node, ranked as `go tool pprof -top` ranks
//! them (internal/graph `newGraph`, `FlatNameOrder`), plus pprof's display trimming and its
//! `(inline)` marks. It reads the one `Aggregate`; `top_text` prints the numbers.

use crate::analysis::sort;
use serde::{Deserialize, Serialize};

use super::aggregate::{aggregate, Aggregate, Measure, NodeValues, ReportOptions, Step};
use crate::model::{IdMap, Profile, SampleType};

/// Whether a row's node was reached through inlined calls, pprof's `(inline)` suffix.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Inlining {
    /// Never inlined, or a root (no suffix).
    #[default]
    No,
    /// Every caller edge is inlined: `(inline)`.
    Inline,
    /// Some caller edges are inlined: `(partial-inline)`.
    Partial,
}

impl Inlining {
    /// pprof's suffix, empty for `No`.
    pub fn label(self) -> &'static str {
        match self {
            Inlining::No => "",
            Inlining::Inline => "(inline)",
            Inlining::Partial => "(partial-inline)",
        }
    }

    fn is_no(&self) -> bool {
        *self == Inlining::No
    }
}

/// One report node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopRow {
    /// The node's printed name at the table's granularity.
    pub name: String,
    /// Value of samples whose leaf frame is this node.
    pub flat: i64,
    /// Value of samples whose stack contains this node (once per sample, even if recursive).
    pub cum: i64,
    /// pprof's inline mark (omitted from JSON when `No`).
    #[serde(default, skip_serializing_if = "Inlining::is_no")]
    pub inline: Inlining,
}

/// Every report node of one sample type, sorted like `go tool pprof -top`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopTable {
    /// What the values measure.
    pub sample_type: SampleType,
    /// The 100% of percentages: the sum of absolute sample values (report.go `computeTotal`;
    /// for a diff, of the base's samples). pprof takes it before `-focus`/`-ignore`/`-hide`;
    /// callers that refine may overwrite it with the unrefined profile's total to print the
    /// same percentages.
    pub total: i64,
    /// All nodes with a nonzero flat or cum value (for a diff, after netting the two sides):
    /// |flat| descending, then name, then |cum| descending (graph.go `FlatNameOrder`).
    pub rows: Vec<TopRow>,
}

/// Per-edge state while walking the tree: whether every counted call was inlined, and how many
/// occurrences are on the current path (pprof counts a caller→callee edge once per sample).
pub(super) struct EdgeState {
    pub(super) inline: bool,
    on_path: u32,
    pub(super) weight: i64,
}

/// Counts report edge `key` (caller, callee) as the walk enters or leaves tree node `t` (the
/// callee's frame): once per sample, however often the pair recurs on the path, and inline only
/// while every counted call was inlined.
pub(super) fn count_edge(
    edges: &mut IdMap<(u32, u32), EdgeState>,
    key: (u32, u32),
    step: Step,
    agg: &Aggregate,
    t: usize,
    measure: Measure,
) {
    if step == Step::Leave {
        if let Some(e) = edges.get_mut(&key) {
            e.on_path -= 1;
        }
        return;
    }
    let e = edges.entry(key).or_insert(EdgeState {
        inline: true,
        on_path: 0,
        weight: 0,
    });
    if e.on_path == 0 {
        e.inline &= !agg.inlining(t).1;
        e.weight = e.weight.wrapping_add(measure.of(agg.subtree_values(t)));
    }
    e.on_path += 1;
}

/// True when tree node `t` holds a nonzero sample of `measure` below it. For one column of a
/// single-profile aggregate every tree node does; for a diff, a nonzero sample of either side
/// counts (pprof keeps base and new samples apart).
pub(super) fn active(agg: &Aggregate, measure: Measure, t: usize) -> bool {
    match measure {
        Measure::Column(c) => agg.columns() == 1 || agg.subtree_values(t)[c] != 0,
        Measure::Delta { .. } => true,
    }
}

/// Per report node: (has an inlined caller edge, has a non-inlined caller edge), from one
/// depth-first walk. Caller edges go from the nearest `kept` node above, as pprof's graph
/// rebuilt from a kept node set has them (graph.go `newGraph` skips nodes that are not kept),
/// and count once per sample. Only edges whose |weight| is at least `edge_cutoff` count:
/// pprof's `TrimLowFrequencyEdges` removes the others before the text report reads them.
fn inline_marks(
    agg: &Aggregate,
    measure: Measure,
    kept: Option<&[bool]>,
    edge_cutoff: i64,
) -> Vec<(bool, bool)> {
    let n = agg.nodes.len();
    let is_kept = |k: u32| kept.is_none_or(|set| set[k as usize]);
    // Only nodes reached through an inlined frame can be marked `(inline)`: a node whose
    // frames are never inlined has only non-inline edges, and that reads as no mark at all.
    // Tracking edges into just those nodes keeps the edge map small (at a million random
    // stacks, tracking every caller/callee pair cost gigabytes).
    let mut may_inline = vec![false; n];
    for t in 0..agg.len() {
        if agg.inlining(t).0 {
            may_inline[agg.node(t) as usize] = true;
        }
    }
    let tracked = |k: u32| may_inline[k as usize] && is_kept(k);
    let mut edges: IdMap<(u32, u32), EdgeState> = IdMap::default();
    // Per tree node on the current path: the nearest kept node at or above it.
    let mut last_kept = vec![u32::MAX; agg.len()];
    let above = |last_kept: &[u32], t: usize| match agg.parent(t) {
        u32::MAX => u32::MAX,
        p => last_kept[p as usize],
    };
    agg.walk(
        |t| active(agg, measure, t),
        |t, step| {
            let k = agg.node(t);
            let up = above(&last_kept, t);
            if step == Step::Enter {
                last_kept[t] = if is_kept(k) { k } else { up };
            }
            if !tracked(k) || up == u32::MAX || up == k {
                return;
            }
            count_edge(&mut edges, (up, k), step, agg, t, measure);
        },
    );
    let mut marks = vec![(false, false); n];
    let heavy = |e: &&EdgeState| e.weight.unsigned_abs() >= edge_cutoff as u64;
    for (&(_, k), e) in edges.iter().filter(|(_, e)| heavy(e)) {
        let slot = &mut marks[k as usize];
        if e.inline {
            slot.0 = true;
        } else {
            slot.1 = true;
        }
    }
    marks
}

fn mark((inline, not_inline): (bool, bool)) -> Inlining {
    match (inline, not_inline) {
        (true, true) => Inlining::Partial,
        (true, false) => Inlining::Inline,
        _ => Inlining::No,
    }
}

/// The report nodes of `measure` in `go tool pprof -top` order: nodes with a nonzero flat or
/// cum (graph.go `selectNodesForGraph`; in a diff, after netting), |flat| descending, then
/// printed name, then |cum| descending, then pprof's last tie-break.
pub fn ranked_nodes(agg: &Aggregate, values: &NodeValues, measure: Measure) -> Vec<u32> {
    let flat = |k: u32| measure.of(values.flat(k));
    let cum = |k: u32| measure.of(values.cum(k));
    let shown = |k: u32| flat(k) != 0 || cum(k) != 0;
    let mut order: Vec<u32> = (0..agg.nodes.len() as u32).filter(|&k| shown(k)).collect();
    sort::sort_by(&mut order, |&a, &b| {
        flat(b)
            .unsigned_abs()
            .cmp(&flat(a).unsigned_abs())
            .then_with(|| agg.nodes.printable(a).cmp(agg.nodes.printable(b)))
            .then_with(|| cum(b).unsigned_abs().cmp(&cum(a).unsigned_abs()))
            .then_with(|| agg.nodes.tiebreak(a).cmp(agg.nodes.tiebreak(b)))
    });
    order
}

/// The table of `measure` and, per row, its report node; with `marks`, every row's inline
/// mark as an untrimmed report has it (one more walk of the tree), else none.
fn table_and_nodes(agg: &Aggregate, measure: Measure, marks: bool) -> (TopTable, Vec<u32>) {
    let values = agg.node_values();
    let order = ranked_nodes(agg, &values, measure);
    let marks = if marks {
        inline_marks(agg, measure, None, 0)
    } else {
        vec![(false, false); agg.nodes.len()]
    };
    let rows = order
        .iter()
        .map(|&k| TopRow {
            name: agg.nodes.printable(k).to_owned(),
            flat: measure.of(values.flat(k)),
            cum: measure.of(values.cum(k)),
            inline: mark(marks[k as usize]),
        })
        .collect();
    let table = TopTable {
        sample_type: agg.sample_type.clone(),
        total: agg.report_total(measure),
        rows,
    };
    (table, order)
}

/// Flat and cum per report node of `profile`, as `go tool pprof -top` computes them, with
/// inline marks as an untrimmed report (`-nodefraction=0`) shows them.
pub fn top(profile: &Profile, options: &ReportOptions) -> TopTable {
    top_table(&aggregate(&[profile], options), Measure::Column(0))
}

/// The `top` table of one measure of an aggregate (one profile of a series, or a diff).
pub fn top_table(agg: &Aggregate, measure: Measure) -> TopTable {
    table_and_nodes(agg, measure, true).0
}

/// `top_table` with the inline marks of the rows that `pprof_visible_rows(node_fraction,
/// node_count)` keeps recomputed as pprof's text report has them: on the graph rebuilt from
/// the kept nodes only (a caller edge skips dropped nodes), after dropping edges whose
/// |weight| is below `edge_fraction` of the graph's summed flat value (report.go
/// `newTrimmedGraph`; pprof's defaults are 0.005, 0.001 and 0). Values and order are `top`'s;
/// when the report is trimmed, the rows it does not show carry no inline mark (the text
/// report never prints them, and their marks would cost another walk of the tree).
pub fn pprof_top(
    agg: &Aggregate,
    measure: Measure,
    node_fraction: f64,
    edge_fraction: f64,
    node_count: usize,
) -> TopTable {
    let (mut table, nodes) = table_and_nodes(agg, measure, false);
    let visible = pprof_visible_rows(&table, node_fraction, node_count);
    let graph_total: i64 = table.rows.iter().map(|r| r.flat).sum();
    let edge_cutoff = ((graph_total as f64 * edge_fraction) as i64).wrapping_abs();
    if visible.rows.len() == table.rows.len() && edge_cutoff == 0 {
        let marks = inline_marks(agg, measure, None, 0);
        for (row, &k) in table.rows.iter_mut().zip(&nodes) {
            row.inline = mark(marks[k as usize]);
        }
        return table;
    }
    let mut kept = vec![false; agg.nodes.len()];
    for &i in &visible.rows {
        kept[nodes[i] as usize] = true;
    }
    let trimmed = inline_marks(agg, measure, Some(&kept), edge_cutoff);
    for &i in &visible.rows {
        table.rows[i].inline = mark(trimmed[nodes[i] as usize]);
    }
    table
}

/// The rows `go tool pprof -top` shows, and what it says about the others.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisibleRows {
    /// Indices into `TopTable::rows`, in table order.
    pub rows: Vec<usize>,
    /// Nodes dropped for a small cum ("Dropped N nodes (cum <= V)").
    pub dropped_nodes: usize,
    /// Nodes left after that drop, before `node_count` ("Showing top N nodes out of M").
    pub kept_before_count: usize,
}

/// pprof's trimming for text reports (report.go `newTrimmedGraph`): drop nodes whose |cum| is
/// below `node_fraction` of the graph's summed flat value, then keep the first `node_count`
/// (0 = all). pprof's defaults for `-top` are 0.005 and 0. Kept nodes keep their values.
pub fn pprof_visible_rows(table: &TopTable, node_fraction: f64, node_count: usize) -> VisibleRows {
    let graph_total: i64 = table.rows.iter().map(|r| r.flat).sum();
    let cutoff = ((graph_total as f64 * node_fraction) as i64).wrapping_abs();
    let mut rows: Vec<usize> = (0..table.rows.len()).collect();
    if cutoff > 0 {
        rows.retain(|&i| table.rows[i].cum.unsigned_abs() >= cutoff as u64);
    }
    let dropped_nodes = table.rows.len() - rows.len();
    let kept_before_count = rows.len();
    if node_count > 0 {
        rows.truncate(node_count);
    }
    VisibleRows {
        rows,
        dropped_nodes,
        kept_before_count,
    }
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;

    fn table(text: &str) -> String {
        let p = Profile::from_folded(vec![SampleType::new("samples", "count")], text);
        let t = top(&p, &ReportOptions::default());
        let mut out = format!("total {}\n", t.total);
        for r in &t.rows {
            out.push_str(&format!("{} {} {}\n", r.name, r.flat, r.cum));
        }
        out
    }

    #[test]
    fn recursion_counts_cum_once_per_sample() {
        expect![[r#"
            total 15
            f 15 15
            main 0 15
        "#]]
        .assert_eq(&table("main;f;f;f 10\nmain;f 5\n"));
    }

    #[test]
    fn sorts_by_flat_then_name_then_cum() {
        // b and a tie on flat: name decides before cum (FlatNameOrder), so a comes first.
        expect![[r#"
            total 24
            c 7 7
            main 7 24
            a 5 5
            b 5 12
        "#]]
        .assert_eq(&table("main 7\nmain;a 5\nmain;b 5\nmain;b;c 7\n"));
    }

    #[test]
    fn empty_and_zero_profiles_have_no_rows() {
        assert_eq!(table(""), "total 0\n");
        assert_eq!(table("main;a 0\n"), "total 0\n");
        let p = Profile::new(vec![]);
        let t = top(&p, &ReportOptions::default());
        assert!(t.rows.is_empty());
        assert_eq!(t.sample_type, SampleType::default());
    }

    #[test]
    fn negative_values_sort_by_magnitude() {
        expect![[r#"
            total 13
            b -8 -8
            a 5 5
            main 0 -3
        "#]]
        .assert_eq(&table("main;a 5\nmain;b -8\n"));
    }

    #[test]
    fn visible_rows_drop_small_nodes_then_count() {
        let p = Profile::from_folded(
            vec![SampleType::new("samples", "count")],
            "main;a 1000\nmain;b 4\nmain;c 5\n",
        );
        let t = top(&p, &ReportOptions::default());
        // Cutoff: int(1009 * 0.005) = 5, kept when |cum| >= 5.
        let v = pprof_visible_rows(&t, 0.005, 0);
        let names: Vec<&str> = v.rows.iter().map(|&i| t.rows[i].name.as_str()).collect();
        assert_eq!(names, ["a", "c", "main"]);
        assert_eq!((v.dropped_nodes, v.kept_before_count), (1, 3));
        let v = pprof_visible_rows(&t, 0.005, 2);
        assert_eq!(v.rows.len(), 2);
        assert_eq!(pprof_visible_rows(&t, 0.0, 0).rows.len(), 4);
    }

    #[test]
    fn marks_inlined_nodes() {
        let mut p = Profile::from_folded(
            vec![SampleType::new("samples", "count")],
            "main;g;h 3\nmain;h 1\n",
        );
        // Frame 1 (g) is inlined into main everywhere; h is inlined only under g.
        p.frames[1].inlined = true;
        let t = top(&p, &ReportOptions::default());
        let marks: Vec<(&str, &str)> = t
            .rows
            .iter()
            .map(|r| (r.name.as_str(), r.inline.label()))
            .collect();
        assert_eq!(marks, [("h", ""), ("g", "(inline)"), ("main", "")]);
        p.frames[2].inlined = true;
        let t = top(&p, &ReportOptions::default());
        assert_eq!(t.rows[0].inline, Inlining::Inline);
    }
}
