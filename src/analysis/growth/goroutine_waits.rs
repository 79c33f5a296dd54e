//! `goroutine_waits`: goroutines grouped by wait state and by the user frame they wait at,
//! counted at each point of a series, with the longest wait in minutes where the dumps give
//! it (`debug=2` text and crash dumps label each goroutine with `state` and `minutes`). Like
//! pprof's tag reports it reads the samples' labels, which the stack aggregation does not
//! carry; stacks themselves are `profile_growth`'s.

use crate::analysis::sort;
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
    /// The shortest wait at each point in minutes when every goroutine of the group had
    /// waited a minute or more (all blocked for minutes: the strongest sign of a leak one
    /// dump gives), else `None`.
    #[serde(default)]
    pub shortest_minutes: Vec<Option<i64>>,
    /// How `counts` moved.
    #[serde(flatten)]
    pub trend: GrowthTrend,
}

/// The wait groups of `points` (oldest first), growing groups first; empty when no point
/// carries wait states (pprof goroutine profiles do not).
pub fn goroutine_waits(points: &[&Profile]) -> Vec<WaitRow> {
    let mut groups = WaitGroups::new(points.len());
    for (at, p) in points.iter().enumerate() {
        groups.add(at, p);
    }
    groups.finish(&(0..points.len()).collect::<Vec<_>>())
}

/// Wait groups counted point by point, so a series can be read one file at a time.
pub struct WaitGroups {
    points: usize,
    index: HashMap<(String, String), usize>,
    rows: Vec<WaitRow>,
    /// Per row and point, the goroutines that printed a wait in minutes.
    timed: Vec<Vec<i64>>,
}

impl WaitGroups {
    /// No groups yet, for a series of `points` points.
    pub fn new(points: usize) -> Self {
        WaitGroups {
            points,
            index: HashMap::new(),
            rows: Vec::new(),
            timed: Vec::new(),
        }
    }

    /// Counts the goroutines of point `at` (a dump with `state` labels; others add nothing).
    pub fn add(&mut self, at: usize, p: &Profile) {
        let (Some(state_key), minutes_key) = (p.strings.find("state"), p.strings.find("minutes"))
        else {
            return;
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
            let n = self.points;
            let (rows, timed) = (&mut self.rows, &mut self.timed);
            let r = *self.index.entry(key.clone()).or_insert_with(|| {
                rows.push(WaitRow {
                    state: key.0,
                    frame: key.1,
                    counts: vec![0; n],
                    longest_minutes: vec![None; n],
                    shortest_minutes: vec![None; n],
                    trend: trend(&[], 0),
                });
                timed.push(vec![0; n]);
                rows.len() - 1
            });
            let row = &mut rows[r];
            let goroutines = p.samples.value(i, value_index);
            row.counts[at] += goroutines;
            if let Some(m) = minutes {
                timed[r][at] += goroutines;
                row.longest_minutes[at] = Some(row.longest_minutes[at].map_or(m, |x| x.max(m)));
                row.shortest_minutes[at] = Some(row.shortest_minutes[at].map_or(m, |x| x.min(m)));
            }
        }
    }

    /// The groups with their points in the order `order` lists them (`order[i]` is the point
    /// added as `at` that becomes point `i`), ranked.
    pub fn finish(self, order: &[usize]) -> Vec<WaitRow> {
        let mut rows = self.rows;
        for (row, timed) in rows.iter_mut().zip(&self.timed) {
            // The shortest wait counts only when every goroutine printed one.
            for (at, shortest) in row.shortest_minutes.iter_mut().enumerate() {
                if timed[at] < row.counts[at] {
                    *shortest = None;
                }
            }
            row.counts = order.iter().map(|&at| row.counts[at]).collect();
            row.longest_minutes = order.iter().map(|&at| row.longest_minutes[at]).collect();
            row.shortest_minutes = order.iter().map(|&at| row.shortest_minutes[at]).collect();
            row.trend = trend(&row.counts, 0);
        }
        sort::sort_by(&mut rows, |a, b| {
            rank_order(&a.trend, &b.trend)
                .then_with(|| b.counts.last().cmp(&a.counts.last()))
                .then_with(|| (&a.state, &a.frame).cmp(&(&b.state, &b.frame)))
        });
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Label, SampleType};

    /// A dump as the debug=2 decoder makes it: one sample of 1 per goroutine, its wait state
    /// and minutes as labels.
    fn dump(goroutines: &[(&str, Option<i64>, &str)]) -> Profile {
        let text: String = goroutines
            .iter()
            .map(|(_, _, stack)| format!("{stack} 1\n"))
            .collect();
        let mut p = Profile::from_folded(vec![SampleType::new("goroutine", "count")], &text);
        let (state, minutes) = (p.strings.intern("state"), p.strings.intern("minutes"));
        let unit = p.strings.intern("minutes");
        for (i, (s, m, _)) in goroutines.iter().enumerate() {
            let mut set = vec![Label {
                key: state,
                value: LabelValue::Str(p.strings.intern(s)),
            }];
            if let Some(m) = m {
                set.push(Label {
                    key: minutes,
                    value: LabelValue::Num { value: *m, unit },
                });
            }
            p.samples.labels[i] = p.samples.add_label_set(set);
        }
        p
    }

    #[test]
    fn groups_by_state_and_user_frame_with_the_longest_wait() {
        let stuck = "main.placeOrder;main.waitForReply";
        let serve = "net/http.(*conn).serve;internal/poll.runtime_pollWait";
        let t0 = dump(&[("chan receive", None, stuck), ("IO wait", None, serve)]);
        let t1 = dump(&[
            ("chan receive", Some(3), stuck),
            ("chan receive", None, stuck),
            ("IO wait", None, serve),
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
        // Profiles without wait states (pprof goroutine profiles) give no groups.
        let plain = Profile::from_folded(vec![SampleType::new("goroutine", "count")], "a;b 3\n");
        assert!(goroutine_waits(&[&plain]).is_empty());
    }

    #[test]
    fn the_shortest_wait_only_when_every_goroutine_printed_one() {
        let stuck = "main.placeOrder;main.waitForReply";
        let t0 = dump(&[
            ("chan receive", Some(12), stuck),
            ("chan receive", None, stuck),
        ]);
        let t1 = dump(&[
            ("chan receive", Some(14), stuck),
            ("chan receive", Some(2), stuck),
        ]);
        let rows = goroutine_waits(&[&t0, &t1]);
        assert_eq!(rows[0].shortest_minutes, [None, Some(2)]);
        assert_eq!(rows[0].longest_minutes, [Some(12), Some(14)]);
    }
}
