//! `growth` and `diff` for V8 heap snapshots: what grew per constructor across a series (with
//! the retainer path that holds it, and MemLab's objects born between the first two snapshots
//! still alive in the last), and DevTools' Comparison of two snapshots. Table or JSON.

use std::path::{Path, PathBuf};

use leakscope::analysis::heap::{
    comparison, heap_growth, leak_clusters, max_js_node_id, ClassGrowthRow, Comparison,
    HeapAnalysis, HeapGrowth, LeakClusters,
};
use leakscope::analysis::{order_members, SeriesMember};
use leakscope::model::{format_value, HeapGraph};

use super::input::{Failure, Opened};

/// True when the file at `path` is a V8 heap snapshot (plain or gzipped).
pub fn is_heap_file(path: &Path) -> Result<bool, Failure> {
    Ok(Opened::new(path)?.is_heap_snapshot())
}

/// Decodes and analyses every snapshot; all must be heap snapshots.
fn load_heaps(paths: &[PathBuf]) -> Result<Vec<(String, HeapGraph, HeapAnalysis)>, Failure> {
    paths
        .iter()
        .map(|p| {
            let opened = Opened::new(p)?;
            let name = p.display().to_string();
            if !opened.is_heap_snapshot() {
                return Err(Failure(format!(
                    "{name}: not a V8 heap snapshot, so not one series with the first file"
                )));
            }
            let (g, a) = opened.analyse_heap()?;
            Ok((name, g, a))
        })
        .collect()
}

/// One class of `growth --json` for heap snapshots: the pprof rows' shape (`values` are the
/// shallow sizes, `slope` theirs, `monotonic` when the count or the size grew at every
/// step), then everything the heap analysis knows.
#[derive(serde::Serialize)]
struct ClassOut<'a> {
    name: &'a str,
    values: &'a [u64],
    slope: f64,
    monotonic: bool,
    #[serde(flatten)]
    row: &'a ClassGrowthRow,
}

#[derive(serde::Serialize)]
struct GrowthOut<'a> {
    points: Vec<String>,
    same_process: bool,
    total_sizes: &'a [u64],
    size_noise: u64,
    rows: Vec<ClassOut<'a>>,
    clusters: Option<&'a LeakClusters>,
}

/// `leakscope growth` over heap snapshots, ordered by their highest JS object id (V8 ids only
/// grow within one process) unless `keep_order`.
pub fn growth(
    paths: &[PathBuf],
    keep_order: bool,
    limit: usize,
    json: bool,
) -> Result<String, Failure> {
    let mut heaps = load_heaps(paths)?;
    if !keep_order {
        // As the page orders a series: by the highest object id, then by name.
        let members: Vec<SeriesMember> = heaps
            .iter()
            .enumerate()
            .map(|(i, (name, g, _))| SeriesMember {
                id: i as u32,
                name: name.clone(),
                key: String::new(),
                time_nanos: None,
                order_hint: Some(u64::from(max_js_node_id(g))),
            })
            .collect();
        let mut order: Vec<&SeriesMember> = members.iter().collect();
        order_members(&mut order);
        let order: Vec<usize> = order.iter().map(|m| m.id as usize).collect();
        let mut slots: Vec<Option<_>> = heaps.into_iter().map(Some).collect();
        heaps = order.into_iter().filter_map(|i| slots[i].take()).collect();
    }
    let series: Vec<(&HeapGraph, &HeapAnalysis)> = heaps.iter().map(|(_, g, a)| (g, a)).collect();
    let growth = heap_growth(&series);
    let clusters =
        (series.len() >= 3).then(|| leak_clusters(series[0], series[1], series[series.len() - 1]));
    let points: Vec<String> = heaps.iter().map(|(n, _, _)| n.clone()).collect();
    let shown = if limit == 0 {
        growth.rows.len()
    } else {
        limit.min(growth.rows.len())
    };
    if json {
        let out = GrowthOut {
            points,
            same_process: growth.same_process,
            total_sizes: &growth.total_sizes,
            size_noise: growth.size_noise,
            rows: growth.rows[..shown]
                .iter()
                .map(|r| ClassOut {
                    name: &r.name,
                    values: &r.shallow_sizes,
                    slope: r.size_trend.slope,
                    monotonic: r.size_trend.monotonic || r.count_trend.monotonic,
                    row: r,
                })
                .collect(),
            clusters: clusters.as_ref(),
        };
        let mut text = serde_json::to_string(&out).map_err(|e| Failure(e.to_string()))?;
        text.push('\n');
        return Ok(text);
    }
    Ok(growth_table(&points, &growth, shown, clusters.as_ref()))
}

