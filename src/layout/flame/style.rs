//! How one flame graph frame looks, shared by the canvas painter (`ui::flame_graph::paint`) and
//! the SVG writer (`svg`) so an export matches the screen: row height, gaps, border, font,
//! where a label goes and which emphasis a search gives a frame. Numbers only; no drawing.

use super::FlameRect;
use crate::layout::label::{label_for_width, MIN_LABEL_CHARS};
use crate::layout::palette::Emphasis;
use crate::layout::SearchResult;

/// Height of one row in CSS px.
pub const ROW_HEIGHT: f64 = 18.0;

/// Gap left between neighbouring rectangles and rows, in CSS px.
pub const GAP: f64 = 1.0;

/// Horizontal padding of a label inside its rectangle, in CSS px.
pub const LABEL_PAD: f64 = 4.0;

/// Rectangles narrower than this (CSS px) get no border: on them it would be all border.
pub const MIN_BORDER_PX: f64 = 6.0;

/// The hairline border of wide rectangles (CSS colour).
pub const BORDER: &str = "rgba(0, 0, 0, 0.14)";

/// Label font size in CSS px.
pub const FONT_PX: f64 = 12.0;

/// The label font family: monospace, so one measured character width fits every label.
pub const FONT_FAMILY: &str =
    "ui-monospace, SFMono-Regular, Menlo, Consolas, \"Liberation Mono\", monospace";

/// The gap taken off the right edge of a rectangle `w` px wide: none on slivers, which would
/// vanish.
pub fn gap_after(w: f64) -> f64 {
    if w >= 3.0 * GAP {
        GAP
    } else {
        0.0
    }
}

/// The box filled for `r` (x, y, width, height in CSS px): `r` less the gaps on its right and
/// bottom edges.
pub fn filled_box(r: &FlameRect) -> (f64, f64, f64, f64) {
    (r.x, r.y, r.w - gap_after(r.w), r.h - GAP)
}

/// A label placed in its rectangle.
#[derive(Clone, Debug, PartialEq)]
pub struct PlacedLabel {
    /// The text (the name, shortened to fit).
    pub text: String,
    /// Left edge in CSS px.
    pub x: f64,
    /// Vertical middle in CSS px (drawn with a middle baseline).
    pub y: f64,
    /// The width it may take.
    pub max_w: f64,
}

/// The label of `name` in `r` at `char_px` per character, if at least `MIN_LABEL_CHARS` fit.
pub fn place_label(r: &FlameRect, name: &str, char_px: f64) -> Option<PlacedLabel> {
    if r.w < MIN_LABEL_CHARS as f64 * char_px + 2.0 * LABEL_PAD {
        return None;
    }
    let max_w = r.w - GAP - 2.0 * LABEL_PAD;
    let text = label_for_width(name, max_w, char_px)?;
    Some(PlacedLabel {
        text,
        x: r.x + LABEL_PAD,
        y: r.y + (r.h - GAP) / 2.0 + 0.5,
        max_w,
    })
}

/// How node `n` is emphasised under `search`: its own colour without a search, the highlight
/// when it matched, faded when it did not.
pub fn emphasis(search: Option<&SearchResult>, n: usize) -> Emphasis {
    match search {
        None => Emphasis::Normal,
        Some(s) if s.matched.get(n).copied().unwrap_or(false) => Emphasis::Match,
        Some(_) => Emphasis::Dimmed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(w: f64) -> FlameRect {
        FlameRect {
            node: 0,
            x: 10.0,
            y: 36.0,
            w,
            h: ROW_HEIGHT,
        }
    }

    #[test]
    fn labels_fit_inside_their_box() {
        let l = place_label(&rect(200.0), "github.com/a/b.Handler", 7.0).unwrap();
        assert_eq!(l.text, "github.com/a/b.Handler");
        assert_eq!((l.x, l.y), (14.0, 45.0));
        assert!(l.text.chars().count() as f64 * 7.0 <= l.max_w);
        let l = place_label(&rect(80.0), "github.com/a/b.Handler", 7.0).unwrap();
        assert_eq!(l.text, "b.Handler", "package path dropped to fit 71 px");
        assert_eq!(place_label(&rect(30.0), "main", 7.0), None, "too narrow");
    }

    #[test]
    fn boxes_leave_gaps_except_on_slivers() {
        assert_eq!(filled_box(&rect(50.0)), (10.0, 36.0, 49.0, 17.0));
        assert_eq!(filled_box(&rect(2.0)), (10.0, 36.0, 2.0, 17.0));
    }

    #[test]
    fn emphasis_follows_the_search() {
        let s = SearchResult {
            matched: vec![true, false],
            total: 1,
            n_matched: 1,
        };
        assert_eq!(emphasis(None, 1), Emphasis::Normal);
        assert_eq!(emphasis(Some(&s), 0), Emphasis::Match);
        assert_eq!(emphasis(Some(&s), 1), Emphasis::Dimmed);
        assert_eq!(emphasis(Some(&s), 9), Emphasis::Dimmed);
    }
}
