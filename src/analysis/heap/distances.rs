//! `distances`: DevTools' Summary "Distance" — BFS edge counts from the user roots, then from the
//! root for what is left, at `BASE_SYSTEM_DISTANCE` (`calculateDistances`, `bfs`; FORMATS-AND-LIMITS
//! §2.6). Weak edges, `sloppy_function_map`, most `(map descriptors)` slots and the first of each
//! WeakMap ephemeron pair are not followed.

use super::bit_set::BitSet;
use super::page_owned::{self, page_owned};
use super::type_ids::{NameIs, TypeIds};
use super::weak_map::WeakMapEdges;
use crate::model::{HeapGraph, NodeOrdinal, EDGE_NAME_BITS};

/// Distance of a node no BFS reaches (DevTools' `noDistance`).
pub const NO_DISTANCE: i32 = -5;
/// Where the second BFS (from the root) starts when user roots exist: "system" objects get
/// distances of 100,000,000 and more (`HeapSnapshotModel.baseSystemDistance`).
pub const BASE_SYSTEM_DISTANCE: i32 = 100_000_000;

/// JavaScript's `parseInt(s, 10)` for the descriptor-slot rule: optional whitespace and sign, then
/// the leading digits; `None` is NaN.
fn js_parse_int(s: &str) -> Option<i64> {
    let s = s.trim_start();
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let end = digits
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(digits.len());
    if end == 0 {
        return None;
    }
    let v = digits[..end].bytes().fold(0i64, |acc, b| {
        acc.saturating_mul(10).saturating_add((b - b'0') as i64)
    });
    Some(if neg { -v } else { v })
}

struct Filter<'g> {
    g: &'g HeapGraph,
    t: TypeIds,
    weak_maps: &'g WeakMapEdges,
    /// Ephemeron pairs whose first edge was skipped (`WeakMapName::pair`).
    pending: BitSet,
    /// Node names that make a node's edges special.
    native_context: NameIs<'static>,
    descriptors: NameIs<'static>,
}

impl<'g> Filter<'g> {
    /// DevTools' `JSHeapSnapshot.calculateDistances` filter; `src_hidden_ctx`/`src_descriptors`
    /// describe the source node.
    fn follows(&mut self, src_native_context: bool, src_descriptors: bool, e: usize) -> bool {
        let g = self.g;
        let kind = g.edge_kind(e) as u16;
        let numeric = kind == self.t.e_element || kind == self.t.e_hidden;
        if src_native_context
            && !numeric
            && g.strings().get(g.edge_name_or_index(e)) == "sloppy_function_map"
        {
            return false;
        }
        if src_descriptors {
            // crbug.com/413608: descriptor arrays may be shared by maps, so skip key/type slots.
            let index = if numeric {
                Some(g.edge_name_or_index(e) as i64)
            } else {
                js_parse_int(g.strings().get(g.edge_name_or_index(e)))
            };
            return match index {
                Some(i) => i < 2 || i % 3 != 1,
                None => true,
            };
        }
        if kind == self.t.e_internal {
            let name = g.edge_name_or_index(e);
            if let Some(w) = self.weak_maps.get(name) {
                // crbug.com/1290800: a WeakMap value's distance is max(table, key) + 1.
                if !self.pending.get(w.pair as usize) {
                    self.pending.set(w.pair as usize);
                    return false;
                }
                self.pending.clear(w.pair as usize);
            }
        }
        true
    }

    /// The breadth-first search from the nodes in `queue`; with `trace`, the nodes it reaches
    /// and the targets of the non-weak edges it does not follow are noted there.
    fn bfs(&mut self, queue: &mut Vec<u32>, distances: &mut [i32], mut trace: Option<&mut Trace>) {
        let g = self.g;
        let mut head = 0;
        while head < queue.len() {
            let o = NodeOrdinal(queue[head]);
            head += 1;
            let d = distances[o.index()] + 1;
            let ty = g.node_type(o) as u16;
            let name = g.node_name_index(o);
            let native_context = ty == self.t.hidden && self.native_context.test(g, name);
            let descriptors = ty == self.t.array && self.descriptors.test(g, name);
            // The raw columns, so the common case (weak, or already reached) costs no lookups.
            let edges = g.edges(o);
            let first = edges.start;
            let kinds = &g.edge_kind_names()[edges.clone()];
            let targets = &g.edge_targets()[edges];
            for (i, (&kn, &to)) in kinds.iter().zip(targets).enumerate() {
                if (kn >> EDGE_NAME_BITS) as u16 == self.t.e_weak {
                    continue;
                }
                let (e, to) = (first + i, to as usize);
                if distances.get(to) != Some(&NO_DISTANCE) {
                    continue;
                }
                if !self.follows(native_context, descriptors, e) {
                    if let Some(trace) = trace.as_deref_mut() {
                        trace.skipped.push(to as u32);
                    }
                    continue;
                }
                distances[to] = d;
                queue.push(to as u32);
                if let Some(trace) = trace.as_deref_mut() {
                    trace.reached.set(to);
                }
            }
        }
    }
}

