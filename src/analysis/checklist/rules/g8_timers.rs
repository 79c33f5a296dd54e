//! G8: timers and tickers leaked: `time.NewTicker` never stopped, `time.After` in a hot loop.
//! Evidence: in-use memory under `time.NewTicker`, `time.NewTimer`, `time.After`,
//! `time.startTimer` growing at every step at one user frame, and the goroutines waiting there.

use super::super::go_stacks::{grows, rises, Holding, Wait};
use super::*;

pub fn check(f: &Facts) -> Finding {
    let title = "Timers and tickers never stopped";
    let fix = fix(
        "Stop what you start: defer t.Stop() for every ticker and timer, reuse one timer in a loop instead of time.After, and end the goroutine with a context.",
        "t := time.NewTicker(100 * time.Millisecond)\ndefer t.Stop()\nfor {\n    select {\n    case <-t.C:\n        poll()\n    case <-ctx.Done():\n        return\n    }\n}",
    );
    let Some((s, groups)) = heap(f) else {
        return finding(
            "G8",
            title,
            Verdict::Needs("heap profile".to_owned()),
            vec![],
            fix,
        );
    };
    let mut evidence = Vec::new();
    let (mut likely, mut possible) = (false, false);
    let mut frames = Vec::new();
    for g in groups
        .iter()
        .filter(|g| g.holding == Holding::Timer && rises(&g.trend))
    {
        likely |= grows(&g.trend);
        possible = true;
        frames.push(g.frame.clone());
        evidence.push(heap_evidence(s, g, "in timers and tickers"));
    }
    for (gs, goroutine_groups) in goroutines(f) {
        for g in goroutine_groups
            .iter()
            .filter(|g| g.wait == Wait::Channel && frames.contains(&g.frame) && rises(&g.trend))
        {
            evidence.push(goroutine_evidence(gs, g, "wait on their tickers"));
        }
    }
    finding("G8", title, verdict_of(likely, possible), evidence, fix)
}
