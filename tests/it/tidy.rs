//! Architecture rules checked on the source text: one-way layers, browser APIs only in `ui`,
//! and a `//!` header on every Rust file. These are cheap text checks, not a parser.

use std::path::{Path, PathBuf};

use crate::support::repo_root;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Files of a layer: `src/<layer>.rs` and everything under `src/<layer>/`.
fn layer_files(layer: &str) -> Vec<PathBuf> {
    let src = repo_root().join("src");
    let mut v = Vec::new();
    let top = src.join(format!("{layer}.rs"));
    if top.exists() {
        v.push(top);
    }
    rust_files(&src.join(layer), &mut v);
    v
}

/// Code lines only: `//` comments are dropped so that docs may name other layers.
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn offenders(files: &[PathBuf], forbidden: &[&str]) -> Vec<String> {
    let mut bad = Vec::new();
    for f in files {
        let code = code_of(f);
        for word in forbidden {
            if code.contains(word) {
                bad.push(format!(
                    "{} mentions `{word}`",
                    f.strip_prefix(repo_root()).unwrap().display()
                ));
            }
        }
    }
    bad
}

const BROWSER: &[&str] = &["leptos", "web_sys", "wasm_bindgen", "js_sys", "gloo"];

#[test]
fn model_depends_on_nothing_else_in_the_crate() {
    let bad = offenders(
        &layer_files("model"),
        &[
            "crate::formats",
            "crate::analysis",
            "crate::layout",
            "crate::ui",
        ],
    );
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn formats_and_analysis_depend_only_on_model() {
    let mut bad = offenders(
        &layer_files("formats"),
        &["crate::analysis", "crate::layout", "crate::ui"],
    );
    bad.extend(offenders(
        &layer_files("analysis"),
        &["crate::formats", "crate::layout", "crate::ui"],
    ));
    bad.extend(offenders(
        &layer_files("layout"),
        &["crate::formats", "crate::ui"],
    ));
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn the_worker_session_and_its_protocol_are_plain_rust() {
    let mut files = layer_files("session");
    files.extend(layer_files("protocol"));
    let bad = offenders(&files, &["crate::ui", "crate::layout"]);
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn only_ui_touches_the_browser() {
    let mut files = Vec::new();
    for layer in [
        "model", "formats", "analysis", "layout", "session", "protocol",
    ] {
        files.extend(layer_files(layer));
    }
    files.push(repo_root().join("src/lib.rs"));
    rust_files(&repo_root().join("src/bin/leakscope"), &mut files);
    let bad = offenders(&files, BROWSER);
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn every_rust_file_starts_with_a_module_doc() {
    let mut files = Vec::new();
    for dir in ["src", "tests", "benches", "examples", "fuzz/fuzz_targets"] {
        rust_files(&repo_root().join(dir), &mut files);
    }
    assert!(files.len() > 10, "found only {} Rust files", files.len());
    let missing: Vec<_> = files
        .iter()
        .filter(|f| {
            !std::fs::read_to_string(f)
                .unwrap()
                .trim_start()
                .starts_with("//!")
        })
        .map(|f| f.strip_prefix(repo_root()).unwrap().display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "files without a leading //! comment: {missing:#?}"
    );
}

#[test]
fn no_grab_bag_modules() {
    let mut files = Vec::new();
    rust_files(&repo_root().join("src"), &mut files);
    let bad: Vec<_> = files
        .iter()
        .filter(|f| {
            let name = f.file_stem().unwrap().to_string_lossy();
            ["utils", "helpers", "common", "misc"].contains(&name.as_ref())
        })
        .collect();
    assert!(bad.is_empty(), "{bad:?}");
}
