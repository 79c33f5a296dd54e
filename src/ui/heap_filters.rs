//! DevTools' Summary filter dropdown for a heap snapshot and the two filters that are not a
//! Summary by constructor: `<DuplicateStringsTable/>` and `<ClosuresTable/>`. They show the
//! worker's answer (`AppState::heap_filtered`) and compute nothing.

use leptos::prelude::*;

use crate::analysis::heap::{ClosureContext, DuplicateString};
use crate::analysis::percentage;
use crate::model::format_value;

use super::state::AppState;
use crate::protocol::{FilteredHeap, HeapFilter};

/// The dropdown's entries: (filter, value, label as DevTools words it).
const FILTERS: [(HeapFilter, &str, &str); 5] = [
    (HeapFilter::All, "all", "All objects"),
    (
        HeapFilter::DetachedDom,
        "detached-dom",
        "Objects retained by detached DOM nodes",
    ),
    (
        HeapFilter::EventHandlers,
        "event-handlers",
        "Objects retained by event handlers",
    ),
    (
        HeapFilter::DuplicatedStrings,
        "duplicated-strings",
        "Duplicated strings",
    ),
    (
        HeapFilter::Closures,
        "closures",
        "Closures with their contexts",
    ),
];

/// The filter dropdown; `choose` runs with the newly chosen filter.
pub fn filter_select(
    chosen: ReadSignal<HeapFilter>,
    choose: impl Fn(HeapFilter) + Copy + 'static,
) -> impl IntoView {
    let options = FILTERS
        .iter()
        .map(|&(f, value, label)| {
            view! { <option value=value selected=move || chosen.get() == f>{label}</option> }
        })
        .collect_view();
    view! {
        <select
            class="heap-filter-select"
            data-testid="heap-filter"
            title="Show only some objects, as DevTools' Summary filter does"
            on:change=move |ev| {
                let v = event_target_value(&ev);
                if let Some(&(f, _, _)) = FILTERS.iter().find(|(_, value, _)| *value == v) {
                    choose(f);
                }
            }
        >
            {options}
        </select>
    }
}

/// The worker's answer for filter `filter` of snapshot `id`, once it has come.
fn answer(state: AppState, id: u32, filter: HeapFilter) -> Option<FilteredHeap> {
    state.heap_filtered.with(|a| {
        a.as_deref()
            .filter(|(sid, f, _)| *sid == id && *f == filter)
            .map(|(_, _, v)| v.clone())
    })
}

fn bytes(v: u64) -> String {
    format_value(v as i64, "bytes")
}

fn waiting() -> AnyView {
    view! { <p class="muted" data-testid="heap-filtering">"Filtering…"</p> }.into_any()
}

fn shown_note(shown: usize, total: usize, what: &str) -> Option<impl IntoView + use<>> {
    (total > shown).then(|| {
        view! { <p class="muted">{format!("The {shown} largest of {total} {what}.")}</p> }
    })
}

/// Strings whose content several objects hold: value (cut), count, total shallow and retained
/// size, largest retained first.
#[component]
pub fn DuplicateStringsTable(id: u32) -> impl IntoView {
    let state = expect_context::<AppState>();
    let body = move || {
        let Some(FilteredHeap::Strings { rows, total }) =
            answer(state, id, HeapFilter::DuplicatedStrings)
        else {
            return waiting();
        };
        let n = rows.len();
        let rows = rows.into_iter().map(string_row).collect_view();
        view! {
            <div class="table-scroll">
                <table class="top-table heap-table" data-testid="heap-duplicate-strings" data-total=total.to_string()>
                    <thead>
                        <tr>
                            <th class="name">"String"</th>
                            <th class="num">"Count"</th>
                            <th class="num">"Total size"</th>
                            <th class="num">"Retained size"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {shown_note(n, total, "duplicated strings")}
        }
        .into_any()
    };
    view! { {body} }
}

fn string_row(d: DuplicateString) -> impl IntoView {
    let cut = if d.truncated {
        " (truncated by V8)"
    } else {
        ""
    };
    view! {
        <tr
            data-testid="heap-duplicate-string"
            data-count=d.count.to_string()
            data-size=d.total_size.to_string()
        >
            <td class="name" title=d.value.clone()>
                <span class="fn-name">{format!("\"{}\"", d.value)}</span>
                <span class="muted">{cut}</span>
            </td>
            <td class="num">{d.count.to_string()}</td>
            <td class="num">{bytes(d.total_size)}</td>
            <td class="num">{bytes(d.total_retained_size)}</td>
        </tr>
    }
}

/// Closures with the retained size of the context they capture, largest context first;
/// `total` is the snapshot's total size (for the shares).
#[component]
pub fn ClosuresTable(id: u32, total: u64) -> impl IntoView {
    let state = expect_context::<AppState>();
    let body = move || {
        let Some(FilteredHeap::Closures { rows, total: n_all }) =
            answer(state, id, HeapFilter::Closures)
        else {
            return waiting();
        };
        let n = rows.len();
        let rows = rows
            .into_iter()
            .map(|c| closure_row(c, total))
            .collect_view();
        view! {
            <div class="table-scroll">
                <table class="top-table heap-table" data-testid="heap-closures" data-total=n_all.to_string()>
                    <thead>
                        <tr>
                            <th class="name">"Closure"</th>
                            <th class="num">"Retained size"</th>
                            <th class="num">"Context retained size"</th>
                            <th class="num">"%"</th>
                            <th class="num" title="Closures that capture the same context">"Sharing"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {shown_note(n, n_all, "closures")}
        }
        .into_any()
    };
    view! { {body} }
}

fn closure_row(c: ClosureContext, total: u64) -> impl IntoView {
    let name = if c.name.is_empty() {
        "(anonymous)".to_owned()
    } else {
        c.name.clone()
    };
    let title = name.clone();
    let share = percentage(c.context_retained_size as i64, total as i64)
        .trim()
        .to_owned();
    view! {
        <tr
            data-testid="heap-closure"
            data-node-id=c.id.to_string()
            data-context-retained=c.context_retained_size.to_string()
        >
            <td class="name" title=title>
                <span class="fn-name">{name}</span>
                <span class="muted">{format!(" @{}", c.id)}</span>
            </td>
            <td class="num">{bytes(c.retained_size)}</td>
            <td class="num">{bytes(c.context_retained_size)}</td>
            <td class="num muted">{share}</td>
            <td class="num">{c.sharing.to_string()}</td>
        </tr>
    }
}
