//! Fitting a frame's name into its rectangle: pprof-style package shortening first, then
//! speedscope-style middle truncation. Counts characters against an average glyph width; it
//! does not measure text (the painter passes the width of one character of its font).

/// Labels shorter than this many characters (ellipsis included) are not worth drawing.
pub const MIN_LABEL_CHARS: usize = 4;

/// The ellipsis put where characters were cut.
const ELLIPSIS: char = '…';

/// The longest form of `name` that fits in `width_px` at `char_px` per character, or None
/// when not even `MIN_LABEL_CHARS` fit.
///
/// The choice, longest to shortest (pprof's `StackSource.Display` idea of candidates):
/// 1. the full name;
/// 2. the name without its Go package path, as pprof's `ShortenFunctionName`:
///    `github.com/gin-gonic/gin.(*Context).Next` → `gin.(*Context).Next`;
/// 3. that short name cut in the middle, keeping the package and the method at the ends
///    (`gin.(*Co…xt).Next`), as speedscope's `trimTextMid`: the end of a Go name (method)
///    and its start (package) both tell frames apart, its middle (receiver) least.
pub fn label_for_width(name: &str, width_px: f64, char_px: f64) -> Option<String> {
    let usable = char_px > 0.0 && width_px > 0.0;
    if !usable {
        return None;
    }
    let max_chars = (width_px / char_px).floor().min(usize::MAX as f64) as usize;
    if max_chars < MIN_LABEL_CHARS {
        return None;
    }
    let full_len = name.chars().count();
    if full_len <= max_chars {
        return Some(name.to_owned());
    }
    let short = without_package_path(name);
    let short_len = short.chars().count();
    if short_len <= max_chars {
        return Some(short.to_owned());
    }
    Some(truncate_middle(short, short_len, max_chars))
}

/// `name` without the import path before its package name: everything up to the last `/`
/// that comes before the first `(` or space (so a receiver like `(*a/b.T)` or a trailing
/// ` file/path.go:12` is left alone).
pub fn without_package_path(name: &str) -> &str {
    let head_end = name.find(['(', ' ']).unwrap_or(name.len());
    match name[..head_end].rfind('/') {
        Some(slash) if slash + 1 < name.len() => &name[slash + 1..],
        _ => name,
    }
}

/// The first and last characters of `s` (which has `len` characters) around an ellipsis,
/// `max_chars` characters in all; the head gets the extra character when the split is odd.
fn truncate_middle(s: &str, len: usize, max_chars: usize) -> String {
    let keep = max_chars.saturating_sub(1);
    let head = keep.div_ceil(2);
    let tail = keep - head;
    let mut out: String = s.chars().take(head).collect();
    out.push(ELLIPSIS);
    out.extend(s.chars().skip(len - tail));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIN: &str = "github.com/gin-gonic/gin.(*Context).Next";

    #[test]
    fn full_name_when_it_fits() {
        assert_eq!(
            label_for_width("main.main", 90.0, 10.0).as_deref(),
            Some("main.main")
        );
        assert_eq!(label_for_width(GIN, 1000.0, 7.0).as_deref(), Some(GIN));
    }

    #[test]
    fn drops_package_path_before_cutting() {
        // 40 chars do not fit in 30; the 19-char short form does.
        assert_eq!(
            label_for_width(GIN, 30.0 * 7.0, 7.0).as_deref(),
            Some("gin.(*Context).Next")
        );
        assert_eq!(without_package_path("runtime.mallocgc"), "runtime.mallocgc");
        assert_eq!(
            without_package_path("net/http.(*conn).serve"),
            "http.(*conn).serve"
        );
        // A slash inside the receiver or a file path after a space is not a package path.
        assert_eq!(without_package_path("main.(*a/b.T).m"), "main.(*a/b.T).m");
        assert_eq!(
            without_package_path("main.f /src/app/main.go:12"),
            "main.f /src/app/main.go:12"
        );
        assert_eq!(without_package_path("trailing/"), "trailing/");
    }

    #[test]
    fn cuts_in_the_middle_to_exact_width() {
        let label = label_for_width(GIN, 10.0 * 7.0, 7.0).unwrap();
        assert_eq!(label, "gin.(…Next");
        assert_eq!(label.chars().count(), 10);
        let label = label_for_width(GIN, 5.0 * 7.0 + 6.9, 7.0).unwrap();
        assert_eq!(label, "gi…xt", "partial characters do not count");
    }

    #[test]
    fn nothing_when_too_narrow_or_bad_metrics() {
        assert_eq!(label_for_width(GIN, 3.9 * 7.0, 7.0), None);
        assert_eq!(
            label_for_width("ab", 3.0 * 7.0, 7.0),
            None,
            "below the minimum even if whole"
        );
        assert_eq!(label_for_width(GIN, 100.0, 0.0), None);
        assert_eq!(label_for_width(GIN, f64::NAN, 7.0), None);
    }

    #[test]
    fn counts_characters_not_bytes() {
        let name = "μ/ünïcödé.函数名称很长";
        let label = label_for_width(name, 6.0, 1.0).unwrap();
        assert_eq!(label.chars().count(), 6);
        assert!(label.starts_with("ünï") && label.ends_with("很长"));
    }
}
