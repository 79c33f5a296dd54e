//! `HeapGraph`: a V8 heap snapshot as compact compressed-sparse-row columns (u32 per field),
//! plus `HeapGraphBuilder`, used both by the decoder and by tests that draw tiny graphs by hand.
//! It holds data and invariants only: distances, dominators and class names live in `analysis`.
//!
//! Layout (FORMATS-AND-LIMITS §2.1, §3.2). Node columns are indexed by `NodeOrdinal`; a node's
//! edges are the slice `first_edge[o] .. first_edge[o + 1]` of the edge columns:
//!
//! ```text
//!  ordinal     0        1        2             n-1
//!  node_type  [u8     ][u8     ][u8     ] ... [u8     ]     index into node_type_names
//!  node_name  [u32    ][u32    ][u32    ] ... [u32    ]     index into strings
//!  node_id    [u32    ][u32    ][u32    ] ... [u32    ]     V8's SnapshotObjectId
//!  self_size  [u32    ][u32    ][u32    ] ... [u32    ]
//!  first_edge [0      ][3      ][3      ] ... [..     ][E]  n + 1 prefix sums
//!               |        |
//!               v        v
//!  edge_kind_name [k|name][k|name][k|name][k|name] ...      kind: top 4 bits, name: low 28
//!  edge_to        [ord   ][ord   ][ord   ][ord   ] ...      target ORDINAL (not file index)
//! ```

mod builder;
mod strings;
mod text;

use serde::{Deserialize, Serialize};
use std::ops::Range;

pub use builder::HeapGraphBuilder;
pub use strings::HeapStrings;

/// A heap object's dense row number (DevTools' `nodeOrdinal`): file node index / field count.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct NodeOrdinal(pub u32);

impl NodeOrdinal {
    /// The ordinal as a `usize`, for indexing the node columns.
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Bits of `edge_kind_name` holding the edge kind (an index into `edge_type_names`).
pub const EDGE_KIND_BITS: u32 = 4;
/// Bits of `edge_kind_name` holding `name_or_index`; names or element indices at or above
/// `MAX_EDGE_NAME` cannot be stored (the decoder reports this instead of truncating).
pub const EDGE_NAME_BITS: u32 = 32 - EDGE_KIND_BITS;
/// One past the largest `name_or_index` an edge can carry (2^28 = 268,435,456).
pub const MAX_EDGE_NAME: u32 = 1 << EDGE_NAME_BITS;
/// The most edge kinds a graph can name (16).
pub const MAX_EDGE_KINDS: usize = 1 << EDGE_KIND_BITS;

/// Where V8 says an object was created (`locations` section): script, 0-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeapLocation {
    /// The object.
    pub node: NodeOrdinal,
    /// V8's script id.
    pub script_id: u32,
    /// Line in the script.
    pub line: u32,
    /// Column in the line.
    pub column: u32,
}

/// A V8 heap snapshot's object graph in CSR form. Invariants (checked by the builder): every
/// `edge_to` is `< node_count`, every string-named edge and node name indexes `strings`,
/// `first_edge` is non-decreasing and ends at `edge_count`, kinds index the type-name lists.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct HeapGraph {
    pub(crate) node_type_names: Vec<String>,
    pub(crate) edge_type_names: Vec<String>,
    pub(crate) node_type: Vec<u8>,
    pub(crate) node_name: Vec<u32>,
    pub(crate) node_id: Vec<u32>,
    pub(crate) self_size: Vec<u32>,
    pub(crate) first_edge: Vec<u32>,
    pub(crate) detachedness: Option<Vec<u8>>,
    pub(crate) edge_kind_name: Vec<u32>,
    pub(crate) edge_to: Vec<u32>,
    pub(crate) strings: HeapStrings,
    pub(crate) locations: Vec<HeapLocation>,
    pub(crate) root: NodeOrdinal,
    pub(crate) extra_native_bytes: u64,
}

impl HeapGraph {
    /// How many objects the snapshot holds.
    pub fn node_count(&self) -> usize {
        self.node_type.len()
    }

    /// How many references the snapshot holds.
    pub fn edge_count(&self) -> usize {
        self.edge_to.len()
    }

    /// The synthetic root (node 0 unless the header's `root_index` says otherwise).
    pub fn root(&self) -> NodeOrdinal {
        self.root
    }

    /// Node type names from `snapshot.meta` (`hidden`, `array`, …), in the file's order.
    pub fn node_type_names(&self) -> &[String] {
        &self.node_type_names
    }

    /// Edge type names from `snapshot.meta` (`context`, `element`, …), in the file's order.
    pub fn edge_type_names(&self) -> &[String] {
        &self.edge_type_names
    }

    /// The index of node type `name`, if the snapshot has it.
    pub fn node_type_index(&self, name: &str) -> Option<u8> {
        self.node_type_names
            .iter()
            .position(|t| t == name)
            .map(|i| i as u8)
    }

    /// The index of edge type `name`, if the snapshot has it.
    pub fn edge_type_index(&self, name: &str) -> Option<u8> {
        self.edge_type_names
            .iter()
            .position(|t| t == name)
            .map(|i| i as u8)
    }

