//! The rules of the checklist, one file per cause (`g1_blocked_channels.rs` …), in the order of
//! LEAK-CAUSES.md, and what to capture next. Each rule reads `Facts` and returns its `Finding`;
//! the thresholds are named constants in the rule's file, with why. The helpers here phrase
//! evidence the same way for every rule.

mod g1_blocked_channels;
mod g2_blocked_sync;
mod g3_unclosed_bodies;
mod g4_unbounded_cache;
mod g5_request_context;
mod g6_request_bodies;
mod g7_churn;
mod g8_timers;
mod j1_closures;
mod j2_global_cache;
mod j3_detached_dom;
mod j4_listeners;
mod j5_strings;
mod js;

use super::facts::{Facts, SeriesFacts};
use super::go_stacks::{goroutine_groups, heap_groups, GoroutineGroup, HeapGroup, Holding};
use super::{Advice, Evidence, Finding, Fix, Link, Verdict, View};
use crate::model::format_value;

/// A rule: the finding of one cause.
pub type Rule = fn(&Facts) -> Finding;

/// Every rule, in the order of LEAK-CAUSES.md.
pub const ALL: &[Rule] = &[
    g1_blocked_channels::check,
    g2_blocked_sync::check,
    g3_unclosed_bodies::check,
    g4_unbounded_cache::check,
    g5_request_context::check,
    g6_request_bodies::check,
    g7_churn::check,
    g8_timers::check,
    j1_closures::check,
    j2_global_cache::check,
    j3_detached_dom::check,
    j4_listeners::check,
    j5_strings::check,
];

/// Evidence rows kept per finding, most telling first.
const MAX_EVIDENCE: usize = 4;

/// A finding of `cause`.
fn finding(
    cause: &str,
    title: &str,
    verdict: Verdict,
    evidence: Vec<Evidence>,
    fix: Fix,
) -> Finding {
    let mut evidence = evidence;
    evidence.truncate(MAX_EVIDENCE);
    Finding {
        cause: cause.to_owned(),
        title: title.to_owned(),
        leak: cause != "G7",
        verdict,
        evidence,
        fix,
    }
}

/// The finding of a cause that none of the files can show: `kind` names the profile that would.
fn needs(cause: &str, title: &str, kind: &str, fix: Fix) -> Finding {
    finding(cause, title, Verdict::Needs(kind.to_owned()), vec![], fix)
}

fn fix(text: &str, example: &str) -> Fix {
    Fix {
        text: text.to_owned(),
        example: example.to_owned(),
    }
}

/// `5 → 35 → 65` in `unit`.
fn values_text(values: &[i64], unit: &str) -> String {
    values
        .iter()
        .map(|&v| format_value(v, unit))
        .collect::<Vec<_>>()
        .join(" → ")
}

/// "at every step" for a series, "" for one file.
fn over_series(points: usize) -> &'static str {
    if points > 1 {
        ", more at every step"
    } else {
        ""
    }
}

/// pprof's focus on exactly this function.
fn focus_on(frame: &str) -> String {
    format!("^{}$", regex_lite::escape(frame))
}

/// A link to the growth ranking of `series`, focused on `frame`.
fn growth_link(series: &SeriesFacts, frame: &str) -> Link {
    Link {
        view: View::Growth,
        files: series.ids.clone(),
        sample_type: Some(series.sample_type.clone()),
        focus: Some(focus_on(frame)),
        class_key: None,
        object: None,
    }
}

/// The goroutines the files show: a proven-leak profile's, and the goroutine profiles' (with
/// the runtime frames that prove each wait) with what dumps of the same service add (the wait
/// state, the longest wait); dumps alone when there are no profiles. Each with its series.
fn goroutines(f: &Facts) -> Vec<(&SeriesFacts, Vec<GoroutineGroup>)> {
    let mut out: Vec<(&SeriesFacts, Vec<GoroutineGroup>)> = Vec::new();
    if let Some(s) = &f.leaked {
        out.push((s, goroutine_groups(s).to_vec()));
    }
    match (&f.goroutines, &f.dumps) {
        (Some(p), dumps) => {
            let mut groups = goroutine_groups(p).to_vec();
            if let Some(d) = dumps {
                let states = goroutine_groups(d);
                for g in &mut groups {
                    if let Some(s) = states
                        .iter()
                        .find(|s| s.frame == g.frame && s.wait == g.wait)
                    {
                        g.proof.extend(s.proof.iter().cloned());
                        g.longest_minutes = s.longest_minutes;
                        g.shortest_minutes = s.shortest_minutes;
                    }
                }
            }
            out.push((p, groups));
        }
        (None, Some(d)) => out.push((d, goroutine_groups(d).to_vec())),
        (None, None) => {}
    }
    out
}

/// The evidence of a group of goroutines.
fn goroutine_evidence(series: &SeriesFacts, g: &GoroutineGroup, what: &str) -> Evidence {
    let last = g.counts.last().copied().unwrap_or(0);
    let waited = match (g.shortest_minutes, g.longest_minutes) {
        (Some(s), Some(l)) if s < l => format!(", all for {s} to {l} minutes"),
        (Some(s), _) => format!(", all for {s} minutes"),
        (None, Some(l)) => format!(", the longest for {l} minutes"),
        (None, None) => String::new(),
    };
    Evidence {
        text: format!(
            "{last} goroutines {what} at {}{}{waited}: {}",
            g.frame,
            over_series(g.counts.len()),
            values_text(&g.counts, "count")
        ),
        frame: Some(g.frame.clone()),
        runtime_frames: g.proof.clone(),
        values: g.counts.clone(),
        unit: "count".to_owned(),
        link: Some(goroutines_link(series, &g.frame)),
    }
}

