//! `<SandwichView/>`: one function's callers above it and its callees below, merged over every
//! stack, with the values `go tool pprof -peek` prints (calls% is a share of the function's
//! cum), each name a link to that function's sandwich; then the callers and callees as flame
//! graphs rooted at the function. It asks the worker while shown and formats the answer; every
//! number comes from `analysis::sandwich`.

use std::sync::Arc;

use leptos::prelude::*;

use crate::analysis::{percentage, CallTree, PeekEdge, Sandwich};
use crate::model::format_value;

use super::flame_graph::FlameGraph;
use super::state::AppState;

/// The Sandwich tab of the selected profile.
#[component]
pub fn SandwichView() -> impl IntoView {
    let state = expect_context::<AppState>();
    // Asks while shown, again whenever the function or the view's settings change.
    let key = Memo::new(move |_| state.sandwich_key());
    Effect::new(move |_| state.request_sandwich(key.get()));
    let body = move || {
        let Some(name) = state.sandwich_name.get() else {
            return view! {
                <p class="muted" data-testid="sandwich-empty">
                    "Pick a function in the Top table (its ⇅ link) to see its callers and callees, merged over every stack."
                </p>
            }
            .into_any();
        };
        let answer = state
            .sandwich
            .get()
            .filter(|a| a.name == name || a.sandwich.is_err());
        match answer.map(|a| a.sandwich.clone()) {
            None => view! { <p class="muted">"Computing callers and callees of " <span class="fn-name">{name}</span> "…"</p> }.into_any(),
            Some(Err(message)) => view! { <p class="banner error" role="alert">{message}</p> }.into_any(),
            Some(Ok(None)) => view! {
                <p class="muted" data-testid="sandwich-missing">
                    <span class="fn-name">{name}</span> " has no samples in this view (sample type, granularity or filters)."
                </p>
            }
            .into_any(),
            Some(Ok(Some(s))) => view! { <SandwichBody sandwich=Arc::new(*s) /> }.into_any(),
        }
    };
    view! { <div class="sandwich" data-testid="sandwich">{body}</div> }
}

/// The table and the two flame graphs of one answer.
#[component]
fn SandwichBody(sandwich: Arc<Sandwich>) -> impl IntoView {
    let s = &sandwich;
    let unit = s.sample_type.unit.clone();
    let (total, cum) = (s.total, s.peek.cum);
    let value = move |v: i64| format_value(v, &unit);
    let pct = move |v: i64, of: i64| percentage(v, of).trim().to_owned();
    let edges = |list: &[PeekEdge], testid: &'static str, empty: &'static str| {
        if list.is_empty() {
            return view! { <tr><td colspan="6" class="muted sandwich-none">{empty}</td></tr> }
                .into_any();
        }
        list.iter()
            .map(|e| {
                let inline = e
                    .inline
                    .then(|| view! { <span class="inline-mark">" (inline)"</span> });
                view! {
                    <tr data-testid=testid data-name=e.name.clone() data-value=e.value.to_string()>
                        <td class="num"></td>
                        <td class="num"></td>
                        <td class="num">{value(e.value)}</td>
                        <td class="num">{pct(e.value, total)}</td>
                        <td class="num" data-testid="calls-pct">{pct(e.value, cum)}</td>
                        <td class="name">
                            <FunctionLink name=e.name.clone() />
                            {inline}
                        </td>
                    </tr>
                }
            })
            .collect_view()
            .into_any()
    };
    let p = &s.peek;
    let callers_tree = Signal::derive({
        let tree = Arc::new(s.callers.clone());
        move || Some(tree.clone())
    });
    let callees_tree = Signal::derive({
        let tree: Arc<CallTree> = Arc::new(s.callees.clone());
        move || Some(tree.clone())
    });
    view! {
        <p class="hint muted">
            "Callers above, callees below, merged over every stack: each value is the samples in which that call is made (once per sample, as "
            <code>"go tool pprof -peek"</code>
            " counts it); calls% is its share of the function's cum."
        </p>
        <div class="table-scroll">
            <table class="top-table sandwich-table" data-testid="sandwich-table">
                <thead>
                    <tr>
                        <th class="num">"flat"</th>
                        <th class="num">"flat%"</th>
                        <th class="num">"cum"</th>
                        <th class="num">"cum%"</th>
                        <th class="num">"calls%"</th>
                        <th class="name">"name"</th>
                    </tr>
                </thead>
                <tbody>
                    <tr class="sandwich-section"><th colspan="6">"Callers"</th></tr>
                    {edges(&p.callers, "sandwich-caller", "No callers: a root of every stack it is on.")}
                    <tr class="sandwich-function" data-testid="sandwich-function" data-name=p.name.clone() data-flat=p.flat.to_string() data-cum=p.cum.to_string()>
                        <td class="num">{value(p.flat)}</td>
                        <td class="num">{pct(p.flat, total)}</td>
                        <td class="num">{value(p.cum)}</td>
                        <td class="num">{pct(p.cum, total)}</td>
                        <td class="num"></td>
                        <td class="name"><span class="fn-name">{p.name.clone()}</span></td>
                    </tr>
                    <tr class="sandwich-section"><th colspan="6">"Callees"</th></tr>
                    {edges(&p.callees, "sandwich-callee", "No callees: it is a leaf of every stack it is on.")}
                </tbody>
            </table>
        </div>
        <h3 class="sandwich-heading">"Callers (the function on top, who called it below)"</h3>
        <div data-testid="sandwich-callers-flame"><FlameGraph tree=callers_tree /></div>
        <h3 class="sandwich-heading">"Callees (the function on top, what it called below)"</h3>
        <div data-testid="sandwich-callees-flame"><FlameGraph tree=callees_tree /></div>
    }
}

/// A function name that opens that function's sandwich.
#[component]
fn FunctionLink(name: String) -> impl IntoView {
    let state = expect_context::<AppState>();
    let target = name.clone();
    view! {
        <button
            class="link-button fn-name sandwich-link"
            title="Show this function's callers and callees"
            on:click=move |_| state.open_sandwich(target.clone())
        >
            {name}
        </button>
    }
}
