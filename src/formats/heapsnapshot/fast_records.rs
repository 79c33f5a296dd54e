//! The fast path of the `nodes`/`edges`/`locations` scan: whole records parsed into locals, digits
//! found and converted eight bytes at a time (SWAR, plain u64 math, fast on wasm32 too). It never
//! reports errors: anything unusual or cut by the chunk end is left to the byte-at-a-time scanner.

/// The widest record the fast path parses (V8 writes 6 or 7 node fields and 3 edge fields).
pub(super) const MAX_FIELDS: usize = 16;

const ONES: u64 = 0x0101_0101_0101_0101;

/// A record's numbers; positions are masked with `MAX_FIELDS - 1`, so reads never panic.
pub(super) type Record = [u32; MAX_FIELDS];

/// Reads field `at` of a record (`at < MAX_FIELDS` by construction; the mask only keeps the
/// compiler from emitting a bounds check).
#[inline(always)]
pub(super) fn field(rec: &Record, at: usize) -> u32 {
    rec[at & (MAX_FIELDS - 1)]
}

/// Value of the ASCII digits (already minus `'0'`) in the top `len` bytes of `x`, `1..=8`,
/// first digit most significant: the classic three-multiply SWAR conversion.
#[inline(always)]
fn swar_value(x: u64) -> u64 {
    let x = (x & 0x0F0F_0F0F_0F0F_0F0F).wrapping_mul(10 * 256 + 1) >> 8;
    let x = (x & 0x00FF_00FF_00FF_00FF).wrapping_mul(100 * 65536 + 1) >> 16;
    (x & 0x0000_FFFF_0000_FFFF).wrapping_mul((10000 << 32) + 1) >> 32
}

/// Parses the unsigned decimal number starting at `buf[i]`: its value and the index just past
/// its last digit. `None` when `buf[i]` is not a digit, when the run has more than 10 digits or
/// a value above `u32::MAX`, or when the chunk ends before a non-digit byte proves the number
/// complete (it may continue in the next chunk).
#[inline(always)]
pub(super) fn parse_u32(buf: &[u8], i: usize) -> Option<(u32, usize)> {
    let w: [u8; 8] = buf.get(i..i.wrapping_add(8))?.try_into().ok()?;
    let x = u64::from_le_bytes(w) ^ (b'0' as u64 * ONES);
    // A byte is a digit iff x <= 9. x + 0x76 sets its top bit for 10..=0x7F, `| x` for the
    // rest; a carry out of a non-digit byte only disturbs the bytes after the first non-digit.
    let non_digit = (x.wrapping_add(0x76 * ONES) | x) & (0x80 * ONES);
    let len = (non_digit.trailing_zeros() / 8) as usize;
    match len {
        0 => None,
        1..=7 => Some((swar_value(x << (64 - 8 * len)) as u32, i + len)),
        // Eight digits (node indexes of big snapshots), or more.
        _ => match buf.get(i + 8)?.wrapping_sub(b'0') {
            10.. => Some((swar_value(x) as u32, i + 8)),
            _ => parse_long(buf, i, swar_value(x)),
        },
    }
}

/// `parse_u32` of a number of nine digits or more, whose first eight are worth `first8`: at
/// most two more digits fit a u32. Out of line, so that the record loops stay small enough
/// for the compiler to unroll.
#[cold]
#[inline(never)]
fn parse_long(buf: &[u8], i: usize, first8: u64) -> Option<(u32, usize)> {
    let mut v = first8;
    let mut j = i + 8;
    loop {
        let d = buf.get(j)?.wrapping_sub(b'0');
        if d >= 10 {
            break;
        }
        if j - i == 10 {
            return None;
        }
        v = v * 10 + d as u64;
        j += 1;
    }
    u32::try_from(v).ok().map(|v| (v, j))
}

/// Bit `b` is set for each separator byte `b`: `,` and JSON whitespace.
const SEPARATORS: u64 = 1 << b',' | 1 << b' ' | 1 << b'\n' | 1 << b'\r' | 1 << b'\t';

/// Whether `b` is a separator: one shift and mask, where a `match` became a jump table per
/// byte in the page's worker.
#[inline(always)]
fn is_separator(b: u8) -> bool {
    b < 64 && SEPARATORS >> b & 1 != 0
}

/// Skips separators; `None` when the chunk ends first.
#[inline(always)]
fn skip_separators(buf: &[u8], mut i: usize) -> Option<usize> {
    while is_separator(*buf.get(i)?) {
        i += 1;
    }
    Some(i)
}

/// A one-digit number at `buf[i]` (a digit followed by a separator), else `None`.
#[inline(always)]
fn parse_digit(buf: &[u8], i: usize) -> Option<(u32, usize)> {
    let [d, after] = *buf.get(i..i.wrapping_add(2))? else {
        return None;
    };
    let d = d.wrapping_sub(b'0');
    (d < 10 && is_separator(after)).then_some((d as u32, i + 1))
}

/// Parses the number after the separators at `buf[*i]`, and moves `*i` past it; with
/// `one_digit`, a one-digit number is tried first.
#[inline(always)]
fn next_number(buf: &[u8], i: &mut usize, one_digit: bool) -> Option<u32> {
    let at = skip_separators(buf, *i)?;
    let (v, next) = match one_digit.then(|| parse_digit(buf, at)).flatten() {
        Some(one) => one,
        None => parse_u32(buf, at)?,
    };
    *i = next;
    Some(v)
}

