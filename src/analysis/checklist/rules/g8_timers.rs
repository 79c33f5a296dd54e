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
        return needs("G8", title, "heap profile", fix);
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
        // The goroutines G1 leaves to this cause: at the handler or goroutine function that
        // made the timer (its entry), or at the helper that made it.
        frames.push(g.frame.clone());
        frames.push(g.entry.clone());
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

#[cfg(test)]
mod tests {
    //! G8 on heap and goroutine profiles built from text.
    use crate::analysis::checklist::test_support::*;
    use crate::analysis::checklist::Verdict;

    const MB: i64 = 1 << 20;

    /// A watcher goroutine per request (`go s.watch(ctx)`) with a ticker it never stops.
    const WATCH: &str = "runtime.goexit;main.(*Server).watch";

    #[test]
    fn g8_tickers_never_stopped_and_their_goroutines() {
        let ticker = format!("{WATCH};time.NewTicker");
        let waiting = format!("{WATCH};runtime.selectgo;runtime.gopark");
        let h = heap_series(&[(&ticker, &[20_000, 40_000, 60_000]), (STARTUP, &[MB; 3])]);
        let g = goroutine_series(&[(&waiting, &[100, 200, 300]), (IDLE_SERVER_CONN, &[30; 3])]);
        let fs = facts(&[&h, &g]);
        let f = finding_of(&fs, "G8");
        assert_eq!(f.verdict, Verdict::Likely);
        let e = evidence_at(&f, "main.(*Server).watch");
        assert!(shows(e, &["time.NewTicker"]), "{e:#?}");
        assert_eq!(e.values, [20_000, 40_000, 60_000]);
        let e = f
            .evidence
            .iter()
            .find(|e| e.text.contains("wait on their tickers"))
            .unwrap_or_else(|| panic!("no goroutine evidence in {f:#?}"));
        assert_eq!(e.frame.as_deref(), Some("main.(*Server).watch"));
        assert!(shows(e, &["runtime.selectgo"]), "{e:#?}");
        assert_eq!(e.values, [100, 200, 300]);
        assert!(names_user_frames_only(&f));
        // The goroutines are the tickers', not a channel leak of their own.
        assert_eq!(finding_of(&fs, "G1").verdict, Verdict::NotSeen);
    }

    #[test]
    fn g8_shows_the_goroutines_when_a_helper_makes_the_ticker() {
        // `go s.watch(ctx)`, and watch gets its ticker from a helper: the goroutines wait at
        // watch, the ticker is allocated at the helper. G1 leaves them to G8, which shows them.
        let ticker = format!("{WATCH};main.newPoller;time.NewTicker");
        let waiting = format!("{WATCH};runtime.selectgo;runtime.gopark");
        let h = heap_series(&[(&ticker, &[20_000, 40_000, 60_000]), (STARTUP, &[MB; 3])]);
        let g = goroutine_series(&[(&waiting, &[100, 200, 300])]);
        let fs = facts(&[&h, &g]);
        assert_eq!(finding_of(&fs, "G1").verdict, Verdict::NotSeen);
        let f = finding_of(&fs, "G8");
        assert_eq!(f.verdict, Verdict::Likely);
        assert!(shows(
            evidence_at(&f, "main.newPoller"),
            &["time.NewTicker"]
        ));
        let e = evidence_at(&f, "main.(*Server).watch");
        assert!(e.text.contains("wait on their tickers"), "{f:#?}");
        assert_eq!(e.values, [100, 200, 300]);
    }

    #[test]
    fn g8_time_after_in_a_loop() {
        let after = "runtime.goexit;main.(*Worker).loop;time.After;time.NewTimer";
        let h = heap_series(&[(after, &[30_000, 60_000, 90_000]), (STARTUP, &[MB; 3])]);
        let f = finding_of(&facts(&[&h]), "G8");
        assert_eq!(f.verdict, Verdict::Likely);
        let e = evidence_at(&f, "main.(*Worker).loop");
        assert!(shows(e, &["time.After", "time.NewTimer"]), "{e:#?}");
    }

    #[test]
    fn g8_not_from_tickers_that_are_stopped() {
        let ticker = format!("{WATCH};time.NewTicker");
        let waiting = format!("{WATCH};runtime.selectgo;runtime.gopark");
        let h = heap_series(&[(&ticker, &[20_000; 3]), (STARTUP, &[MB; 3])]);
        let g = goroutine_series(&[(&waiting, &[10; 3])]);
        let f = finding_of(&facts(&[&h, &g]), "G8");
        assert_eq!(f.verdict, Verdict::NotSeen, "{f:#?}");
        assert!(f.evidence.is_empty());
    }

    #[test]
    fn g8_not_from_goroutines_piling_up_on_a_channel_without_timers() {
        // Goroutines pile up in a select, but no timer grows: a channel leak (G1).
        let waiting = format!("{WATCH};runtime.selectgo;runtime.gopark");
        let ticker = "runtime.goexit;main.(*Server).heartbeat;time.NewTicker";
        let h = heap_series(&[(ticker, &[1_000; 3]), (STARTUP, &[MB; 3])]);
        let g = goroutine_series(&[(&waiting, &[100, 200, 300])]);
        let fs = facts(&[&h, &g]);
        let f = finding_of(&fs, "G8");
        assert_eq!(f.verdict, Verdict::NotSeen, "{f:#?}");
        assert!(f.evidence.is_empty());
        assert_eq!(finding_of(&fs, "G1").verdict, Verdict::Likely);
    }

    #[test]
    fn g8_needs_a_heap_profile() {
        let waiting = format!("{WATCH};runtime.selectgo;runtime.gopark");
        let g = goroutine_series(&[(&waiting, &[100, 200, 300])]);
        assert_eq!(
            verdict(&[&g], "G8"),
            Verdict::Needs("heap profile".to_owned())
        );
    }
}
