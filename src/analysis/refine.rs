//! `refine`: pprof's `-focus`, `-ignore` and `-hide` (profile/filter.go
//! `FilterSamplesByName`, `matchesName`, `unmatchedLines`) as a function from a profile to a
//! new profile. Tag filters, `-show` and `-show_from` are not implemented.
//!
//! Patterns are `regex-lite`'s: the page's Web Worker runs this, and `regex` with its Unicode
//! tables was 40% of its gzipped wasm. `\d`, `\w`, `\s` and `\b` are ASCII, as in Go's RE2
//! (pprof's engine); unlike RE2, `(?i)` folds ASCII letters only and `\p{…}` is refused.

use std::collections::HashMap;
use std::fmt;

use regex_lite::Regex;
use serde::{Deserialize, Serialize};

use super::frame_has_line;
use crate::model::{Frame, FrameId, Profile, Samples, StackId, StackTree};

/// Regular expressions (Go RE2 syntax, unanchored) selecting samples and frames; empty = off.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefineOptions {
    /// Keep only samples with a frame matching this (function name, file or binary).
    pub focus: String,
    /// Drop samples with a frame matching this.
    pub ignore: String,
    /// Remove matching frames from stacks (a sample left with no frame is dropped).
    pub hide: String,
}

impl RefineOptions {
    /// True when no option is set.
    pub fn is_empty(&self) -> bool {
        self.focus.is_empty() && self.ignore.is_empty() && self.hide.is_empty()
    }

    /// The options in effect as pprof lists them under "Active filters:" (`focus=RE`, …).
    pub fn active_filters(&self) -> Vec<String> {
        [
            ("focus", &self.focus),
            ("ignore", &self.ignore),
            ("hide", &self.hide),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={v}"))
        .collect()
    }
}

/// A refine option that is not a valid regular expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefineError {
    /// What is wrong, naming the option (`parsing focus regexp: …`).
    pub message: String,
}

impl fmt::Display for RefineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RefineError {}

fn compile(name: &str, pattern: &str) -> Result<Option<Regex>, RefineError> {
    if pattern.is_empty() {
        return Ok(None);
    }
    Regex::new(pattern).map(Some).map_err(|e| {
        // Keep the last line, the reason, so the message fits on one line whatever the
        // engine's error looks like (regex-lite's is one line already).
        let text = e.to_string();
        let reason = text
            .lines()
            .last()
            .unwrap_or(&text)
            .trim()
            .trim_start_matches("error: ")
            .to_owned();
        RefineError {
            message: format!("parsing {name} regexp `{pattern}`: {reason}"),
        }
    })
}

/// Location.matchesName for one frame: a line matches by function name or file name, any frame
/// matches by the binary it belongs to. Address-only frames have no line to match.
fn matches(profile: &Profile, frame: &Frame, re: &Regex) -> bool {
    (frame_has_line(frame)
        && (re.is_match(profile.strings.get(frame.function))
            || re.is_match(profile.strings.get(frame.file))))
        || (frame.mapping.0 != 0 && re.is_match(profile.strings.get(frame.mapping)))
}

