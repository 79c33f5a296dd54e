//! Criterion benchmarks for the pprof path: decode, top, and the flame graph's call tree on
//! the shared corpus's largest profile (23k functions), or on the repo's own CPU fixture when
//! the corpus is absent. The million-stack comparison with `go tool pprof` is
//! `scripts/bench.sh`, since one run of it takes seconds.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use leakscope::analysis::{call_tree, top, ReportOptions};
use leakscope::formats::decode;

fn input() -> (String, Vec<u8>) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("../shared/corpus/pprof/google-pprof_large.cpu.pb.gz");
    let path = if corpus.exists() {
        corpus
    } else {
        eprintln!("note: corpus absent; benchmarking tests/fixtures/pprof/gin-cpu-2.pb.gz");
        root.join("tests/fixtures/pprof/gin-cpu-2.pb.gz")
    };
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    (name, std::fs::read(&path).expect("benchmark input"))
}

fn pprof(c: &mut Criterion) {
    let (name, bytes) = input();
    let mut group = c.benchmark_group(format!("pprof/{name}"));
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.sample_size(20);
    group.bench_function("decode", |b| b.iter(|| decode(&bytes).unwrap()));
    let profile = decode(&bytes).unwrap().content.into_profile().unwrap();
    let options = ReportOptions {
        sample_index: profile.default_sample_type,
        ..Default::default()
    };
    group.bench_function("top", |b| b.iter(|| top(&profile, &options)));
    group.bench_function("call_tree", |b| b.iter(|| call_tree(&profile, &options)));
    group.bench_function("decode+top", |b| {
        b.iter(|| {
            let p = decode(&bytes).unwrap().content.into_profile().unwrap();
            top(&p, &options)
        })
    });
    group.finish();
}

criterion_group!(benches, pprof);
criterion_main!(benches);
