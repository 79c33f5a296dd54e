//! `diff`: pprof's `-diff_base` between two profiles (internal/driver/fetch.go: the base is
//! negated and kept apart from the newer profile's samples, `-normalize` first scales the
//! newer profile to the base's total). The two profiles are the two columns of one
//! `Aggregate`, so the table, the stacks and the flame graph of a diff read the same
//! aggregation as every other report. It computes numbers; `top_text` prints them as pprof.

use serde::{Deserialize, Serialize};

use super::aggregate::{aggregate_scaled, Aggregate, Measure, ReportOptions};
use super::merge::{compatible, MergeError};
use super::top::{ranked_nodes, top_table, TopTable};
use super::top_stacks::{rank_paths, stack_paths};
use crate::model::{Profile, SampleType};

/// The diff's measure: the newer profile (column 1) minus the base (column 0).
pub const DIFF: Measure = Measure::Delta { base: 0, new: 1 };

/// How a row changed between the base and the newer profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Only in the newer profile.
    New,
    /// Only in the base.
    Removed,
    /// In both, with a different value.
    Changed,
    /// In both, with the same value.
    Same,
}

impl Change {
    /// The change from a base value to a newer one (0 meaning absent).
    pub fn of(base: i64, new: i64) -> Change {
        match (base, new) {
            (0, 0) => Change::Same,
            (0, _) => Change::New,
            (_, 0) => Change::Removed,
            (b, n) if b == n => Change::Same,
            _ => Change::Changed,
        }
    }
}

/// One report node of a diff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffRow {
    /// The node's printed name.
    pub name: String,
    /// Flat value in the base.
    pub base_flat: i64,
    /// Flat value in the newer profile (normalized when the diff is).
    pub new_flat: i64,
    /// `new_flat - base_flat`.
    pub delta_flat: i64,
    /// Cumulative value in the base.
    pub base_cum: i64,
    /// Cumulative value in the newer profile.
    pub new_cum: i64,
    /// `new_cum - base_cum`.
    pub delta_cum: i64,
    /// New, removed or changed, judged on cum (a node's presence on any stack).
    pub change: Change,
}

/// A diff by report node, rows in `go tool pprof -top -diff_base` order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiffTable {
    /// What the values measure.
    pub sample_type: SampleType,
    /// The base profile's total (sum of |value|).
    pub base_total: i64,
    /// The newer profile's total (after normalizing, when normalized).
    pub new_total: i64,
    /// True when the newer profile was scaled to the base's total first (`-normalize`).
    pub normalized: bool,
    /// The rows.
    pub rows: Vec<DiffRow>,
}

/// One call path of a diff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffStackRow {
    /// Printed node names, root first.
    pub frames: Vec<String>,
    /// Value of the base's samples with exactly this path.
    pub base: i64,
    /// Value of the newer profile's samples with exactly this path.
    pub new: i64,
    /// `new - base`.
    pub delta: i64,
    /// New, removed or changed.
    pub change: Change,
}

/// `base` and `new` as the two columns of one aggregation (base first). With `normalize`, each
/// of `new`'s sample values is first scaled by the ratio of the two profiles' summed values
/// of the sample type and rounded, as pprof's `Profile.Normalize` does. The profiles must be
/// mergeable (pprof's `compatible`).
pub fn diff_aggregate(
    base: &Profile,
    new: &Profile,
    options: &ReportOptions,
    normalize: bool,
) -> Result<Aggregate, MergeError> {
    compatible(base, new, 2)?;
    let scale = if normalize {
        let sum = |p: &Profile| -> i64 {
            if options.sample_index >= p.samples.n_types {
                return 0;
            }
            (0..p.samples.len()).fold(0i64, |s, i| {
                s.wrapping_add(p.samples.value(i, options.sample_index))
            })
        };
        match sum(new) {
            0 => 0.0,
            n => sum(base) as f64 / n as f64,
        }
    } else {
        1.0
    };
    Ok(aggregate_scaled(&[base, new], options, &[1.0, scale]))
}

/// The diff's `go tool pprof -top` table: flat and cum of `new - base` per node, the base's
/// total as the 100% (pprof's percentages are of the base).
pub fn diff_top(agg: &Aggregate) -> TopTable {
    top_table(agg, DIFF)
}

