//! G3: HTTP client response bodies never closed. Evidence: the transport's
//! `net/http.(*persistConn).readLoop` and `writeLoop` goroutines growing in pairs, and in the
//! heap the connections' bufio readers and writers under `net/http.(*Transport).dialConn`
//! growing, with the user frame that made the requests (`net/http.Get` / `(*Client).Do` under
//! it).

use super::super::go_stacks::{grows, rises, Holding, Wait};
use super::*;
use crate::analysis::sort;

pub fn check(f: &Facts) -> Finding {
    let title = "HTTP client response bodies never closed";
    let fix = fix(
        "Close every response body right after the error check, drain it if you stop early, and reuse one http.Client with timeouts instead of a new one per call.",
        "resp, err := client.Do(req)\nif err != nil {\n    return err\n}\ndefer resp.Body.Close()\n_, _ = io.Copy(io.Discard, resp.Body)",
    );
    let series = goroutines(f);
    let memory = heap(f);
    if series.is_empty() && memory.is_none() {
        return needs("G3", title, "goroutine profile", fix);
    }
    let mut evidence = Vec::new();
    let (mut likely, mut possible) = (false, false);
    if let Some((s, groups)) = &memory {
        // Requests still held by their connections name the user frame that made them.
        let mut held: Vec<_> = groups
            .iter()
            .filter(|g| g.holding == Holding::HttpClient && rises(&g.trend))
            .collect();
        sort::sort_by_key(&mut held, |g| g.frame.starts_with("net/http."));
        for g in held {
            likely |= grows(&g.trend);
            possible = true;
            evidence.push(heap_evidence(s, g, "held by HTTP client connections"));
        }
    }
    for (s, groups) in &series {
        for g in groups.iter().filter(|g| g.wait == Wait::HttpConn) {
            likely |= grows(&g.trend);
            possible |= rises(&g.trend);
            if rises(&g.trend) {
                evidence.push(goroutine_evidence(s, g, "of HTTP client connections"));
            }
        }
    }
    finding("G3", title, verdict_of(likely, possible), evidence, fix)
}

#[cfg(test)]
mod tests {
    //! G3 on goroutine profiles, dumps and heap profiles built from text.
    use crate::analysis::checklist::test_support::*;
    use crate::analysis::checklist::Verdict;

    const READ_LOOP: &str =
        "runtime.goexit;net/http.(*persistConn).readLoop;runtime.selectgo;runtime.gopark";
    const WRITE_LOOP: &str =
        "runtime.goexit;net/http.(*persistConn).writeLoop;runtime.selectgo;runtime.gopark";
    /// The transport's buffers for each new connection (no user frame: dialConn has its own
    /// goroutine).
    const CONN_READER: &str = "runtime.goexit;net/http.(*Transport).dialConnFor;net/http.(*Transport).dialConn;bufio.NewReaderSize";
    const CONN_WRITER: &str = "runtime.goexit;net/http.(*Transport).dialConnFor;net/http.(*Transport).dialConn;bufio.NewWriterSize";
    /// What a request keeps while its connection is held, under the user's call.
    const FETCH: &str = "runtime.goexit;main.(*PriceClient).poll;main.(*PriceClient).fetch;net/http.(*Client).Get;net/http.(*Client).Do;net/http.(*Client).do;net/http.(*Client).send;net/http.send;net/http.(*Transport).RoundTrip;net/http.(*Transport).roundTrip;net/http.(*persistConn).roundTrip";

