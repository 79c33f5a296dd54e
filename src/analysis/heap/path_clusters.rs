//! `PathClusters`: objects grouped by the labels along their `RetainerForest` paths (holder
//! classes and edge names, element indices and WeakMap ids left out), and the text of a path,
//! e.g. `(root) → … → context var sessions → SessionCache.byId → Map internal table →
//! (array) internal []`. It does not choose which objects to group (`heap_growth` and
//! `leak_clusters` do) nor score groups beyond counting them.

use std::collections::HashMap;

use super::retainer_edges::edge_label;
use super::retainer_forest::{RetainerForest, ELIDED, REPEATED};
use crate::model::NodeOrdinal;

/// Holder names longer than this many characters are cut (Blink's template class names run
/// to hundreds).
const MAX_HOLDER_CHARS: usize = 60;

impl RetainerForest<'_> {
    /// `o`'s path as tokens for clustering (two per step; `ELIDED` for a left-out middle),
    /// written to `out`: the holder's type and class (or name, for closures and internals)
    /// and the edge's kind and name, element indices and WeakMap ids left out.
    pub fn key(&mut self, o: usize, out: &mut Vec<u64>) {
        out.clear();
        for step in self.steps(o) {
            match step {
                None => out.push(ELIDED),
                Some(s) => {
                    out.push(self.holder_token(s.holder));
                    let repeated = if s.repeated { REPEATED } else { 0 };
                    out.push(self.edge_token(s.edge) | repeated);
                }
            }
        }
    }

    /// How a holder reads in a path: the class of objects (`SessionCache`, `{url, method}`),
    /// the name of closures (`onTick()`), internals (`system / Context`) and roots, cut to
    /// `MAX_HOLDER_CHARS`.
    fn holder_text(&self, h: usize) -> String {
        let text = self.holder_name(h);
        match text.char_indices().nth(MAX_HOLDER_CHARS) {
            Some((cut, _)) => format!("{}…", &text[..cut]),
            None => text,
        }
    }

    fn holder_name(&self, h: usize) -> String {
        let g = self.g;
        let n = NodeOrdinal(h as u32);
        if n == g.root() {
            return "(root)".to_owned();
        }
        let t = &self.cx.types;
        let ty = g.node_type(n) as u16;
        let name = g.node_name(n);
        if ty == t.closure {
            if name.is_empty() {
                "(anonymous)()".to_owned()
            } else {
                format!("{name}()")
            }
        } else if Self::named_type(t, ty) && !name.is_empty() {
            name.to_owned()
        } else {
            let c = self.a.class_names.class_of.get(h).copied().unwrap_or(0);
            self.a.class_names.name(g, c).to_owned()
        }
    }

    /// How an edge reads after its holder: `.name`, `[]` (any index), `context var x`, ….
    fn edge_text(&self, e: usize) -> String {
        let g = self.g;
        let kind = g
            .edge_type_names()
            .get(g.edge_kind(e) as usize)
            .map(String::as_str)
            .unwrap_or("");
        if self.is_numbered(e) {
            return if kind == "element" {
                "[]".to_owned()
            } else {
                format!("{kind} []")
            };
        }
        if self.is_ephemeron(e) {
            return "(WeakMap value)".to_owned();
        }
        edge_label(kind, &g.edge_name(e))
    }

    /// The text of `o`'s path: `holder.edge → holder.edge → …` from the top down, the root's
    /// own edge not shown, a folded run marked `(repeated)`; `(unreachable)` first when the
    /// path does not start at the root.
    pub fn text(&mut self, o: usize) -> String {
        let root = self.g.root().index();
        let steps = self.steps(o);
        let starts_at_root = match steps.first() {
            Some(Some(s)) => s.holder == root,
            _ => o == root,
        };
        let parts: Vec<String> = steps
            .into_iter()
            .map(|step| match step {
                None => "…".to_owned(),
                Some(s) if s.holder == root => self.holder_text(s.holder),
                Some(s) => {
                    let (holder, edge) = (self.holder_text(s.holder), self.edge_text(s.edge));
                    let mut part = if edge.starts_with(['.', '[']) {
                        format!("{holder}{edge}")
                    } else {
                        format!("{holder} {edge}")
                    };
                    if s.repeated {
                        part.push_str(" (repeated)");
                    }
                    part
                }
            })
            .collect();
        let text = parts.join(" → ");
        match (starts_at_root, text.is_empty()) {
            (true, true) => "(root)".to_owned(),
            (true, false) => text,
            (false, true) => "(unreachable)".to_owned(),
            (false, false) => format!("(unreachable) {text}"),
        }
    }
}

