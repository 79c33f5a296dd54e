//! V8 heap snapshot analysis, computed exactly as Chrome DevTools' heap snapshot worker does
//! (`HeapSnapshot.ts`; FORMATS-AND-LIMITS §2.5–2.10), so every number equals what DevTools
//! shows: distances, shallow sizes, essential edges, dominators, class names and the Summary.
//! Each step is a pure function over `model::HeapGraph`; nothing here decodes files.

mod bit_set;
mod class_keys;
mod class_names;
mod closure_contexts;
mod comparison;
mod distances;
mod dom_state;
mod dominators;
mod duplicate_strings;
mod essential_edges;
mod filters;
mod growth_retainers;
mod heap_growth;
mod heap_profile;
mod heap_summary;
mod leak_clusters;
mod offsets;
mod page_owned;
mod path_clusters;
mod retainer_edges;
mod retainer_forest;
mod retainers;
mod series_keys;
mod shallow_sizes;
mod snapshot_facts;
mod snapshot_ids;
mod statistics;
mod type_ids;
mod weak_map;

pub use bit_set::BitSet;
pub use class_keys::ClassKeys;
pub use class_names::{class_names, ClassNameOptions, ClassNames, InterfaceDefinition};
pub use closure_contexts::{closures_with_context_sizes, ClosureContext};
pub use comparison::{
    comparison, comparison_deleted_objects, comparison_new_objects, comparison_with, Comparison,
    ComparisonOptions, ComparisonRow,
};
pub use distances::{distances, BASE_SYSTEM_DISTANCE, NO_DISTANCE};
pub use dom_state::{dom_states, DOM_ATTACHED, DOM_DETACHED, DOM_UNKNOWN};
pub use dominators::{dominator_tree, DominatorTree};
pub use duplicate_strings::{
    duplicated_strings, string_value, DuplicateString, DuplicateStringOptions,
};
pub use essential_edges::{
    essential_edges, essential_edges_and_in_degrees, is_essential_edge, EssentialEdgeContext,
};
pub use filters::{event_handlers, retained_by_detached_dom, retained_by_event_handlers};
pub use heap_growth::{
    heap_growth, heap_growth_with, ClassGrowthRow, HeapGrowth, HeapGrowthOptions, RetainerBasis,
    GROWTH_COUNT_NOISE, GROWTH_SIZE_NOISE_DIVISOR,
};
pub use heap_profile::{
    empty_heap_profile, heap_profile, heap_profile_totals, HeapProfileOptions, EXTRA_NATIVE_FRAME,
};
pub use heap_summary::{
    heap_analysis, heap_analysis_with, heap_summary, peak_memory_estimate, summarize,
    summarize_filtered, ClassRow, HeapAnalysis, HeapSummary, HeapSummaryOptions, ANALYSIS_PHASES,
};
pub use leak_clusters::{leak_clusters, LeakCluster, LeakClusters};
pub use page_owned::page_owned;
pub use retainer_edges::{
    edge_label, retainer_edges, RetainerEdge, RetainerEdgeOptions, RetainerEdges,
};
pub use retainer_forest::{PATH_HEAD_STEPS, PATH_TAIL_STEPS};
pub use retainers::{
    dominator_chain, retainers, retainers_with, RetainerIndex, RetainerOptions, RetainerPath,
    RetainerStep,
};
pub use shallow_sizes::shallow_sizes;
pub use snapshot_facts::{max_js_node_id, snapshot_runtime};
pub use snapshot_ids::{
    process_match, ProcessMatch, SnapshotIds, PROCESS_MATCH_SAMPLE, SAME_PROCESS_MIN_AGREEMENT,
};
pub use statistics::{statistics, HeapStatistics, NativeStatistics, V8HeapStatistics};
