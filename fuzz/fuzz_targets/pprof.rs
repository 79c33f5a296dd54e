//! Fuzz target: `formats::decode` on pprof bytes, as given (raw protobuf, or gzip when the input
//! starts with gzip's magic) and wrapped in gzip (the `.pb.gz` path that hands the inflated
//! buffer to the decoder). It checks only that decoding never panics and errors have a message.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;

fn check(bytes: &[u8]) {
    if let Err(e) = leakscope::formats::decode(bytes) {
        assert!(!e.message.is_empty(), "an error without a message");
    }
}

fuzz_target!(|data: &[u8]| {
    check(data);
    // Stored (level 0) gzip: cheap, and what is inside is still exactly `data`.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::none());
    gz.write_all(data).unwrap();
    check(&gz.finish().unwrap());
});
