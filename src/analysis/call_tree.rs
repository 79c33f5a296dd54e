//! `CallTree`: the samples of one sample type merged into a tree of frames keyed by the chosen
//! granularity, with self and total values per node. It feeds the flame graph (via `layout`)
//! and crosses the worker boundary as plain serde data; it does not draw or lay anything out.

use serde::{Deserialize, Serialize};

use crate::model::SampleType;

/// Sentinel parent of a root node.
pub const NO_PARENT: u32 = u32::MAX;

/// A merged call tree, one node per distinct path of granularity keys.
///
/// Invariants: nodes are in depth-first pre-order, so a node's subtree is the contiguous run
/// of nodes after it with greater depth; siblings are sorted by name; `total_value[n]` is
/// `self_value[n]` plus the totals of its children; the sum of root totals is `total`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CallTree {
    /// What the values measure.
    pub sample_type: SampleType,
    /// Sum of the values of all samples (after refining), the 100% of the flame graph.
    pub total: i64,
    /// Distinct display strings, indexed by `name` and `detail`.
    pub names: Vec<String>,
    /// Per node: its display name (function, file or `function file:line`), into `names`.
    pub name: Vec<u32>,
    /// Per node: where it is (`file:line`, or the binary for unsymbolized frames), into
    /// `names`; index 0 (`""`) when unknown.
    pub detail: Vec<u32>,
    /// Per node: its parent, `NO_PARENT` for a root.
    pub parent: Vec<u32>,
    /// Per node: 0 for roots.
    pub depth: Vec<u16>,
    /// Per node: value of samples whose leaf is this node.
    pub self_value: Vec<i64>,
    /// Per node: value of all samples passing through this node.
    pub total_value: Vec<i64>,
}

impl CallTree {
    /// How many nodes there are.
    pub fn len(&self) -> usize {
        self.name.len()
    }

    /// True when there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.name.is_empty()
    }

    /// The display name of node `n`.
    pub fn name_of(&self, n: usize) -> &str {
        &self.names[self.name[n] as usize]
    }

    /// The detail (`file:line`) of node `n`.
    pub fn detail_of(&self, n: usize) -> &str {
        &self.names[self.detail[n] as usize]
    }

    /// The deepest depth plus one (0 for an empty tree).
    pub fn max_depth(&self) -> usize {
        self.depth.iter().map(|&d| d as usize + 1).max().unwrap_or(0)
    }

    /// One past the last node of `n`'s subtree (pre-order makes subtrees contiguous).
    pub fn subtree_end(&self, n: usize) -> usize {
        let d = self.depth[n];
        let mut end = n + 1;
        while end < self.len() && self.depth[end] > d {
            end += 1;
        }
        end
    }
}
