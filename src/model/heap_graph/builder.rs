//! `HeapGraphBuilder`: fills a `HeapGraph` column by column and checks its invariants once at
//! the end. The decoder uses the raw `push_*` calls; tests use `add_node`/`add_edge` by name.

use std::collections::HashMap;

use super::{
    HeapGraph, HeapLocation, HeapStrings, NodeOrdinal, EDGE_NAME_BITS, MAX_EDGE_KINDS,
    MAX_EDGE_NAME,
};

/// V8's node types (`v8-profiler.h`, Node 20 / V8 11.3), for graphs built by hand.
pub const V8_NODE_TYPES: &[&str] = &[
    "hidden",
    "array",
    "string",
    "object",
    "code",
    "closure",
    "regexp",
    "number",
    "native",
    "synthetic",
    "concatenated string",
    "sliced string",
    "symbol",
    "bigint",
    "object shape",
];
/// V8's edge types, for graphs built by hand.
pub const V8_EDGE_TYPES: &[&str] = &[
    "context", "element", "property", "internal", "hidden", "shortcut", "weak",
];

/// Builds a `HeapGraph`. Nodes come in ordinal order; a node's edges come after it and before the
/// next node's edges (the order of the file's `edges` array).
#[derive(Debug, Default)]
pub struct HeapGraphBuilder {
    g: HeapGraph,
    /// Per-node edge counts until `finish` turns them into prefix sums.
    edge_counts: Vec<u32>,
    interned: HashMap<String, u32>,
    last_from: u32,
    /// The largest values pushed so far, so that `finish` scans a column for the offending
    /// entry only when one is out of range.
    max_node_type: u8,
    max_node_name: u32,
    max_edge_to: u32,
    /// The largest string `name_or_index` of an edge whose kind names it by string (`None`
    /// before the first such edge).
    max_edge_string: Option<u32>,
    /// Whether each edge kind's `name_or_index` is a number (`HeapGraph::kind_has_numeric_name`).
    numeric_kind: [bool; MAX_EDGE_KINDS],
}

impl HeapGraphBuilder {
    /// A builder for a snapshot whose meta lists these node and edge type names. Fails when there
    /// are more than 16 edge types or 256 node types (they are packed into 4 and 8 bits).
    pub fn new(node_type_names: Vec<String>, edge_type_names: Vec<String>) -> Result<Self, String> {
        if edge_type_names.len() > MAX_EDGE_KINDS {
            return Err(format!(
                "the snapshot lists {} edge types; leakscope handles at most {MAX_EDGE_KINDS}",
                edge_type_names.len()
            ));
        }
        if node_type_names.len() > 256 {
            return Err(format!(
                "the snapshot lists {} node types; leakscope handles at most 256",
                node_type_names.len()
            ));
        }
        let g = HeapGraph {
            node_type_names,
            edge_type_names,
            ..HeapGraph::default()
        };
        let mut numeric_kind = [false; MAX_EDGE_KINDS];
        for (k, numeric) in numeric_kind.iter_mut().enumerate() {
            *numeric = g.kind_has_numeric_name(k as u8);
        }
        Ok(HeapGraphBuilder {
            g,
            numeric_kind,
            ..Self::default()
        })
    }

    /// A builder with V8's standard type names and `strings[0] = "<dummy>"`, for tests.
    pub fn v8() -> Self {
        let names = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
        let mut b = Self::new(names(V8_NODE_TYPES), names(V8_EDGE_TYPES)).expect("V8 lists fit");
        b.intern("<dummy>");
        b
    }

    /// Reserves room for this many nodes and edges (the header's counts), so the columns are
    /// allocated once instead of doubling (wasm memory never shrinks).
    pub fn reserve(&mut self, nodes: usize, edges: usize) {
        let g = &mut self.g;
        g.node_type.reserve_exact(nodes);
        g.node_name.reserve_exact(nodes);
        g.node_id.reserve_exact(nodes);
        g.self_size.reserve_exact(nodes);
        self.edge_counts.reserve_exact(nodes + 1);
        if let Some(d) = g.detachedness.as_mut() {
            d.reserve_exact(nodes);
        }
        g.edge_kind_name.reserve_exact(edges);
        g.edge_to.reserve_exact(edges);
    }

    /// Keeps a `detachedness` column (the file has that node field).
    pub fn with_detachedness(&mut self) {
        if self.g.detachedness.is_none() {
            self.g.detachedness = Some(Vec::with_capacity(self.g.node_type.capacity()));
        }
    }

