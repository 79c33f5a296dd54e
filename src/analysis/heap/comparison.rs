//! `comparison`: DevTools' Comparison view of two snapshots of one process (`aggregatesForDiff`,
//! `calculateSnapshotDiff`, `calculateDiffForClass`; FORMATS-AND-LIMITS §2.11): per class key,
//! objects new and deleted by V8 id, their shallow sizes and the deltas; the base is named with
//! the new snapshot's interfaces. It diffs shallow sizes only, as DevTools does (not retained
//! sizes); snapshots of different processes get class totals instead (`Comparison` says which).

use crate::analysis::sort;
use serde::{Deserialize, Serialize};

use super::heap_summary::{class_aggregates, HeapAnalysis};
use super::series_keys::SeriesKeys;
use super::snapshot_ids::{process_match, ProcessMatch, SnapshotIds};
use crate::model::{HeapGraph, NodeOrdinal};

/// Options for `comparison_with`.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct ComparisonOptions {
    /// Overrides the same-process verdict of `process_match` (`Some(true)`: match ids even if
    /// they look unrelated; `Some(false)`: compare class totals only).
    pub same_process: Option<bool>,
}

/// One row of the Comparison view.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComparisonRow {
    /// The class name (the new snapshot's; for a class only the base has, DevTools' choice:
    /// the base's own name of its last object by id).
    pub name: String,
    /// DevTools' class key (`,Name` or `script,line,column,Name`).
    pub key: String,
    /// `# New`: objects of the class in the new snapshot whose id the base's class lacks.
    pub new_count: u64,
    /// `# Deleted`: objects of the class in the base whose id the new snapshot's class lacks.
    pub deleted_count: u64,
    /// `# Delta`: new minus deleted.
    pub count_delta: i64,
    /// `Alloc. Size`: shallow sizes of the new objects.
    pub alloc_size: u64,
    /// `Freed Size`: shallow sizes (in the base) of the deleted objects.
    pub freed_size: u64,
    /// `Size Delta`: allocated minus freed.
    pub size_delta: i64,
    /// Objects of the class in the base (the Summary's count: non-zero shallow size).
    pub base_count: u64,
    /// Objects of the class in the new snapshot.
    pub count: u64,
    /// Their shallow sizes in the base.
    pub base_shallow_size: u64,
    /// Their shallow sizes in the new snapshot.
    pub shallow_size: u64,
}

/// DevTools' Comparison view of `new` against `base`.
///
/// When `same_process` is false (ids do not line up: see `process_match`), objects cannot be
/// matched, so `new_count`, `deleted_count`, `alloc_size` and `freed_size` are 0 in every row
/// and in the totals; `count_delta` and `size_delta` are then the differences of the class
/// totals (`count - base_count`, `shallow_size - base_shallow_size`), rows are the classes
/// whose totals differ, largest size growth first, and `comparison_new_objects` is empty.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// True when objects were matched by id (snapshots of one process).
    pub same_process: bool,
    /// The evidence for `same_process`.
    pub process: ProcessMatch,
    /// Classes with new or deleted objects, by `alloc_size` (DevTools' default sort), then key.
    pub rows: Vec<ComparisonRow>,
    /// Sum of the rows' `new_count`.
    pub new_count: u64,
    /// Sum of the rows' `deleted_count`.
    pub deleted_count: u64,
    /// Sum of the rows' `alloc_size`.
    pub alloc_size: u64,
    /// Sum of the rows' `freed_size`.
    pub freed_size: u64,
}

/// The Comparison view of `new` against `base`, each with its `heap_analysis`.
pub fn comparison(
    base: &HeapGraph,
    base_a: &HeapAnalysis,
    new: &HeapGraph,
    new_a: &HeapAnalysis,
) -> Comparison {
    comparison_with(base, base_a, new, new_a, &ComparisonOptions::default())
}

