//! The leak checklist: what the loaded profiles and snapshots show, mapped to the known causes of
//! memory growth (`../shared/design/LEAK-CAUSES.md`: G1–G8 for Go services, J1–J5 for
//! JavaScript), each with a verdict, its evidence (the user's own frame, the runtime frames that
//! prove the pattern, the numbers across the series, a link to the view that shows them) and the
//! fix. Rules are data over the analyses in `Facts`, one file per cause under `rules/`; this
//! file holds the vocabulary and runs them. Printing is `report`'s job.

mod facts;
mod go_stacks;
mod report;
mod rules;
#[cfg(test)]
mod test_support;

use crate::analysis::sort;
use serde::{Deserialize, Serialize};

pub use facts::{CheckInput, Facts};
pub use report::markdown;

/// How sure a finding is. Serialized as its label (`"likely"`, `"not seen"`,
/// `"needs goroutine profile"`), which is what a CI job compares.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Verdict {
    /// The evidence grows across the series (or, for goroutines, thousands wait at one frame).
    Likely,
    /// Some evidence, not enough: it does not grow at every step, or one file cannot tell.
    Possible,
    /// The files that could show it do not.
    NotSeen,
    /// None of the files can show it; the string names the kind of profile that would.
    Needs(String),
}

impl Verdict {
    /// The verdict as the page and the Markdown report print it (`needs goroutine profile`).
    pub fn label(&self) -> String {
        match self {
            Verdict::Likely => "likely".to_owned(),
            Verdict::Possible => "possible".to_owned(),
            Verdict::NotSeen => "not seen".to_owned(),
            Verdict::Needs(kind) => format!("needs {kind}"),
        }
    }
}

impl From<Verdict> for String {
    fn from(v: Verdict) -> String {
        v.label()
    }
}

impl TryFrom<String> for Verdict {
    type Error = String;

    fn try_from(label: String) -> Result<Self, String> {
        match label.as_str() {
            "likely" => Ok(Verdict::Likely),
            "possible" => Ok(Verdict::Possible),
            "not seen" => Ok(Verdict::NotSeen),
            _ => match label.strip_prefix("needs ") {
                Some(kind) => Ok(Verdict::Needs(kind.to_owned())),
                None => Err(format!("not a verdict: {label}")),
            },
        }
    }
}

/// Where a piece of evidence is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// The growth ranking of a series.
    Growth,
    /// The flame graph of one file.
    Flame,
    /// The top table of one file.
    Top,
    /// The goroutine wait groups of a series of dumps.
    Goroutines,
    /// The Retainers tree of a heap object (or the heap growth of a snapshot series).
    Retainers,
}

/// What a piece of evidence links to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The view.
    pub view: View,
    /// The files the view shows (the caller's ids, oldest first).
    pub files: Vec<u32>,
    /// The sample type to show, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_type: Option<String>,
    /// A focus regex (pprof's `-focus`) that narrows the view to the evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub focus: Option<String>,
    /// For heap snapshots: the class key and an object (ordinal) to reveal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_key: Option<String>,
    /// An object of the last snapshot whose retainers show the evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<u32>,
}

/// One observation behind a finding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The observation in a sentence.
    pub text: String,
    /// The user's own frame (the first outside the runtime, the standard library and the web
    /// framework), or the JavaScript holder, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame: Option<String>,
    /// The runtime or library frames that prove the pattern.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runtime_frames: Vec<String>,
    /// The numbers at each point of the series (one value for a single file).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<i64>,
    /// Their unit (`count`, `bytes`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub unit: String,
    /// Where to see it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<Link>,
}

/// How to fix a cause.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// The fix in a few lines.
    pub text: String,
    /// A short example, when one helps.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub example: String,
}

/// One cause of the checklist as the loaded files show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The cause's id (`G1`, `J3`).
    pub cause: String,
    /// Its name.
    pub title: String,
    /// False for a cause that wastes work but leaks nothing (G7, allocation churn).
    pub leak: bool,
    /// How sure.
    pub verdict: Verdict,
    /// Why, most telling first.
    pub evidence: Vec<Evidence>,
    /// What to do.
    pub fix: Fix,
}

impl Finding {
    /// The title inside a sentence: its first letter in lower case, unless the first word is
    /// an acronym (`detached DOM trees…`, `HTTP client response bodies…`).
    pub fn title_in_sentence(&self) -> String {
        let mut chars = self.title.chars();
        match (chars.next(), chars.next()) {
            (Some(first), Some(second)) if !second.is_uppercase() => first
                .to_lowercase()
                .chain(self.title[first.len_utf8()..].chars())
                .collect(),
            _ => self.title.clone(),
        }
    }
}

/// What to capture next, and how.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Advice {
    /// What would settle which open question.
    pub why: String,
    /// Exactly how to take it (a command, the DevTools steps).
    pub how: String,
}

/// The whole checklist: every cause of both runtimes, likely ones first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checklist {
    /// One finding per cause, ordered likely, possible, not seen, needs; then by id.
    pub findings: Vec<Finding>,
    /// What to capture next.
    pub capture_next: Vec<Advice>,
}

impl Checklist {
    /// True when some leak is likely (the CLI's exit code 3): churn (G7) is never a leak.
    pub fn any_likely_leak(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.leak && f.verdict == Verdict::Likely)
    }
}

/// Runs every rule over `facts`: the Go causes for Go files, the JavaScript causes for heap
/// snapshots (both when both are loaded, and when neither is, every cause says what it needs).
pub fn check(facts: &Facts) -> Checklist {
    let (go, js) = (facts.has_go(), facts.snapshots.is_some());
    let mut findings: Vec<Finding> = rules::ALL
        .iter()
        .map(|rule| rule(facts))
        .filter(|f| {
            let go_cause = f.cause.starts_with('G');
            go == js || go_cause == go
        })
        .collect();
    sort::sort_by(&mut findings, |a, b| {
        a.verdict
            .clone()
            .cmp(&b.verdict.clone())
            .then_with(|| a.cause.cmp(&b.cause))
    });
    Checklist {
        capture_next: rules::capture_next(facts, &findings),
        findings,
    }
}

#[cfg(test)]
mod tests {
    use super::Verdict;

    #[test]
    fn verdicts_serialize_as_their_labels_and_back() {
        for v in [
            Verdict::Likely,
            Verdict::Possible,
            Verdict::NotSeen,
            Verdict::Needs("goroutine profile".to_owned()),
        ] {
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(json, format!("\"{}\"", v.label()));
            assert_eq!(serde_json::from_str::<Verdict>(&json).unwrap(), v);
        }
        assert!(serde_json::from_str::<Verdict>("\"maybe\"").is_err());
    }

    #[test]
    fn titles_in_sentences_keep_acronyms() {
        let with = |title: &str| super::Finding {
            cause: "X".to_owned(),
            title: title.to_owned(),
            leak: true,
            verdict: Verdict::Likely,
            evidence: vec![],
            fix: super::Fix {
                text: String::new(),
                example: String::new(),
            },
        };
        assert_eq!(
            with("Detached DOM trees kept alive by JavaScript").title_in_sentence(),
            "detached DOM trees kept alive by JavaScript"
        );
        assert_eq!(
            with("HTTP client response bodies never closed").title_in_sentence(),
            "HTTP client response bodies never closed"
        );
    }
}
