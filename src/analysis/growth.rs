//! Growth across a series of profiles taken over time: per function, per stack and per
//! constructor, the value at each point, its trend and whether it grew at every step, ranked
//! so that what only goes up comes first. The trend of one sequence is `trend`; pprof series
//! are read from one `Aggregate` (`profile_growth`), goroutine dumps also by wait state
//! (`goroutine_waits`); `series_growth` does all of it for a list of profiles.

mod goroutine_waits;
mod profile_growth;
mod trend;

use serde::{Deserialize, Serialize};

pub use goroutine_waits::{goroutine_waits, WaitGroups, WaitRow};
pub use profile_growth::{
    noise_floor, profile_growth, profile_growth_of, GrowthRow, GrowthRows, ProfileGrowth,
    NOISE_PERIODS, NOISE_SHARE,
};
pub use trend::{rank_order, slope, trend, GrowthTrend, TrendKind};

use super::aggregate::{AggregateBuilder, ReportOptions};
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
/// `noise_floor`, each list cut to `limit` rows (0: all), with the `rows` asked for.
pub fn series_growth(
    points: &[&Profile],
    options: &ReportOptions,
    limit: usize,
    rows: GrowthRows,
) -> Result<SeriesGrowth, MergeError> {
    let mut b = SeriesGrowthBuilder::new(points.len(), options);
    for p in points {
        b.add(p)?;
    }
    let order: Vec<usize> = (0..points.len()).collect();
    Ok(b.finish_rows(&order, limit, rows))
}

/// `series_growth` one profile at a time, in any order, so a long series of big files is read
/// file by file (each can be dropped once added) and put in time order at the end.
pub struct SeriesGrowthBuilder {
    options: ReportOptions,
    agg: AggregateBuilder,
    waits: WaitGroups,
    /// The first profile's sample and period types, for the compatibility check.
    first: Option<Profile>,
    period: i64,
    added: usize,
}

impl SeriesGrowthBuilder {
    /// A series of `points` profiles of `options`' sample type and granularity.
    pub fn new(points: usize, options: &ReportOptions) -> Self {
        SeriesGrowthBuilder {
            options: options.clone(),
            agg: AggregateBuilder::new(points, options),
            waits: WaitGroups::new(points),
            first: None,
            period: 0,
            added: 0,
        }
    }

    /// Adds the next profile; it must be mergeable with the first one and have the sample
    /// type.
    pub fn add(&mut self, p: &Profile) -> Result<(), MergeError> {
        match &self.first {
            Some(first) => compatible(first, p, self.added + 1)?,
            None => {
                has_sample_types(p, &[self.options.sample_index])?;
                self.first = Some(Profile {
                    meta: p.meta.clone(),
                    sample_types: p.sample_types.clone(),
                    ..Default::default()
                });
            }
        }
        self.period = self
            .period
            .max(heap_sampling_period(&[p], self.options.sample_index));
        self.agg.add(p, 1.0);
        self.waits.add(self.added, p);
        self.added += 1;
        Ok(())
    }

    /// The growth with the points in the order `order` lists them (`order[i]` is the profile
    /// added `order[i]`-th that becomes point `i`), each list cut to `limit` rows (0: all).
    pub fn finish(self, order: &[usize], limit: usize) -> SeriesGrowth {
        self.finish_rows(order, limit, GrowthRows::All)
    }

    /// `finish` with only the `rows` asked for.
    pub fn finish_rows(self, order: &[usize], limit: usize, rows: GrowthRows) -> SeriesGrowth {
        let mut agg = self.agg.finish();
        agg.reorder_columns(order);
        let totals: Vec<i64> = (0..agg.columns()).map(|c| agg.total(c)).collect();
        let noise = noise_floor(&totals, self.period);
        SeriesGrowth {
            growth: profile_growth_of(&agg, 0..agg.columns(), noise, limit, rows),
            waits: self.waits.finish(order),
        }
    }
}

/// `series_growth` (all rows, oldest first) of each of `sample_indexes` in `points`, from one
/// aggregation: each profile's rows are placed once, with a column per point and sample type,
/// and each type's growth reads its run of columns. What the leak checklist reads of a memory
/// series (in-use and allocated bytes); the same as one `series_growth` per sample type.
pub fn series_growth_types(
    points: &[&Profile],
    options: &ReportOptions,
    sample_indexes: &[usize],
    rows: GrowthRows,
) -> Result<Vec<ProfileGrowth>, MergeError> {
    let (n, k) = (points.len(), sample_indexes.len());
    let mut agg = AggregateBuilder::new(n * k, options);
    for (i, p) in points.iter().enumerate() {
        match i {
            // The others have the first one's sample types (`compatible`).
            0 => has_sample_types(p, sample_indexes)?,
            _ => compatible(points[0], p, i + 1)?,
        }
        agg.add_types(p, sample_indexes);
    }
    let mut agg = agg.finish();
    // Point i's types are columns i * k.. ; put each type's points together.
    let order: Vec<usize> = (0..k)
        .flat_map(|j| (0..n).map(move |i| i * k + j))
        .collect();
    agg.reorder_columns(&order);
    let growth = sample_indexes.iter().enumerate().map(|(j, &sample_index)| {
        let columns = j * n..(j + 1) * n;
        let totals: Vec<i64> = columns.clone().map(|c| agg.total(c)).collect();
        let noise = noise_floor(&totals, heap_sampling_period(points, sample_index));
        let mut growth = profile_growth_of(&agg, columns, noise, 0, rows);
        growth.sample_type = points[0].sample_types[sample_index].clone();
        growth
    });
    Ok(growth.collect())
}

/// Refuses a series whose first profile `p` lacks one of `sample_indexes`.
fn has_sample_types(p: &Profile, sample_indexes: &[usize]) -> Result<(), MergeError> {
    match sample_indexes.iter().find(|&&s| s >= p.sample_types.len()) {
        Some(missing) => Err(MergeError {
            message: format!("sample type {missing} does not exist in these profiles"),
        }),
        None => Ok(()),
    }
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
