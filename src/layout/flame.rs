//! `FlameLayout`: where each `CallTree` node sits in a flame graph, root at the top (icicle,
//! as pprof's web flame graph) or at the bottom (flame, as the viewport's `Orientation` says),
//! culling to what a viewport shows, and hit-testing a pointer; `svg` writes those rectangles
//! as an SVG document. Pure geometry: it does not measure text or draw on a canvas.

use crate::analysis::CallTree;

use super::viewport::{Orientation, Viewport};

pub mod style;
pub mod svg;

/// Nodes narrower than this many CSS px are not drawn, and neither are their subtrees (a
/// child is never wider than its parent). pprof's `stacks.js` skips boxes under 4 px; half a
/// pixel keeps every node that would colour at least one pixel.
pub const MIN_RECT_PX: f64 = 0.5;

/// The x-extent and row of every node of one `CallTree`.
///
/// Positions are kept as exact integer value offsets (`start`, `end` in the tree's sample
/// unit) and divided by `denom` only on use, so widths are exactly proportional to values and
/// siblings never overlap or leave rounding gaps. Invariant: for each node
/// `start <= end`, a child lies inside its parent, siblings follow each other in tree order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FlameLayout {
    /// Per node: value offset of its left edge (sum of earlier siblings' totals + parent's).
    start: Vec<i64>,
    /// Per node: value offset of its right edge (`start` + its total).
    end: Vec<i64>,
    /// Per node: its depth, 0 for roots.
    depth: Vec<u16>,
    /// Per node: one past the last node of its pre-order subtree.
    subtree_end: Vec<u32>,
    /// The value of the full width: the sum of the roots' totals (the tree's `total`).
    denom: i64,
    /// Number of rows.
    n_rows: usize,
}

/// One rectangle to draw, in CSS px relative to the canvas' top-left corner.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FlameRect {
    /// The `CallTree` node it shows.
    pub node: usize,
    /// Left edge, clipped to the canvas (≥ 0).
    pub x: f64,
    /// Top edge (`Viewport::row_top`: `depth · row_height - viewport.top` for an icicle).
    pub y: f64,
    /// Width, clipped to the canvas; at least `MIN_RECT_PX`.
    pub w: f64,
    /// Height: the row height.
    pub h: f64,
}

impl FlameLayout {
    /// Lays out `tree`: each node's x-range is its parent's start plus the totals of the
    /// siblings before it, over the sum of the roots' totals.
    ///
    /// Negative totals (never produced by sampling, possible in a hand-made tree) count as 0
    /// and a child is cut at its parent's right edge, so the containment invariant holds for
    /// any input.
    pub fn new(tree: &CallTree) -> Self {
        let n = tree.len();
        let mut start = vec![0i64; n];
        let mut end = vec![0i64; n];
        let mut subtree_end = vec![n as u32; n];
        // Pre-order walk with a stack of open ancestors: (node, next free offset inside it).
        let mut open: Vec<(usize, i64)> = Vec::new();
        let mut next_root = 0i64;
        for i in 0..n {
            let d = tree.depth[i] as usize;
            while open.len() > d {
                let (closed, _) = open.pop().expect("len > d >= 0");
                subtree_end[closed] = i as u32;
            }
            let width = tree.total_value[i].max(0);
            let (s, limit) = match open.last_mut() {
                Some((parent, cursor)) => {
                    let s = *cursor;
                    *cursor = cursor.saturating_add(width);
                    (s, end[*parent])
                }
                None => {
                    let s = next_root;
                    next_root = next_root.saturating_add(width);
                    (s, i64::MAX)
                }
            };
            start[i] = s.min(limit);
            end[i] = s.saturating_add(width).min(limit);
            open.push((i, start[i]));
        }
        for (closed, _) in open {
            subtree_end[closed] = n as u32;
        }
        FlameLayout {
            start,
            end,
            depth: tree.depth.clone(),
            subtree_end,
            denom: next_root.max(1),
            n_rows: tree.max_depth(),
        }
    }

