//! `duplicated_strings`: DevTools' "Duplicated strings" filter and `getDuplicateStrings` —
//! strings whose content occurs in more than one heap object. Flattened cons strings and
//! zero-size number encodings are excluded; truncated strings match by length and hash too.

use crate::analysis::sort;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::heap_summary::HeapAnalysis;
use super::type_ids::TypeIds;
use crate::model::{HeapGraph, NodeOrdinal};

/// Options for `duplicated_strings`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct DuplicateStringOptions {
    /// Cut `value` to at most this many characters (the count and sizes are unaffected).
    pub max_value_chars: usize,
}

impl Default for DuplicateStringOptions {
    fn default() -> Self {
        DuplicateStringOptions {
            max_value_chars: 200,
        }
    }
}

/// A string value held by several objects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateString {
    /// The content (cut to `max_value_chars`; V8 itself keeps at most 1024 characters).
    pub value: String,
    /// How many objects hold it.
    pub count: u64,
    /// Their summed shallow sizes.
    pub total_size: u64,
    /// Their summed retained sizes (DevTools sorts by this).
    pub total_retained_size: u64,
    /// True for V8's truncated long strings (grouped by length and hash as well).
    pub truncated: bool,
    /// The objects, in snapshot order.
    pub nodes: Vec<NodeOrdinal>,
}

/// The target of `n`'s first `internal` edge called `name` (`findInternalEdgeTarget`).
fn internal_target(g: &HeapGraph, t: &TypeIds, n: NodeOrdinal, name: &str) -> Option<NodeOrdinal> {
    g.edges(n)
        .find(|&e| g.edge_kind(e) as u16 == t.e_internal && g.edge_name(e) == name)
        .map(|e| g.edge_to(e))
}

/// A `number` node named `name` (`int`, `bool`) and the raw name of its `value` target.
fn number_value<'g>(g: &'g HeapGraph, t: &TypeIds, n: NodeOrdinal, name: &str) -> Option<&'g str> {
    if g.node_type_name(n) != "number" || g.node_name(n) != name {
        return None;
    }
    internal_target(g, t, n, "value").map(|v| g.node_name(v))
}

/// `nodeValueAsInt` of the string's `length`/`hash` child (JavaScript `parseInt`).
fn int_child(g: &HeapGraph, t: &TypeIds, n: NodeOrdinal, edge: &str) -> Option<i64> {
    let raw = number_value(g, t, internal_target(g, t, n, edge)?, "int")?;
    let digits = raw.trim_start();
    let (neg, digits) = match digits.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, digits.strip_prefix('+').unwrap_or(digits)),
    };
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    let v: i64 = digits[..end].parse().ok()?;
    Some(if neg { -v } else { v })
}

fn is_truncated(g: &HeapGraph, t: &TypeIds, n: NodeOrdinal) -> bool {
    internal_target(g, t, n, "truncated")
        .and_then(|b| number_value(g, t, b, "bool"))
        .is_some_and(|v| v == "true")
}

/// A string node's content as DevTools names it: cons strings are concatenated depth first
/// until 1024 UTF-16 units (`consStringName`; a missing part reads as node 0's name).
pub fn string_value(g: &HeapGraph, n: NodeOrdinal) -> String {
    let cons = g.node_type_index("concatenated string").map(u16::from);
    if Some(g.node_type(n) as u16) != cons {
        return g.node_name(n).to_owned();
    }
    let t = TypeIds::of(g);
    let mut name = String::new();
    let mut units = 0usize;
    let mut stack = vec![n];
    while units < 1024 {
        let Some(at) = stack.pop() else { break };
        if Some(g.node_type(at) as u16) != cons {
            let s = g.node_name(at);
            units += s.encode_utf16().count();
            name.push_str(s);
            continue;
        }
        let (mut first, mut second) = (None, None);
        for e in g.edges(at) {
            if first.is_some() && second.is_some() {
                break;
            }
            if g.edge_kind(e) as u16 == t.e_internal {
                match &*g.edge_name(e) {
                    "first" => first = Some(g.edge_to(e)),
                    "second" => second = Some(g.edge_to(e)),
                    _ => {}
                }
            }
        }
        stack.push(second.unwrap_or(NodeOrdinal(0)));
        stack.push(first.unwrap_or(NodeOrdinal(0)));
    }
    name
}

/// `isFlatConsString`: a cons string one of whose internal `first`/`second` parts is empty.
fn is_flat_cons(g: &HeapGraph, t: &TypeIds, n: NodeOrdinal) -> bool {
    g.edges(n).any(|e| {
        g.edge_kind(e) as u16 == t.e_internal
            && matches!(&*g.edge_name(e), "first" | "second")
            && string_value(g, g.edge_to(e)).is_empty()
    })
}

