//! `AggregateBuilder`: builds an `Aggregate` one profile (one column) at a time, so a long
//! series can be added file by file without holding every decoded profile at once. It sums
//! each profile's samples per stack row and maps rows to tree nodes top-down, all rows of one
//! tree node at once, so a child is found by its report node in a stamped table instead of a
//! hash lookup per row; it finishes with subtree sums and children lists.

use std::collections::HashMap;

use super::{Aggregate, ReportOptions, INLINED, NOT_INLINED, NO_PARENT};
use crate::analysis::ReportNodes;
use crate::model::{FrameId, IdMap, Profile, StackId};

/// End of a linked list.
const NONE: u32 = u32::MAX;

/// Builds an `Aggregate` profile by profile.
pub struct AggregateBuilder {
    /// The value column (`Profile::sample_types` index).
    sample_index: usize,
    /// The column the next profile fills.
    next: usize,
    agg: Aggregate,
    /// Per tree node: its first child and next sibling (`NONE` ends a list), so the children
    /// of a node can be stamped before its rows' children are placed.
    first_child: Vec<u32>,
    next_sibling: Vec<u32>,
    /// The first root of the tree (roots are linked through `next_sibling`).
    first_root: u32,
    detail_ids: HashMap<String, u32>,
    /// Per detail: the detail of its file alone (`a.go:3` → `a.go`), so merging two details
    /// compares ids instead of strings.
    detail_file: Vec<u32>,
}

impl AggregateBuilder {
    /// An empty aggregate of `columns` columns of `options`' sample type and granularity.
    pub fn new(columns: usize, options: &ReportOptions) -> Self {
        AggregateBuilder {
            sample_index: options.sample_index,
            next: 0,
            agg: Aggregate {
                nodes: ReportNodes::new(options.granularity),
                columns,
                details: vec![String::new()],
                ..Default::default()
            },
            first_child: Vec::new(),
            next_sibling: Vec::new(),
            first_root: NONE,
            detail_ids: HashMap::from([(String::new(), 0)]),
            detail_file: vec![0],
        }
    }

    /// Adds `profile`'s samples as the next column, each value multiplied by `scale` and
    /// rounded (pprof's `-normalize`; 1 leaves them as they are). Profiles past the last
    /// column are ignored.
    pub fn add(&mut self, profile: &Profile, scale: f64) {
        if self.next >= self.agg.columns {
            return;
        }
        if self.agg.sample_type.name.is_empty() {
            if let Some(t) = profile.sample_types.get(self.sample_index) {
                self.agg.sample_type = t.clone();
            }
        }
        let column = self.next;
        self.next += 1;
        self.add_columns(profile, column, &[self.sample_index], scale);
    }

    /// Adds `profile`'s samples of each of `sample_indexes` as the next columns, one per sample
    /// type, in one placement of its rows (the leak checklist reads in-use and allocated
    /// bytes of the same profiles). Profiles past the last column are ignored.
    pub fn add_types(&mut self, profile: &Profile, sample_indexes: &[usize]) {
        if self.next + sample_indexes.len() > self.agg.columns {
            return;
        }
        if self.agg.sample_type.name.is_empty() {
            // The aggregate is named after the first type; each type's reader knows its own.
            let first = sample_indexes
                .first()
                .and_then(|&i| profile.sample_types.get(i));
            if let Some(t) = first {
                self.agg.sample_type = t.clone();
            }
        }
        let column = self.next;
        self.next += sample_indexes.len();
        self.add_columns(profile, column, sample_indexes, 1.0);
    }

