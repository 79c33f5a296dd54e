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
        return needs("G5", title, "heap profile", fix);
    };
    let handlers = entries_held_by(groups, &[Holding::RequestContext]);
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

#[cfg(test)]
mod tests {
    //! G5 on heap profiles built from text.
    use crate::analysis::checklist::test_support::*;
    use crate::analysis::checklist::Verdict;

    const MB: i64 = 1 << 20;

    #[test]
    fn g5_contexts_kept_with_what_they_hold() {
        // The handler stores the document in the Gin context and hands the context to a
        // goroutine that outlives the request.
        let set = gin("main.(*Server).handle;github.com/gin-gonic/gin.(*Context).Set");
        let doc = gin("main.(*Server).handle;main.loadDocument");
        let h = heap_series(&[
            (&set, &[256_000, 512_000, 768_000]),
            (&doc, &[4 * MB, 8 * MB, 12 * MB]),
            (STARTUP, &[MB, MB, MB]),
        ]);
        let fs = facts(&[&h]);
        let f = finding_of(&fs, "G5");
        assert_eq!(f.verdict, Verdict::Likely);
        let e = evidence_at(&f, "main.(*Server).handle");
        assert!(
            shows(e, &["github.com/gin-gonic/gin.(*Context).Set"]),
            "{e:#?}"
        );
        assert_eq!(e.values, [256_000, 512_000, 768_000]);
        // What the context holds, at the function that made it.
        let e = evidence_at(&f, "main.loadDocument");
        assert!(
            e.text.contains("kept with the request's context"),
            "{}",
            e.text
        );
        assert_eq!(e.values, [4 * MB, 8 * MB, 12 * MB]);
        assert!(names_user_frames_only(&f));
        // The documents are the context's, not a cache's.
        assert_eq!(finding_of(&fs, "G4").verdict, Verdict::NotSeen);
    }

    #[test]
    fn g5_cancel_contexts_of_goroutines_started_by_a_handler() {
        let cancel =
            "runtime.goexit;main.(*Server).handle.func1;context.WithCancel;context.withCancel";
        let h = heap_series(&[
            (cancel, &[100_000, 200_000, 300_000]),
            (STARTUP, &[MB, MB, MB]),
        ]);
        let f = finding_of(&facts(&[&h]), "G5");
        assert_eq!(f.verdict, Verdict::Likely);
        let e = evidence_at(&f, "main.(*Server).handle.func1");
        assert!(shows(e, &["context.WithCancel"]), "{e:#?}");
    }

    #[test]
    fn g5_not_from_contexts_that_end_with_their_requests() {
        let timeout = gin("main.(*Server).handle;context.WithTimeout;context.WithDeadline;context.WithDeadlineCause");
        let h = heap_series(&[
            (&timeout, &[64_000, 64_000, 64_000]),
            (STARTUP, &[MB, MB, MB]),
        ]);
        let f = finding_of(&facts(&[&h]), "G5");
        assert_eq!(f.verdict, Verdict::NotSeen, "{f:#?}");
        assert!(f.evidence.is_empty());
    }

    #[test]
    fn g5_not_from_a_cache_in_a_handler_whose_contexts_end() {
        let timeout = gin("main.(*Server).handle;context.WithTimeout");
        let put = gin("main.(*Server).handle;main.(*responseCache).Put");
        let h = heap_series(&[
            (&timeout, &[64_000, 64_000, 64_000]),
            (&put, &[MB, 2 * MB, 3 * MB]),
            (STARTUP, &[MB, MB, MB]),
        ]);
        let fs = facts(&[&h]);
        let f = finding_of(&fs, "G5");
        assert_eq!(f.verdict, Verdict::NotSeen, "{f:#?}");
        assert!(
            f.evidence.is_empty(),
            "the cache is not the context's: {f:#?}"
        );
        assert_eq!(finding_of(&fs, "G4").verdict, Verdict::Likely);
    }

    #[test]
    fn g5_needs_a_heap_profile() {
        let g = goroutine_series(&[(IDLE_SERVER_CONN, &[30, 30])]);
        assert_eq!(
            verdict(&[&g], "G5"),
            Verdict::Needs("heap profile".to_owned())
        );
    }
}
