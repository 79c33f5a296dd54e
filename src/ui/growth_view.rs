//! `<GrowthView/>`: what grew across the selected series: the totals chart, then the growth
//! ranking by function or by stack (trend, sparkline, the value at each point, the change),
//! and for goroutine dumps the wait groups. A row opens its stacks in the flame graph of the
//! last point. The ranking comes from the worker (`SeriesGrowth`); this only lays it out.

use std::sync::Arc;

use leptos::prelude::*;

use crate::analysis::growth::GrowthRow;
use crate::model::format_value;

use super::goroutines_view::waits_table;
use super::series_chart::{ChartData, ChartPanel, SeriesChart};
use super::sparkline::Sparkline;
use super::state::{AppState, LoadedProfile, PageSeries, Tab};

/// How the ranking is cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum By {
    Function,
    Stack,
}

/// The chart of a series' totals, from its points' summaries.
pub fn chart_data(profiles: &[LoadedProfile], series: &PageSeries) -> Option<ChartData> {
    let points: Vec<&LoadedProfile> = series
        .included
        .iter()
        .filter_map(|id| profiles.iter().find(|p| p.id == *id))
        .collect();
    let first = points.first()?;
    let labels = points.iter().map(|p| p.name.clone()).collect();
    let (panels, times): (Vec<ChartPanel>, Vec<Option<i64>>) = match first.heap() {
        Some(_) => {
            let infos: Vec<_> = points.iter().filter_map(|p| p.heap()).collect();
            let panel = |name: &str, unit: &str, f: &dyn Fn(usize) -> i64| ChartPanel {
                name: name.to_owned(),
                unit: unit.to_owned(),
                values: (0..infos.len()).map(f).collect(),
            };
            let panels = vec![
                panel("total size", "bytes", &|i| {
                    infos[i].summary.total_size as i64
                }),
                panel("objects", "count", &|i| infos[i].summary.node_count as i64),
            ];
            (panels, vec![None; infos.len()])
        }
        None => {
            let sums: Vec<_> = points.iter().filter_map(|p| p.summary()).collect();
            let types = &sums.first()?.sample_types;
            let panels = types
                .iter()
                .enumerate()
                .map(|(t, ty)| ChartPanel {
                    name: ty.name.clone(),
                    unit: ty.unit.clone(),
                    values: sums
                        .iter()
                        .map(|s| s.totals.get(t).copied().unwrap_or(0))
                        .collect(),
                })
                .collect();
            (panels, sums.iter().map(|s| s.time_nanos).collect())
        }
    };
    let timed = times.iter().all(Option::is_some) && times.len() > 1;
    let x = if timed {
        let t0 = times[0].unwrap_or(0);
        times
            .iter()
            .map(|t| (t.unwrap_or(0) - t0) as f64 / 1e9)
            .collect()
    } else {
        (0..points.len()).map(|i| i as f64).collect()
    };
    Some(ChartData {
        labels,
        x,
        timed,
        panels,
    })
}

/// The totals chart of the selected file's series, drawn again only when its data changes.
pub fn series_chart(state: AppState) -> Memo<Option<Arc<ChartData>>> {
    Memo::new(move |_| {
        let series = state.selected_series()?;
        state
            .profiles
            .with(|p| chart_data(p, &series))
            .map(Arc::new)
    })
}

/// "Analysing…" while a series request computes, and its error.
#[component]
pub fn SeriesStatus() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <Show when=move || state.series_busy.get()>
            <span class="analysing"><span class="spinner"></span>"Analysing…"</span>
        </Show>
        <Show when=move || state.series_error.with(Option::is_some)>
            <div class="banner error" role="alert" data-testid="series-error">{move || state.series_error.get()}</div>
        </Show>
    }
}

