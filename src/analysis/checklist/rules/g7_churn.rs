//! G7: allocation churn, not a leak: strings concatenated with `+`, `fmt.Sprintf`,
//! `json.Marshal` per request. Evidence: allocated bytes (which only ever grow) dominated by
//! `encoding/json`, `fmt.Sprint*`, `bytes` and `strings` buffer growth, or by user functions
//! whose allocations are not in use (Go's heap profiles hide `runtime.concatstrings`, so `+`
//! shows as its user function), while in-use memory stays flat. Never a leak; it costs CPU
//! and GC time.

use crate::analysis::sort;
use std::sync::Arc;

use super::*;
use crate::analysis::frames::{frame_owner, FrameOwner};
use crate::analysis::growth::TrendKind;
use crate::model::IdMap;

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
        return needs("G7", title, "heap or allocs profile", fix);
    };
    let (alloc, inuse) = (&m.alloc, &m.inuse);
    let change = |v: &[i64]| match v {
        [] => 0,
        [only] => *only,
        [first, .., last] => last - first,
    };
    let profiler = |frames: &[Arc<str>]| {
        frames
            .iter()
            .any(|f| f.starts_with("net/http/pprof.") || f.starts_with("runtime/pprof."))
    };
    let (mut total, mut churn) = (0i64, 0i64);
    let mut sites: Vec<(String, i64)> = Vec::new();
    // The in-use values of each stack, found by its frames (a profile has hundreds of
    // thousands of stacks; the frame names are our own, so the fast hasher will do).
    let in_use_of: IdMap<&[Arc<str>], &[i64]> = inuse
        .growth
        .stacks
        .iter()
        .map(|i| (i.frames.as_slice(), i.values.as_slice()))
        .collect();
    for s in alloc.growth.stacks.iter().filter(|s| !profiler(&s.frames)) {
        let grown = change(&s.values);
        total += grown;
        let leaf = s.frames.last().map(|f| &**f).unwrap_or("");
        let by_frames = s.frames.iter().find(|f| CHURN_FRAMES.contains(&&***f));
        let kept = in_use_of.get(s.frames.as_slice()).copied();
        let in_use = kept.and_then(|v| v.last().copied()).unwrap_or(0);
        // Churn is what was let go: what the stack allocated over the series less what of it
        // is still in use (a buffer that only grows is a leak, not churn).
        let released = (grown - kept.map_or(0, change).max(0)).max(0);
        // A user function whose allocations are not in use: temporaries (concatenation).
        let temporary = frame_owner(leaf) == FrameOwner::User && in_use * 100 < grown;
        if let Some(what) = by_frames
            .map(|f| f.to_string())
            .or_else(|| temporary.then(|| leaf.to_owned()))
            .filter(|_| released > 0)
        {
            churn += released;
            // Name the user's code that makes the temporaries.
            let leaf_first = s.frames.iter().rev().map(|f| &**f);
            let site = match crate::analysis::frames::user_frame(leaf_first) {
                Some(user) if user != what => format!("{what} under {user}"),
                _ => what,
            };
            match sites.iter_mut().find(|(n, _)| *n == site) {
                Some(x) => x.1 += released,
                None => sites.push((site, released)),
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
    sort::sort_by_key(&mut sites, |s| std::cmp::Reverse(s.1));
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
            link: Some(Link {
                focus: None,
                ..growth_link(alloc, "")
            }),
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

#[cfg(test)]
mod tests {
    //! G7 on heap profiles built from text, with their allocated bytes apart from the bytes in
    //! use: churn is what is allocated and let go.
    use crate::analysis::checklist::test_support::*;
    use crate::analysis::checklist::{check, Verdict};

    const MB: i64 = 1 << 20;

    #[test]
    fn g7_json_and_sprintf_per_request_with_a_flat_heap_is_churn_never_a_leak() {
        let marshal = gin("main.(*Server).report;encoding/json.Marshal");
        let sprintf = gin("main.(*Server).report;fmt.Sprintf");
        let h = heap_series_with_allocs(&[
            (&marshal, &[32_000; 3], &[100 * MB, 200 * MB, 300 * MB]),
            (&sprintf, &[8_000; 3], &[20 * MB, 40 * MB, 60 * MB]),
            (STARTUP, &[MB; 3], &[MB; 3]),
        ]);
        let fs = facts(&[&h]);
        let f = finding_of(&fs, "G7");
        assert_eq!(f.verdict, Verdict::Likely);
        assert!(!f.leak, "churn is never a leak");
        assert!(
            f.evidence[0].text.contains("the heap in use stays flat"),
            "{f:#?}"
        );
        let e = evidence_at(&f, "main.(*Server).report");
        assert!(
            e.text
                .contains("encoding/json.Marshal under main.(*Server).report"),
            "{}",
            e.text
        );
        assert!(names_user_frames_only(&f));
        // A healthy service that only churns comes out clean: no leak is likely.
        let checklist = check(&fs);
        assert!(!checklist.any_likely_leak(), "{checklist:#?}");
        for g in ["G1", "G2", "G3", "G4", "G5", "G6", "G8"] {
            assert_ne!(finding_of(&fs, g).verdict, Verdict::Likely, "{g}");
        }
    }

    #[test]
    fn g7_string_concatenation_shows_as_the_users_function() {
        // `+` allocates in runtime.concatstrings, which heap profiles leave out.
        let concat = gin("main.(*Server).handle;main.cacheKey");
        let h = heap_series_with_allocs(&[
            (&concat, &[0; 3], &[50 * MB, 100 * MB, 150 * MB]),
            (STARTUP, &[MB; 3], &[MB; 3]),
        ]);
        let fs = facts(&[&h]);
        let f = finding_of(&fs, "G7");
        assert_eq!(f.verdict, Verdict::Likely);
        assert!(!f.leak);
        evidence_at(&f, "main.cacheKey");
        assert!(!check(&fs).any_likely_leak());
    }

    #[test]
    fn g7_not_from_allocations_that_stay_in_use() {
        // A cache: everything it allocates stays. That is G4's leak, not churn.
        let put = gin("main.(*Server).getProduct;main.(*responseCache).Put");
        let h = heap_series(&[(&put, &[10 * MB, 20 * MB, 30 * MB]), (STARTUP, &[MB; 3])]);
        let fs = facts(&[&h]);
        let f = finding_of(&fs, "G7");
        assert_eq!(f.verdict, Verdict::NotSeen, "{f:#?}");
        assert!(f.evidence.is_empty());
        assert_eq!(finding_of(&fs, "G4").verdict, Verdict::Likely);
        assert!(check(&fs).any_likely_leak());
    }

    #[test]
    fn g7_not_likely_while_the_heap_in_use_grows() {
        // Heavy JSON churn, but the heap also grows (a cache beside it): the growth must be
        // looked at first, churn is only possible.
        let marshal = gin("main.(*Server).report;encoding/json.Marshal");
        let put = gin("main.(*Server).getProduct;main.(*responseCache).Put");
        let h = heap_series_with_allocs(&[
            (&marshal, &[32_000; 3], &[100 * MB, 200 * MB, 300 * MB]),
            (&put, &[MB, 2 * MB, 3 * MB], &[MB, 2 * MB, 3 * MB]),
            (STARTUP, &[MB; 3], &[MB; 3]),
        ]);
        let fs = facts(&[&h]);
        assert_eq!(finding_of(&fs, "G7").verdict, Verdict::Possible);
        assert_eq!(finding_of(&fs, "G4").verdict, Verdict::Likely);
    }

    #[test]
    fn g7_not_likely_when_the_churn_is_small_against_the_heap() {
        // Mostly JSON, but a few times the heap per step: the GC barely notices.
        let marshal = gin("main.(*Server).report;encoding/json.Marshal");
        let h = heap_series_with_allocs(&[
            (&marshal, &[32_000; 3], &[10 * MB, 20 * MB, 30 * MB]),
            (STARTUP, &[2 * MB; 3], &[2 * MB; 3]),
        ]);
        assert_eq!(verdict(&[&h], "G7"), Verdict::Possible);
    }

    /// Bodies copied into buffers and all kept: bytes.(*Buffer).grow allocates, but nothing of
    /// it is let go.
    fn kept_buffers() -> Vec<File> {
        let copy = gin(
            "main.(*Server).audit;bytes.(*Buffer).ReadFrom;bytes.(*Buffer).grow;bytes.growSlice",
        );
        heap_series(&[(&copy, &[10 * MB, 20 * MB, 30 * MB]), (STARTUP, &[MB; 3])])
    }

    #[test]
    fn g7_not_likely_for_a_leak_through_a_buffer() {
        let fs = facts(&[&kept_buffers()]);
        assert_eq!(finding_of(&fs, "G6").verdict, Verdict::Likely);
        assert_ne!(finding_of(&fs, "G7").verdict, Verdict::Likely);
    }

    #[test]
    fn g7_not_seen_for_a_leak_through_a_buffer() {
        // None of it is let go, so none of it is churn.
        let f = finding_of(&facts(&[&kept_buffers()]), "G7");
        assert_eq!(f.verdict, Verdict::NotSeen, "{f:#?}");
    }

    #[test]
    fn g7_needs_a_heap_or_allocs_profile() {
        let g = goroutine_series(&[(IDLE_SERVER_CONN, &[30, 30])]);
        assert_eq!(
            verdict(&[&g], "G7"),
            Verdict::Needs("heap or allocs profile".to_owned())
        );
    }
}
