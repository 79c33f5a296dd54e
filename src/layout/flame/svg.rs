//! The flame graph's current view as an SVG document: one `<g>` per rectangle that
//! `FlameLayout::visible_rects` returns (so culled frames are left out and the zoom, scroll and
//! orientation are the screen's), each a `<title>` (full name, location, value), a `<rect>` in
//! the painter's colours (search emphasis included) and, when one fits, a `<text>` label placed
//! by `style`. It writes a string; saving it is the page's job. It does not draw the hover
//! outline, which follows the pointer rather than the view.

use std::fmt::Write;

use super::style::{self, BORDER, FONT_FAMILY, FONT_PX, MIN_BORDER_PX};
use super::{FlameLayout, FlameRect};
use crate::analysis::CallTree;
use crate::layout::palette;
use crate::layout::{SearchResult, Viewport};
use crate::model::format_value;

/// Everything one export needs: the same inputs as one paint of the canvas.
pub struct SvgInput<'a> {
    /// The tree (names, values).
    pub tree: &'a CallTree,
    /// Its layout.
    pub layout: &'a FlameLayout,
    /// Per node: its palette swatch.
    pub swatches: &'a [u8],
    /// The active search, if any: matches highlighted, the rest dimmed.
    pub search: Option<&'a SearchResult>,
    /// What is shown (zoom, scroll, orientation).
    pub viewport: Viewport,
    /// The view's width in CSS px.
    pub width: f64,
    /// The view's height in CSS px.
    pub height: f64,
    /// Width of one label character in CSS px, as the page measured it.
    pub char_px: f64,
    /// The page's background colour (a CSS colour), painted under the frames; None leaves the
    /// document transparent.
    pub background: Option<&'a str>,
}

/// The SVG document of the view `p` describes.
pub fn render(p: &SvgInput) -> String {
    let rects = p
        .layout
        .visible_rects(&p.viewport, p.width, style::ROW_HEIGHT);
    let (w, h) = (num(p.width), num(p.height));
    let mut out = String::with_capacity(200 + rects.len() * 220);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
         viewBox=\"0 0 {w} {h}\" font-family=\"{}\" font-size=\"{}\">",
        escape(FONT_FAMILY),
        num(FONT_PX)
    );
    if let Some(bg) = p.background.filter(|bg| !bg.trim().is_empty()) {
        let _ = writeln!(
            out,
            "<rect width=\"{w}\" height=\"{h}\" fill=\"{}\"/>",
            escape(bg.trim())
        );
    }
    for r in &rects {
        frame(&mut out, p, r);
    }
    out.push_str("</svg>\n");
    out
}

/// Appends one frame's `<g>`.
fn frame(out: &mut String, p: &SvgInput, r: &FlameRect) {
    let n = r.node;
    let e = style::emphasis(p.search, n);
    let swatch = p.swatches.get(n).copied().unwrap_or(0);
    let (x, y, w, h) = style::filled_box(r);
    let name = p.tree.name_of(n);
    let _ = write!(
        out,
        "<g><title>{}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"",
        escape(&title(p.tree, n)),
        num(x),
        num(y),
        num(w),
        num(h),
        palette::fill(swatch, e).css()
    );
    if r.w >= MIN_BORDER_PX {
        let _ = write!(out, " stroke=\"{BORDER}\" stroke-width=\"0.5\"");
    }
    out.push_str("/>");
    if let Some(l) = style::place_label(r, name, p.char_px) {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" dominant-baseline=\"central\" fill=\"{}\">{}</text>",
            num(l.x),
            num(l.y),
            palette::text(e).css(),
            escape(&l.text)
        );
    }
    out.push_str("</g>\n");
}

/// What hovering a frame in a viewer shows: name, location and total (and the base's total for
/// a diff), one per line.
fn title(t: &CallTree, n: usize) -> String {
    let unit = &t.sample_type.unit;
    let total = t.total_value[n];
    let share = if t.total > 0 {
        total as f64 * 100.0 / t.total as f64
    } else {
        0.0
    };
    let mut s = t.name_of(n).to_owned();
    let detail = t.detail_of(n);
    if !detail.is_empty() {
        let _ = write!(s, "\n{detail}");
    }
    let _ = write!(s, "\ntotal: {} ({share:.2}%)", format_value(total, unit));
    if let Some(&base) = t.base_value.get(n) {
        let _ = write!(s, "\nbase: {}", format_value(base, unit));
    }
    s
}

/// A coordinate with at most two decimals and no trailing zeros.
fn num(v: f64) -> String {
    let s = format!("{:.2}", if v.is_finite() { v } else { 0.0 });
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// `s` as XML character data or an attribute value: markup characters as entities, and the
/// characters XML 1.0 cannot hold at all (controls other than tab and newline) as U+FFFD.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// The file name an export of profile `profile_name` gets: the name without its profile
/// extensions and with characters that file systems refuse replaced, then `-{kind}.{ext}`
/// (`heap-3.pb.gz`, `flame`, `svg` → `heap-3-flame.svg`).
pub fn export_file_name(profile_name: &str, kind: &str, ext: &str) -> String {
    let mut stem = profile_name.trim();
    // Only the known suffixes: a dot inside a name (`gin.v2-heap`) stays.
    const SUFFIXES: [&str; 9] = [
        ".gz",
        ".pb",
        ".pprof",
        ".prof",
        ".heapsnapshot",
        ".heapprofile",
        ".txt",
        ".json",
        ".out",
    ];
    while let Some(s) = SUFFIXES.iter().find_map(|suf| {
        stem.len()
            .checked_sub(suf.len())
            .filter(|&at| at > 0 && stem.is_char_boundary(at))
            .filter(|&at| stem[at..].eq_ignore_ascii_case(suf))
            .map(|at| &stem[..at])
    }) {
        stem = s;
    }
    let clean: String = stem
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    let stem = if clean.is_empty() { "profile" } else { &clean };
    format!("{stem}-{kind}.{ext}")
}

#[cfg(test)]
mod tests;
