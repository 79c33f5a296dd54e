//! `heap_growth`: how each constructor (Summary class key) moved across a series of snapshots
//! of one process, oldest first: count, shallow and retained size at each point, a
//! `GrowthTrend` on each, ranked so that what grew at every step comes first (most retained
//! growth first), and for growing rows the retainer path most of their new (or grown)
//! objects hang from (`growth_retainers`). It reads each snapshot's own `heap_analysis`; it
//! does not judge what is a leak.

use crate::analysis::sort;
use serde::{Deserialize, Serialize};

use super::growth_retainers::{describe, sample};
use super::heap_summary::{class_aggregates, HeapAnalysis};
use super::series_keys::SeriesKeys;
use super::snapshot_ids::{process_match, SnapshotIds};
use crate::analysis::growth::{rank_order, trend, GrowthTrend, TrendKind};
use crate::model::{HeapGraph, NodeOrdinal};

/// A step counts as a change of a class's shallow size only when it moves by more than the
/// largest snapshot's total size divided by this (0.01%: 30 KB of a 300 MB heap, 600 bytes of
/// the 6 MB fixtures), so that the churn of a busy heap (compiled code, caches refilled) does
/// not read as growth while a leak of a few objects per step still does.
pub const GROWTH_SIZE_NOISE_DIVISOR: u64 = 10_000;
/// A step counts as a change of a class's count when it moves by more than this many objects
/// (0: one more object is a rise).
pub const GROWTH_COUNT_NOISE: u64 = 0;

/// Options for `heap_growth_with`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct HeapGrowthOptions {
    /// At most this many objects of a growing class have their retainer path read (evenly
    /// spread over its new objects; or those that grew most, or its largest ones: see
    /// `RetainerBasis`).
    pub max_path_samples: usize,
}

impl Default for HeapGrowthOptions {
    fn default() -> Self {
        HeapGrowthOptions {
            max_path_samples: 2_000,
        }
    }
}

/// Which objects a growing row's `retainer` describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetainerBasis {
    /// Objects of the class in the last snapshot whose id the first lacks: for a class whose
    /// count rose (same process).
    NewObjects,
    /// Objects of the class in both the first and last snapshot whose shallow size grew the
    /// most: for a class whose size rose but not its count (a `Map` whose table grew).
    GrownObjects,
    /// The class's largest objects (by retained size) in the last snapshot: ids of different
    /// processes do not tell new objects from old ones.
    LargestObjects,
}

/// One class across the series.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassGrowthRow {
    /// The class name (the last snapshot's interfaces name plain objects in every snapshot).
    pub name: String,
    /// DevTools' class key.
    pub key: String,
    /// Objects of the class (non-zero shallow size) at each point.
    pub counts: Vec<u64>,
    /// Their shallow sizes at each point.
    pub shallow_sizes: Vec<u64>,
    /// Their retained sizes at each point (the Summary's: members not dominated by another
    /// member of the class).
    pub retained_sizes: Vec<u64>,
    /// What the ranking sorts by: the leading of the two trends' kinds (`Growing` when either
    /// the count or the shallow size grew at every step: a leak of DOM nodes adds few bytes
    /// of shallow size, a growing `Map` no objects).
    pub kind: TrendKind,
    /// How the shallow size moved (noise: `HeapGrowth::size_noise`).
    pub size_trend: GrowthTrend,
    /// How the count moved (noise: `GROWTH_COUNT_NOISE`).
    pub count_trend: GrowthTrend,
    /// How the retained size moved (noise: `HeapGrowth::size_noise`): what the ranking orders
    /// rows of one `kind` by, since a leak's cost is what it keeps alive (a detached `<ul>`
    /// is 104 bytes of shallow size and 29 KB retained).
    pub retained_trend: GrowthTrend,
    /// Objects of the class in the last snapshot whose id the first snapshot lacks (0 when
    /// the snapshots are from different processes).
    pub new_objects: u64,
    /// For a class that grew or rose: the retainer path shared by most of the sampled objects
    /// (`retainer_basis`), from the root down to the holder, long paths with `…` in the
    /// middle (`(root) → global.CustomEvent → … → SessionCache.byId → Map internal table →
    /// (array) internal []`).
    pub retainer: Option<String>,
    /// Which objects were sampled for `retainer`.
    pub retainer_basis: Option<RetainerBasis>,
    /// Sampled objects on that path.
    pub retainer_objects: u64,
    /// Objects whose paths were read.
    pub retainer_sampled: u64,
    /// `retainer_objects / retainer_sampled` (0 without a retainer).
    pub retainer_share: f64,
    /// One object on that path (an ordinal in the last snapshot), to reveal it.
    pub example: Option<NodeOrdinal>,
}

