//! J2: a global or module-level cache (object, `Map`, `Array`) keyed by time or request id,
//! growing without eviction. Evidence: a class whose objects grow at every step held through a
//! collection (a `Map`'s table, an array's elements) from a global or module variable, or the
//! collection itself growing in size with a flat count.

use super::*;
use crate::analysis::heap::ClassGrowthRow;

pub fn check(f: &Facts) -> Finding {
    let title = "A global cache growing without eviction";
    let fix = fix(
        "Bound it: an LRU or a TTL with eviction; for metadata keyed by objects use a WeakMap (or WeakRef) so entries go with their keys.",
        "const cache = new LRUCache({ max: 10_000, ttl: 10 * 60_000 }); // npm lru-cache\ncache.set(requestId, result);",
    );
    js_finding(f, "J2", title, fix, |r: &ClassGrowthRow| {
        let path = r.retainer.as_deref().unwrap_or("");
        let collection = ["Map", "Set", "internal table", "[]", "Array"]
            .iter()
            .any(|c| path.contains(c));
        collection
            && !held_by_listeners_or_timers(r)
            && !r.name.starts_with("Detached ")
            && !is_string(r)
            && r.name != "system / Context"
    })
}