/// A link to the goroutines of `series` at `frame`: the wait groups for text dumps (they carry
/// the wait states), else the growth ranking.
fn goroutines_link(series: &SeriesFacts, frame: &str) -> Link {
    let mut link = growth_link(series, frame);
    if !series.waits.is_empty() {
        link.view = View::Goroutines;
    }
    link
}

/// The heap groups of the memory series, if any.
fn heap(f: &Facts) -> Option<(&SeriesFacts, &[HeapGroup])> {
    let m = f.memory.as_ref()?;
    Some((&m.inuse, heap_groups(&m.inuse)))
}

/// The evidence of a heap group.
fn heap_evidence(series: &SeriesFacts, g: &HeapGroup, what: &str) -> Evidence {
    let last = g.values.last().copied().unwrap_or(0);
    Evidence {
        text: format!(
            "{} in use {what} at {}{}: {}",
            format_value(last, "bytes"),
            g.frame,
            over_series(g.values.len()),
            values_text(&g.values, "bytes")
        ),
        frame: Some(g.frame.clone()),
        runtime_frames: g.proof.clone(),
        values: g.values.clone(),
        unit: "bytes".to_owned(),
        link: Some(growth_link(series, &g.frame)),
    }
}

/// The request handlers (outermost user frames) whose memory grows held by `holding`: memory
/// of plain user functions under them is that cause's, not a cache's.
fn entries_held_by(groups: &[HeapGroup], holding: &[Holding]) -> Vec<String> {
    groups
        .iter()
        .filter(|g| holding.contains(&g.holding) && super::go_stacks::grows(&g.trend))
        .map(|g| g.entry.clone())
        .collect()
}

/// The verdict from the strongest evidence: grows at every step → likely; rises, or big in
/// one file → possible; else not seen.
fn verdict_of(grows: bool, possible: bool) -> Verdict {
    if grows {
        Verdict::Likely
    } else if possible {
        Verdict::Possible
    } else {
        Verdict::NotSeen
    }
}

/// What to capture next, for the questions the loaded files leave open.
pub fn capture_next(f: &Facts, findings: &[Finding]) -> Vec<Advice> {
    let mut advice = Vec::new();
    let go = f.memory.is_some() || f.goroutines.is_some() || f.dumps.is_some();
    let needs = |kind: &str| {
        findings
            .iter()
            .any(|x| x.verdict == Verdict::Needs(kind.to_owned()))
    };
    let points = |s: &Option<SeriesFacts>| s.as_ref().map_or(0, SeriesFacts::points);
    if go && needs("goroutine profile") {
        advice.push(Advice {
            why: "Goroutines decide G1 to G3 and G8: drop goroutine dumps taken with the heap profiles.".to_owned(),
            how: "curl -s 'http://HOST:PORT/debug/pprof/goroutine?debug=2' > goroutines-$(date +%s).txt   # at each point of the series".to_owned(),
        });
    }
    if go && needs("heap profile") {
        advice.push(Advice {
            why: "In-use memory decides G3 to G6 and G8: drop heap profiles taken over time.".to_owned(),
            how: "curl -s 'http://HOST:PORT/debug/pprof/heap?gc=1' > heap-$(date +%s).pb.gz   # ?gc=1 runs a GC first".to_owned(),
        });
    }
    let memory_points = f.memory.as_ref().map_or(0, |m| m.inuse.points());
    let series_points = memory_points
        .max(points(&f.goroutines))
        .max(points(&f.dumps));
    if go && series_points == 1 {
        advice.push(Advice {
            why: "One file shows what is big, not what grows: take the same profiles again after the memory grows, two or three times.".to_owned(),
            how: "for i in 1 2 3; do curl -s 'http://HOST:PORT/debug/pprof/heap?gc=1' > heap-$i.pb.gz; curl -s 'http://HOST:PORT/debug/pprof/goroutine?debug=2' > goroutines-$i.txt; sleep 600; done".to_owned(),
        });
    }
    if go
        && f.block.is_none()
        && findings
            .iter()
            .any(|x| x.cause == "G2" && x.verdict != Verdict::NotSeen)
    {
        advice.push(Advice {
            why: "Block and mutex profiles show where goroutines wait on locks (G2).".to_owned(),
            how: "runtime.SetBlockProfileRate(10000); runtime.SetMutexProfileFraction(5) at start, then curl -s 'http://HOST:PORT/debug/pprof/block' > block.pb.gz".to_owned(),
        });
    }
    match &f.snapshots {
        None if !go => advice.push(Advice {
            why: "For a JavaScript heap, three snapshots of one process over time show what only grows (J1 to J5).".to_owned(),
            how: "Node: node --heapsnapshot-signal=SIGUSR2 app.js, then kill -USR2 <pid> at each point (or require('v8').writeHeapSnapshot()); Chrome: DevTools → Memory → Heap snapshot → Take snapshot, repeat the leaking action, take another, Save each.".to_owned(),
        }),
        Some(s) if s.ids.len() < 3 => advice.push(Advice {
            why: "A third snapshot (after repeating the suspect action) separates objects that stay from objects that were only in use (MemLab's view).".to_owned(),
            how: "Take one more heap snapshot of the same process after the memory grows again.".to_owned(),
        }),
        _ => {}
    }
    advice
}
