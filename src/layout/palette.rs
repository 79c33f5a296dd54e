//! Flame graph colours: a stable warm swatch per function name (hash of the name, so a function
//! keeps its colour across profiles and reloads), a cooler family for Go runtime frames, one
//! highlight for search matches and a faded variant for non-matches; for a diff, a diverging
//! scale from shrink to growth instead. No CSS parsing, no DOM.

use crate::analysis::CallTree;

/// Number of name swatches: few enough that the painter can batch rectangles by fill colour
/// (one canvas path per swatch), enough that neighbours rarely share one.
const N_NAMES: usize = 32;

/// The swatches `0..N_USER` are warm (user code), `N_USER..N_NAMES` cool (Go runtime).
const N_USER: usize = 24;

/// Steps of a diff's scale on each side of "unchanged".
pub const DIFF_STEPS: usize = 6;

/// All swatches: the name swatches, then a diff's `DIFF_STEPS` shrink steps (strongest first),
/// "unchanged", and `DIFF_STEPS` growth steps (weakest first).
pub const N_SWATCHES: usize = N_NAMES + 2 * DIFF_STEPS + 1;

/// A change of this share of the larger of the two totals is drawn at full strength: a leak
/// worth a twentieth of the heap should stand out, sampling noise should stay faint.
pub const DIFF_FULL_SHARE: f64 = 0.05;

/// The diff scale's ends and middle, from ColorBrewer's RdBu (red and blue stay apart for
/// every common colour vision deficiency, unlike pprof's red and green); the ends are the
/// 7-class scale's second steps, light enough for dark labels.
const GROW: Rgb = Rgb(0xd6, 0x60, 0x4d);
const SHRINK: Rgb = Rgb(0x43, 0x93, 0xc3);
const UNCHANGED: Rgb = Rgb(0xe6, 0xe6, 0xe6);

/// An sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// The CSS form, `#rrggbb`.
    pub fn css(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// This colour moved `t` (0..1) of the way towards `to`.
    pub fn mix(self, to: Rgb, t: f64) -> Rgb {
        let lerp = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * t).round() as u8;
        Rgb(lerp(self.0, to.0), lerp(self.1, to.1), lerp(self.2, to.2))
    }
}

/// How a frame is emphasised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Emphasis {
    /// No search active: the frame's own swatch.
    Normal,
    /// Matched the search: the highlight colour.
    Match,
    /// A search is active and this frame did not match: its swatch faded.
    Dimmed,
}

/// Search matches: a saturated magenta that no swatch uses (pprof and speedscope both pick a
/// colour outside the flame palette for highlights).
pub const MATCH_COLOR: Rgb = Rgb(0xd9, 0x46, 0xef);

/// What dimmed frames fade towards: the light grey of an empty page.
const FADE_TO: Rgb = Rgb(0xee, 0xee, 0xee);

/// Label text colour on a normal or matched frame.
pub const TEXT_COLOR: Rgb = Rgb(0x1a, 0x1a, 0x1a);
/// Label text colour on a dimmed frame.
pub const DIMMED_TEXT_COLOR: Rgb = Rgb(0x8a, 0x8a, 0x8a);

/// True for frames of the Go runtime (`runtime.mallocgc`, `runtime/pprof.…`), drawn in the
/// cool family so user code stands out.
pub fn is_runtime(name: &str) -> bool {
    name.starts_with("runtime.") || name.starts_with("runtime/")
}

/// The swatch (`0..N_SWATCHES`) of a function name: FNV-1a of its bytes, which unlike
/// `std`'s hasher is the same on every platform and release.
pub fn swatch_of(name: &str) -> u8 {
    let h = fnv1a(name.as_bytes());
    // Fold the high bits in: FNV's low bits mix poorly for short names.
    let h = (h ^ (h >> 29)) as usize;
    if is_runtime(name) {
        (N_USER + h % (N_NAMES - N_USER)) as u8
    } else {
        (h % N_USER) as u8
    }
}

/// 64-bit FNV-1a (Fowler–Noll–Vo, the `draft-eastlake-fnv` parameters).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The swatch of every node of `tree`, hashing each distinct name once; for a diff tree (one
/// with base values), each node's step on the diff scale.
pub fn swatches(tree: &CallTree) -> Vec<u8> {
    if !tree.base_value.is_empty() {
        let full = DIFF_FULL_SHARE * tree.total.abs().max(tree.base_total.abs()).max(1) as f64;
        return tree
            .total_value
            .iter()
            .zip(&tree.base_value)
            .map(|(&new, &base)| diff_swatch(new.saturating_sub(base), full))
            .collect();
    }
    let by_name: Vec<u8> = tree.names.iter().map(|s| swatch_of(s)).collect();
    tree.name
        .iter()
        .map(|&i| by_name.get(i as usize).copied().unwrap_or(0))
        .collect()
}

/// The diff-scale swatch of a change of `delta` when `full` is drawn at full strength: 0 is
/// "unchanged", any other change at least one step.
pub fn diff_swatch(delta: i64, full: f64) -> u8 {
    let middle = N_NAMES + DIFF_STEPS;
    if delta == 0 {
        return middle as u8;
    }
    let share = (delta.unsigned_abs() as f64 / full).min(1.0);
    let step = ((share * DIFF_STEPS as f64).ceil() as usize).clamp(1, DIFF_STEPS);
    if delta > 0 {
        (middle + step) as u8
    } else {
        (middle - step) as u8
    }
}

