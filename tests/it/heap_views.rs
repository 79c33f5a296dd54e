//! Heap snapshot views beyond the Summary, checked against Chrome DevTools' own worker: the
//! Statistics (`getStatistics()` in `<name>.devtools.json`), the named filters and duplicated
//! strings (`<name>.filters.devtools.json`, from `summary.mjs --filter`), retaining paths and
//! the dominator-path profile on the fixtures.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use leakscope::analysis::heap::{
    dominator_chain, duplicated_strings, heap_analysis, heap_profile, retained_by_detached_dom,
    retained_by_event_handlers, retainers_with, statistics, summarize, summarize_filtered, BitSet,
    DuplicateStringOptions, HeapAnalysis, HeapProfileOptions, HeapStatistics, HeapSummaryOptions,
    RetainerIndex, RetainerOptions,
};
use leakscope::formats::heapsnapshot::decode_heap_snapshot;
use leakscope::model::{HeapGraph, NodeOrdinal};

use crate::support::{corpus, files_in, fixture};

fn load(path: &Path) -> (HeapGraph, HeapAnalysis) {
    let bytes = std::fs::read(path).unwrap();
    let (g, _) = decode_heap_snapshot(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let a = heap_analysis(&g, &HeapSummaryOptions::default());
    (g, a)
}

fn fixture_snapshot(stem: &str) -> PathBuf {
    let plain = fixture(&format!("heapsnapshot/{stem}.heapsnapshot"));
    if plain.exists() {
        plain
    } else {
        fixture(&format!("heapsnapshot/{stem}.heapsnapshot.gz"))
    }
}

/// Every snapshot (fixtures and corpus) that has a DevTools oracle with `statistics`.
fn statistics_pairs() -> Vec<(PathBuf, PathBuf)> {
    let mut pairs = Vec::new();
    for snap in files_in(&fixture("heapsnapshot")) {
        let name = snap.file_name().unwrap().to_string_lossy().to_string();
        if !(name.ends_with(".heapsnapshot") || name.ends_with(".heapsnapshot.gz")) {
            continue;
        }
        let stem = name
            .trim_end_matches(".gz")
            .trim_end_matches(".heapsnapshot");
        pairs.push((
            snap.clone(),
            snap.with_file_name(format!("{stem}.devtools.json")),
        ));
    }
    if let Some(c) = corpus() {
        for snap in files_in(&c.join("heapsnapshot")) {
            let name = snap.file_name().unwrap().to_string_lossy().to_string();
            let stem = name.trim_end_matches(".heapsnapshot");
            let oracle = fixture("heapsnapshot/corpus").join(format!("{stem}.devtools.json"));
            pairs.push((snap, oracle));
        }
    }
    pairs.retain(|(_, o)| o.exists());
    pairs
}

#[test]
fn heap_statistics_equal_devtools_on_every_fixture() {
    let pairs = statistics_pairs();
    assert!(!pairs.is_empty(), "the repo's own fixtures have oracles");
    for (snap, oracle) in pairs {
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&oracle).unwrap()).unwrap();
        let want: HeapStatistics = serde_json::from_value(json["statistics"].clone()).unwrap();
        let (g, a) = load(&snap);
        let mut got = statistics(&g, &a);
        assert_eq!(
            (got.node_count, got.edge_count),
            (
                json["node_count"].as_u64().unwrap(),
                json["edge_count"].as_u64().unwrap()
            )
        );
        (got.node_count, got.edge_count) = (0, 0);
        assert_eq!(got, want, "{}", snap.display());
        eprintln!("{}: statistics equal DevTools: {got:?}", snap.display());
    }
}

/// Count and shallow size per class name of the objects in `set`, as the oracle prints them.
fn by_class(g: &HeapGraph, a: &HeapAnalysis, set: &BitSet) -> BTreeMap<String, (u64, u64)> {
    let mut out = BTreeMap::new();
    for o in (0..g.node_count()).filter(|&o| set.get(o) && a.shallow_sizes[o] != 0) {
        let name = a.class_names.name(g, a.class_names.class_of[o]).to_owned();
        let row = out.entry(name).or_insert((0, 0));
        row.0 += 1;
        row.1 += a.shallow_sizes[o] as u64;
    }
    out
}

fn oracle_by_class(v: &serde_json::Value) -> BTreeMap<String, (u64, u64)> {
    v["classes"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, r)| {
            (
                k.clone(),
                (
                    r["count"].as_u64().unwrap(),
                    r["shallow_size"].as_u64().unwrap(),
                ),
            )
        })
        .collect()
}

