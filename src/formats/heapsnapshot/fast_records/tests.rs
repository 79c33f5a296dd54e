//! Tests of the fast record path: SWAR numbers against `str::parse`, records, exact division,
//! and the whole scanner with the fast path on and off over chunkings and damaged inputs.

use super::*;
use crate::test_rng::XorShift;

#[test]
fn parse_u32_matches_str_parse() {
    let mut cases: Vec<String> = Vec::new();
    for v in [
        0u64,
        7,
        42,
        100,
        1234567,
        12345678,
        99999999,
        100000000,
        123456789,
        1000000000,
        4294967295,
        4294967296,
        9999999999,
        10000000000,
    ] {
        cases.push(v.to_string());
    }
    let mut rng = XorShift::new(0x2545_F491_4F6C_DD1D);
    for _ in 0..20000 {
        let x = rng.next_u64();
        let digits = 1 + (x % 12) as usize;
        cases.push((x >> 8).to_string().chars().take(digits).collect());
    }
    cases.push("0000000000042".into());
    cases.push("00000000042".into());
    for s in &cases {
        for tail in [",", "\n", "]", "x", ",1,2,3,4,5,6,7,8"] {
            let text = format!("{s}{tail}        ");
            let want = if s.len() > 10 {
                None
            } else {
                s.parse::<u32>().ok().map(|v| (v, s.len()))
            };
            assert_eq!(parse_u32(text.as_bytes(), 0), want, "{text:?}");
        }
        // Without 8 bytes to load, or with the digits running into the end: fall back.
        assert_eq!(parse_u32(s.as_bytes(), 0), None, "{s:?} at the chunk end");
    }
    for s in ["", ",1234567", "-1234567", " 1234567", "]1234567"] {
        assert_eq!(parse_u32(s.as_bytes(), 0), None, "{s:?}");
    }
    // Every non-digit byte ends a number; every byte value outside '0'..='9' is one.
    for b in 0..=255u8 {
        let mut text = b"12".to_vec();
        text.push(b);
        text.extend_from_slice(b"3456,,,,,,,,");
        let got = parse_u32(&text, 0);
        if b.is_ascii_digit() {
            let want: u32 = format!("12{}3456", b - b'0').parse().unwrap();
            assert_eq!(got, Some((want, 7)));
        } else {
            assert_eq!(got, Some((12, 2)), "byte {b}");
        }
    }
}

#[test]
fn parse_record_reads_v8_layout_and_falls_back_at_the_end() {
    // Fields tried as one digit first read the same as the others.
    for small in [0, 0b101, u32::MAX] {
        let text = b"9,1,1,0,7,0,0\n,9,2,3,0,28,0,0\n]          ";
        let mut rec = [0; MAX_FIELDS];
        let end = parse_record(text, 0, 7, small, &mut rec).unwrap();
        assert_eq!(&rec[..7], &[9, 1, 1, 0, 7, 0, 0]);
        assert_eq!(end, 13);
        let end = parse_record(text, end, 7, small, &mut rec).unwrap();
        assert_eq!(&rec[..7], &[9, 2, 3, 0, 28, 0, 0]);
        assert_eq!(
            parse_record(text, end, 7, small, &mut rec),
            None,
            "`]` is not a number"
        );
        // Cut anywhere, a record is either refused or read whole: never a number cut short.
        let text = b"12,345,67890123\n,1,2,3,4,5,6,7,8,9";
        for cut in 0..=text.len() {
            if let Some(end) = parse_record(&text[..cut], 0, 3, small, &mut rec) {
                assert_eq!(
                    (end, &rec[..3]),
                    (15, &[12, 345, 67890123][..]),
                    "cut {cut}"
                );
                assert!(cut > end, "cut {cut}");
            }
        }
        let text = b"1,2,3\n,4";
        for cut in 0..=text.len() {
            if let Some(end) = parse_record(&text[..cut], 0, 3, small, &mut rec) {
                assert_eq!((end, &rec[..3]), (5, &[1, 2, 3][..]), "cut {cut}");
                assert!(cut > end, "cut {cut}");
            }
        }
        // Eight bytes are not left after `3`: only a one-digit try reads it.
        let whole = (small == u32::MAX).then_some(5);
        assert_eq!(parse_record(text, 0, 3, small, &mut rec), whole);
        // Odd but valid spacing is read; anything else is refused.
        let spaced = b"[ 1 ,\r\n\t 2,,3 ]                ";
        assert_eq!(parse_record(spaced, 1, 3, small, &mut rec), Some(13));
        assert_eq!(&rec[..3], &[1, 2, 3]);
        let bad = b"1,-2,3,4,5,6,7,8,9,10";
        assert_eq!(parse_record(bad, 0, 3, small, &mut rec), None);
        assert_eq!(parse_record(b"1]2,3", 0, 2, small, &mut rec), None);
    }
}

