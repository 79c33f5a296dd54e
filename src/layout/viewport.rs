//! `Viewport`: which part of the flame graph is on screen, as an x-range in unit space plus a
//! vertical scroll offset, and the maps between unit space and CSS pixels. It knows nothing of
//! the tree; zooming to a node takes that node's x-range from `FlameLayout`. Its `Orientation`
//! says which way rows grow (roots at the top or at the bottom); `row_top` and `row_at` are the
//! one y mapping that drawing, export and hit-testing share.
//!
//! The three coordinate spaces (after Firefox's `types/units.ts` and speedscope's
//! configSpace / logicalSpace / physicalSpace):
//!
//! ```text
//!  unit space (f64, 0..1 of the root total)      x0 = (values of earlier siblings + parent x0)
//!  0 ──────────── left ═════════════ right ──── 1            / tree total
//!                   │                  │
//!                   ▼ px = (x - left) / (right - left) · width
//!  CSS px (what mouse events report, what FlameRect holds)
//!  0 ───────────────────────────────────── width          y = row · row_height - top
//!                                                  row = depth (icicle), rows - 1 - depth (flame)
//!                   │
//!                   ▼ · devicePixelRatio (done once by the canvas transform in `ui`)
//!  device px (the canvas' backing store)
//!  0 ───────────────────────────────────── width · dpr
//! ```
//!
//! Precision: `left`/`right` are f64 (~16 significant digits) and the span is floored at
//! `MIN_SPAN`, so a node of 1e-9 of the total still maps to the full width within a thousandth
//! of a pixel (tested below and in `flame`'s tests).

/// The narrowest x-range a viewport may show, in unit space. Keeps the unit→px scale finite
/// and leaves ~4 significant digits per pixel even at x ≈ 1 on a 1000 px canvas.
pub const MIN_SPAN: f64 = 1e-12;

/// Which way a flame graph's rows grow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Orientation {
    /// Roots at the top, callees below them (pprof's web view, Chrome DevTools).
    #[default]
    Icicle,
    /// Roots at the bottom, callees stacked above them (Brendan Gregg's flame graphs).
    Flame,
}

impl Orientation {
    /// Both, in the order a toggle offers them.
    pub const ALL: [Orientation; 2] = [Orientation::Flame, Orientation::Icicle];

    /// A short lower-case name (`icicle`, `flame`), for URLs and test hooks.
    pub fn as_str(self) -> &'static str {
        match self {
            Orientation::Icicle => "icicle",
            Orientation::Flame => "flame",
        }
    }

    /// The orientation named `s` by `as_str`, if any.
    pub fn from_name(s: &str) -> Option<Self> {
        Orientation::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// What a toggle shows it as.
    pub fn label(self) -> &'static str {
        match self {
            Orientation::Icicle => "Icicle",
            Orientation::Flame => "Flame",
        }
    }
}

/// The visible part of the flame graph.
///
/// Invariant after `clamp`: `0 <= left < right <= 1` and `right - left >= MIN_SPAN` (when the
/// unit interval allows it), `top >= 0`, `height > 0`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Viewport {
    /// Unit-space x shown at the left edge of the canvas (0 = start of the first root).
    pub left: f64,
    /// Unit-space x shown at the right edge of the canvas (1 = end of the last root).
    pub right: f64,
    /// Vertical scroll: CSS px of the full graph hidden above the canvas' top edge.
    pub top: f64,
    /// Height of the visible canvas in CSS px; rows below `top + height` are culled.
    /// `f64::INFINITY` means "everything below `top` is visible".
    pub height: f64,
    /// Which way rows grow: where depth 0 is drawn.
    pub orientation: Orientation,
}

impl Default for Viewport {
    fn default() -> Self {
        Viewport {
            left: 0.0,
            right: 1.0,
            top: 0.0,
            height: f64::INFINITY,
            orientation: Orientation::Icicle,
        }
    }
}

impl Viewport {
    /// The whole graph, unzoomed and unscrolled.
    pub fn full() -> Self {
        Viewport::default()
    }

