//! `RetainerForest`: one retaining path per object from a single breadth-first pass over the
//! edges that can retain (each object's parent is its retainer nearest a root), read as
//! steps: runs of identical steps (a linked list) folded into one, long paths cut to their
//! root end and object end. No per-object search; alternative paths are `retainers`' job, and
//! how paths read and group is `path_clusters`'.

use super::bit_set::BitSet;
use super::essential_edges::{essential_edges, EssentialEdgeContext};
use super::heap_summary::HeapAnalysis;
use super::type_ids::TypeIds;
use crate::model::{HeapGraph, NodeOrdinal};

/// Steps kept at the root end of a long path: enough to reach the global or module context
/// whose variable holds a structure.
pub const PATH_HEAD_STEPS: usize = 3;
/// Steps kept at the object end: the collection, its backing store and the variable or
/// closure context holding it (`context var sessions → SessionCache.byId → Map.table → …`).
pub const PATH_TAIL_STEPS: usize = 6;
/// Paths are read whole up to this many steps (after folding repeated steps); beyond, the
/// object end is read this far and the root end comes from a memo of each node's ancestor
/// `PATH_HEAD_STEPS` below the top.
pub(super) const MAX_WALK: usize = 64;

const NONE: u32 = u32::MAX;
/// Edge-name token of numbered edges (`[3]`, `[57]`, and names that are numbers, such as a
/// Map table's `internal 1049`: every entry of one collection alike) and of WeakMap ephemeron
/// edges (whose names embed object ids).
const ANY_INDEX: u64 = u32::MAX as u64;
const EPHEMERON: u64 = u32::MAX as u64 - 1;
/// Flag on the edge token of a step that repeats (a linked list, nested DOM siblings).
pub(super) const REPEATED: u64 = 1 << 62;
/// Token marking the elided middle of a long path.
pub(super) const ELIDED: u64 = u64::MAX;

/// One step of a path as shown: `holder` holds the next node through `edge`, `repeated`
/// when several identical steps in a row were folded into this one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Step {
    pub holder: usize,
    pub edge: usize,
    pub repeated: bool,
}

/// Each object's parent on one shortest retaining path: a breadth-first search over essential
/// edges (`is_essential_edge`: no weak edges, no shortcuts but the root's, a WeakMap value
/// under its key rather than its table, nothing from the console into the page), from the
/// user roots first and then from the root, as DevTools' distances run; the first edge to
/// reach an object is its parent edge.
pub(crate) struct RetainerForest<'g> {
    pub(super) g: &'g HeapGraph,
    pub(super) a: &'g HeapAnalysis,
    pub(super) cx: EssentialEdgeContext,
    /// Strings that are decimal numbers (edge names such as `1049` count as indices).
    numeric: BitSet,
    /// Each node's parent and the edge from it, `NONE` for the root and unreachable nodes.
    parent: Vec<u32>,
    parent_edge: Vec<u32>,
    /// For each resolved node, the highest node of the run of identical steps its own step
    /// belongs to (itself when its parent's step differs); allocated on first use.
    run_top: Vec<u32>,
    /// For paths longer than `MAX_WALK`: steps from the top of each resolved node's path, and
    /// its ancestor at depth `PATH_HEAD_STEPS` (allocated on the first such path).
    depth: Vec<u32>,
    anchor: Vec<u32>,
}

