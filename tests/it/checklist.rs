//! The leak checklist on the repo's own captured series, run as a CI job runs it
//! (`leakscope check FILE... --json`): each planted cause comes out `likely` on its own series
//! (fixtures/leaky-gin's /api/gN endpoints, fixtures/leaky-node/causes.js, the detached-DOM page),
//! no other leak cause is `likely` there, the healthy variants (every fix on) have no `likely`
//! leak, and the exit code says so (0 nothing likely, 3 a leak likely, 2 bad input).

use std::path::PathBuf;
use std::process::{Command, Output};

use crate::support::{files_in, fixture};

fn check(files: &[PathBuf], json: bool) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_leakscope"));
    cmd.arg("check").args(files);
    if json {
        cmd.arg("--json");
    }
    cmd.output().expect("run leakscope check")
}

/// The checklist of `files`: its JSON and the exit code.
fn checklist(files: &[PathBuf]) -> (serde_json::Value, i32) {
    let out = check(files, true);
    let code = out.status.code().expect("exit code");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(code == 0 || code == 3, "exit {code}: {err}");
    let json = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    (json, code)
}

/// The causes with `verdict`, in the report's order.
fn with_verdict(json: &serde_json::Value, verdict: &str) -> Vec<String> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["verdict"] == verdict)
        .map(|f| f["cause"].as_str().unwrap().to_owned())
        .collect()
}

/// The causes that are `likely` leaks (G7, churn, is never a leak).
fn likely_leaks(json: &serde_json::Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["verdict"] == "likely" && f["leak"] == true)
        .map(|f| f["cause"].as_str().unwrap().to_owned())
        .collect()
}

fn series(dir: &str) -> Vec<PathBuf> {
    let files = files_in(&fixture(dir));
    assert!(files.len() >= 3, "{dir}: {files:?}");
    files
}

/// Every finding has the fields a CI job reads, and each likely one names its evidence and
/// its fix.
fn assert_shape(json: &serde_json::Value) {
    for f in json["findings"].as_array().unwrap() {
        let cause = f["cause"].as_str().unwrap();
        assert!(f["verdict"].is_string(), "{cause}: {f}");
        assert!(f["evidence"].is_array(), "{cause}: {f}");
        assert!(!f["fix"]["text"].as_str().unwrap().is_empty(), "{cause}");
        if f["verdict"] == "likely" {
            let evidence = f["evidence"].as_array().unwrap();
            assert!(!evidence.is_empty(), "{cause}: likely without evidence");
            for e in evidence {
                assert!(!e["text"].as_str().unwrap().is_empty(), "{cause}: {e}");
                assert!(e["link"]["view"].is_string(), "{cause}: {e}");
                let values = e["values"].as_array().unwrap();
                let files = e["link"]["files"].as_array().unwrap();
                assert!(!values.is_empty(), "{cause}: {e}");
                // A value per point, or one number over the series (bytes allocated).
                assert!(
                    values.len() == 1 || values.len() == files.len(),
                    "{cause}: {e}"
                );
            }
        }
    }
}

#[test]
fn each_go_cause_is_likely_on_its_own_series_only() {
    for n in 1..=8 {
        let cause = format!("G{n}");
        let (json, code) = checklist(&series(&format!("causes/g{n}")));
        assert_shape(&json);
        let causes: Vec<&str> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["cause"].as_str().unwrap())
            .collect();
        assert_eq!(
            causes.len(),
            8,
            "Go files get the eight Go causes: {causes:?}"
        );
        assert_eq!(with_verdict(&json, "likely")[0], cause, "{cause} first");
        if cause == "G7" {
            assert!(likely_leaks(&json).is_empty(), "churn is not a leak");
            assert_eq!(code, 0, "G7 alone must not fail a CI job");
        } else {
            assert_eq!(likely_leaks(&json), [cause.as_str()], "{cause}'s series");
            assert_eq!(code, 3, "{cause}");
        }
    }
}

