//! `profile_growth`: what grew across a series of pprof profiles (an `Aggregate` with one
//! column per point, oldest first): per report node its flat value at each point (what the
//! function itself holds) and per distinct stack its value at each point, each with its
//! `GrowthTrend`, ranked so that what grew at every step and by the most comes first. It
//! reads the aggregate; lining profiles up and ordering them is `series`' job.

use crate::analysis::sort;
use std::ops::Range;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::trend::{rank_order, trend, GrowthTrend};
use crate::analysis::aggregate::Aggregate;
use crate::analysis::top_stacks::{sort_paths, stack_paths_in, StackPath};
use crate::model::SampleType;

/// A step must move by more than this share of the series' largest total to count as a rise
/// or a fall: what a profile cannot resolve however it was sampled. It stays small because
/// one big leak must not hide a smaller one beside it (in the leaky Gin fixtures a 240 kB
/// per-step leak sits next to a 16 MB per-step one, 0.5% of the largest total).
pub const NOISE_SHARE: f64 = 0.001;

/// In sampled heap profiles (`period_type` space/bytes, `period` = MemProfileRate) one sampled
/// allocation stands for about `period` bytes, so a site's estimate moves in steps of that
/// size by chance alone (a pooled buffer, a goroutine stack): a rise must be larger than this
/// many periods. The healthy Gin fixtures' largest steps are one to three periods, and none
/// of their rows rises by more than two at every step.
pub const NOISE_PERIODS: i64 = 2;

/// One function or stack across the series.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GrowthRow {
    /// The function's printed name, or a stack as folded text (`main;handler;alloc`).
    pub name: String,
    /// For a stack: its frames, root first; empty for a function. Shared: a frame's name is
    /// allocated once for all the stacks it is in (a big profile has millions of frames in
    /// its stacks, and a few thousand names).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub frames: Vec<Arc<str>>,
    /// The value at each point: a function's flat value, a stack's value.
    pub values: Vec<i64>,
    /// For a function: its cumulative value at each point; empty for a stack.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cum: Vec<i64>,
    /// How `values` moved.
    #[serde(flatten)]
    pub trend: GrowthTrend,
}

/// What grew across a series of profiles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileGrowth {
    /// What the values measure.
    pub sample_type: SampleType,
    /// Each point's total (pprof's report total).
    pub totals: Vec<i64>,
    /// How much a step must move to count (see `noise_floor`).
    pub noise: i64,
    /// Functions with a nonzero flat value at some point, in growth rank order.
    pub functions: Vec<GrowthRow>,
    /// Distinct stacks with a nonzero value at some point, in growth rank order.
    pub stacks: Vec<GrowthRow>,
}

/// The noise floor of a series: `NOISE_SHARE` of its largest total, and for sampled heap
/// profiles at least `NOISE_PERIODS` sampling periods (`heap_period`, 0 when the profiles are
/// not sampled by size). At least 0: exact counts (goroutines) then count every change.
pub fn noise_floor(totals: &[i64], heap_period: i64) -> i64 {
    let largest = totals.iter().map(|t| t.unsigned_abs()).max().unwrap_or(0);
    let share = (largest as f64 * NOISE_SHARE) as i64;
    share.max(heap_period.saturating_mul(NOISE_PERIODS)).max(0)
}

/// Which rows `profile_growth_of` makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrowthRows {
    /// Functions and stacks, each named (the growth views and `leakscope growth`).
    All,
    /// Only the stacks, with their frames and values but no `name`, and no functions: what
    /// the leak checklist reads. The joined names of a big profile's stacks alone held tens
    /// of megabytes.
    StackFrames,
}

/// The growth of every function and stack of `agg` (one column per point, oldest first),
/// judged against `noise` (see `noise_floor`). `limit` caps each list (0: all).
pub fn profile_growth(agg: &Aggregate, noise: i64, limit: usize) -> ProfileGrowth {
    profile_growth_of(agg, 0..agg.columns(), noise, limit, GrowthRows::All)
}

/// `profile_growth` of the points in `columns` (one sample type's run of an aggregate of
/// several), with only the `rows` asked for.
pub fn profile_growth_of(
    agg: &Aggregate,
    columns: Range<usize>,
    noise: i64,
    limit: usize,
    rows: GrowthRows,
) -> ProfileGrowth {
    ProfileGrowth {
        sample_type: agg.sample_type.clone(),
        totals: columns.clone().map(|c| agg.total(c)).collect(),
        noise,
        functions: match rows {
            GrowthRows::All => function_growth(agg, columns.clone(), noise, limit),
            GrowthRows::StackFrames => Vec::new(),
        },
        stacks: stack_growth(agg, columns, noise, limit, rows == GrowthRows::All),
    }
}