    /// Number of nodes laid out.
    pub fn len(&self) -> usize {
        self.start.len()
    }

    /// True when there is nothing to draw.
    pub fn is_empty(&self) -> bool {
        self.start.is_empty()
    }

    /// Number of rows (the deepest depth plus one).
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// Left edge of node `n` in unit space (0..1).
    pub fn x0(&self, n: usize) -> f64 {
        self.start[n] as f64 / self.denom as f64
    }

    /// Right edge of node `n` in unit space (0..1).
    pub fn x1(&self, n: usize) -> f64 {
        self.end[n] as f64 / self.denom as f64
    }

    /// Depth of node `n` (0 = a root).
    pub fn depth(&self, n: usize) -> usize {
        self.depth[n] as usize
    }

    /// One past the last node of `n`'s subtree, as `CallTree::subtree_end` but O(1).
    pub fn subtree_end(&self, n: usize) -> usize {
        self.subtree_end[n] as usize
    }

    /// The viewport that shows node `n` across the full width (keeping `v`'s scroll).
    pub fn zoom_to(&self, v: &Viewport, n: usize) -> Viewport {
        v.zoomed_to(self.x0(n), self.x1(n))
    }

    /// The rectangles `v` shows on a canvas `width` CSS px wide, in pre-order (parents before
    /// children), placed in rows by `v`'s orientation. Skips whole subtrees of nodes outside
    /// the x-range, past the visible rows on their children's side, or narrower than
    /// `MIN_RECT_PX`, so the cost follows what is drawn, not the tree size.
    pub fn visible_rects(&self, v: &Viewport, width: f64, row_height: f64) -> Vec<FlameRect> {
        let mut res = Vec::new();
        let mut i = 0;
        while i < self.len() {
            let y = v.row_top(self.depth(i), self.n_rows, row_height);
            let px0 = v.x_to_px(self.x0(i), width);
            let px1 = v.x_to_px(self.x1(i), width);
            // Everything under `i` is inside its x-range and on the far side of its row.
            let children_hidden = match v.orientation {
                Orientation::Icicle => y >= v.height,
                Orientation::Flame => y + row_height <= 0.0,
            };
            if px1 <= 0.0 || px0 >= width || px1 - px0 < MIN_RECT_PX || children_hidden {
                i = self.subtree_end(i);
                continue;
            }
            if y + row_height > 0.0 && y < v.height {
                let (x, r) = (px0.max(0.0), px1.min(width));
                res.push(FlameRect {
                    node: i,
                    x,
                    y,
                    w: r - x,
                    h: row_height,
                });
            }
            i += 1;
        }
        res
    }

    /// The node under the pointer at (`x`, `y`) CSS px on a canvas `width` px wide, if one is
    /// drawn there. Rows own `[row_top, row_top + h)` (`Viewport::row_at`, in either
    /// orientation) including the 1 px gap the painter leaves, and nodes own `[x0, x1)`, so
    /// every point has at most one node.
    pub fn hit_test(
        &self,
        v: &Viewport,
        width: f64,
        row_height: f64,
        x: f64,
        y: f64,
    ) -> Option<usize> {
        if !(0.0..width).contains(&x) {
            return None;
        }
        let depth = v.row_at(y, self.n_rows, row_height)?;
        let ux = v.px_to_x(x, width);
        // Walk down from the roots, at each depth to the one child whose range holds `ux`.
        let (mut i, mut stop) = (0, self.len());
        while i < stop {
            if self.x0(i) <= ux && ux < self.x1(i) {
                if self.depth(i) == depth {
                    let w = v.x_to_px(self.x1(i), width) - v.x_to_px(self.x0(i), width);
                    return (w >= MIN_RECT_PX).then_some(i);
                }
                (i, stop) = (i + 1, self.subtree_end(i));
            } else {
                i = self.subtree_end(i);
            }
        }
        None
    }
}

#[cfg(test)]
pub(crate) mod tests;
