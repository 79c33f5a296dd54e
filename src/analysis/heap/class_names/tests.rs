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
    // them by text. Nodes: root, the leaf string, two Objects; strings 4 and 5 are both "x".
    let text = r#"{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"]},"node_count":4,"edge_count":5},
"nodes":[9,0,1,0,3,0,0, 2,1,3,8,0,0,0, 3,3,5,16,1,0,0, 3,3,7,16,1,0,0],
"edges":[1,1,7, 1,2,14, 1,3,21, 2,4,7, 2,5,7],
"strings":["","s","unused","Object","x","x"]}"#;
    let g = crate::formats::decode(text.as_bytes())
        .unwrap()
        .content
        .into_heap()
        .unwrap();
    let c = class_names(&g, None, &ClassNameOptions::default());
    let names: Vec<&str> = c.class_of.iter().map(|&id| c.name(&g, id)).collect();
    assert_eq!(names[2..], ["{x}", "{x}"]);
    assert_eq!(c.interfaces.len(), 1);
}
