//! `sandwich`: one function's callers and callees merged over every stack, as pprof's `-peek`
//! prints them (internal/report `printTree`: a graph node's in and out edges, internal/graph
//! `newGraph` edge weights) and as speedscope's sandwich view draws them (an inverted tree of
//! callers and a tree of callees, both rooted at the function). It reads the one `Aggregate`,
//! never the samples; printing the `-peek` text is `peek_text`'s job.

use crate::analysis::sort;
use serde::{Deserialize, Serialize};

use super::aggregate::{Aggregate, Measure, Step, NO_PARENT};
use super::call_tree::CallTree;
use super::top::{active, count_edge, ranked_nodes, EdgeState};
use crate::model::{IdMap, SampleType};

/// One edge of a peeked node: a caller (edge into it) or a callee (edge out of it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeekEdge {
    /// The other end's printed name.
    pub name: String,
    /// Value of the samples whose stack has this caller directly calling this callee,
    /// counted once per sample even when the pair repeats (graph.go `newGraph`).
    pub value: i64,
    /// Every counted call was inlined (pprof's ` (inline)` after the name).
    pub inline: bool,
}

/// One report node with its callers and callees, as one block of `go tool pprof -peek`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeekRow {
    /// The node's printed name.
    pub name: String,
    /// Value of samples whose leaf is the node.
    pub flat: i64,
    /// Value of samples whose stack holds the node (once per sample).
    pub cum: i64,
    /// Edges into the node, heaviest first, then by name (graph.go `edgeList.Less`).
    pub callers: Vec<PeekEdge>,
    /// Edges out of the node, in the same order. Calls of a node to itself are not edges.
    pub callees: Vec<PeekEdge>,
}

/// The nodes a `-peek` report shows, in `-top` order, with what its header needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeekReport {
    /// What the values measure.
    pub sample_type: SampleType,
    /// pprof's report total (the 100% of flat% and cum%).
    pub total: i64,
    /// (flat, cum) of every node of the graph, which choose the report's unit and make its
    /// "Showing nodes accounting for" line (`-peek` does not trim the graph).
    pub all: Vec<(i64, i64)>,
    /// The matched nodes, in `go tool pprof -top` order.
    pub rows: Vec<PeekRow>,
}

/// A function's sandwich: its peek row, and its callers and callees as flame graph trees.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sandwich {
    /// What the values measure.
    pub sample_type: SampleType,
    /// pprof's report total.
    pub total: i64,
    /// The function with its direct callers and callees (`-peek`'s numbers).
    pub peek: PeekRow,
    /// The stacks into the function, inverted: rooted at the function, its callers below it,
    /// their callers below them. Each sample counts once, at the function's outermost call.
    pub callers: CallTree,
    /// The stacks out of the function, rooted at it, from its outermost call on each stack.
    pub callees: CallTree,
}

/// The in and out edges of every node in `wanted` (indexed by report node), from one walk of
/// the tree: `edges[(caller, callee)]` = (weight, inline).
fn edges_of(agg: &Aggregate, measure: Measure, wanted: &[bool]) -> IdMap<(u32, u32), EdgeState> {
    let mut edges: IdMap<(u32, u32), EdgeState> = IdMap::default();
    agg.walk(
        |t| active(agg, measure, t),
        |t, step| {
            let p = agg.parent(t);
            if p == NO_PARENT {
                return;
            }
            let (a, b) = (agg.node(p as usize), agg.node(t));
            if a == b || !(wanted[a as usize] || wanted[b as usize]) {
                return;
            }
            count_edge(&mut edges, (a, b), step, agg, t, measure);
        },
    );
    edges
}

/// The `-peek` rows of the report nodes for which `matches(printed name)` holds, in `-top`
/// order (nodes with a zero flat and cum are not in pprof's graph).
pub fn peek(agg: &Aggregate, measure: Measure, matches: impl Fn(&str) -> bool) -> PeekReport {
    peek_nodes(agg, measure, matches).0
}

