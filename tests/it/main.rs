//! The one integration-test binary: each module below is one concern (decoding, parity with
//! `go tool pprof`, architecture rules). Shared fixture lookup lives in `support`.

mod support;
mod tidy;
