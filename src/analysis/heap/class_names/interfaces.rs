//! Interface inference for plain `Object`s (DevTools `inferInterfaceDefinitions` and
//! `applyInterfaceDefinitions`): the most common property-name sets seen at least twice become
//! names like `{url, method, headers}`; each object takes the definition with the most properties
//! that it has all of (ties: the more common one). Definitions inferred on one snapshot can be
//! applied to another (DevTools' Comparison names the base with the new snapshot's).

use crate::analysis::sort;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::ClassNames;
use crate::analysis::heap::type_ids::TypeIds;
use crate::model::{HeapGraph, NodeOrdinal};

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

/// A node of the property tree: transitions by property name, in sorted-name order.
#[derive(Default)]
struct TreeNode<'d> {
    next: HashMap<&'d str, usize>,
    /// (property count, definition index) of the interface ending here.
    matched: Option<(usize, usize)>,
    greatest_next: Option<&'d str>,
}

fn is_plain_object(g: &HeapGraph, t: &TypeIds, n: NodeOrdinal) -> bool {
    g.node_type(n) as u16 == t.object && g.node_name(n) == "Object"
}

fn infer<'g>(g: &'g HeapGraph, t: &TypeIds) -> Vec<Definition<'g>> {
    let mut candidates: Vec<Definition<'g>> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let mut total_objects = 0usize;
    for o in 0..g.node_count() {
        let n = NodeOrdinal(o as u32);
        if !is_plain_object(g, t, n) {
            continue;
        }
        total_objects += 1;
        let mut name = String::from("{");
        let mut name_len = 1;
        let mut properties = Vec::new();
        for e in g.edges(n) {
            if g.edge_kind(e) as u16 != t.e_property {
                continue;
            }
            let edge_name = g.strings().get(g.edge_name_or_index(e));
            if edge_name == "__proto__" {
                continue;
            }
            let formatted = format_property_name(edge_name);
            let formatted_len = js_len(&formatted);
            if name_len > 1 && name_len + formatted_len > MAX_INTERFACE_NAME_LENGTH {
                break;
            }
            if name_len != 1 {
                name.push_str(", ");
                name_len += 2;
            }
            name.push_str(&formatted);
            name_len += formatted_len;
            properties.push(edge_name);
        }
        if properties.is_empty() {
            continue;
        }
        name.push('}');
        match by_name.get(&name) {
            Some(&i) => candidates[i].count += 1,
            None => {
                by_name.insert(name.clone(), candidates.len());
                candidates.push(Definition {
                    name,
                    properties,
                    count: 1,
                });
            }
        }
    }
    // Stable sort, like JS's Array.prototype.sort: ties keep first-seen order.
    sort::sort_by_key(&mut candidates, |c| std::cmp::Reverse(c.count));
    let min_count = (MIN_OBJECT_COUNT_PER_INTERFACE as f64)
        .max(total_objects as f64 / MIN_OBJECT_PROPORTION_PER_INTERFACE);
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
pub(super) fn definitions(g: &HeapGraph, t: &TypeIds) -> Vec<InterfaceDefinition> {
    infer(g, t)
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
    let mut tree: Vec<TreeNode> = vec![TreeNode::default()];
    for (index, d) in definitions.iter().enumerate() {
        let mut props: Vec<&str> = d.properties.iter().map(String::as_str).collect();
        props.sort_unstable();
        let mut at = 0;
        for &p in &props {
            at = match tree[at].next.get(p) {
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
    let mut interface_ids: Vec<Option<u32>> = vec![None; definitions.len()];
    let mut props: Vec<&str> = Vec::new();
    let mut states: Vec<usize> = Vec::new();
    let mut next_states: Vec<usize> = Vec::new();
    for o in 0..g.node_count() {
        let n = NodeOrdinal(o as u32);
        if !is_plain_object(g, t, n) {
            continue;
        }
        props.clear();
        props.extend(
            g.edges(n)
                .filter(|&e| g.edge_kind(e) as u16 == t.e_property)
                .map(|e| g.strings().get(g.edge_name_or_index(e))),
        );
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
                if let Some(&nx) = node.next.get(p) {
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
