//! Parity with `go tool pprof -peek`: for the repo's fixtures and the corpus's pprof files,
//! the sandwich numbers (`leakscope peek`: each function's flat and cum, its callers and
//! callees with the value of each call and its share of the function's cum, `(inline)` marks)
//! must print as pprof prints them, for the heaviest functions by cum, a recursive one when
//! the profile has one, and a regex matching many. Skips without Go.

use std::path::{Path, PathBuf};
use std::process::Command;

use leakscope::analysis::{aggregate, top, Aggregate, ReportOptions, Step};

use crate::pprof_parity::{comparable, go_available, sample_types};
use crate::support;

/// One comparison: a file, a sample type and the regex both tools peek at.
struct Case {
    file: PathBuf,
    sample: String,
    regex: String,
}

/// Go's `regexp.QuoteMeta`.
fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if r"\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The heaviest node (by cum) that calls itself, directly or not, on some stack.
fn recursive(agg: &Aggregate) -> Option<u32> {
    let mut on_path = vec![0u32; agg.nodes.len()];
    let mut found = vec![false; agg.nodes.len()];
    agg.walk(
        |_| true,
        |t, step| {
            let k = agg.node(t) as usize;
            match step {
                Step::Enter => {
                    found[k] |= on_path[k] > 0;
                    on_path[k] += 1;
                }
                Step::Leave => on_path[k] -= 1,
            }
        },
    );
    let values = agg.node_values();
    (0..agg.nodes.len() as u32)
        .filter(|&k| found[k as usize])
        .max_by_key(|&k| values.cum(k)[0].unsigned_abs())
}

/// The regex of the five heaviest functions by cum and a recursive one, for one sample type.
fn heaviest_regex(file: &Path, sample: usize) -> Option<String> {
    let bytes = std::fs::read(file).ok()?;
    let profile = leakscope::formats::decode(&bytes)
        .ok()?
        .content
        .into_profile()
        .ok()?;
    let options = ReportOptions {
        sample_index: sample,
        ..Default::default()
    };
    let table = top(&profile, &options);
    let mut rows: Vec<_> = table.rows.iter().collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.cum.unsigned_abs()));
    let mut names: Vec<String> = rows.iter().take(5).map(|r| r.name.clone()).collect();
    let agg = aggregate(&[&profile], &options);
    if let Some(k) = recursive(&agg) {
        names.push(agg.nodes.printable(k).to_owned());
    }
    // A name pprof prints with bytes that are not UTF-8 cannot be matched from here.
    names.retain(|n| !n.contains('\u{fffd}'));
    if names.is_empty() {
        return None;
    }
    let alternatives: Vec<String> = names.iter().map(|n| quote_meta(n)).collect();
    Some(format!("^(?:{})$", alternatives.join("|")))
}

fn run(mut cmd: Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn pprof(case: &Case) -> Result<String, String> {
    let mut cmd = Command::new("go");
    cmd.args(["tool", "pprof", "-symbolize=none"])
        .arg(format!("-sample_index={}", case.sample))
        .arg("-peek")
        .arg(&case.regex)
        .arg(&case.file)
        .env("TZ", "UTC");
    run(cmd)
}

fn ours(case: &Case) -> Result<String, String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_leakscope"));
    cmd.args(["peek", "--sample-index", &case.sample])
        .arg(&case.file)
        .arg(&case.regex);
    run(cmd)
}

/// Runs the cases on two threads; returns (compared, failures).
fn check_all(cases: Vec<Case>) -> (usize, Vec<String>) {
    let queue = std::sync::Mutex::new(cases);
    let results = std::sync::Mutex::new((0usize, Vec::new()));
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let Some(case) = queue.lock().unwrap().pop() else { break };
                let name = format!(
                    "{} -sample_index={} -peek {:?}",
                    case.file.file_name().unwrap_or_default().to_string_lossy(),
                    case.sample,
                    case.regex
                );
                let outcome = match (pprof(&case), ours(&case)) {
                    (Err(e), _) => {
                        eprintln!("note: go tool pprof cannot peek {name}: {}", e.trim());
                        continue;
                    }
                    (Ok(_), Err(e)) => Err(format!("{name}: leakscope failed: {e}")),
                    (Ok(theirs), Ok(mine)) => {
                        let (t, o) = (comparable(&theirs), comparable(&mine));
                        if t == o {
                            Ok(())
                        } else {
                            let at = t
                                .iter()
                                .zip(&o)
                                .position(|(a, b)| a != b)
                                .unwrap_or(t.len().min(o.len()));
                            Err(format!(
                                "{name}: first difference at line {at}\n  pprof:     {:?}\n  leakscope: {:?}",
                                t.get(at),
                                o.get(at)
                            ))
                        }
                    }
                };
                let mut r = results.lock().unwrap();
                match outcome {
                    Ok(()) => r.0 += 1,
                    Err(e) => r.1.push(e),
                }
            });
        }
    });
    results.into_inner().unwrap()
}

/// Cases for `file`: the heaviest and a recursive function of every sample type (only the
/// first `max_types`), and every `runtime.` function of the first.
fn cases_for(file: &Path, max_types: usize) -> Vec<Case> {
    let Ok(types) = sample_types(file) else {
        return Vec::new();
    };
    let mut cases: Vec<Case> = types
        .iter()
        .enumerate()
        .take(max_types)
        .filter_map(|(i, sample)| {
            Some(Case {
                file: file.to_owned(),
                sample: sample.clone(),
                regex: heaviest_regex(file, i)?,
            })
        })
        .collect();
    if let Some(first) = types.first() {
        cases.push(Case {
            file: file.to_owned(),
            sample: first.clone(),
            regex: r"^runtime\.".to_owned(),
        });
    }
    cases
}

fn finish(what: &str, compared: usize, failures: Vec<String>) {
    eprintln!("{what}: {compared} peek cases match go tool pprof -peek");
    assert!(
        failures.is_empty(),
        "{} mismatches with go tool pprof -peek:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(compared > 0, "{what}: no peek case was compared");
}

#[test]
fn fixtures_peek_like_go_tool_pprof() {
    if !go_available() {
        support::skip("`go` is not on PATH (pprof -peek parity)");
        return;
    }
    let files: Vec<PathBuf> = support::files_in(&support::fixture("pprof"))
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".pb.gz"))
        .collect();
    assert!(!files.is_empty(), "no fixtures in tests/fixtures/pprof");
    let cases: Vec<Case> = files.iter().flat_map(|f| cases_for(f, 4)).collect();
    let (compared, failures) = check_all(cases);
    finish("fixtures", compared, failures);
}

#[test]
fn corpus_peeks_like_go_tool_pprof() {
    if !go_available() {
        support::skip("`go` is not on PATH (pprof -peek parity)");
        return;
    }
    let Some(corpus) = support::corpus() else {
        return;
    };
    let files: Vec<PathBuf> = support::corpus_pprof_files(&corpus).into_iter().collect();
    let cases: Vec<Case> = files.iter().flat_map(|f| cases_for(f, 1)).collect();
    let (compared, failures) = check_all(cases);
    finish("corpus", compared, failures);
}
