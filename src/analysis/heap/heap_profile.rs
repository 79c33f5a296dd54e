//! `heap_profile`: the heap as a `model::Profile`, aggregated by dominator path, so that the
//! pprof views (top, flame graph, call tree) show heap snapshots too. A sample's stack is the
//! class names along an object's dominator chain, root first; a frame's cum is then the
//! retained size of the objects on that path. It does not keep per-object detail.

use std::collections::HashMap;

use super::heap_summary::HeapAnalysis;
use crate::model::{
    Frame, FrameId, HeapGraph, Profile, ProfileKind, ProfileMeta, SampleType, StackId,
};

/// Options for `heap_profile`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct HeapProfileOptions {
    /// Merge runs of the same class along a path (`Node;Node;Node` → `Node`), so that linked
    /// lists and trees do not make paths as deep as the list is long.
    pub collapse_repeats: bool,
    /// Paths deeper than this are cut; deeper objects count at the last kept frame.
    pub max_depth: usize,
}

impl Default for HeapProfileOptions {
    fn default() -> Self {
        HeapProfileOptions {
            collapse_repeats: true,
            max_depth: 64,
        }
    }
}

/// Name of the frame holding the header's `extra_native_bytes` (native memory outside nodes).
pub const EXTRA_NATIVE_FRAME: &str = "(extra native bytes)";

/// The heap by dominator path: sample types `objects/count` (objects with a non-zero shallow
/// size, as Summary counts them) and `self_size/bytes` (DevTools' shallow sizes; the default).
/// The self sizes add up to DevTools' total size.
pub fn heap_profile(g: &HeapGraph, a: &HeapAnalysis, opts: &HeapProfileOptions) -> Profile {
    let mut p = empty_heap_profile();
    let n = g.node_count();
    let root = g.root().index();
    let idom = &a.dominators.idom;
    // Dominator-tree children (CSR), to visit parents before children.
    let (first, children) = a.dominators.children(root);
    let mut frames: HashMap<u32, FrameId> = HashMap::new();
    let mut frame_of = |p: &mut Profile, class: u32| -> FrameId {
        *frames.entry(class).or_insert_with(|| {
            let function = p.strings.intern(a.class_names.name(g, class));
            p.add_frame(Frame {
                function,
                ..Default::default()
            })
        })
    };
    // stack[o] and depth[o] for visited nodes; values summed per stack.
    let mut stack: Vec<Option<StackId>> = vec![None; n];
    let mut depth = vec![0u32; n];
    let mut values: Vec<[i64; 2]> = Vec::new();
    let mut todo: Vec<u32> = children
        .get(first[root] as usize..first[root + 1] as usize)
        .unwrap_or(&[])
        .to_vec();
    while let Some(o) = todo.pop() {
        let o = o as usize;
        let parent = idom[o] as usize;
        let (up, up_depth) = if parent == root {
            (None, 0)
        } else {
            (stack[parent], depth[parent])
        };
        let class = a.class_names.class_of.get(o).copied().unwrap_or(0);
        let frame = frame_of(&mut p, class);
        let same = up.is_some_and(|s| p.stacks.frame(s) == frame);
        let (s, d) = if (opts.collapse_repeats && same) || up_depth as usize >= opts.max_depth {
            (up, up_depth)
        } else {
            (Some(p.stacks.intern(up, frame)), up_depth + 1)
        };
        stack[o] = s;
        depth[o] = d;
        let size = a.shallow_sizes.get(o).copied().unwrap_or(0) as i64;
        if let Some(s) = s {
            if values.len() <= s.index() {
                values.resize(s.index() + 1, [0, 0]);
            }
            values[s.index()][0] += (size != 0) as i64;
            values[s.index()][1] += size;
        }
        todo.extend_from_slice(&children[first[o] as usize..first[o + 1] as usize]);
    }
    // The root's own size (0 in V8 snapshots) and extra native bytes get frames of their own.
    let root_size = a.shallow_sizes.get(root).copied().unwrap_or(0) as i64;
    for (name, objects, bytes) in [
        ("(root)", (root_size != 0) as i64, root_size),
        (EXTRA_NATIVE_FRAME, 0, g.extra_native_bytes() as i64),
    ] {
        if bytes != 0 {
            let function = p.strings.intern(name);
            let f = p.add_frame(Frame {
                function,
                ..Default::default()
            });
            let s = p.stacks.intern(None, f);
            values.resize(values.len().max(s.index() + 1), [0, 0]);
            values[s.index()] = [objects, bytes];
        }
    }
    for (i, v) in values.iter().enumerate() {
        if *v != [0, 0] {
            p.samples.push(Some(StackId(i as u32)), v, 0);
        }
    }
    p
}

