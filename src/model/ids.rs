//! Newtype indices into the model's tables, so that ids of different tables never mix.
//! Each is a dense `u32` row number of its own table; none of them is a producer's id.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

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

/// The hasher behind `IdMap`: rustc's Fx hash from `rustc-hash`, a multiply-rotate hash that
/// also reads strings and byte slices several bytes at a time.
pub type IdHasher = rustc_hash::FxHasher;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, Hash, Hasher};

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
