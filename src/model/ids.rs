//! Newtype indices into the model's tables, so that ids of different tables never mix.
//! Each is a dense `u32` row number of its own table; none of them is a producer's id.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub struct $name(pub u32);

        impl $name {
            /// The row number as a `usize`, for indexing the table's columns.
            #[inline]
            pub fn index(self) -> usize {
                self.0 as usize
            }

            /// The id of row `i`. Tables never grow past `u32::MAX` rows.
            #[inline]
            pub fn from_index(i: usize) -> Self {
                debug_assert!(i <= u32::MAX as usize);
                Self(i as u32)
            }
        }
    };
}

id_type!(
    /// A row of `Profile::frames`.
    FrameId
);
id_type!(
    /// A row of `StackTree`: one distinct call path from a root frame down to this frame.
    StackId
);
id_type!(
    /// A string interned in a `StringTable`. `StrId(0)` is always the empty string.
    StrId
);

/// A hash map keyed by the model's own ids and counters (row numbers, packed id pairs).
/// The default SipHash spent three quarters of a million-stack decode hashing; these keys
/// come from our own tables, not from an adversary, so a fast non-cryptographic hash is the
/// right trade.
pub type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// The multiply-rotate hasher behind `IdMap` (the Fx hash family).
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        // A product's low bits depend only on the input's low bits, and hash tables pick
        // buckets by low bits: rotate the well-mixed high bits down.
        self.0.rotate_left(26)
    }

    /// Eight bytes per multiply (strings and byte slices; a byte at a time made hashing a
    /// stack's frame names the checklist's hottest loop). The last few bytes are zero-padded:
    /// `str` and slices hash their length or a terminator too, so padding cannot merge keys.
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut word = [0u8; 8];
            word.copy_from_slice(w);
            self.write_u64(u64::from_le_bytes(word));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u32(&mut self, v: u32) {
        self.write_u64(u64::from(v));
    }

    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, Hash};

    /// Names that differ in any byte, including past a multiple of eight and in the padded
    /// tail, hash apart; so do a slice and its extension by an empty string.
    #[test]
    fn word_at_a_time_hashing_tells_names_apart() {
        let h = |v: &dyn Fn(&mut IdHasher)| {
            let mut s = BuildHasherDefault::<IdHasher>::default().build_hasher();
            v(&mut s);
            s.finish()
        };
        let names = [
            "",
            "a",
            "ab",
            "main.step1",
            "main.step2",
            "main.ste",
            "main.step10",
            "net/http.(*conn).serve",
            "net/http.(*conn).servf",
        ];
        let mut hashes: Vec<u64> = names.iter().map(|n| h(&|s| n.hash(s))).collect();
        assert_eq!(hashes[3], h(&|s| "main.step1".hash(s)));
        hashes.sort_unstable();
        hashes.dedup();
        assert_eq!(hashes.len(), names.len());
        let (a, b): (&[&str], &[&str]) = (&["x"], &["x", ""]);
        assert_ne!(h(&|s| a.hash(s)), h(&|s| b.hash(s)));
    }
}
