//! Newtype indices into the model's tables, so that ids of different tables never mix.
//! Each is a dense `u32` row number of its own table; none of them is a producer's id.

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
