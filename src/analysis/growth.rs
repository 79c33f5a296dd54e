//! Growth across a series of profiles taken over time: per function, per stack and per
//! constructor, the value at each point, its trend and whether it grew at every step, ranked
//! so that what only goes up comes first. The trend of one sequence is `trend`; pprof series
//! are read from one `Aggregate` (`profile_growth`), goroutine dumps also by wait state
//! (`goroutine_waits`); `series_growth` does all of it for a list of profiles.

mod goroutine_waits;
mod profile_growth;
mod trend;

use serde::{Deserialize, Serialize};

pub use goroutine_waits::{goroutine_waits, WaitRow};
pub use profile_growth::{
    noise_floor, profile_growth, GrowthRow, ProfileGrowth, NOISE_PERIODS, NOISE_SHARE,
};
pub use trend::{rank_order, slope, trend, GrowthTrend, TrendKind};

use super::aggregate::{aggregate, ReportOptions};
use super::merge::{compatible, MergeError};
use crate::model::Profile;

/// What grew across a series of pprof profiles or goroutine dumps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesGrowth {
    /// Functions and stacks.
    #[serde(flatten)]
    pub growth: ProfileGrowth,
    /// Goroutines by wait state and user frame (goroutine dumps only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waits: Vec<WaitRow>,
}

/// The growth of `points` (oldest first, already refined), which must be mergeable (pprof's
/// `compatible`) and have `options.sample_index`: aggregated once, judged against the series'
/// `noise_floor`, each list cut to `limit` rows (0: all).
pub fn series_growth(
    points: &[&Profile],
    options: &ReportOptions,
    limit: usize,
) -> Result<SeriesGrowth, MergeError> {
    if let Some(first) = points.first() {
        for (i, p) in points.iter().enumerate().skip(1) {
            compatible(first, p, i + 1)?;
        }
        if options.sample_index >= first.sample_types.len() {
            return Err(MergeError {
                message: format!(
                    "sample type {} does not exist in these profiles",
                    options.sample_index
                ),
            });
        }
    }
    let agg = aggregate(points, options);
    let totals: Vec<i64> = (0..agg.columns()).map(|c| agg.total(c)).collect();
    let noise = noise_floor(&totals, heap_sampling_period(points, options.sample_index));
    Ok(SeriesGrowth {
        growth: profile_growth(&agg, noise, limit),
        waits: goroutine_waits(points),
    })
}

/// The largest heap sampling period (`MemProfileRate`) of `profiles` when column
/// `sample_index` is bytes of a heap profile sampled by size (`period_type` space), else 0.
pub fn heap_sampling_period(profiles: &[&Profile], sample_index: usize) -> i64 {
    profiles
        .iter()
        .filter(|p| {
            p.meta
                .period_type
                .as_ref()
                .is_some_and(|t| t.name == "space")
                && p.sample_types
                    .get(sample_index)
                    .is_some_and(|t| t.unit == "bytes")
        })
        .map(|p| p.meta.period)
        .max()
        .unwrap_or(0)
}
