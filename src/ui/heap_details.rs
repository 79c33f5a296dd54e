//! The heap snapshot panels beside the Summary: `<Retainers/>` (paths from a selected object to
//! the GC roots, each step an edge kind and name and the object holding it, then its dominator
//! chain) and `<HeapStatisticsView/>` (DevTools' Statistics). They format the worker's answers.

use leptos::prelude::*;

use crate::analysis::heap::{HeapStatistics, RetainerPath, BASE_SYSTEM_DISTANCE};
use crate::model::format_value;

use super::protocol::HeapObjectRow;
use super::state::AppState;

/// The retaining paths of the selected heap object of snapshot `id`.
#[component]
pub fn Retainers(id: u32) -> impl IntoView {
    let state = expect_context::<AppState>();
    let body = move || {
        let (sid, ordinal) = state.heap_selected.get().filter(|(s, _)| *s == id)?;
        let answer = state
            .retainers
            .get()
            .filter(|r| r.0 == sid && r.1 == ordinal);
        let content = match &answer {
            None => view! { <p class="muted">"Finding retainers…"</p> }.into_any(),
            Some(r) if r.2.is_empty() => {
                view! { <p class="muted" data-testid="no-retainers">"Nothing retains this object (or it is a root)."</p> }
                    .into_any()
            }
            Some(r) => r.2.iter().map(path_view).collect_view().into_any(),
        };
        let chain = answer
            .as_ref()
            .filter(|r| !r.3.is_empty())
            .map(|r| chain_view(&r.3));
        Some(view! {
            <section class="retainers" data-testid="retainers">
                <h3>"Retainers " <span class="muted">"(paths to the GC roots, nearest retainer first)"</span></h3>
                {content}
                {chain}
            </section>
        })
    };
    view! { {body} }
}

fn path_view(p: &RetainerPath) -> impl IntoView + use<> {
    let steps = p
        .steps
        .iter()
        .map(|s| {
            let distance = if (0..BASE_SYSTEM_DISTANCE).contains(&s.distance) {
                s.distance.to_string()
            } else {
                "−".to_owned()
            };
            view! {
                <li data-testid="retainer-step" data-edge-kind=s.edge_kind.clone()>
                    <span class="edge-kind muted">{s.edge_kind.clone()}</span>
                    " "
                    <span class="edge-name fn-name">{s.edge_name.clone()}</span>
                    " in "
                    <span class="fn-name">{s.class_name.clone()}</span>
                    <span class="muted">{format!(" @{}", s.id)}</span>
                    <span class="muted step-sizes">
                        {format!(
                            " · distance {distance} · shallow {} · retained {}",
                            format_value(s.self_size as i64, "bytes"),
                            format_value(s.retained_size as i64, "bytes")
                        )}
                    </span>
                </li>
            }
        })
        .collect_view();
    let end = if p.reaches_root {
        "→ GC root"
    } else if p.truncated {
        "… (cut)"
    } else {
        "(no way to the root)"
    };
    view! {
        <ol class="retainer-path" data-testid="retainer-path" data-reaches-root=p.reaches_root.to_string()>
            {steps}
            <li class="muted">{end}</li>
        </ol>
    }
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
