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
        return finding(
            "G6",
            title,
            Verdict::Needs("heap profile".to_owned()),
            vec![],
            fix,
        );
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