/// `comparison` with options.
pub fn comparison_with(
    base: &HeapGraph,
    base_a: &HeapAnalysis,
    new: &HeapGraph,
    new_a: &HeapAnalysis,
    opts: &ComparisonOptions,
) -> Comparison {
    let keys = SeriesKeys::of(&[(base, base_a), (new, new_a)]);
    let (bk, nk) = (&keys.snapshots[0], &keys.snapshots[1]);
    let mut rows: Vec<ComparisonRow> = (0..keys.len())
        .map(|r| ComparisonRow {
            name: keys.names[r].clone(),
            key: keys.texts[r].clone(),
            ..ComparisonRow::default()
        })
        .collect();
    // Class totals of each side (the Summary's count and shallow size).
    for (side, (g, a, k)) in [(base, base_a, bk), (new, new_a, nk)]
        .into_iter()
        .enumerate()
    {
        let aggs = class_aggregates(g, a, &k.keys.key_of, k.keys.len(), |_| true);
        for (id, agg) in aggs.into_iter().enumerate() {
            let Some(agg) = agg else { continue };
            let row = &mut rows[k.row_of[id] as usize];
            if side == 0 {
                (row.base_count, row.base_shallow_size) = (agg.count, agg.shallow_size);
            } else {
                (row.count, row.shallow_size) = (agg.count, agg.shallow_size);
            }
        }
    }
    let base_ids = SnapshotIds::of(base);
    let new_ids = SnapshotIds::of(new);
    let process = process_match(base, &base_ids, new, &new_ids);
    let same_process = opts.same_process.unwrap_or(process.same_process);
    if same_process {
        let mut last_in_base: Vec<Option<NodeOrdinal>> = vec![None; rows.len()];
        let sizes = (&base_a.shallow_sizes[..], &new_a.shallow_sizes[..]);
        let (base_row, new_row) = (|o| bk.row(o), |o| nk.row(o));
        merge_by_id(
            (&base_ids, &new_ids),
            sizes,
            base_row,
            new_row,
            |event| match event {
                IdEvent::Base(o) => last_in_base[bk.row(o.index())] = Some(o),
                IdEvent::Deleted(o) => {
                    let row = &mut rows[bk.row(o.index())];
                    row.deleted_count += 1;
                    row.freed_size += base_a.shallow_sizes[o.index()] as u64;
                }
                IdEvent::New(o) => {
                    let row = &mut rows[nk.row(o.index())];
                    row.new_count += 1;
                    row.alloc_size += new_a.shallow_sizes[o.index()] as u64;
                }
            },
        );
        // A class the new snapshot lacks is named as DevTools names its base aggregate: the
        // base's own class of the aggregate's last object.
        for (row, last) in rows.iter_mut().zip(last_in_base) {
            if let (0, Some(o)) = (row.count, last) {
                let class = base_a.class_names.class_of[o.index()];
                row.name = base_a.class_names.name(base, class).to_owned();
            }
        }
        for row in &mut rows {
            row.count_delta = row.new_count as i64 - row.deleted_count as i64;
            row.size_delta = row.alloc_size as i64 - row.freed_size as i64;
        }
        rows.retain(|r| r.new_count != 0 || r.deleted_count != 0);
        sort::sort_by(&mut rows, |a, b| {
            b.alloc_size
                .cmp(&a.alloc_size)
                .then_with(|| a.key.cmp(&b.key))
        });
    } else {
        for row in &mut rows {
            row.count_delta = row.count as i64 - row.base_count as i64;
            row.size_delta = row.shallow_size as i64 - row.base_shallow_size as i64;
        }
        rows.retain(|r| r.count_delta != 0 || r.size_delta != 0);
        sort::sort_by(&mut rows, |a, b| {
            b.size_delta
                .cmp(&a.size_delta)
                .then_with(|| a.key.cmp(&b.key))
        });
    }
    Comparison {
        same_process,
        process,
        new_count: rows.iter().map(|r| r.new_count).sum(),
        deleted_count: rows.iter().map(|r| r.deleted_count).sum(),
        alloc_size: rows.iter().map(|r| r.alloc_size).sum(),
        freed_size: rows.iter().map(|r| r.freed_size).sum(),
        rows,
    }
}

/// The new objects of the Comparison row keyed `key` (ordinals in `new`), largest retained size
/// first (ties by ordinal): the objects DevTools lists under an expanded row. Objects are
/// matched by id whatever `process_match` says, so call it for same-process comparisons only.
pub fn comparison_new_objects(
    base: &HeapGraph,
    base_a: &HeapAnalysis,
    new: &HeapGraph,
    new_a: &HeapAnalysis,
    key: &str,
) -> Vec<NodeOrdinal> {
    row_objects(base, base_a, new, new_a, key).0
}

/// The deleted objects of the Comparison row keyed `key` (ordinals in `base`), largest retained
/// size (in the base) first.
pub fn comparison_deleted_objects(
    base: &HeapGraph,
    base_a: &HeapAnalysis,
    new: &HeapGraph,
    new_a: &HeapAnalysis,
    key: &str,
) -> Vec<NodeOrdinal> {
    row_objects(base, base_a, new, new_a, key).1
}

