//! `RetainerTree`: the page's Retainers tree of the selected heap object — the worker's answers
//! by object, which rows are expanded, the automatic expansion along the first strong retainer
//! (DevTools' `expandRetainersChain`), and the tree flattened into lines to draw. Plain data:
//! it returns the objects whose retainers must be asked for; it sends nothing.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::analysis::heap::RetainerEdge;

use crate::protocol::{HeapObjectRow, RetainerEdgesPage};

/// Levels expanded automatically on selection (DevTools expands 20).
pub const AUTO_EXPAND_LEVELS: usize = 20;

/// One line of the flattened tree.
#[derive(Clone, Debug, PartialEq)]
pub enum TreeLine {
    /// A retaining edge and the object holding it.
    Row(TreeRow),
    /// The retainers of an expanded row have not come yet.
    Loading {
        /// Indentation level.
        depth: usize,
    },
    /// Only the first edges are listed; `hidden` more retain the object.
    More {
        /// Indentation level.
        depth: usize,
        /// Edges not listed.
        hidden: usize,
    },
}

/// A row of the tree.
#[derive(Clone, Debug, PartialEq)]
pub struct TreeRow {
    /// Edge indices from the top, `/`-joined: the row's identity.
    pub key: String,
    /// Indentation level (1 for the selected object's direct retainers).
    pub depth: usize,
    /// The edge and its retainer.
    pub edge: RetainerEdge,
    /// The retainer is already on the path from the top: not expandable.
    pub cycle: bool,
    /// It has retainers to show.
    pub expandable: bool,
    /// It is expanded.
    pub expanded: bool,
}

/// Where the automatic expansion has got to.
#[derive(Clone, Debug, PartialEq)]
struct Tip {
    key: String,
    ordinal: u32,
    ancestors: Vec<u32>,
    levels: usize,
}

/// The Retainers tree of one selected object.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RetainerTree {
    /// The heap snapshot.
    pub id: u32,
    /// The selected object, at the top.
    pub top: Option<u32>,
    answers: HashMap<u32, Arc<RetainerEdgesPage>>,
    asked: HashSet<u32>,
    expanded: HashSet<String>,
    tip: Option<Tip>,
}

impl RetainerTree {
    /// Shows object `ordinal` of snapshot `id` at the top, expanding automatically as its
    /// answers come; returns the objects to ask the worker about.
    pub fn select(&mut self, id: u32, ordinal: u32) -> Vec<u32> {
        if self.id != id {
            self.answers.clear();
            self.asked.clear();
        }
        self.id = id;
        self.top = Some(ordinal);
        self.expanded.clear();
        self.tip = Some(Tip {
            key: String::new(),
            ordinal,
            ancestors: vec![ordinal],
            levels: AUTO_EXPAND_LEVELS,
        });
        let mut ask = self.ask(ordinal);
        ask.extend(self.advance());
        ask
    }

    /// Forgets every answer and question (the worker was restarted).
    pub fn reset(&mut self) {
        *self = RetainerTree::default();
    }

    /// Takes the worker's answer for one object; returns the objects to ask about next.
    pub fn accept(&mut self, page: RetainerEdgesPage) -> Vec<u32> {
        if page.id != self.id || self.top.is_none() {
            return Vec::new();
        }
        self.asked.remove(&page.ordinal);
        self.answers.insert(page.ordinal, Arc::new(page));
        self.advance()
    }

    /// Expands or collapses row `key` (whose retainer is `ordinal`); returns what to ask.
    pub fn toggle(&mut self, key: &str, ordinal: u32) -> Vec<u32> {
        if self.expanded.remove(key) {
            return Vec::new();
        }
        self.expanded.insert(key.to_owned());
        self.ask(ordinal)
    }

    /// The worker's answer for object `ordinal`, when it came.
    pub fn answer(&self, ordinal: u32) -> Option<&RetainerEdgesPage> {
        self.answers.get(&ordinal).map(|a| a.as_ref())
    }

    /// The selected object's own row, once its answer came.
    pub fn top_object(&self) -> Option<&HeapObjectRow> {
        self.answer(self.top?).map(|p| &p.object)
    }

