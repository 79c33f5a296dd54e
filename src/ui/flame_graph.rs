//! `<FlameGraph/>`: a canvas flame graph of one `CallTree`, roots at the top (icicle) or at the
//! bottom (flame), with click-to-zoom, Ctrl+wheel / pinch zoom around the pointer, drag and
//! horizontal-wheel panning, keyboard zoom and pan, a hover tooltip, search, and SVG / PNG
//! exports of the current view. Geometry (both orientations) comes from `layout`; drawing calls
//! live in `paint.rs`, file exports in `export.rs`. Signals only schedule a paint; one
//! `requestAnimationFrame` callback per frame does the work.

mod export;
mod paint;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::CanvasRenderingContext2d;

use crate::analysis::CallTree;
use crate::layout::flame::svg::{self, SvgInput};
use crate::layout::{self, palette, FlameLayout, Orientation, Viewport};
use crate::model::format_value;

use super::state::AppState;
use paint::{PaintInput, ROW_HEIGHT};

/// A press that moves further than this (CSS px) is a drag, not a click.
const DRAG_PX: f64 = 4.0;
/// What one `+` keypress keeps of the span (`-` divides by it).
const KEY_ZOOM: f64 = 0.7;
/// What one arrow keypress pans, as a share of the width.
const KEY_PAN: f64 = 0.1;

/// What stays fixed while one tree is shown: the tree, its layout and node colours.
struct Scene {
    tree: Arc<CallTree>,
    layout: FlameLayout,
    swatches: Vec<u8>,
}

/// Main-thread state shared by the paint callback and the pointer handlers, so a hit-test
/// uses exactly the viewport and width that were last painted.
#[derive(Default)]
struct Painted {
    ctx: Option<CanvasRenderingContext2d>,
    char_px: f64,
    viewport: Viewport,
    width: f64,
    height: f64,
    frame_pending: bool,
}