    /// Adds `profile`'s samples of `sample_indexes` as the columns from `first` on.
    fn add_columns(
        &mut self,
        profile: &Profile,
        first: usize,
        sample_indexes: &[usize],
        scale: f64,
    ) {
        let rows = profile.stacks.len();
        let k = sample_indexes.len();
        // Row r's value of sample type j is row_self[r * k + j].
        let mut row_self = vec![0i64; rows * k];
        let mut active = vec![false; rows];
        for (j, &sample_index) in sample_indexes.iter().enumerate() {
            let mut total = 0i64;
            for (stack, v) in sample_values(profile, sample_index, scale) {
                total = total.wrapping_add(v.wrapping_abs());
                let Some(slot) = stack.filter(|s| s.index() < rows) else {
                    continue;
                };
                let at = slot.index() * k + j;
                row_self[at] = row_self[at].wrapping_add(v);
                active[slot.index()] |= v != 0;
            }
            self.agg.totals.push(total);
        }
        // Children come after parents: one backward pass marks every path to an active row.
        for r in (0..rows).rev() {
            if active[r] {
                if let Some(p) = profile.stacks.parent(StackId::from_index(r)) {
                    active[p.index()] = true;
                }
            }
        }
        let frame_node = self.agg.nodes.add_frames(profile);
        let frame_detail: Vec<u32> = (0..profile.frames.len())
            .map(|f| self.detail_id(&frame_detail(profile, FrameId::from_index(f))))
            .collect();
        let (child_start, children, roots) = active_children(profile, &active);
        drop(active);
        if self.agg.node.is_empty() {
            // Each active row joins or makes one tree node: room for as many as there are
            // active rows, so the node columns never grow by doubling, which left the page's
            // worker with freed copies it could not reuse (the 235k-stack Go profile's first
            // view and checklist grew its wasm memory to 344 MB with this, 421 MB without).
            // Later profiles of a series mostly join nodes already there.
            self.reserve(children.len() + roots.len());
        }
        let mut placer = Placer {
            frame_node: &frame_node,
            frame_detail: &frame_detail,
            row_self: &row_self,
            first,
            k,
            stamp: vec![NONE; self.agg.nodes.len()],
            slot: vec![0; self.agg.nodes.len()],
            epoch: 0,
            rows_of: Vec::with_capacity(self.agg.node.capacity()),
            next_row: vec![NONE; rows],
            work: Vec::new(),
        };
        // The roots first, then each tree node's rows' children, a node's rows all at once.
        placer.place(self, profile, NO_PARENT, &roots);
        while let Some(t) = placer.work.pop() {
            placer.place_children(self, profile, t, &child_start, &children);
        }
    }

    /// Room for `more` tree nodes in every per-node column.
    fn reserve(&mut self, more: usize) {
        let agg = &mut self.agg;
        agg.parent.reserve(more);
        agg.node.reserve(more);
        agg.inlining.reserve(more);
        agg.detail.reserve(more);
        agg.self_values.reserve(more.saturating_mul(agg.columns));
        self.next_sibling.reserve(more);
        self.first_child.reserve(more);
    }

    fn detail_id(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.detail_ids.get(text) {
            return id;
        }
        let id = self.agg.details.len() as u32;
        self.agg.details.push(text.to_owned());
        self.detail_ids.insert(text.to_owned(), id);
        // A file alone is its own file; `a.go:3` needs `a.go` (which has no `:line`).
        self.detail_file.push(id);
        let file = file_of(text);
        if file != text {
            self.detail_file[id as usize] = self.detail_id(file);
        }
        id
    }

    /// A new tree node for report node `node` under `parent` (`NO_PARENT`: a root).
    fn new_node(&mut self, parent: u32, node: u32, detail: u32) -> usize {
        let t = self.agg.node.len();
        self.agg.parent.push(parent);
        self.agg.node.push(node);
        self.agg.inlining.push(0);
        self.agg.detail.push(detail);
        self.agg
            .self_values
            .resize(self.agg.self_values.len() + self.agg.columns, 0);
        let head = match parent {
            NO_PARENT => &mut self.first_root,
            p => &mut self.first_child[p as usize],
        };
        self.next_sibling.push(*head);
        *head = t as u32;
        self.first_child.push(NONE);
        t
    }

    /// Frames with different positions merged into one node (one function, several lines)
    /// keep what their details share: the file, or nothing.
    fn merge_detail(&mut self, t: usize, detail: u32) {
        let current = self.agg.detail[t];
        if current != detail {
            let (a, b) = (
                self.detail_file[current as usize],
                self.detail_file[detail as usize],
            );
            self.agg.detail[t] = if a == b { a } else { 0 };
        }
    }

