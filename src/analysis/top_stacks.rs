//! `top_stacks`: the heaviest complete call paths, with frames named at a granularity and
//! identical named paths merged. It ranks whole stacks; per-frame totals are `top`'s job.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{FrameKeys, StackValues, TopOptions};
use crate::model::{Profile, StackId};

/// One call path and the value of the samples that end there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackRow {
    /// Granularity keys, root first.
    pub frames: Vec<String>,
    /// Summed value of the samples with exactly this path.
    pub value: i64,
}

/// The `limit` heaviest paths of `profile` for `options`: |value| descending, then path
/// (root first, by name) ascending. Paths whose value sums to 0 are left out.
pub fn top_stacks(profile: &Profile, options: &TopOptions, limit: usize) -> Vec<StackRow> {
    let values = StackValues::new(profile, options.sample_index);
    let keys = FrameKeys::new(profile, options.granularity);
    let mut by_path: HashMap<Vec<u32>, i64> = HashMap::new();
    for (r, &v) in values.self_value.iter().enumerate() {
        if v == 0 {
            continue;
        }
        let mut path: Vec<u32> = profile
            .stacks
            .frames_leaf_first(Some(StackId::from_index(r)))
            .map(|f| keys.name_id(f))
            .collect();
        path.reverse();
        let slot = by_path.entry(path).or_insert(0);
        *slot = slot.wrapping_add(v);
    }
    let mut rows: Vec<(Vec<u32>, i64)> = by_path.into_iter().filter(|(_, v)| *v != 0).collect();
    let name = |id: &u32| keys.names[*id as usize].as_str();
    rows.sort_by(|(pa, va), (pb, vb)| {
        vb.unsigned_abs()
            .cmp(&va.unsigned_abs())
            .then_with(|| pa.iter().map(name).cmp(pb.iter().map(name)))
    });
    rows.truncate(limit);
    rows.into_iter()
        .map(|(path, value)| StackRow {
            frames: path.iter().map(|id| name(id).to_owned()).collect(),
            value,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;
    use crate::analysis::Granularity;
    use crate::model::SampleType;

    fn render(rows: &[StackRow]) -> String {
        rows.iter()
            .map(|r| format!("{} {}\n", r.frames.join(";"), r.value))
            .collect()
    }

    #[test]
    fn merges_same_named_paths_and_ranks() {
        let mut p = Profile::from_folded(
            vec![SampleType::new("samples", "count")],
            "main;a 5\nmain;b 5\nmain;c;d 9\nmain;e 0\nmain 1\nmain;a2 4\n",
        );
        assert_eq!(
            render(&top_stacks(&p, &TopOptions::default(), 10)),
            "main;c;d 9\nmain;a 5\nmain;b 5\nmain;a2 4\nmain 1\n"
        );
        // Give a2 the same file as a: at files granularity both paths read "?;x.go".
        let file = p.strings.intern("x.go");
        for f in [1, 6] {
            p.frames[f].file = file;
        }
        let files = TopOptions {
            sample_index: 0,
            granularity: Granularity::Files,
        };
        expect![[r#"
            <unknown>;<unknown>;<unknown> 9
            <unknown>;x.go 9
        "#]]
        .assert_eq(&render(&top_stacks(&p, &files, 2)));
        assert!(top_stacks(&p, &TopOptions::default(), 0).is_empty());
        assert!(top_stacks(&Profile::new(vec![]), &TopOptions::default(), 5).is_empty());
    }
}
