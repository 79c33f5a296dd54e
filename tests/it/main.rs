//! The one integration-test binary: each module below is one concern (decoding, parity with
//! `go tool pprof`, architecture rules). Shared fixture lookup lives in `support`.

mod checklist;
mod cli;
mod decode;
mod decode_robustness;
mod growth;
mod heap;
mod heap_comparison;
mod heap_growth;
mod heap_memory;
mod heap_views;
mod peek_parity;
mod pprof_parity;
mod support;
mod tidy;