/// (new, deleted) objects of one row, each largest retained first.
fn row_objects(
    base: &HeapGraph,
    base_a: &HeapAnalysis,
    new: &HeapGraph,
    new_a: &HeapAnalysis,
    key: &str,
) -> (Vec<NodeOrdinal>, Vec<NodeOrdinal>) {
    let keys = SeriesKeys::of(&[(base, base_a), (new, new_a)]);
    let Some(row) = keys.texts.iter().position(|t| t == key) else {
        return (Vec::new(), Vec::new());
    };
    let members = |g: &HeapGraph, a: &HeapAnalysis, side: usize| {
        let k = &keys.snapshots[side];
        SnapshotIds::of_nodes(g, |o| k.row(o) == row && a.shallow_sizes[o] != 0)
    };
    let (base_ids, new_ids) = (members(base, base_a, 0), members(new, new_a, 1));
    drop(keys);
    let (mut added, mut deleted) = (Vec::new(), Vec::new());
    let sizes = (&base_a.shallow_sizes[..], &new_a.shallow_sizes[..]);
    merge_by_id(
        (&base_ids, &new_ids),
        sizes,
        |_| 0,
        |_| 0,
        |event| match event {
            IdEvent::Base(_) => {}
            IdEvent::Deleted(o) => deleted.push(o),
            IdEvent::New(o) => added.push(o),
        },
    );
    let by_retained = |a: &HeapAnalysis, list: &mut Vec<NodeOrdinal>| {
        let retained = |o: &NodeOrdinal| a.dominators.retained_size.get(o.index()).copied();
        list.sort_by(|x, y| retained(y).cmp(&retained(x)).then(x.cmp(y)));
    };
    by_retained(new_a, &mut added);
    by_retained(base_a, &mut deleted);
    (added, deleted)
}

/// What `merge_by_id` reports, for counted objects (non-zero shallow size) only.
enum IdEvent {
    /// A base object, in id order (before its `Deleted`, if any).
    Base(NodeOrdinal),
    /// A base object without an object of its id and row in the new snapshot.
    Deleted(NodeOrdinal),
    /// A new-snapshot object without an object of its id and row in the base.
    New(NodeOrdinal),
}

