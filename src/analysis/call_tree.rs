//! `CallTree`: one measure of an `Aggregate` as the flame graph draws it: nodes in pre-order
//! with siblings sorted by name, self and total values, and for a diff the base's totals so
//! the graph can colour the change. It crosses the worker boundary as plain serde data; it
//! does not draw or lay anything out.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::aggregate::{aggregate, Aggregate, Measure, ReportOptions, NO_PARENT};
use crate::model::{Profile, SampleType};

/// A merged call tree, one node per distinct path of report nodes.
///
/// Invariants: nodes are in depth-first pre-order, so a node's subtree is the contiguous run
/// of nodes after it with greater depth; siblings are sorted by name; `total_value[n]` is
/// `self_value[n]` plus the totals of its children (less what pruning left out); the sum of
/// root totals is `total` less the samples with empty stacks.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CallTree {
    /// What the values measure.
    pub sample_type: SampleType,
    /// pprof's report total of the samples drawn (after refining), the 100% of the flame graph.
    pub total: i64,
    /// Distinct display strings, indexed by `name` and `detail`.
    pub names: Vec<String>,
    /// Per node: its display name (function, file or `function file:line`), into `names`.
    pub name: Vec<u32>,
    /// Per node: where it is (`file:line`, or the binary for unsymbolized frames), into
    /// `names`; index 0 (`""`) when unknown.
    pub detail: Vec<u32>,
    /// Per node: its parent, `NO_PARENT` for a root.
    pub parent: Vec<u32>,
    /// Per node: 0 for roots.
    pub depth: Vec<u16>,
    /// Per node: value of samples whose leaf is this node.
    pub self_value: Vec<i64>,
    /// Per node: value of all samples passing through this node.
    pub total_value: Vec<i64>,
    /// For a diff: per node, the base profile's total through it (widths come from the newer
    /// profile, `total_value`; the colour from the change). Empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub base_value: Vec<i64>,
    /// For a diff: the base profile's report total.
    #[serde(default)]
    pub base_total: i64,
}

impl CallTree {
    /// One line per node, indented by depth (`name self=… total=…`): the tests' view of a tree.
    #[cfg(test)]
    pub(crate) fn test_text(&self) -> String {
        let mut out = String::new();
        for n in 0..self.len() {
            out.push_str(&format!(
                "{}{} self={} total={}\n",
                "  ".repeat(self.depth[n] as usize),
                self.name_of(n),
                self.self_value[n],
                self.total_value[n]
            ));
        }
        out
    }

    /// How many nodes there are.
    pub fn len(&self) -> usize {
        self.name.len()
    }

    /// True when there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.name.is_empty()
    }

    /// The display name of node `n`.
    pub fn name_of(&self, n: usize) -> &str {
        &self.names[self.name[n] as usize]
    }

    /// The detail (`file:line`) of node `n`.
    pub fn detail_of(&self, n: usize) -> &str {
        &self.names[self.detail[n] as usize]
    }

    /// The deepest depth plus one (0 for an empty tree).
    pub fn max_depth(&self) -> usize {
        self.depth
            .iter()
            .map(|&d| d as usize + 1)
            .max()
            .unwrap_or(0)
    }

    /// One past the last node of `n`'s subtree (pre-order makes subtrees contiguous).
    pub fn subtree_end(&self, n: usize) -> usize {
        let d = self.depth[n];
        let mut end = n + 1;
        while end < self.len() && self.depth[end] > d {
            end += 1;
        }
        end
    }
}

/// The merged call tree of `profile`'s samples for one sample type and granularity.
pub fn call_tree(profile: &Profile, options: &ReportOptions) -> CallTree {
    call_tree_of(&aggregate(&[profile], options), Measure::Column(0), 0.0)
}

