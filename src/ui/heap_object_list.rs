//! `<HeapObjectList/>`: the objects of an expanded Summary class as a virtualized list, like
//! DevTools' data grid — a scrolling area as tall as all the rows (fixed row height), only the
//! rows in view (and a margin) in the DOM, their pages asked of the worker as they scroll in.
//! What is held and asked is `ObjectPages`'; this only maps scroll offsets to rows and draws.

use leptos::prelude::*;

use crate::model::format_value;

use super::heap_summary::{distance_text, share};
use super::state::AppState;
use crate::protocol::{HeapFilter, HeapObjectRow};

/// Height of one row, in CSS pixels (`.heap-object-list .heap-object` in app.css).
pub const ROW_PX: f64 = 24.0;

/// Rows the scrolling area shows at once (fewer when the class has fewer objects).
const VIEW_ROWS: usize = 16;

/// Rows drawn beyond each edge of the view, so a short scroll shows rows already there.
const MARGIN_ROWS: usize = 10;

/// The scrolling content is at most this tall: browsers cap an element's height (Chromium
/// near 33.5 M px, Firefox lower), and a class may have millions of objects. Beyond it, a
/// scroll offset maps proportionally to a row instead of `offset / ROW_PX`.
const MAX_CONTENT_PX: f64 = 8_000_000.0;

/// Which rows to draw for a scroll offset: `start..end`, and where row `start` goes (px from
/// the content's top).
fn window(n: usize, scroll_top: f64) -> (usize, usize, f64) {
    let view_px = n.clamp(1, VIEW_ROWS) as f64 * ROW_PX;
    let full_px = n as f64 * ROW_PX;
    // The (fractional) row at the top of the view.
    let at = if full_px <= MAX_CONTENT_PX {
        scroll_top / ROW_PX
    } else {
        let range = (MAX_CONTENT_PX - view_px).max(1.0);
        (scroll_top / range).clamp(0.0, 1.0) * (n as f64 - view_px / ROW_PX).max(0.0)
    };
    let at = at.clamp(0.0, n as f64);
    let first = at.floor() as usize;
    let start = first.saturating_sub(MARGIN_ROWS);
    let end = (first + VIEW_ROWS + 1 + MARGIN_ROWS).min(n);
    (start, end, scroll_top - (at - start as f64) * ROW_PX)
}

/// The objects of class `class_key` (listed by `AppState::open_heap_class`) of snapshot `id`;
/// `total` is the snapshot's size, for the percentages.
#[component]
pub fn HeapObjectList(id: u32, class_key: String, filter: HeapFilter, total: u64) -> impl IntoView {
    let state = expect_context::<AppState>();
    let (scroll_top, set_scroll_top) = signal(0.0f64);
    let key = class_key.clone();
    // (objects in all, answered) of this list, once it is the open one.
    let size = Memo::new(move |_| {
        state.heap_objects.with(|p| {
            p.as_ref()
                .filter(|p| p.is_for(id, &key, filter))
                .map(|p| (p.total, p.answered))
        })
    });
    let n = move || size.get().map_or(0, |s| s.0);
    let rows_in_view = Memo::new(move |_| window(n(), scroll_top.get()));
    // Ask for the pages the drawn rows need (each once; the state knows what it holds).
    Effect::new(move |_| {
        let (start, end, _) = rows_in_view.get();
        state.want_heap_objects(start, end);
    });
    let key = class_key.clone();
    let rows = move || {
        let (start, end, top) = rows_in_view.get();
        let drawn = state.heap_objects.with(|p| {
            let p = p.as_ref().filter(|p| p.is_for(id, &key, filter));
            (start..end)
                .map(|i| (i, p.and_then(|p| p.row(i)).cloned()))
                .collect::<Vec<_>>()
        });
        let rows = drawn
            .into_iter()
            .map(|(i, o)| match o {
                Some(o) => object_row(id, i, o, total).into_any(),
                None => view! {
                    <div class="heap-object pending muted" data-testid="heap-object-pending" data-index=i.to_string()>
                        <span class="name object-name">"…"</span>
                    </div>
                }
                .into_any(),
            })
            .collect_view();
        view! { <div class="heap-object-window" style=format!("top: {top:.1}px")>{rows}</div> }
    };
    let empty = move || {
        (size.get().is_some_and(|(n, answered)| answered && n == 0)).then(|| {
            view! { <div class="muted heap-object-empty">"No objects."</div> }
        })
    };
    let view_px = move || n().clamp(1, VIEW_ROWS) as f64 * ROW_PX;
    let content_px = move || (n() as f64 * ROW_PX).min(MAX_CONTENT_PX);
    view! {
        <div
            class="heap-object-list"
            data-testid="heap-object-list"
            data-total=move || n().to_string()
            data-row-px=ROW_PX.to_string()
            style=move || format!("height: {:.0}px", view_px())
            on:scroll=move |ev| set_scroll_top.set(event_target::<web_sys::Element>(&ev).scroll_top() as f64)
            on:click=|ev| ev.stop_propagation()
        >
            <div class="heap-object-content" style=move || format!("height: {:.0}px", content_px())>
                {rows}
            </div>
        </div>
        {empty}
    }
}

