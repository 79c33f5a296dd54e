//! Entry point of the Web Worker that decodes and analyses profiles off the main thread.
//! Built for wasm32 by trunk (`data-type="worker"`); natively it only explains itself.

fn main() {
    #[cfg(target_arch = "wasm32")]
    leakscope::ui::worker::run();
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("the leakscope worker runs inside the page (see README.md)");
}
