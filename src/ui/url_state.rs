//! `ViewState`: what the page shows (file, Findings or a tab, sample type, granularity,
//! focus/ignore/hide, the flame graph's zoom, search and orientation, the Sandwich's function) as the fragment of its URL
//! (`#file=…&tab=flame&g=lines`) and back. Defaults are left out, so a plain URL is the
//! default view; unknown or malformed parts are ignored rather than refused, because a URL is
//! typed and pasted by people.
//!
//! Plain Rust, tested natively: reading and writing `location` and `history` is `ui::history`'s.

use crate::analysis::{Granularity, RefineOptions};
use crate::layout::Orientation;

/// The view a URL names.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ViewState {
    /// The key of the file shown (`LoadedProfile::key`); `None`: the page picks one.
    pub file: Option<String>,
    /// True when the Findings (the checklist of every file) are shown rather than the file.
    pub findings: bool,
    /// The file's tab by name (`top`, `flame`, `summary`, …); empty: the default tab.
    pub tab: String,
    /// The sample type's index; `None`: the profile's default.
    pub sample: Option<usize>,
    /// Functions, files or lines.
    pub granularity: Granularity,
    /// pprof's focus/ignore/hide expressions.
    pub refine: RefineOptions,
    /// The flame graph's visible range of the root's width, as fractions in [0, 1]; `None`:
    /// not zoomed.
    pub zoom: Option<(f64, f64)>,
    /// The flame graph's search text.
    pub search: String,
    /// The flame graph's orientation.
    pub orientation: Orientation,
    /// The function the Sandwich view shows.
    pub function: Option<String>,
}

impl ViewState {
    /// The URL fragment (without `#`) naming this view; empty for the default view.
    pub fn to_fragment(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        if let Some(file) = &self.file {
            out.append_pair("file", file);
        }
        if let Some(function) = &self.function {
            out.append_pair("fn", function);
        }
        if self.findings {
            out.append_pair("view", "findings");
        }
        let pairs = [
            ("tab", self.tab.as_str()),
            ("focus", self.refine.focus.as_str()),
            ("ignore", self.refine.ignore.as_str()),
            ("hide", self.refine.hide.as_str()),
            ("search", self.search.as_str()),
        ];
        for (name, value) in pairs {
            if !value.is_empty() {
                out.append_pair(name, value);
            }
        }
        if let Some(sample) = self.sample {
            out.append_pair("sample", &sample.to_string());
        }
        if self.granularity != Granularity::default() {
            out.append_pair("g", self.granularity.as_str());
        }
        if self.orientation != Orientation::default() {
            out.append_pair("flame", self.orientation.as_str());
        }
        if let Some((start, end)) = self.zoom {
            out.append_pair("zoom", &format!("{start:.6},{end:.6}"));
        }
        out.finish()
    }

    /// The view a URL fragment names (with or without its leading `#`).
    pub fn from_fragment(fragment: &str) -> ViewState {
        let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
        let mut state = ViewState::default();
        for (name, value) in form_urlencoded::parse(fragment.as_bytes()) {
            let value = value.into_owned();
            match name.as_ref() {
                "file" if !value.is_empty() => state.file = Some(value),
                "fn" if !value.is_empty() => state.function = Some(value),
                "view" => state.findings = value == "findings",
                "tab" => state.tab = value,
                "sample" => state.sample = value.parse().ok(),
                "g" => state.granularity = value.parse().unwrap_or_default(),
                "focus" => state.refine.focus = value,
                "ignore" => state.refine.ignore = value,
                "hide" => state.refine.hide = value,
                "search" => state.search = value,
                "zoom" => state.zoom = parse_zoom(&value),
                "flame" => state.orientation = Orientation::from_name(&value).unwrap_or_default(),
                _ => {}
            }
        }
        state
    }
}

/// `start,end` with 0 <= start < end <= 1.
fn parse_zoom(value: &str) -> Option<(f64, f64)> {
    let (start, end) = value.split_once(',')?;
    let (start, end) = (start.parse::<f64>().ok()?, end.parse::<f64>().ok()?);
    (0.0 <= start && start < end && end <= 1.0).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_view_is_an_empty_fragment() {
        assert_eq!(ViewState::default().to_fragment(), "");
        assert_eq!(ViewState::from_fragment(""), ViewState::default());
        assert_eq!(ViewState::from_fragment("#"), ViewState::default());
    }

    #[test]
    fn every_field_survives_the_round_trip() {
        let state = ViewState {
            file: Some("1733-4 heap #2.pb.gz".to_owned()),
            findings: true,
            tab: "flame".to_owned(),
            sample: Some(3),
            granularity: Granularity::Lines,
            refine: RefineOptions {
                focus: "main\\.(leak|grow)&x=1".to_owned(),
                ignore: "runtime\\..*".to_owned(),
                hide: "gin%".to_owned(),
            },
            zoom: Some((0.25, 0.5)),
            search: "cache é".to_owned(),
            orientation: Orientation::Flame,
            function: Some("github.com/gin-gonic/gin.(*Context).Next".to_owned()),
        };
        let fragment = state.to_fragment();
        assert!(
            !fragment.contains(' ') && !fragment.contains('#'),
            "{fragment}"
        );
        assert_eq!(ViewState::from_fragment(&format!("#{fragment}")), state);
    }

    #[test]
    fn bad_parts_are_ignored() {
        let state =
            ViewState::from_fragment("#g=words&sample=-1&zoom=0.8,0.2&zoom2=1&tab=top&file=");
        assert_eq!(
            state,
            ViewState {
                tab: "top".to_owned(),
                ..ViewState::default()
            }
        );
        assert_eq!(parse_zoom("0,1"), Some((0.0, 1.0)));
        assert_eq!(parse_zoom("0,1.5"), None);
        assert_eq!(parse_zoom("nan,1"), None);
    }
}
