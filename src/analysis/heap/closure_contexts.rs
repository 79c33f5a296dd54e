//! `closures_with_context_sizes`: every closure with the retained size of the context (scope)
//! it captures, so that a small function holding a huge scope stands out. Closures sharing one
//! context each report it; nothing here divides a context between them.

use crate::analysis::sort;
use serde::{Deserialize, Serialize};

use super::heap_summary::HeapAnalysis;
use crate::model::{HeapGraph, NodeOrdinal};

/// A closure and the context it captures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosureContext {
    /// The closure (`Function` in Summary).
    pub closure: NodeOrdinal,
    /// Its V8 id.
    pub id: u32,
    /// The function's name (`""` for anonymous functions).
    pub name: String,
    /// The closure's own retained size.
    pub retained_size: u64,
    /// Its `context` edge's target (`system / Context`), if any.
    pub context: Option<NodeOrdinal>,
    /// The context's retained size (0 without a context).
    pub context_retained_size: u64,
    /// How many closures share that context.
    pub sharing: u32,
}

/// Each closure with its context's retained size, largest context first (then largest closure,
/// then snapshot order).
pub fn closures_with_context_sizes(g: &HeapGraph, a: &HeapAnalysis) -> Vec<ClosureContext> {
    let Some(closure_type) = g.node_type_index("closure") else {
        return Vec::new();
    };
    let retained = |n: NodeOrdinal| a.dominators.retained_size.get(n.index()).copied();
    let mut out: Vec<ClosureContext> = (0..g.node_count() as u32)
        .map(NodeOrdinal)
        .filter(|&n| g.node_type(n) == closure_type)
        .map(|n| {
            // V8 names the captured scope `context` (an internal edge of JSFunction).
            let context = g
                .edges(n)
                .find(|&e| g.edge_name_index(e).is_some() && g.edge_name(e) == "context")
                .map(|e| g.edge_to(e));
            ClosureContext {
                closure: n,
                id: g.node_id(n),
                name: g.node_name(n).to_owned(),
                retained_size: retained(n).unwrap_or(0),
                context,
                context_retained_size: context.and_then(retained).unwrap_or(0),
                sharing: 0,
            }
        })
        .collect();
    let mut sharing = std::collections::HashMap::<u32, u32>::new();
    for c in out.iter().filter_map(|c| c.context) {
        *sharing.entry(c.0).or_default() += 1;
    }
    for c in &mut out {
        c.sharing = c.context.map_or(0, |x| sharing[&x.0]);
    }
    sort::sort_by(&mut out, |x, y| {
        (y.context_retained_size, y.retained_size, x.closure).cmp(&(
            x.context_retained_size,
            x.retained_size,
            y.closure,
        ))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::heap::{heap_analysis, HeapSummaryOptions};
    use crate::model::HeapGraphBuilder;

    #[test]
    fn big_scopes_first_and_shared_contexts_counted() {
        let mut b = HeapGraphBuilder::v8();
        let r = b.add_node("synthetic", "", 1, 0);
        let f1 = b.add_node("closure", "onTick", 3, 32);
        let f2 = b.add_node("closure", "onTock", 5, 32);
        let f3 = b.add_node("closure", "small", 7, 32);
        let ctx = b.add_node("object", "system / Context", 9, 40);
        let buf = b.add_node("native", "Buffer", 11, 16384);
        let ctx2 = b.add_node("object", "system / Context", 13, 24);
        for (i, f) in [f1, f2, f3].into_iter().enumerate() {
            b.add_edge(r, "element", &(i + 1).to_string(), f);
        }
        b.add_edge(f1, "context", "context", ctx);
        b.add_edge(f2, "internal", "context", ctx);
        b.add_edge(f3, "internal", "context", ctx2);
        b.add_edge(ctx, "context", "buf", buf);
        let g = b.finish().unwrap();
        let a = heap_analysis(&g, &HeapSummaryOptions::default());
        let c = closures_with_context_sizes(&g, &a);
        let got: Vec<_> = c
            .iter()
            .map(|c| (c.name.as_str(), c.context_retained_size, c.sharing))
            .collect();
        assert_eq!(
            got,
            [("onTick", 16424, 2), ("onTock", 16424, 2), ("small", 24, 1)]
        );
        assert_eq!(c[2].retained_size, 32 + 24);
    }
}
