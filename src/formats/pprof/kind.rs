//! Names a decoded pprof profile (`ProfileKind`) from its sample types, default type and
//! period type, as Go's runtime/pprof writes them (FORMATS-AND-LIMITS §1.4). Mutex and block
//! profiles carry identical headers, so their stacks' leaf functions tell them apart.

use crate::model::{Profile, ProfileKind};

const HEAP_TYPES: [&str; 4] = [
    "alloc_objects",
    "alloc_space",
    "inuse_objects",
    "inuse_space",
];

/// The kind of `profile`, from `sample_types`, `default_sample_type` and `meta.period_type`.
///
/// - Heap/Allocs: every type is one of Go's four heap types; Allocs when the default column
///   (pprof's rule: the named default, else the last) is an `alloc_*` one.
/// - Goroutine / Threadcreate: a single `goroutine` / `threadcreate` type.
/// - Cpu: a `cpu` type (any case) besides at most a `samples`/`sample` count, or only a sample
///   count with period type `cpu`.
/// - Mutex/Block: types `contentions` and `delay`. Go writes the same header for both
///   (`printCountCycleProfile`), but records mutex contention at the unlock: a leaf ending in
///   `Unlock`/`unlock` (or `runtime._LostContendedRuntimeLock`) means Mutex. Block needs a
///   symbolized leaf that is not an unlock; with no symbolized leaf it stays
///   `Other("contentions, delay")`. A period type named `mutex` (JFR converters) is Mutex.
/// - Other: the sample type names joined with ", ".
pub fn classify(profile: &Profile) -> ProfileKind {
    let names: Vec<&str> = profile
        .sample_types
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    let period = profile
        .meta
        .period_type
        .as_ref()
        .map_or("", |t| t.name.as_str());
    let other = || ProfileKind::Other(names.join(", "));
    if names.is_empty() {
        return other();
    }
    if names.iter().all(|n| HEAP_TYPES.contains(n)) {
        let default = names
            .get(profile.default_sample_type)
            .copied()
            .unwrap_or("");
        return if default.starts_with("alloc_") {
            ProfileKind::Allocs
        } else {
            ProfileKind::Heap
        };
    }
    match names.as_slice() {
        ["goroutine"] => return ProfileKind::Goroutine,
        ["threadcreate"] => return ProfileKind::Threadcreate,
        _ => {}
    }
    let is_count = |n: &&str| n.eq_ignore_ascii_case("samples") || n.eq_ignore_ascii_case("sample");
    let is_cpu = |n: &&str| n.eq_ignore_ascii_case("cpu");
    let cpu_types = names.iter().filter(|n| is_cpu(n)).count();
    let count_types = names.iter().filter(|n| is_count(n)).count();
    if cpu_types + count_types == names.len()
        && count_types <= 1
        && (cpu_types == 1 || (cpu_types == 0 && period.eq_ignore_ascii_case("cpu")))
    {
        return ProfileKind::Cpu;
    }
    if period == "mutex" {
        return ProfileKind::Mutex;
    }
    if names.contains(&"contentions") && names.contains(&"delay") && names.len() == 2 {
        return contention_kind(profile).unwrap_or_else(other);
    }
    other()
}

/// Mutex when any sample's leaf is an unlock, Block when there are symbolized leaves and none
/// is, `None` when nothing is symbolized.
fn contention_kind(profile: &Profile) -> Option<ProfileKind> {
    let mut symbolized = false;
    for &stack in &profile.samples.stack {
        let Some(leaf) = profile.stacks.frames_leaf_first(stack).next() else {
            continue;
        };
        let name = profile.strings.get(profile.frame(leaf).function);
        if name.is_empty() {
            continue;
        }
        symbolized = true;
        if name.ends_with("Unlock")
            || name.ends_with("unlock")
            || name == "runtime._LostContendedRuntimeLock"
        {
            return Some(ProfileKind::Mutex);
        }
    }
    symbolized.then_some(ProfileKind::Block)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SampleType;

    fn kind(
        types: &[(&str, &str)],
        default: Option<usize>,
        period: &str,
        folded: &str,
    ) -> ProfileKind {
        let types = types.iter().map(|(n, u)| SampleType::new(*n, *u)).collect();
        let mut p = Profile::from_folded(types, folded);
        if let Some(d) = default {
            p.default_sample_type = d;
        }
        if !period.is_empty() {
            p.meta.period_type = Some(SampleType::new(period, "count"));
        }
        classify(&p)
    }

    #[test]
    fn names_go_profiles() {
        let heap = [
            ("alloc_objects", "count"),
            ("alloc_space", "bytes"),
            ("inuse_objects", "count"),
            ("inuse_space", "bytes"),
        ];
        assert_eq!(kind(&heap, None, "space", ""), ProfileKind::Heap);
        assert_eq!(kind(&heap, Some(1), "space", ""), ProfileKind::Allocs);
        assert_eq!(
            kind(&[("goroutine", "count")], None, "goroutine", ""),
            ProfileKind::Goroutine
        );
        assert_eq!(
            kind(
                &[("samples", "count"), ("cpu", "nanoseconds")],
                None,
                "cpu",
                ""
            ),
            ProfileKind::Cpu
        );
        assert_eq!(
            kind(&[("samples", "count")], None, "cpu", ""),
            ProfileKind::Cpu
        );
        assert_eq!(
            kind(
                &[("sample", "count"), ("CPU", "nanoseconds")],
                None,
                "CPU",
                ""
            ),
            ProfileKind::Cpu
        );
        let cont = [("contentions", "count"), ("delay", "nanoseconds")];
        assert_eq!(
            kind(&cont, None, "contentions", "main;sync.(*Mutex).Unlock 1 2"),
            ProfileKind::Mutex
        );
        assert_eq!(
            kind(&cont, None, "contentions", "main;runtime.chanrecv1 1 2"),
            ProfileKind::Block
        );
        assert_eq!(
            kind(&cont, None, "contentions", ""),
            ProfileKind::Other("contentions, delay".into())
        );
        assert_eq!(
            kind(
                &[("cpu", "nanoseconds"), ("exception", "count")],
                None,
                "cpu",
                ""
            ),
            ProfileKind::Other("cpu, exception".into())
        );
    }
}