#[test]
fn exact_div_agrees_with_division() {
    let mut rng = XorShift::new(0x9E37_79B9_7F4A_7C15);
    for d in 1..=40u32 {
        let div = ExactDiv::new(d).unwrap();
        let check = |n: u32| {
            let want = (n % d == 0).then_some(n / d);
            assert_eq!(div.div(n), want, "{n} / {d}");
        };
        for n in 0..5000 {
            check(n);
        }
        for n in u32::MAX - 5000..=u32::MAX {
            check(n);
        }
        for _ in 0..5000 {
            let x = rng.next_u64();
            check(x as u32);
            check((x as u32 / d) * d);
        }
    }
    assert!(ExactDiv::new(0).is_none());
}

use crate::formats::heapsnapshot::scanner::Scanner;

/// Current V8's node and edge fields, in its order.
const V8_NODE_FIELDS: [&str; 7] = [
    "type",
    "name",
    "id",
    "self_size",
    "edge_count",
    "trace_node_id",
    "detachedness",
];
const V8_EDGE_FIELDS: [&str; 3] = ["type", "name_or_index", "to_node"];

/// A V8-shaped snapshot (7 node fields, `\n,` between records) with 10-digit numbers, an
/// unlisted node type, detachedness, numeric and string edge names, and locations.
fn snapshot(nodes: usize) -> String {
    snapshot_with(nodes, &V8_NODE_FIELDS, &V8_EDGE_FIELDS)
}

