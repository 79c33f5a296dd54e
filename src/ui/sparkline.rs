//! `<Sparkline/>`: a small trend line of a row's values across the points of a series, as an
//! inline SVG polyline scaled to the row's own range, with a dot on each point. It draws what
//! it is given; judging the trend is `analysis::growth`'s job.

use leptos::prelude::*;

/// Width and height of a sparkline in CSS px.
const W: f64 = 72.0;
const H: f64 = 18.0;
/// Room for the dots at the edges.
const PAD: f64 = 2.5;

/// The points of `values` in the box, oldest on the left.
fn points(values: &[i64]) -> Vec<(f64, f64)> {
    let (lo, hi) = values
        .iter()
        .fold((i64::MAX, i64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let span = (hi.saturating_sub(lo)).max(1) as f64;
    let step = if values.len() > 1 {
        (W - 2.0 * PAD) / (values.len() - 1) as f64
    } else {
        0.0
    };
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let y = if hi == lo {
                H / 2.0
            } else {
                H - PAD - (v.saturating_sub(lo)) as f64 / span * (H - 2.0 * PAD)
            };
            (PAD + i as f64 * step, y)
        })
        .collect()
}

/// A trend line of `values`; `class` colours it (`grows`, `churn`, …).
#[component]
pub fn Sparkline(values: Vec<i64>, #[prop(into)] class: String) -> impl IntoView {
    let pts = points(&values);
    let line = pts
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ");
    let dots = pts
        .into_iter()
        .map(|(x, y)| view! { <circle cx=format!("{x:.1}") cy=format!("{y:.1}") r="1.6"></circle> })
        .collect_view();
    view! {
        <svg
            class=format!("sparkline {class}")
            width=W.to_string()
            height=H.to_string()
            viewBox=format!("0 0 {W} {H}")
            aria-hidden="true"
        >
            <polyline points=line fill="none"></polyline>
            {dots}
        </svg>
    }
}