/// The fill colour of swatch `s` with emphasis `e`.
///
/// Warm swatches walk hue 0°..50° (red → orange → yellow, the classic flame graph range) and
/// vary lightness in three steps so adjacent hues still differ; cool ones walk 190°..230°.
pub fn fill(s: u8, e: Emphasis) -> Rgb {
    let s = s as usize % N_SWATCHES;
    let base = if s >= N_NAMES {
        let middle = N_NAMES + DIFF_STEPS;
        let t = s.abs_diff(middle) as f64 / DIFF_STEPS as f64;
        UNCHANGED.mix(if s > middle { GROW } else { SHRINK }, t)
    } else if s < N_USER {
        let hue = 50.0 * (s / 3) as f64 / ((N_USER / 3 - 1) as f64);
        hsl(hue, 0.78, [0.62, 0.68, 0.74][s % 3])
    } else {
        let k = s - N_USER;
        let hue = 190.0 + 40.0 * (k / 2) as f64 / (((N_NAMES - N_USER) / 2 - 1) as f64);
        hsl(hue, 0.55, [0.70, 0.76][k % 2])
    };
    match e {
        Emphasis::Normal => base,
        Emphasis::Match => MATCH_COLOR,
        Emphasis::Dimmed => base.mix(FADE_TO, 0.75),
    }
}

/// The label colour for emphasis `e`.
pub fn text(e: Emphasis) -> Rgb {
    match e {
        Emphasis::Dimmed => DIMMED_TEXT_COLOR,
        Emphasis::Normal | Emphasis::Match => TEXT_COLOR,
    }
}

/// HSL (hue in degrees, saturation and lightness 0..1) to sRGB, the CSS Color 4 formula.
fn hsl(h: f64, s: f64, l: f64) -> Rgb {
    let a = s * l.min(1.0 - l);
    let f = |n: f64| {
        let k = (n + h / 30.0) % 12.0;
        let v = l - a * (k - 3.0).min(9.0 - k).clamp(-1.0, 1.0);
        (v * 255.0).round().clamp(0.0, 255.0) as u8
    };
    Rgb(f(0.0), f(8.0), f(4.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hsl_matches_css_reference_values() {
        assert_eq!(hsl(0.0, 1.0, 0.5), Rgb(255, 0, 0));
        assert_eq!(hsl(120.0, 1.0, 0.5), Rgb(0, 255, 0));
        assert_eq!(hsl(240.0, 1.0, 0.25), Rgb(0, 0, 128));
        assert_eq!(hsl(30.0, 1.0, 0.5), Rgb(255, 128, 0));
        assert_eq!(Rgb(255, 128, 0).css(), "#ff8000");
    }

    #[test]
    fn swatch_is_stable_and_split_by_runtime() {
        // Test vectors of the FNV reference, so colours never silently change between builds.
        assert_eq!(fnv1a(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x85944171f73967e8);
        for name in [
            "main.main",
            "net/http.(*conn).serve",
            "encoding/json.Unmarshal",
        ] {
            assert!((swatch_of(name) as usize) < N_USER, "{name}");
        }
        for name in [
            "runtime.mallocgc",
            "runtime.gcBgMarkWorker",
            "runtime/pprof.profileWriter",
        ] {
            assert!(
                (N_USER..N_NAMES).contains(&(swatch_of(name) as usize)),
                "{name}"
            );
        }
        // Different names spread over the swatches instead of piling on a few.
        let used: std::collections::HashSet<u8> = (0..200)
            .map(|i| swatch_of(&format!("pkg.Func{i}")))
            .collect();
        assert!(
            used.len() >= N_USER - 2,
            "only {} swatches used",
            used.len()
        );
    }

    #[test]
    fn user_swatches_are_warm_runtime_cool() {
        for s in 0..N_NAMES as u8 {
            let Rgb(r, _, b) = fill(s, Emphasis::Normal);
            if (s as usize) < N_USER {
                assert!(r > b + 60, "swatch {s} is not warm");
            } else {
                assert!(b > r + 30, "swatch {s} is not cool");
            }
        }
    }

    #[test]
    fn diff_scale_goes_from_blue_through_grey_to_red() {
        let full = 100.0;
        let middle = diff_swatch(0, full);
        assert_eq!(fill(middle, Emphasis::Normal), UNCHANGED);
        // Any change is at least one step; a full-strength one is the end of the scale.
        let (small_up, big_up) = (diff_swatch(1, full), diff_swatch(500, full));
        assert_eq!((small_up - middle, big_up - middle), (1, DIFF_STEPS as u8));
        assert_eq!(fill(big_up, Emphasis::Normal), GROW);
        assert_eq!(fill(diff_swatch(-100, full), Emphasis::Normal), SHRINK);
        let Rgb(r, _, b) = fill(diff_swatch(50, full), Emphasis::Normal);
        assert!(r > b, "growth is warm");
        let Rgb(r, _, b) = fill(diff_swatch(-50, full), Emphasis::Normal);
        assert!(b > r, "shrink is cool");
        // A diff tree gets diff swatches.
        let tree = CallTree {
            total: 100,
            base_total: 100,
            name: vec![0, 0],
            total_value: vec![150, 50],
            base_value: vec![100, 50],
            ..Default::default()
        };
        assert_eq!(swatches(&tree), [middle + DIFF_STEPS as u8, middle]);
    }

    #[test]
    fn emphasis_changes_colour() {
        let s = swatch_of("main.handler");
        assert_eq!(fill(s, Emphasis::Match), MATCH_COLOR);
        let (n, d) = (fill(s, Emphasis::Normal), fill(s, Emphasis::Dimmed));
        assert_ne!(n, d);
        // Dimmed is closer to the fade colour than the normal one is.
        let dist = |c: Rgb| (c.0 as i32 - 0xee).abs() + (c.1 as i32 - 0xee).abs();
        assert!(dist(d) < dist(n));
        assert_ne!(text(Emphasis::Dimmed), text(Emphasis::Normal));
    }
}
