//! G1: goroutines blocked forever on a channel send or receive, or in a `select` with no ready
//! case, one more per request. Evidence: goroutines waiting in `runtime.chansend` /
//! `chanrecv` / `selectgo` (dumps: `[chan send]`, `[chan receive]`, `[select]`) at one user
//! frame, their count growing; Go 1.26's `goroutineleak` profile proves it outright.

use super::super::go_stacks::{grows, rises, Holding, Wait};
use super::*;

/// One goroutine profile can settle it only when this many goroutines wait at one user frame:
/// a busy service has tens or hundreds of legitimately waiting goroutines, not thousands.
pub const MANY_WAITING: i64 = 1000;

/// Fewer than `MANY_WAITING` but this many at one frame in one file is worth a look.
pub const SOME_WAITING: i64 = 100;

pub fn check(f: &Facts) -> Finding {
    let title = "Goroutines blocked forever on a channel or select";
    let fix = fix(
        "Give the goroutine a way out: a receiver for every send, a buffered channel of the right size, a select on ctx.Done() or a timeout.",
        "select {\ncase reply <- res:\ncase <-ctx.Done(): // the caller is gone: stop instead of blocking forever\n}",
    );
    let series = goroutines(f);
    if series.is_empty() {
        return finding(
            "G1",
            title,
            Verdict::Needs("goroutine profile".to_owned()),
            vec![],
            fix,
        );
    }
    // Goroutines that wait on a ticker whose timers pile up in the heap are G8's.
    let timers: Vec<String> = heap(f)
        .map(|(_, groups)| entries_held_by(&groups, &[Holding::Timer]))
        .unwrap_or_default();
    let mut evidence = Vec::new();
    let (mut likely, mut possible) = (false, false);
    for (s, groups) in &series {
        let proven = s.sample_type == "goroutineleak";
        for g in groups
            .iter()
            .filter(|g| g.wait == Wait::Channel && !timers.contains(&g.frame))
        {
            let last = g.counts.last().copied().unwrap_or(0);
            let strong = proven || grows(&g.trend) || last >= MANY_WAITING;
            let weak = rises(&g.trend) || last >= SOME_WAITING;
            if !(strong || weak) || last == 0 {
                continue;
            }
            likely |= strong;
            possible |= weak;
            let what = if proven {
                "proven blocked forever"
            } else {
                "wait on a channel"
            };
            evidence.push(goroutine_evidence(s, g, what));
        }
    }
    finding("G1", title, verdict_of(likely, possible), evidence, fix)
}