    /// Width of the visible x-range in unit space.
    pub fn span(&self) -> f64 {
        self.right - self.left
    }

    /// True when the full x-range `0..1` is shown.
    pub fn is_reset(&self) -> bool {
        self.left <= 0.0 && self.right >= 1.0
    }

    /// This viewport showing exactly `x0..x1` across the width (a clicked node becomes full
    /// width), keeping the vertical scroll; clamped.
    pub fn zoomed_to(&self, x0: f64, x1: f64) -> Self {
        Viewport {
            left: x0,
            right: x1,
            ..*self
        }
        .clamped()
    }

    /// This viewport with the full x-range again, keeping the vertical scroll.
    pub fn reset(&self) -> Self {
        Viewport {
            left: 0.0,
            right: 1.0,
            ..*self
        }
    }

    /// This viewport with the vertical window set to `top..top + height` CSS px; clamped.
    pub fn scrolled(&self, top: f64, height: f64) -> Self {
        Viewport {
            top,
            height,
            ..*self
        }
        .clamped()
    }

    /// Brings the fields back inside their invariants: the x-range inside `0..1` and at least
    /// `MIN_SPAN` wide (widened around its centre, then shifted inside), NaN replaced by the
    /// full range, and a non-negative scroll.
    pub fn clamped(&self) -> Self {
        let (mut left, mut right) = (self.left, self.right);
        if !left.is_finite() || !right.is_finite() || right < left {
            (left, right) = (0.0, 1.0);
        }
        left = left.clamp(0.0, 1.0);
        right = right.clamp(0.0, 1.0);
        if right - left < MIN_SPAN {
            let mid = (left + right) / 2.0;
            left = (mid - MIN_SPAN / 2.0).max(0.0);
            right = (left + MIN_SPAN).min(1.0);
            left = right - MIN_SPAN;
        }
        let top = if self.top.is_finite() {
            self.top.max(0.0)
        } else {
            0.0
        };
        let height = if self.height > 0.0 {
            self.height
        } else {
            f64::INFINITY
        };
        Viewport {
            left,
            right,
            top,
            height,
            orientation: self.orientation,
        }
    }

    /// This viewport drawing rows the `orientation` way.
    pub fn oriented(&self, orientation: Orientation) -> Self {
        Viewport {
            orientation,
            ..*self
        }
    }

    /// The top edge, in CSS px from the canvas' top, of the row of nodes at `depth` in a graph
    /// of `n_rows` rows `row_height` px high: depth 0 is the first row (icicle) or the last
    /// (flame), and the scroll `top` is taken off.
    pub fn row_top(&self, depth: usize, n_rows: usize, row_height: f64) -> f64 {
        let row = match self.orientation {
            Orientation::Icicle => depth,
            Orientation::Flame => n_rows.saturating_sub(1).saturating_sub(depth),
        };
        row as f64 * row_height - self.top
    }

    /// The depth whose row holds canvas y `y` (CSS px), the inverse of `row_top`: a row owns
    /// `[row_top, row_top + row_height)`. None above the graph, below it, or outside the canvas.
    pub fn row_at(&self, y: f64, n_rows: usize, row_height: f64) -> Option<usize> {
        if !(y >= 0.0 && y < self.height && row_height > 0.0) {
            return None;
        }
        let row = ((y + self.top) / row_height).floor();
        if !(0.0..n_rows as f64).contains(&row) {
            return None;
        }
        let row = row as usize;
        Some(match self.orientation {
            Orientation::Icicle => row,
            Orientation::Flame => n_rows - 1 - row,
        })
    }

    /// Maps a unit-space x to CSS px on a canvas `width` CSS px wide.
    pub fn x_to_px(&self, x: f64, width: f64) -> f64 {
        (x - self.left) / self.span() * width
    }

    /// Maps a CSS px offset on a canvas `width` CSS px wide back to unit space.
    pub fn px_to_x(&self, px: f64, width: f64) -> f64 {
        self.left + px / width * self.span()
    }

