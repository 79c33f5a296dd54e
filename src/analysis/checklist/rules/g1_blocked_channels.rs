//! G1: goroutines blocked forever on a channel send or receive, or in a `select` with no ready
//! case, one more per request. Evidence: goroutines waiting in `runtime.chansend` /
//! `chanrecv` / `selectgo` (dumps: `[chan send]`, `[chan receive]`, `[select]`) at one user
//! frame, their count growing, or in one dump all of them waiting for many minutes; Go 1.26's
//! `goroutineleak` profile proves it outright.

use super::super::go_stacks::{grows, rises, GoroutineGroup, Holding, Wait};
use super::*;

/// One goroutine profile can settle it only when this many goroutines wait at one user frame:
/// a busy service has tens or hundreds of legitimately waiting goroutines, not thousands.
pub const MANY_WAITING: i64 = 1000;

/// Fewer than `MANY_WAITING` but this many at one frame in one file is worth a look.
pub const SOME_WAITING: i64 = 100;

/// A dump's goroutines that all have waited at least this long at one frame are stuck, not
/// busy: a request's wait lasts seconds. (Go prints the wait from one minute on.)
pub const LONG_WAIT_MINUTES: i64 = 10;

/// So many goroutines stuck that long at one frame are worth a look even in one dump; an
/// idle worker pool is also this size, which is why it takes `SOME_WAITING` to be likely.
pub const FEW_STUCK: i64 = 10;

/// True when `g`, a group of `last` goroutines, all waited `LONG_WAIT_MINUTES` or more:
/// (`strong`, `weak`) evidence from one dump.
fn stuck_for_minutes(g: &GoroutineGroup, last: i64) -> (bool, bool) {
    let stuck = g.shortest_minutes.is_some_and(|m| m >= LONG_WAIT_MINUTES);
    (stuck && last >= SOME_WAITING, stuck && last >= FEW_STUCK)
}

/// The groups of blocked goroutines that `keep` picks (G1's channel waits, G2's lock waits),
/// as evidence, and whether they make the cause likely and possible: proven by a
/// `goroutineleak` profile, growing at every step, very many at one frame, or all stuck for
/// minutes in a dump (likely); rising, many, or a few stuck for minutes (possible).
pub(super) fn blocked_goroutines(
    series: &[(&SeriesFacts, Vec<GoroutineGroup>)],
    what: &str,
    keep: impl Fn(&GoroutineGroup) -> bool,
) -> (Vec<Evidence>, bool, bool) {
    let mut evidence = Vec::new();
    let (mut likely, mut possible) = (false, false);
    for (s, groups) in series {
        let proven = s.sample_type == "goroutineleak";
        for g in groups.iter().filter(|g| keep(g)) {
            let last = g.counts.last().copied().unwrap_or(0);
            let (stuck, some_stuck) = stuck_for_minutes(g, last);
            let strong = proven || grows(&g.trend) || last >= MANY_WAITING || stuck;
            let weak = rises(&g.trend) || last >= SOME_WAITING || some_stuck;
            if !(strong || weak) || last == 0 {
                continue;
            }
            likely |= strong;
            possible |= weak;
            let what = if proven {
                "proven blocked forever"
            } else {
                what
            };
            evidence.push(goroutine_evidence(s, g, what));
        }
    }
    (evidence, likely, possible)
}

pub fn check(f: &Facts) -> Finding {
    let title = "Goroutines blocked forever on a channel or select";
    let fix = fix(
        "Give the goroutine a way out: a receiver for every send, a buffered channel of the right size, a select on ctx.Done() or a timeout.",
        "select {\ncase reply <- res:\ncase <-ctx.Done(): // the caller is gone: stop instead of blocking forever\n}",
    );
    let series = goroutines(f);
    if series.is_empty() {
        return needs("G1", title, "goroutine profile", fix);
    }
    // Goroutines that wait on a ticker whose timers pile up in the heap are G8's.
    let timers: Vec<String> = heap(f)
        .map(|(_, groups)| entries_held_by(groups, &[Holding::Timer]))
        .unwrap_or_default();
    let (evidence, likely, possible) = blocked_goroutines(&series, "wait on a channel", |g| {
        g.wait == Wait::Channel && !timers.contains(&g.frame)
    });
    finding("G1", title, verdict_of(likely, possible), evidence, fix)
}

#[cfg(test)]
mod tests {
    //! G1 on goroutine profiles, dumps and a `goroutineleak` profile built from text.
    use crate::analysis::checklist::test_support::*;
    use crate::analysis::checklist::{Verdict, View};

    /// A handler blocked forever on a reply channel nobody sends on.
    fn stuck_handler() -> String {
        gin("main.(*Server).handle;runtime.chanrecv1;runtime.chanrecv;runtime.gopark")
    }

    /// A fixed pool of workers waiting for jobs: they wait on a channel by design.
    const WORKERS: &str =
        "runtime.goexit;main.(*Pool).worker;runtime.chanrecv2;runtime.chanrecv;runtime.gopark";

