//! The `strings` array and skipped values: JSON strings with escapes and surrogate pairs,
//! decoded as they stream into the graph's string blob. No numbers here.

use super::*;

impl Scanner {
    /// Steps the string state over byte `b` of a JSON string (escapes included); true when
    /// `b` is the closing quote.
    pub(super) fn string_byte(&mut self, b: u8) -> bool {
        if self.esc {
            self.esc = false;
        } else if b == b'\\' {
            self.esc = true;
        } else if b == b'"' {
            self.in_str = false;
            return true;
        }
        false
    }

    pub(super) fn scan_skip(&mut self, buf: &[u8], mut i: usize) -> usize {
        while i < buf.len() {
            let b = buf[i];
            if self.in_str {
                if self.string_byte(b) && self.depth == 0 {
                    self.state = State::AfterValue;
                    return i + 1;
                }
                i += 1;
                continue;
            }
            match b {
                b'"' => self.in_str = true,
                b'[' | b'{' => self.depth += 1,
                b']' | b'}' if self.depth == 0 => {
                    self.state = State::AfterValue;
                    return i;
                }
                b']' | b'}' => {
                    self.depth -= 1;
                    if self.depth == 0 {
                        self.state = State::AfterValue;
                        return i + 1;
                    }
                }
                b',' if self.depth == 0 => {
                    self.state = State::AfterValue;
                    return i;
                }
                _ => {}
            }
            i += 1;
        }
        i
    }

    pub(super) fn flush_high_surrogate(&mut self) {
        if self.high.take().is_some() {
            self.sbuf.extend_from_slice("\u{FFFD}".as_bytes());
        }
    }

    pub(super) fn push_char(&mut self, c: char) {
        let mut tmp = [0u8; 4];
        self.sbuf
            .extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
    }

    /// One JSON string of the `strings` array, escapes decoded (V8 writes pure ASCII with
    /// `\uXXXX`; lone surrogates, which Rust strings cannot hold, become U+FFFD).
    pub(super) fn scan_string(&mut self, buf: &[u8], mut i: usize) -> Result<usize, DecodeError> {
        while i < buf.len() {
            match self.sesc {
                Escape::None => {
                    let rest = &buf[i..];
                    let run = rest
                        .iter()
                        .position(|&b| b == b'"' || b == b'\\')
                        .unwrap_or(rest.len());
                    if run > 0 {
                        self.flush_high_surrogate();
                        self.sbuf.extend_from_slice(&rest[..run]);
                        i += run;
                        continue;
                    }
                    i += 1;
                    if rest[0] == b'\\' {
                        self.sesc = Escape::Backslash;
                    } else {
                        self.flush_high_surrogate();
                        self.end_string()?;
                        self.state = State::Strings;
                        return Ok(i);
                    }
                }
                Escape::Backslash => {
                    let b = buf[i];
                    i += 1;
                    let c = match b {
                        b'u' => {
                            self.sesc = Escape::Hex(0);
                            self.hex = 0;
                            continue;
                        }
                        b'n' => '\n',
                        b't' => '\t',
                        b'r' => '\r',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        _ => {
                            return Err(err(format!(
                                "the strings array holds a bad escape \\{}",
                                b as char
                            )))
                        }
                    };
                    self.flush_high_surrogate();
                    self.push_char(c);
                    self.sesc = Escape::None;
                }
                Escape::Hex(n) => {
                    let b = buf[i];
                    i += 1;
                    let Some(d) = (b as char).to_digit(16) else {
                        return Err(err("the strings array holds a bad \\u escape"));
                    };
                    self.hex = self.hex * 16 + d;
                    if n < 3 {
                        self.sesc = Escape::Hex(n + 1);
                        continue;
                    }
                    self.sesc = Escape::None;
                    let u = self.hex;
                    match u {
                        0xD800..=0xDBFF => {
                            self.flush_high_surrogate();
                            self.high = Some(u);
                        }
                        0xDC00..=0xDFFF => match self.high.take() {
                            Some(h) => {
                                let c = 0x10000 + ((h - 0xD800) << 10) + (u - 0xDC00);
                                self.push_char(char::from_u32(c).unwrap_or('\u{FFFD}'));
                            }
                            None => self.push_char('\u{FFFD}'),
                        },
                        _ => {
                            self.flush_high_surrogate();
                            self.push_char(char::from_u32(u).unwrap_or('\u{FFFD}'));
                        }
                    }
                }
            }
        }
        Ok(i)
    }

    pub(super) fn end_string(&mut self) -> Result<(), DecodeError> {
        let pushed = match std::str::from_utf8(&self.sbuf) {
            Ok(s) => self.strings.push(s),
            Err(_) => self.strings.push(&String::from_utf8_lossy(&self.sbuf)),
        };
        self.sbuf.clear();
        pushed
            .map(|_| ())
            .ok_or_else(|| err("the strings array is over 4 GiB"))
    }
}
