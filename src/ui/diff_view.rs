//! `<DiffView/>`: two points of the selected series compared as `go tool pprof -diff_base`
//! compares them: pick the base and the newer profile, absolute or normalized (shares of each
//! total), then the table by node (base, new, change, change %, new/removed markers), the most
//! changed stacks, and the diff flame graph (widths from the newer profile, colour from the
//! change). Numbers come from the worker's `DiffView`; this only lays them out.

use leptos::prelude::*;

use crate::analysis::{percentage, Change, DiffRow};
use crate::model::format_value;

use super::flame_graph::FlameGraph;
use super::growth_view::{short_stack, SeriesStatus};
use super::state::AppState;

/// Rows of the diff table rendered at most.
const ROWS: usize = 300;

/// The diff of two points of the selected series.
#[component]
pub fn DiffView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let points = move || {
        let series = state.selected_series()?;
        let names = state.profiles.with(|p| {
            series
                .included
                .iter()
                .enumerate()
                .map(|(i, id)| {
                    let name = p.iter().find(|e| e.id == *id).map(|e| e.name.clone());
                    (*id, format!("t{i} · {}", name.unwrap_or_default()))
                })
                .collect::<Vec<_>>()
        });
        Some(names)
    };
    let picker = move |label: &'static str, is_base: bool| {
        let options = move || {
            let (base, new) = state.diff_pair().unwrap_or((0, 0));
            let current = if is_base { base } else { new };
            points()
                .unwrap_or_default()
                .into_iter()
                .map(|(id, name)| {
                    view! { <option value=id.to_string() selected=id == current>{name}</option> }
                })
                .collect_view()
        };
        view! {
            <label class="control">
                <span>{label}</span>
                <select
                    data-testid=format!("diff-{}", label.to_lowercase())
                    on:change=move |ev| {
                        let Ok(id) = event_target_value(&ev).parse::<u32>() else { return };
                        let Some((base, new)) = state.diff_pair() else { return };
                        state.diff_pick.set(Some(if is_base { (id, new) } else { (base, id) }));
                    }
                >
                    {options}
                </select>
            </label>
        }
    };
    let table = move || {
        let view = state.diff.get()?;
        let t = &view.table;
        let unit = t.sample_type.unit.clone();
        let rows = t
            .rows
            .iter()
            .take(ROWS)
            .map(|r| diff_row(r, &unit))
            .collect_view();
        let same = t.rows.is_empty().then(|| {
            view! { <tr><td colspan="9" class="empty-row muted" data-testid="diff-same">"No function changed between these two profiles."</td></tr> }
        });
        let more = if t.rows.len() > ROWS {
            format!(" (the {ROWS} largest changes shown)")
        } else {
            String::new()
        };
        let stacks = view
            .stacks
            .iter()
            .map(|s| {
                let marker = change_marker(s.change);
                view! {
                    <tr data-testid="diff-stack-row">
                        <td class="num">{format_value(s.base, &unit)}</td>
                        <td class="num">{format_value(s.new, &unit)}</td>
                        <td class="num">{signed(s.delta, &unit)}</td>
                        <td>{marker}</td>
                        <td class="name" title=s.frames.join("\n")><span class="fn-name">{short_stack(&s.frames)}</span></td>
                    </tr>
                }
            })
            .collect_view();
        let totals = format!(
            "{} total {} → {}{}; percentages are of the base, as pprof shows them{more}",
            t.sample_type.name,
            format_value(t.base_total, &unit),
            format_value(t.new_total, &unit),
            if t.normalized {
                " (newer profile scaled to the base's total)"
            } else {
                ""
            },
        );
        Some(view! {
            <p class="muted" data-testid="diff-summary">{totals}</p>
            <div class="table-scroll">
                <table class="top-table diff-table" data-testid="diff-table" data-base-total=t.base_total.to_string()>
                    <thead>
                        <tr>
                            <th class="num">"base flat"</th>
                            <th class="num">"new flat"</th>
                            <th class="num">"Δ flat"</th>
                            <th class="num">"Δ%"</th>
                            <th class="num">"base cum"</th>
                            <th class="num">"new cum"</th>
                            <th class="num">"Δ cum"</th>
                            <th></th>
                            <th class="name">"name"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}{same}</tbody>
                </table>
            </div>
            <h3 class="section-title">"Stacks that changed the most"</h3>
            <div class="table-scroll">
                <table class="top-table diff-table" data-testid="diff-stacks">
                    <thead>
                        <tr>
                            <th class="num">"base"</th>
                            <th class="num">"new"</th>
                            <th class="num">"Δ"</th>
                            <th></th>
                            <th class="name">"stack"</th>
                        </tr>
                    </thead>
                    <tbody>{stacks}</tbody>
                </table>
            </div>
        })
    };
    view! {
        <div class="controls">
            {picker("Base", true)}
            {picker("New", false)}
            <label class="control checkbox">
                <input
                    type="checkbox"
                    data-testid="diff-normalize"
                    prop:checked=move || state.normalize.get()
                    on:change=move |ev| state.normalize.set(event_target_checked(&ev))
                />
                <span>"Normalize (compare shares of each total)"</span>
            </label>
            <SeriesStatus />
        </div>
        {table}
        <h3 class="section-title">"Diff flame graph"</h3>
        <p class="muted diff-legend">
            <span class="swatch grow"></span>"grew" <span class="swatch shrink"></span>"shrank"
            <span class="swatch same"></span>"unchanged; widths are the newer profile's"
        </p>
        <FlameGraph tree=state.diff_tree />
    }
}

fn signed(v: i64, unit: &str) -> String {
    if v > 0 {
        format!("+{}", format_value(v, unit))
    } else {
        format_value(v, unit)
    }
}

fn change_marker(change: Change) -> Option<impl IntoView + use<>> {
    let (class, text) = match change {
        Change::New => ("change-marker new", "new"),
        Change::Removed => ("change-marker removed", "removed"),
        Change::Changed | Change::Same => return None,
    };
    Some(view! { <span class=class>{text}</span> })
}

fn diff_row(r: &DiffRow, unit: &str) -> impl IntoView + use<> {
    let pct = if r.base_flat != 0 {
        percentage(r.delta_flat, r.base_flat.abs())
            .trim()
            .to_owned()
    } else {
        String::new()
    };
    let class = match r.delta_flat.signum() {
        1 => "grew",
        -1 => "shrank",
        _ => "",
    };
    view! {
        <tr data-testid="diff-row" data-name=r.name.clone() data-delta=r.delta_flat.to_string() class=class>
            <td class="num">{format_value(r.base_flat, unit)}</td>
            <td class="num">{format_value(r.new_flat, unit)}</td>
            <td class="num delta">{signed(r.delta_flat, unit)}</td>
            <td class="num muted">{pct}</td>
            <td class="num">{format_value(r.base_cum, unit)}</td>
            <td class="num">{format_value(r.new_cum, unit)}</td>
            <td class="num">{signed(r.delta_cum, unit)}</td>
            <td>{change_marker(r.change)}</td>
            <td class="name" title=r.name.clone()><span class="fn-name">{r.name.clone()}</span></td>
        </tr>
    }
}
