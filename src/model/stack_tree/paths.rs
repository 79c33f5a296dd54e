//! `StackTree::intern_paths`: interns many whole paths at once without a hash lookup per
//! frame. The paths are split top-down into groups that share a prefix; within a group a
//! child is found by its frame in a stamped table, as `AggregateBuilder` places rows. Rows get
//! the numbers `intern` would have given them path by path, so the result is the same trie.

use super::{StackTree, ROOT};
use crate::model::{FrameId, StackId};

/// End of a linked list of paths.
const NONE: u32 = u32::MAX;

/// One group of paths: those that share the prefix ending at row `parent` (`ROOT`: all paths),
/// linked from `head` through `next`, to be split at `depth`.
struct Group {
    parent: u32,
    depth: u32,
    head: u32,
}

/// A child being formed in a group: its row (in creation order) and its paths so far.
struct Kid {
    row: u32,
    head: u32,
    tail: u32,
}

impl StackTree {
    /// Interns every path (root first; path `i` is `frames[start[i]..start[i + 1]]`) and
    /// returns each one's leaf row, `None` for an empty path. The trie ends up exactly as
    /// if each path had been interned with `intern_path` in order.
    pub fn intern_paths(&mut self, frames: &[FrameId], start: &[u32]) -> Vec<Option<StackId>> {
        let n = start.len().saturating_sub(1);
        let path = |i: usize| &frames[start[i] as usize..start[i + 1] as usize];
        if !self.is_empty() || u32::try_from(n).is_err() {
            return (0..n)
                .map(|i| self.intern_path(path(i).iter().copied()))
                .collect();
        }
        let n_frames = frames.iter().map(|f| f.index() + 1).max().unwrap_or(0);
        // Built in creation order first (parent and frame per row), then renumbered. A row
        // per frame at most: with that room the columns never grow by doubling, which left
        // the page's worker with freed copies it could not reuse.
        let mut parent: Vec<u32> = Vec::with_capacity(frames.len());
        let mut frame: Vec<FrameId> = Vec::with_capacity(frames.len());
        let mut leaf = vec![NONE; n];
        // Per row the path that created it, and per path how many rows it created (the rows
        // of its suffix below the longest prefix an earlier path shares, in depth order).
        let mut creator: Vec<u32> = Vec::with_capacity(frames.len());
        let mut created = vec![0u32; n];
        let mut next = vec![NONE; n];
        let mut head = NONE;
        let mut tail = NONE;
        for i in (0..n).filter(|&i| start[i + 1] > start[i]) {
            if tail == NONE {
                head = i as u32;
            } else {
                next[tail as usize] = i as u32;
            }
            tail = i as u32;
        }
        let mut stamp = vec![0u32; n_frames];
        let mut slot = vec![0u32; n_frames];
        let mut epoch = 0u32;
        let mut kids: Vec<Kid> = Vec::new();
        let mut work = Vec::new();
        if head != NONE {
            work.push(Group {
                parent: ROOT,
                depth: 0,
                head,
            });
        }
        while let Some(g) = work.pop() {
            if next[g.head as usize] == NONE {
                // One path left in the group: the rest of it is a chain of new rows, read
                // in order instead of one group per depth.
                let si = g.head as usize;
                let rest = &frames[(start[si] + g.depth) as usize..start[si + 1] as usize];
                let mut up = g.parent;
                for &f in rest {
                    up = push_row(&mut parent, &mut frame, up, f);
                }
                creator.resize(parent.len(), g.head);
                created[si] += rest.len() as u32;
                leaf[si] = up;
                continue;
            }
            epoch += 1;
            kids.clear();
            let mut s = g.head;
            while s != NONE {
                let si = s as usize;
                let after = next[si];
                let f = frames[start[si] as usize + g.depth as usize];
                let k = if stamp[f.index()] == epoch {
                    slot[f.index()] as usize
                } else {
                    let row = push_row(&mut parent, &mut frame, g.parent, f);
                    // The group's paths are in order, so the first to reach a new row is
                    // the earliest path through it: the one `intern` would have created it for.
                    creator.push(s);
                    created[si] += 1;
                    stamp[f.index()] = epoch;
                    slot[f.index()] = kids.len() as u32;
                    kids.push(Kid {
                        row,
                        head: NONE,
                        tail: NONE,
                    });
                    kids.len() - 1
                };
                let kid = &mut kids[k];
                if start[si] + g.depth + 1 == start[si + 1] {
                    leaf[si] = kid.row;
                } else {
                    if kid.tail == NONE {
                        kid.head = s;
                    } else {
                        next[kid.tail as usize] = s;
                    }
                    kid.tail = s;
                    next[si] = NONE;
                }
                s = after;
            }
            // The first child's group next: a path's created rows stay consecutive.
            for kid in kids.iter().rev().filter(|k| k.head != NONE) {
                work.push(Group {
                    parent: kid.row,
                    depth: g.depth + 1,
                    head: kid.head,
                });
            }
        }
        drop((next, stamp, slot, kids, work));
        // Renumber as path-by-path interning numbers rows: by creating path, then depth (a
        // path creates its rows in depth order, so a stable counting sort by creator).
        let rows = parent.len();
        let mut base = created;
        let mut at = 0u32;
        for b in &mut base {
            (*b, at) = (at, at + *b);
        }
        let renumber: Vec<u32> = creator
            .iter()
            .map(|&c| {
                let r = base[c as usize];
                base[c as usize] += 1;
                r
            })
            .collect();
        drop((creator, base));
        self.parent = vec![ROOT; rows];
        self.frame = vec![FrameId(0); rows];
        for (old, (&p, &f)) in parent.iter().zip(&frame).enumerate() {
            let new = renumber[old] as usize;
            self.parent[new] = if p == ROOT {
                ROOT
            } else {
                renumber[p as usize]
            };
            self.frame[new] = f;
        }
        leaf.iter()
            .map(|&r| (r != NONE).then(|| StackId(renumber[r as usize])))
            .collect()
    }
}

