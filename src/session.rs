//! `Session`: the worker's state (decoded profiles by id) and its answers to each request.
//! Pure Rust over `formats` and `analysis`, so it runs under `cargo test`; posting messages
//! and reading blobs are `worker.rs`' job.

use std::collections::HashMap;

use crate::analysis::{self, Granularity, Measure, RefineOptions, ReportOptions};
use crate::formats::{self, Content};
use crate::model::Profile;

use crate::protocol::{
    HeapFilter, HeapObjectsRequest, ProfileSummary, Response, SandwichRequest, ViewRequest,
};

mod checklist;
mod heaps;
mod series;
mod warm_up;

pub use heaps::{HeapLoad, Heaps, HEAD_BYTES, MAX_WHOLE_FILE_BYTES, SLICE_BYTES};
pub use warm_up::warm_up;

/// Subtrees below this share of the total are left out of the flame graph's tree: narrower
/// than a pixel on any screen, and they would only make the message to the page bigger.
const TREE_MIN_FRACTION: f64 = 1e-4;

/// The decoded profiles the worker holds, each one's copy with the last focus, ignore and
/// hide expressions applied (so that switching the sample type or granularity, or viewing a
/// series, does not refine again), and the aggregate of the last view (so that a Sandwich of
/// the view's functions does not aggregate it again).
#[derive(Default)]
pub struct Session {
    profiles: HashMap<u32, Profile>,
    refined: HashMap<u32, (RefineOptions, Profile)>,
    heaps: Heaps,
    last_view: Option<ViewAggregate>,
}

/// A view's aggregate, what it depends on, and the unrefined total.
struct ViewAggregate {
    key: ViewKey,
    agg: analysis::Aggregate,
    original_total: Option<i64>,
}

/// What a view's aggregate depends on: a `ViewRequest` but for its sequence number and
/// stack limit.
#[derive(PartialEq)]
struct ViewKey {
    id: u32,
    sample_index: usize,
    granularity: Granularity,
    refine: RefineOptions,
}

impl ViewKey {
    fn of(req: &ViewRequest) -> Self {
        ViewKey {
            id: req.id,
            sample_index: req.sample_index,
            granularity: req.granularity,
            refine: req.refine.clone(),
        }
    }
}

impl Session {
    /// An empty session.
    pub fn new() -> Self {
        Self::default()
    }

    /// Decodes `bytes` as profile `id`, replacing any profile with that id. Heap snapshots are
    /// read slice by slice instead (`load_heap`): the worker tells them from their head.
    /// Never inlined, so the worker's load and its warm-up (`warm_up`) run one compiled copy.
    #[inline(never)]
    pub fn load(&mut self, id: u32, bytes: &[u8]) -> Response {
        let failed = |message: String| Response::LoadFailed { id, message };
        let decoded = match formats::decode(bytes) {
            Ok(decoded) => decoded,
            Err(e) => return failed(e.to_string()),
        };
        let profile = match decoded.content {
            Content::Profile(profile) => profile,
            // Only a snapshot whose first `HEAD_BYTES` do not show it comes here.
            Content::Heap(_) => {
                return failed(format!(
                    "this V8 heap snapshot was not recognised from its first {HEAD_BYTES} bytes, \
                     so it was not read as one: remove what comes before its opening \
                     {{\"snapshot\" and load it again"
                ))
            }
        };
        let summary = ProfileSummary::of(&profile);
        self.forget(id);
        self.profiles.insert(id, profile);
        Response::Loaded {
            id,
            summary,
            warnings: decoded.warnings,
        }
    }

    /// Decodes a heap snapshot of `total` bytes as `id`, read slice by slice with `read`,
    /// posting progress through `post` (see `Heaps::load`).
    pub fn load_heap(
        &mut self,
        id: u32,
        total: u64,
        read: impl FnMut(u64, u64) -> Result<Vec<u8>, String>,
        post: impl FnMut(Response),
        now: impl Fn() -> f64,
    ) -> Response {
        self.forget(id);
        self.heaps.load(id, total, read, post, now)
    }

