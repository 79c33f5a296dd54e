//! `StringTable`: interned strings addressed by `StrId`. Entry 0 is always `""`, as in
//! profile.proto's string_table, so a zero id means "no name" everywhere in the model.

use std::collections::HashMap;

use super::StrId;

/// Interned strings. Invariant: `get(StrId(0)) == ""`, and each distinct string is stored once.
#[derive(Clone, Debug)]
pub struct StringTable {
    strings: Vec<String>,
    index: HashMap<String, StrId>,
}

impl Default for StringTable {
    fn default() -> Self {
        let mut table = StringTable {
            strings: Vec::new(),
            index: HashMap::new(),
        };
        table.intern("");
        table
    }
}

impl StringTable {
    /// An empty table holding only `""` at id 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// The id of `s`, adding it if it is new.
    pub fn intern(&mut self, s: &str) -> StrId {
        if let Some(&id) = self.index.get(s) {
            return id;
        }
        let id = StrId::from_index(self.strings.len());
        self.strings.push(s.to_owned());
        self.index.insert(s.to_owned(), id);
        id
    }

    /// The string behind `id`; an id from another table that is out of range reads as `""`.
    pub fn get(&self, id: StrId) -> &str {
        self.strings
            .get(id.index())
            .map(String::as_str)
            .unwrap_or("")
    }

    /// The id of `s` if it was interned.
    pub fn find(&self, s: &str) -> Option<StrId> {
        self.index.get(s).copied()
    }

    /// How many strings are interned, `""` included.
    pub fn len(&self) -> usize {
        self.strings.len()
    }

    /// True when only `""` is interned.
    pub fn is_empty(&self) -> bool {
        self.strings.len() <= 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_is_idempotent_and_zero_is_empty() {
        let mut t = StringTable::new();
        assert_eq!(t.get(StrId(0)), "");
        let a = t.intern("main.leak");
        let b = t.intern("main.leak");
        assert_eq!(a, b);
        assert_eq!(t.intern(""), StrId(0));
        assert_eq!(t.get(a), "main.leak");
        assert_eq!(t.len(), 2);
        assert_eq!(t.get(StrId(99)), "");
    }
}