    #[test]
    fn g1_goroutines_piling_up_on_a_channel_at_a_handler() {
        let stuck = stuck_handler();
        let g = goroutine_series(&[
            (&stuck, &[200, 400, 600]),
            (IDLE_SERVER_CONN, &[30, 30, 30]),
            (WORKERS, &[8, 8, 8]),
        ]);
        let f = finding_of(&facts(&[&g]), "G1");
        assert_eq!(f.verdict, Verdict::Likely);
        let e = evidence_at(&f, "main.(*Server).handle");
        assert!(
            shows(e, &["runtime.chanrecv1", "runtime.chanrecv"]),
            "{e:#?}"
        );
        assert_eq!(e.values, [200, 400, 600]);
        assert_eq!(e.link.as_ref().unwrap().view, View::Growth);
        // Neither the steady worker pool nor the idle connections are evidence.
        assert_eq!(f.evidence.len(), 1, "{f:#?}");
        assert!(names_user_frames_only(&f));
    }

    #[test]
    fn g1_not_from_goroutines_that_wait_on_a_channel_in_steady_numbers() {
        let stuck = stuck_handler();
        // Flat: requests in flight waiting for their replies.
        let flat = goroutine_series(&[(&stuck, &[40, 40, 40]), (WORKERS, &[8, 8, 8])]);
        let f = finding_of(&facts(&[&flat]), "G1");
        assert_eq!(f.verdict, Verdict::NotSeen, "{f:#?}");
        assert!(f.evidence.is_empty());
        // Up under load, down after: churn, not a leak.
        let churn = goroutine_series(&[(&stuck, &[40, 90, 45]), (WORKERS, &[8, 8, 8])]);
        assert_eq!(verdict(&[&churn], "G1"), Verdict::NotSeen);
    }

    #[test]
    fn g1_one_profile_is_possible_with_hundreds_waiting_likely_with_thousands() {
        let stuck = stuck_handler();
        let hundreds = goroutine_series(&[(&stuck, &[150]), (IDLE_SERVER_CONN, &[30])]);
        assert_eq!(verdict(&[&hundreds], "G1"), Verdict::Possible);
        let thousands = goroutine_series(&[(&stuck, &[1500]), (IDLE_SERVER_CONN, &[30])]);
        let f = finding_of(&facts(&[&thousands]), "G1");
        assert_eq!(f.verdict, Verdict::Likely);
        assert_eq!(evidence_at(&f, "main.(*Server).handle").values, [1500]);
        // A few dozen at one frame in one file say nothing.
        let few = goroutine_series(&[(&stuck, &[40]), (IDLE_SERVER_CONN, &[30])]);
        assert_eq!(verdict(&[&few], "G1"), Verdict::NotSeen);
    }

    #[test]
    fn g1_from_dumps_with_the_wait_reason_and_minutes() {
        // A handler that sends its result to a channel whose reader gave up: Go's dumps hide
        // the runtime frames and print the wait reason instead.
        let handler = [
            "main.(*Server).handle",
            "github.com/gin-gonic/gin.(*Context).Next",
            "github.com/gin-gonic/gin.(*Engine).handleHTTPRequest",
            "github.com/gin-gonic/gin.(*Engine).ServeHTTP",
            "net/http.serverHandler.ServeHTTP",
            "net/http.(*conn).serve",
        ];
        let idle = [
            "internal/poll.(*pollDesc).wait",
            "internal/poll.(*FD).Read",
            "net.(*conn).Read",
            "net/http.(*connReader).backgroundRead",
        ];
        let d = dump_series(&[
            Dumped {
                state: "chan send",
                minutes: Some(12),
                frames: &handler,
                counts: &[3, 6, 9],
            },
            Dumped {
                state: "IO wait",
                minutes: None,
                frames: &idle,
                counts: &[5, 5, 5],
            },
        ]);
        let f = finding_of(&facts(&[&d]), "G1");
        assert_eq!(f.verdict, Verdict::Likely);
        let e = evidence_at(&f, "main.(*Server).handle");
        assert!(shows(e, &["[chan send]"]), "{e:#?}");
        assert!(e.text.contains("all for 12 minutes"), "{}", e.text);
        assert_eq!(e.values, [3, 6, 9]);
        assert_eq!(e.link.as_ref().unwrap().view, View::Goroutines);
        assert!(names_user_frames_only(&f));
    }

    #[test]
    fn g1_profiles_and_dumps_of_one_service_show_the_frames_and_the_wait() {
        let stuck = stuck_handler();
        let g = goroutine_series(&[
            (&stuck, &[200, 400, 600]),
            (IDLE_SERVER_CONN, &[30, 30, 30]),
        ]);
        let handler = [
            "main.(*Server).handle",
            "github.com/gin-gonic/gin.(*Context).Next",
            "net/http.(*conn).serve",
        ];
        let d = dump_series(&[Dumped {
            state: "chan receive",
            minutes: Some(45),
            frames: &handler,
            counts: &[20, 40, 60],
        }]);
        let f = finding_of(&facts(&[&g, &d]), "G1");
        assert_eq!(f.verdict, Verdict::Likely);
        let e = evidence_at(&f, "main.(*Server).handle");
        assert!(shows(e, &["runtime.chanrecv1", "[chan receive]"]), "{e:#?}");
        assert!(e.text.contains("45 minutes"), "{}", e.text);
        // The profile's counts, with its runtime frames, lead.
        assert_eq!(e.values, [200, 400, 600]);
    }

