//! Entry point of the browser app's main thread: installs the panic hook and mounts the app.
//! Built for wasm32 by trunk; natively it only explains itself.

fn main() {}