/// `peek`, and the report node of each row.
fn peek_nodes(
    agg: &Aggregate,
    measure: Measure,
    matches: impl Fn(&str) -> bool,
) -> (PeekReport, Vec<u32>) {
    let values = agg.node_values();
    let order = ranked_nodes(agg, &values, measure);
    let mut wanted = vec![false; agg.nodes.len()];
    for &k in &order {
        wanted[k as usize] = matches(agg.nodes.printable(k));
    }
    let edges = edges_of(agg, measure, &wanted);
    let mut callers: IdMap<u32, Vec<(u32, &EdgeState)>> = IdMap::default();
    let mut callees: IdMap<u32, Vec<(u32, &EdgeState)>> = IdMap::default();
    for (&(a, b), e) in &edges {
        if wanted[b as usize] {
            callers.entry(b).or_default().push((a, e));
        }
        if wanted[a as usize] {
            callees.entry(a).or_default().push((b, e));
        }
    }
    let listed = |list: Option<&Vec<(u32, &EdgeState)>>| {
        let mut list: Vec<PeekEdge> = list
            .into_iter()
            .flatten()
            .map(|&(k, e)| PeekEdge {
                name: agg.nodes.printable(k).to_owned(),
                value: e.weight,
                inline: e.inline,
            })
            .collect();
        sort::sort_by(&mut list, |x, y| {
            y.value
                .unsigned_abs()
                .cmp(&x.value.unsigned_abs())
                .then_with(|| x.name.cmp(&y.name))
        });
        list
    };
    let nodes: Vec<u32> = order
        .iter()
        .copied()
        .filter(|&k| wanted[k as usize])
        .collect();
    let rows = nodes
        .iter()
        .map(|&k| PeekRow {
            name: agg.nodes.printable(k).to_owned(),
            flat: measure.of(values.flat(k)),
            cum: measure.of(values.cum(k)),
            callers: listed(callers.get(&k)),
            callees: listed(callees.get(&k)),
        })
        .collect();
    let report = PeekReport {
        sample_type: agg.sample_type.clone(),
        total: agg.report_total(measure),
        all: order
            .iter()
            .map(|&k| (measure.of(values.flat(k)), measure.of(values.cum(k))))
            .collect(),
        rows,
    };
    (report, nodes)
}

/// The sandwich of the function printed `name` (at the aggregate's granularity), or `None`
/// when no node with a value has that name. Of several nodes printed alike, the one with the
/// largest |cum|. Subtrees of the two trees below `min_fraction` of the total are left out
/// (their values stay in their parents' totals), as `call_tree_of` does.
pub fn sandwich(
    agg: &Aggregate,
    measure: Measure,
    name: &str,
    min_fraction: f64,
) -> Option<Sandwich> {
    let (mut report, nodes) = peek_nodes(agg, measure, |n| n == name);
    let heaviest = (0..report.rows.len()).max_by_key(|&i| report.rows[i].cum.unsigned_abs())?;
    let peek = report.rows.swap_remove(heaviest);
    let threshold = (report.total as f64 * min_fraction).abs();
    let (callers, callees) = trees(agg, measure, nodes[heaviest]);
    Some(Sandwich {
        sample_type: report.sample_type.clone(),
        total: report.total,
        callers: callers.into_call_tree(agg, &report, threshold),
        callees: callees.into_call_tree(agg, &report, threshold),
        peek,
    })
}

/// The callers and callees tries of report node `k`.
fn trees(agg: &Aggregate, measure: Measure, k: u32) -> (Trie, Trie) {
    let mut callers = Trie::new(k);
    let mut callees = Trie::new(k);
    // The outermost call of the function on each path: its subtree holds every sample through
    // the function on that path exactly once.
    let mut inside = 0u32;
    agg.walk(
        |_| true,
        |t, step| {
            if agg.node(t) != k {
                return;
            }
            if step == Step::Leave {
                inside -= 1;
                return;
            }
            inside += 1;
            if inside > 1 {
                return;
            }
            let value = measure.of(agg.subtree_values(t));
            callers.add_callers(agg, t, value);
            callees.add_subtree(agg, measure, t);
        },
    );
    (callers, callees)
}