impl<'g> RetainerForest<'g> {
    /// One breadth-first pass over the essential edges (plus DevTools' page-owned marking and
    /// WeakMap name parsing, for the essential-edge test).
    pub fn new(g: &'g HeapGraph, a: &'g HeapAnalysis) -> Self {
        let n = g.node_count();
        let cx = EssentialEdgeContext::new(g);
        let essential = essential_edges(g, &cx);
        let mut parent = vec![NONE; n];
        let mut parent_edge = vec![NONE; n];
        let mut seen = BitSet::new(n);
        let mut queue: Vec<u32> = Vec::with_capacity(n);
        let targets = g.edge_targets();
        // Breadth-first from what is queued, recording the first edge to reach each node.
        let bfs = |queue: &mut Vec<u32>, seen: &mut BitSet, parent: &mut [u32], via: &mut [u32]| {
            let mut head = 0;
            while head < queue.len() {
                let from = queue[head];
                head += 1;
                for e in g.edges(NodeOrdinal(from)) {
                    let to = targets[e] as usize;
                    if !essential.get(e) || seen.get(to) {
                        continue;
                    }
                    seen.set(to);
                    parent[to] = from;
                    via[to] = e as u32;
                    queue.push(to as u32);
                }
            }
        };
        let root = g.root();
        if root.index() < n {
            seen.set(root.index());
            // User roots first (DevTools' `calculateDistances`), then the rest from the root.
            for e in g.edges(root) {
                let to = targets[e] as usize;
                if essential.get(e)
                    && !seen.get(to)
                    && cx.types.is_user_root(g, NodeOrdinal(to as u32))
                {
                    seen.set(to);
                    parent[to] = root.0;
                    parent_edge[to] = e as u32;
                    queue.push(to as u32);
                }
            }
            bfs(&mut queue, &mut seen, &mut parent, &mut parent_edge);
            queue.clear();
            queue.push(root.0);
            bfs(&mut queue, &mut seen, &mut parent, &mut parent_edge);
        }
        drop((queue, essential));
        let mut numeric = BitSet::new(g.strings().len());
        for (i, s) in g.strings().iter().enumerate() {
            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
                numeric.set(i);
            }
        }
        RetainerForest {
            g,
            a,
            cx,
            numeric,
            parent,
            parent_edge,
            run_top: Vec::new(),
            depth: Vec::new(),
            anchor: Vec::new(),
        }
    }

    /// The node's parent and the edge from it, if it has one.
    #[inline]
    pub fn parent(&self, o: usize) -> Option<(usize, usize)> {
        match self.parent[o] {
            NONE => None,
            p => Some((p as usize, self.parent_edge[o] as usize)),
        }
    }

    /// The tokens of `o`'s own step (its parent and the edge from it).
    fn step_tokens(&self, o: usize) -> Option<(u64, u64)> {
        let (p, e) = self.parent(o)?;
        Some((self.holder_token(p), self.edge_token(e)))
    }

    /// The highest node whose step, and every step below it down to `o`'s, equals `o`'s own
    /// (`o` itself when its parent's step differs): a linked list's run, memoized so that a
    /// run is walked once whatever the number of queries.
    fn run_top_of(&mut self, o: usize) -> usize {
        if self.run_top.is_empty() {
            self.run_top = vec![NONE; self.g.node_count()];
        }
        let mut pending = Vec::new();
        let mut at = o;
        let top = loop {
            if self.run_top[at] != NONE {
                break self.run_top[at] as usize;
            }
            let up = match self.parent(at) {
                Some((p, _))
                    if self
                        .step_tokens(p)
                        .is_some_and(|t| Some(t) == self.step_tokens(at)) =>
                {
                    p
                }
                _ => break at,
            };
            pending.push(at);
            at = up;
        };
        self.run_top[at] = top as u32;
        for x in pending {
            self.run_top[x] = top as u32;
        }
        top
    }

    /// Up to `limit` folded steps above `o`, top-down (a run of identical steps is one
    /// `repeated` step, shown by its highest holder), and whether they reach the top.
    fn walk_up(&mut self, o: usize, limit: usize) -> (Vec<Step>, bool) {
        let mut out = Vec::new();
        let mut at = o;
        let mut whole = true;
        while self.parent(at).is_some() {
            if out.len() == limit {
                whole = false;
                break;
            }
            let top = self.run_top_of(at);
            let (holder, edge) = self.parent(top).expect("a run's top has a step");
            out.push(Step {
                holder,
                edge,
                repeated: top != at,
            });
            at = holder;
        }
        out.reverse();
        (out, whole)
    }

    /// The ancestor `PATH_HEAD_STEPS` below the top of `o`'s path (`o` must be deeper), from
    /// the depth memo: each node is resolved once, whatever the number of queries.
    fn anchor_of(&mut self, o: usize) -> usize {
        if self.depth.is_empty() {
            self.depth = vec![NONE; self.g.node_count()];
            self.anchor = vec![NONE; self.g.node_count()];
        }
        let mut walk = Vec::new();
        let mut at = o;
        while self.depth[at] == NONE {
            walk.push(at);
            match self.parent(at) {
                Some((p, _)) => at = p,
                None => break,
            }
        }
        while let Some(x) = walk.pop() {
            let (d, up_anchor) = match self.parent(x) {
                Some((p, _)) if self.depth[p] != NONE => (self.depth[p] + 1, self.anchor[p]),
                _ => (0, NONE),
            };
            self.depth[x] = d;
            self.anchor[x] = match (d as usize).cmp(&PATH_HEAD_STEPS) {
                std::cmp::Ordering::Less => NONE,
                std::cmp::Ordering::Equal => x as u32,
                std::cmp::Ordering::Greater => up_anchor,
            };
        }
        self.anchor[o] as usize
    }

    /// The steps of `o`'s path from the top down, repeated steps folded, with `None` where
    /// the middle of a long path is left out: the first `PATH_HEAD_STEPS` and the last
    /// `PATH_TAIL_STEPS` are kept.
    pub fn steps(&mut self, o: usize) -> Vec<Option<Step>> {
        let (tail, whole) = self.walk_up(o, MAX_WALK);
        if whole && tail.len() <= PATH_HEAD_STEPS + PATH_TAIL_STEPS {
            return tail.into_iter().map(Some).collect();
        }
        let head = if whole {
            tail[..PATH_HEAD_STEPS].to_vec()
        } else {
            let anchor = self.anchor_of(o);
            let (mut head, _) = self.walk_up(anchor, PATH_HEAD_STEPS);
            head.truncate(PATH_HEAD_STEPS);
            head
        };
        let mut steps: Vec<Option<Step>> = head.into_iter().map(Some).collect();
        steps.push(None);
        let from = tail.len().saturating_sub(PATH_TAIL_STEPS);
        steps.extend(tail[from..].iter().copied().map(Some));
        steps
    }

    pub(super) fn named_type(t: &TypeIds, ty: u16) -> bool {
        ty == t.closure || ty == t.synthetic || ty == t.hidden || ty == t.array
    }

    pub(super) fn holder_token(&self, h: usize) -> u64 {
        let n = NodeOrdinal(h as u32);
        let ty = self.g.node_type(n) as u16;
        let id = if Self::named_type(&self.cx.types, ty) {
            self.g.node_name_index(n)
        } else {
            self.a.class_names.class_of.get(h).copied().unwrap_or(0)
        };
        (ty as u64) << 32 | id as u64
    }

    pub(super) fn edge_token(&self, e: usize) -> u64 {
        let g = self.g;
        let kind = g.edge_kind(e);
        let name = if self.is_numbered(e) {
            ANY_INDEX
        } else if self.is_ephemeron(e) {
            EPHEMERON
        } else {
            g.edge_name_or_index(e) as u64
        };
        (kind as u64) << 32 | name
    }

    /// An element or hidden edge, or one whose name is a number.
    pub(super) fn is_numbered(&self, e: usize) -> bool {
        let g = self.g;
        g.kind_has_numeric_name(g.edge_kind(e))
            || self.numeric.get(g.edge_name_or_index(e) as usize)
    }

    pub(super) fn is_ephemeron(&self, e: usize) -> bool {
        self.g.edge_kind(e) as u16 == self.cx.types.e_internal
            && self
                .cx
                .weak_maps
                .get(self.g.edge_name_or_index(e))
                .is_some()
    }
}
