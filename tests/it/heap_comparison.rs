//! The Comparison view against Chrome DevTools' own worker: every `<new>.vs-<base>.comparison
//! .devtools.json` beside the fixtures (`summary.mjs --compare`) row by row, the objects of a
//! row, and the same-process verdict on snapshots of one process and of different ones.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use leakscope::analysis::heap::{
    comparison, comparison_deleted_objects, comparison_new_objects, comparison_with, heap_analysis,
    process_match, Comparison, ComparisonOptions, HeapAnalysis, HeapSummaryOptions, SnapshotIds,
};
use leakscope::formats::heapsnapshot::decode_heap_snapshot;
use leakscope::model::HeapGraph;

use crate::support::{corpus, files_in, fixture};

pub(crate) fn load(path: &Path) -> (HeapGraph, HeapAnalysis) {
    let bytes = std::fs::read(path).unwrap();
    let (g, _) = decode_heap_snapshot(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let a = heap_analysis(&g, &HeapSummaryOptions::default());
    (g, a)
}

/// `heapsnapshot/<stem>.heapsnapshot[.gz]`, if the fixture exists.
pub(crate) fn snapshot(stem: &str) -> Option<PathBuf> {
    ["", ".gz"]
        .iter()
        .map(|ext| fixture(&format!("heapsnapshot/{stem}.heapsnapshot{ext}")))
        .find(|p| p.exists())
}

#[derive(serde::Deserialize, Debug)]
struct Oracle {
    new_count: u64,
    deleted_count: u64,
    alloc_size: u64,
    freed_size: u64,
    rows: Vec<OracleRow>,
}

#[derive(serde::Deserialize, Debug, Clone, PartialEq)]
struct OracleRow {
    name: String,
    key: String,
    new_count: u64,
    deleted_count: u64,
    count_delta: i64,
    alloc_size: u64,
    freed_size: u64,
    size_delta: i64,
}

/// (new, base, oracle) for every `<new>.vs-<base>.comparison.devtools.json`.
fn oracle_triples() -> Vec<(PathBuf, PathBuf, PathBuf)> {
    let mut out = Vec::new();
    for oracle in files_in(&fixture("heapsnapshot")) {
        let name = oracle.file_name().unwrap().to_string_lossy().to_string();
        let Some(pair) = name.strip_suffix(".comparison.devtools.json") else {
            continue;
        };
        let (new_stem, base_n) = pair.split_once(".vs-").expect("<new>.vs-<n>");
        let base_stem = format!("{}-{base_n}", new_stem.rsplit_once('-').unwrap().0);
        let (Some(new), Some(base)) = (snapshot(new_stem), snapshot(&base_stem)) else {
            panic!("{name}: snapshots {new_stem} / {base_stem} missing");
        };
        out.push((new, base, oracle));
    }
    out
}

fn ours_as_oracle(c: &Comparison) -> Vec<OracleRow> {
    c.rows
        .iter()
        .map(|r| OracleRow {
            name: r.name.clone(),
            key: r.key.clone(),
            new_count: r.new_count,
            deleted_count: r.deleted_count,
            count_delta: r.count_delta,
            alloc_size: r.alloc_size,
            freed_size: r.freed_size,
            size_delta: r.size_delta,
        })
        .collect()
}

#[test]
fn comparison_equals_devtools_row_by_row() {
    let triples = oracle_triples();
    assert!(
        triples.len() >= 2,
        "node-leak-2.vs-1 and node-leak-3.vs-1 oracles are committed"
    );
    for (new_path, base_path, oracle_path) in triples {
        let oracle: Oracle = serde_json::from_slice(&std::fs::read(&oracle_path).unwrap()).unwrap();
        let (base, base_a) = load(&base_path);
        let (new, new_a) = load(&new_path);
        let t = std::time::Instant::now();
        let c = comparison(&base, &base_a, &new, &new_a);
        let what = oracle_path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        eprintln!(
            "{what}: {} rows, {} new / {} deleted objects, in {:?}",
            c.rows.len(),
            c.new_count,
            c.deleted_count,
            t.elapsed()
        );
        assert!(c.same_process, "{what}: {:?}", c.process);
        let ours: HashMap<String, OracleRow> = ours_as_oracle(&c)
            .into_iter()
            .map(|r| (r.key.clone(), r))
            .collect();
        let mut bad = Vec::new();
        for want in &oracle.rows {
            match ours.get(&want.key) {
                Some(got) if got == want => {}
                got => bad.push(format!("DevTools {want:?}\n     ours {got:?}")),
            }
        }
        let theirs: std::collections::HashSet<&str> =
            oracle.rows.iter().map(|r| r.key.as_str()).collect();
        for extra in c.rows.iter().filter(|r| !theirs.contains(r.key.as_str())) {
            bad.push(format!("extra row {extra:?}"));
        }
        assert!(bad.is_empty(), "{what}:\n{}", bad.join("\n"));
        assert_eq!(
            (c.new_count, c.deleted_count, c.alloc_size, c.freed_size),
            (
                oracle.new_count,
                oracle.deleted_count,
                oracle.alloc_size,
                oracle.freed_size
            ),
            "{what}: totals"
        );
        // DevTools' default order: Alloc. Size, largest first.
        assert!(c
            .rows
            .windows(2)
            .all(|w| w[0].alloc_size >= w[1].alloc_size));

        // Expanding the largest row lists exactly its new objects, largest retained first.
        let top = &c.rows[0];
        let added = comparison_new_objects(&base, &base_a, &new, &new_a, &top.key);
        let deleted = comparison_deleted_objects(&base, &base_a, &new, &new_a, &top.key);
        assert_eq!(
            (added.len() as u64, deleted.len() as u64),
            (top.new_count, top.deleted_count),
            "{what}: {}",
            top.key
        );
        let alloc: u64 = added
            .iter()
            .map(|o| new_a.shallow_sizes[o.index()] as u64)
            .sum();
        assert_eq!(alloc, top.alloc_size);
        let base_ids = SnapshotIds::of(&base);
        assert!(added.iter().all(|&o| !base_ids.contains(new.node_id(o))));
        let retained =
            |o: &leakscope::model::NodeOrdinal| new_a.dominators.retained_size[o.index()];
        assert!(added.windows(2).all(|w| retained(&w[0]) >= retained(&w[1])));
        assert!(comparison_new_objects(&base, &base_a, &new, &new_a, ",no such class").is_empty());
    }
}

/// Snapshots of other processes: the detached-DOM page and the corpus files.
fn other_process_snapshots() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = ["detached-dom-1", "detached-dom"]
        .iter()
        .filter_map(|s| snapshot(s))
        .take(1)
        .collect();
    if let Some(c) = corpus() {
        v.extend(
            files_in(&c.join("heapsnapshot"))
                .into_iter()
                .filter(|p| !p.to_string_lossy().contains("truncated")),
        );
    }
    v
}

