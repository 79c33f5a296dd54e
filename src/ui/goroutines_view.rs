//! `<GoroutinesView/>`: the goroutines of a text dump (`?debug=2`, a crash dump), or of a
//! series of them, grouped by wait state and by the user frame they wait at, with counts at
//! each point and the longest wait: a group that waits at one frame for minutes is the
//! strongest single-file evidence of a goroutine leak. The worker groups them
//! (`analysis::growth::goroutine_waits`); this draws the table.

use leptos::prelude::*;

use crate::analysis::growth::WaitRow;

use super::sparkline::Sparkline;
use super::state::{AppState, Tab};

/// The wait groups of the selected dump (or its series).
#[component]
pub fn GoroutinesView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let body = move || {
        let answer = state.goroutines.get()?;
        let (ids, waits) = (&answer.0, &answer.1);
        if waits.is_empty() {
            return Some(view! { <p class="muted" data-testid="waits-empty">"This dump carries no wait states (a debug=1 dump or a goroutine profile counts stacks only: take ?debug=2)."</p> }.into_any());
        }
        let total: i64 = waits.iter().filter_map(|w| w.counts.last()).sum();
        let note = format!(
            "{total} goroutines in {} groups{}; click a group to see its stacks in the flame graph.",
            waits.len(),
            if ids.len() > 1 { format!(", across {} dumps", ids.len()) } else { String::new() }
        );
        Some(
            view! {
                <p class="muted growth-note">{note}</p>
                {waits_table(waits, ids, state.highlight.get())}
            }
            .into_any(),
        )
    };
    view! { {body} }
}

/// Goroutines by wait state and user frame across the dumps `ids`; `highlight` marks the
/// group a finding pointed at.
pub fn waits_table(
    waits: &[WaitRow],
    ids: &[u32],
    highlight: Option<String>,
) -> impl IntoView + use<> {
    let state = expect_context::<AppState>();
    let last = ids.last().copied();
    let head = (0..ids.len())
        .map(|i| view! { <th class="num">{format!("t{i}")}</th> })
        .collect_view();
    let rows = waits
        .iter()
        .map(|w| {
            let kind = w.trend.kind.label();
            let cells = w
                .counts
                .iter()
                .map(|c| view! { <td class="num">{c.to_string()}</td> })
                .collect_view();
            let longest = match w.longest_minutes.last().copied().flatten() {
                Some(m) => format!("{m} min"),
                None => "< 1 min".to_owned(),
            };
            let marked = highlight.as_deref() == Some(w.frame.as_str());
            let frame = w.frame.clone();
            let open = move |_| {
                state
                    .refine
                    .update(|f| f.focus = format!("^{}$", regex_lite::escape(&frame)));
                state.select(last);
                state.tab.set(Tab::Flame);
            };
            view! {
                <tr data-testid="wait-row" class:highlight=marked on:click=open title="Open their stacks in the flame graph" data-state=w.state.clone() data-frame=w.frame.clone()
                    data-counts=serde_json::to_string(&w.counts).unwrap_or_default()>
                    <td><span class=format!("trend-badge {kind}")>{kind}</span></td>
                    <td><Sparkline values=w.counts.clone() class=kind /></td>
                    {cells}
                    <td class="num">{longest}</td>
                    <td>{w.state.clone()}</td>
                    <td class="name"><span class="fn-name">{w.frame.clone()}</span></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h3 class="section-title">"Goroutines by wait state and user frame"</h3>
        <div class="table-scroll">
            <table class="top-table growth-table" data-testid="waits-table">
                <thead>
                    <tr>
                        <th>"trend"</th>
                        <th></th>
                        {head}
                        <th class="num">"longest wait"</th>
                        <th>"state"</th>
                        <th class="name">"waiting at"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
