//! The native command-line tool: the page's analysis for terminals and CI.

fn main() {}