/// Applies `options` to `profile`, returning the refined copy.
///
/// As pprof: a sample is kept when no frame matches `ignore` and (with `focus` set) some frame
/// matches `focus`; matching is per location, and all frames of a location share its binary,
/// so it reduces to "some frame on the stack". Samples with empty
/// stacks are dropped whenever an option is set, as pprof drops them. `hide` removes frames; a location's outermost
/// remaining frame stops being marked inlined, as pprof shortens the location's lines.
pub fn refine(profile: &Profile, options: &RefineOptions) -> Result<Profile, RefineError> {
    let focus = compile("focus", &options.focus)?;
    let ignore = compile("ignore", &options.ignore)?;
    let hide = compile("hide", &options.hide)?;
    if focus.is_none() && ignore.is_none() && hide.is_none() {
        return Ok(profile.clone());
    }
    let flag = |re: &Option<Regex>| -> Vec<bool> {
        match re {
            Some(re) => profile
                .frames
                .iter()
                .map(|f| matches(profile, f, re))
                .collect(),
            None => vec![false; profile.frames.len()],
        }
    };
    let (focused, ignored, hidden) = (flag(&focus), flag(&ignore), flag(&hide));

    // Per stack row, parents first: does the path down to it hold a focused / ignored frame?
    let rows = profile.stacks.len();
    let mut path_focus = vec![false; rows];
    let mut path_ignore = vec![false; rows];
    for r in 0..rows {
        let id = StackId::from_index(r);
        let f = profile.stacks.frame(id).index();
        let (pf, pi) = match profile.stacks.parent(id) {
            Some(p) => (path_focus[p.index()], path_ignore[p.index()]),
            None => (false, false),
        };
        path_focus[r] = pf || focused[f];
        path_ignore[r] = pi || ignored[f];
    }
    // pprof runs FilterSamplesByName whenever a filter is set, and it never keeps a sample
    // without locations (focusedAndNotIgnored needs one focused location).
    let keep = |stack: Option<StackId>| -> bool {
        let Some(s) = stack else { return false };
        !path_ignore[s.index()] && (focus.is_none() || path_focus[s.index()])
    };

    let mut out = Profile {
        meta: profile.meta.clone(),
        sample_types: profile.sample_types.clone(),
        default_sample_type: profile.default_sample_type,
        strings: profile.strings.clone(),
        frames: profile.frames.clone(),
        stacks: StackTree::new(),
        samples: Samples::new(profile.samples.n_types),
    };
    out.samples
        .label_sets
        .clone_from(&profile.samples.label_sets);

    // Rebuild the trie without hidden frames. Per old row: its new row, and whether the
    // location it belongs to already has a visible frame nearer the root on this path.
    let mut new_row: Vec<Option<StackId>> = vec![None; rows];
    let mut location_shown = vec![false; rows];
    let mut outermost_copy: HashMap<FrameId, FrameId> = HashMap::new();
    for r in 0..rows {
        let id = StackId::from_index(r);
        let frame_id = profile.stacks.frame(id);
        let frame = profile.frame(frame_id);
        let (parent_new, parent_shown) = match profile.stacks.parent(id) {
            Some(p) => (new_row[p.index()], location_shown[p.index()]),
            None => (None, false),
        };
        // A non-inlined frame starts a new location (the caller line comes last in
        // profile.proto, so it is the root-most frame of its location on the stack).
        let shown_before = frame.inlined && parent_shown;
        if hidden[frame_id.index()] {
            new_row[r] = parent_new;
            location_shown[r] = shown_before;
            continue;
        }
        let use_frame = if frame.inlined && !shown_before {
            *outermost_copy.entry(frame_id).or_insert_with(|| {
                let mut copy = frame.clone();
                copy.inlined = false;
                out.frames.push(copy);
                FrameId::from_index(out.frames.len() - 1)
            })
        } else {
            frame_id
        };
        new_row[r] = Some(out.stacks.intern(parent_new, use_frame));
        location_shown[r] = true;
    }

    for i in 0..profile.samples.len() {
        let stack = profile.samples.stack[i];
        if !keep(stack) {
            continue;
        }
        let stack = stack.and_then(|s| new_row[s.index()]);
        if stack.is_none() {
            continue; // every frame was hidden
        }
        out.samples.push(
            stack,
            profile.samples.values_of(i),
            profile.samples.labels[i],
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;
    use crate::model::SampleType;

    fn run(text: &str, focus: &str, ignore: &str, hide: &str) -> String {
        let p = Profile::from_folded(vec![SampleType::new("samples", "count")], text);
        let o = RefineOptions {
            focus: focus.into(),
            ignore: ignore.into(),
            hide: hide.into(),
        };
        refine(&p, &o)
            .map(|p| p.to_text())
            .unwrap_or_else(|e| e.message)
    }

    const STACKS: &str = "main;handler;json.Marshal 10\nmain;handler;cache.Put 20\nmain;gc 5\n";

    #[test]
    fn focus_keeps_samples_through_a_match() {
        expect![[r#"
            # samples/count
            main;handler;json.Marshal 10
            main;handler;cache.Put 20
        "#]]
        .assert_eq(&run(STACKS, "handler", "", ""));
    }

    #[test]
    fn ignore_wins_over_focus() {
        expect![[r#"
            # samples/count
            main;handler;cache.Put 20
        "#]]
        .assert_eq(&run(STACKS, "handler", "json", ""));
    }

    #[test]
    fn hide_removes_frames_and_empty_samples() {
        expect![[r#"
            # samples/count
            main;json.Marshal 10
            main;cache.Put 20
            main;gc 5
        "#]]
        .assert_eq(&run(STACKS, "", "", "^handler$"));
        expect![[r#"
            # samples/count
            gc 5
        "#]]
        .assert_eq(&run("main 3\nmain;gc 5\n", "", "", "main"));
    }

    #[test]
    fn no_options_is_a_copy_and_bad_regex_is_an_error() {
        assert_eq!(
            run(STACKS, "", "", ""),
            Profile::from_folded(vec![SampleType::new("samples", "count")], STACKS).to_text()
        );
        expect!["parsing ignore regexp `(`: found open group without closing ')'"]
            .assert_eq(&run(STACKS, "", "(", ""));
    }

    #[test]
    fn hiding_a_caller_line_un_inlines_the_callee() {
        let mut p = Profile::from_folded(
            vec![SampleType::new("samples", "count")],
            "main;outer;inner 4\n",
        );
        p.frames[2].inlined = true; // inner was inlined into outer: one location
        let o = RefineOptions {
            hide: "outer".into(),
            ..Default::default()
        };
        let r = refine(&p, &o).unwrap();
        let leaf: Vec<FrameId> = r.stacks.frames_leaf_first(r.samples.stack[0]).collect();
        assert_eq!(leaf.len(), 2);
        assert!(!r.frame(leaf[0]).inlined);
        assert_eq!(r.frame_name(leaf[0]), "inner");
    }
}