fn bytes(v: u64) -> String {
    format_value(v as i64, "bytes")
}

fn growth_table(
    points: &[String],
    g: &HeapGrowth,
    shown: usize,
    clusters: Option<&LeakClusters>,
) -> String {
    let mut out = format!(
        "Growth of {} heap snapshots by constructor{}\n",
        points.len(),
        if g.same_process {
            " (one process: new objects matched by id)"
        } else {
            " (different processes: counts and sizes only)"
        }
    );
    for (i, p) in points.iter().enumerate() {
        out.push_str(&format!(
            "  t{i}: {p} (total {})\n",
            bytes(g.total_sizes[i])
        ));
    }
    out.push_str(&format!(
        "\n{:<6} {:>22} {:>24} {:>24} {:>8}  constructor\n",
        "trend", "count", "shallow size", "retained size", "new"
    ));
    let span = |v: &[u64], f: &dyn Fn(u64) -> String| match (v.first(), v.last()) {
        (Some(a), Some(b)) => format!("{} → {}", f(*a), f(*b)),
        _ => String::new(),
    };
    for r in &g.rows[..shown] {
        out.push_str(&format!(
            "{:<6} {:>22} {:>24} {:>24} {:>8}  {}\n",
            r.kind.label(),
            span(&r.counts, &|v| v.to_string()),
            span(&r.shallow_sizes, &bytes),
            span(&r.retained_sizes, &bytes),
            r.new_objects,
            r.name
        ));
        if let Some(path) = &r.retainer {
            out.push_str(&format!(
                "{:<6} held by {path} ({:.0}% of {} objects read)\n",
                "",
                r.retainer_share * 100.0,
                r.retainer_sampled
            ));
        }
    }
    if let Some(c) = clusters.filter(|c| !c.clusters.is_empty()) {
        out.push_str(&format!(
            "\nBorn between t0 and t1, still alive in t{} (MemLab): {} objects\n",
            points.len() - 1,
            c.candidates
        ));
        for k in c.clusters.iter().take(20) {
            out.push_str(&format!(
                "{:>8} {:>12}  {}  held by {}\n",
                k.count,
                bytes(k.retained_size),
                k.name,
                k.retainer
            ));
        }
    }
    out
}

/// `leakscope diff` of two heap snapshots: DevTools' Comparison.
pub fn diff(base: &Path, new: &Path, limit: usize, json: bool) -> Result<String, Failure> {
    let heaps = load_heaps(&[base.to_owned(), new.to_owned()])?;
    let (b, n) = (&heaps[0], &heaps[1]);
    let c = comparison(&b.1, &b.2, &n.1, &n.2);
    if json {
        let mut text = serde_json::to_string(&c).map_err(|e| Failure(e.to_string()))?;
        text.push('\n');
        return Ok(text);
    }
    Ok(comparison_table(&b.0, &n.0, &c, limit))
}

fn comparison_table(base: &str, new: &str, c: &Comparison, limit: usize) -> String {
    let mut out = format!("Comparison of {new} with {base}\n");
    if c.same_process {
        out.push_str(&format!(
            "{} new, {} deleted objects; {} allocated, {} freed\n",
            c.new_count,
            c.deleted_count,
            bytes(c.alloc_size),
            bytes(c.freed_size)
        ));
    } else {
        out.push_str("different processes: object ids do not line up, class totals compared\n");
    }
    out.push_str(&format!(
        "{:>8} {:>9} {:>8} {:>12} {:>12} {:>12}  Constructor\n",
        "# New", "# Deleted", "# Delta", "Alloc. Size", "Freed Size", "Size Delta"
    ));
    let shown = if limit == 0 {
        c.rows.len()
    } else {
        limit.min(c.rows.len())
    };
    for r in &c.rows[..shown] {
        out.push_str(&format!(
            "{:>8} {:>9} {:>+8} {:>12} {:>12} {:>12}  {}\n",
            r.new_count,
            r.deleted_count,
            r.count_delta,
            bytes(r.alloc_size),
            bytes(r.freed_size),
            format_value(r.size_delta, "bytes"),
            r.name
        ));
    }
    out
}
