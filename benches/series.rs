//! Criterion benchmarks for a series: growth over the repo's leaky Gin heap series t0..t3 and
//! the diff of its first and last points, next to the single-profile `top` of each point, so
//! the cost of a series can be read against N single loads. The big-file comparisons (four
//! copies of the synthetic million-stack profile, three big heap snapshots) are in
//! `scripts/bench.sh --series` and `scripts/heap-bench.sh --series`, since one run takes seconds.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use leakscope::analysis::growth::{series_growth, GrowthRows};
use leakscope::analysis::{diff_aggregate, diff_table, top, ReportOptions};
use leakscope::formats::decode;
use leakscope::model::Profile;

fn series() -> Vec<Profile> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pprof");
    (0..=3)
        .map(|t| {
            let bytes = std::fs::read(root.join(format!("gin-heap-{t}.pb.gz"))).expect("fixture");
            decode(&bytes)
                .expect("decodes")
                .content
                .into_profile()
                .expect("a profile")
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let points = series();
    let refs: Vec<&Profile> = points.iter().collect();
    let options = ReportOptions {
        sample_index: points[0].default_sample_type,
        ..Default::default()
    };
    let mut group = c.benchmark_group("series/gin-heap-0..3");
    group.bench_function("top of each point (4 single loads)", |b| {
        b.iter(|| {
            refs.iter()
                .map(|p| top(p, &options).rows.len())
                .sum::<usize>()
        })
    });
    group.bench_function("growth", |b| {
        b.iter(|| series_growth(&refs, &options, 0, GrowthRows::All).expect("one series"))
    });
    group.bench_function("diff t0..t3", |b| {
        b.iter(|| {
            let agg = diff_aggregate(refs[0], refs[3], &options, false).expect("compatible");
            diff_table(&agg, false)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
