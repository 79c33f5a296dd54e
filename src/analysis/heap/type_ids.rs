//! `TypeIds`: the node and edge type indices DevTools looks up by name in `snapshot.meta`
//! (`HeapSnapshot.initialize`), resolved once. A type the snapshot lacks never matches.

use super::bit_set::BitSet;
use crate::model::{HeapGraph, NodeOrdinal};

/// Sentinel for a type the snapshot does not list.
const ABSENT: u16 = u16::MAX;

/// Type indices by role (`u16` so that "absent" differs from every real `u8` index).
#[derive(Clone, Copy, Debug)]
pub(crate) struct TypeIds {
    pub hidden: u16,
    pub array: u16,
    pub object: u16,
    pub native: u16,
    pub code: u16,
    pub closure: u16,
    pub regexp: u16,
    pub synthetic: u16,
    pub e_element: u16,
    pub e_internal: u16,
    pub e_hidden: u16,
    pub e_shortcut: u16,
    pub e_weak: u16,
    pub e_property: u16,
}

impl TypeIds {
    pub fn of(g: &HeapGraph) -> Self {
        let n = |name| g.node_type_index(name).map_or(ABSENT, u16::from);
        let e = |name| g.edge_type_index(name).map_or(ABSENT, u16::from);
        TypeIds {
            hidden: n("hidden"),
            array: n("array"),
            object: n("object"),
            native: n("native"),
            code: n("code"),
            closure: n("closure"),
            regexp: n("regexp"),
            synthetic: n("synthetic"),
            e_element: e("element"),
            e_internal: e("internal"),
            e_hidden: e("hidden"),
            e_shortcut: e("shortcut"),
            e_weak: e("weak"),
            e_property: e("property"),
        }
    }

    /// DevTools' `JSHeapSnapshot.isUserRoot`: a non-synthetic node, or `(Document DOM trees)`.
    pub fn is_user_root(&self, g: &HeapGraph, n: NodeOrdinal) -> bool {
        g.node_type(n) as u16 != self.synthetic || self.is_document_dom_trees_root(g, n)
    }

    /// The synthetic `(Document DOM trees)` node of page snapshots.
    pub fn is_document_dom_trees_root(&self, g: &HeapGraph, n: NodeOrdinal) -> bool {
        g.node_type(n) as u16 == self.synthetic && g.node_name(n) == "(Document DOM trees)"
    }

    /// True when some child of the root is a user root (the snapshot was not taken with
    /// "expose internals"), DevTools' `#hasUserRoots`.
    pub fn has_user_roots(&self, g: &HeapGraph) -> bool {
        g.edges(g.root())
            .any(|e| self.is_user_root(g, g.edge_to(e)))
    }
}
/// Whether a string id's text is `target`, each distinct id compared once (node names repeat
/// millions of times; comparing their text each time reads the string blob at random).
pub(crate) struct NameIs<'t> {
    target: &'t str,
    checked: BitSet,
    yes: BitSet,
}

impl<'t> NameIs<'t> {
    pub(crate) fn new(g: &HeapGraph, target: &'t str) -> Self {
        NameIs {
            target,
            checked: BitSet::new(g.strings().len()),
            yes: BitSet::new(g.strings().len()),
        }
    }

    pub(crate) fn test(&mut self, g: &HeapGraph, id: u32) -> bool {
        let i = id as usize;
        if !self.checked.get(i) {
            self.checked.set(i);
            if g.strings().get(id) == self.target {
                self.yes.set(i);
            }
        }
        self.yes.get(i)
    }
}
