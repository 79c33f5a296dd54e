//! The native command-line tool: the page's analysis for terminals and CI. `leakscope top`
//! prints what `go tool pprof -top` prints (or JSON), for pprof files and V8 heap snapshots
//! (by dominator path); `leakscope summary` prints DevTools' Summary of a heap snapshot. It
//! parses arguments and formats output; every number comes from `leakscope::analysis`.

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use std::path::{Path, PathBuf};
    use std::process::ExitCode;

    use clap::{Args, Parser, Subcommand};
    use leakscope::analysis::heap::{
        heap_analysis, heap_profile, summarize, HeapAnalysis, HeapProfileOptions,
        HeapSummaryOptions, BASE_SYSTEM_DISTANCE,
    };
    use leakscope::analysis::{
        aggregate, merge, pprof_time, pprof_top, refine, report_total, top_table, top_text,
        Granularity, Measure, RefineOptions, ReportOptions, TopTextOptions,
    };
    use leakscope::formats::heapsnapshot::decode_heap_snapshot;
    use leakscope::formats::{decode, is_heap_snapshot};
    use leakscope::model::{format_value, HeapGraph, Profile};

    /// Find out why a service's memory keeps growing: pprof analysis for terminals and CI.
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
        Top(TopArgs),
        /// The Summary of a V8 heap snapshot by constructor, as Chrome DevTools shows it.
        Summary(SummaryArgs),
    }

    /// Arguments of `leakscope summary`.
    #[derive(Args)]
    struct SummaryArgs {
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
        /// Show at most N classes (default: 50 in the table, all in JSON; 0: all).
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        /// The heap snapshot (`.heapsnapshot`, optionally gzipped).
        #[arg(value_name = "FILE")]
        file: PathBuf,
    }

    /// Arguments of `leakscope top`.
    #[derive(Args)]
    struct TopArgs {
        /// Sample type to report, by name (`alloc_space`) or index; default: the profile's own.
        #[arg(long, value_name = "NAME")]
        sample_index: Option<String>,
        /// How frames are merged into rows.
        #[arg(long, default_value = "functions", value_parser = parse_granularity)]
        granularity: Granularity,
        /// Keep only samples with a frame matching this regex.
        #[arg(long, value_name = "RE", default_value = "")]
        focus: String,
        /// Drop samples with a frame matching this regex.
        #[arg(long, value_name = "RE", default_value = "")]
        ignore: String,
        /// Remove frames matching this regex from stacks.
        #[arg(long, value_name = "RE", default_value = "")]
        hide: String,
        /// Show at most N rows (0: all).
        #[arg(long, value_name = "N", default_value_t = 0)]
        nodecount: usize,
        /// Drop rows whose |cum| is below this fraction of the total (text only, as pprof).
        #[arg(long, value_name = "F", default_value_t = 0.005)]
        nodefraction: f64,
        /// Ignore caller edges below this fraction of the total for `(inline)` marks (as pprof).
        #[arg(long, value_name = "F", default_value_t = 0.001)]
        edgefraction: f64,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
        /// Profiles to read; several are merged (they must have the same sample types).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    }

    fn parse_granularity(s: &str) -> Result<Granularity, String> {
        s.parse()
    }

    /// An error for the user: printed as `leakscope: message`, exit code 1.
    struct Failure(String);

    pub fn main() -> ExitCode {
        let cli = Cli::parse();
        let result = match cli.command {
            Command::Top(args) => run_top(&args),
            Command::Summary(args) => run_summary(&args),
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

    /// Decodes a heap snapshot and runs DevTools' analysis on it.
    fn analyse_heap(path: &Path, bytes: &[u8]) -> Result<(HeapGraph, HeapAnalysis), Failure> {
        let name = path.display();
        let (g, warnings) =
            decode_heap_snapshot(bytes).map_err(|e| Failure(format!("{name}: {e}")))?;
        for w in &warnings {
            eprintln!("leakscope: {name}: warning: {w}");
        }
        let a = heap_analysis(&g, &HeapSummaryOptions::default());
        Ok((g, a))
    }

    fn read(path: &Path) -> Result<Vec<u8>, Failure> {
        std::fs::read(path).map_err(|e| Failure(format!("{}: {e}", path.display())))
    }

    fn load(path: &Path) -> Result<Profile, Failure> {
        let name = path.display();
        let bytes = read(path)?;
        if is_heap_snapshot(&bytes) {
            let (g, a) = analyse_heap(path, &bytes)?;
            return Ok(heap_profile(&g, &a, &HeapProfileOptions::default()));
        }
        let decoded = decode(&bytes).map_err(|e| Failure(format!("{name}: {e}")))?;
        for w in &decoded.warnings {
            eprintln!("leakscope: {name}: warning: {w}");
        }
        Ok(decoded.profile)
    }

    /// A count, shallow size or retained size column entry with its share of the total.
    fn percent(part: u64, total: u64) -> String {
        if total == 0 {
            return "0%".to_owned();
        }
        format!("{:.1}%", part as f64 * 100.0 / total as f64)
    }

    fn run_summary(args: &SummaryArgs) -> Result<String, Failure> {
        let bytes = read(&args.file)?;
        let name = args.file.display();
        if !is_heap_snapshot(&bytes) {
            let what = match decode(&bytes) {
                Ok(_) => "a pprof profile".to_owned(),
                Err(e) => e.message,
            };
            return Err(Failure(format!(
                "{name}: not a V8 heap snapshot ({what}); `leakscope summary` reads .heapsnapshot files"
            )));
        }
        let (g, a) = analyse_heap(&args.file, &bytes)?;
        let mut summary = summarize(&g, &a);
        drop((g, a));
        let limit = args.limit.unwrap_or(if args.json { 0 } else { 50 });
        let shown = if limit == 0 {
            summary.classes.len()
        } else {
            limit.min(summary.classes.len())
        };
        if args.json {
            #[derive(serde::Serialize)]
            struct Out<'a> {
                node_count: u64,
                edge_count: u64,
                total_size: u64,
                classes: &'a [leakscope::analysis::ClassRow],
            }
            let out = Out {
                node_count: summary.node_count,
                edge_count: summary.edge_count,
                total_size: summary.total_size,
                classes: &summary.classes[..shown],
            };
            let mut text = serde_json::to_string(&out).map_err(|e| Failure(e.to_string()))?;
            text.push('\n');
            return Ok(text);
        }
        let total = summary.total_size;
        let mut out = format!(
            "File: {name}\nNodes: {}, edges: {}, total size: {} ({})\n",
            summary.node_count,
            summary.edge_count,
            total,
            format_value(total as i64, "bytes")
        );
        if shown < summary.classes.len() {
            out.push_str(&format!(
                "Showing {shown} of {} classes (--limit 0 for all)\n",
                summary.classes.len()
            ));
        }
        summary.classes.truncate(shown);
        let names: Vec<String> = summary
            .classes
            .iter()
            .map(|c| {
                let n: String = c.name.chars().take(60).collect();
                if n.len() < c.name.len() {
                    format!("{n}…")
                } else {
                    n
                }
            })
            .collect();
        let w = names
            .iter()
            .map(|n| n.chars().count())
            .max()
            .unwrap_or(0)
            .max(11);
        out.push_str(&format!(
            "{:<w$} {:>9} {:>9} {:>13} {:>6} {:>14} {:>6}\n",
            "Constructor", "Distance", "Count", "Shallow size", "%", "Retained size", "%"
        ));
        for (c, n) in summary.classes.iter().zip(&names) {
            // DevTools prints "−" for unreachable (< 0) and system-only (>= 1e8) distances.
            let d = if (0..BASE_SYSTEM_DISTANCE).contains(&c.distance) {
                c.distance.to_string()
            } else {
                "-".to_owned()
            };
            let pad = w - n.chars().count();
            out.push_str(&format!(
                "{n}{:pad$} {d:>9} {:>9} {:>13} {:>6} {:>14} {:>6}\n",
                "",
                c.count,
                c.shallow_size,
                percent(c.shallow_size, total),
                c.retained_size,
                percent(c.retained_size, total)
            ));
        }
        Ok(out)
    }

    /// pprof's `SampleIndexByName`: empty = default type, a number, a name, or a name with a
    /// legacy `inuse_` prefix.
    fn sample_index(profile: &Profile, wanted: Option<&str>) -> Result<usize, String> {
        if profile.sample_types.is_empty() {
            return Err("profile has no sample types".to_owned());
        }
        let Some(wanted) = wanted else {
            return Ok(profile.default_sample_type);
        };
        let names: Vec<&str> = profile
            .sample_types
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        if let Ok(i) = wanted.parse::<i64>() {
            return usize::try_from(i)
                .ok()
                .filter(|&i| i < names.len())
                .ok_or_else(|| {
                    format!(
                        "sample index {wanted} is outside the range [0..{}]",
                        names.len() - 1
                    )
                });
        }
        let no_inuse = wanted.strip_prefix("inuse_").unwrap_or(wanted);
        names
            .iter()
            .position(|&n| n == wanted || n == no_inuse)
            .ok_or_else(|| {
                format!(
                    "sample index {wanted:?} must be one of: {}",
                    names.join(", ")
                )
            })
    }

    fn run_top(args: &TopArgs) -> Result<String, Failure> {
        let profiles = args
            .files
            .iter()
            .map(|p| load(p))
            .collect::<Result<Vec<_>, _>>()?;
        let label = args
            .files
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let merged;
        let profile = if profiles.len() == 1 {
            &profiles[0]
        } else {
            let refs: Vec<&Profile> = profiles.iter().collect();
            merged = merge(&refs).map_err(|e| {
                // Name the first file that does not fit the first one.
                let odd = profiles
                    .iter()
                    .position(|p| p.sample_types != profiles[0].sample_types)
                    .unwrap_or(1);
                Failure(format!(
                    "{}: {e}",
                    args.files[odd.min(args.files.len() - 1)].display()
                ))
            })?;
            &merged
        };
        let index = sample_index(profile, args.sample_index.as_deref())
            .map_err(|e| Failure(format!("{label}: {e}")))?;
        // pprof takes the report total before focusing (driver.go generateRawReport builds
        // the report, then applies focus), so percentages stay relative to the whole profile.
        let total = report_total(profile, index);
        let options = RefineOptions {
            focus: args.focus.clone(),
            ignore: args.ignore.clone(),
            hide: args.hide.clone(),
        };
        let refined = refine(profile, &options).map_err(|e| Failure(e.message))?;
        let top_options = ReportOptions {
            sample_index: index,
            granularity: args.granularity,
        };
        let agg = aggregate(&[&refined], &top_options);
        if args.json {
            let mut table = top_table(&agg, Measure::Column(0));
            table.total = total;
            if args.nodecount > 0 {
                table.rows.truncate(args.nodecount);
            }
            let mut text = serde_json::to_string(&table).map_err(|e| Failure(e.to_string()))?;
            text.push('\n');
            return Ok(text);
        }
        // Inline marks as pprof's trimmed graph has them (the trimming cutoff comes from the
        // refined graph's own sum, as in report.go newTrimmedGraph).
        let mut table = pprof_top(
            &agg,
            Measure::Column(0),
            args.nodefraction,
            args.edgefraction,
            args.nodecount,
        );
        table.total = total;
        let mut header = vec![format!("File: {label}")];
        header.extend(
            profile
                .meta
                .comments
                .iter()
                .filter(|c| !c.starts_with('#'))
                .cloned(),
        );
        if !table.sample_type.name.is_empty() {
            header.push(format!("Type: {}", table.sample_type.name));
        }
        if let Some(t) = profile.meta.time_nanos.filter(|&t| t != 0) {
            header.push(format!("Time: {}", pprof_time(t)));
        }
        let text_options = TopTextOptions {
            node_fraction: args.nodefraction,
            node_count: args.nodecount,
            header,
            duration_nanos: profile.meta.duration_nanos,
            active_filters: options.active_filters(),
        };
        Ok(top_text(&table, &text_options))
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