#[test]
fn the_healthy_go_service_has_no_likely_leak() {
    let (json, code) = checklist(&series("causes/healthy"));
    assert_shape(&json);
    assert!(likely_leaks(&json).is_empty(), "{json}");
    assert_eq!(code, 0);
}

#[test]
fn go_evidence_names_the_users_frame_and_the_runtime_proof() {
    let (json, _) = checklist(&series("causes/g1"));
    let g1 = &json["findings"][0];
    assert_eq!(g1["cause"], "G1");
    for e in g1["evidence"].as_array().unwrap() {
        let frame = e["frame"].as_str().unwrap();
        assert!(
            frame.starts_with("main."),
            "the user's frame, not the runtime's: {e}"
        );
        let proof: Vec<&str> = e["runtime_frames"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        assert!(
            proof.iter().any(|f| f.starts_with("runtime.")),
            "the runtime frames that prove the wait: {e}"
        );
        let values: Vec<i64> = e["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect();
        assert!(values.windows(2).all(|w| w[1] > w[0]), "grows: {e}");
    }
}

#[test]
fn each_js_cause_is_likely_on_its_own_series_only() {
    for n in 1..=5 {
        let cause = format!("J{n}");
        let (json, code) = checklist(&series(&format!("js-causes/j{n}")));
        assert_shape(&json);
        assert_eq!(likely_leaks(&json), [cause.as_str()], "{cause}'s series");
        assert!(
            json["findings"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["cause"].as_str().unwrap().starts_with('J')),
            "heap snapshots get the JavaScript causes"
        );
        assert_eq!(code, 3);
    }
}

#[test]
fn the_healthy_node_service_and_page_have_no_likely_leak() {
    for dir in ["js-causes/healthy-node", "js-causes/healthy-page"] {
        let (json, code) = checklist(&series(dir));
        assert!(likely_leaks(&json).is_empty(), "{dir}: {json}");
        assert_eq!(code, 0, "{dir}");
    }
}

#[test]
fn js_evidence_names_what_holds_the_growth() {
    let (json, _) = checklist(&series("js-causes/j2"));
    let j2 = &json["findings"][0];
    assert_eq!(j2["cause"], "J2");
    let first = &j2["evidence"][0];
    // The user's constructor first, held by the module's Map.
    assert!(
        first["text"].as_str().unwrap().contains("CachedResponse"),
        "{first}"
    );
    assert!(
        first["frame"].as_str().unwrap().contains("responseCache"),
        "{first}"
    );
    assert_eq!(first["link"]["view"], "retainers");
    assert!(first["link"]["class_key"].is_string());
}

#[test]
fn text_output_is_the_markdown_report() {
    let out = check(&series("causes/g4"), false);
    assert_eq!(out.status.code(), Some(3));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("# "), "{text}");
    let g4 = text.find("## G4").expect("a section per cause");
    let g1 = text.find("## G1").expect("not seen causes are listed too");
    assert!(g4 < g1, "likely first");
    assert!(text.contains("**Fix:**"));
}

#[test]
fn one_file_that_cannot_show_growth_asks_for_more() {
    let (json, code) = checklist(&[fixture("causes/g1/heap-2.pb.gz")]);
    assert!(
        likely_leaks(&json).is_empty(),
        "one heap profile shows no growth: {json}"
    );
    assert_eq!(code, 0);
    let needs: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["verdict"].as_str().filter(|v| v.starts_with("needs")))
        .collect();
    assert!(!needs.is_empty(), "{json}");
    let advice = json["capture_next"].as_array().unwrap();
    assert!(
        advice
            .iter()
            .any(|a| a["how"].as_str().unwrap().contains("/debug/pprof/")),
        "{advice:?}"
    );
}

#[test]
fn bad_input_exits_2_naming_the_file() {
    let dir = std::env::temp_dir().join(format!("leakscope-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("heap.pb.gz");
    std::fs::write(&bad, b"\x1f\x8b\x08\x00 not really gzip").unwrap();
    let out = check(&[fixture("causes/g1/heap-0.pb.gz"), bad.clone()], true);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(&bad.display().to_string()), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}
