//! `WeakMapEdges`: recognises V8's ephemeron edge names, `<n> / part of key (<k> @<id>) -> value
//! (<v> @<id>) pair in WeakMap (table @<id>)`, with DevTools' regex (`tryParseWeakMapEdgeName`).
//! Each distinct internal edge name is parsed once.

use std::collections::HashMap;

use regex_lite::Regex;

use super::bit_set::BitSet;
use crate::model::HeapGraph;

/// A parsed ephemeron edge name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WeakMapName {
    /// Byte offset where the part shared by the key→value and table→value edges starts.
    pub duplicated_from: usize,
    /// The WeakMap table's node id (saturated if absurdly long).
    pub table_id: u64,
    /// Names with the same part from `duplicated_from` on (the key → value and table → value
    /// edges of one ephemeron) share this number.
    pub pair: u32,
}

/// The ephemeron names among a graph's internal edge names, by string index.
#[derive(Debug, Default)]
pub(crate) struct WeakMapEdges {
    names: HashMap<u32, WeakMapName>,
    /// The keys of `names`, one bit per string: most internal edges are not ephemerons, and
    /// a bit test answers them without hashing.
    is_name: BitSet,
    /// How many distinct ephemeron pairs the names describe (`WeakMapName::pair` is below).
    pair_count: usize,
}

impl WeakMapEdges {
    /// Parses every string of the snapshot that has an ephemeron name's form. DevTools parses
    /// the names of `internal` edges only, and `get` is only asked about those, so an entry for
    /// a string that is no such name is never read. The string table is read instead of the
    /// edges: it is a fraction of their size, and a pass that tests each edge's kind
    /// mispredicts about every other edge (35 ms of a 4.5 M-node snapshot, against 1 ms).
    pub fn of(g: &HeapGraph) -> Self {
        let mut names = HashMap::new();
        let mut pairs: HashMap<&str, u32> = HashMap::new();
        // DevTools' pattern, with JS's ASCII `\d` and its `.` (which excludes line terminators).
        // (regex-lite matches it as `regex` did: no Unicode classes in it.)
        let re = Regex::new(
            r"^[0-9]+(?P<dup> / part of key \([^\n\r\x{2028}\x{2029}]*? @[0-9]+\) -> value \([^\n\r\x{2028}\x{2029}]*? @[0-9]+\) pair in WeakMap \(table @(?P<table>[0-9]+)\))$",
        )
        .expect("valid regex");
        for (s, text) in g.strings().iter().enumerate() {
            if !text.ends_with(')') || !text.contains(" pair in WeakMap (table @") {
                continue;
            }
            if let Some(c) = re.captures(text) {
                let (Some(dup), Some(table)) = (c.name("dup"), c.name("table")) else {
                    continue;
                };
                let table_id = table.as_str().parse::<u64>().unwrap_or(u64::MAX);
                let next = pairs.len() as u32;
                let pair = *pairs.entry(dup.as_str()).or_insert(next);
                names.insert(
                    s as u32,
                    WeakMapName {
                        duplicated_from: dup.start(),
                        table_id,
                        pair,
                    },
                );
            }
        }
        let mut is_name = BitSet::new(g.strings().len());
        for &s in names.keys() {
            is_name.set(s as usize);
        }
        let pair_count = pairs.len();
        WeakMapEdges {
            names,
            is_name,
            pair_count,
        }
    }

    /// How many distinct ephemeron pairs there are.
    pub fn pair_count(&self) -> usize {
        self.pair_count
    }

    /// True when the graph has no ephemeron edge names.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The parsed name if string `name` is an ephemeron edge name.
    #[inline]
    pub fn get(&self, name: u32) -> Option<WeakMapName> {
        if !self.is_name.get(name as usize) {
            return None;
        }
        self.names.get(&name).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::HeapGraphBuilder;

    #[test]
    fn recognises_devtools_ephemeron_names() {
        let mut b = HeapGraphBuilder::v8();
        let r = b.add_node("synthetic", "", 1, 0);
        let v = b.add_node("object", "V", 3, 0);
        let name = "12 / part of key (Object @5) -> value (V @3) pair in WeakMap (table @7)";
        b.add_edge(r, "internal", name, v);
        b.add_edge(r, "internal", "12 / part of key (x) pair", v);
        b.add_edge(r, "property", name, v);
        let g = b.finish().unwrap();
        let w = WeakMapEdges::of(&g);
        let parsed = w.get(g.edge_name_or_index(0)).unwrap();
        assert_eq!(parsed.table_id, 7);
        assert_eq!(
            &name[parsed.duplicated_from..],
            " / part of key (Object @5) -> value (V @3) pair in WeakMap (table @7)"
        );
        assert_eq!(w.get(g.edge_name_or_index(1)), None);
    }
}