/// A heap profile with `heap_profile`'s sample types and metadata but no samples: what a list
/// of profiles shows before the (slower) dominator-path aggregation runs.
pub fn empty_heap_profile() -> Profile {
    let mut p = Profile::new(vec![
        SampleType::new("objects", "count"),
        SampleType::new("self_size", "bytes"),
    ]);
    p.meta = ProfileMeta {
        kind: ProfileKind::Other("heap snapshot".to_owned()),
        format: "V8 heap snapshot".to_owned(),
        ..ProfileMeta::default()
    };
    p
}

/// The totals of `heap_profile`'s two sample types without building it: objects with a
/// non-zero shallow size, and the shallow sizes plus the header's extra native bytes.
pub fn heap_profile_totals(g: &HeapGraph, a: &HeapAnalysis) -> [i64; 2] {
    let (objects, bytes) = a.shallow_sizes.iter().fold((0i64, 0i64), |(o, b), &s| {
        (o + (s != 0) as i64, b + s as i64)
    });
    [objects, bytes + g.extra_native_bytes() as i64]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::heap::{heap_analysis, HeapSummaryOptions};
    use crate::model::HeapGraphBuilder;

    #[test]
    fn cum_along_dominator_paths_is_retained_size() {
        // root → cache(Map) → list node → node → node → leaf(Session), root → other(Foo).
        let mut b = HeapGraphBuilder::v8();
        let r = b.add_node("synthetic", "", 1, 0);
        let cache = b.add_node("object", "Map", 3, 10);
        let n1 = b.add_node("object", "Node", 5, 20);
        let n2 = b.add_node("object", "Node", 7, 20);
        let s = b.add_node("object", "Session", 9, 100);
        let foo = b.add_node("object", "Foo", 11, 7);
        b.add_edge(r, "element", "1", cache);
        b.add_edge(r, "element", "2", foo);
        b.add_edge(cache, "property", "head", n1);
        b.add_edge(n1, "property", "next", n2);
        b.add_edge(n2, "property", "s", s);
        let g = b.finish().unwrap();
        let a = heap_analysis(&g, &HeapSummaryOptions::default());
        let p = heap_profile(&g, &a, &HeapProfileOptions::default());
        let mut lines: Vec<String> = p.to_text().lines().skip(1).map(String::from).collect();
        lines.sort();
        assert_eq!(
            lines,
            [
                "Foo 1 7",
                "Map 1 10",
                "Map;Node 2 40",
                "Map;Node;Session 1 100"
            ]
        );
        assert_eq!(p.total(1) as u64, a.dominators.retained_size[0]);
        assert_eq!(heap_profile_totals(&g, &a), [p.total(0), p.total(1)]);
        let opts = HeapProfileOptions {
            collapse_repeats: false,
            max_depth: 2,
        };
        let p = heap_profile(&g, &a, &opts);
        let mut lines: Vec<String> = p.to_text().lines().skip(1).map(String::from).collect();
        lines.sort();
        assert_eq!(lines, ["Foo 1 7", "Map 1 10", "Map;Node 3 140"]);
    }
}