#[test]
fn named_filters_and_duplicated_strings_equal_devtools() {
    for stem in ["detached-dom-3", "node-leak-3"] {
        let oracle = fixture(&format!("heapsnapshot/{stem}.filters.devtools.json"));
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&oracle).unwrap()).unwrap();
        let (g, a) = load(&fixture_snapshot(stem));
        let filters = &json["filters"];
        let dom = retained_by_detached_dom(&g, &a);
        assert_eq!(
            by_class(&g, &a, &dom),
            oracle_by_class(&filters["objectsRetainedByDetachedDomNodes"]),
            "{stem}: objectsRetainedByDetachedDomNodes"
        );
        let handlers = retained_by_event_handlers(&g, &a);
        assert_eq!(
            by_class(&g, &a, &handlers),
            oracle_by_class(&filters["objectsRetainedByEventHandlers"]),
            "{stem}: objectsRetainedByEventHandlers"
        );
        let mut opts = DuplicateStringOptions::default();
        opts.max_value_chars = usize::MAX;
        let ours = duplicated_strings(&g, &a, &opts);
        let want: Vec<(String, u64, u64)> = filters["duplicatedStrings"]["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["value"].as_str().unwrap().to_owned(),
                    d["count"].as_u64().unwrap(),
                    d["total_self_size"].as_u64().unwrap(),
                )
            })
            .collect();
        let got: Vec<(String, u64, u64)> = ours
            .iter()
            .map(|d| (d.value.clone(), d.count, d.total_size))
            .collect();
        assert_eq!(got.len(), want.len(), "{stem}: duplicate string groups");
        assert_eq!(got, want, "{stem}: duplicate string groups");
        eprintln!(
            "{stem}: detached {} objects, event handlers {} objects, {} duplicated strings",
            dom.count(),
            handlers.count(),
            got.len()
        );
    }
}

/// The filtered Summary the app shows (`summarize_filtered`) gives, per class name, the count
/// and shallow size DevTools gives for the same filter; its retained sizes are those of the
/// whole Summary at most.
#[test]
fn filtered_summaries_equal_devtools_per_class() {
    for stem in ["detached-dom-3", "node-leak-3"] {
        let oracle = fixture(&format!("heapsnapshot/{stem}.filters.devtools.json"));
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&oracle).unwrap()).unwrap();
        let (g, a) = load(&fixture_snapshot(stem));
        let whole = summarize(&g, &a);
        for (name, set) in [
            (
                "objectsRetainedByDetachedDomNodes",
                retained_by_detached_dom(&g, &a),
            ),
            (
                "objectsRetainedByEventHandlers",
                retained_by_event_handlers(&g, &a),
            ),
        ] {
            let want = &json["filters"][name];
            let got = summarize_filtered(&g, &a, &set);
            let mut by_name: BTreeMap<String, (u64, u64)> = BTreeMap::new();
            for c in &got.classes {
                let row = by_name.entry(c.name.clone()).or_insert((0, 0));
                row.0 += c.count;
                row.1 += c.shallow_size;
                let w = whole.classes.iter().find(|w| w.key == c.key).unwrap();
                assert!(c.retained_size <= w.retained_size, "{stem} {name}: {c:?}");
                assert!(c.retained_size >= c.shallow_size, "{stem} {name}: {c:?}");
            }
            assert_eq!(by_name, oracle_by_class(want), "{stem}: {name}");
            let count: u64 = got.classes.iter().map(|c| c.count).sum();
            let shallow: u64 = got.classes.iter().map(|c| c.shallow_size).sum();
            assert_eq!(
                (count, shallow),
                (
                    want["count"].as_u64().unwrap(),
                    want["shallow_size"].as_u64().unwrap()
                ),
                "{stem}: {name}"
            );
        }
    }
}

