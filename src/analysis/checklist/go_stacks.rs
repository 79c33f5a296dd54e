//! What Go stacks say, for the Go rules: goroutines grouped by what they wait on (a channel, a
//! sync primitive, an HTTP connection) and the user frame they wait at; growing heap stacks
//! grouped by the pattern that holds the memory (a request body read whole, a timer, the HTTP
//! transport, the request's context, or plainly a user function) and the user frame that
//! allocates it. Each group sums its stacks' values per point and judges their trend.

use crate::analysis::sort;
use std::collections::HashMap;

use crate::analysis::frames::{frame_owner, user_frame, FrameOwner};
use crate::analysis::growth::{rank_order, trend, GrowthTrend, TrendKind};

use super::facts::SeriesFacts;

/// What goroutines wait on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
    /// The shortest wait in minutes at the last point when all of them had waited a minute or
    /// more (dumps only).
    pub shortest_minutes: Option<i64>,
}

/// Goroutines of a profile or dump series, grouped by wait and user frame, growing first.
pub fn goroutine_groups(facts: &SeriesFacts) -> &[GoroutineGroup] {
    facts
        .groups
        .goroutines
        .get_or_init(|| make_goroutine_groups(facts))
}

fn make_goroutine_groups(facts: &SeriesFacts) -> Vec<GoroutineGroup> {
    let mut groups: Vec<GoroutineGroup> = Vec::new();
    // Where each (wait, frame) group is: a profile has hundreds of thousands of stacks.
    let mut index: HashMap<(Wait, String), usize> = HashMap::new();
    let mut add = |frame: String,
                   wait: Wait,
                   counts: &[i64],
                   proof: Vec<String>,
                   (minutes, shortest): (Option<i64>, Option<i64>)| match index
        .get(&(wait, frame.clone()))
        .map(|&i| &mut groups[i])
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
            g.shortest_minutes = g.shortest_minutes.zip(shortest).map(|(a, b)| a.min(b));
        }
        None => {
            index.insert((wait, frame.clone()), groups.len());
            groups.push(GoroutineGroup {
                frame,
                wait,
                counts: counts.to_vec(),
                trend: trend(&[], 0),
                proof,
                longest_minutes: minutes,
                shortest_minutes: shortest,
            })
        }
    };
    if facts.waits.is_empty() {
        for s in &facts.growth.stacks {
            let leaf_first: Vec<&str> = s.frames.iter().rev().map(|f| &**f).collect();
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
            add(frame, wait, &s.values, proof, (None, None));
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
            let shortest = w.shortest_minutes.last().copied().flatten();
            add(
                w.frame.clone(),
                wait,
                &w.counts,
                vec![format!("[{}]", w.state)],
                (minutes, shortest),
            );
        }
    }
    for g in &mut groups {
        g.trend = trend(&g.counts, 0);
    }
    sort::sort_by(&mut groups, |a, b| rank_order(&a.trend, &b.trend));
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
    /// The handler or middleware the request ran through: the outermost of the user frames
    /// that called `frame` one another, up to a frame of a framework or the standard library.
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
pub fn heap_groups(inuse: &SeriesFacts) -> &[HeapGroup] {
    inuse.groups.heap.get_or_init(|| make_heap_groups(inuse))
}