/// The growth view of the selected pprof series.
#[component]
pub fn GrowthView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let chart = series_chart(state);
    let goroutines = move || {
        state
            .selected_summary()
            .is_some_and(|s| s.kind == "goroutine")
    };
    let by = RwSignal::new(None::<By>);
    let by_now = move || {
        by.get().unwrap_or(if goroutines() {
            By::Stack
        } else {
            By::Function
        })
    };
    let switch = move |label: &'static str, value: By| {
        view! {
            <button
                class:active=move || by_now() == value
                data-testid=format!("growth-by-{}", label)
                on:click=move |_| by.set(Some(value))
            >
                {label}
            </button>
        }
    };
    let body = move || {
        let answer = state.growth.get()?;
        let (ids, growth) = (&answer.0, &answer.1);
        let g = &growth.growth;
        let unit = g.sample_type.unit.clone();
        let rows = match by_now() {
            By::Function => &g.functions,
            By::Stack => &g.stacks,
        };
        let last = *ids.last()?;
        let names: Vec<String> = state.profiles.with(|p| {
            ids.iter()
                .map(|id| {
                    p.iter()
                        .find(|e| e.id == *id)
                        .map(|e| e.name.clone())
                        .unwrap_or_default()
                })
                .collect()
        });
        let head = (0..ids.len())
            .map(|i| view! { <th class="num" title=names[i].clone()>{format!("t{i}")}</th> })
            .collect_view();
        let lines = rows
            .iter()
            .map(|r| growth_row(r, &unit, by_now() == By::Stack, last))
            .collect_view();
        let waits = (!growth.waits.is_empty()).then(|| waits_table(&growth.waits, ids, None));
        Some(view! {
            <p class="muted growth-note">
                {format!(
                    "{} of {} across {} points; a step counts when it moves by more than {}. What grew at every step comes first.",
                    g.sample_type.name,
                    if by_now() == By::Stack { "each stack" } else { "each function (flat)" },
                    ids.len(),
                    format_value(g.noise, &unit)
                )}
            </p>
            <div class="table-scroll">
                <table class="top-table growth-table" data-testid="growth-table">
                    <thead>
                        <tr>
                            <th>"trend"</th>
                            <th></th>
                            {head}
                            <th class="num">"change"</th>
                            <th class="num">"per step"</th>
                            <th class="name">{if by_now() == By::Stack { "stack" } else { "function" }}</th>
                        </tr>
                    </thead>
                    <tbody>{lines}</tbody>
                </table>
            </div>
            {waits}
        })
    };
    view! {
        <SeriesChart data=chart />
        <div class="table-toolbar">
            <div class="segmented" role="group" data-testid="growth-by">
                {switch("function", By::Function)}
                {switch("stack", By::Stack)}
            </div>
            <SeriesStatus />
        </div>
        {body}
    }
}

/// One ranked row; a click opens its stacks in the flame graph of point `last`.
fn growth_row(r: &GrowthRow, unit: &str, stack: bool, last: u32) -> impl IntoView + use<> {
    let state = expect_context::<AppState>();
    let kind = r.trend.kind.label();
    let cells = r
        .values
        .iter()
        .map(|&v| view! { <td class="num">{format_value(v, unit)}</td> })
        .collect_view();
    let change = match r.trend.growth {
        g if g > 0 => format!("+{}", format_value(g, unit)),
        g => format_value(g, unit),
    };
    let per_step = format_value(r.trend.slope.round() as i64, unit);
    let shown = if stack {
        short_stack(&r.frames)
    } else {
        r.name.clone()
    };
    // Focus on the function itself, or on the leaf of the stack.
    let target = if stack {
        r.frames.last().map(|f| f.to_string()).unwrap_or_default()
    } else {
        r.name.clone()
    };
    let open = move |_| {
        state
            .refine
            .update(|f| f.focus = format!("^{}$", regex_lite::escape(&target)));
        state.select(Some(last));
        state.tab.set(Tab::Flame);
    };
    view! {
        <tr class="growth-row" data-testid="growth-row" data-name=r.name.clone() data-trend=kind
            data-values=serde_json::to_string(&r.values).unwrap_or_default()
            title="Open its stacks in the flame graph of the last point" on:click=open>
            <td><span class=format!("trend-badge {kind}")>{kind}</span></td>
            <td><Sparkline values=r.values.clone() class=kind /></td>
            {cells}
            <td class="num">{change}</td>
            <td class="num muted">{per_step}</td>
            <td class="name" title=r.name.clone()><span class="fn-name">{shown}</span></td>
        </tr>
    }
}

/// The leaf end of a stack (`… → handler → leaf`), which is what tells stacks apart.
pub fn short_stack(frames: &[impl AsRef<str>]) -> String {
    const SHOWN: usize = 3;
    let tail = &frames[frames.len().saturating_sub(SHOWN)..];
    let joined = tail
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<&str>>()
        .join(" → ");
    if frames.len() > SHOWN {
        format!("… → {joined}")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortens_stacks_to_their_leaf_end() {
        let frames: Vec<String> = ["a", "b", "c", "d"].map(String::from).to_vec();
        assert_eq!(short_stack(&frames), "… → b → c → d");
        assert_eq!(short_stack(&frames[..2]), "a → b");
    }
}
