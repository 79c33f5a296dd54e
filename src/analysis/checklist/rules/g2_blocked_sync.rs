//! G2: goroutines blocked forever in `sync.WaitGroup.Wait`, on a mutex or a `sync.Cond`, one
//! more per request. Evidence: goroutines under `sync.(*WaitGroup).Wait`,
//! `sync.runtime_Semacquire*`, `sync.(*Mutex).Lock`, `sync.(*Cond).Wait` (dumps: `[semacquire]`,
//! `[sync.*]`) at one user frame, their count growing; block and mutex profiles add where
//! goroutines waited on locks (a blocked-forever wait is never in them: it has not ended).

use super::super::go_stacks::{grows, rises, Wait};
use super::g1_blocked_channels::{MANY_WAITING, SOME_WAITING};
use super::*;

pub fn check(f: &Facts) -> Finding {
    let title = "Goroutines blocked forever on a WaitGroup, mutex or Cond";
    let fix = fix(
        "Make every path release what it took: defer wg.Done() and defer mu.Unlock() right after taking them, lock in one order, signal or broadcast every Cond wait, and bound waits with a timeout.",
        "wg.Add(1)\ngo func() {\n    defer wg.Done() // also on the error path\n    check()\n}()",
    );
    let series = goroutines(f);
    if series.is_empty() {
        return finding(
            "G2",
            title,
            Verdict::Needs("goroutine profile".to_owned()),
            vec![],
            fix,
        );
    }
    let mut evidence = Vec::new();
    let (mut likely, mut possible) = (false, false);
    for (s, groups) in &series {
        let proven = s.sample_type == "goroutineleak";
        for g in groups.iter().filter(|g| g.wait == Wait::Sync) {
            let last = g.counts.last().copied().unwrap_or(0);
            let strong = proven || grows(&g.trend) || last >= MANY_WAITING;
            let weak = rises(&g.trend) || last >= SOME_WAITING;
            if !(strong || weak) || last == 0 {
                continue;
            }
            likely |= strong;
            possible |= weak;
            evidence.push(goroutine_evidence(
                s,
                g,
                "wait on a WaitGroup, mutex or Cond",
            ));
        }
    }
    // Where goroutines did wait on locks: supporting evidence, never a verdict by itself.
    for (kind, table) in [("block", &f.block), ("mutex", &f.mutex)] {
        let Some(t) = table.as_ref().filter(|_| likely || possible) else {
            continue;
        };
        // net/http's own abortPendingRead waits on a Cond in every busy server.
        let row = t
            .top
            .rows
            .iter()
            .find(|r| r.name.starts_with("sync.") && r.cum > 0);
        if let Some(row) = row {
            evidence.push(Evidence {
                text: format!(
                    "{} spent waiting in {} (the {kind} profile)",
                    format_value(row.cum, &t.top.sample_type.unit),
                    row.name
                ),
                frame: None,
                runtime_frames: vec![row.name.clone()],
                values: vec![row.cum],
                unit: t.top.sample_type.unit.clone(),
                link: Some(Link {
                    view: View::Top,
                    files: vec![t.id],
                    sample_type: Some(t.top.sample_type.name.clone()),
                    focus: None,
                    class_key: None,
                    object: None,
                }),
            });
        }
    }
    finding("G2", title, verdict_of(likely, possible), evidence, fix)
}