    /// Nodes pushed so far.
    pub fn node_count(&self) -> usize {
        self.g.node_type.len()
    }

    /// Edges pushed so far.
    pub fn edge_count(&self) -> usize {
        self.g.edge_to.len()
    }

    /// The string table, for the decoder to fill.
    pub fn strings_mut(&mut self) -> &mut HeapStrings {
        &mut self.g.strings
    }

    /// Lengthens the node type list to `len` names with `placeholder` (types a producer used but
    /// did not list in meta).
    pub fn pad_node_types(&mut self, len: usize, placeholder: &str) {
        while self.g.node_type_names.len() < len.min(256) {
            self.g.node_type_names.push(placeholder.to_owned());
        }
    }

    /// Marks `root` as the synthetic root (header `root_index`).
    pub fn set_root(&mut self, root: NodeOrdinal) {
        self.g.root = root;
    }

    /// Records the header's `extra_native_bytes`.
    pub fn set_extra_native_bytes(&mut self, bytes: u64) {
        self.g.extra_native_bytes = bytes;
    }

    /// Makes room for `additional` more allocation sites.
    pub fn reserve_locations(&mut self, additional: usize) {
        self.g.locations.reserve_exact(additional);
    }

    /// Records an allocation site.
    pub fn push_location(&mut self, location: HeapLocation) {
        self.g.locations.push(location);
    }

    /// Appends a node from raw file values. `edge_count` of its edges follow in the edge arrays.
    #[inline(always)]
    pub fn push_node_raw(
        &mut self,
        kind: u8,
        name: u32,
        id: u32,
        self_size: u32,
        edge_count: u32,
        detachedness: u8,
    ) {
        self.max_node_type = self.max_node_type.max(kind);
        self.max_node_name = self.max_node_name.max(name);
        let g = &mut self.g;
        g.node_type.push(kind);
        g.node_name.push(name);
        g.node_id.push(id);
        g.self_size.push(self_size);
        self.edge_counts.push(edge_count);
        if let Some(d) = g.detachedness.as_mut() {
            d.push(detachedness);
        }
    }

    /// Appends an edge from raw values; `to` is the target ORDINAL. Fails when the kind is not in
    /// the type list or `name_or_index` does not fit in 28 bits. Inlined into the decoder's
    /// per-edge loop (a call per edge cost the page's worker about a tenth of its decoding);
    /// the messages are built out of line.
    #[inline(always)]
    pub fn push_edge_raw(&mut self, kind: u8, name_or_index: u32, to: u32) -> Result<(), String> {
        if kind as usize >= self.g.edge_type_names.len() || name_or_index >= MAX_EDGE_NAME {
            return Err(self.bad_edge(kind, name_or_index));
        }
        self.max_edge_to = self.max_edge_to.max(to);
        if !self.numeric_kind[kind as usize % MAX_EDGE_KINDS] {
            self.max_edge_string = Some(self.max_edge_string.unwrap_or(0).max(name_or_index));
        }
        self.g
            .edge_kind_name
            .push(((kind as u32) << EDGE_NAME_BITS) | name_or_index);
        self.g.edge_to.push(to);
        Ok(())
    }

    /// Why `push_edge_raw` refused an edge.
    #[cold]
    #[inline(never)]
    fn bad_edge(&self, kind: u8, name_or_index: u32) -> String {
        let edge = self.g.edge_to.len();
        if kind as usize >= self.g.edge_type_names.len() {
            return format!(
                "edge {edge} has type {kind}, but the snapshot lists only {} edge types",
                self.g.edge_type_names.len()
            );
        }
        format!(
            "edge {edge} has name or index {name_or_index}; leakscope stores at most {} (28 bits)",
            MAX_EDGE_NAME - 1
        )
    }

