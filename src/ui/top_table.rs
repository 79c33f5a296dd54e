//! `<TopTable/>`: the `go tool pprof -top` table (flat, flat%, sum%, cum, cum%, name), sortable
//! by flat or cum, rendering at most `PAGE` rows at a time to keep the DOM light (a new table's
//! first screenful of them at once, the rest a frame later), with "Copy as
//! text" in pprof's own layout; each row of a profile links to its Sandwich view. Numbers come
//! from the worker's `TopTable`; this only formats.

use crate::analysis::sort;
use std::sync::Arc;

use leptos::prelude::*;

use crate::analysis::{self, percentage, top_text, TopTextOptions};
use crate::model::format_value;

use super::state::AppState;
use super::{after_paint, FIRST_ROWS as FIRST};

/// Rows rendered per "show more" step.
const PAGE: usize = 500;

/// Which column orders the rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SortBy {
    /// pprof's `-top` order (flat, then name).
    Flat,
    /// pprof's `-top -cum` order.
    Cum,
}

/// The top table of the current view.
#[component]
pub fn TopTable(#[prop(into)] view: Signal<Option<Arc<analysis::TopTable>>>) -> impl IntoView {
    let state = expect_context::<AppState>();
    // A heap snapshot's dominator paths have no Sandwich tab.
    let sandwich = Memo::new(move |_| state.selected_heap().is_none());
    let (sort_by, set_sort_by) = signal(SortBy::Flat);
    // The table a row limit was set for (its address) and the limit.
    let (page, set_page) = signal((0usize, PAGE));
    let table = move || view.with(|v| v.as_ref().map_or(0, |v| Arc::as_ptr(v) as usize));
    // A new table shows its first screenful, until the effect below gives it its first page.
    let limit = Memo::new(move |_| match page.get() {
        (key, n) if key == table() => n,
        _ => FIRST,
    });
    Effect::new(move |_| {
        let key = table();
        if key == 0 {
            return;
        }
        after_paint(move || {
            set_page.update(|p| {
                if p.0 != key {
                    *p = (key, PAGE);
                }
            })
        });
    });
    let (copied, set_copied) = signal(false);
    let order = Memo::new(move |_| {
        view.with(|v| {
            let Some(v) = v else { return Vec::new() };
            let mut order: Vec<usize> = (0..v.rows.len()).collect();
            if sort_by.get() == SortBy::Cum {
                // Stable: ties keep pprof's flat order.
                sort::sort_by_key(&mut order, |&i| {
                    std::cmp::Reverse(v.rows[i].cum.unsigned_abs())
                });
            }
            order
        })
    });
    let copy = move |_| {
        let Some(v) = view.get_untracked() else {
            return;
        };
        let header = vec![format!("Type: {}", v.sample_type.name)];
        let text = top_text(
            &v,
            &TopTextOptions {
                header,
                ..Default::default()
            },
        );
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&text);
            set_copied.set(true);
            set_timeout(
                move || set_copied.set(false),
                std::time::Duration::from_millis(1500),
            );
        }
    };
    let header_cell = move |label: &'static str, key: SortBy| {
        view! {
            <th
                class="num sortable"
                class:sorted=move || sort_by.get() == key
                title=format!("Sort by {label}")
                data-testid=format!("sort-{label}")
                on:click=move |_| set_sort_by.set(key)
            >
                {label}
                {move || if sort_by.get() == key { " ▾" } else { "" }}
            </th>
        }
    };
    // Rows `from..to` of the order, their sum% counted from the first row.
    let rows_between = move |from: usize, to: usize| {
        view.with(|v| {
            let table = &**v.as_ref()?;
            let link = sandwich.get().then_some(state);
            let rows = order.with(|order| {
                let to = to.min(order.len());
                let from = from.min(to);
                let mut sum = order[..from]
                    .iter()
                    .fold(0i64, |sum, &i| sum.wrapping_add(table.rows[i].flat));
                order[from..to]
                    .iter()
                    .map(|&i| {
                        let r = &table.rows[i];
                        sum = sum.wrapping_add(r.flat);
                        row_view(table, r.flat, r.cum, sum, &r.name, r.inline.label(), link)
                    })
                    .collect_view()
            });
            Some(rows.into_any())
        })
    };
    // The first screenful, and the rest: showing more renders only the rest again.
    let first_rows = move || {
        view.with(|v| {
            let table = &**v.as_ref()?;
            if table.rows.is_empty() {
                return Some(
                    view! {
                        <tr>
                            <td colspan="6" class="empty-row muted">
                                "No samples with a value for this sample type."
                            </td>
                        </tr>
                    }
                    .into_any(),
                );
            }
            None
        })
        .or_else(|| rows_between(0, FIRST))
    };
    let more_rows = move || rows_between(FIRST, limit.get());
    let summary = move || {
        view.with(|v| {
            let t = &**v.as_ref()?;
            let unit = &t.sample_type.unit;
            let shown: i64 = t.rows.iter().map(|r| r.flat).sum();
            Some(format!(
                "{} rows · accounting for {}, {} of {} total",
                t.rows.len(),
                format_value(shown, unit),
                percentage(shown, t.total).trim(),
                format_value(t.total, unit)
            ))
        })
    };
    let more = move || {
        let n = view.with(|v| v.as_ref().map_or(0, |v| v.rows.len()));
        let shown = limit.get();
        // Not while a new table shows its first screenful, which is not a page.
        let paged = page.with(|p| p.0) == table();
        (paged && n > shown).then(|| {
            view! {
                <button class="button show-more" data-testid="show-more" on:click=move |_| set_page.set((untrack(table), shown + PAGE))>
                    {format!("Show more ({} of {n} rows shown)", shown)}
                </button>
            }
        })
    };
    let data_total = move || view.with(|v| v.as_ref().map(|v| v.total.to_string()));
    let data_shown = move || {
        view.with(|v| {
            v.as_ref()
                .map(|v| v.rows.iter().map(|r| r.flat).sum::<i64>().to_string())
        })
    };
    view! {
        <div class="table-toolbar">
            <span class="muted" data-testid="top-summary">{summary}</span>
            <button class="button" on:click=copy title="Copy the table as go tool pprof -top text">
                {move || if copied.get() { "Copied ✓" } else { "Copy as text" }}
            </button>
        </div>
        <div class="table-scroll">
            <table class="top-table" data-testid="top-table" data-total=data_total data-shown-total=data_shown>
                <thead>
                    <tr>
                        {header_cell("flat", SortBy::Flat)}
                        <th class="num">"flat%"</th>
                        <th class="num">"sum%"</th>
                        {header_cell("cum", SortBy::Cum)}
                        <th class="num">"cum%"</th>
                        <th class="name">"name"</th>
                    </tr>
                </thead>
                <tbody>{first_rows}{more_rows}</tbody>
            </table>
        </div>
        {more}
    }
}

