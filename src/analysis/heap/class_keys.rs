//! `ClassKeys`: each node's Summary row key, as DevTools keys its aggregates: the class name,
//! plus the allocation site (script, line, column) for `object` nodes that have one, so that
//! same-named constructors from different scripts are separate rows. The Summary and the
//! object list of one row both go through it.

use super::class_names::ClassNames;
use super::heap_summary::HeapAnalysis;
use super::type_ids::TypeIds;
use crate::model::{HeapGraph, IdMap};

/// A class id plus the allocation site (script, line, column) for located `object` nodes.
type ClassKey = (u32, Option<(u32, u32, u32)>);

/// Dense key ids: `key_of[node]` indexes the distinct keys.
pub struct ClassKeys {
    keys: Vec<ClassKey>,
    /// Each node's key id.
    pub key_of: Vec<u32>,
}

impl ClassKeys {
    /// The keys of every node: one per class for the many nodes without an allocation site (a
    /// table lookup), hashed only for the located `object` nodes.
    pub fn of(g: &HeapGraph, a: &HeapAnalysis) -> Self {
        Self::of_names(g, &a.class_names)
    }

    /// `of` with other class names than the analysis' own (another snapshot's interfaces).
    pub fn of_names(g: &HeapGraph, names: &ClassNames) -> Self {
        let n = g.node_count();
        let t = TypeIds::of(g);
        let mut keys: Vec<ClassKey> = Vec::new();
        let mut by_class: Vec<u32> = Vec::new();
        let mut key_of: Vec<u32> = Vec::with_capacity(n);
        for &class in &names.class_of[..n.min(names.class_of.len())] {
            let c = class as usize;
            if c >= by_class.len() {
                by_class.resize(c + 1, u32::MAX);
            }
            if by_class[c] == u32::MAX {
                by_class[c] = keys.len() as u32;
                keys.push((class, None));
            }
            key_of.push(by_class[c]);
        }
        drop(by_class);
        let mut located: IdMap<ClassKey, u32> = IdMap::default();
        // In file order, so the last record of a node wins (DevTools fills a `Map`).
        for l in g.locations() {
            let o = l.node.index();
            if o >= key_of.len() || g.node_type(l.node) as u16 != t.object {
                continue;
            }
            let key = (names.class_of[o], Some((l.script_id, l.line, l.column)));
            key_of[o] = *located.entry(key).or_insert_with(|| {
                keys.push(key);
                keys.len() as u32 - 1
            });
        }
        ClassKeys { keys, key_of }
    }

    /// How many distinct keys there are.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when there are none (an empty graph).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The class name of key `id`.
    pub fn name<'a>(&self, g: &'a HeapGraph, a: &'a HeapAnalysis, id: u32) -> &'a str {
        self.name_in(g, &a.class_names, id)
    }

    /// The class name of key `id`, for keys built by `of_names(g, names)`.
    pub fn name_in<'a>(&self, g: &'a HeapGraph, names: &'a ClassNames, id: u32) -> &'a str {
        let class = self.keys.get(id as usize).map_or(0, |k| k.0);
        names.name(g, class)
    }

    /// DevTools' text of key `id`: `,<name>`, or `<scriptId>,<line>,<column>,<name>`.
    pub fn text(&self, g: &HeapGraph, a: &HeapAnalysis, id: u32) -> String {
        self.text_in(g, &a.class_names, id)
    }

    /// The text of key `id`, for keys built by `of_names(g, names)`.
    pub fn text_in(&self, g: &HeapGraph, names: &ClassNames, id: u32) -> String {
        let name = self.name_in(g, names, id);
        match self.keys.get(id as usize).and_then(|k| k.1) {
            Some((s, l, c)) => format!("{s},{l},{c},{name}"),
            None => format!(",{name}"),
        }
    }

    /// The id of the key whose text is `text`, if any.
    pub fn find(&self, g: &HeapGraph, a: &HeapAnalysis, text: &str) -> Option<u32> {
        (0..self.keys.len() as u32).find(|&id| self.text(g, a, id) == text)
    }
}