    #[test]
    fn g1_proven_by_a_goroutineleak_profile_even_for_a_few() {
        let stuck = stuck_handler();
        let leak = leak_profile(&[(&stuck, 3)]);
        let f = finding_of(&facts(&[&leak]), "G1");
        assert_eq!(f.verdict, Verdict::Likely);
        let e = evidence_at(&f, "main.(*Server).handle");
        assert!(e.text.contains("proven blocked forever"), "{}", e.text);
    }

    #[test]
    fn g1_not_from_the_http_client_connection_loops() {
        // readLoop and writeLoop wait in a select too, but they are G3's unclosed bodies.
        let g = goroutine_series(&[
            (
                "runtime.goexit;net/http.(*persistConn).readLoop;runtime.selectgo;runtime.gopark",
                &[50, 100, 150],
            ),
            (
                "runtime.goexit;net/http.(*persistConn).writeLoop;runtime.selectgo;runtime.gopark",
                &[50, 100, 150],
            ),
            (IDLE_SERVER_CONN, &[30, 30, 30]),
        ]);
        let fs = facts(&[&g]);
        assert_eq!(finding_of(&fs, "G1").verdict, Verdict::NotSeen);
        assert_eq!(finding_of(&fs, "G3").verdict, Verdict::Likely);
    }

    #[test]
    fn g1_not_from_goroutines_waiting_on_tickers_that_pile_up_in_the_heap() {
        // A watcher per request, each with a ticker it never stops: G8's.
        let watch = "runtime.goexit;main.(*Server).watch";
        let waiting = format!("{watch};runtime.selectgo;runtime.gopark");
        let ticker = format!("{watch};time.NewTicker");
        let g = goroutine_series(&[
            (&waiting, &[100, 200, 300]),
            (IDLE_SERVER_CONN, &[30, 30, 30]),
        ]);
        let h = heap_series(&[
            (&ticker, &[20_000, 40_000, 60_000]),
            (STARTUP, &[1 << 20; 3]),
        ]);
        let fs = facts(&[&h, &g]);
        assert_eq!(finding_of(&fs, "G1").verdict, Verdict::NotSeen);
        assert_eq!(finding_of(&fs, "G8").verdict, Verdict::Likely);
    }

    #[test]
    fn g1_needs_a_goroutine_profile() {
        let h = heap_series(&[(STARTUP, &[1 << 20, 1 << 20])]);
        assert_eq!(
            verdict(&[&h], "G1"),
            Verdict::Needs("goroutine profile".to_owned())
        );
        let block = block_profile(&[(&gin("main.(*Store).Get;sync.(*Mutex).Lock"), 5_000_000_000)]);
        assert_eq!(
            verdict(&[&block], "G1"),
            Verdict::Needs("goroutine profile".to_owned())
        );
    }

    /// One dump of a handler's goroutines on a channel: `stuck` of them for `minutes`, and
    /// `fresh` that waited under a minute (Go prints no minutes for those).
    fn one_dump(stuck: i64, minutes: i64, fresh: i64) -> Vec<File> {
        const HANDLER: [&str; 3] = [
            "main.(*Server).handle",
            "github.com/gin-gonic/gin.(*Context).Next",
            "net/http.(*conn).serve",
        ];
        dump_series(&[
            Dumped {
                state: "chan receive",
                minutes: Some(minutes),
                frames: &HANDLER,
                counts: &[stuck],
            },
            Dumped {
                state: "chan receive",
                minutes: None,
                frames: &HANDLER,
                counts: &[fresh],
            },
        ])
    }

    #[test]
    fn g1_one_dump_of_many_goroutines_all_stuck_for_minutes() {
        let f = finding_of(&facts(&[&one_dump(120, 15, 0)]), "G1");
        assert_eq!(f.verdict, Verdict::Likely, "{f:#?}");
        let e = evidence_at(&f, "main.(*Server).handle");
        assert!(e.text.contains("all for 15 minutes"), "{}", e.text);
    }

    #[test]
    fn g1_one_dump_not_likely_when_some_are_fresh_or_few_are_stuck() {
        // Some of them started waiting under a minute ago: requests still arriving and
        // waiting, which one dump cannot tell from a leak.
        assert_eq!(verdict(&[&one_dump(119, 15, 1)], "G1"), Verdict::Possible);
        // An idle pool of twelve workers waiting for jobs for half an hour.
        assert_eq!(verdict(&[&one_dump(12, 30, 0)], "G1"), Verdict::Possible);
        // Stuck for a few minutes only.
        assert_eq!(verdict(&[&one_dump(50, 3, 0)], "G1"), Verdict::NotSeen);
    }
}