/// Objects grouped by identical path tokens (`RetainerForest::key`).
#[derive(Default)]
pub(crate) struct PathClusters {
    by_hash: HashMap<u64, Vec<u32>>,
    /// The groups, in order of first member.
    pub clusters: Vec<PathCluster>,
}

/// One group of objects with the same path.
pub(crate) struct PathCluster {
    tokens: Vec<u64>,
    /// The first object added.
    pub example: NodeOrdinal,
    /// How many objects were added.
    pub count: u64,
}

impl PathClusters {
    /// Adds object `o` with path tokens `key`; returns its cluster's index.
    pub fn add(&mut self, key: &[u64], o: NodeOrdinal) -> usize {
        // FNV-1a over the tokens.
        let hash = key.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &t| {
            (h ^ t).wrapping_mul(0x0000_0100_0000_01b3)
        });
        let bucket = self.by_hash.entry(hash).or_default();
        if let Some(&c) = bucket
            .iter()
            .find(|&&c| self.clusters[c as usize].tokens == key)
        {
            self.clusters[c as usize].count += 1;
            return c as usize;
        }
        bucket.push(self.clusters.len() as u32);
        self.clusters.push(PathCluster {
            tokens: key.to_vec(),
            example: o,
            count: 1,
        });
        self.clusters.len() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::heap::retainer_forest::MAX_WALK;
    use crate::analysis::heap::HeapAnalysis;
    use crate::analysis::heap::{heap_analysis, HeapSummaryOptions};
    use crate::model::{HeapGraph, HeapGraphBuilder};

    /// root → global.cache → Cache.items → Array[i] → Item (4 of them); Item 0 also held by
    /// a shortcut from `global` (not essential: the path keeps `Array[]`) and weakly.
    /// global.list → Node.next → Node.next … (6 nodes). global.a → A1.b → … (12 distinct
    /// classes deep) → Deep. One unreachable object.
    fn graph() -> (HeapGraph, HeapAnalysis, Vec<NodeOrdinal>) {
        let mut b = HeapGraphBuilder::v8();
        let r = b.add_node("synthetic", "", 1, 0);
        let global = b.add_node("object", "global", 3, 10);
        let cache = b.add_node("object", "Cache", 5, 10);
        let array = b.add_node("array", "", 7, 10);
        let items: Vec<NodeOrdinal> = (0..4)
            .map(|i| b.add_node("object", "Item", 9 + 2 * i, 10))
            .collect();
        let list: Vec<NodeOrdinal> = (0..6)
            .map(|i| b.add_node("object", "Node", 31 + 2 * i, 10))
            .collect();
        let chain: Vec<NodeOrdinal> = (0..12)
            .map(|i| b.add_node("object", &format!("C{i}"), 51 + 2 * i, 10))
            .collect();
        let deep = b.add_node("object", "Deep", 99, 10);
        let lost = b.add_node("object", "Lost", 101, 10);
        b.add_edge(r, "shortcut", "global", global);
        b.add_edge(global, "shortcut", "first", items[0]);
        b.add_edge(global, "property", "cache", cache);
        b.add_edge(global, "weak", "w", items[1]);
        b.add_edge(global, "property", "list", list[0]);
        b.add_edge(global, "property", "a", chain[0]);
        b.add_edge(cache, "property", "items", array);
        for (i, &it) in items.iter().enumerate() {
            b.add_edge(array, "element", &(i * 7).to_string(), it);
        }
        for w in list.windows(2) {
            b.add_edge(w[0], "property", "next", w[1]);
        }
        for (i, w) in chain.windows(2).enumerate() {
            b.add_edge(w[0], "property", &format!("p{i}"), w[1]);
        }
        b.add_edge(chain[11], "property", "deep", deep);
        let g = b.finish().unwrap();
        let a = heap_analysis(&g, &HeapSummaryOptions::default());
        let mut picks = items;
        picks.extend([list[1], list[5], deep, lost]);
        (g, a, picks)
    }

