//! The flame graph's exports: the current view as SVG (the string `layout::flame::svg` writes)
//! or as PNG (the drawn canvas, at its device-pixel size, over the page's background), saved
//! by `ui::download`, named after the profile shown. It draws nothing and lays nothing out.

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, Element, HtmlCanvasElement};

use crate::analysis::CallTree;
use crate::layout::flame::svg::export_file_name;
use crate::ui::download;
use crate::ui::state::AppState;

/// The export's file name: `<profile>-flame.<ext>`, `<newer profile>-diff-flame.<ext>` for a
/// diff flame graph.
pub fn file_name(state: Option<AppState>, tree: &CallTree, ext: &str) -> String {
    let diff = !tree.base_value.is_empty();
    let name = state.and_then(|s| {
        let id = if diff {
            untrack(|| s.diff_pair()).map(|(_, new)| new)
        } else {
            s.selected.get_untracked()
        }?;
        s.profiles
            .with_untracked(|ps| ps.iter().find(|p| p.id == id).map(|p| p.name.clone()))
    });
    let kind = if diff { "diff-flame" } else { "flame" };
    export_file_name(name.as_deref().unwrap_or(""), kind, ext)
}

/// The colour the page shows behind `el`: the first ancestor's (or its own) background colour
/// that is not transparent, as the browser computes it; None when nothing has one.
pub fn background_of(el: &Element) -> Option<String> {
    let window = window();
    let mut at = Some(el.clone());
    while let Some(e) = at {
        let colour = window
            .get_computed_style(&e)
            .ok()
            .flatten()
            .and_then(|s| s.get_property_value("background-color").ok())
            .unwrap_or_default();
        let clear = colour.is_empty()
            || colour == "transparent"
            || colour.replace(' ', "").ends_with(",0)");
        if !clear {
            return Some(colour);
        }
        at = e.parent_element();
    }
    None
}

/// Saves `svg` as `name`.
pub fn save_svg(svg: &str, name: &str) -> Result<(), JsValue> {
    download::save_text(svg, name, "image/svg+xml")
}

/// Saves what `canvas` shows, over `background`, as the PNG file `name`; `on_error` hears of
/// a failure that happens after this returns (the browser encodes the PNG asynchronously).
pub fn save_png(
    canvas: &HtmlCanvasElement,
    background: Option<&str>,
    name: String,
    on_error: impl FnOnce(String) + 'static,
) -> Result<(), JsValue> {
    let copy: HtmlCanvasElement = document().create_element("canvas")?.unchecked_into();
    copy.set_width(canvas.width());
    copy.set_height(canvas.height());
    let ctx: CanvasRenderingContext2d = copy
        .get_context("2d")?
        .ok_or("no 2d context")?
        .unchecked_into();
    if let Some(bg) = background {
        ctx.set_fill_style_str(bg);
        ctx.fill_rect(0.0, 0.0, copy.width() as f64, copy.height() as f64);
    }
    ctx.draw_image_with_html_canvas_element(canvas, 0.0, 0.0)?;
    let done = wasm_bindgen::closure::Closure::once_into_js(move |blob: JsValue| {
        let saved = match blob.dyn_into::<web_sys::Blob>() {
            Ok(blob) => download::save_blob(&blob, &name),
            Err(_) => Err(JsValue::from_str("the browser made no PNG")),
        };
        if let Err(e) = saved {
            on_error(format!("{e:?}"));
        }
    });
    copy.to_blob(done.unchecked_ref())
}
