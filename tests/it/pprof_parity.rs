//! Parity with `go tool pprof -top`: for the repo's fixtures and every corpus pprof file, each
//! sample type, our `leakscope top` must print the same table (names, flat and cum in pprof's
//! chosen unit, percentages) and the same "Showing nodes…"/"Dropped…" lines. Skips without Go.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use crate::support;

/// Corpus files whose `go tool pprof` output we deliberately do not match, and why.
const EXCLUDED: &[(&str, &str)] = &[];

/// One comparison: a file, a sample type, a granularity flag and refine flags; with a base,
/// the diff `go tool pprof -top -diff_base=BASE FILE` (and `-normalize`) against `leakscope diff`.
#[derive(Clone, Debug, Default)]
struct Case {
    file: PathBuf,
    sample: String,
    granularity: &'static str,
    refine: Vec<(&'static str, String)>,
    base: Option<PathBuf>,
    normalize: bool,
}

pub(crate) fn go_available() -> bool {
    Command::new("go")
        .arg("version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// The lines we compare: `Type:`, then everything from the filters or "Showing nodes" on.
pub(crate) fn comparable(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| {
            l.starts_with("Active filters:") || l.starts_with("Showing nodes accounting for")
        })
        .unwrap_or(lines.len());
    let mut out: Vec<String> = lines
        .iter()
        .filter(|l| l.starts_with("Type: "))
        .map(|l| l.to_string())
        .collect();
    out.extend(lines[start..].iter().map(|l| l.to_string()));
    out
}

fn run_pprof(case: &Case) -> Result<String, String> {
    let mut cmd = Command::new("go");
    // -symbolize=none: pprof would otherwise try to symbolize address-only frames from local
    // binaries named in the mappings (e.g. /usr/lib/libc.so.6), which our decoder never does.
    cmd.args([
        "tool",
        "pprof",
        "-top",
        "-symbolize=none",
        &format!("-sample_index={}", case.sample),
    ]);
    if case.granularity != "functions" {
        cmd.arg(format!("-{}", case.granularity));
    }
    for (flag, value) in &case.refine {
        cmd.arg(format!("-{flag}={value}"));
    }
    if let Some(base) = &case.base {
        cmd.arg(format!("-diff_base={}", base.display()));
        if case.normalize {
            cmd.arg("-normalize");
        }
    }
    cmd.arg(&case.file).env("TZ", "UTC");
    let out = cmd.output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn run_ours(case: &Case) -> Result<String, String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_leakscope"));
    cmd.arg(if case.base.is_some() { "diff" } else { "top" });
    if case.normalize {
        cmd.arg("--normalize");
    }
    cmd.args([
        "--sample-index",
        &case.sample,
        "--granularity",
        case.granularity,
    ]);
    for (flag, value) in &case.refine {
        cmd.arg(format!("--{flag}={value}"));
    }
    if let Some(base) = &case.base {
        cmd.arg(base);
    }
    let out = cmd.arg(&case.file).output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Sample type names of a file, from our own decoder (None when it cannot decode the file).
pub(crate) fn sample_types(file: &Path) -> Result<Vec<String>, String> {
    let bytes = std::fs::read(file).map_err(|e| e.to_string())?;
    let decoded = leakscope::formats::decode(&bytes).map_err(|e| e.message)?;
    let profile = decoded.content.into_profile().map_err(|e| e.message)?;
    Ok(profile
        .sample_types
        .iter()
        .map(|t| t.name.clone())
        .collect())
}

/// Runs every case on two threads; returns (matched, failures).
fn check_all(cases: Vec<Case>) -> (usize, Vec<String>) {
    let queue = Mutex::new(cases);
    let matched = Mutex::new(0usize);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let Some(case) = queue.lock().unwrap().pop() else { break };
                let base = case.base.as_ref().map_or(String::new(), |b| {
                    let name = b.file_name().unwrap_or_default().to_string_lossy();
                    let norm = if case.normalize { " -normalize" } else { "" };
                    format!("-diff_base={name}{norm} ")
                });
                let name = format!(
                    "{base}{} -sample_index={} -{} {:?}",
                    case.file.file_name().unwrap_or_default().to_string_lossy(),
                    case.sample,
                    case.granularity,
                    case.refine
                );
                match (run_pprof(&case), run_ours(&case)) {
                    (Err(e), _) => eprintln!("note: go tool pprof cannot read {name}: {}", e.trim()),
                    (Ok(_), Err(e)) => failures.lock().unwrap().push(format!("{name}: leakscope failed: {e}")),
                    (Ok(theirs), Ok(ours)) => {
                        let (t, o) = (comparable(&theirs), comparable(&ours));
                        if t == o {
                            *matched.lock().unwrap() += 1;
                        } else {
                            let first = t.iter().zip(&o).position(|(a, b)| a != b).unwrap_or(t.len().min(o.len()));
                            failures.lock().unwrap().push(format!(
                                "{name}: first difference at line {first}\n  pprof:     {:?}\n  leakscope: {:?}\n  ({} vs {} lines)",
                                t.get(first),
                                o.get(first),
                                t.len(),
                                o.len()
                            ));
                        }
                    }
                }
            });
        }
    });
    (
        matched.into_inner().unwrap(),
        failures.into_inner().unwrap(),
    )
}

