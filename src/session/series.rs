//! The session's answers about several profiles at once: what grew across a series, and the
//! diff of two profiles with its table, stacks and diff flame graph. Every number comes from
//! `analysis` (`series_growth`, `diff_aggregate`); this file finds the profiles and posts.

use crate::analysis::growth::{series_growth, GrowthRows};
use crate::analysis::{
    call_tree_of, diff_aggregate, diff_stacks, diff_table, RefineOptions, ReportOptions, DIFF,
};
use crate::model::Profile;
use crate::protocol::{DiffRequest, DiffView, GrowthRequest, Response};

use super::{Session, TREE_MIN_FRACTION};

impl Session {
    /// What grew across `req.ids` (oldest first).
    pub fn growth(&mut self, req: &GrowthRequest) -> Response {
        let points = match self.series_profiles(&req.ids, &req.refine) {
            Ok(p) => p,
            Err((message, refine)) => return Response::view_failed(req.seq, message, refine),
        };
        let options = ReportOptions {
            sample_index: req.sample_index,
            granularity: req.granularity,
        };
        match series_growth(&points, &options, req.limit, GrowthRows::All) {
            Ok(growth) => Response::Growth {
                seq: req.seq,
                ids: req.ids.clone(),
                growth,
            },
            Err(e) => Response::view_failed(req.seq, e.message, false),
        }
    }

    /// The diff of `req.new` against `req.base`: its table and stacks, then its flame graph.
    pub fn diff(&mut self, req: &DiffRequest, mut post: impl FnMut(Response)) {
        let seq = req.seq;
        let points = match self.series_profiles(&[req.base, req.new], &req.refine) {
            Ok(p) => p,
            Err((message, refine)) => {
                post(Response::view_failed(seq, message, refine));
                return;
            }
        };
        let options = ReportOptions {
            sample_index: req.sample_index,
            granularity: req.granularity,
        };
        let agg = match diff_aggregate(points[0], points[1], &options, req.normalize) {
            Ok(agg) => agg,
            Err(e) => {
                post(Response::view_failed(seq, e.message, false));
                return;
            }
        };
        let view = DiffView {
            table: diff_table(&agg, req.normalize),
            stacks: diff_stacks(&agg, req.stack_limit),
        };
        post(Response::Diff { seq, view });
        let tree = call_tree_of(&agg, DIFF, TREE_MIN_FRACTION);
        post(Response::DiffTree { seq, tree });
    }

    /// The pprof profiles `ids` with `refine` applied, in order. Heap snapshots have their own
    /// series views (their growth is by constructor, not by dominator path).
    fn series_profiles(
        &mut self,
        ids: &[u32],
        refine: &RefineOptions,
    ) -> Result<Vec<&Profile>, (String, bool)> {
        if ids.len() < 2 {
            return Err(("a series needs at least two profiles".to_owned(), false));
        }
        for &id in ids {
            if !self.profiles.contains_key(&id) {
                return Err(("this profile is no longer loaded".to_owned(), false));
            }
            if !refine.is_empty() {
                self.refined_profile(id, refine)?;
            }
        }
        Ok(ids
            .iter()
            .filter_map(|id| match refine.is_empty() {
                true => self.profiles.get(id),
                false => self.refined.get(id).map(|(_, p)| p),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::growth::TrendKind;
    use crate::analysis::Granularity;

    fn load(s: &mut Session, id: u32, name: &str) {
        let path = format!("{}/tests/fixtures/pprof/{name}", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(&path).expect("fixture");
        assert!(
            matches!(s.load(id, &bytes), Response::Loaded { .. }),
            "{name}"
        );
    }

    fn growth_request(ids: Vec<u32>, refine: RefineOptions) -> GrowthRequest {
        GrowthRequest {
            seq: 4,
            ids,
            sample_index: 3,
            granularity: Granularity::Functions,
            refine,
            limit: 10,
        }
    }

    #[test]
    fn answers_growth_and_diff_of_loaded_profiles() {
        let mut s = Session::new();
        for t in 0..=3 {
            load(&mut s, 10 + t, &format!("gin-heap-{t}.pb.gz"));
        }
        let Response::Growth { seq, ids, growth } = s.growth(&growth_request(
            vec![10, 11, 12, 13],
            RefineOptions::default(),
        )) else {
            panic!("no growth")
        };
        assert_eq!((seq, ids), (4, vec![10, 11, 12, 13]));
        assert_eq!(growth.growth.functions.len(), 10);
        assert_eq!(growth.growth.functions[0].trend.kind, TrendKind::Growing);
        assert_eq!(growth.growth.totals.len(), 4);
        // Refined: only what passes through the cache's Put.
        let focus = RefineOptions {
            focus: "responseCache".into(),
            ..Default::default()
        };
        let Response::Growth { growth, .. } = s.growth(&growth_request(vec![10, 13], focus)) else {
            panic!("no refined growth")
        };
        assert_eq!(growth.growth.functions[0].name, "main.(*responseCache).Put");

        let mut posted = Vec::new();
        let req = DiffRequest {
            seq: 9,
            base: 10,
            new: 13,
            sample_index: 3,
            granularity: Granularity::Functions,
            refine: RefineOptions::default(),
            normalize: false,
            stack_limit: 5,
        };
        s.diff(&req, |r| posted.push(r));
        let [Response::Diff { seq: 9, view }, Response::DiffTree { seq: 9, tree }] = &posted[..]
        else {
            panic!("diff answers: {posted:?}")
        };
        assert_eq!(view.table.rows[0].name, "main.captureRequestSnapshot");
        assert!(view.stacks.len() <= 5);
        assert_eq!(tree.base_value.len(), tree.len());
        assert_eq!(tree.base_total, view.table.base_total);
    }

    #[test]
    fn refuses_mixed_kinds_and_single_points() {
        let mut s = Session::new();
        load(&mut s, 1, "gin-heap-1.pb.gz");
        load(&mut s, 2, "gin-cpu-2.pb.gz");
        let message = |r: Response| match r {
            Response::ViewFailed { message, .. } => message,
            other => panic!("not a failure: {other:?}"),
        };
        let mixed = message(s.growth(&growth_request(vec![1, 2], RefineOptions::default())));
        assert!(mixed.starts_with("incompatible sample types"), "{mixed}");
        let one = message(s.growth(&growth_request(vec![1], RefineOptions::default())));
        assert!(one.contains("at least two"), "{one}");
        let gone = message(s.growth(&growth_request(vec![1, 7], RefineOptions::default())));
        assert!(gone.contains("no longer loaded"));
        let bad = RefineOptions {
            focus: "(".into(),
            ..Default::default()
        };
        let r = s.growth(&growth_request(vec![1, 1], bad));
        assert!(
            matches!(r, Response::ViewFailed { refine: true, .. }),
            "{r:?}"
        );
    }
}
