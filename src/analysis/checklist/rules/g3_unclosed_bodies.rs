//! G3: HTTP client response bodies never closed. Evidence: the transport's
//! `net/http.(*persistConn).readLoop` and `writeLoop` goroutines growing in pairs, and in the
//! heap the connections' bufio readers and writers under `net/http.(*Transport).dialConn`
//! growing, with the user frame that made the requests (`net/http.Get` / `(*Client).Do` under
//! it).

use super::super::go_stacks::{grows, rises, Holding, Wait};
use super::*;

pub fn check(f: &Facts) -> Finding {
    let title = "HTTP client response bodies never closed";
    let fix = fix(
        "Close every response body right after the error check, drain it if you stop early, and reuse one http.Client with timeouts instead of a new one per call.",
        "resp, err := client.Do(req)\nif err != nil {\n    return err\n}\ndefer resp.Body.Close()\n_, _ = io.Copy(io.Discard, resp.Body)",
    );
    let series = goroutines(f);
    let memory = heap(f);
    if series.is_empty() && memory.is_none() {
        return finding(
            "G3",
            title,
            Verdict::Needs("goroutine profile".to_owned()),
            vec![],
            fix,
        );
    }
    let mut evidence = Vec::new();
    let (mut likely, mut possible) = (false, false);
    if let Some((s, groups)) = &memory {
        // Requests still held by their connections name the user frame that made them.
        let mut held: Vec<_> = groups
            .iter()
            .filter(|g| g.holding == Holding::HttpClient && rises(&g.trend))
            .collect();
        held.sort_by_key(|g| g.frame.starts_with("net/http."));
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
