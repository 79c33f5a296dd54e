//! Tests of `FlameLayout`: exact proportional widths, zoom, culling, hit-testing and deep-zoom
//! precision, on hand-made trees and on a pseudo-random tree of 100k nodes.

use super::*;
use crate::layout::Orientation;
use crate::model::SampleType;

/// A `CallTree` from pre-order `(name, depth, total)` rows; self values are derived.
pub(crate) fn tree_of(rows: &[(&str, u16, i64)]) -> CallTree {
    let mut t = CallTree {
        sample_type: SampleType::new("alloc_space", "bytes"),
        names: vec![String::new()],
        ..CallTree::default()
    };
    let mut stack: Vec<usize> = Vec::new();
    let mut interned: std::collections::HashMap<&str, u32> = Default::default();
    for (i, &(name, depth, total)) in rows.iter().enumerate() {
        stack.truncate(depth as usize);
        let parent = stack
            .last()
            .map_or(crate::analysis::NO_PARENT, |&p| p as u32);
        if let Some(&p) = stack.last() {
            t.self_value[p] -= total;
        } else {
            t.total += total;
        }
        let idx = *interned.entry(name).or_insert_with(|| {
            t.names.push(name.to_owned());
            (t.names.len() - 1) as u32
        });
        t.name.push(idx);
        t.detail.push(0);
        t.parent.push(parent);
        t.depth.push(depth);
        t.self_value.push(total);
        t.total_value.push(total);
        stack.push(i);
    }
    t
}

/// A pseudo-random tree of `n` nodes (fixed-seed LCG): fan-out and values vary wildly, with
/// many tiny nodes, like a real CPU profile.
fn random_tree(n: usize, seed: u64) -> CallTree {
    let mut s = seed;
    let mut next = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        s >> 33
    };
    // Generate depths in pre-order, then totals bottom-up from random self values.
    let mut depth = vec![0u16];
    for _ in 1..n {
        let d = *depth.last().unwrap();
        let r = next() % 10;
        let nd = if r < 5 {
            d + 1
        } else if r < 8 {
            d
        } else {
            d.saturating_sub((next() % 4) as u16)
        };
        depth.push(if d == 0 && nd == 0 { 1 } else { nd.min(60) });
    }
    depth[0] = 0;
    let self_v: Vec<i64> = (0..n)
        .map(|_| (next() % 1000).pow(3) as i64 / 1000)
        .collect();
    let mut total = self_v.clone();
    let mut stack: Vec<usize> = Vec::new();
    let mut parent = vec![crate::analysis::NO_PARENT; n];
    for i in 0..n {
        stack.truncate(depth[i] as usize);
        if let Some(&p) = stack.last() {
            parent[i] = p as u32;
        }
        stack.push(i);
    }
    for i in (0..n).rev() {
        if parent[i] != crate::analysis::NO_PARENT {
            total[parent[i] as usize] += total[i];
        }
    }
    let rows: Vec<(String, u16, i64)> = (0..n)
        .map(|i| (format!("pkg{}.f{}", i % 97, i % 1013), depth[i], total[i]))
        .collect();
    let refs: Vec<(&str, u16, i64)> = rows.iter().map(|(a, d, t)| (a.as_str(), *d, *t)).collect();
    tree_of(&refs)
}

fn sample() -> CallTree {
    // main(100) → serve(60) → read(20), parse(30); gc(40) → mark(40)
    tree_of(&[
        ("main", 0, 100),
        ("serve", 1, 60),
        ("read", 2, 20),
        ("parse", 2, 30),
        ("gc", 1, 40),
        ("mark", 2, 40),
    ])
}

#[test]
fn widths_exactly_proportional() {
    let t = sample();
    let l = FlameLayout::new(&t);
    let x: Vec<(f64, f64)> = (0..t.len()).map(|n| (l.x0(n), l.x1(n))).collect();
    assert_eq!(
        x,
        [
            (0.0, 1.0),
            (0.0, 0.6),
            (0.0, 0.2),
            (0.2, 0.5),
            (0.6, 1.0),
            (0.6, 1.0)
        ]
    );
    assert_eq!(l.n_rows(), 3);
    assert_eq!(
        (0..t.len()).map(|n| l.depth(n)).collect::<Vec<_>>(),
        [0, 1, 2, 2, 1, 2]
    );
}

