//! `<HeapSummaryView/>`: DevTools' "Summary by constructor" for a heap snapshot — constructor,
//! distance, count, shallow and retained size with their shares of the total, sortable, filtered
//! by name and by DevTools' filter dropdown, `PAGE` rows at a time; a click opens a class's
//! objects as a virtualized list (`HeapObjectList`). Numbers come from the worker; this only
//! formats and orders.

use crate::analysis::sort;
use std::sync::Arc;

use leptos::prelude::*;

use crate::analysis::heap::BASE_SYSTEM_DISTANCE;
use crate::analysis::{percentage, HeapSummary};
use crate::model::format_value;

use super::heap_filters::{filter_select, ClosuresTable, DuplicateStringsTable};
use super::heap_object_list::HeapObjectList;
use super::state::AppState;
use super::{after_paint, FIRST_ROWS as FIRST};
use crate::protocol::{FilteredHeap, HeapFilter};

/// Class rows rendered per "show more" step.
const PAGE: usize = 300;

/// Which column orders the rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SortBy {
    Name,
    Distance,
    Count,
    Shallow,
    Retained,
}

/// DevTools prints unreachable and system distances as a dash.
pub(super) fn distance_text(d: i32) -> String {
    if !(0..BASE_SYSTEM_DISTANCE).contains(&d) {
        "−".to_owned()
    } else {
        d.to_string()
    }
}

/// `v` as a percentage of `total`, as the Summary's `%` columns print it.
pub(super) fn share(v: u64, total: u64) -> String {
    percentage(v as i64, total as i64).trim().to_owned()
}

