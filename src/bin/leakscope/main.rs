//! The native command-line tool: the page's analysis for terminals and CI. `leakscope top`
//! prints what `go tool pprof -top` prints (or JSON), for pprof files and V8 heap snapshots
//! (by dominator path); `peek` is `go tool pprof -peek`; `diff` is `go tool pprof -top
//! -diff_base`; `growth` ranks what grew across a series; `summary` prints DevTools' Summary of a heap snapshot. It parses
//! arguments and formats output; every number comes from `leakscope::analysis`.

#[cfg(not(target_arch = "wasm32"))]
mod check;
#[cfg(not(target_arch = "wasm32"))]
mod diff;
#[cfg(not(target_arch = "wasm32"))]
mod growth;
#[cfg(not(target_arch = "wasm32"))]
mod heap_series;
#[cfg(not(target_arch = "wasm32"))]
mod input;
#[cfg(not(target_arch = "wasm32"))]
mod peek;
#[cfg(not(target_arch = "wasm32"))]
mod summary;
#[cfg(not(target_arch = "wasm32"))]
mod top;

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use std::process::ExitCode;

    use clap::{Parser, Subcommand};

    use super::input::Failure;
    use super::{check, diff, growth, peek, summary, top};

    /// Find out why a service's memory keeps growing: pprof and heap snapshot analysis for
    /// terminals and CI.
    #[derive(Parser)]
    #[command(name = "leakscope", version)]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Subcommand)]
    enum Command {
        /// Rank functions (or files, or lines) by flat value, like `go tool pprof -top`; for a
        /// V8 heap snapshot, rank classes along dominator paths (flat = shallow size).
        Top(top::TopArgs),
        /// The callers and callees of the functions matching REGEX, with the values of each
        /// call, like `go tool pprof -peek REGEX`.
        Peek(peek::PeekArgs),
        /// What changed from BASE to NEW, like `go tool pprof -top -diff_base=BASE NEW`; for
        /// two heap snapshots, Chrome DevTools' Comparison.
        Diff(diff::DiffArgs),
        /// What grew across profiles or heap snapshots taken over time, what grew at every
        /// step first (for heap snapshots by constructor, with the path that holds it).
        Growth(growth::GrowthArgs),
        /// The Summary of a V8 heap snapshot by constructor, as Chrome DevTools shows it.
        Summary(summary::SummaryArgs),
        /// The leak checklist: which known causes of memory growth the files show, with the
        /// evidence and the fix. Exit 0: no leak likely; 3: one is; 2: bad input.
        Check(check::CheckArgs),
    }

    pub fn main() -> ExitCode {
        let cli = Cli::parse();
        if let Command::Check(args) = &cli.command {
            return match check::run(args) {
                Ok((out, likely)) => {
                    print!("{out}");
                    ExitCode::from(if likely { 3 } else { 0 })
                }
                Err(Failure(message)) => {
                    eprintln!("leakscope: {message}");
                    ExitCode::from(2)
                }
            };
        }
        let result = match cli.command {
            Command::Top(args) => top::run(&args),
            Command::Peek(args) => peek::run(&args),
            Command::Diff(args) => diff::run(&args),
            Command::Growth(args) => growth::run(&args),
            Command::Summary(args) => summary::run(&args),
            Command::Check(_) => unreachable!("handled above"),
        };
        match result {
            Ok(out) => {
                print!("{out}");
                ExitCode::SUCCESS
            }
            Err(Failure(message)) => {
                eprintln!("leakscope: {message}");
                ExitCode::from(1)
            }
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
