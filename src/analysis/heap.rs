//! V8 heap snapshot analysis, computed exactly as Chrome DevTools' heap snapshot worker does
//! (`HeapSnapshot.ts`; FORMATS-AND-LIMITS §2.5–2.10), so every number equals what DevTools
//! shows: distances, shallow sizes, essential edges, dominators, class names and the Summary.
//! Each step is a pure function over `model::HeapGraph`; nothing here decodes files.

mod bit_set;
mod class_names;
mod distances;
mod dom_state;
mod dominators;
mod essential_edges;
mod heap_summary;
mod page_owned;
mod shallow_sizes;
mod type_ids;
mod weak_map;

pub use bit_set::BitSet;
pub use class_names::{class_names, ClassNameOptions, ClassNames};
pub use distances::{distances, BASE_SYSTEM_DISTANCE, NO_DISTANCE};
pub use dom_state::{dom_states, DOM_ATTACHED, DOM_DETACHED, DOM_UNKNOWN};
pub use dominators::{dominator_tree, DominatorTree};
pub use essential_edges::{essential_edges, is_essential_edge, EssentialEdgeContext};
pub use heap_summary::{
    heap_analysis, heap_summary, summarize, ClassRow, HeapAnalysis, HeapSummary, HeapSummaryOptions,
};
pub use page_owned::page_owned;
pub use shallow_sizes::shallow_sizes;