    /// The aggregate, with subtree sums and children lists (columns never added stay zero).
    pub fn finish(self) -> Aggregate {
        let mut agg = self.agg;
        // Give back the room `reserve` left unused: the aggregate stays while its view shows.
        agg.parent.shrink_to_fit();
        agg.node.shrink_to_fit();
        agg.inlining.shrink_to_fit();
        agg.detail.shrink_to_fit();
        agg.self_values.shrink_to_fit();
        let (n, cols) = (agg.node.len(), agg.columns);
        agg.subtree.clone_from(&agg.self_values);
        for t in (0..n).rev() {
            let p = agg.parent[t];
            if p != NO_PARENT {
                for c in 0..cols {
                    let v = agg.subtree[t * cols + c];
                    let slot = &mut agg.subtree[p as usize * cols + c];
                    *slot = slot.wrapping_add(v);
                }
            }
        }
        let mut start = vec![0u32; n + 1];
        for &p in &agg.parent {
            if p != NO_PARENT {
                start[p as usize + 1] += 1;
            }
        }
        for t in 0..n {
            start[t + 1] += start[t];
        }
        let mut fill = start.clone();
        let mut children = vec![0u32; start[n] as usize];
        for (t, &p) in agg.parent.iter().enumerate() {
            if p == NO_PARENT {
                agg.roots.push(t as u32);
            } else {
                children[fill[p as usize] as usize] = t as u32;
                fill[p as usize] += 1;
            }
        }
        agg.child_start = start;
        agg.children = children;
        agg
    }
}

/// The children of every active row as compressed rows (row `r`'s are
/// `children[start[r]..start[r + 1]]`), and the active roots.
fn active_children(profile: &Profile, active: &[bool]) -> (Vec<u32>, Vec<u32>, Vec<u32>) {
    let rows = active.len();
    let parent = |r: usize| profile.stacks.parent(StackId::from_index(r));
    let mut start = vec![0u32; rows + 1];
    let mut roots: Vec<u32> = Vec::new();
    for (r, _) in active.iter().enumerate().filter(|(_, &a)| a) {
        match parent(r) {
            Some(p) => start[p.index() + 1] += 1,
            None => roots.push(r as u32),
        }
    }
    for r in 0..rows {
        start[r + 1] += start[r];
    }
    let mut fill = start.clone();
    let mut children = vec![0u32; start[rows] as usize];
    for (r, _) in active.iter().enumerate().filter(|(_, &a)| a) {
        if let Some(p) = parent(r) {
            children[fill[p.index()] as usize] = r as u32;
            fill[p.index()] += 1;
        }
    }
    (start, children, roots)
}

/// One profile's rows being placed in the tree, a tree node's rows at a time.
struct Placer<'a> {
    frame_node: &'a [u32],
    frame_detail: &'a [u32],
    /// Each row's values, `k` per row, for columns `first..first + k`.
    row_self: &'a [i64],
    first: usize,
    k: usize,
    /// Per report node: the group (`epoch`) it was last seen in, and its tree node there.
    stamp: Vec<u32>,
    slot: Vec<u32>,
    epoch: u32,
    /// Per tree node: the first of its rows of this profile (`NONE` if none), linked
    /// through `next_row`.
    rows_of: Vec<u32>,
    next_row: Vec<u32>,
    /// Tree nodes whose rows' children are still to be placed.
    work: Vec<u32>,
}

