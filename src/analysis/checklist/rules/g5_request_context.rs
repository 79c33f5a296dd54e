//! G5: the request's context (`*gin.Context`, `context.Context` values) kept alive after the
//! request, holding large objects. Evidence: in-use memory under `gin.(*Context).Set`,
//! `context.WithValue` / `WithCancel` growing at every step under a handler, with what the same
//! handler keeps alongside (the large objects the context holds).

use super::super::go_stacks::{grows, rises, Holding};
use super::*;

pub fn check(f: &Facts) -> Finding {
    let title = "The request context kept alive after the request";
    let fix = fix(
        "Pass plain values, not the context: copy out what a goroutine or a global needs; in Gin use c.Copy() for goroutines, and never keep a context in a global or a queue.",
        "payload := c.MustGet(\"payload\").(*Doc)\ngo audit(payload.ID, len(payload.Body)) // values, not c",
    );
    let Some((s, groups)) = heap(f) else {
        return finding(
            "G5",
            title,
            Verdict::Needs("heap profile".to_owned()),
            vec![],
            fix,
        );
    };
    let handlers = entries_held_by(&groups, &[Holding::RequestContext]);
    let mut evidence = Vec::new();
    let (mut likely, mut possible) = (false, false);
    for g in groups
        .iter()
        .filter(|g| g.holding == Holding::RequestContext && rises(&g.trend))
    {
        likely |= grows(&g.trend);
        possible = true;
        evidence.push(heap_evidence(s, g, "held by request contexts"));
    }
    // What the same handlers keep alongside their contexts: the large objects.
    for g in groups
        .iter()
        .filter(|g| g.holding == Holding::Plain && grows(&g.trend) && handlers.contains(&g.entry))
    {
        evidence.push(heap_evidence(s, g, "kept with the request's context"));
    }
    finding("G5", title, verdict_of(likely, possible), evidence, fix)
}
