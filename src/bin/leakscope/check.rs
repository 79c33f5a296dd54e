//! `leakscope check FILE...`: the leak checklist of the page for CI: the Markdown report (or
//! JSON with `--json`), exit 0 when no leak is likely, 3 when one is (so a job can fail on a
//! leak; churn, G7, is no leak), 2 on bad input.

use std::path::PathBuf;

use clap::Args;
use leakscope::analysis::checklist::{check, markdown, CheckInput, Facts};
use leakscope::analysis::HeapAnalysis;
use leakscope::formats::Content;
use leakscope::model::{HeapGraph, Profile};

use super::input::{analysed, Failure, Opened};

/// Arguments of `leakscope check`.
#[derive(Args)]
pub struct CheckArgs {
    /// Print one JSON object (`{findings: [{cause, verdict, evidence, fix}], capture_next}`).
    #[arg(long)]
    json: bool,
    /// Profiles, goroutine dumps and heap snapshots, any kinds together.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// One decoded file.
enum Loaded {
    Profile(Profile),
    Heap(HeapGraph, HeapAnalysis),
}

/// The report, and whether a cause is likely.
pub fn run(args: &CheckArgs) -> Result<(String, bool), Failure> {
    let mut loaded = Vec::new();
    for path in &args.files {
        let name = path.display().to_string();
        let file = match Opened::new(path)?.decode()? {
            Content::Profile(p) => Loaded::Profile(p),
            Content::Heap(g) => {
                let (g, a) = analysed(g);
                Loaded::Heap(g, a)
            }
        };
        loaded.push((name, file));
    }
    let inputs: Vec<CheckInput> = loaded
        .iter()
        .enumerate()
        .map(|(i, (name, l))| match l {
            Loaded::Profile(profile) => CheckInput::Profile {
                id: i as u32,
                name,
                profile,
            },
            Loaded::Heap(graph, analysis) => CheckInput::Heap {
                id: i as u32,
                name,
                graph,
                analysis,
            },
        })
        .collect();
    let checklist = check(&Facts::of(&inputs));
    let likely = checklist.any_likely_leak();
    if args.json {
        let mut text = serde_json::to_string(&checklist).map_err(|e| Failure(e.to_string()))?;
        text.push('\n');
        return Ok((text, likely));
    }
    let name_of = |id: u32| {
        loaded
            .get(id as usize)
            .map_or_else(String::new, |(n, _)| n.clone())
    };
    Ok((markdown(&checklist, name_of), likely))
}
