//! J4: event listeners or intervals accumulating (`emitter.on` per request, `setInterval` never
//! cleared). Evidence: timers (`Timeout`) or listeners growing across snapshots, and what an
//! emitter's listener array or a list of timers keeps.

use super::js::{js_finding, HeldBy};
use super::*;
use crate::analysis::heap::ClassGrowthRow;

pub fn check(f: &Facts) -> Finding {
    let title = "Event listeners or intervals accumulating";
    let fix = fix(
        "Remove what you add: emitter.off (or once) for per-request listeners, clearInterval for intervals, or an AbortController whose signal removes them together.",
        "const ac = new AbortController();\nemitter.on('tick', onTick, { signal: ac.signal }); // EventTarget; for EventEmitter: emitter.off('tick', onTick)\nreq.on('close', () => ac.abort());",
    );
    js_finding(f, "J4", title, fix)
}

/// A class is J4's evidence when it is timers or listeners, or when listeners or timers that
/// the holding variable names keep it.
pub(super) fn matches(r: &ClassGrowthRow, held: &HeldBy) -> bool {
    matches!(
        r.name.as_str(),
        "Timeout" | "Timer" | "EventListener" | "V8EventListener"
    ) || held.in_listeners_or_timers()
}
