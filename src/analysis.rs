//! Pure functions over the model: plain data and an `Options` struct in, plain data out. No
//! signals, globals or logging, so the same code runs in the Web Worker, the command-line tool
//! and `cargo test`.

mod call_tree;

pub use call_tree::{CallTree, NO_PARENT};
