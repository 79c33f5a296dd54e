//! Builders for the checklist's tests: small Go profiles written as folded text (root first,
//! frames joined by `;`), goroutine dumps written as `debug=2` text and decoded by the real
//! decoder, and their `Facts`. Each series gets one file per point, stamped a second apart so
//! `Facts` lines them up oldest first.

use super::facts::{CheckInput, Facts};
use super::{Evidence, Finding};
use crate::model::{Label, LabelValue, Profile, ProfileKind, SampleType};

/// One loaded file.
pub(crate) struct File {
    pub name: String,
    pub profile: Profile,
}

/// Point `at` of a series, as `time_nanos` (0 means "unknown" to `Facts`: start at 1 s).
fn stamp(at: usize) -> Option<i64> {
    Some((at as i64 + 1) * 1_000_000_000)
}

/// The folded text of point `at`: one line per row with its values there.
fn folded(rows: &[(&str, Vec<&[i64]>)], at: usize) -> String {
    rows.iter()
        .map(|(stack, columns)| {
            let values: Vec<String> = columns.iter().map(|c| c[at].to_string()).collect();
            format!("{stack} {}\n", values.join(" "))
        })
        .collect()
}

/// How many points `rows` have (all rows must agree).
fn points(rows: &[(&str, Vec<&[i64]>)]) -> usize {
    let n = rows.first().map_or(0, |r| r.1[0].len());
    assert!(
        rows.iter().all(|r| r.1.iter().all(|c| c.len() == n)),
        "every row needs a value at each point"
    );
    n
}

fn series(
    prefix: &str,
    kind: ProfileKind,
    types: &[(&str, &str)],
    rows: &[(&str, Vec<&[i64]>)],
) -> Vec<File> {
    let types: Vec<SampleType> = types.iter().map(|(n, u)| SampleType::new(*n, *u)).collect();
    (0..points(rows))
        .map(|at| {
            let mut p = Profile::from_folded(types.clone(), &folded(rows, at));
            p.meta.kind = kind.clone();
            p.meta.format = "pprof".to_owned();
            p.meta.time_nanos = stamp(at);
            p.default_sample_type = types.len() - 1;
            File {
                name: format!("{prefix}-{at}.pb.gz"),
                profile: p,
            }
        })
        .collect()
}

/// Go's heap profile sample types, in Go's order.
const HEAP_TYPES: [(&str, &str); 4] = [
    ("alloc_objects", "count"),
    ("alloc_space", "bytes"),
    ("inuse_objects", "count"),
    ("inuse_space", "bytes"),
];

/// Heap profiles: each row is a stack with its in-use bytes at each point; what a leak keeps
/// is what it allocated, so allocated bytes are the same (objects: one per KiB).
pub(crate) fn heap_series(rows: &[(&str, &[i64])]) -> Vec<File> {
    let rows: Vec<(&str, &[i64], &[i64])> = rows.iter().map(|&(s, v)| (s, v, v)).collect();
    heap_series_with_allocs(&rows)
}

/// Heap profiles with allocated bytes apart: each row is (stack, in-use bytes at each point,
/// bytes allocated since start at each point).
pub(crate) fn heap_series_with_allocs(rows: &[(&str, &[i64], &[i64])]) -> Vec<File> {
    let objects = |v: &[i64]| v.iter().map(|b| b / 1024).collect::<Vec<i64>>();
    let counts: Vec<(Vec<i64>, Vec<i64>)> = rows
        .iter()
        .map(|(_, inuse, alloc)| (objects(alloc), objects(inuse)))
        .collect();
    let rows: Vec<(&str, Vec<&[i64]>)> = rows
        .iter()
        .zip(&counts)
        .map(|((s, inuse, alloc), (ao, io))| (*s, vec![&ao[..], alloc, &io[..], inuse]))
        .collect();
    series("heap", ProfileKind::Heap, &HEAP_TYPES, &rows)
}

/// Goroutine profiles (`?debug=0`, with runtime frames): each row is a stack with its count of
/// goroutines at each point.
pub(crate) fn goroutine_series(rows: &[(&str, &[i64])]) -> Vec<File> {
    let rows: Vec<(&str, Vec<&[i64]>)> = rows.iter().map(|&(s, v)| (s, vec![v])).collect();
    series(
        "goroutine",
        ProfileKind::Goroutine,
        &[("goroutine", "count")],
        &rows,
    )
}

/// Go 1.26's `goroutineleak` profile: goroutines proven blocked forever, one file.
pub(crate) fn leak_profile(rows: &[(&str, i64)]) -> Vec<File> {
    let values: Vec<[i64; 1]> = rows.iter().map(|r| [r.1]).collect();
    let rows: Vec<(&str, Vec<&[i64]>)> = rows
        .iter()
        .zip(&values)
        .map(|(r, v)| (r.0, vec![&v[..]]))
        .collect();
    let kind = ProfileKind::Other("goroutineleak".to_owned());
    series("goroutineleak", kind, &[("goroutineleak", "count")], &rows)
}

/// A block profile: each row is a stack with its delay in nanoseconds (one contention each).
pub(crate) fn block_profile(rows: &[(&str, i64)]) -> Vec<File> {
    let values: Vec<[i64; 2]> = rows.iter().map(|r| [1, r.1]).collect();
    let rows: Vec<(&str, Vec<&[i64]>)> = rows
        .iter()
        .zip(&values)
        .map(|(r, v)| (r.0, vec![&v[..1], &v[1..]]))
        .collect();
    let types = [("contentions", "count"), ("delay", "nanoseconds")];
    series("block", ProfileKind::Block, &types, &rows)
}

