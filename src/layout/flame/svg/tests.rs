//! Tests of the SVG export: parsed back with `roxmltree`, it is well-formed, holds one frame per
//! visible rectangle with the painter's geometry, colours and labels, escapes names, and
//! leaves out culled frames.

use super::*;
use crate::layout::flame::style::ROW_HEIGHT;
use crate::layout::flame::tests::tree_of;
use crate::layout::viewport::Orientation;
use crate::layout::{matches, palette::swatches};

/// The rendered SVG of `tree` at viewport `v` on an 800×`h` view, with `search`.
fn export(tree: &CallTree, v: Viewport, h: f64, search: Option<&SearchResult>) -> String {
    let layout = FlameLayout::new(tree);
    render(&SvgInput {
        tree,
        layout: &layout,
        swatches: &swatches(tree),
        search,
        viewport: v.scrolled(0.0, h),
        width: 800.0,
        height: h,
        char_px: 7.0,
        background: Some("#101418"),
    })
}

/// One parsed frame: first title line, rect (x, y, w, h, fill), label text.
#[derive(Debug)]
struct Frame {
    name: String,
    rect: (f64, f64, f64, f64),
    fill: String,
    label: Option<String>,
}

fn frames(svg: &str) -> Vec<Frame> {
    let doc = roxmltree::Document::parse(svg).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    let num = |n: roxmltree::Node, a: &str| n.attribute(a).unwrap().parse::<f64>().unwrap();
    root.children()
        .filter(|n| n.has_tag_name("g"))
        .map(|g| {
            let child = |tag: &str| g.children().find(|c| c.has_tag_name(tag));
            let rect = child("rect").expect("a rect per frame");
            let title = child("title").expect("a title per frame").text().unwrap();
            Frame {
                name: title.lines().next().unwrap().to_owned(),
                rect: (
                    num(rect, "x"),
                    num(rect, "y"),
                    num(rect, "width"),
                    num(rect, "height"),
                ),
                fill: rect.attribute("fill").unwrap().to_owned(),
                label: child("text").and_then(|t| t.text()).map(str::to_owned),
            }
        })
        .collect()
}

fn sample() -> CallTree {
    // Go and JS names with every markup character.
    tree_of(&[
        ("main", 0, 100),
        ("pkg.(*T[K,V]).Serve<\"x\">", 1, 60),
        ("a & b", 2, 30),
        ("tiny", 2, 0),
        ("get 'y' <anonymous>", 1, 39),
    ])
}

#[test]
fn one_escaped_frame_per_visible_rect() {
    let t = sample();
    let svg = export(&t, Viewport::full(), 54.0, None);
    assert!(svg.contains("&lt;&quot;x&quot;&gt;") && svg.contains("a &amp; b"));
    let f = frames(&svg);
    let names: Vec<&str> = f.iter().map(|f| f.name.as_str()).collect();
    // `tiny` has no width: culled, as on the canvas.
    assert_eq!(
        names,
        [
            "main",
            "pkg.(*T[K,V]).Serve<\"x\">",
            "a & b",
            "get 'y' <anonymous>"
        ]
    );
    // Widths are the values' shares of 800 px, less the 1 px gap; rows go down.
    assert_eq!(f[0].rect, (0.0, 0.0, 799.0, 17.0));
    assert_eq!(f[1].rect, (0.0, 18.0, 479.0, 17.0));
    assert_eq!(f[2].rect, (0.0, 36.0, 239.0, 17.0));
    assert_eq!(f[3].rect, (480.0, 18.0, 311.0, 17.0));
    assert_eq!(f[0].label.as_deref(), Some("main"));
    assert_eq!(f[2].label.as_deref(), Some("a & b"));
    let own = palette::fill(swatches(&t)[0], palette::Emphasis::Normal).css();
    assert_eq!(f[0].fill, own);
    // The background and the font are the page's.
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let root = doc.root_element();
    assert_eq!(root.attribute("width"), Some("800"));
    assert_eq!(root.attribute("height"), Some("54"));
    assert!(root
        .attribute("font-family")
        .unwrap()
        .contains("\"Liberation Mono\""));
    let bg = root.children().find(|n| n.has_tag_name("rect")).unwrap();
    assert_eq!(bg.attribute("fill"), Some("#101418"));
}

