//! Growth across the repo's snapshot series and MemLab's three-snapshot view, on what the
//! fixture programs planted (tests/fixtures/README.md): per round the leaky Node service adds
//! 120 `Session`s to `SessionCache`, 25 `tick` listeners holding a `Buffer`, 25 never-cleared
//! intervals (`Timeout`) and 250 `RequestLog` entries; the detached-DOM page adds 4 `<ul>` of
//! 40 `<li>` to `OrdersView.history` and 2 `<table>`s to a Map (`reportCache`).

use leakscope::analysis::growth::TrendKind;
use leakscope::analysis::heap::{
    heap_growth, leak_clusters, ClassGrowthRow, HeapAnalysis, HeapGrowth, LeakClusters,
    RetainerBasis,
};
use leakscope::model::HeapGraph;

use crate::heap_comparison::{load, snapshot};

fn series(name: &str) -> Vec<(HeapGraph, HeapAnalysis)> {
    (1..=3)
        .map(|i| {
            let stem = format!("{name}-{i}");
            load(&snapshot(&stem).unwrap_or_else(|| panic!("fixture {stem}")))
        })
        .collect()
}

fn refs(s: &[(HeapGraph, HeapAnalysis)]) -> Vec<(&HeapGraph, &HeapAnalysis)> {
    s.iter().map(|(g, a)| (g, a)).collect()
}

fn row<'a>(h: &'a HeapGrowth, name: &str) -> (usize, &'a ClassGrowthRow) {
    h.rows
        .iter()
        .enumerate()
        .find(|(_, r)| r.name == name)
        .unwrap_or_else(|| panic!("no row {name}"))
}

/// The planted class grew at every step, by `per_round` objects each time, ranks among the
/// classes that grew at every step (which come first) and within the top `top` rows, and its
/// retainer path says who holds it.
fn check_planted(h: &HeapGrowth, name: &str, per_round: Option<u64>, holder: &[&str], top: usize) {
    let (at, r) = row(h, name);
    eprintln!(
        "#{at} {name}: counts {:?}, shallow {:?}, retained {:?}, new {}\n    {:?} {:.0}% of {}: {}",
        r.counts,
        r.shallow_sizes,
        r.retained_sizes,
        r.new_objects,
        r.retainer_basis,
        r.retainer_share * 100.0,
        r.retainer_sampled,
        r.retainer.as_deref().unwrap_or("-")
    );
    assert_eq!(r.kind, TrendKind::Growing, "{name}: {:?}", r.size_trend);
    assert!(at < top, "{name} ranks #{at}");
    let growing = h
        .rows
        .iter()
        .take_while(|r| r.kind == TrendKind::Growing)
        .count();
    assert!(
        at < growing,
        "{name} is in the leading block of growing classes"
    );
    if let Some(step) = per_round {
        assert_eq!(r.count_trend.kind, TrendKind::Growing, "{name}");
        assert!(
            r.counts.windows(2).all(|w| w[1] - w[0] == step),
            "{name}: {:?} grows by {step} per round",
            r.counts
        );
        // New by id: not all of them (the page's list that was current at the first snapshot
        // is detached later, under its old id).
        assert!(
            r.new_objects >= step && r.new_objects <= r.counts[2],
            "{name}: {} new",
            r.new_objects
        );
    }
    let path = r.retainer.as_deref().unwrap_or_default();
    for h in holder {
        assert!(path.contains(h), "{name}: path {path:?} lacks {h:?}");
    }
    assert!(r.retainer_share >= 0.5, "{name}: {}", r.retainer_share);
}

