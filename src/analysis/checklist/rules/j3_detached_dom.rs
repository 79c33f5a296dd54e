//! J3: detached DOM trees kept alive by JavaScript (browser). Evidence: classes named
//! `Detached <element>` growing across snapshots, held by the JavaScript object the path
//! names (an array, a Map, a closure).

use super::js::{js_finding, HeldBy};
use super::*;
use crate::analysis::heap::ClassGrowthRow;

pub fn check(f: &Facts) -> Finding {
    let title = "Detached DOM trees kept alive by JavaScript";
    let fix = fix(
        "Drop the references when you remove nodes: clear arrays and maps that cache elements, remove listeners that close over them, and keep ids rather than nodes.",
        "list.remove();\nhistory.length = 0; // or keep ids: history.push(list.id)",
    );
    js_finding(f, "J3", title, fix)
}

/// A class is J3's evidence when it is a detached DOM node (DevTools' `Detached <li>`).
pub(super) fn matches(r: &ClassGrowthRow, _held: &HeldBy) -> bool {
    r.name.starts_with("Detached ")
}
