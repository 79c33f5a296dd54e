//! The shared vocabulary every layer speaks: interned strings, frames, the stack trie, samples
//! and the `Profile` that carries them. It depends on nothing else in the crate, and holds data
//! and invariants only; decoding lives in `formats` and numbers in `analysis`.

mod heap_graph;
mod ids;
mod profile;
mod stack_tree;
mod strings;
mod units;

pub use heap_graph::{
    HeapGraph, HeapGraphBuilder, HeapLocation, HeapStrings, NodeOrdinal, EDGE_KIND_BITS,
    EDGE_NAME_BITS, MAX_EDGE_KINDS, MAX_EDGE_NAME,
};
pub use ids::{FrameId, IdHasher, IdMap, StackId, StrId};
pub use profile::{Frame, Label, LabelValue, Profile, ProfileKind, ProfileMeta, Samples};
pub use stack_tree::StackTree;
pub use strings::StringTable;
pub use units::{format_value, scale, scaled_label, SampleType, Unit};