#[test]
fn node_series_ranks_the_planted_leaks_first_with_their_holders() {
    let s = series("node-leak");
    let t = std::time::Instant::now();
    let h = heap_growth(&refs(&s));
    eprintln!("heap_growth over node-leak-1..3: {:?}", t.elapsed());
    assert!(h.same_process);
    assert_eq!(h.snapshots, 3);
    assert!(h.total_sizes.windows(2).all(|w| w[0] < w[1]));
    check_planted(
        &h,
        "Session",
        Some(120),
        &["var sessions", "SessionCache.byId"],
        20,
    );
    check_planted(
        &h,
        "Buffer",
        Some(25),
        &["var bus", ".tick", "onTick()", "var buffer"],
        25,
    );
    check_planted(&h, "Timeout", Some(25), &["Timeout._idle"], 25);
    check_planted(
        &h,
        "{method, url, remote, userAgent}",
        Some(250),
        &["var requestLog", "RequestLog.entries"],
        20,
    );
    // The cache's Map: one object whose table grows (its size moves to the Map), found by
    // the object that grew, not by new ones.
    check_planted(&h, "Map", None, &["var sessions", "SessionCache.byId"], 20);
    let (_, map) = row(&h, "Map");
    assert_eq!(map.retainer_basis, Some(RetainerBasis::GrownObjects));
    assert!(map
        .retainer
        .as_deref()
        .unwrap()
        .ends_with("SessionCache.byId"));
    check_planted(&h, "WeakMap", None, &["var sessionMeta"], 20);
    // Rows that did not grow carry no path.
    assert!(h
        .rows
        .iter()
        .filter(|r| !matches!(r.kind, TrendKind::Growing | TrendKind::Rising))
        .all(|r| r.retainer.is_none()));
    // Serde data, for the worker and the CLI.
    let json = serde_json::to_string(&h).unwrap();
    let back: HeapGrowth = serde_json::from_str(&json).unwrap();
    assert_eq!(
        (back.rows.len(), &back.rows[0].retainer),
        (h.rows.len(), &h.rows[0].retainer)
    );
}

#[test]
fn detached_dom_series_names_orders_view_history() {
    let s = series("detached-dom");
    let h = heap_growth(&refs(&s));
    assert!(h.same_process);
    let history = ["ordersView", "OrdersView.history"];
    check_planted(&h, "Detached <ul>", Some(4), &history, 12);
    check_planted(&h, "Detached <li>", Some(160), &history, 12);
    check_planted(
        &h,
        "Detached <table>",
        Some(2),
        &["var reportCache", "Map"],
        12,
    );
}

fn cluster<'a>(v: &'a LeakClusters, name: &str) -> &'a leakscope::analysis::heap::LeakCluster {
    v.clusters
        .iter()
        .filter(|c| c.name == name)
        .max_by_key(|c| c.count)
        .unwrap_or_else(|| panic!("no {name} cluster"))
}

#[test]
fn three_snapshot_view_finds_what_round_two_left_behind() {
    let s = series("node-leak");
    let t = std::time::Instant::now();
    let v = leak_clusters((&s[0].0, &s[0].1), (&s[1].0, &s[1].1), (&s[2].0, &s[2].1));
    eprintln!(
        "leak_clusters over node-leak-1,2,3: {:?}, {} candidates in {} clusters",
        t.elapsed(),
        v.candidates,
        v.clusters.len()
    );
    assert!(v.same_process);
    assert!(v
        .clusters
        .windows(2)
        .all(|w| w[0].retained_size >= w[1].retained_size));
    assert_eq!(
        v.clusters.iter().map(|c| c.count).sum::<u64>(),
        v.candidates
    );
    // Round 2's 120 sessions, all under the cache.
    let session = cluster(&v, "Session");
    eprintln!("{session:?}");
    assert_eq!(session.count, 120);
    assert!(session.retainer.contains("SessionCache.byId"));
    assert_eq!(s[2].0.node_name(session.example), "Session");
    let buffers = cluster(&v, "Buffer");
    assert_eq!(buffers.count, 25);
    assert!(buffers.retainer.contains("onTick()"));
    // The largest clusters are leaks: the tick listeners' closures and buffers lead.
    let top: Vec<&str> = v.clusters[..5]
        .iter()
        .map(|c| c.retainer.as_str())
        .collect();
    assert!(top.iter().all(|p| p.contains(".tick")), "{top:#?}");

    let d = series("detached-dom");
    let v = leak_clusters((&d[0].0, &d[0].1), (&d[1].0, &d[1].1), (&d[2].0, &d[2].1));
    let lists = cluster(&v, "Detached <ul>");
    assert_eq!(lists.count, 4);
    assert!(lists.retainer.contains("OrdersView.history"));
}

#[test]
fn mixed_processes_fall_back_to_class_totals() {
    let node = series("node-leak");
    let page = series("detached-dom");
    let mixed = [
        (&node[0].0, &node[0].1),
        (&page[1].0, &page[1].1),
        (&page[2].0, &page[2].1),
    ];
    let h = heap_growth(&mixed);
    assert!(!h.same_process);
    assert!(h.rows.iter().all(|r| r.new_objects == 0));
    let with_path: Vec<&ClassGrowthRow> = h.rows.iter().filter(|r| r.retainer.is_some()).collect();
    assert!(!with_path.is_empty());
    assert!(with_path
        .iter()
        .all(|r| r.retainer_basis == Some(RetainerBasis::LargestObjects)));
    let v = leak_clusters(mixed[0], mixed[1], mixed[2]);
    assert_eq!(v, LeakClusters::default());
}
