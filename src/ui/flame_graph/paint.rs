//! Drawing one flame graph frame on a 2D canvas: the only file with canvas calls. It draws the
//! rectangles `layout` says are visible, batched by colour; it computes no geometry itself.

use web_sys::CanvasRenderingContext2d;

use crate::analysis::CallTree;
use crate::layout::flame::style::{self, BORDER, FONT_FAMILY, FONT_PX, MIN_BORDER_PX};
use crate::layout::palette::{self, Emphasis, N_SWATCHES};
use crate::layout::{FlameLayout, FlameRect, SearchResult, Viewport};

pub use crate::layout::flame::style::ROW_HEIGHT;

/// The label font as a canvas font string.
fn font() -> String {
    format!("{FONT_PX}px {FONT_FAMILY}")
}

/// Everything one frame needs.
pub struct PaintInput<'a> {
    /// The tree (names for labels).
    pub tree: &'a CallTree,
    /// Its layout.
    pub layout: &'a FlameLayout,
    /// Per node: its palette swatch.
    pub swatches: &'a [u8],
    /// The active search, if any: matches are highlighted, the rest dimmed.
    pub search: Option<&'a SearchResult>,
    /// What to show.
    pub viewport: Viewport,
    /// The node under the pointer, outlined.
    pub hovered: Option<usize>,
    /// Canvas size in CSS px.
    pub width: f64,
    /// Canvas height in CSS px.
    pub height: f64,
    /// Device pixels per CSS px.
    pub dpr: f64,
    /// Width of one label character in CSS px (measured once per font).
    pub char_px: f64,
}

/// Width of one character of the label font in CSS px, as the canvas measures it.
pub fn measure_char(ctx: &CanvasRenderingContext2d) -> f64 {
    ctx.set_font(&font());
    match ctx.measure_text("0123456789") {
        Ok(m) if m.width() > 0.0 => m.width() / 10.0,
        _ => 7.2,
    }
}

/// Draws one frame and returns how many rectangles it drew.
pub fn paint(ctx: &CanvasRenderingContext2d, p: &PaintInput) -> usize {
    let _ = ctx.set_transform(p.dpr, 0.0, 0.0, p.dpr, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, p.width, p.height);
    let rects = p.layout.visible_rects(&p.viewport, p.width, ROW_HEIGHT);
    let emphasis = |n: usize| style::emphasis(p.search, n);
    // One bucket per fill colour, so the canvas switches fill style ~N_SWATCHES times per
    // frame instead of once per rectangle.
    let bucket_of = |n: usize| {
        let s = p.swatches.get(n).copied().unwrap_or(0) as usize % N_SWATCHES;
        match emphasis(n) {
            Emphasis::Normal => s,
            Emphasis::Dimmed => N_SWATCHES + s,
            Emphasis::Match => 2 * N_SWATCHES,
        }
    };
    let mut buckets: Vec<Vec<usize>> = vec![Vec::new(); 2 * N_SWATCHES + 1];
    for (i, r) in rects.iter().enumerate() {
        buckets[bucket_of(r.node)].push(i);
    }
    ctx.set_stroke_style_str(BORDER);
    ctx.set_line_width(1.0 / p.dpr);
    for (b, members) in buckets.iter().enumerate().filter(|(_, m)| !m.is_empty()) {
        let (swatch, e) = match b {
            b if b < N_SWATCHES => (b, Emphasis::Normal),
            b if b < 2 * N_SWATCHES => (b - N_SWATCHES, Emphasis::Dimmed),
            _ => (0, Emphasis::Match),
        };
        ctx.set_fill_style_str(&palette::fill(swatch as u8, e).css());
        // Wide rectangles get a hairline border, narrow ones only fill.
        for bordered in [true, false] {
            ctx.begin_path();
            let mut any = false;
            for &i in members {
                let r = &rects[i];
                if (r.w >= MIN_BORDER_PX) == bordered {
                    let (x, y, w, h) = snapped(r, p.dpr);
                    ctx.rect(x, y, w, h);
                    any = true;
                }
            }
            if any {
                ctx.fill();
                if bordered {
                    ctx.stroke();
                }
            }
        }
    }
    if let Some(r) = p.hovered.and_then(|n| rects.iter().find(|r| r.node == n)) {
        let (x, y, w, h) = snapped(r, p.dpr);
        ctx.set_stroke_style_str("rgba(0, 0, 0, 0.85)");
        ctx.set_line_width(1.5);
        ctx.stroke_rect(x + 0.75, y + 0.75, (w - 1.5).max(0.0), (h - 1.5).max(0.0));
    }
    paint_labels(ctx, p, &rects, emphasis);
    rects.len()
}

/// Draws the labels that fit, grouped by text colour.
fn paint_labels(
    ctx: &CanvasRenderingContext2d,
    p: &PaintInput,
    rects: &[FlameRect],
    emphasis: impl Fn(usize) -> Emphasis,
) {
    ctx.set_font(&font());
    ctx.set_text_baseline("middle");
    for e in [Emphasis::Normal, Emphasis::Match, Emphasis::Dimmed] {
        ctx.set_fill_style_str(&palette::text(e).css());
        for r in rects.iter().filter(|r| emphasis(r.node) == e) {
            if let Some(l) = style::place_label(r, p.tree.name_of(r.node), p.char_px) {
                let _ = ctx.fill_text_with_max_width(&l.text, l.x, l.y, l.max_w);
            }
        }
    }
}

/// `r`'s filled box (`style::filled_box`) snapped to device pixels; always at least one
/// device pixel wide, so a culled-in sliver still shows.
fn snapped(r: &FlameRect, dpr: f64) -> (f64, f64, f64, f64) {
    let snap = |v: f64| (v * dpr).round() / dpr;
    let (x, y, w, h) = style::filled_box(r);
    let x0 = snap(x);
    let x1 = snap(x + w).max(x0 + 1.0 / dpr);
    (x0, y, x1 - x0, h)
}