/// Growth of every class across a series of snapshots.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HeapGrowth {
    /// How many snapshots the series has.
    pub snapshots: usize,
    /// True when every snapshot's ids line up with the first's (`process_match`). When
    /// false, counts, sizes and trends are still per class, but `new_objects` is 0 and
    /// retainers describe each class's largest objects (`RetainerBasis::LargestObjects`).
    pub same_process: bool,
    /// Each snapshot's total size (DevTools' Summary total).
    pub total_sizes: Vec<u64>,
    /// The shallow-size noise floor used for `size_trend`.
    pub size_noise: u64,
    /// Every class, ranked by `kind`, then (`rank_order`) by the net growth of the retained
    /// size (its absolute change for falling and churning classes), then by the count's.
    pub rows: Vec<ClassGrowthRow>,
}

/// `heap_growth_with` with default options.
pub fn heap_growth(series: &[(&HeapGraph, &HeapAnalysis)]) -> HeapGrowth {
    heap_growth_with(series, &HeapGrowthOptions::default())
}

/// Growth of every class across `series` (each snapshot with its `heap_analysis`, oldest
/// first). Work beyond the analyses: class keys and one Summary walk per snapshot, a radix
/// sort of ids per snapshot, and one retainer-forest pass over the last snapshot's edges.
pub fn heap_growth_with(
    series: &[(&HeapGraph, &HeapAnalysis)],
    opts: &HeapGrowthOptions,
) -> HeapGrowth {
    let (Some(&(first, _)), Some(&(last, last_a))) = (series.first(), series.last()) else {
        return HeapGrowth::default();
    };
    let n = series.len();
    let keys = SeriesKeys::of(series);
    let rows_len = keys.len();
    let mut counts = vec![vec![0u64; n]; rows_len];
    let mut shallow = vec![vec![0u64; n]; rows_len];
    let mut retained = vec![vec![0u64; n]; rows_len];
    let mut total_sizes = Vec::with_capacity(n);
    for (s, &(g, a)) in series.iter().enumerate() {
        let k = &keys.snapshots[s];
        let aggs = class_aggregates(g, a, &k.keys.key_of, k.keys.len(), |_| true);
        for (id, agg) in aggs.into_iter().enumerate() {
            let Some(agg) = agg else { continue };
            let row = k.row_of[id] as usize;
            counts[row][s] = agg.count;
            shallow[row][s] = agg.shallow_size;
            retained[row][s] = agg.retained_size;
        }
        let root = g.root().index();
        let root_size = a.dominators.retained_size.get(root).copied().unwrap_or(0);
        total_sizes.push(root_size + g.extra_native_bytes());
    }
    let size_noise = total_sizes.iter().max().copied().unwrap_or(0) / GROWTH_SIZE_NOISE_DIVISOR;
    let as_i64 = |v: &[u64]| {
        v.iter()
            .map(|&x| x.min(i64::MAX as u64) as i64)
            .collect::<Vec<_>>()
    };
    let mut rows: Vec<ClassGrowthRow> = (0..rows_len)
        .map(|r| {
            let size_trend = trend(&as_i64(&shallow[r]), size_noise as i64);
            let count_trend = trend(&as_i64(&counts[r]), GROWTH_COUNT_NOISE as i64);
            let retained_trend = trend(&as_i64(&retained[r]), size_noise as i64);
            ClassGrowthRow {
                name: keys.names[r].clone(),
                key: keys.texts[r].clone(),
                kind: size_trend.kind.min(count_trend.kind),
                size_trend,
                count_trend,
                retained_trend,
                counts: std::mem::take(&mut counts[r]),
                shallow_sizes: std::mem::take(&mut shallow[r]),
                retained_sizes: std::mem::take(&mut retained[r]),
                new_objects: 0,
                retainer: None,
                retainer_basis: None,
                retainer_objects: 0,
                retainer_sampled: 0,
                retainer_share: 0.0,
                example: None,
            }
        })
        .collect();

    // Ids: is every snapshot the first one's process, and which objects of the last are new?
    // One snapshot has no new objects and no growth to sample: its ids are not sorted.
    let first_ids = match n {
        1 => SnapshotIds::default(),
        _ => SnapshotIds::of(first),
    };
    let mut same_process = true;
    let mut last_ids = SnapshotIds::default();
    for (s, &(g, _)) in series.iter().enumerate().skip(1) {
        let ids = SnapshotIds::of(g);
        same_process &= process_match(first, &first_ids, g, &ids).same_process;
        if s + 1 == n {
            last_ids = ids;
        }
    }
    let last_keys = &keys.snapshots[n - 1];
    let row_of_last = |o: usize| last_keys.row(o);
    let fresh = (same_process && n >= 2).then(|| last_ids.not_in(&first_ids, last.node_count()));
    if let Some(fresh) = &fresh {
        for o in 0..last.node_count() {
            if fresh.get(o) && last_a.shallow_sizes[o] != 0 {
                rows[row_of_last(o)].new_objects += 1;
            }
        }
    }

    let first = (&series[0].1.shallow_sizes[..], first_ids);
    let (samples, basis) = sample(
        &rows,
        first,
        (last, last_a, last_ids),
        fresh.as_ref(),
        &row_of_last,
        opts,
    );
    drop(keys);
    describe(&mut rows, last, last_a, samples, &basis);
    // `rank_order` of the retained-size trends, with each row's leading kind in their place.
    let ranked = |r: &ClassGrowthRow| GrowthTrend {
        kind: r.kind,
        ..r.retained_trend.clone()
    };
    sort::sort_by(&mut rows, |a, b| {
        rank_order(&ranked(a), &ranked(b))
            .then_with(|| rank_order(&a.count_trend, &b.count_trend))
            .then_with(|| a.key.cmp(&b.key))
    });
    HeapGrowth {
        snapshots: n,
        same_process,
        total_sizes,
        size_noise,
        rows,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::analysis::heap::{heap_analysis, HeapSummaryOptions};
    use crate::model::HeapGraphBuilder;

    /// One snapshot of a small process: `global.cache → Cache.items → (array)[i] → Leak`
    /// (`leaks` of them, ids 101, 103, …; the array grows with them and its size moves to
    /// `Cache`), `global.tmp[i] → Churn` (`churn` of them, ids from `churn_id`),
    /// `global.steady → Steady`, and `extra` (id 301) when asked. `scramble` renumbers every
    /// id, as another process would.
    pub(crate) fn snapshot(
        leaks: u32,
        churn: (u32, u32),
        extra: bool,
        scramble: bool,
    ) -> (HeapGraph, HeapAnalysis) {
        let id = |i: u32| if scramble { i * 3 + 4 } else { i };
        let mut b = HeapGraphBuilder::v8();
        let r = b.add_node("synthetic", "", id(1), 0);
        let global = b.add_node("object", "global", id(3), 10);
        let cache = b.add_node("object", "Cache", id(5), 10);
        let array = b.add_node("array", "", id(7), 16 + 8 * leaks);
        let steady = b.add_node("object", "Steady", id(9), 16);
        let tmp = b.add_node("array", "", id(11), 8);
        let leak: Vec<NodeOrdinal> = (0..leaks)
            .map(|i| b.add_node("object", "Leak", id(101 + 2 * i), 40))
            .collect();
        let (count, first) = churn;
        let churned: Vec<NodeOrdinal> = (0..count)
            .map(|i| b.add_node("object", "Churn", id(first + 2 * i), 24))
            .collect();
        let extra = extra.then(|| b.add_node("object", "Extra", id(301), 64));
        b.add_edge(r, "shortcut", "global", global);
        b.add_edge(global, "property", "cache", cache);
        b.add_edge(global, "property", "steady", steady);
        b.add_edge(global, "property", "tmp", tmp);
        if let Some(x) = extra {
            b.add_edge(global, "property", "extra", x);
        }
        b.add_edge(cache, "property", "items", array);
        for (i, &o) in leak.iter().enumerate() {
            b.add_edge(array, "element", &i.to_string(), o);
        }
        for (i, &o) in churned.iter().enumerate() {
            b.add_edge(tmp, "element", &i.to_string(), o);
        }
        let g = b.finish().unwrap();
        let a = heap_analysis(&g, &HeapSummaryOptions::default());
        (g, a)
    }

    fn row<'a>(h: &'a HeapGrowth, name: &str) -> &'a ClassGrowthRow {
        h.rows.iter().find(|r| r.name == name).unwrap()
    }

    #[test]
    fn growing_classes_first_with_the_path_of_their_new_objects() {
        let series = [
            snapshot(2, (3, 501), false, false),
            snapshot(4, (1, 601), false, false),
            snapshot(6, (3, 701), false, false),
        ];
        let refs: Vec<(&HeapGraph, &HeapAnalysis)> = series.iter().map(|(g, a)| (g, a)).collect();
        let h = heap_growth(&refs);
        assert!(h.same_process);
        assert_eq!(h.snapshots, 3);
        let names: Vec<&str> = h.rows.iter().map(|r| r.name.as_str()).collect();
        // Both grew at every step; the cache's retained size (its leaks) grew the most.
        assert_eq!(names[..2], ["Cache", "Leak"]);
        assert_eq!(names.last(), Some(&"Churn"));
        let leak = row(&h, "Leak");
        assert_eq!(
            (leak.counts.clone(), leak.shallow_sizes.clone()),
            (vec![2, 4, 6], vec![80, 160, 240])
        );
        assert_eq!(leak.size_trend.kind, TrendKind::Growing);
        assert_eq!(leak.count_trend.kind, TrendKind::Growing);
        assert_eq!(leak.new_objects, 4);
        assert_eq!(
            leak.retainer.as_deref(),
            Some("(root) → global.cache → Cache.items → (array)[]")
        );
        assert_eq!(leak.retainer_basis, Some(RetainerBasis::NewObjects));
        assert_eq!((leak.retainer_objects, leak.retainer_sampled), (4, 4));
        assert_eq!(leak.retainer_share, 1.0);
        // The cache's count stays 1 while its (moved) array size grows: the path of the
        // object that grew.
        let cache = row(&h, "Cache");
        assert_eq!(cache.counts, [1, 1, 1]);
        assert_eq!(cache.shallow_sizes, [42, 58, 74]);
        assert_eq!(
            (cache.size_trend.kind, cache.count_trend.kind),
            (TrendKind::Growing, TrendKind::Flat)
        );
        assert_eq!(cache.retainer_basis, Some(RetainerBasis::GrownObjects));
        assert_eq!(cache.retainer.as_deref(), Some("(root) → global.cache"));
        let churn = row(&h, "Churn");
        assert_eq!(churn.size_trend.kind, TrendKind::Churn);
        assert_eq!((churn.retainer.as_ref(), churn.new_objects), (None, 3));
        assert_eq!(row(&h, "Steady").size_trend.kind, TrendKind::Flat);

        // Sampling: one path read per class.
        let opts = HeapGrowthOptions {
            max_path_samples: 1,
        };
        let h1 = heap_growth_with(&refs, &opts);
        assert_eq!(row(&h1, "Leak").retainer_sampled, 1);
        assert_eq!(row(&h1, "Leak").retainer, leak.retainer);
    }

    #[test]
    fn another_process_gets_class_totals_and_the_largest_objects_path() {
        let series = [
            snapshot(2, (0, 0), false, false),
            snapshot(4, (0, 0), false, true),
            snapshot(6, (0, 0), false, true),
        ];
        let refs: Vec<(&HeapGraph, &HeapAnalysis)> = series.iter().map(|(g, a)| (g, a)).collect();
        let h = heap_growth(&refs);
        assert!(!h.same_process);
        let leak = row(&h, "Leak");
        assert_eq!(leak.counts, [2, 4, 6]);
        assert_eq!(leak.new_objects, 0);
        assert_eq!(leak.retainer_basis, Some(RetainerBasis::LargestObjects));
        assert_eq!(
            leak.retainer.as_deref(),
            Some("(root) → global.cache → Cache.items → (array)[]")
        );
        assert_eq!(
            row(&h, "Cache").retainer_basis,
            Some(RetainerBasis::LargestObjects)
        );
        assert_eq!(heap_growth(&[]), HeapGrowth::default());
        let one = heap_growth(&refs[..1]);
        assert!(one.rows.iter().all(|r| r.retainer.is_none()));
    }
}