/// A tree of report nodes being merged: node 0 is the function.
struct Trie {
    node: Vec<u32>,
    parent: Vec<u32>,
    /// The tree node of the aggregate first merged here (for its detail).
    first: Vec<u32>,
    self_value: Vec<i64>,
    total_value: Vec<i64>,
    child: IdMap<(u32, u32), u32>,
}

impl Trie {
    fn new(root: u32) -> Trie {
        Trie {
            node: vec![root],
            parent: vec![NO_PARENT],
            first: vec![u32::MAX],
            self_value: vec![0],
            total_value: vec![0],
            child: IdMap::default(),
        }
    }

    /// The child of trie node `at` for report node `k`, new if none.
    fn child(&mut self, at: u32, k: u32, t: usize) -> u32 {
        let next = self.node.len() as u32;
        let c = *self.child.entry((at, k)).or_insert(next);
        if c == next {
            self.node.push(k);
            self.parent.push(at);
            self.first.push(t as u32);
            self.self_value.push(0);
            self.total_value.push(0);
        }
        c
    }

    /// Adds the path above tree node `t` inverted: its caller, the caller's caller, … each
    /// carrying `value`; the outermost caller (or the function, called from no one) as self.
    fn add_callers(&mut self, agg: &Aggregate, t: usize, value: i64) {
        if self.first[0] == u32::MAX {
            self.first[0] = t as u32;
        }
        let mut at = 0u32;
        self.total_value[0] = self.total_value[0].wrapping_add(value);
        let mut p = agg.parent(t);
        while p != NO_PARENT {
            at = self.child(at, agg.node(p as usize), p as usize);
            let slot = &mut self.total_value[at as usize];
            *slot = slot.wrapping_add(value);
            p = agg.parent(p as usize);
        }
        let slot = &mut self.self_value[at as usize];
        *slot = slot.wrapping_add(value);
    }

    /// Merges the subtree of tree node `t` (the function) into the trie's root.
    fn add_subtree(&mut self, agg: &Aggregate, measure: Measure, t: usize) {
        if self.first[0] == u32::MAX {
            self.first[0] = t as u32;
        }
        let mut work = vec![(t, 0u32)];
        while let Some((t, at)) = work.pop() {
            let (s, v) = (
                measure.of(agg.self_values(t)),
                measure.of(agg.subtree_values(t)),
            );
            self.self_value[at as usize] = self.self_value[at as usize].wrapping_add(s);
            self.total_value[at as usize] = self.total_value[at as usize].wrapping_add(v);
            for &c in agg.children(t) {
                let c = c as usize;
                let into = self.child(at, agg.node(c), c);
                work.push((c, into));
            }
        }
    }