/// Every report node of the diff with both sides and the change, in pprof's order.
pub fn diff_table(agg: &Aggregate, normalized: bool) -> DiffTable {
    let values = agg.node_values();
    let rows = ranked_nodes(agg, &values, DIFF)
        .into_iter()
        .map(|k| {
            let (flat, cum) = (values.flat(k), values.cum(k));
            DiffRow {
                name: agg.nodes.printable(k).to_owned(),
                base_flat: flat[0],
                new_flat: flat[1],
                delta_flat: DIFF.of(flat),
                base_cum: cum[0],
                new_cum: cum[1],
                delta_cum: DIFF.of(cum),
                change: Change::of(cum[0], cum[1]),
            }
        })
        .collect();
    DiffTable {
        sample_type: agg.sample_type.clone(),
        base_total: agg.total(0),
        new_total: agg.total(1),
        normalized,
        rows,
    }
}

/// The `limit` paths that changed the most, by |new - base|; unchanged paths are left out.
pub fn diff_stacks(agg: &Aggregate, limit: usize) -> Vec<DiffStackRow> {
    let mut paths = stack_paths(agg);
    rank_paths(agg, &mut paths, DIFF);
    paths.truncate(limit);
    paths
        .iter()
        .map(|p| DiffStackRow {
            frames: p.frames(agg),
            base: p.values[0],
            new: p.values[1],
            delta: DIFF.of(&p.values),
            change: Change::of(p.values[0], p.values[1]),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;
    use crate::analysis::{top_text, TopTextOptions};

    fn heap(text: &str) -> Profile {
        Profile::from_folded(vec![SampleType::new("inuse_space", "bytes")], text)
    }

    fn render(t: &DiffTable) -> String {
        let mut out = format!("base {} new {}\n", t.base_total, t.new_total);
        for r in &t.rows {
            out.push_str(&format!(
                "{} flat {}->{} ({}) cum {}->{} ({}) {:?}\n",
                r.name,
                r.base_flat,
                r.new_flat,
                r.delta_flat,
                r.base_cum,
                r.new_cum,
                r.delta_cum,
                r.change
            ));
        }
        out
    }

    const BASE: &str = "main;cache.Put 100\nmain;handler;json 50\nmain;old 30\n";
    const NEW: &str = "main;cache.Put 300\nmain;handler;json 50\nmain;handler;fresh 20\n";

    #[test]
    fn nets_base_against_new_by_node() {
        let agg =
            diff_aggregate(&heap(BASE), &heap(NEW), &ReportOptions::default(), false).unwrap();
        expect![[r#"
            base 180 new 370
            cache.Put flat 100->300 (200) cum 100->300 (200) Changed
            old flat 30->0 (-30) cum 30->0 (-30) Removed
            fresh flat 0->20 (20) cum 0->20 (20) New
            handler flat 0->0 (0) cum 50->70 (20) Changed
            main flat 0->0 (0) cum 180->370 (190) Changed
        "#]]
        .assert_eq(&render(&diff_table(&agg, false)));
        let stacks = diff_stacks(&agg, 10);
        let shown: Vec<String> = stacks
            .iter()
            .map(|s| format!("{} {}", s.frames.join(";"), s.delta))
            .collect();
        assert_eq!(
            shown,
            [
                "main;cache.Put 200",
                "main;old -30",
                "main;handler;fresh 20"
            ]
        );
        // pprof's percentages are of the base's total.
        let text = top_text(&diff_top(&agg), &TopTextOptions::default());
        assert!(
            text.contains("Showing nodes accounting for 190B, 105.56% of 180B total"),
            "{text}"
        );
    }

    #[test]
    fn normalizes_the_newer_profile_to_the_base_total() {
        let agg = diff_aggregate(&heap(BASE), &heap(NEW), &ReportOptions::default(), true).unwrap();
        let t = diff_table(&agg, true);
        // 370 scaled by 180/370: 300 -> 145.9 -> 146, 50 -> 24.3 -> 24, 20 -> 9.7 -> 10.
        assert_eq!(t.new_total, 180);
        let put = t.rows.iter().find(|r| r.name == "cache.Put").unwrap();
        assert_eq!((put.new_flat, put.delta_flat), (146, 46));
    }

    #[test]
    fn refuses_profiles_of_different_types() {
        let cpu = Profile::from_folded(vec![SampleType::new("cpu", "nanoseconds")], "main 1\n");
        let err = diff_aggregate(&heap(BASE), &cpu, &ReportOptions::default(), false).unwrap_err();
        assert!(
            err.message.starts_with("incompatible sample types"),
            "{err}"
        );
    }
}