/// What the first search notes for the page-owned nodes (`distances_and_page_owned`).
struct Trace {
    /// The nodes it reached.
    reached: BitSet,
    /// Targets of the non-weak edges it did not follow (possibly reached later, or twice).
    skipped: Vec<u32>,
}

/// Each node's distance from the user roots (`NO_DISTANCE` when unreachable).
pub fn distances(g: &HeapGraph) -> Vec<i32> {
    distances_with(g, &WeakMapEdges::of(g))
}

/// `distances` with the graph's WeakMap edge names already parsed (`heap_analysis` parses
/// them once for this and the essential edges).
pub(crate) fn distances_with(g: &HeapGraph, weak_maps: &WeakMapEdges) -> Vec<i32> {
    distances_and(g, weak_maps, false).0
}

/// `distances_with`, and the page-owned nodes (`page_owned`) found on the way: when the
/// page-owned nodes start where the first search does (the root's children that are user
/// roots are exactly its shortcut targets and `(Document DOM trees)`, as in V8's snapshots),
/// they are the nodes that search reaches plus what is reachable over non-weak edges from
/// the targets of the edges it did not follow; otherwise they are walked on their own.
pub(crate) fn distances_and_page_owned(
    g: &HeapGraph,
    weak_maps: &WeakMapEdges,
) -> (Vec<i32>, BitSet) {
    let (distances, page) = distances_and(g, weak_maps, true);
    (distances, page.unwrap_or_else(|| page_owned(g)))
}

