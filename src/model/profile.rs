//! `Profile`: what every stack-sampling format decodes into (pprof, goroutine text dumps, and
//! later heap graphs aggregated by path). Frames, a `StackTree` of call paths and a table of
//! samples with one value per `SampleType`. No analysis here: top, refine and diff read it.

use serde::{Deserialize, Serialize};

use super::{FrameId, SampleType, StackId, StackTree, StrId, StringTable};

/// One frame of a call stack: one line entry of one pprof `Location`, or one text-dump frame.
/// A location with inlined calls becomes several frames, innermost first on the stack.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Frame {
    /// Function name as shown (`main.(*Cache).Put`); `StrId(0)` when unsymbolized.
    pub function: StrId,
    /// The mangled or system name, where the producer gave one.
    pub system_name: StrId,
    /// Source file name, `StrId(0)` when unknown.
    pub file: StrId,
    /// Source line, 0 when unknown.
    pub line: i64,
    /// Source column, 0 when unknown.
    pub column: i64,
    /// First line of the function, 0 when unknown.
    pub start_line: i64,
    /// Instruction address, 0 when unknown.
    pub address: u64,
    /// File of the binary or library the address belongs to (pprof `Mapping.filename`).
    pub mapping: StrId,
    /// The producer's location id (pprof `Location.id`), so that `addresses` granularity and
    /// merging can tell locations apart; 0 when the format has none.
    pub location: u64,
    /// True when this frame was inlined into the frame below it on the stack (its caller).
    pub inlined: bool,
}

/// The value of a sample label.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LabelValue {
    /// A string value (`pprof.Labels`, goroutine wait reasons).
    Str(StrId),
    /// A number with an optional unit (`bytes`, `minutes`).
    Num {
        /// The number.
        value: i64,
        /// Its unit, `StrId(0)` when none was given.
        unit: StrId,
    },
}

/// A key/value pair attached to a sample.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Label {
    /// The label's key.
    pub key: StrId,
    /// The label's value.
    pub value: LabelValue,
}

/// The samples of a profile as columns. Row `i` is one sample: its leaf `stack[i]`, its values
/// `values[i * n_types .. (i + 1) * n_types]` (one per `Profile::sample_types`), and its label
/// set `label_sets[labels[i]]` (set 0 is the empty set).
#[derive(Clone, Debug, Default)]
pub struct Samples {
    /// Leaf row of each sample's stack; `None` for a sample with an empty stack.
    pub stack: Vec<Option<StackId>>,
    /// Values, `n_types` per sample, row-major.
    pub values: Vec<i64>,
    /// Index into `label_sets` for each sample.
    pub labels: Vec<u32>,
    /// Distinct label sets. Invariant: `label_sets[0]` is empty.
    pub label_sets: Vec<Vec<Label>>,
    /// Number of values per sample, equal to `Profile::sample_types.len()`.
    pub n_types: usize,
}

impl Samples {
    /// An empty table for `n_types` values per sample.
    pub fn new(n_types: usize) -> Self {
        Samples {
            n_types,
            label_sets: vec![Vec::new()],
            ..Default::default()
        }
    }

    /// How many samples there are.
    pub fn len(&self) -> usize {
        self.stack.len()
    }

    /// True when there are no samples.
    pub fn is_empty(&self) -> bool {
        self.stack.is_empty()
    }

    /// The values of sample `i`.
    pub fn values_of(&self, i: usize) -> &[i64] {
        &self.values[i * self.n_types..(i + 1) * self.n_types]
    }

    /// Value `type_index` of sample `i`.
    pub fn value(&self, i: usize, type_index: usize) -> i64 {
        self.values[i * self.n_types + type_index]
    }

    /// The labels of sample `i`.
    pub fn labels_of(&self, i: usize) -> &[Label] {
        &self.label_sets[self.labels[i] as usize]
    }

    /// Appends a sample. `values.len()` must equal `n_types`; `labels` is a label-set index.
    pub fn push(&mut self, stack: Option<StackId>, values: &[i64], labels: u32) {
        debug_assert_eq!(values.len(), self.n_types);
        self.stack.push(stack);
        self.values.extend_from_slice(values);
        self.labels.push(labels);
    }

