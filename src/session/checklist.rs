//! The session's leak checklist and goroutine view: the loaded files handed to
//! `analysis::checklist` (which finds the series and runs the rules), and the wait groups of
//! goroutine dumps. Every verdict and number comes from `analysis`.

use crate::analysis::checklist::{check, CheckInput, Facts};
use crate::analysis::growth::goroutine_waits;
use crate::model::Profile;
use crate::protocol::Response;

use super::Session;

impl Session {
    /// The checklist over `files` (id, name); files no longer loaded are left out.
    pub fn checklist(&mut self, seq: u64, files: &[(u32, String)]) -> Response {
        let mut inputs = Vec::new();
        let mut ids = Vec::new();
        for (id, name) in files {
            if let Some(profile) = self.profiles.get(id) {
                inputs.push(CheckInput::Profile {
                    id: *id,
                    name,
                    profile,
                });
            } else if let Some([(graph, analysis)]) = self.heaps.series(&[*id]).as_deref() {
                inputs.push(CheckInput::Heap {
                    id: *id,
                    name,
                    graph,
                    analysis,
                });
            } else {
                continue;
            }
            ids.push(*id);
        }
        Response::Checklist {
            seq,
            ids,
            checklist: check(&Facts::of(&inputs)),
        }
    }

    /// The goroutines of dumps `ids` (oldest first) by wait state and user frame.
    pub fn goroutines(&self, seq: u64, ids: &[u32]) -> Response {
        let points: Option<Vec<&Profile>> = ids.iter().map(|id| self.profiles.get(id)).collect();
        match points {
            Some(points) if !points.is_empty() => Response::Goroutines {
                seq,
                ids: ids.to_vec(),
                waits: goroutine_waits(&points),
            },
            _ => Response::view_failed(seq, "this goroutine dump is no longer loaded", false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::checklist::Verdict;

    fn fixture(rel: &str) -> Vec<u8> {
        let path = format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).expect("fixture")
    }

    fn likely(response: &Response) -> Vec<String> {
        let Response::Checklist { checklist, .. } = response else {
            panic!("no checklist: {response:?}")
        };
        checklist
            .findings
            .iter()
            .filter(|f| f.verdict == Verdict::Likely && f.leak)
            .map(|f| f.cause.clone())
            .collect()
    }

    #[test]
    fn checks_the_loaded_files_it_is_given_and_leaves_out_the_rest() {
        let mut s = Session::new();
        let mut files = Vec::new();
        for t in 0..3 {
            for (k, name) in [
                (0, format!("goroutine-{t}.pb.gz")),
                (1, format!("goroutine-{t}.debug2.txt")),
            ] {
                let id = 10 * t + k;
                assert!(matches!(
                    s.load(id, &fixture(&format!("causes/g1/{name}"))),
                    Response::Loaded { .. }
                ));
                files.push((id, name));
            }
        }
        let answer = s.checklist(7, &files);
        assert_eq!(likely(&answer), ["G1"]);
        // A file the page lists but the worker no longer holds is left out of the answer.
        let mut with_gone = files.clone();
        with_gone.push((99, "gone.pb.gz".to_owned()));
        let Response::Checklist { seq, ids, .. } = s.checklist(8, &with_gone) else {
            panic!("no checklist")
        };
        assert_eq!(seq, 8);
        assert_eq!(ids, files.iter().map(|f| f.0).collect::<Vec<_>>());
    }

    #[test]
    fn heap_snapshots_are_checked_too() {
        let mut s = Session::new();
        let mut files = Vec::new();
        for t in 1..=3 {
            let name = format!("snapshot-{t}.heapsnapshot.gz");
            super::super::heaps::load_for_test(
                &mut s.heaps,
                t,
                &fixture(&format!("js-causes/j4/{name}")),
            );
            files.push((t, name));
        }
        assert_eq!(likely(&s.checklist(1, &files)), ["J4"]);
    }

    #[test]
    fn goroutines_of_dumps_by_wait_state() {
        let mut s = Session::new();
        for t in 0..3 {
            let name = format!("causes/g1/goroutine-{t}.debug2.txt");
            assert!(matches!(
                s.load(t, &fixture(&name)),
                Response::Loaded { .. }
            ));
        }
        let Response::Goroutines { waits, .. } = s.goroutines(3, &[0, 1, 2]) else {
            panic!("no goroutines")
        };
        let first = &waits[0];
        assert!(first.frame.starts_with("main.g1"), "{first:?}");
        assert_eq!(first.counts, [5, 35, 65]);
        assert!(matches!(
            s.goroutines(4, &[0, 42]),
            Response::ViewFailed { .. }
        ));
    }
}
