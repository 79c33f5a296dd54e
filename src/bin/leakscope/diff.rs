//! `leakscope diff BASE NEW`: what changed between two profiles, printed as
//! `go tool pprof -top -diff_base=BASE NEW` prints it (or JSON with both sides per row); two
//! heap snapshots get DevTools' Comparison (`heap_series`).

use std::path::PathBuf;

use clap::Args;
use leakscope::analysis::{
    diff_aggregate, diff_table, pprof_top, refine, report_total, top_text, ReportOptions,
    TopTextOptions, DIFF,
};

use super::heap_series;
use super::input::{load, pprof_header, sample_index, Failure, TextArgs, ViewArgs};

/// Arguments of `leakscope diff`.
#[derive(Args)]
pub struct DiffArgs {
    #[command(flatten)]
    view: ViewArgs,
    /// Scale NEW to BASE's total first, to compare shares rather than amounts (pprof's
    /// `-normalize`).
    #[arg(long)]
    normalize: bool,
    #[command(flatten)]
    text: TextArgs,
    /// The earlier profile.
    #[arg(value_name = "BASE")]
    base: PathBuf,
    /// The later profile.
    #[arg(value_name = "NEW")]
    new: PathBuf,
}

pub fn run(args: &DiffArgs) -> Result<String, Failure> {
    if heap_series::is_heap_file(&args.base)? {
        return heap_series::diff(&args.base, &args.new, args.text.nodecount, args.text.json);
    }
    let (base, new) = (load(&args.base)?, load(&args.new)?);
    let name = args.new.display().to_string();
    // pprof's merged profile takes the newer (source) profile's default sample type.
    let index = sample_index(&new, args.view.sample_index.as_deref())
        .map_err(|e| Failure(format!("{name}: {e}")))?;
    let options = args.view.refine();
    let refined_base = refine(&base, &options).map_err(|e| Failure(e.message))?;
    let refined_new = refine(&new, &options).map_err(|e| Failure(e.message))?;
    let report = ReportOptions {
        sample_index: index,
        granularity: args.view.granularity,
    };
    let agg = diff_aggregate(&refined_base, &refined_new, &report, args.normalize)
        .map_err(|e| Failure(format!("{}: {e}", args.base.display())))?;
    // pprof's 100% is the base's total, taken before focusing (report.go computeTotal).
    let total = match (options.is_empty(), report_total(&base, index)) {
        (true, _) | (false, 0) => agg.report_total(DIFF),
        (false, t) => t,
    };
    if args.text.json {
        let mut table = diff_table(&agg, args.normalize);
        if args.text.nodecount > 0 {
            table.rows.truncate(args.text.nodecount);
        }
        let mut text = serde_json::to_string(&table).map_err(|e| Failure(e.to_string()))?;
        text.push('\n');
        return Ok(text);
    }
    let mut table = pprof_top(
        &agg,
        DIFF,
        args.text.nodefraction,
        args.text.edgefraction,
        args.text.nodecount,
    );
    table.total = total;
    let text_options = TopTextOptions {
        node_fraction: args.text.nodefraction,
        node_count: args.text.nodecount,
        header: pprof_header(&name, &new, &table.sample_type.name),
        duration_nanos: None,
        active_filters: options.active_filters(),
    };
    Ok(top_text(&table, &text_options))
}
