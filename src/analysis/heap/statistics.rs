//! `statistics`: DevTools' Statistics view (`JSHeapSnapshot.calculateStatistics`): the heap's
//! total split into code, strings, JS arrays, typed arrays, system objects and native (DOM)
//! memory, plus node and edge counts. It does not draw the pie chart.

use serde::{Deserialize, Serialize};

use super::heap_summary::HeapAnalysis;
use super::type_ids::{NameIs, TypeIds};
use crate::model::{HeapGraph, NodeOrdinal};

/// Native (embedder) memory: DOM nodes, array buffer backing stores.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NativeStatistics {
    /// Self sizes of `native` nodes plus the header's `extra_native_bytes`.
    pub total: u64,
    /// Of which `system / JSArrayBufferData` (typed array backing stores).
    pub typed_arrays: u64,
}

/// Memory on V8's own heap.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct V8HeapStatistics {
    /// Total size minus native memory.
    pub total: u64,
    /// `code` nodes.
    pub code: u64,
    /// Objects named `Array` plus their `elements` backing store when the array is its only
    /// retainer.
    pub js_arrays: u64,
    /// `string`, `concatenated string` and `sliced string` nodes.
    pub strings: u64,
    /// `hidden` nodes (after DevTools moved single-owner internals to their owners).
    pub system: u64,
}

impl V8HeapStatistics {
    /// What the pie chart calls "Other JS objects": the V8 total minus the named categories.
    pub fn other(&self) -> u64 {
        self.total
            .saturating_sub(self.code + self.js_arrays + self.strings + self.system)
    }
}

/// DevTools' `getStatistics()` (same field names in JSON), plus node and edge counts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeapStatistics {
    /// The root's retained size plus `extra_native_bytes` (DevTools' total size).
    pub total: u64,
    /// Native memory.
    pub native: NativeStatistics,
    /// V8 heap memory.
    pub v8heap: V8HeapStatistics,
    /// Objects in the snapshot (absent from DevTools' own statistics object).
    #[serde(default)]
    pub node_count: u64,
    /// References in the snapshot (absent from DevTools' own statistics object).
    #[serde(default)]
    pub edge_count: u64,
}

/// How many edges point at each node (DevTools' `retainersCount`, weak edges included).
fn retainer_counts(g: &HeapGraph) -> Vec<u32> {
    let mut counts = vec![0u32; g.node_count()];
    for &to in g.edge_targets() {
        if let Some(c) = counts.get_mut(to as usize) {
            *c = c.saturating_add(1);
        }
    }
    counts
}

/// DevTools' statistics of `g`, using the shallow sizes and retained sizes of `a`.
pub fn statistics(g: &HeapGraph, a: &HeapAnalysis) -> HeapStatistics {
    let t = TypeIds::of(g);
    let type_of = |name: &str| g.node_type_index(name).map_or(u16::MAX, u16::from);
    let (string, cons, sliced) = (
        type_of("string"),
        type_of("concatenated string"),
        type_of("sliced string"),
    );
    let size = |o: usize| a.shallow_sizes.get(o).copied().unwrap_or(0) as u64;
    let mut retainers: Option<Vec<u32>> = None;
    let mut is_array = NameIs::new(g, "Array");
    let mut native = g.extra_native_bytes();
    let (mut typed_arrays, mut code, mut strings, mut js_arrays, mut system) = (0, 0, 0, 0, 0);
    for o in 0..g.node_count() {
        let n = NodeOrdinal(o as u32);
        let ty = g.node_type(n) as u16;
        let s = size(o);
        if ty == t.hidden {
            system += s;
        } else if ty == t.native {
            native += s;
            if g.node_name(n) == "system / JSArrayBufferData" {
                typed_arrays += s;
            }
        } else if ty == t.code {
            code += s;
        } else if ty == string || ty == cons || ty == sliced {
            strings += s;
        } else if is_array.test(g, g.node_name_index(n)) {
            // calculateArraySize: the first internal `elements` edge's target counts when the
            // array is its only retainer.
            js_arrays += s;
            let elements = g
                .edges(n)
                .find(|&e| g.edge_kind(e) as u16 == t.e_internal && g.edge_name(e) == "elements");
            if let Some(e) = elements {
                let to = g.edge_to(e).index();
                let counts = retainers.get_or_insert_with(|| retainer_counts(g));
                if counts[to] == 1 {
                    js_arrays += size(to);
                }
            }
        }
    }
    let total = a
        .dominators
        .retained_size
        .get(g.root().index())
        .copied()
        .unwrap_or(0)
        + g.extra_native_bytes();
    HeapStatistics {
        total,
        native: NativeStatistics {
            total: native,
            typed_arrays,
        },
        v8heap: V8HeapStatistics {
            total: total.saturating_sub(native),
            code,
            js_arrays,
            strings,
            system,
        },
        node_count: g.node_count() as u64,
        edge_count: g.edge_count() as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::heap::{heap_analysis, HeapSummaryOptions};
    use crate::model::HeapGraphBuilder;

    #[test]
    fn categories_follow_devtools_rules() {
        let mut b = HeapGraphBuilder::v8();
        let r = b.add_node("synthetic", "", 1, 0);
        let arr = b.add_node("object", "Array", 3, 16);
        let own = b.add_node("array", "", 5, 100);
        let arr2 = b.add_node("object", "Array", 7, 16);
        let shared = b.add_node("array", "", 9, 40);
        let s = b.add_node("string", "hello", 11, 20);
        let c = b.add_node("code", "f", 13, 30);
        let buf = b.add_node("native", "system / JSArrayBufferData", 15, 1000);
        let h = b.add_node("hidden", "system / Foo", 17, 8);
        b.add_edge(r, "element", "1", arr);
        b.add_edge(r, "element", "2", arr2);
        b.add_edge(r, "element", "3", s);
        b.add_edge(r, "element", "4", c);
        b.add_edge(r, "element", "5", buf);
        b.add_edge(r, "element", "6", h);
        b.add_edge(arr, "internal", "elements", own);
        b.add_edge(arr2, "internal", "elements", shared);
        b.add_edge(s, "internal", "x", shared);
        let g = b.finish().unwrap();
        let a = heap_analysis(&g, &HeapSummaryOptions::default());
        let st = statistics(&g, &a);
        // own moved into arr (116); shared keeps its 40 (two retainers) and is not counted.
        assert_eq!(st.v8heap.js_arrays, 116 + 16);
        assert_eq!(
            (st.v8heap.strings, st.v8heap.code, st.v8heap.system),
            (20, 30, 8)
        );
        assert_eq!((st.native.total, st.native.typed_arrays), (1000, 1000));
        assert_eq!(st.total, 16 + 100 + 16 + 40 + 20 + 30 + 1000 + 8);
        assert_eq!(st.v8heap.total, st.total - 1000);
        assert_eq!(st.v8heap.other(), 40);
        assert_eq!((st.node_count, st.edge_count), (9, 9));
    }
}
