//! `/debug/pprof/goroutine?debug=1`: `goroutine profile: total N`, then groups of
//! `count @ 0xpc …`, an optional `# labels: {"k":"v"}` line and `#\t0xpc\tfunc+0xoff\tfile:line`
//! lines written through tabwriter (so fields are split on runs of tabs, FORMATS §1.5).

use super::{parse_hex, split_file_line, GoroutineBuilder};
use crate::formats::{DecodeError, Decoded};

/// One `#` symbol line.
struct SymLine<'a> {
    pc: u64,
    function: &'a str,
    file: &'a str,
    line: i64,
}

/// One group being read.
#[derive(Default)]
struct Group<'a> {
    count: i64,
    pcs: Vec<u64>,
    labels: Vec<(String, String)>,
    symbols: Vec<SymLine<'a>>,
}

/// Decodes a `debug=1` goroutine profile.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    let text = String::from_utf8_lossy(bytes);
    let mut b = GoroutineBuilder::new("goroutine debug=1");
    let mut total: Option<i64> = None;
    let mut group: Option<Group> = None;
    for raw in text.lines() {
        let line = raw.trim_end_matches('\r');
        if let Some(n) = line.trim_start().strip_prefix("goroutine profile: total ") {
            total = n.trim().parse().ok();
        } else if let Some(rest) = line.strip_prefix("# labels:") {
            match (group.as_mut(), parse_labels(rest.trim())) {
                (Some(g), Some(labels)) => g.labels = labels,
                _ => b.warn_once("some `# labels:` lines could not be read and were skipped"),
            }
        } else if let Some(rest) = line.strip_prefix('#') {
            if let (Some(g), Some(sym)) = (group.as_mut(), parse_symbol(rest)) {
                g.symbols.push(sym);
            }
        } else if let Some((count, pcs)) = line.split_once(" @") {
            flush(&mut b, group.take());
            let Ok(count) = count.trim().parse::<i64>() else {
                b.warn_once("some lines could not be read and were skipped");
                continue;
            };
            let pcs = pcs.split_whitespace().filter_map(parse_hex).collect();
            group = Some(Group {
                count,
                pcs,
                ..Default::default()
            });
        } else if line.trim().is_empty() {
            flush(&mut b, group.take());
        } else {
            b.warn_once("some lines could not be read and were skipped");
        }
    }
    flush(&mut b, group.take());
    let counted = b.profile.total(0);
    if let Some(total) = total.filter(|&t| t != counted) {
        b.warnings.push(format!(
            "the header says {total} goroutines, but the groups add up to {counted}"
        ));
    }
    b.finish()
}

/// Adds a finished group: its symbol lines are leaf first; consecutive lines with one PC are
/// inlined calls, all but the last inlined into the next. Without symbols, the `@` PCs are used.
fn flush(b: &mut GoroutineBuilder, group: Option<Group>) {
    let Some(g) = group else { return };
    let mut frames = Vec::with_capacity(g.symbols.len().max(g.pcs.len()));
    if g.symbols.is_empty() {
        for &pc in &g.pcs {
            frames.push(b.frame("", "", 0, pc, false));
        }
    } else {
        for (i, s) in g.symbols.iter().enumerate() {
            let inlined = g.symbols.get(i + 1).is_some_and(|next| next.pc == s.pc);
            frames.push(b.frame(s.function, s.file, s.line, s.pc, inlined));
        }
    }
    let labels = g.labels.iter().map(|(k, v)| b.str_label(k, v)).collect();
    b.push(&frames, g.count, labels);
}

/// `\t0x4a3b2c\tmain.worker+0x2c\t\t/src/main.go:12` (after the `#`), or a bare `\t0x4a3b2c`
/// for an unknown function.
fn parse_symbol(rest: &str) -> Option<SymLine<'_>> {
    let mut fields = rest.split('\t').map(str::trim).filter(|f| !f.is_empty());
    let pc = parse_hex(fields.next()?)?;
    let function = fields.next().unwrap_or("");
    let function = function
        .rsplit_once("+0x")
        .map_or(function, |(name, _)| name);
    let (file, line) = fields.next().map_or(("", 0), split_file_line);
    Some(SymLine {
        pc,
        function,
        file,
        line,
    })
}

/// `{"k1":"v1", "k2":"v2"}` with Go `%q` quoting (runtime/pprof `labelMap.String`).
fn parse_labels(s: &str) -> Option<Vec<(String, String)>> {
    let mut rest = s.strip_prefix('{')?.trim_start();
    let mut out = Vec::new();
    while !rest.starts_with('}') {
        let (key, r) = unquote(rest)?;
        let (value, r) = unquote(r.trim_start().strip_prefix(':')?.trim_start())?;
        out.push((key, value));
        rest = r.trim_start();
        rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
        if rest.is_empty() {
            return None;
        }
    }
    Some(out)
}

/// A Go double-quoted string literal at the start of `s` and the text after it.
fn unquote(s: &str) -> Option<(String, &str)> {
    let body = s.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &body[i + 1..])),
            '\\' => {
                let (_, e) = chars.next()?;
                let hex = |n: usize, chars: &mut std::str::CharIndices| -> Option<u32> {
                    let digits: String = (0..n)
                        .filter_map(|_| chars.next().map(|(_, c)| c))
                        .collect();
                    u32::from_str_radix(&digits, 16).ok()
                };
                let decoded = match e {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    'a' => '\u{7}',
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    'v' => '\u{b}',
                    'x' => char::from_u32(hex(2, &mut chars)?).unwrap_or('\u{fffd}'),
                    'u' => char::from_u32(hex(4, &mut chars)?).unwrap_or('\u{fffd}'),
                    'U' => char::from_u32(hex(8, &mut chars)?).unwrap_or('\u{fffd}'),
                    other => other,
                };
                out.push(decoded);
            }
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LabelValue;

    const DUMP: &str = "goroutine profile: total 5\n\
4 @ 0x43e6d6 0x40a8b1 0x4a3b2c 0x472fc1\n\
# labels: {\"handler\":\"/api\", \"q\":\"a\\\"b\"}\n\
#\t0x4a3b2b\tmain.inner+0x2b\t\t\t/src/main.go:20\n\
#\t0x4a3b2b\tmain.worker+0x2b\t\t\t/src/main.go:12\n\
\n\
1 @ 0x43e6d6 0x472fc1\n\
#\t0x43e6d5\n\
#\t0x472fc0\truntime.goexit+0x0\t/go/src/runtime/asm.s:1700\n\
\n";

    #[test]
    fn reads_groups_labels_and_inlining() {
        let d = decode(DUMP.as_bytes()).unwrap();
        let p = d.profile().unwrap();
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
        assert_eq!(p.to_text(), "# goroutine/count\nmain.worker;main.inner 4 {handler=/api, q=a\"b}\nruntime.goexit;0x43e6d5 1\n");
        let leaf = p
            .stacks
            .frames_leaf_first(p.samples.stack[0])
            .next()
            .unwrap();
        assert!(p.frame(leaf).inlined);
        assert_eq!(p.frame(leaf).line, 20);
        assert!(matches!(
            p.samples.labels_of(0)[0].value,
            LabelValue::Str(_)
        ));
    }

    #[test]
    fn header_mismatch_warns() {
        let d =
            decode(b"goroutine profile: total 9\n2 @ 0x1\n#\t0x1\tmain.f+0x0\t/a.go:1\n").unwrap();
        assert_eq!(d.profile().unwrap().total(0), 2);
        assert_eq!(d.warnings.len(), 1);
    }
}
