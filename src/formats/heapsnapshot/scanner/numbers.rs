//! The `nodes`, `edges` and `locations` arrays: numbers scanned straight into the graph
//! builder's columns, whole records at a time on the fast path (`fast_records`), byte by byte
//! near chunk ends and for anything unusual (which is where every error message comes from).

use super::*;

impl Scanner {
    pub(super) fn start_numbers(&mut self, sec: Section) -> Result<(), DecodeError> {
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

    /// The number sections: at a record boundary the fast loop (`fast_records`) takes whole
    /// records; the byte-at-a-time path below handles the rest (records cut by the chunk end,
    /// anything unusual, every error), a carry (`cur`, `in_num`) across chunk boundaries.
    pub(super) fn scan_numbers(
        &mut self,
        sec: Section,
        buf: &[u8],
        mut i: usize,
    ) -> Result<usize, DecodeError> {
        while i < buf.len() {
            if self.fast && self.field == 0 && !self.in_num {
                // Separators between records mean nothing: skip them here, so that the fast
                // path starts at a digit and a long whitespace run is not rescanned from each
                // of its bytes (which made padded files quadratic).
                while let Some(b',' | b' ' | b'\n' | b'\r' | b'\t') = buf.get(i) {
                    i += 1;
                }
                i = self.fast_records(sec, &Text(buf), i);
            }
            let Some(&b) = buf.get(i) else {
                break;
            };
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
                _ => return Err(self.unexpected(b, i)),
            }
            i += 1;
        }
        Ok(i)
    }

    /// True while the scanner is inside a `nodes`, `edges` or `locations` array, where it
    /// takes numbers parsed ahead (`push_numbers`).
    pub fn takes_numbers(&self) -> bool {
        matches!(
            self.state,
            State::Numbers(Section::Nodes | Section::Edges | Section::Locations)
        )
    }

    /// Takes the numbers of the next `bytes` bytes of the current number array, parsed ahead
    /// (on another thread): those bytes hold only whole numbers and separators, and the bytes
    /// pushed before them ended with a separator. Records go through the same checks as text.
    pub fn push_numbers(&mut self, numbers: &[u32], bytes: u64) -> Result<(), DecodeError> {
        let sec = match self.state {
            State::Numbers(sec) if self.takes_numbers() && !self.in_num => sec,
            _ => {
                return Err(err(
                    "numbers parsed ahead arrived outside a number array (a leakscope bug)",
                ))
            }
        };
        let mut i = 0;
        while i < numbers.len() {
            if self.fast && self.field == 0 {
                i = self.fast_records(sec, &Parsed(numbers), i);
            }
            let Some(&v) = numbers.get(i) else {
                break;
            };
            self.emit(sec, v.into())?;
            i += 1;
        }
        self.bytes += bytes;
        Ok(())
    }

    /// Whole records of `sec` from `src` at position `i` while they validate; returns where
    /// it stopped.
    #[inline(always)]
    fn fast_records(&mut self, sec: Section, src: &impl Records, i: usize) -> usize {
        match sec {
            Section::Nodes => self.fast_nodes(src, i),
            Section::Edges => self.fast_edges(src, i),
            Section::Locations => self.fast_locations(src, i),
            _ => i,
        }
    }

    /// Whole node records while they parse and validate; returns where it stopped. Every check
    /// that fails leaves the record to `emit`, which reports it.
    pub(super) fn fast_nodes(&mut self, src: &impl Records, i: usize) -> usize {
        match &self.layout {
            Some(l) if l.v8_node_order() => self.fast_nodes_in::<true>(src, i),
            _ => self.fast_nodes_in::<false>(src, i),
        }
    }

