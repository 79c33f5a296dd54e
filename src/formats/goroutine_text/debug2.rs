//! `/debug/pprof/goroutine?debug=2` and crash dumps (`runtime.Stack(all)`): one
//! `goroutine N [state, M minutes, locked to thread]:` block per goroutine, each one sample of
//! value 1 with labels `goroutine`, `state`, `minutes`, `locked`, `created_by` (FORMATS §1.5).

use super::{split_file_line, GoroutineBuilder};
use crate::formats::sniff::is_goroutine_header;
use crate::formats::{DecodeError, Decoded};
use crate::model::FrameId;

/// Go gives up and truncates the dump at 64 MB (`writeGoroutineStacks`).
const GO_DUMP_LIMIT: usize = 64 << 20;

/// One goroutine being read.
struct Goroutine<'a> {
    id: i64,
    state: &'a str,
    minutes: Option<i64>,
    locked: bool,
    created_by: Option<&'a str>,
    frames: Vec<FrameId>,
    /// A function line whose `\tfile:line` has not been seen yet.
    pending: Option<(&'a str, bool)>,
}

/// Decodes a `debug=2` goroutine dump.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    let text = String::from_utf8_lossy(bytes);
    let mut b = GoroutineBuilder::new("goroutine debug=2");
    let mut current: Option<Goroutine> = None;
    let mut skipped_before = 0usize;
    let mut after_created_by = false;
    for raw in text.lines() {
        let line = raw.trim_end_matches('\r');
        if is_goroutine_header(line.as_bytes()) {
            finish(&mut b, current.take());
            current = parse_header(line);
            after_created_by = false;
            continue;
        }
        let Some(g) = current.as_mut() else {
            skipped_before += usize::from(!line.trim().is_empty());
            continue;
        };
        if line.trim().is_empty() {
            finish(&mut b, current.take());
        } else if let Some(rest) = line.strip_prefix('\t') {
            // `\tfile:line +0xoff` closes the pending function; after `created by` it is the
            // creator's position, which is a label, not a frame.
            if let Some((function, inlined)) = g.pending.take() {
                let (file, line_no) = split_file_line(rest);
                g.frames.push(b.frame(function, file, line_no, 0, inlined));
            } else if !after_created_by {
                b.warn_once("some stack lines had no function line before them and were skipped");
            }
            after_created_by = false;
        } else if let Some(rest) = line.strip_prefix("created by ") {
            flush_pending(&mut b, g);
            let name = rest
                .split_once(" in goroutine ")
                .map_or(rest, |(name, _)| name)
                .trim();
            g.created_by = Some(name);
            after_created_by = true;
        } else if line.starts_with("...") && line.contains("elided") {
            flush_pending(&mut b, g);
            b.warn_once("some stacks are abbreviated by Go (`...frames elided...`): their middle frames are missing");
        } else {
            flush_pending(&mut b, g);
            g.pending = Some(strip_args(line.trim()));
        }
    }
    // A dump that ends inside a goroutine (no final newline, or a function line without its
    // position) was cut off: keep the goroutines before it.
    let cut = current.as_ref().is_some_and(|g| g.pending.is_some()) || !text.ends_with('\n');
    if cut && current.is_some() {
        current = None;
        b.warnings.push("the dump ends in the middle of a goroutine (it was cut off); that goroutine is left out".to_owned());
    }
    finish(&mut b, current);
    if bytes.len() == GO_DUMP_LIMIT {
        b.warn_once("the dump is exactly 64 MB, where Go truncates goroutine dumps: some goroutines are missing");
    }
    if skipped_before > 0 {
        b.warnings.push(format!(
            "skipped {skipped_before} lines before the first goroutine (e.g. a panic message)"
        ));
    }
    b.finish()
}

