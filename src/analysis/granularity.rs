//! What a frame is called in a report: pprof's graph node for a frame under `-functions`,
//! `-files` or `-lines` (internal/graph `nodeInfo`, `NameComponents`). It names frames only;
//! summing values per name is `top`'s and `call_tree`'s job.

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

/// The report node of every frame of a profile at one granularity.
///
/// Nodes are pprof's: two frames share a node exactly when pprof would merge them, so two
/// nodes may print the same name (a nameless function in two binaries called alike).
/// Names are deduplicated separately, for views that merge by printed name.
#[derive(Clone, Debug, Default)]
pub struct FrameKeys {
    /// Per `FrameId`: its node.
    pub frame_node: Vec<u32>,
    /// Per node: its printed name, into `names`.
    pub node_name: Vec<u32>,
    /// Per node: pprof's final sort tie-break (`fmt.Sprint` of the node info).
    pub node_tiebreak: Vec<String>,
    /// Distinct printed names.
    pub names: Vec<String>,
}

impl FrameKeys {
    /// Names every frame of `profile` at `granularity`.
    pub fn new(profile: &Profile, granularity: Granularity) -> FrameKeys {
        let mut keys = FrameKeys::default();
        let mut nodes: HashMap<NodeInfo, u32> = HashMap::new();
        let mut names: HashMap<String, u32> = HashMap::new();
        for frame in &profile.frames {
            let info = node_info(profile, frame, granularity);
            let next = nodes.len() as u32;
            let node = *nodes.entry(info.clone()).or_insert(next);
            if node == next {
                let printable = info.printable_name();
                let next_name = names.len() as u32;
                let name = *names.entry(printable.clone()).or_insert(next_name);
                if name == next_name {
                    keys.names.push(printable);
                }
                keys.node_name.push(name);
                keys.node_tiebreak.push(info.go_sprint());
            }
            keys.frame_node.push(node);
        }
        keys
    }

    /// How many distinct nodes there are.
    pub fn node_count(&self) -> usize {
        self.node_name.len()
    }

    /// The node of a frame.
    pub fn node(&self, frame: FrameId) -> u32 {
        self.frame_node[frame.index()]
    }

    /// The printed-name id of a frame.
    pub fn name_id(&self, frame: FrameId) -> u32 {
        self.node_name[self.frame_node[frame.index()] as usize]
    }

    /// The printed name of a node.
    pub fn node_printable(&self, node: u32) -> &str {
        &self.names[self.node_name[node as usize] as usize]
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
    fn frame_keys_share_nodes_and_names() {
        let p = profile_with(&[
            ("main.a", "/a.go", 1, 0, ""),
            ("main.a", "/a.go", 2, 0, ""),
            ("", "", 0, 1, "/x/app"),
            ("", "", 0, 2, "/y/app"),
        ]);
        let k = FrameKeys::new(&p, Granularity::Functions);
        assert_eq!(k.frame_node, [0, 0, 1, 2]);
        // Two binaries with one base name: two pprof nodes, one printed name.
        assert_eq!(k.node_name, [0, 1, 1]);
        assert_eq!(k.names, ["main.a", "[app]"]);
        let lines = FrameKeys::new(&p, Granularity::Lines);
        assert_eq!(lines.node_count(), 4);
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
