//! `into_offsets` and `into_ends`: the step every reverse index of the heap graph shares
//! (retainers, dominator children, dominator predecessors), turning per-node counts into where
//! each node's run starts, or where it ends for an index filled from the ends backwards.

/// Replaces each count by the sum of the counts before it (where that node's run starts in a
/// flat array of all runs), and returns the sum of all of them.
pub(crate) fn into_offsets(counts: &mut [u32]) -> u32 {
    let mut sum = 0u32;
    for c in counts.iter_mut() {
        let count = *c;
        *c = sum;
        sum += count;
    }
    sum
}

/// Replaces each count by the sum of the counts up to and including it (where that node's run
/// ends in a flat array of all runs), and returns the sum of all of them. Filling each run
/// backwards from its end leaves the counts at the runs' starts.
pub(crate) fn into_ends(counts: &mut [u32]) -> u32 {
    let mut sum = 0u32;
    for c in counts.iter_mut() {
        sum += *c;
        *c = sum;
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_become_starts() {
        let mut counts = [2, 0, 3, 1];
        assert_eq!(into_offsets(&mut counts), 6);
        assert_eq!(counts, [0, 2, 2, 5]);
    }

    #[test]
    fn counts_become_ends() {
        let mut counts = [2, 0, 3, 1];
        assert_eq!(into_ends(&mut counts), 6);
        assert_eq!(counts, [2, 2, 5, 6]);
    }
}
