//! J1: closures retaining large context objects (a factory returns a handler that captures a
//! big object, called per request). Evidence: closure contexts (`system / Context`) and the
//! functions that own them growing across snapshots, when no listener list or timer list holds
//! them (those are J4's).

use super::js::{js_finding, HeldBy};
use super::*;
use crate::analysis::heap::ClassGrowthRow;

pub fn check(f: &Facts) -> Finding {
    let title = "Closures retaining large context objects";
    let fix = fix(
        "Do not capture what is not needed: pass data as arguments, copy out the few fields the handler uses, and drop references after use.",
        "function makeHandler(config) {\n  const { timeout } = config; // capture a field, not the whole config\n  return (req, res) => handle(req, res, timeout);\n}",
    );
    js_finding(f, "J1", title, fix)
}

/// A class is J1's evidence when it is closures or their contexts.
pub(super) fn matches(r: &ClassGrowthRow, _held: &HeldBy) -> bool {
    r.name.starts_with("system / Context") || r.name == "Function" || r.name == "(closure)"
}
