//! Entry point of the Web Worker that decodes and analyses profiles off the main thread.

fn main() {}
