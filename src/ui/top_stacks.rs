//! `<TopStacks/>`: the heaviest complete stacks, root → leaf, with value and share. Each is a
//! `<details>` whose summary names the leaf; the stacks come ranked from the worker's
//! `top_stacks`, so this only lays them out.

use std::sync::Arc;

use leptos::prelude::*;

use crate::analysis::{percentage, StackRow, TopTable};
use crate::model::format_value;

/// How many stacks start expanded.
const OPEN: usize = 3;

/// The heaviest stacks of the current view.
#[component]
pub fn TopStacks(
    #[prop(into)] top: Signal<Option<Arc<TopTable>>>,
    #[prop(into)] stacks: Signal<Option<Arc<Vec<StackRow>>>>,
) -> impl IntoView {
    let stacks = move || {
        let (unit, total) =
            top.with(|t| t.as_ref().map(|t| (t.sample_type.unit.clone(), t.total)))?;
        stacks.with(|v| {
            let Some(v) = v.as_ref() else {
                return Some(view! { <p class="muted">"Ranking the stacks…"</p> }.into_any());
            };
            if v.is_empty() {
                return Some(view! { <p class="muted">"No samples with a value for this sample type."</p> }.into_any());
            }
            let items = v
                .iter()
                .enumerate()
                .map(|(rank, s)| {
                    let leaf = s.frames.last().cloned().unwrap_or_else(|| "<empty stack>".to_owned());
                    let depth = s.frames.len();
                    let frames = s
                        .frames
                        .iter()
                        .enumerate()
                        .map(|(i, f)| {
                            view! {
                                <li class:leaf=i + 1 == depth title=f.clone()>
                                    <span class="fn-name">{f.clone()}</span>
                                </li>
                            }
                        })
                        .collect_view();
                    view! {
                        <details class="stack" open={rank < OPEN} data-testid="stack" data-value=s.value.to_string()>
                            <summary>
                                <span class="stack-rank">{format!("#{}", rank + 1)}</span>
                                <span class="num stack-value">{format_value(s.value, &unit)}</span>
                                <span class="num stack-share">{percentage(s.value, total).trim().to_owned()}</span>
                                <span class="stack-leaf fn-name" title=leaf.clone()>{leaf.clone()}</span>
                                <span class="muted stack-depth">{format!("{depth} frames")}</span>
                            </summary>
                            <ol class="stack-frames">{frames}</ol>
                        </details>
                    }
                })
                .collect_view();
            Some(view! { <div class="stacks">{items}</div> }.into_any())
        })
    };
    view! {
        <div data-testid="top-stacks">
            <p class="muted hint">"The heaviest complete call stacks, root first, leaf in bold."</p>
            {stacks}
        </div>
    }
}