/// The distances, and with `page`, the page-owned nodes when they can be had from the first
/// search (`distances_and_page_owned`).
fn distances_and(
    g: &HeapGraph,
    weak_maps: &WeakMapEdges,
    page: bool,
) -> (Vec<i32>, Option<BitSet>) {
    let t = TypeIds::of(g);
    let mut f = Filter {
        g,
        t,
        weak_maps,
        pending: BitSet::new(weak_maps.pair_count()),
        native_context: NameIs::new(g, "system / NativeContext"),
        descriptors: NameIs::new(g, "(map descriptors)"),
    };
    let mut distances = vec![NO_DISTANCE; g.node_count()];
    let mut queue: Vec<u32> = Vec::with_capacity(g.node_count());
    for e in g.edges(g.root()) {
        let to = g.edge_to(e);
        if t.is_user_root(g, to) {
            distances[to.index()] = 1;
            queue.push(to.0);
        }
    }
    let had_user_roots = !queue.is_empty();
    let same_start = page && {
        let mut roots = queue.clone();
        let mut entries = page_owned::entries(g, &f.t);
        roots.sort_unstable();
        roots.dedup();
        entries.sort_unstable();
        entries.dedup();
        roots == entries
    };
    // Marked by the search as it goes: a loop of this function's own over every node would
    // run once per load, in V8's baseline code (see `session::warm_up`).
    let mut trace = same_start.then(|| {
        let mut reached = BitSet::new(g.node_count());
        for &o in &queue {
            reached.set(o as usize);
        }
        Trace {
            reached,
            skipped: Vec::new(),
        }
    });
    f.bfs(&mut queue, &mut distances, trace.as_mut());
    let page = trace.map(|mut trace| {
        page_owned::close_over(g, &f.t, &mut trace.reached, trace.skipped);
        trace.reached
    });
    queue.clear();
    distances[g.root().index()] = if had_user_roots {
        BASE_SYSTEM_DISTANCE
    } else {
        0
    };
    queue.push(g.root().0);
    f.bfs(&mut queue, &mut distances, None);
    (distances, page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::HeapGraphBuilder;
    use crate::test_rng::XorShift;

    /// The page-owned nodes taken from the first search are the walk's own, on random graphs
    /// whose edges the search does not follow (weak, descriptor slots, `sloppy_function_map`),
    /// and the walk stands in when the root's user roots are not the page's entries.
    #[test]
    fn page_owned_from_the_search_is_the_walks() {
        let mut rng = XorShift::new(0x9e37_79b9_7f4a_7c15);
        let mut next = |bound: u64| rng.below(bound);
        let nodes = [
            ("object", "Foo"),
            ("object", "Bar"),
            ("array", "(map descriptors)"),
            ("hidden", "system / NativeContext"),
            ("closure", "f"),
            ("native", "Detached <div>"),
        ];
        let kinds = [
            "element", "property", "weak", "internal", "hidden", "shortcut",
        ];
        let names = ["a", "sloppy_function_map", "4", "x"];
        let (mut from_search, mut walked) = (0, 0);
        for round in 0..400 {
            let n = 4 + next(30) as usize;
            let mut b = HeapGraphBuilder::v8();
            let mut ords = vec![
                b.add_node("synthetic", "", 1, 0),
                b.add_node("synthetic", "(GC roots)", 3, 0),
                b.add_node("synthetic", "(Document DOM trees)", 5, 0),
            ];
            for i in 3..n {
                let (kind, name) = nodes[next(nodes.len() as u64) as usize];
                ords.push(b.add_node(kind, name, 2 * i as u32 + 1, 8));
            }
            let pick = |r: u64| ords[3 + (r as usize) % (n - 3)];
            // The root: shortcuts to a few objects, its synthetic children, and in some
            // rounds an element edge to an object (a user root that is not a page entry).
            for _ in 0..1 + next(3) {
                b.add_edge(ords[0], "shortcut", "global", pick(next(1000)));
            }
            b.add_edge(ords[0], "element", "1", ords[1]);
            if round % 3 == 0 {
                b.add_edge(ords[0], "element", "2", ords[2]);
            }
            if round % 5 == 4 {
                b.add_edge(ords[0], "element", "3", pick(next(1000)));
            }
            b.add_edge(ords[1], "element", "1", pick(next(1000)));
            for &from in &ords[2..] {
                for _ in 0..next(5) {
                    let kind = kinds[next(kinds.len() as u64) as usize];
                    let name = match kind {
                        "element" | "hidden" => format!("{}", next(9)),
                        _ => names[next(names.len() as u64) as usize].to_owned(),
                    };
                    b.add_edge(from, kind, &name, pick(next(1000)));
                }
            }
            let g = b.finish().unwrap();
            let t = TypeIds::of(&g);
            let weak_maps = WeakMapEdges::of(&g);
            let (got, page) = distances_and_page_owned(&g, &weak_maps);
            assert_eq!(got, distances(&g), "round {round}");
            assert_eq!(page, page_owned(&g), "round {round}");
            let mut roots: Vec<u32> = g
                .edges(g.root())
                .map(|e| g.edge_to(e))
                .filter(|&to| t.is_user_root(&g, to))
                .map(|to| to.0)
                .collect();
            let mut entries = page_owned::entries(&g, &t);
            for v in [&mut roots, &mut entries] {
                v.sort_unstable();
                v.dedup();
            }
            if roots == entries {
                from_search += 1;
            } else {
                walked += 1;
            }
        }
        assert!(from_search > 200 && walked > 40, "{from_search} / {walked}");
    }

    #[test]
    fn user_roots_first_then_system_at_base() {
        let mut b = HeapGraphBuilder::v8();
        let r = b.add_node("synthetic", "", 1, 0);
        let gc = b.add_node("synthetic", "(GC roots)", 3, 0);
        let global = b.add_node("object", "global", 5, 10);
        let a = b.add_node("object", "A", 7, 10);
        let sys = b.add_node("hidden", "system", 9, 10);
        let weak_only = b.add_node("object", "W", 11, 10);
        b.add_edge(r, "element", "1", gc);
        b.add_edge(r, "shortcut", "global", global);
        b.add_edge(gc, "element", "1", sys);
        b.add_edge(global, "property", "a", a);
        b.add_edge(a, "weak", "w", weak_only);
        let g = b.finish().unwrap();
        assert_eq!(
            distances(&g),
            [
                BASE_SYSTEM_DISTANCE,
                BASE_SYSTEM_DISTANCE + 1,
                1,
                2,
                BASE_SYSTEM_DISTANCE + 2,
                NO_DISTANCE
            ]
        );
    }

    #[test]
    fn weak_map_value_distance_is_the_greater_path() {
        let mut b = HeapGraphBuilder::v8();
        let r = b.add_node("synthetic", "", 1, 0);
        let global = b.add_node("object", "global", 3, 10);
        let table = b.add_node("array", "", 5, 10);
        let mid = b.add_node("object", "Mid", 7, 10);
        let key = b.add_node("object", "K", 9, 10);
        let val = b.add_node("object", "V", 11, 10);
        let pair = "1 / part of key (K @9) -> value (V @11) pair in WeakMap (table @5)";
        b.add_edge(r, "shortcut", "g", global);
        b.add_edge(global, "internal", "table", table);
        b.add_edge(global, "property", "mid", mid);
        b.add_edge(table, "internal", pair, val);
        b.add_edge(mid, "property", "key", key);
        b.add_edge(key, "internal", pair, val);
        let g = b.finish().unwrap();
        // Via the table V would be at 3; DevTools waits for the key edge: 4.
        assert_eq!(distances(&g)[val.index()], 4);
        assert_eq!(js_parse_int(" -12ab"), Some(-12));
        assert_eq!(js_parse_int("x1"), None);
    }
}
