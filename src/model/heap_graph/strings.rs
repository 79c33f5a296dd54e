//! `HeapStrings`: a snapshot's `strings` array as one text blob plus end offsets, so millions of
//! names cost 4 bytes each instead of a `String` header and allocation apiece.

use serde::{Deserialize, Serialize};

/// An append-only list of strings stored back to back. Index 0 is V8's `"<dummy>"`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeapStrings {
    text: String,
    ends: Vec<u32>,
}

impl HeapStrings {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many strings are stored.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when no string is stored.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Total bytes of text.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// String `i`; out of range reads as `""`.
    pub fn get(&self, i: u32) -> &str {
        let i = i as usize;
        let Some(&end) = self.ends.get(i) else {
            return "";
        };
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.text.get(start as usize..end as usize).unwrap_or("")
    }

    /// Appends `s` and returns its index, or `None` once the text would pass 4 GiB.
    pub fn push(&mut self, s: &str) -> Option<u32> {
        let end = u32::try_from(self.text.len() + s.len()).ok()?;
        let index = u32::try_from(self.ends.len()).ok()?;
        self.text.push_str(s);
        self.ends.push(end);
        Some(index)
    }

    /// Iterates over all strings in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.ends.len() as u32).map(move |i| self.get(i))
    }

    /// Releases spare capacity (wasm memory never shrinks, so trim before building more).
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_and_get_round_trip() {
        let mut s = HeapStrings::new();
        assert_eq!(s.push("<dummy>"), Some(0));
        assert_eq!(s.push(""), Some(1));
        assert_eq!(s.push("héllo"), Some(2));
        assert_eq!(
            (s.get(0), s.get(1), s.get(2), s.get(3)),
            ("<dummy>", "", "héllo", "")
        );
        assert_eq!(s.iter().collect::<Vec<_>>(), ["<dummy>", "", "héllo"]);
    }
}
