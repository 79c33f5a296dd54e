//! `top_text`: a `TopTable` printed exactly like `go tool pprof -top` (internal/report
//! `printText`, `reportLabels`, `selectOutputUnit`, internal/measurement `Percentage`), and a
//! `PeekReport` like `go tool pprof -peek` (`printTree`). It formats only; the numbers come
//! from `top` and `sandwich`.

use super::sandwich::{PeekEdge, PeekReport};
use super::{pprof_visible_rows, TopTable};
use crate::model::{scale, scaled_label};

/// What to print around the table.
#[derive(Clone, Debug, PartialEq)]
pub struct TopTextOptions {
    /// pprof's `-nodefraction` (default 0.005): rows with a smaller |cum| are dropped.
    pub node_fraction: f64,
    /// pprof's `-nodecount` (0 = all rows).
    pub node_count: usize,
    /// Lines printed first, verbatim (`File: …`, comments, `Type: …`, `Time: …`).
    pub header: Vec<String>,
    /// Collection time; adds pprof's `Duration: …, Total samples = …` line in the report unit.
    pub duration_nanos: Option<i64>,
    /// Filters in effect, as `focus=RE`, printed under `Active filters:`.
    pub active_filters: Vec<String>,
}

impl Default for TopTextOptions {
    fn default() -> Self {
        TopTextOptions {
            node_fraction: 0.005,
            node_count: 0,
            header: Vec::new(),
            duration_nanos: None,
            active_filters: Vec::new(),
        }
    }
}

/// The whole `go tool pprof -top` text for `table`.
pub fn top_text(table: &TopTable, options: &TopTextOptions) -> String {
    let visible = pprof_visible_rows(table, options.node_fraction, options.node_count);
    let rows: Vec<_> = visible.rows.iter().map(|&i| &table.rows[i]).collect();
    let from = table.sample_type.unit.as_str();
    let total = table.total;
    let unit = output_unit(rows.iter().map(|r| (r.flat, r.cum)), total, from);
    let fmt = |v: i64| scaled_label(v, from, &unit);

    let flat_sum: i64 = rows.iter().map(|r| r.flat).sum();
    let shown = Shown {
        flat_sum,
        dropped_nodes: visible.dropped_nodes,
        rows: rows.len(),
        kept_before_count: visible.kept_before_count,
    };
    let lines = report_labels(options, from, total, &shown, &fmt);
    let mut out = lines.join("\n");
    out.push('\n');
    out.push_str(&format!(
        "{:>10} {:>5}% {:>5}% {:>10} {:>5}%\n",
        "flat", "flat", "sum", "cum", "cum"
    ));
    let mut sum = 0i64;
    for r in rows {
        sum = sum.wrapping_add(r.flat);
        let inline = r.inline.label();
        let inline = if inline.is_empty() {
            String::new()
        } else {
            format!(" {inline}")
        };
        out.push_str(&format!(
            "{:>10} {} {} {:>10} {}  {}{}\n",
            fmt(r.flat),
            percentage(r.flat, total),
            percentage(sum, total),
            fmt(r.cum),
            percentage(r.cum, total),
            r.name,
            inline
        ));
    }
    out
}

