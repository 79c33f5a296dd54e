//! `StackTree`: a trie of call paths. Each row is one distinct path from a root frame down to a
//! frame; samples point at their leaf row. It stores structure only: values live in `Samples`,
//! and aggregation by function, file or line is `analysis`' job.

mod paths;

use std::hash::{BuildHasher, BuildHasherDefault};

use hashbrown::HashTable;

use super::{FrameId, IdHasher, StackId};

/// The `parent` column's marker for a root frame.
const ROOT: u32 = u32::MAX;

/// The lookup hash of a (parent, frame) key.
fn hash_key(key: u64) -> u64 {
    BuildHasherDefault::<IdHasher>::default().hash_one(key)
}

/// The lookup hash of a row from its stored columns (`ROOT` parent for a root frame).
fn hash_row(parent: u32, frame: FrameId) -> u64 {
    let parent = (parent != ROOT).then_some(StackId(parent));
    hash_key(key(parent, frame))
}

/// Packs (parent, frame) into one map key: the parent row plus one (0 for roots) above the frame.
fn key(parent: Option<StackId>, frame: FrameId) -> u64 {
    let p = parent.map_or(0, |p| u64::from(p.0) + 1);
    (p << 32) | u64::from(frame.0)
}

/// Distinct call paths as a trie of frames.
///
/// Invariant: a row's parent comes before it (`parent(s) < s`), so one forward pass visits
/// parents before children and one backward pass visits children before parents.
#[derive(Clone, Debug, Default)]
pub struct StackTree {
    /// Parent row per row, `ROOT` for root frames (a `u32`, half the size of an `Option`).
    parent: Vec<u32>,
    frame: Vec<FrameId>,
    /// Lookup of rows by (parent, frame), used while building. It stores bare row numbers
    /// (4 bytes a slot) and hashes them through the columns, a third of the memory of a
    /// (key, row) map: at a million distinct stacks this table is the decoder's peak.
    children: HashTable<u32>,
}

impl StackTree {
    /// An empty trie.
    pub fn new() -> Self {
        Self::default()
    }

    /// The row for `frame` called from `parent` (`None`: a root frame), added if new.
    pub fn intern(&mut self, parent: Option<StackId>, frame: FrameId) -> StackId {
        if self.children.len() < self.frame.len() {
            self.rebuild_lookup();
        }
        let hash = hash_key(key(parent, frame));
        let p = parent.map_or(ROOT, |p| p.0);
        let (rows_parent, rows_frame) = (&self.parent, &self.frame);
        let found = self.children.find(hash, |&row| {
            rows_parent[row as usize] == p && rows_frame[row as usize] == frame
        });
        if let Some(&row) = found {
            return StackId(row);
        }
        let row = self.frame.len() as u32;
        self.parent.push(p);
        self.frame.push(frame);
        let (rows_parent, rows_frame) = (&self.parent, &self.frame);
        self.children.insert_unique(hash, row, |&r| {
            hash_row(rows_parent[r as usize], rows_frame[r as usize])
        });
        StackId(row)
    }

    /// Drops the (parent, frame) lookup that only building needs, about half the trie's
    /// memory. A later `intern` rebuilds it first, so sealing never changes behaviour.
    pub fn seal(&mut self) {
        self.children = HashTable::new();
        self.parent.shrink_to_fit();
        self.frame.shrink_to_fit();
    }

    fn rebuild_lookup(&mut self) {
        let mut table = HashTable::with_capacity(self.frame.len());
        for (row, (&p, &f)) in self.parent.iter().zip(&self.frame).enumerate() {
            table.insert_unique(hash_row(p, f), row as u32, |&r| {
                hash_row(self.parent[r as usize], self.frame[r as usize])
            });
        }
        self.children = table;
    }

    /// Makes room for `additional` more rows without rehashing.
    pub fn reserve(&mut self, additional: usize) {
        self.parent.reserve(additional);
        self.frame.reserve(additional);
        let (rows_parent, rows_frame) = (&self.parent, &self.frame);
        self.children.reserve(additional, |&r| {
            hash_row(rows_parent[r as usize], rows_frame[r as usize])
        });
    }

    /// The row of a whole stack given root first; `None` for an empty stack.
    pub fn intern_path(
        &mut self,
        root_to_leaf: impl IntoIterator<Item = FrameId>,
    ) -> Option<StackId> {
        let mut at = None;
        for frame in root_to_leaf {
            at = Some(self.intern(at, frame));
        }
        at
    }

    /// How many distinct paths there are.
    pub fn len(&self) -> usize {
        self.frame.len()
    }

    /// True when there are no paths.
    pub fn is_empty(&self) -> bool {
        self.frame.is_empty()
    }

    /// The caller's row, `None` for a root frame.
    pub fn parent(&self, id: StackId) -> Option<StackId> {
        let p = self.parent[id.index()];
        (p != ROOT).then_some(StackId(p))
    }

    /// The frame at the end of this path.
    pub fn frame(&self, id: StackId) -> FrameId {
        self.frame[id.index()]
    }

    /// The frames of the path ending at `id`, leaf first (pprof's order for `location_id`).
    pub fn frames_leaf_first(&self, id: Option<StackId>) -> LeafFirst<'_> {
        LeafFirst { tree: self, at: id }
    }

    /// The frames of the path ending at `id`, root first (flame graph order).
    pub fn frames_root_first(&self, id: Option<StackId>) -> Vec<FrameId> {
        let mut v: Vec<FrameId> = self.frames_leaf_first(id).collect();
        v.reverse();
        v
    }

    /// The number of frames on the path ending at `id`.
    pub fn depth(&self, id: Option<StackId>) -> usize {
        self.frames_leaf_first(id).count()
    }
}

/// Iterator over a path's frames from the leaf up to the root.
pub struct LeafFirst<'a> {
    tree: &'a StackTree,
    at: Option<StackId>,
}

impl Iterator for LeafFirst<'_> {
    type Item = FrameId;

    fn next(&mut self) -> Option<FrameId> {
        let id = self.at?;
        self.at = self.tree.parent(id);
        Some(self.tree.frame(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_prefixes_share_rows_and_parents_come_first() {
        let mut t = StackTree::new();
        let a = t.intern_path([FrameId(0), FrameId(1), FrameId(2)]).unwrap();
        let b = t.intern_path([FrameId(0), FrameId(1), FrameId(3)]).unwrap();
        assert_eq!(t.len(), 4);
        assert_eq!(t.parent(a), t.parent(b));
        for i in 0..t.len() {
            let id = StackId::from_index(i);
            if let Some(p) = t.parent(id) {
                assert!(p < id);
            }
        }
        let leaf_first: Vec<_> = t.frames_leaf_first(Some(b)).collect();
        assert_eq!(leaf_first, vec![FrameId(3), FrameId(1), FrameId(0)]);
        assert_eq!(
            t.frames_root_first(Some(a)),
            vec![FrameId(0), FrameId(1), FrameId(2)]
        );
        assert_eq!(t.intern_path([]), None);
        // Sealing drops the lookup; interning afterwards finds the same rows again.
        t.seal();
        assert_eq!(t.intern_path([FrameId(0), FrameId(1), FrameId(3)]), Some(b));
        assert_eq!(t.len(), 4);
    }
}