fn object_row(id: u32, index: usize, o: HeapObjectRow, total: u64) -> impl IntoView {
    let state = expect_context::<AppState>();
    let ordinal = o.ordinal;
    let selected = move || state.heap_selected.get() == Some((id, ordinal));
    view! {
        <div
            class="heap-object"
            class:selected=selected
            title="Show what retains this object"
            on:click=move |_| state.select_heap_object(id, ordinal)
            data-testid="heap-object"
            data-index=index.to_string()
            data-ordinal=o.ordinal.to_string()
            data-node-id=o.node_id.to_string()
            data-retained=o.retained_size.to_string()
        >
            <span class="name object-name" title=o.name.clone()>
                <span class="fn-name">{o.name.clone()}</span>
                <span class="muted">{format!(" @{}", o.node_id)}</span>
            </span>
            <span class="num">{distance_text(o.distance)}</span>
            <span class="num"></span>
            <span class="num">{format_value(o.shallow_size as i64, "bytes")}</span>
            <span class="num muted">{share(o.shallow_size, total)}</span>
            <span class="num">{format_value(o.retained_size as i64, "bytes")}</span>
            <span class="num muted">{share(o.retained_size, total)}</span>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scroll_offset_maps_to_the_rows_in_view() {
        // Small lists: every row (and no more than there are).
        assert_eq!(window(0, 0.0), (0, 0, 0.0));
        assert_eq!(window(5, 0.0), (0, 5, 0.0));
        // Row 1000 at the top: a margin above, the view and a margin below.
        let (start, end, top) = window(100_000, 1000.0 * ROW_PX);
        assert_eq!((start, end), (990, 1000 + VIEW_ROWS + 1 + MARGIN_ROWS));
        assert_eq!(top, 990.0 * ROW_PX);
        // A million rows do not fit: offsets map proportionally, the end reaches the last row.
        let n = 1_000_000;
        let view_px = VIEW_ROWS as f64 * ROW_PX;
        let (start, end, top) = window(n, MAX_CONTENT_PX - view_px);
        assert_eq!(end, n);
        assert_eq!(start, n - VIEW_ROWS - MARGIN_ROWS);
        // Row `start` is drawn so that row n - VIEW_ROWS sits at the view's top.
        let at_top = top + MARGIN_ROWS as f64 * ROW_PX;
        assert!(
            (at_top - (MAX_CONTENT_PX - view_px)).abs() < 1e-6,
            "{at_top}"
        );
        let (start, _, _) = window(n, (MAX_CONTENT_PX - view_px) / 2.0);
        assert_eq!(start, (n - VIEW_ROWS) / 2 - MARGIN_ROWS);
    }
}
