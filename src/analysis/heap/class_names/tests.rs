//! Class-name rules on hand-built graphs: type-based names, tag collapsing, detached renames,
//! interface inference and its limits.

use super::*;
use crate::analysis::heap::dom_states;
use crate::model::HeapGraphBuilder;

fn names_of(b: HeapGraphBuilder) -> Vec<String> {
    let g = b.finish().unwrap();
    let states = dom_states(&g);
    let c = class_names(&g, states.as_deref(), &ClassNameOptions::default());
    c.class_of
        .iter()
        .map(|&id| c.name(&g, id).to_owned())
        .collect()
}

#[test]
fn names_by_type_and_tag() {
    let mut b = HeapGraphBuilder::v8();
    b.with_detachedness();
    let r = b.add_node("synthetic", "", 1, 0);
    b.add_node("hidden", "system / Map", 3, 1);
    b.add_node("code", "foo", 5, 1);
    b.add_node("closure", "handler", 7, 1);
    b.add_node("regexp", "a+b", 9, 1);
    b.add_node("string", "hello", 11, 1);
    b.add_node("concatenated string", "ab", 13, 1);
    let div = b.add_node("native", "<div id=\"x\">", 2, 1);
    let span = b.add_node("native", "HTMLSpanElement", 4, 1);
    b.add_node("object", "Foo", 15, 1);
    b.add_node("native", "Detached <p class=\"y\">", 6, 1);
    b.set_detachedness(div, DOM_DETACHED);
    b.add_edge(r, "element", "1", div);
    b.add_edge(div, "element", "1", span);
    assert_eq!(
        names_of(b),
        [
            "(synthetic)",
            "(system)",
            "(compiled code)",
            "Function",
            "RegExp",
            "(string)",
            "(concatenated string)",
            "Detached <div>",
            "Detached HTMLSpanElement",
            "Foo",
            "Detached <p>",
        ]
    );
}

#[test]
fn plain_objects_get_interface_names() {
    let mut b = HeapGraphBuilder::v8();
    let r = b.add_node("synthetic", "", 1, 0);
    let leaf = b.add_node("string", "s", 3, 1);
    let mut objects = Vec::new();
    // Two {url, method, headers}, one {url, method, headers, body} (matches the 3-property
    // interface), two {a, "b,c"}, one {z} alone (no interface: stays Object).
    for props in [
        &["url", "method", "headers"][..],
        &["url", "method", "headers"],
        &["url", "method", "headers", "body"],
        &["a", "b,c"],
        &["a", "b,c"],
        &["z"],
    ] {
        objects.push((b.add_node("object", "Object", 5, 1), props));
    }
    b.add_edge(r, "element", "1", leaf);
    for (o, props) in objects {
        b.add_edge(o, "property", "__proto__", leaf);
        for p in props {
            b.add_edge(o, "property", p, leaf);
        }
    }
    let names = names_of(b);
    assert_eq!(
        &names[2..],
        [
            "{url, method, headers}",
            "{url, method, headers}",
            "{url, method, headers}",
            "{a, \"b,c\"}",
            "{a, \"b,c\"}",
            "Object"
        ]
    );
}

#[test]
fn long_interface_names_stop_at_120_characters() {
    let mut b = HeapGraphBuilder::v8();
    let r = b.add_node("synthetic", "", 1, 0);
    let leaf = b.add_node("string", "s", 3, 1);
    let props: Vec<String> = (0..20).map(|i| format!("property_number_{i:02}")).collect();
    let o1 = b.add_node("object", "Object", 5, 1);
    let o2 = b.add_node("object", "Object", 7, 1);
    b.add_edge(r, "element", "1", leaf);
    for o in [o1, o2] {
        for p in &props {
            b.add_edge(o, "property", p, leaf);
        }
    }
    let names = names_of(b);
    // "{" + 6 × 18 + 5 × 2 = 119 characters; the 7th property would pass 120.
    assert_eq!(names[2], format!("{{{}}}", props[..6].join(", ")));
}

#[test]
fn equal_property_names_stored_twice_are_one_interface() {
    // V8 stores each string once, but a snapshot may hold one twice: objects whose property
    // names are equal text at different string indices share one interface, counted
    // together (one object each would be under the two-object minimum), as DevTools names
    // them by text.
    let mut b = HeapGraphBuilder::v8();
    // A second "x", which the builder's own interning does not know.
    let second_x = b.strings_mut().push("x").unwrap();
    let r = b.add_node("synthetic", "", 1, 0);
    let leaf = b.add_node("string", "s", 3, 1);
    let one = b.add_node("object", "Object", 5, 16);
    b.add_edge(r, "element", "1", leaf);
    b.add_edge(one, "property", "x", leaf);
    // The second object, by the decoder's raw calls: V8's `object` type (3), one edge of
    // kind `property` (2) named by the other "x".
    let object = b.intern("Object");
    b.push_node_raw(3, object, 7, 16, 1, 0);
    b.push_edge_raw(2, second_x, leaf.0).unwrap();
    let g = b.finish().unwrap();
    let (first_x, other_x) = (g.edge_name_or_index(1), g.edge_name_or_index(2));
    assert!(first_x != other_x && g.strings().get(first_x) == g.strings().get(other_x));
    let c = class_names(&g, None, &ClassNameOptions::default());
    let names: Vec<&str> = c.class_of.iter().map(|&id| c.name(&g, id)).collect();
    assert_eq!(names[2..], ["{x}", "{x}"]);
    assert_eq!(c.interfaces.len(), 1);
}