/// The call tree of one measure of `agg`, leaving out subtrees whose |total| is below
/// `min_fraction` of the total, to keep huge profiles drawable. Totals stay exact: a dropped
/// child's value stays in its parent's `total_value`. For `Measure::Delta` the widths are the
/// newer profile's and `base_value` holds the base's totals.
pub fn call_tree_of(agg: &Aggregate, measure: Measure, min_fraction: f64) -> CallTree {
    let (shown, base) = match measure {
        Measure::Column(c) => (c, None),
        Measure::Delta { base, new } => (new, Some(base)),
    };
    let total = agg.total(shown);
    let threshold = (total as f64 * min_fraction).abs();
    let keep = |t: usize| {
        let (s, v) = (agg.self_values(t)[shown], agg.subtree_values(t)[shown]);
        (v.unsigned_abs() as f64) >= threshold && !(v == 0 && s == 0)
    };
    let mut tree = CallTree {
        sample_type: agg.sample_type.clone(),
        total,
        base_total: base.map_or(0, |b| agg.total(b)),
        ..Default::default()
    };
    // Display strings: node names and details, each once.
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let mut names: Vec<String> = Vec::new();
    intern(&mut ids, &mut names, "");
    let mut roots: Vec<u32> = agg
        .roots()
        .iter()
        .copied()
        .filter(|&t| keep(t as usize))
        .collect();
    agg.sort_by_name(&mut roots);
    let mut work: Vec<(u32, u32, u16)> = roots.iter().rev().map(|&t| (t, NO_PARENT, 0)).collect();
    while let Some((t, parent, depth)) = work.pop() {
        let t = t as usize;
        let n = tree.name.len() as u32;
        tree.name.push(intern(
            &mut ids,
            &mut names,
            agg.nodes.printable(agg.node(t)),
        ));
        tree.detail
            .push(intern(&mut ids, &mut names, agg.detail(t)));
        tree.parent.push(parent);
        tree.depth.push(depth);
        tree.self_value.push(agg.self_values(t)[shown]);
        tree.total_value.push(agg.subtree_values(t)[shown]);
        if let Some(b) = base {
            tree.base_value.push(agg.subtree_values(t)[b]);
        }
        let mut kids: Vec<u32> = agg
            .children(t)
            .iter()
            .copied()
            .filter(|&c| keep(c as usize))
            .collect();
        agg.sort_by_name(&mut kids);
        for &c in kids.iter().rev() {
            work.push((c, n, depth.saturating_add(1)));
        }
    }
    tree.names = names;
    tree
}

/// The id of display string `s` in `names`, added if new.
fn intern<'a>(ids: &mut HashMap<&'a str, u32>, names: &mut Vec<String>, s: &'a str) -> u32 {
    *ids.entry(s).or_insert_with(|| {
        names.push(s.to_owned());
        names.len() as u32 - 1
    })
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;
    use crate::analysis::Granularity;

    fn render(tree: &CallTree) -> String {
        format!("total {}\n{}", tree.total, tree.test_text())
    }

    fn check_invariants(tree: &CallTree) {
        let mut roots = 0;
        for n in 0..tree.len() {
            let end = tree.subtree_end(n);
            let kids: i64 = (n + 1..end)
                .filter(|&c| tree.parent[c] as usize == n)
                .map(|c| tree.total_value[c])
                .sum();
            assert_eq!(tree.total_value[n], tree.self_value[n] + kids);
            if tree.parent[n] == NO_PARENT {
                roots += tree.total_value[n];
            } else {
                assert!((tree.parent[n] as usize) < n);
                assert_eq!(tree.depth[n], tree.depth[tree.parent[n] as usize] + 1);
            }
        }
        assert_eq!(roots, tree.total);
    }

    #[test]
    fn merges_paths_and_sorts_siblings() {
        let p = Profile::from_folded(
            vec![SampleType::new("samples", "count")],
            "main;z;f;f 10\nmain;a 3\nmain 2\nmain;z 1\nworker;x 0\n",
        );
        let tree = call_tree(&p, &ReportOptions::default());
        check_invariants(&tree);
        expect![[r#"
            total 16
            main self=2 total=16
              a self=3 total=3
              z self=1 total=11
                f self=0 total=10
                  f self=10 total=10
        "#]]
        .assert_eq(&render(&tree));
        let names: std::collections::HashSet<&String> = tree.names.iter().collect();
        assert_eq!(names.len(), tree.names.len());
    }

    #[test]
    fn pruning_keeps_totals_exact() {
        let p = Profile::from_folded(
            vec![SampleType::new("samples", "count")],
            "main;big 95\nmain;small 5\n",
        );
        let tree = call_tree_of(
            &aggregate(&[&p], &ReportOptions::default()),
            Measure::Column(0),
            0.1,
        );
        expect![[r#"
            total 100
            main self=0 total=100
              big self=95 total=95
        "#]]
        .assert_eq(&render(&tree));
    }

    #[test]
    fn details_and_granularity() {
        let mut p =
            Profile::from_folded(vec![SampleType::new("samples", "count")], "main;leak 4\n");
        let file = p.strings.intern("/src/app.go");
        p.frames[1].file = file;
        p.frames[1].line = 42;
        let tree = call_tree(
            &p,
            &ReportOptions {
                sample_index: 0,
                granularity: Granularity::Lines,
            },
        );
        assert_eq!(tree.name_of(1), "leak /src/app.go:42");
        assert_eq!(tree.detail_of(1), "/src/app.go:42");
        assert_eq!(tree.detail_of(0), "");
        assert!(call_tree(&Profile::new(vec![]), &ReportOptions::default()).is_empty());
    }
}
