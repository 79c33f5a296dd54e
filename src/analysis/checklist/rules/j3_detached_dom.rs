//! J3: detached DOM trees kept alive by JavaScript (browser). Evidence: classes named
//! `Detached <element>` growing across snapshots, held by the JavaScript object the path
//! names (an array, a Map, a closure).

use super::*;
use crate::analysis::heap::ClassGrowthRow;

pub fn check(f: &Facts) -> Finding {
    let title = "Detached DOM trees kept alive by JavaScript";
    let fix = fix(
        "Drop the references when you remove nodes: clear arrays and maps that cache elements, remove listeners that close over them, and keep ids rather than nodes.",
        "list.remove();\nhistory.length = 0; // or keep ids: history.push(list.id)",
    );
    js_finding(f, "J3", title, fix, |r: &ClassGrowthRow| {
        r.name.starts_with("Detached ")
    })
}
