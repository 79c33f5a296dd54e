//! `formats::decode` against real files: the third-party corpus (counts from SOURCES.md, made
//! by an independent protobuf walk), the repo's Go fixtures (golden `to_text`), legacy formats,
//! V8 heap snapshots (plain, gzipped, gzipped twice, whole or through `formats::Decoder` in
//! chunks, equal to the streaming decoder and to DevTools' counts), and bad input (empty,
//! random, cut, flipped) that must give `Err`, never a panic.

use std::collections::HashSet;
use std::path::Path;

use expect_test::expect_file;
use leakscope::formats::heapsnapshot::HeapSnapshotDecoder;
use leakscope::formats::{decode, Content, Decoded, Decoder};
use leakscope::model::{HeapGraph, LabelValue, Profile, ProfileKind};

use crate::support::{corpus, files_in, fixture};

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A decoded profile or goroutine dump, with its warnings.
struct DecodedProfile {
    profile: Profile,
    warnings: Vec<String>,
}

fn decode_path(path: &Path) -> DecodedProfile {
    let Decoded { content, warnings } =
        decode(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let profile = content
        .into_profile()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    DecodedProfile { profile, warnings }
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
fn legacy_files_are_explained() {
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
}

/// Every corpus heap snapshot decodes through `decode` to DevTools' node and edge counts (its
/// `corpus/<name>.devtools.json`), or, for the one cut short, to a message that says so.
#[test]
fn corpus_heap_snapshots_decode() {
    let Some(corpus) = corpus() else { return };
    let files = files_in(&corpus.join("heapsnapshot"));
    assert!(!files.is_empty(), "no corpus heap snapshots");
    for path in files {
        let name = path.display().to_string();
        let stem = path.file_stem().unwrap().to_string_lossy();
        let oracle = fixture(&format!("heapsnapshot/corpus/{stem}.devtools.json"));
        let decoded = decode(&read(&path));
        if !oracle.is_file() {
            let err = decoded.expect_err(&name).message;
            assert!(
                err.contains("says 26688716 nodes") && err.contains("holds 23"),
                "{name}: {err}"
            );
            continue;
        }
        let graph = decoded
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .content
            .into_heap()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let (nodes, edges, _) = devtools_counts(&oracle);
        assert_eq!(graph.node_count() as u64, nodes, "{name}: nodes");
        assert_eq!(graph.edge_count() as u64, edges, "{name}: edges");
    }
}

/// DevTools' node count, edge count and total size from a `.devtools.json` oracle.
fn devtools_counts(oracle: &Path) -> (u64, u64, u64) {
    let json: serde_json::Value = serde_json::from_slice(&read(oracle)).unwrap();
    let count = |key: &str| {
        json[key]
            .as_u64()
            .unwrap_or_else(|| panic!("{}: no {key}", oracle.display()))
    };
    (
        count("node_count"),
        count("edge_count"),
        count("total_size"),
    )
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// `bytes` through `formats::Decoder` in `chunk`-byte pushes.
fn decode_in_chunks(bytes: &[u8], chunk: usize) -> Result<Decoded, String> {
    let mut d = Decoder::with_size_hint(bytes.len() as u64);
    for c in bytes.chunks(chunk) {
        d.push(c).map_err(|e| e.message)?;
    }
    d.finish().map_err(|e| e.message)
}

/// What tells two decoded heaps apart: node, edge and string counts, and a hash of every node
/// and edge column (a short message when they differ).
fn heap_columns(g: &HeapGraph) -> (usize, usize, usize, [u64; 4]) {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let hash = |column: &[u32]| {
        let mut h = DefaultHasher::new();
        column.hash(&mut h);
        h.finish()
    };
    (
        g.node_count(),
        g.edge_count(),
        g.strings().len(),
        [
            hash(g.self_sizes()),
            hash(g.first_edge()),
            hash(g.edge_targets()),
            hash(g.edge_kind_names()),
        ],
    )
}

/// A heap snapshot decodes through `decode` (whole) and `Decoder` (in chunks), plain, gzipped
/// and gzipped twice, to the graph the streaming heap-snapshot decoder reads and to DevTools'
/// counts; a third gzip layer is refused by name.
#[test]
fn heap_snapshots_decode_plain_gzipped_and_gzipped_twice() {
    let plain = read(&fixture("heapsnapshot/node-leak-3.heapsnapshot"));
    let gzipped = read(&fixture("heapsnapshot/node-leak-3.heapsnapshot.gz"));
    let (nodes, edges, total_size) =
        devtools_counts(&fixture("heapsnapshot/node-leak-3.devtools.json"));
    let mut streaming = HeapSnapshotDecoder::new();
    for chunk in plain.chunks(1 << 16) {
        streaming.push(chunk).unwrap();
    }
    let want = heap_columns(&streaming.finish().unwrap().0);
    assert_eq!((want.0 as u64, want.1 as u64), (nodes, edges));
    let twice = gzip(&gzipped);
    for (what, bytes) in [("plain", &plain), ("gzipped", &gzipped), ("twice", &twice)] {
        let whole = decode(bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
        let Content::Heap(g) = &whole.content else {
            panic!("{what}: not decoded as a heap snapshot")
        };
        assert!(whole.profile().is_none());
        assert_eq!(heap_columns(g), want, "{what}: decode");
        let self_sizes: u64 = g.self_sizes().iter().map(|&s| u64::from(s)).sum();
        assert_eq!(self_sizes, total_size, "{what}: DevTools' total size");
        for chunk in [1000, 4096, 1 << 20] {
            let d = decode_in_chunks(bytes, chunk).unwrap_or_else(|e| panic!("{what}: {e}"));
            let g = d.heap().unwrap_or_else(|| panic!("{what}: not a heap"));
            assert_eq!(
                heap_columns(g),
                want,
                "{what}: Decoder, {chunk}-byte chunks"
            );
        }
    }
    let thrice = gzip(&twice);
    for err in [
        decode(&thrice).unwrap_err().message,
        decode_in_chunks(&thrice, 1 << 16).unwrap_err(),
    ] {
        assert!(
            err.contains("gzip nested inside gzip too many times")
                && err.contains("two layers of gzip at most"),
            "{err}"
        );
    }
}

/// A heap snapshot cut short or damaged, plain or gzipped (once or twice), gives `decode` a
/// message that says what is wrong.
#[test]
fn cut_and_damaged_heap_snapshots_are_refused_clearly() {
    let plain = read(&fixture("heapsnapshot/node-leak-3.heapsnapshot"));
    let gzipped = read(&fixture("heapsnapshot/node-leak-3.heapsnapshot.gz"));
    let cut = &plain[..plain.len() / 2];
    let err = decode(cut).unwrap_err().message;
    assert!(err.contains("it was cut off"), "{err}");
    for bytes in [gzip(cut), gzipped[..gzipped.len() / 2].to_vec()] {
        let err = decode(&bytes).unwrap_err().message;
        assert!(err.contains("cut off"), "{err}");
        let twice = gzip(&bytes);
        let err = decode(&twice[..twice.len() - 20]).unwrap_err().message;
        assert!(err.contains("cut off"), "twice: {err}");
    }
    let text = String::from_utf8(plain).unwrap();
    let lying = text.replacen("\"node_count\":75590", "\"node_count\":75591", 1);
    assert_ne!(lying, text);
    let err = decode(lying.as_bytes()).unwrap_err().message;
    assert!(err.contains("says 75591 nodes"), "{err}");
    let mut damaged = gzipped.clone();
    let middle = damaged.len() / 2;
    damaged[middle..middle + 64].fill(0xff);
    let err = decode(&damaged).unwrap_err().message;
    assert!(err.contains("gzip data is damaged"), "{err}");
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
        err.message.contains("snapshot header") && err.message.contains("node_fields"),
        "{err}"
    );
    let err = decode(b"just some notes\n").unwrap_err();
    assert!(err.message.starts_with("not a profile"), "{err}");
    let err = decode(&[0x1f, 0x8b, 0x08, 0x00, 0x00]).unwrap_err();
    assert!(err.message.contains("truncated"), "{err}");
}

/// The golden text of a decoded fixture: kind, format, default column and warnings, then
/// `Profile::to_text`.
fn golden_text(d: &DecodedProfile) -> String {
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
fn fixture_decoded(name: &str) -> Option<DecodedProfile> {
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