/// Appends a row for `f` under `up` and returns its number.
#[inline]
fn push_row(parent: &mut Vec<u32>, frame: &mut Vec<FrameId>, up: u32, f: FrameId) -> u32 {
    let row = parent.len() as u32;
    parent.push(up);
    frame.push(f);
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::XorShift;

    fn flatten(paths: &[&[u32]]) -> (Vec<FrameId>, Vec<u32>) {
        let mut frames = Vec::new();
        let mut start = vec![0u32];
        for p in paths {
            frames.extend(p.iter().map(|&f| FrameId(f)));
            start.push(frames.len() as u32);
        }
        (frames, start)
    }

    #[test]
    fn builds_the_trie_that_interning_path_by_path_builds() {
        let paths: &[&[u32]] = &[
            &[0, 1, 2],
            &[],
            &[0, 1, 3],
            &[4],
            &[0, 1, 2],
            &[0, 5, 1, 1],
            &[4, 4],
            &[0],
            &[3, 2, 1, 0],
            &[0, 1, 3, 7, 7],
        ];
        let (frames, start) = flatten(paths);
        let mut batch = StackTree::new();
        let leaves = batch.intern_paths(&frames, &start);
        let mut one_by_one = StackTree::new();
        let expected: Vec<Option<StackId>> = paths
            .iter()
            .map(|p| one_by_one.intern_path(p.iter().map(|&f| FrameId(f))))
            .collect();
        assert_eq!(leaves, expected);
        assert_eq!(batch.len(), one_by_one.len());
        for r in 0..batch.len() {
            let id = StackId::from_index(r);
            assert_eq!(
                (batch.parent(id), batch.frame(id)),
                (one_by_one.parent(id), one_by_one.frame(id))
            );
        }
        // The lookup is rebuilt for later single interning, and a second batch falls back.
        assert_eq!(
            batch.intern_path([FrameId(0), FrameId(1), FrameId(3)]),
            expected[2]
        );
        assert_eq!(batch.intern_paths(&frames, &start), expected);
        assert_eq!(StackTree::new().intern_paths(&[], &[0]), vec![]);
        assert_eq!(StackTree::new().intern_paths(&[], &[]), vec![]);
    }

    #[test]
    fn random_paths_match_interning_path_by_path() {
        // xorshift: many paths over few frames, so prefixes are shared at every depth.
        let mut rng = XorShift::new(0x2545_f491_4f6c_dd1d);
        let mut next = |n: u64| rng.below(n) as u32;
        let owned: Vec<Vec<u32>> = (0..2000)
            .map(|_| {
                let len = next(9);
                (0..len).map(|_| next(4)).collect()
            })
            .collect();
        let paths: Vec<&[u32]> = owned.iter().map(|p| p.as_slice()).collect();
        let (frames, start) = flatten(&paths);
        let mut batch = StackTree::new();
        let leaves = batch.intern_paths(&frames, &start);
        let mut one_by_one = StackTree::new();
        for (p, leaf) in paths.iter().zip(&leaves) {
            assert_eq!(one_by_one.intern_path(p.iter().map(|&f| FrameId(f))), *leaf);
        }
        assert_eq!(batch.len(), one_by_one.len());
        assert!((0..batch.len()).all(|r| {
            let id = StackId::from_index(r);
            (batch.parent(id), batch.frame(id)) == (one_by_one.parent(id), one_by_one.frame(id))
        }));
    }
}