#[test]
fn flame_orientation_zoom_and_search_are_exported() {
    let t = sample();
    let layout = FlameLayout::new(&t);
    let search = matches(&t, "a & b");
    // Zoomed to the second root child, roots at the bottom of a 3-row graph.
    let v = layout
        .zoom_to(&Viewport::full(), 1)
        .oriented(Orientation::Flame);
    let f = frames(&export(&t, v, 54.0, Some(&search)));
    let names: Vec<&str> = f.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        ["main", "pkg.(*T[K,V]).Serve<\"x\">", "a & b"],
        "the sibling is off screen"
    );
    assert_eq!(f[0].rect.1, 2.0 * ROW_HEIGHT, "the root is the bottom row");
    assert_eq!(f[2].rect.1, 0.0, "the leaf the top row");
    assert_eq!(f[1].rect.2, 799.0, "the zoomed frame fills the width");
    assert_eq!(f[2].rect.2, 30.0 / 60.0 * 800.0 - 1.0);
    assert_eq!(f[2].fill, palette::MATCH_COLOR.css());
    let dimmed = palette::fill(swatches(&t)[0], palette::Emphasis::Dimmed).css();
    assert_eq!(f[0].fill, dimmed);
    // Each frame sits where hit-testing finds it.
    for (fr, node) in f.iter().zip([0, 1, 2]) {
        let (x, y, w, h) = fr.rect;
        let at = layout.hit_test(
            &v.scrolled(0.0, 54.0),
            800.0,
            ROW_HEIGHT,
            x + w / 2.0,
            y + h / 2.0,
        );
        assert_eq!(at, Some(node));
    }
}

#[test]
fn rows_scrolled_out_of_the_view_are_left_out() {
    let t = sample();
    let v = Viewport::full().scrolled(18.0, 18.0);
    let layout = FlameLayout::new(&t);
    let svg = render(&SvgInput {
        tree: &t,
        layout: &layout,
        swatches: &swatches(&t),
        search: None,
        viewport: v,
        width: 800.0,
        height: 18.0,
        char_px: 7.0,
        background: None,
    });
    let f = frames(&svg);
    let names: Vec<&str> = f.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["pkg.(*T[K,V]).Serve<\"x\">", "get 'y' <anonymous>"]);
    assert!(f.iter().all(|f| f.rect.1 == 0.0));
    assert!(!svg.contains("#101418"), "no background asked for");
    // An empty tree is still a document.
    let empty = CallTree::default();
    let layout = FlameLayout::new(&empty);
    let svg = render(&SvgInput {
        tree: &empty,
        layout: &layout,
        swatches: &[],
        search: None,
        viewport: Viewport::full(),
        width: 10.0,
        height: 0.0,
        char_px: 7.0,
        background: None,
    });
    assert!(frames(&svg).is_empty());
}

#[test]
fn names_unfit_for_xml_are_still_well_formed() {
    let t = tree_of(&[
        ("bad\u{1}\u{0}name\u{FFFF}", 0, 10),
        ("tab\there\nline", 1, 5),
    ]);
    let f = frames(&export(&t, Viewport::full(), 36.0, None));
    assert_eq!(f[0].name, "bad\u{FFFD}\u{FFFD}name\u{FFFD}");
    assert_eq!(f[1].name, "tab\there");
}

#[test]
fn file_names() {
    assert_eq!(
        export_file_name("gin-heap-3.pb.gz", "flame", "svg"),
        "gin-heap-3-flame.svg"
    );
    assert_eq!(
        export_file_name("app.v2.heapsnapshot.gz", "flame", "png"),
        "app.v2-flame.png"
    );
    assert_eq!(
        export_file_name("a/b:c?.txt", "diff-flame", "svg"),
        "a_b_c_-diff-flame.svg"
    );
    assert_eq!(export_file_name(".gz", "flame", "svg"), ".gz-flame.svg");
    assert_eq!(export_file_name("", "flame", "svg"), "profile-flame.svg");
    assert_eq!(
        export_file_name("CPU.PPROF", "flame", "svg"),
        "CPU-flame.svg"
    );
}
