//! `series`: which loaded files form a series taken over time, and in which order. Files of
//! the same kind go together (pprof: the same profile kind, format and sample types; heap
//! snapshots: the same runtime), ordered by when they were taken (pprof `time_nanos`; heap
//! snapshots: their highest object id, since V8 ids only grow within one process), else by
//! name with numbers compared as numbers (`heap-2` before `heap-10`). It groups metadata
//! only; what grew is `growth`'s job.

use crate::analysis::sort;
use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

/// What the grouping needs to know of one loaded file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesMember {
    /// The caller's id for the file.
    pub id: u32,
    /// The file name.
    pub name: String,
    /// Files with equal keys form one series (see `pprof_series_key`, `heap_series_key`).
    pub key: String,
    /// When it was taken, ns since the Unix epoch, if known.
    pub time_nanos: Option<i64>,
    /// A later-is-larger number where the time is unknown (a heap snapshot's highest id).
    pub order_hint: Option<u64>,
}

/// Files of one kind, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Series {
    /// The members' common key.
    pub key: String,
    /// The members' ids, oldest first.
    pub ids: Vec<u32>,
}

/// The series key of a pprof profile: its kind, format and sample types.
pub fn pprof_series_key(kind: &str, format: &str, sample_types: &[String]) -> String {
    format!("pprof|{kind}|{format}|{}", sample_types.join(","))
}

/// The series key of a V8 heap snapshot: its runtime (`node`, `browser`).
pub fn heap_series_key(runtime: &str) -> String {
    format!("heapsnapshot|{runtime}")
}

/// Groups `members` into series (in the order each series' first member appears), each
/// ordered oldest first. A series may have a single member.
pub fn group_series(members: &[SeriesMember]) -> Vec<Series> {
    let mut groups: Vec<(String, Vec<&SeriesMember>)> = Vec::new();
    for m in members {
        match groups.iter_mut().find(|(k, _)| *k == m.key) {
            Some((_, list)) => list.push(m),
            None => groups.push((m.key.clone(), vec![m])),
        }
    }
    groups
        .into_iter()
        .map(|(key, mut list)| {
            order_members(&mut list);
            Series {
                key,
                ids: list.iter().map(|m| m.id).collect(),
            }
        })
        .collect()
}

/// Sorts one series oldest first: by time when every member has one, else by order hint when
/// every member has one, else by name.
pub fn order_members(list: &mut [&SeriesMember]) {
    if list.iter().all(|m| m.time_nanos.is_some()) {
        sort::sort_by(list, |a, b| {
            a.time_nanos.cmp(&b.time_nanos).then_with(|| by_name(a, b))
        });
    } else if list.iter().all(|m| m.order_hint.is_some()) {
        sort::sort_by(list, |a, b| {
            a.order_hint.cmp(&b.order_hint).then_with(|| by_name(a, b))
        });
    } else {
        sort::sort_by(list, |a, b| by_name(a, b));
    }
}

fn by_name(a: &SeriesMember, b: &SeriesMember) -> Ordering {
    natural_cmp(&a.name, &b.name)
}

/// Compares names with runs of digits as numbers: `heap-2` < `heap-10`.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return Ordering::Equal,
            (None, _) => return Ordering::Less,
            (_, None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let run = |s: &[u8]| s.iter().take_while(|c| c.is_ascii_digit()).count();
                let (i, j) = (run(x), run(y));
                let (nx, ny) = (trim_zeros(&x[..i]), trim_zeros(&y[..j]));
                let ord = nx.len().cmp(&ny.len()).then_with(|| nx.cmp(ny));
                if ord != Ordering::Equal {
                    return ord;
                }
                (x, y) = (&x[i..], &y[j..]);
            }
            (Some(c), Some(d)) => {
                if c != d {
                    return c.cmp(d);
                }
                (x, y) = (&x[1..], &y[1..]);
            }
        }
    }
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let zeros = digits.iter().take_while(|&&c| c == b'0').count();
    &digits[zeros.min(digits.len().saturating_sub(1))..]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(
        id: u32,
        name: &str,
        key: &str,
        time: Option<i64>,
        hint: Option<u64>,
    ) -> SeriesMember {
        SeriesMember {
            id,
            name: name.into(),
            key: key.into(),
            time_nanos: time,
            order_hint: hint,
        }
    }

    #[test]
    fn groups_by_key_and_orders_by_time_then_hint_then_name() {
        let heap = pprof_series_key("heap", "pprof", &["inuse_space".into()]);
        let gor = pprof_series_key("goroutine", "goroutine debug=2", &["goroutine".into()]);
        let snap = heap_series_key("node");
        let members = [
            member(1, "heap-3.pb.gz", &heap, Some(30), None),
            member(2, "g-10.txt", &gor, None, None),
            member(3, "heap-1.pb.gz", &heap, Some(10), None),
            member(4, "g-9.txt", &gor, None, None),
            member(5, "b.heapsnapshot", &snap, None, Some(900)),
            member(6, "a.heapsnapshot", &snap, None, Some(1200)),
            member(7, "heap-2.pb.gz", &heap, Some(20), None),
        ];
        let series = group_series(&members);
        let ids: Vec<Vec<u32>> = series.iter().map(|s| s.ids.clone()).collect();
        assert_eq!(ids, [vec![3, 7, 1], vec![4, 2], vec![5, 6]]);
        assert_eq!(series[0].key, heap);
    }

    #[test]
    fn names_compare_numbers_as_numbers() {
        let mut names = ["heap-10", "heap-9", "heap-009b", "heap-1", "heap"];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(names, ["heap", "heap-1", "heap-9", "heap-009b", "heap-10"]);
        assert_eq!(natural_cmp("a0", "a00"), Ordering::Equal);
    }
}
