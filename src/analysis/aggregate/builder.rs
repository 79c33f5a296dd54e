//! `AggregateBuilder`: builds an `Aggregate` one profile (one column) at a time, so a long
//! series can be added file by file without holding every decoded profile at once. It sums
//! each profile's samples per stack row, maps rows to tree nodes through one lookup table,
//! and finishes with subtree sums and children lists; reports read the result.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault};

use hashbrown::HashTable;

use super::{Aggregate, ReportOptions, INLINED, NOT_INLINED, NO_PARENT};
use crate::analysis::ReportNodes;
use crate::model::{FrameId, IdHasher, IdMap, Profile, StackId};

/// Builds an `Aggregate` profile by profile.
pub struct AggregateBuilder {
    /// The value column (`Profile::sample_types` index).
    sample_index: usize,
    /// The column the next profile fills.
    next: usize,
    agg: Aggregate,
    /// Tree nodes by (parent, report node): bare node numbers hashed through the columns (a
    /// third of the memory of a key-to-node map at millions of nodes).
    lookup: HashTable<u32>,
    detail_ids: HashMap<String, u32>,
}

fn tree_hash(parent: u32, node: u32) -> u64 {
    let key = (u64::from(parent) << 32) | u64::from(node);
    BuildHasherDefault::<IdHasher>::default().hash_one(key)
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
            lookup: HashTable::new(),
            detail_ids: HashMap::from([(String::new(), 0)]),
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
        self.add_column(profile, column, self.sample_index, scale);
    }

    /// Adds `profile`'s samples of `sample_index` as column `column`.
    fn add_column(&mut self, profile: &Profile, column: usize, sample_index: usize, scale: f64) {
        let rows = profile.stacks.len();
        let mut row_self = vec![0i64; rows];
        let mut active = vec![false; rows];
        let mut total = 0i64;
        for (stack, v) in sample_values(profile, sample_index, scale) {
            total = total.wrapping_add(v.wrapping_abs());
            let Some(slot) = stack.filter(|s| s.index() < rows) else {
                continue;
            };
            row_self[slot.index()] = row_self[slot.index()].wrapping_add(v);
            active[slot.index()] |= v != 0;
        }
        self.agg.totals.push(total);
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
        let mut tree_of_row = vec![NO_PARENT; rows];
        for r in 0..rows {
            if !active[r] {
                continue;
            }
            let id = StackId::from_index(r);
            // An active row's parent is active, so its tree node is set.
            let parent = profile
                .stacks
                .parent(id)
                .map_or(NO_PARENT, |p| tree_of_row[p.index()]);
            let frame = profile.stacks.frame(id);
            let t = self.tree_node(
                parent,
                frame_node[frame.index()],
                frame_detail[frame.index()],
            );
            self.agg.inlining[t] |= if profile.frame(frame).inlined {
                INLINED
            } else {
                NOT_INLINED
            };
            let slot = &mut self.agg.self_values[t * self.agg.columns + column];
            *slot = slot.wrapping_add(row_self[r]);
            tree_of_row[r] = t as u32;
        }
    }

    fn detail_id(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.detail_ids.get(text) {
            return id;
        }
        let id = self.agg.details.len() as u32;
        self.agg.details.push(text.to_owned());
        self.detail_ids.insert(text.to_owned(), id);
        id
    }

    /// The tree node for report node `node` under `parent`, added if new. Frames with
    /// different positions merged into one node (one function, several lines) keep what
    /// their details share: the file, or nothing.
    fn tree_node(&mut self, parent: u32, node: u32, detail: u32) -> usize {
        let hash = tree_hash(parent, node);
        let a = &self.agg;
        let found = self
            .lookup
            .find(hash, |&t| {
                a.parent[t as usize] == parent && a.node[t as usize] == node
            })
            .copied();
        if let Some(t) = found {
            let t = t as usize;
            if self.agg.detail[t] != detail {
                let shared = common_file(self.agg.detail(t), &self.agg.details[detail as usize]);
                self.agg.detail[t] = self.detail_id(&shared);
            }
            return t;
        }
        let t = self.agg.node.len();
        self.agg.parent.push(parent);
        self.agg.node.push(node);
        self.agg.inlining.push(0);
        self.agg.detail.push(detail);
        self.agg
            .self_values
            .resize(self.agg.self_values.len() + self.agg.columns, 0);
        let a = &self.agg;
        self.lookup.insert_unique(hash, t as u32, |&u| {
            tree_hash(a.parent[u as usize], a.node[u as usize])
        });
        t
    }

    /// The aggregate, with subtree sums and children lists (columns never added stay zero).
    pub fn finish(self) -> Aggregate {
        let mut agg = self.agg;
        drop(self.lookup);
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

/// The file two details share (`a.go:3`, `a.go:9` → `a.go`), else `""`.
fn common_file(a: &str, b: &str) -> String {
    let file = |s: &str| {
        s.rsplit_once(':')
            .filter(|(_, n)| n.parse::<i64>().is_ok())
            .map_or(s.to_owned(), |(f, _)| f.to_owned())
    };
    let (fa, fb) = (file(a), file(b));
    if fa == fb {
        fa
    } else {
        String::new()
    }
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
