//! What Go stacks say, for the Go rules: goroutines grouped by what they wait on (a channel, a
//! sync primitive, an HTTP connection) and the user frame they wait at; growing heap stacks
//! grouped by the pattern that holds the memory (a request body read whole, a timer, the HTTP
//! transport, the request's context, or plainly a user function) and the user frame that
//! allocates it. Each group sums its stacks' values per point and judges their trend.

use crate::analysis::frames::{frame_owner, user_frame, FrameOwner};
use crate::analysis::growth::{rank_order, trend, GrowthTrend, TrendKind};

use super::facts::SeriesFacts;

/// What goroutines wait on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// A channel send or receive, or a `select` (G1).
    Channel,
    /// `sync.WaitGroup.Wait`, a mutex, a `sync.Cond` (G2).
    Sync,
    /// An HTTP client connection's read or write loop (G3).
    HttpConn,
    /// Anything else (I/O, sleep, running).
    Other,
}

/// Frames whose presence on a goroutine's stack says what it waits on.
const CHANNEL_FRAMES: &[&str] = &[
    "runtime.chansend",
    "runtime.chansend1",
    "runtime.chanrecv",
    "runtime.chanrecv1",
    "runtime.chanrecv2",
    "runtime.selectgo",
    "runtime.block",
];
const SYNC_FRAMES: &[&str] = &[
    "sync.(*WaitGroup).Wait",
    "sync.runtime_Semacquire",
    "sync.runtime_SemacquireMutex",
    "sync.runtime_SemacquireRWMutex",
    "sync.runtime_SemacquireRWMutexR",
    "sync.runtime_SemacquireWaitGroup",
    "sync.(*Mutex).Lock",
    "sync.(*RWMutex).Lock",
    "sync.(*RWMutex).RLock",
    "sync.(*Cond).Wait",
    "sync.runtime_notifyListWait",
    "runtime.notifyListWait",
];
const HTTP_CONN_FRAMES: &[&str] = &[
    "net/http.(*persistConn).readLoop",
    "net/http.(*persistConn).writeLoop",
];

/// The wait of a goroutine dump's state (`chan receive`, `semacquire`, …).
fn wait_of_state(state: &str) -> Wait {
    let base = state.split(" (").next().unwrap_or(state);
    match base {
        "chan send" | "chan receive" | "select" => Wait::Channel,
        "semacquire"
        | "sync.Mutex.Lock"
        | "sync.RWMutex.Lock"
        | "sync.RWMutex.RLock"
        | "sync.WaitGroup.Wait"
        | "sync.Cond.Wait" => Wait::Sync,
        _ => Wait::Other,
    }
}

/// Goroutines waiting on one thing at one user frame.
#[derive(Clone, Debug)]
pub struct GoroutineGroup {
    /// The first user frame from the leaf (else the leaf).
    pub frame: String,
    /// What they wait on.
    pub wait: Wait,
    /// How many, at each point.
    pub counts: Vec<i64>,
    /// How `counts` moved (every change counts: goroutine counts are exact).
    pub trend: GrowthTrend,
    /// The frames (or dump states) that show the wait.
    pub proof: Vec<String>,
    /// The longest wait in minutes at the last point (dumps only).
    pub longest_minutes: Option<i64>,
}

/// Goroutines of a profile or dump series, grouped by wait and user frame, growing first.
pub fn goroutine_groups(facts: &SeriesFacts) -> Vec<GoroutineGroup> {
    let mut groups: Vec<GoroutineGroup> = Vec::new();
    let mut add =
        |frame: String, wait: Wait, counts: &[i64], proof: Vec<String>, minutes| match groups
            .iter_mut()
            .find(|g| g.frame == frame && g.wait == wait)
        {
            Some(g) => {
                for (a, b) in g.counts.iter_mut().zip(counts) {
                    *a += b;
                }
                for p in proof {
                    if !g.proof.contains(&p) {
                        g.proof.push(p);
                    }
                }
                g.longest_minutes = g.longest_minutes.max(minutes);
            }
            None => groups.push(GoroutineGroup {
                frame,
                wait,
                counts: counts.to_vec(),
                trend: trend(&[], 0),
                proof,
                longest_minutes: minutes,
            }),
        };
    if facts.waits.is_empty() {
        for s in &facts.growth.stacks {
            let leaf_first: Vec<&str> = s.frames.iter().rev().map(String::as_str).collect();
            let has = |set: &[&str]| leaf_first.iter().filter(|f| set.contains(f)).count() > 0;
            let (wait, set) = if has(HTTP_CONN_FRAMES) {
                (Wait::HttpConn, HTTP_CONN_FRAMES)
            } else if has(SYNC_FRAMES) {
                (Wait::Sync, SYNC_FRAMES)
            } else if has(CHANNEL_FRAMES) {
                (Wait::Channel, CHANNEL_FRAMES)
            } else {
                (Wait::Other, &[][..])
            };
            let proof: Vec<String> = leaf_first
                .iter()
                .filter(|f| set.contains(f))
                .map(|f| f.to_string())
                .collect();
            let frame = named_frame(&leaf_first, wait);
            add(frame, wait, &s.values, proof, None);
        }
    } else {
        for w in &facts.waits {
            // A dump prints no runtime frames: an HTTP connection's loops are their own frame.
            let wait = if HTTP_CONN_FRAMES.contains(&w.frame.as_str()) {
                Wait::HttpConn
            } else {
                wait_of_state(&w.state)
            };
            let minutes = w.longest_minutes.last().copied().flatten();
            add(
                w.frame.clone(),
                wait,
                &w.counts,
                vec![format!("[{}]", w.state)],
                minutes,
            );
        }
    }
    for g in &mut groups {
        g.trend = trend(&g.counts, 0);
    }
    groups.sort_by(|a, b| rank_order(&a.trend, &b.trend));
    groups
}

