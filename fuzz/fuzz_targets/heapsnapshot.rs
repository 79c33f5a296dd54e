//! Fuzz target: the streaming heap snapshot decoder (`formats::heapsnapshot`). The first input
//! byte is a control byte, the rest is the file: the file is decoded in one push, then again in
//! chunks whose size the control byte picks (1 to 64 bytes, so every chunk-boundary path is
//! reached), and, when its top bit is set, gzipped and decoded in those chunks. The decodes must
//! agree: the same graph, or the same error message (for a damaged gzip input only an error
//! both ways: how much garbage inflates before the damage is found depends on the chunks, so
//! the scanner or the inflater may be first to complain). A graph that decodes is also summarised
//! (the analysis must not panic on whatever the decoder accepts). It does not fuzz the gzip
//! layer's own inflater beyond what inputs starting with gzip's magic reach.
#![no_main]

use std::io::Write;

use leakscope::analysis::{heap_summary, HeapSummaryOptions};
use leakscope::formats::heapsnapshot::HeapSnapshotDecoder;
use libfuzzer_sys::fuzz_target;

/// The graph as text, or the error message.
fn decode(bytes: &[u8], chunk: usize) -> Result<String, String> {
    let mut d = HeapSnapshotDecoder::with_size_hint(bytes.len() as u64);
    for c in bytes.chunks(chunk.max(1)) {
        d.push(c).map_err(|e| e.message)?;
    }
    let (g, _warnings) = d.finish().map_err(|e| e.message)?;
    let _ = heap_summary(&g, &HeapSummaryOptions::default());
    Ok(g.to_text())
}

fuzz_target!(|data: &[u8]| {
    let Some((&control, file)) = data.split_first() else {
        return;
    };
    let whole = decode(file, usize::MAX);
    if let Err(e) = &whole {
        assert!(!e.is_empty(), "an error without a message");
    }
    let gzip = file.starts_with(&[0x1f, 0x8b]);
    let chunk = 1 + (control & 0x3f) as usize;
    if chunk < file.len() {
        let chunked = decode(file, chunk);
        if gzip && chunked.is_err() && whole.is_err() {
            assert!(
                !chunked.unwrap_err().is_empty(),
                "an error without a message"
            );
        } else {
            assert_eq!(chunked, whole, "{chunk}-byte chunks");
        }
    }
    if control & 0x80 != 0 && !gzip {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(file).unwrap();
        assert_eq!(decode(&gz.finish().unwrap(), chunk), whole, "gzipped");
    }
});
