//! The views of a heap snapshot series: `<HeapGrowthView/>` (the totals chart, every
//! constructor's count and sizes at each point ranked by growth with the retainer path that
//! holds what grew, and MemLab's objects born between the first two snapshots still alive in
//! the last) and `<HeapComparisonView/>` (DevTools' Comparison against another snapshot, a row
//! expanding to its new objects). A row or object shows its Retainers tree. Numbers come from
//! the worker; this only lays them out.

use leptos::prelude::*;

use crate::analysis::heap::{ClassGrowthRow, LeakCluster, RetainerBasis};
use crate::model::format_value;

use super::growth_view::{series_chart, SeriesStatus};
use super::heap_details::Retainers;
use super::series_chart::SeriesChart;
use super::sparkline::Sparkline;
use super::state::AppState;

fn bytes(v: u64) -> String {
    format_value(v as i64, "bytes")
}

fn signed_bytes(v: i64) -> String {
    if v > 0 {
        format!("+{}", format_value(v, "bytes"))
    } else {
        format_value(v, "bytes")
    }
}

/// What grew across the selected snapshot's series.
#[component]
pub fn HeapGrowthView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let chart = series_chart(state);
    let body = move || {
        let answer = state.heap_growth.get()?;
        let (ids, growth, clusters) = (&answer.0, &answer.1, &answer.2);
        let last = *ids.last()?;
        let note = if growth.same_process {
            format!(
                "Classes across {} snapshots of one process, by count and size at each point; what grew at every step first. A size step counts above {}. Click a row for the retainers of one of its objects in the last snapshot.",
                ids.len(),
                bytes(growth.size_noise)
            )
        } else {
            "These snapshots come from different processes: object ids do not line up, so classes are compared by their counts and sizes only, and paths describe each class's largest objects.".to_owned()
        };
        let rows = growth
            .rows
            .iter()
            .take(200)
            .map(|r| class_row(r, last))
            .collect_view();
        let clusters = clusters
            .as_ref()
            .filter(|c| !c.clusters.is_empty())
            .map(|c| clusters_view(&c.clusters, c.candidates, last));
        Some(view! {
            <p class="muted growth-note" data-testid="heap-growth-note" data-same-process=growth.same_process.to_string()>{note}</p>
            <div class="table-scroll">
                <table class="top-table growth-table heap-growth" data-testid="heap-growth-table">
                    <thead>
                        <tr>
                            <th>"trend"</th>
                            <th></th>
                            <th class="num">"count"</th>
                            <th class="num">"shallow size"</th>
                            <th class="num">"retained size"</th>
                            <th class="num">"new objects"</th>
                            <th class="name">"constructor · held by"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {clusters}
            <Retainers id=last />
        })
    };
    view! {
        <SeriesChart data=chart />
        <SeriesStatus />
        {body}
    }
}

/// `first → last` of a row's values.
fn span(values: &[u64], fmt: fn(u64) -> String) -> String {
    match (values.first(), values.last()) {
        (Some(a), Some(b)) => format!("{} → {}", fmt(*a), fmt(*b)),
        _ => String::new(),
    }
}

fn class_row(r: &ClassGrowthRow, last: u32) -> impl IntoView + use<> {
    let state = expect_context::<AppState>();
    let kind = r.kind.label();
    let retained: Vec<i64> = r.retained_sizes.iter().map(|&v| v as i64).collect();
    let basis = match r.retainer_basis {
        Some(RetainerBasis::NewObjects) => "of its new objects",
        Some(RetainerBasis::GrownObjects) => "of its objects that grew",
        Some(RetainerBasis::LargestObjects) => "of its largest objects",
        None => "",
    };
    let path = r.retainer.clone().map(|p| {
        let share = format!(
            "{:.0}% {basis} ({} of {} read)",
            r.retainer_share * 100.0,
            r.retainer_objects,
            r.retainer_sampled
        );
        view! { <div class="retainer-path-text" data-testid="heap-growth-retainer" title=share.clone()>{p}<span class="muted">{format!(" · {share}")}</span></div> }
    });
    let example = r.example;
    let open = move |_| {
        if let Some(o) = example {
            state.select_heap_object(last, o.0);
        }
    };
    view! {
        <tr class="growth-row" data-testid="heap-growth-row" data-name=r.name.clone() data-trend=kind
            data-counts=serde_json::to_string(&r.counts).unwrap_or_default() on:click=open>
            <td><span class=format!("trend-badge {kind}")>{kind}</span></td>
            <td><Sparkline values=retained class=kind /></td>
            <td class="num">{span(&r.counts, |v| v.to_string())}</td>
            <td class="num">{span(&r.shallow_sizes, bytes)}</td>
            <td class="num">{span(&r.retained_sizes, bytes)}</td>
            <td class="num">{r.new_objects.to_string()}</td>
            <td class="name"><span class="fn-name">{r.name.clone()}</span>{path}</td>
        </tr>
    }
}

