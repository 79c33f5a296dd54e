//! Pure functions over the model: plain data and an `Options` struct in, plain data out. No
//! signals, globals or logging, so the same code runs in the Web Worker, the command-line tool
//! and `cargo test`.

mod call_tree;

pub use call_tree::{CallTree, NO_PARENT};
mod granularity;
pub mod growth;
mod merge;
mod refine;
mod stack_values;
mod top;
mod top_stacks;
mod top_text;

pub use call_tree::{call_tree, call_tree_pruned};
pub use granularity::{frame_has_line, frame_key, FrameKeys, Granularity};
pub use merge::{merge, MergeError};
pub use refine::{refine, RefineError, RefineOptions};
pub use stack_values::{report_total, StackChildren, StackValues};
pub use top::{
    pprof_top, pprof_visible_rows, top, Inlining, TopOptions, TopRow, TopTable, VisibleRows,
};
pub use top_stacks::{top_stacks, StackRow};
pub use top_text::{output_unit, percentage, pprof_time, top_text, TopTextOptions};
pub mod heap;
pub use heap::{
    dominator_tree, heap_analysis, heap_summary, ClassRow, DominatorTree, HeapAnalysis,
    HeapSummary, HeapSummaryOptions,
};
pub use heap::{heap_profile, statistics, HeapProfileOptions, HeapStatistics};
