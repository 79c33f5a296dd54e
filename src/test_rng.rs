//! `XorShift`: the tests' one pseudo-random generator (Marsaglia's xorshift64, shifts 13, 7,
//! 17), so that random-input tests are repeatable and share one implementation.

/// A xorshift64 generator; a seed gives the same sequence on every run.
pub(crate) struct XorShift(u64);

impl XorShift {
    /// A generator starting from `seed` (not 0, which it never leaves).
    pub(crate) fn new(seed: u64) -> Self {
        XorShift(seed)
    }

    /// The next number.
    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// The next number modulo `bound` (> 0).
    pub(crate) fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound
    }
}
