//! G4: a package-level map or slice used as a cache with no TTL or bound. Evidence: in-use
//! bytes allocated by one user function growing at every step. Go's heap profiles hide the
//! runtime frames at the top of an allocation (`runtime.mapassign`, `growslice`), so the user
//! function that inserts is the allocation site. Memory under a handler that the other causes
//! explain (a request's context, bodies read whole, timers, the HTTP client) is theirs.

use super::super::go_stacks::{grows, rises, Holding};
use super::*;

pub fn check(f: &Facts) -> Finding {
    let title = "A package-level map or slice used as a cache with no bound";
    let fix = fix(
        "Bound it: an LRU or a TTL with eviction, a size cap, or a cleanup goroutine; export its entry count as a metric to see it grow.",
        "cache, _ := lru.New[string, []byte](10_000) // github.com/hashicorp/golang-lru/v2\ncache.Add(key, body)",
    );
    let Some((s, groups)) = heap(f) else {
        return finding(
            "G4",
            title,
            Verdict::Needs("heap profile".to_owned()),
            vec![],
            fix,
        );
    };
    let explained = entries_held_by(
        &groups,
        &[
            Holding::RequestContext,
            Holding::WholeBody,
            Holding::Timer,
            Holding::HttpClient,
        ],
    );
    let mut evidence = Vec::new();
    let (mut likely, mut possible) = (false, false);
    for g in groups
        .iter()
        .filter(|g| g.holding == Holding::Plain && rises(&g.trend) && !explained.contains(&g.entry))
    {
        likely |= grows(&g.trend);
        possible = true;
        evidence.push(heap_evidence(s, g, "allocated"));
    }
    finding("G4", title, verdict_of(likely, possible), evidence, fix)
}