    /// Analyses and keeps a heap snapshot whose bytes were all pushed into `load` (the
    /// worker reads them asynchronously; see `Heaps::finish_load`). Never inlined, so the
    /// worker's load and its warm-up (`warm_up`) run one compiled copy.
    #[inline(never)]
    pub fn finish_heap_load(
        &mut self,
        load: HeapLoad,
        post: impl FnMut(Response),
        now: impl Fn() -> f64,
    ) -> Response {
        self.forget(load.id());
        self.heaps.finish_load(load, post, now)
    }

    /// Profile `id` as decoded: a pprof profile, or a heap snapshot by dominator path (built
    /// on first use).
    fn profile(&mut self, id: u32) -> Option<&Profile> {
        decoded_profile(&self.profiles, &mut self.heaps, id)
    }

    /// A page of a heap snapshot class's objects.
    pub fn heap_objects(&mut self, req: &HeapObjectsRequest) -> Response {
        match self.heaps.objects(req) {
            Some(page) => Response::HeapObjects(page),
            None => Response::view_failed(0, "this heap snapshot is no longer loaded", false),
        }
    }

    /// The dominator chain of one heap object.
    pub fn dominator_chain(&mut self, id: u32, ordinal: u32) -> Response {
        let chain = self.heaps.dominator_chain(id, ordinal).unwrap_or_default();
        Response::DominatorChain { id, ordinal, chain }
    }

    /// The edges retaining one heap object (one level of the Retainers tree).
    pub fn retainer_edges(&mut self, id: u32, ordinal: u32) -> Response {
        match self.heaps.retainer_edges(id, ordinal) {
            Some(page) => Response::RetainerEdges(page),
            None => Response::view_failed(0, "this heap snapshot is no longer loaded", false),
        }
    }

    /// What grew across heap snapshots `ids` (oldest first).
    pub fn heap_growth(&self, seq: u64, ids: &[u32]) -> Response {
        self.heaps.growth(seq, ids)
    }

    /// DevTools' Comparison of heap snapshot `new` against `base`.
    pub fn heap_comparison(&self, seq: u64, base: u32, new: u32) -> Response {
        self.heaps.comparison(seq, base, new)
    }

    /// The new objects of one Comparison row.
    pub fn comparison_objects(&self, base: u32, new: u32, key: &str) -> Response {
        self.heaps.comparison_objects(base, new, key)
    }

    /// What DevTools' Summary filter `filter` shows for heap snapshot `id`.
    pub fn heap_filter(&mut self, id: u32, filter: HeapFilter) -> Response {
        match self.heaps.filtered(id, filter) {
            Some(view) => Response::HeapFiltered { id, filter, view },
            None => Response::view_failed(0, "this heap snapshot is no longer loaded", false),
        }
    }

    /// Forgets profile `id`.
    pub fn forget(&mut self, id: u32) {
        self.heaps.forget(id);
        self.profiles.remove(&id);
        self.refined.remove(&id);
        if self.last_view.as_ref().is_some_and(|v| v.key.id == id) {
            self.last_view = None;
        }
    }

    /// Computes the views of `req`, handing each answer to `post` as soon as it is ready: the
    /// table first, then the stacks, then the call tree, so the table shows while the rest is
    /// ranked and built.
    pub fn view(&mut self, req: &ViewRequest, mut post: impl FnMut(Response)) {
        let seq = req.seq;
        // One aggregation for the table, the stacks and the tree.
        let (agg, original_total) = match self.aggregate(req) {
            Ok(a) => a,
            Err(failed) => return post(*failed),
        };
        let one = Measure::Column(0);
        let mut top = analysis::top_table(agg, one);
        if let Some(total) = original_total {
            top.total = total;
        }
        post(Response::Top { seq, top });
        let stacks = analysis::top_stacks(agg, one, req.stack_limit);
        post(Response::Stacks { seq, stacks });
        let tree = analysis::call_tree_of(agg, one, TREE_MIN_FRACTION);
        post(Response::Tree { seq, tree });
    }

