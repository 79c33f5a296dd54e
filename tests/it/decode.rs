//! `formats::decode` against real files: the third-party corpus (counts from SOURCES.md, made
//! by an independent protobuf walk), the repo's Go fixtures (golden `to_text`), legacy formats,
//! and bad input (empty, random, cut, flipped) that must give `Err`, never a panic.

use std::collections::HashSet;
use std::path::Path;

use expect_test::expect_file;
use leakscope::formats::{decode, Decoded};
use leakscope::model::{LabelValue, Profile, ProfileKind};

use crate::support::{corpus, files_in, fixture};

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn decode_path(path: &Path) -> Decoded {
    decode(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Distinct pprof locations behind the frames (each location yields at least one frame).
fn location_count(p: &Profile) -> usize {
    p.frames
        .iter()
        .map(|f| f.location)
        .collect::<HashSet<_>>()
        .len()
}

fn type_names(p: &Profile) -> Vec<String> {
    p.sample_types
        .iter()
        .map(|t| format!("{}/{}", t.name, t.unit))
        .collect()
}

/// (file, samples, locations, sample types) from SOURCES.md's "decoded counts" columns.
const CORPUS_COUNTS: &[(&str, usize, usize, &[&str])] = &[
    (
        "google-pprof_large.cpu.pb.gz",
        20430,
        23355,
        &["samples/count", "cpu/nanoseconds"],
    ),
    (
        "google-pprof_sample.cpu.pb.gz",
        76,
        86,
        &["samples/count", "cpu/nanoseconds"],
    ),
    (
        "google-pprof_go.nomappings.crash.pb.gz",
        2,
        11,
        &[
            "alloc_objects/count",
            "alloc_space/bytes",
            "inuse_objects/count",
            "inuse_space/bytes",
        ],
    ),
    (
        "parca_go.cpu.unsymbolized.pb.gz",
        55,
        136,
        &["samples/count", "cpu/nanoseconds"],
    ),
    ("pyroscope_invalid_utf8.pb.gz", 1, 2, &["cpu/nanoseconds"]),
    (
        "pyroscope_go.cpu.uncompressed.pb",
        48,
        287,
        &["samples/count", "cpu/nanoseconds"],
    ),
    (
        "austin_python.wall.uncompressed.pb",
        73,
        11,
        &["Wall time/μs"],
    ),
    ("parca_empty_sample_type.pb.gz", 39, 95, &["/"]),
    (
        "pyroscope_dotnet.labels.pb",
        2814,
        48,
        &[
            "cpu/nanoseconds",
            "exception/count",
            "alloc_samples/count",
            "alloc_size/bytes",
            "lock_count/count",
            "lock_time/nanoseconds",
        ],
    ),
    (
        "pyroscope_dotnet.hyphen_types.pb",
        579,
        41,
        &[
            "cpu/nanoseconds",
            "exception/count",
            "alloc-samples/count",
            "alloc-size/bytes",
            "lock-count/count",
            "lock-time/nanoseconds",
        ],
    ),
    (
        "pyroscope_go.heap.pb.gz",
        11951,
        4676,
        &[
            "alloc_objects/count",
            "alloc_space/bytes",
            "inuse_objects/count",
            "inuse_space/bytes",
        ],
    ),
    ("pyroscope_go.goroutine.pb.gz", 6, 29, &["goroutine/count"]),
    (
        "pyroscope_go.mutex.pb.gz",
        2,
        11,
        &["contentions/count", "delay/nanoseconds"],
    ),
    (
        "pyroscope_go.block.pb.gz",
        5,
        16,
        &["contentions/count", "delay/nanoseconds"],
    ),
    (
        "pprofutils_go.cpu.labels.pb.gz",
        1014,
        614,
        &["samples/count", "cpu/nanoseconds"],
    ),
    (
        "parca-agent_cpu.thread_labels.pb.gz",
        439,
        989,
        &["samples/count"],
    ),
];

#[test]
fn every_corpus_profile_decodes() {
    let Some(corpus) = corpus() else { return };
    let files = files_in(&corpus.join("pprof"));
    assert!(
        files.len() >= 40,
        "expected the corpus's pprof files, found {}",
        files.len()
    );
    for path in files {
        let d = decode_path(&path);
        let p = &d.profile;
        assert_eq!(p.meta.format, "pprof", "{}", path.display());
        assert_eq!(p.samples.n_types, p.sample_types.len());
        assert!(p.sample_types.is_empty() || p.default_sample_type < p.sample_types.len());
    }
    for &(name, samples, locations, types) in CORPUS_COUNTS {
        let p = decode_path(&corpus.join("pprof").join(name)).profile;
        assert_eq!(p.samples.len(), samples, "{name}: samples");
        assert_eq!(location_count(&p), locations, "{name}: locations");
        assert_eq!(type_names(&p), types, "{name}: sample types");
    }
}

#[test]
fn corpus_specifics() {
    let Some(corpus) = corpus() else { return };
    let load = |name: &str| decode_path(&corpus.join("pprof").join(name));

    // Address-only locations: nameless frames named by their address.
    let p = load("google-pprof_go.nomappings.crash.pb.gz").profile;
    assert!(p.frames.iter().all(|f| f.function.0 == 0 && f.address != 0));
    let text = p.to_text();
    assert!(
        text.lines()
            .nth(1)
            .unwrap()
            .split(';')
            .all(|f| f.starts_with("0x")),
        "{text}"
    );
    assert_eq!(p.meta.kind, ProfileKind::Heap);

    let p = load("parca_go.cpu.unsymbolized.pb.gz").profile;
    assert!(p
        .frames
        .iter()
        .all(|f| f.function.0 == 0 && f.address != 0 && f.mapping.0 != 0));
    assert_eq!(p.meta.kind, ProfileKind::Cpu);

    let d = load("pyroscope_invalid_utf8.pb.gz");
    assert!(
        d.warnings.iter().any(|w| w.contains("UTF-8")),
        "{:?}",
        d.warnings
    );

    let p = load("pyroscope_go.cpu.uncompressed.pb").profile;
    assert_eq!(p.meta.period, 10_000_000);
    assert!(p.meta.time_nanos.is_some());

    let p = load("austin_python.wall.uncompressed.pb").profile;
    assert_eq!(p.sample_types[0].unit, "μs");
    assert!(p.meta.period_type.is_none());

    let p = load("pyroscope_go.heap.pb.gz").profile;
    assert_eq!(p.sample_types[p.default_sample_type].name, "alloc_space");
    assert_eq!(p.meta.kind, ProfileKind::Allocs);
    let bytes_label = p
        .samples
        .label_sets
        .iter()
        .flatten()
        .find(|l| p.strings.get(l.key) == "bytes");
    assert!(matches!(
        bytes_label.map(|l| &l.value),
        Some(LabelValue::Num { .. })
    ));

    let p = load("pyroscope_go.heap.uncompressed.pb").profile;
    assert_eq!(p.sample_types[p.default_sample_type].name, "inuse_space");
    assert_eq!(p.meta.kind, ProfileKind::Heap);

    assert_eq!(
        load("pyroscope_go.goroutine.pb.gz").profile.meta.kind,
        ProfileKind::Goroutine
    );
    assert_eq!(
        load("pyroscope_go.mutex.pb.gz").profile.meta.kind,
        ProfileKind::Mutex
    );
    assert_eq!(
        load("pyroscope_go.block.pb.gz").profile.meta.kind,
        ProfileKind::Block
    );
    assert_eq!(
        load("pyroscope_dotnet.labels.pb").profile.meta.kind,
        ProfileKind::Other(
            "cpu, exception, alloc_samples, alloc_size, lock_count, lock_time".into()
        )
    );

    let p = load("pyroscope_java.async-profiler.cpu.pb.gz").profile;
    assert_eq!(p.meta.comments, ["async-profiler"]);
    assert!(load("google-pprof_cppbench.cpu_no_samples_type.pb.gz")
        .profile
        .meta
        .drop_frames
        .is_some());

    // String labels (pprof.Labels) survive with their values.
    let p = load("pprofutils_go.cpu.labels.pb.gz").profile;
    let values: HashSet<&str> = p
        .samples
        .label_sets
        .iter()
        .flatten()
        .filter(|l| p.strings.get(l.key) == "mylabel")
        .filter_map(|l| match l.value {
            LabelValue::Str(s) => Some(p.strings.get(s)),
            _ => None,
        })
        .collect();
    assert!(values.len() >= 2, "{values:?}");

    // Inlined lines become several frames; all but the last of a location are `inlined`.
    let p = load("google-pprof_large.cpu.pb.gz").profile;
    assert!(p.frames.len() > location_count(&p));
    assert!(p.frames.iter().any(|f| f.inlined));
}

#[test]
fn legacy_and_heap_snapshot_files_are_explained() {
    let Some(corpus) = corpus() else { return };
    let legacy = files_in(&corpus.join("pprof/legacy"));
    assert!(!legacy.is_empty());
    for path in legacy {
        let err = decode(&read(&path)).expect_err(&path.display().to_string());
        assert!(err.message.contains("legacy"), "{}: {err}", path.display());
        assert!(
            err.message.contains("go tool pprof -proto"),
            "{}: {err}",
            path.display()
        );
    }
    for path in files_in(&corpus.join("heapsnapshot")) {
        let err = decode(&read(&path)).expect_err(&path.display().to_string());
        assert!(
            err.message
                .contains("V8 heap snapshots are not supported yet"),
            "{err}"
        );
    }
}

#[test]
fn clear_errors_for_non_profiles() {
    assert_eq!(decode(b"").unwrap_err().message, "the file is empty");
    let jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00";
    let err = decode(jpeg).unwrap_err();
    assert!(
        err.message.starts_with("not a profile") && err.message.contains("JPEG"),
        "{err}"
    );
    let err = decode(b"{\"snapshot\":{\"meta\":{}}}").unwrap_err();
    assert!(
        err.message
            .contains("V8 heap snapshots are not supported yet"),
        "{err}"
    );
    let err = decode(b"just some notes\n").unwrap_err();
    assert!(err.message.starts_with("not a profile"), "{err}");
    let err = decode(&[0x1f, 0x8b, 0x08, 0x00, 0x00]).unwrap_err();
    assert!(err.message.contains("truncated"), "{err}");
}

/// The golden text of a decoded fixture: kind, format, default column and warnings, then
/// `Profile::to_text`.
fn golden_text(d: &Decoded) -> String {
    let p = &d.profile;
    let default = p
        .sample_types
        .get(p.default_sample_type)
        .map_or("", |t| t.name.as_str());
    let mut out = format!(
        "# kind: {}, format: {}, default: {default}\n",
        p.meta.kind.label(),
        p.meta.format
    );
    for w in &d.warnings {
        out.push_str(&format!("# warning: {w}\n"));
    }
    out + &p.to_text()
}

/// Decodes `tests/fixtures/pprof/<name>`, or prints a note and returns `None` when the fixture
/// has not been generated.
fn fixture_decoded(name: &str) -> Option<Decoded> {
    let path = fixture(&format!("pprof/{name}"));
    if !path.is_file() {
        crate::support::skip(&format!("fixture {} is missing", path.display()));
        return None;
    }
    Some(decode_path(&path))
}

#[test]
fn go_fixtures_match_goldens() {
    if let Some(d) = fixture_decoded("gin-heap-1.pb.gz") {
        assert_eq!(d.profile.meta.kind, ProfileKind::Heap);
        expect_file!["../fixtures/pprof/gin-heap-1.decoded.txt"].assert_eq(&golden_text(&d));
    }
    if let Some(d) = fixture_decoded("gin-goroutine-1.pb.gz") {
        assert_eq!(d.profile.meta.kind, ProfileKind::Goroutine);
        expect_file!["../fixtures/pprof/gin-goroutine-1.decoded.txt"].assert_eq(&golden_text(&d));
    }
    if let Some(d) = fixture_decoded("gin-goroutine-1.debug1.txt") {
        expect_file!["../fixtures/pprof/gin-goroutine-1.debug1.decoded.txt"]
            .assert_eq(&golden_text(&d));
    }
    if let Some(d) = fixture_decoded("gin-goroutine-1.debug2.txt") {
        expect_file!["../fixtures/pprof/gin-goroutine-1.debug2.decoded.txt"]
            .assert_eq(&golden_text(&d));
    }
    if let Some(d) = fixture_decoded("gin-mutex-3.pb.gz") {
        assert_eq!(d.profile.meta.kind, ProfileKind::Mutex);
    }
    if let Some(d) = fixture_decoded("gin-block-3.pb.gz") {
        assert_eq!(d.profile.meta.kind, ProfileKind::Block);
    }
    if let Some(d) = fixture_decoded("gin-allocs-3.pb.gz") {
        assert_eq!(d.profile.meta.kind, ProfileKind::Allocs);
    }
    if let Some(d) = fixture_decoded("gin-cpu-2.pb.gz") {
        assert_eq!(d.profile.meta.kind, ProfileKind::Cpu);
    }
}

/// The goroutine series t0..t3: the leaky service parks 60 more goroutines per round (one per
/// order), the healthy one (every leak fixed, same load) keeps the same count throughout.
#[test]
fn goroutine_series_grow_by_one_round_of_orders_or_stay_flat() {
    let totals = |prefix: &str| -> Option<Vec<i64>> {
        (0..=3)
            .map(|t| fixture_decoded(&format!("{prefix}-{t}.pb.gz")).map(|d| d.profile.total(0)))
            .collect()
    };
    if let Some(leaky) = totals("gin-goroutine") {
        let steps: Vec<i64> = leaky.windows(2).map(|w| w[1] - w[0]).collect();
        assert_eq!(steps, [60, 60, 60], "leaky goroutines at t0..t3: {leaky:?}");
    }
    if let Some(healthy) = totals("gin-healthy-goroutine") {
        assert!(
            healthy.iter().all(|&n| n == healthy[0]),
            "healthy goroutines at t0..t3: {healthy:?}"
        );
    }
}

/// The three goroutine profiles taken at one step t0..t3 (proto, debug=1, debug=2) count about
/// the same goroutines (they are taken moments apart), and debug=2 carries wait states.
#[test]
fn goroutine_dumps_agree_with_the_proto_profile() {
    for step in 0..=3 {
        let (Some(proto), Some(d1), Some(d2)) = (
            fixture_decoded(&format!("gin-goroutine-{step}.pb.gz")),
            fixture_decoded(&format!("gin-goroutine-{step}.debug1.txt")),
            fixture_decoded(&format!("gin-goroutine-{step}.debug2.txt")),
        ) else {
            continue;
        };
        let totals = [
            proto.profile.total(0),
            d1.profile.total(0),
            d2.profile.total(0),
        ];
        assert!(totals[0] > 0, "step {step}: {totals:?}");
        let (lo, hi) = (totals.iter().min().unwrap(), totals.iter().max().unwrap());
        assert!(
            hi - lo <= 3,
            "step {step}: goroutine totals differ: {totals:?}"
        );
        assert_eq!(
            d2.profile.samples.len() as i64,
            totals[2],
            "debug=2 has one sample per goroutine"
        );
        assert_eq!(d1.profile.meta.format, "goroutine debug=1");
        assert_eq!(d2.profile.meta.format, "goroutine debug=2");
        let p = &d2.profile;
        let states: HashSet<&str> = p
            .samples
            .label_sets
            .iter()
            .flatten()
            .filter(|l| p.strings.get(l.key) == "state")
            .filter_map(|l| match l.value {
                LabelValue::Str(s) => Some(p.strings.get(s)),
                _ => None,
            })
            .collect();
        assert!(states.contains("chan receive"), "step {step}: {states:?}");
        // The debug=1 header's total matches its groups (no warning about a mismatch).
        assert!(d1.warnings.is_empty(), "step {step}: {:?}", d1.warnings);
    }
}
