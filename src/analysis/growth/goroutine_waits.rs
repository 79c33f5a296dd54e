//! `goroutine_waits`: goroutines grouped by wait state and by the user frame they wait at,
//! counted at each point of a series, with the longest wait in minutes where the dumps give
//! it (`debug=2` text and crash dumps label each goroutine with `state` and `minutes`). Like
//! pprof's tag reports it reads the samples' labels, which the stack aggregation does not
//! carry; stacks themselves are `profile_growth`'s.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::trend::{rank_order, trend, GrowthTrend};
use crate::analysis::frames::user_frame;
use crate::model::{LabelValue, Profile};

/// Goroutines in one wait state at one user frame, across the series.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WaitRow {
    /// The wait reason or status (`chan receive`, `select`, `IO wait`, `running`).
    pub state: String,
    /// The first frame from the leaf that is the user's code (`main.waitForReply`), or the
    /// leaf when every frame is the runtime's, the standard library's or a framework's.
    pub frame: String,
    /// How many goroutines, at each point.
    pub counts: Vec<i64>,
    /// The longest wait at each point in minutes (Go prints it from one minute on), if any
    /// goroutine of the group had one.
    pub longest_minutes: Vec<Option<i64>>,
    /// How `counts` moved.
    #[serde(flatten)]
    pub trend: GrowthTrend,
}

/// The wait groups of `points` (oldest first), growing groups first; empty when no point
/// carries wait states (pprof goroutine profiles do not).
pub fn goroutine_waits(points: &[&Profile]) -> Vec<WaitRow> {
    let n = points.len();
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    let mut rows: Vec<WaitRow> = Vec::new();
    for (at, p) in points.iter().enumerate() {
        let (Some(state_key), minutes_key) = (p.strings.find("state"), p.strings.find("minutes"))
        else {
            continue;
        };
        let value_index = p.default_sample_type;
        for i in 0..p.samples.len() {
            let labels = p.samples.labels_of(i);
            let state = labels.iter().find_map(|l| match &l.value {
                LabelValue::Str(s) if l.key == state_key => Some(p.strings.get(*s)),
                _ => None,
            });
            let Some(state) = state else { continue };
            let minutes = labels.iter().find_map(|l| match &l.value {
                LabelValue::Num { value, .. } if Some(l.key) == minutes_key => Some(*value),
                _ => None,
            });
            let names: Vec<String> = p
                .stacks
                .frames_leaf_first(p.samples.stack[i])
                .map(|f| p.frame_name(f))
                .collect();
            let frame = user_frame(names.iter().map(String::as_str))
                .or(names.first().map(String::as_str))
                .unwrap_or("<no frames>")
                .to_owned();
            let key = (state.to_owned(), frame);
            let r = *index.entry(key.clone()).or_insert_with(|| {
                rows.push(WaitRow {
                    state: key.0,
                    frame: key.1,
                    counts: vec![0; n],
                    longest_minutes: vec![None; n],
                    trend: trend(&[], 0),
                });
                rows.len() - 1
            });
            let row = &mut rows[r];
            row.counts[at] += p.samples.value(i, value_index);
            if let Some(m) = minutes {
                row.longest_minutes[at] = Some(row.longest_minutes[at].map_or(m, |x| x.max(m)));
            }
        }
    }
    for row in &mut rows {
        row.trend = trend(&row.counts, 0);
    }
    rows.sort_by(|a, b| {
        rank_order(&a.trend, &b.trend)
            .then_with(|| b.counts.last().cmp(&a.counts.last()))
            .then_with(|| (&a.state, &a.frame).cmp(&(&b.state, &b.frame)))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::decode;

    fn dump(goroutines: &[(&str, &[&str])]) -> Profile {
        let mut text = String::new();
        for (i, (header, frames)) in goroutines.iter().enumerate() {
            text.push_str(&format!("goroutine {} [{header}]:\n", i + 1));
            for f in *frames {
                text.push_str(&format!("{f}(...)\n\t/src/app.go:1 +0x1\n"));
            }
            text.push('\n');
        }
        decode(text.as_bytes()).expect("a goroutine dump").profile
    }

    #[test]
    fn groups_by_state_and_user_frame_with_the_longest_wait() {
        let stuck: &[&str] = &["main.waitForReply", "main.placeOrder"];
        let serve: &[&str] = &["internal/poll.runtime_pollWait", "net/http.(*conn).serve"];
        let t0 = dump(&[("chan receive", stuck), ("IO wait", serve)]);
        let t1 = dump(&[
            ("chan receive, 3 minutes", stuck),
            ("chan receive", stuck),
            ("IO wait", serve),
        ]);
        let rows = goroutine_waits(&[&t0, &t1]);
        let shown: Vec<String> = rows
            .iter()
            .map(|r| {
                format!(
                    "{} @ {} {:?} {:?}",
                    r.state, r.frame, r.counts, r.longest_minutes
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                "chan receive @ main.waitForReply [1, 2] [None, Some(3)]",
                // No user frame: the leaf stands for the group.
                "IO wait @ internal/poll.runtime_pollWait [1, 1] [None, None]",
            ]
        );
        assert!(rows[0].trend.monotonic);
    }
}
