//! The heap snapshot panels beside the Summary: `<Retainers/>` (DevTools' Retainers tree of a
//! selected object — each row an edge and the object holding it, expandable to its own
//! retainers — then its dominator chain) and `<HeapStatisticsView/>` (DevTools' Statistics).
//! They draw what `RetainerTree` and the worker hold; they compute nothing.

use leptos::prelude::*;

use crate::analysis::heap::HeapStatistics;
use crate::model::format_value;

use super::heap_summary::distance_text;
use super::state::{AppState, TreeLine};
use crate::protocol::HeapObjectRow;

/// The Retainers tree of the selected heap object of snapshot `id`, then its dominator chain.
#[component]
pub fn Retainers(id: u32) -> impl IntoView {
    let state = expect_context::<AppState>();
    let body = move || {
        let (sid, ordinal) = state.heap_selected.get().filter(|(s, _)| *s == id)?;
        let chain = move || {
            state
                .dominator_chain
                .get()
                .filter(|r| r.0 == sid && r.1 == ordinal && !r.2.is_empty())
                .map(|r| chain_view(&r.2))
        };
        Some(view! {
            <section class="retainers" data-testid="retainers">
                <h3>
                    "Retainers "
                    <span class="muted">"(what holds this object, nearest to a GC root first; references that cannot retain are greyed)"</span>
                </h3>
                {move || tree_view(sid, ordinal)}
                {chain}
            </section>
        })
    };
    view! { {body} }
}

fn bytes(v: u64) -> String {
    format_value(v as i64, "bytes")
}

/// The tree of object `ordinal` of snapshot `id` as the state holds it.
fn tree_view(id: u32, ordinal: u32) -> AnyView {
    let state = expect_context::<AppState>();
    state.retainer_tree.with(|t| {
        let top = (t.id == id && t.top == Some(ordinal))
            .then(|| t.answer(ordinal))
            .flatten();
        let Some(page) = top else {
            return view! { <p class="muted">"Finding retainers…"</p> }.into_any();
        };
        let o = &page.object;
        let name = if o.name.is_empty() { "(root)".to_owned() } else { o.name.clone() };
        let head = view! {
            <div class="retainer-row retainer-top" data-testid="retainer-top" data-ordinal=o.ordinal.to_string() data-node-id=o.node_id.to_string() data-distance=o.distance.to_string()>
                <span class="name"><span class="fn-name">{name}</span><span class="muted">{format!(" @{}", o.node_id)}</span></span>
                <span class="num">{distance_text(o.distance)}</span>
                <span class="num">{bytes(o.shallow_size)}</span>
                <span class="num">{bytes(o.retained_size)}</span>
            </div>
        };
        let lines = if page.total == 0 {
            view! { <p class="muted" data-testid="no-retainers">"Nothing retains this object (or it is a root)."</p> }
                .into_any()
        } else {
            t.lines().into_iter().map(line_view).collect_view().into_any()
        };
        view! {
            <div class="retainer-tree" role="tree" data-testid="retainer-tree">
                <div class="retainer-row retainer-columns muted">
                    <span class="name">"Object"</span>
                    <span class="num">"Distance"</span>
                    <span class="num">"Shallow size"</span>
                    <span class="num">"Retained size"</span>
                </div>
                {head}
                {lines}
            </div>
        }
        .into_any()
    })
}

fn indent(depth: usize) -> String {
    format!("padding-left: {}px", 8 + 16 * depth)
}