#[test]
fn random_tree_invariants() {
    let t = random_tree(20_000, 7);
    let l = FlameLayout::new(&t);
    let denom: i64 = t.total;
    for n in 0..t.len() {
        assert_eq!(l.subtree_end(n), t.subtree_end(n), "node {n}");
        // Width is exactly the node's share, as integers: no drift however deep.
        assert_eq!(l.end[n] - l.start[n], t.total_value[n]);
        // In f64 the two divisions round separately: a few ulp of 1, never more.
        let exact = t.total_value[n] as f64 / denom as f64;
        assert!((l.x1(n) - l.x0(n) - exact).abs() < 1e-15, "node {n}");
        let p = t.parent[n];
        if p != crate::analysis::NO_PARENT {
            let p = p as usize;
            assert!(l.start[p] <= l.start[n] && l.end[n] <= l.end[p]);
        }
    }
    // Siblings tile their parent from its left edge with no gap or overlap.
    for p in 0..t.len() {
        let mut cursor = l.start[p];
        let mut c = p + 1;
        while c < l.subtree_end(p) {
            assert_eq!(l.start[c], cursor);
            cursor = l.end[c];
            c = l.subtree_end(c);
        }
        assert!(cursor <= l.end[p], "children of {p} exceed it");
    }
}

#[test]
fn zoom_to_node_fills_width_and_keeps_ancestors() {
    let t = sample();
    let l = FlameLayout::new(&t);
    let v = l.zoom_to(&Viewport::full(), 3); // parse: 0.2..0.5
    let rects = l.visible_rects(&v, 900.0, 18.0);
    let nodes: Vec<usize> = rects.iter().map(|r| r.node).collect();
    assert_eq!(
        nodes,
        [0, 1, 3],
        "ancestors and the node; siblings are off screen"
    );
    for r in &rects {
        assert!(r.x.abs() < 1e-9 && (r.w - 900.0).abs() < 1e-9, "{r:?}");
    }
    assert_eq!(rects[2].y, 36.0);
}

#[test]
fn hit_test_edges_and_rows() {
    let t = sample();
    let l = FlameLayout::new(&t);
    let v = Viewport::full();
    let hit = |x, y| l.hit_test(&v, 1000.0, 18.0, x, y);
    assert_eq!(hit(0.0, 0.0), Some(0));
    assert_eq!(hit(999.999, 17.999), Some(0));
    assert_eq!(hit(-0.001, 5.0), None);
    assert_eq!(hit(1000.0, 5.0), None, "the right edge is outside");
    // Row boundary at y = 18: above is main, at is serve.
    assert_eq!(hit(100.0, 17.999), Some(0));
    assert_eq!(hit(100.0, 18.0), Some(1));
    // Sibling boundary at x = 600: half-open ranges, the right one owns it.
    assert_eq!(hit(599.999, 20.0), Some(1));
    assert_eq!(hit(600.0, 20.0), Some(4));
    assert_eq!(hit(200.0, 40.0), Some(3));
    // Under serve, 500..600 px is serve's self time: no child there.
    assert_eq!(hit(550.0, 40.0), None);
    // Below the deepest row.
    assert_eq!(hit(100.0, 54.0), None);
    // With vertical scroll, canvas y 0 is graph y 18.
    let scrolled = v.scrolled(18.0, 100.0);
    assert_eq!(l.hit_test(&scrolled, 1000.0, 18.0, 100.0, 0.0), Some(1));
    assert_eq!(
        l.hit_test(&scrolled, 1000.0, 18.0, 100.0, 100.0),
        None,
        "below the canvas"
    );
}

