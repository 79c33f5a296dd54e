//! The checklist as Markdown: the report the page exports and `leakscope check` prints. Likely
//! causes first, each with its evidence and fix, then what to capture next. It formats only;
//! `names` turns the caller's file ids in links back into file names.

use super::{Checklist, Verdict};

/// The Markdown report of `checklist`; `name_of` names a file id.
pub fn markdown(checklist: &Checklist, name_of: impl Fn(u32) -> String) -> String {
    let mut out = String::from("# leakscope: why does memory grow?\n\n");
    let likely = |leak: bool| -> Vec<String> {
        checklist
            .findings
            .iter()
            .filter(|f| f.verdict == Verdict::Likely && f.leak == leak)
            .map(|f| format!("{} ({})", f.cause, f.title_in_sentence()))
            .collect()
    };
    out.push_str(&match likely(true).as_slice() {
        [] => "No leak is likely in these files.".to_owned(),
        causes => format!("Likely: {}.", causes.join("; ")),
    });
    if let [churn, ..] = likely(false).as_slice() {
        out.push_str(&format!(" Also {churn}."));
    }
    out.push_str("\n\n");
    for f in &checklist.findings {
        out.push_str(&format!(
            "## {} {} — {}\n\n",
            f.cause,
            f.title,
            f.verdict.label()
        ));
        for e in &f.evidence {
            out.push_str(&format!("- {}", e.text));
            if !e.runtime_frames.is_empty() {
                out.push_str(&format!(" (`{}`)", e.runtime_frames.join("`, `")));
            }
            if let Some(link) = &e.link {
                let files: Vec<String> = link.files.iter().map(|&id| name_of(id)).collect();
                match files.as_slice() {
                    [] => {}
                    [one] => out.push_str(&format!(" — in {one}")),
                    [first, .., last] => out.push_str(&format!(" — in {first} … {last}")),
                }
            }
            out.push('\n');
        }
        match &f.verdict {
            Verdict::NotSeen => out.push_str("Nothing in these files shows it.\n"),
            Verdict::Needs(kind) => {
                out.push_str(&format!("These files cannot show it: it needs a {kind}.\n"))
            }
            _ => {}
        }
        if matches!(f.verdict, Verdict::Likely | Verdict::Possible) {
            if !f.evidence.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!("**Fix:** {}\n", f.fix.text));
            if !f.fix.example.is_empty() {
                out.push_str(&format!("\n```\n{}\n```\n", f.fix.example));
            }
        }
        out.push('\n');
    }
    if !checklist.capture_next.is_empty() {
        out.push_str("## What to capture next\n\n");
        for a in &checklist.capture_next {
            out.push_str(&format!("- {}\n\n  ```\n  {}\n  ```\n", a.why, a.how));
        }
    }
    out
}