    /// The sandwich of one function in the view `req.view` describes.
    pub fn sandwich(&mut self, req: &SandwichRequest) -> Response {
        let (agg, original_total) = match self.aggregate(&req.view) {
            Ok(a) => a,
            Err(failed) => return *failed,
        };
        let sandwich = analysis::sandwich(agg, Measure::Column(0), &req.name, TREE_MIN_FRACTION)
            .map(|mut s| {
                if let Some(total) = original_total {
                    s.total = total;
                    s.callers.total = total;
                    s.callees.total = total;
                }
                Box::new(s)
            });
        Response::Sandwich {
            seq: req.view.seq,
            name: req.name.clone(),
            sandwich,
        }
    }

    /// The aggregate of `req`'s profile, sample type, granularity and refine expressions, and
    /// the unrefined profile's total when refined (pprof takes the 100% before
    /// -focus/-ignore/-hide, so percentages stay comparable); a `ViewFailed` when it cannot be.
    /// The last one is kept for the next request of the same view.
    fn aggregate(
        &mut self,
        req: &ViewRequest,
    ) -> Result<(&analysis::Aggregate, Option<i64>), Box<Response>> {
        // Another view's aggregate goes before this one is built.
        let key = ViewKey::of(req);
        let kept = self.last_view.take().filter(|v| v.key == key);
        let v = match kept {
            Some(v) => v,
            None => {
                let (agg, original_total) = self.build_aggregate(req)?;
                ViewAggregate {
                    key,
                    agg,
                    original_total,
                }
            }
        };
        let v = self.last_view.insert(v);
        Ok((&v.agg, v.original_total))
    }

    /// `aggregate`, built.
    fn build_aggregate(
        &mut self,
        req: &ViewRequest,
    ) -> Result<(analysis::Aggregate, Option<i64>), Box<Response>> {
        let seq = req.seq;
        let original_total = match self.profile(req.id) {
            Some(p) if !req.refine.is_empty() => Some(analysis::report_total(p, req.sample_index)),
            _ => None,
        };
        let profile = self
            .refined_profile(req.id, &req.refine)
            .map_err(|(message, refine)| Box::new(Response::view_failed(seq, message, refine)))?;
        if req.sample_index >= profile.sample_types.len() {
            let message = format!(
                "sample type {} does not exist in this profile",
                req.sample_index
            );
            return Err(Box::new(Response::view_failed(seq, message, false)));
        }
        let opts = ReportOptions {
            sample_index: req.sample_index,
            granularity: req.granularity,
        };
        Ok((analysis::aggregate(&[profile], &opts), original_total))
    }

    /// Profile `id` with `refine` applied, from the cache when the expressions have not
    /// changed. Errors carry whether the refine expressions were at fault.
    fn refined_profile(
        &mut self,
        id: u32,
        refine: &RefineOptions,
    ) -> Result<&Profile, (String, bool)> {
        let Some(profile) = decoded_profile(&self.profiles, &mut self.heaps, id) else {
            return Err(("this profile is no longer loaded".to_owned(), false));
        };
        if refine.is_empty() {
            return Ok(profile);
        }
        let cached = matches!(self.refined.get(&id), Some((text, _)) if text == refine);
        if !cached {
            let refined = analysis::refine(profile, refine).map_err(|e| (e.message, true))?;
            self.refined.insert(id, (refine.clone(), refined));
        }
        match self.refined.get(&id) {
            Some((_, p)) => Ok(p),
            None => Err(("refined profile missing".to_owned(), false)),
        }
    }
}