    /// The index of `set` in `label_sets`, added if new. Linear for small tables; decoders with
    /// many sets keep their own map.
    pub fn add_label_set(&mut self, set: Vec<Label>) -> u32 {
        if set.is_empty() {
            return 0;
        }
        self.label_sets.push(set);
        (self.label_sets.len() - 1) as u32
    }
}

/// What kind of profile this is, as a person would name it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProfileKind {
    /// Go heap profile (in-use and allocated), default `inuse_space`.
    Heap,
    /// Go allocs profile: the heap profile's data with default `alloc_space`.
    Allocs,
    /// Goroutines by stack (proto, `debug=1` or `debug=2` text).
    Goroutine,
    /// CPU samples.
    Cpu,
    /// Mutex contention.
    Mutex,
    /// Blocking on synchronization.
    Block,
    /// Threads created.
    Threadcreate,
    /// Anything else; the string names its sample types (`wall`, `alloc_in_new_tlab_bytes`).
    Other(String),
}

impl ProfileKind {
    /// A short name for display (`heap`, `cpu`, or the producer's sample types).
    pub fn label(&self) -> &str {
        match self {
            ProfileKind::Heap => "heap",
            ProfileKind::Allocs => "allocs",
            ProfileKind::Goroutine => "goroutine",
            ProfileKind::Cpu => "cpu",
            ProfileKind::Mutex => "mutex",
            ProfileKind::Block => "block",
            ProfileKind::Threadcreate => "threadcreate",
            ProfileKind::Other(s) => s,
        }
    }
}

/// Facts about a profile as a whole: what it measures and when it was taken, so that
/// profiles can be lined up in time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileMeta {
    /// What kind of profile this is.
    pub kind: ProfileKind,
    /// The format it was decoded from (`pprof`, `goroutine debug=1`, `goroutine debug=2`).
    pub format: String,
    /// When collection started, ns since the Unix epoch (UTC), if known.
    pub time_nanos: Option<i64>,
    /// How long collection ran, in ns, if known.
    pub duration_nanos: Option<i64>,
    /// The kind of events between samples (pprof `period_type`).
    pub period_type: Option<SampleType>,
    /// Events between sampled occurrences (pprof `period`), 0 when unset.
    pub period: i64,
    /// Free-form comments from the producer.
    pub comments: Vec<String>,
    /// Regex of frames the producer asks to drop with their callees (pprof `drop_frames`).
    pub drop_frames: Option<String>,
    /// Regex of frames to keep even if `drop_frames` matches (pprof `keep_frames`).
    pub keep_frames: Option<String>,
    /// Link to documentation for this profile's sample types (pprof `doc_url`).
    pub doc_url: Option<String>,
}

impl Default for ProfileMeta {
    fn default() -> Self {
        ProfileMeta {
            kind: ProfileKind::Other(String::new()),
            format: String::new(),
            time_nanos: None,
            duration_nanos: None,
            period_type: None,
            period: 0,
            comments: Vec::new(),
            drop_frames: None,
            keep_frames: None,
            doc_url: None,
        }
    }
}

/// A decoded stack-sampling profile.
///
/// Invariants: every `FrameId` in `stacks` indexes `frames`; every `StrId` indexes `strings`;
/// `samples.n_types == sample_types.len()`; `default_sample_type < sample_types.len()` unless
/// there are no sample types.
#[derive(Clone, Debug, Default)]
pub struct Profile {
    /// Facts about the whole profile.
    pub meta: ProfileMeta,
    /// What each value column measures.
    pub sample_types: Vec<SampleType>,
    /// The column a viewer shows first: pprof's `default_sample_type`, else the last one.
    pub default_sample_type: usize,
    /// Interned names, files and label strings.
    pub strings: StringTable,
    /// Frames referenced by `stacks`.
    pub frames: Vec<Frame>,
    /// Distinct call paths.
    pub stacks: StackTree,
    /// The samples.
    pub samples: Samples,
}

impl Profile {
    /// An empty profile measuring `sample_types`, defaulting to the last one.
    pub fn new(sample_types: Vec<SampleType>) -> Self {
        let n = sample_types.len();
        Profile {
            default_sample_type: n.saturating_sub(1),
            samples: Samples::new(n),
            sample_types,
            ..Default::default()
        }
    }

    /// The index of the sample type called `name`.
    pub fn sample_type_index(&self, name: &str) -> Option<usize> {
        self.sample_types.iter().position(|t| t.name == name)
    }

