//! `HeapGraph::to_text`: one readable line per node and per edge, the test oracle for small
//! graphs (and a "copy as text" form). Not meant for million-node snapshots.

use std::fmt::Write;

use super::{HeapGraph, NodeOrdinal};

impl HeapGraph {
    /// A dump such as:
    ///
    /// ```text
    /// #0 synthetic "" id=1 self=0
    ///   shortcut "global" -> #1
    /// #1 object "Window" id=3 self=32
    /// ```
    ///
    /// Detachedness is shown as ` detached=N` when the file has that field and it is non-zero.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for o in 0..self.node_count() {
            let n = NodeOrdinal(o as u32);
            let _ = write!(
                out,
                "#{o} {} {:?} id={} self={}",
                self.node_type_name(n),
                self.node_name(n),
                self.node_id(n),
                self.self_size(n)
            );
            if self.detachedness(n) != 0 {
                let _ = write!(out, " detached={}", self.detachedness(n));
            }
            out.push('\n');
            for e in self.edges(n) {
                let kind = self
                    .edge_type_names
                    .get(self.edge_kind(e) as usize)
                    .map(String::as_str)
                    .unwrap_or("?");
                let name = match self.edge_name_index(e) {
                    Some(s) => format!("{:?}", self.strings.get(s)),
                    None => self.edge_name_or_index(e).to_string(),
                };
                let _ = writeln!(out, "  {kind} {name} -> #{}", self.edge_to(e).0);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::model::HeapGraphBuilder;

    #[test]
    fn builder_round_trips_through_text() {
        let mut b = HeapGraphBuilder::v8();
        let root = b.add_node("synthetic", "", 1, 0);
        let win = b.add_node("object", "Window", 3, 32);
        let arr = b.add_node("array", "", 5, 16);
        b.add_edge(root, "shortcut", "global", win);
        b.add_edge(win, "element", "0", arr);
        b.add_edge(win, "weak", "cache", arr);
        let g = b.finish().unwrap();
        assert_eq!(g.node_count(), 3);
        assert_eq!(g.edge_count(), 3);
        assert_eq!(g.edges(win), 1..3);
        assert_eq!(g.edge_name(1), "0");
        assert_eq!(
            g.to_text(),
            "#0 synthetic \"\" id=1 self=0\n  shortcut \"global\" -> #1\n\
             #1 object \"Window\" id=3 self=32\n  element 0 -> #2\n  weak \"cache\" -> #2\n\
             #2 array \"\" id=5 self=16\n"
        );
    }

    #[test]
    fn finish_rejects_edges_past_the_end_and_bad_counts() {
        let mut b = HeapGraphBuilder::v8();
        let root = b.add_node("synthetic", "", 1, 0);
        b.add_edge(root, "property", "x", crate::model::NodeOrdinal(7));
        assert!(b
            .finish()
            .unwrap_err()
            .contains("past the last of the 1 nodes"));

        let mut b = HeapGraphBuilder::v8();
        b.push_node_raw(9, 0, 1, 0, 2, 0);
        b.push_edge_raw(2, 0, 0).unwrap();
        assert!(b
            .finish()
            .unwrap_err()
            .contains("add up to 2 edges but the edges array holds 1"));
        assert!(HeapGraphBuilder::v8().push_edge_raw(7, 0, 0).is_err());
        assert!(HeapGraphBuilder::v8()
            .push_edge_raw(2, 1 << 28, 0)
            .unwrap_err()
            .contains("28 bits"));
    }
}