    /// The tree below the top, flattened in drawing order.
    pub fn lines(&self) -> Vec<TreeLine> {
        let mut out = Vec::new();
        if let Some(top) = self.top {
            self.walk(top, "", 1, &mut vec![top], &mut out);
        }
        out
    }

    fn walk(
        &self,
        ordinal: u32,
        prefix: &str,
        depth: usize,
        path: &mut Vec<u32>,
        out: &mut Vec<TreeLine>,
    ) {
        let Some(page) = self.answers.get(&ordinal) else {
            out.push(TreeLine::Loading { depth });
            return;
        };
        for edge in &page.edges {
            let key = format!("{prefix}/{}", edge.edge);
            let cycle = path.contains(&edge.step.node.0);
            let expandable = !cycle && edge.retainers > 0;
            let expanded = expandable && self.expanded.contains(&key);
            out.push(TreeLine::Row(TreeRow {
                key: key.clone(),
                depth,
                edge: edge.clone(),
                cycle,
                expandable,
                expanded,
            }));
            if expanded {
                path.push(edge.step.node.0);
                self.walk(edge.step.node.0, &key, depth + 1, path, out);
                path.pop();
            }
        }
        if page.total > page.edges.len() {
            out.push(TreeLine::More {
                depth,
                hidden: page.total - page.edges.len(),
            });
        }
    }

    fn ask(&mut self, ordinal: u32) -> Vec<u32> {
        if self.answers.contains_key(&ordinal) || !self.asked.insert(ordinal) {
            return Vec::new();
        }
        vec![ordinal]
    }

