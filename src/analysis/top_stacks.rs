//! `top_stacks`: the heaviest complete call paths of an `Aggregate`, with frames named at its
//! granularity and identical named paths merged. It ranks whole stacks; per-node totals are
//! `top`'s job, and diff and growth read the same merged paths (`stack_paths`).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::aggregate::{Aggregate, Measure};

/// One call path and the value of the samples that end there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackRow {
    /// Printed node names, root first.
    pub frames: Vec<String>,
    /// Summed value of the samples with exactly this path.
    pub value: i64,
}

/// A distinct printed path and the self values of the tree nodes that print as it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackPath {
    /// Printed-name ids (`ReportNodes::name`), root first.
    pub names: Vec<u32>,
    /// Summed self value, one per column.
    pub values: Vec<i64>,
}

impl StackPath {
    /// The path's printed names, root first.
    pub fn frames(&self, agg: &Aggregate) -> Vec<String> {
        self.names
            .iter()
            .map(|&n| agg.nodes.name(n).to_owned())
            .collect()
    }
}

/// Every path that ends in a sample of some column, identical printed paths merged (two
/// nodes may print alike, such as nameless functions of two binaries with one base name).
pub fn stack_paths(agg: &Aggregate) -> Vec<StackPath> {
    let cols = agg.columns();
    let mut index: HashMap<Vec<u32>, usize> = HashMap::new();
    let mut paths: Vec<StackPath> = Vec::new();
    for t in 0..agg.len() {
        let values = agg.self_values(t);
        if values.iter().all(|&v| v == 0) {
            continue;
        }
        let names: Vec<u32> = agg.path(t).iter().map(|&k| agg.nodes.name_id(k)).collect();
        let i = *index.entry(names.clone()).or_insert_with(|| {
            paths.push(StackPath {
                names,
                values: vec![0; cols],
            });
            paths.len() - 1
        });
        for (slot, v) in paths[i].values.iter_mut().zip(values) {
            *slot = slot.wrapping_add(*v);
        }
    }
    paths
}

/// Sorts paths by |`measure`| descending, then by path (root first, by name) ascending, and
/// drops those whose measure is 0.
pub fn rank_paths(agg: &Aggregate, paths: &mut Vec<StackPath>, measure: Measure) {
    paths.retain(|p| measure.of(&p.values) != 0);
    let name = |id: &u32| agg.nodes.name(*id);
    paths.sort_by(|a, b| {
        measure
            .of(&b.values)
            .unsigned_abs()
            .cmp(&measure.of(&a.values).unsigned_abs())
            .then_with(|| a.names.iter().map(name).cmp(b.names.iter().map(name)))
    });
}

/// The `limit` heaviest paths of `measure`: |value| descending, then path (root first, by
/// name) ascending. Paths whose value sums to 0 are left out.
pub fn top_stacks(agg: &Aggregate, measure: Measure, limit: usize) -> Vec<StackRow> {
    let mut paths = stack_paths(agg);
    rank_paths(agg, &mut paths, measure);
    paths.truncate(limit);
    paths
        .iter()
        .map(|p| StackRow {
            frames: p.frames(agg),
            value: measure.of(&p.values),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;
    use crate::analysis::{aggregate, Granularity, ReportOptions};
    use crate::model::{Profile, SampleType};

    fn render(rows: &[StackRow]) -> String {
        rows.iter()
            .map(|r| format!("{} {}\n", r.frames.join(";"), r.value))
            .collect()
    }

    fn stacks(p: &Profile, options: &ReportOptions, limit: usize) -> String {
        render(&top_stacks(
            &aggregate(&[p], options),
            Measure::Column(0),
            limit,
        ))
    }

    #[test]
    fn merges_same_named_paths_and_ranks() {
        let mut p = Profile::from_folded(
            vec![SampleType::new("samples", "count")],
            "main;a 5\nmain;b 5\nmain;c;d 9\nmain;e 0\nmain 1\nmain;a2 4\n",
        );
        assert_eq!(
            stacks(&p, &ReportOptions::default(), 10),
            "main;c;d 9\nmain;a 5\nmain;b 5\nmain;a2 4\nmain 1\n"
        );
        // Give a2 the same file as a: at files granularity both paths read "?;x.go".
        let file = p.strings.intern("x.go");
        for f in [1, 6] {
            p.frames[f].file = file;
        }
        let files = ReportOptions {
            sample_index: 0,
            granularity: Granularity::Files,
        };
        expect![[r#"
            <unknown>;<unknown>;<unknown> 9
            <unknown>;x.go 9
        "#]]
        .assert_eq(&stacks(&p, &files, 2));
        assert!(stacks(&p, &ReportOptions::default(), 0).is_empty());
        assert!(stacks(&Profile::new(vec![]), &ReportOptions::default(), 5).is_empty());
    }

    #[test]
    fn ranks_a_diff_by_its_change() {
        let t = vec![SampleType::new("samples", "count")];
        let base = Profile::from_folded(t.clone(), "main;a 5\nmain;b 9\n");
        let new = Profile::from_folded(t, "main;a 6\nmain;b 1\nmain;c 2\n");
        let agg = aggregate(&[&base, &new], &ReportOptions::default());
        let rows = top_stacks(&agg, Measure::Delta { base: 0, new: 1 }, 10);
        assert_eq!(render(&rows), "main;b -8\nmain;c 2\nmain;a 1\n");
    }
}
