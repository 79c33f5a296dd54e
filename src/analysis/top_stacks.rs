//! `top_stacks`: the heaviest complete call paths of an `Aggregate`, with frames named at its
//! granularity and identical named paths merged. It ranks whole stacks; per-node totals are
//! `top`'s job, and diff and growth read the same merged paths (`stack_paths`).

use super::sort;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

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
    /// A tree node whose path prints as this stack (the first one seen).
    pub leaf: u32,
    /// Summed self value, one per column.
    pub values: Vec<i64>,
}

impl StackPath {
    /// The path's printed names, root first.
    pub fn frames(&self, agg: &Aggregate) -> Vec<String> {
        name_path(agg, self.leaf)
            .iter()
            .map(|&n| agg.nodes.name(n).to_owned())
            .collect()
    }

    /// `frames`, each name allocated once in `names` (indexed by name id) for all the paths
    /// named with it.
    pub fn shared_frames(
        &self,
        agg: &Aggregate,
        names: &mut Vec<Option<Arc<str>>>,
    ) -> Vec<Arc<str>> {
        name_path(agg, self.leaf)
            .iter()
            .map(|&n| {
                let i = n as usize;
                if names.len() <= i {
                    names.resize(i + 1, None);
                }
                names[i]
                    .get_or_insert_with(|| Arc::from(agg.nodes.name(n)))
                    .clone()
            })
            .collect()
    }
}

/// The printed-name ids of the path ending at tree node `leaf`, root first.
fn name_path(agg: &Aggregate, leaf: u32) -> Vec<u32> {
    agg.path(leaf as usize)
        .iter()
        .map(|&k| agg.nodes.name_id(k))
        .collect()
}

/// Every path that ends in a sample of some column. Identical printed paths are merged (two
/// report nodes may print alike, such as nameless functions of two binaries with one base
/// name); when no two nodes print alike, every tree path is its own stack and nothing is
/// hashed (a million-stack profile has a million paths).
pub fn stack_paths(agg: &Aggregate) -> Vec<StackPath> {
    stack_paths_in(agg, 0..agg.columns())
}

/// `stack_paths` over the columns `columns` only (an aggregate of several sample types holds
/// each type's points as a run of columns).
pub fn stack_paths_in(agg: &Aggregate, columns: Range<usize>) -> Vec<StackPath> {
    let cols = columns.len();
    let values = |t: usize| &agg.self_values(t)[columns.clone()];
    let leaves = (0..agg.len()).filter(|&t| values(t).iter().any(|&v| v != 0));
    if !agg.nodes.has_shared_names() {
        return leaves
            .map(|t| StackPath {
                leaf: t as u32,
                values: values(t).to_vec(),
            })
            .collect();
    }
    let mut index: HashMap<Vec<u32>, usize> = HashMap::new();
    let mut paths: Vec<StackPath> = Vec::new();
    for t in leaves {
        let i = *index.entry(name_path(agg, t as u32)).or_insert_with(|| {
            paths.push(StackPath {
                leaf: t as u32,
                values: vec![0; cols],
            });
            paths.len() - 1
        });
        for (slot, v) in paths[i].values.iter_mut().zip(values(t)) {
            *slot = slot.wrapping_add(*v);
        }
    }
    paths
}

/// Sorts `items` by `order`, items it finds equal by their path (root first, by name), which
/// is read only for such ties: most paths of a big profile have values of their own (but in a
/// single profile's growth ranking every stack ties).
pub fn sort_paths<T>(
    agg: &Aggregate,
    items: &mut [T],
    leaf: impl Fn(&T) -> u32,
    order: impl Fn(&T, &T) -> Ordering,
) {
    sort::sort_by(items, &order);
    // When no two report nodes print alike, sibling tree nodes have different names, so the
    // order of paths by name is the tree's preorder with children by name: one number per
    // tree node, made at the first tie, instead of each tied path's names.
    let mut ranks: Option<Vec<u32>> = None;
    let mut start = 0;
    while start < items.len() {
        let mut end = start + 1;
        while end < items.len() && order(&items[start], &items[end]) == Ordering::Equal {
            end += 1;
        }
        if end - start > 1 {
            let run = &mut items[start..end];
            if !agg.nodes.has_shared_names() {
                let ranks = ranks.get_or_insert_with(|| preorder_by_name(agg));
                sort::sort_by_key(run, |item| ranks[leaf(item) as usize]);
            } else {
                let mut keyed: Vec<(Vec<&str>, usize)> = run
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let names = name_path(agg, leaf(item));
                        (names.iter().map(|&n| agg.nodes.name(n)).collect(), i)
                    })
                    .collect();
                keyed.sort();
                let perm: Vec<usize> = keyed.into_iter().map(|(_, i)| i).collect();
                sort::permute(run, &perm);
            }
        }
        start = end;
    }
}

/// Each tree node's place in a depth-first preorder walk that takes roots and children in
/// the order of their printed names.
fn preorder_by_name(agg: &Aggregate) -> Vec<u32> {
    let mut ranks = vec![0u32; agg.len()];
    let mut next = 0u32;
    // Pushed in reverse name order, so the first by name is taken first.
    let mut work: Vec<u32> = agg.roots().to_vec();
    agg.sort_by_name(&mut work);
    work.reverse();
    let mut kids: Vec<u32> = Vec::new();
    while let Some(t) = work.pop() {
        ranks[t as usize] = next;
        next += 1;
        kids.clear();
        kids.extend_from_slice(agg.children(t as usize));
        agg.sort_by_name(&mut kids);
        work.extend(kids.iter().rev());
    }
    ranks
}

