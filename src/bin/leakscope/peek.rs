//! `leakscope peek`: `go tool pprof -peek`'s text (or JSON) for one profile: the callers and
//! callees of every function whose name matches a regex, with the edge values pprof prints.

use std::path::PathBuf;

use clap::Args;
use leakscope::analysis::{
    aggregate, peek, peek_text, refine, report_total, Measure, ReportOptions, TopTextOptions,
};

use super::input::{label, load, pprof_header, sample_index, Failure, ViewArgs};

/// Arguments of `leakscope peek`.
#[derive(Args)]
pub struct PeekArgs {
    #[command(flatten)]
    view: ViewArgs,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// The profile to read.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Functions (or files, or lines) to show, by a regex on their printed names.
    #[arg(value_name = "REGEX")]
    regex: String,
}

pub fn run(args: &PeekArgs) -> Result<String, Failure> {
    let label = label(std::slice::from_ref(&args.file));
    let profile = load(&args.file)?;
    let index = sample_index(&profile, args.view.sample_index.as_deref())
        .map_err(|e| Failure(format!("{label}: {e}")))?;
    let rx = regex_lite::Regex::new(&args.regex)
        .map_err(|e| Failure(format!("parsing argument regexp {}: {e}", args.regex)))?;
    // The 100% is the whole profile's, taken before focusing, as for `top`.
    let total = report_total(&profile, index);
    let options = args.view.refine();
    let refined = refine(&profile, &options).map_err(|e| Failure(e.message))?;
    let report = ReportOptions {
        sample_index: index,
        granularity: args.view.granularity,
    };
    let agg = aggregate(&[&refined], &report);
    let mut report = peek(&agg, Measure::Column(0), |name| rx.is_match(name));
    report.total = total;
    if report.rows.is_empty() {
        return Err(Failure(format!(
            "no matches found for regexp: {}",
            args.regex
        )));
    }
    if args.json {
        let mut text = serde_json::to_string(&report).map_err(|e| Failure(e.to_string()))?;
        text.push('\n');
        return Ok(text);
    }
    let text_options = TopTextOptions {
        header: pprof_header(&label, &profile, &report.sample_type.name),
        duration_nanos: profile.meta.duration_nanos,
        active_filters: options.active_filters(),
        ..Default::default()
    };
    Ok(peek_text(&report, &text_options))
}
