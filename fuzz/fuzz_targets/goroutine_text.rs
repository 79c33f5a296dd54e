//! Fuzz target: `formats::decode` on goroutine text dumps (`debug=1` and `debug=2`); the seeds
//! and dictionary keep most inputs recognised as dumps. It checks only that decoding never
//! panics and that errors have a message.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = leakscope::formats::decode(data) {
        assert!(!e.message.is_empty(), "an error without a message");
    }
});
