//! What a frame is called in a report: pprof's graph node for a frame under `-functions`,
//! `-files` or `-lines` (internal/graph `nodeInfo`, `NameComponents`). It names frames only;
//! summing values per node is `Aggregate`'s job.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::model::{Frame, FrameId, Profile};

/// How finely frames are told apart, as pprof's `-granularity`. `go tool pprof -top` uses
/// `functions` unless told otherwise (internal/driver/config.go `defaultConfig`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Granularity {
    /// One node per function name (`main.leak`).
    #[default]
    Functions,
    /// One node per source file (`/src/app/cache.go`).
    Files,
    /// One node per function and line (`main.leak /src/app/cache.go:42`).
    Lines,
}

impl Granularity {
    /// The flag value: `functions`, `files` or `lines`.
    pub fn as_str(self) -> &'static str {
        match self {
            Granularity::Functions => "functions",
            Granularity::Files => "files",
            Granularity::Lines => "lines",
        }
    }
}

impl fmt::Display for Granularity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Granularity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "functions" => Ok(Granularity::Functions),
            "files" => Ok(Granularity::Files),
            "lines" => Ok(Granularity::Lines),
            other => Err(format!(
                "unknown granularity `{other}` (expected functions, files or lines)"
            )),
        }
    }
}

/// pprof's `NodeInfo` after `Profile.Aggregate` for a granularity: everything that makes two
/// graph nodes distinct. `Address` is always zero at these granularities; `OrigName` is unused.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct NodeInfo {
    name: String,
    file: String,
    start_line: i64,
    lineno: i64,
    objfile: String,
}

impl NodeInfo {
    /// `NodeInfo.PrintableName` (graph.go): name, then `file:line` or file, else the binary in
    /// brackets, else `<unknown>`.
    fn printable_name(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if !self.name.is_empty() {
            parts.push(self.name.clone());
        }
        if self.lineno != 0 {
            parts.push(format!("{}:{}", self.file, self.lineno));
        } else if !self.file.is_empty() {
            parts.push(self.file.clone());
        } else if !self.name.is_empty() {
        } else if !self.objfile.is_empty() {
            parts.push(format!("[{}]", go_base(&self.objfile)));
        } else {
            parts.push("<unknown>".to_owned());
        }
        parts.join(" ")
    }

    /// `fmt.Sprint(NodeInfo)`, pprof's last tie-break between nodes (graph.go `compareNodes`).
    fn go_sprint(&self) -> String {
        format!(
            "{{{}  0 {} {} {} {}}}",
            self.name, self.file, self.start_line, self.lineno, self.objfile
        )
    }
}

/// True when a frame came from a profile.proto `Line` (it has a function or a source position),
/// false for an address-only location. pprof matches names and files only on lines.
pub fn frame_has_line(frame: &Frame) -> bool {
    frame.function.0 != 0 || frame.system_name.0 != 0 || frame.file.0 != 0 || frame.line != 0
}

/// The graph node pprof makes of `frame` at `granularity` (graph.go `nodeInfo` after
/// profile.go `Aggregate`; file names get report.go's `/proc/self/cwd/` trim and `Clean`).
fn node_info(profile: &Profile, frame: &Frame, granularity: Granularity) -> NodeInfo {
    let objfile = profile.strings.get(frame.mapping).to_owned();
    if !frame_has_line(frame) {
        return NodeInfo {
            name: String::new(),
            file: String::new(),
            start_line: 0,
            lineno: 0,
            objfile,
        };
    }
    let name = match granularity {
        Granularity::Functions | Granularity::Lines => {
            profile.strings.get(frame.function).to_owned()
        }
        Granularity::Files => String::new(),
    };
    let file = match granularity {
        Granularity::Files | Granularity::Lines => clean_file(profile.strings.get(frame.file)),
        Granularity::Functions => String::new(),
    };
    let lineno = if granularity == Granularity::Lines {
        frame.line
    } else {
        0
    };
    // nodeInfo keeps the binary and start line only for nameless functions, so that they do
    // not all merge into one node.
    let (objfile, start_line) = if name.is_empty() {
        (objfile, frame.start_line)
    } else {
        (String::new(), 0)
    };
    NodeInfo {
        name,
        file,
        start_line,
        lineno,
        objfile,
    }
}

/// report.go `trimPath` with no `-trim_path`/`-source_path`, then Go's `filepath.Clean`.
fn clean_file(file: &str) -> String {
    if file.is_empty() {
        return String::new();
    }
    let trimmed = file
        .strip_prefix("/proc/self/cwd/./")
        .or_else(|| file.strip_prefix("/proc/self/cwd/"))
        .unwrap_or(file);
    go_clean(trimmed)
}

/// Go's `path/filepath.Clean` for Unix paths: lexical `.`/`..` and slash cleanup.
fn go_clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_owned();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

