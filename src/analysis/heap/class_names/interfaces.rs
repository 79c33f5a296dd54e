//! Interface inference for plain `Object`s (DevTools `inferInterfaceDefinitions` and
//! `applyInterfaceDefinitions`): the most common property-name sets seen at least twice become
//! names like `{url, method, headers}`; each object takes the definition with the most properties
//! that it has all of (ties: the more common one). Definitions inferred on one snapshot can be
//! applied to another (DevTools' Comparison names the base with the new snapshot's).

use crate::analysis::sort;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::ClassNames;
use crate::analysis::heap::type_ids::{NameIs, TypeIds};
use crate::model::{HeapGraph, IdMap, NodeOrdinal};

/// An interface must match at least 1 in this many plain objects
/// (`MIN_OBJECT_PROPORTION_PER_INTERFACE`, DevTools 1.0.1705227; it replaced a cap of 1000).
const MIN_OBJECT_PROPORTION_PER_INTERFACE: f64 = 1000.0;
/// More properties are only added while the name stays under this many UTF-16 units.
const MAX_INTERFACE_NAME_LENGTH: usize = 120;
/// An interface must match at least this many objects.
const MIN_OBJECT_COUNT_PER_INTERFACE: usize = 2;

/// JavaScript's `string.length` (UTF-16 units).
fn js_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.encode_utf16().count()
    }
}

/// DevTools' `formatPropertyName`: names with `, ' " { }` are shown JSON-quoted.
fn format_property_name(name: &str) -> String {
    if name.contains([',', '\'', '"', '{', '}']) {
        serde_json::to_string(name).unwrap_or_else(|_| name.to_owned())
    } else {
        name.to_owned()
    }
}

struct Definition<'g> {
    name: String,
    properties: Vec<&'g str>,
    count: usize,
}

/// One inferred interface (DevTools' `InterfaceDefinition`): its name, `{url, method}`, and the
/// property names an object must all have to take it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterfaceDefinition {
    /// The class name objects matching it get.
    pub name: String,
    /// The properties, in the order of the first object seen with them.
    pub properties: Vec<String>,
}

/// A node of the property tree: transitions by property (`Properties` numbers), in
/// ascending order.
#[derive(Default)]
struct TreeNode {
    next: IdMap<u32, usize>,
    /// (property count, definition index) of the interface ending here.
    matched: Option<(usize, usize)>,
    greatest_next: Option<u32>,
}

/// The property names the definitions use, numbered; each string of the graph is looked up
/// once, so an object's properties become numbers (or nothing, for names no definition has,
/// which can never match) without reading their text.
struct Properties<'d> {
    number: HashMap<&'d str, u32>,
    /// Per string id: its number, or `NONE`.
    by_id: PerString,
}

impl<'d> Properties<'d> {
    const NONE: u32 = u32::MAX - 1;

    fn new(g: &HeapGraph, definitions: &'d [InterfaceDefinition]) -> Self {
        let mut number = HashMap::new();
        for p in definitions.iter().flat_map(|d| &d.properties) {
            let next = number.len() as u32;
            number.entry(p.as_str()).or_insert(next);
        }
        Properties {
            number,
            by_id: PerString::new(g),
        }
    }

    fn of(&mut self, g: &HeapGraph, id: u32) -> Option<u32> {
        let number = &self.number;
        let n = self.by_id.get(g, id, |text| {
            number.get(text).copied().unwrap_or(Self::NONE)
        });
        (n != Self::NONE).then_some(n)
    }
}

/// The plain objects (`object` nodes named `Object`), by ordinal: the name is compared once
/// per string, not once per node (reading each object's name text cost a cache miss or two).
fn plain_objects(g: &HeapGraph, t: &TypeIds) -> Vec<u32> {
    let mut object = NameIs::new(g, "Object");
    (0..g.node_count() as u32)
        .filter(|&o| {
            let n = NodeOrdinal(o);
            g.node_type(n) as u16 == t.object && object.test(g, g.node_name_index(n))
        })
        .collect()
}

/// A number per string of the graph, computed on first use: objects share most property
/// names, so each name's text is read once.
struct PerString(Vec<u32>);

impl PerString {
    /// Not computed yet (no value may be this).
    const UNKNOWN: u32 = u32::MAX;

    fn new(g: &HeapGraph) -> Self {
        PerString(vec![Self::UNKNOWN; g.strings().len()])
    }