/// Every sample type of `file` at functions granularity.
fn cases_for(file: &Path, failures: &mut Vec<String>) -> Vec<Case> {
    match sample_types(file) {
        Ok(types) => types
            .into_iter()
            .map(|sample| Case {
                file: file.to_owned(),
                sample,
                granularity: "functions",
                ..Default::default()
            })
            .collect(),
        Err(e) => {
            // Files pprof cannot read either are fine to refuse; the run will tell.
            if run_pprof(&Case {
                file: file.to_owned(),
                sample: "0".into(),
                granularity: "functions",
                ..Default::default()
            })
            .is_ok()
            {
                failures.push(format!(
                    "{}: pprof reads it, our decoder says: {e}",
                    file.display()
                ));
            }
            Vec::new()
        }
    }
}

fn finish(what: &str, matched: usize, failures: Vec<String>) {
    eprintln!("{what}: {matched} file × sample type × option cases match go tool pprof");
    assert!(
        failures.is_empty(),
        "{} mismatches with go tool pprof:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn fixtures_match_go_tool_pprof() {
    if !go_available() {
        support::skip("`go` is not on PATH (pprof parity)");
        return;
    }
    let files: Vec<PathBuf> = support::files_in(&support::fixture("pprof"))
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".pb.gz"))
        .collect();
    assert!(!files.is_empty(), "no fixtures in tests/fixtures/pprof");
    let mut failures = Vec::new();
    let mut cases: Vec<Case> = files
        .iter()
        .flat_map(|f| cases_for(f, &mut failures))
        .collect();
    // Granularities and refinements on the leaky service's heap and CPU profiles.
    for (stem, sample) in [
        ("gin-heap-3", "inuse_space"),
        ("gin-cpu-2", "cpu"),
        ("gin-allocs-3", "alloc_space"),
    ] {
        let file = support::fixture(&format!("pprof/{stem}.pb.gz"));
        if !file.exists() {
            continue;
        }
        let case = |granularity, refine: Vec<(&'static str, String)>| Case {
            file: file.clone(),
            sample: sample.to_owned(),
            granularity,
            refine,
            ..Default::default()
        };
        cases.push(case("files", vec![]));
        cases.push(case("lines", vec![]));
        cases.push(case("functions", vec![("focus", "gin".into())]));
        cases.push(case("functions", vec![("ignore", "runtime\\.".into())]));
        cases.push(case("functions", vec![("hide", "gin-gonic".into())]));
        cases.push(case(
            "lines",
            vec![("focus", "main\\.".into()), ("hide", "runtime".into())],
        ));
    }
    let (matched, more) = check_all(cases);
    failures.extend(more);
    finish("fixtures", matched, failures);
}

