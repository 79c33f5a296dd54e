//! `Viewport`: which part of the flame graph is on screen, as an x-range in unit space plus a
//! vertical scroll offset, and the maps between unit space and CSS pixels. It knows nothing of
//! the tree; zooming to a node takes that node's x-range from `FlameLayout`.
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
//!  0 ───────────────────────────────────── width          y = depth · row_height - top
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
}

impl Default for Viewport {
    fn default() -> Self {
        Viewport {
            left: 0.0,
            right: 1.0,
            top: 0.0,
            height: f64::INFINITY,
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
        }
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
