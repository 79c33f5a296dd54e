//! `StackValues`: one sample type's values summed per `StackTree` row, so that reports walk
//! each distinct call path once instead of once per sample (a profile may hold millions of
//! samples over far fewer paths). It sums; naming frames and ranking them is elsewhere.

use crate::model::{Profile, StackId};

/// Values of one sample type per stack row.
///
/// Invariant: `subtree[r]` is `self_value[r]` plus the `subtree` of r's children, and
/// `active[r]` is true when some sample with a nonzero value ends in r's subtree (pprof skips
/// zero-valued samples entirely, graph.go `newGraph`).
#[derive(Clone, Debug, Default)]
pub struct StackValues {
    /// Per row: the sum of the values of samples whose leaf is this row.
    pub self_value: Vec<i64>,
    /// Per row: the sum over the row's subtree.
    pub subtree: Vec<i64>,
    /// Per row: a nonzero sample ends at or below it.
    pub active: Vec<bool>,
    /// pprof's report total (report.go `computeTotal`): the sum of absolute sample values,
    /// samples with empty stacks included.
    pub total: i64,
    /// The signed sum of the values of samples with a non-empty stack (pprof's graph total).
    pub stacked_sum: i64,
}

impl StackValues {
    /// Sums column `sample_index` of `profile` per stack row. An out-of-range index reads as an
    /// all-zero column.
    pub fn new(profile: &Profile, sample_index: usize) -> StackValues {
        let rows = profile.stacks.len();
        let mut v = StackValues {
            self_value: vec![0; rows],
            subtree: vec![0; rows],
            active: vec![false; rows],
            total: 0,
            stacked_sum: 0,
        };
        if sample_index >= profile.samples.n_types {
            return v;
        }
        v.total = report_total(profile, sample_index);
        for i in 0..profile.samples.len() {
            let value = profile.samples.value(i, sample_index);
            let Some(stack) = profile.samples.stack[i] else {
                continue;
            };
            let Some(slot) = v.self_value.get_mut(stack.index()) else {
                continue;
            };
            *slot = slot.wrapping_add(value);
            v.stacked_sum = v.stacked_sum.wrapping_add(value);
            if value != 0 {
                v.active[stack.index()] = true;
            }
        }
        // Children come after parents, so one backward pass completes every subtree.
        v.subtree.clone_from(&v.self_value);
        for r in (0..rows).rev() {
            if let Some(parent) = profile.stacks.parent(StackId::from_index(r)) {
                let (sub, act) = (v.subtree[r], v.active[r]);
                v.subtree[parent.index()] = v.subtree[parent.index()].wrapping_add(sub);
                v.active[parent.index()] |= act;
            }
        }
        v
    }
}

/// pprof's report total (report.go `computeTotal`) of column `sample_index`: the sum of the
/// absolute sample values, samples with empty stacks included; 0 for an out-of-range column.
/// Reports keep the total of the unrefined profile as their 100%, so this is cheap on purpose.
pub fn report_total(profile: &Profile, sample_index: usize) -> i64 {
    if sample_index >= profile.samples.n_types {
        return 0;
    }
    (0..profile.samples.len()).fold(0i64, |sum, i| {
        sum.wrapping_add(profile.samples.value(i, sample_index).wrapping_abs())
    })
}

/// The children of every stack row, as compressed rows: the children of `r` are
/// `child[start[r]..start[r + 1]]`, in row order. Roots are `roots`.
#[derive(Clone, Debug, Default)]
pub struct StackChildren {
    /// Offsets into `child`, one more than there are rows.
    pub start: Vec<usize>,
    /// Child rows grouped by parent.
    pub child: Vec<u32>,
    /// Rows without a parent.
    pub roots: Vec<u32>,
}

impl StackChildren {
    /// The children lists of `profile.stacks`.
    pub fn new(profile: &Profile) -> StackChildren {
        let rows = profile.stacks.len();
        let mut count = vec![0usize; rows + 1];
        let mut roots = Vec::new();
        for r in 0..rows {
            match profile.stacks.parent(StackId::from_index(r)) {
                Some(p) => count[p.index() + 1] += 1,
                None => roots.push(r as u32),
            }
        }
        for r in 0..rows {
            count[r + 1] += count[r];
        }
        let mut fill = count.clone();
        let mut child = vec![0u32; count[rows]];
        for r in 0..rows {
            if let Some(p) = profile.stacks.parent(StackId::from_index(r)) {
                child[fill[p.index()]] = r as u32;
                fill[p.index()] += 1;
            }
        }
        StackChildren {
            start: count,
            child,
            roots,
        }
    }

    /// The children of row `r`.
    pub fn of(&self, r: usize) -> &[u32] {
        &self.child[self.start[r]..self.start[r + 1]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SampleType;

    #[test]
    fn sums_per_row_and_subtree() {
        let p = Profile::from_folded(
            vec![SampleType::new("samples", "count")],
            "main;a 5\nmain;a 5\nmain;b -3\nmain 0\nmain;c 0\n",
        );
        let v = StackValues::new(&p, 0);
        // Rows: main=0, a=1, b=2, c=3.
        assert_eq!(v.self_value, [0, 10, -3, 0]);
        assert_eq!(v.subtree, [7, 10, -3, 0]);
        assert_eq!(v.active, [true, true, true, false]);
        assert_eq!(v.total, 13);
        assert_eq!(v.stacked_sum, 7);
        let c = StackChildren::new(&p);
        assert_eq!(c.roots, [0]);
        assert_eq!(c.of(0), [1, 2, 3]);
        assert!(c.of(1).is_empty());
        assert_eq!(StackValues::new(&p, 9).total, 0);
    }
}
