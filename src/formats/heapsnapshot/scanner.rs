//! The streaming JSON scanner for plain (inflated) snapshot bytes: a state machine fed chunk by
//! chunk. It captures the small `snapshot` header for serde_json, scans `nodes`/`edges`/
//! `locations` digits straight into u32 columns, decodes `strings` one string at a time and skips
//! everything else with bounded memory (FORMATS-AND-LIMITS §3.1). It never holds the file text.

use crate::formats::DecodeError;
use crate::model::{HeapGraph, HeapGraphBuilder, HeapLocation, HeapStrings, NodeOrdinal};

use super::fast_records::{field, ExactDiv, Parsed, Record, Records, Text, MAX_FIELDS};
use super::header::{EdgeField, Header, NodeField};
use super::DecodePhase;

mod finish;
mod numbers;
mod strings;

/// The largest `snapshot` header accepted (real ones are about 1 KB).
const MAX_HEADER_BYTES: usize = 1 << 20;
/// The longest top-level key accepted.
const MAX_KEY_BYTES: usize = 256;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    Snapshot,
    Nodes,
    Edges,
    Locations,
    Strings,
    Other,
}

impl Section {
    fn what(self) -> &'static str {
        match self {
            Section::Snapshot => "the snapshot header",
            Section::Nodes => "the nodes array",
            Section::Edges => "the edges array",
            Section::Locations => "the locations array",
            Section::Strings => "the strings array",
            Section::Other => "a section leakscope skips (trace_tree, samples, …)",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Start,
    Key,
    InKey,
    Colon,
    Value(Section),
    Capture,
    Numbers(Section),
    Strings,
    InString,
    Skip,
    AfterValue,
    Done,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Escape {
    None,
    Backslash,
    Hex(u8),
}

/// Positions of each role inside a node and an edge record.
#[derive(Debug)]
struct Layout {
    nf: usize,
    ef: usize,
    n_type: usize,
    n_name: usize,
    n_id: usize,
    n_size: usize,
    n_edges: usize,
    n_detached: Option<usize>,
    e_type: usize,
    e_name: usize,
    e_to: usize,
    node_types: usize,
    /// Divides `to_node` by `nf` for the fast record loop.
    to_div: Option<ExactDiv>,
}

impl Layout {
    /// Whether node records are current V8's `type, name, id, self_size, edge_count,
    /// trace_node_id, detachedness`.
    fn v8_node_order(&self) -> bool {
        (
            self.nf,
            self.n_type,
            self.n_name,
            self.n_id,
            self.n_size,
            self.n_edges,
        ) == (7, 0, 1, 2, 3, 4)
            && self.n_detached == Some(6)
    }

    /// Whether edge records are V8's `type, name_or_index, to_node`.
    fn v8_edge_order(&self) -> bool {
        (self.ef, self.e_type, self.e_name, self.e_to) == (3, 0, 1, 2)
    }
}

/// Plain-JSON scanner state. `push` may be called with chunks of any size, even 1 byte.
pub(super) struct Scanner {
    state: State,
    bytes: u64,
    header: Option<Header>,
    layout: Option<Layout>,
    builder: Option<HeapGraphBuilder>,
    max_plain_bytes: Option<u64>,
    rec: Vec<u32>,
    field: usize,
    cur: u64,
    in_num: bool,
    nodes_read: u64,
    edges_read: u64,
    locations: Vec<u32>,
    key: Vec<u8>,
    capture: Vec<u8>,
    depth: u32,
    in_str: bool,
    esc: bool,
    strings: HeapStrings,
    sbuf: Vec<u8>,
    sesc: Escape,
    hex: u32,
    high: Option<u32>,
    seen_nodes: bool,
    seen_edges: bool,
    seen_strings: bool,
    trailing_garbage: bool,
    unlisted_types: u64,
    max_type: u8,
    /// Whether `scan_numbers` may use the whole-record fast loop (tests turn it off to compare).
    fast: bool,
    /// Records the fast path took, for tests that check it is not silently bypassed.
    fast_taken: u64,
    pub warnings: Vec<String>,
}

fn err(msg: impl Into<String>) -> DecodeError {
    DecodeError::new(msg)
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

impl Scanner {
    pub fn new(max_plain_bytes: Option<u64>) -> Self {
        Scanner {
            state: State::Start,
            bytes: 0,
            header: None,
            layout: None,
            builder: None,
            max_plain_bytes,
            rec: Vec::new(),
            field: 0,
            cur: 0,
            in_num: false,
            nodes_read: 0,
            edges_read: 0,
            locations: Vec::new(),
            key: Vec::new(),
            capture: Vec::new(),
            depth: 0,
            in_str: false,
            esc: false,
            strings: HeapStrings::new(),
            sbuf: Vec::new(),
            sesc: Escape::None,
            hex: 0,
            high: None,
            seen_nodes: false,
            seen_edges: false,
            seen_strings: false,
            trailing_garbage: false,
            unlisted_types: 0,
            max_type: 0,
            fast: true,
            fast_taken: 0,
            warnings: Vec::new(),
        }
    }

    /// The same scanner with only the byte-at-a-time path, the reference the fast path is
    /// tested against.
    #[cfg(test)]
    pub fn without_fast_path(mut self) -> Self {
        self.fast = false;
        self
    }

    /// Node and edge records read by the fast path so far.
    #[cfg(test)]
    pub fn fast_records_taken(&self) -> u64 {
        self.fast_taken
    }

    /// Plain bytes scanned so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Nodes and edges read so far, and the header's counts.
    pub fn counts(&self) -> (u64, u64, Option<u64>, Option<u64>) {
        let h = self.header.as_ref();
        (
            self.nodes_read,
            self.edges_read,
            h.and_then(|h| h.node_count),
            h.and_then(|h| h.edge_count),
        )
    }

    /// What the scanner is reading now.
    pub fn phase(&self) -> DecodePhase {
        match self.state {
            State::Start | State::Capture => DecodePhase::Header,
            State::Numbers(Section::Nodes) => DecodePhase::Nodes,
            State::Numbers(Section::Edges) => DecodePhase::Edges,
            State::Numbers(Section::Locations) => DecodePhase::Locations,
            State::Strings | State::InString => DecodePhase::Strings,
            State::Done => DecodePhase::Done,
            _ => DecodePhase::Other,
        }
    }

    /// Scans one chunk of plain JSON bytes.
    pub fn push(&mut self, buf: &[u8]) -> Result<(), DecodeError> {
        let mut i = 0;
        while i < buf.len() {
            i = match self.state {
                State::Numbers(sec) => self.scan_numbers(sec, buf, i)?,
                State::InString => self.scan_string(buf, i)?,
                State::Capture => self.scan_capture(buf, i)?,
                State::Skip => self.scan_skip(buf, i),
                _ => {
                    if self.step(buf[i], i)? {
                        i + 1
                    } else {
                        i
                    }
                }
            };
        }
        self.bytes += buf.len() as u64;
        Ok(())
    }

    /// One structural byte outside the bulk sections, at `buf[i]` of the chunk being pushed.
    /// Returns whether it was consumed.
    pub(super) fn step(&mut self, b: u8, i: usize) -> Result<bool, DecodeError> {
        match self.state {
            State::Start if is_ws(b) => {}
            State::Start if b == b'{' => self.state = State::Key,
            State::Start => {
                return Err(err(format!(
                    "this is not a V8 heap snapshot: it is not a JSON object (it starts with {:?})",
                    b as char
                )))
            }
            State::Key if is_ws(b) || b == b',' => {}
            State::Key if b == b'"' => {
                self.key.clear();
                self.state = State::InKey;
            }
            State::Key if b == b'}' => self.state = State::Done,
            State::InKey if b == b'"' => self.state = State::Colon,
            State::InKey if self.key.len() >= MAX_KEY_BYTES => {
                return Err(err(
                    "this is not a V8 heap snapshot: a top-level key is absurdly long",
                ))
            }
            State::InKey => self.key.push(b),
            State::Colon if is_ws(b) => {}
            State::Colon if b == b':' => self.state = State::Value(self.section_for_key()?),
            State::Value(_) if is_ws(b) => {}
            State::Value(Section::Snapshot) if b == b'{' => {
                self.capture.clear();
                self.depth = 0;
                self.in_str = false;
                self.esc = false;
                self.state = State::Capture;
                return Ok(false);
            }
            State::Value(Section::Other) => {
                self.depth = 0;
                self.in_str = false;
                self.esc = false;
                self.state = State::Skip;
                return Ok(false);
            }
            State::Value(Section::Strings) if b == b'[' => {
                self.seen_strings = true;
                self.state = State::Strings;
            }
            State::Value(sec) if b == b'[' => self.start_numbers(sec)?,
            State::Strings if is_ws(b) || b == b',' => {}
            State::Strings if b == b'"' => {
                self.sbuf.clear();
                self.state = State::InString;
            }
            State::Strings if b == b']' => self.state = State::AfterValue,
            State::AfterValue if is_ws(b) => {}
            State::AfterValue if b == b',' => self.state = State::Key,
            State::AfterValue if b == b'}' => self.state = State::Done,
            State::Done if is_ws(b) => {}
            State::Done => {
                if !self.trailing_garbage {
                    self.trailing_garbage = true;
                    self.warnings.push("the file has extra bytes after the snapshot's closing brace; they were ignored".into());
                }
            }
            _ => return Err(self.unexpected(b, i)),
        }
        Ok(true)
    }

    /// The error for byte `b`, found at `buf[i]` of the chunk being pushed (`self.bytes` counts
    /// the chunks before it, so the offset is the file's, whatever the chunk sizes).
    pub(super) fn unexpected(&self, b: u8, i: usize) -> DecodeError {
        let where_ = match self.state {
            State::Value(sec) | State::Numbers(sec) => sec.what(),
            State::Strings | State::InString => Section::Strings.what(),
            _ => "the top-level object",
        };
        err(format!(
            "this is not a valid V8 heap snapshot: unexpected {:?} in {where_} at byte {}",
            b as char,
            self.bytes + i as u64
        ))
    }

    fn section_for_key(&mut self) -> Result<Section, DecodeError> {
        let sec = match self.key.as_slice() {
            b"snapshot" => Section::Snapshot,
            b"nodes" => Section::Nodes,
            b"edges" => Section::Edges,
            b"locations" => Section::Locations,
            b"strings" => Section::Strings,
            _ => Section::Other,
        };
        if self.header.is_none() && sec != Section::Snapshot {
            return Err(err(format!(
                "this JSON is not a V8 heap snapshot: its first key is {:?}, not \"snapshot\"",
                String::from_utf8_lossy(&self.key)
            )));
        }
        Ok(sec)
    }

    fn scan_capture(&mut self, buf: &[u8], mut i: usize) -> Result<usize, DecodeError> {
        while i < buf.len() {
            let b = buf[i];
            i += 1;
            self.capture.push(b);
            if self.in_str {
                self.string_byte(b);
                continue;
            }
            match b {
                b'"' => self.in_str = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth == 0 {
                        self.finish_header()?;
                        self.state = State::AfterValue;
                        return Ok(i);
                    }
                }
                _ => {}
            }
            if self.capture.len() > MAX_HEADER_BYTES {
                return Err(err(
                    "the snapshot header is over 1 MiB: this is not a V8 heap snapshot",
                ));
            }
        }
        Ok(i)
    }

    fn finish_header(&mut self) -> Result<(), DecodeError> {
        let h = Header::parse(&self.capture)?;
        self.capture = Vec::new();
        let pos = |f: NodeField| h.node_fields.iter().position(|&x| x == f).unwrap_or(0);
        let epos = |f: EdgeField| h.edge_fields.iter().position(|&x| x == f).unwrap_or(0);
        let layout = Layout {
            nf: h.node_fields.len(),
            ef: h.edge_fields.len(),
            n_type: pos(NodeField::Type),
            n_name: pos(NodeField::Name),
            n_id: pos(NodeField::Id),
            n_size: pos(NodeField::SelfSize),
            n_edges: pos(NodeField::EdgeCount),
            n_detached: h.has_detachedness.then(|| pos(NodeField::Detachedness)),
            e_type: epos(EdgeField::Type),
            e_name: epos(EdgeField::NameOrIndex),
            e_to: epos(EdgeField::ToNode),
            node_types: h.node_types.len(),
            to_div: u32::try_from(h.node_fields.len())
                .ok()
                .and_then(ExactDiv::new),
        };
        let mut b =
            HeapGraphBuilder::new(h.node_types.clone(), h.edge_types.clone()).map_err(err)?;
        if h.has_detachedness {
            b.with_detachedness();
        }
        // Size the columns once from the header counts (wasm memory never shrinks), but never
        // beyond what the input could hold: each number takes at least 2 bytes ("0,").
        let cap = |count: Option<u64>, fields: usize| {
            let c = count.unwrap_or(0);
            let by_size = self
                .max_plain_bytes
                .map_or(u64::MAX, |m| m / (2 * fields.max(1) as u64) + 1);
            c.min(by_size) as usize
        };
        b.reserve(cap(h.node_count, layout.nf), cap(h.edge_count, layout.ef));
        self.rec = vec![0; layout.nf.max(layout.ef)];
        self.layout = Some(layout);
        self.builder = Some(b);
        self.header = Some(h);
        Ok(())
    }
}

fn cut_off(what: &str) -> DecodeError {
    err(format!(
        "the file ends in the middle of {what}: it was cut off"
    ))
}
