//! J1: closures retaining large context objects (a factory returns a handler that captures a
//! big object, called per request). Evidence: closure contexts (`system / Context`) and the
//! functions that own them growing across snapshots, their retained size rising, held by a
//! path that is not an event emitter's listener list or a timer (those are J4's).

use super::*;
use crate::analysis::heap::ClassGrowthRow;

pub fn check(f: &Facts) -> Finding {
    let title = "Closures retaining large context objects";
    let fix = fix(
        "Do not capture what is not needed: pass data as arguments, copy out the few fields the handler uses, and drop references after use.",
        "function makeHandler(config) {\n  const { timeout } = config; // capture a field, not the whole config\n  return (req, res) => handle(req, res, timeout);\n}",
    );
    js_finding(f, "J1", title, fix, |r: &ClassGrowthRow| {
        (r.name == "system / Context" || r.name == "Function") && !held_by_listeners_or_timers(r)
    })
}