    /// Expands the automatic path as far as the answers allow: at each level the first
    /// strong retainer (the nearest to a GC root), until one has nothing to expand, closes a
    /// cycle, or the levels run out.
    fn advance(&mut self) -> Vec<u32> {
        while let Some(tip) = self.tip.take() {
            let Some(page) = self.answers.get(&tip.ordinal) else {
                self.tip = Some(tip);
                return Vec::new();
            };
            let Some(next) = page.edges.iter().find(|e| !e.weak) else {
                return Vec::new();
            };
            let ordinal = next.step.node.0;
            if next.retainers == 0 || tip.ancestors.contains(&ordinal) || tip.levels == 0 {
                return Vec::new();
            }
            let key = format!("{}/{}", tip.key, next.edge);
            self.expanded.insert(key.clone());
            let mut ancestors = tip.ancestors;
            ancestors.push(ordinal);
            self.tip = Some(Tip {
                key,
                ordinal,
                ancestors,
                levels: tip.levels - 1,
            });
            let ask = self.ask(ordinal);
            if !ask.is_empty() {
                return ask;
            }
        }
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::heap::RetainerStep;
    use crate::model::NodeOrdinal;

    fn object(ordinal: u32) -> HeapObjectRow {
        HeapObjectRow {
            ordinal,
            node_id: ordinal * 2 + 1,
            name: format!("N{ordinal}"),
            distance: 0,
            shallow_size: 8,
            retained_size: 8,
        }
    }

    /// An edge `edge` from `from` (which has `retainers` retainers of its own).
    fn edge(edge: u32, from: u32, weak: bool, retainers: u32) -> RetainerEdge {
        RetainerEdge {
            edge,
            step: RetainerStep {
                node: NodeOrdinal(from),
                id: from * 2 + 1,
                name: format!("N{from}"),
                class_name: format!("N{from}"),
                edge_kind: if weak { "weak" } else { "property" }.into(),
                edge_name: format!("p{edge}"),
                distance: from as i32,
                self_size: 8,
                retained_size: 8,
            },
            label: format!(".p{edge}"),
            weak,
            retainers,
        }
    }

    fn page(ordinal: u32, edges: Vec<RetainerEdge>, total: usize) -> RetainerEdgesPage {
        RetainerEdgesPage {
            id: 1,
            ordinal,
            object: object(ordinal),
            edges,
            total,
        }
    }

    fn rows(t: &RetainerTree) -> Vec<(String, usize, bool, bool, bool)> {
        t.lines()
            .into_iter()
            .filter_map(|l| match l {
                TreeLine::Row(r) => Some((r.key, r.depth, r.cycle, r.expandable, r.expanded)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn expands_the_first_strong_retainer_down_to_the_root() {
        // 5 ← weak from 9, ← 3 (.e10), ← 4 (.e11); 3 ← 1 (.e20); 1 ← root 0 (.e30).
        let mut t = RetainerTree::default();
        assert_eq!(t.select(1, 5), [5]);
        assert_eq!(t.lines(), [TreeLine::Loading { depth: 1 }]);
        let first = vec![
            edge(10, 3, false, 1),
            edge(11, 4, false, 1),
            edge(12, 9, true, 0),
        ];
        assert_eq!(t.accept(page(5, first, 3)), [3]);
        assert_eq!(t.accept(page(3, vec![edge(20, 1, false, 1)], 1)), [1]);
        assert_eq!(
            t.accept(page(1, vec![edge(30, 0, false, 0)], 1)),
            Vec::<u32>::new()
        );
        assert_eq!(t.top_object().map(|o| o.ordinal), Some(5));
        assert_eq!(
            rows(&t),
            [
                ("/10".into(), 1, false, true, true),
                ("/10/20".into(), 2, false, true, true),
                ("/10/20/30".into(), 3, false, false, false),
                ("/11".into(), 1, false, true, false),
                ("/12".into(), 1, false, false, false),
            ]
        );
        // Expanding another row asks once; collapsing it again asks nothing.
        assert_eq!(t.toggle("/11", 4), [4]);
        assert!(t.lines().contains(&TreeLine::Loading { depth: 2 }));
        assert_eq!(t.toggle("/11", 4), Vec::<u32>::new());
        assert_eq!(t.toggle("/11", 4), Vec::<u32>::new());
        // Retainer 4 is held by the selected object itself: a cycle, not expandable; more
        // edges than listed leave a note.
        t.accept(page(4, vec![edge(40, 5, false, 3)], 7));
        let lines = t.lines();
        let at = lines
            .iter()
            .position(|l| matches!(l, TreeLine::Row(r) if r.key == "/11/40"))
            .unwrap();
        let TreeLine::Row(r) = &lines[at] else {
            unreachable!()
        };
        assert!(r.cycle && !r.expandable);
        assert_eq!(
            lines[at + 1],
            TreeLine::More {
                depth: 2,
                hidden: 6
            }
        );
    }

    #[test]
    fn stops_at_cycles_weak_only_retainers_and_the_level_limit() {
        let mut t = RetainerTree::default();
        t.select(1, 1);
        // Only a weak retainer: nothing is expanded automatically.
        assert!(t.accept(page(1, vec![edge(1, 2, true, 1)], 1)).is_empty());
        assert!(rows(&t).iter().all(|r| !r.4));
        // A chain of 1 ← 2 ← 3 ← … stops after AUTO_EXPAND_LEVELS levels.
        let mut t = RetainerTree::default();
        let mut ask = t.select(2, 100);
        let mut n = 0;
        while let Some(&o) = ask.first() {
            ask = t.accept(RetainerEdgesPage {
                id: 2,
                ..page(o, vec![edge(o, o + 1, false, 1)], 1)
            });
            n += 1;
        }
        assert_eq!(n, AUTO_EXPAND_LEVELS + 1);
        assert_eq!(rows(&t).iter().filter(|r| r.4).count(), AUTO_EXPAND_LEVELS);
        // A retainer that is an ancestor closes a cycle: the expansion stops there.
        let mut t = RetainerTree::default();
        t.select(1, 1);
        t.accept(page(1, vec![edge(1, 2, false, 1)], 1));
        assert!(t.accept(page(2, vec![edge(2, 1, false, 1)], 1)).is_empty());
        let r = rows(&t);
        assert_eq!(r[1], ("/1/2".into(), 2, true, false, false));
        // Answers for another snapshot are ignored; a new selection keeps the answers held.
        assert!(t
            .accept(RetainerEdgesPage {
                id: 9,
                ..page(7, vec![], 0)
            })
            .is_empty());
        assert!(t.answer(7).is_none());
        assert_eq!(t.select(1, 2), Vec::<u32>::new());
        assert_eq!(
            rows(&t),
            [
                ("/2".into(), 1, false, true, true),
                ("/2/1".into(), 2, true, false, false)
            ]
        );
    }
}
