//! `leakscope growth FILE...`: what grew across profiles taken over time, ranked with what
//! grew at every step first, as a table or JSON. Files are put in time order (as the page
//! does) unless `--keep-order`.

use std::path::PathBuf;

use clap::Args;
use leakscope::analysis::growth::{series_growth, GrowthRow, ProfileGrowth, SeriesGrowth, WaitRow};
use leakscope::analysis::{compatible, order_members, refine, ReportOptions, SeriesMember};
use leakscope::model::{format_value, Profile};

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
    let mut loaded: Vec<(PathBuf, Profile)> = args
        .files
        .iter()
        .map(|p| load(p).map(|profile| (p.clone(), profile)))
        .collect::<Result<_, _>>()?;
    for (i, (path, p)) in loaded.iter().enumerate().skip(1) {
        compatible(&loaded[0].1, p, i + 1).map_err(|e| {
            Failure(format!(
                "{}: not one series with the first file: {e}",
                path.display()
            ))
        })?;
    }
    if !args.keep_order {
        loaded = in_time_order(loaded);
    }
    let points: Vec<String> = loaded
        .iter()
        .map(|(p, _)| p.display().to_string())
        .collect();
    let last = &loaded[loaded.len() - 1].1;
    let index = sample_index(last, args.view.sample_index.as_deref())
        .map_err(|e| Failure(format!("{}: {e}", points[points.len() - 1])))?;
    let options = args.view.refine();
    let refined: Vec<Profile> = loaded
        .iter()
        .map(|(_, p)| refine(p, &options))
        .collect::<Result<_, _>>()
        .map_err(|e| Failure(e.message))?;
    let refs: Vec<&Profile> = refined.iter().collect();
    let report = ReportOptions {
        sample_index: index,
        granularity: args.view.granularity,
    };
    let limit = args.limit.unwrap_or(if args.json { 0 } else { 20 });
    let growth = series_growth(&refs, &report, limit).map_err(|e| Failure(e.message))?;
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

/// The files ordered as the page orders a series: by time when all have one, else by name.
fn in_time_order(loaded: Vec<(PathBuf, Profile)>) -> Vec<(PathBuf, Profile)> {
    let members: Vec<SeriesMember> = loaded
        .iter()
        .enumerate()
        .map(|(i, (path, p))| SeriesMember {
            id: i as u32,
            name: path.display().to_string(),
            key: String::new(),
            time_nanos: p.meta.time_nanos.filter(|&t| t != 0),
            order_hint: None,
        })
        .collect();
    let mut order: Vec<&SeriesMember> = members.iter().collect();
    order_members(&mut order);
    let ids: Vec<usize> = order.iter().map(|m| m.id as usize).collect();
    let mut slots: Vec<Option<(PathBuf, Profile)>> = loaded.into_iter().map(Some).collect();
    ids.into_iter().filter_map(|i| slots[i].take()).collect()
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