    /// The index of `s` in the string table, adding it if new (for hand-built graphs).
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.interned.get(s) {
            return i;
        }
        let i = self.g.strings.push(s).expect("test strings fit in 4 GiB");
        self.interned.insert(s.to_owned(), i);
        i
    }

    /// Adds a node by type name (for tests). Panics on a type name the builder does not list.
    pub fn add_node(&mut self, kind: &str, name: &str, id: u32, self_size: u32) -> NodeOrdinal {
        let k = self
            .g
            .node_type_index(kind)
            .unwrap_or_else(|| panic!("unknown node type {kind:?}"));
        let name = self.intern(name);
        let o = NodeOrdinal(self.g.node_type.len() as u32);
        self.push_node_raw(k, name, id, self_size, 0, 0);
        o
    }

    /// Sets the DOM state of a node added by hand (needs `with_detachedness`).
    pub fn set_detachedness(&mut self, n: NodeOrdinal, state: u8) {
        if let Some(d) = self
            .g
            .detachedness
            .as_mut()
            .and_then(|d| d.get_mut(n.index()))
        {
            *d = state;
        }
    }

    /// Adds an edge by type name (for tests). `name` is a property name, or a number for
    /// `element`/`hidden` edges. Panics when `from` comes before an earlier edge's source (edges
    /// are stored grouped by source, in node order) or on an unknown type.
    pub fn add_edge(&mut self, from: NodeOrdinal, kind: &str, name: &str, to: NodeOrdinal) {
        assert!(
            from.0 >= self.last_from,
            "add edges in node order: {from:?} after node {}",
            self.last_from
        );
        assert!(
            from.index() < self.edge_counts.len(),
            "add node {from:?} before its edges"
        );
        self.last_from = from.0;
        let k = self
            .g
            .edge_type_index(kind)
            .unwrap_or_else(|| panic!("unknown edge type {kind:?}"));
        let name = if self.g.kind_has_numeric_name(k) {
            name.parse()
                .unwrap_or_else(|_| panic!("{kind} edges are numbered, not {name:?}"))
        } else {
            self.intern(name)
        };
        self.push_edge_raw(k, name, to.0).expect("test edge fits");
        self.edge_counts[from.index()] += 1;
    }

    /// Checks the invariants and returns the graph, or says what is inconsistent.
    pub fn finish(self) -> Result<HeapGraph, String> {
        let HeapGraphBuilder {
            mut g,
            mut edge_counts,
            max_node_type,
            max_node_name,
            max_edge_to,
            max_edge_string,
            ..
        } = self;
        let n = g.node_type.len();
        if n == 0 {
            return Err("the snapshot holds no nodes".into());
        }
        if g.root.index() >= n {
            return Err(format!(
                "the root is node {} but there are only {n} nodes",
                g.root.0
            ));
        }
        // Edge counts → prefix sums in place (one column instead of two).
        let mut sum: u64 = 0;
        for c in edge_counts.iter_mut() {
            let count = *c as u64;
            *c = sum.min(u32::MAX as u64) as u32;
            sum += count;
        }
        if sum != g.edge_to.len() as u64 {
            return Err(format!(
                "the nodes' edge counts add up to {sum} edges but the edges array holds {}",
                g.edge_to.len()
            ));
        }
        edge_counts.push(sum as u32);
        g.first_edge = edge_counts;
        // Each column is scanned only when its largest value is out of range, to name the
        // first offender.
        let n_types = g.node_type_names.len();
        let n_strings = g.strings.len();
        let bad_type = max_node_type as usize >= n_types;
        if let Some(bad) = bad_type
            .then(|| g.node_type.iter().position(|&t| t as usize >= n_types))
            .flatten()
        {
            return Err(format!(
                "node {bad} has type {}, but the snapshot lists only {n_types} node types",
                g.node_type[bad]
            ));
        }
        let bad_name = max_node_name as usize >= n_strings;
        if let Some(bad) = bad_name
            .then(|| g.node_name.iter().position(|&s| s as usize >= n_strings))
            .flatten()
        {
            return Err(format!(
                "node {bad}'s name is string {}, but there are only {n_strings} strings",
                g.node_name[bad]
            ));
        }
        let bad_to = max_edge_to as usize >= n && !g.edge_to.is_empty();
        if let Some(bad) = bad_to
            .then(|| g.edge_to.iter().position(|&t| t as usize >= n))
            .flatten()
        {
            return Err(format!(
                "edge {bad} points to node ordinal {}, past the last of the {n} nodes",
                g.edge_to[bad]
            ));
        }
        let numeric: Vec<bool> = (0..g.edge_type_names.len())
            .map(|k| g.kind_has_numeric_name(k as u8))
            .collect();
        let bad_edge_names = max_edge_string.is_some_and(|m| m as usize >= n_strings);
        if bad_edge_names {
            for e in 0..g.edge_to.len() {
                let (k, s) = (g.edge_kind(e) as usize, g.edge_name_or_index(e));
                if !numeric[k] && s as usize >= n_strings {
                    return Err(format!(
                        "edge {e}'s name is string {s}, but there are only {n_strings} strings"
                    ));
                }
            }
        }
        g.strings.shrink_to_fit();
        g.locations.shrink_to_fit();
        Ok(g)
    }
}