/// `leakscope diff BASE NEW` against `go tool pprof -top -diff_base=BASE NEW`, absolute and
/// `-normalize`d, on the repo's series: each sample type, granularities and refinements.
#[test]
fn diffs_match_go_tool_pprof_diff_base() {
    if !go_available() {
        support::skip("`go` is not on PATH (pprof diff parity)");
        return;
    }
    let pairs = [
        ("gin-heap-1", "gin-heap-3"),
        ("gin-heap-0", "gin-heap-1"),
        ("gin-heap-3", "gin-heap-1"),
        ("gin-goroutine-0", "gin-goroutine-3"),
        ("gin-allocs-1", "gin-allocs-3"),
        ("gin-healthy-heap-0", "gin-healthy-heap-3"),
        ("gin-heap-3", "gin-healthy-heap-3"),
    ];
    let mut cases = Vec::new();
    for (base, new) in pairs {
        let (base, file) = (
            support::fixture(&format!("pprof/{base}.pb.gz")),
            support::fixture(&format!("pprof/{new}.pb.gz")),
        );
        if !base.exists() || !file.exists() {
            continue;
        }
        let types = sample_types(&file).expect("fixture decodes");
        for sample in types {
            for normalize in [false, true] {
                cases.push(Case {
                    file: file.clone(),
                    sample: sample.clone(),
                    granularity: "functions",
                    base: Some(base.clone()),
                    normalize,
                    ..Default::default()
                });
            }
        }
        for (granularity, refine) in [
            ("lines", vec![]),
            ("files", vec![]),
            ("functions", vec![("focus", "main\\.".to_owned())]),
            ("functions", vec![("hide", "runtime".to_owned())]),
        ] {
            cases.push(Case {
                file: file.clone(),
                sample: "0".into(),
                granularity,
                refine,
                base: Some(base.clone()),
                ..Default::default()
            });
        }
    }
    assert!(cases.len() >= 40, "too few diff cases: {}", cases.len());
    let (matched, failures) = check_all(cases);
    finish("diffs", matched, failures);
}

#[test]
fn corpus_matches_go_tool_pprof() {
    if !go_available() {
        support::skip("`go` is not on PATH (pprof parity)");
        return;
    }
    let Some(corpus) = support::corpus() else {
        return;
    };
    let files: Vec<PathBuf> = support::corpus_pprof_files(&corpus)
        .into_iter()
        .filter(|p| {
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            match EXCLUDED.iter().find(|(n, _)| *n == name) {
                Some((_, why)) => {
                    eprintln!("note: {name} excluded from pprof parity: {why}");
                    false
                }
                None => true,
            }
        })
        .collect();
    let mut failures = Vec::new();
    let mut cases: Vec<Case> = files
        .iter()
        .flat_map(|f| cases_for(f, &mut failures))
        .collect();
    let extra = |name: &str, sample: &str, granularity, refine: Vec<(&'static str, String)>| Case {
        file: corpus.join("pprof").join(name),
        sample: sample.to_owned(),
        granularity,
        refine,
        ..Default::default()
    };
    let extras = [
        extra("google-pprof_sample.cpu.pb.gz", "cpu", "lines", vec![]),
        extra("google-pprof_sample.cpu.pb.gz", "cpu", "files", vec![]),
        extra("pyroscope_go.heap.pb.gz", "inuse_space", "files", vec![]),
        extra("pyroscope_go.heap.pb.gz", "alloc_space", "lines", vec![]),
        extra("parca_go.cpu.unsymbolized.pb.gz", "cpu", "lines", vec![]),
        extra("google-pprof_large.cpu.pb.gz", "cpu", "files", vec![]),
        extra(
            "pyroscope_go.heap.pb.gz",
            "alloc_space",
            "functions",
            vec![("focus", "loki".into())],
        ),
        extra(
            "pyroscope_go.heap.pb.gz",
            "alloc_space",
            "functions",
            vec![("ignore", "grpc".into())],
        ),
        extra(
            "pyroscope_go.heap.pb.gz",
            "alloc_space",
            "functions",
            vec![("hide", "runtime|vendor".into())],
        ),
        extra(
            "google-pprof_sample.cpu.pb.gz",
            "cpu",
            "functions",
            vec![("hide", "runtime\\.mapiternext".into())],
        ),
        extra(
            "google-pprof_sample.cpu.pb.gz",
            "cpu",
            "lines",
            vec![("focus", "evacuate"), ("ignore", "overflow")]
                .into_iter()
                .map(|(k, v)| (k, v.to_owned()))
                .collect(),
        ),
    ];
    cases.extend(extras.into_iter().filter(|c| c.file.exists()));
    let (matched, more) = check_all(cases);
    failures.extend(more);
    finish("corpus", matched, failures);
}