    /// The node's type (an index into `node_type_names`).
    #[inline]
    pub fn node_type(&self, n: NodeOrdinal) -> u8 {
        self.node_type[n.index()]
    }

    /// The node's type name.
    pub fn node_type_name(&self, n: NodeOrdinal) -> &str {
        self.node_type_names
            .get(self.node_type(n) as usize)
            .map(String::as_str)
            .unwrap_or("")
    }

    /// The node's name as a `strings` index.
    #[inline]
    pub fn node_name_index(&self, n: NodeOrdinal) -> u32 {
        self.node_name[n.index()]
    }

    /// Every node's name as a `strings` index, by ordinal.
    pub fn node_names(&self) -> &[u32] {
        &self.node_name
    }

    /// Every node's V8 id, by ordinal.
    pub fn node_ids(&self) -> &[u32] {
        &self.node_id
    }

    /// The node's name.
    pub fn node_name(&self, n: NodeOrdinal) -> &str {
        self.strings.get(self.node_name_index(n))
    }

    /// V8's object id (stable across snapshots of one isolate; odd for JS, even for native).
    #[inline]
    pub fn node_id(&self, n: NodeOrdinal) -> u32 {
        self.node_id[n.index()]
    }

    /// The size V8 reports for the object itself, in bytes (before DevTools' reassignment).
    #[inline]
    pub fn self_size(&self, n: NodeOrdinal) -> u32 {
        self.self_size[n.index()]
    }

    /// All self sizes, by ordinal.
    pub fn self_sizes(&self) -> &[u32] {
        &self.self_size
    }

    /// The embedder's DOM state (0 unknown, 1 attached, 2 detached); 0 when the file has no
    /// `detachedness` field.
    pub fn detachedness(&self, n: NodeOrdinal) -> u8 {
        self.detachedness
            .as_ref()
            .and_then(|d| d.get(n.index()).copied())
            .unwrap_or(0)
    }

    /// True when the file has a `detachedness` node field (newer V8).
    pub fn has_detachedness(&self) -> bool {
        self.detachedness.is_some()
    }

    /// The node's outgoing edges, as indices into the edge columns.
    #[inline]
    pub fn edges(&self, n: NodeOrdinal) -> Range<usize> {
        self.first_edge[n.index()] as usize..self.first_edge[n.index() + 1] as usize
    }

    /// The n + 1 prefix sums delimiting each node's edges.
    pub fn first_edge(&self) -> &[u32] {
        &self.first_edge
    }

    /// The edge's kind (an index into `edge_type_names`).
    #[inline]
    pub fn edge_kind(&self, e: usize) -> u8 {
        (self.edge_kind_name[e] >> EDGE_NAME_BITS) as u8
    }

    /// The edge's `name_or_index`: a `strings` index, or a number for `element`/`hidden` edges.
    #[inline]
    pub fn edge_name_or_index(&self, e: usize) -> u32 {
        self.edge_kind_name[e] & (MAX_EDGE_NAME - 1)
    }

    /// The edge's target.
    #[inline]
    pub fn edge_to(&self, e: usize) -> NodeOrdinal {
        NodeOrdinal(self.edge_to[e])
    }

    /// The packed kind|name column, in edge order (kind in the top `EDGE_KIND_BITS` bits): for
    /// whole-graph passes that decode it themselves.
    pub fn edge_kind_names(&self) -> &[u32] {
        &self.edge_kind_name
    }

    /// All edge targets (ordinals), in edge order.
    pub fn edge_targets(&self) -> &[u32] {
        &self.edge_to
    }

    /// True when `name_or_index` of edges of this kind is a number (V8: `element`, `hidden`).
    pub fn kind_has_numeric_name(&self, kind: u8) -> bool {
        matches!(
            self.edge_type_names.get(kind as usize).map(String::as_str),
            Some("element" | "hidden")
        )
    }

    /// The edge's name as a string index, or `None` for numbered (`element`/`hidden`) edges.
    pub fn edge_name_index(&self, e: usize) -> Option<u32> {
        (!self.kind_has_numeric_name(self.edge_kind(e))).then(|| self.edge_name_or_index(e))
    }

    /// The edge's name as DevTools prints it (a number for `element`/`hidden` edges).
    pub fn edge_name(&self, e: usize) -> std::borrow::Cow<'_, str> {
        match self.edge_name_index(e) {
            Some(s) => self.strings.get(s).into(),
            None => self.edge_name_or_index(e).to_string().into(),
        }
    }

    /// The snapshot's string table.
    pub fn strings(&self) -> &HeapStrings {
        &self.strings
    }

    /// Native memory the embedder reports outside any node (header `extra_native_bytes`, newer
    /// Chrome); DevTools adds it to the total size.
    pub fn extra_native_bytes(&self) -> u64 {
        self.extra_native_bytes
    }

    /// Allocation sites from the `locations` section, in file order.
    pub fn locations(&self) -> &[HeapLocation] {
        &self.locations
    }
}
