//! Where test inputs live: the repo's own fixtures, and the shared corpus of third-party files,
//! which may be absent (tests that need it skip with a note instead of failing, except under
//! `CI=true`: CI has the corpus, `go` and the generated fixtures, so there a skip is a failure).

#![allow(dead_code)]

use std::path::PathBuf;

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures/<rel>` inside the repo.
pub fn fixture(rel: &str) -> PathBuf {
    repo_root().join("tests/fixtures").join(rel)
}

/// The shared corpus folder (`../shared/corpus` beside the repo, or `$LEAKSCOPE_CORPUS`), if it
/// is there. Prints a note when it is not, so a skipped test says why.
pub fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("LEAKSCOPE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared/corpus"));
    if dir.is_dir() {
        Some(dir)
    } else {
        skip(&format!("corpus not found at {}", dir.display()));
        None
    }
}

/// Says why a test does not run: a note normally, a failure under `CI=true`, where nothing
/// the tests read may be missing.
pub fn skip(why: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{why}: under CI=true this check must run, not be skipped");
    }
    eprintln!("note: {why}; skipping");
}

/// The corpus' pprof profiles (`corpus/pprof/*.pb*`), sorted.
pub fn corpus_pprof_files(corpus: &std::path::Path) -> Vec<PathBuf> {
    files_in(&corpus.join("pprof"))
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().contains(".pb"))
        })
        .collect()
}

/// Sorted files directly inside `dir` (not recursive).
pub fn files_in(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}