/// `Session::profile` over the two fields it reads, so the refined-profile cache stays free
/// to borrow.
fn decoded_profile<'a>(
    profiles: &'a HashMap<u32, Profile>,
    heaps: &'a mut Heaps,
    id: u32,
) -> Option<&'a Profile> {
    match profiles.get(&id) {
        Some(p) => Some(p),
        None => heaps.profile(id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heap_fixture() -> Vec<u8> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pprof/gin-heap-1.pb.gz"
        );
        std::fs::read(path).expect("fixture gin-heap-1.pb.gz")
    }

    fn view(session: &mut Session, refine: RefineOptions) -> Vec<Response> {
        let req = ViewRequest {
            seq: 1,
            id: 1,
            sample_index: 3,
            granularity: Granularity::Functions,
            refine,
            stack_limit: 5,
        };
        let mut out = Vec::new();
        session.view(&req, |r| out.push(r));
        out
    }

    #[test]
    fn answers_table_before_tree_and_keeps_the_unrefined_total() {
        let mut s = Session::new();
        let Response::Loaded { summary, .. } = s.load(1, &heap_fixture()) else {
            panic!("not loaded")
        };
        assert_eq!(summary.sample_types[3].name, "inuse_space");
        let all = view(&mut s, RefineOptions::default());
        assert!(matches!(
            all.as_slice(),
            [
                Response::Top { .. },
                Response::Stacks { .. },
                Response::Tree { .. }
            ]
        ));
        let (Response::Top { top: whole, .. }, Response::Stacks { stacks, .. }) =
            (&all[0], &all[1])
        else {
            unreachable!()
        };
        assert_eq!(whole.total, summary.totals[3]);
        assert!(stacks.len() <= 5);

        let focus = RefineOptions {
            focus: "captureRequestSnapshot".into(),
            ..Default::default()
        };
        let Response::Top { top: focused, .. } = &view(&mut s, focus)[0] else {
            panic!("no table")
        };
        // pprof keeps the whole profile as the 100%, while the rows only hold focused samples.
        assert_eq!(focused.total, whole.total);
        let flat: i64 = focused.rows.iter().map(|r| r.flat).sum();
        assert!(flat > 0 && flat < whole.total);
    }

    #[test]
    fn a_heap_snapshot_also_answers_the_pprof_views() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/heapsnapshot/node-leak-3.heapsnapshot.gz"
        );
        let bytes = std::fs::read(path).expect("heap snapshot fixture");
        let mut s = Session::new();
        let read = |off: u64, len: u64| Ok(bytes[off as usize..(off + len) as usize].to_vec());
        let mut posted = Vec::new();
        let r = s.load_heap(5, bytes.len() as u64, read, |p| posted.push(p), || 0.0);
        assert!(matches!(r, Response::HeapStatistics { id: 5, .. }), "{r:?}");
        let Some(Response::HeapLoaded { info, .. }) = posted.pop() else {
            panic!("not loaded: {posted:?}")
        };
        let req = ViewRequest {
            seq: 1,
            id: 5,
            sample_index: info.profile.default_sample_type,
            granularity: Granularity::Functions,
            refine: RefineOptions::default(),
            stack_limit: 5,
        };
        let mut out = Vec::new();
        s.view(&req, |r| out.push(r));
        let Some(Response::Top { top, .. }) = out.first() else {
            panic!("no table: {out:?}")
        };
        // The profile's self sizes add up to DevTools' total, as the Summary's do.
        assert_eq!(top.total as u64, info.summary.total_size);
        s.forget(5);
        assert!(matches!(
            s.heap_objects(&HeapObjectsRequest {
                id: 5,
                class_key: ",Object".into(),
                offset: 0,
                limit: 1,
                filter: HeapFilter::All,
            }),
            Response::ViewFailed { .. }
        ));
    }

    #[test]
    fn a_heap_snapshot_hidden_from_the_head_sniff_is_refused_with_the_fix() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/heapsnapshot/node-leak-3.heapsnapshot"
        );
        // The worker reads the first HEAD_BYTES to route a file; white space pushes the
        // snapshot's opening past them, so the whole file comes here.
        let mut bytes = vec![b' '; HEAD_BYTES as usize];
        bytes.extend(std::fs::read(path).expect("heap snapshot fixture"));
        assert!(!formats::is_heap_snapshot(&bytes[..HEAD_BYTES as usize]));
        let Response::LoadFailed { id: 4, message } = Session::new().load(4, &bytes) else {
            panic!("loaded")
        };
        assert!(message.contains("remove what comes before"), "{message}");
    }

    #[test]
    fn answers_a_sandwich_in_the_view_it_was_asked_for() {
        let mut s = Session::new();
        s.load(1, &heap_fixture());
        let ask = |s: &mut Session, name: &str, refine: RefineOptions| {
            let view = ViewRequest {
                seq: 4,
                id: 1,
                sample_index: 3,
                granularity: Granularity::Functions,
                refine,
                stack_limit: 0,
            };
            let name = name.to_owned();
            s.sandwich(&SandwichRequest { view, name })
        };
        let Response::Sandwich {
            seq: 4,
            sandwich: Some(sw),
            ..
        } = ask(&mut s, "runtime.malg", RefineOptions::default())
        else {
            panic!("no sandwich")
        };
        // Every caller's edge lands in the function; the trees hold its cum at their roots.
        assert!(!sw.peek.callers.is_empty());
        assert_eq!(sw.callers.total_value[0], sw.peek.cum);
        assert_eq!(sw.callees.total_value[0], sw.peek.cum);
        let focus = RefineOptions {
            focus: "newproc1".into(),
            ..Default::default()
        };
        let Response::Sandwich {
            sandwich: Some(focused),
            ..
        } = ask(&mut s, "runtime.malg", focus)
        else {
            panic!("no focused sandwich")
        };
        assert_eq!(focused.total, sw.total);
        assert_eq!(focused.peek.callers.len(), 1);
        assert!(matches!(
            ask(&mut s, "no.such.function", RefineOptions::default()),
            Response::Sandwich { sandwich: None, .. }
        ));
        s.forget(1);
        assert!(matches!(
            ask(&mut s, "runtime.malg", RefineOptions::default()),
            Response::ViewFailed { seq: 4, .. }
        ));
    }

    #[test]
    fn keeps_the_last_views_aggregate_until_its_file_changes() {
        let top_total = |answers: &[Response]| match answers.first() {
            Some(Response::Top { top, .. }) => top.total,
            other => panic!("no table: {other:?}"),
        };
        let mut s = Session::new();
        s.load(1, &heap_fixture());
        let first = top_total(&view(&mut s, RefineOptions::default()));
        // The Sandwich reads the kept aggregate: as a session that never showed the view.
        let sandwich = |s: &mut Session| {
            let view = ViewRequest {
                seq: 1,
                id: 1,
                sample_index: 3,
                granularity: Granularity::Functions,
                refine: RefineOptions::default(),
                stack_limit: 5,
            };
            let name = "runtime.malg".to_owned();
            s.sandwich(&SandwichRequest { view, name })
        };
        let mut fresh = Session::new();
        fresh.load(1, &heap_fixture());
        assert_eq!(sandwich(&mut s), sandwich(&mut fresh));
        // Another file under the same id: its own numbers, not the kept ones.
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pprof/gin-heap-3.pb.gz"
        );
        let Response::Loaded { summary, .. } = s.load(1, &std::fs::read(path).unwrap()) else {
            panic!("gin-heap-3 did not load")
        };
        let second = top_total(&view(&mut s, RefineOptions::default()));
        assert_eq!(second, summary.totals[3]);
        assert_ne!(second, first);
    }

    #[test]
    fn reports_bad_regexes_bad_files_and_unknown_profiles() {
        let mut s = Session::new();
        assert!(matches!(
            s.load(7, b"not a profile at all"),
            Response::LoadFailed { id: 7, .. }
        ));
        assert!(matches!(s.load(8, b""), Response::LoadFailed { id: 8, .. }));
        assert!(matches!(
            view(&mut s, RefineOptions::default())[..],
            [Response::ViewFailed { refine: false, .. }]
        ));
        s.load(1, &heap_fixture());
        let bad = RefineOptions {
            focus: "(unclosed".into(),
            ..Default::default()
        };
        assert!(matches!(
            view(&mut s, bad)[..],
            [Response::ViewFailed { refine: true, .. }]
        ));
        s.forget(1);
        assert!(matches!(
            view(&mut s, RefineOptions::default())[..],
            [Response::ViewFailed { refine: false, .. }]
        ));
    }
}
