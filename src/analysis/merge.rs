//! `merge`: several profiles of the same kind summed into one, as `go tool pprof a.pb.gz
//! b.pb.gz` merges its sources (profile/merge.go `Merge`, `combineHeaders`). Frames are
//! deduplicated by content; `-diff_base` is `diff`'s job.

use std::collections::HashMap;
use std::fmt;

use crate::model::{Frame, FrameId, Label, LabelValue, Profile, StackId, StrId};

/// Why profiles could not be merged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeError {
    /// What differs, naming both sides.
    pub message: String,
}

impl fmt::Display for MergeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MergeError {}

fn type_list(p: &Profile) -> String {
    let list: Vec<String> = p
        .sample_types
        .iter()
        .map(|t| format!("{}/{}", t.name, t.unit))
        .collect();
    format!("[{}]", list.join(" "))
}

/// Checks that `p` can be merged with `first` as pprof's `compatible` does: the same sample
/// types (names and units, in order) and, where both have one, the same period type. `n` is
/// `p`'s 1-based position, for the message.
pub fn compatible(first: &Profile, p: &Profile, n: usize) -> Result<(), MergeError> {
    if p.sample_types != first.sample_types {
        return Err(MergeError {
            message: format!(
                "incompatible sample types: profile 1 has {}, profile {n} has {}",
                type_list(first),
                type_list(p)
            ),
        });
    }
    if p.meta.period_type.is_some()
        && first.meta.period_type.is_some()
        && p.meta.period_type != first.meta.period_type
    {
        let show = |p: &Profile| {
            p.meta
                .period_type
                .as_ref()
                .map(|t| format!("{}/{}", t.name, t.unit))
                .unwrap_or_default()
        };
        return Err(MergeError {
            message: format!(
                "incompatible period types: profile 1 has {}, profile {n} has {}",
                show(first),
                show(p)
            ),
        });
    }
    Ok(())
}

