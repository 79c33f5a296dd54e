//! Pure functions over the model: plain data and an `Options` struct in, plain data out. No
//! signals, globals or logging, so the same code runs in the Web Worker, the command-line tool
//! and `cargo test`. Every pprof report reads one `Aggregate`.

mod aggregate;
mod call_tree;
pub mod checklist;
mod diff;
pub mod frames;
mod granularity;
pub mod growth;
mod merge;
mod refine;
mod sandwich;
mod series;
pub mod sort;
mod top;
mod top_stacks;
mod top_text;

pub use aggregate::{
    aggregate, aggregate_scaled, report_total, Aggregate, Measure, NodeValues, ReportOptions, Step,
    NO_PARENT,
};
pub use call_tree::{call_tree, call_tree_of, CallTree};
pub use diff::{
    diff_aggregate, diff_stacks, diff_table, diff_top, Change, DiffRow, DiffStackRow, DiffTable,
    DIFF,
};
pub use granularity::{frame_has_line, frame_key, Granularity, ReportNodes};
pub use merge::{compatible, merge, MergeError};
pub use refine::{refine, RefineError, RefineOptions};
pub use sandwich::{peek, sandwich, PeekEdge, PeekReport, PeekRow, Sandwich};
pub use series::{
    group_series, heap_series_key, natural_cmp, order_members, pprof_series_key, Series,
    SeriesMember,
};
pub use top::{
    pprof_top, pprof_visible_rows, ranked_nodes, top, top_table, Inlining, TopRow, TopTable,
    VisibleRows,
};
pub use top_stacks::{rank_paths, stack_paths, top_stacks, StackPath, StackRow};
pub use top_text::{output_unit, peek_text, percentage, pprof_time, top_text, TopTextOptions};
pub mod heap;
pub use heap::{
    dominator_tree, heap_analysis, heap_summary, ClassRow, DominatorTree, HeapAnalysis,
    HeapSummary, HeapSummaryOptions,
};
pub use heap::{heap_profile, statistics, HeapProfileOptions, HeapStatistics};