#[test]
fn detached_trees_are_found_with_paths_back_to_the_window() {
    let (g, a) = load(&fixture_snapshot("detached-dom-3"));
    let dom = retained_by_detached_dom(&g, &a);
    let mut classes: HashMap<String, u64> = HashMap::new();
    for (name, (count, _)) in by_class(&g, &a, &dom) {
        classes.insert(name, count);
    }
    // The page's leaks after 3 rounds (tests/fixtures/README.md): 12 <ul> of 40 <li>, 6
    // tables, 21 cards of 3 <div>.
    assert_eq!(classes.get("Detached <ul>"), Some(&12));
    assert_eq!(classes.get("Detached <li>"), Some(&480));
    assert_eq!(classes.get("Detached <table>"), Some(&6));
    assert_eq!(classes.get("Detached <div>"), Some(&63));
    // A detached <ul> is held by OrdersView.history: its shortest path ends at the root, every
    // step one closer, and its dominator chain ends at the root too.
    let ul = (0..g.node_count())
        .map(|o| NodeOrdinal(o as u32))
        .find(|&n| {
            dom.get(n.index())
                && a.class_names.name(&g, a.class_names.class_of[n.index()]) == "Detached <ul>"
        })
        .unwrap();
    let index = RetainerIndex::new(&g);
    let paths = retainers_with(&g, &a, &index, ul, &RetainerOptions::default());
    assert!(!paths.is_empty());
    let best = &paths[0];
    assert!(best.reaches_root && !best.truncated, "{best:?}");
    let d = a.distances[ul.index()];
    // One step per edge of a shortest path (the root is at 0, or user roots at 1 below it).
    assert_eq!(best.steps.len() as i32, d, "{best:?}");
    for (i, s) in best.steps.iter().take(best.steps.len() - 1).enumerate() {
        assert_eq!(s.distance, d - 1 - i as i32, "{best:?}");
    }
    let lengths: Vec<usize> = paths.iter().map(|p| p.steps.len()).collect();
    assert!(lengths.windows(2).all(|w| w[0] <= w[1]) || paths.iter().any(|p| !p.reaches_root));
    let chain = dominator_chain(&a, ul);
    assert_eq!(chain.first(), Some(&ul));
    assert_eq!(chain.last(), Some(&g.root()));
    for w in chain.windows(2) {
        assert!(
            a.dominators.retained_size[w[1].index()] >= a.dominators.retained_size[w[0].index()]
        );
    }
    eprintln!(
        "Detached <ul> @{}: {:?}",
        g.node_id(ul),
        best.steps
            .iter()
            .map(|s| format!("{}.{} ({})", s.class_name, s.edge_name, s.edge_kind))
            .collect::<Vec<_>>()
    );
}

/// detached-dom-{1,2,3} are one page snapshotted after each of 3 equal rounds of its leaks:
/// every detached class grows by the same count per round, and (same V8 isolate) the detached
/// lists of a round keep their node ids in the later snapshots.
#[test]
fn detached_dom_series_grows_by_the_same_amount_per_round() {
    let per_round = [
        ("Detached <ul>", 4),
        ("Detached <li>", 160),
        ("Detached <table>", 2),
        ("Detached <div>", 21),
        ("Detached <section>", 1),
    ];
    let mut ul_ids: Vec<Vec<u64>> = Vec::new();
    for round in 1..=3u64 {
        let (g, a) = load(&fixture_snapshot(&format!("detached-dom-{round}")));
        let dom = retained_by_detached_dom(&g, &a);
        let counts = by_class(&g, &a, &dom);
        for (class, n) in per_round {
            assert_eq!(
                counts.get(class).map(|c| c.0),
                Some(n * round),
                "detached-dom-{round}: {class}"
            );
        }
        let mut ids: Vec<u64> = (0..g.node_count())
            .map(|o| NodeOrdinal(o as u32))
            .filter(|&n| {
                dom.get(n.index())
                    && a.class_names.name(&g, a.class_names.class_of[n.index()]) == "Detached <ul>"
            })
            .map(|n| g.node_id(n) as u64)
            .collect();
        ids.sort_unstable();
        ul_ids.push(ids);
    }
    for w in ul_ids.windows(2) {
        assert!(
            w[0].iter().all(|id| w[1].binary_search(id).is_ok()),
            "detached <ul> ids carry over: {ul_ids:?}"
        );
    }
}

#[test]
fn heap_profile_totals_and_root_level_cum_are_retained_sizes() {
    for stem in ["node-leak-3", "detached-dom-3"] {
        let (g, a) = load(&fixture_snapshot(stem));
        let p = heap_profile(&g, &a, &HeapProfileOptions::default());
        let summary = leakscope::analysis::heap::summarize(&g, &a);
        assert_eq!(p.total(1) as u64, summary.total_size, "{stem}");
        assert_eq!(p.sample_types[p.default_sample_type].name, "self_size");
        assert!(
            p.samples.len() * 4 < g.node_count(),
            "{stem}: {} samples",
            p.samples.len()
        );
        // cum of each root-level frame = retained size of the root's dominated children of
        // that class.
        let mut cum: HashMap<String, i64> = HashMap::new();
        for i in 0..p.samples.len() {
            let frames = p.stacks.frames_root_first(p.samples.stack[i]);
            *cum.entry(p.frame_name(frames[0])).or_default() += p.samples.value(i, 1);
        }
        let mut want: HashMap<String, i64> = HashMap::new();
        let root = g.root().index();
        for o in (0..g.node_count()).filter(|&o| o != root && a.dominators.idom[o] as usize == root)
        {
            let name = a.class_names.name(&g, a.class_names.class_of[o]).to_owned();
            *want.entry(name).or_default() += a.dominators.retained_size[o] as i64;
        }
        want.retain(|_, v| *v != 0);
        if g.extra_native_bytes() != 0 {
            want.insert("(extra native bytes)".into(), g.extra_native_bytes() as i64);
        }
        assert_eq!(cum, want, "{stem}");
    }
}