    /// The frame behind `id`.
    pub fn frame(&self, id: FrameId) -> &Frame {
        &self.frames[id.index()]
    }

    /// Adds `frame` (no deduplication: decoders keep their own maps) and returns its id.
    pub fn add_frame(&mut self, frame: Frame) -> FrameId {
        self.frames.push(frame);
        FrameId::from_index(self.frames.len() - 1)
    }

    /// The frame's name as a person reads it: the function name, else the address in hex,
    /// else `<unknown>`.
    pub fn frame_name(&self, id: FrameId) -> String {
        let f = self.frame(id);
        let name = self.strings.get(f.function);
        if !name.is_empty() {
            name.to_owned()
        } else if f.address != 0 {
            format!("{:#x}", f.address)
        } else {
            "<unknown>".to_owned()
        }
    }

    /// The sum of column `type_index` over all samples.
    pub fn total(&self, type_index: usize) -> i64 {
        (0..self.samples.len())
            .map(|i| self.samples.value(i, type_index))
            .sum()
    }

    /// Builds a profile from folded stacks, the test DSL and speedscope/inferno interchange:
    /// a line `root;caller;leaf 100` (several space-separated values for several types).
    /// Lines that do not end in numbers are skipped. Frames are deduplicated by name.
    pub fn from_folded(sample_types: Vec<SampleType>, text: &str) -> Profile {
        let mut p = Profile::new(sample_types);
        let n = p.sample_types.len();
        let mut by_name = std::collections::HashMap::new();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let mut parts: Vec<&str> = line.split(' ').collect();
            if parts.len() <= n {
                continue;
            }
            let values: Option<Vec<i64>> = parts
                .split_off(parts.len() - n)
                .iter()
                .map(|v| v.parse().ok())
                .collect();
            let Some(values) = values else { continue };
            let path = parts.join(" ");
            let mut frames = Vec::new();
            for name in path.split(';').filter(|s| !s.is_empty()) {
                let id = *by_name.entry(name.to_owned()).or_insert_with(|| {
                    let function = p.strings.intern(name);
                    p.add_frame(Frame {
                        function,
                        ..Default::default()
                    })
                });
                frames.push(id);
            }
            let stack = p.stacks.intern_path(frames);
            p.samples.push(stack, &values, 0);
        }
        p
    }

    /// The one text form of a profile, the tests' oracle: a header of sample types, then one
    /// folded line per sample (`root;…;leaf v1 v2`), with labels in braces when present.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let types: Vec<String> = self
            .sample_types
            .iter()
            .map(|t| format!("{}/{}", t.name, t.unit))
            .collect();
        out.push_str(&format!("# {}\n", types.join(" ")));
        for i in 0..self.samples.len() {
            let names: Vec<String> = self
                .stacks
                .frames_root_first(self.samples.stack[i])
                .into_iter()
                .map(|f| self.frame_name(f))
                .collect();
            out.push_str(&names.join(";"));
            for v in self.samples.values_of(i) {
                out.push_str(&format!(" {v}"));
            }
            let labels = self.samples.labels_of(i);
            if !labels.is_empty() {
                let parts: Vec<String> = labels
                    .iter()
                    .map(|l| {
                        let key = self.strings.get(l.key);
                        match &l.value {
                            LabelValue::Str(s) => format!("{key}={}", self.strings.get(*s)),
                            LabelValue::Num { value, unit } => {
                                format!("{key}={value}{}", self.strings.get(*unit))
                            }
                        }
                    })
                    .collect();
                out.push_str(&format!(" {{{}}}", parts.join(", ")));
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_round_trips_through_text() {
        let p = Profile::from_folded(
            vec![SampleType::new("inuse_space", "bytes")],
            "main;handler;alloc 100\nmain;handler;alloc 50\nmain;gc 20\nbroken line\n",
        );
        assert_eq!(p.samples.len(), 3);
        assert_eq!(p.frames.len(), 4);
        assert_eq!(p.stacks.len(), 4);
        assert_eq!(p.total(0), 170);
        assert_eq!(
            p.to_text(),
            "# inuse_space/bytes\nmain;handler;alloc 100\nmain;handler;alloc 50\nmain;gc 20\n"
        );
    }
}