/// Every function with a nonzero flat value in `columns`, ranked.
fn function_growth(
    agg: &Aggregate,
    columns: Range<usize>,
    noise: i64,
    limit: usize,
) -> Vec<GrowthRow> {
    let values = agg.node_values();
    let flat = |k: u32| &values.flat(k)[columns.clone()];
    let mut functions: Vec<GrowthRow> = (0..agg.nodes.len() as u32)
        .filter(|&k| flat(k).iter().any(|&v| v != 0))
        .map(|k| GrowthRow {
            name: agg.nodes.printable(k).to_owned(),
            frames: Vec::new(),
            values: flat(k).to_vec(),
            cum: values.cum(k)[columns.clone()].to_vec(),
            trend: trend(flat(k), noise),
        })
        .collect();
    sort::sort_by(&mut functions, |a, b| {
        rank_order(&a.trend, &b.trend).then_with(|| a.name.cmp(&b.name))
    });
    if limit > 0 {
        functions.truncate(limit);
    }
    functions
}

/// Every stack with a nonzero value at some point of `columns`, ranked; `named`: with its
/// folded name.
fn stack_growth(
    agg: &Aggregate,
    columns: Range<usize>,
    noise: i64,
    limit: usize,
    named: bool,
) -> Vec<GrowthRow> {
    // Stacks are ranked before their frames are named: a big profile has a million of them.
    let mut ranked: Vec<(StackPath, GrowthTrend)> = stack_paths_in(agg, columns)
        .into_iter()
        .map(|p| {
            let t = trend(&p.values, noise);
            (p, t)
        })
        .collect();
    sort_paths(
        agg,
        &mut ranked,
        |(p, _)| p.leaf,
        |a, b| rank_order(&a.1, &b.1),
    );
    if limit > 0 {
        ranked.truncate(limit);
    }
    let mut names: Vec<Option<Arc<str>>> = Vec::new();
    ranked
        .into_iter()
        .map(|(p, trend)| {
            let frames = p.shared_frames(agg, &mut names);
            GrowthRow {
                name: if named {
                    frames.join(";")
                } else {
                    String::new()
                },
                frames,
                trend,
                values: p.values,
                cum: Vec::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::growth::TrendKind;
    use crate::analysis::{aggregate, ReportOptions};
    use crate::model::Profile;

    fn point(text: &str) -> Profile {
        Profile::from_folded(vec![SampleType::new("inuse_space", "bytes")], text)
    }

    #[test]
    fn ranks_what_grew_at_every_step_first() {
        let points = [
            point("main;cache.Put 100\nmain;pool.Get 50\nmain;boot 500\n"),
            point("main;cache.Put 200\nmain;pool.Get 90\nmain;boot 500\n"),
            point("main;cache.Put 300\nmain;pool.Get 40\nmain;boot 500\nmain;late 30\n"),
            point("main;cache.Put 400\nmain;pool.Get 95\nmain;boot 501\nmain;late 30\n"),
        ];
        let refs: Vec<&Profile> = points.iter().collect();
        let agg = aggregate(&refs, &ReportOptions::default());
        let g = profile_growth(&agg, noise_floor(&[650, 790, 870, 1026], 0), 0);
        // pool.Get moves by 40 to 55 per step: churn, and boot's one byte is noise.
        assert_eq!(g.noise, 1);
        let order: Vec<(&str, TrendKind)> = g
            .functions
            .iter()
            .map(|r| (r.name.as_str(), r.trend.kind))
            .collect();
        assert_eq!(
            order,
            [
                ("cache.Put", TrendKind::Growing),
                ("late", TrendKind::Rising),
                ("boot", TrendKind::Flat),
                ("pool.Get", TrendKind::Churn),
            ]
        );
        let put = &g.functions[0];
        assert_eq!(
            (put.values.clone(), put.trend.slope),
            (vec![100, 200, 300, 400], 100.0)
        );
        assert_eq!(
            g.stacks[0].frames,
            [Arc::from("main"), Arc::from("cache.Put")]
        );
        assert_eq!(g.stacks[0].name, "main;cache.Put");
        assert_eq!(g.totals, [650, 790, 870, 1026]);
        // `main` holds nothing itself, so it is no function row, but its cum grows.
        assert!(g.functions.iter().all(|r| r.name != "main"));
        assert_eq!(profile_growth(&agg, 5, 2).functions.len(), 2);
        // The checklist's rows: the same stacks, frames and values, without names or functions.
        let lean = profile_growth_of(&agg, 0..4, g.noise, 0, GrowthRows::StackFrames);
        assert!(lean.functions.is_empty() && lean.stacks.iter().all(|s| s.name.is_empty()));
        let rows = |g: &ProfileGrowth| -> Vec<(Vec<Arc<str>>, Vec<i64>, GrowthTrend)> {
            let row = |s: &GrowthRow| (s.frames.clone(), s.values.clone(), s.trend.clone());
            g.stacks.iter().map(row).collect()
        };
        assert_eq!(rows(&lean), rows(&g));
        assert_eq!((lean.totals, lean.noise), (g.totals.clone(), g.noise));
        // With a noise floor of 1, boot's last step (500 -> 501) is still flat.
    }

    #[test]
    fn noise_floor_takes_the_larger_of_share_and_sampling() {
        assert_eq!(noise_floor(&[1_000_000, 2_000_000], 0), 2_000);
        assert_eq!(noise_floor(&[1_000_000], 524_288), 1_048_576);
        assert_eq!(noise_floor(&[120, 180], 0), 0);
        assert_eq!(noise_floor(&[], 0), 0);
    }
}
