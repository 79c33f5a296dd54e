//! The end of the input: checks that the file was complete and its counts agree, then
//! hands the builder's graph over (with the allocation sites of the `locations` array).

use super::*;

impl Scanner {
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

    pub(super) fn add_locations(&mut self, h: &Header, l: &Layout, b: &mut HeapGraphBuilder) {
        if self.locations.is_empty() {
            return;
        }
        let Some(([oi, si, li, ci], width)) = h.location_layout else {
            self.warnings
                .push("the locations array has no location_fields in meta; it was ignored".into());
            return;
        };
        let mut bad = 0usize;
        b.reserve_locations(self.locations.len() / width.max(1));
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