/// The Summary of heap snapshot `id`.
#[component]
pub fn HeapSummaryView(id: u32, summary: Arc<HeapSummary>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let (sort, set_sort) = signal((SortBy::Retained, true));
    let (filter, set_filter) = signal(String::new());
    let (limit, set_limit) = signal(FIRST);
    after_paint(move || set_limit.update(|l| *l = (*l).max(PAGE)));
    let (expanded, set_expanded) = signal(None::<String>);
    let (chosen, set_chosen) = signal(HeapFilter::All);
    let total = summary.total_size;
    let whole = summary.clone();
    // The rows: the whole Summary, or the worker's Summary of the filtered objects once it came.
    let classes = Memo::new(move |_| match chosen.get() {
        HeapFilter::All => Some(whole.clone()),
        f => state.heap_filtered.with(|a| match a.as_deref() {
            Some((sid, af, FilteredHeap::Classes(s))) if *sid == id && *af == f => {
                Some(Arc::new(s.clone()))
            }
            _ => None,
        }),
    });
    let order = Memo::new(move |_| {
        let needle = filter.get().to_lowercase();
        let (by, descending) = sort.get();
        let Some(classes) = classes.get() else {
            return Vec::new();
        };
        let c = &classes.classes;
        let mut order: Vec<usize> = (0..c.len())
            .filter(|&i| needle.is_empty() || c[i].name.to_lowercase().contains(&needle))
            .collect();
        // Stable sorts: ties keep the worker's order (retained size, then key).
        match by {
            SortBy::Name => sort::sort_by(&mut order, |&x, &y| c[x].name.cmp(&c[y].name)),
            SortBy::Distance => sort::sort_by_key(&mut order, |&i| c[i].distance),
            SortBy::Count => sort::sort_by_key(&mut order, |&i| c[i].count),
            SortBy::Shallow => sort::sort_by_key(&mut order, |&i| c[i].shallow_size),
            SortBy::Retained => sort::sort_by_key(&mut order, |&i| c[i].retained_size),
        }
        if descending {
            order.reverse();
        }
        order
    });
    let header = move |label: &'static str, key: SortBy, numeric: bool| {
        let click = move |_| {
            set_sort.update(|(by, desc)| {
                if *by == key {
                    *desc = !*desc;
                } else {
                    // Sizes and counts read best largest first, names and distances smallest.
                    *by = key;
                    *desc = !matches!(key, SortBy::Name | SortBy::Distance);
                }
            })
        };
        view! {
            <th
                class="sortable"
                class:num=numeric
                class:name=!numeric
                class:sorted=move || sort.get().0 == key
                title=format!("Sort by {label}")
                data-testid=format!("heap-sort-{}", label.split(' ').next().unwrap_or(label).to_lowercase())
                on:click=click
            >
                {label}
                {move || match sort.get() {
                    (by, true) if by == key => " ▾",
                    (by, false) if by == key => " ▴",
                    _ => "",
                }}
            </th>
        }
    };
    // Rows `from..to` of the order (the first screenful, then the rest, so that showing more
    // renders only the rest again).
    let rows_between = move |from: usize, to: usize| {
        let Some(rows_summary) = classes.get() else {
            return (from == 0).then(|| {
                view! { <tr><td colspan="7" class="muted" data-testid="heap-filtering">"Filtering…"</td></tr> }
                    .into_any()
            });
        };
        let c = &rows_summary.classes;
        let f = chosen.get();
        let open = expanded.get();
        Some(order.with(|order| {
            order
                .iter()
                .take(to)
                .skip(from)
                .map(|&i| {
                    let row = &c[i];
                    let key = row.key.clone();
                    let is_open = open.as_deref() == Some(key.as_str());
                    let toggle_key = key.clone();
                    let count = row.count as usize;
                    let toggle = move |_| {
                        if expanded.get_untracked().as_deref() == Some(toggle_key.as_str()) {
                            set_expanded.set(None);
                            state.close_heap_class();
                        } else {
                            state.open_heap_class(id, toggle_key.clone(), f, count);
                            set_expanded.set(Some(toggle_key.clone()));
                        }
                    };
                    let bar = if total > 0 {
                        (row.retained_size as f64 / total as f64 * 100.0).min(100.0)
                    } else {
                        0.0
                    };
                    let objects = is_open.then(|| {
                        view! {
                            <tr class="heap-objects-row">
                                <td colspan="7" class="heap-objects-cell">
                                    <HeapObjectList id class_key=key.clone() filter=f total />
                                </td>
                            </tr>
                        }
                    });
                    view! {
                        <tr
                            class="heap-class"
                            class:open=is_open
                            data-testid="heap-class"
                            data-key=key.clone()
                            data-count=row.count.to_string()
                            data-distance=row.distance.to_string()
                            data-shallow=row.shallow_size.to_string()
                            data-retained=row.retained_size.to_string()
                            on:click=toggle
                        >
                            <td class="name" title=row.name.clone() style=format!("--bar: {bar:.2}%")>
                                <span class="twisty">{if is_open { "▾ " } else { "▸ " }}</span>
                                <span class="heap-class-name fn-name">{row.name.clone()}</span>
                                <span class="muted heap-count">{format!(" ×{}", row.count)}</span>
                            </td>
                            <td class="num">{distance_text(row.distance)}</td>
                            <td class="num">{row.count.to_string()}</td>
                            <td class="num">{format_value(row.shallow_size as i64, "bytes")}</td>
                            <td class="num muted">{share(row.shallow_size, total)}</td>
                            <td class="num">{format_value(row.retained_size as i64, "bytes")}</td>
                            <td class="num muted">{share(row.retained_size, total)}</td>
                        </tr>
                        {objects}
                    }
                })
                .collect_view()
                .into_any()
        }))
    };
    let first_rows = move || rows_between(0, FIRST);
    let more_rows = move || rows_between(FIRST, limit.get());
    let n_classes = summary.classes.len();
    let more = move || {
        let n = order.with(Vec::len);
        let shown = limit.get();
        // Not while a new Summary shows its first screenful, which is not a page.
        (n > shown && shown >= PAGE && is_class_view(chosen.get())).then(|| {
            view! {
                <button class="button show-more" data-testid="heap-show-more" on:click=move |_| set_limit.update(|l| *l += PAGE)>
                    {format!("Show more ({shown} of {n} classes shown)")}
                </button>
            }
        })
    };
    let facts = format!(
        "{} objects · {} edges · total {} · {} unreachable · {n_classes} classes",
        summary.node_count,
        summary.edge_count,
        format_value(total as i64, "bytes"),
        summary.unreachable
    );
    let choose = move |f: HeapFilter| {
        set_chosen.set(f);
        set_expanded.set(None);
        set_limit.set(PAGE);
        state.request_heap_filter(id, f);
    };
    let table = move || match chosen.get() {
        HeapFilter::DuplicatedStrings => view! { <DuplicateStringsTable id /> }.into_any(),
        HeapFilter::Closures => view! { <ClosuresTable id total /> }.into_any(),
        _ => view! {
            <div class="table-scroll">
                <table
                    class="top-table heap-table"
                    data-testid="heap-summary"
                    data-filter=format!("{:?}", chosen.get())
                    data-total=total.to_string()
                >
                    <colgroup>
                        <col class="c-name" />
                        <col class="c-distance" />
                        <col class="c-count" />
                        <col class="c-size" />
                        <col class="c-share" />
                        <col class="c-size" />
                        <col class="c-share" />
                    </colgroup>
                    <thead>
                        <tr>
                            {header("Constructor", SortBy::Name, false)}
                            {header("Distance", SortBy::Distance, true)}
                            {header("Count", SortBy::Count, true)}
                            {header("Shallow size", SortBy::Shallow, true)}
                            <th class="num">"%"</th>
                            {header("Retained size", SortBy::Retained, true)}
                            <th class="num">"%"</th>
                        </tr>
                    </thead>
                    <tbody>{first_rows}{more_rows}</tbody>
                </table>
            </div>
        }
        .into_any(),
    };
    view! {
        <div class="table-toolbar">
            {filter_select(chosen, choose)}
            <input
                class="heap-filter"
                type="search"
                placeholder="Filter by constructor"
                data-testid="heap-name-filter"
                prop:hidden=move || !is_class_view(chosen.get())
                prop:value=filter
                on:input=move |ev| {
                    set_filter.set(event_target_value(&ev));
                    set_limit.set(PAGE);
                }
            />
            <span class="muted" data-testid="heap-facts">{facts}</span>
        </div>
        {table}
        {more}
    }
}

/// True for the filters whose answer is a Summary by constructor.
fn is_class_view(f: HeapFilter) -> bool {
    matches!(
        f,
        HeapFilter::All | HeapFilter::DetachedDom | HeapFilter::EventHandlers
    )
}