/// A flame graph of `tree`, filling its container's width.
///
/// The canvas carries `data-paint-ms` (duration of the last paint), `data-rects` (rectangles
/// drawn by it), `data-zoom` (name of the zoomed node, empty when not zoomed) and
/// `data-orientation` (`icicle` or `flame`, as last painted) for tests.
#[component]
pub fn FlameGraph(
    /// The tree to draw; None draws an empty state ("no samples").
    #[prop(into)]
    tree: Signal<Option<Arc<CallTree>>>,
    /// Which way rows grow, chosen by the toolbar's toggle. Pass a signal to keep the choice
    /// elsewhere (the URL, across views); without one the graph keeps its own, icicle first.
    #[prop(optional)]
    orientation: Option<RwSignal<Orientation>>,
    /// True for the file's own flame graph, whose zoom, search and orientation are the page's
    /// (`AppState`, the URL): it opens with them and writes every change back.
    #[prop(optional)]
    in_url: bool,
) -> impl IntoView {
    let app = use_context::<AppState>();
    let url_state = app.filter(|_| in_url);
    let orientation = orientation
        .or(url_state.map(|a| a.flame_orientation))
        .unwrap_or_else(|| RwSignal::new(Orientation::default()));
    let scene = Memo::new_with_compare(
        move |_| {
            tree.get().filter(|t| !t.is_empty()).map(|t| {
                let layout = FlameLayout::new(&t);
                let swatches = palette::swatches(&t);
                Arc::new(Scene {
                    tree: t,
                    layout,
                    swatches,
                })
            })
        },
        |a, b| match (a, b) {
            (Some(Some(a)), Some(Some(b))) => !Arc::ptr_eq(a, b),
            (Some(None), Some(None)) => false,
            _ => true,
        },
    );
    let zoom = RwSignal::new(None::<usize>);
    // A free x-range (wheel, drag, keys); when set it wins over the clicked node's range.
    let range = RwSignal::new(None::<(f64, f64)>);
    let hovered = RwSignal::new(None::<usize>);
    let tip_pos = RwSignal::new((0.0f64, 0.0f64));
    let query = RwSignal::new(
        url_state
            .map(|a| a.flame_search.get_untracked())
            .unwrap_or_default(),
    );
    let canvas_h = RwSignal::new(0.0f64);
    let search = Memo::new_with_compare(
        move |_| {
            let q = query.get();
            scene.with(|s| {
                let s = s.as_ref()?;
                layout::compile_query(&q)?;
                Some(Arc::new(layout::matches(&s.tree, &q)))
            })
        },
        |a, b| a != b,
    );
    // A new tree starts unzoomed, with nothing hovered; the first one keeps the zoom the page
    // opened with (a URL's).
    let opened_zoom = url_state.and_then(|a| a.flame_zoom.get_untracked());
    Effect::new(move |seen: Option<bool>| {
        let shown = scene.with(Option::is_some);
        hovered.set(None);
        if seen == Some(true) {
            zoom.set(None);
            range.set(None);
        } else if shown {
            range.set(opened_zoom);
        }
        seen == Some(true) || shown
    });
    if let Some(app) = url_state {
        follow_url(app, query);
    }

    let canvas_ref = NodeRef::<html::Canvas>::new();
    let scroll_ref = NodeRef::<html::Div>::new();
    let painted = Rc::new(RefCell::new(Painted::default()));

    // Flipping mirrors the vertical scroll, so the same rows stay in view; a new tree drawn as a
    // flame opens at its roots, the bottom.
    Effect::new(move |prev: Option<Orientation>| {
        let now = orientation.get();
        if let (Some(prev), Some(scroller)) = (prev, scroll_ref.get_untracked()) {
            if prev != now {
                let max = (scroller.scroll_height() - scroller.client_height()).max(0);
                scroller.set_scroll_top(max - scroller.scroll_top());
            }
        }
        now
    });
    Effect::new(move |_| {
        scene.track();
        if orientation.get_untracked() == Orientation::Flame {
            request_animation_frame(move || {
                if let Some(Some(scroller)) = scroll_ref.try_get_untracked() {
                    scroller.set_scroll_top(scroller.scroll_height());
                }
            });
        }
    });

    let paint_now = {
        let painted = painted.clone();
        move || {
            // A frame asked for just before the graph left the page (another tab was chosen)
            // finds its signals gone: nothing to paint.
            let gone = scene.try_with_untracked(|_| ()).is_none()
                || zoom.is_disposed()
                || range.is_disposed()
                || hovered.is_disposed()
                || search.try_with_untracked(|_| ()).is_none()
                || canvas_h.is_disposed()
                || orientation.is_disposed();
            let (false, Some(Some(canvas)), Some(Some(scroller))) = (
                gone,
                canvas_ref.try_get_untracked(),
                scroll_ref.try_get_untracked(),
            ) else {
                return;
            };
            let mut st = painted.borrow_mut();
            st.frame_pending = false;
            let scene = scene.get_untracked();
            let rows = scene.as_ref().map_or(0, |s| s.layout.n_rows());
            let width = scroller.client_width() as f64;
            let height = (rows as f64 * ROW_HEIGHT).min(scroller.client_height() as f64);
            let dpr = window().device_pixel_ratio().max(1.0);
            let (bw, bh) = ((width * dpr).round() as u32, (height * dpr).round() as u32);
            if canvas.width() != bw || canvas.height() != bh {
                canvas.set_width(bw);
                canvas.set_height(bh);
            }
            if canvas_h.get_untracked() != height {
                canvas_h.set(height);
            }
            if st.ctx.is_none() {
                st.ctx = canvas
                    .get_context("2d")
                    .ok()
                    .flatten()
                    .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok());
                st.char_px = st.ctx.as_ref().map_or(7.2, paint::measure_char);
            }
            let Some(ctx) = st.ctx.clone() else { return };
            let Some(scene) = scene else {
                ctx.clear_rect(0.0, 0.0, canvas.width() as f64, canvas.height() as f64);
                return;
            };
            let free = range.get_untracked();
            let zoomed = zoom
                .get_untracked()
                .filter(|&n| n < scene.layout.len() && free.is_none());
            let full = Viewport::full();
            let viewport = match free {
                Some((left, right)) => full.zoomed_to(left, right),
                None => zoomed.map_or(full, |n| scene.layout.zoom_to(&full, n)),
            }
            .oriented(orientation.get_untracked())
            .scrolled(scroller.scroll_top() as f64, height);
            let search = search.get_untracked();
            let perf = window().performance();
            let t0 = perf.as_ref().map_or(0.0, |p| p.now());
            let n_rects = paint::paint(
                &ctx,
                &PaintInput {
                    tree: &scene.tree,
                    layout: &scene.layout,
                    swatches: &scene.swatches,
                    search: search.as_deref(),
                    viewport,
                    hovered: hovered.get_untracked(),
                    width,
                    height,
                    dpr,
                    char_px: st.char_px,
                },
            );
            let ms = perf.as_ref().map_or(0.0, |p| p.now()) - t0;
            (st.viewport, st.width, st.height) = (viewport, width, height);
            let zoom_name = zoomed.map_or("", |n| scene.tree.name_of(n));
            let _ = canvas.set_attribute("data-paint-ms", &format!("{ms:.2}"));
            let _ = canvas.set_attribute("data-rects", &n_rects.to_string());
            let _ = canvas.set_attribute("data-zoom", zoom_name);
            let _ = canvas.set_attribute("data-orientation", viewport.orientation.as_str());
            let _ = canvas.set_attribute(
                "data-range",
                &format!("{:.9},{:.9}", viewport.left, viewport.right),
            );
            // The page's (the URL's) zoom is what was drawn.
            if let Some(app) = url_state {
                let drawn = (!viewport.is_reset()).then_some((viewport.left, viewport.right));
                if app
                    .flame_zoom
                    .try_get_untracked()
                    .is_some_and(|z| z != drawn)
                {
                    app.flame_zoom.set(drawn);
                }
            }
        }
    };
    let paint_now = Rc::new(paint_now);
    // Coalesces any number of changes within one frame into one paint.
    let schedule = {
        let painted = painted.clone();
        move || {
            if std::mem::replace(&mut painted.borrow_mut().frame_pending, true) {
                return;
            }
            let paint_now = paint_now.clone();
            request_animation_frame(move || paint_now());
        }
    };
    let schedule = Rc::new(schedule);
    {
        let schedule = schedule.clone();
        Effect::new(move |_| {
            scene.track();
            zoom.track();
            range.track();
            hovered.track();
            search.track();
            orientation.track();
            schedule();
        });
    }
    let on_resize = {
        let schedule = schedule.clone();
        window_event_listener(ev::resize, move |_| schedule())
    };
    on_cleanup(move || on_resize.remove());

    let hit = {
        let painted = painted.clone();
        move |x: f64, y: f64| {
            let st = painted.borrow();
            let scene = scene.get_untracked()?;
            scene
                .layout
                .hit_test(&st.viewport, st.width, ROW_HEIGHT, x, y)
        }
    };
    // The viewport and width last painted, which the wheel, drags and keys start from.
    let shown = {
        let painted = painted.clone();
        move || {
            let st = painted.borrow();
            (st.viewport, st.width)
        }
    };
    let show = move |v: Viewport| {
        zoom.set(None);
        range.set((!v.is_reset()).then_some((v.left, v.right)));
    };
    // A drag in progress: where it started (client x) and the viewport then; `dragged` once it
    // moved enough to be a drag and not a click.
    let drag = Rc::new(RefCell::new(None::<(f64, Viewport)>));
    let dragged = Rc::new(std::cell::Cell::new(false));
    let on_down = {
        let (drag, dragged, shown) = (drag.clone(), dragged.clone(), shown.clone());
        move |e: ev::MouseEvent| {
            if e.button() == 0 {
                *drag.borrow_mut() = Some((e.client_x() as f64, shown().0));
                dragged.set(false);
            }
        }
    };
    let end_drag = {
        let drag = drag.clone();
        move |_: ev::MouseEvent| *drag.borrow_mut() = None
    };
    let on_wheel = {
        let shown = shown.clone();
        move |e: ev::WheelEvent| {
            let (v, width) = shown();
            // A pixel-mode delta; lines and pages are about 16 and 800 px.
            let scale = match e.delta_mode() {
                1 => 16.0,
                2 => 800.0,
                _ => 1.0,
            };
            let (dx, dy) = (e.delta_x() * scale, e.delta_y() * scale);
            if e.ctrl_key() || e.meta_key() {
                // Ctrl+wheel, and a trackpad's pinch (which the browser sends as Ctrl+wheel).
                e.prevent_default();
                show(v.zoomed_around(e.offset_x() as f64, width, (dy * 0.002).exp()));
            } else if dx.abs() > dy.abs() {
                e.prevent_default();
                show(v.panned(-dx, width));
            }
        }
    };
    let on_move = {
        let hit = hit.clone();
        let (drag, dragged) = (drag.clone(), dragged.clone());
        let width = shown.clone();
        move |e: ev::MouseEvent| {
            if let Some((x0, v0)) = *drag.borrow() {
                let dx = e.client_x() as f64 - x0;
                if e.buttons() & 1 == 0 {
                    // The button came up outside the canvas.
                } else if dragged.get() || dx.abs() > DRAG_PX {
                    dragged.set(true);
                    show(v0.panned(dx, width().1));
                }
            }
            let n = hit(e.offset_x() as f64, e.offset_y() as f64);
            if hovered.get_untracked() != n {
                hovered.set(n);
            }
            tip_pos.set((e.client_x() as f64, e.client_y() as f64));
        }
    };
    let on_click = move |e: ev::MouseEvent| {
        if dragged.replace(false) {
            return; // The end of a drag, not a click.
        }
        if let Some(n) = hit(e.offset_x() as f64, e.offset_y() as f64) {
            range.set(None);
            zoom.set(Some(n));
        }
    };
    let on_scroll = {
        let schedule = schedule.clone();
        move |_| schedule()
    };
    let on_key = move |e: ev::KeyboardEvent| {
        if event_target::<web_sys::Element>(&e).tag_name() == "INPUT" {
            return; // Typing a search.
        }
        let (v, width) = shown();
        let next = match e.key().as_str() {
            "+" | "=" => v.zoomed_around(width / 2.0, width, KEY_ZOOM),
            "-" | "_" => v.zoomed_around(width / 2.0, width, 1.0 / KEY_ZOOM),
            "ArrowLeft" => v.panned(width * KEY_PAN, width),
            "ArrowRight" => v.panned(-width * KEY_PAN, width),
            "0" | "Escape" => v.reset(),
            _ => return,
        };
        e.prevent_default();
        show(next);
    };
    let zoomed = move || zoom.get().is_some() || range.get().is_some();
    // The file's own graph of a profile (heap snapshots have no Sandwich): the clicked frame's
    // callers and callees, merged over every stack.
    let sandwich_button = url_state.map(|app| {
        let clicked = move || {
            let node = zoom.get()?;
            scene.with(|s| {
                let s = s.as_ref()?;
                (node < s.layout.len()).then(|| s.tree.name_of(node).to_owned())
            })
        };
        view! {
            <Show when=move || app.selected_heap().is_none()>
                <button
                    class="flame-sandwich"
                    data-testid="flame-sandwich"
                    title="The clicked frame's callers and callees, merged over every stack"
                    disabled=move || clicked().is_none()
                    on:click=move |_| {
                        if let Some(name) = clicked() {
                            app.open_sandwich(name);
                        }
                    }
                >
                    "Sandwich"
                </button>
            </Show>
        }
    });

    let report = move |what: &str, e: String| {
        let msg = format!("could not export the flame graph as {what}: {e}");
        match app {
            Some(app) => app.errors.update(|errors| errors.push(msg)),
            None => leptos::logging::error!("{msg}"),
        }
    };
    // The view as last painted, written as SVG from the same rectangles.
    let export_svg = {
        let painted = painted.clone();
        move |_: ev::MouseEvent| {
            let Some(scene) = scene.get_untracked() else {
                return;
            };
            let st = painted.borrow();
            let search = search.get_untracked();
            let background = scroll_ref
                .get_untracked()
                .and_then(|el| export::background_of(&el));
            let text = svg::render(&SvgInput {
                tree: &scene.tree,
                layout: &scene.layout,
                swatches: &scene.swatches,
                search: search.as_deref(),
                viewport: st.viewport,
                width: st.width,
                height: st.height,
                char_px: st.char_px,
                background: background.as_deref(),
            });
            let name = export::file_name(app, &scene.tree, "svg");
            if let Err(e) = export::save_svg(&text, &name) {
                report("SVG", format!("{e:?}"));
            }
        }
    };
    // The drawn canvas itself, at device pixels.
    let export_png = move |_: ev::MouseEvent| {
        let (Some(scene), Some(canvas)) = (scene.get_untracked(), canvas_ref.get_untracked())
        else {
            return;
        };
        let background = scroll_ref
            .get_untracked()
            .and_then(|el| export::background_of(&el));
        let name = export::file_name(app, &scene.tree, "png");
        let on_error = move |e| report("PNG", e);
        if let Err(e) = export::save_png(&canvas, background.as_deref(), name, on_error) {
            report("PNG", format!("{e:?}"));
        }
    };
    let no_scene = move || scene.with(Option::is_none);

    let rows_px =
        move || scene.with(|s| s.as_ref().map_or(0, |s| s.layout.n_rows())) as f64 * ROW_HEIGHT;
    let match_text = move || {
        let total = scene.with(|s| s.as_ref().map_or(0, |s| s.tree.total));
        search.with(|r| match r {
            None => String::new(),
            Some(r) if r.n_matched == 0 => "no match".to_owned(),
            Some(r) => format!("{} of total matched", percent(r.share(total))),
        })
    };

    view! {
        <div class="flame-graph" tabindex="0" on:keydown=on_key>
            <div class="flame-toolbar">
                <input
                    type="search"
                    class="flame-search"
                    placeholder="Search functions (regex)"
                    prop:value=move || query.get()
                    on:input=move |e| query.set(event_target_value(&e))
                />
                <span class="flame-match" data-testid="flame-match">{match_text}</span>
                <button
                    class="flame-reset"
                    disabled=move || !zoomed()
                    on:click=move |_| {
                        zoom.set(None);
                        range.set(None);
                    }
                >
                    "Reset zoom"
                </button>
                {sandwich_button}
                <div class="flame-orientation" role="group" aria-label="Orientation">
                    {Orientation::ALL
                        .into_iter()
                        .map(|o| {
                            view! {
                                <button
                                    class="flame-orient"
                                    data-testid=format!("flame-orientation-{}", o.as_str())
                                    title=match o {
                                        Orientation::Flame => "Roots at the bottom",
                                        Orientation::Icicle => "Roots at the top",
                                    }
                                    aria-pressed=move || (orientation.get() == o).to_string()
                                    on:click=move |_| orientation.set(o)
                                >
                                    {o.label()}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
                <button
                    class="flame-export"
                    data-testid="flame-export-svg"
                    title="Save the current view as SVG"
                    disabled=no_scene
                    on:click=export_svg
                >
                    "SVG"
                </button>
                <button
                    class="flame-export"
                    data-testid="flame-export-png"
                    title="Save the current view as PNG"
                    disabled=no_scene
                    on:click=export_png
                >
                    "PNG"
                </button>
                <span class="muted flame-hint">"Click a frame to zoom · Ctrl+wheel or pinch to zoom · drag to pan · keys + − ← → 0"</span>
            </div>
            <Show when=move || scene.with(Option::is_none)>
                <p class="flame-empty">"No samples"</p>
            </Show>
            <div
                node_ref=scroll_ref
                class="flame-scroll"
                style="overflow-y:auto;max-height:75vh;position:relative"
                on:scroll=on_scroll
            >
                <div style:height=move || format!("{}px", rows_px())>
                    <canvas
                        node_ref=canvas_ref
                        class="flame-canvas"
                        style="display:block;position:sticky;top:0;width:100%"
                        style:height=move || format!("{}px", canvas_h.get())
                        style:cursor=move || if hovered.get().is_some() { "pointer" } else { "default" }
                        data-paint-ms=""
                        data-rects="0"
                        data-zoom=""
                        data-orientation=""
                        data-range="0,1"
                        on:mousedown=on_down
                        on:mousemove=on_move
                        on:mouseup=end_drag.clone()
                        on:mouseleave=move |e| {
                            hovered.set(None);
                            end_drag(e);
                        }
                        on:wheel=on_wheel
                        on:click=on_click
                    ></canvas>
                </div>
            </div>
            <Tooltip scene=scene hovered=hovered pos=tip_pos />
        </div>
    }
}

/// The hover tooltip: full name, location, self and total with units and % of the total.
#[component]
fn Tooltip(
    scene: Memo<Option<Arc<Scene>>>,
    hovered: RwSignal<Option<usize>>,
    pos: RwSignal<(f64, f64)>,
) -> impl IntoView {
    let body = move || {
        let n = hovered.get()?;
        let scene = scene.get()?;
        let t = &scene.tree;
        if n >= t.len() {
            return None;
        }
        let unit = &t.sample_type.unit;
        let of_total = |v: i64| {
            let share = if t.total > 0 {
                v as f64 / t.total as f64
            } else {
                0.0
            };
            format!("{} ({})", format_value(v, unit), percent(share))
        };
        let (name, detail) = (t.name_of(n).to_owned(), t.detail_of(n).to_owned());
        let (self_v, total_v) = (of_total(t.self_value[n]), of_total(t.total_value[n]));
        // A diff tree: the base's total beside the newer one's, and the change.
        let change = t.base_value.get(n).map(|&base| {
            let new = t.total_value[n];
            let delta = new.saturating_sub(base);
            let sign = if delta > 0 { "+" } else { "" };
            let pct = if base != 0 {
                format!(
                    ", {sign}{:.1}%",
                    delta as f64 * 100.0 / base.unsigned_abs() as f64
                )
            } else {
                ", new".to_owned()
            };
            format!(
                "{} → {} ({sign}{}{pct})",
                format_value(base, unit),
                format_value(new, unit),
                format_value(delta, unit)
            )
        });
        Some(view! {
            <div class="flame-tip-name">{name}</div>
            <div class="flame-tip-detail">{detail}</div>
            <div>"self: " {self_v}</div>
            <div>"total: " {total_v}</div>
            {change.map(|c| view! { <div data-testid="flame-tip-change">"base → new: " {c}</div> })}
        })
    };
    // Flip to the left of the pointer near the window's right edge.
    let left = move || {
        let (x, _) = pos.get();
        let vw = window()
            .inner_width()
            .ok()
            .and_then(|w| w.as_f64())
            .unwrap_or(1e9);
        if x + 380.0 > vw {
            (x - 372.0).max(0.0)
        } else {
            x + 14.0
        }
    };
    view! {
        <div
            class="flame-tip"
            style:display=move || if hovered.get().is_some() { "block" } else { "none" }
            style:left=move || format!("{}px", left())
            style:top=move || format!("{}px", pos.get().1 + 16.0)
        >
            {body}
        </div>
    }
}

/// A share as a percentage with pprof's two decimals (`12.34%`).
fn percent(share: f64) -> String {
    format!("{:.2}%", share * 100.0)
}

/// Writes the graph's search into the page's state, which the URL follows (its zoom is written
/// as it is painted).
fn follow_url(app: AppState, query: RwSignal<String>) {
    Effect::new(move |_| {
        let q = query.get();
        if app.flame_search.get_untracked() != q {
            app.flame_search.set(q);
        }
    });
}
