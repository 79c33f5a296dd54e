//! `<SeriesChart/>`: the totals of a series over time, one small panel per sample type (each
//! with its own unit and scale), drawn with `plotters` on a canvas; hovering shows every
//! panel's value at the nearest point. The totals come from the files' summaries; this only
//! draws them.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

use crate::model::format_value;

/// One panel: a quantity's total at each point.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartPanel {
    /// What it is (`inuse_space`, `objects`).
    pub name: String,
    /// Its unit (`bytes`, `count`).
    pub unit: String,
    /// One value per point.
    pub values: Vec<i64>,
}

/// What the chart shows.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartData {
    /// Each point's label (file name).
    pub labels: Vec<String>,
    /// Each point's position: seconds since the first point when every point has a time,
    /// else its index.
    pub x: Vec<f64>,
    /// True when `x` is in seconds.
    pub timed: bool,
    /// The panels, in sample type order.
    pub panels: Vec<ChartPanel>,
}

/// Height of the chart in CSS px.
const HEIGHT: f64 = 190.0;
/// The chart's colours, read from the page's theme (style/app.css: `--panel`, `--text`,
/// `--chart-line`, `--chart-grid`), so the chart follows the light or dark scheme.
struct Theme {
    background: RGBColor,
    text: RGBColor,
    line: RGBColor,
    grid: RGBColor,
}

impl Theme {
    fn of(canvas: &web_sys::HtmlCanvasElement) -> Theme {
        let style = window().get_computed_style(canvas).ok().flatten();
        let color = |name: &str, fallback: RGBColor| {
            style
                .as_ref()
                .and_then(|s| s.get_property_value(name).ok())
                .and_then(|v| hex_color(v.trim()))
                .unwrap_or(fallback)
        };
        Theme {
            background: color("--panel", RGBColor(255, 255, 255)),
            text: color("--text", RGBColor(31, 35, 40)),
            line: color("--chart-line", RGBColor(37, 99, 235)),
            grid: color("--chart-grid", RGBColor(230, 232, 236)),
        }
    }
}

/// `#rrggbb` as a colour.
fn hex_color(text: &str) -> Option<RGBColor> {
    let hex = text.strip_prefix('#').filter(|h| h.len() == 6)?;
    let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
    Some(RGBColor(byte(0)?, byte(2)?, byte(4)?))
}

/// Where the last paint put each point, for hit-testing: canvas px of each point's x in
/// every panel, with the point's index.
#[derive(Default)]
struct Placed {
    xs: Vec<(f64, usize)>,
    dpr: f64,
}

/// The chart of `data`; the canvas carries `data-points` and `data-panels` for tests.
#[component]
pub fn SeriesChart(#[prop(into)] data: Signal<Option<Arc<ChartData>>>) -> impl IntoView {
    let canvas_ref = NodeRef::<html::Canvas>::new();
    let hovered = RwSignal::new(None::<usize>);
    let placed = Rc::new(RefCell::new(Placed::default()));
    {
        let placed = placed.clone();
        Effect::new(move |_| {
            let (Some(canvas), Some(d)) = (canvas_ref.get(), data.get()) else {
                return;
            };
            let h = hovered.get();
            if let Some(xs) = paint(&canvas, &d, h) {
                *placed.borrow_mut() = xs;
            }
        });
    }
    let on_move = {
        let placed = placed.clone();
        move |e: leptos::ev::MouseEvent| {
            let p = placed.borrow();
            let x = e.offset_x() as f64 * p.dpr;
            let nearest =
                p.xs.iter()
                    .min_by(|a, b| (a.0 - x).abs().total_cmp(&(b.0 - x).abs()))
                    .map(|&(_, i)| i);
            if hovered.get_untracked() != nearest {
                hovered.set(nearest);
            }
        }
    };
    let tip = move || {
        let i = hovered.get()?;
        let d = data.get()?;
        let label = d.labels.get(i)?.clone();
        let rows = d
            .panels
            .iter()
            .map(|p| {
                let v = p.values.get(i).copied().unwrap_or(0);
                view! { <div><span class="muted">{p.name.clone()}": "</span>{format_value(v, &p.unit)}</div> }
            })
            .collect_view();
        Some(view! {
            <div class="chart-tip" data-testid="chart-tip">
                <div class="chart-tip-name">{format!("t{i} · {label}")}</div>
                {rows}
            </div>
        })
    };
    let points = move || data.with(|d| d.as_ref().map_or(0, |d| d.labels.len()).to_string());
    let panels = move || data.with(|d| d.as_ref().map_or(0, |d| d.panels.len()).to_string());
    view! {
        <div class="series-chart">
            <canvas
                node_ref=canvas_ref
                data-testid="series-chart"
                data-points=points
                data-panels=panels
                style=format!("display:block;width:100%;height:{HEIGHT}px")
                on:mousemove=on_move
                on:mouseleave=move |_| hovered.set(None)
            ></canvas>
            {tip}
        </div>
    }
}

