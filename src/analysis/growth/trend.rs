//! `GrowthTrend`: how one quantity moved across a series of profiles (t0, t1, …): its least
//! squares slope, its net growth, and whether it rose by more than the noise at every step.
//! It classifies and ranks a single sequence of numbers; what the numbers are (a function's
//! in-use bytes, a constructor's count) and what counts as noise is the caller's business.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

/// The shape of a sequence, judged step by step against a noise floor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrendKind {
    /// Rose by more than the noise at every step: the shape of a leak.
    Growing,
    /// Ended higher by more than the noise without falling at any step, but stood still at
    /// some step.
    Rising,
    /// No step and no net change beyond the noise.
    Flat,
    /// Ended lower, never rising beyond the noise.
    Falling,
    /// Rose at one step and fell at another: churn, not a leak.
    Churn,
}

impl TrendKind {
    /// A short word for tables (`grows`, `rises`, `flat`, `falls`, `churn`).
    pub fn label(self) -> &'static str {
        match self {
            TrendKind::Growing => "grows",
            TrendKind::Rising => "rises",
            TrendKind::Flat => "flat",
            TrendKind::Falling => "falls",
            TrendKind::Churn => "churn",
        }
    }
}

/// How one sequence moved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GrowthTrend {
    /// Least squares slope of the values against their index: units per step.
    pub slope: f64,
    /// Last value minus first.
    pub growth: i64,
    /// True when every step rose by more than the noise (and there is at least one step).
    pub monotonic: bool,
    /// Steps that rose by more than the noise.
    pub steps_up: u32,
    /// Steps that fell by more than the noise.
    pub steps_down: u32,
    /// The shape, from the steps.
    pub kind: TrendKind,
}

/// Judges `values` (one per point, oldest first) against `noise`: a step counts as a rise or
/// a fall only when it moves by strictly more than `noise` (0 = any change counts).
pub fn trend(values: &[i64], noise: i64) -> GrowthTrend {
    let noise = noise.max(0);
    let (mut up, mut down) = (0u32, 0u32);
    for w in values.windows(2) {
        let d = w[1].saturating_sub(w[0]);
        if d > noise {
            up += 1;
        } else if d < -noise {
            down += 1;
        }
    }
    let growth = match (values.first(), values.last()) {
        (Some(a), Some(b)) => b.saturating_sub(*a),
        _ => 0,
    };
    let steps = values.len().saturating_sub(1) as u32;
    let kind = if steps > 0 && up == steps {
        TrendKind::Growing
    } else if up > 0 && down > 0 {
        TrendKind::Churn
    } else if growth > noise && down == 0 {
        TrendKind::Rising
    } else if growth < -noise && up == 0 {
        TrendKind::Falling
    } else if up > 0 || down > 0 {
        // A rise and its undoing spread over flat steps (10, 20, 20, 10): churn.
        TrendKind::Churn
    } else {
        TrendKind::Flat
    };
    GrowthTrend {
        slope: slope(values),
        growth,
        monotonic: kind == TrendKind::Growing,
        steps_up: up,
        steps_down: down,
        kind,
    }
}

/// Least squares slope of `values` against 0, 1, 2, …; 0 for fewer than two values.
pub fn slope(values: &[i64]) -> f64 {
    let n = values.len();
    if n < 2 {
        return 0.0;
    }
    let mean_x = (n - 1) as f64 / 2.0;
    let mean_y = values.iter().map(|&v| v as f64).sum::<f64>() / n as f64;
    let (mut num, mut den) = (0.0, 0.0);
    for (i, &v) in values.iter().enumerate() {
        let dx = i as f64 - mean_x;
        num += dx * (v as f64 - mean_y);
        den += dx * dx;
    }
    num / den
}

/// The growth ranking's order: what grew at every step first, then what rose, then flat,
/// falling and churn last; within a kind, the largest net growth first (for falling and
/// churn, the largest absolute change first).
pub fn rank_order(a: &GrowthTrend, b: &GrowthTrend) -> Ordering {
    a.kind.cmp(&b.kind).then_with(|| match a.kind {
        TrendKind::Growing | TrendKind::Rising => b.growth.cmp(&a.growth),
        _ => b.growth.unsigned_abs().cmp(&a.growth.unsigned_abs()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(values: &[i64], noise: i64) -> TrendKind {
        trend(values, noise).kind
    }

    #[test]
    fn classifies_steps_against_the_noise() {
        assert_eq!(kind(&[10, 20, 30, 40], 5), TrendKind::Growing);
        assert!(trend(&[10, 20, 30, 40], 5).monotonic);
        // A step of exactly the noise does not count.
        assert_eq!(kind(&[10, 20, 25, 40], 5), TrendKind::Rising);
        assert_eq!(kind(&[10, 12, 9, 11], 5), TrendKind::Flat);
        assert_eq!(kind(&[40, 30, 30, 10], 5), TrendKind::Falling);
        assert_eq!(kind(&[10, 50, 12, 60], 5), TrendKind::Churn);
        assert_eq!(kind(&[10, 20, 20, 10], 5), TrendKind::Churn);
        // One point has no steps; two points are one step.
        assert_eq!(kind(&[7], 0), TrendKind::Flat);
        assert_eq!(kind(&[], 0), TrendKind::Flat);
        assert_eq!(kind(&[1, 2], 0), TrendKind::Growing);
    }

    #[test]
    fn slope_is_least_squares_per_step() {
        assert_eq!(slope(&[0, 10, 20, 30]), 10.0);
        assert_eq!(slope(&[5, 5, 5]), 0.0);
        assert!((slope(&[0, 10, 0, 10]) - 2.0).abs() < 1e-9);
        assert_eq!(slope(&[3]), 0.0);
        let t = trend(&[100, 150, 210], 0);
        assert_eq!((t.growth, t.steps_up, t.steps_down), (110, 2, 0));
    }

    #[test]
    fn ranks_growth_first_and_churn_last() {
        let mut rows = [
            trend(&[0, 50, 0, 50], 1),
            trend(&[0, 10, 20, 30], 1),
            trend(&[0, 0, 0, 0], 1),
            trend(&[0, 100, 200, 300], 1),
            trend(&[0, 0, 100, 100], 1),
        ];
        rows.sort_by(rank_order);
        let order: Vec<(TrendKind, i64)> = rows.iter().map(|t| (t.kind, t.growth)).collect();
        assert_eq!(
            order,
            [
                (TrendKind::Growing, 300),
                (TrendKind::Growing, 30),
                (TrendKind::Rising, 100),
                (TrendKind::Flat, 0),
                (TrendKind::Churn, 50),
            ]
        );
    }
}