fn line_view(line: TreeLine) -> AnyView {
    let state = expect_context::<AppState>();
    let r = match line {
        TreeLine::Row(r) => r,
        TreeLine::Loading { depth } => {
            return view! { <div class="retainer-row muted" data-testid="retainer-loading"><span class="name" style=indent(depth)>"…"</span></div> }
                .into_any();
        }
        TreeLine::More { depth, hidden } => {
            return view! {
                <div class="retainer-row retainer-more muted" data-testid="retainer-more" data-hidden=hidden.to_string()>
                    <span class="name" style=indent(depth)>{format!("{hidden} more retainers not listed")}</span>
                </div>
            }
            .into_any();
        }
    };
    let e = &r.edge;
    let root = e.step.node.0 == 0 && e.step.name.is_empty();
    let class = if root {
        "(root)".to_owned()
    } else if e.step.class_name.is_empty() {
        e.step.name.clone()
    } else {
        e.step.class_name.clone()
    };
    let detail = (!root && !e.step.name.is_empty() && e.step.name != class).then(|| {
        let cut: String = e.step.name.chars().take(60).collect();
        view! { <span class="muted retainer-value">{format!(" {cut}")}</span> }
    });
    let twisty = match (r.cycle, r.expandable, r.expanded) {
        (true, _, _) => "↻ ",
        (_, false, _) => "  ",
        (_, true, true) => "▾ ",
        (_, true, false) => "▸ ",
    };
    let (key, ordinal, expandable) = (r.key.clone(), e.step.node.0, r.expandable);
    let toggle = move |_| {
        if expandable {
            state.toggle_retainer(&key, ordinal);
        }
    };
    view! {
        <div
            class="retainer-row"
            class:weak=e.weak
            class:cycle=r.cycle
            class:expandable=r.expandable
            role="treeitem"
            data-testid="retainer-row"
            data-key=r.key.clone()
            data-depth=r.depth.to_string()
            data-ordinal=ordinal.to_string()
            data-node-id=e.step.id.to_string()
            data-edge-kind=e.step.edge_kind.clone()
            data-weak=e.weak.to_string()
            data-cycle=r.cycle.to_string()
            data-expanded=r.expanded.to_string()
            data-distance=e.step.distance.to_string()
            title=format!("{} {} in {class} @{}", e.step.edge_kind, e.step.edge_name, e.step.id)
            on:click=toggle
        >
            <span class="name" style=indent(r.depth)>
                <span class="twisty">{twisty}</span>
                <span class="edge-label fn-name">{e.label.clone()}</span>
                <span class="muted">" in "</span>
                <span class="fn-name">{class.clone()}</span>
                {detail}
                <span class="muted">{format!(" @{}", e.step.id)}</span>
                {e.weak.then(|| view! { <span class="tag weak-tag" data-testid="weak-tag">"weak"</span> })}
                {r.cycle.then(|| view! { <span class="tag cycle-tag">"cycle"</span> })}
            </span>
            <span class="num">{distance_text(e.step.distance)}</span>
            <span class="num">{bytes(e.step.self_size)}</span>
            <span class="num">{bytes(e.step.retained_size)}</span>
        </div>
    }
    .into_any()
}

/// The dominator chain: the object, the object that dominates it (every path from the root to
/// it passes there, so freeing that frees this), …, the root.
fn chain_view(chain: &[HeapObjectRow]) -> impl IntoView + use<> {
    let last = chain.len().saturating_sub(1);
    let steps = chain
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let name = if i == last && o.name.is_empty() {
                "(root)".to_owned()
            } else {
                o.name.clone()
            };
            view! {
                <li
                    data-testid="dominator-step"
                    data-ordinal=o.ordinal.to_string()
                    data-node-id=o.node_id.to_string()
                    data-retained=o.retained_size.to_string()
                >
                    <span class="fn-name">{name}</span>
                    <span class="muted">{format!(" @{}", o.node_id)}</span>
                    <span class="muted step-sizes">
                        {format!(" · retained {}", format_value(o.retained_size as i64, "bytes"))}
                    </span>
                </li>
            }
        })
        .collect_view();
    view! {
        <h3>"Dominator chain " <span class="muted">"(the object, what dominates it, … the root)"</span></h3>
        <ol class="dominator-chain" data-testid="dominator-chain">{steps}</ol>
    }
}

/// DevTools' Statistics: where the total goes.
#[component]
pub fn HeapStatisticsView(statistics: HeapStatistics) -> impl IntoView {
    let s = statistics;
    let total = s.total;
    let v8 = &s.v8heap;
    let rows = [
        ("Code", "code", v8.code),
        ("Strings", "strings", v8.strings),
        ("JS arrays", "js-arrays", v8.js_arrays),
        ("Typed arrays", "typed-arrays", s.native.typed_arrays),
        ("System objects", "system", v8.system),
        ("Other JS objects", "other-js", v8.other()),
        (
            "Other non-JS objects (native)",
            "other-native",
            s.native.total.saturating_sub(s.native.typed_arrays),
        ),
    ];
    let pct = |v: u64| {
        if total == 0 {
            String::new()
        } else {
            format!("{:.0}%", v as f64 / total as f64 * 100.0)
        }
    };
    let body = rows
        .into_iter()
        .map(|(label, key, v)| {
            view! {
                <tr data-testid="heap-stat" data-key=key data-value=v.to_string()>
                    <td class="name">{label}</td>
                    <td class="num">{format_value(v as i64, "bytes")}</td>
                    <td class="num muted">{pct(v)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll heap-statistics">
            <table
                class="top-table"
                data-testid="heap-statistics"
                data-total=total.to_string()
                data-v8=v8.total.to_string()
                data-native=s.native.total.to_string()
            >
                <thead><tr><th class="name">"Category"</th><th class="num">"Size"</th><th class="num">"%"</th></tr></thead>
                <tbody>
                    {body}
                    <tr class="total-row">
                        <td class="name">"Total"</td>
                        <td class="num">{format_value(total as i64, "bytes")}</td>
                        <td class="num muted">{format!("{} objects, {} edges", s.node_count, s.edge_count)}</td>
                    </tr>
                </tbody>
            </table>
        </div>
    }
}
