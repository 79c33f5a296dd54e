//! `class_names`: the class DevTools files each object under in Summary (`calculateObjectNames`,
//! `inferInterfaceDefinitions`, `applyInterfaceDefinitions`; FORMATS-AND-LIMITS §2.10): `(system)`,
//! `(compiled code)`, `Function`, `<div>`, `Detached <div>`, `{url, method, headers}`, …
//! Class ids mimic DevTools' string indices, so two rows may share a name exactly when DevTools'
//! rows do.

mod interfaces;

pub use interfaces::InterfaceDefinition;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::dom_state::DOM_DETACHED;
use super::type_ids::TypeIds;
use crate::model::{HeapGraph, NodeOrdinal};

/// Each node's class, as an index into a string space: ids below `strings().len()` are the
/// snapshot's strings, higher ids are `added[id - strings().len()]` (names DevTools adds).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ClassNames {
    /// Class id of each node.
    pub class_of: Vec<u32>,
    /// Names added beyond the snapshot's strings.
    pub added: Vec<String>,
    /// `strings().len()` of the graph the ids refer to.
    pub base: u32,
    /// The interfaces inferred from this graph's plain objects and applied to them (empty when
    /// `infer_interfaces` was off).
    #[serde(default)]
    pub interfaces: Vec<InterfaceDefinition>,
}

impl ClassNames {
    /// The name behind class id `id`.
    pub fn name<'a>(&'a self, g: &'a HeapGraph, id: u32) -> &'a str {
        if id < self.base {
            g.strings().get(id)
        } else {
            self.added
                .get((id - self.base) as usize)
                .map(String::as_str)
                .unwrap_or("")
        }
    }

    /// These names with `g`'s plain objects renamed after `definitions` (another snapshot's
    /// interfaces) instead of their own, as DevTools' `aggregatesForDiff` names the base
    /// snapshot so that its rows line up with the compared one's.
    pub fn with_interfaces(&self, g: &HeapGraph, definitions: &[InterfaceDefinition]) -> Self {
        let mut names = self.clone();
        interfaces::apply(g, &TypeIds::of(g), &mut names, definitions);
        names.interfaces = definitions.to_vec();
        names
    }
}

/// Options for `class_names`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ClassNameOptions {
    /// Rename plain `Object`s after their most common property sets (`{a, b}`), as current
    /// DevTools does. Turn off to compare with DevTools versions before 2024.
    pub infer_interfaces: bool,
}

impl Default for ClassNameOptions {
    fn default() -> Self {
        ClassNameOptions {
            infer_interfaces: true,
        }
    }
}

/// Names added to the string space, deduplicated per DevTools table (it keeps separate maps for
/// renamed detached nodes, class names and interface names).
struct Added<'a> {
    base: u32,
    list: Vec<String>,
    class_names: HashMap<String, u32>,
    _g: std::marker::PhantomData<&'a ()>,
}

impl Added<'_> {
    fn add(&mut self, s: String) -> u32 {
        self.list.push(s);
        self.base + self.list.len() as u32 - 1
    }

    /// DevTools' `getIndexForString`.
    fn class_index(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.class_names.get(s) {
            return i;
        }
        let i = self.add(s.to_owned());
        self.class_names.insert(s.to_owned(), i);
        i
    }

    fn get(&self, g: &HeapGraph, id: u32) -> String {
        if id < self.base {
            g.strings().get(id).to_owned()
        } else {
            self.list
                .get((id - self.base) as usize)
                .cloned()
                .unwrap_or_default()
        }
    }
}

/// `<div id="a">` → `<div>`, `Detached <div class="x">` → `Detached <div>` (cut at the first
/// space after the tag's start).
fn collapse_tag(name: &str, from: usize) -> String {
    match name.get(from..).and_then(|rest| rest.find(' ')) {
        Some(sp) => format!("{}>", &name[..from + sp]),
        None => name.to_owned(),
    }
}

/// Each node's Summary class. `dom_states` (from `dom_states`) renames detached native nodes
/// `Detached <name>` first, as `propagateDOMState` does.
pub fn class_names(
    g: &HeapGraph,
    dom_states: Option<&[u8]>,
    opts: &ClassNameOptions,
) -> ClassNames {
    let t = TypeIds::of(g);
    let base = g.strings().len() as u32;
    let mut added = Added {
        base,
        list: Vec::new(),
        class_names: HashMap::new(),
        _g: Default::default(),
    };
    // propagateDOMState: a detached native node's name becomes "Detached " + name, one new
    // string per distinct old name.
    let mut detached_names: HashMap<u32, u32> = HashMap::new();
    let node_name = |o: usize, added: &mut Added, detached_names: &mut HashMap<u32, u32>| -> u32 {
        let raw = g.node_name_index(NodeOrdinal(o as u32));
        let detached = dom_states.is_some_and(|s| s.get(o) == Some(&DOM_DETACHED))
            && g.node_type(NodeOrdinal(o as u32)) as u16 == t.native;
        if !detached {
            return raw;
        }
        *detached_names
            .entry(raw)
            .or_insert_with(|| added.add(format!("Detached {}", g.strings().get(raw))))
    };
    let hidden = added.class_index("(system)");
    let code = added.class_index("(compiled code)");
    let function = added.class_index("Function");
    let regexp = added.class_index("RegExp");
    // The class of an object or native node depends only on its (possibly renamed) name, and
    // that of any other type only on the type: both are looked up once each.
    let mut by_name: Vec<u32> = Vec::new();
    let mut by_type: Vec<u32> = Vec::new();
    let mut class_of = Vec::with_capacity(g.node_count());
    for o in 0..g.node_count() {
        let ty = g.node_type(NodeOrdinal(o as u32)) as u16;
        let class = if ty == t.hidden {
            hidden
        } else if ty == t.object || ty == t.native {
            let name_id = node_name(o, &mut added, &mut detached_names);
            let at = name_id as usize;
            if at >= by_name.len() {
                by_name.resize((at + 1).max(base as usize), u32::MAX);
            }
            if by_name[at] == u32::MAX {
                let name = added.get(g, name_id);
                by_name[at] = if name.starts_with('<') {
                    added.class_index(&collapse_tag(&name, 0))
                } else if name.starts_with("Detached <") {
                    added.class_index(&collapse_tag(&name, 10))
                } else {
                    name_id
                };
            }
            by_name[at]
        } else if ty == t.code {
            code
        } else if ty == t.closure {
            function
        } else if ty == t.regexp {
            regexp
        } else {
            let at = ty as usize;
            if at >= by_type.len() {
                by_type.resize(at + 1, u32::MAX);
            }
            if by_type[at] == u32::MAX {
                by_type[at] =
                    added.class_index(&format!("({})", g.node_type_name(NodeOrdinal(o as u32))));
            }
            by_type[at]
        };
        class_of.push(class);
    }
    let mut names = ClassNames {
        class_of,
        added: added.list,
        base,
        interfaces: Vec::new(),
    };
    if opts.infer_interfaces {
        names.interfaces = interfaces::infer_and_apply(g, &t, &mut names);
    }
    names
}

#[cfg(test)]
mod tests;