/// The whole `go tool pprof -peek REGEX` text for `report` (report.go `printTree`: `-peek`
/// neither trims the graph nor drops nodes, so `options`' fractions and count are not read).
pub fn peek_text(report: &PeekReport, options: &TopTextOptions) -> String {
    const SEPARATOR: &str =
        "----------------------------------------------------------+-------------";
    const LEGEND: &str =
        "      flat  flat%   sum%        cum   cum%   calls calls% + context \t \t ";
    let from = report.sample_type.unit.as_str();
    let total = report.total;
    let unit = output_unit(report.all.iter().copied(), total, from);
    let fmt = |v: i64| scaled_label(v, from, &unit);
    let shown = Shown {
        flat_sum: report.all.iter().map(|&(flat, _)| flat).sum(),
        dropped_nodes: 0,
        rows: report.all.len(),
        kept_before_count: report.all.len(),
    };
    let mut lines = report_labels(options, from, total, &shown, &fmt);
    lines.push(SEPARATOR.to_owned());
    lines.push(LEGEND.to_owned());
    let edge = |e: &PeekEdge, cum: i64| {
        let inline = if e.inline { " (inline)" } else { "" };
        format!(
            "{:>50} {} |   {}{inline}",
            fmt(e.value),
            percentage(e.value, cum),
            e.name
        )
    };
    let mut flat_sum = 0i64;
    for r in &report.rows {
        lines.push(SEPARATOR.to_owned());
        lines.extend(r.callers.iter().map(|e| edge(e, r.cum)));
        flat_sum = flat_sum.wrapping_add(r.flat);
        lines.push(format!(
            "{:>10} {} {} {:>10} {}                | {}",
            fmt(r.flat),
            percentage(r.flat, total),
            percentage(flat_sum, total),
            fmt(r.cum),
            percentage(r.cum, total),
            r.name
        ));
        lines.extend(r.callees.iter().map(|e| edge(e, r.cum)));
    }
    if !report.all.is_empty() {
        lines.push(SEPARATOR.to_owned());
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// What a text report's graph shows, for its labels.
struct Shown {
    /// The sum of the shown nodes' flat values.
    flat_sum: i64,
    /// Nodes dropped for a small cum.
    dropped_nodes: usize,
    /// Nodes shown.
    rows: usize,
    /// Nodes left before `-nodecount`.
    kept_before_count: usize,
}

/// report.go `reportLabels`: the header lines, `Duration:`, active filters, "Showing nodes
/// accounting for …" and what was dropped, each value (of unit `from`) printed by `fmt`.
fn report_labels(
    options: &TopTextOptions,
    from: &str,
    total: i64,
    shown: &Shown,
    fmt: &dyn Fn(i64) -> String,
) -> Vec<String> {
    let mut lines = options.header.clone();
    if let Some(duration) = options.duration_nanos.filter(|&d| d != 0) {
        let (total_nanos, total_unit) = scale(total, from, "nanoseconds");
        let ratio = if total_unit == "ns" && total_nanos != 0.0 {
            format!("({})", percentage(total_nanos as i64, duration))
        } else {
            String::new()
        };
        lines.push(format!(
            "Duration: {}, Total samples = {} {}",
            scaled_label(duration, "nanoseconds", "auto"),
            fmt(total),
            ratio
        ));
    }
    if !options.active_filters.is_empty() {
        lines.push("Active filters:".to_owned());
        for f in &options.active_filters {
            // legendActiveFilters cuts long filters at 80 bytes.
            let text = match f.get(..80) {
                Some(head) if f.len() > 80 => format!("{head}…"),
                _ => f.clone(),
            };
            lines.push(format!("   {text}"));
        }
    }
    lines.push(format!(
        "Showing nodes accounting for {}, {} of {} total",
        fmt(shown.flat_sum),
        percentage(shown.flat_sum, total).trim(),
        fmt(total)
    ));
    if total != 0 {
        if shown.dropped_nodes > 0 {
            let cut = ((total as f64 * options.node_fraction) as i64).wrapping_abs();
            let noun = if shown.dropped_nodes > 1 {
                "nodes"
            } else {
                "node"
            };
            lines.push(format!(
                "Dropped {} {noun} (cum <= {})",
                shown.dropped_nodes,
                fmt(cut)
            ));
        }
        if shown.rows > 0 && shown.rows < shown.kept_before_count {
            lines.push(format!(
                "Showing top {} nodes out of {}",
                shown.rows, shown.kept_before_count
            ));
        }
    }
    lines
}

/// pprof's `Time:` value, `Jan 2, 2006 at 3:04pm (UTC)`, for ns since the Unix epoch. pprof
/// prints local time; this always prints UTC.
pub fn pprof_time(nanos: i64) -> String {
    let secs = nanos.div_euclid(1_000_000_000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (hour, minute) = (rem / 3600, rem % 3600 / 60);
    let (h12, ampm) = match hour {
        0 => (12, "am"),
        1..=11 => (hour, "am"),
        12 => (12, "pm"),
        _ => (hour - 12, "pm"),
    };
    format!(
        "{} {day}, {year} at {h12}:{minute:02}{ampm} (UTC)",
        MONTHS[(month - 1) as usize]
    )
}

/// report.go `selectOutputUnit`: one unit for the whole report, chosen from the smallest
/// nonzero node value and the total, so that the smallest value still shows as at least 0.01.
/// Returns `"minimum"` (scale each value on its own) when there are no rows.
pub fn output_unit(
    rows: impl Iterator<Item = (i64, i64)>,
    total: i64,
    sample_unit: &str,
) -> String {
    let mut min_value = 0i64;
    let mut any = false;
    for (flat, cum) in rows {
        any = true;
        let mut node_min = flat.wrapping_abs();
        if node_min == 0 {
            node_min = cum.wrapping_abs();
        }
        if node_min > 0 && (min_value == 0 || node_min < min_value) {
            min_value = node_min;
        }
    }
    if !any {
        return "minimum".to_owned();
    }
    let max_value = total;
    if min_value == 0 {
        min_value = max_value;
    }
    let (_, min_unit) = scale(min_value, sample_unit, "minimum");
    let (_, max_unit) = scale(max_value, sample_unit, "minimum");
    let mut unit = min_unit.clone();
    if min_unit != max_unit && min_value.saturating_mul(100) < max_value {
        unit = scale(min_value.wrapping_mul(100), sample_unit, "minimum").1;
    }
    if unit.is_empty() {
        sample_unit.to_owned()
    } else {
        unit
    }
}

/// measurement.Percentage: `value` as a percentage of `total`, five characters wide, two
/// decimals from 1% up, two significant digits (Go's `%5.2g`) below, `  100%` near 100.
pub fn percentage(value: i64, total: i64) -> String {
    let ratio = if total != 0 {
        (value as f64 / total as f64).abs() * 100.0
    } else {
        0.0
    };
    if (99.95..=100.05).contains(&ratio) {
        "  100%".to_owned()
    } else if ratio >= 1.0 {
        format!("{ratio:5.2}%")
    } else {
        format!("{:>5}%", go_g2(ratio))
    }
}

/// Go's `%.2g` for a finite non-negative number below 1: two significant digits, exponent
/// form (`1.2e-05`) when the exponent is below -4, trailing zeros dropped.
fn go_g2(v: f64) -> String {
    if v == 0.0 {
        return "0".to_owned();
    }
    // Round to two significant digits once, then read the exponent of the rounded value.
    let sci = format!("{v:.1e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..2).contains(&exp) {
        let m = mantissa.trim_end_matches('0').trim_end_matches('.');
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{m}e{sign}{:02}", exp.abs());
    }
    let decimals = (1 - exp).max(0) as usize;
    let fixed = format!("{v:.decimals$}");
    if fixed.contains('.') {
        fixed.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        fixed
    }
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;
    use crate::analysis::{top, ReportOptions};
    use crate::model::{Profile, SampleType};

    #[test]
    fn percentages_match_go() {
        assert_eq!(percentage(1, 1), "  100%");
        assert_eq!(percentage(7273, 10000), "72.73%");
        assert_eq!(percentage(5, 1000), "  0.5%");
        assert_eq!(percentage(1, 1000), "  0.1%");
        assert_eq!(percentage(57, 10000), " 0.57%");
        assert_eq!(percentage(12, 100_000_000), "1.2e-05%");
        assert_eq!(percentage(0, 10), "    0%");
        assert_eq!(percentage(3, 0), "    0%");
        assert_eq!(go_g2(0.996), "1");
        // Independent check: `date -u -d @1506718620` is Fri Sep 29 20:57:00 UTC 2017.
        assert_eq!(
            pprof_time(1_506_718_620_000_000_000),
            "Sep 29, 2017 at 8:57pm (UTC)"
        );
        assert_eq!(pprof_time(0), "Jan 1, 1970 at 12:00am (UTC)");
    }

    #[test]
    fn one_unit_for_the_report() {
        let rows = [
            (10_000_000i64, 10_000_000i64),
            (1_280_000_000, 1_370_000_000),
        ];
        assert_eq!(
            output_unit(rows.into_iter(), 1_760_000_000, "nanoseconds"),
            "s"
        );
        assert_eq!(output_unit([(0, 5)].into_iter(), 5, "count"), "count");
        assert_eq!(output_unit(std::iter::empty(), 0, "bytes"), "minimum");
        assert_eq!(
            output_unit([(1024, 1024)].into_iter(), 10 << 20, "bytes"),
            "kB"
        );
    }

    #[test]
    fn prints_like_pprof_top() {
        let p = Profile::from_folded(
            vec![SampleType::new("cpu", "nanoseconds")],
            "main;busy;mapiternext 1280000000\nmain;busy 150000000\nmain;busy;abs 110000000\nmain;busy;tiny 10000\n",
        );
        let table = top(&p, &ReportOptions::default());
        let options = TopTextOptions {
            header: vec!["Type: cpu".to_owned()],
            duration_nanos: Some(2_000_000_000),
            active_filters: vec!["focus=busy".to_owned()],
            ..Default::default()
        };
        expect![[r#"
            Type: cpu
            Duration: 2s, Total samples = 1540.01ms (77.00%)
            Active filters:
               focus=busy
            Showing nodes accounting for 1540ms, 100% of 1540.01ms total
            Dropped 1 node (cum <= 7.70ms)
                  flat  flat%   sum%        cum   cum%
                1280ms 83.12% 83.12%     1280ms 83.12%  mapiternext
                 150ms  9.74% 92.86%  1540.01ms   100%  busy
                 110ms  7.14%   100%      110ms  7.14%  abs
                     0     0%   100%  1540.01ms   100%  main
        "#]]
        .assert_eq(&top_text(&table, &options));
    }
}