#[test]
fn culling_keeps_every_node_of_one_px() {
    let t = random_tree(100_000, 42);
    let l = FlameLayout::new(&t);
    let width = 1280.0;
    let views = [
        Viewport::full(),
        l.zoom_to(&Viewport::full(), 1),
        Viewport::full().zoomed_to(0.3, 0.31),
    ];
    for v in views {
        let rects = l.visible_rects(&v, width, 18.0);
        let drawn: std::collections::HashSet<usize> = rects.iter().map(|r| r.node).collect();
        assert_eq!(drawn.len(), rects.len(), "each node once");
        for n in 0..t.len() {
            let (a, b) = (v.x_to_px(l.x0(n), width), v.x_to_px(l.x1(n), width));
            let visible = b.min(width) - a.max(0.0);
            if visible >= 1.0 {
                assert!(
                    drawn.contains(&n),
                    "node {n} is {visible} px wide but culled"
                );
            }
        }
        for r in &rects {
            assert!(r.x >= 0.0 && r.x + r.w <= width + 1e-9 && r.w >= MIN_RECT_PX * 0.999);
            assert_eq!(r.y, l.depth(r.node) as f64 * 18.0);
        }
        assert!(
            rects.len() < t.len() / 4,
            "culling drew {} of {}",
            rects.len(),
            t.len()
        );
    }
}

#[test]
fn vertical_window_culls_rows() {
    let t = sample();
    let l = FlameLayout::new(&t);
    let v = Viewport::full().scrolled(18.0, 18.0);
    let rects = l.visible_rects(&v, 100.0, 18.0);
    assert_eq!(rects.iter().map(|r| r.node).collect::<Vec<_>>(), [1, 4]);
    assert!(rects.iter().all(|r| r.y == 0.0));
}

#[test]
fn deep_zoom_on_a_billionth() {
    // A node of 1e-9 of the total, right after a big sibling (x0 ≈ 0.5).
    let tree = tree_of(&[
        ("root", 0, 1_000_000_000_000),
        ("big", 1, 500_000_000_123),
        ("tiny", 1, 1000),
        ("leaf", 2, 500),
        ("rest", 1, 499_999_998_877),
    ]);
    let l = FlameLayout::new(&tree);
    assert!((l.x1(2) - l.x0(2) - 1e-9).abs() < 1e-15);
    let v = l.zoom_to(&Viewport::full(), 2);
    let rects = l.visible_rects(&v, 1000.0, 18.0);
    let tiny = rects.iter().find(|r| r.node == 2).expect("tiny drawn");
    assert!(
        tiny.x.abs() < 1e-3 && (tiny.w - 1000.0).abs() < 1e-3,
        "{tiny:?}"
    );
    let leaf = rects.iter().find(|r| r.node == 3).expect("leaf drawn");
    assert!((leaf.w - 500.0).abs() < 1e-3, "{leaf:?}");
    assert!(
        !rects.iter().any(|r| r.node == 1 || r.node == 4),
        "siblings culled"
    );
    assert_eq!(l.hit_test(&v, 1000.0, 18.0, 1.0, 20.0), Some(2));
    assert_eq!(l.hit_test(&v, 1000.0, 18.0, 499.0, 40.0), Some(3));
    assert_eq!(l.hit_test(&v, 1000.0, 18.0, 501.0, 40.0), None);
}

#[test]
fn empty_and_degenerate_trees() {
    let l = FlameLayout::new(&CallTree::default());
    assert!(l.is_empty());
    assert!(l.visible_rects(&Viewport::full(), 100.0, 18.0).is_empty());
    assert_eq!(l.hit_test(&Viewport::full(), 100.0, 18.0, 1.0, 1.0), None);
    // All-zero values: nothing is wide enough to draw, nothing divides by zero.
    let t = tree_of(&[("main", 0, 0), ("f", 1, 0)]);
    let l = FlameLayout::new(&t);
    assert!(l.visible_rects(&Viewport::full(), 100.0, 18.0).is_empty());
    assert_eq!(l.x0(1), 0.0);
    // A negative total (not from sampling) counts as zero width; a child cannot leak out.
    let mut t = tree_of(&[("main", 0, 10), ("a", 1, 10), ("b", 1, 5)]);
    t.total_value[1] = -3;
    let l = FlameLayout::new(&t);
    assert_eq!((l.x0(1), l.x1(1)), (0.0, 0.0));
    assert!(l.x1(2) <= l.x1(0));
}

