//! Flame graph search: which nodes match a query and what share of the total they cover,
//! counting a match nested under another match once. It marks nodes; colouring them is
//! `palette`'s job and filtering samples is `analysis`'.
//!
//! It runs on the page's main thread, so it uses `regex-lite`, not `regex`: the same syntax
//! without Unicode tables (hundreds of KB of the page's wasm). `\w`, `\d`, `\s`, `\b` and
//! case-insensitive matching are ASCII-only and `\p{…}` is not a class (such a query is
//! searched as literal text); function names are ASCII in practice.

use regex_lite::{Regex, RegexBuilder};

use crate::analysis::CallTree;

/// The nodes a query matched and the value they cover.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchResult {
    /// Per node: whether its name or detail matches.
    pub matched: Vec<bool>,
    /// Sum of the totals of the matched nodes that have no matched ancestor, so a sample is
    /// counted once however many matched frames its stack holds (pprof's `focus` share).
    pub total: i64,
    /// How many nodes matched.
    pub n_matched: usize,
}

impl SearchResult {
    /// `total` as a fraction of `tree_total` (0 when the tree is empty).
    pub fn share(&self, tree_total: i64) -> f64 {
        if tree_total <= 0 {
            return 0.0;
        }
        self.total as f64 / tree_total as f64
    }
}

/// Compiles `query` the way the search box reads it: a regular expression (pprof's search box
/// takes one), or the literal text when it is not a valid one (`(*Context` is a common Go
/// search), smart-case like ripgrep: case-insensitive unless the query has an upper-case letter.
/// None for an empty or blank query.
pub fn compile_query(query: &str) -> Option<Regex> {
    let query = query.trim();
    if query.is_empty() {
        return None;
    }
    let insensitive = !query.chars().any(char::is_uppercase);
    let build = |pattern: &str| {
        RegexBuilder::new(pattern)
            .case_insensitive(insensitive)
            .size_limit(1 << 20)
            .build()
    };
    build(query)
        .or_else(|_| build(&regex_lite::escape(query)))
        .ok()
}

/// Marks the nodes of `tree` whose name or detail (`file:line`) matches `query` (see
/// `compile_query`); an empty query matches nothing.
pub fn matches(tree: &CallTree, query: &str) -> SearchResult {
    let Some(re) = compile_query(query) else {
        return SearchResult {
            matched: vec![false; tree.len()],
            ..SearchResult::default()
        };
    };
    // Names are interned, so run the regex once per distinct string, not once per node.
    let hit: Vec<bool> = tree
        .names
        .iter()
        .map(|s| !s.is_empty() && re.is_match(s))
        .collect();
    let is_hit = |i: u32| hit.get(i as usize).copied().unwrap_or(false);
    let matched: Vec<bool> = (0..tree.len())
        .map(|n| is_hit(tree.name[n]) || is_hit(tree.detail[n]))
        .collect();
    let mut res = SearchResult {
        total: 0,
        n_matched: 0,
        matched,
    };
    // Pre-order: a matched node's subtree is the run up to its subtree end; nodes inside an
    // already-counted run add nothing. Counted subtrees are disjoint, so this stays O(n).
    let mut covered_until = 0;
    for n in 0..tree.len() {
        if !res.matched[n] {
            continue;
        }
        res.n_matched += 1;
        if n >= covered_until {
            res.total = res.total.saturating_add(tree.total_value[n]);
            covered_until = tree.subtree_end(n);
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::flame::tests::tree_of;

    #[test]
    fn nested_matches_count_once() {
        // main(100) → http.serve(80) → http.read(30), json.decode(40) → http.alloc(10)
        let tree = tree_of(&[
            ("main", 0, 100),
            ("http.serve", 1, 80),
            ("http.read", 2, 30),
            ("json.decode", 2, 40),
            ("http.alloc", 3, 10),
            ("gc", 1, 15),
        ]);
        let res = matches(&tree, "http");
        assert_eq!(res.matched, [false, true, true, false, true, false]);
        assert_eq!(res.n_matched, 3);
        assert_eq!(res.total, 80, "read and alloc are inside serve");
        assert_eq!(res.share(tree.total), 0.8);
        // Two disjoint matches add up.
        let res = matches(&tree, "read|gc");
        assert_eq!(res.total, 30 + 15);
        // A match nested under a non-matching node still counts.
        let res = matches(&tree, "alloc");
        assert_eq!(res.total, 10);
    }

    #[test]
    fn query_forms() {
        let tree = tree_of(&[
            ("main", 0, 10),
            ("gin.(*Context).Next", 1, 6),
            ("Main2", 1, 4),
        ]);
        // Invalid regex → literal text.
        assert_eq!(matches(&tree, "(*Context").total, 6);
        // Smart case.
        assert_eq!(matches(&tree, "main").n_matched, 2);
        assert_eq!(matches(&tree, "Main").n_matched, 1);
        // Anchored regex.
        assert_eq!(matches(&tree, "^gin\\.").total, 6);
        // Blank → nothing, and never the empty detail strings.
        assert_eq!(matches(&tree, "  ").n_matched, 0);
        assert_eq!(matches(&tree, "^$").n_matched, 0);
        assert_eq!(matches(&tree, "").matched.len(), 3);
    }

    #[test]
    fn matches_detail_file() {
        let mut tree = tree_of(&[("main", 0, 10), ("handler", 1, 7)]);
        tree.names.push("api/users.go:42".to_owned());
        tree.detail[1] = (tree.names.len() - 1) as u32;
        assert_eq!(matches(&tree, "users.go").total, 7);
    }
}