    /// `fast_nodes`; with `V8`, the record is current V8's (`Layout::v8_node_order`) and its
    /// fields are read at constant positions, so that the record stays in registers instead of
    /// an array indexed in wasm memory.
    #[inline(always)]
    fn fast_nodes_in<const V8: bool>(&mut self, src: &impl Records, i: usize) -> usize {
        let (Some(l), Some(b)) = (self.layout.as_ref(), self.builder.as_mut()) else {
            return i;
        };
        if l.nf > MAX_FIELDS {
            return i;
        }
        let limit = self.header.as_ref().and_then(|h| h.node_count);
        let limit = limit.unwrap_or(u64::MAX);
        let mut read = self.nodes_read;
        let (mut unlisted, mut max_type) = (self.unlisted_types, self.max_type);
        let at = |at: usize, v8: usize| if V8 { v8 } else { at };
        let commit = |rec: &Record| {
            let Ok(kind) = u8::try_from(field(rec, at(l.n_type, 0))) else {
                return false;
            };
            if read >= limit {
                return false;
            }
            if kind as usize >= l.node_types {
                unlisted += 1;
                max_type = max_type.max(kind);
            }
            let det = match (V8, l.n_detached) {
                (true, _) => rec[6],
                (false, Some(d)) => field(rec, d),
                (false, None) => 0,
            };
            b.push_node_raw(
                kind,
                field(rec, at(l.n_name, 1)),
                field(rec, at(l.n_id, 2)),
                field(rec, at(l.n_size, 3)),
                field(rec, at(l.n_edges, 4)),
                (det & 3) as u8,
            );
            read += 1;
            true
        };
        // V8's type, trace node id and detachedness.
        let small = if V8 { 1 | 1 << 5 | 1 << 6 } else { 0 };
        let i = src.scan(i, at(l.nf, 7), small, commit);
        self.fast_taken += read - self.nodes_read;
        self.nodes_read = read;
        self.unlisted_types = unlisted;
        self.max_type = max_type;
        i
    }

    /// Whole edge records while they parse and validate; returns where it stopped.
    pub(super) fn fast_edges(&mut self, src: &impl Records, i: usize) -> usize {
        match &self.layout {
            Some(l) if l.v8_edge_order() => self.fast_edges_in::<true>(src, i),
            _ => self.fast_edges_in::<false>(src, i),
        }
    }

    /// `fast_edges`; with `V8`, the record is V8's (`Layout::v8_edge_order`), read at
    /// constant positions.
    #[inline(always)]
    fn fast_edges_in<const V8: bool>(&mut self, src: &impl Records, i: usize) -> usize {
        let (Some(l), Some(b)) = (self.layout.as_ref(), self.builder.as_mut()) else {
            return i;
        };
        let Some(div) = l.to_div.filter(|_| l.ef <= MAX_FIELDS) else {
            return i;
        };
        let limit = self.header.as_ref().and_then(|h| h.edge_count);
        let limit = limit.unwrap_or(u64::MAX);
        let mut read = self.edges_read;
        let at = |at: usize, v8: usize| if V8 { v8 } else { at };
        let commit = |rec: &Record| {
            let Some(to) = div.div(field(rec, at(l.e_to, 2))) else {
                return false;
            };
            let Ok(kind) = u8::try_from(field(rec, at(l.e_type, 0))) else {
                return false;
            };
            let name = field(rec, at(l.e_name, 1));
            if read >= limit || b.push_edge_raw(kind, name, to).is_err() {
                return false;
            }
            read += 1;
            true
        };
        let small = if V8 { 1 } else { 0 };
        let i = src.scan(i, at(l.ef, 3), small, commit);
        self.fast_taken += read - self.edges_read;
        self.edges_read = read;
        i
    }

    /// Whole location numbers; returns where it stopped.
    pub(super) fn fast_locations(&mut self, src: &impl Records, i: usize) -> usize {
        let locations = &mut self.locations;
        src.scan(i, 1, 0, |rec| {
            locations.push(field(rec, 0));
            true
        })
    }

    pub(super) fn emit(&mut self, sec: Section, v: u64) -> Result<(), DecodeError> {
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

    pub(super) fn end_numbers(&mut self, sec: Section) -> Result<(), DecodeError> {
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
}