fn row_view(
    table: &analysis::TopTable,
    flat: i64,
    cum: i64,
    sum: i64,
    name: &str,
    inline: &str,
    sandwich: Option<AppState>,
) -> impl IntoView + use<> {
    let unit = &table.sample_type.unit;
    let pct = |v: i64| percentage(v, table.total).trim().to_owned();
    let bar = if table.total != 0 {
        (cum.unsigned_abs() as f64 / table.total.unsigned_abs() as f64 * 100.0).min(100.0)
    } else {
        0.0
    };
    let inline = (!inline.is_empty())
        .then(|| view! { <span class="inline-mark">{format!(" {inline}")}</span> });
    let sandwich = sandwich.map(|state| {
        let name = name.to_owned();
        view! {
            <button
                class="sandwich-open"
                data-testid="open-sandwich"
                title="Callers and callees of this function (Sandwich)"
                aria-label=format!("Sandwich of {name}")
                on:click=move |_| state.open_sandwich(name.clone())
            >
                "⇅"
            </button>
        }
    });
    view! {
        <tr data-testid="top-row" data-flat=flat.to_string() data-cum=cum.to_string()>
            <td class="num">{format_value(flat, unit)}</td>
            <td class="num">{pct(flat)}</td>
            <td class="num muted">{pct(sum)}</td>
            <td class="num">{format_value(cum, unit)}</td>
            <td class="num">{pct(cum)}</td>
            <td class="name" title=name.to_owned() style=format!("--bar: {bar:.2}%")>
                <span class="fn-name">{name.to_owned()}</span>
                {inline}
                {sandwich}
            </td>
        </tr>
    }
}