/// Goroutines of a dump: their wait state, the minutes they have waited (from one on, as Go
/// prints it), their frames leaf first as the dump prints them, and how many at each point.
pub(crate) struct Dumped<'a> {
    pub state: &'a str,
    pub minutes: Option<i64>,
    pub frames: &'a [&'a str],
    pub counts: &'a [i64],
}

/// `?debug=2` goroutine dumps, one per point, as the decoder makes them (one sample of 1 per
/// goroutine, its wait state and minutes as labels; `analysis` may not call `formats`). Dumps
/// carry no time, so `Facts` orders them by name.
pub(crate) fn dump_series(rows: &[Dumped]) -> Vec<File> {
    let n = rows.first().map_or(0, |r| r.counts.len());
    (0..n)
        .map(|at| {
            let goroutines: Vec<&Dumped> = rows
                .iter()
                .flat_map(|r| std::iter::repeat_n(r, r.counts[at].max(0) as usize))
                .collect();
            let text: String = goroutines
                .iter()
                .map(|r| {
                    let root_first: Vec<&str> = r.frames.iter().rev().copied().collect();
                    format!("{} 1\n", root_first.join(";"))
                })
                .collect();
            let mut profile =
                Profile::from_folded(vec![SampleType::new("goroutine", "count")], &text);
            profile.meta.kind = ProfileKind::Goroutine;
            profile.meta.format = "goroutine debug=2".to_owned();
            let (state, minutes) = (
                profile.strings.intern("state"),
                profile.strings.intern("minutes"),
            );
            for (i, r) in goroutines.iter().enumerate() {
                let mut set = vec![Label {
                    key: state,
                    value: LabelValue::Str(profile.strings.intern(r.state)),
                }];
                if let Some(m) = r.minutes {
                    set.push(Label {
                        key: minutes,
                        value: LabelValue::Num {
                            value: m,
                            unit: minutes,
                        },
                    });
                }
                profile.samples.labels[i] = profile.samples.add_label_set(set);
            }
            File {
                name: format!("goroutine-{at}.debug2.txt"),
                profile,
            }
        })
        .collect()
}

/// The facts of these files (ids in the order given).
pub(crate) fn facts(files: &[&[File]]) -> Facts {
    let inputs: Vec<CheckInput> = files
        .iter()
        .flat_map(|f| f.iter())
        .enumerate()
        .map(|(id, f)| CheckInput::Profile {
            id: id as u32,
            name: &f.name,
            profile: &f.profile,
        })
        .collect();
    Facts::of(&inputs)
}

/// The finding of `cause` in the whole checklist of `facts`.
pub(crate) fn finding_of(facts: &Facts, cause: &str) -> Finding {
    super::check(facts)
        .findings
        .into_iter()
        .find(|f| f.cause == cause)
        .unwrap_or_else(|| panic!("no finding {cause}"))
}

/// The evidence of `finding` at the user's frame `frame`; fails showing the finding.
pub(crate) fn evidence_at<'a>(finding: &'a Finding, frame: &str) -> &'a Evidence {
    finding
        .evidence
        .iter()
        .find(|e| e.frame.as_deref() == Some(frame))
        .unwrap_or_else(|| panic!("no evidence at {frame} in {finding:#?}"))
}

/// True when `e` shows every one of `frames` among its runtime frames.
pub(crate) fn shows(e: &Evidence, frames: &[&str]) -> bool {
    frames
        .iter()
        .all(|f| e.runtime_frames.iter().any(|r| r == f))
}

/// The frames above a Gin handler, root first: net/http's connection goroutine, then Gin's
/// engine and its middleware chain.
pub(crate) const GIN: &str = "runtime.goexit;net/http.(*conn).serve;net/http.serverHandler.ServeHTTP;github.com/gin-gonic/gin.(*Engine).ServeHTTP;github.com/gin-gonic/gin.(*Engine).handleHTTPRequest;github.com/gin-gonic/gin.(*Context).Next";

/// `frames` (root first, `;`-joined) called by a Gin handler chain.
pub(crate) fn gin(frames: &str) -> String {
    format!("{GIN};{frames}")
}

/// An idle keep-alive server connection waiting for its next request, as a goroutine profile
/// shows it: every healthy HTTP server has some.
pub(crate) const IDLE_SERVER_CONN: &str = "runtime.goexit;net/http.(*conn).serve;net/http.(*conn).readRequest;bufio.(*Reader).Peek;bufio.(*Reader).fill;net/http.(*connReader).Read;net.(*conn).Read;net.(*netFD).Read;internal/poll.(*FD).Read;internal/poll.(*pollDesc).waitRead;internal/poll.runtime_pollWait;runtime.netpollblock;runtime.gopark";

/// What a service allocated at start and keeps (its routes), as a heap profile shows it.
pub(crate) const STARTUP: &str = "runtime.main;main.main;main.setupRouter;github.com/gin-gonic/gin.(*RouterGroup).handle;github.com/gin-gonic/gin.(*Engine).addRoute";

/// The verdict of `cause` in the checklist of `files`.
pub(crate) fn verdict(files: &[&[File]], cause: &str) -> super::Verdict {
    finding_of(&facts(files), cause).verdict
}

/// True when every piece of evidence of `finding` that names a frame names the user's code.
pub(crate) fn names_user_frames_only(finding: &Finding) -> bool {
    use crate::analysis::frames::{frame_owner, FrameOwner};
    finding
        .evidence
        .iter()
        .filter_map(|e| e.frame.as_deref())
        .all(|f| frame_owner(f) == FrameOwner::User)
}