/// Draws the chart at the canvas's CSS size times the device pixel ratio; returns where the
/// points went.
fn paint(
    canvas: &web_sys::HtmlCanvasElement,
    d: &ChartData,
    hovered: Option<usize>,
) -> Option<Placed> {
    let dpr = window().device_pixel_ratio().max(1.0);
    let css_w = f64::from(canvas.client_width()).max(200.0);
    let (w, h) = ((css_w * dpr).round() as u32, (HEIGHT * dpr).round() as u32);
    if canvas.width() != w || canvas.height() != h {
        canvas.set_width(w);
        canvas.set_height(h);
    }
    let backend = CanvasBackend::with_canvas_object(canvas.clone())?;
    let root = backend.into_drawing_area();
    let theme = Theme::of(canvas);
    root.fill(&theme.background).ok()?;
    let n = d.panels.len().max(1);
    let areas = root.split_evenly((1, n));
    let mut placed = Placed {
        xs: Vec::new(),
        dpr,
    };
    for (area, panel) in areas.iter().zip(&d.panels) {
        let xs = panel_chart(area, d, panel, hovered, dpr, &theme)?;
        placed
            .xs
            .extend(xs.into_iter().enumerate().map(|(i, x)| (x, i)));
    }
    root.present().ok()?;
    Some(placed)
}

/// One panel; returns the canvas x of each point.
fn panel_chart(
    area: &DrawingArea<CanvasBackend, Shift>,
    d: &ChartData,
    panel: &ChartPanel,
    hovered: Option<usize>,
    dpr: f64,
    theme: &Theme,
) -> Option<Vec<f64>> {
    let px = |v: f64| (v * dpr).round() as i32;
    let font = |size: f64| ("sans-serif", size * dpr).into_font().color(&theme.text);
    let x_max = d.x.last().copied().unwrap_or(1.0).max(1e-9);
    let hi = panel.values.iter().copied().max().unwrap_or(0).max(1) as f64;
    let lo = panel.values.iter().copied().min().unwrap_or(0).min(0) as f64;
    let mut chart = ChartBuilder::on(area)
        .caption(&panel.name, font(12.0))
        .margin(px(8.0))
        .x_label_area_size(px(20.0))
        .y_label_area_size(px(58.0))
        .build_cartesian_2d(0.0..x_max, lo..hi * 1.08)
        .ok()?;
    let unit = panel.unit.clone();
    let x_label = |x: &f64| -> String {
        if d.timed {
            format_value((*x * 1e9) as i64, "nanoseconds")
        } else {
            format!("t{}", x.round() as i64)
        }
    };
    chart
        .configure_mesh()
        .light_line_style(theme.grid)
        .bold_line_style(theme.grid)
        .axis_style(theme.text)
        .x_labels(d.x.len().min(6))
        .y_labels(4)
        .label_style(font(10.0))
        .x_label_formatter(&x_label)
        .y_label_formatter(&|v: &f64| axis_label(*v, &unit))
        .draw()
        .ok()?;
    let pts: Vec<(f64, f64)> =
        d.x.iter()
            .zip(&panel.values)
            .map(|(&x, &v)| (x, v as f64))
            .collect();
    let line = ShapeStyle::from(&theme.line).stroke_width(px(2.0).max(1) as u32);
    chart.draw_series(LineSeries::new(pts.clone(), line)).ok()?;
    chart
        .draw_series(pts.iter().enumerate().map(|(i, &p)| {
            let r = if hovered == Some(i) { 5.0 } else { 3.0 };
            Circle::new(p, px(r), theme.line.filled())
        }))
        .ok()?;
    let spec = chart.as_coord_spec();
    Some(pts.iter().map(|p| f64::from(spec.translate(p).0)).collect())
}

/// An axis label: a value in its unit, counts shortened (`20M`, `12k`).
fn axis_label(v: f64, unit: &str) -> String {
    if unit != "count" {
        return format_value(v as i64, unit);
    }
    let a = v.abs();
    let (x, suffix) = match a {
        a if a >= 1e9 => (v / 1e9, "G"),
        a if a >= 1e6 => (v / 1e6, "M"),
        a if a >= 1e3 => (v / 1e3, "k"),
        _ => (v, ""),
    };
    let text = format!("{x:.1}");
    format!("{}{suffix}", text.strip_suffix(".0").unwrap_or(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_labels_shorten_counts() {
        assert_eq!(axis_label(20_000_000.0, "count"), "20M");
        assert_eq!(axis_label(1_500.0, "count"), "1.5k");
        assert_eq!(axis_label(7.0, "count"), "7");
        assert_eq!(axis_label(1536.0, "bytes"), "1.50kB");
    }

    #[test]
    fn theme_colours_parse_from_css_hex() {
        assert_eq!(hex_color("#6ea0ff"), Some(RGBColor(0x6e, 0xa0, 0xff)));
        assert_eq!(hex_color("#fff"), None);
        assert_eq!(hex_color("rgb(1, 2, 3)"), None);
        assert_eq!(hex_color("#zz0000"), None);
    }
}
