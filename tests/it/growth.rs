//! Growth across the repo's own series taken over time (t0..t3): the leaky Gin service's planted
//! leaks rank first as growing at every step, its healthy twin (every leak fixed, same load)
//! grows nowhere above noise, leaked goroutines are found by stack and by wait state; the
//! `growth` and `diff` commands print what the library computes.

use std::process::Command;

use leakscope::analysis::growth::{
    goroutine_waits, noise_floor, profile_growth, series_growth, series_growth_types, GrowthRows,
    ProfileGrowth, TrendKind,
};
use leakscope::analysis::{aggregate, diff_aggregate, diff_table, ReportOptions};
use leakscope::formats::decode;
use leakscope::model::Profile;

use crate::support::fixture;

fn series(stem: &str, ext: &str) -> Vec<Profile> {
    (0..=3)
        .map(|t| {
            let path = fixture(&format!("pprof/{stem}-{t}.{ext}"));
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            decode(&bytes)
                .expect("fixture decodes")
                .content
                .into_profile()
                .expect("a profile")
        })
        .collect()
}

fn growth_of(points: &[Profile], sample: &str) -> ProfileGrowth {
    let refs: Vec<&Profile> = points.iter().collect();
    let index = points[0].sample_type_index(sample).expect("sample type");
    let agg = aggregate(
        &refs,
        &ReportOptions {
            sample_index: index,
            ..Default::default()
        },
    );
    let totals: Vec<i64> = (0..agg.columns()).map(|c| agg.total(c)).collect();
    let period = points.iter().map(|p| p.meta.period).max().unwrap_or(0);
    profile_growth(&agg, noise_floor(&totals, period), 0)
}

fn growing(rows: &[leakscope::analysis::growth::GrowthRow]) -> Vec<&str> {
    rows.iter()
        .filter(|r| r.trend.kind == TrendKind::Growing)
        .map(|r| r.name.as_str())
        .collect()
}

#[test]
fn one_aggregation_of_two_sample_types_grows_as_two_of_one() {
    // Leaky and healthy, heap and allocs: in-use and allocated bytes read from one placement
    // of each profile's rows equal each type aggregated alone, rows, order and trends.
    for stem in ["gin-heap", "gin-healthy-heap", "gin-allocs"] {
        let points = series(stem, "pb.gz");
        let refs: Vec<&Profile> = points.iter().collect();
        let types = ["inuse_space", "alloc_space"].map(|t| points[0].sample_type_index(t).unwrap());
        for rows in [GrowthRows::All, GrowthRows::StackFrames] {
            let both = series_growth_types(&refs, &ReportOptions::default(), &types, rows).unwrap();
            for (&sample_index, got) in types.iter().zip(&both) {
                let options = ReportOptions {
                    sample_index,
                    ..Default::default()
                };
                let alone = series_growth(&refs, &options, 0, rows).unwrap().growth;
                assert_eq!(got, &alone, "{stem}, type {sample_index}, {rows:?}");
                assert!(
                    alone.stacks.len() > 10,
                    "{stem}: {} stacks",
                    alone.stacks.len()
                );
            }
        }
    }
    // A sample type the profiles do not have is refused, as by `series_growth`.
    let points = series("gin-heap", "pb.gz");
    let refs: Vec<&Profile> = points.iter().collect();
    let types = [1, points[0].sample_types.len()];
    assert!(
        series_growth_types(&refs, &ReportOptions::default(), &types, GrowthRows::All).is_err()
    );
}

#[test]
fn the_leaky_heap_series_ranks_the_planted_leaks_first() {
    let g = growth_of(&series("gin-heap", "pb.gz"), "inuse_space");
    let top: Vec<&str> = g
        .functions
        .iter()
        .take(3)
        .map(|r| r.name.as_str())
        .collect();
    // The three planted in-use leaks, largest growth first (fixtures/leaky-gin/leaks.go).
    assert_eq!(
        top,
        [
            "main.captureRequestSnapshot",
            "main.(*responseCache).Put",
            "main.newOrder"
        ],
        "{:#?}",
        &g.functions[..5]
    );
    for r in &g.functions[..3] {
        assert!(
            r.trend.monotonic,
            "{} grows at every step: {:?}",
            r.name, r.values
        );
        assert!(r.values.windows(2).all(|w| w[1] - w[0] > g.noise));
    }
    // The event log's backing array is reallocated by append, so it grows in jumps, but it
    // ends far above where it started.
    let log = g
        .functions
        .iter()
        .find(|r| r.name == "main.(*eventLog).Append");
    let log = log.expect("the event log row");
    assert!(matches!(
        log.trend.kind,
        TrendKind::Growing | TrendKind::Rising
    ));
    assert!(log.trend.growth > 3 * g.noise, "{log:?}");
    // The heaviest growing stack ends in the biggest leak, under its handler.
    let stack = &g.stacks[0];
    assert_eq!(
        stack.frames.last().map(|f| &**f),
        Some("main.captureRequestSnapshot")
    );
    assert!(stack.frames.iter().any(|f| &**f == "main.postEvent"));
}

