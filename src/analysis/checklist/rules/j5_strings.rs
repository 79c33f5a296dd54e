//! J5: huge strings built by concatenation and kept alive. Evidence: string classes
//! (`(concatenated string)`, `(sliced string)`, `(string)`) growing across snapshots in big
//! strings, or in chains of concatenations (V8 keeps `a + b` as a rope whose `first` part is
//! another rope: the path repeats), held by a variable rather than by the entries of a cache
//! (many small strings in a cache are J2's).

use super::js::{is_string, js_finding, HeldBy};
use super::*;
use crate::analysis::heap::ClassGrowthRow;

/// Strings that grow by this many bytes per added object on average are big ones (a log, a
/// report), not the many small strings every program makes.
const HUGE_STRING: u64 = 1024;

pub fn check(f: &Facts) -> Finding {
    let title = "Huge strings built by concatenation and kept";
    let fix = fix(
        "Build with arrays or streams and keep only what is needed: push lines to a bounded array (or write them to a stream) instead of appending to one string.",
        "const lines = [];\nlines.push(line);\nif (lines.length > 1000) lines.shift(); // bounded, instead of log += line",
    );
    js_finding(f, "J5", title, fix)
}

/// A class is J5's evidence when it is strings that grow in big ones or in a rope, and no
/// collection keeps them.
pub(super) fn matches(r: &ClassGrowthRow, held: &HeldBy) -> bool {
    let added = r
        .counts
        .last()
        .zip(r.counts.first())
        .map_or(0, |(b, a)| b.saturating_sub(*a));
    let grown = r
        .shallow_sizes
        .last()
        .zip(r.shallow_sizes.first())
        .map_or(0, |(b, a)| b.saturating_sub(*a));
    let big = grown >= HUGE_STRING * added.max(1);
    is_string(r) && (big || held.in_rope()) && !held.in_collection()
}
