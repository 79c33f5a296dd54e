//! Entry point of the browser app's main thread: installs the panic hook and mounts the app.
//! Built for wasm32 by trunk; natively it only explains itself.

fn main() {
    #[cfg(target_arch = "wasm32")]
    {
        console_error_panic_hook::set_once();
        leakscope::ui::offline::register();
        leptos::mount::mount_to_body(leakscope::ui::App);
    }
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("leakscope's page runs in a browser: build it with `trunk build` (see README.md)");
}