/// `snapshot`'s records with the node and edge fields listed (and written) in the given order;
/// fields left out are not written.
fn snapshot_with(nodes: usize, node_fields: &[&str], edge_fields: &[&str]) -> String {
    let quoted = |f: &[&str]| {
        f.iter()
            .map(|f| format!("{f:?}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    let types = |f: &[&str], list: &str, rest: &str| {
        let t: Vec<String> = f
            .iter()
            .map(|&f| match f {
                "type" => list.to_owned(),
                "name" => "\"string\"".to_owned(),
                "name_or_index" => "\"string_or_number\"".to_owned(),
                "to_node" => "\"node\"".to_owned(),
                _ => rest.to_owned(),
            })
            .collect();
        t.join(",")
    };
    let node_types = r#"["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"]"#;
    let edge_types = r#"["context","element","property","internal","hidden","shortcut","weak"]"#;
    let mut out = format!(
        r#"{{"snapshot":{{"meta":{{"node_fields":[{}],"node_types":[{}],"edge_fields":[{}],"edge_types":[{}],"location_fields":["object_index","script_id","line","column"]}},"#,
        quoted(node_fields),
        types(node_fields, node_types, "\"number\""),
        quoted(edge_fields),
        types(edge_fields, edge_types, "\"number\""),
    );
    let nf = node_fields.len();
    let record = |fields: &[&str], value: &dyn Fn(&str) -> usize| {
        let v: Vec<String> = fields.iter().map(|f| value(f).to_string()).collect();
        v.join(",")
    };
    let edges: usize = (0..nodes).map(|i| i % 4).sum();
    out += &format!("\"node_count\":{nodes},\"edge_count\":{edges}}},\n\"nodes\":[");
    for i in 0..nodes {
        let sep = if i == 0 { "" } else { "\n," };
        let value = |f: &str| match f {
            "type" if i == 5 => 20,
            "type" => (i * 7) % 14,
            "name" => i % 40,
            "id" => 2 * i + 1,
            "self_size" => [0, 16, 123456789, 4294967295, 1000000000, 99999999][i % 6],
            "edge_count" => i % 4,
            "detachedness" => i % 3,
            _ => 0,
        };
        out += &format!("{sep}{}", record(node_fields, &value));
    }
    out += "],\n\"edges\":[";
    let mut first = true;
    for i in 0..nodes {
        for k in 0..i % 4 {
            let kind = (i + k) % 7;
            let value = |f: &str| match f {
                "type" => kind,
                "name_or_index" if kind == 1 || kind == 4 => i * 1000 + k,
                "name_or_index" => (i + k) % 40,
                _ => ((i * 31 + k * 17) % nodes) * nf,
            };
            let sep = if first { "" } else { "\n," };
            first = false;
            out += &format!("{sep}{}", record(edge_fields, &value));
        }
    }
    out += "],\n\"trace_function_infos\":[],\"samples\":[],\n\"locations\":[";
    for i in (0..nodes).step_by(3) {
        let sep = if i == 0 { "" } else { "\n," };
        out += &format!("{sep}{},{},{},{}", i * nf, i % 5, 1000 + i, 12345678 + i);
    }
    out += "],\n\"strings\":[";
    for i in 0..40 {
        out += &format!("{}\"s{i}\\u00e9\\n\"", if i == 0 { "" } else { "," });
    }
    out + "]}"
}

type Outcome = Result<(String, String, Vec<String>), String>;

/// Decodes `text` pushed in `chunk`-byte chunks (`fast`: with the fast path), and how many
/// records the fast path took.
fn run(text: &[u8], chunk: usize, fast: bool) -> (Outcome, u64) {
    let mut s = Scanner::new(Some(text.len() as u64));
    if !fast {
        s = s.without_fast_path();
    }
    let mut out = Ok(());
    for c in text.chunks(chunk.max(1)) {
        out = s.push(c);
        if out.is_err() {
            break;
        }
    }
    let taken = s.fast_records_taken();
    let out = out.and_then(|()| s.finish()).map_err(|e| e.message);
    let out = out.map(|(g, w)| (g.to_text(), format!("{:?}", g.locations()), w));
    (out, taken)
}

/// Decodes `text` through `HeapSnapshotDecoder` in `chunk`-byte slices, each slice that starts
/// inside a number array parsed ahead with `split_numbers` when it can be, as the CLI's reading
/// thread does; and how many slices went that way.
fn run_split(text: &[u8], chunk: usize) -> (Outcome, usize) {
    use crate::formats::heapsnapshot::{split_numbers, HeapSnapshotDecoder, Split};
    let mut d = HeapSnapshotDecoder::with_size_hint(text.len() as u64);
    let (mut numbers, mut splits) = (Vec::new(), 0);
    let mut out = Ok(());
    for c in text.chunks(chunk.max(1)) {
        out = match split_numbers(c, &mut numbers) {
            Some(at) if d.takes_numbers() => {
                splits += 1;
                d.push_split(&Split::of(c, at, &numbers))
            }
            _ => d.push(c),
        };
        if out.is_err() {
            break;
        }
    }
    let out = out.and_then(|()| d.finish()).map_err(|e| e.message);
    let out = out.map(|(g, w)| (g.to_text(), format!("{:?}", g.locations()), w));
    (out, splits)
}

#[test]
fn split_numbers_reads_the_numbers_between_the_first_and_last_separator() {
    let mut out = Vec::new();
    assert_eq!(split_numbers(b"12,3,\n45 ,6", &mut out), Some((2, 9)));
    assert_eq!(out, [3, 45]);
    assert_eq!(split_numbers(b",4294967295,", &mut out), Some((0, 11)));
    assert_eq!(out, [u32::MAX]);
    assert_eq!(split_numbers(b"7,", &mut out), Some((1, 1)));
    assert!(out.is_empty());
    for bad in [
        &b"123"[..],
        b"",
        b"1,2]",
        b"1,\"a\",2",
        b",4294967296,",
        b",00000000001,",
    ] {
        assert_eq!(split_numbers(bad, &mut out), None, "{bad:?}");
    }
}

#[test]
fn split_numbers_agrees_with_a_digit_by_digit_reading_at_every_cut() {
    // Numbers of every length from 1 to 10 digits (u32::MAX among them), leading zeros, and
    // every separator, so that the eight-byte conversion meets numbers ending at each byte of
    // its window and the slice's end cuts them at each position.
    let mut text = Vec::new();
    let mut want = Vec::new();
    let mut rng = XorShift::new(0x9E37_79B9_7F4A_7C15);
    for k in 0..3000u64 {
        let x = rng.next_u64();
        let digits = (k % 10) as u32 + 1;
        let v = match k % 97 {
            0 => u32::MAX as u64,
            _ => x % 10u64.pow(digits).min(u32::MAX as u64 + 1),
        };
        want.push(v as u32);
        match k % 31 {
            0 => {
                text.extend_from_slice(format!("{v:0>width$}", width = digits as usize).as_bytes())
            }
            _ => text.extend_from_slice(v.to_string().as_bytes()),
        }
        text.extend_from_slice(match k % 5 {
            0 => b",\n",
            1 => b", ",
            2 => b"\t,\r\n",
            _ => b",",
        });
    }
    // The reference: the numbers of `text` read as words between non-digits.
    let reference = |text: &[u8]| -> Vec<u32> {
        std::str::from_utf8(text)
            .unwrap()
            .split(|c: char| !c.is_ascii_digit())
            .filter(|t| !t.is_empty())
            .map(|t| t.parse().unwrap())
            .collect()
    };
    let mut out = Vec::new();
    let (first, last) = split_numbers(&text[4..], &mut out).expect("only numbers");
    assert_eq!(out, reference(&text[4..][first..=last]));
    assert!(out.len() > 2900 && want.ends_with(&out[out.len() - 100..]));
    for cut in (1..text.len()).step_by(7) {
        let slice = &text[..cut];
        let Some((first, last)) = split_numbers(slice, &mut out) else {
            assert!(slice.iter().all(u8::is_ascii_digit), "cut at {cut}");
            continue;
        };
        assert_eq!(out, reference(&slice[first..=last]), "cut at {cut}");
    }
}

#[test]
fn numbers_parsed_ahead_decode_like_the_byte_path_in_any_slice_size() {
    let text = snapshot(300);
    let (want, _) = run(text.as_bytes(), text.len(), false);
    for chunk in [1, 2, 3, 7, 13, 64, 200, 4096] {
        let (got, splits) = run_split(text.as_bytes(), chunk);
        assert_eq!(got, want, "{chunk}-byte slices");
        if chunk >= 7 {
            let least = if chunk > 200 { 1 } else { 10 };
            assert!(
                splits >= least,
                "{chunk}-byte slices: only {splits} parsed ahead"
            );
        }
    }
}

#[test]
fn fast_path_decodes_like_the_byte_path_in_any_chunk_size() {
    let text = snapshot(300);
    let (want, _) = run(text.as_bytes(), text.len(), false);
    let (graph, locations, warnings) = want.clone().unwrap();
    assert!(
        graph.contains("#5 undefined") && graph.contains("self=4294967295"),
        "{graph}"
    );
    assert!(graph.contains("detached=2") && locations.contains("column: 12345777"));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let (whole, taken) = run(text.as_bytes(), text.len(), true);
    assert_eq!(whole, want);
    assert!(taken > 500, "the fast path took only {taken} records");
    for chunk in [1, 2, 3, 7, 13, 64, 200, 4096] {
        assert_eq!(
            run(text.as_bytes(), chunk, true).0,
            want,
            "{chunk}-byte chunks"
        );
    }
    // One boundary at every offset of a smaller file.
    let text = snapshot(40);
    let (want, _) = run(text.as_bytes(), text.len(), false);
    for cut in 0..=text.len() {
        let mut s = Scanner::new(None);
        let (a, b) = text.as_bytes().split_at(cut);
        let out = s.push(a).and_then(|()| s.push(b)).and_then(|()| s.finish());
        let out = out.map(|(g, w)| (g.to_text(), format!("{:?}", g.locations()), w));
        assert_eq!(out.map_err(|e| e.message), want, "cut at {cut}");
    }
}

#[test]
fn fast_path_reads_fields_in_any_order() {
    let v8 = snapshot(300);
    let (v8_graph, _) = run(v8.as_bytes(), v8.len(), true);
    let v8_graph = v8_graph.unwrap().0;
    let mut reordered = V8_NODE_FIELDS;
    reordered.rotate_left(2);
    let edges = ["to_node", "type", "name_or_index"];
    // All seven fields in another order: the same graph as V8's order.
    // Six fields, without detachedness: every node attached.
    for (nodes, same_as_v8) in [(&reordered[..], true), (&V8_NODE_FIELDS[..6], false)] {
        let text = snapshot_with(300, nodes, &edges);
        let (want, _) = run(text.as_bytes(), text.len(), false);
        let (graph, taken) = run(text.as_bytes(), text.len(), true);
        assert_eq!(graph, want, "{nodes:?}");
        assert!(
            taken > 500,
            "{nodes:?}: the fast path took only {taken} records"
        );
        for chunk in [1, 7, 64, 4096] {
            let (got, _) = run(text.as_bytes(), chunk, true);
            assert_eq!(got, want, "{nodes:?}, {chunk}-byte chunks");
        }
        let graph = graph.unwrap().0;
        assert_eq!(graph == v8_graph, same_as_v8, "{nodes:?}");
        assert_eq!(graph.contains("detached=2"), same_as_v8, "{nodes:?}");
    }
}

#[test]
fn fast_path_fails_like_the_byte_path_on_damaged_input() {
    let text = snapshot(120).into_bytes();
    let start = text.windows(8).position(|w| w == b"\"nodes\":").unwrap();
    let end = text
        .windows(11)
        .position(|w| w == b"\"locations\"")
        .unwrap()
        + 200;
    let mut rng = XorShift::new(0x2545_F491_4F6C_DD1D);
    let mut next = |n: usize| rng.below(n as u64) as usize;
    let mut errors = 0;
    for round in 0..3000 {
        let mut bytes = text.clone();
        for _ in 0..1 + next(3) {
            let at = start + next(end - start);
            let set = b"0123456789,]\n x-9999999999";
            if round % 5 == 4 {
                // Duplicate a run of bytes: extra records past the header's counts.
                let from = start + next(end - start);
                let run: Vec<u8> = bytes[from..(from + next(40)).min(bytes.len())].to_vec();
                bytes.splice(at..at, run);
            } else if round % 3 == 0 {
                bytes.insert(at, set[next(set.len())]);
            } else if round % 3 == 1 {
                bytes[at] = set[next(set.len())];
            } else {
                bytes.remove(at);
            }
        }
        if round % 7 == 0 {
            bytes.truncate(start + next(bytes.len() - start));
        }
        let chunk = [1, 3, 64, 509, bytes.len()][next(5)];
        let (slow, _) = run(&bytes, chunk, false);
        let (fast, _) = run(&bytes, chunk, true);
        assert_eq!(fast, slow, "round {round}, {chunk}-byte chunks");
        let (split, _) = run_split(&bytes, chunk);
        assert_eq!(
            split, slow,
            "round {round}, {chunk}-byte slices parsed ahead"
        );
        errors += slow.is_err() as usize;
    }
    assert!(errors > 1000, "only {errors} damaged inputs failed");
    // Counts that disagree with the arrays, both ways.
    let text = String::from_utf8(text).unwrap();
    for (from, to) in [
        ("\"node_count\":120", "\"node_count\":119"),
        ("\"node_count\":120", "\"node_count\":121"),
        ("\"edge_count\":180", "\"edge_count\":179"),
        ("\"edge_count\":180", "\"edge_count\":181"),
    ] {
        let bytes = text.replace(from, to);
        assert_ne!(bytes, text);
        let (slow, _) = run(bytes.as_bytes(), bytes.len(), false);
        assert!(slow.is_err());
        assert_eq!(run(bytes.as_bytes(), bytes.len(), true).0, slow, "{to}");
        assert_eq!(
            run_split(bytes.as_bytes(), 64).0,
            slow,
            "{to}, parsed ahead"
        );
    }
}

#[test]
fn long_separator_runs_are_scanned_once() {
    // Whitespace padding inside each array, longer than a chunk: each byte must be looked at
    // a bounded number of times (a fast path retried from every byte was quadratic and never
    // finished on a 512 MiB padded file).
    let text = snapshot(60);
    let (want, _) = run(text.as_bytes(), text.len(), false);
    let pad = " ".repeat(3 << 20);
    let mut padded = text.clone();
    for key in ["\"locations\":[", "\"edges\":[", "\"nodes\":["] {
        let at = padded.find(key).expect("array") + key.len();
        padded.insert_str(at, &pad);
    }
    let (got, taken) = run(padded.as_bytes(), 1 << 20, true);
    assert_eq!(got, want);
    assert!(taken > 50, "the fast path took only {taken} records");
}
