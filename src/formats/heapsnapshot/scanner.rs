//! The streaming JSON scanner for plain (inflated) snapshot bytes: a state machine fed chunk by
//! chunk. It captures the small `snapshot` header for serde_json, scans `nodes`/`edges`/
//! `locations` digits straight into u32 columns, decodes `strings` one string at a time and skips
//! everything else with bounded memory (FORMATS-AND-LIMITS §3.1). It never holds the file text.

use crate::formats::DecodeError;
use crate::model::{HeapGraph, HeapGraphBuilder, HeapLocation, HeapStrings, NodeOrdinal};

use super::header::{EdgeField, Header, NodeField};
use super::DecodePhase;

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
            warnings: Vec::new(),
        }
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
                    if self.step(buf[i])? {
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

    /// One structural byte outside the bulk sections. Returns whether it was consumed.
    fn step(&mut self, b: u8) -> Result<bool, DecodeError> {
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
            _ => return Err(self.unexpected(b)),
        }
        Ok(true)
    }

    fn unexpected(&self, b: u8) -> DecodeError {
        let where_ = match self.state {
            State::Value(sec) | State::Numbers(sec) => sec.what(),
            State::Strings | State::InString => Section::Strings.what(),
            _ => "the top-level object",
        };
        err(format!(
            "this is not a valid V8 heap snapshot: unexpected {:?} in {where_} at byte {}",
            b as char, self.bytes
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

    fn start_numbers(&mut self, sec: Section) -> Result<(), DecodeError> {
        match sec {
            Section::Nodes if self.seen_nodes => {
                return Err(err("the snapshot has two nodes arrays"))
            }
            Section::Edges if self.seen_edges => {
                return Err(err("the snapshot has two edges arrays"))
            }
            Section::Edges if !self.seen_nodes => {
                return Err(err("the edges array comes before the nodes array"))
            }
            Section::Nodes => self.seen_nodes = true,
            Section::Edges => self.seen_edges = true,
            _ => {}
        }
        self.field = 0;
        self.cur = 0;
        self.in_num = false;
        self.state = State::Numbers(sec);
        Ok(())
    }

    /// The hot loop: decimal digits straight into the record, a carry (`cur`, `in_num`) across
    /// chunk boundaries.
    fn scan_numbers(
        &mut self,
        sec: Section,
        buf: &[u8],
        mut i: usize,
    ) -> Result<usize, DecodeError> {
        while i < buf.len() {
            let b = buf[i];
            let d = b.wrapping_sub(b'0');
            if d < 10 {
                // Saturate far above u32 so a runaway digit string cannot wrap around.
                self.cur = (self.cur * 10 + d as u64).min(1 << 40);
                self.in_num = true;
                i += 1;
                continue;
            }
            if self.in_num {
                let v = self.cur;
                self.cur = 0;
                self.in_num = false;
                self.emit(sec, v)?;
            }
            match b {
                b',' | b' ' | b'\n' | b'\r' | b'\t' => {}
                b']' => {
                    self.end_numbers(sec)?;
                    self.state = State::AfterValue;
                    return Ok(i + 1);
                }
                _ => return Err(self.unexpected(b)),
            }
            i += 1;
        }
        Ok(i)
    }

    fn emit(&mut self, sec: Section, v: u64) -> Result<(), DecodeError> {
        let Ok(v) = u32::try_from(v) else {
            return Err(err(format!(
                "{} holds the number {v}, larger than the 4294967295 leakscope (and DevTools) can store",
                sec.what()
            )));
        };
        match sec {
            Section::Locations => {
                self.locations.push(v);
                return Ok(());
            }
            Section::Nodes | Section::Edges => {}
            _ => return Ok(()),
        }
        let (Some(l), Some(b)) = (self.layout.as_ref(), self.builder.as_mut()) else {
            return Err(err("the nodes array comes before the snapshot header"));
        };
        let width = if sec == Section::Nodes { l.nf } else { l.ef };
        if let Some(slot) = self.rec.get_mut(self.field) {
            *slot = v;
        }
        self.field += 1;
        if self.field < width {
            return Ok(());
        }
        self.field = 0;
        let r = &self.rec;
        let h = self.header.as_ref();
        if sec == Section::Nodes {
            let kind = r[l.n_type];
            if kind > u8::MAX as u32 {
                return Err(err(format!(
                    "node {} has type {kind}, but the snapshot lists only {} node types",
                    self.nodes_read, l.node_types
                )));
            }
            if kind as usize >= l.node_types {
                // Old V8 (alinode, Chrome 2017) wrote `symbol` nodes (12) with a meta list of 12
                // names; DevTools then shows them as `(undefined)`. Keep them the same way.
                self.unlisted_types += 1;
                self.max_type = self.max_type.max(kind as u8);
            }
            let det = l.n_detached.map_or(0, |at| (r[at] & 3) as u8);
            b.push_node_raw(
                kind as u8,
                r[l.n_name],
                r[l.n_id],
                r[l.n_size],
                r[l.n_edges],
                det,
            );
            self.nodes_read += 1;
            if let Some(expected) = h
                .and_then(|h| h.node_count)
                .filter(|&c| self.nodes_read > c)
            {
                return Err(err(format!(
                    "the snapshot says {expected} nodes but the nodes array holds more than that"
                )));
            }
        } else {
            let to = r[l.e_to];
            if to as usize % l.nf != 0 {
                return Err(err(format!(
                    "edge {} points to node index {to}, which is not a multiple of the {} node fields",
                    self.edges_read, l.nf
                )));
            }
            let kind = u8::try_from(r[l.e_type]).unwrap_or(u8::MAX);
            b.push_edge_raw(kind, r[l.e_name], to / l.nf as u32)
                .map_err(err)?;
            self.edges_read += 1;
            if let Some(expected) = h
                .and_then(|h| h.edge_count)
                .filter(|&c| self.edges_read > c)
            {
                return Err(err(format!(
                    "the snapshot says {expected} edges but the edges array holds more than that"
                )));
            }
        }
        Ok(())
    }

    fn end_numbers(&mut self, sec: Section) -> Result<(), DecodeError> {
        let Some(l) = self.layout.as_ref() else {
            return Ok(());
        };
        if self.field != 0 {
            let (width, what) = if sec == Section::Nodes {
                (l.nf, "node")
            } else {
                (l.ef, "edge")
            };
            return Err(err(format!(
                "{} ends in the middle of a record: its length is not a multiple of the {width} {what} fields",
                sec.what()
            )));
        }
        Ok(())
    }

    /// Steps the string state over byte `b` of a JSON string (escapes included); true when
    /// `b` is the closing quote.
    fn string_byte(&mut self, b: u8) -> bool {
        if self.esc {
            self.esc = false;
        } else if b == b'\\' {
            self.esc = true;
        } else if b == b'"' {
            self.in_str = false;
            return true;
        }
        false
    }

    fn scan_skip(&mut self, buf: &[u8], mut i: usize) -> usize {
        while i < buf.len() {
            let b = buf[i];
            if self.in_str {
                if self.string_byte(b) && self.depth == 0 {
                    self.state = State::AfterValue;
                    return i + 1;
                }
                i += 1;
                continue;
            }
            match b {
                b'"' => self.in_str = true,
                b'[' | b'{' => self.depth += 1,
                b']' | b'}' if self.depth == 0 => {
                    self.state = State::AfterValue;
                    return i;
                }
                b']' | b'}' => {
                    self.depth -= 1;
                    if self.depth == 0 {
                        self.state = State::AfterValue;
                        return i + 1;
                    }
                }
                b',' if self.depth == 0 => {
                    self.state = State::AfterValue;
                    return i;
                }
                _ => {}
            }
            i += 1;
        }
        i
    }

    fn flush_high_surrogate(&mut self) {
        if self.high.take().is_some() {
            self.sbuf.extend_from_slice("\u{FFFD}".as_bytes());
        }
    }

    fn push_char(&mut self, c: char) {
        let mut tmp = [0u8; 4];
        self.sbuf
            .extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
    }

    /// One JSON string of the `strings` array, escapes decoded (V8 writes pure ASCII with
    /// `\uXXXX`; lone surrogates, which Rust strings cannot hold, become U+FFFD).
    fn scan_string(&mut self, buf: &[u8], mut i: usize) -> Result<usize, DecodeError> {
        while i < buf.len() {
            match self.sesc {
                Escape::None => {
                    let rest = &buf[i..];
                    let run = rest
                        .iter()
                        .position(|&b| b == b'"' || b == b'\\')
                        .unwrap_or(rest.len());
                    if run > 0 {
                        self.flush_high_surrogate();
                        self.sbuf.extend_from_slice(&rest[..run]);
                        i += run;
                        continue;
                    }
                    i += 1;
                    if rest[0] == b'\\' {
                        self.sesc = Escape::Backslash;
                    } else {
                        self.flush_high_surrogate();
                        self.end_string()?;
                        self.state = State::Strings;
                        return Ok(i);
                    }
                }
                Escape::Backslash => {
                    let b = buf[i];
                    i += 1;
                    let c = match b {
                        b'u' => {
                            self.sesc = Escape::Hex(0);
                            self.hex = 0;
                            continue;
                        }
                        b'n' => '\n',
                        b't' => '\t',
                        b'r' => '\r',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        _ => {
                            return Err(err(format!(
                                "the strings array holds a bad escape \\{}",
                                b as char
                            )))
                        }
                    };
                    self.flush_high_surrogate();
                    self.push_char(c);
                    self.sesc = Escape::None;
                }
                Escape::Hex(n) => {
                    let b = buf[i];
                    i += 1;
                    let Some(d) = (b as char).to_digit(16) else {
                        return Err(err("the strings array holds a bad \\u escape"));
                    };
                    self.hex = self.hex * 16 + d;
                    if n < 3 {
                        self.sesc = Escape::Hex(n + 1);
                        continue;
                    }
                    self.sesc = Escape::None;
                    let u = self.hex;
                    match u {
                        0xD800..=0xDBFF => {
                            self.flush_high_surrogate();
                            self.high = Some(u);
                        }
                        0xDC00..=0xDFFF => match self.high.take() {
                            Some(h) => {
                                let c = 0x10000 + ((h - 0xD800) << 10) + (u - 0xDC00);
                                self.push_char(char::from_u32(c).unwrap_or('\u{FFFD}'));
                            }
                            None => self.push_char('\u{FFFD}'),
                        },
                        _ => {
                            self.flush_high_surrogate();
                            self.push_char(char::from_u32(u).unwrap_or('\u{FFFD}'));
                        }
                    }
                }
            }
        }
        Ok(i)
    }

    fn end_string(&mut self) -> Result<(), DecodeError> {
        let pushed = match std::str::from_utf8(&self.sbuf) {
            Ok(s) => self.strings.push(s),
            Err(_) => self.strings.push(&String::from_utf8_lossy(&self.sbuf)),
        };
        self.sbuf.clear();
        pushed
            .map(|_| ())
            .ok_or_else(|| err("the strings array is over 4 GiB"))
    }

    /// Checks that the file was complete and consistent and returns the graph.
    pub fn finish(mut self) -> Result<(HeapGraph, Vec<String>), DecodeError> {
        match self.state {
            State::Done => {}
            State::Start if self.bytes == 0 => return Err(err("the file is empty")),
            State::Start => {
                return Err(err(
                    "this is not a V8 heap snapshot: it holds only whitespace",
                ))
            }
            State::Numbers(sec) | State::Value(sec) => return Err(cut_off(sec.what())),
            State::Strings | State::InString => return Err(cut_off(Section::Strings.what())),
            State::Capture => return Err(cut_off(Section::Snapshot.what())),
            State::Skip => return Err(cut_off(Section::Other.what())),
            _ => {
                return Err(err(
                    "the file ends before the snapshot's JSON object closes: it was cut off",
                ))
            }
        }
        let (Some(h), Some(l), Some(mut b)) =
            (self.header.take(), self.layout.take(), self.builder.take())
        else {
            return Err(err(
                "this JSON is not a V8 heap snapshot: it has no \"snapshot\" header",
            ));
        };
        for (seen, what) in [
            (self.seen_nodes, "nodes"),
            (self.seen_edges, "edges"),
            (self.seen_strings, "strings"),
        ] {
            if !seen {
                return Err(err(format!(
                    "the snapshot has no {what} array (an unsupported, very old format?)"
                )));
            }
        }
        if let Some(expected) = h.node_count.filter(|&c| c != self.nodes_read) {
            return Err(err(format!(
                "the snapshot says {expected} nodes but the nodes array holds {}",
                self.nodes_read
            )));
        }
        if let Some(expected) = h.edge_count.filter(|&c| c != self.edges_read) {
            return Err(err(format!(
                "the snapshot says {expected} edges but the edges array holds {}",
                self.edges_read
            )));
        }
        if h.root_index % l.nf as u64 != 0 || h.root_index / l.nf as u64 >= self.nodes_read {
            return Err(err(format!(
                "the snapshot's root_index {} is not a node",
                h.root_index
            )));
        }
        b.set_extra_native_bytes(h.extra_native_bytes);
        b.set_root(NodeOrdinal((h.root_index / l.nf as u64) as u32));
        std::mem::swap(b.strings_mut(), &mut self.strings);
        if self.unlisted_types > 0 {
            b.pad_node_types(self.max_type as usize + 1, "undefined");
            self.warnings.push(format!(
                "{} nodes have a type number that snapshot.meta does not name; they are shown as \"(undefined)\", as DevTools does",
                self.unlisted_types
            ));
        }
        self.add_locations(&h, &l, &mut b);
        let g = b.finish().map_err(err)?;
        Ok((g, self.warnings))
    }

    fn add_locations(&mut self, h: &Header, l: &Layout, b: &mut HeapGraphBuilder) {
        if self.locations.is_empty() {
            return;
        }
        let Some(([oi, si, li, ci], width)) = h.location_layout else {
            self.warnings
                .push("the locations array has no location_fields in meta; it was ignored".into());
            return;
        };
        let mut bad = 0usize;
        for rec in self.locations.chunks_exact(width.max(1)) {
            let idx = rec[oi] as usize;
            if idx % l.nf != 0 || (idx / l.nf) as u64 >= self.nodes_read {
                bad += 1;
                continue;
            }
            b.push_location(HeapLocation {
                node: NodeOrdinal((idx / l.nf) as u32),
                script_id: rec[si],
                line: rec[li],
                column: rec[ci],
            });
        }
        if bad > 0 {
            self.warnings.push(format!(
                "{bad} locations point at no node; they were ignored"
            ));
        }
        self.locations = Vec::new();
    }
}

fn cut_off(what: &str) -> DecodeError {
    err(format!(
        "the file ends in the middle of {what}: it was cut off"
    ))
}