fn clusters_view(clusters: &[LeakCluster], candidates: u64, last: u32) -> impl IntoView + use<> {
    let state = expect_context::<AppState>();
    let rows = clusters
        .iter()
        .take(50)
        .map(|c| {
            let example = c.example;
            view! {
                <tr class="growth-row" data-testid="leak-cluster" data-name=c.name.clone()
                    on:click=move |_| state.select_heap_object(last, example.0)>
                    <td class="num">{c.count.to_string()}</td>
                    <td class="num">{bytes(c.retained_size)}</td>
                    <td class="name"><span class="fn-name">{c.name.clone()}</span>
                        <div class="retainer-path-text">{c.retainer.clone()}</div></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h3 class="section-title">"Born between the first two snapshots, still alive in the last"</h3>
        <p class="muted growth-note">{format!("MemLab's view: {candidates} such objects, grouped by constructor and the path that holds them.")}</p>
        <div class="table-scroll">
            <table class="top-table growth-table" data-testid="leak-clusters">
                <thead><tr><th class="num">"objects"</th><th class="num">"retained"</th><th class="name">"constructor · held by"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// DevTools' Comparison of the selected snapshot against another one of its series.
#[component]
pub fn HeapComparisonView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let options = move || {
        let series = state.selected_series()?;
        let new = state.selected.get()?;
        let base = state.comparison_base();
        let names = state.profiles.with(|p| {
            series
                .included
                .iter()
                .enumerate()
                .filter(|(_, id)| **id != new)
                .map(|(i, id)| {
                    let name = p.iter().find(|e| e.id == *id).map(|e| e.name.clone()).unwrap_or_default();
                    view! { <option value=id.to_string() selected=Some(*id) == base>{format!("t{i} · {name}")}</option> }
                })
                .collect_view()
        });
        Some(names)
    };
    let body = move || {
        let answer = state.heap_comparison.get()?;
        let (base, new, c) = (answer.0, answer.1, &answer.2);
        let totals = if c.same_process {
            format!(
                "{} new and {} deleted objects; {} allocated, {} freed (matched by object id)",
                c.new_count,
                c.deleted_count,
                bytes(c.alloc_size),
                bytes(c.freed_size)
            )
        } else {
            "These snapshots come from different processes: object ids do not line up, so only the change of each class's count and size is shown.".to_owned()
        };
        let rows = c
            .rows
            .iter()
            .take(300)
            .map(|r| {
                let key = r.key.clone();
                let open_key = key.clone();
                let objects = move || {
                    state.comparison_objects.with(|o| {
                        let o = o.as_ref().filter(|o| o.2 == open_key)?;
                        let list = o
                            .4
                            .iter()
                            .map(|obj| {
                                let ordinal = obj.ordinal;
                                view! {
                                    <tr class="heap-object" data-testid="comparison-object" on:click=move |_| state.select_heap_object(new, ordinal)>
                                        <td colspan="6" class="object-name"><span class="fn-name">{format!("{} @{}", obj.name, obj.node_id)}</span></td>
                                        <td class="num">{bytes(obj.shallow_size)}</td>
                                        <td class="num">{bytes(obj.retained_size)}</td>
                                    </tr>
                                }
                            })
                            .collect_view();
                        let more = match o.3 {
                            0 => Some("No new objects: none of this class is younger than the base.".to_owned()),
                            n if n > o.4.len() => Some(format!("{} more", n - o.4.len())),
                            _ => None,
                        };
                        Some(view! { {list} {more.map(|m| view! { <tr><td colspan="8" class="muted">{m}</td></tr> })} })
                    })
                };
                view! {
                    <tr class="heap-class" data-testid="comparison-row" data-name=r.name.clone()
                        data-new=r.new_count.to_string() data-deleted=r.deleted_count.to_string()
                        on:click=move |_| state.toggle_comparison_row(base, new, key.clone())>
                        <td class="name"><span class="fn-name">{r.name.clone()}</span></td>
                        <td class="num">{r.new_count.to_string()}</td>
                        <td class="num">{r.deleted_count.to_string()}</td>
                        <td class="num">{format!("{:+}", r.count_delta)}</td>
                        <td class="num">{bytes(r.alloc_size)}</td>
                        <td class="num">{bytes(r.freed_size)}</td>
                        <td class="num">{signed_bytes(r.size_delta)}</td>
                        <td></td>
                    </tr>
                    {objects}
                }
            })
            .collect_view();
        Some(view! {
            <p class="muted" data-testid="comparison-summary">{totals}</p>
            <div class="table-scroll">
                <table class="top-table heap-comparison" data-testid="comparison-table">
                    <thead>
                        <tr>
                            <th class="name">"Constructor"</th>
                            <th class="num">"# New"</th>
                            <th class="num">"# Deleted"</th>
                            <th class="num">"# Delta"</th>
                            <th class="num">"Alloc. Size"</th>
                            <th class="num">"Freed Size"</th>
                            <th class="num">"Size Delta"</th>
                            <th></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <Retainers id=new />
        })
    };
    view! {
        <div class="controls">
            <label class="control">
                <span>"Compared with"</span>
                <select
                    data-testid="comparison-base"
                    on:change=move |ev| {
                        if let Ok(id) = event_target_value(&ev).parse::<u32>() {
                            state.comparison_pick.set(Some(id));
                        }
                    }
                >
                    {options}
                </select>
            </label>
            <SeriesStatus />
        </div>
        {body}
    }
}
