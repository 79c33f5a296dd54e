//! `leakscope summary`: Chrome DevTools' Summary of a V8 heap snapshot by constructor, as a
//! table or JSON.

use std::path::PathBuf;

use clap::Args;
use leakscope::analysis::heap::{summarize, BASE_SYSTEM_DISTANCE};
use leakscope::formats::Content;
use leakscope::model::format_value;

use super::input::{analysed, Failure, Opened};

/// Arguments of `leakscope summary`.
#[derive(Args)]
pub struct SummaryArgs {
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

/// A count, shallow size or retained size column entry with its share of the total.
fn percent(part: u64, total: u64) -> String {
    if total == 0 {
        return "0%".to_owned();
    }
    format!("{:.1}%", part as f64 * 100.0 / total as f64)
}

pub fn run(args: &SummaryArgs) -> Result<String, Failure> {
    let name = args.file.display();
    let (g, a) = match Opened::new(&args.file)?.decode()? {
        Content::Heap(g) => analysed(g),
        Content::Profile(p) => {
            return Err(Failure(format!(
                "{name}: not a V8 heap snapshot (a {} profile); `leakscope summary` reads \
                 .heapsnapshot files",
                p.meta.format
            )))
        }
    };
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