    /// String `id`'s number, `compute(its text)` the first time.
    fn get(&mut self, g: &HeapGraph, id: u32, compute: impl FnOnce(&str) -> u32) -> u32 {
        match self.0.get_mut(id as usize) {
            Some(slot) => {
                if *slot == Self::UNKNOWN {
                    *slot = compute(g.strings().get(id));
                }
                *slot
            }
            None => compute(g.strings().get(id)),
        }
    }
}

/// A property name's length as it shows in an interface name (`formatPropertyName`).
fn formatted_len(name: &str) -> u32 {
    js_len(&format_property_name(name)) as u32
}

/// DevTools' interface name for properties `ids` (`{a, b}`), as `infer` takes them.
fn interface_name(g: &HeapGraph, ids: &[u32]) -> String {
    let mut name = String::from("{");
    for &id in ids {
        // As DevTools: no separator while nothing but the brace is written (an empty
        // property name adds nothing).
        if name.len() != 1 {
            name.push_str(", ");
        }
        name.push_str(&format_property_name(g.strings().get(id)));
    }
    name.push('}');
    name
}

/// The candidate interfaces, most common first (`inferInterfaceDefinitions`). Objects are
/// grouped by the string ids of the properties that make their name, and each group's name is
/// built once; groups whose names coincide (equal strings stored twice) are merged, in the
/// order DevTools meets the names.
fn infer<'g>(g: &'g HeapGraph, t: &TypeIds, plain: &[u32]) -> Vec<Definition<'g>> {
    let mut proto = NameIs::new(g, "__proto__");
    let mut lengths = PerString::new(g);
    // Per property id list: when it was first seen, and how many objects have it.
    let mut groups: IdMap<Vec<u32>, (usize, usize)> = IdMap::default();
    let mut ids: Vec<u32> = Vec::new();
    for &o in plain {
        ids.clear();
        let mut name_len = 1;
        for e in g.edges(NodeOrdinal(o)) {
            if g.edge_kind(e) as u16 != t.e_property {
                continue;
            }
            let id = g.edge_name_or_index(e);
            if proto.test(g, id) {
                continue;
            }
            let formatted_len = lengths.get(g, id, formatted_len) as usize;
            if name_len > 1 && name_len + formatted_len > MAX_INTERFACE_NAME_LENGTH {
                break;
            }
            if name_len != 1 {
                name_len += 2;
            }
            name_len += formatted_len;
            ids.push(id);
        }
        if ids.is_empty() {
            continue;
        }
        match groups.get_mut(ids.as_slice()) {
            Some((_, count)) => *count += 1,
            None => {
                let first = groups.len();
                groups.insert(ids.clone(), (first, 1));
            }
        }
    }
    let mut seen: Vec<(Vec<u32>, (usize, usize))> = groups.into_iter().collect();
    seen.sort_unstable_by_key(|(_, (first, _))| *first);
    let mut candidates: Vec<Definition<'g>> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for (ids, (_, count)) in seen {
        let name = interface_name(g, &ids);
        match by_name.get(&name) {
            Some(&i) => candidates[i].count += count,
            None => {
                by_name.insert(name.clone(), candidates.len());
                candidates.push(Definition {
                    name,
                    properties: ids.iter().map(|&id| g.strings().get(id)).collect(),
                    count,
                });
            }
        }
    }
    // Stable sort, like JS's Array.prototype.sort: ties keep first-seen order.
    sort::sort_by_key(&mut candidates, |c| std::cmp::Reverse(c.count));
    let min_count = (MIN_OBJECT_COUNT_PER_INTERFACE as f64)
        .max(plain.len() as f64 / MIN_OBJECT_PROPORTION_PER_INTERFACE);
    if let Some(cut) = candidates.iter().position(|c| (c.count as f64) < min_count) {
        candidates.truncate(cut);
    }
    candidates
}

fn better(a: Option<(usize, usize)>, b: Option<(usize, usize)>) -> Option<(usize, usize)> {
    match (a, b) {
        (Some((ap, ai)), Some((bp, bi))) => Some(if ap > bp || (ap == bp && ai <= bi) {
            (ap, ai)
        } else {
            (bp, bi)
        }),
        (a, None) => a,
        (None, b) => b,
    }
}