/// The frame that names a goroutine group: its user frame; for an HTTP connection's loops, the
/// loop itself (they have no user frame).
fn named_frame(leaf_first: &[&str], wait: Wait) -> String {
    if wait == Wait::HttpConn {
        if let Some(f) = leaf_first.iter().find(|f| HTTP_CONN_FRAMES.contains(f)) {
            return f.to_string();
        }
    }
    user_frame(leaf_first.iter().copied())
        .or(leaf_first.first().copied())
        .unwrap_or("<no frames>")
        .to_owned()
}

/// What holds the memory of a growing heap stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holding {
    /// A request or response body read whole (G6).
    WholeBody,
    /// Timers and tickers (G8).
    Timer,
    /// The HTTP client's transport and requests (G3).
    HttpClient,
    /// The request's context and its values (G5).
    RequestContext,
    /// A user function's own allocations (G4).
    Plain,
}

/// Frames that say what holds a heap stack's memory, checked in this order.
const HOLDERS: &[(Holding, &[&str])] = &[
    (
        Holding::Timer,
        &[
            "time.NewTicker",
            "time.NewTimer",
            "time.After",
            "time.AfterFunc",
            "time.startTimer",
            "time.Tick",
        ],
    ),
    (
        Holding::HttpClient,
        &[
            "net/http.(*Transport).dialConn",
            "net/http.(*Transport).roundTrip",
            "net/http.(*Client).Do",
            "net/http.(*Client).do",
            "net/http.Get",
            "net/http.Post",
            "net/http.(*Client).Get",
            "net/http.(*Client).Post",
        ],
    ),
    (
        Holding::WholeBody,
        &[
            "io.ReadAll",
            "io/ioutil.ReadAll",
            "bytes.(*Buffer).ReadFrom",
            "github.com/gin-gonic/gin.(*Context).GetRawData",
        ],
    ),
    (
        Holding::RequestContext,
        &[
            "github.com/gin-gonic/gin.(*Context).Set",
            "github.com/gin-gonic/gin.(*Context).Copy",
            "context.WithValue",
            "context.WithCancel",
            "context.WithTimeout",
            "context.WithDeadline",
        ],
    ),
];

/// Heap stacks that hold memory the same way, allocated at one user frame.
#[derive(Clone, Debug)]
pub struct HeapGroup {
    /// What holds the memory.
    pub holding: Holding,
    /// The first user frame from the leaf.
    pub frame: String,
    /// The outermost user frame (the handler or middleware the request ran through).
    pub entry: String,
    /// Summed in-use bytes at each point.
    pub values: Vec<i64>,
    /// How `values` moved against the series' noise floor.
    pub trend: GrowthTrend,
    /// The frames that show the holder.
    pub proof: Vec<String>,
}

/// The heap stacks of a memory series with a user frame, grouped by holder and user frame,
/// growing first. Stacks of the profiler's own work (`net/http/pprof`) are left out.
pub fn heap_groups(inuse: &SeriesFacts) -> Vec<HeapGroup> {
    let noise = inuse.growth.noise;
    let mut groups: Vec<HeapGroup> = Vec::new();
    for s in &inuse.growth.stacks {
        let leaf_first: Vec<&str> = s.frames.iter().rev().map(String::as_str).collect();
        if leaf_first.iter().any(|f| f.starts_with("net/http/pprof.")) {
            continue;
        }
        let (holding, proof) = HOLDERS
            .iter()
            .find_map(|(h, set)| {
                let hits: Vec<String> = leaf_first
                    .iter()
                    .filter(|f| set.contains(f))
                    .map(|f| f.to_string())
                    .collect();
                (!hits.is_empty()).then_some((*h, hits))
            })
            .unwrap_or((Holding::Plain, Vec::new()));
        // Memory a user frame allocated, or the HTTP transport's, which no user frame starts.
        let frame = match user_frame(leaf_first.iter().copied()) {
            Some(f) => f,
            None if holding == Holding::HttpClient => proof[0].as_str(),
            None => continue,
        };
        let entry = leaf_first
            .iter()
            .rev()
            .find(|f| frame_owner(f) == FrameOwner::User)
            .copied()
            .unwrap_or(frame);
        let (frame, entry) = (frame.to_owned(), entry.to_owned());
        match groups
            .iter_mut()
            .find(|g| g.holding == holding && g.frame == frame)
        {
            Some(g) => {
                for (a, b) in g.values.iter_mut().zip(&s.values) {
                    *a += b;
                }
                for p in proof {
                    if !g.proof.contains(&p) {
                        g.proof.push(p);
                    }
                }
            }
            None => groups.push(HeapGroup {
                holding,
                frame,
                entry,
                values: s.values.clone(),
                trend: trend(&[], 0),
                proof,
            }),
        }
    }
    for g in &mut groups {
        g.trend = trend(&g.values, noise);
    }
    groups.sort_by(|a, b| rank_order(&a.trend, &b.trend));
    groups
}

/// How the series' total moved against its noise floor.
pub fn total_trend(series: &SeriesFacts) -> GrowthTrend {
    trend(&series.growth.totals, series.growth.noise)
}

/// True for a group that grew at every step.
pub fn grows(t: &GrowthTrend) -> bool {
    t.kind == TrendKind::Growing
}

/// True for a group that ended higher without falling (grew, or rose with a pause).
pub fn rises(t: &GrowthTrend) -> bool {
    matches!(t.kind, TrendKind::Growing | TrendKind::Rising)
}