#[test]
fn the_healthy_heap_series_grows_nowhere_above_noise() {
    for sample in ["inuse_space", "inuse_objects"] {
        let g = growth_of(&series("gin-healthy-heap", "pb.gz"), sample);
        assert!(g.noise > 0);
        assert_eq!(
            growing(&g.functions),
            Vec::<&str>::new(),
            "{sample}: {:#?}",
            &g.functions[..3]
        );
        assert_eq!(growing(&g.stacks), Vec::<&str>::new(), "{sample}");
    }
    // The same rule finds the leaks of the same service without the fixes.
    let leaky = growth_of(&series("gin-heap", "pb.gz"), "inuse_space");
    assert!(growing(&leaky.functions).len() >= 3);
}

#[test]
fn leaked_goroutines_grow_by_stack_and_by_wait_state() {
    let leaky = series("gin-goroutine", "pb.gz");
    let g = growth_of(&leaky, "goroutine");
    let top = &g.stacks[0];
    assert!(top.trend.monotonic, "{top:?}");
    assert!(
        top.frames.iter().any(|f| &**f == "main.waitForReply"),
        "{:?}",
        top.frames
    );
    assert_eq!(
        top.values
            .windows(2)
            .map(|w| w[1] - w[0])
            .collect::<Vec<_>>(),
        [60, 60, 60]
    );
    let healthy = growth_of(&series("gin-healthy-goroutine", "pb.gz"), "goroutine");
    assert!(
        growing(&healthy.stacks).is_empty(),
        "{:#?}",
        &healthy.stacks[..2]
    );

    // The text dumps add the wait state: one group, blocked on a channel receive.
    let dumps = series("gin-goroutine", "debug2.txt");
    let refs: Vec<&Profile> = dumps.iter().collect();
    let waits = goroutine_waits(&refs);
    let first = &waits[0];
    assert_eq!(
        (first.state.as_str(), first.frame.as_str()),
        ("chan receive", "main.waitForReply")
    );
    assert_eq!(first.counts, top.values);
    assert!(first.trend.monotonic);
    let healthy_dumps = series("gin-healthy-goroutine", "debug2.txt");
    let refs: Vec<&Profile> = healthy_dumps.iter().collect();
    let healthy_waits = goroutine_waits(&refs);
    assert!(!healthy_waits.is_empty());
    assert!(
        healthy_waits.iter().all(|w| !w.trend.monotonic),
        "{healthy_waits:#?}"
    );
}

fn leakscope(args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_leakscope"))
        .args(args)
        .output()
        .expect("run leakscope");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn the_growth_command_orders_files_by_time_and_prints_the_ranking() {
    let path = |t: u32| {
        fixture(&format!("pprof/gin-heap-{t}.pb.gz"))
            .display()
            .to_string()
    };
    let (p0, p1, p2, p3) = (path(0), path(1), path(2), path(3));
    // Given out of order: the command puts them in the order they were taken.
    let out = leakscope(&["growth", "--json", &p3, &p1, &p0, &p2]);
    assert_eq!(out["points"], serde_json::json!([p0, p1, p2, p3]));
    let lib = growth_of(&series("gin-heap", "pb.gz"), "inuse_space");
    let rows = out["functions"].as_array().expect("rows");
    assert_eq!(rows.len(), lib.functions.len());
    assert_eq!(rows[0]["name"], lib.functions[0].name);
    assert_eq!(
        rows[0]["values"],
        serde_json::json!(lib.functions[0].values)
    );
    assert_eq!(rows[0]["monotonic"], true);
    assert!(rows[0]["slope"].as_f64().unwrap() > 0.0);
    // Files of different kinds are no series.
    let cpu = fixture("pprof/gin-cpu-2.pb.gz").display().to_string();
    let bad = Command::new(env!("CARGO_BIN_EXE_leakscope"))
        .args(["growth", &p0, &cpu])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not one series"));
}

#[test]
fn the_diff_command_prints_both_sides_of_each_row() {
    let (b, n) = (
        fixture("pprof/gin-heap-1.pb.gz"),
        fixture("pprof/gin-heap-3.pb.gz"),
    );
    let out = leakscope(&[
        "diff",
        "--json",
        &b.display().to_string(),
        &n.display().to_string(),
    ]);
    let load = |p: &std::path::Path| {
        decode(&std::fs::read(p).unwrap())
            .unwrap()
            .content
            .into_profile()
            .unwrap()
    };
    let (base, new) = (load(&b), load(&n));
    let index = new.default_sample_type;
    let agg = diff_aggregate(
        &base,
        &new,
        &ReportOptions {
            sample_index: index,
            ..Default::default()
        },
        false,
    )
    .unwrap();
    let table = diff_table(&agg, false);
    assert_eq!(out["sample_type"]["name"], "inuse_space");
    assert_eq!(out["base_total"], table.base_total);
    assert_eq!(out["new_total"], table.new_total);
    let first = &out["rows"][0];
    assert_eq!(first["name"], "main.captureRequestSnapshot");
    let d = first["delta_flat"].as_i64().unwrap();
    assert_eq!(
        d,
        first["new_flat"].as_i64().unwrap() - first["base_flat"].as_i64().unwrap()
    );
    assert!(d > 0);
    for key in ["base_cum", "new_cum", "delta_cum"] {
        assert!(first[key].is_i64(), "{key}");
    }
}
