//! G7: allocation churn, not a leak: strings concatenated with `+`, `fmt.Sprintf`,
//! `json.Marshal` per request. Evidence: allocated bytes (which only ever grow) dominated by
//! `encoding/json`, `fmt.Sprint*`, `bytes` and `strings` buffer growth, or by user functions
//! whose allocations are not in use (Go's heap profiles hide `runtime.concatstrings`, so `+`
//! shows as its user function), while in-use memory stays flat. Never a leak; it costs CPU
//! and GC time.

use super::*;
use crate::analysis::frames::{frame_owner, FrameOwner};
use crate::analysis::growth::TrendKind;

/// Frames of per-request temporaries: encoders, formatting, growing buffers.
const CHURN_FRAMES: &[&str] = &[
    "encoding/json.Marshal",
    "encoding/json.MarshalIndent",
    "encoding/json.(*encodeState).marshal",
    "fmt.Sprintf",
    "fmt.Sprint",
    "fmt.Sprintln",
    "fmt.Errorf",
    "bytes.growSlice",
    "bytes.(*Buffer).grow",
    "strings.(*Builder).grow",
    "strconv.FormatInt",
    "strconv.Quote",
];

/// At least this share of what the service allocated over the series (the profiler's own
/// allocations left out) is churn. In the leaky G7 fixture it is over 80%; in the fixed
/// service, which pools its buffers and streams its JSON, under a third.
pub const CHURN_SHARE: f64 = 0.5;

/// And at least this many times the in-use heap is allocated per step: churn that matters
/// keeps the GC busy (the leaky G7 fixture allocates ~200 times its heap per step).
pub const CHURN_PER_INUSE: f64 = 20.0;

pub fn check(f: &Facts) -> Finding {
    let title = "Allocation churn, not a leak";
    let fix = fix(
        "Reuse buffers instead of building new ones per request: strings.Builder or bytes.Buffer from a sync.Pool, json.NewEncoder(w) streaming to the response, strconv.Append* instead of fmt.Sprintf in loops.",
        "var bufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}\nb := bufs.Get().(*bytes.Buffer)\nb.Reset()\ndefer bufs.Put(b)\njson.NewEncoder(w).Encode(report)",
    );
    let Some(m) = &f.memory else {
        return finding(
            "G7",
            title,
            Verdict::Needs("heap or allocs profile".to_owned()),
            vec![],
            fix,
        );
    };
    let (alloc, inuse) = (&m.alloc, &m.inuse);
    let change = |v: &[i64]| match v {
        [] => 0,
        [only] => *only,
        [first, .., last] => last - first,
    };
    let profiler = |frames: &[String]| {
        frames
            .iter()
            .any(|f| f.starts_with("net/http/pprof.") || f.starts_with("runtime/pprof."))
    };
    let (mut total, mut churn) = (0i64, 0i64);
    let mut sites: Vec<(String, i64)> = Vec::new();
    for s in alloc.growth.stacks.iter().filter(|s| !profiler(&s.frames)) {
        let grown = change(&s.values);
        total += grown;
        let leaf = s.frames.last().map(String::as_str).unwrap_or("");
        let by_frames = s.frames.iter().find(|f| CHURN_FRAMES.contains(&f.as_str()));
        // A user function whose allocations are not in use: temporaries (concatenation).
        let in_use = inuse
            .growth
            .stacks
            .iter()
            .find(|i| i.frames == s.frames)
            .and_then(|i| i.values.last().copied())
            .unwrap_or(0);
        let temporary = frame_owner(leaf) == FrameOwner::User && in_use * 100 < grown;
        if let Some(what) = by_frames
            .cloned()
            .or_else(|| temporary.then(|| leaf.to_owned()))
        {
            churn += grown;
            // Name the user's code that makes the temporaries.
            let leaf_first = s.frames.iter().rev().map(String::as_str);
            let site = match crate::analysis::frames::user_frame(leaf_first) {
                Some(user) if user != what => format!("{what} under {user}"),
                _ => what,
            };
            match sites.iter_mut().find(|(n, _)| *n == site) {
                Some(x) => x.1 += grown,
                None => sites.push((site, grown)),
            }
        }
    }
    let steps = alloc.points().saturating_sub(1).max(1) as f64;
    let heap_now = inuse.growth.totals.last().copied().unwrap_or(0).max(1) as f64;
    let share = if total > 0 {
        churn as f64 / total as f64
    } else {
        0.0
    };
    let rate = total as f64 / steps / heap_now;
    let inuse_grows = inuse.points() > 1
        && matches!(
            super::super::go_stacks::total_trend(inuse).kind,
            TrendKind::Growing
        );
    sites.sort_by_key(|s| std::cmp::Reverse(s.1));
    let mut evidence: Vec<Evidence> = Vec::new();
    if share >= CHURN_SHARE / 2.0 {
        evidence.push(Evidence {
            text: format!(
                "{:.0}% of the {} allocated{} is per-request temporaries, {:.0} times the heap in use per step{}",
                share * 100.0,
                format_value(total, "bytes"),
                if alloc.points() > 1 { " over the series" } else { " since start" },
                rate,
                if inuse_grows { "" } else { "; the heap in use stays flat" }
            ),
            frame: None,
            runtime_frames: Vec::new(),
            values: alloc.growth.totals.clone(),
            unit: "bytes".to_owned(),
            link: None,
        });
        for (site, bytes) in sites.iter().take(3) {
            let user = site.rsplit(" under ").next().unwrap_or(site);
            evidence.push(Evidence {
                text: format!("{} allocated by {site}", format_value(*bytes, "bytes")),
                frame: (frame_owner(user) == FrameOwner::User).then(|| user.to_owned()),
                runtime_frames: Vec::new(),
                values: vec![*bytes],
                unit: "bytes".to_owned(),
                link: Some(growth_link(alloc, user)),
            });
        }
    }
    let likely = share >= CHURN_SHARE && rate >= CHURN_PER_INUSE && !inuse_grows;
    let possible = share >= CHURN_SHARE / 2.0;
    finding("G7", title, verdict_of(likely, possible), evidence, fix)
}