/// The interfaces inferred from `g`'s plain objects, most common first.
fn definitions(g: &HeapGraph, t: &TypeIds, plain: &[u32]) -> Vec<InterfaceDefinition> {
    infer(g, t, plain)
        .into_iter()
        .map(|d| InterfaceDefinition {
            name: d.name,
            properties: d.properties.into_iter().map(str::to_owned).collect(),
        })
        .collect()
}

/// Renames every plain object in `names` after `definitions` (DevTools'
/// `applyInterfaceDefinitions`): the best match's name, or the raw name (`Object`) when none
/// matches, so that applying another snapshot's definitions replaces earlier ones.
pub(super) fn apply(
    g: &HeapGraph,
    t: &TypeIds,
    names: &mut ClassNames,
    definitions: &[InterfaceDefinition],
) {
    apply_to(g, t, &plain_objects(g, t), names, definitions)
}

/// The interfaces inferred from `g`'s plain objects, applied to them in `names`: returns
/// them, most common first.
pub(super) fn infer_and_apply(
    g: &HeapGraph,
    t: &TypeIds,
    names: &mut ClassNames,
) -> Vec<InterfaceDefinition> {
    let plain = plain_objects(g, t);
    let definitions = definitions(g, t, &plain);
    if !definitions.is_empty() {
        apply_to(g, t, &plain, names, &definitions);
    }
    definitions
}

/// `apply` to the plain objects `plain`.
fn apply_to(
    g: &HeapGraph,
    t: &TypeIds,
    plain: &[u32],
    names: &mut ClassNames,
    definitions: &[InterfaceDefinition],
) {
    let mut numbers = Properties::new(g, definitions);
    let tree = property_tree(definitions, &numbers);
    let mut interface_ids: Vec<Option<u32>> = vec![None; definitions.len()];
    let mut props: Vec<u32> = Vec::new();
    let mut states: Vec<usize> = Vec::new();
    let mut next_states: Vec<usize> = Vec::new();
    for &o in plain {
        let (n, o) = (NodeOrdinal(o), o as usize);
        props.clear();
        for e in g.edges(n) {
            if g.edge_kind(e) as u16 == t.e_property {
                props.extend(numbers.of(g, g.edge_name_or_index(e)));
            }
        }
        props.sort_unstable();
        states.clear();
        states.push(0);
        let mut best = tree[0].matched;
        for &p in &props {
            next_states.clear();
            for &s in &states {
                let node = &tree[s];
                let exhausted = node.greatest_next.is_none_or(|gn| p >= gn);
                if !exhausted && !next_states.contains(&s) {
                    next_states.push(s);
                }
                if let Some(&nx) = node.next.get(&p) {
                    if !next_states.contains(&nx) {
                        next_states.push(nx);
                    }
                    best = better(best, tree[nx].matched);
                }
            }
            std::mem::swap(&mut states, &mut next_states);
        }
        // No match keeps the raw name ("Object"), as DevTools' initial match does.
        let Some((_, index)) = best else {
            names.class_of[o] = g.node_name_index(n);
            continue;
        };
        let id = *interface_ids[index].get_or_insert_with(|| {
            names.added.push(definitions[index].name.clone());
            names.base + names.added.len() as u32 - 1
        });
        names.class_of[o] = id;
    }
}

/// The definitions' property sets as a tree over ascending property numbers. An object's
/// properties, in the same order, walk it to every definition whose properties it all has:
/// DevTools walks names in text order, and any one order finds the same sets.
fn property_tree(definitions: &[InterfaceDefinition], numbers: &Properties) -> Vec<TreeNode> {
    let mut tree: Vec<TreeNode> = vec![TreeNode::default()];
    for (index, d) in definitions.iter().enumerate() {
        let mut props: Vec<u32> = d
            .properties
            .iter()
            .map(|p| numbers.number[p.as_str()])
            .collect();
        props.sort_unstable();
        let mut at = 0;
        for &p in &props {
            at = match tree[at].next.get(&p) {
                Some(&next) => next,
                None => {
                    let next = tree.len();
                    tree.push(TreeNode::default());
                    tree[at].next.insert(p, next);
                    if tree[at].greatest_next.is_none_or(|gn| gn < p) {
                        tree[at].greatest_next = Some(p);
                    }
                    next
                }
            };
        }
        if tree[at].matched.is_none() {
            tree[at].matched = Some((props.len(), index));
        }
    }
    tree
}