    #[test]
    fn g3_connection_loops_growing_in_pairs_and_their_buffers() {
        let g = goroutine_series(&[
            (READ_LOOP, &[50, 100, 150]),
            (WRITE_LOOP, &[50, 100, 150]),
            (IDLE_SERVER_CONN, &[30, 30, 30]),
        ]);
        let h = heap_series(&[
            (CONN_READER, &[200_000, 400_000, 600_000]),
            (CONN_WRITER, &[200_000, 400_000, 600_000]),
            (FETCH, &[100_000, 200_000, 300_000]),
            (STARTUP, &[1 << 20; 3]),
        ]);
        let fs = facts(&[&h, &g]);
        let f = finding_of(&fs, "G3");
        assert_eq!(f.verdict, Verdict::Likely);
        // The user's call that made the requests leads.
        assert_eq!(
            f.evidence[0].frame.as_deref(),
            Some("main.(*PriceClient).fetch")
        );
        let e = evidence_at(&f, "main.(*PriceClient).fetch");
        assert!(shows(e, &["net/http.(*Client).Do"]), "{e:#?}");
        assert_eq!(e.values, [100_000, 200_000, 300_000]);
        // Then the transport's buffers and the loops themselves.
        let e = evidence_at(&f, "net/http.(*Transport).dialConn");
        assert_eq!(e.values, [400_000, 800_000, 1_200_000]);
        let e = evidence_at(&f, "net/http.(*persistConn).readLoop");
        assert_eq!(e.values, [50, 100, 150]);
        evidence_at(&f, "net/http.(*persistConn).writeLoop");
        // Nobody else claims it: the loops wait in a select, the requests allocate under a
        // user function.
        for other in ["G1", "G4"] {
            assert_eq!(finding_of(&fs, other).verdict, Verdict::NotSeen, "{other}");
        }
    }

    #[test]
    fn g3_from_dumps_of_the_connection_loops() {
        let d = dump_series(&[
            Dumped {
                state: "select",
                minutes: Some(30),
                frames: &["net/http.(*persistConn).readLoop"],
                counts: &[10, 20, 30],
            },
            Dumped {
                state: "select",
                minutes: Some(30),
                frames: &["net/http.(*persistConn).writeLoop"],
                counts: &[10, 20, 30],
            },
        ]);
        let fs = facts(&[&d]);
        let f = finding_of(&fs, "G3");
        assert_eq!(f.verdict, Verdict::Likely);
        let e = evidence_at(&f, "net/http.(*persistConn).readLoop");
        assert!(shows(e, &["[select]"]), "{e:#?}");
        assert_eq!(e.values, [10, 20, 30]);
        // A dump's `[select]` is not G1's when the loop is the transport's.
        assert_eq!(finding_of(&fs, "G1").verdict, Verdict::NotSeen);
    }

    #[test]
    fn g3_not_from_a_steady_or_churning_connection_pool() {
        // Keep-alive connections reused: as many as before, and their buffers too.
        let g = goroutine_series(&[(READ_LOOP, &[4, 4, 4]), (WRITE_LOOP, &[4, 4, 4])]);
        let h = heap_series(&[
            (CONN_READER, &[16_384; 3]),
            (FETCH, &[8_192; 3]),
            (STARTUP, &[1 << 20; 3]),
        ]);
        let f = finding_of(&facts(&[&h, &g]), "G3");
        assert_eq!(f.verdict, Verdict::NotSeen, "{f:#?}");
        assert!(f.evidence.is_empty());
        // Opened under load, closed when idle: churn.
        let g = goroutine_series(&[(READ_LOOP, &[4, 20, 6]), (WRITE_LOOP, &[4, 20, 6])]);
        assert_eq!(verdict(&[&g], "G3"), Verdict::NotSeen);
    }

    #[test]
    fn g3_rising_with_a_pause_is_possible() {
        let g = goroutine_series(&[(READ_LOOP, &[4, 20, 20]), (WRITE_LOOP, &[4, 20, 20])]);
        assert_eq!(verdict(&[&g], "G3"), Verdict::Possible);
    }

    #[test]
    fn g3_needs_a_goroutine_profile() {
        let b = block_profile(&[(&gin("main.(*Store).Get;sync.(*Mutex).Lock"), 5_000_000_000)]);
        assert_eq!(
            verdict(&[&b], "G3"),
            Verdict::Needs("goroutine profile".to_owned())
        );
    }
}
