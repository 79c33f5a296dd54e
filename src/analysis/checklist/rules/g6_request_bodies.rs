//! G6: request bodies read whole (`io.ReadAll(c.Request.Body)`) and kept by logging or
//! monitoring code. Evidence: in-use memory under `io.ReadAll` / `bytes.(*Buffer).ReadFrom`
//! growing at every step, at the user frame (often a middleware) that reads them.

use super::super::go_stacks::{grows, rises, Holding};
use super::*;

pub fn check(f: &Facts) -> Finding {
    let title = "Request bodies read whole and kept";
    let fix = fix(
        "Cap what is read (http.MaxBytesReader), keep only what is needed (a truncated copy), and restore the body with io.NopCloser(bytes.NewReader(b)) only when it must be read twice.",
        "c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, 1<<20)\nbody, err := io.ReadAll(c.Request.Body)\nauditLog.Add(string(body[:min(len(body), 256)])) // a copy of the head, not the body",
    );
    let Some((s, groups)) = heap(f) else {
        return needs("G6", title, "heap profile", fix);
    };
    let mut evidence = Vec::new();
    let (mut likely, mut possible) = (false, false);
    for g in groups
        .iter()
        .filter(|g| g.holding == Holding::WholeBody && rises(&g.trend))
    {
        likely |= grows(&g.trend);
        possible = true;
        evidence.push(heap_evidence(s, g, "read whole"));
    }
    finding("G6", title, verdict_of(likely, possible), evidence, fix)
}

#[cfg(test)]
mod tests {
    //! G6 on heap profiles built from text.
    use crate::analysis::checklist::test_support::*;
    use crate::analysis::checklist::Verdict;

    const MB: i64 = 1 << 20;

    /// A logging middleware of the service's own reads each body whole and keeps it.
    fn logger_reads() -> String {
        gin("main.bodyLogger.func1;io.ReadAll")
    }

    #[test]
    fn g6_bodies_read_whole_by_a_middleware_and_kept() {
        let read = logger_reads();
        let served = gin("main.bodyLogger.func1;github.com/gin-gonic/gin.(*Context).Next;main.(*Server).handle;main.(*Server).render");
        let h = heap_series(&[
            (&read, &[2 * MB, 4 * MB, 6 * MB]),
            (&served, &[512_000, 512_000, 512_000]),
            (STARTUP, &[MB, MB, MB]),
        ]);
        let fs = facts(&[&h]);
        let f = finding_of(&fs, "G6");
        assert_eq!(f.verdict, Verdict::Likely);
        let e = evidence_at(&f, "main.bodyLogger.func1");
        assert!(shows(e, &["io.ReadAll"]), "{e:#?}");
        assert_eq!(e.values, [2 * MB, 4 * MB, 6 * MB]);
        assert_eq!(f.evidence.len(), 1, "{f:#?}");
        assert!(names_user_frames_only(&f));
        assert_eq!(finding_of(&fs, "G4").verdict, Verdict::NotSeen);
    }

    #[test]
    fn g6_bodies_copied_into_a_buffer() {
        let copy = gin(
            "main.(*Server).audit;bytes.(*Buffer).ReadFrom;bytes.(*Buffer).grow;bytes.growSlice",
        );
        let h = heap_series(&[(&copy, &[MB, 2 * MB, 3 * MB]), (STARTUP, &[MB, MB, MB])]);
        let f = finding_of(&facts(&[&h]), "G6");
        assert_eq!(f.verdict, Verdict::Likely);
        let e = evidence_at(&f, "main.(*Server).audit");
        assert!(shows(e, &["bytes.(*Buffer).ReadFrom"]), "{e:#?}");
    }

    #[test]
    fn g6_not_from_bodies_read_whole_and_released() {
        // Every request reads its body, and lets it go: as much in flight at every point, while
        // far more was allocated.
        let read = logger_reads();
        let h = heap_series_with_allocs(&[
            (&read, &[MB, MB, MB], &[400 * MB, 800 * MB, 1200 * MB]),
            (STARTUP, &[MB, MB, MB], &[MB, MB, MB]),
        ]);
        let f = finding_of(&facts(&[&h]), "G6");
        assert_eq!(f.verdict, Verdict::NotSeen, "{f:#?}");
        assert!(f.evidence.is_empty());
        // Up with a burst of large uploads, down after: churn.
        let h = heap_series(&[(&read, &[MB, 6 * MB, 2 * MB]), (STARTUP, &[MB, MB, MB])]);
        assert_eq!(verdict(&[&h], "G6"), Verdict::NotSeen);
    }

    #[test]
    fn g6_rising_with_a_pause_is_possible() {
        let read = logger_reads();
        let h = heap_series(&[(&read, &[MB, 2 * MB, 2 * MB]), (STARTUP, &[MB, MB, MB])]);
        assert_eq!(verdict(&[&h], "G6"), Verdict::Possible);
    }

    #[test]
    fn g6_needs_a_heap_profile() {
        let g = goroutine_series(&[(IDLE_SERVER_CONN, &[30, 30])]);
        assert_eq!(
            verdict(&[&g], "G6"),
            Verdict::Needs("heap profile".to_owned())
        );
    }
}
