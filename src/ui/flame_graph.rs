//! `<FlameGraph/>`: a canvas flame graph of one `CallTree` with zoom, hover tooltip and search.
//! Geometry comes from `layout`; the drawing calls live in `flame_graph/paint.rs`.

use std::sync::Arc;

use leptos::prelude::*;

use crate::analysis::CallTree;

/// A flame graph (root at the top) of `tree`, filling its container's width.
#[component]
pub fn FlameGraph(
    /// The tree to draw; None draws an empty state ("no samples").
    #[prop(into)]
    tree: Signal<Option<Arc<CallTree>>>,
) -> impl IntoView {
    let empty = move || tree.with(|t| t.as_ref().is_none_or(|t| t.is_empty()));
    view! {
        <div class="flame-graph">
            <Show when=empty fallback=|| view! { <canvas class="flame-canvas"></canvas> }>
                <p class="flame-empty">"No samples"</p>
            </Show>
        </div>
    }
}
