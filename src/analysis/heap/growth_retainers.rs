//! Which objects of each class that grew `heap_growth` reads retainer paths for (new objects,
//! the objects that grew, or the largest ones, at most `max_path_samples` per class), and the
//! path most of them share. It reads paths off one `RetainerForest` of the last snapshot;
//! trends and ranking are `heap_growth`'s.

use super::bit_set::BitSet;
use super::heap_growth::{ClassGrowthRow, HeapGrowthOptions, RetainerBasis};
use super::heap_summary::HeapAnalysis;
use super::path_clusters::PathClusters;
use super::retainer_forest::RetainerForest;
use super::snapshot_ids::SnapshotIds;
use crate::analysis::growth::{GrowthTrend, TrendKind};
use crate::model::{HeapGraph, NodeOrdinal};

/// Per row, the objects (ordinals in the last snapshot) whose paths to read and what they
/// are. `first` is the first snapshot's shallow sizes and ids, `last` the last snapshot with
/// its ids, `fresh` its objects the first lacks (`None` when the snapshots are not of one
/// process). The ids are dropped on return, before the forest is built.
pub(super) fn sample(
    rows: &[ClassGrowthRow],
    (first_sizes, first_ids): (&[u32], SnapshotIds),
    (last, last_a, last_ids): (&HeapGraph, &HeapAnalysis, SnapshotIds),
    fresh: Option<&BitSet>,
    row_of: &impl Fn(usize) -> usize,
    opts: &HeapGrowthOptions,
) -> (Vec<Vec<NodeOrdinal>>, Vec<Option<RetainerBasis>>) {
    let up = |t: &GrowthTrend| matches!(t.kind, TrendKind::Growing | TrendKind::Rising);
    let mut basis: Vec<Option<RetainerBasis>> = rows
        .iter()
        .map(|r| {
            if r.counts.len() < 2 || !(up(&r.size_trend) || up(&r.count_trend)) {
                None
            } else if fresh.is_none() {
                Some(RetainerBasis::LargestObjects)
            } else if up(&r.count_trend) {
                Some(RetainerBasis::NewObjects)
            } else {
                Some(RetainerBasis::GrownObjects)
            }
        })
        .collect();
    if basis.iter().all(Option::is_none) {
        return (vec![Vec::new(); rows.len()], basis);
    }
    let want = |basis: &[Option<RetainerBasis>], b| {
        basis.iter().map(|&x| x == Some(b)).collect::<Vec<_>>()
    };
    let Some(fresh) = fresh else {
        let largest = want(&basis, RetainerBasis::LargestObjects);
        return (sample_largest(last, last_a, &largest, row_of, opts), basis);
    };
    let growing: Vec<bool> = basis.iter().map(Option::is_some).collect();
    let mut samples = sample_new(last, last_a, fresh, rows, &growing, row_of, opts);
    // A class whose size grew but not its count: the objects of both snapshots that grew the
    // most (a `Map` whose table grew), else its new objects after all.
    let grown = want(&basis, RetainerBasis::GrownObjects);
    let deltas =
        |o: usize, f: usize| (last_a.shallow_sizes[o] as u64).saturating_sub(first_sizes[f] as u64);
    let by_growth = sample_top(
        last_ids
            .shared(&first_ids)
            .map(|(o, f)| (o.index(), deltas(o.index(), f.index())))
            .filter(|&(o, d)| d > 0 && grown[row_of(o)]),
        row_of,
        rows.len(),
        opts,
    );
    for (r, objects) in by_growth.into_iter().enumerate() {
        if !objects.is_empty() {
            samples[r] = objects;
        } else if basis[r] == Some(RetainerBasis::GrownObjects) {
            basis[r] = Some(RetainerBasis::NewObjects);
        }
    }
    (samples, basis)
}