fn make_heap_groups(inuse: &SeriesFacts) -> Vec<HeapGroup> {
    let noise = inuse.growth.noise;
    let mut groups: Vec<HeapGroup> = Vec::new();
    let mut index: HashMap<(Holding, String), usize> = HashMap::new();
    for s in &inuse.growth.stacks {
        let leaf_first: Vec<&str> = s.frames.iter().rev().map(|f| &**f).collect();
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
        // The handler: from the user frame, up through the user's own callers to the first
        // frame a framework or the standard library called (a middleware of the service's own
        // that calls `c.Next()` is another entry, not this one's).
        let entry = leaf_first
            .iter()
            .skip_while(|f| **f != frame)
            .take_while(|f| frame_owner(f) == FrameOwner::User)
            .last()
            .copied()
            .unwrap_or(frame);
        let (frame, entry) = (frame.to_owned(), entry.to_owned());
        match index
            .get(&(holding, frame.clone()))
            .map(|&i| &mut groups[i])
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
            None => {
                index.insert((holding, frame.clone()), groups.len());
                groups.push(HeapGroup {
                    holding,
                    frame,
                    entry,
                    values: s.values.clone(),
                    trend: trend(&[], 0),
                    proof,
                })
            }
        }
    }
    for g in &mut groups {
        g.trend = trend(&g.values, noise);
    }
    sort::sort_by(&mut groups, |a, b| rank_order(&a.trend, &b.trend));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::checklist::test_support::*;
    use crate::analysis::growth::TrendKind;

    #[test]
    fn goroutines_are_grouped_by_wait_and_user_frame() {
        let recv = gin("main.(*Server).handle;runtime.chanrecv1;runtime.chanrecv;runtime.gopark");
        let select = gin("main.(*Server).handle;runtime.selectgo;runtime.gopark");
        let locked = gin("main.(*Server).handle;sync.(*Mutex).Lock;sync.(*Mutex).lockSlow;sync.runtime_SemacquireMutex;runtime.semacquire1;runtime.gopark");
        let read_loop =
            "runtime.goexit;net/http.(*persistConn).readLoop;runtime.selectgo;runtime.gopark";
        let g = goroutine_series(&[
            (&recv, &[10, 20, 30]),
            (&select, &[1, 2, 3]),
            (&locked, &[5, 5, 5]),
            (read_loop, &[4, 8, 12]),
            (IDLE_SERVER_CONN, &[30, 30, 30]),
        ]);
        let fs = facts(&[&g]);
        let groups = goroutine_groups(fs.goroutines.as_ref().unwrap());
        let mut shown: Vec<String> = groups
            .iter()
            .map(|g| {
                format!(
                    "{:?} @ {} {:?} {:?}",
                    g.wait, g.frame, g.counts, g.trend.kind
                )
            })
            .collect();
        // Flat groups tie: their order is not part of the contract.
        shown[2..].sort();
        assert_eq!(
            shown,
            [
                // Both channel waits at the handler are one group, growing first, by the most.
                "Channel @ main.(*Server).handle [11, 22, 33] Growing",
                // The transport's loops have no user frame: the loop names them, and their
                // select does not make them a channel wait.
                "HttpConn @ net/http.(*persistConn).readLoop [4, 8, 12] Growing",
                // No user frame at all: the leaf.
                "Other @ runtime.gopark [30, 30, 30] Flat",
                // A sync wait at the same handler is a group of its own.
                "Sync @ main.(*Server).handle [5, 5, 5] Flat",
            ]
        );
        let channel = &groups[0];
        for f in ["runtime.chanrecv1", "runtime.chanrecv", "runtime.selectgo"] {
            assert!(
                channel.proof.iter().any(|p| p == f),
                "{f} in {:?}",
                channel.proof
            );
        }
        assert!(!channel.proof.iter().any(|p| p == "runtime.gopark"));
        let sync = groups.iter().find(|g| g.wait == Wait::Sync).unwrap();
        assert_eq!(sync.proof[0], "sync.runtime_SemacquireMutex");
        assert!(sync.proof.iter().any(|p| p == "sync.(*Mutex).Lock"));
    }

    #[test]
    fn dumps_are_grouped_by_wait_state() {
        let handler = ["main.(*Server).handle", "net/http.(*conn).serve"];
        let d = dump_series(&[
            Dumped {
                state: "chan receive",
                minutes: Some(3),
                frames: &handler,
                counts: &[1, 2],
            },
            Dumped {
                state: "chan receive",
                minutes: Some(9),
                frames: &handler,
                counts: &[1, 1],
            },
            Dumped {
                state: "sync.RWMutex.RLock",
                minutes: None,
                frames: &handler,
                counts: &[2, 2],
            },
            Dumped {
                state: "IO wait",
                minutes: None,
                frames: &["net/http.(*persistConn).readLoop"],
                counts: &[1, 3],
            },
        ]);
        let fs = facts(&[&d]);
        let groups = goroutine_groups(fs.dumps.as_ref().unwrap());
        let find = |wait: Wait| groups.iter().find(|g| g.wait == wait).unwrap();
        let channel = find(Wait::Channel);
        assert_eq!(channel.frame, "main.(*Server).handle");
        assert_eq!(channel.counts, [2, 3]);
        assert_eq!(channel.longest_minutes, Some(9));
        assert_eq!(channel.proof, ["[chan receive]"]);
        assert_eq!(find(Wait::Sync).proof, ["[sync.RWMutex.RLock]"]);
        let conn = find(Wait::HttpConn);
        assert_eq!(conn.frame, "net/http.(*persistConn).readLoop");
        assert_eq!(conn.counts, [1, 3]);
    }

    #[test]
    fn heap_stacks_are_grouped_by_holder_user_frame_and_handler() {
        const MB: i64 = 1 << 20;
        let behind_auth = |frames: &str| {
            gin(&format!(
                "main.authMiddleware.func1;github.com/gin-gonic/gin.(*Context).Next;{frames}"
            ))
        };
        let put = behind_auth("main.(*Server).getProduct;main.(*responseCache).Put");
        let body = behind_auth("main.(*Server).upload;io.ReadAll");
        let set = behind_auth("main.(*Server).handle;github.com/gin-gonic/gin.(*Context).Set");
        // A client timeout's timer under Client.Do is a timer first.
        let timeout = "runtime.goexit;main.(*PriceClient).fetch;net/http.(*Client).Do;net/http.(*Client).do;net/http.setRequestCancel;time.AfterFunc";
        let dial = "runtime.goexit;net/http.(*Transport).dialConnFor;net/http.(*Transport).dialConn;bufio.NewReaderSize";
        // Each behind the service's own auth middleware: the handler is the user frame the
        // framework called last (`c.Next()` → handler), not the middleware.
        // The profiler's own work, and memory no user frame allocated, are left out.
        let pprof = "runtime.goexit;net/http.(*conn).serve;net/http.HandlerFunc.ServeHTTP;net/http/pprof.Index;net/http/pprof.handler.ServeHTTP;runtime/pprof.writeHeap";
        let tls = "runtime.main;runtime.doInit1;crypto/tls.init";
        let h = heap_series(&[
            (&put, &[MB, 2 * MB, 3 * MB]),
            (&body, &[MB, 2 * MB, 2 * MB]),
            (&set, &[4_000, 4_000, 4_000]),
            (timeout, &[100_000, 200_000, 300_000]),
            (dial, &[80_000, 160_000, 240_000]),
            (pprof, &[MB, 2 * MB, 3 * MB]),
            (tls, &[64_000, 64_000, 64_000]),
        ]);
        let fs = facts(&[&h]);
        let groups = heap_groups(&fs.memory.as_ref().unwrap().inuse);
        let shown: Vec<String> = groups
            .iter()
            .map(|g| {
                format!(
                    "{:?} @ {} in {} {:?} {:?}",
                    g.holding, g.frame, g.entry, g.values, g.trend.kind
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                "Plain @ main.(*responseCache).Put in main.(*Server).getProduct [1048576, 2097152, 3145728] Growing",
                "Timer @ main.(*PriceClient).fetch in main.(*PriceClient).fetch [100000, 200000, 300000] Growing",
                "HttpClient @ net/http.(*Transport).dialConn in net/http.(*Transport).dialConn [80000, 160000, 240000] Growing",
                "WholeBody @ main.(*Server).upload in main.(*Server).upload [1048576, 2097152, 2097152] Rising",
                "RequestContext @ main.(*Server).handle in main.(*Server).handle [4000, 4000, 4000] Flat",
            ]
        );
        assert_eq!(groups[1].proof, ["time.AfterFunc"]);
        assert!(grows(&groups[0].trend) && rises(&groups[0].trend));
        assert!(!grows(&groups[3].trend) && rises(&groups[3].trend));
        assert_eq!(groups[4].trend.kind, TrendKind::Flat);
    }
}
