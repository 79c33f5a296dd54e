//! The `leakscope` binary run as a user runs it: `summary --json` equals DevTools' Summary
//! (the saved oracle), `top` reads heap snapshots with totals equal to DevTools' total size,
//! `peek --json` lists callers and callees, and bad input exits 1 with a message naming the
//! file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::fixture;

fn leakscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leakscope"))
        .args(args)
        .output()
        .expect("run leakscope")
}

fn json_of(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

fn oracle(stem: &str) -> serde_json::Value {
    let path = fixture(&format!("heapsnapshot/{stem}.devtools.json"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// (key, name, count, shallow, retained) rows, in the order given.
fn rows(classes: &serde_json::Value) -> Vec<(String, String, u64, u64, u64)> {
    classes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["key"].as_str().unwrap().to_owned(),
                c["name"].as_str().unwrap().to_owned(),
                c["count"].as_u64().unwrap(),
                c["shallow_size"].as_u64().unwrap(),
                c["retained_size"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn summary_json_equals_devtools() {
    for (file, stem) in [
        ("node-leak-3.heapsnapshot.gz", "node-leak-3"),
        ("detached-dom-3.heapsnapshot.gz", "detached-dom-3"),
    ] {
        let path = fixture(&format!("heapsnapshot/{file}"));
        let got = json_of(&leakscope(&["summary", "--json", path.to_str().unwrap()]));
        let want = oracle(stem);
        for k in ["node_count", "edge_count", "total_size"] {
            assert_eq!(got[k], want[k], "{file}: {k}");
        }
        let ours = rows(&got["classes"]);
        // Sorted by retained size, largest first.
        assert!(ours.windows(2).all(|w| w[0].4 >= w[1].4), "{file}: order");
        let mut ours_sorted = ours.clone();
        ours_sorted.sort();
        let mut theirs = rows(&want["classes"]);
        theirs.sort();
        assert_eq!(ours_sorted, theirs, "{file}");
        let limited = json_of(&leakscope(&[
            "summary",
            "--json",
            "--limit",
            "3",
            path.to_str().unwrap(),
        ]));
        assert_eq!(rows(&limited["classes"]), ours[..3]);
    }
}

#[test]
fn summary_table_lists_the_leaks() {
    let path = fixture("heapsnapshot/detached-dom-3.heapsnapshot.gz");
    let out = leakscope(&["summary", "--limit", "0", path.to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("File: "), "{text}");
    assert!(text.contains("Constructor"), "{text}");
    let want = oracle("detached-dom-3");
    let ul = want["classes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Detached <ul>")
        .unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("Detached <ul> "))
        .unwrap_or_else(|| panic!("{text}"));
    let cols: Vec<&str> = line["Detached <ul>".len()..].split_whitespace().collect();
    assert_eq!(cols[1], ul["count"].to_string(), "{line}");
    assert_eq!(cols[2], ul["shallow_size"].to_string(), "{line}");
    assert_eq!(cols[4], ul["retained_size"].to_string(), "{line}");
}

#[test]
fn top_reads_heap_snapshots_and_totals_equal_devtools() {
    for (file, stem) in [
        ("node-leak-3.heapsnapshot", "node-leak-3"),
        ("detached-dom-3.heapsnapshot.gz", "detached-dom-3"),
    ] {
        let path = fixture(&format!("heapsnapshot/{file}"));
        let got = json_of(&leakscope(&["top", "--json", path.to_str().unwrap()]));
        let want = oracle(stem);
        assert_eq!(got["total"], want["total_size"], "{file}");
        assert_eq!(got["sample_type"]["name"], "self_size");
        let flat: u64 = got["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["flat"].as_u64().unwrap())
            .sum();
        assert_eq!(flat, want["total_size"].as_u64().unwrap(), "{file}");
        let text = leakscope(&["top", "--nodecount", "5", path.to_str().unwrap()]);
        assert!(text.status.success());
        assert!(String::from_utf8_lossy(&text.stdout).contains("Type: self_size"));
    }
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("leakscope-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn assert_fails_naming(out: &Output, path: &Path, what: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let prefix = format!("leakscope: {}: ", path.display());
    assert!(err.starts_with(&prefix), "{err}");
    assert!(err.contains(what), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bad_input_exits_1_naming_the_file() {
    let full = std::fs::read(fixture("heapsnapshot/node-leak-3.heapsnapshot")).unwrap();
    let cut = temp_file("cut.heapsnapshot", &full[..full.len() / 2]);
    for cmd in ["summary", "top"] {
        let out = leakscope(&[cmd, cut.to_str().unwrap()]);
        assert_fails_naming(&out, &cut, "cut off");
    }
    // Gzipped snapshots are inflated on a thread of their own: its faults reach the user too.
    let gz = std::fs::read(fixture("heapsnapshot/node-leak-3.heapsnapshot.gz")).unwrap();
    let cut_gz = temp_file("cut.heapsnapshot.gz", &gz[..gz.len() / 2]);
    let out = leakscope(&["summary", cut_gz.to_str().unwrap()]);
    assert_fails_naming(&out, &cut_gz, "cut off");
    let mut damaged = gz.clone();
    let middle = damaged.len() / 2;
    damaged[middle..middle + 64].fill(0xff);
    let damaged = temp_file("damaged.heapsnapshot.gz", &damaged);
    let out = leakscope(&["summary", damaged.to_str().unwrap()]);
    assert_fails_naming(&out, &damaged, "gzip data is damaged");
    let pprof = fixture("pprof/gin-allocs-3.pb.gz");
    let out = leakscope(&["summary", pprof.to_str().unwrap()]);
    assert_fails_naming(&out, &pprof, "not a V8 heap snapshot");
    let missing = fixture("heapsnapshot/no-such-file.heapsnapshot");
    let out = leakscope(&["summary", missing.to_str().unwrap()]);
    assert_fails_naming(&out, &missing, "");
    let _ = std::fs::remove_dir_all(cut.parent().unwrap());
}

#[test]
fn peek_lists_callers_and_callees_and_refuses_what_matches_nothing() {
    let path = fixture("pprof/gin-heap-3.pb.gz");
    let path = path.to_str().unwrap();
    let report = json_of(&leakscope(&["peek", "--json", path, r"^main\.postEvent$"]));
    let rows = report["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    let (callers, callees) = (
        rows[0]["callers"].as_array().unwrap(),
        rows[0]["callees"].as_array().unwrap(),
    );
    // Each sample through postEvent enters it from one caller, so the callers add up to cum.
    let into: i64 = callers.iter().map(|e| e["value"].as_i64().unwrap()).sum();
    assert_eq!(into, rows[0]["cum"].as_i64().unwrap());
    assert!(!callees.is_empty());
    let out = leakscope(&["peek", path, "^no such function$"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no matches found for regexp"));
    let out = leakscope(&["peek", path, "(unclosed"]);
    assert_eq!(out.status.code(), Some(1));
}
