//! `leakscope top`: `go tool pprof -top`'s table (or JSON) for one profile, several merged as
//! pprof merges them, or a heap snapshot by dominator path.

use std::path::PathBuf;

use clap::Args;
use leakscope::analysis::{
    aggregate, merge, pprof_top, refine, report_total, top_table, top_text, Measure, ReportOptions,
    TopTextOptions,
};
use leakscope::model::Profile;

use super::input::{label, load_all, pprof_header, sample_index, Failure, TextArgs, ViewArgs};

/// Arguments of `leakscope top`.
#[derive(Args)]
pub struct TopArgs {
    #[command(flatten)]
    view: ViewArgs,
    #[command(flatten)]
    text: TextArgs,
    /// Profiles to read; several are merged (they must have the same sample types).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

pub fn run(args: &TopArgs) -> Result<String, Failure> {
    let profiles = load_all(&args.files)?;
    let label = label(&args.files);
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
    let index = sample_index(profile, args.view.sample_index.as_deref())
        .map_err(|e| Failure(format!("{label}: {e}")))?;
    // pprof takes the report total before focusing (driver.go generateRawReport builds
    // the report, then applies focus), so percentages stay relative to the whole profile.
    let total = report_total(profile, index);
    let options = args.view.refine();
    let refined = refine(profile, &options).map_err(|e| Failure(e.message))?;
    let report = ReportOptions {
        sample_index: index,
        granularity: args.view.granularity,
    };
    let agg = aggregate(&[&refined], &report);
    if args.text.json {
        let mut table = top_table(&agg, Measure::Column(0));
        table.total = total;
        if args.text.nodecount > 0 {
            table.rows.truncate(args.text.nodecount);
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
        args.text.nodefraction,
        args.text.edgefraction,
        args.text.nodecount,
    );
    table.total = total;
    let text_options = TopTextOptions {
        node_fraction: args.text.nodefraction,
        node_count: args.text.nodecount,
        header: pprof_header(&label, profile, &table.sample_type.name),
        duration_nanos: profile.meta.duration_nanos,
        active_filters: options.active_filters(),
    };
    Ok(top_text(&table, &text_options))
}