/// Strings held by more than one object, largest total retained size first (ties in snapshot
/// order, untruncated before truncated), exactly the groups DevTools lists.
pub fn duplicated_strings(
    g: &HeapGraph,
    a: &HeapAnalysis,
    opts: &DuplicateStringOptions,
) -> Vec<DuplicateString> {
    let t = TypeIds::of(g);
    let ty = |name: &str| g.node_type_index(name).map(u16::from);
    let (string, cons) = (ty("string"), ty("concatenated string"));
    // Group key: the value, plus (length, hash) for truncated strings.
    type Key = (String, Option<(Option<i64>, Option<i64>)>);
    let mut index: HashMap<Key, usize> = HashMap::new();
    let mut groups: Vec<(bool, DuplicateString)> = Vec::new();
    for o in 0..g.node_count() {
        let n = NodeOrdinal(o as u32);
        let kind = Some(g.node_type(n) as u16);
        if kind != string && kind != cons {
            continue;
        }
        let size = a.shallow_sizes.get(o).copied().unwrap_or(0) as u64;
        if (kind == cons && is_flat_cons(g, &t, n)) || size == 0 {
            continue;
        }
        let value = string_value(g, n);
        let truncated = is_truncated(g, &t, n);
        let extra = truncated.then(|| (int_child(g, &t, n, "length"), int_child(g, &t, n, "hash")));
        let next = groups.len();
        let at = *index.entry((value, extra)).or_insert(next);
        if at == next {
            groups.push((
                truncated,
                DuplicateString {
                    value: String::new(),
                    count: 0,
                    total_size: 0,
                    total_retained_size: 0,
                    truncated,
                    nodes: Vec::new(),
                },
            ));
        }
        let group = &mut groups[at].1;
        group.count += 1;
        group.total_size += size;
        group.total_retained_size += a.dominators.retained_size.get(o).copied().unwrap_or(0);
        group.nodes.push(n);
    }
    let mut values: Vec<(usize, String)> = index.into_iter().map(|(k, i)| (i, k.0)).collect();
    values.sort_unstable_by_key(|(i, _)| *i);
    for ((_, value), (_, group)) in values.into_iter().zip(groups.iter_mut()) {
        group.value = value.chars().take(opts.max_value_chars).collect();
    }
    // DevTools lists untruncated groups, then truncated ones, each in first-seen order, and
    // sorts that list stably by retained size.
    let (mut out, truncated): (Vec<_>, Vec<_>) = groups
        .into_iter()
        .filter(|(_, d)| d.count > 1)
        .partition(|(tr, _)| !tr);
    out.extend(truncated);
    let mut out: Vec<DuplicateString> = out.into_iter().map(|(_, d)| d).collect();
    sort::sort_by_key(&mut out, |d| std::cmp::Reverse(d.total_retained_size));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::heap::{heap_analysis, HeapSummaryOptions};
    use crate::model::HeapGraphBuilder;

    #[test]
    fn duplicates_by_content_skipping_flat_cons_strings() {
        let mut b = HeapGraphBuilder::v8();
        let r = b.add_node("synthetic", "", 1, 0);
        let s1 = b.add_node("string", "abc", 3, 20);
        let s2 = b.add_node("string", "abc", 5, 20);
        let once = b.add_node("string", "zzz", 7, 20);
        let cons = b.add_node("concatenated string", "", 9, 32);
        let ab = b.add_node("string", "ab", 11, 16);
        let c = b.add_node("string", "c", 13, 16);
        let flat = b.add_node("concatenated string", "", 15, 32);
        let empty = b.add_node("string", "", 17, 16);
        for (i, n) in [s1, s2, once, cons, flat].into_iter().enumerate() {
            b.add_edge(r, "element", &(i + 1).to_string(), n);
        }
        b.add_edge(cons, "internal", "first", ab);
        b.add_edge(cons, "internal", "second", c);
        b.add_edge(flat, "internal", "first", s1);
        b.add_edge(flat, "internal", "second", empty);
        let g = b.finish().unwrap();
        let a = heap_analysis(&g, &HeapSummaryOptions::default());
        assert_eq!(string_value(&g, cons), "abc");
        let d = duplicated_strings(&g, &a, &DuplicateStringOptions::default());
        assert_eq!(d.len(), 1);
        assert_eq!(
            (
                d[0].value.as_str(),
                d[0].count,
                d[0].total_size,
                &d[0].nodes[..]
            ),
            ("abc", 3, 72, &[s1, s2, cons][..])
        );
    }
}