    #[test]
    fn paths_cluster_by_labels_not_indices_and_fold_lists() {
        let (g, a, o) = graph();
        let mut f = RetainerForest::new(&g, &a);
        let mut clusters = PathClusters::default();
        let mut key = Vec::new();
        for &item in &o[..4] {
            f.key(item.index(), &mut key);
            clusters.add(&key, item);
        }
        // All four items share one path, whatever their index, and item 0's non-essential
        // shortcut from `global` is not its path.
        assert_eq!(clusters.clusters.len(), 1);
        assert_eq!(
            (clusters.clusters[0].count, clusters.clusters[0].example),
            (4, o[0])
        );
        assert_eq!(
            f.text(o[0].index()),
            "(root) → global.cache → Cache.items → (array)[]"
        );
        // A linked list folds: the 2nd and the 6th node read the same.
        let text = f.text(o[5].index());
        assert_eq!(text, "(root) → global.list → Node.next (repeated)");
        let (mut k1, mut k5) = (Vec::new(), Vec::new());
        f.key(o[4].index(), &mut k1);
        f.key(o[5].index(), &mut k5);
        assert_ne!(k1, k5, "one `next` is not a repeated step");
        assert_eq!(f.text(o[4].index()), "(root) → global.list → Node.next");
        // 14 steps: the first 3 and the last 6 around `…`.
        assert_eq!(
            f.text(o[6].index()),
            "(root) → global.a → C0.p0 → … → C6.p6 → C7.p7 → C8.p8 → C9.p9 → C10.p10 → C11.deep"
        );
        assert_eq!(f.text(o[7].index()), "(unreachable)");
        assert_eq!(f.text(g.root().index()), "(root)");
    }

    #[test]
    fn long_paths_take_their_root_end_from_the_memo() {
        // A chain alternating A and B (nothing folds) longer than MAX_WALK: the head of deep
        // nodes' paths comes from the depth memo, and reads as that of shallower ones.
        let mut b = HeapGraphBuilder::v8();
        let r = b.add_node("synthetic", "", 1, 0);
        let global = b.add_node("object", "global", 3, 10);
        let holder = b.add_node("object", "Holder", 5, 10);
        let nodes: Vec<NodeOrdinal> = (0..MAX_WALK as u32 + 40)
            .map(|i| b.add_node("object", ["A", "B"][i as usize % 2], 7 + 2 * i, 10))
            .collect();
        b.add_edge(r, "shortcut", "global", global);
        b.add_edge(global, "property", "holder", holder);
        b.add_edge(holder, "property", "head", nodes[0]);
        for w in nodes.windows(2) {
            b.add_edge(w[0], "property", "next", w[1]);
        }
        let g = b.finish().unwrap();
        let a = heap_analysis(&g, &HeapSummaryOptions::default());
        let mut f = RetainerForest::new(&g, &a);
        let last = nodes.len() - 1;
        let text = "(root) → global.holder → Holder.head → … → B.next → A.next → B.next → A.next → B.next → A.next";
        assert_eq!(f.text(nodes[last].index()), text);
        assert_eq!(f.text(nodes[21].index()), text);
        let keys: Vec<Vec<u64>> = [21, MAX_WALK + 1, last]
            .iter()
            .map(|&i| {
                let mut k = Vec::new();
                f.key(nodes[i].index(), &mut k);
                k
            })
            .collect();
        assert_eq!(keys[0], keys[1]);
        assert_eq!(keys[1], keys[2]);
    }
}
