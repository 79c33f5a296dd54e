//! `leakscope growth FILE...`: what grew across profiles taken over time, ranked with what
//! grew at every step first, as a table or JSON. Files are read one at a time and put in time
//! order (as the page does) unless `--keep-order`.

use std::path::PathBuf;

use clap::Args;
use leakscope::analysis::growth::{
    GrowthRow, ProfileGrowth, SeriesGrowth, SeriesGrowthBuilder, WaitRow,
};
use leakscope::analysis::{order_members, refine, ReportOptions, SeriesMember};
use leakscope::model::format_value;

use super::heap_series;
use super::input::{load, sample_index, Failure, ViewArgs};

/// Arguments of `leakscope growth`.
#[derive(Args)]
pub struct GrowthArgs {
    #[command(flatten)]
    view: ViewArgs,
    /// Keep the files in the order given instead of ordering them by when they were taken.
    #[arg(long)]
    keep_order: bool,
    /// Rows per list (default: 20 in the table, all in JSON; 0: all).
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
    /// The profiles of one kind, at least two.
    #[arg(required = true, num_args = 2.., value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// `growth --json`: the points in order, then the ranked rows.
#[derive(serde::Serialize)]
struct Out<'a> {
    points: Vec<String>,
    #[serde(flatten)]
    growth: &'a SeriesGrowth,
}

pub fn run(args: &GrowthArgs) -> Result<String, Failure> {
    let limit = args.limit.unwrap_or(if args.json { 0 } else { 20 });
    if heap_series::is_heap_file(&args.files[0])? {
        return heap_series::growth(&args.files, args.keep_order, limit, args.json);
    }
    let options = args.view.refine();
    let mut series: Option<SeriesGrowthBuilder> = None;
    let mut members: Vec<SeriesMember> = Vec::new();
    // File by file: each decoded profile is added to the aggregation and dropped, so a series
    // of big files needs the memory of one file plus the aggregation, not of all of them.
    for (i, path) in args.files.iter().enumerate() {
        let name = path.display().to_string();
        let profile = load(path)?;
        let builder = match &mut series {
            Some(b) => b,
            None => {
                let index = sample_index(&profile, args.view.sample_index.as_deref())
                    .map_err(|e| Failure(format!("{name}: {e}")))?;
                let report = ReportOptions {
                    sample_index: index,
                    granularity: args.view.granularity,
                };
                series.insert(SeriesGrowthBuilder::new(args.files.len(), &report))
            }
        };
        members.push(SeriesMember {
            id: i as u32,
            name: name.clone(),
            key: String::new(),
            time_nanos: profile.meta.time_nanos.filter(|&t| t != 0),
            order_hint: None,
        });
        let refined;
        let point = if options.is_empty() {
            &profile
        } else {
            refined = refine(&profile, &options).map_err(|e| Failure(e.message))?;
            &refined
        };
        builder
            .add(point)
            .map_err(|e| Failure(format!("{name}: not one series with the first file: {e}")))?;
    }
    let Some(series) = series else {
        return Err(Failure("no files".to_owned()));
    };
    // Put the points in the order they were taken, as the page does.
    let mut order: Vec<&SeriesMember> = members.iter().collect();
    if !args.keep_order {
        order_members(&mut order);
    }
    let order: Vec<usize> = order.iter().map(|m| m.id as usize).collect();
    let points: Vec<String> = order.iter().map(|&i| members[i].name.clone()).collect();
    let growth = series.finish(&order, limit);
    if args.json {
        let out = Out {
            points,
            growth: &growth,
        };
        let mut text = serde_json::to_string(&out).map_err(|e| Failure(e.to_string()))?;
        text.push('\n');
        return Ok(text);
    }
    Ok(table(&points, &growth.growth, &growth.waits))
}

fn table(points: &[String], g: &ProfileGrowth, waits: &[WaitRow]) -> String {
    let unit = g.sample_type.unit.as_str();
    let fmt = |v: i64| format_value(v, unit);
    let mut out = format!(
        "Growth of {} over {} points; a step counts when it moves by more than {}\n",
        g.sample_type.name,
        points.len(),
        fmt(g.noise)
    );
    for (i, p) in points.iter().enumerate() {
        out.push_str(&format!("  t{i}: {p} (total {})\n", fmt(g.totals[i])));
    }
    let section = |title: &str, rows: &[GrowthRow], out: &mut String| {
        out.push_str(&format!("\n{title}\n"));
        let mut header = format!("{:<6}", "trend");
        for i in 0..points.len() {
            header.push_str(&format!(" {:>10}", format!("t{i}")));
        }
        header.push_str(&format!(" {:>10} {:>10}  name\n", "change", "per step"));
        out.push_str(&header);
        for r in rows {
            let mut line = format!("{:<6}", r.trend.kind.label());
            for &v in &r.values {
                line.push_str(&format!(" {:>10}", fmt(v)));
            }
            let change = match r.trend.growth {
                g if g > 0 => format!("+{}", fmt(g)),
                g => fmt(g),
            };
            line.push_str(&format!(
                " {:>10} {:>10}  {}\n",
                change,
                fmt(r.trend.slope.round() as i64),
                r.name
            ));
            out.push_str(&line);
        }
    };
    section("By function (flat):", &g.functions, &mut out);
    section("By stack:", &g.stacks, &mut out);
    if !waits.is_empty() {
        out.push_str("\nGoroutines by wait state and user frame:\n");
        for w in waits {
            let counts: Vec<String> = w.counts.iter().map(|c| c.to_string()).collect();
            let longest = match w.longest_minutes.last().copied().flatten() {
                Some(m) => format!(", longest wait {m} min"),
                None => String::new(),
            };
            out.push_str(&format!(
                "{:<6} {:<14} {}  [{}]{longest}\n",
                w.trend.kind.label(),
                w.state,
                w.frame,
                counts.join(" → ")
            ));
        }
    }
    out
}
