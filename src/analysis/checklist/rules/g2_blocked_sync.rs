//! G2: goroutines blocked forever in `sync.WaitGroup.Wait`, on a mutex or a `sync.Cond`, one
//! more per request. Evidence: goroutines under `sync.(*WaitGroup).Wait`,
//! `sync.runtime_Semacquire*`, `sync.(*Mutex).Lock`, `sync.(*Cond).Wait` (dumps: `[semacquire]`,
//! `[sync.*]`) at one user frame, their count growing; block and mutex profiles add where
//! goroutines waited on locks (a blocked-forever wait is never in them: it has not ended).

use super::super::go_stacks::Wait;
use super::g1_blocked_channels::blocked_goroutines;
use super::*;

pub fn check(f: &Facts) -> Finding {
    let title = "Goroutines blocked forever on a WaitGroup, mutex or Cond";
    let fix = fix(
        "Make every path release what it took: defer wg.Done() and defer mu.Unlock() right after taking them, lock in one order, signal or broadcast every Cond wait, and bound waits with a timeout.",
        "wg.Add(1)\ngo func() {\n    defer wg.Done() // also on the error path\n    check()\n}()",
    );
    let series = goroutines(f);
    if series.is_empty() {
        return needs("G2", title, "goroutine profile", fix);
    }
    let (mut evidence, likely, possible) =
        blocked_goroutines(&series, "wait on a WaitGroup, mutex or Cond", |g| {
            g.wait == Wait::Sync
        });
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

#[cfg(test)]
mod tests {
    //! G2 on goroutine profiles, dumps and block profiles built from text.
    use crate::analysis::checklist::test_support::*;
    use crate::analysis::checklist::{Verdict, View};

    /// A handler that fans out and waits for workers, one of which never calls `wg.Done()`.
    fn fan_out() -> String {
        gin("main.(*Server).fanOut;sync.(*WaitGroup).Wait;sync.runtime_SemacquireWaitGroup;runtime.semacquire1;runtime.gopark")
    }

    /// A handler waiting for a mutex that an error path never unlocks.
    fn locked() -> String {
        gin("main.(*Server).handle;main.(*Store).Get;sync.(*Mutex).Lock;sync.(*Mutex).lockSlow;sync.runtime_SemacquireMutex;runtime.semacquire1;runtime.gopark")
    }

    #[test]
    fn g2_goroutines_piling_up_on_a_waitgroup_and_a_mutex() {
        let (wg, mu) = (fan_out(), locked());
        // Consumers of a queue whose producer stopped signalling.
        let cond = "runtime.goexit;main.(*Queue).Pop;sync.(*Cond).Wait;sync.runtime_notifyListWait;runtime.gopark";
        let g = goroutine_series(&[
            (&wg, &[100, 250, 400]),
            (&mu, &[10, 20, 30]),
            (cond, &[5, 10, 15]),
            (IDLE_SERVER_CONN, &[30, 30, 30]),
        ]);
        let f = finding_of(&facts(&[&g]), "G2");
        assert_eq!(f.verdict, Verdict::Likely);
        let e = evidence_at(&f, "main.(*Server).fanOut");
        assert!(
            shows(
                e,
                &["sync.(*WaitGroup).Wait", "sync.runtime_SemacquireWaitGroup"]
            ),
            "{e:#?}"
        );
        assert_eq!(e.values, [100, 250, 400]);
        // The mutex waiters are named by the function that locks, not by sync's frames.
        let e = evidence_at(&f, "main.(*Store).Get");
        assert!(shows(e, &["sync.(*Mutex).Lock"]), "{e:#?}");
        let e = evidence_at(&f, "main.(*Queue).Pop");
        assert!(shows(e, &["sync.(*Cond).Wait"]), "{e:#?}");
        assert!(names_user_frames_only(&f));
        // Channels are G1's: nothing here.
        assert_eq!(verdict(&[&g], "G1"), Verdict::NotSeen);
    }

    #[test]
    fn g2_a_block_profile_adds_where_goroutines_waited() {
        let wg = fan_out();
        let g = goroutine_series(&[(&wg, &[100, 250, 400]), (IDLE_SERVER_CONN, &[30, 30, 30])]);
        let b = block_profile(&[
            (
                &gin("main.(*Server).handle;main.(*Store).Get;sync.(*Mutex).Lock"),
                5_000_000_000,
            ),
            (&gin("main.(*Server).handle;runtime.chanrecv1"), 1_000_000),
        ]);
        let f = finding_of(&facts(&[&g, &b]), "G2");
        assert_eq!(f.verdict, Verdict::Likely);
        let e = f
            .evidence
            .iter()
            .find(|e| e.text.contains("the block profile"))
            .unwrap_or_else(|| panic!("no block evidence in {f:#?}"));
        assert_eq!(e.runtime_frames, ["sync.(*Mutex).Lock"]);
        assert_eq!(e.values, [5_000_000_000]);
        assert_eq!(e.link.as_ref().unwrap().view, View::Top);
    }

    #[test]
    fn g2_from_dumps_with_the_wait_reason_and_minutes() {
        let frames = [
            "sync.runtime_SemacquireWaitGroup",
            "sync.(*WaitGroup).Wait",
            "main.(*Server).fanOut",
            "github.com/gin-gonic/gin.(*Context).Next",
            "net/http.(*conn).serve",
        ];
        let d = dump_series(&[Dumped {
            state: "sync.WaitGroup.Wait",
            minutes: Some(7),
            frames: &frames,
            counts: &[4, 8, 12],
        }]);
        let f = finding_of(&facts(&[&d]), "G2");
        assert_eq!(f.verdict, Verdict::Likely);
        let e = evidence_at(&f, "main.(*Server).fanOut");
        assert!(shows(e, &["[sync.WaitGroup.Wait]"]), "{e:#?}");
        assert!(e.text.contains("7 minutes"), "{}", e.text);
        // Go before 1.20 said `semacquire` for every sync wait.
        let old = dump_series(&[Dumped {
            state: "semacquire",
            minutes: Some(7),
            frames: &frames,
            counts: &[4, 8, 12],
        }]);
        assert_eq!(verdict(&[&old], "G2"), Verdict::Likely);
    }

    #[test]
    fn g2_not_from_steady_lock_waiters_even_with_a_contended_block_profile() {
        // A busy lock: goroutines queue on it, but as many as a moment ago.
        let mu = locked();
        let g = goroutine_series(&[(&mu, &[20, 20, 20]), (IDLE_SERVER_CONN, &[30, 30, 30])]);
        let b = block_profile(&[(&gin("main.(*Store).Get;sync.(*Mutex).Lock"), 90_000_000_000)]);
        let f = finding_of(&facts(&[&g, &b]), "G2");
        assert_eq!(f.verdict, Verdict::NotSeen, "{f:#?}");
        // Contention alone is never a verdict, nor evidence.
        assert!(f.evidence.is_empty(), "{f:#?}");
        // Up and down with the load: churn.
        let churn = goroutine_series(&[(&mu, &[20, 60, 25])]);
        assert_eq!(verdict(&[&churn], "G2"), Verdict::NotSeen);
    }

    #[test]
    fn g2_not_from_goroutines_blocked_on_a_channel() {
        let stuck = gin("main.(*Server).handle;runtime.chanrecv1;runtime.chanrecv;runtime.gopark");
        let g = goroutine_series(&[(&stuck, &[200, 400, 600])]);
        assert_eq!(verdict(&[&g], "G2"), Verdict::NotSeen);
        assert_eq!(verdict(&[&g], "G1"), Verdict::Likely);
    }

    #[test]
    fn g2_needs_a_goroutine_profile() {
        let needs = Verdict::Needs("goroutine profile".to_owned());
        let h = heap_series(&[(STARTUP, &[1 << 20, 1 << 20])]);
        assert_eq!(verdict(&[&h], "G2"), needs);
        // A block profile shows contention, not who waits forever.
        let b = block_profile(&[(&gin("main.(*Store).Get;sync.(*Mutex).Lock"), 5_000_000_000)]);
        assert_eq!(verdict(&[&b], "G2"), needs);
    }
}