impl Placer<'_> {
    /// Places `rows` (the roots) under `parent`: a row joins the child of `parent` with its
    /// report node, new if none.
    fn place(&mut self, b: &mut AggregateBuilder, profile: &Profile, parent: u32, rows: &[u32]) {
        let epoch = self.stamp_children(b, parent);
        for &r in rows {
            self.place_row(b, profile, parent, epoch, r);
        }
    }

    /// Places the children of tree node `t`'s rows under `t`, read in place from the
    /// compressed rows (`children[child_start[r]..child_start[r + 1]]`).
    fn place_children(
        &mut self,
        b: &mut AggregateBuilder,
        profile: &Profile,
        t: u32,
        child_start: &[u32],
        children: &[u32],
    ) {
        let epoch = self.stamp_children(b, t);
        let mut r = self.rows_of[t as usize];
        while r != NONE {
            let r_ = r as usize;
            // Placing a child links that child row, never one of `t`'s rows.
            let next = self.next_row[r_];
            for &kid in &children[child_start[r_] as usize..child_start[r_ + 1] as usize] {
                self.place_row(b, profile, t, epoch, kid);
            }
            r = next;
        }
    }

    /// Stamps the report nodes of `parent`'s existing children (the roots for `NO_PARENT`)
    /// with a new epoch, and returns it.
    fn stamp_children(&mut self, b: &AggregateBuilder, parent: u32) -> u32 {
        self.epoch += 1;
        let epoch = self.epoch;
        let mut c = match parent {
            NO_PARENT => b.first_root,
            p => b.first_child[p as usize],
        };
        while c != NONE {
            let k = b.agg.node[c as usize] as usize;
            self.stamp[k] = epoch;
            self.slot[k] = c;
            c = b.next_sibling[c as usize];
        }
        epoch
    }

    /// Places row `r` under `parent`: it joins the child with its report node, new if none.
    #[inline]
    fn place_row(
        &mut self,
        b: &mut AggregateBuilder,
        profile: &Profile,
        parent: u32,
        epoch: u32,
        r: u32,
    ) {
        let cols = b.agg.columns;
        let frame = profile.stacks.frame(StackId(r));
        let (k, detail) = (
            self.frame_node[frame.index()],
            self.frame_detail[frame.index()],
        );
        let t = if self.stamp[k as usize] == epoch {
            let t = self.slot[k as usize] as usize;
            b.merge_detail(t, detail);
            t
        } else {
            let t = b.new_node(parent, k, detail);
            self.stamp[k as usize] = epoch;
            self.slot[k as usize] = t as u32;
            t
        };
        b.agg.inlining[t] |= if profile.frame(frame).inlined {
            INLINED
        } else {
            NOT_INLINED
        };
        let (from, k) = (r as usize * self.k, self.k);
        let slots = &mut b.agg.self_values[t * cols + self.first..][..k];
        for (slot, &v) in slots.iter_mut().zip(&self.row_self[from..from + k]) {
            *slot = slot.wrapping_add(v);
        }
        if self.rows_of.len() <= t {
            self.rows_of.resize(t + 1, NONE);
        }
        if self.rows_of[t] == NONE {
            self.work.push(t as u32);
        }
        self.next_row[r as usize] = self.rows_of[t];
        self.rows_of[t] = r;
    }
}

/// Where a frame is: `file:line`, the file, or the binary's path for address-only frames.
fn frame_detail(profile: &Profile, frame: FrameId) -> String {
    let f = profile.frame(frame);
    let file = profile.strings.get(f.file);
    match (file.is_empty(), f.line) {
        (false, 0) => file.to_owned(),
        (false, line) => format!("{file}:{line}"),
        (true, _) => profile.strings.get(f.mapping).to_owned(),
    }
}

/// The file of a detail (`a.go:3` → `a.go`); a detail without a `:line` is its own file. Two
/// merged details keep the file they share, else nothing (`""`).
fn file_of(detail: &str) -> &str {
    detail
        .rsplit_once(':')
        .filter(|(_, n)| n.parse::<i64>().is_ok())
        .map_or(detail, |(f, _)| f)
}

/// Each sample's leaf and value of column `sample_index`, multiplied by `scale` and rounded
/// as pprof's `Profile.ScaleN` does. pprof merges samples with the same locations and labels
/// before it scales (`profile.Merge` of every fetched source), so scaled values are rounded
/// per such group, not per sample as written.
fn sample_values(
    profile: &Profile,
    sample_index: usize,
    scale: f64,
) -> Vec<(Option<StackId>, i64)> {
    let s = &profile.samples;
    if sample_index >= s.n_types {
        return Vec::new();
    }
    let values = (0..s.len()).map(|i| (s.stack[i], s.value(i, sample_index)));
    if scale == 1.0 {
        return values.collect();
    }
    let mut groups: IdMap<(Option<StackId>, u32), i64> = IdMap::default();
    let mut order = Vec::new();
    for (i, (stack, v)) in values.enumerate() {
        let slot = groups.entry((stack, s.labels[i])).or_insert_with(|| {
            order.push((stack, s.labels[i]));
            0
        });
        *slot = slot.wrapping_add(v);
    }
    order
        .into_iter()
        .map(|key| (key.0, (groups[&key] as f64 * scale).round() as i64))
        .collect()
}