/// Reads the sampled objects' paths in the last snapshot and gives each row the path most of
/// them share (ties: the first found), its share and an example object.
pub(super) fn describe(
    rows: &mut [ClassGrowthRow],
    last: &HeapGraph,
    last_a: &HeapAnalysis,
    samples: Vec<Vec<NodeOrdinal>>,
    basis: &[Option<RetainerBasis>],
) {
    if samples.iter().all(Vec::is_empty) {
        return;
    }
    let mut forest = RetainerForest::new(last, last_a);
    let mut key = Vec::new();
    for (r, objects) in samples.into_iter().enumerate() {
        let mut clusters = PathClusters::default();
        for &o in &objects {
            forest.key(o.index(), &mut key);
            clusters.add(&key, o);
        }
        let best = clusters
            .clusters
            .iter()
            .enumerate()
            .max_by_key(|&(i, c)| (c.count, std::cmp::Reverse(i)))
            .map(|(_, c)| (c.count, c.example));
        if let Some((count, example)) = best {
            let row = &mut rows[r];
            row.retainer = Some(forest.text(example.index()));
            row.retainer_basis = basis[r];
            row.retainer_objects = count;
            row.retainer_sampled = objects.len() as u64;
            row.retainer_share = count as f64 / objects.len() as f64;
            row.example = Some(example);
        }
    }
}

/// Per growing row, up to `max_path_samples` of its new objects, evenly spread (every k-th in
/// ordinal order).
fn sample_new(
    g: &HeapGraph,
    a: &HeapAnalysis,
    fresh: &BitSet,
    rows: &[ClassGrowthRow],
    growing: &[bool],
    row_of: &impl Fn(usize) -> usize,
    opts: &HeapGrowthOptions,
) -> Vec<Vec<NodeOrdinal>> {
    let cap = opts.max_path_samples.max(1) as u64;
    let stride: Vec<u64> = rows
        .iter()
        .map(|r| r.new_objects.div_ceil(cap).max(1))
        .collect();
    let mut seen = vec![0u64; rows.len()];
    let mut out: Vec<Vec<NodeOrdinal>> = vec![Vec::new(); rows.len()];
    for o in 0..g.node_count() {
        if !fresh.get(o) || a.shallow_sizes[o] == 0 {
            continue;
        }
        let r = row_of(o);
        if !growing[r] {
            continue;
        }
        if seen[r] % stride[r] == 0 && (out[r].len() as u64) < cap {
            out[r].push(NodeOrdinal(o as u32));
        }
        seen[r] += 1;
    }
    out
}

/// Per row marked in `rows`, its `max_path_samples` objects of largest retained size.
fn sample_largest(
    g: &HeapGraph,
    a: &HeapAnalysis,
    rows: &[bool],
    row_of: &impl Fn(usize) -> usize,
    opts: &HeapGrowthOptions,
) -> Vec<Vec<NodeOrdinal>> {
    let objects = (0..g.node_count())
        .filter(|&o| a.shallow_sizes[o] != 0 && rows[row_of(o)])
        .map(|o| (o, a.dominators.retained_size[o]));
    sample_top(objects, row_of, rows.len(), opts)
}

/// Per row, the `max_path_samples` of `objects` (ordinal, weight) of largest weight (ties:
/// smaller ordinal), kept bounded as they stream in.
fn sample_top(
    objects: impl Iterator<Item = (usize, u64)>,
    row_of: &impl Fn(usize) -> usize,
    rows: usize,
    opts: &HeapGrowthOptions,
) -> Vec<Vec<NodeOrdinal>> {
    let cap = opts.max_path_samples.max(1);
    let mut out: Vec<Vec<(u64, u32)>> = vec![Vec::new(); rows];
    let keep_top = |v: &mut Vec<(u64, u32)>| {
        v.sort_unstable_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
        v.truncate(cap);
    };
    for (o, weight) in objects {
        let r = row_of(o);
        out[r].push((weight, o as u32));
        if out[r].len() >= 2 * cap {
            keep_top(&mut out[r]);
        }
    }
    out.into_iter()
        .map(|mut v| {
            keep_top(&mut v);
            v.into_iter().map(|(_, o)| NodeOrdinal(o)).collect()
        })
        .collect()
}