#[test]
fn flame_orientation_puts_roots_at_the_bottom() {
    let t = sample();
    let l = FlameLayout::new(&t);
    let v = Viewport::full().oriented(Orientation::Flame);
    let rects = l.visible_rects(&v, 1000.0, 18.0);
    let y_of = |n: usize| rects.iter().find(|r| r.node == n).unwrap().y;
    assert_eq!((y_of(0), y_of(1), y_of(2)), (36.0, 18.0, 0.0));
    // Same x-ranges as the icicle.
    let icicle = l.visible_rects(&Viewport::full(), 1000.0, 18.0);
    let xs = |rs: &[FlameRect]| rs.iter().map(|r| (r.node, r.x, r.w)).collect::<Vec<_>>();
    assert_eq!(xs(&rects), xs(&icicle));
    let hit = |x, y| l.hit_test(&v, 1000.0, 18.0, x, y);
    assert_eq!(hit(100.0, 53.9), Some(0), "the bottom row is main");
    assert_eq!(hit(100.0, 36.0), Some(0));
    assert_eq!(hit(100.0, 35.9), Some(1));
    assert_eq!(hit(700.0, 10.0), Some(5));
    assert_eq!(hit(550.0, 10.0), None, "serve's self time, above serve");
    assert_eq!(hit(100.0, 54.0), None, "below the roots");
    // Scrolled to show the top row only: the leaves, and nothing of the rows below.
    let top = v.scrolled(0.0, 18.0);
    let nodes: Vec<usize> = l
        .visible_rects(&top, 100.0, 18.0)
        .iter()
        .map(|r| r.node)
        .collect();
    assert_eq!(nodes, [2, 3, 5]);
    // Scrolled to the bottom row: the root only, its children culled above.
    let bottom = v.scrolled(36.0, 18.0);
    let rects = l.visible_rects(&bottom, 100.0, 18.0);
    assert_eq!(rects.iter().map(|r| r.node).collect::<Vec<_>>(), [0]);
    assert_eq!(rects[0].y, 0.0);
}

#[test]
fn hit_testing_agrees_with_drawing_in_both_orientations() {
    use std::collections::hash_map::Entry;
    let t = random_tree(20_000, 11);
    let l = FlameLayout::new(&t);
    let (width, rh) = (1000.0, 18.0);
    let mut drawn_by_icicle = std::collections::HashMap::new();
    for o in Orientation::ALL {
        let views = [
            Viewport::full(),
            Viewport::full().zoomed_to(0.2, 0.5),
            l.zoom_to(&Viewport::full(), 1),
        ];
        for (view, v) in views.into_iter().enumerate() {
            // A window of 12.5 rows, 2.5 rows from the roots' end: partial rows at both edges.
            let top = match o {
                Orientation::Icicle => 45.0,
                Orientation::Flame => l.n_rows() as f64 * rh - 225.0 - 45.0,
            };
            let v = v.oriented(o).scrolled(top, 225.0);
            let rects = l.visible_rects(&v, width, rh);
            assert!(!rects.is_empty(), "{o:?} {v:?}");
            let nodes: Vec<usize> = rects.iter().map(|r| r.node).collect();
            // Rows the same distance from the roots: the same frames, in either orientation.
            match drawn_by_icicle.entry(view) {
                Entry::Vacant(e) => {
                    e.insert(nodes);
                }
                Entry::Occupied(e) => assert_eq!(e.get(), &nodes, "{v:?}"),
            }
            for r in &rects {
                assert_eq!(r.y, v.row_top(l.depth(r.node), l.n_rows(), rh));
                let y = (r.y.max(0.0) + (r.y + r.h).min(v.height)) / 2.0;
                assert_eq!(
                    l.hit_test(&v, width, rh, r.x + r.w / 2.0, y),
                    Some(r.node),
                    "{o:?} {r:?}"
                );
            }
            // Every node at least a pixel wide in a visible row is drawn, once.
            let drawn: std::collections::HashSet<usize> = rects.iter().map(|r| r.node).collect();
            assert_eq!(drawn.len(), rects.len());
            for n in 0..t.len() {
                let (a, b) = (v.x_to_px(l.x0(n), width), v.x_to_px(l.x1(n), width));
                let y = v.row_top(l.depth(n), l.n_rows(), rh);
                if b.min(width) - a.max(0.0) >= 1.0 && y + rh > 0.0 && y < v.height {
                    assert!(drawn.contains(&n), "{o:?}: node {n} culled");
                }
            }
        }
    }
}