#[test]
fn same_process_is_told_apart_from_another_process() {
    let one = |n: u32| load(&snapshot(&format!("node-leak-{n}")).unwrap());
    let (g1, a1) = one(1);
    let ids1 = SnapshotIds::of(&g1);
    for n in [2, 3] {
        let (g, _) = one(n);
        let m = process_match(&g1, &ids1, &g, &SnapshotIds::of(&g));
        assert!(m.same_process, "node-leak-1 vs -{n}: {m:?}");
        assert!(m.agreeing * 100 >= m.checked * 99, "{m:?}");
    }
    let others = other_process_snapshots();
    assert!(!others.is_empty(), "the detached-DOM fixture is committed");
    for path in others {
        let (g, a) = load(&path);
        let m = process_match(&g1, &ids1, &g, &SnapshotIds::of(&g));
        eprintln!("node-leak-1 vs {}: {m:?}", path.display());
        assert!(!m.same_process, "{}: {m:?}", path.display());
        assert!(m.agreeing * 10 < m.checked, "{m:?}");
        // Without matching ids the Comparison falls back to class totals.
        let c = comparison(&g1, &a1, &g, &a);
        assert!(!c.same_process);
        assert_eq!(
            (c.new_count, c.deleted_count, c.alloc_size, c.freed_size),
            (0, 0, 0, 0)
        );
        assert!(!c.rows.is_empty());
        for r in &c.rows {
            assert_eq!(r.count_delta, r.count as i64 - r.base_count as i64, "{r:?}");
            assert_eq!(
                r.size_delta,
                r.shallow_size as i64 - r.base_shallow_size as i64
            );
        }
        assert!(c
            .rows
            .windows(2)
            .all(|w| w[0].size_delta >= w[1].size_delta));
        // Forcing id matching still runs (and matches unrelated objects by id).
        let mut opts = ComparisonOptions::default();
        opts.same_process = Some(true);
        assert!(comparison_with(&g1, &a1, &g, &a, &opts).same_process);
    }
}