    /// The trie as a flame graph's tree: pre-order, siblings by name, subtrees whose |total|
    /// is below `threshold` left out.
    fn into_call_tree(self, agg: &Aggregate, report: &PeekReport, threshold: f64) -> CallTree {
        let mut kids: Vec<Vec<u32>> = vec![Vec::new(); self.node.len()];
        for (i, &p) in self.parent.iter().enumerate().skip(1) {
            if (self.total_value[i].unsigned_abs() as f64) >= threshold
                && !(self.total_value[i] == 0 && self.self_value[i] == 0)
            {
                kids[p as usize].push(i as u32);
            }
        }
        let name = |i: u32| agg.nodes.printable(self.node[i as usize]);
        let mut tree = CallTree {
            sample_type: report.sample_type.clone(),
            total: report.total,
            ..Default::default()
        };
        let mut ids: IdMap<u64, u32> = IdMap::default();
        let mut intern = |tree: &mut CallTree, key: u64, s: &str| {
            *ids.entry(key).or_insert_with(|| {
                tree.names.push(s.to_owned());
                tree.names.len() as u32 - 1
            })
        };
        intern(&mut tree, u64::MAX, "");
        let mut work: Vec<(u32, u32, u16)> = vec![(0, NO_PARENT, 0)];
        while let Some((i, parent, depth)) = work.pop() {
            let n = tree.name.len() as u32;
            let k = self.node[i as usize];
            let name_id = intern(&mut tree, u64::from(agg.nodes.name_id(k)), name(i));
            tree.name.push(name_id);
            let detail = match self.first[i as usize] {
                u32::MAX => 0,
                t => {
                    let text = agg.detail(t as usize);
                    intern(&mut tree, 1 << 32 | u64::from(t), text)
                }
            };
            tree.detail.push(detail);
            tree.parent.push(parent);
            tree.depth.push(depth);
            tree.self_value.push(self.self_value[i as usize]);
            tree.total_value.push(self.total_value[i as usize]);
            let mut children = std::mem::take(&mut kids[i as usize]);
            sort::sort_by(&mut children, |&a, &b| name(a).cmp(name(b)));
            for &c in children.iter().rev() {
                work.push((c, n, depth.saturating_add(1)));
            }
        }
        tree
    }
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;
    use crate::analysis::{aggregate, ReportOptions};
    use crate::model::Profile;

    fn agg(text: &str) -> Aggregate {
        let p = Profile::from_folded(vec![SampleType::new("samples", "count")], text);
        aggregate(&[&p], &ReportOptions::default())
    }

    fn render_peek(report: &PeekReport) -> String {
        let mut out = String::new();
        for r in &report.rows {
            for e in &r.callers {
                out.push_str(&format!("    {} {}\n", e.value, e.name));
            }
            out.push_str(&format!("{} flat={} cum={}\n", r.name, r.flat, r.cum));
            for e in &r.callees {
                out.push_str(&format!("    {} {}\n", e.value, e.name));
            }
        }
        out
    }

    #[test]
    fn edges_count_once_per_sample_and_skip_self_calls() {
        // f calls itself (no edge), g twice on one stack (counted once), h from two callers.
        let a = agg("main;f;f;g;f;g 10\nmain;f 5\nmain;h 2\nmain;f;h 3\n");
        let report = peek(&a, Measure::Column(0), |n| n == "f" || n == "g");
        expect![[r#"
                10 f
            g flat=10 cum=10
                10 f
                18 main
                10 g
            f flat=5 cum=18
                10 g
                3 h
        "#]]
        .assert_eq(&render_peek(&report));
        assert_eq!(report.total, 20);
        assert_eq!(report.all.len(), 4);
    }

    #[test]
    fn sandwich_trees_are_rooted_at_the_function() {
        let a = agg("main;a;f;x 4\nmain;b;f 3\nmain;f;f;y 2\nmain;z 1\n");
        let s = sandwich(&a, Measure::Column(0), "f", 0.0).unwrap();
        assert_eq!((s.peek.flat, s.peek.cum), (3, 9));
        expect![[r#"
            f self=0 total=9
              a self=0 total=4
                main self=4 total=4
              b self=0 total=3
                main self=3 total=3
              main self=2 total=2
        "#]]
        .assert_eq(&s.callers.test_text());
        expect![[r#"
            f self=3 total=9
              f self=0 total=2
                y self=2 total=2
              x self=4 total=4
        "#]]
        .assert_eq(&s.callees.test_text());
        assert!(sandwich(&a, Measure::Column(0), "nowhere", 0.0).is_none());
    }

    #[test]
    fn inline_edges_need_every_call_inlined() {
        let mut p = Profile::from_folded(
            vec![SampleType::new("samples", "count")],
            "main;g;h 3\nmain;h 1\n",
        );
        p.frames[1].inlined = true;
        let a = aggregate(&[&p], &ReportOptions::default());
        let report = peek(&a, Measure::Column(0), |n| n == "g");
        let row = &report.rows[0];
        assert_eq!(row.callers[0].name, "main");
        assert!(row.callers[0].inline);
        assert!(!row.callees[0].inline);
    }
}
