//! J4: event listeners or intervals accumulating (`emitter.on` per request, `setInterval` never
//! cleared). Evidence: timers (`Timeout`) growing across snapshots, and objects held through an
//! event emitter's listener lists (`_events`) or a timer growing.

use super::*;
use crate::analysis::heap::ClassGrowthRow;

pub fn check(f: &Facts) -> Finding {
    let title = "Event listeners or intervals accumulating";
    let fix = fix(
        "Remove what you add: emitter.off (or once) for per-request listeners, clearInterval for intervals, or an AbortController whose signal removes them together.",
        "const ac = new AbortController();\nemitter.on('tick', onTick, { signal: ac.signal }); // EventTarget; for EventEmitter: emitter.off('tick', onTick)\nreq.on('close', () => ac.abort());",
    );
    js_finding(f, "J4", title, fix, |r: &ClassGrowthRow| {
        r.name == "Timeout" || r.name == "Timer" || held_by_listeners_or_timers(r)
    })
}