    /// This viewport zoomed by `factor` (< 1 zooms in) around the point `anchor_px` CSS px
    /// from the left of a canvas `width` px wide: that point stays under the pointer, unless
    /// the range reaches an end of `0..1`, where it is shifted back inside. The span stays
    /// within `MIN_SPAN..=1`.
    pub fn zoomed_around(&self, anchor_px: f64, width: f64, factor: f64) -> Self {
        if !(factor.is_finite() && factor > 0.0 && width > 0.0) {
            return *self;
        }
        let at = (anchor_px / width).clamp(0.0, 1.0);
        let anchor = self.left + at * self.span();
        let span = (self.span() * factor).clamp(MIN_SPAN, 1.0);
        let left = anchor - at * span;
        self.with_range(left, left + span)
    }

    /// This viewport moved by `dx_px` CSS px of a canvas `width` px wide (a drag to the right
    /// shows what is to the left), its span kept, stopping at the ends of `0..1`.
    pub fn panned(&self, dx_px: f64, width: f64) -> Self {
        if !(dx_px.is_finite() && width > 0.0) {
            return *self;
        }
        let left = self.left - dx_px / width * self.span();
        self.with_range(left, left + self.span())
    }

    /// `left..right` shifted inside `0..1` without changing its width; clamped.
    fn with_range(&self, mut left: f64, mut right: f64) -> Self {
        if left < 0.0 {
            (left, right) = (0.0, right - left);
        }
        if right > 1.0 {
            (left, right) = ((left - (right - 1.0)).max(0.0), 1.0);
        }
        Viewport {
            left,
            right,
            ..*self
        }
        .clamped()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_maps_range_to_full_width_and_back() {
        let v = Viewport::full().zoomed_to(0.25, 0.5);
        assert_eq!(v.x_to_px(0.25, 800.0), 0.0);
        assert_eq!(v.x_to_px(0.5, 800.0), 800.0);
        assert_eq!(v.px_to_x(400.0, 800.0), 0.375);
        let back = v.reset();
        assert!(back.is_reset());
        assert_eq!(back.x_to_px(0.5, 800.0), 400.0);
    }

    #[test]
    fn clamp_keeps_range_inside_unit_interval() {
        let v = Viewport {
            left: -0.5,
            right: 2.0,
            top: -10.0,
            height: 0.0,
            orientation: Orientation::Icicle,
        }
        .clamped();
        assert_eq!(v, Viewport::full());
        let v = Viewport {
            left: f64::NAN,
            right: 0.5,
            ..Viewport::full()
        }
        .clamped();
        assert!(v.is_reset());
        let v = Viewport {
            left: 0.7,
            right: 0.3,
            ..Viewport::full()
        }
        .clamped();
        assert!(
            v.is_reset(),
            "an inverted range falls back to the full range"
        );
    }

    #[test]
    fn clamp_widens_degenerate_range_to_min_span() {
        // Zooming to a zero-width node must not divide by zero.
        let v = Viewport::full().zoomed_to(0.5, 0.5);
        assert!(v.span() >= MIN_SPAN * 0.999);
        assert!(v.left <= 0.5 && v.right >= 0.5);
        assert!(v.x_to_px(0.5, 1000.0).is_finite());
        // At the right edge the widened range is shifted back inside.
        let v = Viewport::full().zoomed_to(1.0, 1.0);
        assert!(v.right <= 1.0 && v.span() > 0.0);
    }

    #[test]
    fn wheel_zoom_keeps_the_point_under_the_pointer() {
        let v = Viewport::full().zoomed_to(0.2, 0.6);
        let under = v.px_to_x(300.0, 1000.0);
        let z = v.zoomed_around(300.0, 1000.0, 0.5);
        assert!((z.span() - 0.2).abs() < 1e-12);
        assert!((z.px_to_x(300.0, 1000.0) - under).abs() < 1e-12);
        // Zooming out past everything shows everything; at an edge the range shifts inside.
        assert!(v.zoomed_around(300.0, 1000.0, 100.0).is_reset());
        let edge = Viewport::full()
            .zoomed_to(0.0, 0.1)
            .zoomed_around(0.0, 1000.0, 3.0);
        assert_eq!((edge.left, edge.right), (0.0, 0.30000000000000004));
        // Zooming in forever stops at MIN_SPAN; bad input changes nothing.
        let mut deep = v;
        for _ in 0..200 {
            deep = deep.zoomed_around(500.0, 1000.0, 0.5);
        }
        assert!(deep.span() >= MIN_SPAN * 0.999 && deep.left >= 0.0 && deep.right <= 1.0);
        assert_eq!(v.zoomed_around(1.0, 0.0, 0.5), v);
        assert_eq!(v.zoomed_around(1.0, 100.0, f64::NAN), v);
    }

    #[test]
    fn panning_moves_by_pixels_and_stops_at_the_ends() {
        let v = Viewport::full().zoomed_to(0.4, 0.6);
        let p = v.panned(-500.0, 1000.0); // dragged left by half the width: shows what is right
        assert!((p.left - 0.5).abs() < 1e-12 && (p.right - 0.7).abs() < 1e-12);
        let end = v.panned(-1e6, 1000.0);
        assert!((end.left - 0.8).abs() < 1e-12 && end.right == 1.0);
        let start = v.panned(1e6, 1000.0);
        assert!(start.left == 0.0 && (start.right - 0.2).abs() < 1e-12);
        assert_eq!(Viewport::full().panned(300.0, 1000.0), Viewport::full());
    }

    #[test]
    fn rows_map_both_ways_in_both_orientations() {
        let icicle = Viewport::full().scrolled(9.0, 40.0);
        let flame = icicle.oriented(Orientation::Flame);
        // 4 rows of 10 px, scrolled by 9: depth 0 is graph row 0 (icicle) or row 3 (flame).
        assert_eq!(icicle.row_top(0, 4, 10.0), -9.0);
        assert_eq!(flame.row_top(0, 4, 10.0), 21.0);
        assert_eq!(flame.row_top(3, 4, 10.0), -9.0);
        for v in [icicle, flame] {
            for depth in 0..4 {
                let y = v.row_top(depth, 4, 10.0);
                for dy in [0.0, 5.0, 9.999] {
                    if (0.0..40.0).contains(&(y + dy)) {
                        assert_eq!(v.row_at(y + dy, 4, 10.0), Some(depth), "{v:?} {depth} {dy}");
                    }
                }
            }
            assert_eq!(v.row_at(-0.1, 4, 10.0), None, "above the canvas");
            assert_eq!(v.row_at(40.0, 4, 10.0), None, "below the canvas");
            assert_eq!(v.row_at(31.0, 4, 10.0), None, "below the last row");
            assert_eq!(v.row_at(f64::NAN, 4, 10.0), None);
            assert_eq!(v.row_at(1.0, 0, 10.0), None, "no rows");
        }
        // Every transform keeps the orientation.
        let z = flame.zoomed_to(0.1, 0.2).panned(3.0, 100.0).reset();
        assert_eq!(
            z.zoomed_around(1.0, 10.0, 0.5).orientation,
            Orientation::Flame
        );
        for o in Orientation::ALL {
            assert_eq!(Orientation::from_name(o.as_str()), Some(o));
        }
        assert_eq!(Orientation::from_name("sideways"), None);
    }

    #[test]
    fn deep_zoom_keeps_subpixel_precision() {
        // A node of 1e-9 of the total near the middle, where f64 spacing is ~1.1e-16.
        let x0 = 0.5 + 123.0 / 1e12;
        let x1 = x0 + 1e-9;
        let v = Viewport::full().zoomed_to(x0, x1);
        assert!(v.x_to_px(x0, 1000.0).abs() < 1e-3);
        assert!((v.x_to_px(x1, 1000.0) - 1000.0).abs() < 1e-3);
        let mid = v.px_to_x(500.0, 1000.0);
        assert!(mid > x0 && mid < x1);
    }
}