/// `goroutine 18 [chan receive (scan), 5 minutes, locked to thread]:`; unknown bracket parts
/// are ignored so that newer Go versions still parse.
fn parse_header(line: &str) -> Option<Goroutine<'_>> {
    let rest = line.strip_prefix("goroutine ")?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let id = rest[..digits].parse().ok()?;
    let open = line.find('[')?;
    let close = line.rfind(']').filter(|&c| c > open).unwrap_or(line.len());
    let mut parts = line[open + 1..close].split(',').map(str::trim);
    let state = parts.next().unwrap_or("");
    let state = state.strip_suffix(" (scan)").unwrap_or(state);
    let mut g = Goroutine {
        id,
        state,
        minutes: None,
        locked: false,
        created_by: None,
        frames: Vec::new(),
        pending: None,
    };
    for part in parts {
        if let Some(n) = part
            .strip_suffix(" minutes")
            .and_then(|n| n.trim().parse().ok())
        {
            g.minutes = Some(n);
        } else if part == "locked to thread" {
            g.locked = true;
        }
    }
    Some(g)
}

/// A function line without its `\tfile:line` (the dump omitted it): a frame with no file.
fn flush_pending(b: &mut GoroutineBuilder, g: &mut Goroutine) {
    if let Some((function, inlined)) = g.pending.take() {
        g.frames.push(b.frame(function, "", 0, 0, inlined));
    }
}

fn finish(b: &mut GoroutineBuilder, g: Option<Goroutine>) {
    let Some(mut g) = g else { return };
    flush_pending(b, &mut g);
    let mut labels = vec![
        b.num_label("goroutine", g.id, ""),
        b.str_label("state", g.state),
    ];
    if let Some(m) = g.minutes {
        labels.push(b.num_label("minutes", m, "minutes"));
    }
    if g.locked {
        labels.push(b.str_label("locked", "true"));
    }
    if let Some(c) = g.created_by {
        labels.push(b.str_label("created_by", c));
    }
    b.push(&g.frames, 1, labels);
}

/// `main.(*T).m(0xc000010000, {0x1, 0x2})` → `main.(*T).m`; `(...)` marks an inlined call.
/// The argument list is the last balanced parenthesis group.
fn strip_args(line: &str) -> (&str, bool) {
    if !line.ends_with(')') {
        return (line, false);
    }
    let mut depth = 0usize;
    for (i, c) in line.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return (&line[..i], &line[i..] == "(...)");
                }
            }
            _ => {}
        }
    }
    (line, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DUMP: &str = "goroutine 1 [running]:\n\
main.main()\n\
\t/src/main.go:10 +0x1d\n\
\n\
goroutine 18 [chan receive (scan), 5 minutes, locked to thread]:\n\
main.worker(0xc000010000, {0x1, 0x2})\n\
\t/src/main.go:20 +0x2b\n\
main.helper(...)\n\
\t/src/main.go:25\n\
...3 frames elided...\n\
created by main.start in goroutine 1\n\
\t/src/main.go:30 +0x5c\n\
\n\
goroutine 19 [select, future part]:\n\
main.(*Server).loop(0x0)\n\
\t/src/server.go:5 +0x10\n";

    #[test]
    fn reads_headers_frames_and_labels() {
        let d = decode(DUMP.as_bytes()).unwrap();
        let p = d.profile().unwrap();
        assert_eq!(
            p.to_text(),
            "# goroutine/count\nmain.main 1 {goroutine=1, state=running}\n\
main.helper;main.worker 1 {goroutine=18, state=chan receive, minutes=5minutes, locked=true, created_by=main.start}\n\
main.(*Server).loop 1 {goroutine=19, state=select}\n"
        );
        assert_eq!(d.warnings.len(), 1, "{:?}", d.warnings);
        let root = p.stacks.frames_root_first(p.samples.stack[1])[0];
        assert!(p.frame(root).inlined);
    }

    #[test]
    fn cut_dumps_keep_complete_goroutines() {
        let cut = &DUMP[..DUMP.find("main.helper").unwrap() + 5];
        let d = decode(cut.as_bytes()).unwrap();
        assert_eq!(d.profile().unwrap().samples.len(), 1);
        assert!(d.warnings.iter().any(|w| w.contains("cut off")));
    }

    #[test]
    fn strips_arguments() {
        assert_eq!(strip_args("main.f(0x1, {0x2})"), ("main.f", false));
        assert_eq!(strip_args("main.F[...](...)"), ("main.F[...]", true));
        assert_eq!(strip_args("main.(*T).m()"), ("main.(*T).m", false));
        assert_eq!(strip_args("weird"), ("weird", false));
        assert_eq!(strip_args("x)"), ("x)", false));
    }
}