/// Parses one record of `width` numbers (separators before each, none required after the
/// last) into `rec`; returns the index just past its last digit, or `None` to fall back.
/// Fields whose bit is set in `small` (type, detachedness) are nearly always one digit: they
/// are tried as one first, which is cheaper than the eight-byte conversion. V8's widths (3
/// and 7) are written out field by field: as a loop, the compiler kept the record in memory.
#[inline(always)]
pub(super) fn parse_record(
    buf: &[u8],
    mut i: usize,
    width: usize,
    small: u32,
    rec: &mut Record,
) -> Option<usize> {
    macro_rules! fields {
        ($($k:literal)*) => {{
            $(rec[$k] = next_number(buf, &mut i, small >> $k & 1 != 0)?;)*
        }};
    }
    match width {
        3 => fields!(0 1 2),
        7 => fields!(0 1 2 3 4 5 6),
        _ => {
            for (k, slot) in rec.iter_mut().take(width).enumerate() {
                *slot = next_number(buf, &mut i, small >> k & 1 != 0)?;
            }
        }
    }
    Some(i)
}

/// Where whole records come from: JSON text (`Text`), or numbers parsed ahead (`Parsed`).
pub(super) trait Records {
    /// Hands whole records of `width` numbers, from position `i` on, to `commit` while it
    /// accepts them; returns the position just past the last committed record. `small`: the
    /// fields that are nearly always one digit (`parse_record`).
    fn scan(
        &self,
        i: usize,
        width: usize,
        small: u32,
        commit: impl FnMut(&Record) -> bool,
    ) -> usize;
}

/// JSON text: records parsed with `parse_record` (any separators, up to the chunk end).
pub(super) struct Text<'a>(pub &'a [u8]);

impl Records for Text<'_> {
    #[inline(always)]
    fn scan(
        &self,
        mut i: usize,
        width: usize,
        small: u32,
        mut commit: impl FnMut(&Record) -> bool,
    ) -> usize {
        let mut rec: Record = [0; MAX_FIELDS];
        while let Some(next) = parse_record(self.0, i, width, small, &mut rec) {
            if !commit(&rec) {
                break;
            }
            i = next;
        }
        i
    }
}

/// Numbers already parsed (on another thread): records are runs of `width` of them.
pub(super) struct Parsed<'a>(pub &'a [u32]);

impl Records for Parsed<'_> {
    #[inline(always)]
    fn scan(
        &self,
        mut i: usize,
        width: usize,
        _small: u32,
        mut commit: impl FnMut(&Record) -> bool,
    ) -> usize {
        let mut rec: Record = [0; MAX_FIELDS];
        let width = width.min(MAX_FIELDS);
        while let Some(numbers) = self.0.get(i..i + width) {
            rec[..width].copy_from_slice(numbers);
            if !commit(&rec) {
                break;
            }
            i += width;
        }
        i
    }
}

/// Parses a slice of a snapshot's number arrays ahead of the scanner, on another thread (the
/// CLI's reading thread), for `push_split`: `slice[first]` and `slice[last]` are its first and
/// last bytes that are not digits, and `out` receives the numbers between them. `None` when the
/// slice holds anything but digits, commas and JSON whitespace, has no such byte, or a number
/// above `u32::MAX`: the scanner then reads the slice as text, and reports what is wrong.
pub fn split_numbers(slice: &[u8], out: &mut Vec<u32>) -> Option<(usize, usize)> {
    out.clear();
    let first = slice.iter().position(|b| !b.is_ascii_digit())?;
    let last = slice.iter().rposition(|b| !b.is_ascii_digit())?;
    let (mut value, mut digits) = (0u64, 0u32);
    for &b in &slice[first..=last] {
        let d = b.wrapping_sub(b'0');
        if d < 10 {
            value = value * 10 + d as u64;
            digits += 1;
            if digits > 10 {
                return None;
            }
            continue;
        }
        if digits > 0 {
            out.push(u32::try_from(value).ok()?);
            (value, digits) = (0, 0);
        }
        if !matches!(b, b',' | b' ' | b'\n' | b'\r' | b'\t') {
            return None;
        }
    }
    Some((first, last))
}

/// Exact division by the node field count without a hardware divide: `to_node` must be a
/// multiple of it, and multiplying by the inverse modulo 2^32 both tests that and yields the
/// quotient (Granlund and Montgomery 1994, §9).
#[derive(Clone, Copy, Debug)]
pub(super) struct ExactDiv {
    inverse: u32,
    shift: u32,
    max_quotient: u32,
}

impl ExactDiv {
    /// A divider by `d`; `None` for 0.
    pub fn new(d: u32) -> Option<Self> {
        if d == 0 {
            return None;
        }
        let shift = d.trailing_zeros();
        let odd = d >> shift;
        // Newton's iteration doubles the correct low bits each step: 3 → 6 → 12 → 24 → 48.
        let mut inverse = odd;
        for _ in 0..4 {
            inverse = inverse.wrapping_mul(2u32.wrapping_sub(odd.wrapping_mul(inverse)));
        }
        Some(ExactDiv {
            inverse,
            shift,
            max_quotient: u32::MAX / d,
        })
    }

    /// `n / d` when `d` divides `n`, else `None`.
    #[inline(always)]
    pub fn div(self, n: u32) -> Option<u32> {
        let q = n.wrapping_mul(self.inverse).rotate_right(self.shift);
        (q <= self.max_quotient).then_some(q)
    }
}

#[cfg(test)]
mod tests;
