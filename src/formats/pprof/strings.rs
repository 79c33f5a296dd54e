//! `ProtoStrings`: profile.proto's `string_table` as raw bytes, interned into the model's
//! `StringTable` only when first used. Invalid UTF-8 is converted lossily (U+FFFD), not fatal:
//! real producers write it (corpus `pyroscope_invalid_utf8.pb.gz`).

use crate::model::{StrId, StringTable};

use super::super::DecodeError;

const UNSET: StrId = StrId(u32::MAX);

/// The file's string table and the model ids of the entries used so far.
pub struct ProtoStrings {
    raw: Vec<Vec<u8>>,
    ids: Vec<StrId>,
    /// How many used entries were not valid UTF-8.
    pub lossy: usize,
}

/// A string index outside the table: the caller adds what referred to it.
#[derive(Debug)]
pub struct BadIndex {
    index: i64,
    len: usize,
}

impl BadIndex {
    /// The error, naming what held the bad index (`"function 3's name"`).
    pub fn at(self, what: impl std::fmt::Display) -> DecodeError {
        DecodeError::new(format!(
            "{what} refers to string {}, but the string table has only {} entries",
            self.index, self.len
        ))
    }
}

impl ProtoStrings {
    /// Wraps the table, checking pprof's rule that entry 0 is `""` (`profile/encode.go`).
    pub fn new(raw: Vec<Vec<u8>>) -> Result<Self, DecodeError> {
        match raw.first() {
            None => Err(DecodeError::new(
                "not a profile.proto: it has no string table (the bytes may be something else)",
            )),
            Some(first) if !first.is_empty() => Err(DecodeError::new(
                "not a valid profile.proto: string_table[0] must be ''",
            )),
            Some(_) => {
                let mut ids = vec![UNSET; raw.len()];
                ids[0] = StrId(0);
                Ok(ProtoStrings { raw, ids, lossy: 0 })
            }
        }
    }

    /// The model id of entry `index`, interning it into `table` on first use.
    #[inline]
    pub fn id(&mut self, index: i64, table: &mut StringTable) -> Result<StrId, BadIndex> {
        let i = self.check(index)?;
        let id = self.ids[i];
        if id != UNSET {
            return Ok(id);
        }
        let id = match std::str::from_utf8(&self.raw[i]) {
            Ok(s) => table.intern(s),
            Err(_) => {
                self.lossy += 1;
                table.intern(&String::from_utf8_lossy(&self.raw[i]))
            }
        };
        self.ids[i] = id;
        Ok(id)
    }

    /// Entry `index` as an owned string (for metadata, not interned).
    pub fn text(&self, index: i64) -> Result<String, BadIndex> {
        let i = self.check(index)?;
        Ok(String::from_utf8_lossy(&self.raw[i]).into_owned())
    }

    fn check(&self, index: i64) -> Result<usize, BadIndex> {
        usize::try_from(index)
            .ok()
            .filter(|&i| i < self.raw.len())
            .ok_or(BadIndex {
                index,
                len: self.raw.len(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_lazily_and_lossily() {
        let mut t = StringTable::new();
        let mut s =
            ProtoStrings::new(vec![b"".to_vec(), b"main".to_vec(), b"bad\xff".to_vec()]).unwrap();
        assert_eq!(s.id(0, &mut t).unwrap(), StrId(0));
        let main = s.id(1, &mut t).unwrap();
        assert_eq!(t.get(main), "main");
        let bad = s.id(2, &mut t).unwrap();
        assert_eq!(t.get(bad), "bad\u{fffd}");
        assert_eq!(s.lossy, 1);
        assert!(s
            .id(3, &mut t)
            .unwrap_err()
            .at("sample 1's label")
            .message
            .contains("only 3 entries"));
        assert!(s.id(-1, &mut t).is_err());
        assert!(ProtoStrings::new(vec![b"x".to_vec()]).is_err());
        assert!(ProtoStrings::new(vec![]).is_err());
    }
}