/// DevTools' per-class merge of id-sorted lists (`calculateDiffForClass`), for all classes in
/// one walk over both snapshots' ids: an object is unchanged when the other side holds its id
/// in the same row, else it is deleted (base) or new. Objects of zero shallow size are not in
/// DevTools' aggregates and are skipped. An id held twice on one side (malformed files) pairs
/// off one for one within a row, as the per-class merge advances both lists on a match.
fn merge_by_id(
    (base_ids, new_ids): (&SnapshotIds, &SnapshotIds),
    (base_sizes, new_sizes): (&[u32], &[u32]),
    base_row: impl Fn(usize) -> usize,
    new_row: impl Fn(usize) -> usize,
    mut on: impl FnMut(IdEvent),
) {
    let (mut i, mut j) = (0, 0);
    let mut in_base: Vec<(usize, NodeOrdinal)> = Vec::new();
    let mut in_new: Vec<(usize, NodeOrdinal)> = Vec::new();
    while i < base_ids.len() || j < new_ids.len() {
        let next = |ids: &SnapshotIds, k: usize| {
            if k < ids.len() {
                ids.id(k) as u64
            } else {
                u64::MAX
            }
        };
        let id = next(base_ids, i).min(next(new_ids, j));
        in_base.clear();
        while i < base_ids.len() && base_ids.id(i) as u64 == id {
            let o = base_ids.ordinal(i);
            if base_sizes[o.index()] != 0 {
                in_base.push((base_row(o.index()), o));
                on(IdEvent::Base(o));
            }
            i += 1;
        }
        in_new.clear();
        while j < new_ids.len() && new_ids.id(j) as u64 == id {
            let o = new_ids.ordinal(j);
            if new_sizes[o.index()] != 0 {
                in_new.push((new_row(o.index()), o));
            }
            j += 1;
        }
        for &(row, o) in &in_base {
            match in_new.iter().position(|&(r, _)| r == row) {
                Some(at) => {
                    in_new.remove(at);
                }
                None => on(IdEvent::Deleted(o)),
            }
        }
        for &(_, o) in &in_new {
            on(IdEvent::New(o));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::heap::{heap_analysis, HeapSummaryOptions};
    use crate::model::HeapGraphBuilder;

    /// A snapshot: root → global → each `(type, name, id, size, properties)` object.
    fn snapshot(objects: &[(&str, &str, u32, u32, &[&str])]) -> (HeapGraph, HeapAnalysis) {
        // Objects both snapshots share, so that their ids agree enough to be one process.
        let same: [(&str, &str, u32, u32, &[&str]); 3] = [
            ("object", "F", 31, 8, &[]),
            ("object", "F", 33, 8, &[]),
            ("object", "F", 35, 8, &[]),
        ];
        let objects = [objects, &same[..]].concat();
        let objects = &objects[..];
        let mut b = HeapGraphBuilder::v8();
        let r = b.add_node("synthetic", "", 1, 0);
        let global = b.add_node("object", "global", 3, 10);
        let leaf = b.add_node("number", "n", 5, 0);
        let nodes: Vec<NodeOrdinal> = objects
            .iter()
            .map(|&(ty, name, id, size, _)| b.add_node(ty, name, id, size))
            .collect();
        b.add_edge(r, "shortcut", "global", global);
        for (i, &o) in nodes.iter().enumerate() {
            b.add_edge(global, "element", &i.to_string(), o);
        }
        for (&o, &(.., props)) in nodes.iter().zip(objects) {
            for p in props {
                b.add_edge(o, "property", p, leaf);
            }
        }
        let g = b.finish().unwrap();
        let a = heap_analysis(&g, &HeapSummaryOptions::default());
        (g, a)
    }

    fn rows(c: &Comparison) -> Vec<(&str, &str, u64, u64, u64, u64)> {
        c.rows
            .iter()
            .map(|r| {
                let (n, d, al, fr) = (r.new_count, r.deleted_count, r.alloc_size, r.freed_size);
                (r.name.as_str(), r.key.as_str(), n, d, al, fr)
            })
            .collect()
    }

    #[test]
    fn objects_match_by_id_within_a_class() {
        let xy: &[&str] = &["x", "y"];
        let pq: &[&str] = &["p", "q"];
        let (base, base_a) = snapshot(&[
            ("object", "A", 7, 10, &[]),
            ("object", "B", 9, 20, &[]),
            // One {x, y} only: the base alone names it `Object`; the new snapshot's
            // interfaces make it `{x, y}`, so it is unchanged, not deleted.
            ("object", "Object", 11, 16, xy),
            ("object", "Z", 13, 0, &[]),
            ("object", "Object", 21, 24, pq),
            ("object", "Object", 23, 24, pq),
        ]);
        let (new, new_a) = snapshot(&[
            ("object", "A", 7, 10, &[]),
            ("object", "A", 17, 12, &[]),
            // Same id, another class: deleted from `B`, new in `C`.
            ("object", "C", 9, 20, &[]),
            ("object", "Object", 11, 16, xy),
            ("object", "Object", 19, 16, xy),
            // Zero-size objects are not counted: 13 appears when it gets a size.
            ("object", "Z", 13, 4, &[]),
        ]);
        let c = comparison(&base, &base_a, &new, &new_a);
        assert!(c.same_process);
        assert_eq!(
            rows(&c),
            [
                ("C", ",C", 1, 0, 20, 0),
                ("{x, y}", ",{x, y}", 1, 0, 16, 0),
                ("A", ",A", 1, 0, 12, 0),
                ("Z", ",Z", 1, 0, 4, 0),
                ("B", ",B", 0, 1, 0, 20),
                // Only in the base: keyed with the new snapshot's interfaces (`Object`), named
                // as DevTools names it, after the base's own class of its last object.
                ("{p, q}", ",Object", 0, 2, 0, 48),
            ]
        );
        let a_row = &c.rows[2];
        assert_eq!(
            (a_row.base_count, a_row.count, a_row.count_delta),
            (1, 2, 1)
        );
        assert_eq!(
            (c.new_count, c.deleted_count, c.alloc_size, c.freed_size),
            (4, 3, 52, 68)
        );
        let new_a_objects = comparison_new_objects(&base, &base_a, &new, &new_a, ",A");
        assert_eq!(new_a_objects, [NodeOrdinal(4)]);
        let gone = comparison_deleted_objects(&base, &base_a, &new, &new_a, ",Object");
        assert_eq!(gone, [NodeOrdinal(7), NodeOrdinal(8)]);

        // Told they are different processes: class totals only.
        let opts = ComparisonOptions {
            same_process: Some(false),
        };
        let c = comparison_with(&base, &base_a, &new, &new_a, &opts);
        assert!(!c.same_process && c.process.same_process);
        let deltas: Vec<(&str, i64, i64)> = c
            .rows
            .iter()
            .map(|r| (r.key.as_str(), r.count_delta, r.size_delta))
            .collect();
        assert_eq!(
            deltas,
            [
                (",C", 1, 20),
                (",{x, y}", 1, 16),
                (",A", 1, 12),
                (",Z", 1, 4),
                (",B", -1, -20),
                (",Object", -2, -48),
            ]
        );
    }
}
