//! G4: a package-level map or slice used as a cache with no TTL or bound. Evidence: in-use
//! bytes allocated by one user function growing at every step. Go's heap profiles hide the
//! runtime frames at the top of an allocation (`runtime.mapassign`, `growslice`), so the user
//! function that inserts is the allocation site. Memory under a handler that the other causes
//! explain (a request's context, bodies read whole, timers, the HTTP client) is theirs.

use super::super::go_stacks::{grows, rises, HeapGroup, Holding};
use super::*;

/// In one heap profile (no growth to read), a user function holding at least this share of
/// the heap in use is worth a look: a cache that holds a quarter of the heap is the usual
/// suspect, though one file cannot tell a cache that grows from one that is full.
pub const BIG_SHARE: f64 = 0.25;

pub fn check(f: &Facts) -> Finding {
    let title = "A package-level map or slice used as a cache with no bound";
    let fix = fix(
        "Bound it: an LRU or a TTL with eviction, a size cap, or a cleanup goroutine; export its entry count as a metric to see it grow.",
        "cache, _ := lru.New[string, []byte](10_000) // github.com/hashicorp/golang-lru/v2\ncache.Add(key, body)",
    );
    let Some((s, groups)) = heap(f) else {
        return needs("G4", title, "heap profile", fix);
    };
    let explained = entries_held_by(
        groups,
        &[
            Holding::RequestContext,
            Holding::WholeBody,
            Holding::Timer,
            Holding::HttpClient,
        ],
    );
    let mut evidence = Vec::new();
    let (mut likely, mut possible) = (false, false);
    let single = s.points() < 2;
    let heap_now = s.growth.totals.last().copied().unwrap_or(0).max(1) as f64;
    let big = |g: &&HeapGroup| {
        single && g.values.last().copied().unwrap_or(0) as f64 >= BIG_SHARE * heap_now
    };
    for g in groups.iter().filter(|g| {
        g.holding == Holding::Plain && (rises(&g.trend) || big(g)) && !explained.contains(&g.entry)
    }) {
        likely |= grows(&g.trend);
        possible = true;
        evidence.push(heap_evidence(s, g, "allocated"));
    }
    finding("G4", title, verdict_of(likely, possible), evidence, fix)
}

#[cfg(test)]
mod tests {
    //! G4 on heap profiles built from text. Go's heap profiles drop the runtime frames at the
    //! top of an allocation (`runtime.mapassign_faststr`, `growslice`), so a cache's inserts
    //! show as the user function that inserts.
    use crate::analysis::checklist::test_support::*;
    use crate::analysis::checklist::Verdict;

    const MB: i64 = 1 << 20;

    fn cache_put() -> String {
        gin("main.(*Server).getProduct;main.(*responseCache).Put")
    }

    #[test]
    fn g4_a_cache_growing_at_every_step() {
        let put = cache_put();
        let h = heap_series(&[
            (&put, &[MB, 2 * MB, 3 * MB]),
            (STARTUP, &[MB, MB, MB]),
            (
                &gin("main.(*Server).getProduct;encoding/json.Marshal"),
                &[64_000, 64_000, 64_000],
            ),
        ]);
        let f = finding_of(&facts(&[&h]), "G4");
        assert_eq!(f.verdict, Verdict::Likely);
        let e = evidence_at(&f, "main.(*responseCache).Put");
        assert_eq!(e.values, [MB, 2 * MB, 3 * MB]);
        assert_eq!(e.unit, "bytes");
        let link = e.link.as_ref().unwrap();
        assert_eq!(
            link.focus.as_deref(),
            Some(r"^main\.\(\*responseCache\)\.Put$")
        );
        assert_eq!(link.sample_type.as_deref(), Some("inuse_space"));
        assert_eq!(f.evidence.len(), 1, "{f:#?}");
        assert!(names_user_frames_only(&f));
    }

    #[test]
    fn g4_not_from_a_bounded_cache() {
        let put = cache_put();
        let full = heap_series(&[(&put, &[2 * MB, 2 * MB, 2 * MB]), (STARTUP, &[MB, MB, MB])]);
        let f = finding_of(&facts(&[&full]), "G4");
        assert_eq!(f.verdict, Verdict::NotSeen, "{f:#?}");
        assert!(f.evidence.is_empty());
        // Filling up, then full: possible, not likely.
        let filling = heap_series(&[(&put, &[MB, 2 * MB, 2 * MB]), (STARTUP, &[MB, MB, MB])]);
        assert_eq!(verdict(&[&filling], "G4"), Verdict::Possible);
    }

    #[test]
    fn g4_one_profile_with_a_big_holder_is_possible_at_most() {
        let put = cache_put();
        let one = heap_series(&[(&put, &[300 * MB]), (STARTUP, &[100 * MB])]);
        let f = finding_of(&facts(&[&one]), "G4");
        assert_eq!(f.verdict, Verdict::Possible, "one file cannot show growth");
        evidence_at(&f, "main.(*responseCache).Put");
        // A small share of the heap is nothing to report.
        let runtime = "runtime.main;runtime.doInit1;crypto/tls.init";
        let small = heap_series(&[(&put, &[10 * MB]), (runtime, &[100 * MB])]);
        assert_eq!(verdict(&[&small], "G4"), Verdict::NotSeen);
    }

    #[test]
    fn g4_not_from_memory_under_a_handler_that_keeps_request_bodies() {
        // The handler reads bodies whole and keeps them with a record of its own: G6's.
        let h = heap_series(&[
            (
                &gin("main.(*Server).upload;io.ReadAll"),
                &[4 * MB, 8 * MB, 12 * MB],
            ),
            (
                &gin("main.(*Server).upload;main.(*Server).remember"),
                &[MB, 2 * MB, 3 * MB],
            ),
            (STARTUP, &[MB, MB, MB]),
        ]);
        let fs = facts(&[&h]);
        assert_eq!(finding_of(&fs, "G4").verdict, Verdict::NotSeen);
        assert_eq!(finding_of(&fs, "G6").verdict, Verdict::Likely);
    }

    #[test]
    fn g4_a_cache_behind_the_users_own_middleware_that_also_keeps_bodies() {
        // Two leaks at once behind one logging middleware of the service's own: bodies kept by
        // the middleware (G6), and a cache in a handler it calls (G4).
        let logger = "main.bodyLogger.func1";
        let h = heap_series(&[
            (&gin(&format!("{logger};io.ReadAll")), &[4 * MB, 8 * MB, 12 * MB]),
            (
                &gin(&format!("{logger};github.com/gin-gonic/gin.(*Context).Next;main.(*Server).getProduct;main.(*responseCache).Put")),
                &[MB, 2 * MB, 3 * MB],
            ),
            (STARTUP, &[MB, MB, MB]),
        ]);
        let fs = facts(&[&h]);
        assert_eq!(finding_of(&fs, "G6").verdict, Verdict::Likely);
        let f = finding_of(&fs, "G4");
        assert_eq!(f.verdict, Verdict::Likely, "{f:#?}");
        evidence_at(&f, "main.(*responseCache).Put");
    }

    #[test]
    fn g4_needs_a_heap_profile() {
        let g = goroutine_series(&[(IDLE_SERVER_CONN, &[30, 30])]);
        assert_eq!(
            verdict(&[&g], "G4"),
            Verdict::Needs("heap profile".to_owned())
        );
    }
}
