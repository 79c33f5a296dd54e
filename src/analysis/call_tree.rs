//! `CallTree`: the samples of one sample type merged into a tree of frames keyed by the chosen
//! granularity, with self and total values per node. It feeds the flame graph (via `layout`)
//! and crosses the worker boundary as plain serde data; it does not draw or lay anything out.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{FrameKeys, StackValues, TopOptions};
use std::hash::{BuildHasher, BuildHasherDefault};

use hashbrown::HashTable;

use crate::model::{FrameId, IdHasher, Profile, SampleType, StackId};

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
        self.depth
            .iter()
            .map(|&d| d as usize + 1)
            .max()
            .unwrap_or(0)
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

/// A node being built: its parent, name, detail and values, before pre-order numbering.
struct Draft {
    parent: u32,
    name: u32,
    detail: u32,
    self_value: i64,
    total_value: i64,
}

/// The merged call tree of `profile`'s samples for one sample type and granularity.
pub fn call_tree(profile: &Profile, options: &TopOptions) -> CallTree {
    call_tree_pruned(profile, options, 0.0)
}

/// Like `call_tree`, but leaves out subtrees whose |total| is below `min_fraction` of the
/// profile total, to keep huge profiles drawable. Totals stay exact: a dropped child's value
/// stays in its parent's `total_value` (so there, total exceeds self plus the children's).
pub fn call_tree_pruned(profile: &Profile, options: &TopOptions, min_fraction: f64) -> CallTree {
    let sample_type = profile
        .sample_types
        .get(options.sample_index)
        .cloned()
        .unwrap_or_default();
    let values = StackValues::new(profile, options.sample_index);
    let keys = FrameKeys::new(profile, options.granularity);
    let mut names: Vec<String> = vec![String::new()];
    let mut name_ids: HashMap<String, u32> = HashMap::from([(String::new(), 0)]);
    let mut intern = |s: &str, names: &mut Vec<String>| -> u32 {
        if let Some(&id) = name_ids.get(s) {
            return id;
        }
        names.push(s.to_owned());
        name_ids.insert(s.to_owned(), (names.len() - 1) as u32);
        (names.len() - 1) as u32
    };
    let key_name: Vec<u32> = keys.names.iter().map(|n| intern(n, &mut names)).collect();
    // Each frame's detail, formatted and interned once rather than once per stack row.
    let frame_detail_id: Vec<u32> = (0..profile.frames.len())
        .map(|f| intern(&frame_detail(profile, FrameId::from_index(f)), &mut names))
        .collect();

    // Stack rows to draft nodes, parents first: one node per (parent node, printed name).
    let rows = profile.stacks.len();
    let mut drafts: Vec<Draft> = Vec::new();
    // Draft lookup by (parent node, name): a table of bare draft numbers, hashed through the
    // drafts themselves (a third of the memory of a key-to-draft map at millions of drafts).
    let mut child_of: HashTable<u32> = HashTable::new();
    let hasher = BuildHasherDefault::<IdHasher>::default();
    let key = |parent: u32, name: u32| (u64::from(parent) << 32) | u64::from(name);
    let mut node_of_row = vec![u32::MAX; rows];
    for r in 0..rows {
        // Rows without a nonzero sample below add nothing (and their parents are active
        // whenever they are, so `node_of_row` of an active row's parent is always set).
        if !values.active[r] {
            continue;
        }
        let id = StackId::from_index(r);
        let parent = profile
            .stacks
            .parent(id)
            .map_or(NO_PARENT, |p| node_of_row[p.index()]);
        let frame_id = profile.stacks.frame(id);
        let name = key_name[keys.name_id(frame_id) as usize];
        let next = drafts.len() as u32;
        let hash = hasher.hash_one(key(parent, name));
        let found = child_of
            .find(hash, |&d| {
                drafts[d as usize].parent == parent && drafts[d as usize].name == name
            })
            .copied();
        let node = match found {
            Some(d) => d,
            None => {
                child_of.insert_unique(hash, next, |&d| {
                    let d = &drafts[d as usize];
                    hasher.hash_one(key(d.parent, d.name))
                });
                next
            }
        };
        let detail = frame_detail_id[frame_id.index()];
        if node == next {
            drafts.push(Draft {
                parent,
                name,
                detail,
                self_value: 0,
                total_value: 0,
            });
        } else if drafts[node as usize].detail != detail {
            // Frames with different positions merged (one function, several lines): keep
            // what they share, the file, or nothing.
            let old = names[drafts[node as usize].detail as usize].clone();
            let shared = common_file(&old, &names[detail as usize]);
            drafts[node as usize].detail = intern(&shared, &mut names);
        }
        drafts[node as usize].self_value = drafts[node as usize]
            .self_value
            .wrapping_add(values.self_value[r]);
        node_of_row[r] = node;
    }
    // Drafts are numbered parents first, so a backward pass sums totals.
    for d in (0..drafts.len()).rev() {
        drafts[d].total_value = drafts[d].total_value.wrapping_add(drafts[d].self_value);
        let (p, t) = (drafts[d].parent, drafts[d].total_value);
        if p != NO_PARENT {
            drafts[p as usize].total_value = drafts[p as usize].total_value.wrapping_add(t);
        }
    }

    let threshold = (values.total as f64 * min_fraction).abs();
    let keep = |d: &Draft| {
        (d.total_value.unsigned_abs() as f64) >= threshold
            && !(d.total_value == 0 && d.self_value == 0)
    };
    // Children lists for kept drafts only: most drafts of a huge profile are pruned, and a
    // list per draft would cost more than the drafts themselves.
    let mut slot = vec![u32::MAX; drafts.len()];
    let mut children: Vec<Vec<u32>> = Vec::new();
    let mut roots = Vec::new();
    for (d, draft) in drafts.iter().enumerate() {
        if !keep(draft) || (draft.parent != NO_PARENT && slot[draft.parent as usize] == u32::MAX) {
            continue;
        }
        slot[d] = children.len() as u32;
        children.push(Vec::new());
        match draft.parent {
            NO_PARENT => roots.push(d as u32),
            p => children[slot[p as usize] as usize].push(d as u32),
        }
    }
    let by_name = |list: &mut Vec<u32>| {
        list.sort_by(|&a, &b| {
            names[drafts[a as usize].name as usize].cmp(&names[drafts[b as usize].name as usize])
        })
    };
    by_name(&mut roots);
    for list in &mut children {
        by_name(list);
    }

    let mut tree = CallTree {
        sample_type,
        total: values.total,
        ..Default::default()
    };
    let mut work: Vec<(u32, u32, u16)> = roots.iter().rev().map(|&d| (d, NO_PARENT, 0)).collect();
    while let Some((d, parent, depth)) = work.pop() {
        let n = tree.len() as u32;
        let draft = &drafts[d as usize];
        tree.name.push(draft.name);
        tree.detail.push(draft.detail);
        tree.parent.push(parent);
        tree.depth.push(depth);
        tree.self_value.push(draft.self_value);
        tree.total_value.push(draft.total_value);
        for &c in children[slot[d as usize] as usize].iter().rev() {
            work.push((c, n, depth.saturating_add(1)));
        }
    }
    tree.names = names;
    tree
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

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;
    use crate::analysis::Granularity;

    fn render(tree: &CallTree) -> String {
        let mut out = format!("total {}\n", tree.total);
        for n in 0..tree.len() {
            out.push_str(&format!(
                "{}{} self={} total={}\n",
                "  ".repeat(tree.depth[n] as usize),
                tree.name_of(n),
                tree.self_value[n],
                tree.total_value[n]
            ));
        }
        out
    }

    fn check_invariants(tree: &CallTree) {
        let mut roots = 0;
        for n in 0..tree.len() {
            let end = tree.subtree_end(n);
            let kids: i64 = (n + 1..end)
                .filter(|&c| tree.parent[c] as usize == n)
                .map(|c| tree.total_value[c])
                .sum();
            assert_eq!(tree.total_value[n], tree.self_value[n] + kids);
            if tree.parent[n] == NO_PARENT {
                roots += tree.total_value[n];
            } else {
                assert!((tree.parent[n] as usize) < n);
                assert_eq!(tree.depth[n], tree.depth[tree.parent[n] as usize] + 1);
            }
        }
        assert_eq!(roots, tree.total);
    }

    #[test]
    fn merges_paths_and_sorts_siblings() {
        let p = Profile::from_folded(
            vec![SampleType::new("samples", "count")],
            "main;z;f;f 10\nmain;a 3\nmain 2\nmain;z 1\nworker;x 0\n",
        );
        let tree = call_tree(&p, &TopOptions::default());
        check_invariants(&tree);
        expect![[r#"
            total 16
            main self=2 total=16
              a self=3 total=3
              z self=1 total=11
                f self=0 total=10
                  f self=10 total=10
        "#]]
        .assert_eq(&render(&tree));
        let names: std::collections::HashSet<&String> = tree.names.iter().collect();
        assert_eq!(names.len(), tree.names.len());
    }

    #[test]
    fn pruning_keeps_totals_exact() {
        let p = Profile::from_folded(
            vec![SampleType::new("samples", "count")],
            "main;big 95\nmain;small 5\n",
        );
        let tree = call_tree_pruned(&p, &TopOptions::default(), 0.1);
        expect![[r#"
            total 100
            main self=0 total=100
              big self=95 total=95
        "#]]
        .assert_eq(&render(&tree));
    }

    #[test]
    fn details_and_granularity() {
        let mut p =
            Profile::from_folded(vec![SampleType::new("samples", "count")], "main;leak 4\n");
        let file = p.strings.intern("/src/app.go");
        p.frames[1].file = file;
        p.frames[1].line = 42;
        let tree = call_tree(
            &p,
            &TopOptions {
                sample_index: 0,
                granularity: Granularity::Lines,
            },
        );
        assert_eq!(tree.name_of(1), "leak /src/app.go:42");
        assert_eq!(tree.detail_of(1), "/src/app.go:42");
        assert_eq!(tree.detail_of(0), "");
        assert!(call_tree(&Profile::new(vec![]), &TopOptions::default()).is_empty());
        assert_eq!(common_file("a.go:3", "a.go:9"), "a.go");
        assert_eq!(common_file("a.go:3", "b.go:9"), "");
    }
}