/// Go's `filepath.Base`: the last element, trailing slashes ignored.
fn go_base(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return if path.is_empty() { "." } else { "/" };
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

/// pprof's graph nodes at one granularity, shared by every profile added to them, so that a
/// function of two profiles is one node (what diff and growth line up by).
///
/// Nodes are pprof's: two frames share a node exactly when pprof would merge them, so two
/// nodes may print the same name (a nameless function in two binaries called alike).
#[derive(Clone, Debug, Default)]
pub struct ReportNodes {
    granularity: Granularity,
    lookup: HashMap<NodeInfo, u32>,
    name_lookup: HashMap<String, u32>,
    /// Per node: its printed name, into `names`.
    node_name: Vec<u32>,
    /// Per node: pprof's final sort tie-break (`fmt.Sprint` of the node info).
    node_tiebreak: Vec<String>,
    /// Distinct printed names.
    names: Vec<String>,
}

impl ReportNodes {
    /// No nodes yet, at `granularity`.
    pub fn new(granularity: Granularity) -> ReportNodes {
        ReportNodes {
            granularity,
            ..Default::default()
        }
    }

    /// The node of every frame of `profile` (indexed by `FrameId`), adding new nodes.
    pub fn add_frames(&mut self, profile: &Profile) -> Vec<u32> {
        profile
            .frames
            .iter()
            .map(|frame| self.intern(node_info(profile, frame, self.granularity)))
            .collect()
    }

    fn intern(&mut self, info: NodeInfo) -> u32 {
        if let Some(&node) = self.lookup.get(&info) {
            return node;
        }
        let node = self.node_name.len() as u32;
        let printable = info.printable_name();
        let next_name = self.names.len() as u32;
        let name = *self
            .name_lookup
            .entry(printable.clone())
            .or_insert(next_name);
        if name == next_name {
            self.names.push(printable);
        }
        self.node_name.push(name);
        self.node_tiebreak.push(info.go_sprint());
        self.lookup.insert(info, node);
        node
    }

    /// The granularity the nodes are at.
    pub fn granularity(&self) -> Granularity {
        self.granularity
    }

    /// How many distinct nodes there are.
    pub fn len(&self) -> usize {
        self.node_name.len()
    }

    /// True when there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.node_name.is_empty()
    }

    /// True when two nodes print alike (so paths must be merged by printed name).
    pub fn has_shared_names(&self) -> bool {
        self.names.len() < self.node_name.len()
    }

    /// The printed name of a node.
    pub fn printable(&self, node: u32) -> &str {
        &self.names[self.node_name[node as usize] as usize]
    }

    /// The printed-name id of a node (equal ids, equal names).
    pub fn name_id(&self, node: u32) -> u32 {
        self.node_name[node as usize]
    }

    /// The printed name behind a name id.
    pub fn name(&self, name_id: u32) -> &str {
        &self.names[name_id as usize]
    }

    /// pprof's last tie-break between two nodes (`fmt.Sprint` of the node info).
    pub fn tiebreak(&self, node: u32) -> &str {
        &self.node_tiebreak[node as usize]
    }
}

/// The printed name of one frame at `granularity`, as `go tool pprof -top` shows it.
pub fn frame_key(profile: &Profile, frame: FrameId, granularity: Granularity) -> String {
    node_info(profile, profile.frame(frame), granularity).printable_name()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SampleType;

    fn profile_with(frames: &[(&str, &str, i64, u64, &str)]) -> Profile {
        let mut p = Profile::new(vec![SampleType::new("samples", "count")]);
        for &(function, file, line, address, mapping) in frames {
            let f = Frame {
                function: p.strings.intern(function),
                file: p.strings.intern(file),
                line,
                address,
                mapping: p.strings.intern(mapping),
                ..Default::default()
            };
            p.add_frame(f);
        }
        p
    }

    #[test]
    fn names_frames_like_pprof_nodes() {
        let p = profile_with(&[
            (
                "main.leak",
                "/proc/self/cwd/./app//cache.go",
                42,
                0x1000,
                "/bin/app",
            ),
            ("", "", 0, 0x2000, "/usr/lib/libc.so.6"),
            ("", "", 0, 0x3000, ""),
            ("", "/src/x.go", 7, 0, "/bin/app"),
        ]);
        let all = |g| {
            (0..4)
                .map(|i| frame_key(&p, FrameId(i), g))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            all(Granularity::Functions),
            ["main.leak", "[libc.so.6]", "<unknown>", "[app]"]
        );
        assert_eq!(
            all(Granularity::Files),
            ["app/cache.go", "[libc.so.6]", "<unknown>", "/src/x.go"]
        );
        assert_eq!(
            all(Granularity::Lines),
            [
                "main.leak app/cache.go:42",
                "[libc.so.6]",
                "<unknown>",
                "/src/x.go:7"
            ]
        );
    }

    #[test]
    fn report_nodes_share_nodes_and_names_across_profiles() {
        let p = profile_with(&[
            ("main.a", "/a.go", 1, 0, ""),
            ("main.a", "/a.go", 2, 0, ""),
            ("", "", 0, 1, "/x/app"),
            ("", "", 0, 2, "/y/app"),
        ]);
        let mut k = ReportNodes::new(Granularity::Functions);
        assert_eq!(k.add_frames(&p), [0, 0, 1, 2]);
        // Two binaries with one base name: two pprof nodes, one printed name.
        assert_eq!((k.name_id(1), k.name_id(2)), (1, 1));
        assert_eq!((k.printable(0), k.printable(2)), ("main.a", "[app]"));
        // A second profile's equal frames map to the same nodes.
        let q = profile_with(&[("", "", 0, 9, "/y/app"), ("main.b", "/b.go", 3, 0, "")]);
        assert_eq!(k.add_frames(&q), [2, 3]);
        let mut lines = ReportNodes::new(Granularity::Lines);
        lines.add_frames(&p);
        assert_eq!(lines.len(), 4);
    }

    #[test]
    fn go_path_helpers_match_go() {
        assert_eq!(go_clean("a/../../b/./c//"), "../b/c");
        assert_eq!(go_clean("/../a"), "/a");
        assert_eq!(go_clean("./"), ".");
        assert_eq!(go_base("/usr/lib/"), "lib");
        assert_eq!(go_base("/"), "/");
        assert_eq!("files".parse::<Granularity>(), Ok(Granularity::Files));
        assert!("addresses".parse::<Granularity>().is_err());
        assert_eq!(Granularity::default().as_str(), "functions");
    }
}