/// Sorts paths by |`measure`| descending, then by path (root first, by name) ascending, and
/// drops those whose measure is 0.
pub fn rank_paths(agg: &Aggregate, paths: &mut Vec<StackPath>, measure: Measure) {
    paths.retain(|p| measure.of(&p.values) != 0);
    sort_paths(
        agg,
        paths,
        |p| p.leaf,
        |a, b| {
            measure
                .of(&b.values)
                .unsigned_abs()
                .cmp(&measure.of(&a.values).unsigned_abs())
        },
    );
}

/// Leaves in `paths` (all nonzero) the `limit` that `rank_paths` puts first, in no order,
/// without ranking them all: the heavier ones found by selection, and of the paths exactly as
/// heavy as the last one in, the first by path. Names are read only for that tie, which in a
/// big profile with few distinct values can still be many paths, but not all of them.
fn keep_first_ranked(agg: &Aggregate, paths: &mut Vec<StackPath>, measure: Measure, limit: usize) {
    if paths.len() <= limit {
        return;
    }
    if limit == 0 {
        paths.clear();
        return;
    }
    let weight = |p: &StackPath| measure.of(&p.values).unsigned_abs();
    paths.select_nth_unstable_by(limit - 1, |a, b| weight(b).cmp(&weight(a)));
    let cut = weight(&paths[limit - 1]);
    let (mut kept, tied): (Vec<StackPath>, Vec<StackPath>) = paths
        .drain(..)
        .filter(|p| weight(p) >= cut)
        .partition(|p| weight(p) > cut);
    // At least the path at `limit - 1` is tied, so there is room for one.
    let room = limit - kept.len();
    if tied.len() <= room {
        kept.extend(tied);
    } else {
        // Printed paths are distinct (`stack_paths` merges equal ones), so the key is total.
        let mut keyed: Vec<(Vec<&str>, usize)> = tied
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let names = name_path(agg, p.leaf);
                (names.iter().map(|&n| agg.nodes.name(n)).collect(), i)
            })
            .collect();
        keyed.select_nth_unstable(room - 1);
        let mut take = vec![false; tied.len()];
        for (_, i) in &keyed[..room] {
            take[*i] = true;
        }
        kept.extend(
            tied.into_iter()
                .enumerate()
                .filter(|(i, _)| take[*i])
                .map(|(_, p)| p),
        );
    }
    *paths = kept;
}

/// The `limit` heaviest paths of `measure`: |value| descending, then path (root first, by
/// name) ascending. Paths whose value sums to 0 are left out.
pub fn top_stacks(agg: &Aggregate, measure: Measure, limit: usize) -> Vec<StackRow> {
    let mut paths = stack_paths(agg);
    paths.retain(|p| measure.of(&p.values) != 0);
    keep_first_ranked(agg, &mut paths, measure, limit);
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
    fn ties_sort_by_path_and_permutations_apply() {
        let p = Profile::from_folded(
            vec![SampleType::new("samples", "count")],
            "main;zeta 5\nmain;alpha 5\nmain;mid 5\nmain;big 9\n",
        );
        assert_eq!(
            stacks(&p, &ReportOptions::default(), 10),
            "main;big 9\nmain;alpha 5\nmain;mid 5\nmain;zeta 5\n"
        );
        // A limit inside the tie keeps the first by path, as ranking them all would.
        assert_eq!(
            stacks(&p, &ReportOptions::default(), 3),
            "main;big 9\nmain;alpha 5\nmain;mid 5\n"
        );
        assert_eq!(stacks(&p, &ReportOptions::default(), 1), "main;big 9\n");
    }

    #[test]
    fn ties_are_ordered_by_names_root_first() {
        // Names whose order differs from the order they are first seen in, at every depth,
        // and paths that are prefixes of others.
        let mut text = String::new();
        for i in 0..200u32 {
            let (a, b, c) = ((i * 7) % 5, (i * 13) % 9, (i * 29) % 4);
            text.push_str(&format!("m{a};z{b};f{c} 1\nm{a};z{b} 1\n"));
        }
        let p = Profile::from_folded(vec![SampleType::new("samples", "count")], &text);
        let agg = aggregate(&[&p], &ReportOptions::default());
        assert!(!agg.nodes.has_shared_names());
        let mut paths = stack_paths(&agg);
        sort_paths(&agg, &mut paths, |p| p.leaf, |_, _| Ordering::Equal);
        let got: Vec<Vec<String>> = paths.iter().map(|p| p.frames(&agg)).collect();
        let mut want = got.clone();
        want.sort();
        assert_eq!(got, want);
        assert_eq!(got.len(), 5 * 9 + 5 * 9 * 4);
    }

    #[test]
    fn a_limit_keeps_what_ranking_all_paths_puts_first() {
        // Many paths over few values: most of them tie, at every limit.
        let mut text = String::new();
        for i in 0..300u32 {
            let (a, b, c) = (i % 7, (i * 13) % 11, (i * 29) % 17);
            text.push_str(&format!("main;f{a};g{b};h{c} {}\n", 1 + (i * 31) % 4));
        }
        let p = Profile::from_folded(vec![SampleType::new("samples", "count")], &text);
        let agg = aggregate(&[&p], &ReportOptions::default());
        let mut all = stack_paths(&agg);
        rank_paths(&agg, &mut all, Measure::Column(0));
        for limit in [1, 2, 5, 40, 77, 150, 400] {
            let want: Vec<Vec<String>> = all.iter().take(limit).map(|p| p.frames(&agg)).collect();
            let got: Vec<Vec<String>> = top_stacks(&agg, Measure::Column(0), limit)
                .into_iter()
                .map(|r| r.frames)
                .collect();
            assert_eq!(got, want, "limit {limit}");
        }
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