/// Sums `profiles` into one. They must be `compatible`; the result keeps the first profile's
/// kind and format, the earliest start time, the summed duration and the largest period.
/// Samples are not combined: the result holds every input sample, with frames and stacks
/// shared where equal.
pub fn merge(profiles: &[&Profile]) -> Result<Profile, MergeError> {
    let Some(first) = profiles.first() else {
        return Err(MergeError {
            message: "no profiles to merge".to_owned(),
        });
    };
    for (i, p) in profiles.iter().enumerate().skip(1) {
        compatible(first, p, i + 1)?;
    }
    let mut out = Profile::new(first.sample_types.clone());
    out.default_sample_type = first.default_sample_type;
    out.meta = first.meta.clone();
    out.meta.time_nanos = profiles
        .iter()
        .filter_map(|p| p.meta.time_nanos)
        .filter(|&t| t != 0)
        .min();
    out.meta.duration_nanos = profiles
        .iter()
        .filter_map(|p| p.meta.duration_nanos)
        .reduce(|a, b| a.saturating_add(b));
    out.meta.period = profiles.iter().map(|p| p.meta.period).max().unwrap_or(0);
    out.meta.period_type = profiles.iter().find_map(|p| p.meta.period_type.clone());
    let mut comments = Vec::new();
    for p in profiles {
        for c in &p.meta.comments {
            if !comments.contains(c) {
                comments.push(c.clone());
            }
        }
    }
    out.meta.comments = comments;

    let mut frame_ids: HashMap<Frame, FrameId> = HashMap::new();
    let mut label_sets: HashMap<Vec<Label>, u32> = HashMap::new();
    for p in profiles {
        let mut s = |id: StrId| out.strings.intern(p.strings.get(id));
        // Frames: same content (names re-interned) → one frame. The producer's location id
        // is per file, so it does not take part in the key.
        let mut frame_map = Vec::with_capacity(p.frames.len());
        for f in &p.frames {
            let key = Frame {
                function: s(f.function),
                system_name: s(f.system_name),
                file: s(f.file),
                mapping: s(f.mapping),
                location: 0,
                ..f.clone()
            };
            let next = FrameId::from_index(out.frames.len());
            let id = *frame_ids.entry(key.clone()).or_insert(next);
            if id == next {
                out.frames.push(Frame {
                    location: f.location,
                    ..key
                });
            }
            frame_map.push(id);
        }
        let mut label_map = Vec::with_capacity(p.samples.label_sets.len());
        for set in &p.samples.label_sets {
            let mapped: Vec<Label> = set
                .iter()
                .map(|l| Label {
                    key: s(l.key),
                    value: match &l.value {
                        LabelValue::Str(v) => LabelValue::Str(s(*v)),
                        LabelValue::Num { value, unit } => LabelValue::Num {
                            value: *value,
                            unit: s(*unit),
                        },
                    },
                })
                .collect();
            let id = if mapped.is_empty() {
                0
            } else {
                *label_sets
                    .entry(mapped.clone())
                    .or_insert_with(|| out.samples.add_label_set(mapped))
            };
            label_map.push(id);
        }
        // Stacks, parents first.
        let mut row_map: Vec<StackId> = Vec::with_capacity(p.stacks.len());
        for r in 0..p.stacks.len() {
            let id = StackId::from_index(r);
            let parent = p.stacks.parent(id).map(|q| row_map[q.index()]);
            row_map.push(
                out.stacks
                    .intern(parent, frame_map[p.stacks.frame(id).index()]),
            );
        }
        for i in 0..p.samples.len() {
            let stack = p.samples.stack[i].map(|st| row_map[st.index()]);
            let labels = label_map
                .get(p.samples.labels[i] as usize)
                .copied()
                .unwrap_or(0);
            out.samples.push(stack, p.samples.values_of(i), labels);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;
    use crate::analysis::{top, ReportOptions};
    use crate::model::SampleType;

    fn cpu(text: &str) -> Profile {
        Profile::from_folded(
            vec![
                SampleType::new("samples", "count"),
                SampleType::new("cpu", "nanoseconds"),
            ],
            text,
        )
    }

    #[test]
    fn sums_values_and_shares_frames() {
        let mut a = cpu("main;f 1 10\nmain;g 2 20\n");
        let mut b = cpu("main;g 3 30\nmain;h 4 40\n");
        a.meta.time_nanos = Some(200);
        a.meta.duration_nanos = Some(5);
        a.meta.period = 10;
        b.meta.time_nanos = Some(100);
        b.meta.duration_nanos = Some(7);
        b.meta.period = 20;
        let m = merge(&[&a, &b]).unwrap();
        assert_eq!(m.frames.len(), 4);
        assert_eq!(
            (m.meta.time_nanos, m.meta.duration_nanos, m.meta.period),
            (Some(100), Some(12), 20)
        );
        expect![[r#"
            # samples/count cpu/nanoseconds
            main;f 1 10
            main;g 2 20
            main;g 3 30
            main;h 4 40
        "#]]
        .assert_eq(&m.to_text());
        let t = top(
            &m,
            &ReportOptions {
                sample_index: 1,
                ..Default::default()
            },
        );
        assert_eq!((t.rows[0].name.as_str(), t.rows[0].flat), ("g", 50));
        assert_eq!(t.total, 100);
    }

    #[test]
    fn refuses_different_sample_types() {
        let a = cpu("main 1 1\n");
        let b = Profile::from_folded(vec![SampleType::new("inuse_space", "bytes")], "main 1\n");
        expect!["incompatible sample types: profile 1 has [samples/count cpu/nanoseconds], profile 2 has [inuse_space/bytes]"]
            .assert_eq(&merge(&[&a, &b]).unwrap_err().message);
        assert!(merge(&[]).is_err());
        assert_eq!(merge(&[&a]).unwrap().to_text(), a.to_text());
    }
}
